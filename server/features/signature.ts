// Signature help: the parameters of the macro being called, or the operand forms of the instruction.
import type { Position, SignatureHelp, SignatureInformation } from 'vscode-languageserver';
import type { DocAnalysis } from '../workspace';
import { lineTokens } from './common';
import { docForMnemonic, formSignature, formsForMnemonic, isPrefix } from './instruction-info';

export function signatureHelp(r: DocAnalysis, pos: Position): SignatureHelp | null {
  const text = r.lines[pos.line] ?? '';
  const toks = lineTokens(r, pos.line).filter((t) => t.start < pos.character);
  let i = 0;
  while (i < toks.length && toks[i].kind === 'ident' && text[toks[i].end] === ':') i += 2;
  while (i < toks.length && toks[i].kind === 'ident' && isPrefix(toks[i].text)) i++;
  const head = toks[i];
  if (!head || head.kind !== 'ident' || pos.character <= head.end) return null;
  const args = text.slice(head.end, pos.character);
  const commas = countTopLevelCommas(args);
  const cpp = r.analysis.preprocessed?.macros.get(head.text);
  if (cpp?.params && /^\s*\(/.test(args)) {
    const inner = args.slice(args.indexOf('(') + 1);
    return {
      signatures: [{ label: `${cpp.name}(${cpp.params.join(', ')})`, documentation: cpp.body, parameters: cpp.params.map((p) => ({ label: p })) }],
      activeSignature: 0,
      activeParameter: Math.min(countTopLevelCommas(inner), Math.max(0, cpp.params.length - 1)),
    };
  }
  const macro = r.analysis.macros.get(head.text.toLowerCase());
  if (macro) {
    // GAS separates macro arguments by commas or blanks.
    const parts = args.trim() ? args.trim().split(/\s*,\s*|\s+/) : [''];
    const active = commas > 0 ? commas : Math.max(0, parts.length - 1 + (/\s$/.test(args) && args.trim() ? 1 : 0));
    const params = macro.params.map((p) => `${p.name}${p.required ? ':req' : ''}${p.defaultValue !== undefined ? '=' + p.defaultValue : ''}`);
    const named = /(\w+)=[^,\s]*$/.exec(args);
    const byName = named ? macro.params.findIndex((p) => p.name === named[1]) : -1;
    return {
      signatures: [{ label: `${macro.name} ${params.join(', ')}`, parameters: params.map((p) => ({ label: p })) }],
      activeSignature: 0,
      activeParameter: byName >= 0 ? byName : Math.min(active, Math.max(0, params.length - 1)),
    };
  }
  const forms = formsForMnemonic(head.text);
  if (!forms.length) return null;
  const doc = docForMnemonic(head.text);
  const seen = new Set<string>();
  const sigs: SignatureInformation[] = [];
  const suffix = /[bwlq]$/.exec(head.text)?.[0];
  const size = suffix ? { b: 8, w: 16, l: 32, q: 64 }[suffix] : undefined;
  for (const f of forms) {
    if (!f.operands.length) continue;
    const sizes = size ? [size] : f.sizes.length ? f.sizes : [undefined];
    for (const s of sizes) {
      const label = `${head.text} ${formSignature(f, s)}`;
      if (seen.has(label)) continue;
      seen.add(label);
      sigs.push({ label, documentation: doc?.summary, parameters: formSignature(f, s).split(', ').map((p) => ({ label: p })) });
    }
  }
  if (!sigs.length) return null;
  const fitting = sigs.findIndex((s) => (s.parameters?.length ?? 0) > commas);
  return { signatures: sigs.slice(0, 40), activeSignature: Math.max(0, Math.min(fitting, 39)), activeParameter: commas };
}

function countTopLevelCommas(s: string): number {
  let depth = 0;
  let n = 0;
  for (const c of s) {
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) n++;
  }
  return n;
}
