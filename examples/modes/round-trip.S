/*
 * A 64 KiB firmware image (start mode "reset") that visits every x86 operating mode and every way of moving
 * between them that changes CS.L/CS.D, then goes all the way back to real mode (what reboot and kexec paths do):
 *   real mode -> 32-bit protected mode (far jump) -> IA-32e 64-bit mode (paging on, far jump)
 *   64-bit -> 32-bit compatibility mode (far return, LRETQ)      -> 64-bit (far jump)
 *   64-bit -> 16-bit compatibility mode (IRETQ to a D=0 segment) -> 64-bit (far jump with a 32-bit offset)
 *   64-bit -> far CALL through an m16:32 pointer into 32-bit compatibility code, which returns with a 32-bit LRET
 *   64-bit -> compatibility mode -> paging off (IA-32e ends) -> EFER.LME off -> 16-bit protected mode ->
 *   CR0.PE off -> real mode again, where CS = 0xF000 and the ROM code carries on.
 * Each stop prints a line on the debug console (port 0xE9). Exit (port 0xF4): 0x4d on success, status 155;
 * 0x01 (status 3) if a check fails (EFER.LMA, CR0, the far-call return).
 * Run:  trampoline run round-trip.S --start reset
 */
#define DEBUGCON        0xe9
#define EXIT_PORT       0xf4
#define EXIT_SUCCESS    0x4d
#define EXIT_FAILURE    0x01
#define ROM_BASE        0xf0000

#define CR0_PE          0x00000001
#define CR0_PG          0x80000000
#define CR4_PAE         0x00000020
#define MSR_EFER        0xc0000080
#define EFER_LME        0x00000100
#define EFER_LMA        0x00000400
#define PML4            0x1000
#define PDPT            0x2000
#define PD              0x3000
#define STACK_TOP       0x7000

        .code16
        .text
rom_start:
/* ---- Real mode ---- */
real_entry:
        cli
        xorw    %ax, %ax
        movw    %ax, %ds
        movw    %ax, %ss
        movw    $STACK_TOP, %sp
        movw    $msg_real, %si
        call    print16
        lgdtl   %cs:gdt_pointer
        movl    %cr0, %eax
        orl     $CR0_PE, %eax
        movl    %eax, %cr0
        ljmpl   $code32_sel, $(ROM_BASE + protected32)

print16:                                # CS:SI = string (valid in real mode and in 16-bit segments based at the ROM)
        movb    %cs:(%si), %al
        testb   %al, %al
        jz      1f
        outb    %al, $DEBUGCON
        incw    %si
        jmp     print16
1:      ret

/* ---- 32-bit protected mode ---- */
        .code32
protected32:
        movl    $data_sel, %eax
        movl    %eax, %ds
        movl    %eax, %es
        movl    %eax, %ss
        movl    $STACK_TOP, %esp
        movl    $(ROM_BASE + msg_pm32), %esi
        call    print32
        movl    $PML4, %edi
        xorl    %eax, %eax
        movl    $(3 * 4096 / 4), %ecx
        rep stosl
        movl    $(PDPT | 3), PML4
        movl    $(PD | 3), PDPT
        movl    $0x83, PD               # 0-2 MiB, one large page
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

print32:                                # %esi = string; clobbers %al and %esi
1:      lodsb
        testb   %al, %al
        jz      2f
        outb    %al, $DEBUGCON
        jmp     1b
2:      ret

/* ---- 64-bit mode, first visit: out to 32-bit compatibility mode by a far return ---- */
        .code64
long64:
        movq    $STACK_TOP, %rsp
        leaq    msg_long64(%rip), %rsi
        call    print64
        pushq   $code32_sel
        pushq   $(ROM_BASE + compat32)
        lretq

        .code32
compat32:
        movl    $(ROM_BASE + msg_compat32), %esi
        call    print32
        ljmpl   $code64_sel, $(ROM_BASE + back_from_compat32)

/* ---- 64-bit mode: out to 16-bit compatibility mode by IRETQ ---- */
        .code64
back_from_compat32:
        leaq    msg_back64(%rip), %rsi
        call    print64
        movq    %rsp, %rax
        pushq   $data_sel               # SS
        pushq   %rax                    # RSP
        pushfq                          # RFLAGS
        pushq   $code16_sel             # CS: D = 0, L = 0, base 0xF0000
        pushq   $(compat16 - rom_start) # RIP: an offset from that base
        iretq

        .code16
compat16:
        movw    $msg_compat16, %si
        call    print16
        ljmpl   $code64_sel, $(ROM_BASE + back_from_compat16)   # 66 EA: a 32-bit offset from 16-bit code

/* ---- 64-bit mode: a far call into compatibility mode that comes back ---- */
        .code64
back_from_compat16:
        leaq    msg_back64(%rip), %rsi
        call    print64
        movl    $0, %ebx
        lcall   *far_call_pointer(%rip) # m16:32: pushes CS and EIP as 4-byte values
        cmpl    $0x32, %ebx             # set by the callee
        jne     fail64
        leaq    msg_after_call(%rip), %rsi
        call    print64

        /* ---- the way back down: compatibility mode, paging off, LME off, 16-bit PM, real mode ---- */
        pushq   $code32_sel
        pushq   $(ROM_BASE + down32)
        lretq

fail64:
        leaq    msg_fail(%rip), %rsi
        call    print64
        movb    $EXIT_FAILURE, %al
        outb    %al, $EXIT_PORT
        hlt

print64:                                # %rsi = string; clobbers %al and %rsi
1:      lodsb
        testb   %al, %al
        jz      2f
        outb    %al, $DEBUGCON
        jmp     1b
2:      ret

        .code32
far_callee:                             # 32-bit compatibility-mode code, called from 64-bit mode
        movl    $(ROM_BASE + msg_far_call), %esi
        call    print32
        movl    $0x32, %ebx
        lret                            # pops EIP and CS (4 bytes each): back to 64-bit mode

down32:
        movl    %cr0, %eax
        andl    $~CR0_PG, %eax
        movl    %eax, %cr0              # IA-32e mode ends: 32-bit protected mode
        movl    $MSR_EFER, %ecx
        rdmsr
        testl   $EFER_LMA, %eax
        jnz     fail32
        andl    $~EFER_LME, %eax
        wrmsr
        movl    $(ROM_BASE + msg_pm_again), %esi
        call    print32
        ljmpl   $code16_sel, $(pm16 - rom_start)        # 16-bit protected mode, CS base 0xF0000

fail32:
        movl    $(ROM_BASE + msg_fail), %esi
        call    print32
        movb    $EXIT_FAILURE, %al
        outb    %al, $EXIT_PORT
        hlt

        .code16
pm16:
        movw    $data16_sel, %ax        # 64 KiB limits in every data segment cache, as real mode expects
        movw    %ax, %ds
        movw    %ax, %es
        movw    %ax, %ss
        movl    %cr0, %eax
        andl    $~CR0_PE, %eax
        movl    %eax, %cr0
        ljmpw   $0xf000, $real_again    # real mode: CS = 0xF000, base 0xF0000, the same offsets

real_again:
        xorw    %ax, %ax
        movw    %ax, %ds
        movw    %ax, %es
        movw    %ax, %ss
        movw    $STACK_TOP, %sp
        movl    %cr0, %eax
        testl   $(CR0_PE | CR0_PG), %eax
        jnz     .Lfail16
        movl    $MSR_EFER, %ecx
        rdmsr
        testl   $(EFER_LME | EFER_LMA), %eax
        jnz     .Lfail16
        movw    $msg_real_again, %si
        call    print16
        movb    $EXIT_SUCCESS, %al
        outb    %al, $EXIT_PORT
        hlt
.Lfail16:
        movw    $msg_fail, %si
        call    print16
        movb    $EXIT_FAILURE, %al
        outb    %al, $EXIT_PORT
        hlt

/* ---- Data ---- */
        .balign 8
gdt:
        .quad   0
        .quad   0x00cf9a000000ffff      # 0x08: 32-bit code, base 0 (D = 1)
        .quad   0x00cf92000000ffff      # 0x10: data, base 0, 4 GiB
        .quad   0x00af9a000000ffff      # 0x18: 64-bit code (L = 1)
        .quad   0x00009a0f0000ffff      # 0x20: 16-bit code, base 0xF0000, 64 KiB (D = 0, L = 0)
        .quad   0x000092000000ffff      # 0x28: 16-bit data, base 0, 64 KiB
gdt_end:
code32_sel = 0x08
data_sel = 0x10
code64_sel = 0x18
code16_sel = 0x20
data16_sel = 0x28
gdt_pointer:
        .word   gdt_end - gdt - 1
        .long   ROM_BASE + gdt
far_call_pointer:
        .long   ROM_BASE + far_callee
        .word   code32_sel

msg_real:       .asciz "real mode\n"
msg_pm32:       .asciz "32-bit protected mode\n"
msg_long64:     .asciz "64-bit mode\n"
msg_compat32:   .asciz "32-bit compatibility mode (LRETQ)\n"
msg_back64:     .asciz "64-bit mode (far jump)\n"
msg_compat16:   .asciz "16-bit compatibility mode (IRETQ)\n"
msg_far_call:   .asciz "32-bit compatibility mode (far CALL)\n"
msg_after_call: .asciz "64-bit mode (32-bit far RET)\n"
msg_pm_again:   .asciz "32-bit protected mode again: paging off, EFER.LMA clear, LME cleared\n"
msg_real_again: .asciz "real mode again: CR0.PE clear, EFER clear\n"
msg_fail:       .asciz "FAIL\n"

        .code16
        .org    0xfff0
        ljmpl   $0xf000, $real_entry
        .org    0x10000
