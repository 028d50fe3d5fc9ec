// 64-bit and 128-bit integer helpers on 32-bit halves (no BigInt): products and quotients for MUL/IMUL/DIV/IDIV.
// Results land in the exported W object.

const TWO32 = 0x1_0000_0000;

/** w0..w3: 32-bit limbs of a 128-bit value (w0 lowest); q/r pairs for divisions. */
export const W = { w0: 0, w1: 0, w2: 0, w3: 0, ok: true };

/** Unsigned 32 x 32 -> 64: W.w0 low, W.w1 high. */
export function mul32(a: number, b: number): void {
  a >>>= 0;
  b >>>= 0;
  const aL = a & 0xffff, aH = a >>> 16, bL = b & 0xffff, bH = b >>> 16;
  const ll = aL * bL;
  const cross = aL * bH + aH * bL + Math.floor(ll / 65536);
  W.w0 = Math.imul(a, b) >>> 0;
  W.w1 = (aH * bH + Math.floor(cross / 65536)) >>> 0;
}

/** Unsigned 64 x 64 -> 128 into W.w0..w3. */
export function mul64(a0: number, a1: number, b0: number, b1: number): void {
  mul32(a0, b0);
  const p00l = W.w0, p00h = W.w1;
  mul32(a0, b1);
  const p01l = W.w0, p01h = W.w1;
  mul32(a1, b0);
  const p10l = W.w0, p10h = W.w1;
  mul32(a1, b1);
  const p11l = W.w0, p11h = W.w1;
  const s1 = p00h + p01l + p10l;
  const s2 = p01h + p10h + p11l + Math.floor(s1 / TWO32);
  const s3 = p11h + Math.floor(s2 / TWO32);
  W.w0 = p00l;
  W.w1 = s1 >>> 0;
  W.w2 = s2 >>> 0;
  W.w3 = s3 >>> 0;
}

/** Signed 64 x 64 -> 128 (two's complement halves). */
export function imul64(a0: number, a1: number, b0: number, b1: number): void {
  mul64(a0, a1, b0, b1);
  // high 64 -= (a < 0 ? b : 0) + (b < 0 ? a : 0)
  if (a1 & 0x80000000) subHigh(b0, b1);
  if (b1 & 0x80000000) subHigh(a0, a1);
}

function subHigh(l: number, h: number): void {
  const lo = W.w2 - (l >>> 0);
  W.w2 = lo >>> 0;
  W.w3 = (W.w3 - (h >>> 0) - (lo < 0 ? 1 : 0)) >>> 0;
}

/** Signed 32 x 32 -> 64 into W.w0 (low), W.w1 (high). */
export function imul32(a: number, b: number): void {
  mul32(a, b);
  let hi = W.w1;
  if (a & 0x80000000) hi -= b >>> 0;
  if (b & 0x80000000) hi -= a >>> 0;
  W.w1 = hi >>> 0;
}

/**
 * Unsigned 128 / 64 (n3:n2:n1:n0 / d1:d0). W.ok = false when the divisor is zero or the quotient needs more than
 * 64 bits; otherwise quotient in w0 (low) w1 (high), remainder in w2 (low) w3 (high).
 */
export function udiv128(n0: number, n1: number, n2: number, n3: number, d0: number, d1: number): void {
  n0 >>>= 0; n1 >>>= 0; n2 >>>= 0; n3 >>>= 0; d0 >>>= 0; d1 >>>= 0;
  if ((d0 | d1) === 0 || n3 > d1 || (n3 === d1 && n2 >= d0)) {
    W.ok = false;
    return;
  }
  // Remainder starts as the high 64 bits (< divisor); shift in the low 64 bits one at a time.
  let r0 = n2, r1 = n3, q0 = n0, q1 = n1;
  for (let i = 0; i < 64; i++) {
    const top = r1 >>> 31;
    r1 = ((r1 << 1) | (r0 >>> 31)) >>> 0;
    r0 = ((r0 << 1) | (q1 >>> 31)) >>> 0;
    q1 = ((q1 << 1) | (q0 >>> 31)) >>> 0;
    q0 = (q0 << 1) >>> 0;
    if (top || r1 > d1 || (r1 === d1 && r0 >= d0)) {
      const l = r0 - d0;
      r0 = l >>> 0;
      r1 = (r1 - d1 - (l < 0 ? 1 : 0)) >>> 0;
      q0 = (q0 | 1) >>> 0;
    }
  }
  W.ok = true;
  W.w0 = q0;
  W.w1 = q1;
  W.w2 = r0;
  W.w3 = r1;
}

/** Unsigned 64 / 32 (hi:lo / d): quotient must fit 32 bits. w0 quotient, w2 remainder. */
export function udiv64(lo: number, hi: number, d: number): void {
  lo >>>= 0;
  hi >>>= 0;
  d >>>= 0;
  if (d === 0 || hi >= d) {
    W.ok = false;
    return;
  }
  const n1 = hi * 65536 + (lo >>> 16);
  const q1 = Math.floor(n1 / d);
  const r1 = n1 - q1 * d;
  const n0 = r1 * 65536 + (lo & 0xffff);
  const q0 = Math.floor(n0 / d);
  W.w0 = (q1 * 65536 + q0) >>> 0;
  W.w2 = (n0 - q0 * d) >>> 0;
  W.ok = true;
}
