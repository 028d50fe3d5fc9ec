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
  if (line instanceof ExpandedLine) {
    // Only the (at most two) segments the range touches get an origin.
    const i = expandedSegmentAt(line, start);
    if (i < 0) return UNKNOWN();
    const j = expandedSegmentAt(line, Math.max(start, end - 1));
    const sa = expandedSegment(line, i);
    return spanOrigin(sa, j === i || j < 0 ? sa : expandedSegment(line, j), start, end);
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

function expandedSegment(line: ExpandedLine, k: number): OriginSegment {
  return { start: line.spans[k * SPAN], end: line.spans[k * SPAN + 1], origin: line.segmentOrigin(k) };
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
