/*
 * A 64 KiB firmware image (start mode "reset") with a toy kernel that runs a user program in ring 3 the way
 * a KPTI kernel does:
 *   - two page-table roots paired 4 KiB apart: kernel root | 0x1000 = user root. The user root maps only the
 *     user's code and data page plus, supervisor-only, what the CPU and the entry code need before they can
 *     switch back: the entry-text page, the "CPU entry area" (GDT, TSS, IDT, per-CPU data) and the RSP0 stack;
 *   - SYSCALL enters at LSTAR with interrupts masked by SFMASK; the entry stub does SWAPGS (KERNEL_GS_BASE
 *     holds the per-CPU area), saves the user RSP there, switches CR3 to the kernel root with RSP as the
 *     only free register, and takes the kernel stack; the way back switches CR3 to the user root, restores
 *     the user RSP, SWAPGS and SYSRET (CS and SS from STAR[63:48]);
 *   - exceptions from ring 3 (INT3, #PF, #GP) arrive on the TSS RSP0 stack, still under the user root, so
 *     their entry code makes the same CR3 and GS switch.
 * The user program prints through system calls (CPL 3 may not use OUT: it tries once and gets #GP), checks
 * its own GS base, probes a kernel-only page (#PF with the user bit in the error code), executes INT3, and
 * exits through a final system call: the kernel writes the status 0x33 to port 0xF4 (status 103).
 * Any failed check in the kernel exits with 0x01 (status 3).
 * Run:  trampoline run ring3-syscall.S --start reset
 */
#define DEBUGCON        0xe9
#define EXIT_PORT       0xf4
#define EXIT_USER       0x33            /* what the user program passes to exit() */
#define EXIT_FAILURE    0x01
#define ROM_BASE        0xf0000         /* the last 64 KiB of the ROM as seen below 1 MiB */

#define CR0_PE          0x00000001
#define CR0_PG          0x80000000
#define CR4_PAE         0x00000020
#define MSR_EFER        0xc0000080
#define EFER_SCE        0x00000001      /* SYSCALL/SYSRET enable */
#define EFER_LME        0x00000100
#define MSR_STAR        0xc0000081
#define MSR_LSTAR       0xc0000082
#define MSR_SFMASK      0xc0000084
#define MSR_GS_BASE     0xc0000101
#define MSR_KERNEL_GS   0xc0000102
#define RFLAGS_FIXED    0x00000002      /* bit 1 always reads as 1 */
#define SFMASK_BITS     0x00047700      /* AC, NT, IOPL, DF, IF, TF cleared on SYSCALL */
#define PTE_P           0x001
#define PTE_RW          0x002
#define PTE_US          0x004
#define PTE_PS          0x080
#define PF_ERR_USER     0x004
#define ROOT_PAIR_BIT   0x1000          /* kernel root | this = user root */

/* Physical (and, through the identity maps, virtual) layout. */
#define KERNEL_ROOT     0x10000         /* 8 KiB aligned so the pair differs only in bit 12 */
#define USER_ROOT       0x11000
#define K_PDPT          0x12000
#define K_PD            0x13000         /* kernel: 0-2 MiB identity, one supervisor large page */
#define U_PDPT          0x14000
#define U_PD            0x15000
#define U_PT            0x16000         /* user: five 4 KiB pages, listed in build_user_root */
#define ENTRY_AREA      0x20000         /* GDT, TSS, IDT, per-CPU data: needed while still on the user root */
#define GDT             (ENTRY_AREA + 0x000)
#define TSS             (ENTRY_AREA + 0x080)
#define IDT             (ENTRY_AREA + 0x100)
#define PERCPU          (ENTRY_AREA + 0x800)    /* KERNEL_GS_BASE */
#define PCPU_KSTACK     0x00            /* offsets in the per-CPU area */
#define PCPU_USER_RSP   0x08
#define PCPU_SCRATCH    0x10
#define PCPU_ENTRY_CR3  0x18            /* CR3 seen by the last SYSCALL entry, for the report */
#define PCPU_SYSCALLS   0x20
#define RSP0_STACK_TOP  0x22000         /* page 0x21000: exceptions from ring 3 land here (TSS.RSP0) */
#define KSTACK_TOP      0x31000         /* page 0x30000: kernel-only, the user's probe faults on it */
#define USER_DATA       0x40000         /* user GS base, user stack at the top of the page */
#define USER_STACK_TOP  0x41000
#define USER_GS_MAGIC   0x5553455247530033      /* planted at %gs:0 for the user to find */
#define TSS_RSP0        4
#define TSS_IOPB        0x66
#define TSS_LIMIT       0x67
#define VECTOR_BP       3
#define VECTOR_GP       13
#define VECTOR_PF       14
#define IDT_VECTORS     15

#define SYS_PUTC        0
#define SYS_WRITE       1
#define SYS_REPORT      2
#define SYS_EXIT        60
#define ENOSYS          38

/* Selectors: SYSCALL takes CS = STAR[47:32] and SS = CS + 8; 64-bit SYSRET takes CS = STAR[63:48] + 16 and
 * SS = STAR[63:48] + 8, both with RPL 3. Hence the kernel code/data pair and the user data/code order. */
#define KERNEL_CS       0x08
#define KERNEL_DS       0x10
#define USER32_CS       0x18            /* STAR[63:48]; unused otherwise */
#define USER_DS         0x20
#define USER_CS         0x28
#define TSS_SEL         0x30            /* 16 bytes in long mode */
#define BOOT_CS32       0x40            /* only for the climb from real mode */
#define STAR_HIGH       ((USER32_CS << 16) | KERNEL_CS)   /* STAR bits 63:32 */

        .code16
        .text
rom_start:                              # offset 0 of the image
/* ---- Real mode: the reset vector jumps here with CS = 0xF000 ---- */
real_entry:
        cli
        xorw    %ax, %ax
        movw    %ax, %ds
        movw    %ax, %ss
        movw    $0x7c00, %sp
        inb     $0x92, %al              # fast A20 gate
        orb     $2, %al
        outb    %al, $0x92
        lgdtl   %cs:boot_gdt_pointer    # the ROM copy of the GDT serves until the kernel copies it to RAM
        movl    %cr0, %eax
        orl     $CR0_PE, %eax
        movl    %eax, %cr0
        ljmpl   $BOOT_CS32, $(ROM_BASE + protected32)

/* ---- 32-bit protected mode: build both roots, then long mode on the kernel root ---- */
        .code32
protected32:
        movl    $KERNEL_DS, %eax
        movl    %eax, %ds
        movl    %eax, %es
        movl    %eax, %ss
        movl    $0x7c00, %esp
        movl    $KERNEL_ROOT, %edi      # clear the seven table pages
        xorl    %eax, %eax
        movl    $((U_PT + 0x1000 - KERNEL_ROOT) / 4), %ecx
        rep stosl

        /* Kernel root: the first 2 MiB, supervisor only (it holds the ROM alias, RAM and the user pages). */
        movl    $(K_PDPT | PTE_P | PTE_RW), KERNEL_ROOT
        movl    $(K_PD | PTE_P | PTE_RW), K_PDPT
        movl    $(0 | PTE_P | PTE_RW | PTE_PS), K_PD

        /* User root: U/S must be 1 at every level for ring 3 to reach a page; the supervisor pages are
         * marked at the last level only. */
        movl    $(U_PDPT | PTE_P | PTE_RW | PTE_US), USER_ROOT
        movl    $(U_PD | PTE_P | PTE_RW | PTE_US), U_PDPT
        movl    $(U_PT | PTE_P | PTE_RW | PTE_US), U_PD
        movl    $(ENTRY_AREA | PTE_P | PTE_RW), U_PT + (ENTRY_AREA >> 12) * 8
        movl    $((RSP0_STACK_TOP - 0x1000) | PTE_P | PTE_RW), U_PT + ((RSP0_STACK_TOP - 0x1000) >> 12) * 8
        movl    $(USER_DATA | PTE_P | PTE_RW | PTE_US), U_PT + (USER_DATA >> 12) * 8
        /* (label differences are assembly-time constants; a bare label is relocatable and cannot be shifted) */
        movl    $((ROM_BASE + user_text - rom_start) | PTE_P | PTE_US), U_PT + ((ROM_BASE + user_text - rom_start) >> 12) * 8
        movl    $((ROM_BASE + entry_text - rom_start) | PTE_P), U_PT + ((ROM_BASE + entry_text - rom_start) >> 12) * 8

        movl    %cr4, %eax
        orl     $CR4_PAE, %eax
        movl    %eax, %cr4
        movl    $KERNEL_ROOT, %eax
        movl    %eax, %cr3
        movl    $MSR_EFER, %ecx
        rdmsr
        orl     $(EFER_LME | EFER_SCE), %eax
        wrmsr
        movl    %cr0, %eax
        orl     $CR0_PG, %eax
        movl    %eax, %cr0
        ljmpl   $KERNEL_CS, $(ROM_BASE + kernel64)

/* ---- The kernel, 64-bit ---- */
        .code64
kernel64:
        movq    $KSTACK_TOP, %rsp
        leaq    msg_kernel(%rip), %rsi
        call    print

        /* GDT in RAM (LTR writes the busy bit into it), plus the 16-byte TSS descriptor. */
        leaq    boot_gdt(%rip), %rsi
        movq    $GDT, %rdi
        movl    $(TSS_SEL / 8), %ecx
        rep movsq
        movq    $TSS, %rax
        movw    $TSS_LIMIT, GDT + TSS_SEL
        movw    %ax, GDT + TSS_SEL + 2  # base 15:0
        shrq    $16, %rax
        movb    %al, GDT + TSS_SEL + 4  # base 23:16
        movb    $0x89, GDT + TSS_SEL + 5        # present, DPL 0, available 64-bit TSS
        movb    $0, GDT + TSS_SEL + 6
        movb    %ah, GDT + TSS_SEL + 7  # base 31:24
        movq    $0, GDT + TSS_SEL + 8   # base 63:32 and reserved
        movq    boot_gdt + BOOT_CS32(%rip), %rax
        movq    %rax, GDT + BOOT_CS32
        lgdt    gdt_pointer(%rip)
        pushq   $KERNEL_CS              # reload CS from the new table with a far return
        leaq    1f(%rip), %rax
        pushq   %rax
        lretq
1:      movl    $KERNEL_DS, %eax
        movl    %eax, %ds
        movl    %eax, %es
        movl    %eax, %ss
        xorl    %eax, %eax
        movl    %eax, %fs               # null selectors; loading one zeroes the base, so the MSRs follow
        movl    %eax, %gs

        /* TSS: only RSP0 matters; the I/O bitmap offset points past the limit, so ring 3 has no ports. */
        movq    $TSS, %rdi
        xorl    %eax, %eax
        movl    $(TSS_LIMIT + 1) / 8 + 1, %ecx
        rep stosq
        movq    $RSP0_STACK_TOP, %rax
        movq    %rax, TSS + TSS_RSP0
        movw    $(TSS_LIMIT + 1), TSS + TSS_IOPB
        movw    $TSS_SEL, %ax
        ltr     %ax

        /* IDT: #BP with DPL 3 so INT3 is allowed from ring 3; #GP and #PF with DPL 0 (hardware ignores
         * the gate DPL for real exceptions). */
        movq    $IDT, %rdi
        xorl    %eax, %eax
        movl    $(IDT_VECTORS * 2), %ecx
        rep stosq
        movl    $VECTOR_BP, %ecx
        leaq    entry_bp(%rip), %rax
        movw    $0xee00, %dx            # present, DPL 3, 64-bit interrupt gate
        call    set_gate
        movl    $VECTOR_GP, %ecx
        leaq    entry_gp(%rip), %rax
        movw    $0x8e00, %dx            # present, DPL 0
        call    set_gate
        movl    $VECTOR_PF, %ecx
        leaq    entry_pf(%rip), %rax
        call    set_gate
        lidt    idt_pointer(%rip)

        /* Per-CPU area and the MSRs of the SYSCALL/SWAPGS pair. */
        movq    $KSTACK_TOP, %rax
        movq    %rax, PERCPU + PCPU_KSTACK
        movq    $0, PERCPU + PCPU_SYSCALLS
        movl    $MSR_STAR, %ecx
        xorl    %eax, %eax
        movl    $STAR_HIGH, %edx
        wrmsr
        movl    $MSR_LSTAR, %ecx
        leaq    entry_syscall(%rip), %rax
        xorl    %edx, %edx              # (the ROM is below 4 GiB)
        wrmsr
        movl    $MSR_SFMASK, %ecx
        movl    $SFMASK_BITS, %eax
        wrmsr
        movl    $MSR_GS_BASE, %ecx      # the kernel runs with GS = per-CPU area ...
        movl    $PERCPU, %eax
        wrmsr
        movl    $MSR_KERNEL_GS, %ecx    # ... and keeps the user's GS base here until SWAPGS exchanges them
        movl    $USER_DATA, %eax
        wrmsr
        movabsq $USER_GS_MAGIC, %rax
        movq    %rax, USER_DATA

        leaq    msg_to_user(%rip), %rsi
        call    print
        movq    $USER_STACK_TOP, %rax
        movq    %rax, %gs:PCPU_USER_RSP
        leaq    user_start(%rip), %rcx  # SYSRET: RIP = RCX, RFLAGS = R11 (interrupts stay off)
        movl    $RFLAGS_FIXED, %r11d
        jmp     return_to_user

set_gate:                               # %ecx = vector, %rax = handler, %dx = type/attributes
        shlq    $4, %rcx
        addq    $IDT, %rcx
        movw    %ax, (%rcx)
        movw    $KERNEL_CS, 2(%rcx)
        movw    %dx, 4(%rcx)
        shrq    $16, %rax
        movw    %ax, 6(%rcx)
        shrq    $16, %rax
        movl    %eax, 8(%rcx)
        ret

/* System calls, on the kernel stack and the kernel root: %rax = number, %rdi/%rsi = arguments.
 * Returns in %rax; the entry stub preserves RCX/R11 (the user's RIP and RFLAGS) around this. */
do_syscall:
        incq    %gs:PCPU_SYSCALLS
        cmpq    $SYS_PUTC, %rax
        je      .Lsys_putc
        cmpq    $SYS_WRITE, %rax
        je      .Lsys_write
        cmpq    $SYS_REPORT, %rax
        je      .Lsys_report
        cmpq    $SYS_EXIT, %rax
        je      .Lsys_exit
        movq    $-ENOSYS, %rax
        ret
.Lsys_putc:
        movl    %edi, %eax
        outb    %al, $DEBUGCON
        xorl    %eax, %eax
        ret
.Lsys_write:                            # the user's pages are identity-mapped in the kernel root too
        movq    %rsi, %rcx
        movq    %rdi, %rsi
        movq    %rcx, %rdx
        jrcxz   2f
1:      lodsb
        outb    %al, $DEBUGCON
        loop    1b
2:      movq    %rdx, %rax
        ret
.Lsys_report:                           # the kernel's view of this entry, checked and printed
        movq    %gs:PCPU_ENTRY_CR3, %rax
        cmpq    $USER_ROOT, %rax
        jne     kernel_fail
        movq    %cr3, %rax
        cmpq    $KERNEL_ROOT, %rax
        jne     kernel_fail
        movl    $MSR_GS_BASE, %ecx
        rdmsr
        cmpl    $PERCPU, %eax
        jne     kernel_fail
        leaq    msg_report_cr3(%rip), %rsi
        call    print
        movq    %gs:PCPU_ENTRY_CR3, %rax
        call    print_hex
        leaq    msg_report_kcr3(%rip), %rsi
        call    print
        movq    %cr3, %rax
        call    print_hex
        leaq    msg_report_gs(%rip), %rsi
        call    print
        movq    $PERCPU, %rax
        call    print_hex
        leaq    msg_report_rsp(%rip), %rsi
        call    print
        movq    %gs:PCPU_USER_RSP, %rax
        call    print_hex
        call    newline
        movq    %gs:PCPU_SYSCALLS, %rax
        ret
.Lsys_exit:
        leaq    msg_exit(%rip), %rsi
        call    print
        movq    %gs:PCPU_SYSCALLS, %rax
        call    print_hex
        call    newline
        movl    %edi, %eax
        outb    %al, $EXIT_PORT
        hlt

/* Exceptions from ring 3, on the RSP0 stack under the kernel root. %rdi = frame:
 * vector, error code, RIP, CS, RFLAGS, RSP, SS. A planned fault resumes the user at %r15 (a toy signal
 * handler: the user program names its own recovery point). */
do_exception:
        leaq    (RSP0_STACK_TOP - 7 * 8), %rax
        cmpq    %rax, %rdi              # the CPU took RSP from TSS.RSP0: the frame ends exactly at its top
        jne     kernel_fail
        leaq    msg_exception(%rip), %rsi
        call    print
        movq    (%rdi), %rax
        call    print_hex
        leaq    msg_error_code(%rip), %rsi
        call    print
        movq    8(%rdi), %rax
        call    print_hex
        leaq    msg_cs(%rip), %rsi
        call    print
        movq    24(%rdi), %rax
        call    print_hex
        leaq    msg_ss(%rip), %rsi
        call    print
        movq    48(%rdi), %rax
        call    print_hex
        cmpq    $VECTOR_PF, (%rdi)
        jne     1f
        leaq    msg_cr2(%rip), %rsi
        call    print
        movq    %cr2, %rax
        call    print_hex
        testq   $PF_ERR_USER, 8(%rdi)
        jz      kernel_fail
1:      call    newline
        cmpq    $VECTOR_BP, (%rdi)
        je      2f                      # INT3 is a trap: the saved RIP is already past it
        movq    %r15, 16(%rdi)
2:      ret

kernel_fail:
        leaq    msg_fail(%rip), %rsi
        call    print
        movb    $EXIT_FAILURE, %al
        outb    %al, $EXIT_PORT
        hlt

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

/* ---- The user program: its own page, the only code the user root lets ring 3 execute ---- */
        .balign 0x1000
user_text:
user_start:
        leaq    umsg_hello(%rip), %rdi
        movl    $(umsg_hello_end - umsg_hello), %esi
        movl    $SYS_WRITE, %eax
        syscall

        leaq    umsg_cpl(%rip), %rdi    # CPL = CS.RPL, shown as a digit through SYS_PUTC
        movl    $(umsg_cpl_end - umsg_cpl), %esi
        movl    $SYS_WRITE, %eax
        syscall
        movl    %cs, %edi
        andl    $3, %edi
        addl    $'0', %edi
        movl    $SYS_PUTC, %eax
        syscall
        movl    $'\n', %edi
        movl    $SYS_PUTC, %eax
        syscall

        movabsq $USER_GS_MAGIC, %rax    # SWAPGS on the way out restored the user's GS base
        cmpq    %rax, %gs:0
        jne     user_fail
        leaq    umsg_gs(%rip), %rdi
        movl    $(umsg_gs_end - umsg_gs), %esi
        movl    $SYS_WRITE, %eax
        syscall

        movl    $SYS_REPORT, %eax       # the kernel describes the CR3 switch; returns its syscall count
        syscall
        cmpq    $6, %rax                # hello, CPL text, digit, newline, GS text, this one
        jne     user_fail

        leaq    1f(%rip), %r15          # OUT at CPL 3 with IOPL 0 and no I/O bitmap: #GP(0)
        movb    $'!', %al
        outb    %al, $DEBUGCON
        jmp     user_fail
1:      leaq    1f(%rip), %r15          # a kernel-only page: not present in the user root, #PF
        movq    KSTACK_TOP - 8, %rax
        jmp     user_fail
1:      int3                            # through a DPL 3 gate, onto the RSP0 stack

        movl    $99, %eax               # an unknown call must fail cleanly
        syscall
        cmpq    $-ENOSYS, %rax
        jne     user_fail
        leaq    umsg_bye(%rip), %rdi
        movl    $(umsg_bye_end - umsg_bye), %esi
        movl    $SYS_WRITE, %eax
        syscall
        movl    $EXIT_USER, %edi
        movl    $SYS_EXIT, %eax
        syscall
        jmp     user_fail               # exit never returns

user_fail:
        leaq    umsg_fail(%rip), %rdi
        movl    $(umsg_fail_end - umsg_fail), %esi
        movl    $SYS_WRITE, %eax
        syscall
        movl    $EXIT_FAILURE, %edi
        movl    $SYS_EXIT, %eax
        syscall

umsg_hello:     .ascii "user: hello from ring 3 via SYSCALL\n"
umsg_hello_end:
umsg_cpl:       .ascii "user: CPL "
umsg_cpl_end:
umsg_gs:        .ascii "user: GS base is the user's again\n"
umsg_gs_end:
umsg_bye:       .ascii "user: unknown call returned -ENOSYS, exiting\n"
umsg_bye_end:
umsg_fail:      .ascii "user: FAIL\n"
umsg_fail_end:

/* ---- Entry text: mapped (supervisor) in both roots, so it runs across the CR3 switches ---- */
        .balign 0x1000
entry_text:
entry_syscall:
        swapgs                          # GS = per-CPU area; nothing else is usable yet
        movq    %rsp, %gs:PCPU_USER_RSP
        movq    %cr3, %rsp              # RSP is the one free register: use it as the scratch
        movq    %rsp, %gs:PCPU_ENTRY_CR3
        andq    $~ROOT_PAIR_BIT, %rsp
        movq    %rsp, %cr3              # kernel root: the kernel stack and text are mapped from here on
        movq    %gs:PCPU_KSTACK, %rsp
        pushq   %rcx                    # the user's RIP and RFLAGS, for SYSRET
        pushq   %r11
        call    do_syscall
        popq    %r11
        popq    %rcx
        /* fall through */
return_to_user:                         # RCX = user RIP, R11 = user RFLAGS, user RSP in the per-CPU area
        movq    %rdi, %gs:PCPU_SCRATCH
        movq    %cr3, %rdi
        orq     $ROOT_PAIR_BIT, %rdi
        movq    %rdi, %cr3              # user root: only this page and the entry area remain mapped
        movq    %gs:PCPU_SCRATCH, %rdi
        movq    %gs:PCPU_USER_RSP, %rsp
        swapgs                          # GS base back to the user's
        sysretq

entry_bp:
        pushq   $0                      # no error code for #BP: keep one frame layout
        pushq   $VECTOR_BP
        jmp     exception_common
entry_gp:
        pushq   $VECTOR_GP
        jmp     exception_common
entry_pf:
        pushq   $VECTOR_PF
exception_common:                       # on the RSP0 stack (mapped in both roots), under the user root
        testb   $3, 24(%rsp)            # saved CS: only ring 3 is expected here
        jz      .Lkernel_exception
        swapgs
        pushq   %rax
        pushq   %rcx
        pushq   %rdx
        pushq   %rsi
        pushq   %rdi
        pushq   %r8
        pushq   %r9
        pushq   %r10
        pushq   %r11
        movq    %cr3, %rax
        andq    $~ROOT_PAIR_BIT, %rax
        movq    %rax, %cr3
        leaq    9 * 8(%rsp), %rdi       # the frame, above the nine saved registers
        call    do_exception
        movq    %cr3, %rax
        orq     $ROOT_PAIR_BIT, %rax
        movq    %rax, %cr3
        popq    %r11
        popq    %r10
        popq    %r9
        popq    %r8
        popq    %rdi
        popq    %rsi
        popq    %rdx
        popq    %rcx
        popq    %rax
        swapgs
        addq    $16, %rsp               # vector and error code
        iretq
.Lkernel_exception:                     # a fault in the kernel is a bug: report it under the kernel root
        movq    $KERNEL_ROOT, %rax
        movq    %rax, %cr3
        jmp     kernel_fail

/* ---- Kernel data (read-only, in the ROM) ---- */
        .balign 0x1000
        .balign 8
boot_gdt:                               # accessed bits preset: the CPU need not write descriptors it loads
        .quad   0                       # null
        .quad   0x00af9b000000ffff      # 0x08 KERNEL_CS: 64-bit code, DPL 0
        .quad   0x00cf93000000ffff      # 0x10 KERNEL_DS: data, DPL 0
        .quad   0x00cffb000000ffff      # 0x18 USER32_CS: 32-bit code, DPL 3 (anchors STAR[63:48])
        .quad   0x00cff3000000ffff      # 0x20 USER_DS: data, DPL 3
        .quad   0x00affb000000ffff      # 0x28 USER_CS: 64-bit code, DPL 3
        .quad   0, 0                    # 0x30 TSS_SEL: built at run time in the RAM copy
        .quad   0x00cf9b000000ffff      # 0x40 BOOT_CS32: 32-bit code, DPL 0
boot_gdt_end:
boot_gdt_pointer:
        .word   boot_gdt_end - boot_gdt - 1
        .long   ROM_BASE + boot_gdt
gdt_pointer:
        .word   boot_gdt_end - boot_gdt - 1
        .quad   GDT
idt_pointer:
        .word   IDT_VECTORS * 16 - 1
        .quad   IDT

msg_kernel:      .asciz "kernel: long mode on the kernel root\n"
msg_to_user:     .asciz "kernel: SYSRET to ring 3 on the user root\n"
msg_report_cr3:  .asciz "kernel: entered with CR3 "
msg_report_kcr3: .asciz ", switched to "
msg_report_gs:   .asciz ", GS base "
msg_report_rsp:  .asciz ", user RSP "
msg_exception:   .asciz "kernel: exception "
msg_error_code:  .asciz " error "
msg_cs:          .asciz " from CS "
msg_ss:          .asciz " SS "
msg_cr2:         .asciz " CR2 "
msg_exit:        .asciz "kernel: exit after syscalls "
msg_fail:        .asciz "kernel: FAIL\n"

/* ---- Reset vector: the CPU starts here at F000:FFF0 ---- */
        .code16
        .org    0xfff0
        ljmpl   $0xf000, $real_entry
        .org    0x10000
