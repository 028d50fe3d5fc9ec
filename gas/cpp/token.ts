// Preprocessing tokens as cpp sees them, plus the flags the expansion engine and the printer need.
import type { ExpansionStep, Origin, SourceRange } from '../source';
import type { MacroDef } from './macro';

export type TokenKind =
  | 'ident'
  | 'number'
  | 'string'
  | 'char'
  | 'punct'
  /** A character cpp does not classify, or an unterminated quote running to the end of the line. */
  | 'other'
  /** A macro parameter inside a replacement list (argNo says which). */
  | 'arg'
  | 'eof'
  /** Invisible spacing hint, as gcc's CPP_PADDING: `source` decides whether the printer puts a space. */
  | 'padding';

/** Whitespace or a comment came before this token on its line. */
export const PREV_WHITE = 1;
/** First token of a logical line. */
export const BOL = 2;
/** An identifier that must never expand again (it named a macro inside that macro's own expansion). */
export const NO_EXPAND = 4;
/** In a replacement list: this token is the left operand of `##`. */
export const PASTE_LEFT = 8;
/** In a replacement list: this parameter is the operand of `#`. */
export const STRINGIFY_ARG = 16;
/** Came out of a macro's replacement list (or was made by # or ##), not from the text at the use site. */
export const FROM_BODY = 32;

/** One macro expansion in the chain that produced a token, innermost first through `parent`. */
export interface Frame {
  name: string;
  macro: MacroDef;
  /** Where the macro was invoked: the name, through the closing parenthesis for function-like macros. */
  site: SourceRange;
  parent: Frame | null;
  /** Expansion steps of tokens made here (filled in lazily by the printer). */
  steps?: ExpansionStep[];
  /** This expansion as a step of an expansion stack (made once, shared by every stack it appears in). */
  step?: ExpansionStep;
  /** Origin of printed text made here (filled in lazily by the printer; one per expansion, shared). */
  origin?: Origin;
}

export interface Token {
  kind: TokenKind;
  text: string;
  flags: number;
  /** Spelling position (0-based); end is exclusive. */
  file: string;
  line: number;
  col: number;
  endLine: number;
  endCol: number;
  /** Offset in the logical line's text (after splices are removed). */
  off: number;
  frame: Frame | null;
  /** For 'arg' tokens: 0-based parameter index. */
  argNo: number;
  /** For 'padding' tokens: the token whose PREV_WHITE decides spacing, or null for "avoid paste". */
  source: Token | null;
}

export function copyToken(t: Token): Token {
  return {
    kind: t.kind,
    text: t.text,
    flags: t.flags,
    file: t.file,
    line: t.line,
    col: t.col,
    endLine: t.endLine,
    endCol: t.endCol,
    off: t.off,
    frame: t.frame,
    argNo: t.argNo,
    source: t.source,
  };
}

export function makeToken(kind: TokenKind, text: string, at: Token | null, flags = 0): Token {
  return {
    kind,
    text,
    flags,
    file: at ? at.file : '',
    line: at ? at.line : 0,
    col: at ? at.col : 0,
    endLine: at ? at.endLine : 0,
    endCol: at ? at.endCol : 0,
    off: 0,
    frame: at ? at.frame : null,
    argNo: -1,
    source: null,
  };
}

export function paddingToken(source: Token | null): Token {
  const t = makeToken('padding', '', null);
  t.source = source;
  return t;
}

// Readers of a padding token look only at whether its source is null and at the source's PREV_WHITE flag (token
// flags never change once a token is made), so two shared, frozen paddings stand for every non-null source.
const WHITE_SOURCE = Object.freeze(makeToken('padding', '', null, PREV_WHITE));
const TIGHT_SOURCE = Object.freeze(makeToken('padding', '', null, 0));
const PADDING_AFTER_WHITE = Object.freeze(paddingToken(WHITE_SOURCE));
const PADDING_TIGHT = Object.freeze(paddingToken(TIGHT_SOURCE));

/** A padding token for `source` (gcc's padding_token), without allocating one. */
export function paddingFor(source: Token): Token {
  return source.flags & PREV_WHITE ? PADDING_AFTER_WHITE : PADDING_TIGHT;
}

export function tokenRange(t: Token): SourceRange {
  return { file: t.file, line: t.line, column: t.col, endLine: t.endLine, endColumn: t.endCol };
}

/** Range from the start of `a` to the end of `b` (same file assumed). */
export function spanRange(a: Token, b: Token): SourceRange {
  if (a.file !== b.file || b.endLine < a.line || (b.endLine === a.line && b.endCol < a.col)) return tokenRange(a);
  return { file: a.file, line: a.line, column: a.col, endLine: b.endLine, endColumn: b.endCol };
}
