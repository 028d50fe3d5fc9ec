// Machine events in words for the stopped event, exceptionInfo, thread names and the mode timeline.
import { describeBits } from '../../isa/bits/describe';
import { CR0, CR3, CR4, EFER } from '../../isa/bits/control';
import type { BitsDef } from '../../isa/bits/types';
import { describeEvent, type MachineEvent } from '../../machine/events';
import type { CpuMode, PagingMode, RunState } from '../../machine/cpu/state';
import type { Cpu } from '../../machine/cpu/cpu';
import { EFER_LME } from '../../isa/bits/control';

/** `real`, `protected (16-bit)`, `long (compatibility)`, `long (64-bit)`. */
export function modeName(mode: CpuMode, bits: number): string {
  switch (mode) {
    case 'real': return 'real';
    case 'v86': return 'virtual-8086';
    case 'protected': return bits === 16 ? 'protected (16-bit)' : 'protected';
    case 'compat': return bits === 16 ? 'long (16-bit compatibility)' : 'long (compatibility)';
    case 'long': return 'long (64-bit)';
  }
}

/** Short mode for thread names and the status bar: `real mode`, `protected 32-bit`, `compat 32-bit`, `64-bit`. */
export function shortMode(cpu: Cpu): string {
  switch (cpu.mode) {
    case 'real': return 'real mode';
    case 'v86': return 'virtual-8086';
    case 'protected': return `protected ${cpu.codeSize}-bit`;
    case 'compat': return `compat ${cpu.codeSize}-bit`;
    case 'long': return '64-bit';
  }
}

export function pagingName(p: PagingMode): string {
  return p === 'none' ? 'paging off' : p === '32-bit' ? '32-bit paging' : p === 'pae' ? 'PAE paging' : `${p} paging`;
}

export function runStateName(s: RunState): string {
  return s === 'wait-for-sipi' ? 'wait-for-SIPI' : s;
}

export function threadName(cpu: Cpu): string {
  const parts = [`CPU ${cpu.id}${cpu.id === 0 ? ' (BSP)' : ''}`, shortMode(cpu)];
  if (cpu.runState !== 'running') parts.push(runStateName(cpu.runState));
  return parts.join(' · ');
}

const DEFS: Record<string, BitsDef> = { cr0: CR0, cr3: CR3, cr4: CR4, efer: EFER };

/** `CR0.PG 0→1`, `EFER.LME 0→1`: the named bits a register write changed. */
export function changedBits(reg: string, oldV: bigint, newV: bigint): string[] {
  const def = DEFS[reg.toLowerCase()];
  if (!def) return [`${reg.toUpperCase()} 0x${oldV.toString(16)}→0x${newV.toString(16)}`];
  const a = describeBits(def, oldV);
  const b = describeBits(def, newV);
  const out: string[] = [];
  a.forEach((f, i) => {
    if (f.value !== b[i].value) out.push(f.width === 1 ? `${def.name}.${f.name} ${f.value}→${b[i].value}` : `${def.name}.${f.name} 0x${f.value.toString(16)}→0x${b[i].value.toString(16)}`);
  });
  return out.length ? out : [`${def.name} 0x${oldV.toString(16)} (unchanged bits)`];
}

/** Events of the same instruction, used to explain a mode change by the write that caused it. */
export interface InstructionContext {
  events: MachineEvent[];
  /** Text of the instruction that caused it (`lret`, `ljmp *...`). */
  instruction?: string;
  eferAfter?: number;
  /** CS after the instruction, to say what a far transfer loaded. */
  csAfter?: { selector: number; long: boolean; db: boolean };
}

/** One sentence for a stop event, e.g. `Mode switch: protected → long (compatibility): CR0.PG 0→1 with EFER.LME=1`. */
export function describeStopEvent(e: MachineEvent, ctx: InstructionContext): string {
  switch (e.kind) {
    case 'mode-change': {
      const causes = ctx.events.filter((x) => (x.kind === 'cr-write' || x.kind === 'msr-write') && x.cpu === e.cpu && x.instruction === e.instruction);
      const because: string[] = [];
      for (const c of causes) {
        if (c.kind === 'cr-write') because.push(...changedBits(c.reg, c.old, c.new));
        else if (c.kind === 'msr-write') because.push(...changedBits(c.name === 'IA32_EFER' || c.msr === 0xc0000080 ? 'efer' : c.name, c.old, c.new));
      }
      let why = because.join(', ');
      if (why.includes('CR0.PG 0→1') && ctx.eferAfter !== undefined && ctx.eferAfter & EFER_LME) why += ' with EFER.LME=1';
      if (!why && ctx.instruction) {
        const cs = ctx.csAfter;
        const size = cs ? (cs.long ? '64-bit code, L=1' : cs.db ? '32-bit code, D=1' : '16-bit code, D=0') : '';
        why = `${ctx.instruction} loaded CS${cs ? ` 0x${cs.selector.toString(16)} (${size})` : ''}`;
      }
      if (e.from !== e.to || e.fromBits !== e.toBits) {
        const head = `Mode switch: ${modeName(e.from, e.fromBits)} → ${modeName(e.to, e.toBits)}`;
        const paging = e.fromPaging !== e.toPaging ? `; ${pagingName(e.fromPaging)} → ${pagingName(e.toPaging)}` : '';
        return `${head}${why ? `: ${why}` : ''}${paging}`;
      }
      return `Paging change: ${pagingName(e.fromPaging)} → ${pagingName(e.toPaging)}${why ? `: ${why}` : ''}`;
    }
    case 'cr-write': return `Control register write: ${changedBits(e.reg, e.old, e.new).join(', ')} (${e.reg.toUpperCase()} = 0x${e.new.toString(16)})`;
    case 'msr-write': return `MSR write: ${e.name} 0x${e.old.toString(16)} → 0x${e.new.toString(16)}${e.msr === 0xc0000080 ? ` (${changedBits('efer', e.old, e.new).join(', ')})` : ''}`;
    case 'table-load': return `Descriptor table load: ${describeEvent(e)}`;
    case 'exception': return `Exception ${e.name}${e.errorCode >= 0 ? ` (error code 0x${e.errorCode.toString(16)})` : ''}${e.detail ? `: ${e.detail}` : ''}`;
    case 'triple-fault': return `Triple fault: ${e.message}`;
    case 'halt': return `HLT on CPU ${e.cpu}`;
    case 'ipi': return `${e.ipi.toUpperCase()} arrived at CPU ${e.cpu}${e.ipi === 'sipi' ? ` (vector 0x${e.vector.toString(16)}: starts at 0x${(e.vector << 12).toString(16)})` : ''}`;
    case 'watchpoint': return `Data breakpoint: ${describeEvent(e)}`;
    case 'breakpoint': return `Breakpoint at 0x${e.linear.toString(16)}`;
    case 'io': return `Port I/O: ${describeEvent(e)}`;
  }
}

/**
 * A triple fault in words, with the faults that led to it (the machine keeps them in the stop's events): the
 * description names the first fault and the #DF, the details list the whole escalation.
 */
export function describeTripleFault(message: string, chain: MachineEvent[]): { description: string; details: string } {
  const faults = chain.filter((e) => e.kind === 'exception');
  const first = faults[0];
  const df = faults.find((e) => e.kind === 'exception' && e.vector === 8 && e !== first);
  const short = (e: MachineEvent | undefined): string => (e && e.kind === 'exception' ? `${e.name.split(' ')[0]}${e.errorCode >= 0 && e.vector !== 8 ? ` (error code 0x${e.errorCode.toString(16)})` : ''}` : '');
  const path = [first, df].filter((e) => e !== undefined).map(short);
  const description = `Triple fault${path.length ? ` after ${path.join(' → ')}` : ''}: ${message}`;
  const steps = faults.map((e, i) => `${i === 0 ? 'First fault' : 'Then'}: ${describeStopEvent(e, { events: [] })}`);
  const details = [
    ...steps,
    'A fault happened while the CPU was delivering a double fault (#DF). Real hardware shuts down and the chipset resets the machine; the debugger stops here so the state can be inspected.',
  ].join('\n');
  return { description, details };
}

/** The exception-breakpoint filter id an event belongs to. */
export function filterIdOf(e: MachineEvent): string | undefined {
  switch (e.kind) {
    case 'mode-change': return e.from !== e.to || e.fromBits !== e.toBits ? 'mode' : 'paging';
    case 'cr-write': return e.reg === 'cr3' ? 'cr3' : 'cr';
    case 'msr-write': return 'msr';
    case 'table-load': return 'descriptor-tables';
    case 'exception': return 'exception';
    case 'triple-fault': return 'triple-fault';
    case 'halt': return 'halt';
    case 'ipi': return 'sipi';
    default: return undefined;
  }
}
