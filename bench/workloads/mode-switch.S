/* Workload (c): mode switches. Each of `loops` rounds goes real mode -> 32-bit protected mode -> 64-bit mode
 * (PAE, CR3, EFER.LME, CR0.PG, far jump) -> 32-bit compatibility mode (LRETQ) -> paging and LME off ->
 * 16-bit protected mode -> real mode, reloading the data segments in each mode. The counter lives in EBP. */
#include "common.h"
        .text
        .globl  _start
_start:
        .code16
        cli
        ljmp    $0, $1f
1:      xorw    %ax, %ax
        movw    %ax, %ds
        movw    %ax, %es
        movw    %ax, %ss
        movw    $0x7c00, %sp
        inb     $0x92, %al
        orb     $2, %al
        andb    $0xfe, %al
        outb    %al, $0x92
        xorl    %eax, %eax
        movw    $PML4, %di
        movw    $0xc00, %cx
        cld
        rep stosl
        movl    $(PDPT + 3), PML4
        movl    $(PD + 3), PDPT
        movl    $0x83, PD               /* one 2 MiB page: this code and its data */
        lgdtl   gdt_pointer
        movl    loops, %ebp
round:                                  /* real mode */
        movl    %cr0, %eax
        orl     $CR0_PE, %eax
        movl    %eax, %cr0
        ljmpl   $SEL_CODE32, $pm32
        .code32
pm32:
        movw    $SEL_DATA32, %ax
        movw    %ax, %ds
        movw    %ax, %ss
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
        ljmpl   $SEL_CODE64, $lm64
        .code64
lm64:
        movl    $SEL_DATA32, %eax
        movw    %ax, %ds
        pushq   $SEL_CODE32
        pushq   $compat
        lretq
        .code32
compat:
        movl    %cr0, %eax
        andl    $~CR0_PG, %eax
        movl    %eax, %cr0
        movl    $MSR_EFER, %ecx
        rdmsr
        andl    $~EFER_LME, %eax
        wrmsr
        ljmpl   $SEL_CODE16, $pm16
        .code16
pm16:
        movw    $SEL_DATA16, %ax
        movw    %ax, %ds
        movw    %ax, %ss
        movl    %cr0, %eax
        andl    $~CR0_PE, %eax
        movl    %eax, %cr0
        ljmp    $0, $real
real:
        xorw    %ax, %ax
        movw    %ax, %ds
        movw    %ax, %ss
        decl    %ebp
        jnz     round
        movw    $done_msg, %si
        movw    $done_len, %cx
        movw    $DEBUGCON, %dx
        rep outsb
        xorb    %al, %al
        outb    %al, $EXIT_PORT
        lidt    null_idt
        int3
#include "tail.inc"
