// Parses the text of one AT&T instruction statement (prefixes, mnemonic, operands) into the encoder's
// InstructionInput. Expressions are not ours: the front end evaluates them through a callback.
// The assembler parses every instruction it cannot take from a cache, so the scanner walks the statement by
// character code and index: no trimmed copies, no regular expressions, one slice per expression handed out.
import type { InstructionInput, Operand, Value } from './operand';
import { lookupRegister } from './registers';
import { PREFIXES } from './prefixes';
import { WordTable } from './word-table';

/** Evaluates an expression written at `startColumn`; gas owns symbols and expression syntax. */
export type EvaluateExpression = (exprText: string, startColumn: number) => Value | { error: string };

export interface ColumnRange {
  start: number;
  end: number;
}

export type ParseResult =
  | { ok: true; instruction: InstructionInput; mnemonicRange: ColumnRange; operandRanges: ColumnRange[] }
  | { ok: false; message: string; range: ColumnRange };

/** Why a statement is not an instruction, with the columns to underline. */
export interface ParseError {
  ok: false;
  message: string;
  range: ColumnRange;
}

export function isParseError(r: InstructionInput | ParseError): r is ParseError {
  return (r as Partial<ParseError>).ok === false;
}

/** Prefix mnemonics that may stand before an instruction on the same statement. */
export const prefixNames: ReadonlySet<string> = new Set(PREFIXES.keys());

const segRegs = new Set(['es', 'cs', 'ss', 'ds', 'fs', 'gs']);

type MemOperand = Extract<Operand, { kind: 'mem' }>;

/** An operand that did not parse: the message and the columns it blames. */
interface OperandError {
  kind: 'error';
  message: string;
  start: number;
  end: number;
}

function operandError(message: string, start: number, end: number): OperandError {
  return { kind: 'error', message, start, end };
}

/**
 * Parses `text` (one statement, label and comment already removed) whose first character is at `startColumn`
 * in the source line.
 */
export function parseInstruction(text: string, startColumn: number, evaluate: EvaluateExpression): ParseResult {
  const r = parseInstructionInput(text, startColumn, evaluate);
  if (isParseError(r)) return r;
  const mnemonicRange = { start: startColumn + r.mnemonicStart, end: startColumn + r.mnemonicEnd };
  return { ok: true, instruction: r, mnemonicRange, operandRanges: operandRanges(text, startColumn) };
}

/**
 * The instruction a statement spells, or why it is not one: parseInstruction without the column ranges, for hot
 * callers that only need the ranges when something fails (operandRanges gives them on demand).
 */
export function parseInstructionInput(text: string, startColumn: number, evaluate: EvaluateExpression): ParsedInstruction | ParseError {
  const n = text.length;
  const head = scanHead(text);
  if (head.mnemonic === '') return { ok: false, message: 'no instruction mnemonic', range: { start: startColumn, end: startColumn + n } };
  let pos = head.end;
  // Up to three operands in locals, so the array is built once at its exact length (the assembler keeps it).
  let count = 0;
  let o0: Operand | undefined;
  let o1: Operand | undefined;
  let o2: Operand | undefined;
  let more: Operand[] | undefined;
  if (skipBlanks(text, pos, n) < n) {
    for (;;) {
      const partEnd = operandEnd(text, pos, n);
      const s = skipBlanks(text, pos, partEnd);
      const e = trimBlanksEnd(text, s, partEnd);
      if (s === e) return { ok: false, message: "expecting operand after ','; got nothing", range: { start: startColumn + s, end: startColumn + s } };
      const op = parseOperand(text, s, e, startColumn, evaluate);
      if (op.kind === 'error') return { ok: false, message: op.message, range: { start: op.start, end: op.end } };
      if (count === 0) o0 = op;
      else if (count === 1) o1 = op;
      else if (count === 2) o2 = op;
      else (more ??= []).push(op);
      count++;
      if (partEnd >= n) break;
      pos = partEnd + 1;
    }
  }
  const operands: Operand[] =
    count === 0 ? [] : count === 1 ? [o0!] : count === 2 ? [o0!, o1!] : count === 3 ? [o0!, o1!, o2!] : [o0!, o1!, o2!, ...more!];
  return new ParsedInstruction(head.mnemonic, head.prefixes, operands, text, head.mnemonicStart, head.mnemonicEnd);
}

/**
 * What parseInstructionInput returns on success. The statement as GNU quotes it in "no such instruction" is
 * rarely needed, so `text` is worked out when first read.
 */
export class ParsedInstruction implements InstructionInput {
  private quoted: string | undefined;
  constructor(
    public mnemonic: string,
    public prefixes: string[],
    public operands: Operand[],
    private readonly statement: string,
    readonly mnemonicStart: number,
    readonly mnemonicEnd: number,
  ) {}

  get text(): string {
    return (this.quoted ??= quotedStatement(this.statement, this.mnemonicStart));
  }

  set text(value: string) {
    this.quoted = value;
  }
}

/** The statement from its mnemonic on, trimmed, with the blanks around every comma dropped (as GNU quotes it). */
function quotedStatement(text: string, from: number): string {
  const s = skipBlanks(text, from, text.length);
  const e = trimBlanksEnd(text, s, text.length);
  let out = '';
  let i = s;
  let copied = s;
  while (i < e) {
    if (text.charCodeAt(i) !== 44) {
      i++;
      continue;
    }
    out += text.slice(copied, trimBlanksEnd(text, copied, i)) + ',';
    i = skipBlanks(text, i + 1, e);
    copied = i;
  }
  return out + text.slice(copied, e);
}

/** Where each operand of the statement is written, as columns (trimmed; empty operands included). */
export function operandRanges(text: string, startColumn: number): ColumnRange[] {
  const n = text.length;
  const out: ColumnRange[] = [];
  let pos = scanHead(text).end;
  if (skipBlanks(text, pos, n) >= n) return out;
  for (;;) {
    const partEnd = operandEnd(text, pos, n);
    const s = skipBlanks(text, pos, partEnd);
    out.push({ start: startColumn + s, end: startColumn + trimBlanksEnd(text, s, partEnd) });
    if (partEnd >= n) return out;
    pos = partEnd + 1;
  }
}

interface Head {
  mnemonic: string;
  prefixes: string[];
  mnemonicStart: number;
  mnemonicEnd: number;
  /** Where the operands start. */
  end: number;
}

/** Prefix words and the mnemonic: a prefix is only a prefix when a mnemonic follows; alone it is the statement. */
function scanHead(text: string): Head {
  const n = text.length;
  let pos = 0;
  let prefixes: string[] | undefined;
  let mnemonic = '';
  let mnemonicStart = 0;
  let mnemonicEnd = 0;
  for (;;) {
    pos = skipBlanks(text, pos, n);
    const end = wordEnd(text, pos);
    if (end === pos) break;
    const word = lowerCaseWord(text, pos, end);
    mnemonicStart = pos;
    mnemonicEnd = end;
    pos = end;
    if (prefixNames.has(word)) {
      const next = skipBlanks(text, pos, n);
      if (next < n && isWordStart(text.charCodeAt(next))) {
        (prefixes ??= []).push(word);
        continue;
      }
    }
    mnemonic = word;
    break;
  }
  if (!mnemonic && prefixes) mnemonic = prefixes.pop()!;
  return { mnemonic, prefixes: prefixes?.length ? prefixes.slice() : NO_PREFIXES, mnemonicStart, mnemonicEnd, end: pos };
}

/** Most instructions have no prefix: they share one frozen empty list. */
const NO_PREFIXES = Object.freeze([]) as unknown as string[];

/**
 * Mnemonic and prefix words, one string per distinct word: the encoder looks each up in several tables, and a
 * string already used as a key is found at once where a fresh slice is hashed (and, as a property name, looked
 * up in V8's string table) on every lookup.
 */
const WORDS = new WordTable();

/** The word, lowercased. */
function lowerCaseWord(text: string, start: number, end: number): string {
  return WORDS.lower(text, start, end);
}

/** `\s` for one character code (ASCII by comparison; anything else by the regex, as trim does). */
function isBlank(c: number): boolean {
  if (c < 128) return c === 32 || (c >= 9 && c <= 13);
  return /\s/.test(String.fromCharCode(c));
}

function skipBlanks(text: string, pos: number, end: number): number {
  while (pos < end && isBlank(text.charCodeAt(pos))) pos++;
  return pos;
}

/** `end` moved back over blanks, not before `start`. */
function trimBlanksEnd(text: string, start: number, end: number): number {
  while (end > start && isBlank(text.charCodeAt(end - 1))) end--;
  return end;
}

function isLetter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}

function isDigitCode(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isWordStart(c: number): boolean {
  return isLetter(c) || c === 95 || c === 46;
}

/** End of `[A-Za-z_.][A-Za-z0-9_.]*` starting at `pos` (`pos` when no such word starts there). */
function wordEnd(text: string, pos: number): number {
  if (!isWordStart(text.charCodeAt(pos))) return pos;
  let i = pos + 1;
  for (; i < text.length; i++) {
    const d = text.charCodeAt(i);
    if (!(isWordStart(d) || isDigitCode(d))) break;
  }
  return i;
}

/**
 * End of the operand starting at `pos`: the next comma outside parentheses and quotes, or `end`. A `'` is a
 * character constant in gas (it quotes the one character after it); `"` strings may escape with a backslash.
 */
function operandEnd(text: string, pos: number, end: number): number {
  let depth = 0;
  for (let i = pos; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 44) {
      if (depth === 0) return i;
    } else if (c === 40) depth++;
    else if (c === 41) depth--;
    else if (c === 39) i++;
    else if (c === 34) {
      for (i++; i < end; i++) {
        const d = text.charCodeAt(i);
        if (d === 92) i++;
        else if (d === 34) break;
      }
    }
  }
  return end;
}

type RegisterOperand = Extract<Operand, { kind: 'reg' }>;

/** One frozen operand per register name: operands are never modified, and most are plain registers. */
const registerOperands = new Map<string, RegisterOperand>();
function registerOperand(name: string): RegisterOperand {
  let o = registerOperands.get(name);
  if (!o) registerOperands.set(name, (o = Object.freeze({ kind: 'reg' as const, reg: name })));
  return o;
}

/**
 * Registers already looked up, by a number packing up to five letters and digits six bits each (so the name
 * needs no slice to be found); the value is the register's shared operand, or null for a name that is none.
 */
const registersByCode = new Map<number, RegisterOperand | null>();
const MAX_REGISTER_CODES = 4096;

/** The shared operand of the register written in [start, end) (its name without `%`), or undefined. */
function registerAt(text: string, start: number, end: number): RegisterOperand | undefined {
  let code = 0;
  if (end - start <= 5) {
    for (let i = start; i < end; i++) {
      const c = text.charCodeAt(i);
      const l = c | 0x20;
      // Letters of either case to 1..26, digits to 27..36 (never 0, so lengths differ too).
      const v = l >= 97 && l <= 122 ? l - 96 : c >= 48 && c <= 57 ? c - 21 : -1;
      if (v < 0) {
        code = -1;
        break;
      }
      code = code * 64 + v;
    }
  } else code = -1;
  if (code > 0) {
    const known = registersByCode.get(code);
    if (known !== undefined) return known ?? undefined;
  }
  const name = lookupRegister(text.slice(start, end))?.name;
  const operand = name === undefined ? undefined : registerOperand(name);
  if (code > 0) {
    if (registersByCode.size >= MAX_REGISTER_CODES) registersByCode.clear();
    registersByCode.set(code, operand ?? null);
  }
  return operand;
}

/**
 * End of `%\s*[A-Za-z][A-Za-z0-9]*(\s*\(\s*\d+\s*\))?` when it spans [pos, end) exactly (a register operand,
 * `%st(1)` included), else -1.
 */
function registerShape(text: string, pos: number, end: number): number {
  let q = skipBlanks(text, pos + 1, end);
  if (q >= end || !isLetter(text.charCodeAt(q))) return -1;
  q++;
  while (q < end && (isLetter(text.charCodeAt(q)) || isDigitCode(text.charCodeAt(q)))) q++;
  if (q === end) return end;
  q = skipBlanks(text, q, end);
  if (text.charCodeAt(q) !== 40) return -1;
  q = skipBlanks(text, q + 1, end);
  const digits = q;
  while (q < end && isDigitCode(text.charCodeAt(q))) q++;
  if (q === digits) return -1;
  q = skipBlanks(text, q, end);
  return text.charCodeAt(q) === 41 && q + 1 === end ? end : -1;
}

/** Parses the operand written (trimmed) in [s, e) of the statement that starts at column `base`. */
function parseOperand(text: string, s: number, e: number, base: number, evaluate: EvaluateExpression): Operand | OperandError {
  const start = base + s;
  const end = base + e;
  let p = s;
  let indirect = false;
  if (text.charCodeAt(p) === 42) {
    indirect = true;
    p = skipBlanks(text, p + 1, e);
  }
  const first = p < e ? text.charCodeAt(p) : -1;
  if (first === 36) {
    if (skipBlanks(text, p + 1, e) === e) return operandError('missing or invalid immediate expression', start, end);
    const v = evaluate(text.slice(p + 1, e), base + p + 1);
    if ('error' in v) return operandError(v.error, base + p, end);
    return { kind: 'imm', value: v };
  }
  let seg: string | undefined;
  if (first === 37) {
    if (registerShape(text, p, e) === e) {
      const nameStart = skipBlanks(text, p + 1, e);
      const register = registerAt(text, nameStart, e);
      if (!register) return operandError(`bad register name \`${text.slice(p, e)}'`, base + p, end);
      return indirect ? { kind: 'reg', reg: register.reg, indirect } : register;
    }
    // `%seg:` before a memory operand.
    const nameStart = skipBlanks(text, p + 1, e);
    let q = nameStart;
    while (q < e && isLetter(text.charCodeAt(q))) q++;
    if (q > nameStart) {
      const colon = skipBlanks(text, q, e);
      if (text.charCodeAt(colon) === 58) {
        const s = lowerCaseWord(text, nameStart, q);
        if (!segRegs.has(s)) {
          const known = lookupRegister(s);
          return operandError(known ? `\`%${s}' is not a valid segment register` : `bad register name \`%${s}'`, base + p, base + colon);
        }
        seg = s;
        p = skipBlanks(text, colon + 1, e);
      }
    }
  }
  // Memory: [%seg:] [disp] [(base, index, scale)]
  const mem: MemOperand = { kind: 'mem', scale: 1 };
  if (seg) mem.seg = seg;
  if (indirect) mem.indirect = true;
  let dispEnd = e;
  if (e > p && text.charCodeAt(e - 1) === 41) {
    // The '(' matching the final ')'.
    let depth = 0;
    let open = -1;
    for (let i = e - 1; i >= p; i--) {
      const c = text.charCodeAt(i);
      if (c === 41) depth++;
      else if (c === 40 && --depth === 0) {
        open = i;
        break;
      }
    }
    if (open < 0) return operandError('unbalanced parenthesis in operand', base + p, end);
    const innerStart = skipBlanks(text, open + 1, e - 1);
    const c = text.charCodeAt(innerStart);
    if (innerStart === e - 1 || c === 37 || c === 44) {
      const r = parseBaseIndex(text, open + 1, e - 1, base, evaluate, mem);
      if (r) return r;
      dispEnd = open;
    }
  }
  const ds = skipBlanks(text, p, dispEnd);
  if (ds < dispEnd) {
    const de = trimBlanksEnd(text, ds, dispEnd);
    const v = evaluate(text.slice(ds, de), base + ds);
    if ('error' in v) return operandError(v.error, base + ds, base + de);
    mem.disp = v;
  } else if (!mem.base && !mem.index) {
    return operandError('missing operand', start, end);
  }
  if (mem.base || mem.index) mem.text = text.slice(p, e);
  return mem;
}

/** `(base, index, scale)` written in [s, e): fills `mem`, or gives GNU's complaint. */
function parseBaseIndex(text: string, s: number, e: number, base: number, evaluate: EvaluateExpression, mem: MemOperand): OperandError | undefined {
  let commas = 0;
  for (let i = s; i < e; i++) if (text.charCodeAt(i) === 44) commas++;
  if (commas > 2) return operandError('too many arguments in base/index expression', base + s, base + e);
  let fieldStart = s;
  for (let k = 0; k <= commas; k++) {
    let fieldEnd = fieldStart;
    while (fieldEnd < e && text.charCodeAt(fieldEnd) !== 44) fieldEnd++;
    const ts = skipBlanks(text, fieldStart, fieldEnd);
    const te = trimBlanksEnd(text, ts, fieldEnd);
    fieldStart = fieldEnd + 1;
    if (ts === te) continue;
    if (k < 2) {
      const name = baseIndexRegister(text, ts, te);
      if (!name) {
        const message = text.charCodeAt(ts) === 37 ? `bad register name \`${text.slice(ts, te)}'` : `expecting ${k === 0 ? 'base' : 'index'} register`;
        return operandError(message, base + ts, base + te);
      }
      if (k === 0) mem.base = name;
      else mem.index = name;
      continue;
    }
    // A one-digit scale is its own value (evaluating it would give the same and record nothing).
    const digit = te - ts === 1 ? text.charCodeAt(ts) - 48 : -1;
    let scale: number;
    if (digit === 1 || digit === 2 || digit === 4 || digit === 8) scale = digit;
    else {
      const v = evaluate(text.slice(ts, te), base + ts);
      scale = 'error' in v || !v.known ? 0 : Number(v.value);
    }
    if (scale !== 1 && scale !== 2 && scale !== 4 && scale !== 8)
      return operandError(`expecting scale factor of 1, 2, 4, or 8: got \`${text.slice(ts, te)}'`, base + ts, base + te);
    mem.scale = scale;
  }
  return undefined;
}

/** The register `%\s*[A-Za-z][A-Za-z0-9]*` spelled exactly in [s, e), or undefined. */
function baseIndexRegister(text: string, s: number, e: number): string | undefined {
  if (text.charCodeAt(s) !== 37) return undefined;
  const nameStart = skipBlanks(text, s + 1, e);
  if (nameStart >= e || !isLetter(text.charCodeAt(nameStart))) return undefined;
  for (let q = nameStart + 1; q < e; q++) {
    const c = text.charCodeAt(q);
    if (!(isLetter(c) || isDigitCode(c))) return undefined;
  }
  return registerAt(text, nameStart, e)?.reg;
}
