/* Workload (b): memory- and paging-heavy. In 64-bit mode, 8 MiB at virtual 0x40000000 is mapped with 4 KiB
 * pages (PDPT[1] -> PD 0x10000 -> four page tables 0x11000..0x14FFF -> physical 0x200000..0x9FFFFF). Each outer
 * iteration loads and stores two words in every one of the 2048 pages, INVLPGs each page, then reloads CR3
 * (a full TLB flush); `loops` outer iterations. */
#include "common.h"
#define PD2             0x10000
#define PT0             0x11000
#define PAGES           2048
#define WINDOW          0x40000000
        .text
        .globl  _start
_start:
#include "enter-long.inc"
long_entry:
        xorl    %eax, %eax              /* clear PD2 and the four page tables */
        movl    $PD2, %edi
        movl    $(5 * 512), %ecx
        rep stosq
        movq    $(PD2 + 3), %rax
        movq    %rax, PDPT + 8
        movl    $PD2, %edi
        movq    $(PT0 + 3), %rax
        movl    $4, %ecx
2:      movq    %rax, (%rdi)
        addq    $0x1000, %rax
        addq    $8, %rdi
        loop    2b
        movl    $PT0, %edi
        movq    $(0x200000 + 3), %rax
        movl    $PAGES, %ecx
3:      movq    %rax, (%rdi)
        addq    $0x1000, %rax
        addq    $8, %rdi
        loop    3b
        movl    loops, %ebp
outer:
        movl    $WINDOW, %edi
        movl    $PAGES, %esi
inner:
        movq    (%rdi), %rax
        addq    %rsi, %rax
        movq    %rax, (%rdi)
        movq    %rax, 0x808(%rdi)
        invlpg  (%rdi)
        addq    $0x1000, %rdi
        decl    %esi
        jnz     inner
        movq    %cr3, %rax
        movq    %rax, %cr3
        decl    %ebp
        jnz     outer
#include "finish64.inc"
#include "tail.inc"
