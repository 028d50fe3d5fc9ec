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
  /** Forget decoded instructions of a physical page (the page was written). */
  invalidatePage?(page: number): void;
  /** Forget every decoded instruction (snapshot restore, memory reload). */
  flush?(): void;
}
