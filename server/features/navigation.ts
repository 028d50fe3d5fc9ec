// Definition, references, rename and highlights for labels (including `1b`/`1f` and `.L` locals made by macros),
// symbols across includes, GAS macros, cpp macros and include files.
import { DocumentHighlightKind, type DocumentHighlight, type Location, type Position, type Range, type WorkspaceEdit, type TextEdit } from 'vscode-languageserver';
import type { DocAnalysis } from '../workspace';
import { atPattern } from './common';
import type { LineToken } from '../line-scan';
import type { SourceRange } from '../../gas/source';
import { lineTokens, macroEnclosing, tokenAtPosition, toLocation, toRange } from './common';
import { findCppMacro } from './cpp-info';
import { pathToUri, isBuiltinPath } from '../uri';
import { resolveInclude } from './includes';

/** Statement index of the `N:` label that the `Nb`/`Nf` token at (line, token) refers to. */
export function numericTarget(r: DocAnalysis, line: number, tok: LineToken): number | undefined {
  const from = r.index.statementAt(r.path, line, tok.start);
  if (from === undefined) return undefined;
  return r.index.numericLabel(from, tok.text.slice(0, -1), tok.text.endsWith('b') ? 'b' : 'f');
}

type Target =
  | { kind: 'symbol'; name: string }
  | { kind: 'macro'; name: string }
  | { kind: 'cpp'; name: string }
  | { kind: 'numeric'; stmt: number }
  | { kind: 'file'; path: string }
  | { kind: 'param'; macro: string; name: string };

export function targetAt(r: DocAnalysis, pos: Position): Target | undefined {
  const tok = tokenAtPosition(r, pos.line, pos.character);
  if (!tok) return undefined;
  const text = r.lines[pos.line] ?? '';
  if (tok.kind === 'numlabel') {
    const t = numericTarget(r, pos.line, tok);
    return t === undefined ? undefined : { kind: 'numeric', stmt: t };
  }
  if (tok.kind === 'cpp' || tok.kind === 'string' || (tok.kind === 'punct' && /^\s*#\s*include/.test(text)) || /^\s*#\s*include\s*</.test(text)) {
    const path = includeTargetOnLine(r, pos.line);
    if (path) return { kind: 'file', path };
  }
  if (tok.kind === 'param') {
    const m = macroEnclosing(r, pos.line);
    return m ? { kind: 'param', macro: m.name, name: tok.text.slice(1) } : undefined;
  }
  if (tok.kind !== 'ident') return undefined;
  const name = tok.text;
  const lower = name.toLowerCase();
  const toks = lineTokens(r, pos.line);
  const head = toks.find((t) => t.kind === 'ident' && text[t.end] !== ':');
  const macro = r.analysis.macros.get(lower);
  if (macro && (head === tok || /^\s*\.(purgem|macro)\b/i.test(text))) return { kind: 'macro', name: lower };
  const cppUse = r.analysis.preprocessed?.macroUses.find((u) => u.range.file === r.path && u.range.line === pos.line && u.range.column <= tok.start && u.range.endColumn >= tok.end && u.name === name);
  if (cppUse || (findCppMacro(r, name) && !r.analysis.symbols.get(name)?.defined)) return { kind: 'cpp', name };
  if (name.includes('\\@')) {
    const re = atPattern(name);
    for (const s of r.analysis.symbols.values()) if (re.test(s.name)) return { kind: 'symbol', name: s.name };
  }
  if (r.analysis.symbols.has(name)) return { kind: 'symbol', name };
  if (macro) return { kind: 'macro', name: lower };
  if (/^\s*\.include\b/.test(text)) {
    const path = includeTargetOnLine(r, pos.line);
    if (path) return { kind: 'file', path };
  }
  return undefined;
}

function includeTargetOnLine(r: DocAnalysis, line: number): string | undefined {
  const rec = r.analysis.preprocessed?.includes.find((i) => i.site.file === r.path && i.site.line === line);
  if (rec?.resolved) return rec.resolved;
  const m = /^\s*\.include\s+"([^"]+)"/.exec(r.lines[line] ?? '');
  if (m) return resolveInclude(r, m[1], false);
  return undefined;
}

export function definition(r: DocAnalysis, pos: Position): Location[] {
  const t = targetAt(r, pos);
  if (!t) return [];
  switch (t.kind) {
    case 'numeric':
      return [labelLocation(r, t.stmt)];
    case 'symbol': {
      const s = r.analysis.symbols.get(t.name);
      return s?.defined ? [toLocation(s.defined.range)] : [];
    }
    case 'macro': {
      const m = r.analysis.macros.get(t.name);
      if (!m) return [];
      const d = m.definition.range;
      return [{ uri: pathToUri(d.file), range: macroNameRange(r, d) }];
    }
    case 'cpp': {
      const m = findCppMacro(r, t.name);
      return m ? [toLocation(m.location)] : [];
    }
    case 'file':
      return [{ uri: pathToUri(t.path), range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } }];
    case 'param': {
      const m = r.analysis.macros.get(t.macro.toLowerCase());
      if (!m) return [];
      const d = m.definition.range;
      const lineText = r.lines[d.line] ?? '';
      const re = new RegExp(`[\\s,]${t.name}\\b`);
      const mm = re.exec(lineText.slice(d.column + 6));
      if (!mm || d.file !== r.path) return [toLocation(d)];
      const col = d.column + 6 + mm.index + 1;
      return [{ uri: pathToUri(d.file), range: { start: { line: d.line, character: col }, end: { line: d.line, character: col + t.name.length } } }];
    }
  }
}

function macroNameRange(r: DocAnalysis, d: SourceRange): Range {
  const lineText = d.file === r.path ? (r.lines[d.line] ?? '') : '';
  const m = /^(\s*\.macro\s+)([\w.$]+)/i.exec(lineText.slice(d.column));
  if (!m) return toRange(d);
  const start = d.column + m[1].length;
  return { start: { line: d.line, character: start }, end: { line: d.line, character: start + m[2].length } };
}

/** Every place a target is named (definition first when `includeDeclaration`), deduplicated. */
export function references(r: DocAnalysis, pos: Position, includeDeclaration: boolean): Location[] {
  const t = targetAt(r, pos);
  if (!t) return [];
  const out: Location[] = [];
  const seen = new Set<string>();
  const add = (l: Location | undefined) => {
    if (!l) return;
    const k = `${l.uri}:${l.range.start.line}:${l.range.start.character}`;
    if (seen.has(k)) return;
    seen.add(k);
    out.push(l);
  };
  if (t.kind === 'symbol') {
    const s = r.analysis.symbols.get(t.name);
    if (!s) return [];
    // A name that reached a statement through a macro argument has an origin inside the macro body (`\\msg`);
    // the place it is written is the call site, so look for it there instead.
    const addWritten = (o: { range: SourceRange; expansion: { site: SourceRange }[] }) => {
      const range = o.range;
      if (range.file !== r.path || range.line !== range.endLine) return add(toLocation(range));
      if ((r.lines[range.line] ?? '').slice(range.column, range.endColumn) === t.name) return add(toLocation(range));
      for (const step of o.expansion) {
        if (step.site.file !== r.path) continue;
        const text = r.lines[step.site.line] ?? '';
        for (const m of text.matchAll(new RegExp(`(?<![\\w.$])${t.name.replace(/[.$]/g, '\\$&')}(?![\\w.$])`, 'g'))) {
          if (m.index < step.site.column || m.index > Math.max(step.site.endColumn, step.site.column)) continue;
          add({ uri: pathToUri(r.path), range: { start: { line: step.site.line, character: m.index }, end: { line: step.site.line, character: m.index + t.name.length } } });
        }
      }
    };
    if (includeDeclaration && s.defined) addWritten(s.defined);
    for (const ref of s.references) addWritten(ref);
  } else if (t.kind === 'macro') {
    const m = r.analysis.macros.get(t.name);
    if (!m) return [];
    if (includeDeclaration) add({ uri: pathToUri(m.definition.range.file), range: macroNameRange(r, m.definition.range) });
    for (const c of m.calls) {
      add({ uri: pathToUri(c.range.file), range: callNameRange(r, c.range, m.name) });
    }
  } else if (t.kind === 'cpp') {
    const m = findCppMacro(r, t.name);
    if (includeDeclaration && m) add(toLocation(m.location));
    for (const u of r.analysis.preprocessed?.macroUses ?? []) if (u.name === t.name) add(toLocation(u.range));
  } else if (t.kind === 'param') {
    const m = r.analysis.macros.get(t.macro.toLowerCase());
    if (!m || m.definition.range.file !== r.path) return [];
    if (includeDeclaration) for (const l of definition(r, pos)) add(l);
    const first = m.definition.range.line;
    for (let line = first + 1; line <= first + m.body.length; line++)
      for (const tok of lineTokens(r, line))
        if (tok.kind === 'param' && tok.text === '\\' + t.name)
          add({ uri: pathToUri(r.path), range: { start: { line, character: tok.start + 1 }, end: { line, character: tok.end } } });
  } else if (t.kind === 'numeric') {
    const target = t.stmt;
    const label = r.index.statements[target];
    if (includeDeclaration) add(labelLocation(r, target));
    const digits = label.name;
    // Scan this file's lines for Nb/Nf that resolve to the same label.
    r.lines.forEach((_, line) => {
      for (const tok of lineTokens(r, line)) {
        if (tok.kind !== 'numlabel' || tok.text.slice(0, -1) !== digits) continue;
        if (numericTarget(r, line, tok) === target) add({ uri: pathToUri(r.path), range: { start: { line, character: tok.start }, end: { line, character: tok.end } } });
      }
    });
  }
  return out;
}

function callNameRange(r: DocAnalysis, rr: SourceRange, name: string): Range {
  if (rr.file === r.path) {
    const text = r.lines[rr.line] ?? '';
    const idx = text.toLowerCase().indexOf(name.toLowerCase(), rr.column);
    if (idx >= 0) return { start: { line: rr.line, character: idx }, end: { line: rr.line, character: idx + name.length } };
  }
  return { start: { line: rr.line, character: rr.column }, end: { line: rr.line, character: rr.column + name.length } };
}

export function highlights(r: DocAnalysis, pos: Position): DocumentHighlight[] {
  const uri = pathToUri(r.path);
  const t = targetAt(r, pos);
  return references(r, pos, true)
    .filter((l) => l.uri === uri)
    .map((l, i) => ({ range: l.range, kind: i === 0 && t?.kind !== 'cpp' ? DocumentHighlightKind.Write : DocumentHighlightKind.Read }));
}

const validName = /^[A-Za-z_.$][\w.$]*$/;

export function prepareRename(r: DocAnalysis, pos: Position): Range | null {
  const t = targetAt(r, pos);
  if (!t || (t.kind !== 'symbol' && t.kind !== 'macro' && t.kind !== 'param')) return null;
  if (t.kind === 'param') {
    const tok = tokenAtPosition(r, pos.line, pos.character)!;
    return { start: { line: pos.line, character: tok.start + 1 }, end: { line: pos.line, character: tok.end } };
  }
  if (t.kind === 'symbol') {
    const s = r.analysis.symbols.get(t.name);
    if (!s?.defined || isBuiltinPath(s.defined.range.file) || s.defined.expansion.length) return null;
  }
  const tok = tokenAtPosition(r, pos.line, pos.character);
  if (!tok || tok.text.includes('\\@')) return null;
  return { start: { line: pos.line, character: tok.start }, end: { line: pos.line, character: tok.end } };
}

export function rename(r: DocAnalysis, pos: Position, newName: string): WorkspaceEdit | null {
  if (!validName.test(newName)) throw new Error(`'${newName}' is not a valid symbol name`);
  if (!prepareRename(r, pos)) return null;
  const changes: Record<string, TextEdit[]> = {};
  for (const l of references(r, pos, true)) {
    if (l.uri.startsWith('x86-trampoline-header:')) continue;
    (changes[l.uri] ??= []).push({ range: l.range, newText: newName });
  }
  return { changes };
}

/** A label statement's location narrowed to `name:` when its origin covers a whole line. */
function labelLocation(r: DocAnalysis, stmt: number): Location {
  const s = r.index.statements[stmt];
  const o = s.origin.range;
  const loc = toLocation(o);
  if (o.file === r.path) {
    const text = r.lines[o.line] ?? '';
    const col = text.indexOf(s.name + ':', o.column);
    if (col >= 0) loc.range = { start: { line: o.line, character: col }, end: { line: o.line, character: col + s.name.length + 1 } };
  }
  return loc;
}
