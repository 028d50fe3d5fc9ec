// Lines as the GAS stage reads them: text plus origin segments (from the C preprocessor, from a raw file, or from
// a macro expansion). Helpers turn a column range of such a line back into a source Origin.
import { CopiedLine } from './cpp/copied-line';
import { ExpandedLine, SPAN } from './cpp/expanded-line';
import type { OriginSegment, PreprocessedLine } from './cpp/types';
import type { ExpansionStep, Origin, SourceRange } from './source';

export type { PreprocessedLine, OriginSegment };

/** A raw file as lines, one segment per line (used for `.include` and when no preprocessor runs). */
export function rawLines(path: string, text: string, expansion: ExpansionStep[] = []): PreprocessedLine[] {
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '' && text.length > 0) lines.pop();
  const out: PreprocessedLine[] = new Array(lines.length);
  for (let i = 0; i < lines.length; i++) out[i] = new CopiedLine(lines[i], path, i, expansion);
  return out;
}

function segmentAt(line: PreprocessedLine, col: number): OriginSegment | undefined {
  const segs = line.segments;
  if (segs.length === 0) return undefined;
  for (const s of segs) if (col >= s.start && col < s.end) return s;
  // Past the end (or in a gap): the nearest segment before it, else the first.
  let best: OriginSegment | undefined;
  for (const s of segs) if (s.start <= col) best = s;
  return best ?? segs[0];
}

/** Whether a segment maps columns one-to-one onto its source range. */
function isVerbatim(s: OriginSegment): boolean {
  const r = s.origin.range;
  return r.line === r.endLine && r.endColumn - r.column === s.end - s.start;
}

function pointIn(s: OriginSegment, col: number, end: boolean): { line: number; column: number } {
  const r = s.origin.range;
  if (isVerbatim(s)) {
    const c = Math.max(s.start, Math.min(s.end, col));
    return { line: r.line, column: r.column + (c - s.start) };
  }
  return end ? { line: r.endLine, column: r.endColumn } : { line: r.line, column: r.column };
}

/** Origin of columns [start, end) of a line. */
export function originOf(line: PreprocessedLine, start: number, end: number): Origin {
  if (line instanceof CopiedLine) {
    // Columns are the source line's own.
    const n = line.text.length;
    const cs = Math.max(0, Math.min(n, start));
    const ce = Math.max(0, Math.min(n, end));
    const range = { file: line.file, line: line.line, column: ce >= cs ? cs : 0, endLine: line.line, endColumn: ce >= cs ? ce : n };
    return { range, expansion: line.expansion };
  }
  if (line instanceof ExpandedLine) return expandedOrigin(line, start, end);
  // Most lines are one verbatim segment (file text, or a cpp line without macros): map the columns directly.
  if (line.segments.length === 1) {
    const seg = line.segments[0];
    const r = seg.origin.range;
    if (r.line === r.endLine && r.endColumn - r.column === seg.end - seg.start) {
      const cs = Math.max(seg.start, Math.min(seg.end, start));
      const ce = Math.max(seg.start, Math.min(seg.end, end));
      const range = ce >= cs ? { file: r.file, line: r.line, column: r.column + (cs - seg.start), endLine: r.line, endColumn: r.column + (ce - seg.start) } : { ...r };
      return { range, expansion: seg.origin.expansion };
    }
  }
  const a = segmentAt(line, start);
  if (!a) return UNKNOWN();
  return spanOrigin(a, segmentAt(line, Math.max(start, end - 1)) ?? a, start, end);
}

const UNKNOWN = (): Origin => ({ range: { file: '<unknown>', line: 0, column: 0, endLine: 0, endColumn: 0 }, expansion: [] });

/** segmentAt for the compact form: the index, -1 when there are no segments. */
function expandedSegmentAt(line: ExpandedLine, col: number): number {
  const n = line.segmentCount;
  const sp = line.spans;
  if (n === 0) return -1;
  for (let k = 0; k < n; k++) if (col >= sp[k * SPAN] && col < sp[k * SPAN + 1]) return k;
  let best = -1;
  for (let k = 0; k < n; k++) if (sp[k * SPAN] <= col) best = k;
  return best < 0 ? 0 : best;
}

/**
 * originOf for the compact form, read from its numbers: what spanOrigin gives for the segments holding the first
 * and last column, without building either segment (the assembler asks this for every statement).
 */
function expandedOrigin(line: ExpandedLine, start: number, end: number): Origin {
  const i = expandedSegmentAt(line, start);
  if (i < 0) return UNKNOWN();
  let j = expandedSegmentAt(line, Math.max(start, end - 1));
  if (j < 0) j = i;
  const sp = line.spans;
  const oa = line.origins[i] === null ? null : line.segmentOrigin(i);
  const ob = j === i ? oa : line.origins[j] === null ? null : line.segmentOrigin(j);
  // Copied text is from line.file with line.expansion; the rest has its own origin.
  const fileA = oa ? oa.range.file : line.file;
  const stackA = oa ? oa.expansion : line.expansion;
  expandedPoint(line, i, oa, start, false);
  const psLine = pointLine;
  const psColumn = pointColumn;
  let range: SourceRange | undefined;
  if (j === i || ((ob ? ob.range.file : line.file) === fileA && sameStack(stackA, ob ? ob.expansion : line.expansion))) {
    expandedPoint(line, j, ob, end, true);
    if (pointLine > psLine || (pointLine === psLine && pointColumn >= psColumn)) range = { file: fileA, line: psLine, column: psColumn, endLine: pointLine, endColumn: pointColumn };
  }
  if (!range) {
    // The whole of the first segment's own range.
    if (oa) range = { ...oa.range };
    else {
      const l = copiedLine(line, i);
      range = { file: line.file, line: l, column: sp[i * SPAN + 3], endLine: l, endColumn: sp[i * SPAN + 4] };
    }
  }
  return { range, expansion: stackA };
}

/** The source line of copied segment k (the shift of a repeated line applied). */
function copiedLine(line: ExpandedLine, k: number): number {
  const l = line.spans[k * SPAN + 2];
  return l === line.shiftFrom ? l + line.shiftBy : l;
}

// expandedPoint's result (two numbers, without an object per call).
let pointLine = 0;
let pointColumn = 0;

/** pointIn for segment k of the compact form (o: its origin, null for copied text). */
function expandedPoint(line: ExpandedLine, k: number, o: Origin | null, col: number, end: boolean): void {
  const sp = line.spans;
  const s = sp[k * SPAN];
  const e = sp[k * SPAN + 1];
  const c = Math.max(s, Math.min(e, col));
  if (o === null) {
    pointLine = copiedLine(line, k);
    pointColumn = sp[k * SPAN + 3] + (c - s);
    return;
  }
  const r = o.range;
  if (r.line === r.endLine && r.endColumn - r.column === e - s) {
    pointLine = r.line;
    pointColumn = r.column + (c - s);
  } else if (end) {
    pointLine = r.endLine;
    pointColumn = r.endColumn;
  } else {
    pointLine = r.line;
    pointColumn = r.column;
  }
}

/** Origin of [start, end) from the segments holding its first and last column. */
function spanOrigin(a: OriginSegment, b: OriginSegment, start: number, end: number): Origin {
  const ps = pointIn(a, start, false);
  let range: SourceRange;
  if (b === a || (b.origin.range.file === a.origin.range.file && sameStack(a.origin.expansion, b.origin.expansion))) {
    const pe = pointIn(b, end, true);
    const ordered = pe.line > ps.line || (pe.line === ps.line && pe.column >= ps.column);
    range = ordered
      ? { file: a.origin.range.file, line: ps.line, column: ps.column, endLine: pe.line, endColumn: pe.column }
      : { ...a.origin.range };
  } else {
    range = { ...a.origin.range };
  }
  return { range, expansion: a.origin.expansion };
}

function sameStack(x: ExpansionStep[], y: ExpansionStep[]): boolean {
  if (x === y) return true;
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i].name !== y[i].name || x[i].kind !== y[i].kind) return false;
  return true;
}

/** Origin of a whole line (its non-blank extent). */
export function lineOrigin(line: PreprocessedLine): Origin {
  const t = line.text;
  let s = 0;
  while (s < t.length && isSpace(t.charCodeAt(s))) s++;
  let e = t.length;
  while (e > s && isSpace(t.charCodeAt(e - 1))) e--;
  return originOf(line, s, Math.max(e, s));
}

/** What /\s/ matches, without a regular expression per character. */
function isSpace(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13);
  if (c < 160) return false;
  return c === 160 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}
