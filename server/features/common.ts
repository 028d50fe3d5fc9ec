// Helpers every feature shares: source ranges → LSP locations, the token under the cursor, the mode of a line.
import type { Location, Range } from 'vscode-languageserver';
import type { SourceRange } from '../../gas/source';
import type { CodeMode } from '../../isa/mode';
import { blockCommentStates, scanLine, type LineToken } from '../line-scan';
import { pathToUri } from '../uri';
import type { DocAnalysis } from '../workspace';

export function toRange(r: SourceRange): Range {
  return { start: { line: r.line, character: r.column }, end: { line: r.endLine, character: r.endColumn } };
}

export function toLocation(r: SourceRange): Location {
  return { uri: pathToUri(r.file), range: toRange(r) };
}

const commentStates = new WeakMap<DocAnalysis, boolean[]>();

/** Tokens of a document line, with C comments that began on earlier lines taken into account. */
export function lineTokens(r: DocAnalysis, line: number): LineToken[] {
  let states = commentStates.get(r);
  if (!states) commentStates.set(r, (states = blockCommentStates(r.lines)));
  return scanLine(r.lines[line] ?? '', { inBlockComment: states[line] ?? false });
}

export function tokenAtPosition(r: DocAnalysis, line: number, character: number): LineToken | undefined {
  const toks = lineTokens(r, line);
  return toks.find((t) => character >= t.start && character < t.end) ?? toks.find((t) => character === t.end && t.kind !== 'punct');
}

/** The code mode in force on a line: that of the nearest statement written at or above it. */
export function modeAtLine(r: DocAnalysis, line: number): CodeMode {
  for (let l = Math.min(line, r.lines.length - 1); l >= 0; l--) {
    const own = r.index.onLine(r.path, l);
    for (const i of own) if (r.index.statements[i].origin.expansion.length === 0) return r.index.statements[i].mode;
    const exp = r.index.expandedFrom(r.path, l);
    if (exp.length) return r.index.statements[exp[exp.length - 1]].mode;
  }
  return 64;
}

export function modeName(mode: CodeMode): string {
  return mode === 16 ? '16-bit (real mode or 16-bit protected mode)' : mode === 32 ? '32-bit (protected or compatibility mode)' : '64-bit (long mode)';
}

export function hex(v: bigint | number): string {
  const b = typeof v === 'number' ? BigInt(v) : v;
  return b < 0n ? '-0x' + (-b).toString(16) : '0x' + b.toString(16);
}

/** Name range of a macro call / directive argument: the first identifier at or after a column. */
export function nameRangeAt(r: DocAnalysis, line: number, column: number, name?: string): Range | undefined {
  const toks = lineTokens(r, line);
  const t = toks.find((x) => x.kind === 'ident' && x.start >= column && (name === undefined || x.text.toLowerCase() === name.toLowerCase()));
  return t ? { start: { line, character: t.start }, end: { line, character: t.end } } : undefined;
}

/** Which macro (defined in this file) has `line` inside its body. */
export function macroEnclosing(r: DocAnalysis, line: number) {
  for (const m of r.analysis.macros.values()) {
    const d = m.definition.range;
    if (d.file === r.path && line > d.line && line <= d.line + m.body.length) return m;
  }
  return undefined;
}

/** `.Lname\@` written in a macro body as a pattern over the names its expansions produced. */
export function atPattern(name: string): RegExp {
  return new RegExp('^' + name.split('\\@').map((p) => p.replace(/[.$]/g, '\\$&')).join('\\d+') + '$');
}
