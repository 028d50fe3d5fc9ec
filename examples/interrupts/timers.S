/*
 * A 64 KiB firmware image (start mode "reset") that takes hardware timer interrupts in 32-bit protected
 * mode, sleeping in HLT between them, from the two timers every PC has:
 *   - the PIT (channel 0, rate generator at ~100 Hz) through the 8259 PIC, re-based to vectors 0x20-0x2F.
 *     Without firmware, the local APIC must first pass the PIC's output on: LVT LINT0 as ExtINT, unmasked
 *     (its reset value is masked);
 *   - the local APIC timer in periodic mode on vector 0x30, acknowledged with a write to the EOI register.
 * The output depends only on tick counts, never on timing. Console (port 0xE9): a line per timer. Exit (port
 * 0xF4): 0x71 on success, status 227; 0x01 (status 3) on an unexpected vector.
 * Run:  trampoline run timers.S --start reset
 */
#define DEBUGCON        0xe9
#define EXIT_PORT       0xf4
#define EXIT_SUCCESS    0x71
#define EXIT_FAILURE    0x01
#define ROM_BASE        0xf0000
#define CR0_PE          0x01

#define PIC1_CMD        0x20
#define PIC1_DATA       0x21
#define PIC2_CMD        0xa0
#define PIC2_DATA       0xa1
#define PIC_EOI         0x20
#define ICW1_INIT_ICW4  0x11            /* edge triggered, cascaded, ICW4 follows */
#define PIC1_BASE       0x20
#define PIC2_BASE       0x28
#define PIT_CH0         0x40
#define PIT_MODE        0x43
#define PIT_CH0_RATE    0x34            /* channel 0, low then high byte, mode 2 (rate generator), binary */
#define PIT_DIVISOR     11932           /* 1193182 Hz / 11932 = ~100 Hz */

#define APIC            0xfee00000
#define APIC_EOI        0x0b0
#define APIC_SVR        0x0f0
#define APIC_LVT_TIMER  0x320
#define APIC_LVT_LINT0  0x350
#define APIC_TIMER_INIT 0x380
#define APIC_TIMER_DIV  0x3e0
#define SVR_ENABLE      0x1ff           /* software enable, spurious vector 0xFF */
#define LVT_EXTINT      0x700           /* delivery mode ExtINT, not masked */
#define LVT_MASKED      0x10000
#define TIMER_PERIODIC  0x20000
#define APIC_VECTOR     0x30
#define DIVIDE_BY_16    0x3

#define PIT_TICKS       0x8000
#define APIC_TICKS      0x8004
#define STACK_TOP       0x9000
#define IDT             0xa000
#define IDT_VECTORS     (APIC_VECTOR + 1)
#define PIT_WANTED      10
#define APIC_WANTED     5

        .code16
        .text
rom_start:
real_entry:
        cli
        xorw    %ax, %ax
        movw    %ax, %ds
        movw    %ax, %ss
        movw    $STACK_TOP, %sp
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
        movl    $0, PIT_TICKS
        movl    $0, APIC_TICKS

        /* IDT: every vector to `unexpected`, then the three we use. */
        xorl    %ecx, %ecx
1:      movl    $(ROM_BASE + unexpected), %eax
        call    set_gate
        incl    %ecx
        cmpl    $IDT_VECTORS, %ecx
        jne     1b
        movl    $(PIC1_BASE + 0), %ecx
        movl    $(ROM_BASE + irq0_pit), %eax
        call    set_gate
        movl    $(PIC1_BASE + 7), %ecx  # IRQ 7 is where the 8259 reports a spurious interrupt
        movl    $(ROM_BASE + irq7_spurious), %eax
        call    set_gate
        movl    $APIC_VECTOR, %ecx
        movl    $(ROM_BASE + apic_timer), %eax
        call    set_gate
        lidt    ROM_BASE + idt_pointer
        movl    $(ROM_BASE + msg_start), %esi
        call    print

        /* 8259 pair: ICW1-ICW4, then mask everything but IRQ 0. */
        movb    $ICW1_INIT_ICW4, %al
        outb    %al, $PIC1_CMD
        outb    %al, $PIC2_CMD
        movb    $PIC1_BASE, %al         # ICW2: vector base
        outb    %al, $PIC1_DATA
        movb    $PIC2_BASE, %al
        outb    %al, $PIC2_DATA
        movb    $0x04, %al              # ICW3: the slave hangs on IRQ 2 ...
        outb    %al, $PIC1_DATA
        movb    $0x02, %al              # ... and knows its cascade identity
        outb    %al, $PIC2_DATA
        movb    $0x01, %al              # ICW4: 8086 mode, normal EOI
        outb    %al, $PIC1_DATA
        outb    %al, $PIC2_DATA
        movb    $0xfe, %al
        outb    %al, $PIC1_DATA
        movb    $0xff, %al
        outb    %al, $PIC2_DATA

        /* Local APIC: enabled, LINT0 passes the 8259's INTR through (virtual-wire mode), timer masked. */
        movl    $SVR_ENABLE, APIC + APIC_SVR
        movl    $LVT_EXTINT, APIC + APIC_LVT_LINT0
        movl    $(LVT_MASKED | APIC_VECTOR), APIC + APIC_LVT_TIMER

        movb    $PIT_CH0_RATE, %al
        outb    %al, $PIT_MODE
        movb    $(PIT_DIVISOR & 0xff), %al
        outb    %al, $PIT_CH0
        movb    $(PIT_DIVISOR >> 8), %al
        outb    %al, $PIT_CH0

1:      sti                             # STI's one-instruction shadow: no interrupt can slip in before HLT
        hlt
        cli
        cmpl    $PIT_WANTED, PIT_TICKS
        jb      1b
        movb    $0xff, %al              # PIT interrupts off at the PIC
        outb    %al, $PIC1_DATA
        movl    $(ROM_BASE + msg_pit), %esi
        call    print
        movl    PIT_TICKS, %eax
        call    print_dec
        call    newline

        /* Local APIC timer, periodic. */
        movl    $DIVIDE_BY_16, APIC + APIC_TIMER_DIV
        movl    $(TIMER_PERIODIC | APIC_VECTOR), APIC + APIC_LVT_TIMER
        movl    $100000, APIC + APIC_TIMER_INIT
1:      sti
        hlt
        cli
        cmpl    $APIC_WANTED, APIC_TICKS
        jb      1b
        movl    $(LVT_MASKED | APIC_VECTOR), APIC + APIC_LVT_TIMER
        movl    $0, APIC + APIC_TIMER_INIT      # stop it
        movl    $(ROM_BASE + msg_apic), %esi
        call    print
        movl    APIC_TICKS, %eax
        call    print_dec
        call    newline

        movb    $EXIT_SUCCESS, %al
        outb    %al, $EXIT_PORT
        hlt

set_gate:                               # %ecx = vector, %eax = handler
        movw    %ax, IDT(, %ecx, 8)
        movw    $code32_sel, IDT + 2(, %ecx, 8)
        movw    $0x8e00, IDT + 4(, %ecx, 8)     # present, DPL 0, 32-bit interrupt gate
        shrl    $16, %eax
        movw    %ax, IDT + 6(, %ecx, 8)
        ret

/* The counts stop at the number wanted, so a tick that lands between IRET and the main loop's CLI cannot
 * change the output. */
irq0_pit:
        pushl   %eax
        cmpl    $PIT_WANTED, PIT_TICKS
        jae     1f
        incl    PIT_TICKS
1:      movb    $PIC_EOI, %al
        outb    %al, $PIC1_CMD
        popl    %eax
        iret

irq7_spurious:                          # no EOI: the 8259 did not set an in-service bit for it
        iret

apic_timer:
        cmpl    $APIC_WANTED, APIC_TICKS
        jae     1f
        incl    APIC_TICKS
1:      movl    $0, APIC + APIC_EOI
        iret

unexpected:
        movl    $(ROM_BASE + msg_unexpected), %esi
        call    print
        movb    $EXIT_FAILURE, %al
        outb    %al, $EXIT_PORT
        hlt

print:                                  # %esi = NUL-terminated string; clobbers %al and %esi
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

print_dec:                              # %eax < 100, as decimal; clobbers %eax, %edx
        xorl    %edx, %edx
        movl    $10, %ecx
        divl    %ecx
        testl   %eax, %eax
        jz      1f
        addb    $'0', %al
        outb    %al, $DEBUGCON
1:      movb    %dl, %al
        addb    $'0', %al
        outb    %al, $DEBUGCON
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
        .word   IDT_VECTORS * 8 - 1
        .long   IDT

msg_start:      .asciz "protected mode; programming the 8259, the PIT and the local APIC\n"
msg_pit:        .asciz "PIT ticks through the 8259 (vector 0x20), each waking HLT: "
msg_apic:       .asciz "local APIC timer ticks (vector 0x30): "
msg_unexpected: .asciz "FAIL: unexpected interrupt\n"

        .code16
        .org    0xfff0
        ljmpl   $0xf000, $real_entry
        .org    0x10000
