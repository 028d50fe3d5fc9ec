// `#if` / `#elif` constant expressions with C semantics in 64-bit intmax_t/uintmax_t (gcc on x86-64): all C
// operators with their precedence, `defined X` / `defined(X)`, unknown identifiers as 0, integer suffixes,
// character constants, and no evaluation (hence no division-by-zero error) in short-circuited operands.
import type { Token } from './token';
import { PREV_WHITE } from './token';

export interface ExprHost {
  /** Next macro-expanded token of the directive ('eof' at its end). */
  next(): Token;
  /** Reads the operand of `defined` without expanding it. */
  nextUnexpanded(): Token;
  isDefined(name: string, at: Token): boolean;
  /** `__has_include` / `__has_include_next`: the header as spelled. */
  hasInclude(spelled: string, angled: boolean, next: boolean, at: Token): boolean;
  error(message: string, at: Token, severity?: 'error' | 'warning'): void;
}

interface Value {
  v: bigint;
  unsigned: boolean;
}

class ExprError extends Error {
  constructor(
    message: string,
    readonly at: Token,
  ) {
    super(message);
  }
}

const MASK = (1n << 64n) - 1n;
const norm = (v: bigint, unsigned: boolean): Value => ({ v: unsigned ? BigInt.asUintN(64, v) : BigInt.asIntN(64, v), unsigned });

const BINARY_PREC: Record<string, number> = {
  '*': 10,
  '/': 10,
  '%': 10,
  '+': 9,
  '-': 9,
  '<<': 8,
  '>>': 8,
  '<': 7,
  '>': 7,
  '<=': 7,
  '>=': 7,
  '==': 6,
  '!=': 6,
  '&': 5,
  '^': 4,
  '|': 3,
  '&&': 2,
  '||': 1,
};

/** Evaluates the rest of a `#if` line. Returns undefined after reporting an error (the group is then skipped). */
export function evaluateCondition(host: ExprHost, dirToken: Token, dirName: string): boolean | undefined {
  const p = new Parser(host);
  try {
    p.advance();
    if (p.tok.kind === 'eof') throw new ExprError(`#${dirName} with no expression`, dirToken);
    const v = p.comma(true);
    if (!p.atEof()) {
      if (p.tok.kind === 'punct' && p.tok.text === ')') throw new ExprError("missing '(' in expression", p.tok);
      if (p.tok.kind === 'punct' && p.tok.text === ':') throw new ExprError("':' without preceding '?'", p.tok);
      throw new ExprError(`missing binary operator before token "${p.tok.text}"`, p.tok);
    }
    return v.v !== 0n;
  } catch (e) {
    if (e instanceof ExprError) {
      host.error(e.message, e.at);
      return undefined;
    }
    throw e;
  }
}

/** Parentheses and unary operators nested deeper than this are refused (the parser recurses on them). */
const MAX_NESTING = 1000;

class Parser {
  tok!: Token;
  private depth = 0;
  constructor(private readonly host: ExprHost) {}

  advance(): void {
    do this.tok = this.host.next();
    while (this.tok.kind === 'padding');
  }

  atEof(): boolean {
    return this.tok.kind === 'eof';
  }

  private isPunct(text: string): boolean {
    return this.tok.kind === 'punct' && this.tok.text === text;
  }

  comma(evaluate: boolean): Value {
    let v = this.conditional(evaluate);
    while (this.isPunct(',')) {
      this.advance();
      v = this.conditional(evaluate);
    }
    return v;
  }

  conditional(evaluate: boolean): Value {
    if (++this.depth > MAX_NESTING) throw new ExprError('#if expression nested too deeply', this.tok);
    try {
      return this.conditionalInner(evaluate);
    } finally {
      this.depth--;
    }
  }

  private conditionalInner(evaluate: boolean): Value {
    const c = this.binary(1, evaluate);
    if (!this.isPunct('?')) return c;
    const q = this.tok;
    this.advance();
    if (this.tok.kind === 'eof') throw new ExprError("operator '?' has no right operand", q);
    const taken = c.v !== 0n;
    const a = this.comma(evaluate && taken);
    if (!this.isPunct(':')) throw new ExprError("'?' without following ':'", this.atEof() ? q : this.tok);
    this.advance();
    const b = this.conditional(evaluate && !taken);
    const unsigned = a.unsigned || b.unsigned;
    return norm(taken ? a.v : b.v, unsigned);
  }

  binary(minPrec: number, evaluate: boolean): Value {
    let lhs = this.unary(evaluate);
    for (;;) {
      const op = this.tok;
      if (op.kind !== 'punct') break;
      const prec = BINARY_PREC[op.text];
      if (prec === undefined || prec < minPrec) break;
      this.advance();
      if (this.tok.kind === 'eof') throw new ExprError(`operator '${op.text}' has no right operand`, op);
      if (op.text === '&&' || op.text === '||') {
        const lv = lhs.v !== 0n;
        const rhsEval = evaluate && (op.text === '&&' ? lv : !lv);
        const rhs = this.binary(prec + 1, rhsEval);
        const r = op.text === '&&' ? lv && rhs.v !== 0n : lv || rhs.v !== 0n;
        lhs = { v: r ? 1n : 0n, unsigned: false };
        continue;
      }
      const rhs = this.binary(prec + 1, evaluate);
      lhs = this.apply(op, lhs, rhs, evaluate);
    }
    return lhs;
  }

  private apply(op: Token, a: Value, b: Value, evaluate: boolean): Value {
    const unsigned = a.unsigned || b.unsigned;
    const x = unsigned ? BigInt.asUintN(64, a.v) : a.v;
    const y = unsigned ? BigInt.asUintN(64, b.v) : b.v;
    const bool = (c: boolean): Value => ({ v: c ? 1n : 0n, unsigned: false });
    switch (op.text) {
      case '*':
        return norm(x * y, unsigned);
      case '/':
      case '%':
        if (y === 0n) {
          // gcc reports the error and carries on with the left operand as the result.
          if (evaluate) this.host.error('division by zero in #if', op);
          return norm(x, unsigned);
        }
        return norm(op.text === '/' ? x / y : x % y, unsigned);
      case '+':
        return norm(x + y, unsigned);
      case '-':
        return norm(x - y, unsigned);
      case '<<':
      case '>>': {
        // The result has the left operand's type; a negative count shifts the other way.
        let count = b.unsigned ? BigInt.asUintN(64, b.v) : b.v;
        let left = op.text === '<<';
        if (count < 0n) {
          count = -count;
          left = !left;
        }
        const lv = a.unsigned ? BigInt.asUintN(64, a.v) : a.v;
        if (left) return norm(count >= 64n ? 0n : lv << count, a.unsigned);
        if (count >= 64n) return { v: !a.unsigned && lv < 0n ? -1n : 0n, unsigned: a.unsigned };
        return norm(lv >> count, a.unsigned);
      }
      case '<':
        return bool(x < y);
      case '>':
        return bool(x > y);
      case '<=':
        return bool(x <= y);
      case '>=':
        return bool(x >= y);
      case '==':
        return bool(x === y);
      case '!=':
        return bool(x !== y);
      case '&':
        return norm(x & y, unsigned);
      case '^':
        return norm(x ^ y, unsigned);
      case '|':
        return norm(x | y, unsigned);
    }
    throw new ExprError(`token "${op.text}" is not valid in preprocessor expressions`, op);
  }

  unary(evaluate: boolean): Value {
    if (++this.depth > MAX_NESTING) throw new ExprError('#if expression nested too deeply', this.tok);
    try {
      return this.unaryInner(evaluate);
    } finally {
      this.depth--;
    }
  }

  private unaryInner(evaluate: boolean): Value {
    const t = this.tok;
    if (t.kind === 'punct') {
      switch (t.text) {
        case '+':
        case '-':
        case '~':
        case '!': {
          this.advance();
          if (this.tok.kind === 'eof') throw new ExprError(`operator '${t.text}' has no right operand`, t);
          const v = this.unary(evaluate);
          if (t.text === '+') return v;
          if (t.text === '-') return norm(-v.v, v.unsigned);
          if (t.text === '~') return norm(~v.v & MASK, v.unsigned);
          return { v: v.v === 0n ? 1n : 0n, unsigned: false };
        }
        case '(': {
          this.advance();
          if (this.isPunct(')')) throw new ExprError("missing expression between '(' and ')'", this.tok);
          const v = this.comma(evaluate);
          if (!this.isPunct(')')) {
            if (this.tok.kind === 'eof') throw new ExprError("missing ')' in expression", t);
            throw new ExprError(`missing ')' in expression`, this.tok);
          }
          this.advance();
          return v;
        }
      }
      if (BINARY_PREC[t.text] !== undefined || t.text === '?' || t.text === ':' || t.text === ',') {
        throw new ExprError(`operator '${t.text}' has no left operand`, t);
      }
      if (t.text === ')') throw new ExprError("missing expression between '(' and ')'", t);
      throw new ExprError(`token "${t.text}" is not valid in preprocessor expressions`, t);
    }
    if (t.kind === 'number') {
      const v = parseInteger(t, this.host);
      this.advance();
      return v;
    }
    if (t.kind === 'char') {
      const v = parseChar(t, this.host);
      this.advance();
      return v;
    }
    if (t.kind === 'ident') {
      if (t.text === 'defined') return this.defined(t);
      if (t.text === '__has_include' || t.text === '__has_include_next') return this.hasInclude(t);
      // Any identifier left after macro expansion is 0.
      this.advance();
      return { v: 0n, unsigned: false };
    }
    if (t.kind === 'eof') throw new ExprError('#if with no expression', t);
    throw new ExprError(`token "${t.text}" is not valid in preprocessor expressions`, t);
  }

  private defined(at: Token): Value {
    let t = this.host.nextUnexpanded();
    while (t.kind === 'padding') t = this.host.nextUnexpanded();
    let paren = false;
    if (t.kind === 'punct' && t.text === '(') {
      paren = true;
      t = this.host.nextUnexpanded();
      while (t.kind === 'padding') t = this.host.nextUnexpanded();
    }
    if (t.kind !== 'ident') throw new ExprError('operator "defined" requires an identifier', t.kind === 'eof' ? at : t);
    const result = this.host.isDefined(t.text, t);
    if (paren) {
      let c = this.host.nextUnexpanded();
      while (c.kind === 'padding') c = this.host.nextUnexpanded();
      if (!(c.kind === 'punct' && c.text === ')')) throw new ExprError('missing \')\' after "defined"', c.kind === 'eof' ? t : c);
    }
    this.advance();
    return { v: result ? 1n : 0n, unsigned: false };
  }

  private hasInclude(at: Token): Value {
    this.advance();
    if (!this.isPunct('(')) throw new ExprError(`missing '(' before "${at.text}" operand`, at);
    this.advance();
    let spelled: string;
    let angled: boolean;
    if (this.tok.kind === 'string') {
      spelled = this.tok.text.slice(1, -1);
      angled = false;
      this.advance();
    } else if (this.isPunct('<')) {
      angled = true;
      spelled = '';
      this.advance();
      while (!this.isPunct('>')) {
        if (this.tok.kind === 'eof') throw new ExprError("missing terminating > character", at);
        if (spelled.length > 0 && this.tok.flags & PREV_WHITE) spelled += ' ';
        spelled += this.tok.text;
        this.advance();
      }
      this.advance();
    } else throw new ExprError(`operator "${at.text}" requires a header-name`, this.tok.kind === 'eof' ? at : this.tok);
    if (!this.isPunct(')')) throw new ExprError(`missing ')' after "${at.text}" operand`, this.tok.kind === 'eof' ? at : this.tok);
    this.advance();
    const found = this.host.hasInclude(spelled, angled, at.text === '__has_include_next', at);
    return { v: found ? 1n : 0n, unsigned: false };
  }
}

/** An integer constant in #if: decimal, octal, hex, binary (GNU), with u/l/ll suffixes. */
export function parseInteger(t: Token, host: Pick<ExprHost, 'error'>): Value {
  const s = t.text;
  let i = 0;
  let radix = 10;
  if (s[0] === '0' && (s[1] === 'x' || s[1] === 'X')) {
    radix = 16;
    i = 2;
  } else if (s[0] === '0' && (s[1] === 'b' || s[1] === 'B')) {
    radix = 2;
    i = 2;
  } else if (s[0] === '0') radix = 8;
  const digitsStart = i;
  const isDigitOf = (c: string): boolean =>
    radix === 16 ? /[0-9a-fA-F]/.test(c) : radix === 2 ? c === '0' || c === '1' : radix === 8 ? /[0-9]/.test(c) : /[0-9]/.test(c);
  while (i < s.length && isDigitOf(s[i])) i++;
  const digits = s.slice(digitsStart, i);
  const suffix = s.slice(i);
  if (/[.]/.test(s) || (radix === 10 && /^[eE]/.test(suffix)) || (radix === 16 && /[pP]/.test(suffix)) || (radix === 8 && /^[eE.]/.test(suffix))) {
    throw new ExprError('floating constant in preprocessor expression', t);
  }
  if (!/^(?:[uU](?:ll|LL|[lL])?|(?:ll|LL|[lL])[uU]?)?$/.test(suffix)) {
    throw new ExprError(`invalid suffix "${suffix}" on integer constant`, t);
  }
  if ((radix === 16 || radix === 2) && digits.length === 0) throw new ExprError(`invalid suffix "${s.slice(1)}" on integer constant`, t);
  if (radix === 8) {
    const bad = digits.match(/[89]/);
    if (bad) throw new ExprError(`invalid digit "${bad[0]}" in octal constant`, t);
  }
  let v = 0n;
  const r = BigInt(radix);
  for (const c of digits) v = v * r + BigInt(parseInt(c, 16));
  let unsigned = /[uU]/.test(suffix);
  if (v > MASK) {
    host.error('integer constant is too large for its type', t, 'warning');
    v &= MASK;
    unsigned = true;
  } else if (!unsigned && v > (1n << 63n) - 1n) {
    // gcc: "integer constant is so large that it is unsigned" (decimal); hex/octal just become unsigned.
    if (radix === 10) host.error('integer constant is so large that it is unsigned', t, 'warning');
    unsigned = true;
  }
  return { v: unsigned ? v : BigInt.asIntN(64, v), unsigned };
}

const SIMPLE_ESCAPES: Record<string, number> = {
  n: 10,
  t: 9,
  r: 13,
  a: 7,
  b: 8,
  f: 12,
  v: 11,
  e: 27,
  E: 27,
  '\\': 92,
  "'": 39,
  '"': 34,
  '?': 63,
};

/** A character constant: plain ones are `char` (signed on x86), multi-character ones combine into an int. */
export function parseChar(t: Token, host: Pick<ExprHost, 'error'>): Value {
  const s = t.text;
  const q = s.indexOf("'");
  const prefix = s.slice(0, q);
  const body = s.slice(q + 1, -1);
  const chars: number[] = [];
  for (let i = 0; i < body.length; ) {
    const c = body[i];
    if (c !== '\\') {
      chars.push(body.codePointAt(i)!);
      i += body.codePointAt(i)! > 0xffff ? 2 : 1;
      continue;
    }
    const e = body[i + 1];
    if (e === undefined) break;
    if (e === 'x') {
      let j = i + 2;
      let v = 0;
      while (j < body.length && /[0-9a-fA-F]/.test(body[j])) v = (v * 16 + parseInt(body[j++], 16)) >>> 0;
      if (j === i + 2) throw new ExprError('\\x used with no following hex digits', t);
      chars.push(v);
      i = j;
    } else if (/[0-7]/.test(e)) {
      let j = i + 1;
      let v = 0;
      while (j < body.length && j < i + 4 && /[0-7]/.test(body[j])) v = v * 8 + parseInt(body[j++], 8);
      chars.push(v);
      i = j;
    } else {
      const v = SIMPLE_ESCAPES[e];
      if (v === undefined) host.error(`unknown escape sequence: '\\${e}'`, t, 'warning');
      chars.push(v ?? e.charCodeAt(0));
      i += 2;
    }
  }
  if (chars.length === 0) throw new ExprError('empty character constant', t);
  if (prefix === '') {
    if (chars.length === 1) return { v: BigInt((chars[0] << 24) >> 24), unsigned: false };
    host.error('multi-character character constant', t, 'warning');
    let v = 0;
    for (const c of chars) v = ((v << 8) | (c & 0xff)) | 0;
    return { v: BigInt(v), unsigned: false };
  }
  // Wide and Unicode constants: the last character's value (wchar_t is a signed 32-bit int on x86-64 Linux).
  const last = chars[chars.length - 1];
  if (prefix === 'L') return { v: BigInt(last | 0), unsigned: false };
  return { v: BigInt(prefix === 'u' ? last & 0xffff : last >>> 0), unsigned: true };
}
