/*
 * A 64 KiB firmware image (start mode "reset") that provokes the common exceptions in 64-bit mode and checks
 * how each is delivered: vector, error code, and whether the saved RIP points at the faulting instruction
 * (faults) or after it (traps):
 *   #DE (DIV by zero), #UD (UD2), #BP (INT3, a trap), INT 0x41 (software interrupt), #GP with a selector
 *   error code (a selector past the GDT limit), #NP with a selector error code (a not-present descriptor),
 *   and finally a double fault: with RSP pointing at unmapped memory, UD2 cannot push its frame, so #PF is
 *   raised, and delivering #PF faults again; the CPU raises #DF with error code 0, which the TSS sends to a
 *   known-good stack through IST1. The #DF handler checks it is on that stack and recovers.
 * Console (port 0xE9): one line per exception. Exit (port 0xF4): 0x0d on success, status 27; 0x01 (status 3)
 * on a mismatch.
 * Run:  trampoline run faults.S --start reset
 */
#define DEBUGCON        0xe9
#define EXIT_PORT       0xf4
#define EXIT_SUCCESS    0x0d
#define EXIT_FAILURE    0x01
#define ROM_BASE        0xf0000

#define CR0_PE          0x00000001
#define CR0_PG          0x80000000
#define CR4_PAE         0x00000020
#define MSR_EFER        0xc0000080
#define EFER_LME        0x00000100
#define PTE_P           0x001
#define PTE_RW          0x002
#define PTE_PS          0x080

#define PML4            0x1000
#define PDPT            0x2000
#define PD              0x3000          /* identity 0-2 MiB only: everything above is unmapped */
#define RESUME_RIP      0x8000
#define LAST_VECTOR     0x8008
#define LAST_ERROR      0x8010
#define LAST_RIP        0x8018
#define EXC_COUNT       0x8020
#define STACK_TOP       0x9000
#define IDT             0xa000          /* 0x42 vectors x 16 bytes */
#define GDT_RAM         0xb000          /* LTR marks the TSS busy in its descriptor: the GDT must be RAM */
#define TSS             0xb100
#define IST1_TOP        0xd000          /* page 0xc000: the #DF stack */
#define BAD_STACK       0x40000000      /* 1 GiB: not mapped */
#define TSS_IST1        0x24
#define TSS_IOPB        0x66
#define TSS_LIMIT       0x67
#define SOFT_VECTOR     0x41
#define IDT_VECTORS     (SOFT_VECTOR + 1)

        .code16
        .text
rom_start:
real_entry:
        cli
        xorw    %ax, %ax
        movw    %ax, %ds
        movw    %ax, %ss
        movw    $STACK_TOP, %sp
        lgdtl   %cs:boot_gdt_pointer
        movl    %cr0, %eax
        orl     $CR0_PE, %eax
        movl    %eax, %cr0
        ljmpl   $code32_sel, $(ROM_BASE + protected32)

        .code32
protected32:
        movl    $data_sel, %eax
        movl    %eax, %ds
        movl    %eax, %es
        movl    %eax, %ss
        movl    $STACK_TOP, %esp
        movl    $PML4, %edi
        xorl    %eax, %eax
        movl    $((RESUME_RIP + 0x1000 - PML4) / 4), %ecx
        rep stosl
        movl    $(PDPT | PTE_P | PTE_RW), PML4
        movl    $(PD | PTE_P | PTE_RW), PDPT
        movl    $(0 | PTE_P | PTE_RW | PTE_PS), PD
        movl    %cr4, %eax
        orl     $CR4_PAE, %eax
        movl    %eax, %cr4
        movl    $PML4, %eax
        movl    %eax, %cr3
        movl    $MSR_EFER, %ecx
        rdmsr
        orl     $EFER_LME, %eax
        wrmsr
        movl    %cr0, %eax
        orl     $CR0_PG, %eax
        movl    %eax, %cr0
        ljmpl   $code64_sel, $(ROM_BASE + long64)

        .code64
long64:
        movq    $STACK_TOP, %rsp

        /* GDT copy in RAM with a 16-byte TSS descriptor at tss_sel. */
        leaq    boot_gdt(%rip), %rsi
        movq    $GDT_RAM, %rdi
        movl    $(tss_sel / 8), %ecx
        rep movsq
        movq    $TSS, %rax
        movw    $TSS_LIMIT, GDT_RAM + tss_sel
        movw    %ax, GDT_RAM + tss_sel + 2
        shrq    $16, %rax
        movb    %al, GDT_RAM + tss_sel + 4
        movb    $0x89, GDT_RAM + tss_sel + 5    # present, available 64-bit TSS
        movb    $0, GDT_RAM + tss_sel + 6
        movb    %ah, GDT_RAM + tss_sel + 7
        movq    $0, GDT_RAM + tss_sel + 8
        lgdt    gdt_pointer(%rip)
        movq    $TSS, %rdi
        xorl    %eax, %eax
        movl    $((TSS_LIMIT + 1) / 8 + 1), %ecx
        rep stosq
        movq    $IST1_TOP, %rax
        movq    %rax, TSS + TSS_IST1
        movw    $(TSS_LIMIT + 1), TSS + TSS_IOPB
        movw    $tss_sel, %ax
        ltr     %ax

        /* IDT: one stub per vector from the table below; #DF (8) uses IST1. */
        movq    $IDT, %rdi
        xorl    %eax, %eax
        movl    $(IDT_VECTORS * 2), %ecx
        rep stosq
        leaq    vector_table(%rip), %rbx
1:      movzbl  (%rbx), %ecx            # vector, IST, stub offset (from rom_start)
        cmpb    $0xff, %cl
        je      2f
        movzbl  1(%rbx), %edx
        movzwl  2(%rbx), %eax
        addq    $ROM_BASE, %rax
        shlq    $4, %rcx
        addq    $IDT, %rcx
        movw    %ax, (%rcx)
        movw    $code64_sel, 2(%rcx)
        movb    %dl, 4(%rcx)            # IST index
        movb    $0x8e, 5(%rcx)          # present, DPL 0, 64-bit interrupt gate
        shrq    $16, %rax
        movw    %ax, 6(%rcx)
        addq    $4, %rbx
        jmp     1b
2:      lidt    idt_pointer(%rip)

        leaq    msg_start(%rip), %rsi
        call    print

/* Run the instruction(s) up to EXPECT, which resumes execution and checks vector, error code, saved RIP. */
.macro TRY
        leaq    9f(%rip), %rax
        movq    %rax, RESUME_RIP
.endm
.macro EXPECT vector:req, error:req, rip:req
9:      cmpq    $\vector, LAST_VECTOR
        jne     mismatch
        cmpq    $\error, LAST_ERROR
        jne     mismatch
        leaq    \rip(%rip), %rax
        cmpq    %rax, LAST_RIP
        jne     mismatch
.endm

        TRY
        movl    $7, %eax
        xorl    %edx, %edx
        xorl    %ecx, %ecx
.Ldiv:  divl    %ecx                    # #DE: a fault, RIP = the DIV
        EXPECT  0, 0, .Ldiv

        TRY
.Lud:   ud2                             # #UD: a fault
        EXPECT  6, 0, .Lud

        TRY
        int3                            # #BP: a trap, RIP = the next instruction
.Lafter_bp:
        jmp     9f
        EXPECT  3, 0, .Lafter_bp

        TRY
        int     $SOFT_VECTOR            # software interrupt: RIP = the next instruction
.Lafter_int:
        jmp     9f
        EXPECT  SOFT_VECTOR, 0, .Lafter_int

        TRY
        movw    $0x1234, %ax            # index 0x246, far past the GDT limit
.Lgp:   movw    %ax, %ds                # #GP(selector with RPL cleared)
        EXPECT  13, 0x1234, .Lgp

        TRY
        movw    $absent_sel, %ax
.Lnp:   movw    %ax, %ds                # #NP(selector)
        EXPECT  11, absent_sel, .Lnp

        /* Double fault: the #UD frame cannot be pushed (#PF), nor can the #PF frame: #DF on IST1. */
        leaq    .Lafter_df(%rip), %rax
        movq    %rax, RESUME_RIP
        movq    $BAD_STACK, %rsp
        ud2
        jmp     mismatch
.Lafter_df:
        movq    $STACK_TOP, %rsp        # the #DF handler resumed here on the IST stack
        cmpq    $8, LAST_VECTOR
        jne     mismatch
        cmpq    $0, LAST_ERROR
        jne     mismatch
        movq    %cr2, %rax
        andq    $~0xfff, %rax
        cmpq    $(BAD_STACK - 0x1000), %rax
        jne     mismatch
        leaq    msg_df(%rip), %rsi
        call    print                   # (clobbers %al)
        movq    %cr2, %rax
        andq    $~0xfff, %rax
        call    print_hex
        call    newline

        leaq    msg_done(%rip), %rsi
        call    print
        movq    EXC_COUNT, %rax
        call    print_hex
        call    newline
        movb    $EXIT_SUCCESS, %al
        outb    %al, $EXIT_PORT
        hlt

mismatch:
        movq    $STACK_TOP, %rsp
        leaq    msg_mismatch(%rip), %rsi
        call    print
        movb    $EXIT_FAILURE, %al
        outb    %al, $EXIT_PORT
        hlt

/* Stubs: give every frame the same layout (vector, error code, RIP, CS, RFLAGS, RSP, SS). */
stub_de:        pushq   $0
                pushq   $0
                jmp     exception_common
stub_bp:        pushq   $0
                pushq   $3
                jmp     exception_common
stub_ud:        pushq   $0
                pushq   $6
                jmp     exception_common
stub_np:        pushq   $11             # the CPU pushed the error code
                jmp     exception_common
stub_gp:        pushq   $13
                jmp     exception_common
stub_soft:      pushq   $0
                pushq   $SOFT_VECTOR
                jmp     exception_common

/* Record and print the exception, then resume at RESUME_RIP. */
exception_common:
        pushq   %rax
        pushq   %rsi
        incq    EXC_COUNT
        movq    16(%rsp), %rax
        movq    %rax, LAST_VECTOR
        movq    24(%rsp), %rax
        movq    %rax, LAST_ERROR
        movq    32(%rsp), %rax
        movq    %rax, LAST_RIP
        leaq    msg_vector(%rip), %rsi
        call    print
        movq    LAST_VECTOR, %rax
        call    print_hex
        leaq    msg_error(%rip), %rsi
        call    print
        movq    LAST_ERROR, %rax
        call    print_hex
        leaq    msg_rip(%rip), %rsi
        call    print
        movq    LAST_RIP, %rax
        subq    $ROM_BASE, %rax         # as an offset in the image, to match a listing
        call    print_hex
        call    newline
        movq    RESUME_RIP, %rax
        movq    %rax, 32(%rsp)
        popq    %rsi
        popq    %rax
        addq    $16, %rsp
        iretq

/* #DF is an abort: the saved RIP is not meaningful. Check the stack is IST1's, then resume with a new frame. */
stub_df:
        incq    EXC_COUNT
        movq    $8, LAST_VECTOR
        popq    LAST_ERROR              # always 0
        leaq    -5 * 8 + IST1_TOP, %rax # the frame left: RIP, CS, RFLAGS, RSP, SS at the top of IST1
        cmpq    %rax, %rsp
        jne     mismatch
        movq    RESUME_RIP, %rax
        movq    %rax, (%rsp)            # RIP
        movq    $IST1_TOP, 24(%rsp)     # RSP: somewhere valid (the resumed code reloads its own)
        iretq

print:                                  # %rsi = NUL-terminated string; clobbers %al and %rsi
1:      lodsb
        testb   %al, %al
        jz      2f
        outb    %al, $DEBUGCON
        jmp     1b
2:      ret

newline:
        pushq   %rax
        movb    $'\n', %al
        outb    %al, $DEBUGCON
        popq    %rax
        ret

print_hex:                              # %rax as 0x..., no leading zeros; preserves every register
        pushq   %rax
        pushq   %rcx
        pushq   %rdx
        movq    %rax, %rdx
        movb    $'0', %al
        outb    %al, $DEBUGCON
        movb    $'x', %al
        outb    %al, $DEBUGCON
        movl    $60, %ecx
1:      movq    %rdx, %rax
        shrq    %cl, %rax
        testq   %rax, %rax              # (SHR by 0 leaves the flags alone, so test explicitly)
        jnz     2f
        testl   %ecx, %ecx              # a leading zero is skipped, except the last digit
        jnz     4f
2:      andl    $0xf, %eax
        cmpb    $10, %al
        jb      3f
        addb    $('a' - '0' - 10), %al
3:      addb    $'0', %al
        outb    %al, $DEBUGCON
4:      subl    $4, %ecx
        jns     1b
        popq    %rdx
        popq    %rcx
        popq    %rax
        ret

/* vector, IST index, stub offset in the image (label differences are assembly-time constants). */
vector_table:
        .byte   0, 0
        .word   stub_de - rom_start
        .byte   3, 0
        .word   stub_bp - rom_start
        .byte   6, 0
        .word   stub_ud - rom_start
        .byte   8, 1
        .word   stub_df - rom_start
        .byte   11, 0
        .word   stub_np - rom_start
        .byte   13, 0
        .word   stub_gp - rom_start
        .byte   SOFT_VECTOR, 0
        .word   stub_soft - rom_start
        .byte   0xff, 0, 0, 0

        .balign 8
boot_gdt:
        .quad   0
        .quad   0x00cf9a000000ffff      # 0x08: 32-bit code
        .quad   0x00cf92000000ffff      # 0x10: data
        .quad   0x00af9a000000ffff      # 0x18: 64-bit code
        .quad   0x00cf12000000ffff      # 0x20: data, P = 0 (for #NP)
        .quad   0, 0                    # 0x28: TSS, built in the RAM copy
boot_gdt_end:
code32_sel = 0x08
data_sel = 0x10
code64_sel = 0x18
absent_sel = 0x20
tss_sel = 0x28
boot_gdt_pointer:
        .word   boot_gdt_end - boot_gdt - 1
        .long   ROM_BASE + boot_gdt
gdt_pointer:
        .word   boot_gdt_end - boot_gdt - 1
        .quad   GDT_RAM
idt_pointer:
        .word   IDT_VECTORS * 16 - 1
        .quad   IDT

msg_start:      .asciz "long mode; provoking exceptions\n"
msg_vector:     .asciz "vector "
msg_error:      .asciz " error "
msg_rip:        .asciz " at image offset "
msg_df:         .asciz "#DF on the IST1 stack after #PF while pushing to the unmapped stack; CR2 page "
msg_done:       .asciz "exceptions taken "
msg_mismatch:   .asciz "FAIL: unexpected vector, error code or RIP\n"

        .code16
        .org    0xfff0
        ljmpl   $0xf000, $real_entry
        .org    0x10000
