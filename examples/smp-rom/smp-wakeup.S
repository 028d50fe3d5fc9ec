/*
 * A 64 KiB firmware image (start mode "reset") for a 4-CPU machine. The bootstrap processor climbs to flat
 * 32-bit protected mode, wakes the application processors with INIT-SIPI-SIPI, and waits. Each AP starts in
 * real mode in the page-aligned trampoline below, takes a spin lock before touching the one shared stack
 * (the same idea as the kernel's realmode stack lock), switches to protected mode, checks in, and halts.
 * Run:  trampoline run smp-wakeup.S --start reset --cpus 4
 */
#define DEBUGCON        0xe9
#define EXIT_PORT       0xf4
#define ROM_BASE        0xf0000         /* where the last 64 KiB of the ROM appear below 1 MiB */
#define APIC_BASE       0xfee00000
#define APIC_ID         0x20
#define APIC_SVR        0xf0
#define APIC_ICR_LOW    0x300
#define ICR_INIT_OTHERS 0x000c4500      /* all excluding self, INIT, level assert */
#define ICR_SIPI_OTHERS 0x000c4600      /* all excluding self, STARTUP; vector in bits 0-7 */

/* Shared state in RAM (the ROM is read-only). */
#define STACK_LOCK      0x6000
#define AP_COUNT        0x6004
#define AP_ID_SUM       0x6008
#define SHARED_STACK    0x7000
#define AP_TRAMPOLINE   0x1000          /* offset in the image; page-aligned, so SIPI vector 0xf1 */

        .code16
        .text
/* ---- Application-processor trampoline: must start on a 4 KiB boundary (SIPI vector = address >> 12) ---- */
        .org    AP_TRAMPOLINE
ap_trampoline:
        cli
        xorw    %ax, %ax
        movw    %ax, %ds
        movw    %ax, %ss

.Ltake_lock:                            # one AP at a time may use the shared stack
        lock btsl $0, STACK_LOCK
        jnc     .Lgot_lock
        pause
        jmp     .Ltake_lock
.Lgot_lock:
        movw    $SHARED_STACK, %sp
        pushw   %cs                     # something on the stack, popped before it is released
        lgdtl   %cs:(gdt_pointer - ap_trampoline)
        movl    %cr0, %eax
        orl     $1, %eax
        movl    %eax, %cr0
        ljmpl   $code32_sel, $(ROM_BASE + ap_protected)

        .code32
ap_protected:
        movl    $data_sel, %eax
        movl    %eax, %ds
        movl    %eax, %ss
        movl    $SHARED_STACK - 2, %esp
        popw    %ax                     # the CS pushed in real mode: 0xf100
        cmpw    $0xf100, %ax
        jne     .Lap_bad
        movl    APIC_BASE + APIC_ID, %eax
        shrl    $24, %eax
        lock addl %eax, AP_ID_SUM
        lock incl AP_COUNT
        movl    $0, STACK_LOCK          # release the stack for the next AP
.Lap_park:
        cli
        hlt
        jmp     .Lap_park
.Lap_bad:
        movb    $0x7f, %al
        outb    %al, $EXIT_PORT
        jmp     .Lap_park

/* ---- Bootstrap processor ---- */
        .code16
bsp_entry:
        cli
        xorw    %ax, %ax
        movw    %ax, %ds
        movw    %ax, %ss
        movw    $0x7c00, %sp
        lgdtl   %cs:gdt_pointer_bsp
        movl    %cr0, %eax
        orl     $1, %eax
        movl    %eax, %cr0
        ljmpl   $code32_sel, $(ROM_BASE + bsp_protected)

        .code32
bsp_protected:
        movl    $data_sel, %eax
        movl    %eax, %ds
        movl    %eax, %es
        movl    %eax, %ss
        movl    $0x7c00, %esp
        movl    $0, STACK_LOCK
        movl    $0, AP_COUNT
        movl    $0, AP_ID_SUM
        movl    $(ROM_BASE + msg_bsp), %esi
        call    print

        movl    $0x1ff, APIC_BASE + APIC_SVR            # software-enable the local APIC
        movl    $ICR_INIT_OTHERS, APIC_BASE + APIC_ICR_LOW
        call    delay
        movl    $(ICR_SIPI_OTHERS | ((ROM_BASE + AP_TRAMPOLINE) >> 12)), APIC_BASE + APIC_ICR_LOW
        call    delay
        movl    $(ICR_SIPI_OTHERS | ((ROM_BASE + AP_TRAMPOLINE) >> 12)), APIC_BASE + APIC_ICR_LOW

1:      cmpl    $3, AP_COUNT            # wait for the three APs to check in
        jne     1b
        movl    $(ROM_BASE + msg_done), %esi
        call    print
        movl    AP_ID_SUM, %eax         # APIC IDs 1 + 2 + 3
        addb    $'0', %al
        outb    %al, $DEBUGCON
        movb    $'\n', %al
        outb    %al, $DEBUGCON
        movb    $0x20, %al              # exit status (0x20 << 1) | 1 = 65
        outb    %al, $EXIT_PORT
2:      hlt
        jmp     2b

print:
1:      lodsb
        testb   %al, %al
        jz      2f
        outb    %al, $DEBUGCON
        jmp     1b
2:      ret

delay:
        movl    $2000, %ecx
1:      pause
        loop    1b
        ret

        .balign 8
gdt:
        .quad   0
        .quad   0x00cf9a000000ffff      # 0x08: flat 32-bit code
        .quad   0x00cf92000000ffff      # 0x10: flat data
gdt_end:
code32_sel = 0x08
data_sel = 0x10
gdt_pointer:                            # read through %cs by the APs (CS base 0xf1000)
        .word   gdt_end - gdt - 1
        .long   ROM_BASE + gdt
gdt_pointer_bsp:
        .word   gdt_end - gdt - 1
        .long   ROM_BASE + gdt

msg_bsp:        .asciz "BSP: waking 3 APs\n"
msg_done:       .asciz "BSP: all APs checked in, APIC ID sum "

/* ---- Reset vector: the CPU starts here at F000:FFF0 ---- */
        .code16
        .org    0xfff0
        ljmpl   $0xf000, $bsp_entry
        .org    0x10000
