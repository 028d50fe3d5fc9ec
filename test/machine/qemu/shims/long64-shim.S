/*
 * QEMU has no "long64" start, so this 64 KiB reset ROM recreates the machine's: 64-bit mode with CR0 = PE MP ET
 * NE WP PG, CR4 = PAE, EFER = LME LMA NXE SCE, a flat GDT (null, 64-bit code 0x08, data 0x10) and identity-mapped
 * 4-level paging of the first 4 GiB in 2 MiB pages, the tables and GDT in the eight pages at AREA (just below the
 * top of low RAM, where the machine puts them). The payload (the first bytes of this ROM) is copied to LOAD;
 * execution starts at ENTRY with RSP = STACK, RFLAGS = 0x2 and every other general register 0 (the machine
 * leaves RDX = 0x600, its reset signature).
 * Built by qemu-oracle.ts with -DPAYLOAD_FILE="..." -DLOAD=... -DENTRY=... -DSTACK=... -DAREA=...
 */
#define ROM_BASE        0xf0000
#define SHIM            0xe000          /* this code's offset in the ROM; the payload ends before it */
#define PML4            AREA
#define PDPT            (AREA + 0x1000)
#define PD              (AREA + 0x2000) /* four pages: 2048 entries of 2 MiB */
#define GDT             (AREA + 0x6000)
#define CR0_LONG        0x80010033      /* PG WP NE ET MP PE */
#define CR4_PAE         0x20
#define MSR_EFER        0xc0000080
#define EFER_BITS       0x00000901      /* NXE LME SCE (LMA follows from PG) */

        .code16
        .text
rom_start:
payload:
        .incbin PAYLOAD_FILE
payload_end:

        .org    SHIM                    # (an error here means the payload is larger than 56 KiB)
shim16:
        cli
        cld
        lgdtl   %cs:(boot_gdt_pointer - rom_start)
        movl    %cr0, %eax
        orl     $1, %eax
        movl    %eax, %cr0
        ljmpl   $0x18, $(ROM_BASE + shim32 - rom_start)

        .code32
shim32:
        movl    $0x10, %eax
        movl    %eax, %ds
        movl    %eax, %es
        movl    %eax, %ss
        movl    $ROM_BASE, %esi         # the payload, to its load address
        movl    $LOAD, %edi
        movl    $(payload_end - payload), %ecx
        rep movsb
        movl    $AREA, %edi             # tables and GDT
        xorl    %eax, %eax
        movl    $(0x8000 / 4), %ecx
        rep stosl
        movl    $(PDPT + 3), PML4
        movl    $(PD + 3), %eax         # PDPT[0..3] -> the four PD pages
        movl    $PDPT, %edi
        movl    $4, %ecx
1:      movl    %eax, (%edi)
        addl    $0x1000, %eax
        addl    $8, %edi
        loop    1b
        movl    $0x83, %eax             # P RW PS, 2 MiB apart
        movl    $PD, %edi
        movl    $2048, %ecx
1:      movl    %eax, (%edi)
        addl    $0x200000, %eax
        addl    $8, %edi
        loop    1b
        movl    $0x0000ffff, GDT + 8    # 0x08: 0x00af9b000000ffff, 64-bit code
        movl    $0x00af9b00, GDT + 12
        movl    $0x0000ffff, GDT + 16   # 0x10: 0x00cf93000000ffff, data
        movl    $0x00cf9300, GDT + 20

        movl    $CR4_PAE, %eax
        movl    %eax, %cr4
        movl    $PML4, %eax
        movl    %eax, %cr3
        movl    $MSR_EFER, %ecx
        rdmsr
        orl     $EFER_BITS, %eax
        wrmsr
        movl    $CR0_LONG, %eax
        movl    %eax, %cr0
        lgdt    ROM_BASE + final_gdt_pointer - rom_start   # CS keeps its cached 32-bit descriptor until the jump
        ljmpl   $0x08, $(ROM_BASE + shim64 - rom_start)

        .code64
shim64:
        movl    $0x10, %eax
        movl    %eax, %ds
        movl    %eax, %es
        movl    %eax, %ss
        movl    %eax, %fs
        movl    %eax, %gs
        movq    $STACK, %rsp
        xorl    %eax, %eax
        xorl    %ebx, %ebx
        xorl    %ecx, %ecx
        xorl    %edx, %edx
        xorl    %esi, %esi
        xorl    %edi, %edi
        xorl    %ebp, %ebp
        xorl    %r8d, %r8d
        xorl    %r9d, %r9d
        xorl    %r10d, %r10d
        xorl    %r11d, %r11d
        xorl    %r12d, %r12d
        xorl    %r13d, %r13d
        xorl    %r14d, %r14d
        xorl    %r15d, %r15d
        xorl    %eax, %eax
        sahf                            # AH = 0: CF PF AF ZF SF clear; OF is clear after XOR: RFLAGS = 0x2
        jmp     *entry(%rip)            # through memory: no register or stack slot keeps a trace

        .balign 8
entry:  .quad   ENTRY
boot_gdt:
        .quad   0
        .quad   0x00af9b000000ffff      # 0x08: 64-bit code
        .quad   0x00cf93000000ffff      # 0x10: data
        .quad   0x00cf9b000000ffff      # 0x18: 32-bit code, for the climb only
boot_gdt_end:
boot_gdt_pointer:
        .word   boot_gdt_end - boot_gdt - 1
        .long   ROM_BASE + boot_gdt - rom_start
final_gdt_pointer:
        .word   0x17
        .long   GDT

        .code16
        .org    0xfff0
        ljmpw   $0xf000, $(shim16 - rom_start)
        .org    0x10000
