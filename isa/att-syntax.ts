// Parses the text of one AT&T instruction statement (prefixes, mnemonic, operands) into the encoder's
// InstructionInput. Expressions are not ours: the front end evaluates them through a callback.
import type { InstructionInput, Operand, Value } from './operand';
import { lookupRegister } from './registers';
import { PREFIXES } from './prefixes';

/** Evaluates an expression written at `startColumn`; gas owns symbols and expression syntax. */
export type EvaluateExpression = (exprText: string, startColumn: number) => Value | { error: string };

export interface ColumnRange {
  start: number;
  end: number;
}

export type ParseResult =
  | { ok: true; instruction: InstructionInput; mnemonicRange: ColumnRange; operandRanges: ColumnRange[] }
  | { ok: false; message: string; range: ColumnRange };

/** Prefix mnemonics that may stand before an instruction on the same statement. */
export const prefixNames: ReadonlySet<string> = new Set(PREFIXES.keys());

const segRegs = new Set(['es', 'cs', 'ss', 'ds', 'fs', 'gs']);

type OperandResult = { ok: true; operand: Operand } | { ok: false; message: string; start: number; end: number };

/**
 * Parses `text` (one statement, label and comment already removed) whose first character is at `startColumn`
 * in the source line.
 */
export function parseInstruction(text: string, startColumn: number, evaluate: EvaluateExpression): ParseResult {
  let pos = 0;
  const prefixes: string[] = [];
  let mnemonic = '';
  let mnemonicRange: ColumnRange = { start: startColumn, end: startColumn };
  for (;;) {
    while (pos < text.length && isWhitespace(text.charCodeAt(pos))) pos++;
    const end = mnemonicEnd(text, pos);
    if (end === pos) break;
    const word = text.slice(pos, end).toLowerCase();
    mnemonicRange = { start: startColumn + pos, end: startColumn + end };
    pos = end;
    if (prefixNames.has(word)) {
      // A prefix is only a prefix when a mnemonic follows; alone it is a statement of its own.
      const rest = text.slice(pos).trim();
      if (rest === '') { mnemonic = word; break; }
      if (/^[A-Za-z_.]/.test(rest)) { prefixes.push(word); continue; }
      mnemonic = word;
      break;
    }
    mnemonic = word;
    break;
  }
  if (!mnemonic) {
    if (prefixes.length) mnemonic = prefixes.pop()!;
    else return { ok: false, message: 'no instruction mnemonic', range: { start: startColumn, end: startColumn + text.length } };
  }
  const operands: Operand[] = [];
  const operandRanges: ColumnRange[] = [];
  const rest = text.slice(pos);
  if (rest.trim() !== '') {
    for (const part of splitOperands(rest, pos)) {
      const lead = part.text.length - part.text.trimStart().length;
      const body = part.text.trim();
      const start = startColumn + part.offset + lead;
      const range = { start, end: start + body.length };
      if (body === '') return { ok: false, message: 'expecting operand after \',\'; got nothing', range };
      const r = parseOperand(body, start, evaluate);
      if (!r.ok) return { ok: false, message: r.message, range: { start: r.start, end: r.end } };
      operands.push(r.operand);
      operandRanges.push(range);
    }
  }
  const tail = text.slice(mnemonicRange.start - startColumn).trim();
  const written = tail.includes(',') ? tightCommas(tail) : tail;
  // The instruction outlives the parse (the assembler keeps it per statement): arrays of exactly its length, not
  // the spare capacity push leaves.
  const instruction: InstructionInput = { mnemonic, prefixes: prefixes.length ? prefixes.slice() : NO_PREFIXES, operands: operands.slice(), text: written };
  return { ok: true, instruction, mnemonicRange, operandRanges };
}

/** `\s` for one character code (ASCII by comparison; anything else by the regex, as before). */
function isWhitespace(c: number): boolean {
  if (c < 128) return c === 32 || (c >= 9 && c <= 13);
  return /\s/.test(String.fromCharCode(c));
}

/** End of `[A-Za-z_.][A-Za-z0-9_.]*` starting at `pos` (`pos` when no such word starts there). */
function mnemonicEnd(text: string, pos: number): number {
  const c = text.charCodeAt(pos);
  if (!((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 46)) return pos;
  let i = pos + 1;
  for (; i < text.length; i++) {
    const d = text.charCodeAt(i);
    if (!((d >= 97 && d <= 122) || (d >= 65 && d <= 90) || (d >= 48 && d <= 57) || d === 95 || d === 46)) break;
  }
  return i;
}

/** The text with the blanks around every comma dropped (as GNU quotes a statement), by hand rather than by regex. */
function tightCommas(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 44) {
      let e = out.length;
      while (e > 0 && isWhitespace(out.charCodeAt(e - 1))) e--;
      out = out.slice(0, e) + ',';
      i++;
      while (i < text.length && isWhitespace(text.charCodeAt(i))) i++;
      continue;
    }
    out += text[i];
    i++;
  }
  return out;
}

/** Splits at top-level commas (not inside parentheses or quotes). */
function splitOperands(text: string, baseOffset: number): { text: string; offset: number }[] {
  const out: { text: string; offset: number }[] = [];
  let depth = 0;
  let start = 0;
  let quote = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
      continue;
    }
    if (c === '"' || c === "'") {
      // 'c is a character constant in gas: one char after the quote.
      if (c === "'") { i++; continue; }
      quote = c;
    } else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      out.push({ text: text.slice(start, i), offset: baseOffset + start });
      start = i + 1;
    }
  }
  out.push({ text: text.slice(start), offset: baseOffset + start });
  return out;
}

/** Most instructions have no prefix: they share one frozen empty list. */
const NO_PREFIXES = Object.freeze([]) as unknown as string[];

/** One frozen operand per register name: operands are never modified, and most are plain registers. */
const registerOperands = new Map<string, Operand>();
function registerOperand(name: string): Operand {
  let o = registerOperands.get(name);
  if (!o) registerOperands.set(name, (o = Object.freeze({ kind: 'reg' as const, reg: name })));
  return o;
}

function regName(text: string): string | undefined {
  const r = lookupRegister(text);
  return r?.name;
}

function parseOperand(body: string, start: number, evaluate: EvaluateExpression): OperandResult {
  let indirect = false;
  let text = body;
  let col = start;
  if (text.startsWith('*')) {
    indirect = true;
    const skip = 1 + (text.length - 1 - text.slice(1).trimStart().length);
    text = text.slice(skip);
    col += skip;
  }
  const end = start + body.length;
  if (text.startsWith('$')) {
    const exprText = text.slice(1);
    if (exprText.trim() === '') return { ok: false, message: 'missing or invalid immediate expression', start, end };
    const v = evaluate(exprText, col + 1);
    if ('error' in v) return { ok: false, message: v.error, start: col, end };
    return { ok: true, operand: { kind: 'imm', value: v } };
  }
  // Register, possibly %st(N) (both patterns below start with `%`: most operands skip them).
  const percent = text.charCodeAt(0) === 37;
  const regMatch = percent ? /^%\s*([A-Za-z][A-Za-z0-9]*(\s*\(\s*\d+\s*\))?)$/.exec(text) : null;
  if (regMatch) {
    const name = regName(regMatch[1]);
    if (!name) return { ok: false, message: `bad register name \`${text}'`, start: col, end };
    return { ok: true, operand: indirect ? { kind: 'reg', reg: name, indirect } : registerOperand(name) };
  }
  // Memory: [%seg:] [disp] [(base, index, scale)]
  let seg: string | undefined;
  const segMatch = percent ? /^%\s*([A-Za-z]+)\s*:/.exec(text) : null;
  if (segMatch) {
    const s = segMatch[1].toLowerCase();
    if (!segRegs.has(s)) {
      const known = regName(s);
      return { ok: false, message: known ? `\`%${s}' is not a valid segment register` : `bad register name \`%${s}'`, start: col, end: col + segMatch[0].length - 1 };
    }
    seg = s;
    const skip = segMatch[0].length + (text.length - segMatch[0].length - text.slice(segMatch[0].length).trimStart().length);
    text = text.slice(skip);
    col += skip;
  }
  const mem: Extract<Operand, { kind: 'mem' }> = { kind: 'mem', scale: 1 };
  const written = text.trim();
  if (seg) mem.seg = seg;
  if (indirect) mem.indirect = true;
  let dispText = text;
  const trimmed = text.trimEnd();
  if (trimmed.endsWith(')')) {
    // Find the '(' matching the final ')'.
    let depth = 0;
    let open = -1;
    for (let i = trimmed.length - 1; i >= 0; i--) {
      if (trimmed[i] === ')') depth++;
      else if (trimmed[i] === '(') {
        depth--;
        if (depth === 0) { open = i; break; }
      }
    }
    if (open < 0) return { ok: false, message: `unbalanced parenthesis in operand`, start: col, end };
    const inner = trimmed.slice(open + 1, -1);
    if (/^\s*(%|,)/.test(inner) || inner.trim() === '') {
      const r = parseBaseIndex(inner, col + open + 1, evaluate, mem);
      if (r) return r;
      dispText = trimmed.slice(0, open);
    }
  }
  if (dispText.trim() !== '') {
    const lead = dispText.length - dispText.trimStart().length;
    const v = evaluate(dispText.trim(), col + lead);
    if ('error' in v) return { ok: false, message: v.error, start: col + lead, end: col + lead + dispText.trim().length };
    mem.disp = v;
  } else if (!mem.base && !mem.index) {
    return { ok: false, message: 'missing operand', start, end };
  }
  if (mem.base || mem.index) mem.text = written;
  return { ok: true, operand: mem };
}

/** A base or index register field of `(base, index, scale)`: its name, or GNU's complaint. */
function baseIndexRegister(text: string, col: number, what: string): string | OperandResult {
  const m = /^%\s*([A-Za-z][A-Za-z0-9]*)$/.exec(text);
  const name = m ? regName(m[1]) : undefined;
  if (!name) return { ok: false, message: text.startsWith('%') ? `bad register name \`${text}'` : `expecting ${what} register`, start: col, end: col + text.length };
  return name;
}

function parseBaseIndex(
  inner: string,
  col: number,
  evaluate: EvaluateExpression,
  mem: Extract<Operand, { kind: 'mem' }>,
): OperandResult | undefined {
  const parts = inner.split(',');
  if (parts.length > 3) return { ok: false, message: `too many arguments in base/index expression`, start: col, end: col + inner.length };
  // Each field trimmed, with the column where its text starts (no closures: this runs for every memory operand).
  let off = 0;
  for (let k = 0; k < parts.length; k++) {
    const p = parts[k];
    const text = p.trim();
    const fcol = col + off + (p.length - p.trimStart().length);
    off += p.length + 1;
    if (text === '') continue;
    if (k < 2) {
      const r = baseIndexRegister(text, fcol, k === 0 ? 'base' : 'index');
      if (typeof r !== 'string') return r;
      if (k === 0) mem.base = r;
      else mem.index = r;
      continue;
    }
    const v = evaluate(text, fcol);
    const s = 'error' in v || !v.known ? 0 : Number(v.value);
    if (s !== 1 && s !== 2 && s !== 4 && s !== 8)
      return { ok: false, message: `expecting scale factor of 1, 2, 4, or 8: got \`${text}'`, start: fcol, end: fcol + text.length };
    mem.scale = s;
  }
  return undefined;
}
