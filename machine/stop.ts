// Why a machine stopped running. Hosts (CLI, debugger) turn these into exit statuses and messages.

export type StopKind =
  | 'exit-port' // the guest wrote to QEMU's isa-debug-exit port
  | 'all-halted' // every CPU executed HLT with interrupts off (nothing can wake them)
  | 'triple-fault' // a fault while delivering #DF: real hardware resets; we stop
  | 'instruction-limit' // the configured instruction budget ran out
  | 'memory-cap' // the guest touched more memory than the host cap allows
  | 'reset' // the guest reset the machine (8042 pulse, port 0x92, CF9); QEMU -no-reboot exits
  | 'internal-error' // a bug in the emulator (a host exception caught at the run loop)
  | 'breakpoint' // an execution breakpoint or watchpoint
  | 'event' // a debugger event filter matched (mode change, CR write, exception…)
  | 'slice-end' // the run slice's instruction budget or time ran out; call run() again
  | 'paused'; // the host asked to pause

export interface StopReason {
  kind: StopKind;
  /** Words for a human: "isa-debug-exit: value 0x10 (exit status 33)". */
  message: string;
  /** For 'exit-port': the exit status as QEMU reports it, (value << 1) | 1. */
  exitStatus?: number;
  /** The CPU the stop concerns, when there is one. */
  cpu?: number;
  /** For 'event' and 'breakpoint' stops: what happened (see events.ts). */
  events?: unknown[];
}

/**
 * Thrown inside the emulator to abandon the current instruction and stop the machine (memory cap, triple fault,
 * exit port). The run loop catches it; it never reaches the host.
 */
export class MachineStop extends Error {
  constructor(readonly reason: StopReason) {
    super(reason.message);
  }
}
