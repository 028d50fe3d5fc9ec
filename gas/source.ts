// Where every token, statement and emitted byte came from. Lines and columns are 0-based (LSP style);
// hosts add 1 when they print `file:line:col`.

export interface SourceRange {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/** One step of the chain that led to a piece of text: a #include, a cpp macro, a GAS macro, .rept/.irp. */
export interface ExpansionStep {
  kind: 'include' | 'cpp-macro' | 'macro' | 'rept' | 'irp';
  /** Macro or file name. */
  name: string;
  /** Where the include/call/repetition that caused this expansion is written. */
  site: SourceRange;
}

/** A source range plus the expansion stack, innermost call site first. */
export interface Origin {
  range: SourceRange;
  expansion: ExpansionStep[];
}

export type Severity = 'error' | 'warning' | 'info' | 'hint';

export interface Diagnostic {
  severity: Severity;
  message: string;
  origin: Origin;
  /** Stable machine-readable code, e.g. 'undefined-symbol', 'mode-register'. */
  code?: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  const r = d.origin.range;
  return `${r.file}:${r.line + 1}:${r.column + 1}: ${d.severity}: ${d.message}`;
}
