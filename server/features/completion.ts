// Completion by context: include paths after `#include <`, registers after `%`, macro parameters after `\`,
// mnemonics/directives/macros at the start of a statement (only those valid in the line's .code mode), and
// symbols and cpp macros in operands.
import { CompletionItemKind, InsertTextFormat, MarkupKind, type CompletionItem, type Position } from 'vscode-languageserver';
import { DIRECTIVES } from '../../gas/directives';
import { prefixNames } from '../../isa/att-syntax';
import { registers, registerAvailable } from '../../isa/registers';
import type { DocAnalysis } from '../workspace';
import { macroEnclosing, modeAtLine } from './common';
import { docForMnemonic, formSignature, mnemonicsForMode } from './instruction-info';
import { headerCandidates } from './includes';

/** Conditionals are handled by the assembler's block logic rather than the directive table. */
const conditionalDirectives = ['.if', '.ifdef', '.ifndef', '.ifb', '.ifnb', '.ifc', '.ifnc', '.ifeq', '.ifne', '.ifge', '.ifgt', '.ifle', '.iflt', '.ifeqs', '.ifnes', '.elseif', '.else', '.endif'];

export function completion(r: DocAnalysis, pos: Position): CompletionItem[] {
  const items = completionItems(r, pos);
  // Replace exactly the word being typed (`%ea`, `.bal`, `TAKE_`), whatever the editor's word pattern is.
  const text = r.lines[pos.line] ?? '';
  let start = Math.min(pos.character, text.length);
  while (start > 0 && /[\w.$%@\\]/.test(text[start - 1])) start--;
  const inInclude = /^\s*#\s*include\s*[<"]/.test(text);
  if (inInclude) return items;
  const range = { start: { line: pos.line, character: start }, end: { line: pos.line, character: pos.character } };
  for (const it of items) {
    const newText = it.insertText ?? it.label;
    it.textEdit = { range, newText: text[start] === '\\' && !newText.startsWith('\\') ? '\\' + newText : newText };
    it.filterText = text[start] === '\\' ? '\\' + it.label : it.label;
    delete it.insertText;
  }
  return items;
}

function completionItems(r: DocAnalysis, pos: Position): CompletionItem[] {
  const text = r.lines[pos.line] ?? '';
  const before = text.slice(0, pos.character);
  const inc = /^\s*#\s*include\s*([<"])([^>"]*)$/.exec(before);
  if (inc) return headerCandidates(r, inc[2], inc[1] === '<').map((h) => ({
    label: h.name,
    kind: h.dir ? CompletionItemKind.Folder : CompletionItemKind.File,
    detail: h.builtin ? 'built-in header' : undefined,
    insertText: h.name.slice(inc[2].lastIndexOf('/') + 1),
    filterText: h.name.slice(inc[2].lastIndexOf('/') + 1),
    command: h.dir ? { title: 'more', command: 'editor.action.triggerSuggest' } : undefined,
  }));
  const mode = modeAtLine(r, pos.line);
  if (/%[\w]*$/.test(before)) {
    return registers.filter((reg) => registerAvailable(reg, mode)).map((reg) => ({
      label: '%' + reg.name,
      kind: CompletionItemKind.Variable,
      detail: reg.doc,
    }));
  }
  if (/\\[\w]*$/.test(before)) {
    const m = macroEnclosing(r, pos.line);
    if (!m) return [];
    return [...m.params.map((p) => ({ label: p.name, kind: CompletionItemKind.TypeParameter, detail: `parameter of ${m.name}` })), { label: '@', kind: CompletionItemKind.Constant, detail: 'expansion counter' }];
  }
  if (/^\s*#\s*\w*$/.test(before)) {
    return ['include', 'define', 'undef', 'if', 'ifdef', 'ifndef', 'elif', 'else', 'endif', 'error'].map((d) => ({ label: d, kind: CompletionItemKind.Keyword }));
  }
  const atHead = /^\s*(?:[\w.$]+:\s*)*[\w.$]*$/.test(before);
  const items: CompletionItem[] = [];
  if (atHead) {
    for (const { name, form } of mnemonicsForMode(mode)) {
      const doc = docForMnemonic(name);
      items.push({ label: name, kind: CompletionItemKind.Keyword, detail: doc?.summary ?? form.op, labelDetails: { description: formSignature(form) } });
    }
    for (const p of prefixNames) items.push({ label: p, kind: CompletionItemKind.Keyword, detail: 'prefix' });
    for (const d of [...Object.keys(DIRECTIVES), ...conditionalDirectives]) items.push({ label: d, kind: CompletionItemKind.Keyword, detail: 'directive', sortText: '~' + d });
    for (const m of r.analysis.macros.values()) {
      if (m.purged) continue;
      const snippet = m.params.map((p, i) => `${p.required ? '' : `${p.name}=`}\${${i + 1}:${escapeSnippet(p.defaultValue ?? p.name)}}`).join(', ');
      items.push({
        label: m.name,
        kind: CompletionItemKind.Function,
        detail: `.macro ${m.name} ${m.params.map((p) => p.name + (p.defaultValue !== undefined ? '=' + p.defaultValue : p.required ? ':req' : '')).join(', ')}`,
        insertText: snippet ? `${m.name} ${snippet}` : m.name,
        insertTextFormat: InsertTextFormat.Snippet,
        sortText: '0' + m.name,
      });
    }
    for (const c of r.analysis.preprocessed?.macros.values() ?? []) {
      if (!c.params || !/^SYM_|^[A-Z]/.test(c.name)) continue;
      items.push({
        label: c.name,
        kind: CompletionItemKind.Snippet,
        detail: `#define ${c.name}(${c.params.join(', ')})`,
        insertText: `${c.name}(${c.params.map((p, i) => `\${${i + 1}:${escapeSnippet(p)}}`).join(', ')})`,
        insertTextFormat: InsertTextFormat.Snippet,
        sortText: '1' + c.name,
      });
    }
    return items;
  }
  // Operands: symbols and cpp macros (registers come after '%').
  for (const s of r.analysis.symbols.values()) {
    if (s.temporary || /^\d/.test(s.name) || !s.defined) continue;
    items.push({ label: s.name, kind: s.definition?.kind === 'label' ? CompletionItemKind.Reference : CompletionItemKind.Constant, detail: s.section && s.value !== undefined ? `${s.section}+0x${s.value.toString(16)}` : undefined });
  }
  for (const c of r.analysis.preprocessed?.macros.values() ?? []) {
    if (c.name.startsWith('__') && c.builtin) continue;
    items.push({ label: c.name, kind: CompletionItemKind.Constant, detail: c.params ? `${c.name}(${c.params.join(', ')})` : c.body, documentation: { kind: MarkupKind.PlainText, value: c.builtin ? c.location.file : '' } });
  }
  return items;
}

function escapeSnippet(s: string): string {
  return s.replace(/[$}\\]/g, '\\$&');
}
