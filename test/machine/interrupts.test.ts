// Exception and interrupt delivery against the SDM (vol. 3A ch. 6): IVT frames in real mode, IDT gates with and
// without a privilege change (TSS stack), IA-32e frames with IST and alignment, IRET/IRETQ, the #DF rules and the
// triple fault, SYSCALL/SYSRET.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeCr0, writeCr3, writeCr4, writeMsr } from '../../machine/cpu/control';
import { deliverException, deliverExternal, deliverSoftwareInterrupt, iret } from '../../machine/cpu/interrupts';
import { farCall, farJump, loadSegment, loadTr, syscall, sysret } from '../../machine/cpu/segments';
import { CS, SS } from '../../machine/cpu/segment';
import { MachineStop } from '../../machine/stop';
import { descriptor, faultOf, get64, newMachine, put64 } from './setup';

const RSP = 4;

test('real mode: INT n pushes FLAGS, CS, IP and jumps through the IVT; IRET returns', () => {
  const { m, cpu } = newMachine();
  cpu.seg[CS].loadReal(0x1000);
  cpu.seg[SS].loadReal(0);
  cpu.gprLo[RSP] = 0x8000;
  cpu.setEflags(0x202 | 0x100); // IF, TF
  m.memory.write16(0x21 * 4, 0x5678);
  m.memory.write16(0x21 * 4 + 2, 0x1234);
  deliverSoftwareInterrupt(cpu, 0x21, 0x0102, 0);
  assert.equal(cpu.seg[CS].selector, 0x1234);
  assert.equal(cpu.seg[CS].base, 0x12340);
  assert.equal(cpu.ripLo, 0x5678);
  assert.equal(cpu.gprLo[RSP], 0x7ffa);
  assert.deepEqual([m.memory.read16(0x7ffa), m.memory.read16(0x7ffc), m.memory.read16(0x7ffe)], [0x0102, 0x1000, 0x302]);
  assert.equal(cpu.getEflags() & 0x300, 0, 'IF and TF cleared');
  iret(cpu, 2);
  assert.equal(cpu.seg[CS].selector, 0x1000);
  assert.equal(cpu.ripLo, 0x0102);
  assert.equal(cpu.getEflags() & 0x300, 0x300);
  assert.equal(cpu.gprLo[RSP], 0x8000);
});

function protectedWithIdt() {
  const env = newMachine();
  const { m, cpu } = env;
  put64(m, 0x8000,
    0,
    descriptor(0, 0xfffff, 0x9b, 0xc), // 0x08 ring-0 code
    descriptor(0, 0xfffff, 0x93, 0xc), // 0x10 ring-0 data
    descriptor(0, 0xfffff, 0xfb, 0xc), // 0x18 ring-3 code
    descriptor(0, 0xfffff, 0xf3, 0xc), // 0x20 ring-3 data
    descriptor(0xa000, 0x67, 0x89, 0), // 0x28 TSS
  );
  cpu.gdtBase = 0x8000;
  cpu.gdtLimit = 0x2f;
  // IDT at 0x9000: vector 13 interrupt gate → 0x08:0x3000 (DPL 0), vector 0x80 trap gate DPL 3 → 0x08:0x4000
  const gate = (sel: number, off: number, type: number, dpl: number) =>
    (BigInt(((off & 0xffff0000) | 0x8000 | (dpl << 13) | (type << 8)) >>> 0) << 32n) | BigInt(((sel << 16) | (off & 0xffff)) >>> 0);
  put64(m, 0x9000 + 13 * 8, gate(0x08, 0x3000, 0xe, 0));
  put64(m, 0x9000 + 0x80 * 8, gate(0x08, 0x4000, 0xf, 3));
  cpu.idtBase = 0x9000;
  cpu.idtLimit = 0x80 * 8 + 7;
  m.memory.write32(0xa000 + 4, 0x9f00); // ESP0
  m.memory.write32(0xa000 + 8, 0x10); // SS0
  writeCr0(cpu, 0x11);
  farJump(cpu, 0x08, 0x1000);
  loadSegment(cpu, SS, 0x10);
  loadTr(cpu, 0x28);
  return env;
}

test('protected mode, same privilege: #GP frame is EFLAGS, CS, EIP, error code; interrupt gate clears IF', () => {
  const { m, cpu } = protectedWithIdt();
  cpu.gprLo[RSP] = 0x7000;
  cpu.setEflags(0x202);
  cpu.ripLo = 0x1234;
  deliverException(cpu, 13, 0x18);
  assert.equal(cpu.ripLo, 0x3000);
  assert.equal(cpu.gprLo[RSP], 0x7000 - 16);
  assert.deepEqual([0, 4, 8, 12].map((o) => m.memory.read32(0x7000 - 16 + o)), [0x18, 0x1234, 0x08, 0x202]);
  assert.equal(cpu.getEflags() & 0x200, 0);
});

test('protected mode, CPL 3 → 0 through a DPL-3 trap gate: stack from TSS.SS0:ESP0, IRET back to ring 3', () => {
  const { m, cpu } = protectedWithIdt();
  farJump(cpu, 0x08, 0x1000);
  // enter ring 3 by building the state directly
  cpu.seg[CS].loadDescriptor(0x1b, m.memory.read32(0x8018), m.memory.read32(0x801c));
  cpu.cpl = 3;
  loadSegment(cpu, SS, 0x23);
  cpu.gprLo[RSP] = 0x6000;
  cpu.setEflags(0x202);
  deliverSoftwareInterrupt(cpu, 0x80, 0x2002, 0);
  assert.equal(cpu.cpl, 0);
  assert.equal(cpu.seg[SS].selector, 0x10);
  assert.equal(cpu.gprLo[RSP], 0x9f00 - 20);
  assert.deepEqual([0, 4, 8, 12, 16].map((o) => m.memory.read32(0x9f00 - 20 + o)), [0x2002, 0x1b, 0x202, 0x6000, 0x23]);
  assert.equal(cpu.getEflags() & 0x200, 0x200, 'trap gate keeps IF');
  iret(cpu, 4);
  assert.equal(cpu.cpl, 3);
  assert.equal(cpu.seg[CS].selector, 0x1b);
  assert.equal(cpu.seg[SS].selector, 0x23);
  assert.equal(cpu.gprLo[RSP], 0x6000);
  assert.equal(cpu.ripLo, 0x2002);
  // INT 13 from ring 3 through a DPL-0 gate is #GP(13*8+2)
  assert.deepEqual(faultOf(() => deliverSoftwareInterrupt(cpu, 13, 0, 0)), [13, 13 * 8 + 2]);
});

test('double fault: a not-present gate while delivering #GP gives #DF; a fault while delivering #DF stops the machine', () => {
  const { m, cpu } = protectedWithIdt();
  cpu.gprLo[RSP] = 0x7000;
  put64(m, 0x9000 + 13 * 8, 0); // #GP gate not present → #NP during delivery
  const dfGate = (BigInt(0x8e00) << 32n) | BigInt((0x08 << 16) | 0x5000);
  put64(m, 0x9000 + 8 * 8, dfGate);
  const seen: number[] = [];
  m.events.trace({ exceptions: true }, (e) => e.kind === 'exception' && seen.push(e.vector));
  deliverException(cpu, 13, 0);
  assert.equal(cpu.ripLo, 0x5000, '#DF handler entered');
  assert.equal(m.memory.read32(cpu.gprLo[RSP]), 0, '#DF error code is 0');
  assert.deepEqual(seen, [13, 8]);
  put64(m, 0x9000 + 8 * 8, 0);
  assert.throws(() => deliverException(cpu, 13, 0), (e: unknown) => e instanceof MachineStop && e.reason.kind === 'triple-fault');
  assert.equal(cpu.runState, 'shutdown');
});

test('benign + contributory faults are delivered one after the other, not as #DF', () => {
  const { m, cpu } = protectedWithIdt();
  cpu.gprLo[RSP] = 0x7000;
  // vector 6 (#UD, benign) gate missing → #GP(6*8+3) delivered normally through vector 13
  deliverException(cpu, 6, 0);
  assert.equal(cpu.ripLo, 0x3000);
  assert.equal(m.memory.read32(cpu.gprLo[RSP]), 6 * 8 + 2 + 1, 'error code: IDT index, IDT bit, EXT');
});

function longModeWithIdt() {
  const env = newMachine();
  const { m, cpu } = env;
  put64(m, 0x100000, 0x101003);
  put64(m, 0x101000, 0x102003);
  put64(m, 0x102000, 0x83, 0x200083);
  put64(m, 0x8000, 0, 0x00af9b000000ffffn, 0x00cf93000000ffffn, 0x00affb000000ffffn, 0x00cff3000000ffffn);
  // 64-bit TSS descriptor at 0x28 (16 bytes), base 0xa000
  put64(m, 0x8028, descriptor(0xa000, 0x67, 0x89, 0), 0);
  cpu.gdtBase = 0x8000;
  cpu.gdtLimit = 0x37;
  writeCr0(cpu, 0x11);
  writeCr4(cpu, 0x20);
  writeCr3(cpu, 0x100000);
  writeMsr(cpu, 0xc0000080, 0x100, 0);
  writeCr0(cpu, 0x80000011);
  farJump(cpu, 0x08, 0x1000);
  loadSegment(cpu, SS, 0x10);
  loadTr(cpu, 0x28);
  // IDT at 0x9000: vector 14 interrupt gate with IST 2 → 0x08:0x3000
  put64(m, 0x9000 + 14 * 16, (BigInt(0x8e02) << 32n) | BigInt((0x08 << 16) | 0x3000), 0);
  put64(m, 0x9000 + 0x80 * 16, (BigInt(0xef00) << 32n) | BigInt((0x08 << 16) | 0x4000), 0);
  cpu.idtBase = 0x9000;
  cpu.idtLimit = 0xfff;
  put64(m, 0xa000 + 0x24 + 8, 0x7f08); // IST2 (misaligned on purpose)
  put64(m, 0xa000 + 4, 0x6f00); // RSP0
  return env;
}

test('IA-32e: #PF through an IST gate pushes SS, RSP, RFLAGS, CS, RIP, error code on a 16-byte aligned stack', () => {
  const { m, cpu } = longModeWithIdt();
  assert.equal(cpu.mode, 'long');
  cpu.gprLo[RSP] = 0x5008;
  cpu.ripLo = 0x1111;
  cpu.setEflags(0x246);
  deliverException(cpu, 14, 0x2);
  assert.equal(cpu.ripLo, 0x3000);
  const sp = cpu.gprLo[RSP];
  assert.equal(sp, 0x7f00 - 48);
  assert.deepEqual([0, 8, 16, 24, 32, 40].map((o) => get64(m, sp + o)), [2n, 0x1111n, 0x08n, 0x246n, 0x5008n, 0x10n]);
  cpu.gprLo[RSP] += 8; // the handler drops the error code before IRETQ
  iret(cpu, 8);
  assert.equal(cpu.ripLo, 0x1111);
  assert.equal(cpu.gprLo[RSP], 0x5008);
  assert.equal(cpu.getEflags(), 0x246);
});

test('IA-32e: ring 3 → 0 uses TSS.RSP0 and a null SS; SYSCALL/SYSRET switch rings with STAR selectors', () => {
  const { cpu } = longModeWithIdt();
  writeMsr(cpu, 0xc0000080, 0x101, 0); // SCE
  writeMsr(cpu, 0xc0000081, 0, (0x10 << 16) | 0x08); // SYSRET base 0x10 → CS 0x23 (64-bit: +16 | 3), SS 0x1b; SYSCALL CS 0x08
  writeMsr(cpu, 0xc0000082, 0x4440, 0);
  writeMsr(cpu, 0xc0000084, 0x200, 0);
  cpu.gprLo[1] = 0x2000; // RCX = user RIP
  cpu.gprLo[11] = 0x202;
  sysret(cpu, true);
  assert.equal(cpu.cpl, 3);
  assert.equal(cpu.seg[CS].selector, 0x23);
  assert.equal(cpu.seg[SS].selector, 0x1b);
  assert.equal(cpu.mode, 'long');
  assert.equal(cpu.ripLo, 0x2000);
  syscall(cpu, 0x2002, 0);
  assert.equal(cpu.cpl, 0);
  assert.equal(cpu.ripLo, 0x4440);
  assert.equal(cpu.gprLo[1], 0x2002);
  assert.equal(cpu.gprLo[11], 0x202);
  assert.equal(cpu.getEflags() & 0x200, 0, 'SFMASK cleared IF');
  sysret(cpu, true);
  cpu.gprLo[RSP] = 0x5000;
  deliverSoftwareInterrupt(cpu, 0x80, 0x2004, 0);
  assert.equal(cpu.cpl, 0);
  assert.equal(cpu.seg[SS].selector, 0, 'null SS with RPL 0');
  assert.equal(cpu.gprLo[RSP], 0x6f00 - 40);
});

test('external interrupts wake a halted CPU', () => {
  const { m, cpu } = newMachine();
  cpu.seg[CS].loadReal(0);
  cpu.seg[SS].loadReal(0);
  cpu.gprLo[RSP] = 0x8000;
  m.memory.write16(0x08 * 4, 0x100);
  cpu.runState = 'halted';
  deliverExternal(cpu, 0x08);
  assert.equal(cpu.runState, 'running');
  assert.equal(cpu.ripLo, 0x100);
});

test('hardware task switch: CALL to a TSS nests (link, NT, busy), IRET returns; #DF through a task gate', () => {
  const { m, cpu } = protectedWithIdt();
  // Task B's TSS at 0xb000 (GDT 0x30) and its initial state.
  put64(m, 0x8030, descriptor(0xb000, 0x67, 0x89, 0));
  cpu.gdtLimit = 0x37;
  m.memory.write32(0xb000 + 0x1c, 0); // CR3 (paging off)
  m.memory.write32(0xb000 + 0x20, 0x7777); // EIP
  m.memory.write32(0xb000 + 0x24, 0x2); // EFLAGS
  m.memory.write32(0xb000 + 0x38, 0x5500); // ESP
  m.memory.write32(0xb000 + 0x28, 0xabcd); // EAX
  for (const [off, sel] of [[0x48, 0x10], [0x4c, 0x08], [0x50, 0x10], [0x54, 0x10], [0x58, 0x10], [0x5c, 0x10]]) m.memory.write32(0xb000 + off, sel);
  cpu.gprLo[0] = 0x1234;
  cpu.gprLo[4] = 0x7000;
  cpu.ripLo = 0x1000;
  farCall(cpu, 0x30, 0, 0, 4, 0x1007, 0);
  assert.equal(cpu.tr.selector, 0x30);
  assert.equal(cpu.ripLo, 0x7777);
  assert.equal(cpu.gprLo[0], 0xabcd);
  assert.equal(cpu.gprLo[4], 0x5500);
  assert.equal(cpu.getEflags() & 0x4000, 0x4000, 'NT set in the nested task');
  assert.equal(m.memory.read16(0xb000), 0x28, 'link to the caller TSS');
  assert.equal(m.memory.read32(0xa000 + 0x20), 0x1007, 'caller EIP saved');
  assert.equal(m.memory.read32(0xa000 + 0x28), 0x1234, 'caller EAX saved');
  assert.equal((m.memory.read8(0x8035) & 0xf), 0xb, 'new TSS busy');
  assert.equal((m.memory.read8(0x802d) & 0xf), 0xb, 'caller TSS stays busy (nested)');
  assert.equal(cpu.cr0 & 8, 8, 'CR0.TS set');
  iret(cpu, 4, 0x7779);
  assert.equal(cpu.tr.selector, 0x28);
  assert.equal(cpu.ripLo, 0x1007);
  assert.equal(cpu.gprLo[0], 0x1234);
  assert.equal((m.memory.read8(0x8035) & 0xf), 0x9, 'returned-from TSS no longer busy');
  // #DF through a task gate in the IDT: the new task gets error code 0 on its stack.
  put64(m, 0x9000 + 8 * 8, (BigInt(0x8500) << 32n) | BigInt(0x30 << 16));
  put64(m, 0x9000 + 13 * 8, 0);
  deliverException(cpu, 13, 0);
  assert.equal(cpu.tr.selector, 0x30);
  assert.equal(cpu.ripLo, 0x7779, 'task B resumes after its IRET (the EIP saved when it returned)');
  assert.equal(m.memory.read32(cpu.gprLo[4]), 0, '#DF error code pushed on the new task stack');
});
