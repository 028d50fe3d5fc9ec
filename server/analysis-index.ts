// Lookup tables over one analysis, built once per run so that hover, definition and friends answer in
// microseconds: statements by source line, by expansion site, and the numeric-label order.
import type { Analysis, Statement } from '../gas/index';
import type { ExpansionStep, Origin } from '../gas/source';

/** Statement indices by file, then by line (arrays indexed by line: no string keys on the hot path). */
type LineTable = Map<string, number[][]>;

export class AnalysisIndex {
  private readonly lines: LineTable = new Map();
  private readonly sites: LineTable = new Map();
  readonly statements: Statement[];
  /** Statement index of each named (non-numeric) label's definition. */
  private readonly labels = new Map<string, number>();

  constructor(readonly analysis: Analysis) {
    this.statements = analysis.statements;
    const st = this.statements;
    // Consecutive statements are nearly always from the same file: keep its table at hand.
    let file = '';
    let byLine: number[][] = [];
    for (let i = 0; i < st.length; i++) {
      const s = st[i];
      const r = s.origin.range;
      if (r.file !== file) byLine = table(this.lines, (file = r.file));
      add(byLine, r.line, i);
      if (s.kind === 'label' && !this.labels.has(s.name)) this.labels.set(s.name, i);
      const ex = s.origin.expansion;
      for (let k = 0; k < ex.length; k++) add(table(this.sites, ex[k].site.file), ex[k].site.line, i);
    }
  }

  /** Indices of statements written on this line (their own text, possibly inside a macro body). */
  onLine(file: string, line: number): number[] {
    return this.lines.get(file)?.[line] ?? [];
  }

  /** Indices of statements produced by an expansion (macro call, include, .rept, cpp macro) written on this line. */
  expandedFrom(file: string, line: number): number[] {
    return this.sites.get(file)?.[line] ?? [];
  }

  /** The statement at a position: the one written there whose range covers the column (first expansion wins). */
  statementAt(file: string, line: number, column: number): number | undefined {
    const own = this.onLine(file, line);
    const covering = own.filter((i) => {
      const r = this.statements[i].origin.range;
      return column >= r.column && (column <= r.endColumn || r.endLine > r.line);
    });
    const pick = covering.length ? covering : own;
    if (pick.length) return pick.find((i) => this.statements[i].origin.expansion.length === 0) ?? pick[0];
    // A line whose text came through a cpp macro (SYM_CODE_START(x)): statements expanded from it.
    const exp = this.expandedFrom(file, line).filter((i) => this.statements[i].origin.expansion.some((s) => s.kind === 'cpp-macro'));
    return exp[0];
  }

  /** Index of the statement defining label `name`. */
  labelStatement(name: string): number | undefined {
    return this.labels.get(name);
  }

  /** Code mode of the first instruction at or after label `name` (where execution entering there runs). */
  modeAtLabel(name: string): number | undefined {
    const at = this.labels.get(name);
    if (at === undefined) return undefined;
    for (let i = at; i < this.statements.length; i++) if (this.statements[i].kind === 'instruction') return this.statements[i].mode;
    return this.statements[at].mode;
  }

  /** Bytes a laid-out statement produced (fixups to other sections still read as zero). */
  bytesOf(s: Statement): Uint8Array | undefined {
    if (s.offset === undefined || !s.size) return undefined;
    const sec = this.analysis.sections.find((x) => x.name === s.section);
    if (!sec || sec.type === 'nobits') return undefined;
    return sec.bytes.subarray(s.offset, s.offset + s.size);
  }

  /** Resolves `Nb`/`Nf` as seen from statement `from`: the nearest `N:` before or after it in assembly order. */
  numericLabel(from: number, digits: string, direction: 'b' | 'f'): number | undefined {
    const st = this.statements;
    if (direction === 'b') {
      for (let i = from; i >= 0; i--) if (st[i].kind === 'label' && st[i].name === digits && i !== from) return i;
      if (st[from]?.kind === 'label' && st[from].name === digits) return undefined;
    } else {
      for (let i = from + 1; i < st.length; i++) if (st[i].kind === 'label' && st[i].name === digits) return i;
    }
    return undefined;
  }
}

function table(m: LineTable, file: string): number[][] {
  let byLine = m.get(file);
  if (!byLine) m.set(file, (byLine = []));
  return byLine;
}

function add(byLine: number[][], line: number, v: number): void {
  const l = byLine[line];
  // A statement nested in two expansions from the same line is listed once.
  if (!l) byLine[line] = [v];
  else if (l[l.length - 1] !== v) l.push(v);
}

/** The macro step for a call written at file:line, if the statement came from that call. */
export function stepAt(origin: Origin, file: string, line: number): { step: ExpansionStep; depth: number } | undefined {
  const ex = origin.expansion;
  for (let i = ex.length - 1; i >= 0; i--) {
    const s = ex[i];
    if (s.site.file === file && s.site.line === line) return { step: s, depth: ex.length - 1 - i };
  }
  return undefined;
}
