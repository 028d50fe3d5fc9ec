// Document outline (SYM_* blocks with the labels inside them, labels, macros, sections), workspace symbols,
// folding ranges and include links.
import { FoldingRangeKind, SymbolKind, type DocumentLink, type DocumentSymbol, type FoldingRange, type SymbolInformation } from 'vscode-languageserver';
import type { DocAnalysis } from '../workspace';
import { pathToUri } from '../uri';
import { lineTokens } from './common';

const symStart = /^\s*(SYM_[A-Z_]*START[A-Z_]*)\s*\(\s*([\w.$]+)/;
const symEnd = /^\s*(SYM_[A-Z_]*END[A-Z_]*)\s*\(\s*([\w.$]+)/;
const symSingle = /^\s*(SYM_DATA|SYM_DATA_LOCAL|SYM_ENTRY)\s*\(\s*([\w.$]+)/;
const sectionDirective = /^\s*(\.section\s+("?[\w.$@-]+"?)|\.(text|data|bss)\b)/;
const labelDef = /^\s*([A-Za-z_.$][\w.$]*)\s*:(?!:)/;
const assignDef = /^\s*([A-Za-z_.$][\w.$]*)\s*=(?!=)/;
const macroDef = /^\s*\.macro\s+([\w.$]+)/i;

function lineRange(line: number, start: number, end: number) {
  return { start: { line, character: start }, end: { line, character: end } };
}

export function documentSymbols(r: DocAnalysis): DocumentSymbol[] {
  const top: DocumentSymbol[] = [];
  const blocks: { sym: DocumentSymbol; name: string; startLine: number }[] = [];
  let section: DocumentSymbol | undefined;
  const lines = r.lines;
  // Lines are visited in order, so the enclosing SYM block is the innermost open one still covering the line.
  const containerFor = (line: number): DocumentSymbol[] => {
    while (blocks.length && (blocks[blocks.length - 1].sym.range.end.line < line || blocks[blocks.length - 1].sym.range.end.line === blocks[blocks.length - 1].startLine)) blocks.pop();
    const b = blocks[blocks.length - 1];
    if (b) return (b.sym.children ??= []);
    return section ? (section.children ??= []) : top;
  };
  // First pass: SYM_*_START … SYM_*_END extents.
  const open: { kind: string; name: string; line: number; col: number }[] = [];
  const extents: { kind: string; name: string; start: number; end: number; col: number }[] = [];
  lines.forEach((text, line) => {
    let m = symStart.exec(text);
    if (m) { open.push({ kind: m[1], name: m[2], line, col: text.indexOf(m[2], text.indexOf('(')) }); return; }
    m = symEnd.exec(text);
    if (m) {
      const i = open.map((o) => o.name).lastIndexOf(m[2]);
      if (i >= 0) { const o = open.splice(i, 1)[0]; extents.push({ kind: o.kind, name: o.name, start: o.line, end: line, col: o.col }); }
    }
  });
  for (const o of open) extents.push({ kind: o.kind, name: o.name, start: o.line, end: o.line, col: o.col });
  const extentAt = new Map(extents.map((e) => [e.start, e]));
  let inMacro = false;
  lines.forEach((text, line) => {
    const toks = lineTokens(r, line);
    if (toks.length && toks[0].kind === 'comment') return;
    const sec = sectionDirective.exec(text);
    if (sec) {
      const name = sec[2] ? sec[2].replace(/"/g, '') : '.' + sec[3];
      if (section) section.range.end = { line: Math.max(line - 1, section.range.start.line), character: 0 };
      section = { name, kind: SymbolKind.Namespace, range: lineRange(line, 0, text.length), selectionRange: lineRange(line, 0, text.length), children: [] };
      top.push(section);
      section.range.end = { line: lines.length - 1, character: 0 };
      return;
    }
    const md = macroDef.exec(text);
    if (md) {
      const col = text.indexOf(md[1]);
      let end = line;
      for (let l = line + 1; l < lines.length; l++) if (/^\s*\.endm\b/i.test(lines[l])) { end = l; break; }
      const params = text.slice(col + md[1].length).trim();
      top.push({ name: md[1], detail: params ? `.macro ${params}` : '.macro', kind: SymbolKind.Module, range: { start: { line, character: 0 }, end: { line: end, character: (lines[end] ?? '').length } }, selectionRange: lineRange(line, col, col + md[1].length) });
      inMacro = true;
      return;
    }
    if (inMacro) { if (/^\s*\.endm\b/i.test(text)) inMacro = false; return; }
    const ex = extentAt.get(line);
    if (ex) {
      const kind = /DATA/.test(ex.kind) ? SymbolKind.Variable : SymbolKind.Function;
      const sym: DocumentSymbol = { name: ex.name, detail: ex.kind, kind, range: { start: { line, character: 0 }, end: { line: ex.end, character: (lines[ex.end] ?? '').length } }, selectionRange: lineRange(line, ex.col, ex.col + ex.name.length), children: [] };
      containerFor(line).push(sym);
      blocks.push({ sym, name: ex.name, startLine: line });
      return;
    }
    const single = symSingle.exec(text);
    if (single) {
      const col = text.indexOf(single[2], text.indexOf('('));
      containerFor(line).push({ name: single[2], detail: single[1], kind: SymbolKind.Variable, range: lineRange(line, 0, text.length), selectionRange: lineRange(line, col, col + single[2].length) });
      return;
    }
    const lm = labelDef.exec(text);
    if (lm && !/^\d+$/.test(lm[1])) {
      const col = text.indexOf(lm[1]);
      containerFor(line).push({ name: lm[1], kind: SymbolKind.Field, detail: labelDetail(r, lm[1]), range: lineRange(line, col, col + lm[1].length + 1), selectionRange: lineRange(line, col, col + lm[1].length) });
      return;
    }
    const am = assignDef.exec(text);
    if (am) {
      const col = text.indexOf(am[1]);
      containerFor(line).push({ name: am[1], kind: SymbolKind.Constant, range: lineRange(line, col, text.length), selectionRange: lineRange(line, col, col + am[1].length) });
    }
  });
  return top;
}

function labelDetail(r: DocAnalysis, name: string): string | undefined {
  const s = r.analysis.symbols.get(name);
  if (!s || s.value === undefined || !s.section || s.section === '*UND*') return undefined;
  return `${s.section}+0x${s.value.toString(16)}`;
}

export function flattenSymbols(uri: string, syms: DocumentSymbol[], container?: string): SymbolInformation[] {
  const out: SymbolInformation[] = [];
  for (const s of syms) {
    out.push({ name: s.name, kind: s.kind, location: { uri, range: s.selectionRange }, containerName: container });
    if (s.children?.length) out.push(...flattenSymbols(uri, s.children, s.name));
  }
  return out;
}

/** Case-insensitive subsequence match, like VS Code's symbol search. */
export function fuzzyMatch(query: string, name: string): boolean {
  const q = query.toLowerCase();
  const n = name.toLowerCase();
  let j = 0;
  for (let i = 0; i < n.length && j < q.length; i++) if (n[i] === q[j]) j++;
  return j === q.length;
}

export function foldingRanges(r: DocAnalysis): FoldingRange[] {
  const out: FoldingRange[] = [];
  const stack: { kind: string; line: number; name?: string }[] = [];
  const close = (kinds: string[], line: number, name?: string) => {
    for (let i = stack.length - 1; i >= 0; i--) {
      if (kinds.includes(stack[i].kind) && (name === undefined || stack[i].name === name)) {
        const o = stack.splice(i, 1)[0];
        if (line > o.line) out.push({ startLine: o.line, endLine: line });
        return;
      }
    }
  };
  let commentStart = -1;
  let hashRun = -1;
  r.lines.forEach((text, line) => {
    const toks = lineTokens(r, line);
    // C comments spanning lines.
    const firstTok = toks[0];
    if (commentStart < 0 && toks.length && toks[toks.length - 1].kind === 'comment' && toks[toks.length - 1].text.startsWith('/*') && !toks[toks.length - 1].text.endsWith('*/')) commentStart = line;
    else if (commentStart >= 0 && firstTok?.kind === 'comment' && firstTok.text.includes('*/')) {
      out.push({ startLine: commentStart, endLine: line, kind: FoldingRangeKind.Comment });
      commentStart = -1;
    }
    const isHashComment = /^\s*#(?!\s*(include|define|undef|if|ifdef|ifndef|elif|else|endif|error|warning|pragma|line)\b)/.test(text) && commentStart < 0;
    if (isHashComment) { if (hashRun < 0) hashRun = line; }
    else {
      if (hashRun >= 0 && line - 1 > hashRun) out.push({ startLine: hashRun, endLine: line - 1, kind: FoldingRangeKind.Comment });
      hashRun = -1;
    }
    let m: RegExpExecArray | null;
    if ((m = /^\s*#\s*(if|ifdef|ifndef)\b/.exec(text))) stack.push({ kind: '#if', line });
    else if (/^\s*#\s*endif\b/.test(text)) close(['#if'], line - 0);
    else if (/^\s*\.macro\b/i.test(text)) stack.push({ kind: 'macro', line });
    else if (/^\s*\.endm(acro)?\b/i.test(text)) close(['macro'], line);
    else if (/^\s*\.if\w*\b/i.test(text)) stack.push({ kind: 'if', line });
    else if (/^\s*\.endif\b/i.test(text)) close(['if'], line);
    else if (/^\s*\.(rept|irpc?|rep)\b/i.test(text)) stack.push({ kind: 'rept', line });
    else if (/^\s*\.endr\b/i.test(text)) close(['rept'], line);
    else if ((m = symStart.exec(text))) stack.push({ kind: 'sym', line, name: m[2] });
    else if ((m = symEnd.exec(text))) close(['sym'], line, m[2]);
  });
  if (hashRun >= 0 && r.lines.length - 1 > hashRun) out.push({ startLine: hashRun, endLine: r.lines.length - 1, kind: FoldingRangeKind.Comment });
  return out.sort((a, b) => a.startLine - b.startLine);
}

export function documentLinks(r: DocAnalysis): DocumentLink[] {
  const out: DocumentLink[] = [];
  for (const inc of r.analysis.preprocessed?.includes ?? []) {
    if (inc.site.file !== r.path || !inc.resolved) continue;
    const text = r.lines[inc.site.line] ?? '';
    const col = text.indexOf(inc.spelled);
    if (col < 0) continue;
    out.push({ range: lineRange(inc.site.line, col, col + inc.spelled.length), target: pathToUri(inc.resolved), tooltip: inc.resolved });
  }
  return out;
}
