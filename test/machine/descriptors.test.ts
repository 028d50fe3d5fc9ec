// Segment-register loads, LLDT/LTR and segment limit checks against the SDM's fault lists (vol. 2 MOV/POP/LLDT/
// LTR "Protected Mode Exceptions"; vol. 3A 5.3 limit checking, 3.4.5 descriptor fields).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeCr0 } from '../../machine/cpu/control';
import { loadLdtr, loadSegment, loadTr, farCall, farJump, farReturn } from '../../machine/cpu/segments';
import { CS, DS, ES, SS } from '../../machine/cpu/segment';
import { descriptor, faultOf, newMachine, put64 } from './setup';

const GDT = 0x8000;

function protectedMachine() {
  const env = newMachine();
  const { m, cpu } = env;
  put64(m, GDT,
    0,
    descriptor(0, 0xfffff, 0x9b, 0xc), // 0x08 code 32
    descriptor(0, 0xfffff, 0x93, 0xc), // 0x10 data rw
    descriptor(0x10000, 0xffff, 0x91, 0x0), // 0x18 data read-only, byte granular
    descriptor(0, 0xfffff, 0x99, 0xc), // 0x20 code execute-only
    descriptor(0, 0xfffff, 0xf3, 0xc), // 0x28 data DPL 3
    descriptor(0, 0xfffff, 0x13, 0xc), // 0x30 data not present
    descriptor(0x9000, 0x17, 0x82, 0), // 0x38 LDT
    descriptor(0xa000, 0x67, 0x89, 0), // 0x40 32-bit TSS available
    descriptor(0x20000, 0xfff, 0x97, 0x4), // 0x48 expand-down data rw, D=1, limit 0xFFF
    descriptor(0, 0xfffff, 0xfb, 0xc), // 0x50 code 32 DPL 3
  );
  put64(m, 0x9000, 0, descriptor(0x30000, 0xffff, 0x93, 0)); // LDT: 0x0c data
  cpu.gdtBase = GDT;
  cpu.gdtLimit = 11 * 8 - 1;
  writeCr0(cpu, 0x11);
  farJump(cpu, 0x08, 0x1000);
  return env;
}

test('data segment loads: cache filled from the descriptor, accessed bit set in memory', () => {
  const { m, cpu } = protectedMachine();
  loadSegment(cpu, DS, 0x18);
  assert.equal(cpu.seg[DS].base, 0x10000);
  assert.equal(cpu.seg[DS].limit, 0xffff);
  assert.equal(m.memory.read8(GDT + 0x18 + 5), 0x91, 'already accessed');
  loadSegment(cpu, ES, 0x10);
  assert.equal(cpu.seg[ES].limit, 0xffffffff, 'G=1 scales the limit');
  assert.equal(m.memory.read8(GDT + 0x10 + 5), 0x93);
  assert.equal(cpu.codeSize, 32);
});

test('segment-load faults carry the selector (RPL cleared) as error code', () => {
  const { cpu } = protectedMachine();
  assert.deepEqual(faultOf(() => loadSegment(cpu, DS, 0x58)), [13, 0x58], 'beyond the GDT limit');
  assert.deepEqual(faultOf(() => loadSegment(cpu, SS, 0x18)), [13, 0x18], 'SS needs a writable segment');
  assert.deepEqual(faultOf(() => loadSegment(cpu, SS, 0x2b)), [13, 0x28], 'SS RPL 3 at CPL 0');
  assert.deepEqual(faultOf(() => loadSegment(cpu, SS, 0x28)), [13, 0x28], 'SS DPL 3 at CPL 0');
  assert.deepEqual(faultOf(() => loadSegment(cpu, SS, 0)), [13, 0], 'null SS');
  assert.deepEqual(faultOf(() => loadSegment(cpu, SS, 0x30)), [12, 0x30], 'SS not present → #SS');
  assert.deepEqual(faultOf(() => loadSegment(cpu, DS, 0x30)), [11, 0x30], 'DS not present → #NP');
  assert.deepEqual(faultOf(() => loadSegment(cpu, DS, 0x20)), [13, 0x20], 'execute-only code into DS');
  assert.deepEqual(faultOf(() => loadSegment(cpu, DS, 0x38)), [13, 0x38], 'system descriptor into DS');
  assert.deepEqual(faultOf(() => loadSegment(cpu, DS, 0x0c)), [13, 0x0c], 'TI=1 with no LDT');
  assert.equal(faultOf(() => loadSegment(cpu, DS, 0x08)), null, 'readable code is fine in DS');
  assert.equal(faultOf(() => loadSegment(cpu, DS, 0)), null, 'null selector in DS is allowed…');
  assert.deepEqual(faultOf(() => cpu.read8(DS, 0)), [13, 0], '…but using it faults');
});

test('LLDT and LTR: types, busy bit, and LDT-relative selectors', () => {
  const { m, cpu } = protectedMachine();
  assert.deepEqual(faultOf(() => loadLdtr(cpu, 0x10)), [13, 0x10], 'not an LDT descriptor');
  loadLdtr(cpu, 0x38);
  assert.deepEqual(faultOf(() => loadSegment(cpu, DS, 0x0f)), [13, 0x0c], 'LDT entry 1 with RPL 3 > DPL 0');
  loadSegment(cpu, DS, 0x0c);
  assert.equal(cpu.seg[DS].base, 0x30000);
  assert.deepEqual(faultOf(() => loadSegment(cpu, DS, 0x1c)), [13, 0x1c], 'index 3 lies beyond the LDT limit 0x17');
  assert.deepEqual(faultOf(() => loadTr(cpu, 0)), [13, 0]);
  loadTr(cpu, 0x40);
  assert.equal(m.memory.read8(GDT + 0x40 + 5) & 0xf, 0xb, 'TSS marked busy');
  assert.equal(cpu.tr.base, 0xa000);
  assert.deepEqual(faultOf(() => loadTr(cpu, 0x40)), [13, 0x40], 'a busy TSS cannot be loaded again');
  cpu.cpl = 3;
  assert.deepEqual(faultOf(() => loadTr(cpu, 0x40)), [13, 0], 'LTR at CPL 3');
});

test('limit checks: expand-up, expand-down with D=1, and the stack segment → #SS', () => {
  const { cpu } = protectedMachine();
  loadSegment(cpu, DS, 0x18);
  assert.equal(faultOf(() => cpu.read32(DS, 0xfffc)), null);
  assert.deepEqual(faultOf(() => cpu.read32(DS, 0xfffd)), [13, 0], 'last byte beyond the limit');
  assert.deepEqual(faultOf(() => cpu.write8(DS, 0, 0, 1)), [13, 0], 'read-only segment');
  loadSegment(cpu, SS, 0x48);
  assert.deepEqual(faultOf(() => cpu.read8(SS, 0xfff)), [12, 0], 'expand-down: offsets up to the limit are invalid');
  assert.equal(faultOf(() => cpu.read32(SS, 0x1000)), null);
  assert.equal(faultOf(() => cpu.read32(SS, 0xfffffffc)), null, 'D=1: upper bound 4 GiB');
});

test('real mode loads change only selector and base; far return to an outer ring nulls DS', () => {
  const env = protectedMachine();
  const { cpu, m } = env;
  // far RET from CPL 0 to CPL 3: stack holds EIP, CS, ESP, SS.
  loadSegment(cpu, SS, 0x10);
  loadSegment(cpu, DS, 0x10);
  cpu.gprLo[4] = 0x7000;
  m.memory.write32(0x7000, 0x4000);
  m.memory.write32(0x7004, 0x53);
  m.memory.write32(0x7008, 0x6000);
  m.memory.write32(0x700c, 0x2b);
  farReturn(cpu, 4);
  assert.equal(cpu.cpl, 3);
  assert.equal(cpu.seg[CS].selector, 0x53);
  assert.equal(cpu.seg[SS].selector, 0x2b);
  assert.equal(cpu.gprLo[4], 0x6000);
  assert.equal(cpu.seg[DS].usable, false, 'DS (DPL 0) nulled on return to CPL 3');
  // Real mode: unreal limits survive.
  const env2 = newMachine();
  env2.cpu.seg[DS].limit = 0xffffffff;
  loadSegment(env2.cpu, DS, 0x1234);
  assert.equal(env2.cpu.seg[DS].base, 0x12340);
  assert.equal(env2.cpu.seg[DS].limit, 0xffffffff);
  assert.deepEqual(faultOf(() => env2.cpu.read16(ES, 0xffff)), [13, 0], 'word at offset 0xFFFF of a 64 KiB real-mode segment');
});

test('far CALL through a call gate from ring 3: TSS stack, parameters copied, RET imm back to ring 3', () => {
  const env = protectedMachine();
  const { m, cpu } = env;
  // call gate at 0x58 (extend the GDT): target 0x08:0x5000, 32-bit, DPL 3, two parameters
  const gate = (BigInt(((0x5000 & 0xffff0000) | 0x8000 | (3 << 13) | (0xc << 8) | 2) >>> 0) << 32n) | BigInt(((0x08 << 16) | 0x5000) >>> 0);
  put64(m, GDT + 0x58, gate);
  cpu.gdtLimit = 12 * 8 - 1;
  loadTr(cpu, 0x40);
  m.memory.write32(0xa000 + 4, 0x9f00); // ESP0
  m.memory.write32(0xa000 + 8, 0x10); // SS0
  // enter ring 3
  const lo = m.memory.read32(GDT + 0x50), hi = m.memory.read32(GDT + 0x54);
  cpu.seg[CS].loadDescriptor(0x53, lo, hi);
  cpu.cpl = 3;
  loadSegment(cpu, SS, 0x2b);
  cpu.gprLo[4] = 0x6000;
  m.memory.write32(0x6000, 0x1111);
  m.memory.write32(0x6004, 0x2222);
  farCall(cpu, 0x5b, 0, 0, 4, 0x2004, 0);
  assert.equal(cpu.cpl, 0);
  assert.equal(cpu.seg[CS].selector, 0x08);
  assert.equal(cpu.ripLo, 0x5000);
  assert.equal(cpu.seg[SS].selector, 0x10);
  assert.equal(cpu.gprLo[4], 0x9f00 - 24);
  assert.deepEqual([0, 4, 8, 12, 16, 20].map((o) => m.memory.read32(0x9f00 - 24 + o)), [0x2004, 0x53, 0x1111, 0x2222, 0x6000, 0x2b]);
  farReturn(cpu, 4, 8);
  assert.equal(cpu.cpl, 3);
  assert.equal(cpu.seg[CS].selector, 0x53);
  assert.equal(cpu.ripLo, 0x2004);
  assert.equal(cpu.gprLo[4], 0x6008, 'RET 8 released the parameters on the outer stack too');
  // JMP through the gate cannot raise privilege; a gate with DPL < CPL faults with the gate selector
  assert.deepEqual(faultOf(() => farJump(cpu, 0x5b, 0)), [13, 0x08]);
  put64(m, GDT + 0x58, gate & ~(3n << 45n));
  assert.deepEqual(faultOf(() => farCall(cpu, 0x5b, 0, 0, 4, 0, 0)), [13, 0x58]);
});
