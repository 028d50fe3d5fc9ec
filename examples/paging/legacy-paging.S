/*
 * A 64 KiB firmware image (start mode "reset") exercising the two paging modes of 32-bit protected mode,
 * which long-mode code never sees but boot code passes through:
 *   - 32-bit paging (CR4.PAE = 0): a 1024-entry page directory with a 4 KiB page table and, with CR4.PSE,
 *     a 4 MiB page; the dirty bit lands in the 4 MiB PDE; a not-present write is a #PF delivered through a
 *     32-bit interrupt gate (error code 0x2, CR2 = the address);
 *   - PAE paging (CR4.PAE = 1): a 4-entry PDPT (whose entries may not have RW/US set: those bits are
 *     reserved there), 2 MiB and 4 KiB pages. Switching between the two modes needs paging off in between.
 * Values are planted by physical address with paging off and read back through the mappings; writes through
 * a mapping are checked by physical address after paging is turned off again.
 * Console (port 0xE9): one line per step. Exit (port 0xF4): 0x32 on success, status 101; 0x01 (status 3)
 * on a mismatch.
 * Run:  trampoline run legacy-paging.S --start reset
 */
#define DEBUGCON        0xe9
#define EXIT_PORT       0xf4
#define EXIT_SUCCESS    0x32
#define EXIT_FAILURE    0x01
#define ROM_BASE        0xf0000

#define CR0_PE          0x00000001
#define CR0_PG          0x80000000
#define CR4_PSE         0x00000010
#define CR4_PAE         0x00000020
#define PTE_P           0x001
#define PTE_RW          0x002
#define PTE_A           0x020
#define PTE_D           0x040
#define PTE_PS          0x080

/* RAM layout. */
#define PD32            0x1000          /* 32-bit paging: page directory */
#define PT32_LOW        0x2000          /* identity 0-4 MiB in 4 KiB pages */
#define PT32_HIGH       0x3000          /* one 4 KiB page at 0xC0400000 */
#define PAE_PDPT        0x4000          /* 4 entries, 32-byte aligned */
#define PAE_PD_LOW      0x5000          /* identity 0-2 MiB, one 2 MiB page */
#define PAE_PD_HIGH     0x6000          /* the 1 GiB at 0xC0000000 */
#define PAE_PT_HIGH     0x7000
#define PF_COUNT        0x8000
#define PF_ERROR        0x8004
#define PF_CR2          0x8008
#define RESUME_EIP      0x800c
#define STACK_TOP       0x9000
#define IDT             0xa000
#define BIG_PHYS        0x400000        /* the 4 MiB / 2 MiB large page's frame */
#define SMALL_PHYS      0x800000        /* the 4 KiB page's frame */
#define HIGH_VIRT       0xc0000000      /* large page */
#define PSE_SMALL_VIRT  0xc0400000      /* 4 KiB page under 32-bit paging (next 4 MiB slot) */
#define PAE_SMALL_VIRT  0xc0200000      /* 4 KiB page under PAE (next 2 MiB slot) */
#define ABSENT_VIRT     0x80000000
#define VECTOR_PF       14

        .code16
        .text
real_entry:
        cli
        xorw    %ax, %ax
        movw    %ax, %ds
        movw    %ax, %ss
        movw    $STACK_TOP, %sp
        inb     $0x92, %al              # fast A20 gate: the frames sit at 4 and 8 MiB
        orb     $2, %al
        outb    %al, $0x92
        lgdtl   %cs:gdt_pointer
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
        movl    $PD32, %edi             # clear the tables and the variables page
        xorl    %eax, %eax
        movl    $((PF_COUNT + 0x1000 - PD32) / 4), %ecx
        rep stosl

        /* IDT with a 32-bit interrupt gate for #PF: offset split 15:0 / 31:16 around selector and type. */
        movl    $(ROM_BASE + pf_handler), %eax
        movw    %ax, IDT + VECTOR_PF * 8
        movw    $code32_sel, IDT + VECTOR_PF * 8 + 2
        movw    $0x8e00, IDT + VECTOR_PF * 8 + 4        # present, DPL 0, 32-bit interrupt gate
        shrl    $16, %eax
        movw    %ax, IDT + VECTOR_PF * 8 + 6
        lidt    ROM_BASE + idt_pointer

        movl    $0xb16f4a3e, BIG_PHYS + 0x123 * 4       # planted with paging off
        movl    $0x5a11c0de, SMALL_PHYS + 0x10

/* ---- 32-bit paging ---- */
        movl    $PT32_LOW, %edi         # identity 0-4 MiB
        movl    $(PTE_P | PTE_RW), %eax
        movl    $1024, %ecx
1:      stosl
        addl    $0x1000, %eax
        loop    1b
        movl    $(PT32_LOW | PTE_P | PTE_RW), PD32
        movl    $(BIG_PHYS | PTE_P | PTE_RW | PTE_PS), PD32 + (HIGH_VIRT >> 22) * 4
        movl    $(PT32_HIGH | PTE_P | PTE_RW), PD32 + (PSE_SMALL_VIRT >> 22) * 4
        movl    $(SMALL_PHYS | PTE_P | PTE_RW), PT32_HIGH

        movl    %cr4, %eax
        orl     $CR4_PSE, %eax          # PS in a PDE means 4 MiB only with PSE
        movl    %eax, %cr4
        movl    $PD32, %eax
        movl    %eax, %cr3
        movl    %cr0, %eax
        orl     $CR0_PG, %eax
        movl    %eax, %cr0
        movl    $(ROM_BASE + msg_paging32), %esi
        call    print

        cmpl    $0xb16f4a3e, HIGH_VIRT + 0x123 * 4
        jne     fail
        cmpl    $0x5a11c0de, PSE_SMALL_VIRT + 0x10
        jne     fail
        movl    $0x4d425f31, HIGH_VIRT + 0x200  # write through the 4 MiB page: sets D in the PDE
        movl    $(ROM_BASE + msg_pde_flags), %esi
        call    print
        movl    PD32 + (HIGH_VIRT >> 22) * 4, %eax
        andl    $0xfff, %eax
        call    print_hex
        call    newline
        cmpl    $(PTE_P | PTE_RW | PTE_A | PTE_D | PTE_PS), %eax
        jne     fail

        movl    $(ROM_BASE + 2f), RESUME_EIP
        movl    $1, ABSENT_VIRT         # not present: #PF, error code W = 0x2
        jmp     fail
2:      cmpl    $1, PF_COUNT
        jne     fail
        cmpl    $0x2, PF_ERROR
        jne     fail
        cmpl    $ABSENT_VIRT, PF_CR2
        jne     fail

        movl    %cr0, %eax              # paging off before PAE changes the meaning of CR3 and the tables
        andl    $~CR0_PG, %eax
        movl    %eax, %cr0
        cmpl    $0x4d425f31, BIG_PHYS + 0x200
        jne     fail
        movl    $(ROM_BASE + msg_phys32), %esi
        call    print

/* ---- PAE paging ---- */
        movl    $(PAE_PD_LOW | PTE_P), PAE_PDPT                 # PDPTEs: P and the address only
        movl    $(PAE_PD_HIGH | PTE_P), PAE_PDPT + 3 * 8
        movl    $(0 | PTE_P | PTE_RW | PTE_PS), PAE_PD_LOW      # 2 MiB identity
        movl    $(BIG_PHYS | PTE_P | PTE_RW | PTE_PS), PAE_PD_HIGH
        movl    $(PAE_PT_HIGH | PTE_P | PTE_RW), PAE_PD_HIGH + ((PAE_SMALL_VIRT >> 21) & 511) * 8
        movl    $(SMALL_PHYS | PTE_P | PTE_RW), PAE_PT_HIGH

        movl    %cr4, %eax
        orl     $CR4_PAE, %eax
        movl    %eax, %cr4
        movl    $PAE_PDPT, %eax
        movl    %eax, %cr3
        movl    %cr0, %eax
        orl     $CR0_PG, %eax           # the four PDPTEs are loaded now
        movl    %eax, %cr0
        movl    $(ROM_BASE + msg_pae), %esi
        call    print

        cmpl    $0xb16f4a3e, HIGH_VIRT + 0x123 * 4
        jne     fail
        cmpl    $0x5a11c0de, PAE_SMALL_VIRT + 0x10
        jne     fail
        movl    $0x4d425f32, PAE_SMALL_VIRT + 0x20      # write through the 4 KiB page
        movl    $(ROM_BASE + msg_pte_flags), %esi
        call    print
        movl    PAE_PT_HIGH, %eax
        andl    $0xfff, %eax
        call    print_hex
        call    newline
        cmpl    $(PTE_P | PTE_RW | PTE_A | PTE_D), %eax
        jne     fail

        movl    %cr0, %eax
        andl    $~CR0_PG, %eax
        movl    %eax, %cr0
        cmpl    $0x4d425f32, SMALL_PHYS + 0x20
        jne     fail
        movl    $(ROM_BASE + msg_phys_pae), %esi
        call    print
        movb    $EXIT_SUCCESS, %al
        outb    %al, $EXIT_PORT
        hlt

fail:
        movl    $(ROM_BASE + msg_fail), %esi
        call    print
        movb    $EXIT_FAILURE, %al
        outb    %al, $EXIT_PORT
        hlt

/* #PF through a 32-bit gate: the frame is error code, EIP, CS, EFLAGS (no SS:ESP, same privilege). */
pf_handler:
        pushl   %eax
        pushl   %esi
        incl    PF_COUNT
        movl    8(%esp), %eax
        movl    %eax, PF_ERROR
        movl    %cr2, %eax
        movl    %eax, PF_CR2
        movl    $(ROM_BASE + msg_pf), %esi
        call    print
        movl    PF_ERROR, %eax
        call    print_hex
        movl    $(ROM_BASE + msg_cr2), %esi
        call    print
        movl    PF_CR2, %eax
        call    print_hex
        call    newline
        movl    RESUME_EIP, %eax
        movl    %eax, 12(%esp)          # saved EIP
        popl    %esi
        popl    %eax
        addl    $4, %esp                # drop the error code
        iret

print:                                  # %esi = NUL-terminated string; clobbers %al and %esi
1:      lodsb
        testb   %al, %al
        jz      2f
        outb    %al, $DEBUGCON
        jmp     1b
2:      ret

newline:
        pushl   %eax
        movb    $'\n', %al
        outb    %al, $DEBUGCON
        popl    %eax
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

        .balign 8
gdt:
        .quad   0
        .quad   0x00cf9a000000ffff      # 0x08: 32-bit code
        .quad   0x00cf92000000ffff      # 0x10: data
gdt_end:
code32_sel = 0x08
data_sel = 0x10
gdt_pointer:
        .word   gdt_end - gdt - 1
        .long   ROM_BASE + gdt
idt_pointer:
        .word   (VECTOR_PF + 1) * 8 - 1
        .long   IDT

msg_paging32:   .asciz "32-bit paging on: 4 MiB page and 4 KiB page read the planted values\n"
msg_pde_flags:  .asciz "4 MiB PDE flags after a write "
msg_pf:         .asciz "#PF error "
msg_cr2:        .asciz " CR2 "
msg_phys32:     .asciz "paging off: the write through the 4 MiB page is in physical memory\n"
msg_pae:        .asciz "PAE paging on\n"
msg_pte_flags:  .asciz "PAE: 2 MiB and 4 KiB pages read the planted values; 4 KiB PTE flags after a write "
msg_phys_pae:   .asciz "paging off: the write through the PAE 4 KiB page is in physical memory\n"
msg_fail:       .asciz "FAIL\n"

        .code16
        .org    0xfff0
        ljmpl   $0xf000, $real_entry
        .org    0x10000
