/*
 * A 64 KiB firmware image (start mode "reset") for a 4-CPU machine. The bootstrap processor prepares two
 * sets of page tables (4-level, and a 5-level root above the same tables), then wakes the three application
 * processors with INIT-SIPI-SIPI. Each AP starts in real mode in the page-aligned trampoline below and takes
 * a spin lock before touching the one shared stack (the idea behind the kernel's LOCK_AND_LOAD_REALMODE_ESP),
 * holding it for its whole climb: real mode -> protected mode -> long mode with 4-level paging, as firmware
 * would leave it. Then it does what trampoline_start64 does when the kernel runs 5-level paging: it compares
 * its CR4.LA57 with the wanted value, and since they differ it far-returns to a compatibility-mode segment,
 * turns paging off, sets CR4.LA57, loads the PML5 root and turns paging on again before returning to 64-bit
 * code. It checks in (APIC ID sum and count with locked adds), releases the stack and halts.
 * The APs print under the lock, so the output is the same whatever order they run in.
 * Console (port 0xE9). Exit (port 0xF4): 0x5a from the BSP once all three APs run 5-level, status 181.
 * Run:  trampoline run five-level-aps.S --start reset --cpus 4
 */
#define DEBUGCON        0xe9
#define EXIT_PORT       0xf4
#define EXIT_SUCCESS    0x5a
#define EXIT_FAILURE    0x01
#define ROM_BASE        0xf0000
#define APIC_BASE       0xfee00000
#define APIC_ID         0x20
#define APIC_SVR        0xf0
#define APIC_ICR_LOW    0x300
#define ICR_INIT_OTHERS 0x000c4500      /* all excluding self, INIT, level assert */
#define ICR_SIPI_OTHERS 0x000c4600      /* all excluding self, STARTUP; vector in bits 0-7 */

#define CR0_PE          0x00000001
#define CR0_PG          0x80000000
#define CR4_PAE         0x00000020
#define CR4_LA57        0x00001000
#define MSR_EFER        0xc0000080
#define EFER_LME        0x00000100
#define PTE_P           0x001
#define PTE_RW          0x002
#define PTE_PS          0x080

/* RAM. */
#define PML4            0x1000
#define PDPT            0x2000
#define PD              0x3000          /* identity 0-2 MiB */
#define PML5            0x4000          /* PML5[0] = PML4: the same map, one level deeper */
#define STACK_LOCK      0x5000
#define AP_COUNT        0x5004
#define AP_ID_SUM       0x5008
#define WANTED_CR4_LA57 0x500c          /* what the kernel runs with, as trampoline_start64 reads it */
#define SHARED_STACK    0x7000
#define BSP_STACK       0x7c00
#define AP_TRAMPOLINE   0x1000          /* offset in the image; page-aligned, so SIPI vector 0xf1 */

        .code16
        .text
/* ---- AP trampoline: starts at CS = 0xF100, IP = 0 ---- */
        .org    AP_TRAMPOLINE
ap_trampoline:
        cli
        xorw    %ax, %ax
        movw    %ax, %ds
        movw    %ax, %ss
.Ltake_lock:                            # nothing may touch the shared stack before this succeeds
        lock btsl $0, STACK_LOCK
        jnc     .Lgot_lock
        pause
        jmp     .Ltake_lock
.Lgot_lock:
        movw    $SHARED_STACK, %sp
        lgdtl   %cs:(gdt_pointer - ap_trampoline)
        movl    %cr0, %eax
        orl     $CR0_PE, %eax
        movl    %eax, %cr0
        ljmpl   $code32_sel, $(ROM_BASE + ap_protected)

        .code32
ap_protected:
        movl    $data_sel, %eax
        movl    %eax, %ds
        movl    %eax, %es
        movl    %eax, %ss
        movl    $SHARED_STACK, %esp
        /* Read the APIC ID now, while paging is off: the APIC page is not in the map. Only %ebp is used
         * later, since the upper halves of registers are undefined across compatibility mode. */
        movl    APIC_BASE + APIC_ID, %ebp
        shrl    $24, %ebp
        movl    $(ROM_BASE + msg_ap_pm), %esi
        call    print32
        movl    %cr4, %eax              # the firmware's choice: 4-level
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
        ljmpl   $code64_sel, $(ROM_BASE + ap_start64)

        .code64
ap_start64:                             # the trampoline_start64 situation: 64-bit, firmware paging
        movq    $SHARED_STACK, %rsp
        leaq    msg_ap_long4(%rip), %rsi
        call    print64
        movq    %cr4, %rax
        xorl    WANTED_CR4_LA57, %eax
        andl    $CR4_LA57, %eax
        jz      ap_paging_ok            # already the wanted mode (not the case here)
        pushq   $code32_sel             # paging can only be turned off outside 64-bit mode
        leaq    ap_compat(%rip), %rax
        pushq   %rax
        lretq

        .code32
ap_compat:
        movl    %cr0, %eax
        andl    $~CR0_PG, %eax
        movl    %eax, %cr0              # IA-32e mode off
        movl    %cr4, %eax
        orl     $CR4_LA57, %eax
        movl    %eax, %cr4
        movl    $PML5, %eax
        movl    %eax, %cr3
        movl    %cr0, %eax
        orl     $CR0_PG, %eax
        movl    %eax, %cr0              # IA-32e mode again, 5-level
        ljmpl   $code64_sel, $(ROM_BASE + ap_paging_ok)

        .code64
ap_paging_ok:
        movq    %cr4, %rax
        testl   $CR4_LA57, %eax
        jz      ap_fail
        leaq    msg_ap_long5(%rip), %rsi
        call    print64
        lock addl %ebp, AP_ID_SUM
        lock incl AP_COUNT
        movl    $0, STACK_LOCK          # the stack is free for the next AP
1:      cli
        hlt
        jmp     1b
ap_fail:
        movb    $EXIT_FAILURE, %al
        outb    %al, $EXIT_PORT
        jmp     1b

print64:                                # %rsi = string; clobbers %al and %rsi
1:      lodsb
        testb   %al, %al
        jz      2f
        outb    %al, $DEBUGCON
        jmp     1b
2:      ret

/* ---- Bootstrap processor ---- */
        .code16
bsp_entry:
        cli
        xorw    %ax, %ax
        movw    %ax, %ds
        movw    %ax, %ss
        movw    $BSP_STACK, %sp
        lgdtl   %cs:gdt_pointer_bsp
        movl    %cr0, %eax
        orl     $CR0_PE, %eax
        movl    %eax, %cr0
        ljmpl   $code32_sel, $(ROM_BASE + bsp_protected)

        .code32
bsp_protected:
        movl    $data_sel, %eax
        movl    %eax, %ds
        movl    %eax, %es
        movl    %eax, %ss
        movl    $BSP_STACK, %esp
        movl    $PML4, %edi             # tables and shared variables
        xorl    %eax, %eax
        movl    $((STACK_LOCK + 0x1000 - PML4) / 4), %ecx
        rep stosl
        movl    $(PDPT | PTE_P | PTE_RW), PML4
        movl    $(PD | PTE_P | PTE_RW), PDPT
        movl    $(0 | PTE_P | PTE_RW | PTE_PS), PD
        movl    $(PML4 | PTE_P | PTE_RW), PML5
        movl    $CR4_LA57, WANTED_CR4_LA57
        movl    $(ROM_BASE + msg_bsp), %esi
        call    print32

        movl    $0x1ff, APIC_BASE + APIC_SVR
        movl    $ICR_INIT_OTHERS, APIC_BASE + APIC_ICR_LOW
        call    delay
        movl    $(ICR_SIPI_OTHERS | ((ROM_BASE + AP_TRAMPOLINE) >> 12)), APIC_BASE + APIC_ICR_LOW
        call    delay
        movl    $(ICR_SIPI_OTHERS | ((ROM_BASE + AP_TRAMPOLINE) >> 12)), APIC_BASE + APIC_ICR_LOW

1:      pause
        cmpl    $3, AP_COUNT
        jne     1b
        movl    $(ROM_BASE + msg_done), %esi
        call    print32
        movl    AP_ID_SUM, %eax
        addb    $'0', %al
        outb    %al, $DEBUGCON
        movb    $'\n', %al
        outb    %al, $DEBUGCON
        cmpl    $6, AP_ID_SUM           # APIC IDs 1 + 2 + 3
        jne     2f
        movb    $EXIT_SUCCESS, %al
        outb    %al, $EXIT_PORT
2:      movb    $EXIT_FAILURE, %al
        outb    %al, $EXIT_PORT
        hlt

print32:                                # %esi = string; clobbers %al and %esi
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
        .quad   0x00cf9a000000ffff      # 0x08: 32-bit code (also the compatibility-mode segment)
        .quad   0x00cf92000000ffff      # 0x10: data
        .quad   0x00af9a000000ffff      # 0x18: 64-bit code
gdt_end:
code32_sel = 0x08
data_sel = 0x10
code64_sel = 0x18
gdt_pointer:                            # read through %cs by the APs (CS base 0xf1000)
        .word   gdt_end - gdt - 1
        .long   ROM_BASE + gdt
gdt_pointer_bsp:
        .word   gdt_end - gdt - 1
        .long   ROM_BASE + gdt

msg_bsp:        .asciz "BSP: tables ready, waking 3 APs\n"
msg_ap_pm:      .asciz "AP: holding the stack lock, protected mode\n"
msg_ap_long4:   .asciz "AP: long mode with 4-level paging, LA57 wanted: switching\n"
msg_ap_long5:   .asciz "AP: long mode with 5-level paging\n"
msg_done:       .asciz "BSP: all APs run 5-level paging, APIC ID sum "

        .code16
        .org    0xfff0
        ljmpl   $0xf000, $bsp_entry
        .org    0x10000
