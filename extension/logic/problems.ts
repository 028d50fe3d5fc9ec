// The adapter's assembly errors (1-based lines and columns) as Problems-view entries (0-based ranges), per file.
import type { AssemblyErrorsEvent } from './protocol-types';

export type ProblemSeverity = 'error' | 'warning' | 'information' | 'hint';

export interface Problem {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: ProblemSeverity;
  message: string;
  code?: string;
}

/** Past any real line: the editor clamps it to the line's end. */
export const LINE_END = 10_000;

function severityOf(s: string): ProblemSeverity {
  const l = s.toLowerCase();
  return l === 'warning' ? 'warning' : l === 'info' || l === 'information' || l === 'note' ? 'information' : l === 'hint' ? 'hint' : 'error';
}

/** Groups by file; a range that ends before it starts (or on the same column) is widened to the rest of the line. */
export function problemsByFile(event: AssemblyErrorsEvent): Map<string, Problem[]> {
  const out = new Map<string, Problem[]>();
  for (const d of event.diagnostics ?? []) {
    if (typeof d.file !== 'string' || !d.file) continue;
    const line = Math.max(0, (d.line ?? 1) - 1);
    const column = Math.max(0, (d.column ?? 1) - 1);
    const endLine = Math.max(line, (d.endLine ?? d.line ?? 1) - 1);
    let endColumn = Math.max(0, (d.endColumn ?? d.column ?? 1) - 1);
    if (endLine === line && endColumn <= column) {
      endColumn = LINE_END;
    }
    const p: Problem = { line, column, endLine, endColumn, severity: severityOf(d.severity ?? 'error'), message: d.message };
    if (d.code) p.code = d.code;
    const list = out.get(d.file) ?? [];
    list.push(p);
    out.set(d.file, list);
  }
  return out;
}

/** What the language server already reports in a file (its diagnostics' 0-based lines and severities). */
export type ServerReported = (file: string) => Iterable<{ line: number; severity: ProblemSeverity }> | undefined;

/**
 * The launch's problems the language server does not already show: a launch problem on a line where the server has
 * a diagnostic of the same severity is the same assembler message seen twice in Problems, so it is dropped; files
 * the server has not analysed (closed includes, other documents) keep all of theirs.
 */
export function launchOnlyProblems(launch: Map<string, Problem[]>, server: ServerReported): Map<string, Problem[]> {
  const out = new Map<string, Problem[]>();
  for (const [file, list] of launch) {
    const shown = new Set<string>();
    for (const d of server(file) ?? []) shown.add(`${d.line}:${d.severity}`);
    const kept = list.filter((p) => !shown.has(`${p.line}:${p.severity}`));
    if (kept.length) out.set(file, kept);
  }
  return out;
}
