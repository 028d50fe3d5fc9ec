/*
 * A 64 KiB firmware image (start mode "reset"): privilege changes in 32-bit protected mode, without paging,
 * the way 32-bit kernels did them:
 *   - IRET to ring 3 (the frame supplies SS:ESP as well as CS:EIP, because the privilege level changes);
 *   - INT 0x80 through a DPL 3 interrupt gate: the CPU switches to the ring-0 stack from the TSS (SS0:ESP0)
 *     and pushes the user's SS, ESP, EFLAGS, CS, EIP there;
 *   - SYSENTER/SYSEXIT: CS, SS, ESP and EIP from the SYSENTER MSRs on the way in; EIP = EDX, ESP = ECX and
 *     the selectors SYSENTER_CS + 16 and + 24 (RPL 3) on the way out;
 *   - CLI at CPL 3 with IOPL 0 is a #GP(0), which the kernel steps over.
 * Console (port 0xE9). The user program exits through INT 0x80 with 0x3c, status 121; a failed kernel check
 * exits with 0x01 (status 3).
 * Run:  trampoline run ring3-legacy.S --start reset
 */
#define DEBUGCON        0xe9
#define EXIT_PORT       0xf4
#define EXIT_USER       0x3c
#define EXIT_FAILURE    0x01
#define ROM_BASE        0xf0000
#define CR0_PE          0x01

#define MSR_SYSENTER_CS  0x174
#define MSR_SYSENTER_ESP 0x175
#define MSR_SYSENTER_EIP 0x176
#define EFLAGS_FIXED    0x00000002

#define GDT_RAM         0x1000          /* LTR writes the busy bit into the TSS descriptor: RAM, not ROM */
#define TSS             0x1100
#define IDT             0x2000
#define USER_STACK_TOP  0x5000
#define SYSENTER_STACK  0x6000
#define ESP0_STACK      0x7000
#define BOOT_STACK      0x7c00
#define TSS_ESP0        4
#define TSS_SS0         8
#define TSS_IOPB        0x66
#define TSS_LIMIT       0x67
#define VECTOR_GP       13
#define VECTOR_SYSCALL  0x80
#define IDT_VECTORS     (VECTOR_SYSCALL + 1)

#define SYS_WRITE       1
#define SYS_REPORT      2
#define SYS_EXIT        60

/* SYSEXIT takes CS = SYSENTER_CS + 16 and SS = SYSENTER_CS + 24: hence kernel code, kernel data, user code,
 * user data in that order. */
#define KERNEL_CS       0x08
#define KERNEL_DS       0x10
#define USER_CS         0x1b            /* 0x18 | RPL 3 */
#define USER_DS         0x23            /* 0x20 | RPL 3 */
#define TSS_SEL         0x28

        .code16
        .text
real_entry:
        cli
        xorw    %ax, %ax
        movw    %ax, %ds
        movw    %ax, %ss
        movw    $BOOT_STACK, %sp
        lgdtl   %cs:boot_gdt_pointer
        movl    %cr0, %eax
        orl     $CR0_PE, %eax
        movl    %eax, %cr0
        ljmpl   $KERNEL_CS, $(ROM_BASE + kernel32)

        .code32
kernel32:
        movl    $KERNEL_DS, %eax
        movl    %eax, %ds
        movl    %eax, %es
        movl    %eax, %ss
        movl    $BOOT_STACK, %esp

        /* GDT in RAM, with the TSS descriptor. */
        movl    $(ROM_BASE + boot_gdt), %esi
        movl    $GDT_RAM, %edi
        movl    $((boot_gdt_end - boot_gdt) / 4), %ecx
        rep movsl
        movl    $TSS, %eax
        movw    $TSS_LIMIT, GDT_RAM + TSS_SEL
        movw    %ax, GDT_RAM + TSS_SEL + 2
        shrl    $16, %eax
        movb    %al, GDT_RAM + TSS_SEL + 4
        movb    $0x89, GDT_RAM + TSS_SEL + 5    # present, DPL 0, available 32-bit TSS
        movb    $0, GDT_RAM + TSS_SEL + 6
        movb    %ah, GDT_RAM + TSS_SEL + 7
        lgdt    ROM_BASE + gdt_pointer

        movl    $TSS, %edi              # TSS: the ring-0 stack, and no I/O bitmap
        xorl    %eax, %eax
        movl    $((TSS_LIMIT + 1) / 4), %ecx
        rep stosl
        movl    $ESP0_STACK, TSS + TSS_ESP0
        movl    $KERNEL_DS, TSS + TSS_SS0
        movw    $(TSS_LIMIT + 1), TSS + TSS_IOPB
        movw    $TSS_SEL, %ax
        ltr     %ax

        movl    $IDT, %edi
        xorl    %eax, %eax
        movl    $(IDT_VECTORS * 2), %ecx
        rep stosl
        movl    $VECTOR_GP, %ecx
        movl    $(ROM_BASE + gp_entry), %eax
        movw    $0x8e00, %dx            # present, DPL 0, 32-bit interrupt gate
        call    set_gate
        movl    $VECTOR_SYSCALL, %ecx
        movl    $(ROM_BASE + int80_entry), %eax
        movw    $0xee00, %dx            # DPL 3: INT 0x80 is allowed from ring 3
        call    set_gate
        lidt    ROM_BASE + idt_pointer

        movl    $MSR_SYSENTER_CS, %ecx
        movl    $KERNEL_CS, %eax
        xorl    %edx, %edx
        wrmsr
        movl    $MSR_SYSENTER_ESP, %ecx
        movl    $SYSENTER_STACK, %eax
        wrmsr
        movl    $MSR_SYSENTER_EIP, %ecx
        movl    $(ROM_BASE + sysenter_entry), %eax
        wrmsr

        movl    $(ROM_BASE + msg_kernel), %esi
        call    print
        pushl   $USER_DS                # IRET to ring 3: SS, ESP, EFLAGS, CS, EIP
        pushl   $USER_STACK_TOP
        pushl   $EFLAGS_FIXED
        pushl   $USER_CS
        pushl   $(ROM_BASE + user_start)
        movl    $USER_DS, %eax
        movl    %eax, %ds
        movl    %eax, %es
        iret

set_gate:                               # %ecx = vector, %eax = handler, %dx = attributes
        movw    %ax, IDT(, %ecx, 8)
        movw    $KERNEL_CS, IDT + 2(, %ecx, 8)
        movw    %dx, IDT + 4(, %ecx, 8)
        shrl    $16, %eax
        movw    %ax, IDT + 6(, %ecx, 8)
        ret

/* INT 0x80: EAX = number, EBX/ECX = arguments; the frame is EIP, CS, EFLAGS, ESP, SS on the ESP0 stack. */
int80_entry:
        cmpl    $(ESP0_STACK - 5 * 4), %esp
        jne     kernel_fail             # not the TSS stack, or no SS:ESP pushed
        cmpl    $SYS_WRITE, %eax
        je      .Lsys_write
        cmpl    $SYS_REPORT, %eax
        je      .Lsys_report
        cmpl    $SYS_EXIT, %eax
        je      .Lsys_exit
        movl    $-38, %eax              # -ENOSYS
        iret
.Lsys_write:
        movl    %ebx, %esi
        jecxz   2f
1:      lodsb
        outb    %al, $DEBUGCON
        loop    1b
2:      xorl    %eax, %eax
        iret
.Lsys_report:
        movl    $(ROM_BASE + msg_int80), %esi
        call    print
        movl    4(%esp), %eax           # CS
        call    print_hex
        movl    $(ROM_BASE + msg_ss), %esi
        call    print
        movl    16(%esp), %eax          # SS
        call    print_hex
        movl    $(ROM_BASE + msg_user_esp), %esi
        call    print
        movl    12(%esp), %eax          # ESP
        call    print_hex
        call    newline
        xorl    %eax, %eax
        iret
.Lsys_exit:
        movl    $(ROM_BASE + msg_exit), %esi
        call    print
        movl    %ebx, %eax
        outb    %al, $EXIT_PORT
        hlt

/* SYSENTER: CS = SYSENTER_CS, SS = + 8, ESP and EIP from the MSRs; nothing is pushed. EBX = a character. */
sysenter_entry:
        cmpl    $SYSENTER_STACK, %esp
        jne     kernel_fail
        movw    %cs, %ax
        cmpw    $KERNEL_CS, %ax
        jne     kernel_fail
        movl    %ebx, %eax
        outb    %al, $DEBUGCON
        sysexit                         # EIP = EDX, ESP = ECX, CS = 0x1b, SS = 0x23

/* #GP from ring 3: the frame is error code, EIP, CS, EFLAGS, ESP, SS. Step over a 1-byte CLI. */
gp_entry:
        testb   $3, 8(%esp)
        jz      kernel_fail
        pushl   %eax
        pushl   %esi
        movl    $(ROM_BASE + msg_gp), %esi
        call    print
        movl    8(%esp), %eax
        call    print_hex
        movl    $(ROM_BASE + msg_from), %esi
        call    print
        movl    16(%esp), %eax
        call    print_hex
        call    newline
        movl    12(%esp), %esi
        cmpb    $0xfa, (%esi)           # only the planned CLI
        jne     kernel_fail
        incl    12(%esp)
        popl    %esi
        popl    %eax
        addl    $4, %esp
        iret

kernel_fail:
        movl    $(ROM_BASE + msg_fail), %esi
        call    print
        movb    $EXIT_FAILURE, %al
        outb    %al, $EXIT_PORT
        hlt

print:                                  # %esi = string; clobbers %al and %esi
1:      lodsb
        testb   %al, %al
        jz      2f
        outb    %al, $DEBUGCON
        jmp     1b
2:      ret

newline:
        movb    $'\n', %al
        outb    %al, $DEBUGCON
        ret

print_hex:                              # %eax as 0x..., no leading zeros; preserves every register
        pushl   %eax
        pushl   %ecx
        pushl   %edx
        movl    %eax, %edx
        movb    $'0', %al
        outb    %al, $DEBUGCON
        movb    $'x', %al
        outb    %al, $DEBUGCON
        movl    $28, %ecx
1:      movl    %edx, %eax
        shrl    %cl, %eax
        testl   %eax, %eax              # (SHR by 0 leaves the flags alone, so test explicitly)
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
        popl    %edx
        popl    %ecx
        popl    %eax
        ret

/* ---- The user program (ring 3; no paging, so the flat DPL 3 segments alone make it user code) ---- */
user_start:
        movl    $(ROM_BASE + umsg_hello), %ebx
        movl    $(umsg_hello_end - umsg_hello), %ecx
        movl    $SYS_WRITE, %eax
        int     $VECTOR_SYSCALL

        movl    $SYS_REPORT, %eax
        int     $VECTOR_SYSCALL

        movl    $(ROM_BASE + umsg_sysenter), %ebx
        movl    $(umsg_sysenter_end - umsg_sysenter), %ecx
        movl    $SYS_WRITE, %eax
        int     $VECTOR_SYSCALL
        movl    $(ROM_BASE + umsg_chars), %esi  # one character per SYSENTER
1:      movzbl  (%esi), %ebx
        testl   %ebx, %ebx
        jz      2f
        movl    %esp, %ecx              # where SYSEXIT puts ESP and EIP back
        movl    $(ROM_BASE + 3f), %edx
        sysenter
3:      movw    %cs, %ax                # back in ring 3?
        cmpw    $USER_CS, %ax
        jne     user_fail
        movw    %ss, %ax
        cmpw    $USER_DS, %ax
        jne     user_fail
        incl    %esi
        jmp     1b

2:      cli                             # IOPL 0: #GP, stepped over by the kernel
        movl    $(ROM_BASE + umsg_bye), %ebx
        movl    $(umsg_bye_end - umsg_bye), %ecx
        movl    $SYS_WRITE, %eax
        int     $VECTOR_SYSCALL
        movl    $EXIT_USER, %ebx
        movl    $SYS_EXIT, %eax
        int     $VECTOR_SYSCALL
user_fail:
        movl    $EXIT_FAILURE, %ebx
        movl    $SYS_EXIT, %eax
        int     $VECTOR_SYSCALL

        .balign 8
boot_gdt:
        .quad   0
        .quad   0x00cf9b000000ffff      # 0x08 KERNEL_CS: 32-bit code, DPL 0
        .quad   0x00cf93000000ffff      # 0x10 KERNEL_DS
        .quad   0x00cffb000000ffff      # 0x18 user code, DPL 3
        .quad   0x00cff3000000ffff      # 0x20 user data, DPL 3
        .quad   0                       # 0x28 TSS, built in the RAM copy
boot_gdt_end:
boot_gdt_pointer:
        .word   boot_gdt_end - boot_gdt - 1
        .long   ROM_BASE + boot_gdt
gdt_pointer:
        .word   boot_gdt_end - boot_gdt - 1
        .long   GDT_RAM
idt_pointer:
        .word   IDT_VECTORS * 8 - 1
        .long   IDT

msg_kernel:     .asciz "kernel: 32-bit protected mode, IRET to ring 3\n"
msg_int80:      .asciz "kernel: INT 0x80 on the TSS ESP0 stack from CS "
msg_ss:         .asciz " SS "
msg_user_esp:   .asciz " user ESP "
msg_gp:         .asciz "kernel: #GP error "
msg_from:       .asciz " from CS "
msg_exit:       .asciz "kernel: exit\n"
msg_fail:       .asciz "kernel: FAIL\n"
umsg_hello:     .ascii "user: ring 3, INT 0x80 works\n"
umsg_hello_end:
umsg_sysenter:  .ascii "user: one character per SYSENTER: "
umsg_sysenter_end:
umsg_chars:     .asciz "SYSEXIT\n"
umsg_bye:       .ascii "user: CLI was refused, exiting\n"
umsg_bye_end:

        .code16
        .org    0xfff0
        ljmpl   $0xf000, $real_entry
        .org    0x10000
