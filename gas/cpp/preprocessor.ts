// The driver: walks a file's logical lines, runs directives (conditionals, #define, #include, …) and sends
// text lines through the expander and printer. Output keeps one line per source line of the file being read:
// a directive or a skipped line becomes an empty line, an #include becomes the included file's non-empty lines
// (or one empty line), and a macro call spanning lines leaves empty lines behind its first line.
import type { FileSystem } from '../fs';
import type { Diagnostic, ExpansionStep, Severity, SourceRange } from '../source';
import type { ExpanderHost } from './expand';
import { Expander } from './expand';
import { evaluateCondition } from './expression';
import { lexFragment } from './fragment';
import type { LexedFile, LogicalLine } from './lexer';
import * as lexer from './lexer';
import { LineStream, lexFile, lineTokens, wordAfterHash } from './lexer';
import type { BuiltinMacroKind, MacroDef } from './macro';
import { parseDefine, sameDefinition, spellTokens } from './macro';
import { IncludeSearch } from './include-search';
import type { LineSource } from './readers';
import { DirectiveReader, LineReader } from './readers';
import { PREDEFINED_MACROS, SPECIAL_MACROS } from './predefined';
import { LinePrinter } from './printer';
import { CopiedLine } from './copied-line';
import { ExpandedLine } from './expanded-line';
import { specialMacroValue } from './special-macros';
import type { Token } from './token';
import { newRecord, Relocator, type CondState, type RunRecord, type Snapshot } from './checkpoints';
import { FROM_BODY, makeToken, spanRange, tokenRange } from './token';
import type {
  CppMacroDefinition,
  CppMacroUse,
  IncludeRecord,
  OriginSegment,
  PreprocessedLine,
  PreprocessOptions,
  PreprocessResult,
} from './types';

// A local copy: imported bindings are getters once compiled, and this runs per character.
const isIdentChar = lexer.isIdentChar;

/** Blanked identifiers in the memo's keys: `len` times \u0001 (made once per length). */
const WILDS: string[] = [];
function wild(len: number): string {
  return (WILDS[len] ??= '\u0001'.repeat(len));
}
/** gcc's default -fmax-include-depth. */
export const MAX_INCLUDE_DEPTH = 200;
/** Switches for tests that compare the fast paths with the plain ones. */
export const tuning = { expansionMemo: true, plainIncludes: true };
const MEMO_MAX_TEXT = 400;
const MEMO_MAX_LINES = 50_000;
/** Fewest main-file lines between two copies of the macro table in a recorded run. */
const SNAP_SPACING = 32;
/** Logical lines processed in one run (counting every include) before giving up. */
const LINE_BUDGET = 20_000_000;

const DIRECTIVES = new Set([
  'define',
  'undef',
  'include',
  'include_next',
  'import',
  'if',
  'ifdef',
  'ifndef',
  'elif',
  'elifdef',
  'elifndef',
  'else',
  'endif',
  'error',
  'warning',
  'line',
  'pragma',
  'ident',
  'sccs',
  'assert',
  'unassert',
]);
const CONDITIONALS = new Set(['if', 'ifdef', 'ifndef', 'elif', 'elifdef', 'elifndef', 'else', 'endif']);

/** kind: the directive that opened or last continued the group (for "unterminated #…"); outerSkipping: the
 * enclosing group was skipped; taken: some branch was taken (later #elif/#else branches are skipped). */
type Cond = CondState;

/** Whether a logical line is a directive (a `#` line naming one, or a null directive), not assembler text. */
export function isDirectiveLine(lexed: LexedFile, L: LogicalLine): boolean {
  if (!L.hash) return false;
  const w = wordAfterHash(L);
  if (w !== null) return w === '' || (w !== undefined && DIRECTIVES.has(w));
  const t = lineTokens(lexed, L)[1];
  return !t || (t.kind === 'ident' && DIRECTIVES.has(t.text));
}

/** A recorded run to continue from: restart at boundary `from` and take the old tail at `tailAt` if it fits. */
export interface ResumePlan {
  old: RunRecord;
  /** The edited main file. */
  lexed: LexedFile;
  from: number;
  /** Boundary in the new file where the unchanged tail starts, and the same boundary in the old file. */
  tailAt: number;
  oldTailAt: number;
  /** Physical lines the tail moved by. */
  delta: number;
}


interface FileState {
  path: string;
  lexed: LexedFile;
  index: number;
  includeSteps: ExpansionStep[];
  conds: Cond[];
  /** Index in includePaths where the file was found (-1: the includer's directory or the main file). */
  dirIndex: number;
  builtin: boolean;
  /** The lexed file is shared through the cache (else its tokens can be dropped once used). */
  cached: boolean;
  /** Set by #line: added to the physical line number for __LINE__, and the name __FILE__ reports. */
  lineOffset?: number;
  presumedName?: string;
  /** The file is lexed as it is read (a main file in a run that is not recorded): lines behind are dropped. */
  stream?: LineStream;
}

/** Stands in for a dropped line of a streamed file. */
const DROPPED: LogicalLine = Object.freeze({ tokens: null, first: 0, last: 0, text: '', verbatim: true, hash: false, blank: true }) as LogicalLine;

/** Whether line k of the file is there to read (lexing more of a streamed file when needed). */
function has(st: FileState, k: number): boolean {
  while (k >= st.lexed.lines.length) if (!st.stream || !st.stream.more()) return false;
  return true;
}

const LEX_CACHE_LIMIT = 512;
const lexCache = new Map<string, LexedFile>();

/** Lexes a file, reusing the previous result while its text is unchanged (headers are read again and again). */
function lexCached(path: string, text: string): LexedFile {
  const hit = lexCache.get(path);
  if (hit && hit.source === text) return hit;
  const lexed = lexFile(path, text);
  if (lexCache.size >= LEX_CACHE_LIMIT) {
    const oldest = lexCache.keys().next().value;
    if (oldest !== undefined) lexCache.delete(oldest);
  }
  lexCache.set(path, lexed);
  return lexed;
}

/** Shared by every empty output line (there are many: directives, skipped groups, header lines). */
const NO_SEGMENTS: OriginSegment[] = Object.freeze([]) as unknown as OriginSegment[];
/** One shared (frozen) empty output line: a third of a typical file's lines are blank, directives or skipped. */
const EMPTY_LINE: PreprocessedLine = Object.freeze({ text: '', segments: NO_SEGMENTS }) as PreprocessedLine;
const emptyLine = (): PreprocessedLine => EMPTY_LINE;

/**
 * The macro table, plus a filter of the (first character, length) pairs of every name ever defined: most names in
 * assembly text (mnemonics, registers, labels) fail the filter, and checking it needs no substring.
 */
class MacroTable extends Map<string, MacroDef> {
  readonly shapes = new Uint8Array(128 * 64);
  override set(name: string, m: MacroDef): this {
    this.shapes[((name.charCodeAt(0) & 127) << 6) | Math.min(name.length, 63)] = 1;
    return super.set(name, m);
  }
}

export class Preprocessor implements ExpanderHost, LineSource<FileState> {
  readonly macros = new MacroTable();
  private readonly table = new Map<string, CppMacroDefinition>();
  private readonly diagnostics: Diagnostic[] = [];
  private readonly includes: IncludeRecord[] = [];
  private readonly macroUses: CppMacroUse[] = [];
  private readonly once = new Set<string>();
  private readonly lexReported = new Set<string>();
  private readonly pushedMacros = new Map<string, (MacroDef | undefined)[]>();
  private readonly files: FileState[] = [];
  private readonly textExpander = new Expander(this);
  private readonly dirExpander = new Expander(this);
  private readonly search: IncludeSearch;
  private counter = 0;
  private collecting = 0;
  private linesProcessed = 0;
  private budgetReported = false;
  private cycleReported = false;
  private mainPath = '';
  /** Recorded runs (incremental sessions): the main file's per-line state goes here. */
  private rec: RunRecord | undefined;
  private mainState: FileState | undefined;
  /** Bumped whenever macros or the definition table change: snapshots share maps between bumps. */
  private macroEpoch = 0;
  private snapEpoch = -1;
  private snapPending = true;
  private lastSnap: Snapshot | undefined;
  /** Highest main-file line looked at so far. */
  private peek = -1;
  /** The main-file line being read. */
  private lineStart = 0;
  private tail: ResumePlan | undefined;
  private linesRead = 0;
  private tookTail = false;
  /** Expansions of main-file text lines by their text (see expandText). */
  private readonly memo = new Map<string, { epoch: number; line: number; text: string; out: PreprocessedLine; uses: CppMacroUse[] }>();
  /** The expansion under way did something that ties it to its place (a diagnostic, __LINE__, a next line). */
  private memoBlocked = false;
  private lastCopyAt = 0;
  /** A resumed run whose whole result equals the old run's (an edit in a comment or a skipped group). */
  private sameOutput = false;

  constructor(
    fs: FileSystem,
    private readonly options: PreprocessOptions,
  ) {
    this.search = new IncludeSearch(fs, options.includePaths ?? [], options.builtinHeaders !== false);
  }

  run(path: string, record = false): PreprocessResult {
    const out: PreprocessedLine[] = [];
    this.mainPath = path;
    try {
      this.predefine();
      const text = this.search.read(path);
      if (text === undefined) {
        this.report('error', `${path}: No such file or directory`, { file: path, line: 0, column: 0, endLine: 0, endColumn: 0 }, [], 'cpp-file-not-found');
      } else {
        const stream = record ? undefined : this.streamMain(path, text);
        const lexed = stream ? stream.lexed : this.lex(path, text, false);
        const st: FileState = { path, lexed, index: 0, includeSteps: [], conds: [], dirIndex: -1, builtin: false, cached: false, stream };
        if (record) {
          this.rec = newRecord(path, st.lexed);
          this.mainState = st;
        }
        this.processFile(st, out);
      }
    } catch (e) {
      this.internalError(e, path);
    }
    return this.result(out);
  }

  /** The run's record, to resume from after an edit (undefined unless the run was recorded). */
  runRecord(): RunRecord | undefined {
    return this.rec;
  }

  /** Whether the old tail was taken over, and how many main-file lines this run read itself. */
  stats(): { tookTail: boolean; linesRead: number; sameOutput: boolean } {
    return { tookTail: this.tookTail, linesRead: this.linesRead, sameOutput: this.sameOutput };
  }

  /**
   * Continues a recorded run over an edited main file: the state at boundary `from` is restored, lines are read
   * from there, and at `tailAt` the old run's remaining output is taken over when the state there is the same.
   * Gives exactly what a full run over the new text gives.
   */
  resume(plan: ResumePlan): PreprocessResult {
    const { old, from } = plan;
    const out: PreprocessedLine[] = old.out.slice(0, old.outLen[from]);
    const path = old.path;
    this.mainPath = path;
    try {
      const snap = old.snapshots[old.snap[from]];
      for (const [k, v] of snap.macros) this.macros.set(k, v);
      for (const [k, v] of snap.table) this.table.set(k, v);
      for (const p of snap.once) this.once.add(p);
      for (const p of snap.lexReported) this.lexReported.add(p);
      for (const [k, v] of snap.pushedMacros) this.pushedMacros.set(k, v.slice());
      this.cycleReported = snap.cycleReported;
      this.lastSnap = snap;
      this.snapEpoch = this.macroEpoch;
      this.snapPending = false;
      for (let k = 0; k < old.diagLen[from]; k++) this.diagnostics.push(old.diagnostics[k]);
      for (let k = 0; k < old.inclLen[from]; k++) this.includes.push(old.includes[k]);
      for (let k = 0; k < old.usesLen[from]; k++) this.macroUses.push(old.macroUses[k]);
      this.counter = old.counter[from];
      this.linesProcessed = old.processed[from];
      this.peek = old.peek[from];
      const st: FileState = {
        path,
        lexed: plan.lexed,
        index: from,
        includeSteps: [],
        conds: snap.conds.map((c) => ({ ...c })),
        dirIndex: -1,
        builtin: false,
        cached: false,
        lineOffset: snap.lineOffset,
        presumedName: snap.presumedName,
      };
      const rec = newRecord(path, plan.lexed);
      for (const a of ['outLen', 'diagLen', 'usesLen', 'inclLen', 'counter', 'peek', 'snap'] as const) rec[a].set(old[a].subarray(0, from + 1));
      rec.processed.set(old.processed.subarray(0, from + 1));
      rec.snapshots = old.snapshots.slice(0, old.snap[from] + 1);
      rec.lineUses = old.lineUses.filter((k) => k < from);
      this.rec = rec;
      this.mainState = st;
      this.tail = plan;
      this.processFile(st, out);
    } catch (e) {
      this.internalError(e, path);
    }
    return this.result(out);
  }

  private result(out: PreprocessedLine[]): PreprocessResult {
    const rec = this.rec;
    if (rec) {
      rec.out = out;
      rec.diagnostics = this.diagnostics;
      rec.includes = this.includes;
      rec.macroUses = this.macroUses;
      rec.table = this.table;
    }
    return { lines: out, diagnostics: this.diagnostics, macros: this.table, includes: this.includes, macroUses: this.macroUses };
  }

  /** Last resort: a bug or an exhausted host stack must still end in a diagnostic, not an exception. */
  private internalError(e: unknown, path: string): void {
    const st = this.files[this.files.length - 1];
    const line = st ? st.lexed.lines[Math.max(0, st.index - 1)] : undefined;
    const at: SourceRange = { file: st ? st.path : path, line: line ? line.first : 0, column: 0, endLine: line ? line.first : 0, endColumn: 0 };
    const why = e instanceof RangeError ? 'nesting too deep' : e instanceof Error ? e.message : String(e);
    this.report('error', `internal preprocessor error (${why}); output after this point is incomplete`, at, st ? st.includeSteps : [], 'cpp-internal');
  }

  // ---- recording and resuming (incremental runs) ----

  /** Notes the state before main-file line k is read. */
  private mark(rec: RunRecord, k: number, out: PreprocessedLine[]): void {
    const last = this.lastSnap;
    const same = last !== undefined && this.snapEpoch === this.macroEpoch;
    // Copying the macro table after each of a long run of #defines would cost the square of its length: a changed
    // table is copied at most once per SNAP_SPACING lines, and the boundaries in between get no snapshot.
    const defer = this.snapPending && !same && last !== undefined && k - this.lastCopyAt < SNAP_SPACING;
    if (this.snapPending && same && this.sameStateAs(last)) {
      // A directive that changed nothing kept here (an #include of a guarded header, a taken #if closed): the
      // last snapshot still holds.
      this.snapPending = false;
    } else if (this.snapPending && !defer) {
      this.snapPending = false;
      if (!same) this.lastCopyAt = k;
      const st = this.mainState!;
      const snap: Snapshot = {
        macros: same ? last.macros : new Map(this.macros),
        table: same ? last.table : new Map(this.table),
        once: new Set(this.once),
        lexReported: new Set(this.lexReported),
        pushedMacros: new Map([...this.pushedMacros].map(([name, stack]) => [name, stack.slice()])),
        conds: st.conds.map((c) => ({ ...c })),
        lineOffset: st.lineOffset,
        presumedName: st.presumedName,
        cycleReported: this.cycleReported,
      };
      rec.snapshots.push(snap);
      this.lastSnap = snap;
      this.snapEpoch = this.macroEpoch;
    }
    rec.outLen[k] = out.length;
    rec.diagLen[k] = this.diagnostics.length;
    rec.usesLen[k] = this.macroUses.length;
    rec.inclLen[k] = this.includes.length;
    rec.counter[k] = this.counter;
    rec.processed[k] = this.linesProcessed;
    rec.peek[k] = Math.max(this.peek, k - 1);
    rec.snap[k] = defer ? -1 : rec.snapshots.length - 1;
  }

  /** Whether the state a snapshot holds besides the macros is the same as now (the sets only ever grow). */
  private sameStateAs(snap: Snapshot): boolean {
    const st = this.mainState!;
    if (snap.once.size !== this.once.size || snap.lexReported.size !== this.lexReported.size) return false;
    if (snap.pushedMacros.size !== 0 || this.pushedMacros.size !== 0) return false;
    if (snap.lineOffset !== st.lineOffset || snap.presumedName !== st.presumedName || snap.cycleReported !== this.cycleReported) return false;
    if (snap.conds.length !== st.conds.length) return false;
    for (let i = 0; i < st.conds.length; i++) {
      const a = snap.conds[i];
      const b = st.conds[i];
      if (a.kind !== b.kind || a.range !== b.range || a.outerSkipping !== b.outerSkipping || a.taken !== b.taken || a.skipping !== b.skipping || a.sawElse !== b.sawElse) return false;
    }
    return true;
  }

  /**
   * At the start of the unchanged tail: when the state matches the old run's at the same place, the old run's
   * remaining output, diagnostics and uses are taken over (moved by the lines the edit added or removed).
   */
  private takeTail(rec: RunRecord, st: FileState, out: PreprocessedLine[]): boolean {
    const plan = this.tail!;
    this.tail = undefined;
    const { old, delta } = plan;
    const i = plan.oldTailAt;
    const j = st.index;
    if (old.outLen[i] < 0 || this.counter !== old.counter[i] || rec.unrepeatable) return false;
    if (delta !== 0) {
      // __LINE__ values and "previous definition at file:line" messages below would move with the lines.
      if (old.lineUses.some((k) => k >= i)) return false;
      for (let k = old.diagLen[i]; k < old.diagnostics.length; k++) if (old.diagnostics[k].code === 'cpp-redefined') return false;
    }
    const n = old.lexed.lines.length;
    const extra = this.linesProcessed - old.processed[i];
    if (old.processed[n] + extra > LINE_BUDGET) return false;
    const R = new Relocator(old.path, i < n ? old.lexed.lines[i].first : old.lexed.physicalLines, delta);
    const outBase = out.length - old.outLen[i];
    const diagBase = this.diagnostics.length - old.diagLen[i];
    const usesBase = this.macroUses.length - old.usesLen[i];
    const inclBase = this.includes.length - old.inclLen[i];
    // What this run made itself, from the restart to here, against what the old run made over the same text.
    const f = plan.from;
    this.sameOutput =
      delta === 0 &&
      sameItems(out, old.outLen[f], old.out, old.outLen[f], old.outLen[i]) &&
      sameItems(this.diagnostics, old.diagLen[f], old.diagnostics, old.diagLen[f], old.diagLen[i]) &&
      sameItems(this.macroUses, old.usesLen[f], old.macroUses, old.usesLen[f], old.usesLen[i]) &&
      sameItems(this.includes, old.inclLen[f], old.includes, old.inclLen[f], old.inclLen[i]);
    if (delta === 0) {
      // Nothing moved: the old items as they are.
      appendRange(out, old.out, old.outLen[i]);
      appendRange(this.macroUses, old.macroUses, old.usesLen[i]);
    } else {
      for (let k = old.outLen[i]; k < old.out.length; k++) out.push(R.line(old.out[k]));
      for (let k = old.usesLen[i]; k < old.macroUses.length; k++) this.macroUses.push(R.use(old.macroUses[k]));
    }
    for (let k = old.diagLen[i]; k < old.diagnostics.length; k++) this.diagnostics.push(R.diagnostic(old.diagnostics[k]));
    for (let k = old.inclLen[i]; k < old.includes.length; k++) this.includes.push(R.include(old.includes[k]));
    // No directive differs between the two texts, so the final table is the old one (moved).
    this.table.clear();
    for (const [k, v] of old.table) this.table.set(k, R.definition(v));
    // Records of the tail; snapshots below the edit hold positions, so they carry over only when nothing moved.
    const snapHere = rec.snap[j];
    const snapBase = rec.snapshots.length - 1 - old.snap[i];
    if (delta === 0) for (let s = old.snap[i] + 1; s < old.snapshots.length; s++) rec.snapshots.push(old.snapshots[s]);
    const shift = j - i;
    if (shift === 0 && delta === 0 && outBase === 0 && diagBase === 0 && usesBase === 0 && inclBase === 0 && extra === 0 && snapBase === 0 && snapHere === old.snap[i]) {
      // The usual one-character edit: every record below is the old one as it was (lines never marked keep their
      // initial values in both records).
      for (const a of ['outLen', 'diagLen', 'usesLen', 'inclLen', 'counter', 'peek', 'snap'] as const) rec[a].set(old[a].subarray(i + 1, n + 1), i + 1);
      rec.processed.set(old.processed.subarray(i + 1, n + 1), i + 1);
    } else for (let k = i + 1; k <= n; k++) {
      if (old.outLen[k] < 0) continue;
      const kn = k + shift;
      rec.outLen[kn] = old.outLen[k] + outBase;
      rec.diagLen[kn] = old.diagLen[k] + diagBase;
      rec.usesLen[kn] = old.usesLen[k] + usesBase;
      rec.inclLen[kn] = old.inclLen[k] + inclBase;
      rec.counter[kn] = old.counter[k];
      rec.processed[kn] = old.processed[k] + extra;
      rec.peek[kn] = old.peek[k] + shift;
      const os = old.snap[k];
      rec.snap[kn] = os < 0 ? -1 : os <= old.snap[i] ? snapHere : delta === 0 ? os + snapBase : -1;
    }
    for (const k of old.lineUses) if (k >= i) rec.lineUses.push(k + shift);
    this.counter = old.counter[n];
    this.linesProcessed = old.processed[n] + extra;
    this.tookTail = true;
    return true;
  }

  // ---- set-up ----

  private predefine(): void {
    const builtinAt: SourceRange = { file: '<built-in>', line: 0, column: 0, endLine: 0, endColumn: 0 };
    for (const name of SPECIAL_MACROS) {
      const m: MacroDef = { name, funLike: false, params: [], variadic: false, body: [], bodyText: '', location: builtinAt, builtin: true, special: name as BuiltinMacroKind, disabled: 0 };
      this.macros.set(name, m);
      this.record(m);
    }
    for (const [name, value] of PREDEFINED_MACROS) this.defineText(`${name} ${value}`, '<built-in>', true);
    for (const [name, value] of Object.entries(this.options.defines ?? {})) {
      const v = value === undefined || value === null ? '1' : String(value);
      this.defineText(`${name} ${v}`, '<command-line>', false);
    }
    for (const name of this.options.undefines ?? []) this.macros.delete(name);
  }

  private defineText(text: string, file: string, builtin: boolean): void {
    const toks = lexFragment(text, file);
    if (toks.length === 0) return;
    const { macro, problems } = parseDefine(toks, toks[0], builtin);
    for (const p of problems) this.report(p.severity, `-D${text.trim()}: ${p.message}`, tokenRange(p.at), [], 'cpp');
    if (macro) {
      this.macros.set(macro.name, macro);
      this.record(macro);
    }
  }

  private record(m: MacroDef): void {
    this.macroEpoch++;
    this.table.set(m.name, {
      name: m.name,
      params: m.funLike ? m.params.slice() : undefined,
      body: m.bodyText,
      location: m.location,
      builtin: m.builtin,
    });
  }

  // ---- files ----

  /**
   * The main file of a run that is not recorded, lexed as it is read. Lexer problems go where a whole-file lex
   * would have reported them (before anything the run itself reports), as they turn up.
   */
  private streamMain(path: string, text: string): LineStream {
    this.lexReported.add(path);
    const at = this.diagnostics.length;
    return new LineStream(path, text, (p, k) => {
      const range = { file: path, line: p.line, column: p.col, endLine: p.endLine, endColumn: p.endCol };
      this.diagnostics.splice(at + k, 0, { severity: p.severity, message: p.message, origin: { range: safeRange(range), expansion: [] }, code: 'cpp' });
    });
  }

  /** Included files are cached across runs (they rarely change); the main file, usually being edited, is not. */
  private lex(path: string, text: string, cache = true): LexedFile {
    const lexed = cache ? lexCached(path, text) : lexFile(path, text, false);
    if (!this.lexReported.has(path)) {
      this.lexReported.add(path);
      const steps = this.files.length > 0 ? this.files[this.files.length - 1].includeSteps : [];
      for (const p of lexed.problems) {
        this.report(p.severity, p.message, { file: path, line: p.line, column: p.col, endLine: p.endLine, endColumn: p.endCol }, steps, 'cpp');
      }
    }
    return lexed;
  }

  private processFile(st: FileState, out: PreprocessedLine[]): void {
    this.files.push(st);
    const lines = st.lexed.lines;
    const rec = st === this.mainState ? this.rec : undefined;
    while (st.index < lines.length || has(st, st.index)) {
      if (rec) {
        this.mark(rec, st.index, out);
        if (this.tail && st.index === this.tail.tailAt && this.takeTail(rec, st, out)) {
          this.files.pop();
          return;
        }
        this.lineStart = st.index;
        this.linesRead++;
      }
      if (++this.linesProcessed > LINE_BUDGET) {
        if (!this.budgetReported) {
          if (this.rec) this.rec.budgetReported = true;
          this.budgetReported = true;
          const l = lines[st.index];
          this.report('error', `preprocessing stopped after ${LINE_BUDGET} lines (runaway #include?)`, { file: st.path, line: l.first, column: 0, endLine: l.first, endColumn: 0 }, st.includeSteps, 'cpp-limit');
        }
        break;
      }
      const from = st.index;
      this.processLine(st, lines[st.index++], out);
      // The main file is lexed for this run only: let the tokens of finished lines go (large files).
      if (st.stream) {
        // Keep the last line read (an internal error reports at it).
        for (let k = Math.max(0, from - 1); k < st.index - 1; k++) lines[k] = DROPPED;
      } else if (!st.cached) for (let k = from; k < st.index; k++) lines[k].tokens = null;
    }
    if (rec) {
      this.mark(rec, lines.length, out);
      if (this.tail && lines.length === this.tail.tailAt && this.takeTail(rec, st, out)) {
        this.files.pop();
        return;
      }
    }
    for (const c of st.conds) this.report('error', `unterminated #${c.kind}`, c.range, st.includeSteps, 'cpp');
    this.files.pop();
  }

  private skipping(st: FileState): boolean {
    return st.conds.length > 0 && st.conds[st.conds.length - 1].skipping;
  }

  /** The directive a `#` line names: '' for a null directive, undefined when it is assembler text. */
  private directiveOf(st: FileState, L: LogicalLine): string | undefined {
    const w = wordAfterHash(L);
    if (w !== null) return w === '' || (w !== undefined && DIRECTIVES.has(w)) ? w : undefined;
    const t = lineTokens(st.lexed, L)[1];
    if (!t) return '';
    if (t.kind === 'ident' && DIRECTIVES.has(t.text)) return t.text;
    return undefined;
  }

  private processLine(st: FileState, L: LogicalLine, out: PreprocessedLine[]): void {
    if (L.hash) {
      const d = this.directiveOf(st, L);
      if (d !== undefined) {
        this.directive(st, L, d, out);
        return;
      }
    }
    if (this.skipping(st) || L.blank) {
      this.blank(out, L);
      return;
    }
    if (L.verbatim && !this.mentionsMacro(L.text)) {
      out.push(new CopiedLine(L.text, st.path, L.first, st.includeSteps));
      return;
    }
    this.expandText(st, L, out);
  }

  /** Whether the identifier text[start, end) (first character code `c`) is a defined macro: shape table first. */
  private namesMacro(text: string, start: number, end: number, c: number): boolean {
    return this.macros.shapes[((c & 127) << 6) | Math.min(end - start, 63)] === 1 && this.macros.has(text.slice(start, end));
  }

  /** Whether an identifier in a comment-free, literal-free line names a macro (no tokens are built). */
  private mentionsMacro(text: string): boolean {
    const n = text.length;
    let p = 0;
    while (p < n) {
      const c = text.charCodeAt(p);
      if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95) {
        const q0 = p;
        p = identEnd(text, p + 1);
        if (this.namesMacro(text, q0, p, c)) return true;
      } else if (startsPpNumber(text, p, c)) p = ppNumberEnd(text, p + 1);
      else p++;
    }
    return false;
  }

  /**
   * The memo key of a text line: the text with every identifier that names no macro (labels, mnemonics,
   * registers) blanked to as many \u0001s, so that `SYM_CODE_START(entry_1)` and `SYM_CODE_START(entry_2)` share
   * one expansion. Lines with the same key lex to the same tokens, differing only in the spelling of
   * identifiers that expand to themselves; unless # or ## spells them anew (then the memo keeps the exact text),
   * the expansions differ only in the text copied from the line, which the hit takes from its own source. Kept
   * literal: names starting with `__` and `defined` (they may mean something on their own), a name just before a
   * quote (`L"…"` is one string literal). A key with blanks starts with '\n', which no line's own text holds.
   */
  private shapeKey(text: string): string {
    if (text.indexOf('\u0001') >= 0) return text;
    const n = text.length;
    let key = '';
    let copied = 0;
    let p = 0;
    while (p < n) {
      const c = text.charCodeAt(p);
      if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95) {
        const q0 = p;
        p = identEnd(text, p + 1);
        const len = p - q0;
        if (this.namesMacro(text, q0, p, c)) continue;
        const d = text.charCodeAt(p);
        if (d === 34 || d === 39 || (c === 95 && text.charCodeAt(q0 + 1) === 95) || (len === 7 && text.startsWith('defined', q0))) continue;
        key += text.slice(copied, q0) + wild(len);
        copied = p;
      } else if (startsPpNumber(text, p, c)) p = ppNumberEnd(text, p + 1);
      else p++;
    }
    if (copied === 0) return text;
    key = '\n' + key + text.slice(copied);
    key.charCodeAt(0); // flattened once here, not inside each Map operation on it
    return key;
  }

  private blank(out: PreprocessedLine[], L: LogicalLine): void {
    for (let k = L.first; k <= L.last; k++) out.push(emptyLine());
  }

  private expandText(st: FileState, L: LogicalLine, out: PreprocessedLine[]): void {
    // A main-file line whose text was expanded before under the same macros expands the same way (moved to this
    // line), unless that expansion looked past its line or depended on more than the text.
    const memo = tuning.expansionMemo && L.first === L.last && st === this.files[0] && L.text.length <= MEMO_MAX_TEXT ? this.memo : undefined;
    let key = L.text;
    if (memo) {
      // The exact text first (most repeats are exact, and then no key is built), then the shape.
      let hit = memo.get(L.text);
      if (!hit || hit.epoch !== this.macroEpoch) {
        key = this.shapeKey(L.text);
        if (key !== L.text) hit = memo.get(key);
      }
      if (hit && hit.epoch === this.macroEpoch) {
        const by = L.first - hit.line;
        const t = hit.out;
        if (t instanceof ExpandedLine && t.shiftFrom < 0 && t.expansion.length === 0 && t.file === st.path) {
          // The earlier line's data, moved only when an origin is asked for; a line of the same shape takes the
          // text it copies from its own source.
          const text = hit.text === L.text ? t.text : t.respell(L.text, hit.line);
          if (text !== undefined) {
            out.push(ExpandedLine.shifted(t, st.path, hit.line, by, text));
            for (const u of hit.uses) {
              const r = u.range;
              this.macroUses.push(r.file === st.path && r.line === hit.line ? { name: u.name, range: { file: r.file, line: r.line + by, column: r.column, endLine: r.endLine + by, endColumn: r.endColumn } } : u);
            }
            return;
          }
        } else if (hit.text === L.text) {
          const R = new Relocator(st.path, hit.line, by, hit.line + 1);
          out.push(R.line(t));
          for (const u of hit.uses) this.macroUses.push(R.use(u));
          return;
        }
      }
    }
    const idx = out.length;
    out.push(emptyLine());
    for (let k = L.first; k < L.last; k++) out.push(emptyLine());
    const reader = new LineReader(this, st, L, out);
    const first = reader.tokens[0];
    const printer = new LinePrinter(L.first, first.line === L.first ? first.col : 0, st.includeSteps, L.text, st.lexed.path);
    const ex = this.textExpander;
    const uses = this.macroUses.length;
    this.memoBlocked = false;
    ex.reset(reader, false);
    for (;;) {
      const t = ex.getToken();
      if (t.kind === 'eof') break;
      printer.add(t);
    }
    out[idx] = printer.finish();
    if (memo && !this.memoBlocked && memo.size < MEMO_MAX_LINES) {
      // Under the exact text, and under the shape unless # or ## spelled the line's tokens anew.
      const entry = { epoch: this.macroEpoch, line: L.first, text: L.text, out: out[idx], uses: this.macroUses.slice(uses) };
      memo.set(L.text, entry);
      if (key !== L.text && !ex.respelled) memo.set(key, entry);
    }
  }

  /** Brings in the next line(s) for a macro call that continues past the end of a text line. */
  continueLine(reader: LineReader<FileState>, mode: number): boolean {
    this.memoBlocked = true;
    const st = reader.st;
    const lines = st.lexed.lines;
    if (mode === 1) {
      // Looking for '(' after a function-like macro name: only blank lines may come in between.
      let j = st.index;
      while (has(st, j) && lines[j].blank) j++;
      if (st === this.mainState && j > this.peek) this.peek = Math.min(j, lines.length - 1);
      if (!has(st, j)) return false;
      const N = lines[j];
      if (N.hash) return false;
      const ntoks = lineTokens(st.lexed, N);
      const f = ntoks[0];
      if (!(f.kind === 'punct' && f.text === '(')) return false;
      for (let k = st.index; k <= j; k++) this.blank(reader.out, lines[k]);
      st.index = j + 1;
      reader.append(ntoks, false);
      return true;
    }
    // Collecting arguments: directives in between are obeyed, as gcc does.
    while (has(st, st.index)) {
      const N = lines[st.index++];
      this.linesProcessed++;
      if (N.hash) {
        const d = this.directiveOf(st, N);
        if (d !== undefined) {
          this.collecting++;
          this.directive(st, N, d, reader.out);
          this.collecting--;
          continue;
        }
      }
      this.blank(reader.out, N);
      if (this.skipping(st) || N.blank) continue;
      reader.append(lineTokens(st.lexed, N), true);
      return true;
    }
    return false;
  }

  // ---- directives ----

  private directive(st: FileState, L: LogicalLine, name: string, out: PreprocessedLine[]): void {
    if (st === this.mainState) this.snapPending = true;
    if (name === 'include' && tuning.plainIncludes && this.collecting === 0 && !this.skipping(st)) {
      // `#include <x>` alone on its line (most are): read from the text, without making its tokens.
      const h = plainInclude(L);
      if (h) {
        const site = { file: st.lexed.path, line: L.first, column: h.from, endLine: L.first, endColumn: h.to };
        this.enter(st, L, name, site, h.spelled, h.angled, false, out);
        return;
      }
    }
    const toks = lineTokens(st.lexed, L);
    const dirTok = toks[1] ?? toks[0];
    const args = toks.slice(2);
    if (name === '') {
      this.blank(out, L);
      return;
    }
    if (CONDITIONALS.has(name)) {
      this.conditional(st, L, name, dirTok, args);
      this.blank(out, L);
      return;
    }
    if (this.skipping(st)) {
      this.blank(out, L);
      return;
    }
    switch (name) {
      case 'define':
        this.define(st, dirTok, args);
        break;
      case 'undef':
        this.undef(st, dirTok, args);
        break;
      case 'include':
      case 'include_next':
      case 'import':
        this.include(st, L, name, dirTok, args, out);
        return;
      case 'error':
        this.report('error', `#error ${spellTokens(args)}`.trimEnd(), lineRange(L), st.includeSteps, 'cpp-error-directive');
        break;
      case 'warning':
        this.report('warning', `#warning ${spellTokens(args)}`.trimEnd(), lineRange(L), st.includeSteps, 'cpp-warning-directive');
        break;
      case 'pragma':
        this.pragma(st, lineRange(L), args);
        break;
      case 'line':
        this.lineDirective(st, L, dirTok, args);
        break;
      // gcc -x assembler-with-cpp drops these (and unknown pragmas) from its output.
      case 'ident':
      case 'sccs':
      case 'assert':
      case 'unassert':
        break;
    }
    this.blank(out, L);
  }

  private conditional(st: FileState, L: LogicalLine, name: string, dirTok: Token, args: Token[]): void {
    const outer = this.skipping(st);
    const range = lineRange(L);
    const top = st.conds[st.conds.length - 1];
    switch (name) {
      case 'if':
      case 'ifdef':
      case 'ifndef': {
        if (outer) {
          st.conds.push({ kind: name, range, outerSkipping: true, taken: true, skipping: true, sawElse: false });
          return;
        }
        const v = name === 'if' ? this.evaluate(st, dirTok, args, name) : this.ifdefValue(st, name, dirTok, args);
        st.conds.push({ kind: name, range, outerSkipping: false, taken: v, skipping: !v, sawElse: false });
        return;
      }
      case 'elif':
      case 'elifdef':
      case 'elifndef': {
        if (!top) {
          this.report('error', `#${name} without #if`, tokenRange(dirTok), st.includeSteps, 'cpp');
          return;
        }
        if (top.sawElse) this.report('error', `#${name} after #else`, tokenRange(dirTok), st.includeSteps, 'cpp');
        top.kind = name;
        if (top.outerSkipping) return;
        if (top.taken) {
          top.skipping = true;
          return;
        }
        const v = name === 'elif' ? this.evaluate(st, dirTok, args, name) : this.ifdefValue(st, name === 'elifdef' ? 'ifdef' : 'ifndef', dirTok, args);
        top.taken = v;
        top.skipping = !v;
        return;
      }
      case 'else': {
        if (!top) {
          this.report('error', '#else without #if', tokenRange(dirTok), st.includeSteps, 'cpp');
          return;
        }
        if (top.sawElse) this.report('error', '#else after #else', tokenRange(dirTok), st.includeSteps, 'cpp');
        if (!top.outerSkipping) this.extraTokens(st, 'else', args);
        top.sawElse = true;
        top.kind = 'else';
        top.skipping = top.outerSkipping || top.taken;
        top.taken = true;
        return;
      }
      case 'endif': {
        if (!top) {
          this.report('error', '#endif without #if', tokenRange(dirTok), st.includeSteps, 'cpp');
          return;
        }
        if (!top.outerSkipping) this.extraTokens(st, 'endif', args);
        st.conds.pop();
        return;
      }
    }
  }

  private extraTokens(st: FileState, name: string, args: Token[]): void {
    if (args.length > 0) this.report('warning', `extra tokens at end of #${name} directive`, tokenRange(args[0]), st.includeSteps, 'cpp');
  }

  private macroName(st: FileState, name: string, dirTok: Token, args: Token[]): Token | undefined {
    const t = args[0];
    if (!t) {
      this.report('error', `no macro name given in #${name} directive`, tokenRange(dirTok), st.includeSteps, 'cpp');
      return undefined;
    }
    if (t.kind !== 'ident') {
      this.report('error', 'macro names must be identifiers', tokenRange(t), st.includeSteps, 'cpp');
      return undefined;
    }
    if (t.text === 'defined' && name !== 'ifdef' && name !== 'ifndef') {
      this.report('error', '"defined" cannot be used as a macro name', tokenRange(t), st.includeSteps, 'cpp');
      return undefined;
    }
    return t;
  }

  private ifdefValue(st: FileState, name: 'ifdef' | 'ifndef' | string, dirTok: Token, args: Token[]): boolean {
    const t = this.macroName(st, name, dirTok, args);
    if (!t) return false;
    this.extraTokens(st, name, args.slice(1));
    const m = this.macros.get(t.text);
    if (m) this.macroUses.push({ name: t.text, range: tokenRange(t) });
    return name === 'ifdef' ? m !== undefined : m === undefined;
  }

  private evaluate(st: FileState, dirTok: Token, args: Token[], name: string): boolean {
    const ex = this.dirExpander;
    ex.reset(new DirectiveReader(args, dirTok), true);
    const v = evaluateCondition(
      {
        next: () => ex.getToken(),
        nextUnexpanded: () => {
          ex.preventExpansion++;
          const t = ex.getToken();
          ex.preventExpansion--;
          return t;
        },
        isDefined: (n, at) => {
          const m = this.macros.get(n);
          if (m && !(at.flags & FROM_BODY) && at.frame === null) this.macroUses.push({ name: n, range: tokenRange(at) });
          return m !== undefined;
        },
        hasInclude: (spelled, angled, next) => this.search.find(spelled, angled, st, next) !== undefined,
        error: (message, at, severity) => this.report(severity ?? 'error', message, tokenRange(at), st.includeSteps, 'cpp'),
      },
      dirTok,
      name,
    );
    ex.reset(new DirectiveReader([], dirTok), true);
    return v === true;
  }

  private define(st: FileState, dirTok: Token, args: Token[]): void {
    const { macro, problems } = parseDefine(args, dirTok, st.builtin);
    for (const p of problems) this.report(p.severity, p.message, tokenRange(p.at), st.includeSteps, 'cpp');
    if (!macro) return;
    const old = this.macros.get(macro.name);
    if (old && old.special) {
      this.report('warning', `"${macro.name}" redefined`, macro.location, st.includeSteps, 'cpp-redefined');
    } else if (old && !sameDefinition(old, macro)) {
      const where = old.location.file.startsWith('<') && old.location.line === 0 ? old.location.file : `${old.location.file}:${old.location.line + 1}`;
      this.report('warning', `"${macro.name}" redefined (previous definition at ${where})`, macro.location, st.includeSteps, 'cpp-redefined');
    }
    this.macros.set(macro.name, macro);
    this.record(macro);
  }

  private undef(st: FileState, dirTok: Token, args: Token[]): void {
    const t = this.macroName(st, 'undef', dirTok, args);
    if (!t) return;
    this.extraTokens(st, 'undef', args.slice(1));
    const m = this.macros.get(t.text);
    if (m && m.special) this.report('warning', `undefining "${t.text}"`, tokenRange(t), st.includeSteps, 'cpp');
    if (m) this.macroUses.push({ name: t.text, range: tokenRange(t) });
    this.macros.delete(t.text);
    this.macroEpoch++;
  }

  /** `#line N ["file"]`: renumbers what __LINE__ and __FILE__ report (origins keep the real positions). */
  private lineDirective(st: FileState, L: LogicalLine, dirTok: Token, args: Token[]): void {
    const ex = this.dirExpander;
    ex.reset(new DirectiveReader(args, dirTok), true);
    const toks: Token[] = [];
    for (let t = ex.getToken(); t.kind !== 'eof'; t = ex.getToken()) if (t.kind !== 'padding') toks.push(t);
    const n = toks[0];
    if (!n || n.kind !== 'number' || !/^[0-9]+$/.test(n.text)) {
      this.report('error', `"${n ? n.text : ''}" after #line is not a positive integer`, n ? tokenRange(n) : tokenRange(dirTok), st.includeSteps, 'cpp');
      return;
    }
    st.lineOffset = Number(n.text) - (L.last + 2);
    const f = toks[1];
    if (f) {
      if (f.kind === 'string' && f.text.startsWith('"')) st.presumedName = f.text.slice(1, -1);
      else this.report('error', `invalid filename "${f.text}"`, tokenRange(f), st.includeSteps, 'cpp');
    }
  }

  private pragma(st: FileState, range: SourceRange, args: Token[]): void {
    const a0 = args[0]?.text;
    const a1 = args[1]?.text;
    if (a0 === 'once') {
      if (this.files.length <= 1) this.report('warning', '#pragma once in main file', tokenRange(args[0]), st.includeSteps, 'cpp');
      this.once.add(st.path);
      this.extraTokens(st, 'pragma once', args.slice(1));
      return;
    }
    if ((a0 === 'push_macro' || a0 === 'pop_macro') && args[1]?.text === '(' && args[2]?.kind === 'string') {
      const name = args[2].text.slice(1, -1);
      const stack = this.pushedMacros.get(name) ?? [];
      if (a0 === 'push_macro') {
        stack.push(this.macros.get(name));
        this.pushedMacros.set(name, stack);
      } else if (stack.length > 0) {
        const m = stack.pop();
        if (m) this.macros.set(name, m);
        else this.macros.delete(name);
        this.macroEpoch++;
      }
      return;
    }
    if (a0 === 'GCC' && (a1 === 'warning' || a1 === 'error')) {
      const msg = args[2]?.kind === 'string' ? args[2].text.slice(1, -1) : spellTokens(args.slice(2));
      this.report(a1 === 'error' ? 'error' : 'warning', msg, range, st.includeSteps, 'cpp-pragma');
    }
    // Other pragmas are for a compiler; with assembler input gcc drops them.
  }

  private include(st: FileState, L: LogicalLine, name: string, dirTok: Token, args: Token[], out: PreprocessedLine[]): void {
    const site = lineRange(L);
    if (this.collecting > 0) {
      this.report('error', `#${name} inside macro arguments is not supported`, site, st.includeSteps, 'cpp');
      this.skipInclude(out, L);
      return;
    }
    const header = this.headerName(st, L, name, dirTok, args);
    if (!header) {
      this.skipInclude(out, L);
      return;
    }
    const { spelled, angled } = header;
    let next = name === 'include_next';
    if (next && this.files.length <= 1) {
      this.report('warning', '#include_next in primary source file', tokenRange(dirTok), st.includeSteps, 'cpp');
      next = false;
    }
    if (name === 'import') this.report('warning', '#import is a deprecated GCC extension', tokenRange(dirTok), st.includeSteps, 'cpp');
    this.enter(st, L, name, site, spelled, angled, next, out);
  }

  /** Reads the header an #include names (found or not, already included or not). */
  private enter(st: FileState, L: LogicalLine, name: string, site: SourceRange, spelled: string, angled: boolean, next: boolean, out: PreprocessedLine[]): void {
    const found = this.search.find(spelled, angled, st, next);
    this.includes.push({ site, spelled, resolved: found?.path });
    if (!found) {
      this.report('error', `${spelled}: No such file or directory`, site, st.includeSteps, 'cpp-include-not-found');
      this.skipInclude(out, L);
      return;
    }
    if (this.once.has(found.path)) {
      this.skipInclude(out, L);
      return;
    }
    if (name === 'import') this.once.add(found.path);
    const lexed = this.lex(found.path, found.text);
    if (lexed.guard !== undefined && this.macros.has(lexed.guard)) {
      this.skipInclude(out, L);
      return;
    }
    const onStack = this.files.some((f) => f.path === found.path);
    if (this.files.length >= MAX_INCLUDE_DEPTH || (this.cycleReported && onStack)) {
      if (!this.cycleReported) {
        const chain = this.files.map((f) => f.path);
        const startAt = chain.lastIndexOf(found.path);
        const cycle = startAt >= 0 ? ` (include cycle: ${chain.slice(startAt).concat(found.path).join(' -> ')})` : '';
        this.report('error', `#include nested depth ${this.files.length} exceeds maximum of ${MAX_INCLUDE_DEPTH}${cycle}`, site, st.includeSteps, 'cpp-include-depth');
        this.cycleReported = true;
      }
      this.skipInclude(out, L);
      return;
    }
    const child: FileState = {
      path: found.path,
      lexed,
      index: 0,
      includeSteps: [{ kind: 'include', name: found.path, site }, ...st.includeSteps],
      conds: [],
      dirIndex: found.dirIndex,
      builtin: found.builtin,
      cached: true,
    };
    const childOut: PreprocessedLine[] = [];
    this.processFile(child, childOut);
    let kept = 0;
    for (const l of childOut) {
      if (l.text.length > 0 && /\S/.test(l.text)) {
        out.push(l);
        kept++;
      }
    }
    if (kept === 0) out.push(emptyLine());
    for (let k = L.first; k < L.last; k++) out.push(emptyLine());
  }

  /** An #include that brings in nothing: one empty line (and one per continuation line). */
  private skipInclude(out: PreprocessedLine[], L: LogicalLine): void {
    out.push(emptyLine());
    for (let k = L.first; k < L.last; k++) out.push(emptyLine());
  }

  /** The header an #include names: "…", <…>, or macros expanding to either. */
  private headerName(st: FileState, L: LogicalLine, name: string, dirTok: Token, args: Token[]): { spelled: string; angled: boolean } | undefined {
    const first = args[0];
    if (!first) return this.badHeaderName(st, name, dirTok, args);
    let spelled: string;
    let angled: boolean;
    let rest: Token[];
    if (first.kind === 'string' && first.text.startsWith('"')) {
      spelled = first.text.slice(1, -1);
      angled = false;
      rest = args.slice(1);
    } else if (first.kind === 'punct' && first.text === '<') {
      const close = L.text.indexOf('>', first.off + 1);
      if (close < 0) {
        this.report('error', 'missing terminating > character', tokenRange(first), st.includeSteps, 'cpp');
        return undefined;
      }
      spelled = L.text.slice(first.off + 1, close);
      angled = true;
      rest = args.filter((t) => t.off > close);
    } else {
      // Computed include: expand, then read a string or a <…> sequence.
      const ex = this.dirExpander;
      ex.reset(new DirectiveReader(args, dirTok), true);
      const toks: Token[] = [];
      for (;;) {
        const t = ex.getToken();
        if (t.kind === 'eof') break;
        if (t.kind !== 'padding') toks.push(t);
      }
      if (toks[0] && toks[0].kind === 'string' && toks[0].text.startsWith('"')) {
        spelled = toks[0].text.slice(1, -1);
        angled = false;
        rest = toks.slice(1);
      } else if (toks[0] && toks[0].kind === 'punct' && toks[0].text === '<') {
        const end = toks.findIndex((t, i) => i > 0 && t.kind === 'punct' && t.text === '>');
        if (end < 0) {
          this.report('error', 'missing terminating > character', tokenRange(first), st.includeSteps, 'cpp');
          return undefined;
        }
        spelled = spellTokens(toks.slice(1, end));
        angled = true;
        rest = toks.slice(end + 1);
      } else return this.badHeaderName(st, name, dirTok, args);
    }
    if (rest.length > 0) this.report('warning', `extra tokens at end of #${name} directive`, tokenRange(rest[0]), st.includeSteps, 'cpp');
    if (spelled.length === 0) {
      this.report('error', `empty filename in #${name}`, tokenRange(first), st.includeSteps, 'cpp');
      return undefined;
    }
    return { spelled, angled };
  }

  private badHeaderName(st: FileState, name: string, dirTok: Token, args: Token[]): undefined {
    this.report('error', `#${name} expects "FILENAME" or <FILENAME>`, args[0] ? tokenRange(args[0]) : tokenRange(dirTok), st.includeSteps, 'cpp');
    return undefined;
  }

  // ---- ExpanderHost ----

  error(message: string, range: SourceRange, severity: 'error' | 'warning' = 'error'): void {
    const st = this.files[this.files.length - 1];
    this.report(severity, message, range, st ? st.includeSteps : [], 'cpp');
  }

  /** `_Pragma("…")`: the string is run as a #pragma line. */
  pragmaOperator(text: string, at: Token): void {
    this.memoBlocked = true;
    if (this.rec) this.rec.unrepeatable = true;
    const st = this.files[this.files.length - 1];
    if (!st) return;
    const body = text.slice(text.indexOf('"') + 1, -1).replace(/\\(["\\])/g, '$1');
    // Report at the use in the text, also when _Pragma came out of a macro.
    let range = tokenRange(at);
    for (let f = at.frame; f; f = f.parent) range = f.site;
    const toks = lexFragment(body, at.file).map((t) => ({ ...t, file: range.file, line: range.line, col: range.column, endLine: range.endLine, endCol: range.endColumn }));
    this.pragma(st, range, toks);
  }

  used(macro: MacroDef, nameTok: Token): void {
    this.macroUses.push({ name: macro.name, range: tokenRange(nameTok) });
  }

  builtin(macro: MacroDef, nameTok: Token): Token | undefined {
    this.memoBlocked = true;
    const st = this.files[this.files.length - 1];
    if (this.rec && macro.special === '__LINE__' && this.files.length === 1) this.rec.lineUses.push(this.lineStart);
    if (this.rec && (macro.special === '__DATE__' || macro.special === '__TIME__')) this.rec.unrepeatable = true;
    return specialMacroValue(macro, nameTok, {
      lineOffset: st?.lineOffset ?? 0,
      file: st ? (st.presumedName ?? st.path) : this.mainPath,
      baseFile: this.mainPath,
      includeLevel: Math.max(0, this.files.length - 1),
      counter: () => this.counter++,
    });
  }

  private report(severity: Severity, message: string, range: SourceRange, expansion: ExpansionStep[], code: string): void {
    this.memoBlocked = true;
    this.diagnostics.push({ severity, message, origin: { range: safeRange(range), expansion }, code });
  }
}

/** Appends src[from..] to dst, a few thousand at a time (native copies; a spread of all could overflow the stack). */
function appendRange<T>(dst: T[], src: readonly T[], from: number): void {
  for (let k = from; k < src.length; k += 4096) dst.push(...src.slice(k, Math.min(src.length, k + 4096)));
}

/** Whether a[from..] holds the same data as b[bFrom..bTo) (plain data: strings, numbers, arrays, objects). */
function sameItems(a: readonly unknown[], from: number, b: readonly unknown[], bFrom: number, bTo: number): boolean {
  if (a.length - from !== bTo - bFrom) return false;
  for (let k = 0; k < bTo - bFrom; k++) if (!sameData(a[from + k], b[bFrom + k])) return false;
  return true;
}

function sameData(x: unknown, y: unknown): boolean {
  if (x === y) return true;
  if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null) return false;
  if (Array.isArray(x)) {
    if (!Array.isArray(y) || x.length !== y.length) return false;
    for (let k = 0; k < x.length; k++) if (!sameData(x[k], y[k])) return false;
    return true;
  }
  const kx = Object.keys(x);
  if (kx.length !== Object.keys(y).length) return false;
  for (const k of kx) if (!sameData((x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k])) return false;
  return true;
}

/**
 * `#include <…>` or `#include "…"` with nothing else on a one-line, comment-free line: the header as spelled and
 * the columns from `#` to the end of the name (what lineRange gives); undefined for anything else.
 */
function plainInclude(L: LogicalLine): { spelled: string; angled: boolean; from: number; to: number } | undefined {
  if (!L.verbatim || L.first !== L.last) return undefined;
  const m = PLAIN_INCLUDE.exec(L.text);
  const spelled = m ? (m[3] ?? m[4]) : '';
  // An empty name is an error: the token path reports it.
  if (!m || spelled.length === 0) return undefined;
  const from = m[1].length;
  return { spelled, angled: m[3] !== undefined, from, to: from + m[2].length };
}

/** Blanks as the lexer skips them (no \s: a no-break space is a token to cpp). */
const PLAIN_INCLUDE = /^([ \t\f\v\0]*)(#[ \t\f\v\0]*include[ \t\f\v\0]*(?:<([^>"']*)>|"([^"\\]*)"))[ \t\f\v\0]*$/;

/** The whole directive line, `#` to the end of its last token. */
function lineRange(L: LogicalLine): SourceRange {
  const toks = L.tokens ?? [];
  const a = toks[0];
  const b = toks[toks.length - 1];
  if (!a || !b) return { file: '', line: L.first, column: 0, endLine: L.first, endColumn: 0 };
  return spanRange(a, b);
}

/** Diagnostics always carry a well-formed range (non-negative, end not before start). */
function safeRange(r: SourceRange): SourceRange {
  const line = Math.max(0, r.line | 0);
  const column = Math.max(0, r.column | 0);
  let endLine = Math.max(line, r.endLine | 0);
  let endColumn = Math.max(0, r.endColumn | 0);
  if (endLine === line && endColumn < column) endColumn = column;
  if (!Number.isFinite(endLine)) endLine = line;
  return { file: r.file, line, column, endLine, endColumn };
}

/** Whether a pp-number (0x1007, 1f, .5, 1.5e+3) starts at `p` (`c` is its first character code). */
function startsPpNumber(text: string, p: number, c: number): boolean {
  if (c >= 48 && c <= 57) return true;
  if (c !== 46) return false;
  const d = text.charCodeAt(p + 1);
  return d >= 48 && d <= 57;
}

/** Where the pp-number whose second character is at `p` ends: letters inside it are not identifiers. */
function ppNumberEnd(text: string, p: number): number {
  const n = text.length;
  while (p < n) {
    const d = text.charCodeAt(p);
    const e = text.charCodeAt(p - 1) | 0x20;
    if ((d === 43 || d === 45) && (e === 101 || e === 112)) p++;
    else if (isIdentChar(d) || d === 46) p++;
    else break;
  }
  return p;
}

/** Where the identifier continuing at `p` ends. */
function identEnd(text: string, p: number): number {
  while (p < text.length && isIdentChar(text.charCodeAt(p))) p++;
  return p;
}
