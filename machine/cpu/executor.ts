// The seam between the machine and instruction semantics. The machine owns time, interrupts and stops; an executor
// runs one instruction on a CPU through the CPU's memory/segment/control helpers.
import type { Cpu } from './cpu';

/** What block dispatch keeps exact for the machine (the Machine itself). */
export interface BlockHost {
  readonly clock: { now: number };
  totalInstructions: number;
}

/** Breakpoints as block dispatch sees them: does a block's byte range hold one? */
export interface BlockStops {
  /** A breakpoint lies in [linLo, linLo + length) (with high half linHi) or in [physical, physical + length). */
  inRange(linLo: number, linHi: number, physical: number, length: number): boolean;
}

export interface Executor {
  /**
   * Executes the instruction at CS:RIP and advances RIP. On an exception it throws `cpu.fault` (set through
   * `cpu.raise`) with RIP still at the faulting instruction and no architectural side effect the SDM forbids;
   * the machine then delivers it. Software interrupts (INT n, INT3, INTO) call `deliverSoftwareInterrupt`.
   * May throw MachineStop. HLT sets cpu.runState = 'halted' and advances RIP.
   */
  step(cpu: Cpu): void;
  /**
   * Optional block dispatch: runs up to `budget` (>= 1) instructions of straight-line code from CS:RIP in one call
   * and returns how many retired; 0 means nothing ran (the machine then calls step). The machine calls it only
   * when nothing needs checking between instructions (one CPU, no TF/RF, DR7, pending interrupt or shadow). With
   * `stops`, a block holding a breakpoint is not run (0 if it is the first). Before each instruction that may emit
   * an event or read the counters it records `cpu.startLo/startHi/startCs` (as the machine's step does) and makes
   * `cpu.instructionsRetired` and `host.totalInstructions` exact; it leaves `host.clock.now` at the round of the
   * last instruction it attempted (each instruction is one round, as in the machine's loop), also when an
   * instruction throws (`cpu.fault` with RIP at that instruction, or MachineStop). It stops early after an
   * instruction that set `cpu.exitBlock` (the machine sets it when interrupt state changes or a stop is requested).
   */
  runBlock?(cpu: Cpu, budget: number, host: BlockHost, stops: BlockStops | null): number;
  /** Forget decoded instructions of a physical page (the page was written). */
  invalidatePage?(page: number): void;
  /** Forget every decoded instruction (snapshot restore, memory reload). */
  flush?(): void;
}
