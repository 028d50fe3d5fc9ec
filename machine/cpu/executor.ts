// The seam between the machine and instruction semantics. The machine owns time, interrupts and stops; an executor
// runs one instruction on a CPU through the CPU's memory/segment/control helpers.
import type { Cpu } from './cpu';

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
   * when nothing needs checking between instructions (one CPU, no hooks, breakpoints, watchpoints, TF/RF, DR7,
   * pending interrupt or shadow). It keeps `cpu.instructionsRetired` exact and sets `clock.now` to the round of
   * the last instruction it attempted (each instruction is one round, as in the machine's loop), also when an
   * instruction throws (`cpu.fault` with RIP at that instruction, or MachineStop). It stops early after an
   * instruction that set `cpu.exitBlock` (the machine sets it when interrupt state changes or a stop is requested).
   */
  runBlock?(cpu: Cpu, budget: number, clock: { now: number }): number;
  /** Forget decoded instructions of a physical page (the page was written). */
  invalidatePage?(page: number): void;
  /** Forget every decoded instruction (snapshot restore, memory reload). */
  flush?(): void;
}
