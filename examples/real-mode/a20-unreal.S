/*
 * A 64 KiB firmware image (start mode "reset") that stays in real mode and checks two things every boot
 * loader depends on:
 *   - "unreal" mode: a segment register keeps the limit cached by a protected-mode load after CR0.PE is
 *     cleared, so real-mode code with DS = 0 can use 32-bit offsets to reach memory above 1 MiB;
 *   - the A20 gate, through both of its controls (port 0x92 and the 8042 keyboard controller's output port,
 *     command 0xD1): with A20 off, physical address bit 20 is forced to 0, so FFFF:0510 (linear 0x100500)
 *     lands on 0x000500 and linear 0x300500 on 0x200500; with A20 on they are distinct memory.
 * It also hooks its own real-mode interrupt vector (INT 60h through the IVT) to print.
 * Console (port 0xE9): one line per check. Exit (port 0xF4): 0x2a on success, status 85; 0x01 (status 3)
 * on a mismatch.
 * Run:  trampoline run a20-unreal.S --start reset
 */
#define DEBUGCON        0xe9
#define EXIT_PORT       0xf4
#define EXIT_SUCCESS    0x2a
#define EXIT_FAILURE    0x01
#define ROM_BASE        0xf0000

#define CR0_PE          0x01
#define PORT_A20_FAST   0x92            /* bit 1: A20; bit 0: fast reset, never written as 1 */
#define KBC_DATA        0x60
#define KBC_STATUS      0x64            /* bit 1: input buffer full (the controller has not taken our byte) */
#define KBC_COMMAND     0x64
#define KBC_WRITE_OUTPUT 0xd1           /* next data byte goes to the output port */
#define KBC_OUTPUT_A20_ON  0xdf         /* output port: A20 (bit 1) and no reset (bit 0) */
#define KBC_OUTPUT_A20_OFF 0xdd
#define LOW_PROBE       0x000500        /* free RAM below 1 MiB */
#define HIGH_PROBE      0x100500        /* LOW_PROBE + 1 MiB: its alias when A20 is off */
#define ODD_MB_PROBE    0x300500
#define EVEN_MB_PROBE   0x200500        /* ODD_MB_PROBE with bit 20 clear */
#define STACK_TOP       0x7c00
#define PRINT_VECTOR    0x60

        .code16
        .text
real_entry:
        cli
        xorw    %ax, %ax
        movw    %ax, %ss
        movw    $STACK_TOP, %sp
        movw    %cs, %ax                # DS = CS: strings and data come from the ROM until unreal mode
        movw    %ax, %ds

        /* Our own INT 60h: print the string at DS:SI. The IVT entry is offset then segment. */
        xorw    %ax, %ax
        movw    %ax, %es
        movw    $print_isr, %es:(PRINT_VECTOR * 4)
        movw    %cs, %es:(PRINT_VECTOR * 4 + 2)
        movw    $msg_start, %si
        int     $PRINT_VECTOR

        /* Unreal mode: load DS and ES from a 4 GiB data descriptor in protected mode, then go back. */
        lgdtl   gdt_pointer
        movl    %cr0, %eax
        orb     $CR0_PE, %al
        movl    %eax, %cr0
        jmp     1f                      # (16-bit protected mode: CS keeps its real-mode cache)
1:      movw    $data_sel, %bx
        movw    %bx, %ds
        movw    %bx, %es
        andb    $~CR0_PE, %al
        movl    %eax, %cr0
        jmp     2f
2:      xorw    %ax, %ax                # real mode again; the selector load below keeps the 4 GiB limit
        movw    %ax, %ds
        movw    %ax, %es
        movw    $(ROM_BASE >> 4), %ax   # strings are now read through FS
        movw    %ax, %fs

        call    a20_on_fast
        movl    $0x1ea1ab1e, %eax
        addr32 movl %eax, (EVEN_MB_PROBE)
        addr32 cmpl %eax, (EVEN_MB_PROBE)
        jne     fail
        movw    $msg_unreal, %si
        call    print

        /* A20 via port 0x92. */
        call    a20_off_fast
        call    expect_wrapped
        movw    $msg_fast_off, %si
        call    print
        call    a20_on_fast
        call    expect_distinct
        movw    $msg_fast_on, %si
        call    print

        /* A20 via the 8042: command 0xD1, then the new output port value. */
        movb    $KBC_OUTPUT_A20_OFF, %bl
        call    kbc_write_output
        call    expect_wrapped
        movw    $msg_kbc_off, %si
        call    print
        movb    $KBC_OUTPUT_A20_ON, %bl
        call    kbc_write_output
        call    expect_distinct
        movw    $msg_kbc_on, %si
        call    print

        movb    $EXIT_SUCCESS, %al
        outb    %al, $EXIT_PORT
        hlt

fail:
        movw    $msg_fail, %si
        call    print
        movb    $EXIT_FAILURE, %al
        outb    %al, $EXIT_PORT
        hlt

/* With A20 off, a write 1 MiB up must appear 1 MiB down: below 1 MiB and in odd megabytes alike. */
expect_wrapped:
        movb    $0x11, %al
        addr32 movb %al, (LOW_PROBE)
        movb    $0x22, %al
        addr32 movb %al, (HIGH_PROBE)
        addr32 cmpb $0x22, (LOW_PROBE)
        jne     fail
        movb    $0x33, %al
        addr32 movb %al, (EVEN_MB_PROBE)
        movb    $0x44, %al
        addr32 movb %al, (ODD_MB_PROBE)
        addr32 cmpb $0x44, (EVEN_MB_PROBE)
        jne     fail
        ret

/* With A20 on, the same two pairs are different bytes. */
expect_distinct:
        movb    $0x55, %al
        addr32 movb %al, (LOW_PROBE)
        movb    $0x66, %al
        addr32 movb %al, (HIGH_PROBE)
        addr32 cmpb $0x55, (LOW_PROBE)
        jne     fail
        movb    $0x77, %al
        addr32 movb %al, (EVEN_MB_PROBE)
        movb    $0x88, %al
        addr32 movb %al, (ODD_MB_PROBE)
        addr32 cmpb $0x77, (EVEN_MB_PROBE)
        jne     fail
        ret

a20_on_fast:
        inb     $PORT_A20_FAST, %al
        orb     $0x02, %al
        andb    $~0x01, %al
        outb    %al, $PORT_A20_FAST
        ret
a20_off_fast:
        inb     $PORT_A20_FAST, %al
        andb    $~0x03, %al
        outb    %al, $PORT_A20_FAST
        ret

kbc_write_output:                       # %bl = new output port value
        call    kbc_wait
        movb    $KBC_WRITE_OUTPUT, %al
        outb    %al, $KBC_COMMAND
        call    kbc_wait
        movb    %bl, %al
        outb    %al, $KBC_DATA
        call    kbc_wait                # the write has taken effect once the controller has consumed it
        ret
kbc_wait:                               # until the input buffer is empty
        inb     $KBC_STATUS, %al
        testb   $0x02, %al
        jnz     kbc_wait
        ret

print:                                  # FS:SI = NUL-terminated string, through our INT 60h
        pushw   %ds
        pushw   %fs
        popw    %ds
        int     $PRINT_VECTOR
        popw    %ds
        ret

print_isr:                              # DS:SI = string; an interrupt handler reached through the IVT
        pushw   %ax
        pushw   %si
1:      lodsb
        testb   %al, %al
        jz      2f
        outb    %al, $DEBUGCON
        jmp     1b
2:      popw    %si
        popw    %ax
        iret

        .balign 8
gdt:
        .quad   0
        .quad   0x00cf92000000ffff      # 0x08: data, base 0, limit 4 GiB
gdt_end:
data_sel = 0x08
gdt_pointer:
        .word   gdt_end - gdt - 1
        .long   ROM_BASE + gdt

msg_start:      .asciz "real mode; printing through our own INT 60h\n"
msg_unreal:     .asciz "unreal mode: DS = 0 reaches 0x200500 with a 32-bit offset\n"
msg_fast_off:   .asciz "A20 off (port 0x92): 0x100500 wraps to 0x500, 0x300500 to 0x200500\n"
msg_fast_on:    .asciz "A20 on (port 0x92): no wrap\n"
msg_kbc_off:    .asciz "A20 off (8042 output port): wraps again\n"
msg_kbc_on:     .asciz "A20 on (8042 output port): no wrap\n"
msg_fail:       .asciz "FAIL\n"

        .org    0xfff0
        ljmpl   $0xf000, $real_entry
        .org    0x10000
