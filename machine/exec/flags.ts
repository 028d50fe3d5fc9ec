// Lazy arithmetic flags: ADD/SUB/logic/INC/DEC only record operands and result in the CPU state; CF PF AF ZF SF OF
// are computed when something reads EFLAGS (Jcc, PUSHF, an interrupt frame). Other instructions set flags eagerly.
import type { CpuState } from '../cpu/state';
import * as Mstate from '../cpu/state';
// Imported bindings copied into locals: tsx/CommonJS turns each use of an import into a getter call, which
// dominated the hot path.
const { setLazyFlagEvaluator } = Mstate;

export const CF = 0x1, PF = 0x4, AF = 0x10, ZF = 0x40, SF = 0x80, OF = 0x800;
export const ARITH = CF | PF | AF | ZF | SF | OF;

/** Lazy operation codes (CpuState.lazyOp; 0 = flags are exact). */
export const L_ADD = 1, L_ADC = 2, L_SUB = 3, L_SBB = 4, L_LOGIC = 5, L_INC = 6, L_DEC = 7;

export const PARITY = new Uint8Array(256);
for (let i = 0; i < 256; i++) {
  let p = 1;
  for (let b = i; b; b >>= 1) p ^= b & 1;
  PARITY[i] = p ? PF : 0;
}

/** Value mask and sign bit for operand sizes in bytes (index 1, 2, 4). */
export function maskOf(bytes: number): number {
  return bytes === 1 ? 0xff : bytes === 2 ? 0xffff : 0xffffffff;
}
export function signOf(bytes: number): number {
  return bytes === 1 ? 0x80 : bytes === 2 ? 0x8000 : 0x80000000;
}

/** SF ZF PF of a result (hi only for 8-byte operands). */
export function szp(bytes: number, lo: number, hi: number): number {
  let f = PARITY[lo & 0xff];
  if (bytes === 8) {
    if ((lo | hi) === 0) f |= ZF;
    if (hi & 0x80000000) f |= SF;
  } else {
    if ((lo & maskOf(bytes)) === 0) f |= ZF;
    if (lo & signOf(bytes)) f |= SF;
  }
  return f;
}

function evaluate(s: CpuState): number {
  const n = s.lazySize, op = s.lazyOp;
  const r = s.lazyRes >>> 0, rh = s.lazyResHi >>> 0;
  let f = szp(n, r, rh);
  if (op === L_LOGIC) return f; // CF = OF = 0; AF undefined, 0 as QEMU
  const a = s.lazySrc1 >>> 0, ah = s.lazySrc1Hi >>> 0, b = s.lazySrc2 >>> 0, bh = s.lazySrc2Hi >>> 0;
  if (((a ^ b ^ r) & 0x10) !== 0) f |= AF;
  // Compare as unsigned (lo/hi for 8 bytes); the top 32 bits' sign carries OF.
  const sb = n === 8 ? 0x80000000 : signOf(n);
  const as = n === 8 ? ah : a, bs = n === 8 ? bh : b, rs = n === 8 ? rh : r;
  switch (op) {
    case L_ADD:
    case L_ADC:
    case L_INC: {
      if (((~(as ^ bs) & (as ^ rs)) & sb) !== 0) f |= OF;
      if (op === L_INC) f |= s.eflags & CF;
      else {
        const lt = n === 8 ? rh < ah || (rh === ah && r < a) : r < a;
        const eq = n === 8 ? rh === ah && r === a : r === a;
        if (lt || (op === L_ADC && eq)) f |= CF;
      }
      return f;
    }
    default: {
      // SUB, SBB, DEC: a - b (- borrow)
      if ((((as ^ bs) & (as ^ rs)) & sb) !== 0) f |= OF;
      if (op === L_DEC) f |= s.eflags & CF;
      else {
        const lt = n === 8 ? ah < bh || (ah === bh && a < b) : a < b;
        const eq = n === 8 ? ah === bh && a === b : a === b;
        if (lt || (op === L_SBB && eq)) f |= CF;
      }
      return f;
    }
  }
}
setLazyFlagEvaluator(evaluate);

/** Records a lazy result. Sizes in bytes; for < 8 bytes values are already masked and hi halves are 0. */
export function setLazy(s: CpuState, op: number, bytes: number, a: number, ah: number, b: number, bh: number, r: number, rh: number): void {
  if (op === L_INC || op === L_DEC) s.getEflags(); // CF survives: make it exact before overwriting the record
  recordLazy(s, op, bytes, a, ah, b, bh, r, rh);
}

/** Records an operation for the lazy flags (the caller made CF exact first where the operation keeps it). */
export function recordLazy(s: CpuState, op: number, bytes: number, a: number, ah: number, b: number, bh: number, r: number, rh: number): void {
  s.lazyOp = op;
  s.lazySize = bytes;
  s.lazySrc1 = a;
  s.lazySrc1Hi = ah;
  s.lazySrc2 = b;
  s.lazySrc2Hi = bh;
  s.lazyRes = r;
  s.lazyResHi = rh;
}

/** Sets the flags in `which` to `f` eagerly (others kept, lazy ones materialized first). */
export function setFlags(s: CpuState, f: number, which: number): void {
  if (which === ARITH) {
    // Every arithmetic flag is replaced: the pending lazy record need not be evaluated first.
    s.lazyOp = 0;
    s.eflags = ((s.eflags & ~ARITH) | (f & ARITH)) >>> 0;
    return;
  }
  const cur = s.lazyOp !== 0 ? s.getEflags() : s.eflags;
  s.eflags = ((cur & ~which) | (f & which)) >>> 0;
}

/** Condition code 0-15 (Jcc/SETcc/CMOVcc order). */
export function condition(s: CpuState, cc: number): boolean {
  if (s.lazyOp !== 0 && cc >> 1 === 2) {
    // ZF straight from the lazy result (JZ/JNZ after DEC, CMP, TEST...): no full evaluation, record kept.
    const n = s.lazySize;
    const z = n === 8 ? (s.lazyRes | s.lazyResHi) === 0 : (s.lazyRes & maskOf(n)) === 0;
    return (cc & 1) !== 0 ? !z : z;
  }
  const f = s.lazyOp !== 0 ? s.getEflags() : s.eflags;
  let r: boolean;
  switch (cc >> 1) {
    case 0: r = (f & OF) !== 0; break;
    case 1: r = (f & CF) !== 0; break;
    case 2: r = (f & ZF) !== 0; break;
    case 3: r = (f & (CF | ZF)) !== 0; break;
    case 4: r = (f & SF) !== 0; break;
    case 5: r = (f & PF) !== 0; break;
    case 6: r = ((f & SF) !== 0) !== ((f & OF) !== 0); break;
    default: r = (f & ZF) !== 0 || ((f & SF) !== 0) !== ((f & OF) !== 0); break;
  }
  return (cc & 1) !== 0 ? !r : r;
}
