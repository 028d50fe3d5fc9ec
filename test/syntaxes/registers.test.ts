// Register scopes against GNU as 2.40: every name the grammar gives a register class must be a register `as`
// accepts, and near-miss names `as` rejects must be scoped invalid. One batched `as` run decides.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTools } from '../gas/toolchain';
import { tokenize } from './tokenize';

const range = (n: number, f: (i: number) => string): string[] => Array.from({ length: n }, (_, i) => f(i));
const HI = range(8, (i) => `r${i + 8}`);

// The test's own expectation of each class, written independently of the grammar's regexes.
const EXPECTED: Record<string, string[]> = {
  general: [
    ...['rax', 'rbx', 'rcx', 'rdx', 'rsi', 'rdi', 'rbp', 'rsp', ...HI],
    ...['eax', 'ebx', 'ecx', 'edx', 'esi', 'edi', 'ebp', 'esp', ...HI.map((r) => `${r}d`)],
    ...['ax', 'bx', 'cx', 'dx', 'si', 'di', 'bp', 'sp', ...HI.map((r) => `${r}w`)],
    ...['al', 'bl', 'cl', 'dl', 'ah', 'bh', 'ch', 'dh', 'sil', 'dil', 'bpl', 'spl', ...HI.map((r) => `${r}b`)],
    'EAX',
    'R15D',
  ],
  'instruction-pointer': ['rip', 'eip'],
  segment: ['cs', 'ds', 'es', 'fs', 'gs', 'ss', 'FS'],
  control: [...range(16, (i) => `cr${i}`), 'CR4'],
  debug: [...range(16, (i) => `db${i}`), ...range(16, (i) => `dr${i}`)],
  test: range(8, (i) => `tr${i}`),
  x87: ['st', ...range(8, (i) => `st(${i})`)],
  mmx: range(8, (i) => `mm${i}`),
  sse: range(32, (i) => `xmm${i}`),
  avx: range(32, (i) => `ymm${i}`),
  avx512: range(32, (i) => `zmm${i}`),
  mask: range(8, (i) => `k${i}`),
  bound: range(4, (i) => `bnd${i}`),
  amx: range(8, (i) => `tmm${i}`),
};
const NEAR_MISSES = [
  'r16', 'r8l', 'r15l', 'eiz', 'riz', 'ip', 'cr16', 'dr16', 'db16', 'tr8', 'st(8)', 'mm8', 'xmm32', 'ymm32',
  'zmm32', 'k8', 'bnd4', 'tmm8', 'eflags', 'rflags', 'esil', 'spx', 'rsil', 'foo',
];

/** Names GNU as rejects with "bad register name" in every context we try (64-bit, 32-bit, index, i386 test regs). */
function rejectedByGnuAs(names: string[]): Set<string> {
  const lines: string[] = [];
  const owner: string[] = [];
  const add = (name: string, line: string) => {
    lines.push(line);
    owner.push(name);
  };
  for (const ctx of ['.code64', '.code32\n.arch i386']) {
    lines.push(...ctx.split('\n'));
    owner.push(...ctx.split('\n').map(() => ''));
    for (const n of names) {
      add(n, ` push %${n}`);
      add(n, ` mov %${n}, %eax`);
      add(n, ` lea (%eax,%${n},1), %eax`);
    }
    lines.push('.arch generic64');
    owner.push('');
  }
  const dir = mkdtempSync(join(tmpdir(), 'gas-regs-'));
  try {
    const src = join(dir, 'regs.s');
    writeFileSync(src, lines.join('\n') + '\n');
    const r = spawnSync('as', ['--64', '-o', join(dir, 'regs.o'), src], { encoding: 'utf8' });
    const badLines = new Set<number>();
    for (const m of r.stderr.matchAll(/:(\d+): Error: bad register name/g)) badLines.add(Number(m[1]) - 1);
    const tried = new Map<string, number>();
    const bad = new Map<string, number>();
    owner.forEach((n, i) => {
      if (!n) return;
      tried.set(n, (tried.get(n) ?? 0) + 1);
      if (badLines.has(i)) bad.set(n, (bad.get(n) ?? 0) + 1);
    });
    return new Set(names.filter((n) => bad.get(n) === tried.get(n)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function scopeOfRegister(name: string): Promise<string[]> {
  const [line] = await tokenize(` movl %${name}, %eax`);
  const tok = line!.find((t) => t.start === 6);
  assert.ok(tok, `token at %${name}`);
  return tok.scopes;
}

test('each register class scope covers exactly names GNU as knows', async (t) => {
  const classes = Object.entries(EXPECTED);
  for (const [cls, names] of classes) {
    for (const n of names) {
      const scopes = await scopeOfRegister(n);
      assert.ok(scopes.includes(`variable.other.register.${cls}.gas`), `%${n}: ${scopes.join(' ')}`);
    }
  }
  for (const n of NEAR_MISSES) {
    const scopes = await scopeOfRegister(n);
    assert.ok(scopes.includes('invalid.illegal.register.gas'), `%${n} should be invalid: ${scopes.join(' ')}`);
  }
  if (!requireTools(t, ['as'])) return;
  const all = [...classes.flatMap(([, names]) => names), ...NEAR_MISSES];
  const rejected = rejectedByGnuAs(all);
  const grammarKnownButRejected = classes.flatMap(([, names]) => names).filter((n) => rejected.has(n));
  const grammarInvalidButAccepted = NEAR_MISSES.filter((n) => !rejected.has(n));
  assert.deepEqual(grammarKnownButRejected, [], 'names the grammar colours as registers but GNU as rejects');
  assert.deepEqual(grammarInvalidButAccepted, [], 'names the grammar marks invalid but GNU as accepts');
});
