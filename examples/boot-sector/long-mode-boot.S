/*
 * A 512-byte boot sector that climbs from real mode to 64-bit long mode, one step at a time,
 * reporting each step on the debug console (port 0xE9) and exiting through isa-debug-exit (port 0xF4).
 * Run:  trampoline run long-mode-boot.S --start boot-sector
 */
#define DEBUGCON        0xe9
#define EXIT_PORT       0xf4
#define PML4            0x1000          /* three page-table pages below the boot sector */
#define CR0_PE          0x00000001
#define CR0_PG          0x80000000
#define CR4_PAE         0x00000020
#define EFER            0xc0000080
#define EFER_LME_BIT    8

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

        inb     $0x92, %al              # fast A20 gate
        orb     $2, %al
        outb    %al, $0x92

        movw    $msg_real, %si
        call    print16

        lgdtl   gdt_pointer
        movl    %cr0, %eax
        orl     $CR0_PE, %eax
        movl    %eax, %cr0
        ljmpl   $code32_sel, $protected32

print16:
1:      lodsb
        testb   %al, %al
        jz      2f
        outb    %al, $DEBUGCON
        jmp     1b
2:      ret

        .code32
protected32:
        movl    $data_sel, %eax
        movl    %eax, %ds
        movl    %eax, %es
        movl    %eax, %ss
        movl    $msg_protected, %esi
        call    print32

        /* Identity-map the first 2 MiB with one large page: PML4 -> PDPT -> PD */
        movl    $PML4, %edi
        xorl    %eax, %eax
        movl    $(3 * 4096 / 4), %ecx
        rep stosl
        movl    $(PML4 + 0x1003), PML4
        movl    $(PML4 + 0x2003), PML4 + 0x1000
        movl    $0x83, PML4 + 0x2000

        movl    %cr4, %eax
        orl     $CR4_PAE, %eax
        movl    %eax, %cr4
        movl    $PML4, %eax
        movl    %eax, %cr3
        movl    $EFER, %ecx
        rdmsr
        btsl    $EFER_LME_BIT, %eax
        wrmsr
        movl    %cr0, %eax
        orl     $CR0_PG, %eax
        movl    %eax, %cr0              # now in compatibility mode
        ljmpl   $code64_sel, $long64

print32:
1:      lodsb
        testb   %al, %al
        jz      2f
        outb    %al, $DEBUGCON
        jmp     1b
2:      ret

        .code64
long64:
        leaq    msg_long(%rip), %rsi
1:      lodsb
        testb   %al, %al
        jz      2f
        outb    %al, $DEBUGCON
        jmp     1b
2:
        /* Sum 1..100 as a smoke test of 64-bit arithmetic: 5050 = 0x13ba, report its low byte */
        xorq    %rax, %rax
        movq    $100, %rcx
3:      addq    %rcx, %rax
        loop    3b
        cmpq    $5050, %rax
        jne     4f
        movb    $0x10, %al              # exit status (0x10 << 1) | 1 = 33
        outb    %al, $EXIT_PORT
4:      movb    $0x01, %al
        outb    %al, $EXIT_PORT
        hlt

        .balign 8
gdt:
        .quad   0                       # null descriptor
        .quad   0x00cf9a000000ffff      # 0x08: 32-bit code, base 0, 4 GiB
        .quad   0x00cf92000000ffff      # 0x10: data, base 0, 4 GiB
        .quad   0x00af9a000000ffff      # 0x18: 64-bit code (L=1)
gdt_end:
code32_sel = 0x08
data_sel = 0x10
code64_sel = 0x18

gdt_pointer:
        .word   gdt_end - gdt - 1
        .long   gdt

msg_real:       .asciz "real mode\n"
msg_protected:  .asciz "protected mode\n"
msg_long:       .asciz "long mode\n"

        .org    510
        .byte   0x55, 0xaa
