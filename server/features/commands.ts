// Commands run through workspace/executeCommand: the recursive expansion of the macro call at a position, and the
// whole file as the assembler saw it (after cpp and macros) with each line's origin.
import type { DocAnalysis } from '../workspace';
import { pathToUri } from '../uri';
import { expansionAt } from './expansion';

export const EXPAND_MACRO = 'x86Trampoline.expandMacro';
export const SHOW_PREPROCESSED = 'x86Trampoline.showPreprocessed';

export function expandMacroText(r: DocAnalysis, line: number): string | null {
  // A GAS macro call expands from its line; a cpp macro line (SYM_CODE_START(x)) also keeps what is written on it.
  const e = expansionAt(r, line) && r.index.onLine(r.path, line).some((i) => r.index.statements[i].kind === 'macro-call') ? expansionAt(r, line) : expansionAt(r, line, r.path, true);
  if (!e) return null;
  const call = (r.lines[line] ?? '').trim();
  return `# ${call}  (${e.bytes} bytes)\n${e.text}\n`;
}

export interface PreprocessedView {
  text: string;
  /** Per output line: where it came from (0-based line), and the chain of expansions that produced it. */
  origins: { uri: string; line: number; character: number; expansion: { kind: string; name: string; uri: string; line: number }[] }[];
}

export function preprocessedView(r: DocAnalysis): PreprocessedView {
  const lines: string[] = [];
  const origins: PreprocessedView['origins'] = [];
  const width = 48;
  for (const s of r.index.statements) {
    if (s.kind === 'empty') continue;
    const o = s.origin;
    const text = s.kind === 'label' ? s.text.trim() : '        ' + s.text.trim();
    const file = o.range.file === r.path ? '' : o.range.file.replace(/^.*\//, '');
    const via = o.expansion.length ? ` <- ${o.expansion.map((e) => `${e.name}@${e.site.line + 1}`).join(' <- ')}` : '';
    lines.push(`${text.padEnd(width)} # ${file ? file + ':' : ''}${o.range.line + 1}${via}`);
    origins.push({
      uri: pathToUri(o.range.file),
      line: o.range.line,
      character: o.range.column,
      expansion: o.expansion.map((e) => ({ kind: e.kind, name: e.name, uri: pathToUri(e.site.file), line: e.site.line })),
    });
  }
  return { text: lines.join('\n') + '\n', origins };
}
