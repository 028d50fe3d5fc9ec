// Token sources for the expander: a text line that may run on into the following lines (while a macro call's
// arguments continue there), and a directive's tokens, which end at the end of the directive.
import type { BaseReader } from './expand';
import type { LexedFile, LogicalLine } from './lexer';
import { lineTokens } from './lexer';
import type { Token } from './token';
import { makeToken, PREV_WHITE } from './token';
import type { PreprocessedLine } from './types';

export interface ReaderFile {
  lexed: LexedFile;
}

/** Supplies the next line(s) when a macro call continues past the end of its line. */
export interface LineSource<F extends ReaderFile> {
  continueLine(reader: LineReader<F>, mode: number): boolean;
}

export class LineReader<F extends ReaderFile> implements BaseReader {
  tokens: Token[];
  pos = 0;
  private readonly eof: Token;
  constructor(
    private readonly pp: LineSource<F>,
    readonly st: F,
    line: LogicalLine,
    readonly out: PreprocessedLine[],
  ) {
    this.tokens = lineTokens(st.lexed, line);
    const last = this.tokens[this.tokens.length - 1];
    this.eof = makeToken('eof', '', last ?? null);
  }
  next(parsingArgs: number): Token {
    if (this.pos < this.tokens.length) return this.tokens[this.pos++];
    if (parsingArgs > 0 && this.pp.continueLine(this, parsingArgs)) return this.tokens[this.pos++];
    return this.eof;
  }
  backup(): void {
    if (this.pos > 0) this.pos--;
  }
  /** Appends the next physical line's tokens while a macro call spans lines. */
  append(tokens: Token[], collecting: boolean): void {
    const more = tokens.slice();
    if (collecting && more.length > 0) more[0] = { ...more[0], flags: more[0].flags | PREV_WHITE };
    this.tokens = this.tokens.concat(more);
  }
}

export class DirectiveReader implements BaseReader {
  pos = 0;
  private readonly eof: Token;
  constructor(private readonly tokens: Token[], at: Token) {
    this.eof = makeToken('eof', '', tokens[tokens.length - 1] ?? at);
  }
  next(): Token {
    return this.pos < this.tokens.length ? this.tokens[this.pos++] : this.eof;
  }
  backup(): void {
    if (this.pos > 0) this.pos--;
  }
}
