// The instruction being executed and its operands: register access by size, effective addresses, and reads and
// writes of the form's operands. One shared context object (no allocation per instruction).
import type { DecodedInstruction } from '../../isa/decoder';
import * as Mdecoder from '../../isa/decoder';
import * as Mtable from '../../isa/table';
import type { Cpu } from '../cpu/cpu';
import * as Mfault from '../cpu/fault';
import * as Msegment from '../cpu/segment';
// Imported bindings copied into locals: tsx/CommonJS turns each use of an import into a getter call, which
// dominated the hot path.
const { RIP } = Mdecoder;
const { forms } = Mtable;
const { GP } = Mfault;
const { ATTR_CE, ATTR_CODE, ATTR_RW, ATTR_UNUSABLE, DS, FS, SS } = Msegment;

const TWO32 = 0x1_0000_0000;

/** Operand kinds, precomputed per form from its operand specs. */
export const K_NONE = 0, K_REG = 1, K_RM = 2, K_RO = 3, K_ACC = 4, K_IMM = 5, K_ONE = 6, K_CL = 7, K_DX = 8, K_MOFFS = 9;

function kindOf(spec: string | undefined): number {
  if (spec === undefined) return K_NONE;
  if (spec === 'r' || spec === 'r16' || spec === 'r32' || spec === 'r64' || spec === 'rn') return K_REG;
  if (spec === 'rm' || spec === 'rr' || spec === 'm' || spec === 'rm8' || spec === 'rm16' || spec === 'rm32' || spec === 'rrn' || spec === 'rr32' || spec === 'rr64') return K_RM;
  if (spec === 'ro') return K_RO;
  if (spec === 'acc') return K_ACC;
  if (spec === 'i' || spec === 'is8' || spec === 'i8' || spec === 'i16' || spec === 'i64' || spec === 'i64big') return K_IMM;
  if (spec === '$1') return K_ONE;
  if (spec === '%cl') return K_CL;
  if (spec === '%dx') return K_DX;
  if (spec === 'moffs') return K_MOFFS;
  return K_NONE;
}

/** Per form: the destination (last AT&T operand), the source before it, and the first of three. */
export const formDst = new Uint8Array(forms.length);
export const formSrc = new Uint8Array(forms.length);
export const formFirst = new Uint8Array(forms.length);
forms.forEach((f, i) => {
  const n = f.operands.length;
  formDst[i] = kindOf(f.operands[n - 1]);
  formSrc[i] = n >= 2 ? kindOf(f.operands[n - 2]) : K_NONE;
  formFirst[i] = n >= 3 ? kindOf(f.operands[0]) : K_NONE;
});

/** Execution context of the current instruction. */
export const X = {
  cpu: null as unknown as Cpu,
  d: null as unknown as DecodedInstruction,
  /** RIP of this instruction and of the next one (the executor commits next unless `jumped`). */
  ripLo: 0,
  ripHi: 0,
  nextLo: 0,
  nextHi: 0,
  /** The handler set RIP itself (far transfers, interrupts, REP restarts). */
  jumped: false,
  /** Effective address of the memory operand: segment and offset halves (hi only with 64-bit addressing). */
  eaSeg: DS,
  eaLo: 0,
  eaHi: 0,
  /** High half of the last 64-bit operand read. */
  hi: 0,
};

/** Computes the memory operand's segment and offset (address-size wrap applied). */
export function computeEa(cpu: Cpu, d: DecodedInstruction, moffs: boolean): void {
  let seg = DS;
  const as = d.addrSize;
  if (moffs) {
    X.eaLo = as === 16 ? d.disp & 0xffff : d.disp >>> 0;
    X.eaHi = as === 64 ? d.immHigh >>> 0 : 0;
  } else if (as === 16) {
    let v = d.disp;
    if (d.base >= 0) {
      v += cpu.gprLo[d.base];
      if (d.base === 5) seg = SS;
    }
    if (d.index >= 0) v += cpu.gprLo[d.index];
    X.eaLo = v & 0xffff;
    X.eaHi = 0;
  } else {
    // 64-bit sum in int32 halves (carries by unsigned compare): no floating-point division or floor per access.
    const b = d.base, ix = d.index;
    let lo = d.disp | 0, hi = lo >> 31;
    if (b >= 0 || b === RIP) {
      let xl: number, xh: number;
      if (b === RIP) {
        xl = X.nextLo | 0;
        xh = X.nextHi | 0;
      } else {
        xl = cpu.gprLo[b] | 0;
        xh = cpu.gprHi[b] | 0;
        if (b === 4 || b === 5) seg = SS;
      }
      const sum = (lo + xl) | 0;
      hi = (hi + xh + ((sum >>> 0) < (lo >>> 0) ? 1 : 0)) | 0;
      lo = sum;
    }
    if (ix >= 0) {
      const sh = 31 - Math.clz32(d.scale);
      const il = cpu.gprLo[ix] | 0;
      const xl = (il << sh) | 0;
      const xh = ((cpu.gprHi[ix] << sh) | (sh === 0 ? 0 : il >>> (32 - sh))) | 0;
      const sum = (lo + xl) | 0;
      hi = (hi + xh + ((sum >>> 0) < (lo >>> 0) ? 1 : 0)) | 0;
      lo = sum;
    }
    X.eaLo = lo >>> 0;
    X.eaHi = as === 32 ? 0 : hi >>> 0;
  }
  X.eaSeg = d.segment >= 0 ? d.segment : seg;
}

// ---- registers ----------------------------------------------------------------------------------------------

/** Reads general register r at `size` bits; the high half of a 64-bit read goes to X.hi. */
export function getReg(cpu: Cpu, r: number, size: number): number {
  switch (size) {
    case 8:
      if (r < 4 || r > 7 || X.d.rex !== 0) return cpu.gprLo[r] & 0xff;
      return (cpu.gprLo[r - 4] >>> 8) & 0xff;
    case 16:
      return cpu.gprLo[r] & 0xffff;
    case 32:
      return cpu.gprLo[r];
    default:
      X.hi = cpu.gprHi[r];
      return cpu.gprLo[r];
  }
}

/** Writes general register r; 32-bit writes zero bits 63:32 (as in 64-bit mode). */
export function setReg(cpu: Cpu, r: number, size: number, lo: number, hi = 0): void {
  switch (size) {
    case 8:
      if (r < 4 || r > 7 || X.d.rex !== 0) cpu.gprLo[r] = (cpu.gprLo[r] & 0xffffff00) | (lo & 0xff);
      else cpu.gprLo[r - 4] = (cpu.gprLo[r - 4] & 0xffff00ff) | ((lo & 0xff) << 8);
      return;
    case 16:
      cpu.gprLo[r] = (cpu.gprLo[r] & 0xffff0000) | (lo & 0xffff);
      return;
    case 32:
      cpu.gprLo[r] = lo;
      cpu.gprHi[r] = 0;
      return;
    default:
      cpu.gprLo[r] = lo;
      cpu.gprHi[r] = hi;
  }
}

// ---- memory at the effective address ------------------------------------------------------------------------

/** Linear address of the memory operand when fastLinear() accepted it (object fields: a module `let` would box). */
const LIN = { lo: 0, hi: 0 };

/**
 * Whether the memory operand may go straight to the MMU's TLB fast path (its linear address left in LIN): no data
 * breakpoint armed, and in 64-bit mode DS/ES/SS with a canonical address, elsewhere an expand-up data segment
 * (writable for writes) whose limit covers the access. What linearize() checks is checked here; anything else takes
 * the general route, which raises the faults.
 */
function fastLinear(cpu: Cpu, bytes: number, write: boolean): boolean {
  if ((cpu.dr[14] & 0xff) !== 0) return false;
  if (cpu.mode === 'long') {
    if (X.eaSeg >= FS) return false;
    const hi = X.eaHi | 0;
    const top = cpu.cr4 & 0x1000 ? hi >> 24 : hi >> 15;
    if (top !== 0 && top !== -1) return false;
    LIN.lo = X.eaLo;
    LIN.hi = X.eaHi;
    return true;
  }
  const sr = cpu.seg[X.eaSeg];
  const attr = sr.attr;
  if ((attr & (ATTR_CODE | ATTR_CE | ATTR_UNUSABLE)) !== 0 || (write && (attr & ATTR_RW) === 0)) return false;
  const off = X.eaLo;
  if (off + bytes - 1 > sr.limit) return false;
  LIN.lo = (sr.base + off) >>> 0;
  LIN.hi = 0;
  return true;
}

export function readMem(cpu: Cpu, size: number): number {
  if (fastLinear(cpu, size >>> 3, false)) {
    const mmu = cpu.mmu;
    const v = size === 64 ? mmu.fastRead64(LIN.lo, LIN.hi) : size === 32 ? mmu.fastRead32(LIN.lo, LIN.hi) : size === 16 ? mmu.fastRead16(LIN.lo, LIN.hi) : mmu.fastRead8(LIN.lo, LIN.hi);
    if (v >= 0) {
      if (size === 64) X.hi = mmu.hi;
      return v;
    }
  }
  switch (size) {
    case 8: return cpu.read8(X.eaSeg, X.eaLo, X.eaHi);
    case 16: return cpu.read16(X.eaSeg, X.eaLo, X.eaHi);
    case 32: return cpu.read32(X.eaSeg, X.eaLo, X.eaHi);
    default: {
      const v = cpu.read64(X.eaSeg, X.eaLo, X.eaHi);
      X.hi = cpu.mmu.hi;
      return v;
    }
  }
}

export function writeMem(cpu: Cpu, size: number, lo: number, hi = 0): void {
  if (fastLinear(cpu, size >>> 3, true)) {
    const mmu = cpu.mmu;
    if (size === 64 ? mmu.fastWrite64(LIN.lo, LIN.hi, lo, hi) : size === 32 ? mmu.fastWrite32(LIN.lo, LIN.hi, lo) : size === 16 ? mmu.fastWrite16(LIN.lo, LIN.hi, lo) : mmu.fastWrite8(LIN.lo, LIN.hi, lo)) return;
  }
  switch (size) {
    case 8: cpu.write8(X.eaSeg, X.eaLo, X.eaHi, lo); return;
    case 16: cpu.write16(X.eaSeg, X.eaLo, X.eaHi, lo); return;
    case 32: cpu.write32(X.eaSeg, X.eaLo, X.eaHi, lo); return;
    default: cpu.write64(X.eaSeg, X.eaLo, X.eaHi, lo, hi);
  }
}

/** Offset `n` bytes further than the effective address (wrapped to the address size). */
export function eaPlus(n: number): void {
  const as = X.d.addrSize;
  if (as === 16) X.eaLo = (X.eaLo + n) & 0xffff;
  else if (as === 32) X.eaLo = (X.eaLo + n) >>> 0;
  else {
    const s = X.eaLo + n;
    X.eaLo = s >>> 0;
    X.eaHi = (X.eaHi + Math.floor(s / TWO32)) >>> 0;
  }
}

// ---- operands ---------------------------------------------------------------------------------------------

export function readRm(cpu: Cpu, size: number): number {
  const d = X.d;
  if (d.hasMem) return readMem(cpu, size);
  return getReg(cpu, d.rmReg, size);
}

export function writeRm(cpu: Cpu, size: number, lo: number, hi = 0): void {
  const d = X.d;
  if (d.hasMem) writeMem(cpu, size, lo, hi);
  else setReg(cpu, d.rmReg, size, lo, hi);
}

/** Reads an operand of `kind` at `size` bits (immediates masked/sign-extended to the size). */
export function readOp(cpu: Cpu, kind: number, size: number): number {
  const d = X.d;
  switch (kind) {
    case K_REG: return getReg(cpu, d.reg, size);
    case K_RM: return readRm(cpu, size);
    case K_RO: return getReg(cpu, d.rmReg, size);
    case K_ACC: return getReg(cpu, 0, size);
    case K_MOFFS: return readMem(cpu, size);
    case K_IMM:
      X.hi = d.immHigh >>> 0;
      return size === 8 ? d.imm & 0xff : size === 16 ? d.imm & 0xffff : d.imm >>> 0;
    case K_ONE: X.hi = 0; return 1;
    case K_CL: return cpu.gprLo[1] & 0xff;
    case K_DX: return cpu.gprLo[2] & 0xffff;
  }
  return 0;
}

export function writeOp(cpu: Cpu, kind: number, size: number, lo: number, hi = 0): void {
  const d = X.d;
  switch (kind) {
    case K_REG: setReg(cpu, d.reg, size, lo, hi); return;
    case K_RM: writeRm(cpu, size, lo, hi); return;
    case K_RO: setReg(cpu, d.rmReg, size, lo, hi); return;
    case K_ACC: setReg(cpu, 0, size, lo, hi); return;
    case K_MOFFS: writeMem(cpu, size, lo, hi); return;
  }
}

// ---- branches ---------------------------------------------------------------------------------------------

/** Sets the next RIP to a near target, truncated to the operand size and checked against CS limit / canonical form. */
export function nearTarget(cpu: Cpu, lo: number, hi: number, opSize: number): void {
  if (opSize === 64) {
    lo >>>= 0;
    hi >>>= 0;
    const top = cpu.cr4 & 0x1000 ? (hi | 0) >> 24 : (hi | 0) >> 15;
    if (top !== 0 && top !== -1) cpu.raise(GP, 0, 'near branch to a non-canonical address');
  } else {
    lo = opSize === 16 ? lo & 0xffff : lo >>> 0;
    hi = 0;
    if (cpu.mode !== 'long' && lo > cpu.seg[1].limit) cpu.raise(GP, 0, `branch target 0x${lo.toString(16)} beyond the CS limit`);
  }
  X.nextLo = lo;
  X.nextHi = hi;
}

/** Next RIP + a signed displacement, as a near target of `opSize`. */
export function relTarget(cpu: Cpu, rel: number, opSize: number): void {
  const s = X.nextLo + rel;
  const lo = s >>> 0;
  const hi = (X.nextHi + Math.floor(s / TWO32)) >>> 0;
  nearTarget(cpu, lo, hi, opSize);
}

/** Adds a signed amount to a 64-bit register (RSI/RDI/RCX updates) at address size `as`. */
export function addReg(cpu: Cpu, r: number, as: number, delta: number): void {
  if (as === 16) cpu.gprLo[r] = (cpu.gprLo[r] & 0xffff0000) | ((cpu.gprLo[r] + delta) & 0xffff);
  else if (as === 32) {
    cpu.gprLo[r] = (cpu.gprLo[r] + delta) >>> 0;
    cpu.gprHi[r] = 0;
  } else {
    const s = cpu.gprLo[r] + delta;
    cpu.gprLo[r] = s >>> 0;
    cpu.gprHi[r] = (cpu.gprHi[r] + Math.floor(s / TWO32)) >>> 0;
  }
}

/** Register value at address size (for RCX/RSI/RDI as counters or pointers); hi in X.hi. */
export function regAtAs(cpu: Cpu, r: number, as: number): number {
  X.hi = as === 64 ? cpu.gprHi[r] : 0;
  return as === 16 ? cpu.gprLo[r] & 0xffff : cpu.gprLo[r];
}
