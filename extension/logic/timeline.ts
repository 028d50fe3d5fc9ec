// Items of the mode-timeline view: one per mode event the adapter recorded.
import type { ModeTimelineEntry } from './protocol-types';
import { formatCount } from './status';

export interface TimelineItem {
  label: string;
  description: string;
  tooltip: string;
  /** Where clicking goes (0-based line), when the switching instruction has a source line. */
  source?: { path: string; line: number };
  /** Execution position for "Run back to here". */
  position: number;
}

const short = (mode: string): string =>
  mode.replace(/^long \(64-bit\)$/, 'long 64').replace(/^long \(compatibility\)$/, 'compat').replace(/^protected \(16-bit\)$/, 'protected 16');

function basename(path: string): string {
  return path.replace(/^.*[\\/]/, '');
}

export function timelineItem(e: ModeTimelineEntry): TimelineItem {
  const paging = e.fromPaging !== e.toPaging ? ` (${e.fromPaging} → ${e.toPaging})` : '';
  const where = e.source ? `${basename(e.source.path)}:${e.source.line + 1}` : `${e.cs.toString(16).padStart(4, '0')}:${e.rip}`;
  return {
    label: `${short(e.from)} → ${short(e.to)}${paging}`,
    description: `#${formatCount(e.instructionCount)} · CPU ${e.cpu} · ${where}`,
    tooltip: `${e.description}\nInstruction ${formatCount(e.instructionCount)} on CPU ${e.cpu}, CS ${e.cs.toString(16).padStart(4, '0')} RIP ${e.rip}${e.source ? `\n${e.source.path}:${e.source.line + 1}` : ''}`,
    source: e.source,
    position: e.position,
  };
}
