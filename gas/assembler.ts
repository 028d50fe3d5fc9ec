// The GAS stage: reads preprocessed lines the way GNU as 2.40 does (statements, labels, assignments, the macro
// language, conditionals, directives, instructions), building sections out of frags. Every instruction is encoded
// once, when it is read, from what is known at that moment; only relaxable branches are sized later (layout.ts).
import type { CodeMode } from '../isa/mode';
import type { FileSystem } from './fs';
import type { PreprocessedLine } from './cpp/types';
import type { Diagnostic, ExpansionStep, Origin, Severity } from './source';
import type { InstructionBackend } from './backend';
import type { MacroInfo, ModeChange, Statement, StatementKind, SymbolInfo, SymbolDefinition } from './model';
import { Frag, Section, type FragCounter, type SectionType, fixedDifference } from './frags';
import type { ReadJournal } from './read-journal';
import { evaluate, freeze, parseExpression, symbolsOf, type EvalEnv, type Expr, type ParseHooks, type Place, type SymExpr, type Val } from './expr';
import { leadingDirective } from './macros';
import { lineOrigin, originOf, rawLines } from './lines';
import { decodeString, isSpace, splitCommas, splitStatements, trimPiece, type StatementText } from './scan';
import { DIRECTIVES } from './directives';
import { GNU_DIRECTIVES } from './gnu-directives';
import { conditional, isConditionalDirective } from './conditionals';
import { assembleInstruction } from './instruction';
import { expandMacro } from './expansion';
import { StatementContext, StatementRecord } from './statement-record';
import { WordTable } from '../isa/word-table';

export { StatementContext } from './statement-record';

/** Directive and mnemonic words, shared by every assembly. */
const WORDS = new WordTable();

/** Total `.include`s one assembly may perform (real code needs dozens; this only stops runaway self-inclusion). */
const MAX_INCLUDES = 10_000;

export interface AssemblerOptions {
  backend?: InstructionBackend;
  /** Directories for `.include` and `.incbin` after the including file's directory. */
  includePaths?: string[];
  /** Code size at the start (`as --64` starts in 64-bit mode). */
  initialMode?: CodeMode;
  /** Bound on lines produced by macro and repetition expansion (runaway input stops with an error). */
  maxExpandedLines?: number;
  /** Bound on emitted bytes. */
  maxOutputBytes?: number;
}

export interface Frame {
  lines: PreprocessedLine[];
  pos: number;
  kind: 'file' | 'macro' | 'repeat' | 'rest';
  file?: string;
  condDepth: number;
  inComment: boolean;
  macroName?: string;
}

export interface Cond {
  /** Whether an enclosing conditional is already skipping. */
  outerIgnoring: boolean;
  /** Some branch of this conditional was taken. */
  taken: boolean;
  ignoring: boolean;
  elseSeen: boolean;
  origin: Origin;
}

// Sticky patterns matched at a position of the statement (no substring copies on the hot path).
const LABEL = /([A-Za-z_.][\w.$]*|[0-9]+|"[^"]*")[ \t]*:(?![=:])/y;
const ASSIGNMENT = /([A-Za-z_.][\w.$]*)[ \t]*(==?)(?!=)/y;

/** End of the directive or mnemonic word (`[A-Za-z_.$][\w.$@]*`) starting at `pos`, or `pos` when none starts there. */
function wordEnd(text: string, pos: number): number {
  const c = text.charCodeAt(pos);
  const startsWord = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 46 || c === 36;
  if (!startsWord) return pos;
  let i = pos + 1;
  for (; i < text.length; i++) {
    const d = text.charCodeAt(i);
    if (!((d >= 97 && d <= 122) || (d >= 65 && d <= 90) || (d >= 48 && d <= 57) || d === 95 || d === 46 || d === 36 || d === 64)) break;
  }
  return i;
}

/** Whether a line holds anything the statement splitter acts on (comment, separator, string, character constant). */
function needsSplitting(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 35 || c === 59 || c === 47 || c === 34 || c === 39) return true;
  }
  return false;
}

export class Assembler {
  readonly diagnostics: Diagnostic[] = [];
  readonly statements: Statement[] = [];
  readonly symbols = new Map<string, SymbolInfo>();
  readonly macros = new Map<string, MacroInfo>();
  readonly modeChanges: ModeChange[] = [];
  /** Where a still-open `/*` comment started. */
  openComment: Origin | undefined;
  /** Where the last collected block's `.endm`/`.endr` was written. */
  lastBlockEnd: Origin | undefined;
  /** Statements skipped by false conditionals (`.if 0` … `.endif`). */
  readonly skipped: Origin[] = [];
  readonly sections = new Map<string, Section>();
  /** Frag numbering, and the read chunk new frags belong to (read-journal.ts). */
  readonly fragCounter: FragCounter = { n: 0, chunk: 0 };
  /** Set when the read is journaled so that a later one can resume from a checkpoint (gas/read-journal.ts). */
  journal: ReadJournal | undefined;
  /** Diagnostics reported while reading (layout's come after them). */
  readDiagnostics = 0;
  /** Every file `.include`/`.incbin` looked for, and what it found (undefined: absent): a resumed read needs them unchanged. */
  readonly fileReads = new Map<string, string | Uint8Array | undefined>();
  /** Symbols whose `.type` layout copied from the symbol they equal (undone before a layout is redone). */
  readonly typesCopied: SymbolInfo[] = [];
  /** Input being read, innermost last (files, macro expansions, repetitions). Internal to the GAS stage. */
  readonly frames: Frame[] = [];
  /** Open conditionals, innermost last. */
  readonly conds: Cond[] = [];
  /** Macro expansions currently open (GNU's macro_nest). */
  macroDepth = 0;
  /** GNU's macro_number: the value of `\@`, counted per macro expansion. */
  macroNumber = 0;
  expandedLines = 0;
  includeCount = 0;
  outputBytes = 0;
  localCounters = new Map<string, number>();
  mode: CodeMode;
  current!: { section: Section; sub: number };
  previous: { section: Section; sub: number } | undefined;
  readonly sectionStack: { cur: { section: Section; sub: number }; prev?: { section: Section; sub: number } }[] = [];
  ended = false;
  /** Set when a limit was hit: reading stops. */
  stopped = false;
  readonly maxExpandedLines: number;
  readonly maxOutputBytes: number;

  constructor(readonly fs: FileSystem, readonly options: AssemblerOptions = {}) {
    this.mode = options.initialMode ?? 64;
    this.maxExpandedLines = options.maxExpandedLines ?? 1_000_000;
    this.maxOutputBytes = options.maxOutputBytes ?? 256 * 1024 * 1024;
    this.switchSection('.text', 0);
  }

  // ------------------------------------------------------------------------------------------------------------
  // Diagnostics

  report(severity: Severity, message: string, origin: Origin, code?: string): void {
    this.diagnostics.push({ severity, message, origin, code });
  }
  error(message: string, origin: Origin, code?: string): void {
    this.report('error', message, origin, code);
  }
  warn(message: string, origin: Origin, code?: string): void {
    this.report('warning', message, origin, code);
  }

  /** Origin of a sub-range of the current statement (offsets relative to the statement text). */
  at(ctx: StatementContext, s: number, e: number): Origin {
    return originOf(ctx.line, ctx.column + s, ctx.column + Math.max(e, s));
  }

  // ------------------------------------------------------------------------------------------------------------
  // Sections and emission

  getSection(name: string, flags?: string, type?: SectionType): Section {
    let s = this.sections.get(name);
    if (!s) {
      const d = defaultSectionAttributes(name);
      s = new Section(name, flags ?? d.flags, type ?? d.type, this.sections.size, this.fragCounter);
      if (flags !== undefined) s.flagsGiven = true;
      this.sections.set(name, s);
    }
    return s;
  }

  switchSection(name: string, sub: number, flags?: string, type?: SectionType): void {
    const s = this.getSection(name, flags, type);
    this.previous = this.current;
    this.current = { section: s, sub };
  }

  get frag(): Frag {
    return this.current.section.chain(this.current.sub).current;
  }

  get sectionName(): string {
    return this.current.section.name;
  }

  /** The location counter `.` as a place. */
  dotPlace(): Place {
    const f = this.frag;
    return { section: f.section, frag: f, offset: f.size };
  }

  emit(bytes: ArrayLike<number>, ctx: StatementContext): number {
    if (!this.budget(bytes.length, ctx)) return this.frag.size;
    const f = this.frag;
    const at = f.append(bytes);
    this.addSpan(f, at, bytes.length, ctx);
    return at;
  }

  emitFill(count: number, pattern: number[], ctx: StatementContext): void {
    if (count <= 0 || pattern.length === 0) return;
    if (!this.budget(count * pattern.length, ctx)) return;
    const f = this.frag;
    const at = f.appendFill(count, pattern);
    this.addSpan(f, at, count * pattern.length, ctx);
  }

  private addSpan(f: Frag, at: number, length: number, ctx: StatementContext): void {
    if (length === 0) return;
    const spans = f.spans;
    const n = spans.length;
    if (n > 0 && spans[n - 1] === ctx.statement && spans[n - 3] + spans[n - 2] === at) spans[n - 2] += length;
    else spans.push(at, length, ctx.statement);
  }

  budget(n: number, ctx: StatementContext): boolean {
    this.outputBytes += n;
    if (this.outputBytes > this.maxOutputBytes) {
      this.error(`output too large (more than ${this.maxOutputBytes} bytes)`, ctx.origin, 'too-large');
      this.stopped = true;
      return false;
    }
    return true;
  }

  /** Emits `size` bytes of a data value: now when known, else a fixup resolved after layout or by the linker. */
  emitValue(expr: Expr, val: Val, size: number, ctx: StatementContext, text: string, exprOffset: number): void {
    if (val.k === 'abs') {
      this.checkTruncation(val.v, size, ctx, exprOffset);
      this.emit(littleEndian(val.v, size), ctx);
      return;
    }
    const f = this.frag;
    const at = this.emit(new Uint8Array(size), ctx);
    f.fixups.push({
      offset: at,
      size,
      expr: this.freezeExpr(expr),
      pcRelative: false,
      pcBase: 0,
      range: 'either',
      origin: this.at(ctx, exprOffset + expr.s, exprOffset + expr.e),
      text,
    });
  }

  checkTruncation(v: bigint, size: number, ctx: StatementContext, exprOffset: number): void {
    if (size >= 8) return;
    const bits = BigInt(size * 8);
    const mask = (1n << bits) - 1n;
    const u = BigInt.asUintN(64, v);
    const high = u & ~mask & 0xffffffffffffffffn;
    const allHigh = 0xffffffffffffffffn & ~mask;
    if (high !== 0n && high !== allHigh) {
      this.warn(`value 0x${u.toString(16)} truncated to 0x${(u & mask).toString(16)}`, this.at(ctx, exprOffset, ctx.text.length), 'truncated');
    }
  }

  // ------------------------------------------------------------------------------------------------------------
  // Symbols

  symbol(name: string): SymbolInfo {
    let s = this.symbols.get(name);
    if (s !== undefined) {
      if (this.journal !== undefined && s.journaled !== this.fragCounter.chunk) this.journal.touch(this, s, false);
      return s;
    }
    // A resumed read gives a name back the object earlier expressions already point at.
    s = this.journal?.revive(name);
    if (s) this.symbols.set(name, s);
    else {
      // The fields most symbols get later are there from the start (one object, no separate property store).
      s = {
        name,
        definition: undefined,
        defined: undefined,
        binding: 'local',
        visibility: 'default',
        references: [],
        temporary: name.startsWith('.L') || name.includes('\u0002'),
        section: undefined,
        value: undefined,
        journaled: -1,
      };
      this.symbols.set(name, s);
    }
    this.journal?.touch(this, s, true);
    return s;
  }

  defineLabel(name: string, origin: Origin): void {
    const s = this.symbol(name);
    // A label may take over a `=`/`.set` symbol (GNU allows it), but not another label or an `.equiv`;
    // defining the same label twice at the same place is harmless (GNU accepts `a: a:`).
    const here = this.dotPlace();
    const same = s.definition?.kind === 'label' && s.definition.place.frag === here.frag && s.definition.place.offset === here.offset;
    if (s.definition && !same && (s.definition.kind === 'label' || s.equiv)) {
      this.error(`symbol \`${displayName(name)}' is already defined`, origin, 'redefined');
      return;
    }
    s.definition = { kind: 'label', place: this.dotPlace() };
    s.defined = origin;
  }

  /** `name = expr`, `.set`, `.equ`, `.equiv`, `.eqv`. */
  assign(name: string, expr: Expr, text: string, origin: Origin, how: 'set' | 'equiv' | 'eqv'): void {
    const s = this.symbol(name);
    if (s.definition) {
      if ((s.definition.kind === 'label' && !s.assigned) || s.equiv || s.eqv || how === 'equiv') {
        this.error(`symbol \`${displayName(name)}' is already defined`, origin, 'redefined');
        return;
      }
    }
    // References written so far keep this definition (copied, not pushed: the read journal keeps the old array).
    if (s.definition && s.assigned) s.earlier = [...(s.earlier ?? []), s.definition];
    if (how === 'eqv') {
      s.definition = { kind: 'expression', expr, text };
    } else {
      const v = this.evalNow(expr);
      if (v.k === 'abs') s.definition = { kind: 'absolute', value: v.v };
      else if (v.k === 'rel') {
        const at = v.at;
        // The new symbol holds that frag itself: a resumed read must re-read from there to here (read-journal.ts).
        if (this.journal !== undefined) this.journal.captured(this, (at.frag as Frag).chunk);
        s.definition = { kind: 'label', place: { ...at, offset: at.offset + Number(v.v) } };
        // GNU copies ELF attributes (size, type) from the symbol an equate is based on.
        let base: Expr = expr;
        while (base.t === 'bin' && (base.op === '+' || base.op === '-') && this.evalNow(base.r).k === 'abs') base = base.l;
        if (base.t === 'sym' && base.name !== name) s.attributesFrom = base.name;
      } else s.definition = { kind: 'expression', expr: this.freezeExpr(expr), text };
    }
    if (how === 'equiv') s.equiv = true;
    if (how === 'eqv') s.eqv = true;
    s.assigned = true;
    s.defined = origin;
  }

  private evalDepth = 0;

  /** Symbol value as GNU sees it while reading (`final` after layout). */
  symbolValue(name: string, final: boolean): Val {
    return this.valueOf(this.symbols.get(name), name, final);
  }

  /** symbolValue for a symbol already looked up (undefined: not known at all). */
  valueOf(s: SymbolInfo | undefined, name: string, final: boolean, node?: SymExpr): Val {
    const d = this.definitionOf(s, node);
    if (!d) return { k: 'undef', sym: name, v: 0n };
    if (d.kind === 'absolute') return { k: 'abs', v: d.value };
    if (d.kind === 'label') return { k: 'rel', at: d.place, v: 0n };
    if (this.evalDepth > 64) return { k: 'unknown', why: 'symbol definition loop' };
    this.evalDepth++;
    try {
      return evaluate(d.expr, final ? this.finalEnv : this.nowEnv);
    } finally {
      this.evalDepth--;
    }
  }

  /**
   * Ties a symbol reference just read to its symbol and to the definition current now (the next one, if none yet),
   * and records where it was written.
   */
  bindReference(node: SymExpr, where: Origin): void {
    const sym = this.symbol(node.name);
    node.ref = sym;
    node.version = sym.earlier?.length ?? 0;
    sym.references.push(where);
  }

  /** The definition a reference sees: the one current when it was written, if a `.set` replaced it since. */
  definitionOf(s: SymbolInfo | undefined, node?: SymExpr): SymbolDefinition | undefined {
    if (!s) return undefined;
    const v = node?.version;
    return v !== undefined && s.earlier !== undefined && v < s.earlier.length ? s.earlier[v] : s.definition;
  }

  /** The symbol a reference names (cached on the reference), or undefined while nothing mentioned the name. */
  symbolFor(name: string, node?: SymExpr): SymbolInfo | undefined {
    if (node?.ref) return node.ref as SymbolInfo;
    const s = this.symbols.get(name);
    if (node && s) node.ref = s;
    return s;
  }

  readonly nowEnv: EvalEnv = {
    symbol: (n, node) => {
      const s = this.symbolFor(n, node);
      // A value read now is part of what this chunk depends on (read-journal.ts).
      if (s !== undefined && this.journal !== undefined && s.journaled !== this.fragCounter.chunk) this.journal.touch(this, s, false);
      return this.valueOf(s, n, false, node);
    },
    dot: (at) => ({ k: 'rel', at: at as Place, v: 0n }),
    placeDifference: (a, b) => {
      if (this.journal !== undefined) this.journal.measured(this, (a.frag as Frag).chunk, (b.frag as Frag).chunk);
      const d = fixedDifference(a.frag as Frag, a.offset, b.frag as Frag, b.offset);
      return d === undefined ? undefined : BigInt(d);
    },
  };

  readonly finalEnv: EvalEnv = {
    symbol: (n, node) => this.valueOf(this.symbolFor(n, node), n, true, node),
    dot: (at) => ({ k: 'rel', at: at as Place, v: 0n }),
    placeDifference: (a, b) => BigInt((a.frag as Frag).address + a.offset - ((b.frag as Frag).address + b.offset)),
  };

  evalNow(expr: Expr): Val {
    return evaluate(expr, this.nowEnv);
  }

  /** evalNow, reporting GNU's evaluation warnings (division by zero) on the statement. */
  evalReporting(expr: Expr, ctx: StatementContext): Val {
    const problems: { message: string; s: number; e: number }[] = [];
    const v = evaluate(expr, this.nowEnv, problems);
    for (const p of problems) this.warn(p.message, this.at(ctx, p.s, p.e), 'division-by-zero');
    return v;
  }

  freezeExpr(expr: Expr): Expr {
    return freeze(expr, this.absoluteValue);
  }

  /** freezeExpr's question: the value of a symbol set to a constant (and not `.equiv`), else undefined. */
  private readonly absoluteValue = (n: string, node: SymExpr): bigint | undefined => {
    const s = (node.ref as SymbolInfo | undefined) ?? this.symbols.get(n);
    return s?.definition?.kind === 'absolute' && !s.equiv ? s.definition.value : undefined;
  };

  /** Local labels and `.` for the expression parser (one object, not closures per expression). */
  private readonly exprHooks: ParseHooks = {
    localLabel: (n, dir) =>
      dir === 'b' && this.backwardLocalMissing(n) ? { error: `backward ref to unknown label "${n}:"` } : { name: this.localLabelName(n, dir) },
    dot: () => this.dotPlace(),
  };

  /** Parses an expression at offset `pos` of the statement; records symbol references. */
  parseExpr(ctx: StatementContext, pos: number): { expr?: Expr; end: number } {
    const r = parseExpression(ctx.text, pos, this.exprHooks);
    for (const w of r.warnings ?? []) this.warn(w.message, this.at(ctx, w.s, w.e), 'missing-operand');
    for (const e of r.errors ?? []) this.error(e.message, this.at(ctx, e.s, e.e), 'bad-expression');
    if (r.error || !r.expr) {
      const e = r.error ?? { message: 'bad expression', s: pos, e: pos + 1 };
      this.error(e.message, this.at(ctx, e.s, e.e), 'bad-expression');
      return { end: r.end };
    }
    for (const s of symbolsOf(r.expr)) this.bindReference(s, this.at(ctx, s.s, s.e));
    return { expr: r.expr, end: r.end };
  }

  /** The last parseWholeExpr found text after its expression (GNU reads no further arguments then). */
  junkAfterExpr = false;

  /** An expression that must use the whole argument text; reports junk after it. */
  parseWholeExpr(ctx: StatementContext, piece: StatementText): Expr | undefined {
    const off = piece.column;
    this.junkAfterExpr = false;
    const r = this.parseExpr(ctx, off);
    if (!r.expr) return undefined;
    let e = r.end;
    while (e < off + piece.text.length && isSpace(ctx.text[e])) e++;
    // GNU uses what it parsed, then complains about the rest.
    if (e < off + piece.text.length) {
      this.error(`junk at end of line, first unrecognized character is \`${ctx.text[e]}'`, this.at(ctx, e, e + 1), 'junk');
      this.junkAfterExpr = true;
    }
    return r.expr;
  }

  /** An absolute expression needed now (counts, alignments, conditions). */
  /** `message` is GNU's wording when the value is not a constant (get_absolute_expression's by default). */
  absolute(ctx: StatementContext, piece: StatementText, message = 'bad or irreducible absolute expression'): bigint | undefined {
    const e = this.parseWholeExpr(ctx, piece);
    if (!e) return undefined;
    const v = this.evalReporting(e, ctx);
    if (v.k !== 'abs') {
      this.error(message, this.at(ctx, piece.column, piece.column + piece.text.length), 'non-constant');
      return undefined;
    }
    return v.v;
  }

  /** `Nb` with no `N:` before it: GNU's error (the reference still gets a name, which stays undefined). */
  backwardLocalMissing(n: string): boolean {
    return !this.localCounters.get(n);
  }

  localLabelName(n: string, dir: 'b' | 'f' | 'def'): string {
    const c = this.localCounters.get(n) ?? 0;
    if (dir === 'def') {
      this.localCounters.set(n, c + 1);
      return `${n}\u0002${c + 1}`;
    }
    return `${n}\u0002${dir === 'b' ? c : c + 1}`;
  }

  // ------------------------------------------------------------------------------------------------------------
  // Input

  /** Reads a whole translation unit. */
  run(path: string, lines: PreprocessedLine[]): void {
    this.begin(path, lines);
    if (this.read() === 'done') this.finishRead();
  }

  /** Starts reading a translation unit (read() does the reading). */
  begin(path: string, lines: PreprocessedLine[]): void {
    this.frames.push({ lines, pos: 0, kind: 'file', file: path, condDepth: 0, inComment: false });
  }

  /**
   * Reads until the input ends ('done'); 'spliced' when the journal stopped at a checkpoint because the rest of an
   * earlier read was kept, 'paused' when `shouldPause` said so at a checkpoint (call read() again to go on).
   * Checkpoints fall between top-level lines of the main file (read-journal.ts).
   */
  read(shouldPause?: () => boolean): 'done' | 'spliced' | 'paused' {
    const journal = this.journal;
    for (;;) {
      if (this.stopped) break;
      if (journal !== undefined && this.frames.length === 1) {
        const f = this.frames[0];
        if (f.pos >= journal.nextBoundary && f.pos < f.lines.length && this.conds.length === 0 && !f.inComment && !this.ended) {
          if (!journal.boundary(this, f.pos)) return 'spliced';
          if (shouldPause?.()) return 'paused';
        }
      }
      const next = this.nextLine();
      if (!next) break;
      this.processLine(next.line, next.frame);
    }
    return 'done';
  }

  /** End-of-input diagnostics. */
  finishRead(): void {
    if (this.openComment) this.warn('end of file in comment', this.openComment, 'comment');
    for (const c of this.conds.splice(0)) {
      this.error('end of file inside conditional', c.origin, 'unterminated-conditional');
    }
    this.readDiagnostics = this.diagnostics.length;
  }

  /** Records that this chunk calls a macro (its call list is journaled like symbol references). */
  touchMacro(m: MacroInfo): void {
    if (this.journal !== undefined && m.journaled !== this.fragCounter.chunk) this.journal.touchMacro(this, m);
  }

  private nextLine(): { line: PreprocessedLine; frame: Frame } | undefined {
    while (this.frames.length) {
      const f = this.frames[this.frames.length - 1];
      if (f.pos < f.lines.length) {
        if (f.kind !== 'file') {
          if (++this.expandedLines > this.maxExpandedLines) {
            this.error(
              `macro or repetition expansion too large (more than ${this.maxExpandedLines} lines)`,
              lineOrigin(f.lines[f.pos]),
              'expansion-limit',
            );
            this.stopped = true;
            return undefined;
          }
        }
        return { line: f.lines[f.pos++], frame: f };
      }
      this.popFrame();
    }
    return undefined;
  }

  popFrame(): void {
    const f = this.frames.pop()!;
    if (f.kind === 'macro') {
      this.macroDepth--;
      if (this.conds.length > f.condDepth) {
        const c = this.conds[this.conds.length - 1];
        this.error('end of macro inside conditional', c.origin, 'unterminated-conditional');
        this.conds.length = f.condDepth;
      }
    }
  }

  pushLines(lines: PreprocessedLine[], kind: Frame['kind'], file?: string, macroName?: string): void {
    this.frames.push({ lines, pos: 0, kind, file, condDepth: this.conds.length, inComment: false, macroName });
    if (kind === 'macro') this.macroDepth++;
  }

  /** Directory of the file currently read (for `.include`). */
  currentFile(): string | undefined {
    for (let i = this.frames.length - 1; i >= 0; i--) if (this.frames[i].file) return this.frames[i].file;
    return undefined;
  }

  private processLine(line: PreprocessedLine, frame: Frame): void {
    if (!frame.inComment && !needsSplitting(line.text)) {
      // Most lines: one statement, no comment (what splitStatements would say, without building its result).
      this.openComment = undefined;
      if (this.stopped || this.ended) return;
      this.processStatement(line, { text: line.text, column: 0 }, line.text);
      if (this.ended) this.frames.length = 0;
      return;
    }
    const split = splitStatements(line.text, frame.inComment);
    if (split.inComment && !frame.inComment && frame.kind === 'file') this.openComment = lineOrigin(line);
    frame.inComment = split.inComment;
    if (!split.inComment) this.openComment = undefined;
    const sts = split.statements;
    for (let k = 0; k < sts.length; k++) {
      if (this.stopped || this.ended) return;
      if (k + 1 < sts.length && !this.ignoring && opensBlock(sts[k].text)) {
        // `.macro m ; body ; .endm` on one line: the remaining statements are the first body lines.
        const restLines = sts.slice(k + 1).map((s) => blankExcept(line, s.column, s.column + s.text.length));
        this.frames.push({ lines: restLines, pos: 0, kind: 'rest', condDepth: this.conds.length, inComment: false });
        this.processStatement(line, sts[k], split.text);
        return;
      }
      const depthBefore = this.frames.length;
      this.processStatement(line, sts[k], split.text);
      if (this.ended) {
        this.frames.length = 0;
        return;
      }
      if (this.frames.length > depthBefore && k + 1 < sts.length) {
        // A macro or repetition expanded: the rest of this line runs after the expansion, as in GNU as.
        const rest = blankBefore(line, sts[k + 1].column);
        const pushed = this.frames.splice(depthBefore);
        this.frames.push({ lines: [rest], pos: 0, kind: 'rest', condDepth: this.conds.length, inComment: false });
        this.frames.push(...pushed);
        return;
      }
      if (this.frames.length < depthBefore) return; // .exitm or .end left this input
    }
  }

  get ignoring(): boolean {
    return this.conds.length > 0 && this.conds[this.conds.length - 1].ignoring;
  }

  /** Records a statement starting at `start` of the trimmed statement `p` and returns its context. */
  private newStatement(
    line: PreprocessedLine,
    p: StatementText,
    source: string,
    kind: StatementKind,
    name: string,
    start: number,
    argsStart: number,
    textEnd = p.text.length,
  ): StatementContext {
    const index = this.statements.length;
    const c = p.column;
    const record = new StatementRecord(kind, name, this.sectionName, this.mode, line, source, c + start, c + p.text.length, c + textEnd);
    this.statements.push(record);
    return new StatementContext(line, p.text, c, name, argsStart, record, index);
  }

  private processStatement(line: PreprocessedLine, st: StatementText, source: string): void {
    const p = trimPiece(st);
    if (!p.text) return;
    const text = p.text;
    let pos = 0;

    if (this.ignoring) {
      const w = /^\.([A-Za-z_][\w.]*)/.exec(text);
      const name = w ? '.' + w[1].toLowerCase() : '';
      if (!w || !isConditionalDirective(name)) {
        // Editors grey these out: statements a false conditional skipped.
        this.skipped.push(originOf(line, p.column, p.column + text.length));
        return;
      }
      const ctx = this.newStatement(line, p, source, 'directive', name, 0, w![0].length);
      conditional(this, name, ctx);
      return;
    }

    // Labels (most statements have no colon: skip the regex then).
    const mayHaveLabel = text.includes(':');
    for (;;) {
      if (!mayHaveLabel) break;
      LABEL.lastIndex = pos;
      const m = LABEL.exec(text);
      if (!m) break;
      let name = m[1];
      const s = pos;
      const ctx = this.newStatement(line, p, source, 'label', name, s, s + m[0].length, s + m[0].length);
      if (/^[0-9]+$/.test(name)) name = this.localLabelName(String(Number(name)), 'def');
      else if (name.startsWith('"')) name = name.slice(1, -1);
      this.defineLabel(name, this.at(ctx, s, s + m[1].length));
      pos += m[0].length;
      while (pos < text.length && isSpace(text[pos])) pos++;
    }
    if (pos >= text.length) return;

    // `sym = expr` (and `. = expr`, which moves the location counter).
    ASSIGNMENT.lastIndex = pos;
    const asg = text.includes('=', pos) ? ASSIGNMENT.exec(text) : null;
    if (asg) {
      const ctx = this.newStatement(line, p, source, 'assignment', asg[1], pos, pos + asg[0].length);
      const r = this.parseWholeExpr(ctx, { text: text.slice(pos + asg[0].length), column: pos + asg[0].length });
      if (!r) return;
      const origin = this.at(ctx, pos, pos + asg[1].length);
      if (asg[1] === '.') {
        DIRECTIVES['.org'](this, ctx.withArgsAt(pos + asg[0].length));
        return;
      }
      this.assign(asg[1], r, text.slice(pos + asg[0].length).trim(), origin, asg[2] === '==' ? 'eqv' : 'set');
      return;
    }

    const end = wordEnd(text, pos);
    if (end === pos) {
      const ctx = this.newStatement(line, p, source, 'instruction', '', pos, pos);
      this.error(`junk at end of line, first unrecognized character is \`${text[pos]}'`, this.at(ctx, pos, pos + 1), 'junk');
      return;
    }
    const lower = WORDS.lower(text, pos, end);
    let argsStart = end;
    while (argsStart < text.length && isSpace(text[argsStart])) argsStart++;

    if (lower.startsWith('.')) {
      if (isConditionalDirective(lower)) {
        conditional(this, lower, this.newStatement(line, p, source, 'directive', lower, pos, argsStart));
        return;
      }
      const handler = DIRECTIVES[lower];
      if (handler) {
        handler(this, this.newStatement(line, p, source, 'directive', lower, pos, argsStart));
        return;
      }
    }
    const macro = this.macros.get(lower);
    if (macro && !macro.purged) {
      const ctx = this.newStatement(line, p, source, 'macro-call', macro.name, pos, argsStart);
      expandMacro(this, macro, ctx);
      return;
    }
    if (lower.startsWith('.')) {
      const ctx = this.newStatement(line, p, source, 'directive', lower, pos, argsStart);
      // GNU knows it and we do not implement it: say so (its bytes, if it has any, are missing). GNU does not know
      // it either: GNU's error.
      if (GNU_DIRECTIVES.has(lower)) this.error(`\`${lower}' is not supported by this assembler`, this.at(ctx, pos, end), 'unsupported-directive');
      else this.error(`unknown pseudo-op: \`${lower}'`, this.at(ctx, pos, end), 'unknown-directive');
      return;
    }
    const ctx = this.newStatement(line, p, source, 'instruction', lower, pos, argsStart);
    assembleInstruction(this, ctx, pos);
  }

  // ------------------------------------------------------------------------------------------------------------
  // Helpers for directives

  pieces(ctx: StatementContext): StatementText[] {
    const args = ctx.text.slice(ctx.argsStart);
    if (args.trim() === '') return [];
    return splitCommas(args, ctx.argsStart).map(trimPiece);
  }

  /** `.code16gcc`: 16-bit code whose stack operations default to 32 bits. */
  code16gcc = false;

  setMode(mode: CodeMode, ctx: StatementContext, gcc = false): void {
    this.mode = mode;
    this.code16gcc = gcc;
    this.statements[ctx.statement].mode = mode;
    this.modeChanges.push({ origin: ctx.origin, mode, gcc: gcc || undefined });
  }

  readInclude(ctx: StatementContext, name: string, binary: boolean): { path: string; text?: string; bytes?: Uint8Array } | undefined {
    const cur = this.currentFile();
    const dirs: string[] = [];
    if (name.startsWith('/')) dirs.push('');
    else {
      if (cur) dirs.push(dirname(cur));
      dirs.push(...(this.options.includePaths ?? []));
      dirs.push('');
    }
    for (const d of dirs) {
      const p = d ? joinPath(d, name) : name;
      if (binary) {
        const b = this.fs.readBytes(p);
        if (!this.fileReads.has(p)) this.fileReads.set(p, b);
        if (b) return { path: p, bytes: b };
      } else {
        const t = this.fs.readText(p);
        if (!this.fileReads.has(p)) this.fileReads.set(p, t);
        if (t !== undefined) return { path: p, text: t };
      }
    }
    this.error(binary ? `file not found: ${name}` : `can't open ${name} for reading: No such file or directory`, ctx.origin, 'include-not-found');
    return undefined;
  }

  includeFile(ctx: StatementContext, path: string, text: string): void {
    if (this.frames.filter((f) => f.kind === 'file').length >= 100) {
      this.error(`.include nested too deeply (100 levels): ${path}`, ctx.origin, 'include-depth');
      return;
    }
    // The depth limit alone does not bound the work: a file including itself twice makes a tree of 2^100 includes.
    if (++this.includeCount > MAX_INCLUDES) {
      this.error(`too many .include directives (more than ${MAX_INCLUDES} in one assembly): ${path}`, ctx.origin, 'include-count');
      this.stopped = true;
      return;
    }
    const step: ExpansionStep = { kind: 'include', name: path, site: ctx.origin.range };
    const lines = rawLines(path, text, [step, ...ctx.origin.expansion]);
    this.pushLines(lines, 'file', path);
  }

  /** A string argument (`"..."`) at the start of a piece. */
  stringArg(ctx: StatementContext, piece: StatementText): number[] | undefined {
    if (!piece.text.startsWith('"')) {
      this.error('expected string', this.at(ctx, piece.column, piece.column + piece.text.length), 'expected-string');
      return undefined;
    }
    const r = decodeString(ctx.text, piece.column);
    if (!r.terminated) this.warn('missing closing `"\'', this.at(ctx, piece.column, piece.column + piece.text.length), 'string');
    const end = r.end;
    const rest = ctx.text.slice(end, piece.column + piece.text.length);
    if (rest.trim() !== '')
      this.error(`junk at end of line, first unrecognized character is \`${rest.trim()[0]}'`, this.at(ctx, end, end + 1), 'junk');
    return r.bytes;
  }
}

// ---------------------------------------------------------------------------------------------------------------

export function defaultSectionAttributes(name: string): { flags: string; type: SectionType } {
  if (name === '.text' || name.startsWith('.text.') || name === '.init' || name === '.fini') return { flags: 'ax', type: 'progbits' };
  if (name === '.data' || name.startsWith('.data.') || name === '.data1') return { flags: 'aw', type: 'progbits' };
  if (name === '.bss' || name.startsWith('.bss.')) return { flags: 'aw', type: 'nobits' };
  if (name === '.rodata' || name.startsWith('.rodata.') || name === '.rodata1') return { flags: 'a', type: 'progbits' };
  if (name.startsWith('.note')) return { flags: '', type: 'note' };
  return { flags: '', type: 'progbits' };
}

export function littleEndian(v: bigint, size: number): Uint8Array {
  const out = new Uint8Array(size);
  let u = BigInt.asUintN(size * 8, v);
  for (let i = 0; i < size; i++) {
    out[i] = Number(u & 0xffn);
    u >>= 8n;
  }
  return out;
}

export function displayName(name: string): string {
  const i = name.indexOf('\u0002');
  return i < 0 ? name : name.slice(0, i);
}


function opensBlock(text: string): boolean {
  const d = leadingDirective(text);
  return d === '.macro' || d === '.rept' || d === '.rep' || d === '.irp' || d === '.irpc';
}

/** The same line with everything outside [start, end) blanked (columns and origins unchanged). */
function blankExcept(line: PreprocessedLine, start: number, end: number): PreprocessedLine {
  return { text: ' '.repeat(start) + line.text.slice(start, end), segments: line.segments };
}

/** The same line with everything before `col` blanked (columns and origins unchanged). */
function blankBefore(line: PreprocessedLine, col: number): PreprocessedLine {
  return { text: ' '.repeat(col) + line.text.slice(col), segments: line.segments };
}

export function dirname(p: string): string {
  const i = p.lastIndexOf('/');
  return i <= 0 ? (i === 0 ? '/' : '.') : p.slice(0, i);
}

export function joinPath(dir: string, name: string): string {
  if (name.startsWith('/')) return name;
  const parts = (dir === '.' ? [] : dir.split('/')).concat(name.split('/'));
  const out: string[] = [];
  for (const seg of parts) {
    if (seg === '..' && out.length && out[out.length - 1] !== '..' && out[out.length - 1] !== '') out.pop();
    else if (seg !== '.' && !(seg === '' && out.length > 0)) out.push(seg);
  }
  const j = out.join('/');
  return dir.startsWith('/') && !j.startsWith('/') ? '/' + j : j || '.';
}

