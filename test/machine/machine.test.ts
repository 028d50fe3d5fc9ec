// The machine facade: start states, run loop and stop reasons, devices on the port bus, timer interrupts waking HLT,
// breakpoints, watchpoints, events, snapshots, INIT/SIPI, A20. Programs are tiny real-mode byte sequences run by a
// test executor (checked by hand against the opcode map; GNU as is used where the bytes are less obvious).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Machine } from '../../machine/machine';
import { CS, DS } from '../../machine/cpu/segment';
import type { MachineEvent } from '../../machine/events';
import { MiniExecutor } from './mini-executor';
import { writeCr8 } from '../../machine/cpu/control';
import { pokeLinear } from '../../machine/inspect';

function machine(program: number[], opts: { cpus?: number; load?: number } = {}) {
  const out: string[] = [];
  const m = new Machine({ memoryMiB: 16, cpus: opts.cpus ?? 1, executor: new MiniExecutor(), output: (b, s) => out.push(`${s}:${String.fromCharCode(b)}`) });
  m.start({ kind: 'ap', image: new Uint8Array(program), load: opts.load ?? 0x8000 });
  return { m, out };
}

const OUT_E9 = (c: string) => [0xb0, c.charCodeAt(0), 0xe6, 0xe9];

test('debug console, COM1 and isa-debug-exit: output in order, exit status (v << 1) | 1', () => {
  const { m, out } = machine([...OUT_E9('h'), 0xb0, 0x69, 0xe6, 0xf8, ...[0xb0, 0x10, 0xe6, 0xf4], 0xf4]);
  m.io.write(0x3fb, 1, 0x03); // LCR: 8N1, DLAB off (COM1 at 0x3F8; OUT imm8 reaches only 0xF8, so map it)
  m.io.register(0xf8, 1, { portRead: () => 0, portWrite: (_p, _s, v) => m.io.write(0x3f8, 1, v) });
  const r = m.run();
  assert.equal(r.kind, 'exit-port');
  assert.equal(r.exitStatus, 0x21);
  assert.deepEqual(out, ['debugcon:h', 'uart:i']);
  assert.equal(m.io.read(0x3fd, 1) & 0x60, 0x60, 'LSR: transmitter empty');
  m.uart.queueInput([0x41]);
  assert.equal(m.io.read(0x3fd, 1) & 1, 1, 'LSR: data ready');
  assert.equal(m.io.read(0x3f8, 1), 0x41);
});

test('HLT with IF=0 stops with all-halted; other CPUs waiting for SIPI count as stopped', () => {
  const { m } = machine([0xfa, 0xf4], { cpus: 2 });
  const r = m.run();
  assert.equal(r.kind, 'all-halted');
  assert.match(r.message, /CPU 1 wait-for-sipi/);
});

test('a PIT interrupt through the 8259 wakes HLT (IVT vector 8) and runs the handler', () => {
  // main at 0x8000: sti; hlt; out 'A'; out exit.   handler at 0x8100: out 'T'; iret
  const prog = new Array(0x110).fill(0x90);
  prog.splice(0, 11, 0xfb, 0xf4, ...OUT_E9('A'), 0xb0, 0x01, 0xe6, 0xf4, 0x90);
  prog.splice(0x100, 5, ...OUT_E9('T'), 0xcf);
  const { m, out } = machine(prog);
  m.memory.write16(8 * 4, 0x8100);
  m.memory.write16(8 * 4 + 2, 0);
  m.io.write(0x20, 1, 0x11); // ICW1
  m.io.write(0x21, 1, 0x08); // vector base 8
  m.io.write(0x21, 1, 0x04);
  m.io.write(0x21, 1, 0x01);
  m.io.write(0x21, 1, 0xfe); // only IRQ 0
  m.io.write(0x43, 1, 0x34); // channel 0, lo/hi, mode 2
  m.io.write(0x40, 1, 0x00);
  m.io.write(0x40, 1, 0x10); // 4096 ticks ≈ 3.4 ms of virtual time
  const r = m.run();
  assert.equal(r.kind, 'exit-port');
  assert.deepEqual(out.join(''), 'debugcon:Tdebugcon:A');
  assert.ok(m.clock.now > 3_000_000, 'virtual time fast-forwarded to the timer');
});

test('execution breakpoints stop before the instruction and resume past it; watchpoints after the access', () => {
  const { m, out } = machine([...OUT_E9('1'), ...OUT_E9('2'), 0xb8, 0x34, 0x12, 0xa3, 0x00, 0x90, ...OUT_E9('3'), 0xfa, 0xf4]);
  m.addBreakpoint(0x8004);
  let r = m.run();
  assert.equal(r.kind, 'breakpoint');
  assert.equal(m.cpus[0].ripLo, 4);
  assert.deepEqual(out, ['debugcon:1']);
  m.addWatchpoint(0x9000, 2, 'write');
  r = m.run();
  assert.equal(r.kind, 'event');
  const ev = (r.events as MachineEvent[])[0];
  assert.equal(ev.kind, 'watchpoint');
  assert.equal(ev.kind === 'watchpoint' && ev.value, 0x1234);
  assert.equal(m.memory.read16(0x9000), 0x1234);
  assert.deepEqual(out, ['debugcon:1', 'debugcon:2']);
  m.clearWatchpoints();
  r = m.run();
  assert.equal(r.kind, 'all-halted');
  assert.deepEqual(out.length, 3);
});

test('events: mode and exception filters stop after the instruction; none set → no hooks on the CPUs', () => {
  const { m } = machine([0x0f, 0x0b, 0xf4]);
  assert.equal(m.cpus[0].hooks, null, 'no cost without filters');
  m.memory.write16(6 * 4, 0x8002); // #UD handler: the HLT
  m.events.stopOn({ exceptions: [6], halt: true });
  assert.notEqual(m.cpus[0].hooks, null);
  let r = m.run();
  assert.equal(r.kind, 'event');
  const e = (r.events as MachineEvent[])[0];
  assert.equal(e.kind, 'exception');
  assert.equal(e.kind === 'exception' && e.vector, 6);
  assert.equal(e.rip, 0n, 'site is the faulting instruction');
  r = m.run();
  assert.equal((r.events as MachineEvent[])[0].kind, 'halt');
  m.events.stopOn(null);
  assert.equal(m.cpus[0].hooks, null);
});

test('triple fault (real mode, IVT limit 0) stops the machine with that reason; host errors become internal-error', () => {
  const { m } = machine([0x0f, 0x0b]);
  m.cpus[0].idtLimit = 0;
  const r = m.run();
  assert.equal(r.kind, 'triple-fault');
  const m2 = machine([0xcc]).m;
  const r2 = m2.run();
  assert.equal(r2.kind, 'internal-error');
  assert.match(r2.message, /host bug/);
});

test('instruction limit, slices and pause', () => {
  const { m } = machine([0xeb, 0xfe]); // jmp $
  let r = m.run({ sliceInstructions: 1000 });
  assert.equal(r.kind, 'slice-end');
  assert.equal(m.totalInstructions, 1000);
  m.pause();
  r = m.run();
  assert.equal(r.kind, 'paused');
  m.maxInstructions = 5000;
  r = m.run();
  assert.equal(r.kind, 'instruction-limit');
  assert.equal(m.totalInstructions, 5000);
});

test('snapshots: restore brings back registers, memory, devices and time', () => {
  const { m, out } = machine([0xb8, 0x11, 0x11, 0xa3, 0x00, 0x90, 0xb8, 0x22, 0x22, 0xa3, 0x00, 0x90, ...OUT_E9('x'), 0xfa, 0xf4]);
  m.run({ sliceInstructions: 2 });
  const snap = m.snapshot();
  assert.equal(m.memory.read16(0x9000), 0x1111);
  m.run();
  assert.equal(m.memory.read16(0x9000), 0x2222);
  assert.equal(m.cpus[0].runState, 'halted');
  m.restore(snap);
  assert.equal(m.memory.read16(0x9000), 0x1111);
  assert.equal(m.cpus[0].ripLo, 6);
  assert.equal(m.cpus[0].runState, 'running');
  assert.equal(m.totalInstructions, 2);
  m.run();
  assert.equal(m.memory.read16(0x9000), 0x2222);
  assert.deepEqual(out, ['debugcon:x', 'debugcon:x']);
});

test('INIT-SIPI-SIPI through the local APIC ICR wakes CPU 1 in real mode at CS = vector << 8, IP = 0', () => {
  const { m, out } = machine([0xfa, 0xf4], { cpus: 2 });
  m.memory.load(0x9000, [...OUT_E9('B'), 0xfa, 0xf4]);
  const seen: string[] = [];
  m.events.trace({ ipi: true }, (e) => e.kind === 'ipi' && seen.push(`${e.cpu}:${e.ipi}:${e.vector}`));
  m.apics.current = 0;
  m.memory.write32(0xfee00310, 1 << 24);
  m.memory.write32(0xfee00300, 0x4500); // INIT, assert
  m.memory.write32(0xfee00300, 0x4609); // STARTUP vector 9
  m.memory.write32(0xfee00300, 0x4609); // second SIPI: ignored, CPU 1 already runs
  const cpu1 = m.cpus[1];
  assert.equal(cpu1.runState, 'running');
  assert.equal(cpu1.seg[CS].selector, 0x0900);
  assert.equal(cpu1.seg[CS].base, 0x9000);
  assert.equal(cpu1.ripLo, 0);
  assert.equal(cpu1.mode, 'real');
  assert.deepEqual(seen, ['1:init:0', '1:sipi:9', '1:sipi:9']);
  assert.equal(m.memory.read32(0xfee00020) >>> 24, 0, 'CPU 0 reads its own APIC ID');
  m.apics.current = 1;
  assert.equal(m.memory.read32(0xfee00020) >>> 24, 1, 'CPU 1 sees its own APIC');
  assert.equal(m.memory.read32(0xfee00030) & 0xff, 0x14, 'APIC version');
  const r = m.run();
  assert.equal(r.kind, 'all-halted');
  assert.deepEqual(out, ['debugcon:B']);
});

test('A20 gate: port 0x92 and the 8042 output port control wrap-around at 1 MiB', () => {
  const { m } = machine([0xf4]);
  const cpu = m.cpus[0];
  m.memory.write8(0x100000, 0xaa);
  m.memory.write8(0x000000, 0x55);
  cpu.seg[DS].loadReal(0xffff);
  assert.equal(cpu.read8(DS, 0x10), 0xaa, 'A20 on: FFFF:0010 is 0x100000');
  m.io.write(0x92, 1, 0x00);
  assert.equal(m.platform.a20Enabled, false);
  assert.equal(cpu.read8(DS, 0x10), 0x55, 'A20 off: wraps to 0');
  m.io.write(0x64, 1, 0xd1);
  m.io.write(0x60, 1, 0x03); // output port: reset line high, A20 on
  assert.equal(cpu.read8(DS, 0x10), 0xaa);
  m.io.write(0x64, 1, 0xd0);
  assert.equal(m.io.read(0x64, 1) & 1, 1, 'output buffer full');
  assert.equal(m.io.read(0x60, 1) & 2, 2, 'output port reports A20 on');
  m.io.write(0x64, 1, 0xdd);
  assert.equal(m.io.read(0x92, 1) & 2, 0);
});

test('start states: reset vector and ROM alias, boot sector, long64 identity map', () => {
  const rom = new Uint8Array(0x10000);
  rom[0xfff0] = 0xf4;
  rom[0x1234] = 0x77;
  const m = new Machine({ memoryMiB: 16, executor: new MiniExecutor() });
  m.start({ kind: 'reset', rom });
  const cpu = m.cpus[0];
  assert.equal(cpu.seg[CS].selector, 0xf000);
  assert.equal(cpu.seg[CS].base, 0xffff0000);
  assert.equal(cpu.ripLo, 0xfff0);
  assert.equal(m.memory.read8(0xffff1234), 0x77);
  assert.equal(m.memory.read8(0xf1234), 0x77, 'ROM aliased below 1 MiB');
  m.memory.write8(0xf1234, 0);
  assert.equal(m.memory.read8(0xf1234), 0x77, 'ROM is read-only');
  assert.equal(m.run().kind, 'all-halted');

  const b = new Machine({ memoryMiB: 16, executor: new MiniExecutor() });
  const sector = new Uint8Array(512);
  sector[510] = 0x55;
  sector[511] = 0xaa;
  b.start({ kind: 'boot-sector', image: sector });
  assert.equal(b.cpus[0].seg[CS].selector, 0);
  assert.equal(b.cpus[0].ripLo, 0x7c00);
  assert.equal(b.cpus[0].gprLo[2] & 0xff, 0x80);
  assert.equal(b.memory.read8(0x7dfe), 0x55);

  const l = new Machine({ memoryMiB: 64, executor: new MiniExecutor() });
  l.start({ kind: 'long64', image: new Uint8Array([0xf4]), load: 0x100000 });
  const c = l.cpus[0];
  assert.equal(c.mode, 'long');
  assert.equal(c.paging, '4-level');
  assert.equal(c.codeSize, 64);
  assert.equal(c.mmu.walk(0xc0001234, 0).physical, 0xc0001234, 'identity map covers 4 GiB');
  assert.equal(c.ripLo, 0x100000);
});

test('local APIC timer: periodic LVT timer interrupt wakes HLT; ISR until EOI; CR8 mirrors TPR[7:4]', () => {
  const prog = new Array(0x110).fill(0x90);
  prog.splice(0, 9, 0xfb, 0xf4, ...OUT_E9('A'), 0xfa, 0xf4);
  prog.splice(0x100, 5, ...OUT_E9('T'), 0xcf);
  const { m, out } = machine(prog);
  m.memory.write16(0x40 * 4, 0x8100);
  m.memory.write16(0x40 * 4 + 2, 0);
  m.apics.current = 0;
  m.memory.write32(0xfee000f0, 0x1ff); // software enable, spurious vector 0xFF
  m.memory.write32(0xfee003e0, 0xb); // divide by 1
  m.memory.write32(0xfee00320, 0x20040); // periodic, vector 0x40
  m.memory.write32(0xfee00380, 5000); // initial count: 5000 ns of virtual time
  assert.ok(m.memory.read32(0xfee00390) <= 5000);
  const r = m.run();
  assert.equal(r.kind, 'all-halted');
  assert.equal(out.join(''), 'debugcon:Tdebugcon:A');
  assert.equal((m.memory.read32(0xfee00100 + 0x20) >>> 0) & 1, 1, 'vector 0x40 in service (no EOI yet)');
  m.memory.write32(0xfee000b0, 0);
  assert.equal(m.memory.read32(0xfee00100 + 0x20) & 1, 0, 'EOI clears it');
  const cpu = m.cpus[0];
  m.memory.write32(0xfee00080, 0x30);
  assert.equal(cpu.cr8, 3);
  writeCr8(cpu, 5);
  assert.equal(m.memory.read32(0xfee00080), 0x50);
});

test('pokeLinear writes through the current paging; ROM stays read-only', () => {
  const m = new Machine({ memoryMiB: 16 });
  m.start({ kind: 'long64', image: new Uint8Array([0x90]), load: 0x100000 });
  assert.equal(pokeLinear(m.cpus[0], 0x2000n, new Uint8Array([1, 2, 3])), 3);
  assert.deepEqual([...m.memory.readBytes(0x2000, 3)], [1, 2, 3]);
  assert.equal(pokeLinear(m.cpus[0], 0x1_0000_0000n, new Uint8Array([1])), 0, 'unmapped');
});

test('EFLAGS.TF: a #DB trap after each instruction, with DR6.BS; the handler itself runs with TF clear', () => {
  const prog = new Array(0x110).fill(0x90);
  prog.splice(0, 4, 0x90, 0x90, 0xfa, 0xf4);
  prog.splice(0x100, 5, ...OUT_E9('D'), 0xcf);
  const { m, out } = machine(prog);
  m.memory.write16(1 * 4, 0x8100);
  m.memory.write16(1 * 4 + 2, 0);
  const cpu = m.cpus[0];
  cpu.seg[2].loadReal(0);
  cpu.gprLo[4] = 0x7000;
  cpu.setEflags(0x102); // TF
  const r = m.run();
  assert.equal(r.kind, 'all-halted');
  assert.equal(out.join(''), 'debugcon:D'.repeat(3), 'after NOP, NOP and CLI (not after HLT)');
  assert.equal(cpu.dr[12] & 0x4000, 0x4000);
});

test('CMOS RTC: deterministic BCD clock from virtual time, memory sizes, NMI mask bit', () => {
  const m = new Machine({ memoryMiB: 64 });
  const rd = (r: number) => {
    m.io.write(0x70, 1, r);
    return m.io.read(0x71, 1);
  };
  m.clock.now = (3600 + 2 * 60 + 5) * 1e9;
  assert.deepEqual([rd(0x04), rd(0x02), rd(0x00)], [0x01, 0x02, 0x05]);
  assert.deepEqual([rd(0x09), rd(0x08), rd(0x07), rd(0x32)], [0x26, 0x01, 0x01, 0x20]);
  assert.equal(rd(0x15) | (rd(0x16) << 8), 640);
  assert.equal(rd(0x30) | (rd(0x31) << 8), 63 * 1024, 'KiB above 1 MiB');
  m.io.write(0x70, 1, 0x8f);
  assert.equal(m.cmos.nmiDisabled, true);
});

test('halted with IF=1 while the only timer interrupt is masked: the run ends instead of spinning', () => {
  const { m } = machine([0xfb, 0xf4]);
  m.io.write(0x43, 1, 0x34); // PIT channel 0 periodic, IRQ 0 masked in the PIC (reset IMR = 0xFF)
  m.io.write(0x40, 1, 0x00);
  m.io.write(0x40, 1, 0x01);
  const t0 = Date.now();
  let r = m.run({ sliceMs: 20 });
  let slices = 0;
  while (r.kind === 'slice-end' && slices++ < 1000) r = m.run({ sliceMs: 20 });
  assert.equal(r.kind, 'all-halted');
  assert.match(r.message, /timer events/);
  assert.ok(Date.now() - t0 < 30_000);
});

test('debug registers: DR0 execution breakpoint faults before the instruction (RF resumes); DR1 write watch traps after', () => {
  // main: mov $0x41,%al; nop (DR0 here); mov %ax,[0x9000] (DR1 watches 0x9000); cli; hlt
  // #DB handler at 0x8100: out 'D'; set RF in the pushed FLAGS image… real-mode IRET has no RF, so the
  // handler clears DR7.L0 instead: the test checks the order of events.
  const prog = new Array(0x120).fill(0x90);
  prog.splice(0, 9, 0xb0, 0x41, 0x90, 0xa3, 0x00, 0x90, 0xfa, 0xf4, 0x90);
  prog.splice(0x100, 5, ...OUT_E9('D'), 0xcf);
  const { m, out } = machine(prog);
  const cpu = m.cpus[0];
  m.memory.write16(1 * 4, 0x8100);
  m.memory.write16(1 * 4 + 2, 0);
  cpu.seg[2].loadReal(0);
  cpu.gprLo[4] = 0x7000;
  cpu.seg[3].loadReal(0); // DS base 0: [0x9000] = linear 0x9000
  cpu.dr[0] = 0x8002; // the NOP
  cpu.dr[2] = 0x9000;
  cpu.dr[14] = (1 << 0) | (1 << 2) | (1 << 20) | (1 << 22); // L0 execute; L1 write, 2 bytes
  m.events.stopOn({ exceptions: [1] });
  let r = m.run();
  assert.equal(r.kind, 'event');
  assert.equal(cpu.dr[12] & 0xf, 1, 'DR6.B0');
  assert.equal(m.cpus[0].ripLo, 0x8100, 'handler entered');
  const frameIp = m.memory.read16(cpu.seg[2].base + cpu.gprLo[4]);
  assert.equal(frameIp, 2, 'fault: the frame points at the breakpointed instruction (CS 0x800, IP 2)');
  cpu.dr[14] &= ~1; // the handler's job in real mode: disable L0 so the NOP can run
  r = m.run();
  assert.equal(r.kind, 'event');
  assert.equal(cpu.dr[12] & 0xf, 2, 'DR6.B1 for the write');
  assert.equal(m.memory.read16(cpu.seg[2].base + cpu.gprLo[4]), 6, 'trap: the frame points after the store');
  m.events.stopOn(null);
  r = m.run();
  assert.equal(r.kind, 'all-halted');
  assert.equal(out.join(''), 'debugcon:Ddebugcon:D');
});

test('a triple fault keeps the exceptions that escalated into it (SDM 6.15: #UD, #GP beyond the IDT limit, #DF) in its events', () => {
  const { m } = machine([0x0f, 0x0b, 0xf4]); // ud2; hlt
  m.cpus[0].idtLimit = 0; // an empty IVT: every delivery is beyond the limit
  m.events.stopOn({ tripleFault: true });
  const r = m.run();
  assert.equal(r.kind, 'triple-fault');
  const evs = r.events as MachineEvent[];
  assert.deepEqual(
    evs.map((e) => (e.kind === 'exception' ? e.vector : e.kind)),
    [6, 8, 'triple-fault'],
    '#UD (benign); #GP delivering it, a second #GP delivering that (contributory during contributory) is #DF; a fault delivering #DF',
  );
  assert.ok(evs.every((e) => e.cpu === 0 && e.instruction === 0 && e.rip === 0n), 'all at the ud2');
  const df = evs[1];
  assert.equal(df.kind === 'exception' && df.detail, 'double fault: #GP general protection during #GP general protection', 'the #DF names the two faults');
  assert.equal(m.cpus[0].runState, 'shutdown');
});

test('restore() and step() leave no breakpoint skip behind: the restored or stepped-to instruction stops again', () => {
  const { m } = machine([0x90, 0x90, 0x90, 0xfa, 0xf4]);
  m.addBreakpoint(0x8001);
  let r = m.run();
  assert.equal(r.kind, 'breakpoint');
  assert.equal(m.cpus[0].ripLo, 1);
  const atBreak = m.snapshot();
  m.addBreakpoint(0x8002);
  r = m.run(); // resumes over 0x8001, stops at 0x8002 (a skip armed for CPU 0 again)
  assert.equal(m.cpus[0].ripLo, 2);
  m.restore(atBreak);
  r = m.run();
  assert.equal(r.kind, 'breakpoint', 'after restore the breakpoint at the restored RIP stops before executing it');
  assert.equal(m.cpus[0].ripLo, 1);
  // Step without breakpoints, then set one where the CPU stands: the next run stops there at once.
  m.clearBreakpoints();
  m.step(0);
  assert.equal(m.cpus[0].ripLo, 2);
  m.addBreakpoint(0x8002);
  r = m.run();
  assert.equal(r.kind, 'breakpoint');
  assert.equal(m.cpus[0].ripLo, 2);
});
