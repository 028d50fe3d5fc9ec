// Integer arithmetic with exact EFLAGS (SDM vol. 2 per instruction). Values up to 32 bits are unsigned Numbers;
// 64-bit values are lo/hi halves. Results land in `res.lo`/`res.hi`; flags are merged into cpu.eflags.
// Where the SDM leaves a flag undefined we follow QEMU (Unicorn): AF is cleared by logic ops, and so on.
import type { CpuState } from '../state';

export const F_CF = 1, F_PF = 4, F_AF = 0x10, F_ZF = 0x40, F_SF = 0x80, F_OF = 0x800;
export const ARITH = F_CF | F_PF | F_AF | F_ZF | F_SF | F_OF;

const PARITY = new Uint8Array(256);
for (let i = 0; i < 256; i++) {
  let b = i, p = 1;
  while (b) {
    p ^= b & 1;
    b >>= 1;
  }
  PARITY[i] = p ? F_PF : 0;
}

export const res = { lo: 0, hi: 0 };

export function mask(size: number): number {
  return size === 8 ? 0xff : size === 16 ? 0xffff : 0xffffffff;
}

function signBit(size: number): number {
  return size === 8 ? 0x80 : size === 16 ? 0x8000 : 0x80000000;
}

function setFlags(s: CpuState, f: number, which = ARITH): void {
  s.lazyOp = 0;
  s.eflags = ((s.eflags & ~which) | (f & which)) >>> 0;
}

/** SF, ZF, PF for a result (lo/hi; hi only for 64). */
function szp(size: number, lo: number, hi: number): number {
  let f = PARITY[lo & 0xff];
  if (size === 64) {
    if (lo === 0 && hi === 0) f |= F_ZF;
    if (hi & 0x80000000) f |= F_SF;
  } else {
    if ((lo & mask(size)) === 0) f |= F_ZF;
    if (lo & signBit(size)) f |= F_SF;
  }
  return f;
}

/** ADD/ADC (carry = 0/1). */
export function add(s: CpuState, size: number, aLo: number, aHi: number, bLo: number, bHi: number, carry: number): void {
  let f: number;
  if (size === 64) {
    const l = (aLo >>> 0) + (bLo >>> 0) + carry;
    const c1 = l > 0xffffffff ? 1 : 0;
    const h = (aHi >>> 0) + (bHi >>> 0) + c1;
    res.lo = l >>> 0;
    res.hi = h >>> 0;
    f = szp(64, res.lo, res.hi) | (h > 0xffffffff ? F_CF : 0);
    if (((~(aHi ^ bHi) & (aHi ^ res.hi)) & 0x80000000) !== 0) f |= F_OF;
  } else {
    const m = mask(size), sb = signBit(size);
    const r = ((aLo & m) >>> 0) + ((bLo & m) >>> 0) + carry;
    res.lo = (r & m) >>> 0;
    res.hi = 0;
    f = szp(size, res.lo, 0) | (r > m ? F_CF : 0);
    if ((~(aLo ^ bLo) & (aLo ^ res.lo) & sb) !== 0) f |= F_OF;
  }
  if (((aLo ^ bLo ^ res.lo) & 0x10) !== 0) f |= F_AF;
  setFlags(s, f);
}

/** SUB/SBB/CMP (borrow = 0/1). */
export function sub(s: CpuState, size: number, aLo: number, aHi: number, bLo: number, bHi: number, borrow: number): void {
  let f: number;
  if (size === 64) {
    const l = (aLo >>> 0) - (bLo >>> 0) - borrow;
    const b1 = l < 0 ? 1 : 0;
    const h = (aHi >>> 0) - (bHi >>> 0) - b1;
    res.lo = l >>> 0;
    res.hi = h >>> 0;
    f = szp(64, res.lo, res.hi) | (h < 0 ? F_CF : 0);
    if ((((aHi ^ bHi) & (aHi ^ res.hi)) & 0x80000000) !== 0) f |= F_OF;
  } else {
    const m = mask(size), sb = signBit(size);
    const r = ((aLo & m) >>> 0) - ((bLo & m) >>> 0) - borrow;
    res.lo = (r & m) >>> 0;
    res.hi = 0;
    f = szp(size, res.lo, 0) | (r < 0 ? F_CF : 0);
    if (((aLo ^ bLo) & (aLo ^ res.lo) & sb) !== 0) f |= F_OF;
  }
  if (((aLo ^ bLo ^ res.lo) & 0x10) !== 0) f |= F_AF;
  setFlags(s, f);
}

/** AND/OR/XOR/TEST result flags: CF = OF = 0, AF cleared (undefined in the SDM; QEMU clears it). */
export function logic(s: CpuState, size: number, lo: number, hi: number): void {
  const m = size === 64 ? 0xffffffff : mask(size);
  res.lo = (lo & m) >>> 0;
  res.hi = size === 64 ? hi >>> 0 : 0;
  setFlags(s, szp(size, res.lo, res.hi));
}

/** INC/DEC: like ADD/SUB by one but CF is kept. */
export function incdec(s: CpuState, size: number, lo: number, hi: number, dec: boolean): void {
  const cf = s.getEflags() & F_CF;
  if (dec) sub(s, size, lo, hi, 1, 0, 0);
  else add(s, size, lo, hi, 1, 0, 0);
  s.eflags = ((s.eflags & ~F_CF) | cf) >>> 0;
}

/** NEG: 0 - x, CF = (x != 0). */
export function neg(s: CpuState, size: number, lo: number, hi: number): void {
  sub(s, size, 0, 0, lo, hi, 0);
}

/** Shifts and rotates by `count` (already masked to 5 or 6 bits by the caller). kind: 0 rol 1 ror 2 rcl 3 rcr 4 shl 5 shr 7 sar. */
export function shift(s: CpuState, size: number, kind: number, lo: number, hi: number, count: number): void {
  if (count !== 0 && kind !== 2 && kind !== 3) {
    if (size !== 64) shiftNarrow(s, size, kind, lo, count);
    else if (kind >= 4) shift64(s, kind, lo >>> 0, hi >>> 0, count);
    else shiftBig(s, size, kind, lo, hi, count);
    return;
  }
  shiftBig(s, size, kind, lo, hi, count);
}

/** Bit n (0-63) of a 64-bit value. */
function bit64(lo: number, hi: number, n: number): number {
  return n < 32 ? (lo >>> n) & 1 : (hi >>> (n - 32)) & 1;
}

/** shl/shr/sar on 64-bit lo/hi values, count 1-63. */
function shift64(s: CpuState, kind: number, lo: number, hi: number, c: number): void {
  let rl: number, rh: number, cf: number, f = s.getEflags() & ~ARITH;
  if (kind === 5 || kind === 7) {
    const fill = kind === 7 && hi & 0x80000000 ? 0xffffffff : 0;
    cf = bit64(lo, hi, c - 1);
    if (c < 32) {
      rl = ((lo >>> c) | (hi << (32 - c))) >>> 0;
      rh = kind === 7 ? (hi >> c) >>> 0 : hi >>> c;
    } else if (c === 32) {
      rl = hi;
      rh = fill;
    } else {
      rl = kind === 7 ? (hi >> (c - 32)) >>> 0 : hi >>> (c - 32);
      rh = fill;
    }
    if (kind === 5 && hi & 0x80000000) f |= F_OF;
  } else {
    cf = bit64(lo, hi, 64 - c);
    if (c < 32) {
      rh = ((hi << c) | (lo >>> (32 - c))) >>> 0;
      rl = (lo << c) >>> 0;
    } else if (c === 32) {
      rh = lo;
      rl = 0;
    } else {
      rh = (lo << (c - 32)) >>> 0;
      rl = 0;
    }
    if (((rh >>> 31) ^ cf) !== 0) f |= F_OF;
  }
  res.lo = rl;
  res.hi = rh;
  s.lazyOp = 0;
  s.eflags = (f | (cf ? F_CF : 0) | szp(64, rl, rh)) >>> 0;
}

/** The general path (RCL/RCR, 64-bit rotates): BigInt arithmetic, used rarely. */
function shiftBig(s: CpuState, size: number, kind: number, lo: number, hi: number, count: number): void {
  const bits = size;
  let v = size === 64 ? (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0) : BigInt((lo & mask(size)) >>> 0);
  const m = (1n << BigInt(bits)) - 1n;
  const top = 1n << BigInt(bits - 1);
  if (count === 0) {
    res.lo = Number(v & 0xffffffffn) >>> 0;
    res.hi = Number(v >> 32n) >>> 0;
    return;
  }
  const fl = s.getEflags();
  let cf = fl & F_CF;
  let f = fl;
  let r: bigint;
  const c = BigInt(count);
  switch (kind) {
    case 0: { // rol
      const k = BigInt(count % bits);
      r = ((v << k) | (v >> (BigInt(bits) - k))) & m;
      cf = Number(r & 1n);
      f = (f & ~(F_CF | F_OF)) | (cf ? F_CF : 0) | ((((r & top) !== 0n ? 1 : 0) ^ cf) ? F_OF : 0);
      break;
    }
    case 1: { // ror
      const k = BigInt(count % bits);
      r = ((v >> k) | (v << (BigInt(bits) - k))) & m;
      cf = (r & top) !== 0n ? 1 : 0;
      const b2 = (r & (top >> 1n)) !== 0n ? 1 : 0;
      f = (f & ~(F_CF | F_OF)) | (cf ? F_CF : 0) | ((cf ^ b2) ? F_OF : 0);
      break;
    }
    case 2:
    case 3: { // rcl / rcr through CF
      const k = count % (bits + 1);
      r = v;
      let carry = BigInt(cf);
      for (let i = 0; i < k; i++) {
        if (kind === 2) {
          const out = (r & top) !== 0n ? 1n : 0n;
          r = ((r << 1n) | carry) & m;
          carry = out;
        } else {
          const out = r & 1n;
          r = (r >> 1n) | (carry << BigInt(bits - 1));
          carry = out;
        }
      }
      const msb = (r & top) !== 0n ? 1 : 0;
      const of = kind === 2 ? msb ^ Number(carry) : msb ^ ((r & (top >> 1n)) !== 0n ? 1 : 0);
      f = (f & ~(F_CF | F_OF)) | (carry ? F_CF : 0) | (of ? F_OF : 0);
      break;
    }
    case 4:
    case 6: { // shl/sal
      r = (v << c) & m;
      cf = count <= bits ? Number((v >> BigInt(bits - count)) & 1n) : 0;
      const of = ((r & top) !== 0n ? 1 : 0) ^ cf;
      f = (f & ~ARITH) | (cf ? F_CF : 0) | (of ? F_OF : 0) | szp(size, Number(r & 0xffffffffn) >>> 0, Number(r >> 32n) >>> 0);
      break;
    }
    case 5: { // shr
      r = v >> c;
      cf = Number((v >> (c - 1n)) & 1n);
      f = (f & ~ARITH) | (cf ? F_CF : 0) | ((v & top) !== 0n ? F_OF : 0) | szp(size, Number(r & 0xffffffffn) >>> 0, Number(r >> 32n) >>> 0);
      break;
    }
    default: { // sar
      const sv = (v & top) !== 0n ? v - (1n << BigInt(bits)) : v;
      r = (sv >> c) & m;
      cf = Number((sv >> (c - 1n)) & 1n);
      f = (f & ~ARITH) | (cf ? F_CF : 0) | szp(size, Number(r & 0xffffffffn) >>> 0, Number(r >> 32n) >>> 0);
      break;
    }
  }
  res.lo = Number(r & 0xffffffffn) >>> 0;
  res.hi = Number(r >> 32n) >>> 0;
  s.lazyOp = 0;
  s.eflags = f >>> 0;
}

/** Condition code 0-15 (o no b ae e ne be a s ns p np l ge le g). */
export function condition(s: CpuState, cc: number): boolean {
  const f = s.getEflags();
  let r: boolean;
  switch (cc >> 1) {
    case 0: r = (f & F_OF) !== 0; break;
    case 1: r = (f & F_CF) !== 0; break;
    case 2: r = (f & F_ZF) !== 0; break;
    case 3: r = (f & (F_CF | F_ZF)) !== 0; break;
    case 4: r = (f & F_SF) !== 0; break;
    case 5: r = (f & F_PF) !== 0; break;
    case 6: r = ((f & F_SF) !== 0) !== ((f & F_OF) !== 0); break;
    default: r = (f & F_ZF) !== 0 || ((f & F_SF) !== 0) !== ((f & F_OF) !== 0); break;
  }
  return (cc & 1) !== 0 ? !r : r;
}

/** shl/shr/sar/rol/ror on 8/16/32-bit values with Numbers (the common case, no BigInt). count != 0. */
function shiftNarrow(s: CpuState, size: number, kind: number, lo: number, count: number): void {
  const m = mask(size), top = signBit(size);
  const v = (lo & m) >>> 0;
  let f = s.getEflags();
  let r: number;
  let cf: number;
  switch (kind) {
    case 0: { // rol
      const k = count % size;
      r = k === 0 ? v : (((v << k) | (v >>> (size - k))) & m) >>> 0;
      cf = r & 1;
      f = (f & ~(F_CF | F_OF)) | (cf ? F_CF : 0) | (((r & top) !== 0 ? 1 : 0) ^ cf ? F_OF : 0);
      break;
    }
    case 1: { // ror
      const k = count % size;
      r = k === 0 ? v : (((v >>> k) | (v << (size - k))) & m) >>> 0;
      cf = (r & top) !== 0 ? 1 : 0;
      const b2 = (r & (top >>> 1)) !== 0 ? 1 : 0;
      f = (f & ~(F_CF | F_OF)) | (cf ? F_CF : 0) | (cf ^ b2 ? F_OF : 0);
      break;
    }
    case 5: // shr
      r = count >= 32 ? 0 : v >>> count;
      cf = count > size ? 0 : (v >>> (count - 1)) & 1;
      f = (f & ~ARITH) | (cf ? F_CF : 0) | ((v & top) !== 0 ? F_OF : 0) | szp(size, r, 0);
      break;
    case 7: { // sar
      const sv = size === 32 ? v | 0 : size === 16 ? (v << 16) >> 16 : (v << 24) >> 24;
      r = ((count >= 32 ? sv >> 31 : sv >> count) & m) >>> 0;
      cf = (count >= 32 ? sv >> 31 : sv >> (count - 1)) & 1;
      f = (f & ~ARITH) | (cf ? F_CF : 0) | szp(size, r, 0);
      break;
    }
    default: { // shl / sal
      r = count >= 32 ? 0 : ((v << count) & m) >>> 0;
      cf = count > size ? 0 : count === size ? v & 1 : (v >>> (size - count)) & 1;
      const of = ((r & top) !== 0 ? 1 : 0) ^ cf;
      f = (f & ~ARITH) | (cf ? F_CF : 0) | (of ? F_OF : 0) | szp(size, r, 0);
      break;
    }
  }
  res.lo = r;
  res.hi = 0;
  s.lazyOp = 0;
  s.eflags = f >>> 0;
}
