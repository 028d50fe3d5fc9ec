// Machine events for debuggers and tracers: control-register/MSR writes, mode changes, descriptor-table loads,
// exceptions, triple fault, HLT, INIT/SIPI, port I/O. Each event reports old → new values and the instruction
// (CPU, count, CS:RIP at its start) that caused it. CPUs get a hooks object only while a filter or listener is set.
import { EXCEPTION_NAMES } from './cpu/fault';
import type { ControlRegister, CpuHooks, TableRegister } from './cpu/hooks';
import type { CpuMode, PagingMode } from './cpu/state';
import { findMsr, MSRS } from '../isa/bits/msr';

/** Where an event happened: the CPU and the instruction being executed. */
export interface EventSite {
  cpu: number;
  /** Instructions retired by that CPU before this one. */
  instruction: number;
  cs: number;
  /** RIP at the start of the instruction. */
  rip: bigint;
}

export type MachineEvent = EventSite &
  (
    | { kind: 'cr-write'; reg: ControlRegister; old: bigint; new: bigint }
    | { kind: 'msr-write'; msr: number; name: string; old: bigint; new: bigint }
    | { kind: 'mode-change'; from: CpuMode; to: CpuMode; fromPaging: PagingMode; toPaging: PagingMode; fromBits: number; toBits: number }
    | { kind: 'table-load'; table: TableRegister; selector: number; base: bigint; limit: number }
    | { kind: 'exception'; vector: number; name: string; errorCode: number; detail: string }
    | { kind: 'triple-fault'; message: string }
    | { kind: 'halt' }
    | { kind: 'ipi'; ipi: 'init' | 'sipi'; vector: number; /** The sending CPU (the event's `cpu` is the target). */ from: number }
    | { kind: 'io'; port: number; size: number; write: boolean; value: number }
    | { kind: 'breakpoint'; linear: bigint; physical?: number }
    | { kind: 'watchpoint'; address: number; size: number; write: boolean; value: number }
  );

export type MachineEventKind = MachineEvent['kind'];

/**
 * What to catch. `mode` = CPU mode or code-size changes (real/protected/compat/64-bit); `paging` = paging
 * on/off, PAE, 4↔5-level. Lists narrow a category (e.g. exceptions: [13, 14]).
 */
export interface EventFilter {
  cr?: boolean | ControlRegister[];
  msr?: boolean | number[];
  mode?: boolean;
  paging?: boolean;
  tables?: boolean | TableRegister[];
  exceptions?: boolean | number[];
  tripleFault?: boolean;
  halt?: boolean;
  ipi?: boolean;
  io?: Array<[first: number, last: number]>;
}

function hasAny(f: EventFilter | null): boolean {
  if (f === null) return false;
  return !!(f.cr || f.msr || f.mode || f.paging || f.tables || f.exceptions || f.tripleFault || f.halt || f.ipi || (f.io && f.io.length));
}

function wants(f: EventFilter | null, e: MachineEvent): boolean {
  if (f === null) return false;
  const inList = <T>(x: boolean | T[] | undefined, v: T): boolean => x === true || (Array.isArray(x) && x.includes(v));
  switch (e.kind) {
    case 'cr-write': return inList(f.cr, e.reg);
    case 'msr-write': return inList(f.msr, e.msr);
    case 'mode-change':
      return (!!f.mode && (e.from !== e.to || e.fromBits !== e.toBits)) || (!!f.paging && e.fromPaging !== e.toPaging);
    case 'table-load': return inList(f.tables, e.table);
    case 'exception': return inList(f.exceptions, e.vector);
    case 'triple-fault': return !!f.tripleFault;
    case 'halt': return !!f.halt;
    case 'ipi': return !!f.ipi;
    case 'io': return wantsPort(f, e.port);
    default: return true;
  }
}

function wantsPort(f: EventFilter | null, port: number): boolean {
  const ranges = f?.io;
  if (!ranges) return false;
  for (let k = 0; k < ranges.length; k++) if (port >= ranges[k][0] && port <= ranges[k][1]) return true;
  return false;
}

/** Enough for a fault, the faults delivering it and #DF on each of a few CPUs. */
const RECENT_EXCEPTIONS = 16;

const big = (lo: number, hi: number): bigint => (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);

/** The site provider: which instruction each CPU is executing (kept by the machine's run loop). */
export interface SiteSource {
  site(cpu: number): EventSite;
}

export class MachineEvents implements CpuHooks {
  private stopFilter: EventFilter | null = null;
  private traceFilter: EventFilter | null = null;
  private traceListener: ((e: MachineEvent) => void) | null = null;
  /** Events that asked to stop during the current instruction (the run loop stops after it). */
  readonly pendingStops: MachineEvent[] = [];
  /** The last few exceptions raised (while hooks are attached), so a triple fault can name what led to it. */
  private readonly recentExceptions: MachineEvent[] = [];
  /** Called when hooks must be attached to or detached from CPUs. */
  onActiveChange: ((active: boolean) => void) | null = null;

  constructor(private readonly sites: SiteSource) {}

  get active(): boolean {
    return hasAny(this.stopFilter) || (this.traceListener !== null && hasAny(this.traceFilter));
  }

  /** Stops the machine after any instruction causing a matching event (null clears). */
  stopOn(filter: EventFilter | null): void {
    this.stopFilter = filter;
    this.onActiveChange?.(this.active);
  }

  /** Calls `listener` for every matching event without stopping (e.g. `--trace modes`). */
  trace(filter: EventFilter | null, listener: ((e: MachineEvent) => void) | null): void {
    this.traceFilter = filter;
    this.traceListener = listener;
    this.onActiveChange?.(this.active);
  }

  /** Delivers an event built by the machine itself (breakpoints, watchpoints, triple fault). */
  emit(e: MachineEvent, alwaysStop = false): void {
    if (this.traceListener !== null && wants(this.traceFilter, e)) this.traceListener(e);
    if (alwaysStop || wants(this.stopFilter, e)) this.pendingStops.push(e);
  }

  controlWrite(cpu: number, reg: ControlRegister, oldLo: number, oldHi: number, newLo: number, newHi: number): void {
    this.emit({ ...this.sites.site(cpu), kind: 'cr-write', reg, old: big(oldLo, oldHi), new: big(newLo, newHi) });
  }
  msrWrite(cpu: number, msr: number, oldLo: number, oldHi: number, newLo: number, newHi: number): void {
    const name = MSRS.get(msr)?.name ?? findMsr(msr)?.name ?? `MSR 0x${msr.toString(16)}`;
    this.emit({ ...this.sites.site(cpu), kind: 'msr-write', msr, name, old: big(oldLo, oldHi), new: big(newLo, newHi) });
  }
  modeChange(cpu: number, from: CpuMode, to: CpuMode, fromPaging: PagingMode, toPaging: PagingMode, fromBits: number, toBits: number): void {
    this.emit({ ...this.sites.site(cpu), kind: 'mode-change', from, to, fromPaging, toPaging, fromBits, toBits });
  }
  tableLoad(cpu: number, table: TableRegister, selector: number, baseLo: number, baseHi: number, limit: number): void {
    this.emit({ ...this.sites.site(cpu), kind: 'table-load', table, selector, base: big(baseLo, baseHi), limit });
  }
  exception(cpu: number, vector: number, errorCode: number, detail: string): void {
    const e: MachineEvent = { ...this.sites.site(cpu), kind: 'exception', vector, name: EXCEPTION_NAMES[vector] ?? `vector ${vector}`, errorCode, detail };
    if (this.recentExceptions.length >= RECENT_EXCEPTIONS) this.recentExceptions.shift();
    this.recentExceptions.push(e);
    this.emit(e);
  }

  /** The exceptions CPU `cpu` raised during its instruction number `instruction`, in order (oldest first). */
  exceptionsAt(cpu: number, instruction: number): MachineEvent[] {
    return this.recentExceptions.filter((e) => e.cpu === cpu && e.instruction === instruction);
  }

  /** Drops the recorded exceptions (the machine state was replaced). */
  forgetExceptions(): void {
    this.recentExceptions.length = 0;
  }
  halt(cpu: number): void {
    this.emit({ ...this.sites.site(cpu), kind: 'halt' });
  }
  ipi(cpu: number, kind: 'init' | 'sipi', vector: number, from = cpu): void {
    this.emit({ ...this.sites.site(cpu), kind: 'ipi', ipi: kind, vector, from });
  }
  io(cpu: number, port: number, size: number, write: boolean, value: number): void {
    // Port I/O is the one frequent event (console output): decide before building it, since a debug session
    // always traces and would otherwise allocate an event (and a site with a BigInt) per OUT.
    const traced = this.traceListener !== null && wantsPort(this.traceFilter, port);
    if (!traced && !wantsPort(this.stopFilter, port)) return;
    this.emit({ ...this.sites.site(cpu), kind: 'io', port, size, write, value });
  }
}

/** One line describing an event, e.g. `CR0 0x60000011 → 0xe0000011` or `mode protected → compat`. */
export function describeEvent(e: MachineEvent): string {
  const hex = (v: bigint | number): string => `0x${v.toString(16)}`;
  switch (e.kind) {
    case 'cr-write': return `${e.reg.toUpperCase()} ${hex(e.old)} → ${hex(e.new)}`;
    case 'msr-write': return `${e.name} ${hex(e.old)} → ${hex(e.new)}`;
    case 'mode-change': {
      const parts: string[] = [];
      if (e.from !== e.to || e.fromBits !== e.toBits) parts.push(`mode ${e.from}${e.fromBits !== e.toBits ? `/${e.fromBits}` : ''} → ${e.to}${e.fromBits !== e.toBits ? `/${e.toBits}` : ''}`);
      if (e.fromPaging !== e.toPaging) parts.push(`paging ${e.fromPaging} → ${e.toPaging}`);
      return parts.join(', ');
    }
    case 'table-load': return `${e.table.toUpperCase()} ← base ${hex(e.base)} limit ${hex(e.limit)}${e.table === 'ldtr' || e.table === 'tr' ? ` selector ${hex(e.selector)}` : ''}`;
    case 'exception': return `${e.name}${e.errorCode >= 0 ? ` (error code ${hex(e.errorCode)})` : ''}${e.detail ? `: ${e.detail}` : ''}`;
    case 'triple-fault': return e.message;
    case 'halt': return 'HLT';
    case 'ipi': return `${e.ipi.toUpperCase()}${e.ipi === 'sipi' ? ` vector ${hex(e.vector)}` : ''} from CPU ${e.from}`;
    case 'io': return `${e.write ? 'OUT' : 'IN'} port ${hex(e.port)} (${e.size} byte${e.size > 1 ? 's' : ''}) ${hex(e.value)}`;
    case 'breakpoint': return `breakpoint at ${hex(e.linear)}`;
    case 'watchpoint': return `${e.write ? 'write' : 'read'} of ${e.size} byte(s) at physical ${hex(e.address)}: ${hex(e.value)}`;
  }
}
