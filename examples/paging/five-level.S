/*
 * A 64 KiB firmware image (start mode "reset") that climbs from real mode to 64-bit mode with 4-level paging
 * and then switches to 5-level paging (CR4.LA57) the only way the architecture allows: CR4.LA57 cannot change
 * while IA-32e mode is active, so the code drops to a 32-bit compatibility-mode segment, turns paging off
 * (which leaves IA-32e mode), sets LA57, loads a PML5 root and turns paging back on. This is the job the
 * kernel's trampoline_start64 has when the firmware runs 4-level and the kernel wants 5-level.
 *
 * Along the way it proves two faults with a #GP handler:
 *   - writing CR4 with LA57 set while in long mode raises #GP(0);
 *   - address 1 << 48 is non-canonical under 4-level paging (#GP(0)), but with LA57 it is canonical and
 *     reaches memory through a mapping that exists only under the new PML5 entry 1.
 * Every step is reported on the debug console (port 0xE9); success exits through isa-debug-exit (port 0xF4)
 * with 0x57 ("LA57"), i.e. status (0x57 << 1) | 1 = 175. Any failed check exits with 0x01 (status 3).
 * Run:  trampoline run five-level.S --start reset
 */
#define DEBUGCON        0xe9
#define EXIT_PORT       0xf4
#define EXIT_SUCCESS    0x57
#define EXIT_FAILURE    0x01
#define ROM_BASE        0xf0000         /* the last 64 KiB of the ROM as seen below 1 MiB */

#define CR0_PE          0x00000001
#define CR0_PG          0x80000000
#define CR4_PAE         0x00000020
#define CR4_LA57        0x00001000      /* bit 12 */
#define MSR_EFER        0xc0000080
#define EFER_LME        0x00000100
#define EFER_LMA        0x00000400
#define PTE_P           0x001
#define PTE_RW          0x002
#define PTE_PS          0x080           /* a large page at this level */

/* RAM layout (the ROM is read-only, so tables, stack and variables live in low memory). */
#define PML4_LOW        0x1000          /* 4-level root; later reused as the table under PML5[0] */
#define PDPT_LOW        0x2000
#define PD_LOW          0x3000          /* identity map: 0-2 MiB and 2-4 MiB as two large pages */
#define PML5            0x4000          /* 5-level root */
#define PML4_HIGH       0x5000          /* under PML5[1]: the 256 TiB slice starting at 1 << 48 */
#define PDPT_HIGH       0x6000
#define PD_HIGH         0x7000
#define RESUME_RIP      0x8000          /* where the #GP handler resumes after a planned fault */
#define GP_COUNT        0x8008
#define STACK_TOP       0x9000
#define IDT             0xa000
#define TARGET_PHYS     0x200000        /* the 2 MiB page both views must agree on */
#define HIGH_VIRT       0x0001000000000000      /* PML5 index 1, every lower index 0 */
#define VECTOR_GP       13

        .code16
        .text
/* ---- Real mode: the reset vector jumps here with CS = 0xF000 ---- */
real_entry:
        cli
        xorw    %ax, %ax
        movw    %ax, %ds
        movw    %ax, %ss
        movw    $STACK_TOP, %sp
        inb     $0x92, %al              # fast A20 gate, so odd megabytes are real memory
        orb     $2, %al
        outb    %al, $0x92
        movw    $msg_real, %si          # DS = 0 but the string is in the ROM: read it through CS
1:      movb    %cs:(%si), %al
        testb   %al, %al
        jz      2f
        outb    %al, $DEBUGCON
        incw    %si
        jmp     1b
2:      lgdtl   %cs:gdt_pointer
        movl    %cr0, %eax
        orl     $CR0_PE, %eax
        movl    %eax, %cr0
        ljmpl   $code32_sel, $(ROM_BASE + protected32)

/* ---- 32-bit protected mode, paging off: build both sets of tables, then enter long mode ---- */
        .code32
protected32:
        movl    $data_sel, %eax
        movl    %eax, %ds
        movl    %eax, %es
        movl    %eax, %ss
        movl    $STACK_TOP, %esp
        movl    $(ROM_BASE + msg_protected), %esi
        call    print32

        movl    $PML4_LOW, %edi         # clear every table page and the variables page
        xorl    %eax, %eax
        movl    $((RESUME_RIP + 0x1000 - PML4_LOW) / 4), %ecx
        rep stosl

        /* 4-level identity map of the first 4 MiB (code, stack, tables and the target page). */
        movl    $(PDPT_LOW | PTE_P | PTE_RW), PML4_LOW
        movl    $(PD_LOW | PTE_P | PTE_RW), PDPT_LOW
        movl    $(0 | PTE_P | PTE_RW | PTE_PS), PD_LOW
        movl    $(TARGET_PHYS | PTE_P | PTE_RW | PTE_PS), PD_LOW + 8

        /* 5-level: entry 0 keeps the identity map (the old root becomes a second-level table, so the
         * code keeps running at the same addresses when the root changes); entry 1 is a new branch that
         * maps 1 << 48 onto the same 2 MiB target page. */
        movl    $(PML4_LOW | PTE_P | PTE_RW), PML5
        movl    $(PML4_HIGH | PTE_P | PTE_RW), PML5 + 8
        movl    $(PDPT_HIGH | PTE_P | PTE_RW), PML4_HIGH
        movl    $(PD_HIGH | PTE_P | PTE_RW), PDPT_HIGH
        movl    $(TARGET_PHYS | PTE_P | PTE_RW | PTE_PS), PD_HIGH

        movl    %cr4, %eax
        orl     $CR4_PAE, %eax
        movl    %eax, %cr4
        movl    $PML4_LOW, %eax
        movl    %eax, %cr3
        movl    $MSR_EFER, %ecx
        rdmsr
        orl     $EFER_LME, %eax
        wrmsr
        movl    %cr0, %eax
        orl     $CR0_PG, %eax
        movl    %eax, %cr0              # LME + PG: IA-32e mode, still in a 32-bit (compatibility) segment
        ljmpl   $code64_sel, $(ROM_BASE + long64)

print32:                                # %esi = NUL-terminated string; clobbers %al and %esi
1:      lodsb
        testb   %al, %al
        jz      2f
        outb    %al, $DEBUGCON
        jmp     1b
2:      ret

/* ---- 64-bit mode with 4-level paging ---- */
        .code64
long64:
        movq    $STACK_TOP, %rsp
        leaq    msg_long4(%rip), %rsi
        call    print64

        /* IDT with one present vector, #GP: a 64-bit interrupt gate to gp_handler. The gate splits
         * the handler address into three fields, so it is assembled here at run time. */
        leaq    gp_handler(%rip), %rax
        movq    $(IDT + VECTOR_GP * 16), %rdi
        movw    %ax, (%rdi)             # offset 15:0
        movw    $code64_sel, 2(%rdi)
        movw    $0x8e00, 4(%rdi)        # present, DPL 0, type 0xE (64-bit interrupt gate), IST 0
        shrq    $16, %rax
        movw    %ax, 6(%rdi)            # offset 31:16
        shrq    $16, %rax
        movl    %eax, 8(%rdi)           # offset 63:32
        movl    $0, 12(%rdi)
        lidt    idt_pointer(%rip)

        /* Fault 1: LA57 may not change while IA-32e mode is active. */
        leaq    msg_try_cr4(%rip), %rsi
        call    print64
        leaq    .Lafter_cr4(%rip), %rax
        movq    %rax, RESUME_RIP
        movq    %cr4, %rax
        orq     $CR4_LA57, %rax
        movq    %rax, %cr4              # #GP(0); the handler resumes at .Lafter_cr4
        leaq    msg_not_faulted(%rip), %rsi
        jmp     fail
.Lafter_cr4:
        cmpl    $1, GP_COUNT
        jne     .Lbad_count
        movq    %cr4, %rax
        testq   $CR4_LA57, %rax
        jnz     .Lbad_la57
        leaq    msg_still_4(%rip), %rsi
        call    print64

        /* Fault 2: under 4-level paging bits 63:47 must all equal bit 47, so 1 << 48 is non-canonical. */
        leaq    msg_try_high(%rip), %rsi
        call    print64
        leaq    .Lafter_high(%rip), %rax
        movq    %rax, RESUME_RIP
        movabsq $HIGH_VIRT, %rbx
        movq    (%rbx), %rax            # #GP(0), not #PF: canonicality is checked before paging
        leaq    msg_not_faulted(%rip), %rsi
        jmp     fail
.Lafter_high:
        cmpl    $2, GP_COUNT
        jne     .Lbad_count

        /* Plant a value through the identity map; after the switch it must be visible at 1 << 48. */
        movabsq $0x1a57c0de00000005, %rax
        movq    %rax, TARGET_PHYS

        /* The switch, as trampoline_start64 does it: leave 64-bit mode for a compatibility segment. */
        leaq    msg_to_compat(%rip), %rsi
        call    print64
        ljmpl   *compat_pointer(%rip)

/* ---- Compatibility mode (IA-32e still active), then legacy protected mode while paging is off ---- */
        .code32
compat32:
        movl    $(ROM_BASE + msg_compat), %esi
        call    print32
        movl    %cr0, %eax
        andl    $~CR0_PG, %eax
        movl    %eax, %cr0              # paging off: EFER.LMA drops to 0, this is plain protected mode
        movl    $MSR_EFER, %ecx
        rdmsr
        testl   $EFER_LMA, %eax
        jnz     .Lbad_lma32
        movl    $(ROM_BASE + msg_paging_off), %esi
        call    print32

        movl    %cr4, %eax
        orl     $CR4_LA57, %eax
        movl    %eax, %cr4              # allowed now: IA-32e mode is not active
        movl    $PML5, %eax
        movl    %eax, %cr3              # the root is now a PML5
        movl    %cr0, %eax
        orl     $CR0_PG, %eax
        movl    %eax, %cr0              # LME still set: IA-32e mode again, now with 5-level paging
        ljmpl   $code64_sel, $(ROM_BASE + long64_la57)

.Lbad_lma32:                            # no 64-bit code may run here, so report the failure in 32-bit code
        movl    $(ROM_BASE + msg_bad_lma), %esi
        call    print32
        movb    $EXIT_FAILURE, %al
        outb    %al, $EXIT_PORT
        hlt

/* ---- 64-bit mode with 5-level paging ---- */
        .code64
long64_la57:
        movq    %cr4, %rax
        testq   $CR4_LA57, %rax
        jz      .Lbad_la57
        movl    $MSR_EFER, %ecx
        rdmsr
        testl   $EFER_LMA, %eax
        jz      .Lbad_lma
        leaq    msg_long5(%rip), %rsi
        call    print64

        /* Read the planted value through the new branch PML5[1] -> PML4 -> PDPT -> PD -> 2 MiB page. */
        movabsq $HIGH_VIRT, %rbx
        movq    (%rbx), %rax
        movabsq $0x1a57c0de00000005, %rdx
        cmpq    %rdx, %rax
        jne     .Lbad_alias
        leaq    msg_read_high(%rip), %rsi
        call    print64                 # (clobbers %al)
        movq    (%rbx), %rax
        call    print_hex64
        call    newline

        /* And the other way: write through the high address, read back through the identity map. */
        movabsq $0x0000000500000057, %rax
        movq    %rax, 8(%rbx)
        cmpq    TARGET_PHYS + 8, %rax
        jne     .Lbad_alias
        leaq    msg_write_high(%rip), %rsi
        call    print64
        movq    GP_COUNT, %rax
        call    print_hex64
        call    newline

        movb    $EXIT_SUCCESS, %al
        outb    %al, $EXIT_PORT
        hlt

.Lbad_count:
        leaq    msg_bad_count(%rip), %rsi
        jmp     fail
.Lbad_la57:
        leaq    msg_bad_la57(%rip), %rsi
        jmp     fail
.Lbad_lma:
        leaq    msg_bad_lma(%rip), %rsi
        jmp     fail
.Lbad_alias:
        leaq    msg_bad_alias(%rip), %rsi
fail:                                   # %rsi = reason
        call    print64
        movb    $EXIT_FAILURE, %al
        outb    %al, $EXIT_PORT
        hlt

/* #GP: report the error code and resume at RESUME_RIP. The frame is error code, RIP, CS, RFLAGS, RSP, SS;
 * replacing the saved RIP is how a planned fault is stepped over (the faulting instruction never retires). */
gp_handler:
        pushq   %rax
        pushq   %rsi
        incl    GP_COUNT
        leaq    msg_gp(%rip), %rsi
        call    print64
        movq    16(%rsp), %rax          # the error code, above the two saved registers
        call    print_hex64
        call    newline
        movq    RESUME_RIP, %rax
        movq    %rax, 24(%rsp)          # saved RIP
        popq    %rsi
        popq    %rax
        addq    $8, %rsp                # drop the error code: IRETQ expects RIP on top
        iretq

print64:                                # %rsi = NUL-terminated string; clobbers %al and %rsi
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

print_hex64:                            # %rax as 0x..., no leading zeros; preserves every register
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

/* ---- Data (read-only, in the ROM) ---- */
        .balign 8
gdt:
        .quad   0                       # null descriptor
        .quad   0x00cf9a000000ffff      # 0x08: 32-bit code, base 0, 4 GiB (also the compatibility segment)
        .quad   0x00cf92000000ffff      # 0x10: data, base 0, 4 GiB
        .quad   0x00af9a000000ffff      # 0x18: 64-bit code (L=1, D=0)
gdt_end:
code32_sel = 0x08
data_sel = 0x10
code64_sel = 0x18

gdt_pointer:
        .word   gdt_end - gdt - 1
        .long   ROM_BASE + gdt
idt_pointer:
        .word   (VECTOR_GP + 1) * 16 - 1
        .quad   IDT
compat_pointer:                         # m16:32 operand of the indirect far jump to compatibility mode
        .long   ROM_BASE + compat32
        .word   code32_sel

msg_real:        .asciz "real mode\n"
msg_protected:   .asciz "protected mode\n"
msg_long4:       .asciz "long mode, 4-level paging\n"
msg_try_cr4:     .asciz "setting CR4.LA57 in long mode\n"
msg_gp:          .asciz "#GP error code "
msg_still_4:     .asciz "CR4.LA57 still clear\n"
msg_try_high:    .asciz "reading 1 << 48 with 4-level paging\n"
msg_to_compat:   .asciz "far jump to compatibility mode\n"
msg_compat:      .asciz "compatibility mode, turning paging off\n"
msg_paging_off:  .asciz "paging off, EFER.LMA clear; LA57 on, CR3 = PML5, paging on\n"
msg_long5:       .asciz "long mode, 5-level paging\n"
msg_read_high:   .asciz "read through PML5[1]: "
msg_write_high:  .asciz "write through PML5[1] seen in the identity map; #GP count "
msg_not_faulted: .asciz "FAIL: expected #GP did not happen\n"
msg_bad_count:   .asciz "FAIL: wrong #GP count\n"
msg_bad_la57:    .asciz "FAIL: CR4.LA57 has the wrong value\n"
msg_bad_lma:     .asciz "FAIL: EFER.LMA has the wrong value\n"
msg_bad_alias:   .asciz "FAIL: 1 << 48 does not reach the target page\n"

/* ---- Reset vector: the CPU starts here at F000:FFF0 (linear 0xFFFFFFF0) ---- */
        .code16
        .org    0xfff0
        ljmpl   $0xf000, $real_entry
        .org    0x10000
