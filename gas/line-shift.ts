// Lines inserted or deleted in a file move every later position in it: the read journal (read-journal.ts) keeps
// the earlier read's remainder after such an edit by comparing the input modulo that move, then moving the
// positions the remainder holds. Origins are copied, never changed in place (the preprocessor's lines may share
// them), and one memo keeps shared origins shared.
import { CopiedLine } from './cpp/copied-line';
import { ExpandedLine, SPAN } from './cpp/expanded-line';
import { Relocator } from './cpp/checkpoints';
import type { PreprocessedLine } from './cpp/types';
import type { ExpansionStep, Origin, SourceRange } from './source';

/** Positions in `file` at or after line `from` are `by` lines further in the new text. */
export interface LineMove {
  file: string;
  from: number;
  by: number;
}

function moves(r: SourceRange, m: LineMove): boolean {
  return r.file === m.file && r.line >= m.from;
}

function sameRange(a: SourceRange, b: SourceRange, m: LineMove | undefined): boolean {
  const d = m && moves(a, m) ? m.by : 0;
  return a.file === b.file && a.line + d === b.line && a.column === b.column && a.endLine + d === b.endLine && a.endColumn === b.endColumn;
}

function sameSteps(x: ExpansionStep[], y: ExpansionStep[], m: LineMove | undefined): boolean {
  if (x === y && !m) return true;
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i].kind !== y[i].kind || x[i].name !== y[i].name || !sameRange(x[i].site, y[i].site, m)) return false;
  return true;
}

/** Whether two origins name the same place through the same expansions. */
export function sameOrigin(a: Origin, b: Origin): boolean {
  return a === b || (sameRange(a.range, b.range, undefined) && sameSteps(a.expansion, b.expansion, undefined));
}

/** Whether new line `b` reads as old line `a` once `m` moved (text and every origin; no move: the same line). */
export function sameLineMoved(a: PreprocessedLine, b: PreprocessedLine, m: LineMove | undefined): boolean {
  if (a === b && !m) return true;
  if (a.text !== b.text) return false;
  if (a instanceof CopiedLine && b instanceof CopiedLine) {
    const d = m && a.file === m.file && a.line >= m.from ? m.by : 0;
    return a.file === b.file && a.line + d === b.line && sameSteps(a.expansion, b.expansion, m);
  }
  const x = a.segments;
  const y = b.segments;
  if (x === y && !m) return true;
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) {
    const p = x[i];
    const q = y[i];
    if (p.start !== q.start || p.end !== q.end || !sameRange(p.origin.range, q.origin.range, m) || !sameSteps(p.origin.expansion, q.origin.expansion, m)) return false;
  }
  return true;
}

/**
 * The line of `file` a preprocessed line is written on (undefined: it is not from that file): where its text was
 * copied from, not where the macros in it were defined.
 */
export function firstLineIn(line: PreprocessedLine, file: string): number | undefined {
  if (line instanceof CopiedLine) return line.file === file ? line.line : siteIn(line.expansion, file);
  if (line instanceof ExpandedLine) {
    if (line.file !== file) return siteIn(line.expansion, file);
    let best: number | undefined;
    for (let k = 0; k * SPAN < line.spans.length; k++) {
      const l = line.spans[k * SPAN + 2];
      if (l >= 0 && (best === undefined || l < best)) best = l;
    }
    return best !== undefined ? best + (line.shiftFrom >= 0 && best === line.shiftFrom ? line.shiftBy : 0) : undefined;
  }
  let best: number | undefined;
  for (const s of line.segments) {
    // Text a macro produced is placed where the macro was used (its outermost step), not where it was defined.
    const steps = s.origin.expansion.filter((e) => e.kind === 'cpp-macro');
    const r = steps.length ? steps[steps.length - 1].site : s.origin.range;
    if (r.file === file && (best === undefined || r.line < best)) best = r.line;
  }
  return best ?? siteIn(line.segments[0]?.origin.expansion ?? [], file);
}

/** The line of `file` an #include chain was included from. */
function siteIn(steps: ExpansionStep[], file: string): number | undefined {
  for (const s of steps) if (s.site.file === file) return s.site.line;
  return undefined;
}

/**
 * Copies of origins with their positions moved (the preprocessor's Relocator: an origin shared before is shared
 * after), for the optional origins and the lists the read journal holds.
 */
export class OriginMover {
  private readonly relocator: Relocator;

  constructor(readonly move: LineMove) {
    this.relocator = new Relocator(move.file, move.from, move.by);
  }

  origin<T extends Origin | undefined>(o: T): T {
    return (o && this.relocator.origin(o)) as T;
  }

  /** Moves every element of a list of origins in place, from index `from` on. */
  list(xs: Origin[], from = 0): void {
    for (let i = from; i < xs.length; i++) xs[i] = this.relocator.origin(xs[i]);
  }
}
