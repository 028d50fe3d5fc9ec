// Which registers and memory operands the lines up to the stop touch, and where their values go: the
// InlineValuesProvider turns these into InlineValueEvaluatableExpressions the adapter evaluates.
import { parseLine } from './operands';
import { stripComments } from './source-text';

export interface InlineTarget {
  /** 0-based line. */
  line: number;
  start: number;
  end: number;
  expression: string;
}

/** Instructions whose memory operand is an address, not a value read (showing memory there would mislead). */
const ADDRESS_ONLY = /^(lea[wlq]?|invlpg|prefetch\w*|clflush\w*|nop[wlq]?)$/i;
/** Registers an instruction reads or writes without naming them. */
const IMPLICIT: Record<string, string[]> = {
  wrmsr: ['%ecx', '%edx', '%eax'],
  rdmsr: ['%ecx', '%edx', '%eax'],
  cpuid: ['%eax', '%ebx', '%ecx', '%edx'],
  rdtsc: ['%edx', '%eax'],
  xgetbv: ['%ecx', '%edx', '%eax'],
  xsetbv: ['%ecx', '%edx', '%eax'],
};
/** Lines that end a block: inline values do not reach back past them. */
const BOUNDARY = /^\s*(SYM_\w*(START|END)\w*\s*\(|\.macro\b|\.endm\b|\.code(16|32|64)\b|[\w.$]+:\s*$)/;

/** Targets on one comment-stripped line, in column order, each expression once. */
export function lineTargets(stripped: string, line: number): InlineTarget[] {
  const out: InlineTarget[] = [];
  const seen = new Set<string>();
  const add = (start: number, end: number, expression: string) => {
    if (seen.has(expression)) return;
    seen.add(expression);
    out.push({ line, start, end, expression });
  };
  for (const st of parseLine(stripped)) {
    if (!st.mnemonic || st.directive) continue;
    const name = st.mnemonic.text.toLowerCase();
    for (const op of st.operands) {
      if (op.kind === 'register') add(op.start, op.end, op.expression);
      else if (op.kind === 'memory') {
        if (!ADDRESS_ONLY.test(name)) add(op.start, op.end, op.expression);
        for (const t of op.tokens) if (t.kind === 'reg' && !/^%[re]?ip$/i.test(t.text)) add(t.start, t.end, t.text.toLowerCase());
      }
    }
    for (const r of IMPLICIT[name] ?? []) add(st.mnemonic.start, st.mnemonic.end, r);
  }
  return out;
}

/**
 * Targets for the lines before and at the stop (0-based `stoppedLine`), at most `window` lines back and not past
 * a block boundary (a SYM_* marker, label line, .macro or .code directive), limited to [first, last].
 */
export function inlineTargets(lines: readonly string[], stoppedLine: number, first = 0, last = lines.length - 1, window = 8): InlineTarget[] {
  if (stoppedLine < 0 || stoppedLine >= lines.length) return [];
  let from = stoppedLine;
  while (from > 0 && stoppedLine - from < window && !BOUNDARY.test(lines[from])) from--;
  if (BOUNDARY.test(lines[from]) && from < stoppedLine) from++;
  from = Math.max(from, first);
  const to = Math.min(stoppedLine, last);
  // Context above `from` only matters for an open block comment.
  const ctxStart = Math.max(0, from - 200);
  const stripped = stripComments(lines.slice(ctxStart, to + 1));
  const out: InlineTarget[] = [];
  for (let l = from; l <= to; l++) out.push(...lineTargets(stripped[l - ctxStart], l));
  return out;
}
