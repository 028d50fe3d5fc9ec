// Reverse execution: the log of what the debugger ran (slices of all CPUs, or single instructions of one CPU)
// plus copy-on-write machine snapshots every few thousand units. Going back to position P restores the last
// snapshot at or before P and replays the log up to P with breakpoints and event stops switched off.
import type { Machine, MachineSnapshot } from '../../machine/machine';

/** One forward action: `run` retired `units` instructions across all CPUs; `step` executed one unit on a CPU. */
export type LoggedOp = { kind: 'run'; from: number; units: number } | { kind: 'step'; from: number; cpu: number };

export interface Checkpoint {
  position: number;
  snapshot: MachineSnapshot;
  /** Index of the first op that runs after this checkpoint, and units of it already done. */
  opIndex: number;
  opOffset: number;
  /** A debugger edit (registers, memory, goto) happened here: history cannot be replayed across it. */
  barrier?: boolean;
}

/** Keep at least this many units of history, and the checkpoint before the last mode switch. */
export const HISTORY_UNITS = 150_000;
export const CHECKPOINT_EVERY = 8_192;

export class History {
  /** Ops from the oldest checkpoint on (older ones are dropped with their checkpoints). */
  readonly ops: LoggedOp[] = [];
  checkpoints: Checkpoint[] = [];
  /** Execution units since launch (retired instructions of runs + single steps). */
  position = 0;
  /** Position of the last mode switch (its checkpoint is never dropped). */
  lastModeSwitch = -1;
  /**
   * After going back into the middle of a run round (several CPUs), the CPU whose turn comes next in that round;
   * forward execution finishes the round CPU by CPU first so it follows the recorded interleaving. -1 otherwise.
   */
  roundResume = -1;

  constructor(
    private readonly machine: Machine,
    private readonly limits: { historyUnits: number; checkpointEvery: number; pruneOpsAbove: number } = { historyUnits: HISTORY_UNITS, checkpointEvery: CHECKPOINT_EVERY, pruneOpsAbove: 4096 },
  ) {}

  reset(): void {
    this.ops.length = 0;
    this.checkpoints = [];
    this.position = 0;
    this.lastModeSwitch = -1;
    this.checkpoint(true);
  }

  get oldest(): number {
    return this.checkpoints.length ? this.checkpoints[0].position : this.position;
  }

  /** Takes a snapshot when the last one is far enough behind (or always when forced). */
  checkpoint(force = false): void {
    const last = this.checkpoints[this.checkpoints.length - 1];
    if (!force && last && this.position - last.position < this.limits.checkpointEvery) return;
    if (last && last.position === this.position) return;
    this.checkpoints.push({ position: this.position, snapshot: this.machine.snapshot(), opIndex: this.ops.length, opOffset: 0 });
    this.prune();
  }

  private prune(): void {
    const keepFrom = this.position - this.limits.historyUnits;
    let pinned = -1;
    if (this.lastModeSwitch >= 0) {
      for (let i = 0; i < this.checkpoints.length; i++) if (this.checkpoints[i].position <= this.lastModeSwitch) pinned = i;
    }
    const keep = (c: Checkpoint, i: number): boolean => i === pinned || c.position >= keepFrom || i === this.checkpoints.length - 1 || (i + 1 < this.checkpoints.length && this.checkpoints[i + 1].position > keepFrom && c.position < keepFrom);
    // Replaying from before a dropped edit would lose the edit: nothing before it can be kept either.
    let lostEdit = -1;
    this.checkpoints.forEach((c, i) => {
      if (c.barrier && !keep(c, i)) lostEdit = i;
    });
    this.checkpoints = this.checkpoints.filter((c, i) => i > lostEdit && keep(c, i));
    // Ops before the oldest checkpoint can never be replayed again.
    const first = this.checkpoints[0]?.opIndex ?? 0;
    if (first > this.limits.pruneOpsAbove) {
      this.ops.splice(0, first);
      for (const c of this.checkpoints) c.opIndex -= first;
    }
  }

  /**
   * The debugger changed the state (registers, memory, Jump to Cursor): the log cannot reproduce that, so the
   * edited state becomes a checkpoint of its own; going back before it restores the state from before the edit.
   */
  edited(): void {
    this.checkpoints = this.checkpoints.filter((c) => c.position < this.position);
    this.checkpoints.push({ position: this.position, snapshot: this.machine.snapshot(), opIndex: this.ops.length, opOffset: 0, barrier: true });
    this.prune();
  }

  recordRun(units: number): void {
    if (units <= 0) return;
    this.ops.push({ kind: 'run', from: this.position, units });
    this.position += units;
  }

  recordStep(cpu: number): void {
    this.ops.push({ kind: 'step', from: this.position, cpu });
    this.position += 1;
  }

  /** The latest checkpoint at or before a position. */
  checkpointBefore(position: number): Checkpoint | undefined {
    let best: Checkpoint | undefined;
    for (const c of this.checkpoints) if (c.position <= position) best = c;
    return best;
  }

  /**
   * Restores the machine to `target` by replaying from the checkpoint before it. `each` runs after every unit
   * when given (slow path used to record instruction pointers). Breakpoints/filters must be off (caller).
   */
  replay(target: number, each?: (position: number) => void): { opIndex: number; opOffset: number } {
    const cp = this.checkpointBefore(target);
    if (!cp) throw new Error(`position ${target} is before the recorded history (oldest ${this.oldest})`);
    return this.replayFrom(cp, target, each);
  }

  /** Like replay, from a given checkpoint; `each` also sees the checkpoint's own position first. */
  replayFrom(cp: Checkpoint, target: number, each?: (position: number) => void): { opIndex: number; opOffset: number } {
    const m = this.machine;
    m.restore(cp.snapshot);
    let pos = cp.position;
    let opIndex = cp.opIndex;
    let opOffset = cp.opOffset;
    this.roundResume = -1;
    each?.(pos);
    while (pos < target && opIndex < this.ops.length) {
      const op = this.ops[opIndex];
      if (op.kind === 'step') {
        this.roundResume = -1;
        m.step(op.cpu);
        pos++;
        opIndex++;
        each?.(pos);
        continue;
      }
      const want = Math.min(op.units - opOffset, target - pos);
      let done = 0;
      let guard = 0;
      // The run loop retires one instruction per running CPU per round and only returns at round ends (or at a
      // stop). Whole rounds are replayed with run(); a tail shorter than a round is replayed CPU by CPU in the
      // round's order, which is what the original did before it stopped there.
      let tailCpu = -1;
      let tailRetired = 0;
      const n = m.cpus.length;
      while (done < want && guard++ < 1_000_000) {
        const left = want - done;
        const before = m.totalInstructions;
        let r: ReturnType<Machine['run']>;
        // Any CPU may start running inside a slice (SIPI), so a slice never asks for more than left − (n − 1).
        if (left < n || tailCpu >= 0) {
          if (tailCpu < 0 || tailCpu >= n) {
            if (tailCpu >= n && tailRetired === 0) break; // nothing can run
            tailCpu = 0;
            tailRetired = 0;
          }
          r = m.step(tailCpu++);
        } else r = m.run({ sliceInstructions: each ? 1 : left - (n - 1) });
        const retired = m.totalInstructions - before;
        tailRetired += retired;
        done += retired;
        if (each && retired) each(pos + done);
        if (r.kind !== 'slice-end' && r.kind !== 'breakpoint' && r.kind !== 'event' && r.kind !== 'paused') break;
      }
      // Stopped inside a round: remember whose turn is next (unless the round was complete).
      this.roundResume = tailCpu >= 0 && tailCpu < n && done === want && opOffset + done < op.units ? tailCpu : -1;
      pos += done;
      opOffset += done;
      if (opOffset >= op.units) {
        opIndex++;
        opOffset = 0;
      }
      if (done < want) break;
    }
    this.position = pos;
    return { opIndex, opOffset };
  }

  /** Forgets everything after the current position (forward execution continues from here). */
  truncate(at: { opIndex: number; opOffset: number }): void {
    if (at.opOffset > 0) {
      const op = this.ops[at.opIndex];
      if (op.kind === 'run') op.units = at.opOffset;
      this.ops.length = at.opIndex + 1;
    } else this.ops.length = at.opIndex;
    this.checkpoints = this.checkpoints.filter((c) => c.position <= this.position);
    if (this.lastModeSwitch > this.position) this.lastModeSwitch = -1;
    const last = this.checkpoints[this.checkpoints.length - 1];
    if (last && last.position === this.position) {
      // The snapshot's op index must point at where new ops will be appended.
      last.opIndex = this.ops.length;
      last.opOffset = 0;
    }
  }
}
