// The debugger's engine: owns the machine and the program, runs the machine in bounded slices so requests are
// served while the guest runs, steps by source line or instruction, keeps breakpoints and event filters, the mode
// timeline and the reverse-execution history. The DAP session only translates requests into calls on this class.
import type { Machine } from '../../machine/machine';
import type { Cpu } from '../../machine/cpu/cpu';
import type { EventFilter, MachineEvent } from '../../machine/events';
import type { StopReason } from '../../machine/stop';
import { EXCEPTION_NAMES } from '../../machine/cpu/fault';
import type { ControlRegister } from '../../machine/cpu/hooks';
import { peekLinear, mappedRanges, decodeDescriptorTable } from '../../machine/inspect';
import { disassemble } from '../../isa/disassembler';
import type { CodeMode } from '../../isa/mode';
import { readRegister, writeRegister } from '../../machine/registers';
import { CS, SS } from '../../machine/cpu/segment';
import { RSP } from '../../machine/cpu/state';
import { decodeInstruction, newDecoded, Prefix } from '../../isa/decoder';
import type { FileSystem } from '../../gas/index';
import { checkBreakpoint, type DataBreakpoint, type UserBreakpoint } from './breakpoints';
import { describeStopEvent, describeTripleFault, filterIdOf, modeName, pagingName, shortMode, threadName } from './describe';
import { evaluateExpression, type EvalContext, type EvalResult } from './evaluate';
import { History } from './history';
import { bootMachine, LaunchError, planLaunch, type LaunchArguments, type LaunchPlan } from './launch';
import { hex } from './numbers';
import type { Program } from './program';
import type { ModeTimelineEntry } from '../protocol';

/** Guest console bytes passed on per flush (one run slice) and per session; the rest is dropped and counted. */
const OUTPUT_PER_FLUSH = 16 * 1024;
const OUTPUT_PER_SESSION = 4 * 1024 * 1024;

export type StopReasonName = 'entry' | 'step' | 'breakpoint' | 'exception' | 'pause' | 'goto' | 'function breakpoint' | 'data breakpoint' | 'instruction breakpoint';

export interface ExceptionDetails {
  filterId: string;
  description: string;
  details: string;
  event?: MachineEvent;
}

export interface StopInfo {
  reason: StopReasonName;
  cpu: number;
  description: string;
  hitBreakpointIds?: number[];
  exception?: ExceptionDetails;
}

export interface RuntimeListener {
  stopped(stop: StopInfo): void;
  output(text: string, category: 'stdout' | 'console' | 'stderr' | 'important'): void;
  exited(exitCode: number, message: string): void;
  continued(): void;
  threadStarted(cpu: number): void;
}

/** One mode event for the timeline; the shape the extension reads is defined once, in protocol.ts. */
export type { ModeTimelineEntry } from '../protocol';

export interface StackFrameInfo {
  name: string;
  cpu: number;
  /** Linear address of the instruction (top frame), the macro's instruction, or the return address. */
  linear: number;
  file?: string;
  /** 0-based. */
  line?: number;
  column?: number;
  kind: 'instruction' | 'macro' | 'return';
}

export const EXCEPTION_FILTERS: { id: string; label: string; description: string; default: boolean; supportsCondition?: boolean; conditionDescription?: string }[] = [
  { id: 'mode', label: 'Mode switch', description: 'Any CPU mode change: real ↔ protected ↔ IA-32e compatibility ↔ 64-bit (and 16/32-bit code size).', default: true },
  { id: 'paging', label: 'Paging change', description: 'Paging turned on or off, PAE, 4 ↔ 5-level.', default: false },
  { id: 'cr3', label: 'CR3 write', description: 'Every MOV to CR3 (page-table root switch).', default: false },
  { id: 'cr', label: 'Control register write', description: 'Writes of CR0, CR2, CR4, CR8 and XCR0.', default: false },
  { id: 'msr', label: 'MSR write', description: 'WRMSR (e.g. EFER).', default: false },
  { id: 'descriptor-tables', label: 'Descriptor table load', description: 'LGDT, LIDT, LLDT, LTR.', default: false },
  { id: 'exception', label: 'CPU exception', description: 'Exceptions (#GP, #PF, …).', default: false, supportsCondition: true, conditionDescription: 'Vectors to stop on, e.g. 13,14 or #GP,#PF (empty: all)' },
  { id: 'triple-fault', label: 'Triple fault', description: 'A fault while delivering #DF: a real machine would reset.', default: true },
  { id: 'halt', label: 'HLT', description: 'A CPU executed HLT.', default: false },
  { id: 'sipi', label: 'INIT / SIPI', description: 'INIT or STARTUP IPI arriving at a CPU.', default: false },
];

// A slice ends after this many instructions or 5 ms, whichever comes first: large enough that a fast guest is not
// held back by per-slice work (history checkpoint, output flush, thread check, event-loop turn).
const SLICE = 262_144;
const STEP_BUDGET = 5_000_000;
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

type Granularity = 'line' | 'instruction';

export class TrampolineRuntime {
  machine: Machine | undefined;
  program: Program | undefined;
  plan: LaunchPlan | undefined;
  history: History | undefined;
  state: 'idle' | 'stopped' | 'running' | 'terminated' = 'idle';
  /** The CPU of the last stop (the default for requests without a thread). */
  focusCpu = 0;
  readonly timeline: ModeTimelineEntry[] = [];
  private launchArgs: LaunchArguments | undefined;
  private fs: FileSystem | undefined;
  private sourceBps = new Map<string, UserBreakpoint[]>();
  private functionBps: UserBreakpoint[] = [];
  private instructionBps: UserBreakpoint[] = [];
  private dataBps: DataBreakpoint[] = [];
  private nextBpId = 1;
  private filters = new Set<string>(EXCEPTION_FILTERS.filter((f) => f.default).map((f) => f.id));
  private exceptionVectors: number[] | undefined;
  private recentEvents: MachineEvent[] = [];
  private pauseRequested = false;
  private outputBuffer = '';
  private outputTotal = 0;
  private outputDropped = 0;
  private replaying = false;
  private generation = 0;
  private knownRunning: string[] = [];
  /** machine.totalInstructions when the current run slice or step began (positions of events inside it). */
  private sliceStartTotal = 0;

  constructor(private readonly listener: RuntimeListener) {}

  // ---- launch ----------------------------------------------------------------------------------------------------

  /** Assembles and sets up the machine; throws LaunchError for configuration mistakes. */
  launch(args: LaunchArguments, fs: FileSystem): LaunchPlan {
    const plan = planLaunch(args, fs);
    this.launchArgs = args;
    this.fs = fs;
    this.setup(plan);
    this.rebindSourceBreakpoints();
    for (const w of plan.warnings) {
      const r = w.origin.range;
      this.listener.output(`${r.file}:${r.line + 1}:${r.column + 1}: warning: ${w.message}\n`, 'console');
    }
    return plan;
  }

  private setup(plan: LaunchPlan): void {
    this.generation++;
    this.plan = plan;
    this.program = plan.program;
    this.outputTotal = 0;
    this.outputDropped = 0;
    const machine = bootMachine(plan, (b) => {
      if (this.replaying) return;
      // A guest that prints without end must not flood the client or the adapter's memory: each slice passes at
      // most OUTPUT_PER_FLUSH bytes and a session at most OUTPUT_PER_SESSION; the rest is counted and reported.
      if (this.outputBuffer.length < OUTPUT_PER_FLUSH && this.outputTotal < OUTPUT_PER_SESSION) {
        this.outputBuffer += String.fromCharCode(b);
        this.outputTotal++;
      } else this.outputDropped++;
    });
    this.machine = machine;
    this.history = new History(machine);
    this.timeline.length = 0;
    this.recentEvents = [];
    machine.events.trace({ mode: true, paging: true, cr: true, msr: true, tables: true, exceptions: true, ipi: true }, (e) => this.traced(e));
    this.applyFilters();
    this.history.reset();
    this.knownRunning = machine.cpus.map((c) => c.runState);
    this.state = 'stopped';
    this.focusCpu = 0;
  }

  /** After configurationDone: stop on entry or run. */
  begin(): void {
    if (!this.machine) return;
    if (this.plan?.stopOnEntry !== false) this.stop({ reason: 'entry', cpu: 0, description: `Entry: ${this.plan?.start} start, ${threadName(this.machine.cpus[0])}` });
    else void this.continue();
  }

  /** Restart from the beginning (breakpoints and filters kept), with an updated configuration when given. */
  restart(args?: LaunchArguments): void {
    if (!this.launchArgs || !this.fs) throw new Error('nothing to restart: no program was launched');
    this.pauseRequested = true;
    const plan = planLaunch(args ?? this.launchArgs, this.fs);
    if (args) this.launchArgs = args;
    this.setup(plan);
    this.rebindSourceBreakpoints();
    this.pauseRequested = false;
    this.begin();
  }

  terminate(): void {
    this.generation++;
    this.pauseRequested = true;
    this.state = 'terminated';
  }

  private traced(e: MachineEvent): void {
    this.recentEvents.push(e);
    if (this.recentEvents.length > 64) this.recentEvents.splice(0, this.recentEvents.length - 32);
    if (e.kind !== 'mode-change' || this.replaying) return;
    const m = this.machine!;
    const cpu = m.cpus[e.cpu];
    const linear = this.siteOf(e);
    const entry = this.program?.entryAt(linear);
    const position = this.history ? this.history.position + (m.totalInstructions - this.sliceStartTotal) : 0;
    this.timeline.push({
      position,
      instructionCount: m.totalInstructions,
      cpu: e.cpu,
      from: modeName(e.from, e.fromBits),
      to: modeName(e.to, e.toBits),
      fromPaging: pagingName(e.fromPaging),
      toPaging: pagingName(e.toPaging),
      description: describeStopEvent(e, { events: this.recentEvents, eferAfter: cpu.efer, instruction: this.instructionText(cpu, linear, e.fromBits), csAfter: this.csInfo(cpu) }),
      cs: e.cs,
      rip: hex(e.rip),
      source: entry ? { path: entry.entry.origin.range.file, line: entry.entry.origin.range.line } : undefined,
    });
    if (this.history) this.history.lastModeSwitch = position;
  }

  /**
   * Linear address of an event site (CS selector + RIP at the instruction's start). CS may have changed since
   * (far jumps), so the base comes from the selector as the instruction saw it.
   */
  private linearOfSite(cpu: Cpu, cs: number, rip: bigint, bits?: number): number {
    const longCode = bits === 64 || (bits === undefined && cpu.mode === 'long');
    if (longCode) return Number(rip);
    const off = Number(rip & 0xffffffffn);
    if (cs === cpu.seg[CS].selector) return (cpu.seg[CS].base + off) >>> 0;
    if (cpu.mode === 'real' || (cpu.cr0 & 1) === 0 || bits === 16 && this.wasReal(cpu, cs)) return ((cs << 4) + off) >>> 0;
    const d = decodeDescriptorTable(cpu, 'gdt').find((e) => e.selector === (cs & ~3));
    return d ? (Number(d.base) + off) >>> 0 : (cpu.seg[CS].base + off) >>> 0;
  }

  /** A 16-bit site whose selector is not a usable GDT code descriptor ran in real mode (the PE switch itself). */
  private wasReal(cpu: Cpu, cs: number): boolean {
    const d = decodeDescriptorTable(cpu, 'gdt').find((e) => e.selector === (cs & ~3));
    return !d || d.kind !== 'code';
  }

  private csInfo(cpu: Cpu): { selector: number; long: boolean; db: boolean } {
    const cs = cpu.seg[CS];
    return { selector: cs.selector, long: (cs.attr & 0x2000) !== 0, db: (cs.attr & 0x4000) !== 0 };
  }

  /** Site of a mode-change event: the instruction ran in the old mode. */
  private siteOf(e: MachineEvent): number {
    const cpu = this.machine!.cpus[e.cpu];
    if (e.kind === 'mode-change') {
      if (e.from === 'real') return ((e.cs << 4) + Number(e.rip & 0xffffn)) >>> 0;
      return this.linearOfSite(cpu, e.cs, e.rip, e.fromBits);
    }
    return this.linearOfSite(cpu, e.cs, e.rip);
  }

  // ---- filters and breakpoints ---------------------------------------------------------------------------------

  setExceptionFilters(ids: string[], conditions: Record<string, string | undefined> = {}): { verified: boolean; message?: string }[] {
    const known = new Set(EXCEPTION_FILTERS.map((f) => f.id));
    this.filters = new Set(ids.filter((i) => known.has(i)));
    this.exceptionVectors = undefined;
    const results = ids.map((id) => (known.has(id) ? { verified: true } : { verified: false, message: `unknown exception filter '${id}'` }));
    const cond = conditions['exception'];
    if (cond !== undefined && cond.trim() !== '') {
      // Vectors by number (13, 0xd) or mnemonic (#GP, PF).
      const byName = (t: string): number => EXCEPTION_NAMES.findIndex((n) => n.split(' ')[0].toUpperCase() === `#${t.replace(/^#/, '').toUpperCase()}`);
      const vectors = cond.split(/[\s,]+/).filter(Boolean).map((t) => (/^0x[0-9a-f]+$/i.test(t) ? parseInt(t, 16) : /^\d+$/.test(t) ? Number(t) : byName(t)));
      if (vectors.some((v) => !Number.isInteger(v) || v < 0 || v > 255)) {
        const i = ids.indexOf('exception');
        if (i >= 0) results[i] = { verified: false, message: `exception filter condition '${cond}' must list vectors 0-255 or names, e.g. 13,14 or #GP,#PF` };
      } else this.exceptionVectors = vectors;
    }
    this.applyFilters();
    return results;
  }

  private applyFilters(): void {
    if (!this.machine) return;
    const f = this.filters;
    const cr: ControlRegister[] = [];
    if (f.has('cr3')) cr.push('cr3');
    if (f.has('cr')) cr.push('cr0', 'cr2', 'cr4', 'cr8', 'xcr0');
    const filter: EventFilter = {
      mode: f.has('mode'),
      paging: f.has('paging'),
      cr: cr.length ? cr : false,
      msr: f.has('msr'),
      tables: f.has('descriptor-tables'),
      exceptions: f.has('exception') ? (this.exceptionVectors ?? true) : false,
      tripleFault: f.has('triple-fault'),
      halt: f.has('halt'),
      ipi: f.has('sipi'),
    };
    this.machine.events.stopOn(filter);
  }

  /** Binds source breakpoints set before the launch (or before a restart reassembled the program). */
  rebindSourceBreakpoints(): UserBreakpoint[] {
    const changed: UserBreakpoint[] = [];
    for (const [file, list] of [...this.sourceBps]) {
      const fresh = this.setSourceBreakpoints(file, list.map((b) => ({ line: b.line ?? -1, condition: b.condition, hitCondition: b.hitCondition, logMessage: b.logMessage })));
      // Keep the ids the client knows.
      fresh.forEach((b, i) => (b.id = list[i].id));
      changed.push(...fresh);
    }
    return changed;
  }

  /** Every source breakpoint, for the session's `changed` events after a launch. */
  sourceBreakpoints(): UserBreakpoint[] {
    return [...this.sourceBps.values()].flat();
  }

  setSourceBreakpoints(file: string, specs: { line: number; condition?: string; hitCondition?: string; logMessage?: string }[]): UserBreakpoint[] {
    const program = this.program;
    const out: UserBreakpoint[] = specs.map((s) => {
      const bp: UserBreakpoint = { id: this.nextBpId++, kind: 'source', addresses: [], verified: false, condition: s.condition, hitCondition: s.hitCondition, logMessage: s.logMessage, hits: 0, file, line: s.line };
      if (!program) {
        bp.message = 'the program is not assembled yet';
        return bp;
      }
      if (!program.sourceMap) {
        bp.message = 'the program is a flat image without source; use instruction or function breakpoints';
        return bp;
      }
      bp.addresses = program.instructionAddressesForLine(file, s.line);
      bp.verified = bp.addresses.length > 0;
      if (!bp.verified) {
        if (!program.files.includes(file)) bp.message = `${file} is not part of the program being debugged`;
        else if (program.lineEmitsData(file, s.line)) bp.message = `line ${s.line + 1} emits data, not instructions`;
        else bp.message = `no code at line ${s.line + 1}: it emits no instructions (comment, directive, label or an unused macro)`;
      }
      return bp;
    });
    this.sourceBps.set(file, out);
    this.syncBreakpoints();
    return out;
  }

  setFunctionBreakpoints(specs: { name: string; condition?: string; hitCondition?: string }[]): UserBreakpoint[] {
    this.functionBps = specs.map((s) => {
      const bp: UserBreakpoint = { id: this.nextBpId++, kind: 'function', addresses: [], verified: false, condition: s.condition, hitCondition: s.hitCondition, hits: 0 };
      const sym = this.program?.symbol(s.name.trim());
      if (!sym) bp.message = `no symbol named '${s.name}'`;
      else if (!sym.isAddress) bp.message = `'${s.name}' is an absolute value (${hex(sym.value)}), not a code address`;
      else {
        bp.addresses = [Number(sym.value)];
        const link = this.program!.linkAddress(Number(sym.value));
        if (link !== undefined) bp.addresses = this.program!.linearAddresses(link);
        bp.verified = true;
        const e = this.program!.entryAt(Number(sym.value));
        if (e) {
          bp.file = e.entry.origin.range.file;
          bp.line = e.entry.origin.range.line;
        }
      }
      return bp;
    });
    this.syncBreakpoints();
    return this.functionBps;
  }

  setInstructionBreakpoints(specs: { instructionReference: string; offset?: number; condition?: string; hitCondition?: string }[]): UserBreakpoint[] {
    this.instructionBps = specs.map((s) => {
      const bp: UserBreakpoint = { id: this.nextBpId++, kind: 'instruction', addresses: [], verified: false, condition: s.condition, hitCondition: s.hitCondition, hits: 0, instructionReference: s.instructionReference };
      const base = parseReference(s.instructionReference);
      if (base === undefined) bp.message = `instruction reference '${s.instructionReference}' is not an address`;
      else {
        bp.addresses = [base + (s.offset ?? 0)];
        bp.verified = true;
      }
      return bp;
    });
    this.syncBreakpoints();
    return this.instructionBps;
  }

  /** Data breakpoints on linear ranges, translated to physical now (watchpoints are physical). */
  setDataBreakpoints(specs: { dataId: string; accessType?: 'read' | 'write' | 'readWrite'; condition?: string; hitCondition?: string }[]): { verified: boolean; message?: string; id: number }[] {
    const results: { verified: boolean; message?: string; id: number }[] = [];
    this.dataBps = [];
    for (const s of specs) {
      const id = this.nextBpId++;
      const m = /^lin:(0x[0-9a-f]+):(\d+)$/i.exec(s.dataId);
      if (!m || !this.machine) {
        results.push({ id, verified: false, message: `unknown data id '${s.dataId}'` });
        continue;
      }
      const linear = Number(m[1]);
      const size = Number(m[2]);
      const phys = this.translate(this.machine.cpus[this.focusCpu], linear);
      if (phys === undefined) {
        results.push({ id, verified: false, message: `linear address ${hex(linear)} is not mapped now` });
        continue;
      }
      const access = s.accessType === 'read' ? 'read' : s.accessType === 'readWrite' ? 'access' : 'write';
      this.dataBps.push({ id, physical: phys, size, access, condition: s.condition, hitCondition: s.hitCondition, hits: 0, label: `${size} byte(s) at ${hex(linear)}` });
      results.push({ id, verified: true });
    }
    this.syncBreakpoints();
    return results;
  }

  /** What a data breakpoint on an expression or variable would watch. */
  dataBreakpointInfo(expression: string): { dataId: string | null; description: string; accessTypes?: ('read' | 'write' | 'readWrite')[] } {
    if (!this.machine) return { dataId: null, description: 'no program is running' };
    try {
      const r = this.evaluateRaw(expression, this.focusCpu);
      const address = r.address ?? r.value;
      const size = r.width && r.address !== undefined ? r.width / 8 : r.symbol ? this.symbolSize(r.symbol) : 4;
      return { dataId: `lin:${hex(address)}:${size}`, description: `${size} byte(s) at ${hex(address)}${r.symbol ? ` (${r.symbol})` : ''}`, accessTypes: ['read', 'write', 'readWrite'] };
    } catch (e) {
      return { dataId: null, description: `cannot watch '${expression}': ${e instanceof Error ? e.message : String(e)}` };
    }
  }

  private symbolSize(name: string): number {
    const syms = this.program?.symbols.filter((s) => s.isAddress).sort((a, b) => (a.value < b.value ? -1 : 1)) ?? [];
    const i = syms.findIndex((s) => s.name === name);
    if (i >= 0 && i + 1 < syms.length) {
      const d = Number(syms[i + 1].value - syms[i].value);
      if (d > 0 && d <= 8) return d;
    }
    return 4;
  }

  private allUserBreakpoints(): UserBreakpoint[] {
    return [...[...this.sourceBps.values()].flat(), ...this.functionBps, ...this.instructionBps];
  }

  private syncBreakpoints(): void {
    const m = this.machine;
    if (!m) return;
    m.clearBreakpoints();
    for (const bp of this.allUserBreakpoints()) for (const a of bp.addresses) m.addBreakpoint(a);
    m.clearWatchpoints();
    for (const d of this.dataBps) m.addWatchpoint(d.physical, d.size, d.access);
  }

  private breakpointsAt(linear: number): UserBreakpoint[] {
    return this.allUserBreakpoints().filter((b) => b.addresses.includes(linear));
  }

  // ---- execution -------------------------------------------------------------------------------------------------

  /** Runs all CPUs until a breakpoint, event, pause or exit. Resolves when the run ends. */
  async continue(): Promise<void> {
    const m = this.requireStopped();
    this.state = 'running';
    this.pauseRequested = false;
    const gen = this.generation;
    this.listener.continued();
    // Back in the middle of a recorded round: let the CPUs whose turn it still was run first, as they did.
    const h = this.history!;
    if (h.roundResume >= 0) {
      const from = h.roundResume;
      h.roundResume = -1;
      for (let i = from; i < m.cpus.length; i++) {
        if (m.cpus[i].runState !== 'running') continue;
        const r = this.stepOne(i);
        if (r.kind !== 'slice-end') {
          const stop = this.handleStop(r);
          if (stop === 'exited') return;
          if (stop) return this.stop(stop);
        }
      }
    }
    // Leave a breakpoint we are standing on: execute that instruction first.
    for (const cpu of m.cpus) {
      if (cpu.runState === 'running' && this.breakpointsAt(this.linearRip(cpu)).length > 0) {
        const r = this.stepOne(cpu.id);
        if (r.kind !== 'slice-end') {
          const stop = this.handleStop(r);
          if (stop === 'exited') return;
          if (stop) return this.stop(stop);
        }
      }
    }
    for (;;) {
      if (gen !== this.generation) return;
      if (this.pauseRequested) return this.stop({ reason: 'pause', cpu: this.focusCpu, description: 'Paused' });
      this.history!.checkpoint();
      const before = m.totalInstructions;
      this.sliceStartTotal = before;
      const r = m.run({ sliceInstructions: SLICE, sliceMs: 5 });
      this.history!.recordRun(m.totalInstructions - before);
      this.sliceStartTotal = m.totalInstructions;
      this.flushOutput();
      this.checkThreads();
      if (r.kind === 'slice-end') {
        await tick();
        continue;
      }
      if (r.kind === 'paused') {
        if (this.pauseRequested) return this.stop({ reason: 'pause', cpu: this.focusCpu, description: 'Paused' });
        continue;
      }
      const stop = this.handleStop(r);
      if (stop === 'exited') return;
      if (stop) return this.stop(stop);
    }
  }

  /** Asks a running continue/step to stop at its next slice boundary (well under 50 ms). */
  pause(): void {
    this.pauseRequested = true;
    this.machine?.pause();
  }

  /** Step in / over / out on one CPU; other CPUs do not move. */
  async step(cpuIndex: number, kind: 'in' | 'over' | 'out', granularity: Granularity = 'line'): Promise<void> {
    const m = this.requireStopped();
    const cpu = m.cpus[cpuIndex];
    if (!cpu) throw new Error(`there is no CPU ${cpuIndex}`);
    this.state = 'running';
    this.pauseRequested = false;
    const gen = this.generation;
    this.focusCpu = cpuIndex;
    if (cpu.runState !== 'running') {
      return this.stop({ reason: 'step', cpu: cpuIndex, description: `CPU ${cpuIndex} is ${cpu.runState}: it cannot step until it is woken` });
    }
    const startLin = this.linearRip(cpu);
    const lineKind = kind === 'in' ? 'inner' : 'outer';
    const startKey = this.lineKey(startLin, lineKind);
    const inMacro = (this.program?.entryAt(startLin)?.entry.origin.expansion ?? []).some((s) => s.kind === 'macro' || s.kind === 'rept' || s.kind === 'irp');
    const sp0 = this.stackPointer(cpu);
    let returnTarget: { linear: number; sp: number } | undefined;
    let count = 0;
    for (;;) {
      if (gen !== this.generation) return;
      if (this.pauseRequested) return this.stop({ reason: 'pause', cpu: cpuIndex, description: 'Paused' });
      const lin = this.linearRip(cpu);
      const insn = this.decodeAt(cpu, lin);
      if (kind === 'over' && !returnTarget && insn && isCallLike(insn.op, insn.prefixes)) {
        returnTarget = { linear: lin + insn.length, sp: this.stackPointer(cpu) };
      }
      const spBefore = this.stackPointer(cpu);
      this.history!.checkpoint();
      const r = this.stepOne(cpuIndex);
      count++;
      if (r.kind !== 'slice-end') {
        const stop = this.handleStop(r);
        if (stop === 'exited') return;
        if (stop) return this.stop(stop);
      }
      const now = this.linearRip(cpu);
      if (cpu.runState !== 'running') return this.stop({ reason: 'step', cpu: cpuIndex, description: `CPU ${cpuIndex} is ${cpu.runState}` });
      if (returnTarget) {
        if (now === returnTarget.linear && this.stackPointer(cpu) >= returnTarget.sp) returnTarget = undefined;
        else {
          const hit = this.userBreakpointStop(cpu);
          if (hit) return this.stop(hit);
          if (count % 4096 === 0) await tick();
          if (count > STEP_BUDGET) return this.stop({ reason: 'step', cpu: cpuIndex, description: `Step stopped after ${STEP_BUDGET} instructions without returning` });
          continue;
        }
      }
      let done = false;
      if (granularity === 'instruction' && kind !== 'out') done = true;
      else if (kind === 'out' && !inMacro) {
        done = insn !== undefined && (insn.op === 'ret' || insn.op === 'lret' || insn.op === 'iret') && this.stackPointer(cpu) > sp0 && spBefore >= sp0;
      } else {
        const key = this.lineKey(now, lineKind);
        done = key === undefined || key !== startKey;
      }
      if (done) return this.stop({ reason: 'step', cpu: cpuIndex, description: 'Step' });
      const hit = this.userBreakpointStop(cpu);
      if (hit) return this.stop(hit);
      if (count % 4096 === 0) await tick();
      if (count > STEP_BUDGET) return this.stop({ reason: 'step', cpu: cpuIndex, description: `Step stopped after ${STEP_BUDGET} instructions on the same line` });
    }
  }

  /** Jump to Cursor: sets CS:IP / RIP of a CPU to a linear address (keeping CS in real mode when it reaches). */
  goto(cpuIndex: number, linear: number): void {
    const m = this.requireStopped();
    const cpu = m.cpus[cpuIndex];
    if (cpu.mode === 'long') writeRegister(cpu, 'rip', BigInt(linear));
    else {
      const off = linear - cpu.seg[CS].base;
      const max = cpu.codeSize === 16 ? 0xffff : 0xffffffff;
      if (off < 0 || off > max) {
        if (cpu.mode !== 'real') throw new Error(`${hex(linear)} is outside the current code segment (base ${hex(cpu.seg[CS].base)})`);
        writeRegister(cpu, 'cs', BigInt((linear >>> 4) & 0xffff));
        writeRegister(cpu, 'ip', BigInt(linear & 0xf));
      } else writeRegister(cpu, cpu.codeSize === 16 ? 'ip' : 'eip', BigInt(off));
    }
    this.edited();
    this.stop({ reason: 'goto', cpu: cpuIndex, description: `Jumped to ${hex(linear)}` });
  }

  /** The debugger wrote registers or memory: keep reverse execution consistent with the edit. */
  edited(): void {
    this.history?.edited();
  }

  /** Instruction addresses a goto target line maps to. */
  gotoTargets(file: string, line: number): number[] {
    return this.program?.instructionAddressesForLine(file, line) ?? [];
  }

  /** One step backwards: an instruction, or to the start of the previous source line. */
  stepBack(cpuIndex: number, granularity: Granularity = 'line'): void {
    const m = this.requireStopped();
    const h = this.history!;
    if (h.position <= h.oldest) return this.stop({ reason: 'step', cpu: cpuIndex, description: 'At the start of the recorded history' });
    let target = h.position - 1;
    if (granularity === 'line' && m.cpus.length === 1) {
      const cp = h.checkpointBefore(target)!;
      // rips[p] / sps[p]: instruction and stack pointer at position p (before unit p + 1 runs).
      const rips = new Map<number, number>();
      const sps = new Map<number, number>();
      const end = h.position;
      this.withoutStops(() => h.replayFrom(cp, end, (p) => {
        rips.set(p, this.linearRip(m.cpus[0]));
        sps.set(p, this.stackPointer(m.cpus[0]));
      }));
      const lineOf = (p: number): string | undefined => {
        const lin = rips.get(p);
        return lin === undefined ? undefined : this.lineKey(lin, 'outer');
      };
      // Reverse of "step over": callees (deeper stack than now) are skipped as a whole.
      const sp = sps.get(end) ?? 0;
      const deeper = (p: number): boolean => (sps.get(p) ?? sp) < sp;
      while (target > cp.position && deeper(target)) target--;
      const key = lineOf(target);
      if (key !== undefined) while (target - 1 >= cp.position && (lineOf(target - 1) === key || deeper(target - 1))) target--;
    }
    this.goBackTo(target);
    this.stop({ reason: 'step', cpu: cpuIndex, description: 'Stepped back' });
  }

  /** Runs backwards to the previous breakpoint or event stop (or the start of the history). */
  reverseContinue(cpuIndex: number): void {
    this.requireStopped();
    const h = this.history!;
    const end = h.position;
    let upper = end;
    for (let i = h.checkpoints.length - 1; i >= 0; i--) {
      const cp = h.checkpoints[i];
      if (cp.position >= upper) continue;
      const hits = this.scanStops(cp.position, upper);
      if (hits.length > 0) {
        const last = hits[hits.length - 1];
        this.goBackTo(last.position);
        return this.stop({ ...last.stop, description: `${last.stop.description} (reverse)` });
      }
      upper = cp.position;
    }
    this.goBackTo(h.oldest);
    this.stop({ reason: 'entry', cpu: cpuIndex, description: 'Reached the start of the recorded history' });
  }

  /** Goes back to an earlier execution position (e.g. a mode-timeline entry). */
  runBackTo(position: number): void {
    this.requireStopped();
    const h = this.history!;
    if (position < h.oldest || position > h.position) throw new Error(`position ${position} is outside the recorded history (${h.oldest}..${h.position})`);
    this.goBackTo(position);
    this.stop({ reason: 'step', cpu: this.focusCpu, description: `Ran back to execution position ${position}` });
  }

  private goBackTo(position: number): void {
    const h = this.history!;
    // The replay traces the kept history again: events of the abandoned future (and earlier copies of the replayed
    // ones) must not stay, or a re-run instruction would list its causes once per pass.
    this.recentEvents = [];
    const at = this.withoutStops(() => h.replay(position));
    h.truncate(at);
    this.timeline.splice(0, this.timeline.length, ...this.timeline.filter((e) => e.position < position));
  }

  /** Replays [from, to) with breakpoints and filters on, collecting where forward execution would have stopped. */
  private scanStops(from: number, to: number): { position: number; stop: StopInfo }[] {
    const h = this.history!;
    const m = this.machine!;
    const hits: { position: number; stop: StopInfo }[] = [];
    const cp = h.checkpoints.find((c) => c.position === from);
    if (!cp) return hits;
    this.replaying = true;
    try {
      const bpAddrs = new Set(this.allUserBreakpoints().flatMap((b) => b.addresses));
      const check = (pos: number): void => {
        if (pos >= to) return;
        for (const cpu of m.cpus) {
          if (cpu.runState !== 'running') continue;
          const lin = this.linearRip(cpu);
          if (bpAddrs.has(lin)) {
            const bps = this.breakpointsAt(lin).filter((b) => !b.logMessage);
            if (bps.some((b) => !b.condition || this.safeCondition(b.condition, cpu.id))) hits.push({ position: pos, stop: { reason: bps[0].kind === 'source' ? 'breakpoint' : `${bps[0].kind} breakpoint` as StopReasonName, cpu: cpu.id, description: 'Breakpoint', hitBreakpointIds: bps.map((b) => b.id) } });
          }
        }
      };
      const before = this.recentEvents.length;
      const eventsAt = new Map<number, MachineEvent[]>();
      const listener = (p: number): void => {
        const fresh = this.recentEvents.splice(before);
        if (fresh.length) eventsAt.set(p, fresh);
        check(p);
      };
      this.withoutStops(() => h.replayFrom(cp, to, (p) => (p === from ? check(p) : listener(p))));
      for (const [p, evs] of eventsAt) {
        for (const e of evs) {
          const id = this.wantedFilter(e);
          if (!id || p >= to) continue;
          if (e.kind === 'exception' && this.exceptionVectors && !this.exceptionVectors.includes(e.vector)) continue;
          hits.push({ position: p, stop: this.eventStop(e, id) });
        }
      }
      hits.sort((a, b) => a.position - b.position);
    } finally {
      this.replaying = false;
    }
    return hits;
  }

  private safeCondition(cond: string, cpu: number): boolean {
    try {
      return this.evaluateRaw(cond, cpu).value !== 0n;
    } catch {
      return true;
    }
  }

  private withoutStops<T>(f: () => T): T {
    const m = this.machine!;
    const wasReplaying = this.replaying;
    this.replaying = true;
    m.clearBreakpoints();
    m.clearWatchpoints();
    m.events.stopOn(null);
    try {
      return f();
    } finally {
      this.replaying = wasReplaying;
      this.applyFilters();
      this.syncBreakpoints();
    }
  }

  private stepOne(cpuIndex: number): StopReason {
    const m = this.machine!;
    const before = m.totalInstructions;
    this.sliceStartTotal = before;
    const r = m.step(cpuIndex);
    this.history!.recordStep(cpuIndex);
    this.sliceStartTotal = m.totalInstructions;
    this.flushOutput();
    this.checkThreads();
    return r;
  }

  /** A user breakpoint at the CPU's current instruction that wants to stop (conditions, hit counts, logpoints). */
  private userBreakpointStop(cpu: Cpu): StopInfo | undefined {
    const bps = this.breakpointsAt(this.linearRip(cpu));
    if (!bps.length) return undefined;
    const ids: number[] = [];
    let kind: StopReasonName = 'breakpoint';
    for (const bp of bps) {
      const c = checkBreakpoint(bp, this.evalContext(cpu.id));
      if (c.log !== undefined) this.listener.output(c.log + '\n', 'console');
      if (c.problem) this.listener.output(c.problem + '\n', 'stderr');
      if (c.stop) {
        ids.push(bp.id);
        kind = bp.kind === 'source' ? 'breakpoint' : bp.kind === 'function' ? 'function breakpoint' : 'instruction breakpoint';
      }
    }
    return ids.length ? { reason: kind, cpu: cpu.id, description: 'Breakpoint', hitBreakpointIds: ids } : undefined;
  }

  /** Turns a machine stop into a debugger stop; null = keep running (condition false, logpoint). */
  private handleStop(r: StopReason): StopInfo | null | 'exited' {
    const m = this.machine!;
    switch (r.kind) {
      case 'breakpoint':
      case 'event': {
        const events = (r.events ?? []) as MachineEvent[];
        const bp = events.find((e) => e.kind === 'breakpoint');
        if (bp) {
          const hit = this.userBreakpointStop(m.cpus[bp.cpu]);
          if (hit) return hit;
        }
        const wp = events.find((e) => e.kind === 'watchpoint');
        if (wp && wp.kind === 'watchpoint') {
          const ids: number[] = [];
          for (const d of this.dataBps) {
            if (wp.address + wp.size - 1 < d.physical || wp.address > d.physical + d.size - 1) continue;
            const c = checkBreakpoint(d, this.evalContext(wp.cpu));
            if (c.problem) this.listener.output(c.problem + '\n', 'stderr');
            if (c.stop) ids.push(d.id);
          }
          if (ids.length) return { reason: 'data breakpoint', cpu: wp.cpu, description: `Data breakpoint: ${wp.write ? 'write' : 'read'} of ${wp.size} byte(s) at physical ${hex(wp.address)} (value ${hex(wp.value)})`, hitBreakpointIds: ids };
        }
        for (const e of events) {
          const id = this.wantedFilter(e);
          if (id) return this.eventStop(e, id);
        }
        return null;
      }
      case 'exit-port':
      case 'reset':
        this.flushOutput();
        this.state = 'terminated';
        this.listener.output(`${r.message}\n`, 'console');
        this.listener.exited(r.exitStatus ?? 0, r.message);
        return 'exited';
      case 'triple-fault': {
        // The machine keeps the escalation (first fault, #DF) in the stop's events: the exception filter stops on
        // the first fault it wants, the triple-fault filter shows the chain.
        const chain = (r.events ?? []) as MachineEvent[];
        const tf = describeTripleFault(r.message, chain);
        const triple = chain.find((e) => e.kind === 'triple-fault');
        if (this.filters.has('exception')) {
          const first = chain.find((e) => e.kind === 'exception' && (!this.exceptionVectors || this.exceptionVectors.includes(e.vector)));
          if (first) {
            const s = this.eventStop(first, 'exception');
            s.description += ` (it escalated into a triple fault)`;
            if (s.exception) {
              s.exception.description = s.description;
              s.exception.details += `\n\n${tf.description}\n${tf.details}`;
            }
            return s;
          }
        }
        if (!this.filters.has('triple-fault')) {
          this.state = 'terminated';
          this.listener.output(`${tf.description} (a real machine would reset)\n`, 'important');
          this.listener.exited(1, r.message);
          return 'exited';
        }
        return { reason: 'exception', cpu: r.cpu ?? this.focusCpu, description: tf.description, exception: { filterId: 'triple-fault', description: tf.description, details: tf.details, event: triple } };
      }
      case 'all-halted':
        return { reason: 'pause', cpu: this.focusCpu, description: `All CPUs stopped: ${r.message}` };
      case 'internal-error':
        this.listener.output(`Emulator internal error: ${r.message}\n`, 'stderr');
        return { reason: 'exception', cpu: r.cpu ?? this.focusCpu, description: `Emulator internal error: ${r.message}`, exception: { filterId: 'internal', description: r.message, details: 'This is a bug in the embedded machine, not in the guest program. Please report it with the program.' } };
      case 'memory-cap':
      case 'instruction-limit':
        return { reason: 'exception', cpu: r.cpu ?? this.focusCpu, description: r.message, exception: { filterId: r.kind, description: r.message, details: r.message } };
      case 'paused':
      case 'slice-end':
        return null;
    }
  }

  /** The enabled filter an event matches (a mode change with a paging change matches either filter). */
  private wantedFilter(e: MachineEvent): string | undefined {
    if (e.kind === 'mode-change') {
      if (this.filters.has('mode') && (e.from !== e.to || e.fromBits !== e.toBits)) return 'mode';
      if (this.filters.has('paging') && e.fromPaging !== e.toPaging) return 'paging';
      return undefined;
    }
    const id = filterIdOf(e);
    return id && this.filters.has(id) ? id : undefined;
  }

  private eventStop(e: MachineEvent, filterId: string): StopInfo {
    const cpu = this.machine!.cpus[e.cpu];
    const site = this.siteOf(e);
    const insn = this.instructionText(cpu, site, e.kind === 'mode-change' ? e.fromBits : undefined);
    const description = describeStopEvent(e, { events: this.recentEvents, instruction: insn, eferAfter: cpu.efer, csAfter: this.csInfo(cpu) });
    const where = this.program?.entryAt(site);
    const at = where ? ` at ${where.entry.origin.range.file.split('/').pop()}:${where.entry.origin.range.line + 1}` : '';
    return {
      reason: 'exception',
      cpu: e.cpu,
      description,
      exception: { filterId, description, details: `${description}\nCPU ${e.cpu}, instruction ${e.instruction} (${insn ?? '?'}) at CS ${hex(e.cs)} RIP ${hex(e.rip)}${at}.\nNow: ${threadName(cpu)}, ${pagingName(cpu.paging)}.`, event: e },
    };
  }

  private stop(s: StopInfo): void {
    this.flushOutput();
    if (this.state === 'terminated') return;
    this.state = 'stopped';
    this.focusCpu = s.cpu;
    this.listener.stopped(s);
  }

  private flushOutput(): void {
    if (this.outputBuffer) {
      const text = this.outputBuffer;
      this.outputBuffer = '';
      this.listener.output(text, 'stdout');
    }
    if (this.outputDropped > 0) {
      const why = this.outputTotal >= OUTPUT_PER_SESSION ? `the session's ${OUTPUT_PER_SESSION >> 20} MiB of console output is used up` : 'the guest prints faster than the console can show';
      this.listener.output(`\n[x86 Trampoline: ${this.outputDropped} bytes of guest output dropped: ${why}]\n`, 'console');
      this.outputDropped = 0;
    }
  }

  private checkThreads(): void {
    const m = this.machine!;
    for (const c of m.cpus) {
      const was = this.knownRunning[c.id];
      if (was === 'wait-for-sipi' && c.runState === 'running') this.listener.threadStarted(c.id);
      this.knownRunning[c.id] = c.runState;
    }
  }

  private requireStopped(): Machine {
    if (!this.machine || this.state === 'idle') throw new Error('no program is running (launch first)');
    if (this.state === 'terminated') throw new Error('the debug session has ended');
    if (this.state === 'running') throw new Error('the machine is running; pause it first');
    return this.machine;
  }

  requireInspectable(): Machine {
    if (!this.machine || this.state === 'idle') throw new Error('no program is running (launch first)');
    if (this.state === 'running') throw new Error('the machine is running; pause it first');
    return this.machine;
  }

  // ---- helpers for views -----------------------------------------------------------------------------------------

  /** Linear address of a CPU's next instruction (CS base + RIP). */
  linearRip(cpu: Cpu): number {
    if (cpu.mode === 'long') return cpu.ripHi * 0x1_0000_0000 + cpu.ripLo;
    return (cpu.seg[CS].base + cpu.ripLo) >>> 0;
  }

  stackPointer(cpu: Cpu): number {
    if (cpu.mode === 'long') return cpu.gprHi[RSP] * 0x1_0000_0000 + cpu.gprLo[RSP];
    const ss = cpu.seg[SS];
    const sp = ss.attr & 0x4000 ? cpu.gprLo[RSP] : cpu.gprLo[RSP] & 0xffff;
    return ss.base + sp;
  }

  /** Line identity for stepping: inner = the statement's own line (inside macros), outer = the user's line. */
  private lineKey(linear: number, kind: 'inner' | 'outer'): string | undefined {
    const e = this.program?.entryAt(linear);
    if (!e) return undefined;
    const o = e.entry.origin;
    const exp = o.expansion.filter((s) => s.kind === 'macro' || s.kind === 'rept' || s.kind === 'irp');
    if (kind === 'outer' && exp.length) {
      const site = exp[exp.length - 1].site;
      return `${site.file}:${site.line}`;
    }
    return `${o.range.file}:${o.range.line}|${exp.map((s) => `${s.site.file}:${s.site.line}:${s.site.column}`).join(',')}`;
  }

  private readonly decoded = newDecoded();

  /** Decodes the instruction at a linear address in the CPU's current code size. */
  decodeAt(cpu: Cpu, linear: number): { op: string; length: number; prefixes: number } | undefined {
    const bytes = peekLinear(cpu, BigInt(linear), 15);
    if (!bytes) return undefined;
    const ok = decodeInstruction((i) => (i < bytes.length ? bytes[i] : -1), 0, cpu.codeSize, this.decoded);
    if (!ok || !this.decoded.form) return undefined;
    return { op: this.decoded.form.op, length: this.decoded.length, prefixes: this.decoded.prefixes };
  }

  /** AT&T text of the instruction at a linear address, decoded as `bits` (default: the code's own mode). */
  instructionText(cpu: Cpu, linear: number, bits?: number): string | undefined {
    const bytes = peekLinear(cpu, BigInt(linear), 15);
    if (!bytes) return undefined;
    const mode = (bits ?? this.program?.modeAt(linear) ?? cpu.codeSize) as CodeMode;
    const [line] = disassemble(bytes, mode, { address: linear });
    return line?.text.replace(/\s+/g, ' ');
  }

  /** Reads linear memory of the focused CPU up to the first unmapped page. */
  readMemory(start: bigint, count: number): { data: Uint8Array; unreadable: number } {
    const cpu = this.requireInspectable().cpus[this.focusCpu];
    const out = new Uint8Array(count);
    let got = 0;
    while (got < count) {
      const at = start + BigInt(got);
      const n = Math.min(count - got, 4096 - Number(at & 0xfffn));
      const b = peekLinear(cpu, at, n);
      if (!b) break;
      out.set(b, got);
      got += n;
    }
    return { data: out.subarray(0, got), unreadable: count - got };
  }

  /** Writes linear memory of the focused CPU (ROM and protections do not apply to the debugger). */
  writeMemory(start: bigint, data: Uint8Array): number {
    const m = this.requireStopped();
    const cpu = m.cpus[this.focusCpu];
    let done = 0;
    while (done < data.length) {
      const at = start + BigInt(done);
      const n = Math.min(data.length - done, 4096 - Number(at & 0xfffn));
      const phys = this.translate(cpu, at);
      if (phys === undefined) {
        if (done === 0) throw new Error(`linear address ${hex(at)} is not mapped`);
        break;
      }
      m.memory.writeBytes(phys, data.subarray(done, done + n));
      done += n;
    }
    m.executor?.flush?.();
    this.edited();
    return done;
  }

  translate(cpu: Cpu, linear: number | bigint): number | undefined {
    const v = BigInt(linear);
    return cpu.mmu.walk(Number(v & 0xffffffffn), Number((v >> 32n) & 0xffffffffn)).physical;
  }

  evalContext(cpuIndex: number): EvalContext {
    const cpu = this.machine!.cpus[cpuIndex];
    return {
      cpu,
      program: this.program,
      readLinear: (linear, size) => peekLinear(cpu, linear, size),
      translate: (linear) => this.translate(cpu, linear),
    };
  }

  evaluateRaw(expression: string, cpuIndex: number): EvalResult {
    return evaluateExpression(expression, this.evalContext(cpuIndex));
  }

  threads(): { id: number; name: string }[] {
    if (!this.machine) return [];
    return this.machine.cpus.map((c) => ({ id: c.id + 1, name: threadName(c) }));
  }

  /** Source line frame, one frame per macro expansion level, then return addresses behind known calls. */
  stackFrames(cpuIndex: number): StackFrameInfo[] {
    const m = this.requireInspectable();
    const cpu = m.cpus[cpuIndex];
    if (!cpu) throw new Error(`there is no CPU ${cpuIndex}`);
    const frames: StackFrameInfo[] = [];
    const lin = this.linearRip(cpu);
    const sym = this.program?.symbolFor(lin);
    const name = `${sym ? `${sym.name}${sym.offset ? `+${hex(sym.offset)}` : ''}` : hex(lin)} · ${shortMode(cpu)}`;
    const e = this.program?.entryAt(lin);
    if (e) {
      const o = e.entry.origin;
      frames.push({ name, cpu: cpuIndex, linear: lin, file: o.range.file, line: o.range.line, column: o.range.column, kind: 'instruction' });
      for (const step of o.expansion) {
        if (step.kind !== 'macro' && step.kind !== 'rept' && step.kind !== 'irp') continue;
        const label = step.kind === 'macro' ? `macro ${step.name}` : `.${step.kind}`;
        frames.push({ name: label, cpu: cpuIndex, linear: lin, file: step.site.file, line: step.site.line, column: step.site.column, kind: 'macro' });
      }
    } else frames.push({ name, cpu: cpuIndex, linear: lin, kind: 'instruction' });
    // Return addresses: stack words that follow a call instruction known from the source map.
    if (this.program?.sourceMap) {
      const width = cpu.mode === 'long' ? 8 : cpu.seg[SS].attr & 0x4000 ? 4 : 2;
      const sp = this.stackPointer(cpu);
      const bytes = peekLinear(cpu, BigInt(sp), 64 * width);
      if (bytes) {
        for (let i = 0; i + width <= bytes.length && frames.length < 32; i += width) {
          let v = 0;
          for (let k = width - 1; k >= 0; k--) v = v * 256 + bytes[i + k];
          const target = cpu.mode === 'long' ? v : width === 2 ? cpu.seg[CS].base + v : v + cpu.seg[CS].base;
          if (target === 0) continue;
          const before = this.program.entryAt(target - 1);
          if (!before || before.start + before.entry.length !== target) continue;
          const st = this.program.statements[before.entry.statement];
          if (!st || st.kind !== 'instruction' || !/^(call|lcall)/.test(st.name)) continue;
          const rs = this.program.symbolFor(target);
          const ret = this.program.entryAt(target);
          frames.push({
            name: `return to ${rs ? `${rs.name}+${hex(rs.offset)}` : hex(target)}`,
            cpu: cpuIndex,
            linear: target,
            file: (ret ?? before).entry.origin.range.file,
            line: (ret ?? before).entry.origin.range.line,
            kind: 'return',
          });
        }
      }
    }
    return frames;
  }

  status(cpuIndex = this.focusCpu): { mode: string; bits: number; paging: string; instructionCount: number; cpu: number; position: number; state: string } | undefined {
    const m = this.machine;
    if (!m) return undefined;
    const cpu = m.cpus[cpuIndex] ?? m.cpus[0];
    return { mode: cpu.mode, bits: cpu.codeSize, paging: cpu.paging, instructionCount: m.totalInstructions, cpu: cpu.id, position: this.history?.position ?? 0, state: this.state };
  }

  pageTables(cpuIndex = this.focusCpu): { paging: string; cr3: string; ranges: { linear: string; physical: string; size: number; writable: boolean; user: boolean; executable: boolean; global: boolean; pageSize: number }[] } {
    const m = this.requireInspectable();
    const cpu = m.cpus[cpuIndex] ?? m.cpus[0];
    return {
      paging: cpu.paging,
      cr3: hex(readRegister(cpu, 'cr3') ?? 0n),
      ranges: mappedRanges(cpu, 1 << 18).map((r) => ({ linear: hex(r.linear), physical: hex(r.physical), size: r.size, writable: r.writable, user: r.user, executable: r.executable, global: r.global, pageSize: r.pageSize })),
    };
  }

  translateRequest(cpuIndex: number, linear: bigint): { linear: string; physical?: string; paging: string; levels: { name: string; entryAddress: string; value: string; leaf: boolean }[]; fault?: string; writable?: boolean; user?: boolean; executable?: boolean; pageSize?: number } {
    const m = this.requireInspectable();
    const cpu = m.cpus[cpuIndex] ?? m.cpus[0];
    const w = cpu.mmu.walk(Number(linear & 0xffffffffn), Number((linear >> 32n) & 0xffffffffn));
    return {
      linear: hex(linear),
      physical: w.physical === undefined ? undefined : hex(w.physical),
      paging: w.paging,
      levels: w.levels.map((l) => ({ name: l.name, entryAddress: hex(l.entryAddress), value: hex((BigInt(l.hi >>> 0) << 32n) | BigInt(l.lo >>> 0)), leaf: l.leaf })),
      fault: w.physical === undefined ? w.faultReason ?? 'not mapped' : undefined,
      writable: w.writable,
      user: w.user,
      executable: w.executable,
      pageSize: w.pageSize,
    };
  }
}

function parseReference(ref: string): number | undefined {
  const m = /^\s*(0x[0-9a-f]+|\d+)\s*$/i.exec(ref);
  return m ? Number(m[1]) : undefined;
}

/** Instructions stepped over as a whole: calls, software interrupts, repeated string instructions. */
function isCallLike(op: string, prefixes: number): boolean {
  if (op === 'call' || op === 'call_indirect' || op === 'call_far' || op === 'call_far_indirect' || op === 'int' || op === 'int3' || op === 'into' || op === 'int1') return true;
  if ((prefixes & (Prefix.Rep | Prefix.Repne)) !== 0 && (op === 'movs' || op === 'stos' || op === 'cmps' || op === 'scas' || op === 'lods' || op === 'ins' || op === 'outs')) return true;
  return false;
}
