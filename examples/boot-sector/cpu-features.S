/*
 * A boot sector that reports the CPUID feature bits the other examples rely on (the paging modes, SYSENTER and
 * SYSCALL, NX, 1 GiB pages, SMEP/SMAP, LA57, ...) and the address widths, as "+name" or "-name". Run on QEMU's
 * `-cpu max` it states what the built-in machine's default CPU model has to report for the examples to behave
 * the same on both.
 * Console (port 0xE9). Exit (port 0xF4): 0x0c, status 25 (long mode present), 0x01 (status 3) without it.
 * Build with the link address 0x7c00; run:  trampoline run cpu-features.S --start boot-sector
 */
#define DEBUGCON        0xe9
#define EXIT_PORT       0xf4
#define EXIT_SUCCESS    0x0c
#define EXIT_FAILURE    0x01

/* One table row: leaf (4 bytes), subleaf (1), register (1: 0 EAX, 1 EBX, 2 ECX, 3 EDX), bit (1), then the name
 * as a NUL-terminated string, so printing the name leaves SI at the next row. */
.macro FEATURE leaf, subleaf, reg, bit, name
        .long   \leaf
        .byte   \subleaf, \reg, \bit
        .asciz  "\name"
.endm
#define EAX 0
#define EBX 1
#define ECX 2
#define EDX 3

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
        ljmpw   $0, $1f
1:      movw    $features, %si
.Lrow:
        cmpw    $features_end, %si
        je      .Lwidths
        movl    (%si), %eax             # leaf
        movzbl  4(%si), %ecx            # subleaf
        pushw   %si
        cpuid
        popw    %si
        cmpb    $EBX, 5(%si)            # bring the wanted register into EAX
        jne     1f
        movl    %ebx, %eax
1:      cmpb    $ECX, 5(%si)
        jne     2f
        movl    %ecx, %eax
2:      cmpb    $EDX, 5(%si)
        jne     3f
        movl    %edx, %eax
3:      movzbl  6(%si), %ecx
        movb    $'-', %dl
        btl     %ecx, %eax
        jnc     4f
        movb    $'+', %dl
4:      movb    %dl, %al
        outb    %al, $DEBUGCON
        addw    $7, %si
        call    print                   # the name; SI ends on the next row
        movb    $' ', %al
        outb    %al, $DEBUGCON
        jmp     .Lrow

.Lwidths:
        movb    $'\n', %al
        outb    %al, $DEBUGCON
        movl    $0x80000008, %eax       # EAX[7:0] physical, [15:8] linear address bits
        cpuid
        movw    %ax, %bx
        movw    $msg_phys, %si
        call    print
        movb    %bl, %al
        call    print_dec
        movw    $msg_linear, %si
        call    print
        movb    %bh, %al
        call    print_dec
        movb    $'\n', %al
        outb    %al, $DEBUGCON

        movl    $0x80000001, %eax
        cpuid
        movb    $EXIT_SUCCESS, %al
        btl     $29, %edx               # LM
        jc      3f
        movb    $EXIT_FAILURE, %al
3:      outb    %al, $EXIT_PORT
        hlt

print:                                  # %si = string
        lodsb
        testb   %al, %al
        jz      1f
        outb    %al, $DEBUGCON
        jmp     print
1:      ret

print_dec:                              # %al < 100 in decimal
        aam                             # AH = AL / 10, AL = AL % 10
        addw    $0x3030, %ax
        xchgb   %ah, %al
        outb    %al, $DEBUGCON
        movb    %ah, %al
        outb    %al, $DEBUGCON
        ret

msg_phys:       .asciz "physical address bits "
msg_linear:     .asciz ", linear "

features:
        FEATURE 1, 0, EDX, 3, pse
        FEATURE 1, 0, EDX, 6, pae
        FEATURE 1, 0, EDX, 9, apic
        FEATURE 1, 0, EDX, 11, sep
        FEATURE 1, 0, EDX, 13, pge
        FEATURE 1, 0, EDX, 17, pse36
        FEATURE 1, 0, ECX, 17, pcid
        FEATURE 1, 0, ECX, 21, x2apic
        FEATURE 7, 0, EBX, 0, fsgsbase
        FEATURE 7, 0, EBX, 7, smep
        FEATURE 7, 0, EBX, 20, smap
        FEATURE 7, 0, ECX, 2, umip
        FEATURE 7, 0, ECX, 16, la57
        FEATURE 0x80000001, 0, EDX, 11, syscall
        FEATURE 0x80000001, 0, EDX, 20, nx
        FEATURE 0x80000001, 0, EDX, 26, pdpe1gb
        FEATURE 0x80000001, 0, EDX, 27, rdtscp
        FEATURE 0x80000001, 0, EDX, 29, lm
        FEATURE 0x80000001, 0, ECX, 0, lahf_lm
features_end:

        .org    510
        .byte   0x55, 0xaa
