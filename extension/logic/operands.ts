// Operands of one AT&T-syntax statement with their columns: what a debug hover can evaluate and which registers
// and memory operands a line touches. Works on comment-stripped text (see source-text.ts).
import { statementsOf } from './source-text';

export type OperandKind = 'register' | 'memory' | 'immediate' | 'symbol' | 'other';

export interface Token {
  kind: 'reg' | 'id' | 'num' | 'punct' | 'param';
  text: string;
  start: number;
  end: number;
}

export interface Operand {
  kind: OperandKind;
  /** Columns of the operand in the line (without a leading `*` or segment override). */
  start: number;
  end: number;
  /** The text the adapter evaluates (memory operands without segment override). */
  expression: string;
  tokens: Token[];
  /** `%es:` and the like. */
  segment?: Token;
}

export interface ParsedStatement {
  start: number;
  /** Instruction, directive or macro name (with prefixes such as lock/rep before it). */
  mnemonic?: Token;
  prefixes: Token[];
  /** A label defined at the start of the statement. */
  label?: Token;
  operands: Operand[];
  /** Statements like SYM_CODE_START(name): a cpp-style call whose arguments are symbols. */
  call?: { name: Token; args: Token[] };
  directive: boolean;
}

const PREFIXES = new Set(['lock', 'rep', 'repe', 'repz', 'repne', 'repnz', 'addr16', 'addr32', 'data16', 'data32', 'rex', 'rex64', 'rex.w', 'notrack', 'bnd', 'xacquire', 'xrelease']);

export function tokenize(text: string, offset: number): Token[] {
  const out: Token[] = [];
  const re = /(%[A-Za-z][A-Za-z0-9]*)|(\\[A-Za-z_@()][\w]*)|([A-Za-z_.][\w.$]*)|(0[xX][0-9a-fA-F]+|0[bB][01]+|\d+[bf]?\b|\d+)|('\\?.'?)|(\S)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    const kind: Token['kind'] = m[1] ? 'reg' : m[2] ? 'param' : m[3] ? 'id' : m[4] || m[5] ? 'num' : 'punct';
    out.push({ kind, text: m[0], start: offset + m.index, end: offset + m.index + m[0].length });
  }
  return out;
}

/** Splits a statement's tokens at top-level commas. */
function splitOperands(tokens: Token[]): Token[][] {
  const out: Token[][] = [];
  let cur: Token[] = [];
  let depth = 0;
  for (const t of tokens) {
    if (t.kind === 'punct' && t.text === '(') depth++;
    if (t.kind === 'punct' && t.text === ')') depth = Math.max(0, depth - 1);
    if (t.kind === 'punct' && t.text === ',' && depth === 0) {
      out.push(cur);
      cur = [];
      continue;
    }
    cur.push(t);
  }
  if (cur.length) out.push(cur);
  return out;
}

function classify(tokens: Token[], line: string): Operand | undefined {
  let ts = tokens;
  if (!ts.length) return undefined;
  if (ts[0].kind === 'punct' && ts[0].text === '*') ts = ts.slice(1);
  let segment: Token | undefined;
  if (ts.length > 2 && ts[0].kind === 'reg' && ts[1].text === ':') {
    segment = ts[0];
    ts = ts.slice(2);
  }
  if (!ts.length) return undefined;
  const start = ts[0].start;
  const end = ts[ts.length - 1].end;
  const text = line.slice(start, end);
  const base = { start, end, tokens: ts, segment };
  if (ts.some((t) => t.kind === 'param')) return { kind: 'other', expression: text, ...base };
  if (ts[0].text === '$') return { kind: 'immediate', expression: text.slice(1).trim(), ...base };
  if (ts.length === 1 && ts[0].kind === 'reg') return { kind: 'register', expression: ts[0].text.toLowerCase(), ...base };
  // disp(base,index,scale): the last parenthesised group names registers (or starts with a comma).
  const last = ts[ts.length - 1];
  if (last.text === ')') {
    let depth = 0;
    let open = -1;
    for (let i = ts.length - 1; i >= 0; i--) {
      if (ts[i].text === ')') depth++;
      else if (ts[i].text === '(' && --depth === 0) {
        open = i;
        break;
      }
    }
    const inner = open >= 0 ? ts.slice(open + 1, ts.length - 1) : [];
    if (inner.length && (inner[0].kind === 'reg' || inner[0].text === ',') && inner.every((t) => t.kind === 'reg' || t.kind === 'num' || t.text === ',')) {
      return { kind: 'memory', expression: text.replace(/\s+(?=\()/, ''), ...base };
    }
  }
  if (ts.length === 1 && ts[0].kind === 'id') return { kind: 'symbol', expression: ts[0].text, ...base };
  return { kind: 'other', expression: text, ...base };
}

/** Parses one statement (text without comments) starting at column `offset` of `line`. */
export function parseStatement(line: string, offset: number, text: string): ParsedStatement {
  let tokens = tokenize(text, offset);
  const out: ParsedStatement = { start: offset, prefixes: [], operands: [], directive: false };
  // Labels: `name:` (not `%es:`), possibly several.
  while (tokens.length >= 2 && (tokens[0].kind === 'id' || tokens[0].kind === 'num') && tokens[1].text === ':' && tokens[1].start === tokens[0].end) {
    out.label = tokens[0];
    tokens = tokens.slice(2);
  }
  if (!tokens.length) return out;
  if (tokens[0].text === '#') return out;
  if (tokens[0].kind === 'id' && tokens[1]?.text === '(' && tokens[1].start === tokens[0].end) {
    out.call = { name: tokens[0], args: tokens.slice(2).filter((t) => t.kind === 'id') };
    return out;
  }
  if (tokens[0].kind === 'id' && tokens[1]?.text === '=') {
    out.label = tokens[0];
    return out;
  }
  while (tokens.length && tokens[0].kind === 'id' && PREFIXES.has(tokens[0].text.toLowerCase()) && tokens.length > 1 && tokens[1].kind === 'id') {
    out.prefixes.push(tokens[0]);
    tokens = tokens.slice(1);
  }
  if (tokens[0].kind !== 'id') return out;
  out.mnemonic = tokens[0];
  out.directive = tokens[0].text.startsWith('.');
  out.operands = splitOperands(tokens.slice(1)).map((ts) => classify(ts, line)).filter((o): o is Operand => !!o);
  return out;
}

/** All statements of an already comment-stripped line. */
export function parseLine(stripped: string): ParsedStatement[] {
  return statementsOf(stripped, 0).map((s) => parseStatement(stripped, s.start, s.text));
}
