// Data directives whose bytes are not a plain little-endian integer: LEB128 (`.uleb128`, `.sleb128`), IEEE floats
// (`.float`/`.single`/`.dc.s`, `.double`/`.dc.d`), and the repeated units of `.ds.*` and `.dcb.*`.
import type { DirectiveHandler } from './directives';

/** LEB128 bytes of `v`: unsigned (the value taken as 64-bit unsigned, as GNU does for negatives) or signed. */
export function leb128(v: bigint, signed: boolean): number[] {
  const out: number[] = [];
  let x = signed ? BigInt.asIntN(64, v) : BigInt.asUintN(64, v);
  for (;;) {
    const byte = Number(x & 0x7fn);
    x >>= 7n;
    const done = signed ? (x === 0n && (byte & 0x40) === 0) || (x === -1n && (byte & 0x40) !== 0) : x === 0n;
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

/** `.uleb128`/`.sleb128` of values known while reading (GNU also relaxes later-known ones; we report those). */
export const lebDirective = (signed: boolean): DirectiveHandler => (asm, ctx) => {
  for (const p of asm.pieces(ctx)) {
    const e = asm.parseWholeExpr(ctx, p);
    if (!e) continue;
    const v = asm.evalReporting(e, ctx);
    if (v.k !== 'abs') {
      asm.error(`${signed ? '.sleb128' : '.uleb128'} of a value not known while reading is not supported`, asm.at(ctx, p.column, p.column + p.text.length), 'unsupported');
      continue;
    }
    asm.emit(leb128(v.v, signed), ctx);
    if (asm.junkAfterExpr) break;
  }
};

/** A float literal as GNU reads it: sign, an optional 0f/0d prefix, then decimal digits, point, exponent, or inf/nan. */
export function parseFloatLiteral(text: string): number | undefined {
  let s = text.trim();
  let sign = 1;
  const takeSign = (): void => {
    if (s[0] === '-' || s[0] === '+') {
      if (s[0] === '-') sign = -sign;
      s = s.slice(1);
    }
  };
  takeSign();
  if (/^0[fFdD]/.test(s)) s = s.slice(2);
  takeSign();
  if (/^inf(inity)?$/i.test(s)) return sign * Infinity;
  if (/^nan$/i.test(s)) return NaN;
  if (!/^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return undefined;
  return sign * Number(s);
}

/** `.float`/`.double`: IEEE single (4 bytes) or double (8 bytes) from decimal literals. */
export const floatDirective = (size: 4 | 8): DirectiveHandler => (asm, ctx) => {
  for (const p of asm.pieces(ctx)) {
    const value = parseFloatLiteral(p.text);
    const out = new Uint8Array(size);
    if (value === undefined) {
      asm.error('bad floating literal', asm.at(ctx, p.column, p.column + p.text.length), 'bad-expression');
      asm.emit(out, ctx);
      continue;
    }
    const view = new DataView(out.buffer);
    const stored = size === 4 ? Math.fround(value) : value;
    // GNU: a written number beyond the format's range is an error, and it stores all ones but the top bit.
    if (!/inf/i.test(p.text) && Math.abs(stored) === Infinity) {
      asm.error('cannot create floating-point number', asm.at(ctx, p.column, p.column + p.text.length), 'bad-expression');
      out.fill(0xff);
      out[size - 1] = 0x7f;
    } else if (size === 4) view.setFloat32(0, stored, true);
    else view.setFloat64(0, stored, true);
    asm.emit(out, ctx);
  }
};

// A zero count warns only where GNU takes its `.space` path: no value given, or a one-byte unit whose value fits a
// byte (other values are emitted one by one, zero times, silently).
function fitsByte(v: bigint): boolean {
  return v >= -128n && v <= 255n;
}

/** `.ds.b` … `.ds.x` (and `.ds`, words): `count` units of `size` bytes, each the fill value (zero by default). */
export const dsDirective = (size: number): DirectiveHandler => (asm, ctx) => {
  const ps = asm.pieces(ctx);
  if (!ps.length || !ps[0].text) return;
  const count = asm.absolute(ctx, ps[0], '.space, .nops or .fill specifies non-absolute value');
  if (count === undefined) return;
  const hasFill = !!(ps[1] && ps[1].text);
  let fill = 0n;
  if (hasFill) {
    const f = asm.absolute(ctx, ps[1]);
    if (f === undefined) return;
    fill = f;
  }
  if (count <= 0n) {
    if (!hasFill || (size === 1 && fitsByte(fill))) asm.warn('.space repeat count is zero, ignored', ctx.origin, 'zero-count');
    return;
  }
  if (hasFill) asm.checkTruncation(fill, size, ctx, ps[1].column);
  asm.emitFill(Number(count), littleEndianUnit(fill, size), ctx);
};

/** `v` as `size` little-endian bytes (bytes past its 8 are zero). */
function littleEndianUnit(v: bigint, size: number): number[] {
  const u = BigInt.asUintN(64, v);
  return Array.from({ length: size }, (_, i) => (i < 8 ? Number((u >> BigInt(8 * i)) & 0xffn) : 0));
}

/** `.dcb.b` … `.dcb.l` (and `.dcb`, words): `count` copies of a value; `.dcb.s`/`.dcb.d` copy a float. */
export const dcbDirective = (size: number, float = false): DirectiveHandler => (asm, ctx) => {
  const ps = asm.pieces(ctx);
  if (!ps.length || !ps[0].text) return;
  const count = asm.absolute(ctx, ps[0]);
  if (count === undefined) return;
  if (count <= 0n) {
    const v = !float && ps[1] && ps[1].text ? asm.absolute(ctx, ps[1]) : undefined;
    if (size === 1 && v !== undefined && fitsByte(v)) asm.warn('.space repeat count is zero, ignored', ctx.origin, 'zero-count');
    return;
  }
  let unit = new Array<number>(size).fill(0);
  if (ps[1] && ps[1].text) {
    if (float) {
      const bytes = new Uint8Array(size);
      const view = new DataView(bytes.buffer);
      const v = parseFloatLiteral(ps[1].text) ?? 0;
      if (size === 4) view.setFloat32(0, v, true);
      else view.setFloat64(0, v, true);
      unit = [...bytes];
    } else {
      const v = asm.absolute(ctx, ps[1]);
      if (v === undefined) return;
      asm.checkTruncation(v, size, ctx, ps[1].column);
      unit = littleEndianUnit(v, size);
    }
  }
  asm.emitFill(Number(count), unit, ctx);
};
