// Shared test scaffolding: a machine without an executor, and little helpers to build guest structures.
import { Machine, type MachineConfig } from '../../machine/machine';
import type { Cpu } from '../../machine/cpu/cpu';
import { CpuFault } from '../../machine/cpu/fault';

export function newMachine(config: MachineConfig = {}): { m: Machine; cpu: Cpu } {
  const m = new Machine({ memoryMiB: 64, ...config });
  return { m, cpu: m.cpus[0] };
}

/** Writes 64-bit little-endian entries (Numbers or bigints) at a physical address. */
export function put64(m: Machine, addr: number, ...values: (number | bigint)[]): void {
  values.forEach((v, i) => {
    // Numbers built with | are signed 32-bit: take them as unsigned.
    const b = typeof v === 'number' && v < 0 ? BigInt(v >>> 0) : BigInt(v);
    m.memory.write32(addr + i * 8, Number(b & 0xffffffffn));
    m.memory.write32(addr + i * 8 + 4, Number((b >> 32n) & 0xffffffffn));
  });
}

export function get64(m: Machine, addr: number): bigint {
  return (BigInt(m.memory.read32(addr + 4)) << 32n) | BigInt(m.memory.read32(addr));
}

/** Runs fn and returns the CPU fault it raised as [vector, errorCode], or null. */
export function faultOf(fn: () => unknown): [number, number] | null {
  try {
    fn();
    return null;
  } catch (e) {
    if (e instanceof CpuFault) return [e.vector, e.errorCode];
    throw e;
  }
}

/** An 8-byte segment descriptor. type includes S (0x10) for code/data; flags: 0x8 G, 0x4 D/B, 0x2 L. */
export function descriptor(base: number, limit: number, access: number, flags: number): bigint {
  const lo = ((base & 0xffff) << 16) | (limit & 0xffff);
  const hi = ((base >>> 16) & 0xff) | (access << 8) | (((limit >>> 16) & 0xf) << 16) | (flags << 20) | (base & 0xff000000);
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

/** Steps `cpu` up to `max` instructions; the vector of the first fault raised (the step that raised it ends), or -1. */
export function stepUntilFault(m: Machine, cpu: Cpu, max: number): number {
  for (let n = 0; n < max; n++) {
    try {
      m.executor!.step(cpu);
    } catch (e) {
      if (e !== cpu.fault) throw e;
      return cpu.fault.vector;
    }
  }
  return -1;
}
