// A generated, realistic GNU-as source of a given size for the assembler benchmark: cpp #defines, macros with
// arguments and .rept, 16-, 32- and 64-bit code (ALU, moves with every addressing form, control-register moves,
// far jumps, string instructions), named and numeric local labels with forward and backward branches (short and
// relaxed to near), and data directives. Deterministic (fixed-seed generator) so runs are comparable.

/** A small deterministic generator (xorshift32). */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

const HEADER = `#define KERNEL_CS 0x10
#define KERNEL_DS 0x18
#define CR0_PE 0x00000001
#define CR4_PAE 0x00000020
#define STACK_BASE 0x9000
#define SCALE(x) ((x) * 8)

        .macro  SAVE_REGS
        pushq   %rax
        pushq   %rbx
        pushq   %rcx
        .endm
        .macro  RESTORE_REGS
        popq    %rcx
        popq    %rbx
        popq    %rax
        .endm
        .macro  LOAD_SEG sel, reg
        movw    $\\sel, %ax
        movw    %ax, \\reg
        .endm
        .macro  FILL_TABLE base, count
        .rept   \\count
        .quad   \\base + 0x83
        .endr
        .endm
        .text
`;

const R64 = ['%rax', '%rbx', '%rcx', '%rdx', '%rsi', '%rdi', '%r8', '%r9', '%r10', '%r11', '%r12', '%r13', '%r14', '%r15'];
const R32 = ['%eax', '%ebx', '%ecx', '%edx', '%esi', '%edi', '%ebp'];
const R16 = ['%ax', '%bx', '%cx', '%dx', '%si', '%di', '%bp'];
const ALU = ['add', 'sub', 'and', 'or', 'xor', 'cmp', 'adc', 'sbb', 'test'];
const CC = ['je', 'jne', 'jb', 'jae', 'jl', 'jge', 'jz', 'jnz', 'ja', 'jbe'];

function block64(i: number, r: () => number): string[] {
  const g = () => R64[r() % R64.length];
  const lines = [`        .code64`, `long_block_${i}:`, `        SAVE_REGS`];
  for (let k = 0; k < 14; k++) {
    switch (r() % 9) {
      case 0: lines.push(`        ${ALU[r() % ALU.length]}q    ${g()}, ${g()}`); break;
      case 1: lines.push(`        movq    ${(r() % 256) * 8}(${g()},${g()},${1 << (r() % 4)}), ${g()}`); break;
      case 2: lines.push(`        movl    $0x${(r() % 0xfffff).toString(16)}, ${R32[r() % R32.length]}`); break;
      case 3: lines.push(`        leaq    SCALE(${r() % 64})(${g()}), ${g()}`); break;
      case 4: lines.push(`        shlq    $${1 + (r() % 63)}, ${g()}`); break;
      case 5: lines.push(`        movq    ${g()}, long_data_${i}(%rip)`); break;
      case 6: lines.push(`        imulq   ${g()}, ${g()}`); break;
      case 7: lines.push(`        ${CC[r() % CC.length]}     1f`, `        incq    ${g()}`, `1:`); break;
      default: lines.push(`        cmpq    $${r() % 100}, ${g()}`, `        ${CC[r() % CC.length]}     long_block_${i}`); break;
    }
  }
  lines.push(`        RESTORE_REGS`, `        movq    %cr3, %rax`, `        movq    %rax, %cr3`, `        jmp     long_next_${i}`, `long_data_${i}:`, `        .quad   0x${(r() >>> 0).toString(16)}, long_block_${i}`, `long_next_${i}:`);
  return lines;
}

function block32(i: number, r: () => number): string[] {
  const g = () => R32[r() % R32.length];
  const lines = [`        .code32`, `prot_block_${i}:`, `        LOAD_SEG KERNEL_DS, %ds`];
  for (let k = 0; k < 12; k++) {
    switch (r() % 7) {
      case 0: lines.push(`        ${ALU[r() % ALU.length]}l    ${g()}, ${g()}`); break;
      case 1: lines.push(`        movl    ${(r() % 512) * 4}(${g()}), ${g()}`); break;
      case 2: lines.push(`        movl    %cr0, %eax`, `        orl     $CR0_PE, %eax`, `        movl    %eax, %cr0`); break;
      case 3: lines.push(`        pushl   ${g()}`, `        popl    ${g()}`); break;
      case 4: lines.push(`        ${CC[r() % CC.length]}     2f`, `        rep movsb`, `2:`); break;
      case 5: lines.push(`        movzbl  prot_data_${i}, %eax`); break;
      default: lines.push(`        decl    %ecx`, `        jnz     prot_block_${i}`); break;
    }
  }
  lines.push(`        ljmp    $KERNEL_CS, $prot_next_${i}`, `prot_data_${i}:`, `        .long   ${r() % 100000}, prot_block_${i}`, `        .word   ${r() % 65536}`, `        .ascii  "block ${i}\\n"`, `prot_next_${i}:`);
  return lines;
}

function block16(i: number, r: () => number): string[] {
  const g = () => R16[r() % R16.length];
  const lines = [`        .code16`, `real_block_${i}:`, `        cli`, `        xorw    %ax, %ax`, `        movw    %ax, %ds`];
  for (let k = 0; k < 10; k++) {
    switch (r() % 6) {
      case 0: lines.push(`        ${ALU[r() % ALU.length]}w    ${g()}, ${g()}`); break;
      case 1: lines.push(`        movw    ${r() % 1024}(%bx,%si), ${g()}`); break;
      case 2: lines.push(`        movl    $STACK_BASE, %esp`); break;
      case 3: lines.push(`        inb     $0x92, %al`, `        orb     $2, %al`, `        outb    %al, $0x92`); break;
      case 4: lines.push(`        ${CC[r() % CC.length]}     real_block_${i}`); break;
      default: lines.push(`        lgdtl   (real_gdt_${i} - real_block_${i})(%bx)`); break;
    }
  }
  lines.push(`        jmp     real_next_${i}`, `        .p2align 3`, `real_gdt_${i}:`, `        .word   0x17`, `        .long   real_block_${i}`, `real_next_${i}:`);
  return lines;
}

/** About `lines` lines of assembly (a little more: whole blocks). */
export function generateAssembly(lines: number, seed = 0x5eed): string {
  const r = rng(seed);
  const out = [HEADER];
  let n = HEADER.split('\n').length;
  for (let i = 0; n < lines; i++) {
    const b = [...block16(i, r), ...block32(i, r), ...block64(i, r)];
    if (i % 25 === 0) b.push(`        .p2align 4`, `table_${i}:`, `        FILL_TABLE 0x${(i * 0x200000).toString(16)}, 8`);
    out.push(b.join('\n'));
    n += b.length;
  }
  return out.join('\n') + '\n';
}
