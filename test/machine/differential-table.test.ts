// Instruction semantics against Unicorn, with the forms taken from the isa/ table instead of a hand-picked list:
// every general-purpose form whose operands are registers and immediates only (ALU, shifts and rotates by
// immediate and %cl, multiply and divide, bit tests and scans, double shifts, cmov/set, xchg/xadd/cmpxchg,
// sign and zero extension, BCD, flag instructions), with random registers (REX ones in 64-bit mode) and boundary
// immediates. Lines GNU rejects or warns about are dropped; the rest run from 24 random states each.
// Left out: forms Unicorn's CPU model lacks (popcnt, lzcnt, tzcnt, adcx, adox: it raises #UD for them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forms, suffixOfSize } from '../../isa/table';
import { gnuAssemble as gnuVerdicts } from '../isa/gnu-oracle';
import { asAvailable, requireOracle, unicornAvailable } from './oracle';
import { compareRegisterForms } from './register-forms-oracle';
import { seededRandom } from '../seeded-random';

const OPS = new Set(['add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'cmp', 'rol', 'ror', 'rcl', 'rcr', 'shl', 'shr', 'sar', 'not', 'neg',
  'mul', 'imul', 'div', 'idiv', 'inc', 'dec', 'test', 'mov', 'movzx', 'movsx', 'movsxd', 'xchg', 'cmpxchg', 'xadd', 'bt', 'bts', 'btr',
  'btc', 'bsf', 'bsr', 'shld', 'shrd', 'bswap', 'setcc', 'cmovcc', 'lahf', 'sahf', 'cbw', 'cwd', 'daa', 'das', 'aaa', 'aas', 'aam',
  'aad', 'clc', 'stc', 'cmc']);
const SPECS = new Set(['r', 'rr', 'rm', 'acc', 'ro', 'i', 'is8', 'i8', 'i16', '$1', '%cl', 'r8', 'r16', 'r32', 'r64', 'rm8', 'rm16', 'rm32', 'rm64', 'rr32', 'rr64']);
const IMM = ['0', '1', '2', '3', '7', '8', '0xf', '0x10', '0x1f', '0x20', '0x3f', '0x40', '0x7f', '0x80', '0xff', '-1', '-2', '-0x80', '0x1234',
  '0x7fff', '0x8000', '0xffff', '0x12345678', '0x7fffffff', '0x80000000'];
// Not %sp/%esp/%rsp: the harness keeps the stack pointer fixed.
const REGS64: Record<number, string[]> = {
  8: ['%al', '%cl', '%dl', '%bl', '%ah', '%ch', '%dh', '%bh', '%sil', '%dil', '%r8b', '%r9b', '%r12b', '%r15b'],
  16: ['%ax', '%cx', '%dx', '%bx', '%bp', '%si', '%di', '%r8w', '%r13w'],
  32: ['%eax', '%ecx', '%edx', '%ebx', '%ebp', '%esi', '%edi', '%r8d', '%r12d', '%r15d'],
  64: ['%rax', '%rcx', '%rdx', '%rbx', '%rbp', '%rsi', '%rdi', '%r8', '%r12', '%r15'],
};
const REGS32: Record<number, string[]> = {
  8: REGS64[8].slice(0, 8), 16: REGS64[16].slice(0, 7), 32: REGS64[32].slice(0, 7), 64: [],
};
const FORMS_PER_MODE = 650;

function tableTemplates(mode: 16 | 32 | 64): string[] {
  const r = seededRandom(4242 + mode);
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const regs = mode === 64 ? REGS64 : REGS32;
  const candidates = forms.filter((f) => !f.decodeOnly && OPS.has(f.op) && f.operands.every((s) => SPECS.has(s)) && !(mode !== 64 && f.only64) && !(mode === 64 && f.no64));
  const lines = new Set<string>();
  for (let k = 0; k < FORMS_PER_MODE * 5 && lines.size < FORMS_PER_MODE; k++) {
    const f = pick(candidates);
    const sizes = f.sizes.filter((s) => mode === 64 || s !== 64);
    if (f.sizes.length && !sizes.length) continue;
    const size = sizes.length ? pick(sizes) : 0;
    const eff = size || (mode === 16 ? 16 : 32);
    const ops = f.operands.map((s) => {
      const fixed = /^(r|rm|rr)(8|16|32|64)$/.exec(s);
      if (fixed) return pick(regs[Number(fixed[2])]);
      if (s === 'acc') return regs[eff][0];
      if (s === '%cl' || s === '$1') return s;
      if (s.startsWith('i')) return '$' + pick(IMM);
      return pick(regs[eff]);
    });
    if (ops.some((o) => o === undefined)) continue;
    lines.add(`${pick(f.names)}${size && r() < 0.5 ? suffixOfSize[size] : ''} ${ops.join(', ')}`.trim());
  }
  const all = [...lines];
  const verdicts = gnuVerdicts(all, mode);
  return all.filter((_, i) => !verdicts[i].error && !verdicts[i].warning);
}

for (const mode of [16, 32, 64] as const) {
  test(`table-driven register forms in ${mode}-bit mode agree with Unicorn`, (t) => {
    if (!requireOracle(t, unicornAvailable(), 'python3-unicorn')) return;
    if (!requireOracle(t, asAvailable(), 'GNU as')) return;
    const tpl = tableTemplates(mode);
    const { cases, compared, faults, failures } = compareRegisterForms(mode, tpl, mode * 104729);
    t.diagnostic(`${mode}-bit: ${tpl.length} instruction lines from the table, ${cases} cases (${compared} compared in full, ${faults} raised exceptions)`);
    assert.ok(tpl.length >= 400, 'too few lines survived GNU as');
    assert.deepEqual(failures.slice(0, 15), [], `${failures.length} mismatches`);
  });
}
