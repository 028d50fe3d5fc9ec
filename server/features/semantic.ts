// Semantic tokens: what TextMate cannot know — which names are GAS macro calls, cpp macros, labels, which
// registers belong to which class, and which words are macro parameters. Instructions are `keyword`, which the
// manifest's semanticTokenScopes maps to the grammar's keyword.mnemonic.gas (the default fallback for `keyword`
// is keyword.control, the directives' colour); directives are left to the grammar.
import { SemanticTokensBuilder, type SemanticTokens, type SemanticTokensLegend } from 'vscode-languageserver';
import { lookupRegister } from '../../isa/registers';
import type { DocAnalysis } from '../workspace';
import { lineTokens, macroEnclosing } from './common';
import { isMnemonic } from './instruction-info';

export const tokenTypes = ['keyword', 'function', 'macro', 'label', 'variable', 'parameter', 'namespace'] as const;
export const tokenModifiers = ['declaration', 'readonly', 'defaultLibrary', 'directive', 'prefix', 'gpr', 'segment', 'control', 'debug', 'ip', 'simd'] as const;
export const legend: SemanticTokensLegend = { tokenTypes: [...tokenTypes], tokenModifiers: [...tokenModifiers] };

const T = Object.fromEntries(tokenTypes.map((t, i) => [t, i])) as Record<(typeof tokenTypes)[number], number>;
const M = Object.fromEntries(tokenModifiers.map((m, i) => [m, 1 << i])) as Record<(typeof tokenModifiers)[number], number>;

const classMod: Record<string, number> = {
  gpr8: M.gpr, gpr16: M.gpr, gpr32: M.gpr, gpr64: M.gpr, seg: M.segment, cr: M.control, dr: M.debug, ip: M.ip, st: M.simd, mm: M.simd, xmm: M.simd,
};

/** Tokens of the whole document, or of the lines a range covers (the visible part of a large file). */
export function semanticTokens(r: DocAnalysis, range?: { start: { line: number }; end: { line: number } }): SemanticTokens {
  const b = new SemanticTokensBuilder();
  const macros = r.analysis.macros;
  const cpp = r.analysis.preprocessed?.macros;
  const symbols = r.analysis.symbols;
  r.lines.forEach((text, line) => {
    if (range && (line < range.start.line || line > range.end.line)) return;
    const toks = lineTokens(r, line);
    if (!toks.length || toks[0].kind === 'cpp') {
      // #define NAME / #include: colour the defined name.
      const m = /^\s*#\s*(define|undef|ifdef|ifndef)\s+(\w+)/.exec(text);
      if (m) { const c = text.indexOf(m[2], text.indexOf(m[1]) + m[1].length); b.push(line, c, m[2].length, T.macro, m[1] === 'define' ? M.declaration : 0); }
      if (!toks.length || /^\s*#\s*(include|define|undef|if|ifdef|ifndef|elif|else|endif|error|warning|pragma|line)/.test(text)) return;
    }
    const inMacro = !!macroEnclosing(r, line);
    let expectHead = true;
    let isMacroDef = false;
    for (let i = 0; i < toks.length; i++) {
      const t = toks[i];
      if (t.kind === 'comment' || t.kind === 'string' || (t.kind === 'number' && !(expectHead && text[t.end] === ':'))) continue;
      if (t.kind === 'punct') { if (t.text === ';') expectHead = true; continue; }
      if (t.kind === 'register') {
        const info = lookupRegister(t.text.slice(1));
        if (info) b.push(line, t.start, t.end - t.start, T.variable, classMod[info.cls] ?? 0);
        continue;
      }
      if (t.kind === 'param') { b.push(line, t.start, t.end - t.start, T.parameter, 0); continue; }
      if (t.kind === 'numlabel') { b.push(line, t.start, t.end - t.start, T.label, 0); continue; }
      if (t.kind === 'number' && expectHead && text[t.end] === ':') { b.push(line, t.start, t.end - t.start, T.label, M.declaration); continue; }
      if (t.kind !== 'ident') continue;
      const name = t.text;
      if (text[t.end] === ':' && text[t.end + 1] !== ':' && expectHead) { b.push(line, t.start, t.end - t.start, T.label, M.declaration); continue; }
      if (expectHead) {
        expectHead = false;
        const lower = name.toLowerCase();
        if (name.startsWith('.')) {
          // Directives keep the grammar's colour (keyword.control.directive): a semantic `keyword` would paint them
          // like instructions in the default themes.
          isMacroDef = lower === '.macro';
          continue;
        }
        if (macros.has(lower)) { b.push(line, t.start, t.end - t.start, T.function, 0); continue; }
        if (cpp?.has(name)) { b.push(line, t.start, t.end - t.start, T.macro, cpp.get(name)!.builtin ? M.defaultLibrary : 0); continue; }
        if (isMnemonic(lower)) {
          const prefix = /^(lock|rep|repe|repz|repne|repnz|data16|data32|addr16|addr32|rex64|notrack)$/.test(lower);
          b.push(line, t.start, t.end - t.start, T.keyword, prefix ? M.prefix : 0);
          if (prefix) expectHead = true;
          continue;
        }
        if (text.slice(t.end).trimStart().startsWith('=')) { b.push(line, t.start, t.end - t.start, T.variable, M.declaration | M.readonly); continue; }
        continue;
      }
      if (isMacroDef) {
        if (macros.has(name.toLowerCase()) && toks.slice(0, i).filter((x) => x.kind === 'ident').length === 1) b.push(line, t.start, t.end - t.start, T.function, M.declaration);
        else b.push(line, t.start, t.end - t.start, T.parameter, M.declaration);
        continue;
      }
      if (cpp?.has(name)) { b.push(line, t.start, t.end - t.start, T.macro, cpp.get(name)!.builtin ? M.defaultLibrary : 0); continue; }
      const sym = symbols.get(name);
      if (sym?.definition?.kind === 'label') { b.push(line, t.start, t.end - t.start, T.label, 0); continue; }
      if (sym?.definition) { b.push(line, t.start, t.end - t.start, T.variable, M.readonly); continue; }
      if (inMacro && name.includes('\\@')) { b.push(line, t.start, t.end - t.start, T.label, 0); continue; }
      if (macros.has(name.toLowerCase())) b.push(line, t.start, t.end - t.start, T.function, 0);
    }
  });
  return b.build();
}
