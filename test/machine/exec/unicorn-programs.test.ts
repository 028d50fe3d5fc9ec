// Small programs run to completion on the executor and on Unicorn (QEMU's CPU): self-modifying code (the decoded-
// instruction cache must notice stores to code), REP string copies over code, loops that reuse cached decodings
// with lazy flags consumed many instructions later, and flag chains through PUSHF. Each program ends at UD2; the
// registers, flags and data window at that point must agree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Machine } from '../../../machine/machine';
import { X86Executor } from '../../../machine/exec';
import { ATTR_ACCESSED, ATTR_CODE, ATTR_DB, ATTR_G, ATTR_L, ATTR_P, ATTR_RW, ATTR_S } from '../../../machine/cpu/segment';
import { PYTHON, asAvailable, assemble, requireOracle, unicornAvailable } from '../oracle';
import { stepUntilFault } from '../setup';

const CODE = 0x1000;
const DATA = 0x7000;
const DATA_LEN = 0x2000;
const STRIDE = 256;

interface Program {
  mode: 16 | 32 | 64;
  name: string;
  source: string;
}

const PROGRAMS: Program[] = [
  {
    mode: 32, name: 'self-modifying immediate',
    source: `call 1f
1: pop %ebx
movb $0x42, 3f+1-1b(%ebx)
jmp 3f
3: mov $0x11, %al
cmp $0x43, %al
je 4f
movb $0x43, 3b+1-1b(%ebx)
jmp 3b
4: nop
`,
  },
  {
    mode: 64, name: 'self-modifying loop body',
    source: `mov $5, %ecx
xor %eax, %eax
1: add $1, %eax
incb 1b+2(%rip)
dec %ecx
jnz 1b
`,
  },
  {
    mode: 32, name: 'rep movsb over the following code',
    source: `call 1f
1: pop %ebx
lea 2f-1b(%ebx), %esi
lea 3f-1b(%ebx), %edi
mov $5, %ecx
cld
rep movsb
3: mov $1, %eax
mov $2, %edx
jmp 4f
2: mov $7, %eax
4: nop
`,
  },
  {
    mode: 16, name: 'real-mode self-modifying code through DS',
    source: `.code16
xor %ax, %ax
mov %ax, %ds
movw $0x9090, 0x1000 + 1f - 0b
1: inc %ax
inc %ax
inc %ax
`,
  },
  {
    mode: 64, name: 'lazy flags consumed late',
    source: `mov $0xffffffff, %eax
add $1, %eax
mov $3, %ecx
lea 0x10(%rcx), %rdx
inc %rcx
setc %bl
seto %bh
adc $0, %rdx
pushfq
pop %rsi
mov $0x7fffffff, %edi
inc %edi
pushfq
pop %r8
sub $1, %edi
sbb %r9, %r9
cmp %edi, %eax
setg %r10b
setl %r11b
`,
  },
  {
    mode: 32, name: 'counting loop with memory accumulator',
    source: `call 1f
1: pop %ebx
movl $0, 0x6000(%ebx)
mov $300, %ecx
2: add %ecx, 0x6000(%ebx)
rol $3, %eax
xor %ecx, %eax
loop 2b
mov 0x6000(%ebx), %edx
`,
  },
  {
    mode: 16, name: 'repe cmpsb and repne scasb',
    source: `.code16
xor %ax, %ax
mov %ax, %ds
mov %ax, %es
mov $0x7100, %si
mov $0x7100, %di
mov $16, %cx
repe cmpsb
mov %cx, %dx
mov $0x7200, %di
mov $64, %cx
mov $0x5a, %al
repne scasb
`,
  },
];

test('programs with self-modifying code, REP and flag chains end like on Unicorn', { timeout: 120_000 }, (t) => {
  if (!requireOracle(t, unicornAvailable(), 'python3-unicorn (/usr/bin/python3)')) return;
  if (!requireOracle(t, asAvailable(), 'GNU as')) return;
  const src = PROGRAMS.map((p) => `.balign ${STRIDE}, 0x90\n${p.mode === 64 ? '.code64' : p.mode === 32 ? '.code32' : '.code16'}\n0:\n${p.source}\nud2\n`).join('') + `.balign ${STRIDE}, 0x90\n`;
  const image = assemble(src, 0);
  // Data window: a pattern with a few repeats so REPE/REPNE stop somewhere inside.
  const pattern = Array.from({ length: DATA_LEN }, (_, i) => (i * 37 + (i >> 5)) & 0xff);
  for (let i = 0; i < 12; i++) pattern[0x100 + i] = 0x11;
  pattern[0x230] = 0x5a;
  const req = {
    pattern: Buffer.from(pattern).toString('hex'),
    cases: PROGRAMS.map((p, i) => {
      // Position-independent code at CODE: relink each program as if it started there.
      const regs = Array.from({ length: p.mode === 64 ? 16 : 8 }, (_, g) => (g === 4 ? DATA + 0x1800 : 0x1000 * g + 0x123).toString(16));
      return { mode: p.mode, code: Buffer.from(image.subarray(i * STRIDE, (i + 1) * STRIDE)).toString('hex'), regs, flags: 0x2, segs: p.mode === 16 ? [0, 0, 0, 0, 0, 0] : null, count: 100000, fresh: true };
    }),
  };
  const py = spawnSync(PYTHON, [join(__dirname, 'unicorn_cases.py')], { input: JSON.stringify(req), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  assert.equal(py.status, 0, py.stderr);
  const out = JSON.parse(py.stdout) as { selectors: Record<string, number[]>; results: { regs: string[]; rip: number; flags: number; vector: number; error: string | null; mem: [number, number][] }[] };
  const failures: string[] = [];
  PROGRAMS.forEach((p, i) => {
    const want = out.results[i];
    const m = new Machine({ memoryMiB: 4, executor: new X86Executor() });
    const cpu = m.cpus[0];
    cpu.cr0 = p.mode === 16 ? 0x10 : 0x11;
    cpu.efer = p.mode === 64 ? 0x500 : 0;
    const code = ATTR_P | ATTR_S | ATTR_CODE | ATTR_RW | ATTR_ACCESSED;
    const sel = out.selectors[String(p.mode)];
    for (let s = 0; s < 6; s++) {
      if (p.mode === 16) cpu.seg[s].set(0, 0, 0xffff, s === 1 ? code : ATTR_P | ATTR_S | ATTR_RW | ATTR_ACCESSED);
      else cpu.seg[s].set(sel[s], 0, 0xffffffff, s === 1 ? code | ATTR_G | (p.mode === 64 ? ATTR_L : ATTR_DB) : ATTR_P | ATTR_S | ATTR_RW | ATTR_ACCESSED | ATTR_DB | ATTR_G);
    }
    cpu.updateMode();
    cpu.mmu.modeChanged();
    req.cases[i].regs.forEach((v, g) => (cpu.gprLo[g] = parseInt(v, 16)));
    cpu.setEflags(0x2);
    cpu.ripLo = CODE;
    m.memory.load(DATA, pattern);
    m.memory.writeBytes(CODE, image.subarray(i * STRIDE, (i + 1) * STRIDE));
    const vector = stepUntilFault(m, cpu, 100000);
    const problems: string[] = [];
    if (vector !== 6 || want.vector !== 6) problems.push(`ended with vector ours ${vector} unicorn ${want.vector} ${want.error ?? ''}`);
    for (let g = 0; g < want.regs.length; g++) {
      const ours = (BigInt(cpu.gprHi[g]) << 32n) | BigInt(cpu.gprLo[g]);
      const mask = p.mode === 64 ? (1n << 64n) - 1n : 0xffffffffn;
      if ((ours & mask) !== BigInt('0x' + want.regs[g])) problems.push(`r${g} ours ${(ours & mask).toString(16)} unicorn ${want.regs[g]}`);
    }
    if (cpu.ripLo !== want.rip) problems.push(`rip ours ${cpu.ripLo.toString(16)} unicorn ${want.rip.toString(16)}`);
    if ((cpu.getEflags() & 0xcd5) !== (want.flags & 0xcd5)) problems.push(`flags ours ${cpu.getEflags().toString(16)} unicorn ${want.flags.toString(16)}`);
    const mem = m.memory.readBytes(DATA, DATA_LEN);
    const diffs: [number, number][] = [];
    for (let k = 0; k < DATA_LEN; k++) if (mem[k] !== pattern[k]) diffs.push([k, mem[k]]);
    if (JSON.stringify(diffs) !== JSON.stringify(want.mem)) problems.push(`memory ours ${JSON.stringify(diffs.slice(0, 6))} unicorn ${JSON.stringify(want.mem.slice(0, 6))}`);
    if (problems.length) failures.push(`${p.name}: ${problems.join('; ')}`);
  });
  console.log(`programs: ${PROGRAMS.length - failures.length} passed, ${failures.length} failed`);
  assert.deepEqual(failures, []);
});
