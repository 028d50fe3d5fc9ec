// "Debug from here" on SYM_CODE_START/SYM_FUNC_START blocks and global labels: starts the debugger at that symbol
// in the start mode that fits the code mode of its first instruction. 32-bit code has no start mode of its own (the
// debugger's start modes are reset, boot-sector, ap and long64): the lens sends none, and the client starts the file
// from its real entry and runs to the symbol.
import type { CodeLens } from 'vscode-languageserver';
import type { DocAnalysis } from '../workspace';

export const DEBUG_FROM_HERE = 'x86Trampoline.debugFromHere';

/** The debugger start mode that enters code of this mode directly, if there is one. */
export function startFor(mode: number): 'ap' | 'long64' | undefined {
  return mode === 64 ? 'long64' : mode === 16 ? 'ap' : undefined;
}

export function codeLenses(r: DocAnalysis): CodeLens[] {
  const out: CodeLens[] = [];
  const seen = new Set<string>();
  const add = (line: number, col: number, symbol: string) => {
    if (seen.has(symbol)) return;
    seen.add(symbol);
    // The mode of the first instruction at or after the label, in assembly order.
    const mode = r.index.modeAtLabel(symbol) ?? 64;
    const start = startFor(mode);
    out.push({
      range: { start: { line, character: col }, end: { line, character: col + symbol.length } },
      command: { title: `▶ Debug from here (${mode}-bit)`, command: DEBUG_FROM_HERE, arguments: [{ uri: r.uri, symbol, ...(start ? { start } : {}), mode }] },
    });
  };
  r.lines.forEach((text, line) => {
    const m = /^\s*(SYM_(?:CODE|FUNC|INNER_LABEL|TYPED_FUNC)[A-Z_]*START[A-Z_]*|SYM_INNER_LABEL[A-Z_]*)\s*\(\s*([\w.$]+)/.exec(text);
    if (m) add(line, text.indexOf(m[2], text.indexOf('(')), m[2]);
  });
  for (const s of r.analysis.symbols.values()) {
    if (s.binding !== 'global' || s.definition?.kind !== 'label' || !s.defined || s.defined.range.file !== r.path) continue;
    if (s.type === 'object') continue;
    if (s.defined.expansion.length && !s.defined.expansion.every((e) => e.kind === 'cpp-macro')) continue;
    add(s.defined.range.line, s.defined.range.column, s.name);
  }
  return out.sort((a, b) => a.range.start.line - b.range.start.line);
}
