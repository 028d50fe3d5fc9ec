/*
 * QEMU has no "ap" start, so this 64 KiB reset ROM recreates the machine's: it copies the payload (the first
 * bytes of this ROM) to LOAD (4 KiB aligned, below 1 MiB), puts the segment and general registers back to
 * their reset values (EDX 0, where the machine keeps its 0x600 signature), and far-jumps to LOAD >> 4 : 0 in real mode, as a CPU leaving wait-for-SIPI would.
 * Built by qemu-oracle.ts with -DPAYLOAD_FILE="..." and -DLOAD=...; the payload must fit below SHIM.
 */
#define SHIM            0xf000          /* this code's offset in the ROM; the payload ends before it */

        .code16
        .text
payload:
        .incbin PAYLOAD_FILE
payload_end:

        .org    SHIM                    # (an error here means the payload is larger than 60 KiB)
shim:
        cli
        cld
        movw    %cs, %ax                # the ROM alias at 0xF0000 holds the payload at offset 0
        movw    %ax, %ds
        movw    $(LOAD >> 4), %ax
        movw    %ax, %es
        xorw    %si, %si
        xorw    %di, %di
        movw    $(payload_end - payload), %cx
        rep movsb
        xorl    %eax, %eax
        movw    %ax, %ds
        movw    %ax, %es
        movw    %ax, %ss
        xorl    %ebx, %ebx
        xorl    %ecx, %ecx
        xorl    %edx, %edx
        xorl    %esi, %esi
        xorl    %edi, %edi
        xorl    %ebp, %ebp
        xorl    %esp, %esp
        xorl    %eax, %eax
        sahf                            # EFLAGS back to 0x2, as after reset (XOR left ZF and PF set)
        ljmpw   $(LOAD >> 4), $0

        .org    0xfff0
        ljmpw   $0xf000, $shim
        .org    0x10000
