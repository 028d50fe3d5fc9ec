// Inlay hints: the code mode at each mode-changing directive and at the targets of direct far jumps, the address
// of each label once laid out, and the size of each macro expansion.
import { InlayHintKind, type InlayHint, type Range } from 'vscode-languageserver';
import type { DocAnalysis } from '../workspace';
import { hex } from './common';
import { expansionAt } from './expansion';
import { farJumps } from './descriptors';

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
  const farTargets = new Map<string, string>();
  for (const j of farJumps(r)) {
    if (!j.target) continue;
    farTargets.set(j.target, `far-jump target: selector ${j.selector === undefined ? '?' : hex(j.selector)}${j.vector === 'lret' ? ' (lret)' : j.vector ? ` via ${j.vector}` : ''}`);
  }
  for (const sym of r.analysis.symbols.values()) {
    if (sym.definition?.kind !== 'label' || !sym.defined || sym.defined.range.file !== r.path || sym.defined.expansion.length) continue;
    if (/^\d+$/.test(sym.name)) continue;
    const line = sym.defined.range.line;
    if (line < from || line > to) continue;
    const parts: string[] = [];
    if (sym.section && sym.section !== '*UND*' && sym.value !== undefined) parts.push(`${sym.section}+${hex(sym.value)}`);
    const far = farTargets.get(sym.name);
    if (far) parts.push(`${r.index.modeAtLabel(sym.name) ?? '?'}-bit · ${far}`);
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
