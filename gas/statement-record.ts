// What the GAS stage records for each statement it reads. The origin (source range and expansion stack) is worked
// out from the line and columns on first use: a batch assembly reads it for a few statements only (diagnostics,
// fixups), and two objects per statement held to the end of a run were a large part of its garbage collection.
import type { CodeMode } from '../isa/mode';
import type { InstructionInput } from '../isa/operand';
import type { PreprocessedLine } from './cpp/types';
import type { Statement, StatementKind } from './model';
import type { Origin } from './source';
import { originOf } from './lines';

export class StatementRecord implements Statement {
  offset: number | undefined = undefined;
  size: number | undefined = undefined;
  instruction: InstructionInput | undefined = undefined;
  // Private: deep comparisons of statements see the public fields only.
  #line: PreprocessedLine | undefined;
  /** The line's text as the statement was read from it (comments blanked), shared by its statements. */
  #source: string;
  #start: number;
  #end: number;
  #textEnd: number;
  #origin: Origin | undefined = undefined;

  constructor(
    public kind: StatementKind,
    public name: string,
    public section: string,
    public mode: CodeMode,
    line: PreprocessedLine,
    source: string,
    /** Columns of the statement in `line` and `source`; its text may end before `end` (a label's does). */
    start: number,
    end: number,
    textEnd: number,
  ) {
    this.#line = line;
    this.#source = source;
    this.#start = start;
    this.#end = end;
    this.#textEnd = textEnd;
  }

  /** The statement text after macro substitution (sliced when asked for: one string less per statement). */
  get text(): string {
    return this.#source.slice(this.#start, this.#textEnd);
  }

  get origin(): Origin {
    if (this.#origin === undefined) {
      this.#origin = originOf(this.#line!, this.#start, this.#end);
      this.#line = undefined;
    }
    return this.#origin;
  }

  /** A moved origin (an edit above shifted the statement's lines). */
  set origin(o: Origin) {
    this.#origin = o;
    this.#line = undefined;
  }
}

/** The state the directive handlers work on: one statement being read. */
export class StatementContext {
  constructor(
    readonly line: PreprocessedLine,
    /** Statement text and its column in the line. */
    readonly text: string,
    readonly column: number,
    /** Directive/mnemonic word and where its arguments start (offset into text). */
    readonly word: string,
    readonly argsStart: number,
    readonly record: StatementRecord,
    /** Index of the record in the assembler's statement list. */
    readonly statement: number,
  ) {}

  get origin(): Origin {
    return this.record.origin;
  }

  /** The same statement with its arguments taken from another offset (`. = x` read as `.org x`). */
  withArgsAt(argsStart: number): StatementContext {
    return new StatementContext(this.line, this.text, this.column, this.word, argsStart, this.record, this.statement);
  }
}
