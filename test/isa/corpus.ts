// Generates assembly lines from the table: every form × sizes × sample operands, written with and without the
// size suffix. The lines deliberately include combinations GNU rejects (64-bit registers in .code32, wrong
// suffixes) so the test checks rejection too.
import { forms, suffixOfSize } from '../../isa/table';
import type { InstructionForm } from '../../isa/schema';

const regs: Record<number, string[]> = {
  8: ['%al', '%cl', '%bh', '%sil', '%r9b'],
  16: ['%ax', '%dx', '%si', '%r10w'],
  32: ['%eax', '%ebx', '%ebp', '%r11d'],
  64: ['%rax', '%rsp', '%r13'],
};

function memSamples(mode: number): string[] {
  const common = ['0x100', 'sym'];
  if (mode === 16) return [...common, '(%bx)', '0x10(%bp,%si)', '-2(%di)', '%es:0x1234(%bx,%di)', '(%eax)', '0x12(%esp)'];
  if (mode === 32) return [...common, '(%eax)', '0x10(%ebp)', '-0x80(%esp)', '0x1234(%eax,%ebx,4)', '%fs:8(,%esi,2)', '(%bx,%si)', 'sym(%ecx)'];
  return [...common, '(%rax)', '0x10(%rbp)', '-0x81(%rsp)', '0x12345678(%r12,%rbx,8)', '(%r13)', '%gs:(%eax)', 'sym(%rip)', '8(%r8,%r15)'];
}

function immSamples(size: number): string[] {
  switch (size) {
    case 8: return ['$1', '$0x7f', '$-1', '$0xff', 'sym'].map((s) => (s === 'sym' ? '$sym' : s));
    case 16: return ['$1', '$0x80', '$-2', '$0x1234', '$sym'];
    case 64: return ['$1', '$-0x80', '$0x7fffffff', '$0xffffffff', '$0x123456789', '$sym'];
    default: return ['$1', '$0x7f', '$0x80', '$-1', '$0x12345678', '$sym'];
  }
}

function samples(spec: string, size: number, mode: number, form: InstructionForm): string[] {
  const eff = size || (mode === 16 ? 16 : 32);
  const fixed = /^(r|rm|rr|m)(8|16|32|64)$/.exec(spec);
  if (fixed) {
    const bits = Number(fixed[2]);
    const out: string[] = [];
    if (fixed[1] !== 'm') out.push(...regs[bits].slice(0, 3));
    if (fixed[1] !== 'r' && fixed[1] !== 'rr') out.push(...memSamples(mode).slice(2, 5));
    return out;
  }
  switch (spec) {
    case 'r': case 'rr': case 'ro':
      return regs[eff] ?? [];
    case 'rm':
      return [...(regs[eff] ?? []).slice(0, 2), ...memSamples(mode)];
    case 'm':
      return memSamples(mode);
    case 'rn': case 'rrn':
      return mode === 64 ? ['%rax', '%r9', '%eax'] : ['%eax', '%edi', '%ax'];
    case 'acc':
      return [regs[eff]?.[0] ?? '%eax'];
    case 'i':
      return immSamples(eff);
    case 'is8':
      return ['$1', '$-0x80', '$0x7f'];
    case 'i8':
      return ['$1', '$0xff', '$sym'];
    case 'i16':
      return ['$8', '$0x1234'];
    case 'i64': case 'i64big':
      return ['$0x123456789abcdef0', '$sym'];
    case '$1': return ['$1'];
    case '$3': return ['$3'];
    case 'sreg': return ['%ds', '%fs', '%cs'];
    case 'sti': return ['%st(1)', '%st', '%st(7)'];
    case 'cr': return ['%cr0', '%cr4', '%cr8'];
    case 'dr': return ['%db7', '%dr0'];
    case 'rel': case 'rel8': return ['sym'];
    case 'moffs': return ['0x1000', 'sym', '%es:0x20'];
    case 'fsel': return ['$0x10'];
    case 'foff': return ['$0x1000', '$sym'];
    case 'ms': return mode === 64 ? ['(%rsi)', '%fs:(%rsi)'] : mode === 32 ? ['(%esi)', '%es:(%esi)'] : ['(%si)', '(%esi)'];
    case 'md': return mode === 64 ? ['(%rdi)', '%es:(%rdi)'] : mode === 32 ? ['%es:(%edi)', '(%edi)'] : ['(%di)', '%es:(%edi)'];
    default:
      if (spec.startsWith('%')) return spec === '%dx' ? ['%dx', '(%dx)'] : [spec];
      void form;
      return [];
  }
}

function cartesian(lists: string[][], limit: number): string[][] {
  let out: string[][] = [[]];
  for (const l of lists) {
    const next: string[][] = [];
    for (const prefix of out) for (const x of l) next.push([...prefix, x]);
    out = next;
  }
  if (out.length <= limit) return out;
  // Keep a spread: every value of every position appears at least once.
  const step = out.length / limit;
  return Array.from({ length: limit }, (_, i) => out[Math.floor(i * step)]);
}

function addressingSamples(mode: 16 | 32 | 64): string[] {
  const out: string[] = [];
  const disps = ['', '0', '1', '-1', '0x7f', '-0x80', '0x80', '0x7fff', '-0x8000', '0x12345678', 'sym'];
  // 16-bit forms (valid natively in .code16, with 0x67 in .code32, rejected in .code64).
  const pairs16 = ['(%bx,%si)', '(%bx,%di)', '(%bp,%si)', '(%bp,%di)', '(%si)', '(%di)', '(%bp)', '(%bx)', '(%si,%bx)', '(%bx,%si,2)'];
  for (const p of pairs16) for (const d of ['', '0', '-1', '0x80', '0xff80', 'sym']) out.push(d + p);
  const regs32 = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'];
  const regs64 = ['rax', 'rsp', 'rbp', 'r12', 'r13', 'r15'];
  for (const b of regs32) for (const d of disps) out.push(`${d}(%${b})`);
  for (const b of ['eax', 'esp', 'ebp', '']) for (const x of ['esi', 'ebp', 'esp']) for (const sc of ['1', '2', '4', '8']) for (const d of ['', '0x10', '0x1000']) out.push(`${d}(${b ? '%' + b : ''},%${x},${sc})`);
  if (mode === 64) {
    for (const b of regs64) for (const d of disps) out.push(`${d}(%${b})`);
    for (const b of ['rax', 'r13', '']) for (const x of ['r12', 'rbp', 'r9']) for (const sc of ['1', '8']) for (const d of ['', '-8']) out.push(`${d}(${b ? '%' + b : ''},%${x},${sc})`);
    for (const d of ['0', 'sym', '0x100', '-4']) out.push(`${d}(%rip)`, `${d}(%eip)`);
    out.push('0x7fffffff', '0x80000000', '-0x80000000', '%fs:0x28', '%gs:(%rax)', '0x12345678(%r8d)');
  }
  out.push('%es:(%eax)', '%ss:(%ebp)', '%cs:0x10', '%ds:(%eax)', '0xffff', '0x10000');
  return out;
}

export function generateCorpus(mode: 16 | 32 | 64): string[] {
  const lines = new Set<string>();
  for (const form of forms) {
    const sizes = form.sizes.length ? form.sizes : [0];
    for (const size of sizes) {
      const lists = form.operands.map((s) => samples(s, size, mode, form));
      if (lists.some((l) => l.length === 0)) continue;
      const combos = cartesian(lists, 24);
      const name = form.names[0];
      const suffixes = size ? ['', suffixOfSize[size]] : [''];
      for (const ops of combos) {
        for (const sfx of suffixes) {
          for (const n of [name, ...form.names.slice(1, 2)]) {
            lines.add(`${n}${sfx} ${ops.join(', ')}`.trim());
          }
        }
      }
    }
  }
  // Addressing sweep: every base, index, scale and displacement class through one load and one store.
  for (const mem of addressingSamples(mode)) {
    lines.add(`add ${mem}, %ecx`);
    lines.add(`movb %dl, ${mem}`);
  }
  // Prefixes and aliases.
  for (const l of ['lock addl $1, (%eax)', 'lock btsl $0, sym', 'rep stosl', 'rep movsb', 'repne scasb', 'repe cmpsw',
    'es lock addl $1, (%eax)', 'data32 lgdt sym', 'addr32 movl $1, (%eax)', 'lock movl %eax, (%eax)', 'lock inc %eax',
    'rex64 movl %eax, %ebx', 'cs nop', 'jmpq *%rax', 'callq *%rax', 'retq', 'lgdtl sym', 'lidtl sym', 'ljmpl *sym',
    'ljmpw $0x10, $0x20', 'lcalll $0x10, $0x20', 'lretq', 'lretl', 'lretw', 'iretw', 'iretl', 'iretq', 'cbtw', 'cwtl',
    'cltq', 'cqto', 'nopw 0(%eax,%eax,1)', 'nopl 0x0(%eax)', 'xchg %eax, %eax', 'xchg %rax, %rax', 'xchg %ax, %ax',
    'movabs $0x1122334455667788, %rax', 'movabs 0x1122334455667788, %al', 'mov %ah, %sil', 'mov %ah, %al',
    'movb %al, %bx', 'movl %ax, %bx', 'mov %eax, %bx', 'movl $1, %ax', 'int $3', 'int3', 'shl %eax', 'shl $1, %eax',
    'imul $3, %eax', 'imul $300, %eax', 'push $-1', 'pushq $0x80', 'pushw %fs', 'push %cs', 'pop %cs',
    'mov %cr8, %rax', 'mov %rax, %cr8', 'movq %cr3, %rax', 'mov %eax, %cr0', 'movl %cr4, %eax', 'mov %db7, %eax',
    'mov %dr7, %rax', 'sysretq', 'sysexitq', 'swapgs', 'jrcxz sym', 'jecxz sym', 'jcxz sym', 'loop sym',
    'movzx %al, %eax', 'movzx %ax, %eax', 'movsx %al, %rax', 'movsx %eax, %rax', 'movslq %eax, %rax', 'movzbl %al, %eax',
    'movswl (%eax), %eax', 'movzwq %ax, %rax', 'movsbq %al, %rax', 'in (%dx), %al', 'inb $0x60', 'outb $0x80',
    'fxsave64 (%rax)', 'invpcid (%rax), %rax', 'cmpxchg16b (%rax)', 'cmpxchg8b (%eax)', 'bswap %r8', 'xlatb',
    'rep ret', 'rep nop', 'rep mov %eax,%ebx', 'repne movsb', 'lock rep stosb', 'rep lock addl $1,(%eax)', 'lock lock addl $1,(%eax)',
    'rep rep movsb', 'repz ret', 'lock nop', 'lock xchg %eax,(%ebx)', 'rep bsf %eax,%ebx', 'data16 movsl', 'addr16 movsl',
    'addr16 stosb', 'rep outsb', 'rep insw', 'rep lodsl', 'fs movsb', 'gs lodsb', 'cs jne sym', 'ds jmp sym', 'notrack jmp *%eax',
    'rep xlat', 'xacquire lock incl (%eax)', 'xrelease lock decl (%eax)', 'xrelease movl %eax, (%ebx)', 'bnd jmp sym', 'bnd ret',
    'addr32 jmp sym', 'addr16 jmp sym', 'data16 jmp sym', 'addr32 loop sym', 'data16 call sym',
    'andl $0xffffffff, %eax', 'andl $~0, %eax', 'addw $0xffff, %ax', 'and $0xffffffff, %eax', 'andl $0xffffffff, (%rax)',
    'andl $0xffffff80, 4(%eax)', 'orw $0xff80, %ax', 'cmpl $0xffffffff, %edx', 'pushq $0xffffffff', 'pushw $0xffff',
    'mov 0x100000000, %eax', 'mov 0x80000000, %al', 'mov %rax, 0xffffffff', 'mov -1, %eax', 'mov 0x100000000, %ebx',
    'mov 0x10000(%bx), %ax', 'mov -0x10000(%bx), %ax', 'mov 0x10000, %ax', 'mov 0x100000000(%eax), %eax', 'mov 0x100000000, %eax',
    'movb $-300, %al', 'movw $-70000, %ax', 'movb $256, %al', 'movl $0x100000000, %eax', 'movw $0xffff8000, %ax',
    'movw $0xfffe7fff, %ax', 'movb $0xffffff00, %al', 'addb $0x1ff, %al',
    'enter $8, $0', 'leaveq', 'pushfq', 'popfw', 'pushal', 'popaw', 'aam $5', 'aad', 'salc', 'finit', 'fstsw %ax',
  ]) lines.add(l);
  return [...lines];
}

/**
 * Instruction lines of the seed trampoline (../shared/seeds/trampoline_64_bsp.S) per .code mode, with every
 * symbol and macro name replaced by a number so GNU and we see the same constants.
 */
export function seedLines(source: string): Record<16 | 32 | 64, string[]> {
  const out: Record<16 | 32 | 64, string[]> = { 16: [], 32: [], 64: [] };
  let mode: 16 | 32 | 64 = 16;
  const text = source.replace(/\/\*[\s\S]*?\*\//g, ' ');
  const numbers = new Map<string, number>();
  const numberFor = (name: string): string => {
    if (!numbers.has(name)) numbers.set(name, 0x10 + numbers.size * 0x24);
    return '0x' + numbers.get(name)!.toString(16);
  };
  for (let line of text.split('\n')) {
    line = line.replace(/#.*$/, '').replace(/^\s*\w+:/, '').replace(/^\s*\d+:/, '').trim();
    const code = /^\.code(16|32|64)$/.exec(line);
    if (code) { mode = Number(code[1]) as 16 | 32 | 64; continue; }
    if (!line || line.startsWith('.') || /^[A-Z_]+\(/.test(line) || /=/.test(line)) continue;
    const m = /^(\S+)\s*(.*)$/.exec(line)!;
    const ops = m[2]
      .replace(/\b\d+[bf]\b/g, (s) => numberFor(s))
      .replace(/(%?)\b([A-Za-z_][A-Za-z0-9_]*)\b/g, (s, pct: string, id: string) => (pct ? s : numberFor(id)));
    out[mode].push(`${m[1]} ${ops}`.trim());
  }
  return out;
}
