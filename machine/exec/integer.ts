// General-purpose integer instructions: moves, arithmetic and logic, shifts and rotates, multiply and divide,
// bit operations, conversions, BCD. Flags per the SDM; undefined flags follow QEMU (Unicorn) where noted.
import type { DecodedInstruction } from '../../isa/decoder';
import * as Mtable from '../../isa/table';
import type { Cpu } from '../cpu/cpu';
import * as Mfault from '../cpu/fault';
import * as Msegments from '../cpu/segments';
import * as Msegment from '../cpu/segment';
import * as Mcontext from './context';
import * as Mflags from './flags';
import * as Mwide from './wide';
// Imported bindings copied into locals: tsx/CommonJS turns each use of an import into a getter call, which
// dominated the hot path.
const { forms } = Mtable;
const { BR, DE, GP, UD } = Mfault;
const { loadSegment } = Msegments;
const { CS, DS, ES, FS, GS, SS } = Msegment;
const { X, formDst, formFirst, formSrc, getReg, readOp, readRm, setReg, writeOp, writeRm, readMem, writeMem, eaPlus, K_RM, K_REG, K_RO, K_IMM, K_CL, K_ONE } = Mcontext;
const { AF, ARITH, CF, L_ADC, L_ADD, L_DEC, L_INC, L_LOGIC, L_SBB, L_SUB, OF, PARITY, PF, SF, ZF, condition, maskOf, recordLazy, setFlags, setLazy, signOf, szp } = Mflags;
const { W, imul32, imul64, mul32, mul64, udiv128, udiv64 } = Mwide;

export type Handler = (cpu: Cpu, d: DecodedInstruction) => void;
export const integerHandlers: Record<string, Handler> = {};
const H = integerHandlers;

const TWO32 = 0x1_0000_0000;
/** Result of add/sub/shift helpers. Object fields, not module `let`s: a 32-bit unsigned value stored in a
 * closure variable is boxed anew on every write, a double field is updated in place. */
const R = { lo: 0, hi: 0 };

/** Source operand size fixed by the spec (movzx rm8, movsxd rm32, lar rm16), else 0. */
export const formSrcBits = new Uint8Array(forms.length);
forms.forEach((f, i) => {
  const s = f.operands[0] ?? '';
  formSrcBits[i] = s.endsWith('8') && s.startsWith('rm') ? 8 : s.endsWith('16') ? 16 : s.endsWith('32') ? 32 : 0;
});

function cf(cpu: Cpu): number {
  return (cpu.lazyOp !== 0 ? cpu.getEflags() : cpu.eflags) & CF;
}

function add(size: number, a: number, ah: number, b: number, bh: number, c: number): void {
  if (size === 64) {
    const l = a + b + c;
    R.lo = l >>> 0;
    R.hi = (ah + bh + (l >= TWO32 ? 1 : 0)) >>> 0;
  } else {
    R.lo = size === 32 ? (a + b + c) >>> 0 : (a + b + c) & maskOf(size >> 3);
    R.hi = 0;
  }
}

function sub(size: number, a: number, ah: number, b: number, bh: number, c: number): void {
  if (size === 64) {
    const l = a - b - c;
    R.lo = l >>> 0;
    R.hi = (ah - bh - (l < 0 ? 1 : 0)) >>> 0;
  } else {
    R.lo = size === 32 ? (a - b - c) >>> 0 : (a - b - c) & maskOf(size >> 3);
    R.hi = 0;
  }
}

// ---- ALU ----------------------------------------------------------------------------------------------------

function aluOp(kind: number): Handler {
  return (cpu, d) => {
    const fi = d.formIndex, size = d.opSize, bytes = size >> 3;
    const dk = formDst[fi], sk = formSrc[fi];
    // Fast path: 32/64-bit register destination with a register or immediate source (no generic operand access).
    const dr = d.hasMem || size < 32 ? -1 : dk === K_RM ? d.rmReg : dk === K_REG ? d.reg : -1;
    let a: number, ah: number, b: number, bh: number;
    if (dr >= 0 && (sk === K_IMM || sk === K_REG || (sk === K_RM && dk === K_REG))) {
      const g = cpu.gprLo, gh = cpu.gprHi;
      if (sk === K_IMM) {
        b = d.imm >>> 0;
        bh = size === 64 ? d.immHigh >>> 0 : 0;
      } else {
        const sr = sk === K_REG ? d.reg : d.rmReg;
        b = g[sr];
        bh = size === 64 ? gh[sr] : 0;
      }
      a = g[dr];
      ah = size === 64 ? gh[dr] : 0;
    } else {
      b = readOp(cpu, sk, size);
      bh = size === 64 ? X.hi : 0;
      a = readOp(cpu, dk, size);
      ah = size === 64 ? X.hi : 0;
    }
    // Arithmetic and the lazy-flag record written inline: passing uint32 values to a call that is not inlined
    // boxes each of them in a new heap number.
    let lo: number, hi: number, op: number;
    switch (kind) {
      case 0:
      case 2: {
        const c = kind === 2 ? cf(cpu) : 0;
        if (size === 64) {
          const l = a + b + c;
          lo = l >>> 0;
          hi = (ah + bh + (l >= TWO32 ? 1 : 0)) >>> 0;
        } else {
          lo = size === 32 ? (a + b + c) >>> 0 : (a + b + c) & maskOf(bytes);
          hi = 0;
        }
        op = c ? L_ADC : L_ADD;
        break;
      }
      case 3:
      case 5:
      case 7: {
        const c = kind === 3 ? cf(cpu) : 0;
        if (size === 64) {
          const l = a - b - c;
          lo = l >>> 0;
          hi = (ah - bh - (l < 0 ? 1 : 0)) >>> 0;
        } else {
          lo = size === 32 ? (a - b - c) >>> 0 : (a - b - c) & maskOf(bytes);
          hi = 0;
        }
        op = c ? L_SBB : L_SUB;
        break;
      }
      case 1: lo = (a | b) >>> 0; hi = (ah | bh) >>> 0; op = L_LOGIC; break;
      case 6: lo = (a ^ b) >>> 0; hi = (ah ^ bh) >>> 0; op = L_LOGIC; break;
      default: lo = (a & b) >>> 0; hi = (ah & bh) >>> 0; op = L_LOGIC; break; // and, test
    }
    if (op === L_LOGIC) recordLazy(cpu, op, bytes, 0, 0, 0, 0, lo, hi);
    else recordLazy(cpu, op, bytes, a, ah, b, bh, lo, hi);
    if (kind === 7 || kind === 8) return;
    if (dr >= 0) {
      // A 32-bit write zeroes bits 63:32 (hi is 0 then), as setReg does.
      cpu.gprLo[dr] = lo;
      cpu.gprHi[dr] = hi;
    } else writeOp(cpu, dk, size, lo, hi);
  };
}
['add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'cmp', 'test'].forEach((n, i) => (H[n] = aluOp(i)));

function incDec(isDec: boolean): Handler {
  return (cpu, d) => {
    const size = d.opSize, dk = formDst[d.formIndex];
    const dr = d.hasMem || size < 32 ? -1 : dk === K_RM ? d.rmReg : dk === K_REG ? d.reg : -1;
    let a: number, ah: number;
    if (dr >= 0) {
      a = cpu.gprLo[dr];
      ah = size === 64 ? cpu.gprHi[dr] : 0;
    } else {
      a = readOp(cpu, dk, size);
      ah = size === 64 ? X.hi : 0;
    }
    let lo: number, hi: number;
    if (size === 64) {
      const l = isDec ? a - 1 : a + 1;
      lo = l >>> 0;
      hi = isDec ? (ah - (l < 0 ? 1 : 0)) >>> 0 : (ah + (l >= TWO32 ? 1 : 0)) >>> 0;
    } else {
      lo = size === 32 ? (isDec ? a - 1 : a + 1) >>> 0 : (isDec ? a - 1 : a + 1) & maskOf(size >> 3);
      hi = 0;
    }
    if (dr >= 0) {
      cpu.gprLo[dr] = lo;
      cpu.gprHi[dr] = hi;
    } else writeOp(cpu, dk, size, lo, hi);
    setLazy(cpu, isDec ? L_DEC : L_INC, size >> 3, a, ah, 1, 0, lo, hi);
  };
}
H.inc = incDec(false);
H.dec = incDec(true);
H.neg = (cpu, d) => {
  const size = d.opSize;
  const a = readRm(cpu, size), ah = size === 64 ? X.hi : 0;
  sub(size, 0, 0, a, ah, 0);
  writeRm(cpu, size, R.lo, R.hi);
  setLazy(cpu, L_SUB, size >> 3, 0, 0, a, ah, R.lo, R.hi);
};
H.not = (cpu, d) => {
  const size = d.opSize;
  const a = readRm(cpu, size), ah = size === 64 ? X.hi : 0;
  writeRm(cpu, size, size === 32 || size === 64 ? ~a >>> 0 : ~a & maskOf(size >> 3), ~ah >>> 0);
};

// ---- moves ------------------------------------------------------------------------------------------------------

H.mov = (cpu, d) => {
  const fi = d.formIndex, size = d.opSize;
  const dk = formDst[fi], sk = formSrc[fi];
  if (size >= 32 && !d.hasMem && (sk === K_IMM || sk === K_REG || sk === K_RM)) {
    // Fast path: 32/64-bit register destination, register or immediate source (a 32-bit write zeroes 63:32).
    const dr = dk === K_REG ? d.reg : dk === K_RM || dk === K_RO ? d.rmReg : -1;
    if (dr >= 0) {
      const g = cpu.gprLo, gh = cpu.gprHi;
      if (sk === K_IMM) {
        g[dr] = d.imm >>> 0;
        gh[dr] = size === 64 ? d.immHigh >>> 0 : 0;
      } else {
        const sr = sk === K_REG ? d.reg : d.rmReg;
        const lo = g[sr], hi = gh[sr];
        g[dr] = lo;
        gh[dr] = size === 64 ? hi : 0;
      }
      return;
    }
  }
  const v = readOp(cpu, sk, size);
  writeOp(cpu, dk, size, v, size === 64 ? X.hi : 0);
};

H.movzx = (cpu, d) => {
  const v = readRm(cpu, formSrcBits[d.formIndex]);
  setReg(cpu, d.reg, d.opSize, v, 0);
};

H.movsx = (cpu, d) => {
  const sb = formSrcBits[d.formIndex];
  const v = readRm(cpu, sb);
  const s = sb === 8 ? (v << 24) >> 24 : sb === 16 ? (v << 16) >> 16 : v | 0;
  setReg(cpu, d.reg, d.opSize, d.opSize === 16 ? s & 0xffff : s >>> 0, s < 0 ? 0xffffffff : 0);
};
H.movsxd = H.movsx;

H.lea = (cpu, d) => {
  const size = d.opSize;
  if (size === 64) {
    cpu.gprLo[d.reg] = X.eaLo;
    cpu.gprHi[d.reg] = X.eaHi;
    return;
  }
  if (size === 32) {
    cpu.gprLo[d.reg] = X.eaLo;
    cpu.gprHi[d.reg] = 0;
    return;
  }
  setReg(cpu, d.reg, size, X.eaLo & 0xffff, X.eaHi);
};

H.xchg = (cpu, d) => {
  const fi = d.formIndex, size = d.opSize;
  const sk = formSrc[fi], dk = formDst[fi];
  const a = readOp(cpu, sk, size), ah = X.hi;
  const b = readOp(cpu, dk, size), bh = X.hi;
  writeOp(cpu, dk, size, a, size === 64 ? ah : 0);
  writeOp(cpu, sk, size, b, size === 64 ? bh : 0);
};

H.cmpxchg = (cpu, d) => {
  const size = d.opSize, bytes = size >> 3;
  const src = getReg(cpu, d.reg, size), srch = size === 64 ? X.hi : 0;
  const dst = readRm(cpu, size), dsth = size === 64 ? X.hi : 0;
  const acc = getReg(cpu, 0, size), acch = size === 64 ? X.hi : 0;
  sub(size, acc, acch, dst, dsth, 0);
  setLazy(cpu, L_SUB, bytes, acc, acch, dst, dsth, R.lo, R.hi);
  if (acc === dst && acch === dsth) writeRm(cpu, size, src, srch);
  else {
    // The destination is written back on failure (SDM); then the accumulator gets its value.
    writeRm(cpu, size, dst, dsth);
    setReg(cpu, 0, size, dst, dsth);
  }
};

H.cmpxchg8b = (cpu) => {
  const lo = readMem(cpu, 32);
  eaPlus(4);
  const hi = readMem(cpu, 32);
  eaPlus(-4);
  const g = cpu.gprLo;
  const f = cpu.getEflags();
  if (lo === g[0] && hi === g[2]) {
    writeMem(cpu, 64, g[3], g[1]);
    cpu.eflags = f | ZF;
  } else {
    writeMem(cpu, 64, lo, hi);
    setReg(cpu, 0, 32, lo);
    setReg(cpu, 2, 32, hi);
    cpu.eflags = f & ~ZF;
  }
};

H.cmpxchg16b = (cpu) => {
  if (X.eaLo & 15) cpu.raise(GP, 0, 'CMPXCHG16B operand not 16-byte aligned');
  const l0 = readMem(cpu, 64), l1 = X.hi;
  eaPlus(8);
  const h0 = readMem(cpu, 64), h1 = X.hi;
  eaPlus(-8);
  const g = cpu.gprLo, gh = cpu.gprHi;
  const f = cpu.getEflags();
  if (l0 === g[0] && l1 === gh[0] && h0 === g[2] && h1 === gh[2]) {
    writeMem(cpu, 64, g[3], gh[3]);
    eaPlus(8);
    writeMem(cpu, 64, g[1], gh[1]);
    cpu.eflags = f | ZF;
  } else {
    writeMem(cpu, 64, l0, l1);
    eaPlus(8);
    writeMem(cpu, 64, h0, h1);
    setReg(cpu, 0, 64, l0, l1);
    setReg(cpu, 2, 64, h0, h1);
    cpu.eflags = f & ~ZF;
  }
};

H.xadd = (cpu, d) => {
  const size = d.opSize;
  const s = getReg(cpu, d.reg, size), sh = size === 64 ? X.hi : 0;
  const a = readRm(cpu, size), ah = size === 64 ? X.hi : 0;
  add(size, a, ah, s, sh, 0);
  const r = R.lo, rh = R.hi;
  setReg(cpu, d.reg, size, a, ah);
  writeRm(cpu, size, r, rh);
  setLazy(cpu, L_ADD, size >> 3, a, ah, s, sh, r, rh);
};

H.bswap = (cpu, d) => {
  const r = d.rmReg, size = d.opSize;
  const sw = (v: number): number => (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;
  if (size === 64) setReg(cpu, r, 64, sw(cpu.gprHi[r]), sw(cpu.gprLo[r]));
  else if (size === 32) setReg(cpu, r, 32, sw(cpu.gprLo[r]));
  else setReg(cpu, r, 16, 0); // undefined by the SDM; QEMU and hardware give 0
};

H.setcc = (cpu, d) => {
  writeRm(cpu, 8, condition(cpu, d.form!.cc!) ? 1 : 0);
};

H.cmovcc = (cpu, d) => {
  const size = d.opSize;
  const v = readRm(cpu, size), vh = size === 64 ? X.hi : 0;
  if (condition(cpu, d.form!.cc!)) setReg(cpu, d.reg, size, v, vh);
  else if (size === 32) cpu.gprHi[d.reg] = 0; // the 32-bit form always writes (zero-extends) its destination
};

H.cbw = (cpu, d) => {
  const g = cpu.gprLo;
  switch (d.opSize) {
    case 16: setReg(cpu, 0, 16, ((g[0] << 24) >> 24) & 0xffff); break;
    case 32: setReg(cpu, 0, 32, ((g[0] << 16) >> 16) >>> 0); break;
    default: setReg(cpu, 0, 64, g[0], g[0] & 0x80000000 ? 0xffffffff : 0);
  }
};
H.cwd = (cpu, d) => {
  const g = cpu.gprLo;
  switch (d.opSize) {
    case 16: setReg(cpu, 2, 16, g[0] & 0x8000 ? 0xffff : 0); break;
    case 32: setReg(cpu, 2, 32, g[0] & 0x80000000 ? 0xffffffff : 0); break;
    default: { const s = cpu.gprHi[0] & 0x80000000 ? 0xffffffff : 0; setReg(cpu, 2, 64, s, s); }
  }
};

H.lahf = (cpu) => {
  if (cpu.mode === 'long' && !cpu.model.features.lahf) cpu.raise(UD, 0, 'LAHF in 64-bit mode without CPUID.LAHF');
  const f = cpu.getEflags();
  cpu.gprLo[0] = (cpu.gprLo[0] & 0xffff00ff) | ((f & 0xd5 | 2) << 8);
};
H.sahf = (cpu) => {
  if (cpu.mode === 'long' && !cpu.model.features.lahf) cpu.raise(UD, 0, 'SAHF in 64-bit mode without CPUID.LAHF');
  setFlags(cpu, (cpu.gprLo[0] >>> 8) & 0xd5, CF | PF | AF | ZF | SF);
};

H.movbe = (cpu, d) => {
  const size = d.opSize, fi = d.formIndex;
  const v = readOp(cpu, formSrc[fi], size), vh = X.hi;
  const sw = (x: number): number => (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0;
  if (size === 16) writeOp(cpu, formDst[fi], 16, ((v & 0xff) << 8) | ((v >>> 8) & 0xff));
  else if (size === 32) writeOp(cpu, formDst[fi], 32, sw(v));
  else writeOp(cpu, formDst[fi], 64, sw(vh), sw(v));
};

// ---- segment loads from memory (LDS, LES, LSS, LFS, LGS) --------------------------------------------------------

function loadFarPointer(seg: number): Handler {
  return (cpu, d) => {
    const size = d.opSize;
    const off = readMem(cpu, size), offh = X.hi;
    eaPlus(size >> 3);
    const sel = readMem(cpu, 16);
    loadSegment(cpu, seg, sel);
    if (seg === SS) cpu.interruptShadow = true;
    setReg(cpu, d.reg, size, off, offh);
  };
}
H.les = loadFarPointer(ES);
H.lds = loadFarPointer(DS);
H.lss = loadFarPointer(SS);
H.lfs = loadFarPointer(FS);
H.lgs = loadFarPointer(GS);

H.mov_sreg = (cpu, d) => {
  const sreg = d.reg & 7; // REX.R is ignored for segment registers
  if (sreg > 5) cpu.raise(UD, 0, `no segment register ${sreg}`);
  if (formDst[d.formIndex] === K_RM) {
    // MOV Sreg -> r/m: memory gets 16 bits, a register the zero-extended selector.
    const sel = cpu.seg[sreg].selector;
    if (d.hasMem) writeMem(cpu, 16, sel);
    else setReg(cpu, d.rmReg, d.opSize === 16 ? 16 : 32, sel);
    return;
  }
  if (sreg === CS) cpu.raise(UD, 0, 'MOV to CS');
  const sel = readRm(cpu, 16);
  loadSegment(cpu, sreg, sel);
  if (sreg === SS) cpu.interruptShadow = true;
};

H.bound = (cpu, d) => {
  const size = d.opSize;
  const idx = getReg(cpu, d.reg, size);
  const lower = readMem(cpu, size);
  eaPlus(size >> 3);
  const upper = readMem(cpu, size);
  const s = (v: number): number => (size === 16 ? (v << 16) >> 16 : v | 0);
  if (s(idx) < s(lower) || s(idx) > s(upper)) cpu.raise(BR, 0, 'BOUND range exceeded');
};

H.xlat = (cpu, d) => {
  const as = d.addrSize;
  const b = cpu.gprLo[3], al = cpu.gprLo[0] & 0xff;
  let lo: number, hi = 0;
  if (as === 16) lo = (b + al) & 0xffff;
  else if (as === 32) lo = (b + al) >>> 0;
  else {
    const s = b + al;
    lo = s >>> 0;
    hi = (cpu.gprHi[3] + (s >= TWO32 ? 1 : 0)) >>> 0;
  }
  const v = cpu.read8(d.segment >= 0 ? d.segment : DS, lo, hi);
  cpu.gprLo[0] = (cpu.gprLo[0] & 0xffffff00) | v;
};

// ---- multiply and divide -----------------------------------------------------------------------------------

/** MUL/IMUL flags: CF = OF = the result does not fit the low half; SF ZF PF from the low half (as QEMU). */
function mulFlags(cpu: Cpu, bytes: number, lo: number, hi: number, overflow: boolean): void {
  setFlags(cpu, szp(bytes, lo, hi) | (overflow ? CF | OF : 0), ARITH);
}

H.mul = (cpu, d) => {
  const size = d.opSize, g = cpu.gprLo;
  const b = readRm(cpu, size), bh = X.hi;
  switch (size) {
    case 8: {
      const r = (g[0] & 0xff) * b;
      setReg(cpu, 0, 16, r);
      mulFlags(cpu, 1, r & 0xff, 0, r > 0xff);
      break;
    }
    case 16: {
      const r = (g[0] & 0xffff) * b;
      setReg(cpu, 0, 16, r & 0xffff);
      setReg(cpu, 2, 16, r >>> 16);
      mulFlags(cpu, 2, r & 0xffff, 0, r > 0xffff);
      break;
    }
    case 32:
      mul32(g[0], b);
      setReg(cpu, 0, 32, W.w0);
      setReg(cpu, 2, 32, W.w1);
      mulFlags(cpu, 4, W.w0, 0, W.w1 !== 0);
      break;
    default:
      mul64(g[0], cpu.gprHi[0], b, bh);
      setReg(cpu, 0, 64, W.w0, W.w1);
      setReg(cpu, 2, 64, W.w2, W.w3);
      mulFlags(cpu, 8, W.w0, W.w1, (W.w2 | W.w3) !== 0);
  }
};

/** Signed product of two `size` values into W (lo pair w0/w1, high pair w2/w3 for 64). */
function signedProduct(size: number, a: number, ah: number, b: number, bh: number): boolean {
  if (size === 8 || size === 16) {
    const sh = 32 - size;
    const r = ((a << sh) >> sh) * ((b << sh) >> sh);
    W.w0 = r >>> 0;
    W.w1 = r < 0 ? 0xffffffff : 0;
    const m = size === 8 ? 0xff : 0xffff;
    const back = ((r & m) << sh) >> sh;
    return back !== r;
  }
  if (size === 32) {
    imul32(a, b);
    return W.w1 !== (W.w0 & 0x80000000 ? 0xffffffff : 0);
  }
  imul64(a, ah, b, bh);
  const ext = W.w1 & 0x80000000 ? 0xffffffff : 0;
  return W.w2 !== ext || W.w3 !== ext;
}

H.imul = (cpu, d) => {
  const size = d.opSize, fi = d.formIndex;
  const nOps = d.form!.operands.length;
  if (nOps === 1) {
    const b = readRm(cpu, size), bh = X.hi;
    const a = getReg(cpu, 0, size), ah = X.hi;
    const ov = signedProduct(size, a, ah, b, bh);
    if (size === 8) setReg(cpu, 0, 16, W.w0 & 0xffff);
    else if (size === 16) {
      setReg(cpu, 0, 16, W.w0 & 0xffff);
      setReg(cpu, 2, 16, W.w0 >>> 16);
    } else if (size === 32) {
      setReg(cpu, 0, 32, W.w0);
      setReg(cpu, 2, 32, W.w1);
    } else {
      setReg(cpu, 0, 64, W.w0, W.w1);
      setReg(cpu, 2, 64, W.w2, W.w3);
    }
    mulFlags(cpu, size >> 3, W.w0 & maskOf(Math.min(4, size >> 3)), size === 64 ? W.w1 : 0, ov);
    return;
  }
  // imul rm, r (two operands) or imul imm, rm, r
  let a: number, ah: number, b: number, bh: number;
  if (nOps === 2) {
    a = getReg(cpu, d.reg, size); ah = X.hi;
    b = readRm(cpu, size); bh = X.hi;
  } else {
    b = readOp(cpu, formFirst[fi], size); bh = X.hi;
    a = readRm(cpu, size); ah = X.hi;
  }
  const ov = signedProduct(size, a, ah, b, bh);
  const lo = size === 16 ? W.w0 & 0xffff : W.w0;
  setReg(cpu, d.reg, size, lo, W.w1);
  mulFlags(cpu, size >> 3, lo, size === 64 ? W.w1 : 0, ov);
};

H.div = (cpu, d) => {
  const size = d.opSize, g = cpu.gprLo;
  const b = readRm(cpu, size), bh = X.hi;
  switch (size) {
    case 8: {
      const n = g[0] & 0xffff;
      if (b === 0) cpu.raise(DE, 0, 'divide by zero');
      const q = Math.floor(n / b);
      if (q > 0xff) cpu.raise(DE, 0, 'quotient too large');
      setReg(cpu, 0, 16, ((n % b) << 8) | q);
      break;
    }
    case 16: {
      const n = ((g[2] & 0xffff) * 65536) + (g[0] & 0xffff);
      if (b === 0) cpu.raise(DE, 0, 'divide by zero');
      const q = Math.floor(n / b);
      if (q > 0xffff) cpu.raise(DE, 0, 'quotient too large');
      setReg(cpu, 0, 16, q);
      setReg(cpu, 2, 16, n % b);
      break;
    }
    case 32:
      udiv64(g[0], g[2], b);
      if (!W.ok) cpu.raise(DE, 0, b === 0 ? 'divide by zero' : 'quotient too large');
      setReg(cpu, 0, 32, W.w0);
      setReg(cpu, 2, 32, W.w2);
      break;
    default:
      udiv128(g[0], cpu.gprHi[0], g[2], cpu.gprHi[2], b, bh);
      if (!W.ok) cpu.raise(DE, 0, (b | bh) === 0 ? 'divide by zero' : 'quotient too large');
      setReg(cpu, 0, 64, W.w0, W.w1);
      setReg(cpu, 2, 64, W.w2, W.w3);
  }
};

/** Negates a little-endian limb array in place (two's complement). */
function neg(l: number[]): void {
  let c = 1;
  for (let i = 0; i < l.length; i++) {
    const v = (~l[i] >>> 0) + c;
    l[i] = v >>> 0;
    c = v >= TWO32 ? 1 : 0;
  }
}
const nl = [0, 0, 0, 0];
const dl = [0, 0];

H.idiv = (cpu, d) => {
  const size = d.opSize, g = cpu.gprLo;
  const b = readRm(cpu, size), bh = X.hi;
  if (size === 8 || size === 16) {
    const sh = 32 - size;
    const n = size === 8 ? ((g[0] & 0xffff) << 16) >> 16 : ((((g[2] & 0xffff) << 16) | (g[0] & 0xffff)) | 0);
    const dv = (b << sh) >> sh;
    if (dv === 0) cpu.raise(DE, 0, 'divide by zero');
    const q = Math.trunc(n / dv), r = n - q * dv;
    const lim = size === 8 ? 0x80 : 0x8000;
    if (q >= lim || q < -lim) cpu.raise(DE, 0, 'quotient too large');
    if (size === 8) setReg(cpu, 0, 16, ((r & 0xff) << 8) | (q & 0xff));
    else {
      setReg(cpu, 0, 16, q & 0xffff);
      setReg(cpu, 2, 16, r & 0xffff);
    }
    return;
  }
  // 32 and 64: magnitudes through the unsigned 128/64 divider.
  if (size === 32) {
    nl[0] = g[0]; nl[1] = g[2]; nl[2] = nl[3] = g[2] & 0x80000000 ? 0xffffffff : 0;
    dl[0] = b; dl[1] = b & 0x80000000 ? 0xffffffff : 0;
  } else {
    nl[0] = g[0]; nl[1] = cpu.gprHi[0]; nl[2] = g[2]; nl[3] = cpu.gprHi[2];
    dl[0] = b; dl[1] = bh;
  }
  const nNeg = (nl[3] & 0x80000000) !== 0, dNeg = (dl[1] & 0x80000000) !== 0;
  if ((dl[0] | dl[1]) === 0) cpu.raise(DE, 0, 'divide by zero');
  if (nNeg) neg(nl);
  if (dNeg) neg(dl);
  udiv128(nl[0], nl[1], nl[2], nl[3], dl[0], dl[1]);
  if (!W.ok) cpu.raise(DE, 0, 'quotient too large');
  const qNeg = nNeg !== dNeg;
  const q = [W.w0, W.w1], r = [W.w2, W.w3];
  // Range: |q| <= 2^(n-1) - 1, or 2^(n-1) when negative.
  if (size === 32) {
    if (q[1] !== 0 || q[0] > (qNeg ? 0x80000000 : 0x7fffffff)) cpu.raise(DE, 0, 'quotient too large');
  } else if (q[1] > (qNeg ? 0x80000000 : 0x7fffffff) || (qNeg && q[1] === 0x80000000 && q[0] !== 0)) cpu.raise(DE, 0, 'quotient too large');
  if (qNeg) neg(q);
  if (nNeg) neg(r);
  if (size === 32) {
    setReg(cpu, 0, 32, q[0]);
    setReg(cpu, 2, 32, r[0]);
  } else {
    setReg(cpu, 0, 64, q[0], q[1]);
    setReg(cpu, 2, 64, r[0], r[1]);
  }
};

// ---- shifts and rotates ------------------------------------------------------------------------------------------

/** Reads a bit of a size-bit value held as lo/hi. */
function bitOf(lo: number, hi: number, i: number): number {
  return i >= 32 ? (hi >>> (i - 32)) & 1 : (lo >>> i) & 1;
}

/** Logical shift left/right of a lo/hi pair by 1..63 (result in R.lo/R.hi). */
function shl64(lo: number, hi: number, n: number): void {
  if (n >= 32) { R.hi = (lo << (n - 32)) >>> 0; R.lo = 0; }
  else { R.hi = ((hi << n) | (n ? lo >>> (32 - n) : 0)) >>> 0; R.lo = (lo << n) >>> 0; }
}
function shr64(lo: number, hi: number, n: number, arith: boolean): void {
  const fill = arith && hi & 0x80000000 ? 0xffffffff : 0;
  if (n >= 32) { R.lo = (arith ? (hi | 0) >> (n - 32) : hi >>> (n - 32)) >>> 0; R.hi = fill; if (n === 32) R.lo = hi; }
  else if (n === 0) { R.lo = lo; R.hi = hi; }
  else { R.lo = ((lo >>> n) | (hi << (32 - n))) >>> 0; R.hi = (arith ? (hi | 0) >> n : hi >>> n) >>> 0; }
}

function countOf(cpu: Cpu, d: DecodedInstruction): number {
  const k = formSrc[d.formIndex];
  const raw = k === K_CL ? cpu.gprLo[1] : k === K_IMM ? d.imm : 1;
  return raw & (d.opSize === 64 ? 63 : 31);
}

/**
 * ROL/ROR/SHL/SHR/SAR of a 32/64-bit register by 1..63: the general code below inlined by hand (results and flags
 * identical), without helper calls that would box the uint32 halves in heap numbers.
 */
export function shiftRegister(cpu: Cpu, r: number, size: number, kind: number, n: number): void {
  // The operand is read here, not passed in: uint32 arguments to a call V8 does not inline are boxed.
  const a = cpu.gprLo[r], ah = size === 64 ? cpu.gprHi[r] : 0;
  let lo: number, hi: number, c: number, of: number;
  if (kind <= 1) {
    // Rotate left by l (ROR by n = ROL by size - n); only CF and OF change.
    const l = kind === 0 ? n : size - n;
    if (size === 32) {
      lo = ((a << l) | (a >>> (32 - l))) >>> 0;
      hi = 0;
    } else if (l === 32) {
      lo = ah;
      hi = a;
    } else if (l < 32) {
      hi = ((ah << l) | (a >>> (32 - l))) >>> 0;
      lo = ((a << l) | (ah >>> (32 - l))) >>> 0;
    } else {
      const m = l - 32;
      hi = ((a << m) | (ah >>> (32 - m))) >>> 0;
      lo = ((ah << m) | (a >>> (32 - m))) >>> 0;
    }
    const msb = size === 64 ? hi >>> 31 : lo >>> 31;
    if (kind === 0) {
      c = lo & 1;
      of = msb ^ c;
    } else {
      c = msb;
      of = c ^ (size === 64 ? (hi >>> 30) & 1 : (lo >>> 30) & 1);
    }
    cpu.gprLo[r] = lo;
    cpu.gprHi[r] = hi;
    const cur = cpu.lazyOp !== 0 ? cpu.getEflags() : cpu.eflags;
    cpu.eflags = ((cur & ~(CF | OF)) | (c ? CF : 0) | (of ? OF : 0)) >>> 0;
    return;
  }
  if (size === 32) {
    hi = 0;
    if (kind === 4) {
      lo = (a << n) >>> 0;
      c = (a >>> (32 - n)) & 1;
      of = (lo >>> 31) ^ c;
    } else {
      lo = kind === 5 ? a >>> n : ((a | 0) >> n) >>> 0;
      c = (kind === 5 ? a >>> (n - 1) : (a | 0) >> (n - 1)) & 1;
      of = kind === 5 && n === 1 ? a >>> 31 : 0;
    }
  } else if (kind === 4) {
    if (n >= 32) {
      hi = (a << (n - 32)) >>> 0;
      lo = 0;
    } else {
      hi = ((ah << n) | (a >>> (32 - n))) >>> 0;
      lo = (a << n) >>> 0;
    }
    const i = 64 - n;
    c = i >= 32 ? (ah >>> (i - 32)) & 1 : (a >>> i) & 1;
    of = (hi >>> 31) ^ c;
  } else {
    const arith = kind === 7;
    if (n >= 32) {
      lo = (arith ? (ah | 0) >> (n - 32) : ah >>> (n - 32)) >>> 0;
      hi = arith && ah & 0x80000000 ? 0xffffffff : 0;
    } else {
      lo = ((a >>> n) | (ah << (32 - n))) >>> 0;
      hi = (arith ? (ah | 0) >> n : ah >>> n) >>> 0;
    }
    const i = n - 1;
    c = i >= 32 ? (ah >>> (i - 32)) & 1 : (a >>> i) & 1;
    of = kind === 5 && n === 1 ? ah >>> 31 : 0;
  }
  cpu.gprLo[r] = lo;
  cpu.gprHi[r] = hi;
  const zs = size === 64 ? ((lo | hi) === 0 ? ZF : 0) | (hi & 0x80000000 ? SF : 0) : (lo === 0 ? ZF : 0) | (lo & 0x80000000 ? SF : 0);
  // Every arithmetic flag is written (AF 0, as the general path): the pending lazy record is simply dropped.
  cpu.lazyOp = 0;
  cpu.eflags = ((cpu.eflags & ~ARITH) | PARITY[lo & 0xff] | zs | (c ? CF : 0) | (of ? OF : 0)) >>> 0;
}

function shiftOp(kind: number): Handler {
  // 0 rol 1 ror 2 rcl 3 rcr 4 shl 5 shr 7 sar
  return (cpu, d) => {
    const size = d.opSize, bytes = size >> 3;
    const n = countOf(cpu, d);
    const a = readRm(cpu, size), ah = size === 64 ? X.hi : 0;
    if (n === 0) {
      if (d.hasMem) writeRm(cpu, size, a, ah); // the write still happens (and may fault) on hardware too
      else if (size === 32) cpu.gprHi[d.rmReg] = 0;
      return;
    }
    if (!d.hasMem && size >= 32 && kind !== 2 && kind !== 3) {
      shiftRegister(cpu, d.rmReg, size, kind, n);
      return;
    }
    const top = size - 1;
    const m = size === 64 ? 0xffffffff : maskOf(bytes);
    let f = 0, which = CF | OF;
    switch (kind) {
      case 4: {
        if (size === 64) shl64(a, ah, n);
        else { R.lo = n >= size ? 0 : (a << n) & m; R.lo >>>= 0; R.hi = 0; }
        const c = n <= size ? bitOf(a, ah, size - n) : 0;
        f = szp(bytes, R.lo, R.hi) | (c ? CF : 0);
        if ((bitOf(R.lo, R.hi, top) ^ c) !== 0) f |= OF;
        which = ARITH;
        break;
      }
      case 5:
      case 7: {
        const arith = kind === 7;
        if (size === 64) shr64(a, ah, n, arith);
        else {
          const sv = arith ? (a << (32 - size)) >> (32 - size) : a;
          R.lo = (n >= 32 ? (arith ? sv >> 31 : 0) : arith ? sv >> n : sv >>> n) & m;
          R.lo >>>= 0;
          R.hi = 0;
        }
        const c = n <= size ? bitOf(a, ah, n - 1) : arith ? bitOf(a, ah, top) : 0;
        f = szp(bytes, R.lo, R.hi) | (c ? CF : 0);
        // OF is defined for a count of 1 (SHR: the original sign); for larger counts it is undefined and QEMU
        // (Unicorn) clears it: so do we.
        if (!arith && n === 1 && bitOf(a, ah, top)) f |= OF;
        which = ARITH;
        break;
      }
      case 0:
      case 1: {
        const k = n % size;
        if (size === 64) {
          const l = kind === 0 ? k : (64 - k) % 64;
          shl64(a, ah, l);
          const xl = R.lo, xh = R.hi;
          shr64(a, ah, (64 - l) % 64, false);
          if (l === 0) { R.lo = a; R.hi = ah; } else { R.lo = (R.lo | xl) >>> 0; R.hi = (R.hi | xh) >>> 0; }
        } else {
          const l = kind === 0 ? k : (size - k) % size;
          R.lo = (l === 0 ? a : ((a << l) | (a >>> (size - l))) & m) >>> 0;
          R.hi = 0;
        }
        if (kind === 0) {
          const c = R.lo & 1;
          f = (c ? CF : 0) | ((bitOf(R.lo, R.hi, top) ^ c) ? OF : 0);
        } else {
          const c = bitOf(R.lo, R.hi, top);
          f = (c ? CF : 0) | ((c ^ bitOf(R.lo, R.hi, top - 1)) ? OF : 0);
        }
        break;
      }
      default: {
        // RCL/RCR through CF, one bit at a time (count < 64).
        let c = cf(cpu);
        let lo = a, hi = ah;
        const k = size === 8 ? n % 9 : size === 16 ? n % 17 : n;
        if (k === 0) {
          // A count that is a multiple of 9 (17) rotates nothing; flags stay as they are (QEMU; the SDM only
          // defines the flags for non-zero masked counts).
          writeRm(cpu, size, a, ah);
          return;
        }
        for (let i = 0; i < k; i++) {
          if (kind === 2) {
            const out = bitOf(lo, hi, top);
            if (size === 64) { hi = ((hi << 1) | (lo >>> 31)) >>> 0; lo = ((lo << 1) | c) >>> 0; }
            else lo = (((lo << 1) | c) & m) >>> 0;
            c = out;
          } else {
            const out = lo & 1;
            if (size === 64) { lo = ((lo >>> 1) | (hi << 31)) >>> 0; hi = ((hi >>> 1) | (c << 31)) >>> 0; }
            else lo = ((lo >>> 1) | (c << top)) >>> 0;
            c = out;
          }
        }
        R.lo = lo;
        R.hi = hi;
        // OF = MSB(original) XOR MSB(result): the SDM's count-1 definition for both directions, and what QEMU
        // (Unicorn) also gives for the undefined larger counts.
        f = (c ? CF : 0) | ((bitOf(a, ah, top) ^ bitOf(lo, hi, top)) ? OF : 0);
      }
    }
    writeRm(cpu, size, R.lo, R.hi);
    setFlags(cpu, f, which);
  };
}
['rol', 'ror', 'rcl', 'rcr', 'shl', 'shr', '', 'sar'].forEach((n, i) => {
  if (n) H[n] = shiftOp(i);
});
H.sal = H.shl;
void K_ONE;

function doubleShift(left: boolean): Handler {
  return (cpu, d) => {
    const size = d.opSize, bytes = size >> 3;
    const fk = formFirst[d.formIndex];
    const n = (fk === K_CL ? cpu.gprLo[1] : d.imm) & (size === 64 ? 63 : 31);
    const a = readRm(cpu, size), ah = size === 64 ? X.hi : 0;
    const s = getReg(cpu, d.reg, size), sh = size === 64 ? X.hi : 0;
    if (n === 0) {
      if (d.hasMem) writeRm(cpu, size, a, ah);
      else if (size === 32) cpu.gprHi[d.rmReg] = 0;
      return;
    }
    let c: number;
    if (size === 64) {
      if (left) {
        shl64(a, ah, n);
        const xl = R.lo, xh = R.hi;
        shr64(s, sh, 64 - n, false);
        R.lo = (R.lo | xl) >>> 0; R.hi = (R.hi | xh) >>> 0;
        c = bitOf(a, ah, 64 - n);
      } else {
        shr64(a, ah, n, false);
        const xl = R.lo, xh = R.hi;
        shl64(s, sh, 64 - n);
        R.lo = (R.lo | xl) >>> 0; R.hi = (R.hi | xh) >>> 0;
        c = bitOf(a, ah, n - 1);
      }
    } else if (size === 32) {
      if (left) { R.lo = ((a << n) | (s >>> (32 - n))) >>> 0; c = (a >>> (32 - n)) & 1; }
      else { R.lo = ((a >>> n) | (s << (32 - n))) >>> 0; c = (a >>> (n - 1)) & 1; }
      R.hi = 0;
    } else {
      // 16-bit: the SDM leaves counts above 16 undefined; like QEMU, shift the 48-bit value dst:src:dst.
      if (left) {
        const wide = a * TWO32 + s * 65536 + a; // dst:src:dst, 48 bits
        const r = Math.floor(wide / 2 ** (32 - n)) % 65536;
        c = Math.floor(wide / 2 ** (48 - n)) & 1;
        R.lo = r & 0xffff;
      } else {
        const wide = a * TWO32 + s * 65536 + a; // treat as (dst:src:dst) >> n taking the low part: src:dst
        const low = (s * 65536 + a) + (a * TWO32);
        const r = Math.floor(low / 2 ** n) % 65536;
        c = Math.floor(low / 2 ** (n - 1)) & 1;
        R.lo = r & 0xffff;
        void wide;
      }
      R.hi = 0;
    }
    writeRm(cpu, size, R.lo, R.hi);
    let f = szp(bytes, R.lo, R.hi) | (c ? CF : 0);
    // OF: defined for a count of 1 (sign change). For larger counts it is undefined; like QEMU (Unicorn) we take
    // SHLD: MSB(result) XOR CF, SHRD: the top two result bits XORed (both equal the SDM's rule at count 1).
    // (QEMU's 64-bit SHRD shifts the destination alone for this: OF = MSB(result), or MSB(result ^ dest) at 1.)
    const ov = left ? bitOf(R.lo, R.hi, size - 1) ^ c
      : size === 64 ? bitOf(R.lo, R.hi, 63) ^ (n === 1 ? bitOf(a, ah, 63) : 0)
      : bitOf(R.lo, R.hi, size - 1) ^ bitOf(R.lo, R.hi, size - 2);
    if (ov !== 0) f |= OF;
    setFlags(cpu, f, ARITH);
  };
}
H.shld = doubleShift(true);
H.shrd = doubleShift(false);

// ---- bit operations ---------------------------------------------------------------------------------------------

function bitOp(kind: number): Handler {
  // 0 bt 1 bts 2 btr 3 btc
  return (cpu, d) => {
    const size = d.opSize;
    const immForm = formSrc[d.formIndex] === K_IMM;
    let bit: number;
    if (immForm) bit = d.imm & (size - 1);
    else {
      const off = getReg(cpu, d.reg, size), offh = X.hi;
      if (d.hasMem) {
        // A register bit offset reaches outside the operand: move the address by whole operands (signed).
        const sv = size === 16 ? (off << 16) >> 16 : size === 32 ? off | 0 : (offh | 0) * TWO32 + off;
        const units = Math.floor(sv / size);
        eaPlus(units * (size >> 3));
        bit = sv - units * size;
      } else bit = off & (size - 1);
    }
    const v = readRm(cpu, size), vh = size === 64 ? X.hi : 0;
    const c = bitOf(v, vh, bit);
    if (kind !== 0) {
      let lo = v, hi = vh;
      const m = bit >= 32 ? 1 << (bit - 32) : 1 << bit;
      const set = kind === 1 ? 1 : kind === 2 ? 0 : c ^ 1;
      if (bit >= 32) hi = (set ? hi | m : hi & ~m) >>> 0;
      else lo = (set ? lo | m : lo & ~m) >>> 0;
      writeRm(cpu, size, lo, hi);
    }
    setFlags(cpu, c ? CF : 0, CF);
  };
}
H.bt = bitOp(0);
H.bts = bitOp(1);
H.btr = bitOp(2);
H.btc = bitOp(3);

function scan(forward: boolean, zeroCount: boolean): Handler {
  return (cpu, d) => {
    const size = d.opSize;
    const v = readRm(cpu, size), vh = size === 64 ? X.hi : 0;
    const zero = size === 64 ? (v | vh) === 0 : (v & (size === 32 ? 0xffffffff : 0xffff)) === 0;
    let idx = -1;
    if (!zero) {
      if (forward) idx = (v !== 0) ? 31 - Math.clz32(v & -v) : 32 + 31 - Math.clz32(vh & -vh);
      else idx = size === 64 && vh !== 0 ? 63 - Math.clz32(vh) : 31 - Math.clz32(v);
    }
    if (zeroCount) {
      // LZCNT/TZCNT: operand size when zero; CF = source zero, ZF = result zero.
      const r = zero ? size : forward ? idx : size - 1 - idx;
      setReg(cpu, d.reg, size, r, 0);
      setFlags(cpu, (zero ? CF : 0) | (r === 0 ? ZF : 0), ARITH);
      return;
    }
    // ZF = source is zero; CF OF SF AF PF are undefined: like QEMU (Unicorn), SF and PF follow the source and
    // CF, OF, AF are cleared.
    const srcFlags = szp(size >> 3, v, vh);
    if (zero) {
      // Destination unchanged (AMD, QEMU), though a 32-bit destination is still zero-extended (QEMU, Intel).
      if (size === 32) cpu.gprHi[d.reg] = 0;
      setFlags(cpu, srcFlags, ARITH);
      return;
    }
    setReg(cpu, d.reg, size, idx, 0);
    setFlags(cpu, srcFlags, ARITH);
  };
}
H.bsf = scan(true, false);
H.bsr = scan(false, false);
H.tzcnt = scan(true, true);
H.lzcnt = scan(false, true);

H.popcnt = (cpu, d) => {
  const size = d.opSize;
  const v = readRm(cpu, size), vh = size === 64 ? X.hi : 0;
  const pc = (x: number): number => {
    x = x - ((x >>> 1) & 0x55555555);
    x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
    return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
  };
  const r = pc(v) + pc(vh);
  setReg(cpu, d.reg, size, r, 0);
  setFlags(cpu, r === 0 ? ZF : 0, ARITH);
};

// CRC32 (Castagnoli polynomial, reflected), the SSE4.2 instruction.
const CRC_TABLE = new Uint32Array(256);
for (let i = 0; i < 256; i++) {
  let c = i;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  CRC_TABLE[i] = c >>> 0;
}
H.crc32 = (cpu, d) => {
  const size = d.opSize;
  let crc = cpu.gprLo[d.reg];
  const v = readRm(cpu, size), vh = size === 64 ? X.hi : 0;
  const n = size >> 3;
  for (let i = 0; i < n; i++) {
    const byte = i < 4 ? (v >>> (8 * i)) & 0xff : (vh >>> (8 * (i - 4))) & 0xff;
    crc = (CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8)) >>> 0;
  }
  setReg(cpu, d.reg, d.rex & 8 ? 64 : 32, crc, 0);
};

H.arpl = (cpu, d) => {
  if (cpu.mode === 'real' || cpu.mode === 'v86') cpu.raise(UD, 0, 'ARPL in real/V86 mode');
  const dst = readRm(cpu, 16);
  const src = getReg(cpu, d.reg, 16);
  if ((dst & 3) < (src & 3)) {
    writeRm(cpu, 16, (dst & ~3) | (src & 3));
    setFlags(cpu, ZF, ZF);
  } else setFlags(cpu, 0, ZF);
};

// ---- BCD --------------------------------------------------------------------------------------------------------

function bcdFlags(cpu: Cpu, al: number, extra: number, which: number): void {
  setFlags(cpu, PARITY[al] | (al === 0 ? ZF : 0) | (al & 0x80 ? SF : 0) | extra, which);
}

H.daa = (cpu) => {
  const f = cpu.getEflags();
  const old = cpu.gprLo[0] & 0xff, oldCf = f & CF;
  let al = old, c = 0, a = 0;
  if ((al & 0xf) > 9 || f & AF) { al = (al + 6) & 0xff; a = AF; c = oldCf || old > 0xf9 ? CF : 0; }
  if (old > 0x99 || oldCf) { al = (al + 0x60) & 0xff; c = CF; } else c = 0;
  cpu.gprLo[0] = (cpu.gprLo[0] & 0xffffff00) | al;
  bcdFlags(cpu, al, c | a, ARITH); // OF is undefined: cleared, as QEMU (Unicorn) does
};
H.das = (cpu) => {
  const f = cpu.getEflags();
  const old = cpu.gprLo[0] & 0xff, oldCf = f & CF;
  let al = old, c = 0, a = 0;
  if ((al & 0xf) > 9 || f & AF) { al = (al - 6) & 0xff; a = AF; c = oldCf || old < 6 ? CF : 0; }
  if (old > 0x99 || oldCf) { al = (al - 0x60) & 0xff; c = CF; }
  cpu.gprLo[0] = (cpu.gprLo[0] & 0xffffff00) | al;
  bcdFlags(cpu, al, c | a, ARITH); // OF cleared as for DAA
};
function asciiAdjust(add: boolean): Handler {
  return (cpu) => {
    const f = cpu.getEflags();
    let ax = cpu.gprLo[0] & 0xffff;
    if ((ax & 0xf) > 9 || f & AF) {
      if (add) ax = (ax + 0x106) & 0xffff;
      else {
        const t = (ax - 6) & 0xffff; // AX - 6 borrows into AH, then AH - 1 (SDM, QEMU)
        ax = (t & 0xff) | ((((t >>> 8) - 1) & 0xff) << 8);
      }
      ax &= 0xff0f;
      cpu.gprLo[0] = (cpu.gprLo[0] & 0xffff0000) | ax;
      setFlags(cpu, AF | CF, AF | CF);
    } else {
      cpu.gprLo[0] = (cpu.gprLo[0] & 0xffff0000) | (ax & 0xff0f);
      setFlags(cpu, 0, AF | CF);
    }
  };
}
H.aaa = asciiAdjust(true);
H.aas = asciiAdjust(false);
H.aam = (cpu, d) => {
  const base = d.imm & 0xff;
  if (base === 0) cpu.raise(DE, 0, 'AAM with base 0');
  const al = cpu.gprLo[0] & 0xff;
  const r = al % base;
  cpu.gprLo[0] = (cpu.gprLo[0] & 0xffff0000) | (Math.floor(al / base) << 8) | r;
  bcdFlags(cpu, r, 0, ARITH);
};
H.aad = (cpu, d) => {
  const base = d.imm & 0xff;
  const ax = cpu.gprLo[0];
  const al = ((ax & 0xff) + ((ax >>> 8) & 0xff) * base) & 0xff;
  cpu.gprLo[0] = (ax & 0xffff0000) | al;
  bcdFlags(cpu, al, 0, ARITH);
};

// ---- later integer extensions ------------------------------------------------------------------------------------

H.movnti = (cpu, d) => {
  const size = d.opSize;
  const v = getReg(cpu, d.reg, size);
  writeMem(cpu, size, v, size === 64 ? X.hi : 0);
};

/** ADCX / ADOX: add with carry through CF or OF only; no other flag changes. */
function addCarryOnly(flag: number): Handler {
  return (cpu, d) => {
    const size = d.opSize;
    const b = readRm(cpu, size), bh = size === 64 ? X.hi : 0;
    const a = getReg(cpu, d.reg, size), ah = size === 64 ? X.hi : 0;
    const c = (cpu.getEflags() & flag) !== 0 ? 1 : 0;
    add(size, a, ah, b, bh, c);
    const out = size === 64 ? R.hi < ah || (R.hi === ah && (R.lo < a || (c === 1 && R.lo === a))) : R.lo < a || (c === 1 && R.lo === a);
    setReg(cpu, d.reg, size, R.lo, R.hi);
    setFlags(cpu, out ? flag : 0, flag);
  };
}
H.adcx = addCarryOnly(CF);
H.adox = addCarryOnly(OF);
