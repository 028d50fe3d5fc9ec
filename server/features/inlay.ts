// Inlay hints: the code mode at each mode-changing directive and at the targets of direct far jumps, the address
// of each label once laid out, and the size of each macro expansion.
import { InlayHintKind, type InlayHint, type Range } from 'vscode-languageserver';
import type { DocAnalysis } from '../workspace';
import { hex } from './common';
import { expansionAt } from './expansion';

export function inlayHints(r: DocAnalysis, range: Range): InlayHint[] {
  const out: InlayHint[] = [];
  const from = range.start.line;
  const to = range.end.line;
  const hint = (line: number, label: string, tooltip?: string) => {
    if (line < from || line > to) return;
    out.push({ position: { line, character: (r.lines[line] ?? '').length }, label, kind: InlayHintKind.Type, paddingLeft: true, tooltip });
  };
  for (const mc of r.analysis.modeChanges) {
    if (mc.origin.range.file !== r.path || mc.origin.expansion.length) continue;
    hint(mc.origin.range.line, `${mc.mode}-bit${mc.gcc ? ' (gcc)' : ''}`, `Instructions below are encoded for ${mc.mode}-bit code`);
  }
  const farTargets = new Map<number, string>();
  for (const s of r.index.statements) {
    if (s.kind !== 'instruction' || !/^ljmp|^lcall/.test(s.instruction?.mnemonic ?? '')) continue;
    const ops = s.instruction?.operands ?? [];
    if (ops.length !== 2 || ops[0].kind !== 'imm') continue;
    const sel = ops[0].value.known ? hex(ops[0].value.value) : '?';
    // Labels named in the offset operand.
    const text = s.text.slice(s.text.indexOf(',') + 1);
    for (const name of text.match(/[A-Za-z_.$][\w.$]*/g) ?? []) {
      const sym = r.analysis.symbols.get(name);
      if (sym?.definition?.kind !== 'label' || !sym.defined || sym.defined.range.file !== r.path) continue;
      if (/base$/.test(name)) continue;
      farTargets.set(sym.defined.range.line, `far-jump target: selector ${sel}`);
    }
  }
  for (const sym of r.analysis.symbols.values()) {
    if (sym.definition?.kind !== 'label' || !sym.defined || sym.defined.range.file !== r.path || sym.defined.expansion.length) continue;
    if (/^\d+$/.test(sym.name)) continue;
    const line = sym.defined.range.line;
    if (line < from || line > to) continue;
    const stmt = r.index.onLine(r.path, line).map((i) => r.index.statements[i]).find((x) => x.kind === 'label' && x.name === sym.name);
    const parts: string[] = [];
    if (sym.section && sym.section !== '*UND*' && sym.value !== undefined) parts.push(`${sym.section}+${hex(sym.value)}`);
    const far = farTargets.get(line);
    if (far && stmt) parts.push(`${stmt.mode}-bit · ${far}`);
    if (parts.length) out.push({ position: { line, character: sym.defined.range.endColumn + 1 }, label: parts.join(' · '), kind: InlayHintKind.Type, paddingLeft: true });
  }
  for (const m of r.analysis.macros.values()) {
    for (const c of m.calls) {
      if (c.range.file !== r.path || c.expansion.length) continue;
      const line = c.range.line;
      if (line < from || line > to) continue;
      const e = expansionAt(r, line);
      if (e) hint(line, `${e.bytes} bytes`, `${m.name} expands to ${e.statements.length} statements`);
    }
  }
  return out.sort((a, b) => a.position.line - b.position.line || a.position.character - b.position.character);
}
