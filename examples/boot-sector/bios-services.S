/*
 * A boot sector that asks the BIOS about the machine the way boot loaders do, and reports only facts every
 * PC BIOS must agree on (the exact memory map differs between firmwares, so no counts or addresses are printed):
 *   - INT 15h EAX=E820h, walked with the continuation value in EBX: the boot sector's own memory and the
 *     200 MiB above 1 MiB are usable RAM (type 1) in the map;
 *   - INT 12h: at least 512 KiB of conventional memory;
 *   - INT 16h AH=01h: no keystroke is waiting (ZF set);
 *   - INT 1Ah AH=00h: the tick count does not go backwards.
 * Output goes to the debug console (port 0xE9) directly, never through INT 10h. Exit (port 0xF4): 0x15 on
 * success, status 43; 0x01 (status 3) when a check fails.
 * Build with the link address 0x7c00; run:  trampoline run bios-services.S --start boot-sector
 */
#define DEBUGCON        0xe9
#define EXIT_PORT       0xf4
#define EXIT_SUCCESS    0x15
#define EXIT_FAILURE    0x01
#define SMAP            0x534d4150      /* 'SMAP', the E820 signature */
#define E820_USABLE     1
#define ENTRY           0x0600          /* one 24-byte map entry: base, length (8 bytes each), type */
#define BASE_LO         (ENTRY + 0)
#define BASE_HI         (ENTRY + 4)
#define LENGTH_LO       (ENTRY + 8)
#define LENGTH_HI       (ENTRY + 12)
#define TYPE            (ENTRY + 16)
#define HIGH_START      0x100000
#define HIGH_END        (HIGH_START + 200 * 0x100000)

        .code16
        .text
        .globl  boot
boot:
        cli
        xorw    %ax, %ax
        movw    %ax, %ds
        movw    %ax, %es
        movw    %ax, %ss
        movw    $0x7c00, %sp
        ljmpw   $0, $1f                 # CS = 0 whatever segment the BIOS used
1:      sti                             # the BIOS services below may rely on interrupts

        /* E820: every entry is checked against the two ranges; BP collects one bit per range covered. */
        xorw    %bp, %bp
        xorl    %ebx, %ebx
.Lnext_entry:
        movl    $0xe820, %eax
        movl    $SMAP, %edx
        movl    $24, %ecx
        movw    $ENTRY, %di
        int     $0x15
        jc      .Lmap_done              # some BIOSes end the walk with CF instead of EBX = 0
        cmpl    $SMAP, %eax
        jne     fail
        cmpl    $E820_USABLE, TYPE
        jne     2f
        movl    $0x7c00, %esi
        movl    $0x7e00, %edi
        call    covers
        jnc     1f
        orw     $1, %bp
1:      movl    $HIGH_START, %esi
        movl    $HIGH_END, %edi
        call    covers
        jnc     2f
        orw     $2, %bp
2:      testl   %ebx, %ebx
        jnz     .Lnext_entry
.Lmap_done:
        cmpw    $3, %bp
        jne     fail
        movw    $msg_e820, %si
        call    print

        int     $0x12                   # AX = KiB of conventional memory
        cmpw    $512, %ax
        jb      fail
        movw    $msg_int12, %si
        call    print

        movb    $0x01, %ah              # keystroke waiting? ZF = 1: none
        int     $0x16
        jnz     fail
        movw    $msg_int16, %si
        call    print

        xorb    %ah, %ah                # CX:DX = ticks since midnight
        int     $0x1a
        movw    %cx, %bx
        movw    %dx, %di
        xorb    %ah, %ah
        int     $0x1a
        cmpw    %bx, %cx
        jb      fail
        ja      1f
        cmpw    %di, %dx
        jb      fail
1:      movw    $msg_int1a, %si
        call    print

        movb    $EXIT_SUCCESS, %al
        outb    %al, $EXIT_PORT
        cli
        hlt

fail:
        movw    $msg_fail, %si
        call    print
        movb    $EXIT_FAILURE, %al
        outb    %al, $EXIT_PORT
        cli
        hlt

/* CF = 1 if the entry at ENTRY covers [ESI, EDI) (both below 4 GiB); preserves EBX. */
covers:
        cmpl    $0, BASE_HI
        jne     .Lno
        movl    BASE_LO, %eax
        cmpl    %esi, %eax
        ja      .Lno
        cmpl    $0, LENGTH_HI
        jne     .Lyes                   # 4 GiB or more: reaches any end below 4 GiB
        addl    LENGTH_LO, %eax         # the end; a carry means past 4 GiB
        jc      .Lyes
        cmpl    %edi, %eax
        jb      .Lno
.Lyes:  stc
        ret
.Lno:   clc
        ret

print:                                  # %si = NUL-terminated string
        lodsb
        testb   %al, %al
        jz      1f
        outb    %al, $DEBUGCON
        jmp     print
1:      ret

msg_e820:       .asciz "E820: 0x7c00 and 1 MiB..201 MiB are usable RAM\n"
msg_int12:      .asciz "INT 12h: >= 512 KiB conventional memory\n"
msg_int16:      .asciz "INT 16h: no key waiting\n"
msg_int1a:      .asciz "INT 1Ah: ticks do not go backwards\n"
msg_fail:       .asciz "FAIL\n"

        .org    510
        .byte   0x55, 0xaa
