/* Workload (a): real -> protected -> long mode with paging, then an integer loop in 64-bit mode:
 * 8 instructions per iteration (ALU, LEA, shift, rotate, DEC/JNZ), `loops` iterations. */
#include "common.h"
        .text
        .globl  _start
_start:
#include "enter-long.inc"
long_entry:
        movl    loops, %ecx
        xorl    %eax, %eax
        movl    $1, %edx
1:      addq    %rcx, %rax
        xorq    %rax, %rdx
        leaq    1(%rdx,%rax,2), %rbx
        shlq    $3, %rbx
        subq    %rbx, %rax
        rorq    $7, %rdx
        decq    %rcx
        jnz     1b
#include "finish64.inc"
#include "tail.inc"
