/*
 * A 64 KiB firmware image (start mode "reset") demonstrating page tables built on demand by the page-fault
 * handler, the "early dynamic page tables" idea: before the real memory map is known, a #PF handler makes
 * any address of a large virtual region usable while owning only a fixed pool of table pages. When the pool
 * runs out it throws every dynamic table away (keeping the permanent identity map the code runs from),
 * flushes the TLB by reloading CR3 and starts over; the faulting access simply retries.
 *
 * Here the region starts at 0xffff888000000000 (the kernel's direct-map base) and spans two PML4 slots
 * (1 TiB); the handler maps each 4 KiB page of it onto 128 MiB of RAM at 64 MiB by folding the offset. The
 * main loop writes 256 values at addresses 1 GiB + 2 MiB + 4 KiB apart (four neighbouring pages at each), so
 * faults need a new PDPT, PD and PT, or only a PTE; a pool of 8 pages runs out every few GiB. A second pass
 * reads every value back (faulting the tables in again) and sums them.
 * Console (port 0xE9): fault count, reset count and checksum. Exit (port 0xF4): 0x44 on success, i.e. status
 * (0x44 << 1) | 1 = 137; 0x01 (status 3) on a wrong value or an unexpected fault.
 * Run:  trampoline run demand-paging.S --start reset
 */
#define DEBUGCON        0xe9
#define EXIT_PORT       0xf4
#define EXIT_SUCCESS    0x44
#define EXIT_FAILURE    0x01
#define ROM_BASE        0xf0000         /* the last 64 KiB of the ROM as seen below 1 MiB */

#define CR0_PE          0x00000001
#define CR0_PG          0x80000000
#define CR4_PAE         0x00000020
#define MSR_EFER        0xc0000080
#define EFER_LME        0x00000100
#define PTE_P           0x001
#define PTE_RW          0x002
#define PTE_PS          0x080
#define PF_ERR_PRESENT  0x001           /* error-code bit 0: the page was present (a protection fault) */

/* RAM layout. */
#define PML4            0x1000          /* permanent: entry 0 is the identity map, the rest are dynamic */
#define PDPT_LOW        0x2000
#define PD_LOW          0x3000          /* identity map of 0-4 MiB as two 2 MiB pages */
#define POOL_NEXT       0x8000          /* index of the next free pool page */
#define FAULT_COUNT     0x8008
#define RESET_COUNT     0x8010
#define STACK_TOP       0x9000
#define IDT             0xa000
#define POOL_BASE       0x10000         /* the pool: POOL_PAGES pages of dynamic tables */
#define POOL_PAGES      8
#define VECTOR_PF       14

/* The dynamic region and where its pages land physically. */
#define REGION_BASE     0xffff888000000000
#define REGION_SIZE_LOG 40              /* two PML4 slots of 512 GiB */
#define PHYS_WINDOW     0x4000000       /* 64 MiB */
#define WINDOW_MASK     0x7ffffff       /* 128 MiB - 1: offsets fold into the window */

/* The access pattern. */
#define FIRST_OFFSET    0x7800000000    /* 480 GiB: the walk crosses into the second PML4 slot half-way */
#define STRIDE          0x40201000      /* 1 GiB + 2 MiB + 4 KiB: a new PD and PT each time, distinct frames */
#define STEPS           64
#define NEIGHBOURS      4               /* pages touched at each step, 0x5000 apart: same PT, new PTEs */
#define NEIGHBOUR_GAP   0x5000
#define HASH            0x9e3779b97f4a7c15      /* odd multiplier (2^64 / golden ratio) spreading the values */

        .code16
        .text
/* ---- Real mode: the reset vector jumps here with CS = 0xF000 ---- */
real_entry:
        cli
        xorw    %ax, %ax
        movw    %ax, %ds
        movw    %ax, %ss
        movw    $STACK_TOP, %sp
        inb     $0x92, %al              # fast A20 gate
        orb     $2, %al
        outb    %al, $0x92
        lgdtl   %cs:gdt_pointer
        movl    %cr0, %eax
        orl     $CR0_PE, %eax
        movl    %eax, %cr0
        ljmpl   $code32_sel, $(ROM_BASE + protected32)

/* ---- 32-bit protected mode: the permanent identity map, then long mode ---- */
        .code32
protected32:
        movl    $data_sel, %eax
        movl    %eax, %ds
        movl    %eax, %es
        movl    %eax, %ss
        movl    $STACK_TOP, %esp
        movl    $PML4, %edi             # clear the tables and the variables page
        xorl    %eax, %eax
        movl    $((POOL_NEXT + 0x1000 - PML4) / 4), %ecx
        rep stosl
        movl    $(PDPT_LOW | PTE_P | PTE_RW), PML4
        movl    $(PD_LOW | PTE_P | PTE_RW), PDPT_LOW
        movl    $(0x000000 | PTE_P | PTE_RW | PTE_PS), PD_LOW
        movl    $(0x200000 | PTE_P | PTE_RW | PTE_PS), PD_LOW + 8

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

/* ---- 64-bit mode ---- */
        .code64
long64:
        movq    $STACK_TOP, %rsp
        leaq    msg_start(%rip), %rsi
        call    print64

        /* IDT with one present vector, #PF (the gate splits the handler address, so build it here). */
        leaq    pf_handler(%rip), %rax
        movq    $(IDT + VECTOR_PF * 16), %rdi
        movw    %ax, (%rdi)
        movw    $code64_sel, 2(%rdi)
        movw    $0x8e00, 4(%rdi)        # present, DPL 0, 64-bit interrupt gate
        shrq    $16, %rax
        movw    %ax, 6(%rdi)
        shrq    $16, %rax
        movl    %eax, 8(%rdi)
        movl    $0, 12(%rdi)
        lidt    idt_pointer(%rip)

        /* Pass 1: write value(k) = address ^ (k + 1) * HASH at every address k of the pattern. */
        xorl    %r12d, %r12d            # k
        movabsq $(REGION_BASE + FIRST_OFFSET), %r13     # address of step 0
        movabsq $HASH, %r14
.Lwrite_step:
        xorl    %ebx, %ebx              # neighbour offset
.Lwrite_page:
        leaq    (%r13, %rbx), %rdi
        call    value_for               # %rax = value(k, %rdi)
        movq    %rax, (%rdi)            # faults unless the page is mapped in the current generation
        incq    %r12
        addq    $NEIGHBOUR_GAP, %rbx
        cmpq    $(NEIGHBOUR_GAP * NEIGHBOURS), %rbx
        jne     .Lwrite_page
        addq    $STRIDE, %r13
        cmpq    $(STEPS * NEIGHBOURS), %r12
        jne     .Lwrite_step
        leaq    msg_written(%rip), %rsi
        call    print_counts

        /* Pass 2: read every value back and sum them; one wrong value is a failure. */
        xorl    %r12d, %r12d
        movabsq $(REGION_BASE + FIRST_OFFSET), %r13
        xorl    %r15d, %r15d            # checksum
.Lread_step:
        xorl    %ebx, %ebx
.Lread_page:
        leaq    (%r13, %rbx), %rdi
        call    value_for
        cmpq    %rax, (%rdi)
        jne     .Lbad_value
        addq    (%rdi), %r15
        incq    %r12
        addq    $NEIGHBOUR_GAP, %rbx
        cmpq    $(NEIGHBOUR_GAP * NEIGHBOURS), %rbx
        jne     .Lread_page
        addq    $STRIDE, %r13
        cmpq    $(STEPS * NEIGHBOURS), %r12
        jne     .Lread_step
        leaq    msg_read(%rip), %rsi
        call    print_counts
        leaq    msg_checksum(%rip), %rsi
        call    print64
        movq    %r15, %rax
        call    print_hex64
        call    newline

        movb    $EXIT_SUCCESS, %al
        outb    %al, $EXIT_PORT
        hlt

.Lbad_value:
        leaq    msg_bad_value(%rip), %rsi
        call    print64
        movq    %rdi, %rax
        call    print_hex64
        call    newline
        movb    $EXIT_FAILURE, %al
        outb    %al, $EXIT_PORT
        hlt

value_for:                              # %rax = %rdi ^ (%r12 + 1) * %r14
        leaq    1(%r12), %rax
        imulq   %r14, %rax
        xorq    %rdi, %rax
        ret

print_counts:                           # %rsi = prefix; prints the fault and reset counters
        call    print64
        leaq    msg_faults(%rip), %rsi
        call    print64
        movq    FAULT_COUNT, %rax
        call    print_hex64
        leaq    msg_resets(%rip), %rsi
        call    print64
        movq    RESET_COUNT, %rax
        call    print_hex64
        call    newline
        ret

/*
 * #PF: map the faulting page of the region. Walk PML4 -> PDPT -> PD -> PT from CR2, taking a zeroed pool
 * page for every missing table, then write the PTE. If the pool is empty part-way, reset: clear all dynamic
 * PML4 entries, reload CR3 (no stale translation may survive the tables it came from) and walk again from the
 * top; a whole walk needs at most 3 pages, so the second walk always completes.
 * Stack on entry: error code, RIP, CS, RFLAGS, RSP, SS.
 */
pf_handler:
        pushq   %rax
        pushq   %rcx
        pushq   %rdx
        pushq   %rsi
        pushq   %rdi
        incq    FAULT_COUNT
        testq   $PF_ERR_PRESENT, 40(%rsp)
        jnz     .Lpf_unexpected         # a protection fault is a bug, not a missing table
        movq    %cr2, %rdx
        movabsq $REGION_BASE, %rax
        subq    %rax, %rdx              # %rdx = offset in the region
        jb      .Lpf_unexpected
        movq    %rdx, %rax
        shrq    $REGION_SIZE_LOG, %rax
        jnz     .Lpf_unexpected
.Lpf_walk:
        movq    %cr2, %rax
        movq    $PML4, %rsi             # %rsi = current table, %rcx = index into it
        movq    %rax, %rcx
        shrq    $39, %rcx
        call    next_table              # -> PDPT
        jc      .Lpf_reset
        movq    %rax, %rcx
        shrq    $30, %rcx
        call    next_table              # -> PD
        jc      .Lpf_reset
        movq    %rax, %rcx
        shrq    $21, %rcx
        call    next_table              # -> PT
        jc      .Lpf_reset
        movq    %rax, %rcx
        shrq    $12, %rcx
        andl    $511, %ecx
        andq    $WINDOW_MASK, %rdx      # fold the region offset into the RAM window
        andq    $~0xfff, %rdx
        addq    $(PHYS_WINDOW | PTE_P | PTE_RW), %rdx
        movq    %rdx, (%rsi, %rcx, 8)
        popq    %rdi
        popq    %rsi
        popq    %rdx
        popq    %rcx
        popq    %rax
        addq    $8, %rsp                # drop the error code; IRETQ retries the access
        iretq

.Lpf_reset:
        incq    RESET_COUNT
        movq    $(PML4 + 8), %rdi       # every entry but the permanent identity map
        xorl    %eax, %eax
        movl    $511, %ecx
        rep stosq
        movq    $0, POOL_NEXT
        movq    %cr3, %rax
        movq    %rax, %cr3              # flush the TLB and paging-structure caches
        jmp     .Lpf_walk

.Lpf_unexpected:
        leaq    msg_bad_fault(%rip), %rsi
        call    print64
        movq    %cr2, %rax
        call    print_hex64
        call    newline
        movb    $EXIT_FAILURE, %al
        outb    %al, $EXIT_PORT
        hlt

/* In: %rsi = table, %rcx = index (bits above 8 ignored). Out: %rsi = the table the entry points to,
 * allocating it from the pool when the entry is not present; CF = 1 if the pool is empty.
 * Preserves %rax and %rdx. */
next_table:
        andl    $511, %ecx
        leaq    (%rsi, %rcx, 8), %rcx   # %rcx = entry address
        movq    (%rcx), %rsi
        testq   $PTE_P, %rsi
        jnz     .Lnt_present
        movq    POOL_NEXT, %rsi
        cmpq    $POOL_PAGES, %rsi
        jae     .Lnt_empty
        incq    POOL_NEXT
        shlq    $12, %rsi
        addq    $POOL_BASE, %rsi
        pushq   %rax
        pushq   %rcx
        movq    %rsi, %rdi              # a fresh table must not keep entries from its last use
        xorl    %eax, %eax
        movl    $512, %ecx
        rep stosq
        popq    %rcx
        popq    %rax
        leaq    (PTE_P | PTE_RW)(%rsi), %rdi
        movq    %rdi, (%rcx)
        clc
        ret
.Lnt_present:
        andq    $~0xfff, %rsi
        clc
        ret
.Lnt_empty:
        stc
        ret

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
        .quad   0
        .quad   0x00cf9a000000ffff      # 0x08: 32-bit code, base 0, 4 GiB
        .quad   0x00cf92000000ffff      # 0x10: data, base 0, 4 GiB
        .quad   0x00af9a000000ffff      # 0x18: 64-bit code (L=1)
gdt_end:
code32_sel = 0x08
data_sel = 0x10
code64_sel = 0x18

gdt_pointer:
        .word   gdt_end - gdt - 1
        .long   ROM_BASE + gdt
idt_pointer:
        .word   (VECTOR_PF + 1) * 16 - 1
        .quad   IDT

msg_start:      .asciz "long mode; demand paging from a pool of 8 table pages\n"
msg_written:    .asciz "written 256 values:"
msg_read:       .asciz "read back 256 values:"
msg_faults:     .asciz " faults "
msg_resets:     .asciz " pool resets "
msg_checksum:   .asciz "checksum "
msg_bad_value:  .asciz "FAIL: wrong value at "
msg_bad_fault:  .asciz "FAIL: unexpected page fault at "

/* ---- Reset vector: the CPU starts here at F000:FFF0 ---- */
        .code16
        .org    0xfff0
        ljmpl   $0xf000, $real_entry
        .org    0x10000
