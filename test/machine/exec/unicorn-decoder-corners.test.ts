// Encodings whose meaning the decoder settled against objdump's random-stream differential, run on the executor
// and on Unicorn (QEMU's CPU) in 64-bit mode with a GDT: F3 REX.B 90 is xchg with %r8 (not pause), REX.W far
// pointers are m16:64 (ljmp/lcall), mov from a segment register and sldt write 64-bit registers with REX.W,
// and debug-register moves ignore ModRM.mod. Registers, selectors, rip, flags and memory must agree.
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
const GDT = 0x8800;
const DESCRIPTORS = [0n, 0x00af9b000000ffffn /* 0x08 64-bit code */, 0x00cf93000000ffffn /* 0x10 data */];
const GDT_LIMIT = DESCRIPTORS.length * 8 - 1;
const STRIDE = 64;
/** Far-jump target inside each 64-byte block (the code before it is shorter). */
const TARGET = 0x30;

interface Program {
  name: string;
  /** GNU as source (.byte for what GNU as will not write); %rsi points at data, %rsp at a stack in the window. */
  source: string;
  count: number;
}

const PROGRAMS: Program[] = [
  { name: 'f3 41 90 = xchg %eax,%r8d', source: 'mov $0x1111,%eax; mov $0x2222,%r8d; .byte 0xf3,0x41,0x90', count: 3 },
  { name: 'f3 49 90 = xchg %rax,%r8', source: 'movabs $0x1122334455667788,%rax; movabs $0x99aabbccddeeff00,%r8; .byte 0xf3,0x49,0x90', count: 3 },
  { name: '66 f3 41 90 = xchg %ax,%r8w', source: '.byte 0x66,0xf3,0x41,0x90', count: 1 },
  // m16:32 would take the selector from 4(%rsi) = 0 and fault; m16:64 takes 8(%rsi).
  { name: 'rex.W ljmp *(%rsi) (m16:64)', source: `movq $${CODE + TARGET},(%rsi); movw $8,8(%rsi); .byte 0x48,0xff,0x2e`, count: 4 },
  { name: 'rex.W lcall *(%rsi) (m16:64)', source: `movq $${CODE + TARGET},(%rsi); movw $8,8(%rsi); .byte 0x48,0xff,0x1e`, count: 4 },
  // Not compared: rex.W lfs/lgs/lss. The SDM (and objdump) read m16:64 there, and so do we; QEMU ignores REX.W
  // and reads m16:32.
  { name: 'mov %es,%rax; sldt %rcx', source: 'movabs $-1,%rax; mov %rax,%rcx; .byte 0x48,0x8c,0xc0; .byte 0x48,0x0f,0x00,0xc1', count: 4 },
  { name: 'mov %rax,%db0 / mov %db0,%rbx with ModRM.mod = 0', source: 'mov $0x4000,%eax; .byte 0x0f,0x23,0x00; .byte 0x0f,0x21,0x03', count: 3 },
];

function pattern(): number[] {
  const p = Array.from({ length: DATA_LEN }, (_, i) => (i * 73 + (i >> 7)) & 0xff);
  DESCRIPTORS.forEach((d, i) => {
    for (let k = 0; k < 8; k++) p[GDT - DATA + i * 8 + k] = Number((d >> BigInt(8 * k)) & 0xffn);
  });
  return p;
}

test('decoder corner cases (xchg %r8 behind f3, REX.W far pointers, 64-bit sreg/sldt, dr moves) execute like Unicorn', { timeout: 120_000 }, (t) => {
  if (!requireOracle(t, unicornAvailable(), 'python3-unicorn (/usr/bin/python3)')) return;
  if (!requireOracle(t, asAvailable(), 'GNU as')) return;
  const src = PROGRAMS.map((p) => `.balign ${STRIDE}, 0x90\n.code64\n${p.source.split(';').join('\n')}\n`).join('') + `.balign ${STRIDE}, 0x90\n`;
  const image = assemble(src, 0);
  const PATTERN = pattern();
  const regsOf = (): bigint[] => Array.from({ length: 16 }, (_, g) => (g === 4 ? BigInt(DATA + 0x1800) : g === 6 ? BigInt(DATA + 0x100) : BigInt(0x1000 * g + 0x123) * 0x10001n));
  const req = {
    pattern: Buffer.from(PATTERN).toString('hex'),
    gdtr: [GDT, GDT_LIMIT],
    cases: PROGRAMS.map((p, i) => ({ mode: 64, code: Buffer.from(image.subarray(i * STRIDE, (i + 1) * STRIDE)).toString('hex'), regs: regsOf().map((v) => v.toString(16)), flags: 0x2, segs: null, count: p.count, fresh: true })),
  };
  const py = spawnSync(PYTHON, [join(__dirname, 'unicorn_cases.py')], { input: JSON.stringify(req), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  assert.equal(py.status, 0, py.stderr);
  const out = JSON.parse(py.stdout) as { selectors: Record<string, number[]>; results: { regs: string[]; rip: number; flags: number; segs: number[]; vector: number; error: string | null; mem: [number, number][] }[] };
  const failures: string[] = [];
  PROGRAMS.forEach((p, i) => {
    const want = out.results[i];
    const m = new Machine({ memoryMiB: 4, executor: new X86Executor() });
    const cpu = m.cpus[0];
    cpu.cr0 = 0x11;
    cpu.efer = 0x500;
    const sel = out.selectors['64'];
    const code = ATTR_P | ATTR_S | ATTR_CODE | ATTR_RW | ATTR_ACCESSED | ATTR_G | ATTR_L;
    for (let s = 0; s < 6; s++) cpu.seg[s].set(sel[s], 0, 0xffffffff, s === 1 ? code : ATTR_P | ATTR_S | ATTR_RW | ATTR_ACCESSED | ATTR_DB | ATTR_G);
    cpu.gdtBase = GDT;
    cpu.gdtLimit = GDT_LIMIT;
    cpu.updateMode();
    cpu.mmu.modeChanged();
    regsOf().forEach((v, g) => {
      cpu.gprLo[g] = Number(v & 0xffffffffn);
      cpu.gprHi[g] = Number(v >> 32n);
    });
    cpu.setEflags(0x2);
    cpu.ripLo = CODE;
    m.memory.load(DATA, PATTERN);
    m.memory.writeBytes(CODE, image.subarray(i * STRIDE, (i + 1) * STRIDE));
    const vector = stepUntilFault(m, cpu, p.count);
    const problems: string[] = [];
    if (want.error) problems.push(`unicorn: ${want.error}`);
    if (vector !== -1 || want.vector !== -1) problems.push(`vector ours ${vector} unicorn ${want.vector}`);
    for (let g = 0; g < 16; g++) {
      const ours = (BigInt(cpu.gprHi[g] >>> 0) << 32n) | BigInt(cpu.gprLo[g] >>> 0);
      if (ours !== BigInt('0x' + want.regs[g])) problems.push(`r${g} ours ${ours.toString(16)} unicorn ${want.regs[g]}`);
    }
    const rip = cpu.ripHi * 2 ** 32 + cpu.ripLo;
    if (rip !== want.rip) problems.push(`rip ours ${rip.toString(16)} unicorn ${want.rip.toString(16)}`);
    for (let s = 0; s < 6; s++) if (cpu.seg[s].selector !== want.segs[s]) problems.push(`seg${s} ours ${cpu.seg[s].selector.toString(16)} unicorn ${want.segs[s].toString(16)}`);
    if ((cpu.getEflags() & 0xcd5) !== (want.flags & 0xcd5)) problems.push(`flags ours ${cpu.getEflags().toString(16)} unicorn ${want.flags.toString(16)}`);
    const mem = m.memory.readBytes(DATA, DATA_LEN);
    const diffs: [number, number][] = [];
    for (let k = 0; k < DATA_LEN; k++) if (mem[k] !== PATTERN[k]) diffs.push([k, mem[k]]);
    if (JSON.stringify(diffs) !== JSON.stringify(want.mem)) problems.push(`memory ours ${JSON.stringify(diffs.slice(0, 6))} unicorn ${JSON.stringify(want.mem.slice(0, 6))}`);
    if (problems.length) failures.push(`${p.name}: ${problems.join('; ')}`);
  });
  console.log(`decoder corners: ${PROGRAMS.length - failures.length} passed, ${failures.length} failed`);
  assert.deepEqual(failures, []);
});
