// GAS expressions: parsing into a small tree and evaluation with GNU as's semantics (64-bit values, comparisons
// give -1/0, `&&`/`||` give 1/0, logical `>>`, operator ranks from GNU's expr.c). Evaluation is symbolic: a value
// is absolute, relative to a label (section + frag + offset), relative to an undefined symbol, or not known yet.
import { charEscapeValue, isNameCharCode, isNameStartCode, isSpaceCode } from './scan';

export type BinaryOp =
  | '*' | '/' | '%' | '<<' | '>>'
  | '|' | '!' | '^' | '&'
  | '+' | '-'
  | '==' | '!=' | '<' | '<=' | '>' | '>='
  | '&&' | '||';

export type UnaryOp = '-' | '~' | '!' | '+';

/** Offsets `s`/`e` are positions in the text that was parsed (for diagnostics). */
/**
 * A symbol reference. `ref` caches the assembler's record for the name, set by whoever resolves it first (an
 * expression belongs to one assembly, and its symbols are never replaced), so hot paths skip the name lookup.
 */
export interface SymExpr {
  t: 'sym';
  name: string;
  s: number;
  e: number;
  ref?: unknown;
  /** Which of the symbol's `.set` definitions this reference sees (see SymbolInfo.earlier); the last if unset. */
  version?: number;
}

export type Expr =
  | { t: 'num'; v: bigint; s: number; e: number }
  | SymExpr
  | { t: 'dot'; at: unknown; s: number; e: number }
  | { t: 'un'; op: UnaryOp; x: Expr; s: number; e: number }
  | { t: 'bin'; op: BinaryOp; l: Expr; r: Expr; s: number; e: number };

const RANK: Record<BinaryOp, number> = {
  '*': 8, '/': 8, '%': 8, '<<': 8, '>>': 8,
  '|': 7, '!': 7, '^': 7, '&': 7,
  '+': 5, '-': 5,
  '==': 4, '!=': 4, '<': 4, '<=': 4, '>': 4, '>=': 4,
  '&&': 3, '||': 2,
};

export interface ParseHooks {
  /** `1b` / `1f`: the internal name of that numeric label instance, or an error message. */
  localLabel(n: string, dir: 'b' | 'f'): { name: string } | { error: string };
  /** A snapshot of the location counter for `.`. */
  dot(): unknown;
}

export interface ParsedExpr {
  expr?: Expr;
  /** Offset just past the expression. */
  end: number;
  error?: { message: string; s: number; e: number };
  /** GNU's recoverable problems (e.g. "missing operand; zero assumed"). */
  warnings?: { message: string; s: number; e: number }[];
  /** Errors GNU reports and reads on after (`(1 2)`: it takes `(1` and leaves `2)` to its caller). */
  errors?: { message: string; s: number; e: number }[];
}

/** Parses an expression starting at `pos`; stops before the first character that cannot continue it. */
export function parseExpression(text: string, pos: number, hooks: ParseHooks): ParsedExpr {
  const single = singleTerm(text, pos);
  if (single) return single;
  const p = new Parser(text, pos, hooks);
  try {
    const expr = p.binary(1);
    return { expr, end: p.pos, warnings: p.warnings, errors: p.errors };
  } catch (e) {
    if (e instanceof ExprSyntaxError) return { end: p.pos, error: { message: e.message, s: e.s, e: e.e }, warnings: p.warnings ?? [] };
    throw e;
  }
}

/**
 * The parse of an expression that is one symbol name or one decimal or hex number followed by nothing that could
 * continue it (most operands and data values), without a parser; undefined for anything else.
 */
function singleTerm(t: string, pos: number): ParsedExpr | undefined {
  const n = t.length;
  let s = pos;
  while (s < n && isSpaceCode(t.charCodeAt(s))) s++;
  if (s >= n) return undefined;
  const c = t.charCodeAt(s);
  let i = s + 1;
  while (i < n && isNameCharCode(t.charCodeAt(i))) i++;
  let expr: Expr;
  if (isNameStartCode(c) && (c !== 46 || i > s + 1)) expr = { t: 'sym', name: t.slice(s, i), s, e: i, ref: undefined, version: undefined };
  else if (c >= 49 && c <= 57 && allDigits(t, s, i)) expr = { t: 'num', v: BigInt(t.slice(s, i)), s, e: i };
  else if (c === 48 && i - s > 2 && (t.charCodeAt(s + 1) | 0x20) === 120 && allHexDigits(t, s + 2, i)) expr = { t: 'num', v: BigInt(t.slice(s, i)), s, e: i };
  else return undefined;
  let end = i;
  while (end < n && isSpaceCode(t.charCodeAt(end))) end++;
  // What follows must end the expression for the parser too: nothing, or a comma or `)` (not operators).
  if (end < n) {
    const d = t.charCodeAt(end);
    if (d !== 44 && d !== 41) return undefined;
  }
  return { expr, end, warnings: undefined };
}

function allHexDigits(t: string, s: number, e: number): boolean {
  for (let i = s; i < e; i++) {
    const c = t.charCodeAt(i);
    const l = c | 0x20;
    if (!((c >= 48 && c <= 57) || (l >= 97 && l <= 102))) return false;
  }
  return true;
}

function allDigits(t: string, s: number, e: number): boolean {
  for (let i = s; i < e; i++) {
    const c = t.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** A syntax error unwinding the parser (not an Error: nothing needs its stack, and capturing one is slow). */
class ExprSyntaxError {
  constructor(readonly message: string, readonly s: number, readonly e: number) {}
}

/**
 * The operator two characters spell (GNU reads `<>` as `!=` and `!!` as `^`), or undefined. `=` alone is not an
 * operator in an expression (it is `sym = expr` syntax).
 */
function pairOperator(a: number, b: number): BinaryOp | undefined {
  switch (a) {
    case 60: return b === 60 ? '<<' : b === 61 ? '<=' : b === 62 ? '!=' : undefined; // <
    case 62: return b === 62 ? '>>' : b === 61 ? '>=' : undefined; // >
    case 61: return b === 61 ? '==' : undefined; // =
    case 33: return b === 61 ? '!=' : b === 33 ? '^' : undefined; // !
    case 38: return b === 38 ? '&&' : undefined; // &
    case 124: return b === 124 ? '||' : undefined; // |
    default: return undefined;
  }
}

/** The operator one character spells, or undefined. */
function singleOperator(c: number): BinaryOp | undefined {
  switch (c) {
    case 42: return '*';
    case 47: return '/';
    case 37: return '%';
    case 124: return '|';
    case 33: return '!';
    case 94: return '^';
    case 38: return '&';
    case 43: return '+';
    case 45: return '-';
    case 60: return '<';
    case 62: return '>';
    default: return undefined;
  }
}

class Parser {
  /** Created on the first one: most expressions have none. */
  warnings: { message: string; s: number; e: number }[] | undefined;
  errors: { message: string; s: number; e: number }[] | undefined;
  constructor(readonly text: string, public pos: number, readonly hooks: ParseHooks) {}

  private skip(): void {
    const t = this.text;
    let i = this.pos;
    while (i < t.length && isSpaceCode(t.charCodeAt(i))) i++;
    this.pos = i;
  }

  /** Characters the operator found by peekOp spans (differs from its spelling for `<>` and `! !`). */
  private opLength = 0;

  private peekOp(): BinaryOp | undefined {
    this.skip();
    const t = this.text;
    const n = t.length;
    const i = this.pos;
    this.opLength = 0;
    if (i >= n) return undefined;
    const c = t.charCodeAt(i);
    const d = i + 1 < n ? t.charCodeAt(i + 1) : -1;
    // GNU's scrubber drops blanks between operator characters, so `< <` is `<<` and `! !` is `!!`.
    if (isSpaceCode(d) && (c === 60 || c === 62 || c === 61 || c === 33 || c === 38 || c === 124)) {
      let j = i + 1;
      while (j < n && isSpaceCode(t.charCodeAt(j))) j++;
      const joined = j < n ? pairOperator(c, t.charCodeAt(j)) : undefined;
      if (joined) {
        this.opLength = j + 1 - i;
        return joined;
      }
    }
    const pair = pairOperator(c, d);
    if (pair) {
      this.opLength = 2;
      return pair;
    }
    const single = singleOperator(c);
    if (single) this.opLength = 1;
    return single;
  }

  binary(minRank: number): Expr {
    let left = this.unary();
    for (;;) {
      const op = this.peekOp();
      if (!op || RANK[op] < minRank) return left;
      this.pos += this.opLength;
      const right = this.binary(RANK[op] + 1);
      if (++this.operators > 4000) throw new ExprSyntaxError('expression too complex', left.s, this.pos);
      left = { t: 'bin', op, l: left, r: right, s: left.s, e: right.e };
    }
  }

  private depth = 0;
  private operators = 0;

  unary(): Expr {
    // Bounded nesting: a pathological line must give a diagnostic, not a stack overflow.
    if (++this.depth > 400) throw new ExprSyntaxError('expression too deeply nested', this.pos, this.pos + 1);
    const e = this.unaryInner();
    this.depth--;
    return e;
  }

  private unaryInner(): Expr {
    this.skip();
    const s = this.pos;
    const c = this.text.charCodeAt(s);
    const op: UnaryOp | undefined = c === 45 ? '-' : c === 126 ? '~' : c === 33 ? '!' : c === 43 ? '+' : undefined;
    if (op) {
      this.pos++;
      const x = this.unary();
      return { t: 'un', op, x, s, e: x.e };
    }
    return this.primary();
  }

  primary(): Expr {
    this.skip();
    const t = this.text;
    const n = t.length;
    const s = this.pos;
    const c = s < n ? t.charCodeAt(s) : 44;
    if (c === 44) {
      // GNU: an operator with nothing after it takes zero as its operand.
      (this.warnings ??= []).push({ message: 'missing operand; zero assumed', s, e: s });
      return { t: 'num', v: 0n, s, e: s };
    }
    if (isNameStartCode(c) && !(c === 46 && !(s + 1 < n && isNameCharCode(t.charCodeAt(s + 1))))) {
      let i = s + 1;
      while (i < n && isNameCharCode(t.charCodeAt(i))) i++;
      this.pos = i;
      return { t: 'sym', name: t.slice(s, i), s, e: i, ref: undefined, version: undefined };
    }
    if (c >= 48 && c <= 57) return this.number();
    if (c === 40) {
      this.pos++;
      const inner = this.binary(1);
      this.skip();
      // GNU reports a missing `)` and reads on with what it has (its message shows the newline at the end of a line).
      if (t.charCodeAt(this.pos) === 41) this.pos++;
      else if (this.pos >= t.length) (this.errors ??= []).push({ message: "missing ')'", s: this.pos, e: this.pos + 1 });
      else (this.errors ??= []).push({ message: `found '${t[this.pos]}', expected: ')'`, s: this.pos, e: this.pos + 1 });
      // The node is this parse's own: widen it to the parentheses instead of copying it.
      inner.s = s;
      inner.e = this.pos;
      return inner;
    }
    if (c === 39) {
      if (s + 1 >= n) throw new ExprSyntaxError('bad character constant', s, s + 1);
      let v: number;
      if (t.charCodeAt(s + 1) === 92 && s + 2 < n) {
        v = charEscapeValue(t[s + 2]);
        this.pos = s + 3;
      } else {
        v = t.charCodeAt(s + 1) & 0xff;
        this.pos = s + 2;
      }
      // GNU accepts a closing quote: 'a' is the same as 'a.
      if (t.charCodeAt(this.pos) === 39) this.pos++;
      return { t: 'num', v: BigInt(v), s, e: this.pos };
    }
    if (c === 46) {
      this.pos++;
      return { t: 'dot', at: this.hooks.dot(), s, e: this.pos };
    }
    if (c === 34) {
      // A quoted symbol name.
      const close = t.indexOf('"', s + 1);
      if (close < 0) throw new ExprSyntaxError('missing closing `"\'', s, n);
      this.pos = close + 1;
      return { t: 'sym', name: t.slice(s + 1, close), s, e: this.pos, ref: undefined, version: undefined };
    }
    throw new ExprSyntaxError('bad expression', s, s + 1);
  }

  /** A number or a numeric local label reference (`1b`, `2f`), classified by character code. */
  number(): Expr {
    const t = this.text;
    const s = this.pos;
    let i = s;
    let digits = 0;
    while (i < t.length) {
      const c = t.charCodeAt(i);
      if (!isNameCharCode(c)) break;
      if (c >= 48 && c <= 57 && digits === i - s) digits++;
      i++;
    }
    this.pos = i;
    const word = t.slice(s, i);
    const len = i - s;
    const last = t.charCodeAt(i - 1) | 0x20;
    // Digits then b/f: a numeric local label (`0b` too; `0b1` is binary).
    if (len >= 2 && digits === len - 1 && (last === 98 || last === 102)) {
      const r = this.hooks.localLabel(String(Number(word.slice(0, -1))), last === 98 ? 'b' : 'f');
      if ('error' in r) throw new ExprSyntaxError(r.error, s, i);
      return { t: 'sym', name: r.name, s, e: i, ref: undefined, version: undefined };
    }
    // `09`: GNU reads the octal digits and stops at the 8 or 9, which the caller then finds as junk.
    if (len > 1 && digits === len && t.charCodeAt(s) === 48) {
      let k = s + 1;
      while (k < i && t.charCodeAt(k) <= 55) k++;
      if (k < i) {
        this.pos = k;
        return { t: 'num', v: k > s + 1 ? BigInt('0o' + t.slice(s + 1, k)) : 0n, s, e: k };
      }
    }
    if (numberSyntax(t, s, i, digits)) return { t: 'num', v: word.length > 1 && word.charCodeAt(0) === 48 && digits === len ? BigInt('0o' + word.slice(1)) : BigInt(word), s, e: i };
    throw new ExprSyntaxError(`bad number \`${word}'`, s, i);
  }
}

/**
 * Whether [s, e) (starting with a digit; `digits` leading decimal digits) is a number GNU reads: 0x hex, 0b binary,
 * 0 octal, or decimal without a leading zero.
 */
function numberSyntax(t: string, s: number, e: number, digits: number): boolean {
  const len = e - s;
  if (t.charCodeAt(s) !== 48) return digits === len;
  if (len === 1) return true;
  const k = t.charCodeAt(s + 1) | 0x20;
  if (k === 120 || k === 98) {
    if (len === 2) return false;
    for (let i = s + 2; i < e; i++) {
      const c = t.charCodeAt(i);
      const ok = k === 98 ? c === 48 || c === 49 : (c >= 48 && c <= 57) || ((c | 0x20) >= 97 && (c | 0x20) <= 102);
      if (!ok) return false;
    }
    return true;
  }
  for (let i = s + 1; i < e; i++) {
    const c = t.charCodeAt(i);
    if (c < 48 || c > 55) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------------------------
// Evaluation

/** A place in a section: the frag-model location of a label or of `.`. */
export interface Place {
  section: string;
  /** Opaque frag handle; the environment compares places. */
  frag: unknown;
  offset: number;
}

export type Val =
  | { k: 'abs'; v: bigint }
  | { k: 'rel'; at: Place; v: bigint }
  | { k: 'undef'; sym: string; v: bigint }
  | { k: 'unknown'; why: string };

export interface EvalEnv {
  /** Value of a symbol (evaluating an equated expression as needed); `undefined` symbols give k:'undef'. */
  symbol(name: string, node?: SymExpr): Val;
  /** Value of a `.` snapshot. */
  dot(at: unknown): Val;
  /** Offset a - b when it is fixed now (same frag chain of fixed-size frags, or final layout), else undefined. */
  placeDifference(a: Place, b: Place): bigint | undefined;
}

export interface EvalError {
  message: string;
  s: number;
  e: number;
}

const wrap = (v: bigint) => BigInt.asIntN(64, v);

export function evaluate(expr: Expr, env: EvalEnv, errors?: EvalError[]): Val {
  switch (expr.t) {
    case 'num':
      return { k: 'abs', v: expr.v };
    case 'sym':
      return env.symbol(expr.name, expr);
    case 'dot':
      return env.dot(expr.at);
    case 'un': {
      const x = evaluate(expr.x, env, errors);
      if (expr.op === '+') return x;
      if (x.k !== 'abs') return x.k === 'unknown' ? x : { k: 'unknown', why: 'non-constant operand' };
      if (expr.op === '-') return { k: 'abs', v: wrap(-x.v) };
      if (expr.op === '~') return { k: 'abs', v: wrap(~x.v) };
      return { k: 'abs', v: x.v === 0n ? 1n : 0n };
    }
    case 'bin': {
      const l = evaluate(expr.l, env, errors);
      const r = evaluate(expr.r, env, errors);
      return binary(expr, l, r, env, errors);
    }
  }
}

function binary(expr: Extract<Expr, { t: 'bin' }>, l: Val, r: Val, env: EvalEnv, errors?: EvalError[]): Val {
  const op = expr.op;
  if (l.k === 'unknown') return l;
  if (r.k === 'unknown') return r;
  if (op === '+') {
    if (l.k === 'abs' && r.k === 'abs') return { k: 'abs', v: wrap(l.v + r.v) };
    if (l.k !== 'abs' && r.k === 'abs') return { ...l, v: wrap(l.v + r.v) };
    if (l.k === 'abs' && r.k !== 'abs') return { ...r, v: wrap(l.v + r.v) };
    return { k: 'unknown', why: 'sum of two relocatable values' };
  }
  if (op === '-') {
    if (r.k === 'abs') return l.k === 'abs' ? { k: 'abs', v: wrap(l.v - r.v) } : { ...l, v: wrap(l.v - r.v) };
    if (l.k === 'rel' && r.k === 'rel') {
      if (l.at.section !== r.at.section) return { k: 'unknown', why: 'difference of symbols in different sections' };
      const d = env.placeDifference(l.at, r.at);
      if (d === undefined) return { k: 'unknown', why: 'difference not known yet' };
      return { k: 'abs', v: wrap(d + l.v - r.v) };
    }
    if (l.k === 'undef' && r.k === 'undef' && l.sym === r.sym) return { k: 'abs', v: wrap(l.v - r.v) };
    return { k: 'unknown', why: 'difference involving an undefined symbol' };
  }
  // Comparisons of two places in the same fixed frag chain reduce to their difference.
  if (l.k === 'rel' && r.k === 'rel' && (op === '==' || op === '!=' || op === '<' || op === '<=' || op === '>' || op === '>=')) {
    if (l.at.section === r.at.section) {
      const d = env.placeDifference(l.at, r.at);
      if (d !== undefined) return compare(op, d + l.v - r.v, 0n);
    }
    return { k: 'unknown', why: 'comparison not known yet' };
  }
  if (l.k !== 'abs' || r.k !== 'abs') return { k: 'unknown', why: 'non-constant operand' };
  const a = l.v;
  const b = r.v;
  switch (op) {
    case '*': return { k: 'abs', v: wrap(a * b) };
    case '/':
    case '%':
      if (b === 0n) {
        // GNU warns and keeps the dividend for `/`, zero for `%`.
        errors?.push({ message: 'division by zero', s: expr.s, e: expr.e });
        return { k: 'abs', v: op === '/' ? a : 0n };
      }
      return { k: 'abs', v: wrap(op === '/' ? wrap(a) / wrap(b) : wrap(a) % wrap(b)) };
    case '<<':
    case '>>':
      if (b < 0n || b >= 64n) {
        errors?.push({ message: `shift count out of range (${b} is not between 0 and 63)`, s: expr.s, e: expr.e });
        return { k: 'abs', v: 0n };
      }
      return { k: 'abs', v: op === '<<' ? wrap(a << b) : wrap(BigInt.asUintN(64, a) >> b) };
    case '|': return { k: 'abs', v: wrap(a | b) };
    case '!': return { k: 'abs', v: wrap(a | ~b) };
    case '^': return { k: 'abs', v: wrap(a ^ b) };
    case '&': return { k: 'abs', v: wrap(a & b) };
    case '&&': return { k: 'abs', v: a !== 0n && b !== 0n ? 1n : 0n };
    case '||': return { k: 'abs', v: a !== 0n || b !== 0n ? 1n : 0n };
    default: return compare(op, wrap(a), wrap(b));
  }
}

function compare(op: BinaryOp, a: bigint, b: bigint): Val {
  let t: boolean;
  switch (op) {
    case '==': t = a === b; break;
    case '!=': t = a !== b; break;
    case '<': t = a < b; break;
    case '<=': t = a <= b; break;
    case '>': t = a > b; break;
    default: t = a >= b; break;
  }
  return { k: 'abs', v: t ? -1n : 0n };
}

/** Replaces symbols whose value is absolute now by their numbers (GNU as binds absolute symbols at parse time). */
export function freeze(expr: Expr, absolute: (name: string, node: SymExpr) => bigint | undefined): Expr {
  switch (expr.t) {
    case 'sym': {
      const v = absolute(expr.name, expr);
      return v === undefined ? expr : { t: 'num', v, s: expr.s, e: expr.e };
    }
    case 'un':
      return { ...expr, x: freeze(expr.x, absolute) };
    case 'bin':
      return { ...expr, l: freeze(expr.l, absolute), r: freeze(expr.r, absolute) };
    default:
      return expr;
  }
}

/** Every symbol name the expression mentions (for references and undefined-symbol reports). */
/** The symbol references in an expression (the nodes themselves: name, s, e and the cached ref). */
export function symbolsOf(expr: Expr, out: SymExpr[] = []): SymExpr[] {
  if (expr.t === 'sym') out.push(expr);
  else if (expr.t === 'un') symbolsOf(expr.x, out);
  else if (expr.t === 'bin') {
    symbolsOf(expr.l, out);
    symbolsOf(expr.r, out);
  }
  return out;
}
