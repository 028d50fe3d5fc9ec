// The status-bar item during a session: the focused CPU's mode as users name it, paging, instruction count.
import type { StatusBody } from './protocol-types';

/** `Real 16`, `Protected 32`, `Compat 32`, `Long 64`, `V86 16`. */
export function modeLabel(mode: string, bits: number): string {
  switch (mode) {
    case 'real': return 'Real 16';
    case 'v86': return 'V86 16';
    case 'protected': return `Protected ${bits}`;
    case 'compat': return `Compat ${bits}`;
    case 'long': return `Long ${bits}`;
    default: return `${mode.charAt(0).toUpperCase()}${mode.slice(1)} ${bits}`;
  }
}

/** `4-level`, `PAE`, `32-bit paging`; undefined when paging is off. */
export function pagingLabel(paging: string): string | undefined {
  switch (paging) {
    case 'none': case '': return undefined;
    case 'pae': return 'PAE';
    case '32-bit': return '32-bit paging';
    default: return paging;
  }
}

export function formatCount(n: number): string {
  return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export interface StatusPresentation {
  text: string;
  tooltip: string;
}

/** E.g. `$(chip) Long 64 · 5-level · 1,234 instr` (the CPU is named when it is not CPU 0). */
export function formatStatus(s: Pick<StatusBody, 'mode' | 'bits' | 'paging' | 'instructionCount' | 'cpu' | 'state'>): StatusPresentation {
  const parts = [modeLabel(s.mode, s.bits)];
  const paging = pagingLabel(s.paging);
  if (paging) parts.push(paging);
  parts.push(`${formatCount(s.instructionCount)} instr`);
  const cpu = s.cpu ? `CPU ${s.cpu} ` : '';
  const state = s.state === 'running' ? ' (running)' : '';
  return {
    text: `$(chip) ${cpu}${parts.join(' · ')}${state}`,
    tooltip: `x86 Trampoline: CPU ${s.cpu} in ${modeLabel(s.mode, s.bits)}-bit ${s.mode === 'long' ? '(64-bit mode)' : 'mode'}, paging ${paging ?? 'off'}, ${formatCount(s.instructionCount)} instructions retired by all CPUs. Click for the mode timeline.`,
  };
}
