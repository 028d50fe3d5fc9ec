// The text a macro call (or a cpp-macro line) turned into, read back from the analysis: only what was assembled,
// so `.if` branches not taken are absent, and nested calls are expanded in place.
import type { Statement } from '../../gas/index';
import type { DocAnalysis } from '../workspace';
import { stepAt } from '../analysis-index';

const conditional = /^\.(if\w*|else\w*|endif|endm|endmacro|endr|exitm)$/;

export interface ExpansionText {
  text: string;
  statements: Statement[];
  bytes: number;
  name: string;
}

/** Expansion of the call written on `line` of the document (GAS macro, .rept/.irp, or cpp macro). */
export function expansionAt(r: DocAnalysis, line: number, file = r.path, withOwn = false): ExpansionText | undefined {
  let idx = r.index.expandedFrom(file, line);
  // A cpp macro line also yields statements written on it directly (the label in SYM_CODE_START(x)).
  if (withOwn) idx = [...new Set([...idx, ...r.index.onLine(file, line).filter((i) => r.index.statements[i].origin.expansion.length === 0)])].sort((a, b) => a - b);
  if (!idx.length) return undefined;
  const lines: string[] = [];
  const stmts: Statement[] = [];
  let bytes = 0;
  let name = '';
  for (const i of idx) {
    const s = r.index.statements[i];
    const at = stepAt(s.origin, file, line) ?? (withOwn && s.origin.range.line === line ? { step: { name: '', kind: 'cpp-macro' as const, site: s.origin.range }, depth: 0 } : undefined);
    if (!at) continue;
    if (!name) name = at.step.name;
    if (s.kind === 'empty' || (s.kind === 'directive' && conditional.test(s.name))) continue;
    const indent = '    '.repeat(at.depth);
    if (s.kind === 'macro-call') {
      lines.push(`${indent}# ${s.text.trim()}`);
      continue;
    }
    stmts.push(s);
    bytes += s.size ?? 0;
    lines.push(s.kind === 'label' ? indent + s.text.trim() : `${indent}    ${s.text.trim()}`);
  }
  if (!stmts.length && !lines.length) return undefined;
  return { text: lines.join('\n'), statements: stmts, bytes, name };
}
