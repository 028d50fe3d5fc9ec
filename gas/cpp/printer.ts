// Turns the expanded token stream of one logical line into output text plus origin segments. Spacing follows
// gcc's printer (a space where the source had whitespace, and at expansion boundaries only where two tokens
// would otherwise paste); while the line is still a plain copy of the source, tokens keep their source columns.
import type { ExpansionStep, Origin, SourceRange } from '../source';
import type { PreprocessedLine } from './types';
import { ExpandedLine, SPAN } from './expanded-line';
import type { Frame, Token } from './token';
import * as tok from './token';
// Local copies: module imports are live bindings (getters once compiled), and these are read per token.
const FROM_BODY = tok.FROM_BODY;
const PREV_WHITE = tok.PREV_WHITE;

interface OpenSegment {
  start: number;
  end: number;
  plain: boolean;
  frame: Frame | null;
  file: string;
  line: number;
  /** Plain segments: source columns of [start, end). */
  srcStart: number;
  srcEnd: number;
  /** Non-plain segments with no frame (should not happen): the first token's range. */
  range?: SourceRange;
}

export class LinePrinter {
  private text = '';
  private prev: Token | null = null;
  private source: Token | null = null;
  private avoidPaste = false;
  /** No expansion or continuation has been printed yet: plain tokens may be padded to their source column. */
  private inSync = true;
  private readonly segs: OpenSegment[] = [];

  constructor(
    private readonly firstLine: number,
    private readonly indent: number,
    private readonly includeSteps: ExpansionStep[],
    /** The logical line's text: while in sync, whitespace is copied from it (tabs stay tabs). */
    private readonly sourceText = '',
    /** The file the line is read from (text copied from it is kept as numbers). */
    private readonly file = '',
  ) {}

  /** Source columns [a, b) as output: the same characters if they are blanks, else spaces (a comment). */
  private blanks(a: number, b: number): string {
    const piece = this.sourceText.slice(a, b);
    return piece.length === b - a && /^[ \t]*$/.test(piece) ? piece : ' '.repeat(b - a);
  }

  add(tok: Token): void {
    if (tok.kind === 'padding') {
      // Padding marks a macro expansion boundary: from here on, source columns no longer line up.
      this.inSync = false;
      this.avoidPaste = true;
      if (this.source === null || (!(this.source.flags & PREV_WHITE) && tok.source === null)) this.source = tok.source;
      return;
    }
    let space: boolean;
    if (this.avoidPaste) {
      const src = this.source ?? tok;
      space =
        (src.flags & PREV_WHITE) !== 0 ||
        (this.prev !== null && avoidPaste(this.prev, tok)) ||
        (this.prev === null && tok.kind === 'punct' && tok.text === '#');
    } else space = (tok.flags & PREV_WHITE) !== 0;
    this.avoidPaste = false;
    this.source = null;

    const plain = tok.frame === null && (tok.flags & FROM_BODY) === 0;
    if (this.prev === null) {
      this.text = this.indent > 0 ? this.blanks(0, this.indent) : '';
    } else if (space) {
      if (this.inSync && plain && tok.line === this.firstLine && tok.col > this.text.length) {
        this.text += this.blanks(this.text.length, tok.col);
      } else this.text += ' ';
    }
    if (!plain || tok.line !== this.firstLine) this.inSync = false;
    const start = this.text.length;
    // Output and source columns agree: the whitespace in front of the token is the source's own.
    const aligned = this.inSync && start === tok.col;
    this.text += tok.text;
    this.prev = tok;
    this.addSegment(tok, plain, aligned, start, this.text.length);
  }

  private addSegment(tok: Token, plain: boolean, aligned: boolean, start: number, end: number): void {
    const cur = this.segs.length > 0 ? this.segs[this.segs.length - 1] : undefined;
    const prevEnd = cur ? cur.end : 0;
    const oneLine = tok.line === tok.endLine;
    if (plain) {
      if (cur && cur.plain && oneLine && cur.file === tok.file && cur.line === tok.line && tok.col - cur.srcEnd === start - cur.end && tok.col >= cur.srcEnd) {
        cur.end = end;
        cur.srcEnd = tok.endCol;
        return;
      }
      // Only whitespace that is a copy of the source's may join the segment (keeping the mapping exact).
      const gap = start - prevEnd;
      const back = aligned && oneLine && gap <= tok.col ? gap : 0;
      // Otherwise a preceding expansion segment (which maps to a whole call anyway) takes the whitespace.
      if (back === 0 && cur && !cur.plain) cur.end = start;
      this.segs.push({
        start: start - back,
        end,
        plain: oneLine,
        frame: null,
        file: tok.file,
        line: tok.line,
        srcStart: tok.col - back,
        srcEnd: tok.endCol,
        range: oneLine ? undefined : { file: tok.file, line: tok.line, column: tok.col, endLine: tok.endLine, endColumn: tok.endCol },
      });
      return;
    }
    if (cur && !cur.plain && cur.frame !== null && cur.frame === tok.frame) {
      cur.end = end;
      return;
    }
    this.segs.push({
      start: prevEnd,
      end,
      plain: false,
      frame: tok.frame,
      file: tok.file,
      line: tok.line,
      srcStart: tok.col,
      srcEnd: tok.endCol,
      range: tok.frame ? undefined : { file: tok.file, line: tok.line, column: tok.col, endLine: tok.endLine, endColumn: tok.endCol },
    });
  }

  finish(): PreprocessedLine {
    const n = this.segs.length;
    // Exactly sized (the output holds these for every expanded line).
    const spans = new Int32Array(n * SPAN);
    const origins = new Array<Origin | null>(n);
    const file = this.file;
    for (let k = 0; k < n; k++) {
      const s = this.segs[k];
      spans[k * SPAN] = s.start;
      spans[k * SPAN + 1] = s.end;
      if (s.plain && s.file === file) {
        spans[k * SPAN + 2] = s.line;
        spans[k * SPAN + 3] = s.srcStart;
        spans[k * SPAN + 4] = s.srcEnd;
        origins[k] = null;
        continue;
      }
      spans[k * SPAN + 2] = -1;
      if (s.plain) {
        origins[k] = { range: { file: s.file, line: s.line, column: s.srcStart, endLine: s.line, endColumn: s.srcEnd }, expansion: this.includeSteps };
      } else if (s.frame) {
        // One origin per expansion, shared by its segments (and by every line it reaches).
        const f = s.frame;
        origins[k] = f.origin ??= { range: outermost(f).site, expansion: frameSteps(f, this.includeSteps) };
      } else {
        origins[k] = { range: s.range!, expansion: this.includeSteps };
      }
    }
    return new ExpandedLine(flat(this.text), spans, origins, file, this.includeSteps);
  }
}

/**
 * The same string, flattened: text built with += is a tree of one node per piece until something reads its
 * characters, and the output keeps the text of every expanded line.
 */
function flat(s: string): string {
  s.charCodeAt(0);
  return s;
}

function outermost(f: Frame): Frame {
  while (f.parent) f = f.parent;
  return f;
}

/** Expansion steps for a token made by `frame`: innermost macro first, then the #include chain. */
function frameSteps(frame: Frame, includeSteps: ExpansionStep[]): ExpansionStep[] {
  if (frame.steps) return frame.steps;
  // Exactly sized: the output keeps one of these per expansion, and a pushed-to array keeps spare room.
  let depth = 0;
  for (let f: Frame | null = frame; f; f = f.parent) depth++;
  const steps = new Array<ExpansionStep>(depth + includeSteps.length);
  let k = 0;
  for (let f: Frame | null = frame; f; f = f.parent) steps[k++] = f.step ??= { kind: 'cpp-macro', name: f.name, site: f.site };
  for (const s of includeSteps) steps[k++] = s;
  frame.steps = steps;
  return steps;
}

const LAST_EQ = new Set(['=', '!', '>', '<', '+', '-', '*', '/', '%', '&', '|', '^', '>>', '<<']);

/** Whether printing `a` then `b` with no space between would lex differently (gcc's cpp_avoid_paste). */
export function avoidPaste(a: Token, b: Token): boolean {
  const c = b.kind === 'punct' ? b.text[0] : '';
  if (a.kind === 'punct') {
    if (c === '=' && LAST_EQ.has(a.text)) return true;
    switch (a.text) {
      case '>':
        return c === '>';
      case '<':
        return c === '<' || c === '%' || c === ':';
      case '+':
        return c === '+';
      case '-':
        return c === '-' || c === '>';
      case '/':
        return c === '/' || c === '*';
      case '%':
        return c === ':' || c === '%';
      case '&':
        return c === '&';
      case '|':
        return c === '|';
      case ':':
        return c === ':' || c === '>';
      case '->':
        return c === '*';
      case '.':
        return c === '.' || c === '%' || b.kind === 'number';
      case '#':
        return c === '#' || c === '%';
      case '<=':
        return c === '>';
      default:
        return false;
    }
  }
  switch (a.kind) {
    case 'ident':
      return b.kind === 'ident' || b.kind === 'char' || b.kind === 'string';
    case 'number':
      return b.kind === 'number' || b.kind === 'ident' || b.kind === 'char' || c === '.' || c === '+' || c === '-';
    case 'other':
      return a.text[0] === '\\' && b.kind === 'ident';
    default:
      return false;
  }
}
