// What a recorded preprocessor run keeps so that the next run of an edited main file can start at the edit and
// take the unchanged tail from this run: per top-level line of the main file (a "boundary", the state before
// the line is read) the lengths of the output lists and the counters, and after each directive line a snapshot
// of the state directives change (macros, conditionals, #pragma once, #line).
import type { Diagnostic, ExpansionStep, Origin, SourceRange } from '../source';
import { CopiedLine } from './copied-line';
import { ExpandedLine, SPAN } from './expanded-line';
import type { LexedFile } from './lexer';
import type { MacroDef } from './macro';
import type { CppMacroDefinition, CppMacroUse, IncludeRecord, OriginSegment, PreprocessedLine } from './types';

/** A conditional group as the driver tracks it (mutable while the group is open). */
export interface CondState {
  kind: string;
  range: SourceRange;
  outerSkipping: boolean;
  taken: boolean;
  skipping: boolean;
  sawElse: boolean;
}

/** The state directives change, as it was at a boundary (never mutated once taken). */
export interface Snapshot {
  macros: Map<string, MacroDef>;
  table: Map<string, CppMacroDefinition>;
  once: Set<string>;
  lexReported: Set<string>;
  pushedMacros: Map<string, (MacroDef | undefined)[]>;
  conds: CondState[];
  lineOffset?: number;
  presumedName?: string;
  cycleReported: boolean;
}

export interface RunRecord {
  path: string;
  /** The main file as lexed for this run. */
  lexed: LexedFile;
  out: PreprocessedLine[];
  diagnostics: Diagnostic[];
  includes: IncludeRecord[];
  macroUses: CppMacroUse[];
  table: Map<string, CppMacroDefinition>;
  /**
   * Per boundary k (0..lines.length): lengths of out/diagnostics/macroUses/includes before line k is read, -1
   * when line k was read as part of an earlier line (a macro call running over several lines).
   */
  outLen: Int32Array;
  diagLen: Int32Array;
  usesLen: Int32Array;
  inclLen: Int32Array;
  counter: Int32Array;
  processed: Float64Array;
  /** Highest line index looked at before boundary k (a macro name at a line end peeks for a `(` below). */
  peek: Int32Array;
  /** Index into `snapshots` of the state in force at boundary k, -1 when unknown. */
  snap: Int32Array;
  snapshots: Snapshot[];
  /** Boundaries whose line expanded __LINE__ (its value moves with the line). */
  lineUses: number[];
  /**
   * The output depends on more than the text: `_Pragma` ran (it can change macros outside a directive line), or
   * __DATE__/__TIME__ was expanded (a run now would print another time).
   */
  unrepeatable: boolean;
  budgetReported: boolean;
}

export function newRecord(path: string, lexed: LexedFile): RunRecord {
  const n = lexed.lines.length + 1;
  const minus = () => new Int32Array(n).fill(-1);
  return {
    path,
    lexed,
    out: [],
    diagnostics: [],
    includes: [],
    macroUses: [],
    table: new Map(),
    outLen: minus(),
    diagLen: minus(),
    usesLen: minus(),
    inclLen: minus(),
    counter: minus(),
    processed: new Float64Array(n),
    peek: minus(),
    snap: minus(),
    snapshots: [],
    lineUses: [],
    unrepeatable: false,
    budgetReported: false,
  };
}

/**
 * A map by object identity that stays two short arrays while small: one line's expansion (a memo hit) has a few
 * origins, and two Maps per line cost more than the lookups; a whole tail has thousands (then it is a Map).
 */
class IdentityCache<K extends object, V> {
  private keys: K[] = [];
  private values: V[] = [];
  private map: Map<K, V> | undefined;

  get(k: K): V | undefined {
    if (this.map) return this.map.get(k);
    const i = this.keys.indexOf(k);
    return i < 0 ? undefined : this.values[i];
  }

  set(k: K, v: V): void {
    if (this.map) {
      this.map.set(k, v);
      return;
    }
    this.keys.push(k);
    this.values.push(v);
    if (this.keys.length > 16) {
      this.map = new Map();
      for (let i = 0; i < this.keys.length; i++) this.map.set(this.keys[i], this.values[i]);
      this.keys = [];
      this.values = [];
    }
  }
}

/**
 * Moves positions in `file` at or below physical line `from` by `delta` lines (the tail of an edited file, or one
 * line's expansion reused on another line). Shared objects stay shared: each origin and stack is copied once.
 */
export class Relocator {
  private readonly origins = new IdentityCache<Origin, Origin>();
  private readonly stacks = new IdentityCache<ExpansionStep[], ExpansionStep[]>();

  /** Lines [from, to) of `file` move (to: the end of the file when omitted). */
  constructor(
    private readonly file: string,
    private readonly from: number,
    private readonly delta: number,
    private readonly to = Infinity,
  ) {}

  range(r: SourceRange): SourceRange {
    if (this.delta === 0 || r.file !== this.file || r.line < this.from || r.line >= this.to) return r;
    return { file: r.file, line: r.line + this.delta, column: r.column, endLine: r.endLine + this.delta, endColumn: r.endColumn };
  }

  stack(s: ExpansionStep[]): ExpansionStep[] {
    if (this.delta === 0 || s.length === 0) return s;
    let c = this.stacks.get(s);
    if (!c) {
      let moved = false;
      const steps = s.map((st) => {
        const site = this.range(st.site);
        if (site === st.site) return st;
        moved = true;
        return { kind: st.kind, name: st.name, site };
      });
      c = moved ? steps : s;
      this.stacks.set(s, c);
    }
    return c;
  }

  origin(o: Origin): Origin {
    if (this.delta === 0) return o;
    let c = this.origins.get(o);
    if (!c) {
      const range = this.range(o.range);
      const expansion = this.stack(o.expansion);
      c = range === o.range && expansion === o.expansion ? o : { range, expansion };
      this.origins.set(o, c);
    }
    return c;
  }

  line(l: PreprocessedLine): PreprocessedLine {
    if (this.delta === 0) return l;
    if (l instanceof CopiedLine) {
      const line = l.file === this.file && l.line >= this.from && l.line < this.to ? l.line + this.delta : l.line;
      const expansion = this.stack(l.expansion);
      return line === l.line && expansion === l.expansion ? l : new CopiedLine(l.text, l.file, line, expansion);
    }
    if (l instanceof ExpandedLine) return this.expanded(l);
    if (l.segments.length === 0) return l;
    let moved = false;
    const segments: OriginSegment[] = l.segments.map((s) => {
      const origin = this.origin(s.origin);
      if (origin === s.origin) return s;
      moved = true;
      return { start: s.start, end: s.end, origin };
    });
    return moved ? { text: l.text, segments } : l;
  }

  private expanded(line: ExpandedLine): ExpandedLine {
    const l = line.settled();
    let spans = l.spans;
    if (l.file === this.file) {
      for (let k = 2; k < spans.length; k += SPAN) {
        const line = spans[k];
        if (line < this.from || line >= this.to) continue;
        if (spans === l.spans) spans = spans.slice();
        spans[k] = line + this.delta;
      }
    }
    let origins = l.origins;
    for (let k = 0; k < origins.length; k++) {
      const o = origins[k];
      if (o === null) continue;
      const c = this.origin(o);
      if (c === o) continue;
      if (origins === l.origins) origins = origins.slice();
      origins[k] = c;
    }
    const expansion = this.stack(l.expansion);
    return spans === l.spans && origins === l.origins && expansion === l.expansion ? l : new ExpandedLine(l.text, spans, origins, l.file, expansion);
  }

  diagnostic(d: Diagnostic): Diagnostic {
    const origin = this.origin(d.origin);
    return origin === d.origin ? d : { ...d, origin };
  }

  include(i: IncludeRecord): IncludeRecord {
    const site = this.range(i.site);
    return site === i.site ? i : { ...i, site };
  }

  use(u: CppMacroUse): CppMacroUse {
    const range = this.range(u.range);
    return range === u.range ? u : { name: u.name, range };
  }

  definition(d: CppMacroDefinition): CppMacroDefinition {
    const location = this.range(d.location);
    return location === d.location ? d : { ...d, location };
  }
}
