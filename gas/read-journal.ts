// Resuming the GAS stage after an edit. A journaled read takes a checkpoint every few hundred top-level lines of
// the main file (frag chains split there, which changes no byte and no distance) and records, per chunk between
// checkpoints, the state of each symbol before the chunk first touched it. After an edit the read restores the last
// checkpoint before the first changed line and reads from there; at each later checkpoint whose input is unchanged it
// compares its state with the earlier read's, and once they agree it keeps the earlier read's remainder instead of
// reading it again. What a later chunk may have taken from an earlier one (a symbol's state, a frag it holds, a
// distance it measured) is what that comparison covers.
import type { Assembler, Frame } from './assembler';
import type { Frag, FragChain, Section, SectionType } from './frags';
import type { PreprocessedLine } from './cpp/types';
import type { MacroInfo, ModeChange, Statement, SymbolInfo } from './model';
import type { CodeMode } from '../isa/mode';
import type { Diagnostic, Origin } from './source';
import { firstLineIn, OriginMover, sameLineMoved, sameOrigin, type LineMove } from './line-shift';

/** The fields of a symbol that reading sets (its references are journaled by their count). */
const FIELDS = ['definition', 'defined', 'binding', 'visibility', 'type', 'sizeExpr', 'attributesFrom', 'equiv', 'eqv', 'assigned', 'earlier'] as const;
type Field = (typeof FIELDS)[number];
type SymbolFields = Pick<SymbolInfo, Field>;

interface Entry {
  chunk: number;
  symbol?: SymbolInfo;
  macro?: MacroInfo;
  /** The symbol's fields before the chunk touched it; undefined when the chunk created it. */
  before?: SymbolFields;
  /** Reference (or macro call) count before the chunk touched it. */
  refs: number;
}

interface SectionRef {
  section: Section;
  sub: number;
}

interface SectionMark {
  section: Section;
  flags: string;
  type: SectionType;
  alignment: number;
  flagsGiven: boolean;
  /** Each subsection chain and its frag count right after the checkpoint split it. */
  chains: { chain: FragChain; length: number }[];
}

/** The reader's state between two lines that a checkpoint keeps and a converged read takes over. */
interface ReaderState {
  mode: CodeMode;
  code16gcc: boolean;
  current: SectionRef;
  previous: SectionRef | undefined;
  sectionStack: { cur: SectionRef; prev?: SectionRef }[];
  macroNumber: number;
  expandedLines: number;
  includeCount: number;
  outputBytes: number;
  localCounters: Map<string, number>;
  macros: [string, MacroInfo, boolean][];
}

function readerState(asm: Assembler): ReaderState {
  return {
    mode: asm.mode,
    code16gcc: asm.code16gcc,
    current: { ...asm.current },
    previous: asm.previous && { ...asm.previous },
    sectionStack: asm.sectionStack.map((e) => ({ cur: { ...e.cur }, prev: e.prev && { ...e.prev } })),
    macroNumber: asm.macroNumber,
    expandedLines: asm.expandedLines,
    includeCount: asm.includeCount,
    outputBytes: asm.outputBytes,
    localCounters: new Map(asm.localCounters),
    macros: macroList(asm),
  };
}

function setReaderState(asm: Assembler, r: ReaderState): void {
  asm.mode = r.mode;
  asm.code16gcc = r.code16gcc;
  asm.current = { ...r.current };
  asm.previous = r.previous && { ...r.previous };
  asm.sectionStack.length = 0;
  for (const e of r.sectionStack) asm.sectionStack.push({ cur: { ...e.cur }, prev: e.prev && { ...e.prev } });
  asm.macroNumber = r.macroNumber;
  asm.expandedLines = r.expandedLines;
  asm.includeCount = r.includeCount;
  asm.outputBytes = r.outputBytes;
  asm.localCounters = new Map(r.localCounters);
  setMacros(asm, r.macros);
}

export interface Checkpoint extends ReaderState {
  /** Index of the main-file line the chunk starts at. */
  line: number;
  statements: number;
  diagnostics: number;
  modeChanges: number;
  skipped: number;
  entries: number;
  sections: SectionMark[];
}

/** What the read before the edit produced from the restored checkpoint on, kept until the read converges. */
interface EarlierRead {
  /** Its checkpoints from the restored one (index 0) on. */
  checkpoints: Checkpoint[];
  /** Its journal entries from the restored checkpoint on. */
  entries: Entry[];
  statements: Statement[];
  diagnostics: Diagnostic[];
  modeChanges: ModeChange[];
  skipped: Origin[];
  /** Frags of each chain from the restored checkpoint's first one on. */
  frags: Map<FragChain, Frag[]>;
  sections: [string, Section][];
  sectionAttributes: Map<Section, { flags: string; type: SectionType; alignment: number; flagsGiven: boolean; subsections: [number, FragChain][] }>;
  /** Macros defined from the restored checkpoint on (a read defining the same one again gets the same object). */
  macros: Map<string, MacroInfo>;
  end: ReaderState & {
    ended: boolean;
    stopped: boolean;
    openComment: Origin | undefined;
    readDiagnostics: number;
    chunk: number;
  };
}

/** A symbol or macro the earlier read touched from the restored checkpoint on, until this read touches it. */
interface Pending {
  /** Its first entry from the restored checkpoint on (state then, reference count then). */
  entry: Entry;
}

/** A target this read restored: its state at the end of the earlier read. */
interface Final {
  fields?: SymbolFields;
  /** Reference count at the earlier read's first entry from the checkpoint on. */
  firstRefs: number;
  /** References (macro calls) the earlier read added from the restored checkpoint on. */
  refs: Origin[];
}

export interface ResumeStats {
  /** Main-file line the read restarted at, and where it stopped reading (the end when it did not converge). */
  fromLine: number;
  toLine: number;
  /** True when the earlier read's remainder was kept. */
  converged: boolean;
  /** The last check that kept it from converging (for tests and stats). */
  diverged?: string;
}

type Target = SymbolInfo | MacroInfo;

export class ReadJournal {
  /** The main-file line at or after which the next checkpoint is taken. */
  nextBoundary = 0;
  readonly checkpoints: Checkpoint[] = [];
  entries: Entry[] = [];
  /** Per chunk: the last later chunk holding one of its frags (`x = label`), or -1. */
  private readonly capturedBy: number[] = [];
  /** Per chunk: the last later chunk that measured a distance across its frags while reading, or -1. */
  private readonly measuredBy: number[] = [];
  /** Symbols a resumed read took out of the table, kept so that a name gets its old object back. */
  private readonly graveyard = new Map<string, SymbolInfo>();
  private earlier: EarlierRead | undefined;
  /** Targets the earlier read touched that this read has not touched yet (their state is the earlier read's end). */
  private pending = new Map<Target, Pending>();
  /** Targets this read restored, with their state at the end of the earlier read. */
  private finals = new Map<Target, Final>();
  /** During a resumed read: index into earlier.checkpoints of the next boundary to compare at. */
  private nextEarlier = 0;
  /** First main-file line from which the new input equals the old one (Infinity: never). */
  private sameFrom = Infinity;
  /** The checkpoint a resumed read restarted from. */
  private resumedAt = 0;
  /** Lines the edit inserted (positive) or deleted in the main file, and from which old line index on they moved. */
  private lineDelta = 0;
  private movedFrom = Infinity;
  /** How positions in the main file moved for the unchanged rest (undefined: they did not). */
  private move: LineMove | undefined;
  stats: ResumeStats | undefined;

  constructor(readonly every = 256) {}

  // ------------------------------------------------------------------------------------------------------------
  // Recording (hooks the assembler calls)

  /** Journals a symbol the current chunk touches for the first time (`fromTable`: found or made by name). */
  touch(asm: Assembler, s: SymbolInfo, created: boolean, fromTable = true): void {
    if (this.earlier !== undefined) {
      const p = this.pending.get(s);
      if (p !== undefined) {
        this.pending.delete(s);
        this.finals.set(s, { fields: fieldsOf(s), refs: s.references.slice(p.entry.refs), firstRefs: p.entry.refs });
        s.references.length = p.entry.refs;
        if (p.entry.before) assignFields(s, p.entry.before);
        else {
          // The earlier read made it after the checkpoint: at this point of a full read it does not exist yet.
          assignFields(s, FRESH);
          if (!fromTable) {
            asm.symbols.delete(s.name);
            this.graveyard.set(s.name, s);
            s.journaled = -1;
            return;
          }
          created = true;
        }
      }
    }
    const chunk = asm.fragCounter.chunk;
    this.entries.push({ chunk, symbol: s, before: created ? undefined : fieldsOf(s), refs: created ? 0 : s.references.length });
    s.journaled = chunk;
  }

  touchMacro(asm: Assembler, m: MacroInfo): void {
    const chunk = asm.fragCounter.chunk;
    this.entries.push({ chunk, macro: m, refs: m.calls.length });
    m.journaled = chunk;
  }

  captured(asm: Assembler, chunk: number): void {
    const cur = asm.fragCounter.chunk;
    if (chunk < cur && (this.capturedBy[chunk] ?? -1) < cur) this.capturedBy[chunk] = cur;
  }

  measured(asm: Assembler, a: number, b: number): void {
    const cur = asm.fragCounter.chunk;
    for (let c = Math.min(a, b); c < cur; c++) if ((this.measuredBy[c] ?? -1) < cur) this.measuredBy[c] = cur;
  }

  /** A macro defined again exactly as the earlier read defined it is the same macro (the remainder calls it). */
  reviveMacro(key: string, m: MacroInfo & { lines: PreprocessedLine[] }): MacroInfo | undefined {
    const old = this.earlier?.macros.get(key) as (MacroInfo & { lines: PreprocessedLine[] }) | undefined;
    if (!old || old.name !== m.name || !sameOrigin(old.definition, m.definition) || (old.end === undefined) !== (m.end === undefined)) return undefined;
    if (old.end && m.end && !sameOrigin(old.end, m.end)) return undefined;
    if (JSON.stringify(old.params) !== JSON.stringify(m.params) || old.lines.length !== m.lines.length) return undefined;
    for (let i = 0; i < old.lines.length; i++) if (!sameLineMoved(old.lines[i], m.lines[i], undefined)) return undefined;
    this.earlier!.macros.delete(key);
    old.purged = undefined;
    return old;
  }

  revive(name: string): SymbolInfo | undefined {
    const s = this.graveyard.get(name);
    if (!s) return undefined;
    this.graveyard.delete(name);
    assignFields(s, FRESH);
    s.size = undefined;
    s.section = undefined;
    s.value = undefined;
    s.references.length = 0;
    s.journaled = -1;
    return s;
  }

  /** Called between top-level lines once `pos` reaches nextBoundary; false stops the read (the rest was kept). */
  boundary(asm: Assembler, pos: number): boolean {
    const earlier = this.earlier;
    if (earlier) {
      const cp = earlier.checkpoints[this.nextEarlier];
      if (cp && pos === this.newLine(cp)) {
        if (this.converges(asm, earlier, this.nextEarlier)) {
          this.splice(asm, earlier, this.nextEarlier);
          this.stats = { ...this.stats!, toLine: pos, converged: true };
          return false;
        }
        this.take(asm, pos);
        this.nextEarlier++;
        const next = earlier.checkpoints[this.nextEarlier];
        if (next && this.newLine(next) > pos) {
          this.nextBoundary = this.newLine(next);
          return true;
        }
        this.nextBoundary = pos + this.every;
        return true;
      }
      // A statement spanning lines stepped over the earlier read's checkpoint: no comparing from here on.
      this.nextEarlier = earlier.checkpoints.length;
    }
    this.take(asm, pos);
    this.nextBoundary = pos + this.every;
    return true;
  }

  /** Splits every frag chain and records the state a read can restart from. */
  private take(asm: Assembler, line: number): void {
    const index = this.checkpoints.length;
    asm.fragCounter.chunk = index;
    // The chain being written exists from here on (chains are made on first use).
    asm.current.section.chain(asm.current.sub);
    const sections: SectionMark[] = [];
    for (const section of asm.sections.values()) {
      const chains: SectionMark['chains'] = [];
      for (const chain of section.subsections.values()) {
        chain.closeWith({ kind: 'none' });
        chains.push({ chain, length: chain.frags.length });
      }
      sections.push({ section, flags: section.flags, type: section.type, alignment: section.alignment, flagsGiven: section.flagsGiven, chains });
    }
    // A chunk read again keeps what later chunks of the earlier read took from it (they may be kept).
    this.capturedBy[index] ??= -1;
    this.measuredBy[index] ??= -1;
    this.checkpoints.push({
      ...readerState(asm),
      line,
      statements: asm.statements.length,
      diagnostics: asm.diagnostics.length,
      modeChanges: asm.modeChanges.length,
      skipped: asm.skipped.length,
      entries: this.entries.length,
      sections,
    });
  }

  // ------------------------------------------------------------------------------------------------------------
  // Resuming

  /**
   * Sets `asm` (which finished a journaled read of `oldLines`) up to read `newLines` from the last checkpoint at or
   * before the first changed line; the caller then calls asm.read() and, when it read to the end, finish().
   * False when there is nothing to resume from.
   */
  resume(asm: Assembler, path: string, oldLines: PreprocessedLine[], newLines: PreprocessedLine[]): boolean {
    if (asm.stopped || this.checkpoints.length === 0) return false;
    const n = Math.min(oldLines.length, newLines.length);
    let first = 0;
    while (first < n && sameLineMoved(oldLines[first], newLines[first], undefined)) first++;
    // The unchanged rest: the same lines from the end, their positions in the main file moved by the lines the
    // edit inserted or deleted (the move is read off the last lines and checked on every line of the rest).
    const dL = newLines.length - oldLines.length;
    let move: LineMove | undefined;
    if (first < oldLines.length && first < newLines.length) {
      const from = firstLineIn(oldLines[first], path);
      const a = firstLineIn(oldLines[oldLines.length - 1], path);
      const b = firstLineIn(newLines[newLines.length - 1], path);
      if (from !== undefined && a !== undefined && b !== undefined && a !== b) move = { file: path, from, by: b - a };
    }
    let s = newLines.length;
    while (s - 1 >= first && s - 1 - dL >= first && sameLineMoved(oldLines[s - 1 - dL], newLines[s - 1], move)) s--;
    const sameFrom = s === newLines.length && dL !== 0 ? Infinity : s;
    this.lineDelta = dL;
    this.movedFrom = sameFrom - dL;
    this.move = move;
    let k = this.checkpoints.length - 1;
    while (k > 0 && this.checkpoints[k].line > first) k--;
    this.sameFrom = sameFrom;
    this.resumedAt = k;
    this.earlier = this.saveEarlier(asm, k);
    this.nextEarlier = 1;
    this.restore(asm, k, path, newLines);
    const next = this.earlier.checkpoints[1];
    this.nextBoundary = next ? this.newLine(next) : this.checkpoints[k].line + this.every;
    this.stats = { fromLine: this.checkpoints[k].line, toLine: newLines.length, converged: false };
    return true;
  }

  /** Where an earlier checkpoint's line is in the new input. */
  private newLine(cp: Checkpoint): number {
    return cp.line >= this.movedFrom ? cp.line + this.lineDelta : cp.line;
  }

  private saveEarlier(asm: Assembler, k: number): EarlierRead {
    const cp = this.checkpoints[k];
    const entries = this.entries.slice(cp.entries);
    this.pending.clear();
    this.finals.clear();
    for (const e of entries) {
      const t = (e.symbol ?? e.macro)!;
      if (!this.pending.has(t)) this.pending.set(t, { entry: e });
    }
    const frags = new Map<FragChain, Frag[]>();
    for (const mark of cp.sections) for (const { chain, length } of mark.chains) frags.set(chain, chain.frags.slice(length - 1));
    const sectionAttributes: EarlierRead['sectionAttributes'] = new Map();
    for (const s of asm.sections.values())
      sectionAttributes.set(s, { flags: s.flags, type: s.type, alignment: s.alignment, flagsGiven: s.flagsGiven, subsections: [...s.subsections.entries()] });
    const before = new Set(cp.macros.map((m) => m[1]));
    const macros = new Map<string, MacroInfo>();
    for (const [key, m] of asm.macros) if (!before.has(m)) macros.set(key, m);
    return {
      checkpoints: this.checkpoints.slice(k),
      entries,
      statements: asm.statements.slice(cp.statements),
      diagnostics: asm.diagnostics.slice(cp.diagnostics, asm.readDiagnostics),
      modeChanges: asm.modeChanges.slice(cp.modeChanges),
      skipped: asm.skipped.slice(cp.skipped),
      frags,
      sections: [...asm.sections.entries()],
      sectionAttributes,
      macros,
      end: {
        ...readerState(asm),
        ended: asm.ended,
        stopped: asm.stopped,
        openComment: asm.openComment,
        readDiagnostics: asm.readDiagnostics,
        chunk: asm.fragCounter.chunk,
      },
    };
  }

  /**
   * Puts `asm` back in the state of checkpoint k, reading `lines` (the main file) from the checkpoint's line.
   * Symbols are put back when this read first touches them (touch), so an edit costs what it reads again.
   */
  private restore(asm: Assembler, k: number, path: string, lines: PreprocessedLine[]): void {
    const cp = this.checkpoints[k];
    // Macro call lists are few: put back at once.
    for (const [t, p] of this.pending) {
      if (!('calls' in t)) continue;
      this.pending.delete(t);
      this.finals.set(t, { refs: t.calls.slice(p.entry.refs), firstRefs: p.entry.refs });
      t.calls.length = p.entry.refs;
      t.journaled = -1;
    }
    for (const [t] of this.pending) (t as SymbolInfo).journaled = -1;
    this.entries.length = cp.entries;
    this.checkpoints.length = k + 1;
    asm.statements.length = cp.statements;
    asm.diagnostics.length = cp.diagnostics;
    asm.modeChanges.length = cp.modeChanges;
    asm.skipped.length = cp.skipped;
    asm.fragCounter.chunk = k;
    const kept = new Set(cp.sections.map((m) => m.section));
    for (const [name, s] of [...asm.sections]) if (!kept.has(s)) asm.sections.delete(name);
    for (const mark of cp.sections) {
      const s = mark.section;
      s.flags = mark.flags;
      s.type = mark.type;
      s.alignment = mark.alignment;
      s.flagsGiven = mark.flagsGiven;
      const chains = new Set(mark.chains.map((c) => c.chain));
      for (const [sub, chain] of [...s.subsections]) if (!chains.has(chain)) s.subsections.delete(sub);
      for (const { chain, length } of mark.chains) chain.restart(length - 1);
    }
    setReaderState(asm, cp);
    asm.ended = false;
    asm.stopped = false;
    asm.openComment = undefined;
    asm.conds.length = 0;
    asm.macroDepth = 0;
    asm.frames.length = 0;
    const main: Frame = { lines, pos: cp.line, kind: 'file', file: path, condDepth: 0, inComment: false };
    asm.frames.push(main);
  }

  /** After a resumed read that went to the end: what it did not touch goes back to the checkpoint's state. */
  finish(asm: Assembler): void {
    if (!this.earlier) return;
    for (const [t, p] of this.pending) {
      const s = t as SymbolInfo;
      if (p.entry.before) {
        assignFields(s, p.entry.before);
        s.references.length = p.entry.refs;
      } else if (asm.symbols.get(s.name) === s) asm.symbols.delete(s.name);
    }
    this.reorderSymbols(asm);
    this.earlier = undefined;
    this.pending.clear();
    this.finals.clear();
    this.graveyard.clear();
  }

  /** Whether the state now equals the earlier read's at its checkpoint `j`, as far as its remainder depends on it. */
  private converges(asm: Assembler, earlier: EarlierRead, j: number): boolean {
    const cp = earlier.checkpoints[j];
    const start = earlier.checkpoints[0];
    // The checkpoint must lie in the unchanged rest on the earlier read's side (its lines, not just its number).
    if (cp.line < this.movedFrom) return this.diverged('input differs');
    // Macros the remainder defines hold its lines (and their positions): those would have to move too.
    if (this.move && earlier.end.macros.some(([, m]) => !cp.macros.some(([, n]) => n === m))) return this.diverged('macro after moved lines');
    if (asm.mode !== cp.mode || asm.code16gcc !== cp.code16gcc || asm.macroNumber !== cp.macroNumber) return this.diverged('mode or macro count');
    if (!sameRef(asm.current, cp.current) || !sameOptionalRef(asm.previous, cp.previous)) return this.diverged('section');
    if (asm.sectionStack.length !== cp.sectionStack.length) return this.diverged('section stack');
    for (let i = 0; i < cp.sectionStack.length; i++) {
      const a = asm.sectionStack[i];
      const b = cp.sectionStack[i];
      if (!sameRef(a.cur, b.cur) || !sameOptionalRef(a.prev, b.prev)) return this.diverged('section stack');
    }
    if (!sameCounters(asm.localCounters, cp.localCounters)) return this.diverged('local labels');
    const macros = macroList(asm);
    if (macros.length !== cp.macros.length) return this.diverged('macros');
    for (let i = 0; i < macros.length; i++) {
      const [ka, ma, pa] = macros[i];
      const [kb, mb, pb] = cp.macros[i];
      if (ka !== kb || ma !== mb || pa !== pb) return this.diverged('macros');
    }
    if (asm.sections.size !== cp.sections.length) return this.diverged('sections');
    for (const mark of cp.sections) {
      const s = mark.section;
      if (asm.sections.get(s.name) !== s) return this.diverged('sections');
      if (s.flags !== mark.flags || s.type !== mark.type || s.alignment !== mark.alignment || s.flagsGiven !== mark.flagsGiven) return this.diverged('section attributes');
      if (s.subsections.size !== mark.chains.length) return this.diverged('subsections');
      for (const { chain } of mark.chains) if (s.subsections.get(subOf(s, chain)) !== chain) return this.diverged('subsections');
    }
    // Chains the restored checkpoint did not have were made in between: the remainder's frags would not join up.
    if (cp.sections.length !== start.sections.length) return this.diverged('new sections');
    for (let i = 0; i < cp.sections.length; i++) if (cp.sections[i].chains.length !== start.sections[i].chains.length) return this.diverged('new subsections');

    const k = this.resumedAt;
    const jChunk = k + j;
    for (let c = k; c < jChunk; c++) if ((this.capturedBy[c] ?? -1) >= jChunk) return this.diverged('frag held later');
    const position = this.fragPositions(earlier, j);
    if (position.sizesChanged) for (let c = k; c < jChunk; c++) if ((this.measuredBy[c] ?? -1) >= jChunk) return this.diverged('distance measured later');

    // Symbols the remainder touches must look the same to it as they did.
    const affected = this.affected(earlier, j);
    const later = this.laterFirst(earlier, j, affected);
    for (const t of affected) {
      if ('calls' in t) continue;
      const e = later.get(t);
      if (!e) continue;
      const now = this.stateNow(asm, t);
      // The remainder made it, or found it untouched: the same to it as a symbol only mentioned so far.
      if (!e.before) {
        if (now && !isFresh(now)) return this.diverged('symbol made later');
      } else if (!now) {
        if (!isFresh(e.before)) return this.diverged('symbol made later');
      } else if (!sameFields(now, e.before, position.same)) return this.diverged('symbol state');
    }
    return true;
  }

  private diverged(where: string): false {
    if (this.stats && !this.stats.diverged) this.stats.diverged = where;
    return false;
  }

  /** A target's state now: this read's when it touched it, else the checkpoint's (undefined: does not exist). */
  private stateNow(asm: Assembler, s: SymbolInfo): SymbolFields | undefined {
    const p = this.pending.get(s);
    if (p) return p.entry.before;
    return asm.symbols.get(s.name) === s ? s : undefined;
  }

  /** Targets whose state may differ at checkpoint j: touched by this read or by the earlier one before j. */
  private affected(earlier: EarlierRead, j: number): Set<Target> {
    const out = new Set<Target>(this.finals.keys());
    const startEntries = earlier.checkpoints[0].entries;
    const upTo = earlier.checkpoints[j].entries - startEntries;
    for (let i = 0; i < upTo; i++) {
      const e = earlier.entries[i];
      out.add((e.symbol ?? e.macro)!);
    }
    for (const s of this.graveyard.values()) out.add(s);
    return out;
  }

  /** For each of `targets`, the earlier read's first entry from checkpoint j on. */
  private laterFirst(earlier: EarlierRead, j: number, targets: Set<Target>): Map<Target, Entry> {
    const out = new Map<Target, Entry>();
    const from = earlier.checkpoints[j].entries - earlier.checkpoints[0].entries;
    for (let i = from; i < earlier.entries.length; i++) {
      const e = earlier.entries[i];
      const t = (e.symbol ?? e.macro)!;
      if (targets.has(t) && !out.has(t)) out.set(t, e);
    }
    return out;
  }

  /**
   * Pairs the frags the earlier read made between its restored checkpoint and checkpoint j with the ones made
   * now (same chain, same position): a label at the same position in its chunk is at the same place.
   */
  private fragPositions(earlier: EarlierRead, j: number): { same: (a: Frag, b: Frag) => boolean; sizesChanged: boolean } {
    const start = earlier.checkpoints[0];
    const cp = earlier.checkpoints[j];
    const oldIndex = new Map<Frag, number>();
    const newIndex = new Map<Frag, number>();
    let sizesChanged = false;
    let base = 0;
    for (let si = 0; si < start.sections.length; si++) {
      for (let ci = 0; ci < start.sections[si].chains.length; ci++) {
        const { chain, length } = start.sections[si].chains[ci];
        const oldFrags = earlier.frags.get(chain)!.slice(0, cp.sections[si].chains[ci].length - length);
        const newFrags = chain.frags.slice(length - 1);
        if (oldFrags.length !== newFrags.length) sizesChanged = true;
        for (let i = 0; i < oldFrags.length; i++) {
          oldIndex.set(oldFrags[i], base + i);
          const nf = newFrags[i];
          if (!nf || nf.size !== oldFrags[i].size || nf.isFixed !== oldFrags[i].isFixed) sizesChanged = true;
        }
        for (let i = 0; i < newFrags.length; i++) newIndex.set(newFrags[i], base + i);
        base += Math.max(oldFrags.length, newFrags.length) + 1;
      }
    }
    return {
      same: (a, b) => a === b || (oldIndex.has(a) && oldIndex.get(a) === newIndex.get(b)),
      sizesChanged,
    };
  }

  /** Joins what was read now (up to checkpoint j) with the earlier read's remainder from checkpoint j on. */
  private splice(asm: Assembler, earlier: EarlierRead, j: number): void {
    const start = earlier.checkpoints[0];
    const cp = earlier.checkpoints[j];
    if (this.move) this.moveRemainder(asm, earlier, j, new OriginMover(this.move));
    const dStatements = asm.statements.length - cp.statements;
    const dDiagnostics = asm.diagnostics.length - cp.diagnostics;
    const dModes = asm.modeChanges.length - cp.modeChanges;
    const dSkipped = asm.skipped.length - cp.skipped;

    // Frags: this read's end of each chain continues with the earlier read's frags from checkpoint j on; those
    // name statements by index, which moved by dStatements.
    const dLength = new Map<FragChain, number>();
    for (let si = 0; si < start.sections.length; si++) {
      for (let ci = 0; ci < start.sections[si].chains.length; ci++) {
        const { chain, length } = start.sections[si].chains[ci];
        const rest = earlier.frags.get(chain)!.slice(cp.sections[si].chains[ci].length - length);
        const before = chain.frags.length;
        chain.continueWith(rest);
        dLength.set(chain, before + 1 - cp.sections[si].chains[ci].length);
        if (dStatements !== 0) for (const f of rest) renumberSpans(f, dStatements);
      }
    }
    // Sections and chains made after checkpoint j come back whole.
    for (const [s, a] of earlier.sectionAttributes) {
      for (const [sub, chain] of a.subsections) {
        if (!dLength.has(chain) && dStatements !== 0) for (const f of chain.frags) renumberSpans(f, dStatements);
        s.subsections.set(sub, chain);
      }
      s.flags = a.flags;
      s.type = a.type;
      s.alignment = a.alignment;
      s.flagsGiven = a.flagsGiven;
    }
    asm.sections.clear();
    for (const [name, s] of earlier.sections) asm.sections.set(name, s);

    appendFrom(asm.statements, earlier.statements, cp.statements - start.statements);
    appendFrom(asm.diagnostics, earlier.diagnostics, cp.diagnostics - start.diagnostics);
    appendFrom(asm.modeChanges, earlier.modeChanges, cp.modeChanges - start.modeChanges);
    appendFrom(asm.skipped, earlier.skipped, cp.skipped - start.skipped);

    // Symbols and macro calls whose state may differ: this read's state, then what the remainder did on top of it.
    // A field the remainder did not set keeps this read's value (a label here points at this read's frag).
    const affected = this.affected(earlier, j);
    const later = this.laterFirst(earlier, j, affected);
    const refDelta = new Map<Target, number>();
    const fieldNow = new Map<SymbolInfo, SymbolFields>();
    const fieldAtJ = new Map<SymbolInfo, SymbolFields>();
    let orderChanged = false;
    for (const t of affected) {
      const e = later.get(t);
      if ('calls' in t) {
        const fin = this.finals.get(t);
        if (!fin || !e) continue;
        refDelta.set(t, t.calls.length - e.refs);
        for (let i = e.refs - fin.firstRefs; i < fin.refs.length; i++) t.calls.push(fin.refs[i]);
        continue;
      }
      const s = t;
      const p = this.pending.get(s);
      const fin = this.finals.get(s);
      if (!p && !fin) continue;
      // Untouched by this read: its state at the checkpoint, and its earlier end state.
      const finalFields = fin?.fields ?? fieldsOf(s);
      const finalRefs = fin ? fin.refs : s.references.slice(p!.entry.refs);
      const firstRefs = fin ? fin.firstRefs : p!.entry.refs;
      if (p) {
        if (p.entry.before) {
          assignFields(s, p.entry.before);
          s.references.length = p.entry.refs;
        } else {
          s.references.length = 0;
          if (asm.symbols.get(s.name) === s) asm.symbols.delete(s.name);
          assignFields(s, FRESH);
          orderChanged = true;
        }
        this.pending.delete(s);
      }
      if (!e) {
        s.journaled = -1;
        continue;
      }
      const exists = asm.symbols.get(s.name) === s;
      if (!exists) {
        // Not mentioned up to here now: the remainder makes it (converges() checked that it found it untouched).
        this.graveyard.delete(s.name);
        asm.symbols.set(s.name, s);
        s.references.length = 0;
        refDelta.set(s, -e.refs);
        e.before = undefined;
        assignFields(s, finalFields);
        orderChanged = true;
      } else {
        const now = fieldsOf(s);
        const atJ = e.before ? { ...e.before } : fieldsOf(FRESH);
        if (!e.before) orderChanged = true;
        fieldNow.set(s, now);
        fieldAtJ.set(s, atJ);
        refDelta.set(s, s.references.length - e.refs);
        // The remainder made a symbol that exists already: for it, now one it touches.
        if (!e.before) e.before = { ...atJ };
        const merged = {} as Record<Field, unknown>;
        for (const f of FIELDS) merged[f] = finalFields[f] === atJ[f] ? now[f] : finalFields[f];
        assignFields(s, merged as SymbolFields);
      }
      for (let i = e.refs - firstRefs; i < finalRefs.length; i++) s.references.push(finalRefs[i]);
      s.journaled = -1;
    }
    // The remainder's journal entries, fixed up the same way.
    const from = cp.entries - start.entries;
    for (let i = from; i < earlier.entries.length; i++) {
      const e = earlier.entries[i];
      const t = (e.symbol ?? e.macro)!;
      const d = refDelta.get(t);
      if (d === undefined) continue;
      e.refs += d;
      if (e.symbol && e.before) {
        const atJ = fieldAtJ.get(e.symbol);
        const now = fieldNow.get(e.symbol);
        if (atJ && now) for (const f of FIELDS) if (e.before[f] === atJ[f]) (e.before as Record<Field, unknown>)[f] = now[f];
      }
    }
    const entryBase = this.entries.length;
    appendFrom(this.entries, earlier.entries, from);
    if (orderChanged || this.creationsDiffer(earlier, j)) this.reorderSymbols(asm);

    const dEntries = entryBase - cp.entries;
    for (let i = j; i < earlier.checkpoints.length; i++) {
      const c = earlier.checkpoints[i];
      c.line += this.lineDelta;
      c.statements += dStatements;
      c.diagnostics += dDiagnostics;
      c.modeChanges += dModes;
      c.skipped += dSkipped;
      c.entries += dEntries;
      c.expandedLines += asm.expandedLines - cp.expandedLines;
      c.includeCount += asm.includeCount - cp.includeCount;
      c.outputBytes += asm.outputBytes - cp.outputBytes;
      for (const mark of c.sections) for (const ch of mark.chains) ch.length += dLength.get(ch.chain) ?? 0;
      this.checkpoints.push(c);
    }
    const end = earlier.end;
    // The counters went on from where this read is; the rest is the earlier read's end state.
    const expandedLines = asm.expandedLines + end.expandedLines - cp.expandedLines;
    const includeCount = asm.includeCount + end.includeCount - cp.includeCount;
    const outputBytes = asm.outputBytes + end.outputBytes - cp.outputBytes;
    setReaderState(asm, { ...end, expandedLines, includeCount, outputBytes });
    asm.readDiagnostics = end.readDiagnostics + dDiagnostics;
    asm.ended = end.ended;
    asm.stopped = end.stopped;
    asm.openComment = end.openComment;
    asm.fragCounter.chunk = end.chunk;
    asm.frames.length = 0;
    this.nextBoundary = Infinity;
    this.earlier = undefined;
    this.pending.clear();
    this.finals.clear();
    this.graveyard.clear();
  }

  /**
   * Moves the positions the earlier read's remainder holds (from checkpoint j on) by the lines the edit inserted
   * or deleted: before it is spliced on, while everything it can reach is still the earlier read's own.
   */
  private moveRemainder(asm: Assembler, earlier: EarlierRead, j: number, mover: OriginMover): void {
    const start = earlier.checkpoints[0];
    const cp = earlier.checkpoints[j];
    for (let i = cp.statements - start.statements; i < earlier.statements.length; i++) {
      const st = earlier.statements[i];
      st.origin = mover.origin(st.origin);
    }
    for (let i = cp.diagnostics - start.diagnostics; i < earlier.diagnostics.length; i++) {
      const d = earlier.diagnostics[i];
      earlier.diagnostics[i] = { ...d, origin: mover.origin(d.origin) };
    }
    for (let i = cp.modeChanges - start.modeChanges; i < earlier.modeChanges.length; i++) {
      const m = earlier.modeChanges[i];
      earlier.modeChanges[i] = { ...m, origin: mover.origin(m.origin) };
    }
    mover.list(earlier.skipped, cp.skipped - start.skipped);
    const moveFrag = (f: Frag) => {
      for (const fx of f.fixups) fx.origin = mover.origin(fx.origin);
      if (f.varSpan) f.varSpan = { ...f.varSpan, origin: mover.origin(f.varSpan.origin) };
    };
    const joined = new Set<FragChain>();
    for (let si = 0; si < start.sections.length; si++) {
      for (let ci = 0; ci < start.sections[si].chains.length; ci++) {
        const { chain, length } = start.sections[si].chains[ci];
        joined.add(chain);
        for (const f of earlier.frags.get(chain)!.slice(cp.sections[si].chains[ci].length - length)) moveFrag(f);
      }
    }
    for (const a of earlier.sectionAttributes.values()) for (const [, chain] of a.subsections) if (!joined.has(chain)) chain.frags.forEach(moveFrag);
    // Symbols: what this read touched is its own (new positions); their earlier state is in `finals`.
    const moveFields = (f: SymbolFields) => {
      f.defined = mover.origin(f.defined);
      if (f.sizeExpr) f.sizeExpr = { ...f.sizeExpr, origin: mover.origin(f.sizeExpr.origin) };
    };
    const touchedNow = new Set<SymbolInfo>();
    for (let i = start.entries; i < this.entries.length; i++) if (this.entries[i].symbol) touchedNow.add(this.entries[i].symbol!);
    for (const s of [...asm.symbols.values(), ...this.graveyard.values()]) {
      if (this.finals.has(s) || touchedNow.has(s)) continue;
      moveFields(s);
      mover.list(s.references);
    }
    for (const fin of this.finals.values()) {
      if (fin.fields) moveFields(fin.fields);
      mover.list(fin.refs);
    }
    for (let i = cp.entries - start.entries; i < earlier.entries.length; i++) {
      const b = earlier.entries[i].before;
      if (b) moveFields(b);
    }
    earlier.end.openComment = mover.origin(earlier.end.openComment);
  }

  /** Whether this read made different symbols, or in another order, than the earlier read did before j. */
  private creationsDiffer(earlier: EarlierRead, j: number): boolean {
    const made: SymbolInfo[] = [];
    for (let i = this.checkpoints[this.resumedAt].entries; i < this.entries.length; i++) {
      const e = this.entries[i];
      if (e.chunk >= this.resumedAt + j) break;
      if (e.symbol && !e.before) made.push(e.symbol);
    }
    let n = 0;
    const upTo = earlier.checkpoints[j].entries - earlier.checkpoints[0].entries;
    for (let i = 0; i < upTo; i++) {
      const e = earlier.entries[i];
      if (e.symbol && !e.before && made[n++] !== e.symbol) return true;
    }
    return n !== made.length;
  }

  /** The symbol table in the order a full read makes it: symbols made before the checkpoint, then in journal order. */
  private reorderSymbols(asm: Assembler): void {
    const made = new Set<SymbolInfo>();
    const order: SymbolInfo[] = [];
    for (let i = this.checkpoints[this.resumedAt].entries; i < this.entries.length; i++) {
      const e = this.entries[i];
      if (e.symbol && !e.before && asm.symbols.get(e.symbol.name) === e.symbol && !made.has(e.symbol)) {
        made.add(e.symbol);
        order.push(e.symbol);
      }
    }
    const all = [...asm.symbols.values()].filter((s) => !made.has(s));
    asm.symbols.clear();
    for (const s of all) asm.symbols.set(s.name, s);
    for (const s of order) asm.symbols.set(s.name, s);
  }
}

function appendFrom<T>(to: T[], from: T[], start: number): void {
  for (let i = start; i < from.length; i++) to.push(from[i]);
}

function setMacros(asm: Assembler, list: [string, MacroInfo, boolean][]): void {
  asm.macros.clear();
  for (const [key, m, purged] of list) {
    m.purged = purged || undefined;
    asm.macros.set(key, m);
  }
}

// ---------------------------------------------------------------------------------------------------------------

/** A symbol only mentioned so far. */
const FRESH: SymbolFields = { definition: undefined, defined: undefined, binding: 'local', visibility: 'default', type: undefined, sizeExpr: undefined, attributesFrom: undefined, equiv: undefined, eqv: undefined };

function isFresh(f: SymbolFields): boolean {
  return f.definition === undefined && f.binding === 'local' && f.visibility === 'default' && f.type === undefined && f.sizeExpr === undefined && f.attributesFrom === undefined && !f.equiv && !f.eqv && !f.assigned && !f.earlier;
}

function fieldsOf(s: SymbolFields): SymbolFields {
  return {
    definition: s.definition,
    defined: s.defined,
    binding: s.binding,
    visibility: s.visibility,
    type: s.type,
    sizeExpr: s.sizeExpr,
    attributesFrom: s.attributesFrom,
    equiv: s.equiv,
    eqv: s.eqv,
    assigned: s.assigned,
    earlier: s.earlier,
  };
}

function assignFields(s: SymbolInfo, f: SymbolFields): void {
  s.definition = f.definition;
  s.defined = f.defined;
  s.binding = f.binding;
  s.visibility = f.visibility;
  s.type = f.type;
  s.sizeExpr = f.sizeExpr;
  s.attributesFrom = f.attributesFrom;
  s.equiv = f.equiv;
  s.eqv = f.eqv;
  s.assigned = f.assigned;
  s.earlier = f.earlier;
}

/** Same meaning for what later chunks can see: positions instead of frag identity, texts instead of origins. */
function sameFields(now: SymbolFields, then: SymbolFields, sameFrag: (old: Frag, now: Frag) => boolean): boolean {
  if (now.binding !== then.binding || now.visibility !== then.visibility || now.type !== then.type) return false;
  if (now.attributesFrom !== then.attributesFrom || now.equiv !== then.equiv || now.eqv !== then.eqv || !now.assigned !== !then.assigned) return false;
  if ((now.earlier?.length ?? 0) !== (then.earlier?.length ?? 0)) return false;
  if ((now.sizeExpr?.text ?? '') !== (then.sizeExpr?.text ?? '')) return false;
  const a = then.definition;
  const b = now.definition;
  if (a === b) return true;
  if (!a || !b || a.kind !== b.kind) return false;
  if (a.kind === 'absolute') return b.kind === 'absolute' && a.value === b.value;
  if (a.kind === 'expression') return b.kind === 'expression' && a.text === b.text;
  if (b.kind !== 'label') return false;
  return a.place.section === b.place.section && a.place.offset === b.place.offset && sameFrag(a.place.frag as Frag, b.place.frag as Frag);
}

function macroList(asm: Assembler): [string, MacroInfo, boolean][] {
  return [...asm.macros].map(([k, m]) => [k, m, !!m.purged]);
}

function sameRef(a: SectionRef, b: SectionRef): boolean {
  return a.section === b.section && a.sub === b.sub;
}

function sameOptionalRef(a: SectionRef | undefined, b: SectionRef | undefined): boolean {
  return a === undefined || b === undefined ? a === b : sameRef(a, b);
}

function sameCounters(a: Map<string, number>, b: Map<string, number>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

function subOf(s: Section, chain: FragChain): number {
  for (const [sub, c] of s.subsections) if (c === chain) return sub;
  return -1;
}

function renumberSpans(f: Frag, delta: number): void {
  const spans = f.spans;
  for (let i = 2; i < spans.length; i += 3) spans[i] += delta;
  if (f.varSpan) f.varSpan = { ...f.varSpan, statement: f.varSpan.statement + delta };
}
