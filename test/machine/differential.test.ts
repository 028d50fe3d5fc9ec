// Instruction semantics against Unicorn (QEMU's CPU): register-only instruction forms assembled by GNU as in one
// batch, each run from random register and flag states in 32-bit protected and 64-bit mode (and a 16-bit real-mode
// subset) on both emulators. General registers, RIP and the flags the SDM defines for the operation (from the isa/
// docs: undefined flags are masked) must match, and exceptions (#DE) must agree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { asAvailable, requireOracle, unicornAvailable } from './oracle';
import { compareRegisterForms } from './register-forms-oracle';


const ALU = ['add', 'adc', 'sub', 'sbb', 'and', 'or', 'xor', 'cmp', 'test'];
const SHIFTS = ['shl', 'shr', 'sar', 'rol', 'ror', 'rcl', 'rcr'];
const CC = ['o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g'];

function templates(mode: 16 | 32 | 64): string[] {
  const r = mode === 64 ? { q: ['%rax', '%rbx', '%rcx', '%rdx', '%rsi', '%r9'], l: ['%eax', '%ebx', '%ecx', '%edx', '%esi', '%r10d'], w: ['%ax', '%bx', '%cx', '%dx', '%si'], b: ['%al', '%bl', '%cl', '%dh', '%sil'] }
    : { q: [], l: ['%eax', '%ebx', '%ecx', '%edx', '%esi', '%edi'], w: ['%ax', '%bx', '%cx', '%dx', '%si'], b: ['%al', '%bl', '%cl', '%dh', '%ah'] };
  const out: string[] = [];
  const sizes = (mode === 64 ? ['q', 'l', 'w', 'b'] : ['l', 'w', 'b']) as ('q' | 'l' | 'w' | 'b')[];
  for (const s of sizes) {
    const regs = r[s];
    const [a, b] = [regs[0], regs[1]];
    for (const op of ALU) {
      out.push(`${op}${s} ${b}, ${a}`, `${op}${s} $0x5a, ${regs[2]}`);
      if (s !== 'b') out.push(`${op}${s} $-3, ${b}`);
    }
    for (const op of SHIFTS) out.push(`${op}${s} ${a}`, `${op}${s} $1, ${b}`, `${op}${s} $7, ${b}`, `${op}${s} %cl, ${regs[3]}`);
    out.push(`inc${s} ${a}`, `dec${s} ${b}`, `neg${s} ${a}`, `not${s} ${b}`, `mul${s} ${b}`, `imul${s} ${b}`);
    if (s !== 'b') {
      out.push(`imul${s} ${b}, ${a}`, `imul${s} $-7, ${b}, ${a}`, `bt${s} ${b}, ${a}`, `bts${s} $5, ${a}`, `btr${s} ${b}, ${a}`, `btc${s} $3, ${a}`);
      out.push(`bsf${s} ${b}, ${a}`, `bsr${s} ${b}, ${a}`, `xadd${s} ${b}, ${a}`, `cmpxchg${s} ${b}, ${a}`);
      for (const cc of ['e', 'l', 'a', 'p', 'o']) out.push(`cmov${cc}${s} ${b}, ${a}`);
      out.push(`div${s} ${b}`, `idiv${s} ${b}`);
    }
    out.push(`xchg${s} ${b}, ${a}`, `mov${s} ${b}, ${a}`);
  }
  for (const cc of CC) out.push(`set${cc} %al`);
  out.push('movzbl %bl, %eax', 'movsbl %bl, %eax', 'movzwl %bx, %eax', 'movswl %bx, %eax', 'cwtl', 'cltd', 'cbtw', 'cwtd');
  out.push('lahf', 'sahf', 'clc', 'stc', 'cmc', 'bswap %eax', 'leal 4(%ebx,%ecx,2), %eax');
  if (mode === 64) out.push('movslq %ebx, %rax', 'cltq', 'cqto', 'bswap %rax', 'leaq -8(%rbx,%rcx,8), %rax', 'movabs $0x123456789abcdef0, %r9');
  if (mode === 16) return out.filter((x) => !/%r|[lq] |bswap|cmov|lea|bs[fr]|xadd|cmpxchg/.test(x) && !x.startsWith('bt'));
  return out;
}

for (const mode of [16, 32, 64] as const) {
  test(`instruction semantics in ${mode}-bit mode agree with Unicorn`, (t) => {
    if (!requireOracle(t, unicornAvailable(), 'python3-unicorn')) return;
    if (!requireOracle(t, asAvailable(), 'GNU as')) return;
    const tpl = templates(mode);
    const { cases, compared, faults, failures } = compareRegisterForms(mode, tpl, mode * 7919);
    t.diagnostic(`${mode}-bit: ${tpl.length} instruction forms, ${cases} cases (${compared} compared in full, ${faults} raised exceptions)`);
    assert.deepEqual(failures.slice(0, 15), [], `${failures.length} mismatches`);
  });
}
