// Position queries over an analysis, for editors: what symbol or macro is at a cursor, and which statements a
// source line produced (directly or through macro expansions).
import type { FrontEndResult, MacroInfo, Statement, SymbolInfo } from './model';
import type { Origin, SourceRange } from './source';

function contains(r: SourceRange, file: string, line: number, column: number): boolean {
  if (r.file !== file) return false;
  if (line < r.line || line > r.endLine) return false;
  if (line === r.line && column < r.column) return false;
  if (line === r.endLine && column > r.endColumn) return false;
  return true;
}

/** A definition or reference written directly in the file (not a copy produced by a macro expansion). */
function written(o: Origin): boolean {
  return !o.expansion.some((e) => e.kind === 'macro' || e.kind === 'rept' || e.kind === 'irp');
}

export interface SymbolHit {
  symbol: SymbolInfo;
  /** The definition or reference range under the cursor. */
  range: SourceRange;
  isDefinition: boolean;
}

/** The symbol defined or referenced at a 0-based position, if any. Numeric local labels are included. */
export function symbolAt(a: FrontEndResult, file: string, line: number, column: number): SymbolHit | undefined {
  for (const s of a.symbols.values()) {
    if (s.defined && contains(s.defined.range, file, line, column)) return { symbol: s, range: s.defined.range, isDefinition: true };
    for (const r of s.references) if (contains(r.range, file, line, column)) return { symbol: s, range: r.range, isDefinition: false };
  }
  return undefined;
}

/** The macro whose definition line or call site is at a position. */
export function macroAt(a: FrontEndResult, file: string, line: number, column: number): MacroInfo | undefined {
  for (const m of a.macros.values()) {
    if (contains(m.definition.range, file, line, column)) return m;
    if (m.calls.some((c) => contains(c.range, file, line, column))) return m;
  }
  return undefined;
}

/** Statements whose text is on this line, and statements expanded from a macro call or repetition on it. */
export function statementsOnLine(a: FrontEndResult, file: string, line: number): Statement[] {
  return a.statements.filter(
    (s) =>
      (s.origin.range.file === file && s.origin.range.line === line) ||
      s.origin.expansion.some((e) => e.site.file === file && e.site.line === line),
  );
}

/** Every place a symbol is written in the source: its definition first, then references, without duplicates. */
export function symbolOccurrences(s: SymbolInfo): SourceRange[] {
  const out: SourceRange[] = [];
  const seen = new Set<string>();
  const add = (o: Origin) => {
    if (!written(o)) return;
    const r = o.range;
    const k = `${r.file}:${r.line}:${r.column}:${r.endColumn}`;
    if (seen.has(k)) return;
    seen.add(k);
    out.push(r);
  };
  if (s.defined) add(s.defined);
  for (const r of s.references) add(r);
  return out;
}

/** Statements grouped by the section they were assembled into, in source order. */
export function statementsBySection(a: FrontEndResult): Map<string, Statement[]> {
  const out = new Map<string, Statement[]>();
  for (const s of a.statements) {
    let l = out.get(s.section);
    if (!l) out.set(s.section, (l = []));
    l.push(s);
  }
  return out;
}
