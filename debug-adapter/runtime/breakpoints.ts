// Breakpoint bookkeeping: what the user set (source lines, functions, instructions, data), where each one binds
// in the linear address space, and the checks made when the machine stops at one (condition, hit count, logpoint).
import type { EvalContext } from './evaluate';
import { evaluateExpression, formatResult } from './evaluate';

export type BreakpointKind = 'source' | 'function' | 'instruction';

export interface UserBreakpoint {
  id: number;
  kind: BreakpointKind;
  /** Linear addresses it binds to (empty when unverified). */
  addresses: number[];
  verified: boolean;
  message?: string;
  condition?: string;
  hitCondition?: string;
  logMessage?: string;
  hits: number;
  /** Source breakpoints: file and 0-based line; instruction breakpoints: the reference. */
  file?: string;
  line?: number;
  instructionReference?: string;
}

export interface DataBreakpoint {
  id: number;
  physical: number;
  size: number;
  access: 'read' | 'write' | 'access';
  condition?: string;
  hitCondition?: string;
  hits: number;
  label: string;
}

/** `>= 3`, `== 2`, `% 4`, `5` (stop on the 5th hit and after, as VS Code users expect). */
export function hitConditionMet(text: string, hits: number): boolean | string {
  const m = /^\s*(>=|<=|==|>|<|%|=)?\s*(\d+)\s*$/.exec(text);
  if (!m) return `hit count condition '${text}' is not understood (use e.g. "3", ">= 3", "== 3" or "% 3")`;
  const n = Number(m[2]);
  switch (m[1]) {
    case '>': return hits > n;
    case '<': return hits < n;
    case '<=': return hits <= n;
    case '==': case '=': return hits === n;
    case '%': return n > 0 && hits % n === 0;
    default: return hits >= n;
  }
}

/** Result of checking a breakpoint at a stop: stop or not, text to log, or a problem to report. */
export interface BreakpointCheck {
  stop: boolean;
  log?: string;
  problem?: string;
}

export function checkBreakpoint(bp: { condition?: string; hitCondition?: string; logMessage?: string; hits: number }, ctx: EvalContext): BreakpointCheck {
  if (bp.condition && bp.condition.trim() !== '') {
    try {
      if (evaluateExpression(bp.condition, ctx).value === 0n) return { stop: false };
    } catch (e) {
      return { stop: true, problem: `breakpoint condition '${bp.condition}' could not be evaluated: ${e instanceof Error ? e.message : String(e)}` };
    }
  }
  bp.hits++;
  if (bp.hitCondition && bp.hitCondition.trim() !== '') {
    const met = hitConditionMet(bp.hitCondition, bp.hits);
    if (typeof met === 'string') return { stop: true, problem: met };
    if (!met) return { stop: false };
  }
  if (bp.logMessage !== undefined && bp.logMessage !== '') return { stop: false, log: interpolate(bp.logMessage, ctx) };
  return { stop: true };
}

/** Logpoint text with {expression} parts replaced by their values ({{ and }} are literal braces). */
export function interpolate(message: string, ctx: EvalContext): string {
  return message.replace(/\{\{|\}\}|\{([^{}]*)\}/g, (all, expr: string | undefined) => {
    if (all === '{{') return '{';
    if (all === '}}') return '}';
    try {
      return formatResult(evaluateExpression(expr ?? '', ctx));
    } catch (e) {
      return `<${e instanceof Error ? e.message : String(e)}>`;
    }
  });
}
