/*
 * A program for the "long64" start (64-bit mode set up by the machine, no firmware): it reports the state it
 * was handed, so the start state can be compared between our machine and QEMU (which runs it behind a shim ROM
 * that builds the same state). What it expects, as the machine documents it:
 *   CR0 = PG WP NE ET MP PE, CR4 = PAE, EFER = NXE LMA LME SCE; CS = 0x08 (64-bit), DS = ES = SS = 0x10;
 *   a 3-entry flat GDT; RSP = the load address; RFLAGS = 0x2; CR3 = the 4-level root of an identity map of the
 *   first 4 GiB in 2 MiB pages, placed in the eight pages below the top of low RAM.
 * It walks that map from CR3 to check every one of the 2048 large pages.
 * Console (port 0xE9). Exit (port 0xF4): 0x40 on success, status 129; 0x01 (status 3) on a mismatch.
 * Load at 0x200000; run:  trampoline run entry-state.S --start long64 --load 0x200000
 */
#define DEBUGCON        0xe9
#define EXIT_PORT       0xf4
#define EXIT_SUCCESS    0x40
#define EXIT_FAILURE    0x01
#define LOAD            0x200000        /* RAM below it for the stack: 0xF0000-0xFFFFF is ROM on QEMU */
#define CR0_EXPECTED    0x80010033      /* PG WP NE ET MP PE */
#define CR4_EXPECTED    0x20            /* PAE */
#define EFER_EXPECTED   0xd01           /* NXE LMA LME SCE */
#define PAGE_2M_FLAGS   0x83            /* P RW PS */

        .code64
        .text
entry:
        movq    %rsp, %r15              # before anything is pushed
        pushfq
        popq    %r14
        cmpq    $LOAD, %r15
        jne     fail
        cmpq    $0x2, %r14
        jne     fail
        orq     %rax, %rbx              # the general registers the start does not define... are zero
        orq     %rcx, %rbx
        orq     %rsi, %rbx
        orq     %rdi, %rbx
        orq     %rbp, %rbx
        orq     %r8, %rbx
        orq     %r9, %rbx
        orq     %r10, %rbx
        orq     %r11, %rbx
        orq     %r12, %rbx
        orq     %r13, %rbx
        jnz     fail

        leaq    msg_cr(%rip), %rsi
        call    print
        movq    %cr0, %rax
        call    print_hex
        movl    $CR0_EXPECTED, %edx     # (zero-extended: CMP's immediate would be sign-extended)
        cmpq    %rdx, %rax
        jne     fail
        leaq    msg_cr4(%rip), %rsi
        call    print
        movq    %cr4, %rax
        call    print_hex
        cmpq    $CR4_EXPECTED, %rax
        jne     fail
        leaq    msg_efer(%rip), %rsi
        call    print
        movl    $0xc0000080, %ecx
        rdmsr
        shlq    $32, %rdx
        orq     %rdx, %rax
        call    print_hex
        cmpq    $EFER_EXPECTED, %rax
        jne     fail
        call    newline

        leaq    msg_cs(%rip), %rsi
        call    print
        movw    %cs, %ax
        movzwl  %ax, %eax
        call    print_hex
        cmpl    $0x08, %eax
        jne     fail
        leaq    msg_ss(%rip), %rsi
        call    print
        movw    %ss, %ax
        movzwl  %ax, %eax
        call    print_hex
        cmpl    $0x10, %eax
        jne     fail
        movw    %ds, %ax
        cmpw    $0x10, %ax
        jne     fail
        movw    %es, %ax
        cmpw    $0x10, %ax
        jne     fail
        leaq    msg_rsp(%rip), %rsi
        call    print
        movq    %r15, %rax
        call    print_hex
        leaq    msg_rflags(%rip), %rsi
        call    print
        movq    %r14, %rax
        call    print_hex
        call    newline

        sgdt    gdtr(%rip)
        leaq    msg_gdt(%rip), %rsi
        call    print
        movzwl  gdtr(%rip), %eax
        call    print_hex
        cmpl    $0x17, %eax
        jne     fail
        movq    gdtr + 2(%rip), %rbx    # the descriptors themselves
        movabsq $0x00af9b000000ffff, %rax
        cmpq    %rax, 8(%rbx)
        jne     fail
        movabsq $0x00cf93000000ffff, %rax
        cmpq    %rax, 16(%rbx)
        jne     fail
        leaq    msg_cr3(%rip), %rsi
        call    print
        movq    %cr3, %rax
        call    print_hex
        call    newline

        /* PML4[0] -> PDPT[0..3] -> 4 x 512 PDEs, entry i mapping i * 2 MiB. */
        movq    %cr3, %rbx
        movq    (%rbx), %rbx
        andq    $~0xfff, %rbx           # the PDPT
        xorl    %ecx, %ecx              # page index 0..2047
        xorl    %r8d, %r8d              # PDPT index
1:      movq    (%rbx, %r8, 8), %rdi
        testq   $1, %rdi
        jz      fail
        andq    $~0xfff, %rdi           # a PD
        xorl    %r9d, %r9d
2:      movq    %rcx, %rax
        shlq    $21, %rax
        orq     $PAGE_2M_FLAGS, %rax
        movq    (%rdi, %r9, 8), %rdx
        andq    $~0x60, %rdx            # (ignore A and D, which the CPU may have set by now)
        cmpq    %rax, %rdx
        jne     fail
        incl    %ecx
        incl    %r9d
        cmpl    $512, %r9d
        jne     2b
        incl    %r8d
        cmpl    $4, %r8d
        jne     1b
        leaq    msg_map(%rip), %rsi
        call    print
        movq    %rcx, %rax
        call    print_hex
        call    newline

        movb    $EXIT_SUCCESS, %al
        outb    %al, $EXIT_PORT
        hlt

fail:
        leaq    msg_fail(%rip), %rsi
        call    print
        movb    $EXIT_FAILURE, %al
        outb    %al, $EXIT_PORT
        hlt

print:                                  # %rsi = string; clobbers %rsi; preserves %rax
        pushq   %rax
1:      lodsb
        testb   %al, %al
        jz      2f
        outb    %al, $DEBUGCON
        jmp     1b
2:      popq    %rax
        ret

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

msg_cr:         .asciz "CR0 "
msg_cr4:        .asciz " CR4 "
msg_efer:       .asciz " EFER "
msg_cs:         .asciz "CS "
msg_ss:         .asciz " SS "
msg_rsp:        .asciz " RSP "
msg_rflags:     .asciz " RFLAGS "
msg_gdt:        .asciz "GDT limit "
msg_cr3:        .asciz " CR3 "
msg_map:        .asciz "identity map of 4 GiB: 2 MiB pages checked "
msg_fail:       .asciz "\nFAIL: unexpected start state\n"

        .balign 16
gdtr:   .fill   16, 1, 0                # SGDT writes here: the image is loaded in RAM
