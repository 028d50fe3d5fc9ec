// Lookup tables over one analysis, built once per run so that hover, definition and friends answer in
// microseconds: statements by source line, by expansion site, and the numeric-label order.
import type { Analysis, Statement } from '../gas/index';
import type { ExpansionStep, Origin } from '../gas/source';

export class AnalysisIndex {
  readonly statements: Statement[];
  // Each table is built on first use: publishing diagnostics needs the labels and the scan, requests the lines.
  private lineTables: { lines: LineTable; sites: LineTable } | undefined;
  private labelTable: Map<string, number> | undefined;
  private scanned: StatementScan | undefined;

  constructor(readonly analysis: Analysis) {
    this.statements = analysis.statements;
  }

  private get tables(): { lines: LineTable; sites: LineTable } {
    if (this.lineTables) return this.lineTables;
    const st = this.statements;
    const lines = new LineTableBuilder();
    const sites = new LineTableBuilder();
    for (let i = 0; i < st.length; i++) {
      const origin = st[i].origin;
      const r = origin.range;
      lines.add(r.file, r.line, i);
      const ex = origin.expansion;
      for (let k = 0; k < ex.length; k++) {
        const site = ex[k].site;
        // A statement nested in two expansions from the same line is listed once.
        let seen = false;
        for (let q = 0; q < k && !seen; q++) seen = ex[q].site.line === site.line && ex[q].site.file === site.file;
        if (!seen) sites.add(site.file, site.line, i);
      }
    }
    return (this.lineTables = { lines: lines.build(), sites: sites.build() });
  }

  /** Statement index of each named (non-numeric) label's definition. */
  private get labels(): Map<string, number> {
    if (this.labelTable) return this.labelTable;
    const m = new Map<string, number>();
    const st = this.statements;
    for (let i = 0; i < st.length; i++) {
      const s = st[i];
      if (s.kind === 'label' && !m.has(s.name)) m.set(s.name, i);
    }
    return (this.labelTable = m);
  }

  /** The instruction statements the server's own checks look at, found in one pass. */
  get scan(): StatementScan {
    if (this.scanned) return this.scanned;
    const out: StatementScan = { startingWithL: [], notIn64: [] };
    const st = this.statements;
    for (let i = 0; i < st.length; i++) {
      const s = st[i];
      const ins = s.instruction;
      if (ins === undefined || s.kind !== 'instruction') continue;
      // Far transfers and descriptor-table loads (ljmp, lcall, lret, lgdt, lidt) all start with 'l'.
      if (ins.mnemonic.charCodeAt(0) === 108) out.startingWithL.push(i);
      if (s.mode !== 64) out.notIn64.push(i);
    }
    return (this.scanned = out);
  }

  /** Builds every table now (in idle time, so that the next request finds them). */
  prepare(): void {
    void this.tables;
    void this.labels;
  }

  /** Indices of statements written on this line (their own text, possibly inside a macro body). */
  onLine(file: string, line: number): number[] {
    return this.tables.lines.get(file, line);
  }

  /** Indices of statements produced by an expansion (macro call, include, .rept, cpp macro) written on this line. */
  expandedFrom(file: string, line: number): number[] {
    return this.tables.sites.get(file, line);
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

export interface StatementScan {
  /** Instructions whose mnemonic starts with 'l', in assembly order. */
  startingWithL: number[];
  /** Instructions assembled in 16- or 32-bit code. */
  notIn64: number[];
}

/**
 * Statement indices by file and line, as one offsets array per file into one list of indices (built in two passes
 * over flat number arrays: a table over 40 000 statements costs no per-line objects).
 */
class LineTable {
  constructor(private readonly files: Map<string, { offsets: Int32Array; items: Int32Array }>) {}
  get(file: string, line: number): number[] {
    const t = this.files.get(file);
    if (!t || line < 0 || line + 1 >= t.offsets.length) return [];
    return Array.from(t.items.subarray(t.offsets[line], t.offsets[line + 1]));
  }
}

class LineTableBuilder {
  private readonly fileIds = new Map<string, number>();
  private readonly names: string[] = [];
  private readonly file: number[] = [];
  private readonly line: number[] = [];
  private readonly value: number[] = [];
  private lastFile = '';
  private lastId = -1;

  add(file: string, line: number, value: number): void {
    if (file !== this.lastFile) {
      let id = this.fileIds.get(file);
      if (id === undefined) {
        id = this.names.length;
        this.fileIds.set(file, id);
        this.names.push(file);
      }
      this.lastFile = file;
      this.lastId = id;
    }
    this.file.push(this.lastId);
    this.line.push(line);
    this.value.push(value);
  }

  build(): LineTable {
    const files = new Map<string, { offsets: Int32Array; items: Int32Array }>();
    const maxLine = new Int32Array(this.names.length).fill(-1);
    for (let i = 0; i < this.file.length; i++) if (this.line[i] > maxLine[this.file[i]]) maxLine[this.file[i]] = this.line[i];
    const offsets = this.names.map((_, f) => new Int32Array(maxLine[f] + 2));
    for (let i = 0; i < this.file.length; i++) offsets[this.file[i]][this.line[i] + 1]++;
    for (const o of offsets) for (let l = 1; l < o.length; l++) o[l] += o[l - 1];
    const items = offsets.map((o) => new Int32Array(o[o.length - 1]));
    const fill = offsets.map((o) => o.slice(0, o.length - 1));
    // Values arrive in statement order, so each line's list is ascending, as the lookups expect.
    for (let i = 0; i < this.file.length; i++) {
      const f = this.file[i];
      items[f][fill[f][this.line[i]]++] = this.value[i];
    }
    this.names.forEach((name, f) => files.set(name, { offsets: offsets[f], items: items[f] }));
    return new LineTable(files);
  }
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
