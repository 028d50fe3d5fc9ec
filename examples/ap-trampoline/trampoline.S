/*
 * An application-processor trampoline in the style of the kernel's realmode code, written for the
 * x86 Trampoline examples. It can be entered three ways, like the kernel's trampoline:
 *   trampoline_start   - real mode after a STARTUP IPI (start "ap", CS = load >> 4, IP = 0)
 *   trampoline_start32 - flat 32-bit protected mode, paging off
 *   trampoline_start64 - 64-bit mode (start "long64")
 * Every entry takes the stack lock first, with the addressing its mode allows, then climbs to 64-bit mode,
 * says so on the debug console (port 0xE9) and exits through isa-debug-exit (port 0xF4).
 */
#include <linux/linkage.h>
#include <asm/segment.h>
#include <asm/processor-flags.h>
#include <asm/msr.h>
#include <asm/page_types.h>
#include <asm/pgtable_types.h>

#ifndef LOAD_ADDR
#define LOAD_ADDR       0x8000          /* physical address of the trampoline page */
#endif
#define DEBUGCON        0xe9
#define EXIT_PORT       0xf4

/*
 * Only one CPU may use the trampoline stack at a time. The lock word is addressed
 * by physical address (lock_pa=1), RIP-relative (lock_rip=1) or, by default,
 * relative to the trampoline base with DS = CS in real mode.
 */
.macro TAKE_STACK_LOCK lock_pa=0 lock_rip=0
.Lretry_lock\@:
.if \lock_pa
        lock btsl $0, pa_stack_lock
.elseif \lock_rip
        lock btsl $0, stack_lock(%rip)
.else
        lock btsl $0, stack_lock - tramp_base
.endif
        jnc     2f
        pause
        jmp     .Lretry_lock\@
2:
.endm

/* Write a NUL-terminated string at \msg to the debug console; clobbers %al and the given index register. */
.macro PUTS msg:req, reg=%esi
        lea     \msg, \reg
.Lputs\@:
        lodsb
        testb   %al, %al
        jz      .Lputs_done\@
        outb    %al, $DEBUGCON
        jmp     .Lputs\@
.Lputs_done\@:
.endm

        .text
        .code16
        .balign PAGE_SIZE
SYM_CODE_START(trampoline_start)
tramp_base = .
        cli
        mov     %cs, %ax
        mov     %ax, %ds
        mov     %ax, %ss

        TAKE_STACK_LOCK

        movw    $(stack_end - tramp_base), %sp

        movzx   %ax, %esi               # physical base of this page
        shll    $4, %esi
        leal    (gdt - tramp_base)(%esi), %eax
        movl    %eax, (gdt_pointer + 2 - tramp_base)
        leal    (startup_32 - tramp_base)(%esi), %eax
        movl    %eax, (startup_32_vector - tramp_base)

        lidtl   idt_pointer - tramp_base
        lgdtl   gdt_pointer - tramp_base

        mov     $X86_CR0_PE, %ax
        lmsw    %ax
        ljmpl   *(startup_32_vector - tramp_base)
SYM_CODE_END(trampoline_start)

        .code32
        .balign 4
SYM_CODE_START(trampoline_start32)
        cli
        movl    $LOAD_ADDR, %esi
        TAKE_STACK_LOCK lock_pa=1
        leal    (gdt - tramp_base)(%esi), %eax
        movl    %eax, (gdt_pointer + 2 - tramp_base)(%esi)
        lgdt    (gdt_pointer - tramp_base)(%esi)
        ljmpl   $__KERNEL32_CS, $(LOAD_ADDR + startup_32 - tramp_base)
SYM_CODE_END(trampoline_start32)

startup_32:
        movl    $__KERNEL_DS, %eax
        movl    %eax, %ds
        movl    %eax, %es
        movl    %eax, %ss
        leal    (stack_end - tramp_base)(%esi), %esp

        movl    %cr4, %eax
        orl     $X86_CR4_PAE, %eax
        movl    %eax, %cr4

        /* Identity-map the first GiB: one PML4 entry, one PDPT entry, 512 large pages */
        leal    (page_tables - tramp_base)(%esi), %edi
        leal    (PAGE_SIZE + _KERNPG_TABLE)(%edi), %eax
        movl    %eax, 0(%edi)
        leal    (2 * PAGE_SIZE + _KERNPG_TABLE)(%edi), %eax
        movl    %eax, PAGE_SIZE(%edi)
        addl    $(2 * PAGE_SIZE), %edi
        movl    $__PAGE_KERNEL_LARGE_EXEC, %eax
        movl    $512, %ecx
1:      movl    %eax, 0(%edi)
        movl    $0, 4(%edi)
        addl    $0x200000, %eax
        addl    $8, %edi
        loop    1b

        leal    (page_tables - tramp_base)(%esi), %eax
        movl    %eax, %cr3

        movl    $MSR_EFER, %ecx
        rdmsr
        btsl    $_EFER_LME, %eax
        wrmsr

        pushl   $__KERNEL_CS
        leal    (startup_64 - tramp_base)(%esi), %eax
        pushl   %eax
        movl    $(X86_CR0_PG | X86_CR0_PE), %eax
        movl    %eax, %cr0
        lret

        .code64
        .balign 4
SYM_CODE_START(trampoline_start64)
        TAKE_STACK_LOCK lock_rip=1
        leaq    stack_end(%rip), %rsp
        jmp     startup_64
SYM_CODE_END(trampoline_start64)

startup_64:
        PUTS    msg_long(%rip), %rsi
        movl    $0, stack_lock(%rip)    # let the next CPU in
        movb    $0x21, %al              # exit status (0x21 << 1) | 1 = 67
        outb    %al, $EXIT_PORT
1:      hlt
        jmp     1b

        .balign 8
gdt:
        .quad   0                       # null descriptor
        .quad   0x00cf9b000000ffff      # __KERNEL32_CS: 32-bit code
        .quad   0x00af9b000000ffff      # __KERNEL_CS: 64-bit code (L=1)
        .quad   0x00cf93000000ffff      # __KERNEL_DS
gdt_end:

        .balign 4
idt_pointer:
        .word   0
        .long   0
gdt_pointer:
        .word   gdt_end - gdt - 1
        .long   0                       # patched with the physical address of gdt
startup_32_vector:
        .long   0                       # patched with the physical address of startup_32
        .word   __KERNEL32_CS, 0

        .balign 4
SYM_DATA(stack_lock, .long 0)
pa_stack_lock = LOAD_ADDR + stack_lock - tramp_base
msg_long:
        .asciz  "trampoline: 64-bit mode reached\n"

        .balign 8
stack:
        .fill   64, 8, 0
stack_end:

        .balign PAGE_SIZE
page_tables:
        .fill   3 * PAGE_SIZE, 1, 0
