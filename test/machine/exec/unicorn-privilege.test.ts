// Privilege checks against Unicorn (QEMU's CPU): a 32-bit protected-mode program drops to ring 3 with IRET (GDT
// with ring-3 code and data, IOPL 0) and runs one instruction there. Privileged instructions must raise #GP, I/O
// without permission #GP, and unprivileged ones run on to the UD2 that ends each program. The exception vector,
// the CPL-3 state and the registers must agree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Machine } from '../../../machine/machine';
import { X86Executor } from '../../../machine/exec';
import { ATTR_ACCESSED, ATTR_CODE, ATTR_DB, ATTR_G, ATTR_P, ATTR_RW, ATTR_S } from '../../../machine/cpu/segment';
import { PYTHON, asAvailable, assemble, requireOracle, unicornAvailable } from '../oracle';
import { stepUntilFault } from '../setup';

const CODE = 0x1000;
const DATA = 0x7000;
const DATA_LEN = 0x2000;
const GDT = 0x8800;
const STRIDE = 128;
const DESCRIPTORS = [0n, 0x00cf9b000000ffffn, 0x00cf93000000ffffn, 0x00cffb000000ffffn, 0x00cff3000000ffffn];

/** Instructions tried at CPL 3 (each its own program). */
const AT_CPL3 = [
  'cli', 'sti', 'hlt', 'mov %cr0, %eax', 'mov %eax, %cr4', 'mov %cr3, %eax', 'mov %db7, %eax', 'mov %eax, %db0',
  'lgdt (%esi)', 'lidt (%esi)', 'lldt %ax', 'ltr %ax', 'lmsw %ax', 'clts', 'invlpg (%esi)', 'wbinvd', 'invd',
  // (RDPMC is left out: QEMU 5 raises #UD for it where the SDM gives #GP without CR4.PCE.)
  'rdmsr', 'wrmsr', 'in $0x80, %al', 'out %al, $0x80', 'in (%dx), %ax', 'insb', 'outsb',
  'sgdt (%esi)', 'sidt (%esi)', 'smsw %eax', 'str %eax', 'sldt %eax', 'rdtsc', 'pushf', 'popf', 'cpuid',
  'mov %eax, %ds', 'mov %ss, %eax', 'int3', 'int $0x80', 'into', 'lar %ax, %ebx', 'verr %ax', 'verw %ax',
];

test('privileged instructions at CPL 3 fault like on Unicorn', { timeout: 120_000 }, (t) => {
  if (!requireOracle(t, unicornAvailable(), 'python3-unicorn (/usr/bin/python3)')) return;
  if (!requireOracle(t, asAvailable(), 'GNU as')) return;
  // Prologue (CPL 0): push SS, ESP, EFLAGS (IOPL 0), CS, EIP of the ring-3 part, IRET.
  const src = AT_CPL3.map((insn) => `.balign ${STRIDE}, 0x90
.code32
0: pushl $0x23
pushl $${DATA + 0x1800}
pushl $0x2
pushl $0x1b
pushl $${CODE} + 1f - 0b
iret
1: mov %ax, %ds
mov %ax, %es
${insn}
ud2
`).join('') + `.balign ${STRIDE}, 0x90\n`;
  const image = assemble(src, 0);
  const pattern = Array.from({ length: DATA_LEN }, (_, i) => (i * 13) & 0xff);
  DESCRIPTORS.forEach((d, i) => {
    for (let k = 0; k < 8; k++) pattern[GDT - DATA + i * 8 + k] = Number((d >> BigInt(8 * k)) & 0xffn);
  });
  // eax: a ring-3 data selector, esi: a data pointer, edx: a port, ecx: a valid MSR (EFER), edi: a destination.
  const regs = [0x23, 0xc0000080, 0x80, 0x3, DATA + 0x1800, 0x5, DATA + 0x100, DATA + 0x200].map((v) => v.toString(16));
  const req = {
    pattern: Buffer.from(pattern).toString('hex'),
    gdtr: [GDT, DESCRIPTORS.length * 8 - 1],
    cases: AT_CPL3.map((_, i) => ({ mode: 32, code: Buffer.from(image.subarray(i * STRIDE, (i + 1) * STRIDE)).toString('hex'), regs, flags: 0x2, segs: null, count: 100, fresh: true })),
  };
  const py = spawnSync(PYTHON, [join(__dirname, 'unicorn_cases.py')], { input: JSON.stringify(req), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  assert.equal(py.status, 0, py.stderr);
  const out = JSON.parse(py.stdout) as { selectors: Record<string, number[]>; results: { regs: string[]; rip: number; flags: number; segs: number[]; vector: number; error: string | null }[] };
  const failures: string[] = [];
  AT_CPL3.forEach((insn, i) => {
    const want = out.results[i];
    const m = new Machine({ memoryMiB: 4, executor: new X86Executor() });
    // The port device unicorn_cases.py hooks in (reset TR: base 0, limit 0xFFFF, so the I/O bitmap at 0 allows it).
    m.io.register(0x80, 16, {
      portRead: (port: number, size: 1 | 2 | 4): number => (Math.imul(port, 0x9e3779b1) ^ (size * 0x01010101)) & (size === 4 ? 0xffffffff : (1 << (8 * size)) - 1),
      portWrite: () => {},
    });
    const cpu = m.cpus[0];
    cpu.cr0 = 0x11;
    const sel = out.selectors['32'];
    for (let s = 0; s < 6; s++) cpu.seg[s].set(sel[s], 0, 0xffffffff, ATTR_P | ATTR_S | ATTR_RW | ATTR_ACCESSED | ATTR_DB | ATTR_G | (s === 1 ? ATTR_CODE : 0));
    cpu.gdtBase = GDT;
    cpu.gdtLimit = DESCRIPTORS.length * 8 - 1;
    cpu.updateMode();
    cpu.mmu.modeChanged();
    regs.forEach((v, g) => (cpu.gprLo[g] = parseInt(v, 16)));
    cpu.setEflags(0x2);
    cpu.ripLo = CODE;
    m.memory.load(DATA, pattern);
    m.memory.writeBytes(CODE, image.subarray(i * STRIDE, (i + 1) * STRIDE));
    const vector = stepUntilFault(m, cpu, 100);
    // Software interrupts go through the IDT (limit 0 here): both sides end in a fault delivering them; Unicorn
    // reports the INT vector itself through its hook, before delivery.
    const softInt = /^int|^into/.test(insn);
    // The TSC differs between emulators by design; only the absence of a fault is compared.
    const timeStamp = insn === 'rdtsc';
    const problems: string[] = [];
    if (!softInt && vector !== want.vector) problems.push(`vector ours ${vector} (${cpu.fault.detail}) unicorn ${want.vector} ${want.error ?? ''}`);
    if (cpu.cpl !== 3) problems.push(`CPL ${cpu.cpl}`);
    if (!softInt && !timeStamp) {
      for (let g = 0; g < 8; g++) if (cpu.gprLo[g] !== parseInt(want.regs[g], 16)) problems.push(`r${g} ours ${cpu.gprLo[g].toString(16)} unicorn ${want.regs[g]}`);
      if ((cpu.getEflags() & 0x3fd5) !== (want.flags & 0x3fd5)) problems.push(`flags ours ${cpu.getEflags().toString(16)} unicorn ${want.flags.toString(16)}`);
    }
    if (problems.length) failures.push(`${insn}: ${problems.join('; ')}`);
  });
  console.log(`privilege: ${AT_CPL3.length - failures.length} passed, ${failures.length} failed`);
  assert.deepEqual(failures, []);
});
