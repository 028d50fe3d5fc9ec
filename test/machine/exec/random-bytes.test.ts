// Random byte streams executed in every mode never raise a host exception: whatever the bytes, the executor either
// runs them or raises a guest fault (which the machine delivers), never a JavaScript error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Machine } from '../../../machine/machine';
import { X86Executor } from '../../../machine/exec';
import { ATTR_ACCESSED, ATTR_CODE, ATTR_DB, ATTR_G, ATTR_L, ATTR_P, ATTR_RW, ATTR_S } from '../../../machine/cpu/segment';
import type { Cpu } from '../../../machine/cpu/cpu';
import { seededRandom as rng } from '../../seeded-random';


type Mode = 'real' | 'protected32' | 'long64' | 'protected16' | 'compat32';

function enter(cpu: Cpu, mode: Mode): void {
  cpu.resetRegisters();
  const code = ATTR_P | ATTR_S | ATTR_CODE | ATTR_RW | ATTR_ACCESSED;
  const data = ATTR_P | ATTR_S | ATTR_RW | ATTR_ACCESSED;
  const flat = mode !== 'real';
  cpu.cr0 = flat ? 0x11 : 0x10;
  cpu.efer = mode === 'long64' || mode === 'compat32' ? 0x500 : 0;
  const csSize = mode === 'long64' ? ATTR_L : mode === 'protected16' ? 0 : ATTR_DB;
  for (let i = 0; i < 6; i++) {
    if (!flat) cpu.seg[i].set(0, 0, 0xffff, i === 1 ? code : data);
    else cpu.seg[i].set(i === 1 ? 8 : 0x10, 0, 0xffffffff, i === 1 ? code | csSize | ATTR_G : data | ATTR_DB | ATTR_G);
  }
  cpu.updateMode();
  cpu.mmu.modeChanged();
  cpu.mmu.flushAll();
}

test('random byte streams give guest faults only, in every mode', { timeout: 120_000 }, () => {
  const r = rng(0xb17e5);
  const modes: Mode[] = ['real', 'protected16', 'protected32', 'compat32', 'long64'];
  let runs = 0, instructions = 0;
  const stops = new Map<string, number>();
  for (const mode of modes) {
    const m = new Machine({ memoryMiB: 4, executor: new X86Executor() });
    const cpu = m.cpus[0];
    for (let k = 0; k < 300; k++) {
      const bytes = Array.from({ length: 64 }, () => Math.floor(r() * 256));
      // A bias towards prefixes and two-byte opcodes reaches the system and extension maps more often.
      for (let i = 0; i < 8; i++) bytes[Math.floor(r() * 64)] = [0x0f, 0x66, 0x67, 0xf3, 0xf2, 0xf0, 0x48, 0x41][Math.floor(r() * 8)];
      m.memory.writeBytes(0x1000, bytes);
      // Guest interrupt tables and stacks are garbage too: delivery faults escalate to #DF and triple faults.
      m.memory.writeBytes(0, Array.from({ length: 0x400 }, () => Math.floor(r() * 256)));
      enter(cpu, mode);
      for (let g = 0; g < 16; g++) {
        cpu.gprLo[g] = Math.floor(r() * 2 ** 32) >>> 0;
        cpu.gprHi[g] = mode === 'long64' && r() < 0.5 ? Math.floor(r() * 2 ** 32) >>> 0 : 0;
      }
      cpu.gprLo[4] = 0x8000;
      cpu.gprHi[4] = 0;
      cpu.ripLo = 0x1000;
      cpu.ripHi = 0;
      cpu.runState = 'running';
      m.maxInstructions = m.totalInstructions + 200;
      const stop = m.run({ sliceInstructions: 200 });
      runs++;
      instructions += 200;
      stops.set(stop.kind, (stops.get(stop.kind) ?? 0) + 1);
      assert.notEqual(stop.kind, 'internal-error', `${mode}: ${stop.message} on ${Buffer.from(bytes).toString('hex')}`);
    }
  }
  console.log(`${runs} random streams, up to ${instructions} instructions; stops: ${[...stops].map(([k, n]) => `${k} ${n}`).join(', ')}`);
});

test('random byte streams stepped directly (faults skipped) exercise deep paths without host exceptions', { timeout: 120_000 }, () => {
  const r = rng(0x5c1f);
  const modes: Mode[] = ['real', 'protected16', 'protected32', 'compat32', 'long64'];
  const faults = new Map<number, number>();
  let executed = 0;
  for (const mode of modes) {
    const m = new Machine({ memoryMiB: 4, executor: new X86Executor() });
    const cpu = m.cpus[0];
    const ex = m.executor!;
    for (let k = 0; k < 40; k++) {
      const bytes = Array.from({ length: 4096 }, () => Math.floor(r() * 256));
      for (let i = 0; i < 512; i++) bytes[Math.floor(r() * 4096)] = [0x0f, 0x66, 0x67, 0xf3, 0xf2, 0xf0, 0x48, 0x41, 0x26, 0x64][Math.floor(r() * 10)];
      m.memory.writeBytes(0x10000, bytes);
      enter(cpu, mode);
      for (let g = 0; g < 16; g++) {
        // Registers near the code and data so memory operands land in RAM more often than not.
        cpu.gprLo[g] = r() < 0.5 ? 0x10000 + Math.floor(r() * 0x8000) : Math.floor(r() * 2 ** 32) >>> 0;
        cpu.gprHi[g] = 0;
      }
      cpu.gprLo[4] = 0x30000;
      cpu.ripLo = 0x10000;
      cpu.ripHi = 0;
      for (let n = 0; n < 500; n++) {
        const start = cpu.ripLo;
        try {
          ex.step(cpu);
          executed++;
        } catch (e) {
          if (e !== cpu.fault) throw new Error(`${mode}: host exception ${String(e)} at 0x${start.toString(16)}: ${Buffer.from(bytes.slice(start - 0x10000, start - 0x10000 + 16)).toString('hex')}`);
          faults.set(cpu.fault.vector, (faults.get(cpu.fault.vector) ?? 0) + 1);
          cpu.ripLo = start + 1; // a handler that skips one byte
        }
        // Stay inside the random code (branches go anywhere; pull them back) and keep the machine's mode.
        if (cpu.ripLo < 0x10000 || cpu.ripLo >= 0x10ff0 || cpu.ripHi !== 0) {
          cpu.ripLo = 0x10000 + Math.floor(r() * 0xff0);
          cpu.ripHi = 0;
        }
        if (cpu.runState !== 'running') cpu.runState = 'running';
        enterIfLeft(cpu, mode);
      }
    }
  }
  console.log(`${executed} random instructions executed directly; faults by vector: ${[...faults].sort((a, b) => a[0] - b[0]).map(([v, n]) => `${v}:${n}`).join(' ')}`);
  assert.ok(executed > 10000);
});

/** Random code may switch modes (MOV CR0, far jumps, IRET): put the CPU back into the mode under test. */
function enterIfLeft(cpu: Cpu, mode: Mode): void {
  const want = mode === 'real' ? 'real' : mode === 'long64' ? 'long' : mode === 'compat32' ? 'compat' : 'protected';
  if (cpu.mode !== want || cpu.cpl !== 0) {
    const rip = cpu.ripLo;
    const regs = Array.from(cpu.gprLo);
    enter(cpu, mode);
    cpu.gprLo.set(regs);
    cpu.ripLo = rip;
  }
}
