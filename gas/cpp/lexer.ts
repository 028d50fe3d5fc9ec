// Splits a file into logical lines of preprocessing tokens the way gcc's lexer does in assembler-with-cpp mode:
// backslash-newline splices, comments as whitespace (a block comment may carry the line on), no `$` in names,
// and an unterminated ' or " becomes one "other" token to the end of the line instead of an error, because in
// assembly `'` is a character prefix (`$'a`) and apostrophes appear in `#` comments.
import type { Token } from './token';
import * as tok from './token';
// Local copies: module imports are live bindings (getters once compiled), and these are read per token.
const BOL = tok.BOL;
const PREV_WHITE = tok.PREV_WHITE;

export interface LogicalLine {
  /** Tokens, lexed on first use for simple lines (read them through lineTokens). */
  tokens: Token[] | null;
  /** First and last physical line (0-based) the logical line spans. */
  first: number;
  last: number;
  /** The logical text: splices removed; lines joined by a block comment are separated by '\n'. */
  text: string;
  /** One physical line without comments or splices: `text` is exactly that line. */
  verbatim: boolean;
  /** The first token is `#` (a directive, or in assembler mode possibly just text). */
  hash: boolean;
  /** No tokens at all. */
  blank: boolean;
  /** Where each physical line starts in `text`, when the logical line spans several (for lexing it later). */
  pieces?: Piece[];
}

export interface LexProblem {
  severity: 'error' | 'warning';
  message: string;
  line: number;
  col: number;
  endLine: number;
  endCol: number;
}

export interface LexedFile {
  path: string;
  source: string;
  lines: LogicalLine[];
  physicalLines: number;
  problems: LexProblem[];
  /** Macro of a whole-file `#ifndef X … #endif` guard: re-including is a no-op while X is defined. */
  guard?: string;
  /** Offset of each physical line in `source` (files with '\n' line ends and no byte-order mark: see relexFile). */
  starts?: Int32Array;
}

export interface Piece {
  off: number;
  line: number;
}

const SPLICE_TAIL = /\\[ \t\f\v]*$/;

function isIdentStart(c: number): boolean {
  // Assembler mode: only ASCII letters, digits and _ (gcc lexes é and other non-ASCII as separate characters).
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}
export function isIdentChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || (c >= 48 && c <= 57);
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** The token list of a line that is only being measured (never pushed to). */
const NO_TOKENS: Token[] = Object.freeze([]) as unknown as Token[];

/** A line without any of / \\ " ' holds no comment, splice or literal: its tokens can wait until needed. */
const NEEDS_FULL_LEX = /[/\\"']/;

/** Splits a file into physical lines (a UTF-8 byte-order mark is dropped; a final newline starts no line). */
function physicalLines(source: string): string[] {
  // A UTF-8 byte-order mark is not part of the text (gcc skips it; editors hide it).
  const text = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
  const phys = text.indexOf('\r') < 0 ? text.split('\n') : text.split(/\r\n|\r|\n/);
  if (phys.length > 1 && phys[phys.length - 1] === '') phys.pop();
  return phys;
}

/** Appends the logical line starting at physical line i to `lines`; returns the next physical line. */
function lexNext(phys: string[], i: number, path: string, problems: LexProblem[], lines: LogicalLine[], fill?: (k: number) => void): number {
  const s = phys[i];
  if (!NEEDS_FULL_LEX.test(s)) {
    let k = 0;
    while (k < s.length && isSpace(s.charCodeAt(k))) k++;
    lines.push({ tokens: null, first: i, last: i, text: s, verbatim: true, hash: s.charCodeAt(k) === 35, blank: k === s.length });
    return i + 1;
  }
  // Find where the logical line ends (and whether it is blank or a # line) without building tokens; only
  // # lines, which are few and read soon, get theirs now.
  const r = lexLogical(phys, i, path, problems, 0, false, undefined, fill);
  lines.push(r.line);
  return r.next;
}

/**
 * What follows the `#` of a # line, read from the text without making tokens: '' when nothing does (a null
 * directive), the identifier when one does, undefined when another kind of token does, and null when the text
 * cannot tell that simply (a comment, a literal, a splice or `##`: ask the tokens). Most # lines in assembly
 * are `# comments`, and lexing each of them whole only to see that `# Setup` is not a directive was most of
 * the lexer's garbage.
 */
export function wordAfterHash(L: LogicalLine): string | undefined | null {
  const s = L.text;
  const n = s.length;
  let p = 0;
  while (p < n && isWhite(s.charCodeAt(p))) p++;
  if (s.charCodeAt(p) !== 35) return null;
  p++;
  while (p < n && isWhite(s.charCodeAt(p))) p++;
  if (p >= n) return '';
  const c = s.charCodeAt(p);
  if (c === 47 || c === 92 || c === 34 || c === 39 || c === 35) return null;
  if (!isIdentStart(c)) return undefined;
  const q = p;
  while (p < n && isIdentChar(s.charCodeAt(p))) p++;
  const d = s.charCodeAt(p);
  // `u8"…"` and the like are string literals, not identifiers.
  if (d === 34 || d === 39) return null;
  return s.slice(q, p);
}

/** Whitespace as the lexer skips it between tokens. */
function isWhite(c: number): boolean {
  return c === 32 || c === 9 || c === 12 || c === 11 || c === 0 || c === 10;
}

/** Lexes one file. Never throws; problems (unterminated comment, …) are returned with positions. `headerGuard`: look
 * for a whole-file include guard (headers). */
export function lexFile(path: string, source: string, headerGuard = true): LexedFile {
  const phys = physicalLines(source);
  const problems: LexProblem[] = [];
  const lines: LogicalLine[] = [];
  const n = phys.length;
  for (let i = 0; i < n; ) i = lexNext(phys, i, path, problems, lines);
  const lexed: LexedFile = { path, source, lines, physicalLines: n, problems };
  // A main file is never skipped as a re-included header: its guard is not looked for.
  if (headerGuard) lexed.guard = findGuard(lexed);
  if (source.indexOf('\r') < 0 && source.charCodeAt(0) !== 0xfeff) {
    const starts = new Int32Array(n);
    for (let k = 1, off = 0; k < n; k++) starts[k] = off += phys[k - 1].length + 1;
    lexed.starts = starts;
  }
  return lexed;
}

/** Logical lines lexed per LineStream.more call. */
const STREAM_CHUNK = 256;

/**
 * A file lexed on demand, front to back: `lexed.lines` grows as more() is called. A run that reads each line once
 * can drop the lines behind it, so the line objects die young instead of all living until the end (for a large
 * file they were a third of what the garbage collector copied). No guard and no line starts are computed.
 */
export class LineStream {
  readonly lexed: LexedFile;
  /** Physical lines, sliced from the text as lexing reaches them and let go once lexed (else every line's string
   * is made at the start and lives through the whole run). */
  private readonly phys: string[];
  private readonly text: string;
  /** Lines [0, sliced) have been sliced; line `sliced` starts at offset `at` of `text`. */
  private sliced = 0;
  private at = 0;
  private next = 0;
  private readonly fill: ((k: number) => void) | undefined;

  constructor(
    path: string,
    source: string,
    /** Told of each problem as it is found (k: its index in lexed.problems). */
    private readonly onProblem?: (p: LexProblem, k: number) => void,
  ) {
    const text = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
    this.text = text;
    if (text.indexOf('\r') >= 0) {
      this.phys = physicalLines(source);
      this.sliced = this.phys.length;
    } else {
      // As many lines as physicalLines gives: one more than there are newlines, less a final empty one.
      let n = 1;
      for (let p = text.indexOf('\n'); p >= 0; p = text.indexOf('\n', p + 1)) n++;
      if (n > 1 && text.charCodeAt(text.length - 1) === 10) n--;
      this.phys = new Array<string>(n);
      this.fill = (k) => this.sliceTo(k);
    }
    this.lexed = { path, source, lines: [], physicalLines: this.phys.length, problems: [] };
  }

  /** Slices physical lines up to and including line k (and a few more, so that most lines need one call). */
  private sliceTo(k: number): void {
    const phys = this.phys;
    const text = this.text;
    const stop = Math.min(phys.length, Math.max(k + 1, this.sliced + STREAM_CHUNK));
    let at = this.at;
    for (let j = this.sliced; j < stop; j++) {
      const nl = text.indexOf('\n', at);
      const end = nl < 0 ? text.length : nl;
      phys[j] = text.slice(at, end);
      at = end + 1;
    }
    this.at = at;
    this.sliced = Math.max(this.sliced, stop);
  }

  /** Lexes some more lines; false when the file is done. New problems are appended to lexed.problems. */
  more(): boolean {
    const phys = this.phys;
    const n = phys.length;
    if (this.next >= n) return false;
    const { path, problems, lines } = this.lexed;
    const stop = lines.length + STREAM_CHUNK;
    let i = this.next;
    const before = problems.length;
    while (i < n && lines.length < stop) {
      if (i >= this.sliced) this.sliceTo(i);
      const from = i;
      i = lexNext(phys, i, path, problems, lines, this.fill);
      // Lexing only reads ahead: the strings behind live on in the lines that hold them, or die young.
      for (let k = from; k < i; k++) phys[k] = '';
    }
    this.next = i;
    if (this.onProblem) for (let k = before; k < problems.length; k++) this.onProblem(problems[k], k);
    return true;
  }
}

/** Lines past the changed text that a re-lex may read before it must meet the old line boundaries again. */
const RELEX_MARGIN = 64;

/**
 * Lexes an edited version of a file by lexing only the changed lines: logical lines before the change are the
 * old ones, the lines after it are the old ones moved by the lines the edit added or removed, and lexing runs
 * from the start of the first changed logical line until it meets an old line boundary in the unchanged tail.
 * Gives what lexFile gives, or undefined when it cannot tell cheaply (then lex the whole file). No guard is
 * computed: this is for the main file.
 */
export function relexFile(old: LexedFile, source: string): LexedFile | undefined {
  const prev = old.source;
  const oldStarts = old.starts;
  if (!oldStarts || old.problems.length > 0 || old.lines.length === 0 || prev.length === 0 || source.length === 0) return undefined;
  if (source.charCodeAt(0) === 0xfeff) return undefined;
  const cp = commonPrefix(prev, source);
  const cs = commonSuffix(prev, source, cp);
  // The old text had no '\r' (it has line starts): only the changed middle can bring one in.
  for (let k = cp; k < source.length - cs; k++) if (source.charCodeAt(k) === 13) return undefined;
  const oldN = old.physicalLines;
  const lines = old.lines;
  // Physical line holding the first changed character, and the first old logical line that reaches it.
  const pl = Math.max(0, upperBound(oldStarts, oldN, cp) - 1);
  let a = 0;
  for (let lo = 0, hi = lines.length; lo < hi; ) {
    const mid = (lo + hi) >> 1;
    if (lines[mid].last < pl) lo = a = mid + 1;
    else hi = mid;
  }
  if (a >= lines.length) return undefined;
  const startPhys = lines[a].first;
  // First old physical line whose text and preceding newline lie in the unchanged tail.
  const tailFrom = prev.length - cs;
  const oldTail = upperBound(oldStarts, oldN, tailFrom);
  const midOld = countNewlines(prev, cp, tailFrom);
  const midNew = countNewlines(source, cp, source.length - cs);
  // lexFile's count: a final newline does not start another line.
  const oldNewlines = prev.charCodeAt(prev.length - 1) === 10 ? oldN : oldN - 1;
  const newlines = oldNewlines - midOld + midNew;
  const n = newlines + 1 - (newlines > 0 && source.charCodeAt(source.length - 1) === 10 ? 1 : 0);
  const delta = n - oldN;
  // The new physical lines from startPhys through the changed ones and a margin; the rest stay unread.
  const fillEnd = Math.min(n, oldTail + delta + RELEX_MARGIN);
  // Only lines [startPhys, fillEnd) are read: a sparse array (a dense one of n slots cost more than the lexing).
  // Its length is fillEnd, so a comment or splice running past it is an "end of file" problem: no re-lex.
  const phys: string[] = [];
  const starts = new Int32Array(n);
  starts.set(oldStarts.subarray(0, startPhys));
  let off = oldStarts[startPhys];
  for (let k = startPhys; k < fillEnd; k++) {
    const nl = source.indexOf('\n', off);
    const end = nl < 0 ? source.length : nl;
    starts[k] = off;
    phys[k] = source.slice(off, end);
    off = end + 1;
  }
  const shift = source.length - prev.length;
  for (let k = Math.max(fillEnd, startPhys), o = k - delta; k < n; k++, o++) starts[k] = oldStarts[o] + shift;
  // The newly lexed lines (between the old lines kept before and after them).
  const out: LogicalLine[] = [];
  const problems: LexProblem[] = [];
  let i = startPhys;
  let resumeAt = -1;
  try {
    while (i < n) {
      if (i >= oldTail + delta) {
        // Back in the unchanged tail: continue with the old line that starts here, if one does.
        const o = firstLineStartingAt(lines, i - delta);
        if (o >= 0) {
          resumeAt = o;
          break;
        }
      }
      if (i >= fillEnd) return undefined;
      const s = phys[i];
      if (!NEEDS_FULL_LEX.test(s)) {
        let k = 0;
        while (k < s.length && isSpace(s.charCodeAt(k))) k++;
        out.push({ tokens: null, first: i, last: i, text: s, verbatim: true, hash: s.charCodeAt(k) === 35, blank: k === s.length });
        i++;
        continue;
      }
      const r = lexLogical(phys, i, old.path, problems, 0, false);
      if (r.next > fillEnd) return undefined;
      out.push(r.line);
      i = r.next;
    }
  } catch {
    return undefined;
  }
  if (problems.length > 0) return undefined;
  let all: LogicalLine[];
  if (resumeAt >= 0 && delta === 0 && out.length <= 4096) {
    // One copy of the old lines with the changed ones replaced in place.
    all = lines.slice();
    all.splice(a, resumeAt - a, ...out);
  } else {
    all = lines.slice(0, a);
    for (const L of out) all.push(L);
    if (resumeAt >= 0) {
      for (let k = resumeAt; k < lines.length; k++) {
        const L = lines[k];
        if (delta === 0) {
          all.push(L);
          continue;
        }
        const moved: LogicalLine = { tokens: null, first: L.first + delta, last: L.last + delta, text: L.text, verbatim: L.verbatim, hash: L.hash, blank: L.blank };
        if (L.pieces) moved.pieces = L.pieces.map((p) => ({ off: p.off, line: p.line + delta }));
        all.push(moved);
      }
    }
  }
  return { path: old.path, source, lines: all, physicalLines: n, problems: [], starts };
}

/** Index of the first element of sorted `xs[0..n)` greater than `v`. */
function upperBound(xs: Int32Array, n: number, v: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the logical line whose first physical line is `phys`, or -1 (it is inside a line). */
function firstLineStartingAt(lines: LogicalLine[], phys: number): number {
  let lo = 0;
  let hi = lines.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (lines[mid].first < phys) lo = mid + 1;
    else hi = mid;
  }
  return lo < lines.length && lines[lo].first === phys ? lo : -1;
}

function countNewlines(s: string, from: number, to: number): number {
  let c = 0;
  for (let p = s.indexOf('\n', from); p >= 0 && p < to; p = s.indexOf('\n', p + 1)) c++;
  return c;
}

/** Length of the common prefix, found by halving (string compares run natively). */
function commonPrefix(a: string, b: string): number {
  let lo = 0;
  let hi = Math.min(a.length, b.length);
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (a.slice(lo, mid) === b.slice(lo, mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Length of the common suffix that does not overlap a common prefix of length `prefix`. */
function commonSuffix(a: string, b: string, prefix: number): number {
  let lo = 0;
  let hi = Math.min(a.length, b.length) - prefix;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (a.slice(a.length - mid, a.length - lo) === b.slice(b.length - mid, b.length - lo)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The tokens of a logical line (lexing a simple line on first use). */
export function lineTokens(lexed: LexedFile, L: LogicalLine): Token[] {
  if (L.tokens === null) {
    // The text is already joined: lex it alone, mapping offsets through the recorded pieces.
    L.tokens = L.pieces
      ? (lexLogical([L.text], 0, lexed.path, [], 0, true, L.pieces).line.tokens ?? [])
      : (lexLogical([L.text], 0, lexed.path, [], L.first, true).line.tokens ?? []);
  }
  return L.tokens;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 12 || c === 11 || c === 0;
}

/** Joins the following physical line(s) while `s` ends in a backslash-newline; null when it does not. */
function spliceLines(s: string, i: number, phys: string[], pieces: Piece[], problems: LexProblem[], fill?: (k: number) => void): { s: string; i: number } | null {
  const n = phys.length;
  let changed = false;
  for (;;) {
    const m = SPLICE_TAIL.exec(s);
    if (!m) return changed ? { s, i } : null;
    const off = s.length - m[0].length;
    const at = pieceLineCol(pieces, off);
    if (i + 1 >= n) {
      problems.push({ severity: 'warning', message: 'backslash-newline at end of file', ...at, endLine: at.line, endCol: at.col + 1 });
      return { s: s.slice(0, off), i };
    }
    if (m[0].length > 1) {
      problems.push({ severity: 'warning', message: 'backslash and newline separated by space', ...at, endLine: at.line, endCol: at.col + 1 });
    }
    if (fill && phys[i + 1] === undefined) fill(i + 1);
    s = s.slice(0, off) + phys[i + 1];
    pieces.push({ off, line: i + 1 });
    i++;
    changed = true;
  }
}

/**
 * Lexes the logical line starting at physical line i (line numbers offset by lineBase). Without `emit` it only
 * finds the line's extent and shape; with `preset` the text is an already joined logical line.
 */
function lexLogical(
  phys: string[],
  i: number,
  path: string,
  problems: LexProblem[],
  lineBase: number,
  emit: boolean,
  preset?: Piece[],
  /** Lines of `phys` may be missing ahead: fill(k) slices them up to line k (LineStream). */
  fill?: (k: number) => void,
): { line: LogicalLine; next: number } {
  const n = phys.length;
  const first = i;
  let s = phys[i];
  const pieces: Piece[] = preset ? preset : [{ off: 0, line: first }];
  let verbatim = !preset;
  if (!preset && s.indexOf('\\') >= 0) {
    const r = spliceLines(s, i, phys, pieces, problems, fill);
    if (r) {
      s = r.s;
      i = r.i;
      verbatim = false;
    }
  }

  const tokens: Token[] = emit ? [] : NO_TOKENS;
  let count = 0;
  let firstIsHash = false;
  let p = 0;
  let white = false;
  for (;;) {
    // Whitespace and comments.
    let len = s.length;
    while (p < len) {
      const c = s.charCodeAt(p);
      if (c === 32 || c === 9 || c === 12 || c === 11 || c === 0 || c === 10) {
        p++;
        white = true;
      } else if (c === 47 && s.charCodeAt(p + 1) === 42) {
        verbatim = false;
        white = true;
        const start = p;
        let close = s.indexOf('*/', p + 2);
        while (close < 0 && i + 1 < n) {
          // The comment runs on: bring in the next physical line.
          const from = s.length;
          if (fill && phys[i + 1] === undefined) fill(i + 1);
          const next = phys[i + 1];
          s += '\n';
          pieces.push({ off: s.length, line: i + 1 });
          s += next;
          i++;
          if (next.indexOf('\\') >= 0) {
            const r = spliceLines(s, i, phys, pieces, problems, fill);
            if (r) {
              s = r.s;
              i = r.i;
            }
            close = s.indexOf('*/', from);
          } else {
            // Search the new line alone: searching the joined text would copy it again for every line it grows by.
            const c = next.indexOf('*/');
            close = c < 0 ? -1 : from + 1 + c;
          }
        }
        len = s.length;
        if (close < 0) {
          const at = pieceLineCol(pieces, start);
          problems.push({ severity: 'error', message: 'unterminated comment', ...at, endLine: at.line, endCol: at.col + 2 });
          p = len;
        } else {
          p = close + 2;
        }
      } else if (c === 47 && s.charCodeAt(p + 1) === 47) {
        verbatim = false;
        white = true;
        p = len;
      } else break;
    }
    if (p >= len) break;
    const start = p;
    const c = s.charCodeAt(p);
    let kind: Token['kind'];
    if (isIdentStart(c)) {
      p++;
      while (p < len && isIdentChar(s.charCodeAt(p))) p++;
      const q = s.charCodeAt(p);
      if ((q === 34 || q === 39) && isStringPrefix(s, start, p)) {
        kind = q === 34 ? 'string' : 'char';
        p = scanQuoted(s, p, q);
        if (p < 0) {
          kind = 'other';
          p = len;
        }
      } else kind = 'ident';
    } else if (isDigit(c) || (c === 46 && isDigit(s.charCodeAt(p + 1)))) {
      p++;
      while (p < len) {
        const d = s.charCodeAt(p);
        if ((d === 43 || d === 45) && (s.charCodeAt(p - 1) | 0x20) === 101) p++; // e+ e-
        else if ((d === 43 || d === 45) && (s.charCodeAt(p - 1) | 0x20) === 112) p++; // p+ p-
        else if (isIdentChar(d) || d === 46) p++;
        else break;
      }
      kind = 'number';
    } else if (c === 34 || c === 39) {
      kind = c === 34 ? 'string' : 'char';
      p = scanQuoted(s, p, c);
      if (p < 0) {
        kind = 'other';
        p = len;
      }
    } else {
      const plen = punctLength(s, p, c);
      if (plen > 0) {
        kind = 'punct';
        p += plen;
      } else {
        kind = 'other';
        p++;
      }
    }
    if (count++ === 0) firstIsHash = kind === 'punct' && p === start + 1 && s.charCodeAt(start) === 35;
    if (!emit) {
      white = false;
      continue;
    }
    let line: number;
    let col: number;
    let endLine: number;
    let endCol: number;
    if (pieces.length === 1) {
      line = endLine = first + lineBase;
      col = start;
      endCol = p;
    } else {
      const a = pieceLineCol(pieces, start);
      const b = pieceLineCol(pieces, p - 1);
      line = a.line + lineBase;
      col = a.col;
      endLine = b.line + lineBase;
      endCol = b.col + 1;
    }
    tokens.push({
      kind,
      text: s.slice(start, p),
      flags: (white ? PREV_WHITE : 0) | (tokens.length === 0 ? BOL : 0),
      file: path,
      line,
      col,
      endLine,
      endCol,
      off: start,
      frame: null,
      argNo: -1,
      source: null,
    });
    white = false;
  }
  const line: LogicalLine = {
    tokens: emit ? tokens : null,
    first: pieces[0].line + lineBase,
    last: pieces[pieces.length - 1].line + lineBase,
    text: s,
    verbatim,
    hash: firstIsHash,
    blank: count === 0,
  };
  if (pieces.length > 1) line.pieces = pieces;
  return { line, next: i + 1 };
}

function pieceLineCol(pieces: Piece[], off: number): { line: number; col: number } {
  let k = pieces.length - 1;
  while (k > 0 && pieces[k].off > off) k--;
  return { line: pieces[k].line, col: off - pieces[k].off };
}

function isStringPrefix(s: string, start: number, end: number): boolean {
  const w = s.slice(start, end);
  return w === 'L' || w === 'u' || w === 'U' || w === 'u8';
}

/** Index just past the closing quote, or -1 when the line ends first. */
function scanQuoted(s: string, p: number, quote: number): number {
  const len = s.length;
  p++;
  while (p < len) {
    const c = s.charCodeAt(p);
    if (c === 92 && p + 1 < len && s.charCodeAt(p + 1) !== 10) p += 2;
    else if (c === quote) return p + 1;
    else if (c === 10) return -1;
    else p++;
  }
  return -1;
}

/** Length of the C punctuator at p (longest match), 0 when the character is not one. */
function punctLength(s: string, p: number, c: number): number {
  const d = s.charCodeAt(p + 1);
  switch (c) {
    case 60: // <
      if (d === 60) return s.charCodeAt(p + 2) === 61 ? 3 : 2;
      return d === 61 ? 2 : 1;
    case 62: // >
      if (d === 62) return s.charCodeAt(p + 2) === 61 ? 3 : 2;
      return d === 61 ? 2 : 1;
    case 46: // .
      return d === 46 && s.charCodeAt(p + 2) === 46 ? 3 : 1;
    case 45: // -
      return d === 45 || d === 61 || d === 62 ? 2 : 1;
    case 43: // +
      return d === 43 || d === 61 ? 2 : 1;
    case 38: // &
      return d === 38 || d === 61 ? 2 : 1;
    case 124: // |
      return d === 124 || d === 61 ? 2 : 1;
    case 35: // #
      return d === 35 ? 2 : 1;
    case 61: // =
    case 33: // !
    case 42: // *
    case 47: // /
    case 37: // %
    case 94: // ^
      return d === 61 ? 2 : 1;
    case 91: // [
    case 93: // ]
    case 40: // (
    case 41: // )
    case 123: // {
    case 125: // }
    case 126: // ~
    case 63: // ?
    case 58: // :
    case 59: // ;
    case 44: // ,
      return 1;
    default:
      return 0;
  }
}

function directiveName(lexed: LexedFile, l: LogicalLine): string | undefined {
  if (!l.hash) return undefined;
  const t = lineTokens(lexed, l)[1];
  return t && t.kind === 'ident' ? t.text : undefined;
}

/** The guard macro when the file is exactly `#ifndef X` (or `#if !defined X`) … matching `#endif`. */
function findGuard(lexed: LexedFile): string | undefined {
  const lines = lexed.lines;
  let firstIdx = -1;
  let lastIdx = -1;
  for (let k = 0; k < lines.length; k++) {
    if (lines[k].blank) continue;
    if (firstIdx < 0) firstIdx = k;
    lastIdx = k;
  }
  if (firstIdx < 0) return undefined;
  const head = lines[firstIdx];
  const name = directiveName(lexed, head);
  let guard: string | undefined;
  const t = lineTokens(lexed, head);
  if (name === 'ifndef' && t.length === 3 && t[2].kind === 'ident') guard = t[2].text;
  else if (name === 'if' && t.length >= 5 && t[2].text === '!' && t[3].text === 'defined') {
    if (t.length === 5 && t[4].kind === 'ident') guard = t[4].text;
    else if (t.length === 7 && t[4].text === '(' && t[5].kind === 'ident' && t[6].text === ')') guard = t[5].text;
  }
  if (!guard) return undefined;
  if (directiveName(lexed, lines[lastIdx]) !== 'endif') return undefined;
  let depth = 0;
  for (let k = firstIdx; k <= lastIdx; k++) {
    const d = directiveName(lexed, lines[k]);
    if (d === undefined) continue;
    if (d === 'if' || d === 'ifdef' || d === 'ifndef') depth++;
    else if (d === 'endif') {
      depth--;
      if (depth === 0 && k !== lastIdx) return undefined;
    } else if ((d === 'else' || d === 'elif' || d === 'elifdef' || d === 'elifndef') && depth === 1) return undefined;
  }
  return depth === 0 ? guard : undefined;
}
