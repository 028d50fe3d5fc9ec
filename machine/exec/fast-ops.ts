// Specialised closures for the commonest register-only instruction forms inside a decoded block (block.ts): the
// registers, sizes and immediates are fixed when the block is built, so running one is a few typed-array accesses
// and the lazy-flag record, with no operand decoding, no shared context and no RIP bookkeeping. Results and flags
// are exactly those of the general handlers in integer.ts (the same arithmetic, written out per form).
// A fast op never touches memory and never faults; anything else runs through the general handlers.
// A compiled block (block.ts) may ask for cheaper variants of an op whose flag results a later op of the same block
// overwrites before anything reads them (FLAGS_NONE, FLAGS_PARTIAL below): only dead flags differ. It takes each
// op as JavaScript source (fastOpSource): the same arithmetic as the closures, with the operands as literals; the
// tests run both (blocks.test.ts, compiled at the first run and after the default count).
import type { DecodedInstruction } from '../../isa/decoder';
import * as Mdecoder from '../../isa/decoder';
import type { Cpu } from '../cpu/cpu';
import * as Mcontext from './context';
import * as Mflags from './flags';
import * as Minteger from './integer';
// Imported bindings copied into locals (tsx turns each use of an import into a getter call).
const { RIP } = Mdecoder;
const { formDst, formSrc, K_ACC, K_IMM, K_NONE, K_ONE, K_REG, K_RM, K_RO } = Mcontext;
const { ARITH, CF, OF, SF, ZF, L_ADD, L_DEC, L_INC, L_LOGIC, L_SUB, recordLazy } = Mflags;
const { shiftRegister } = Minteger;

/** Runs one pre-decoded instruction on the CPU's registers. */
export type FastOp = (cpu: Cpu) => void;

/** Flag work of a fast op: all its flag results (the general handlers' behaviour), none, or a dead-aware part. */
export const FLAGS_FULL = 0, FLAGS_NONE = 1, FLAGS_PARTIAL = 2;

const TWO32 = 0x1_0000_0000;
const PREFIX_LOCK = 1;
/** ALU kinds (integer.ts aluOp order); ADC and SBB (kinds 2, 3) read CF and stay on the general path. */
const ALU_KIND: Readonly<Record<string, number>> = { add: 0, or: 1, and: 4, sub: 5, xor: 6, cmp: 7, test: 8 };
const SHIFT_KIND: Readonly<Record<string, number>> = { rol: 0, ror: 1, shl: 4, shr: 5, sar: 7 };

/** ADD/OR/AND/SUB/XOR/CMP/TEST of 64-bit registers; the source is register `sr` or (sr < 0) the immediate. */
function alu64(kind: number, dr: number, sr: number, immLo: number, immHi: number, flags: boolean): FastOp {
  if (!flags) return alu64Value(kind, dr, sr, immLo, immHi);
  return (cpu) => {
    const g = cpu.gprLo, gh = cpu.gprHi;
    const a = g[dr], ah = gh[dr];
    const b = sr >= 0 ? g[sr] : immLo, bh = sr >= 0 ? gh[sr] : immHi;
    let lo: number, hi: number;
    if (kind === 0) {
      const l = a + b;
      lo = l >>> 0;
      hi = (ah + bh + (l >= TWO32 ? 1 : 0)) >>> 0;
    } else if (kind === 5 || kind === 7) {
      const l = a - b;
      lo = l >>> 0;
      hi = (ah - bh - (l < 0 ? 1 : 0)) >>> 0;
    } else {
      if (kind === 1) {
        lo = (a | b) >>> 0;
        hi = (ah | bh) >>> 0;
      } else if (kind === 6) {
        lo = (a ^ b) >>> 0;
        hi = (ah ^ bh) >>> 0;
      } else {
        lo = (a & b) >>> 0;
        hi = (ah & bh) >>> 0;
      }
      recordLazy(cpu, L_LOGIC, 8, 0, 0, 0, 0, lo, hi);
      if (kind !== 8) {
        g[dr] = lo;
        gh[dr] = hi;
      }
      return;
    }
    recordLazy(cpu, kind === 0 ? L_ADD : L_SUB, 8, a, ah, b, bh, lo, hi);
    if (kind !== 7) {
      g[dr] = lo;
      gh[dr] = hi;
    }
  };
}

/** alu64 without the flag record (the flags are dead). */
function alu64Value(kind: number, dr: number, sr: number, immLo: number, immHi: number): FastOp {
  return (cpu) => {
    if (kind === 7 || kind === 8) return;
    const g = cpu.gprLo, gh = cpu.gprHi;
    const a = g[dr], ah = gh[dr];
    const b = sr >= 0 ? g[sr] : immLo, bh = sr >= 0 ? gh[sr] : immHi;
    if (kind === 0) {
      const l = a + b;
      g[dr] = l >>> 0;
      gh[dr] = (ah + bh + (l >= TWO32 ? 1 : 0)) >>> 0;
    } else if (kind === 5) {
      const l = a - b;
      g[dr] = l >>> 0;
      gh[dr] = (ah - bh - (l < 0 ? 1 : 0)) >>> 0;
    } else if (kind === 1) {
      g[dr] = (a | b) >>> 0;
      gh[dr] = (ah | bh) >>> 0;
    } else if (kind === 6) {
      g[dr] = (a ^ b) >>> 0;
      gh[dr] = (ah ^ bh) >>> 0;
    } else {
      g[dr] = (a & b) >>> 0;
      gh[dr] = (ah & bh) >>> 0;
    }
  };
}

/** The same at 32 bits: a written destination has bits 63:32 cleared. */
function alu32(kind: number, dr: number, sr: number, imm: number, flags: boolean): FastOp {
  if (!flags) {
    return (cpu) => {
      if (kind === 7 || kind === 8) return;
      const g = cpu.gprLo;
      const a = g[dr];
      const b = sr >= 0 ? g[sr] : imm;
      g[dr] = kind === 0 ? (a + b) >>> 0 : kind === 5 ? (a - b) >>> 0 : kind === 1 ? (a | b) >>> 0 : kind === 6 ? (a ^ b) >>> 0 : (a & b) >>> 0;
      cpu.gprHi[dr] = 0;
    };
  }
  return (cpu) => {
    const g = cpu.gprLo;
    const a = g[dr];
    const b = sr >= 0 ? g[sr] : imm;
    let lo: number;
    if (kind === 0 || kind === 5 || kind === 7) {
      lo = kind === 0 ? (a + b) >>> 0 : (a - b) >>> 0;
      cpu.lazyOp = kind === 0 ? L_ADD : L_SUB;
      cpu.lazySrc1 = a;
      cpu.lazySrc2 = b;
    } else {
      lo = kind === 1 ? (a | b) >>> 0 : kind === 6 ? (a ^ b) >>> 0 : (a & b) >>> 0;
      cpu.lazyOp = L_LOGIC;
      cpu.lazySrc1 = cpu.lazySrc2 = 0;
    }
    cpu.lazySize = 4;
    cpu.lazySrc1Hi = cpu.lazySrc2Hi = 0;
    cpu.lazyRes = lo;
    cpu.lazyResHi = 0;
    if (kind !== 7 && kind !== 8) {
      g[dr] = lo;
      cpu.gprHi[dr] = 0;
    }
  };
}

/** MOV between 32/64-bit registers, or of an immediate (sr < 0) into one. */
function movReg(dr: number, sr: number, size: number, immLo: number, immHi: number): FastOp {
  if (sr < 0) {
    return (cpu) => {
      cpu.gprLo[dr] = immLo;
      cpu.gprHi[dr] = immHi;
    };
  }
  return size === 64
    ? (cpu) => {
        cpu.gprLo[dr] = cpu.gprLo[sr];
        cpu.gprHi[dr] = cpu.gprHi[sr];
      }
    : (cpu) => {
        cpu.gprLo[dr] = cpu.gprLo[sr];
        cpu.gprHi[dr] = 0;
      };
}

/**
 * INC/DEC of a 32/64-bit register (CF kept: the pending record is evaluated first). FLAGS_PARTIAL: CF is dead
 * afterwards, so the pending record is not evaluated; FLAGS_NONE: no flag work at all.
 */
function incDec(r: number, size: number, isDec: boolean, flags: number): FastOp {
  if (flags === FLAGS_NONE) {
    return (cpu) => {
      const g = cpu.gprLo, gh = cpu.gprHi;
      if (size === 64) {
        const l = isDec ? g[r] - 1 : g[r] + 1;
        const ah = gh[r];
        g[r] = l >>> 0;
        gh[r] = isDec ? (ah - (l < 0 ? 1 : 0)) >>> 0 : (ah + (l >= TWO32 ? 1 : 0)) >>> 0;
      } else {
        g[r] = (isDec ? g[r] - 1 : g[r] + 1) >>> 0;
        gh[r] = 0;
      }
    };
  }
  const keepCf = flags === FLAGS_FULL;
  return (cpu) => {
    const g = cpu.gprLo, gh = cpu.gprHi;
    const a = g[r], ah = size === 64 ? gh[r] : 0;
    let lo: number, hi: number;
    if (size === 64) {
      const l = isDec ? a - 1 : a + 1;
      lo = l >>> 0;
      hi = isDec ? (ah - (l < 0 ? 1 : 0)) >>> 0 : (ah + (l >= TWO32 ? 1 : 0)) >>> 0;
    } else {
      lo = (isDec ? a - 1 : a + 1) >>> 0;
      hi = 0;
    }
    g[r] = lo;
    gh[r] = hi;
    if (keepCf) cpu.getEflags();
    recordLazy(cpu, isDec ? L_DEC : L_INC, size >> 3, a, ah, 1, 0, lo, hi);
  };
}

/** LEA with a 32/64-bit destination and 32/64-bit addressing (no RIP base): the address arithmetic of computeEa. */
function lea(dr: number, size: number, as: number, base: number, index: number, scale: number, disp: number): FastOp {
  const dLo = disp >>> 0, dHi = disp < 0 ? 0xffffffff : 0;
  const wide = size === 64 && as === 64;
  return (cpu) => {
    const g = cpu.gprLo, gh = cpu.gprHi;
    let lo = dLo, hi = dHi;
    if (base >= 0) {
      lo += g[base];
      hi += gh[base];
    }
    if (index >= 0) {
      const il = g[index] * scale;
      const ilo = il >>> 0; // the sums stay below 2^53, so >>> 0 is an exact mod 2^32 (no % or floor)
      lo += ilo;
      hi += gh[index] * scale + (il - ilo) / TWO32;
    }
    const rlo = lo >>> 0;
    g[dr] = rlo;
    gh[dr] = wide ? (hi + (lo - rlo) / TWO32) >>> 0 : 0;
  };
}

/**
 * ROL/ROR/SHL/SHR/SAR of a 32/64-bit register by a non-zero constant count: shiftRegister, whatever flags are
 * live (writing dead flags is harmless; hot blocks get the trimmed form as generated source, otherSource).
 */
function shiftImm(r: number, size: number, kind: number, n: number): FastOp {
  return (cpu) => shiftRegister(cpu, r, size, kind, n);
}

/** Flags an op writes (`def`, every one of them) and reads (`use`), for a block's liveness pass. */
export function fastOpFlags(d: DecodedInstruction): { def: number; use: number; kind: 'alu' | 'incdec' | 'rotate' | 'none' } {
  const op = d.form!.op;
  if (ALU_KIND[op] !== undefined) return { def: ARITH, use: 0, kind: 'alu' };
  if (op === 'inc' || op === 'dec') return { def: ARITH & ~CF, use: CF, kind: 'incdec' };
  const sh = SHIFT_KIND[op];
  if (sh !== undefined) return sh <= 1 ? { def: CF | OF, use: 0, kind: 'rotate' } : { def: ARITH, use: 0, kind: 'alu' };
  return { def: 0, use: 0, kind: 'none' };
}

/** A fast op for `d` (decoded in a block), or null when the general handler must run it. */
export function fastOpFor(d: DecodedInstruction, flags = FLAGS_FULL): FastOp | null {
  const f = d.form;
  if (f === null || (d.prefixes & PREFIX_LOCK) !== 0) return null;
  const size = d.opSize;
  if (size !== 32 && size !== 64) return null;
  const op = f.op;
  // LEA's memory operand is only an address.
  if (op === 'lea') return d.base === RIP || d.addrSize === 16 ? null : lea(d.reg, size, d.addrSize, d.base, d.index, d.scale, d.disp);
  if (d.hasMem) return null;
  const fi = d.formIndex, dk = formDst[fi], sk = formSrc[fi];
  const alu = ALU_KIND[op];
  if (alu !== undefined || op === 'mov') {
    const r = regOperands(d);
    if (r === null) return null;
    if (alu === undefined) return movReg(r.dr, r.sr, size, r.immLo, r.immHi);
    if (size === 64) return alu64(alu, r.dr, r.sr, r.immLo, r.immHi, flags === FLAGS_FULL);
    return alu32(alu, r.dr, r.sr, r.immLo, flags === FLAGS_FULL);
  }
  switch (op) {
    case 'inc':
    case 'dec': {
      const r = dk === K_RM || dk === K_RO ? d.rmReg : -1;
      return r < 0 ? null : incDec(r, size, op === 'dec', flags);
    }
  }
  const shift = SHIFT_KIND[op];
  // The count: an immediate, or 1 for the one-operand form (D1 /r, `rol %rbx`) and `$1`.
  if (shift !== undefined && dk === K_RM && (sk === K_IMM || sk === K_ONE || sk === K_NONE)) {
    const n = (sk === K_IMM ? d.imm : 1) & (size === 64 ? 63 : 31);
    return n === 0 ? null : shiftImm(d.rmReg, size, shift, n);
  }
  return null;
}

/**
 * Destination and source of a register-form ALU op or MOV (sr < 0: the immediate, as immLo/immHi; immHi is 0 at
 * 32 bits), or null for other forms.
 */
function regOperands(d: DecodedInstruction): { dr: number; sr: number; immLo: number; immHi: number } | null {
  const fi = d.formIndex, dk = formDst[fi], sk = formSrc[fi];
  const mov = d.form!.op === 'mov';
  const dr = dk === K_RM ? d.rmReg : dk === K_REG ? d.reg : dk === K_ACC && !mov ? 0 : dk === K_RO && mov ? d.rmReg : -1;
  const sr = sk === K_REG ? d.reg : sk === K_RM ? d.rmReg : sk === K_IMM ? -1 : -2;
  if (dr < 0 || sr === -2) return null;
  return { dr, sr, immLo: d.imm >>> 0, immHi: d.opSize === 64 ? d.immHigh >>> 0 : 0 };
}

/** How generated code names register halves: typed-array elements (`g[3]`) or locals of a compiled block. */
export interface RegisterNames {
  lo(r: number): string;
  hi(r: number): string;
}
export const REGISTER_ARRAYS: RegisterNames = { lo: (r) => `g[${r}]`, hi: (r) => `gh[${r}]` };

/**
 * JavaScript statements doing what fastOpFor(d, flags) does, for a compiled block (block.ts) to run inline: ALU
 * and MOV register forms and LEA, at 32/64 bits (null for the rest, which stay calls). Registers are read and
 * written through `reg` (every value written is already a uint32), `cpu` is the CPU in the generated function.
 * The arithmetic is alu64/alu32/movReg/lea's, written out.
 */
export function fastOpSource(d: DecodedInstruction, flags: number, reg: RegisterNames = REGISTER_ARRAYS): string | null {
  const f = d.form;
  if (f === null || (d.prefixes & PREFIX_LOCK) !== 0) return null;
  const size = d.opSize;
  if (size !== 32 && size !== 64) return null;
  const op = f.op;
  if (op === 'lea') {
    if (d.base === RIP || d.addrSize === 16) return null;
    const disp = d.disp, as = d.addrSize;
    const parts: string[] = [`let lo = ${disp >>> 0}, hi = ${disp < 0 ? 0xffffffff : 0};`];
    if (d.base >= 0) parts.push(`lo += ${reg.lo(d.base)}; hi += ${reg.hi(d.base)};`);
    // Sums stay below 2^53: >>> 0 is an exact mod 2^32 and the carry an exact division (no % or Math.floor).
    if (d.index >= 0) parts.push(`const il = ${reg.lo(d.index)} * ${d.scale}, ilo = il >>> 0; lo += ilo; hi += ${reg.hi(d.index)} * ${d.scale} + (il - ilo) / ${TWO32};`);
    parts.push(`const rlo = lo >>> 0;`);
    parts.push(size === 64 && as === 64 ? `${reg.hi(d.reg)} = (hi + (lo - rlo) / ${TWO32}) >>> 0;` : `${reg.hi(d.reg)} = 0;`);
    parts.push(`${reg.lo(d.reg)} = rlo;`);
    return `{ ${parts.join(' ')} }`;
  }
  if (d.hasMem) return null;
  const alu = ALU_KIND[op];
  if (alu === undefined && op !== 'mov') return otherSource(d, flags, reg);
  const r = regOperands(d);
  if (r === null) return null;
  const { dr, sr } = r;
  const b = sr >= 0 ? reg.lo(sr) : `${r.immLo}`, bh = sr >= 0 ? reg.hi(sr) : `${r.immHi}`;
  if (alu === undefined) return size === 64 ? `{ const b = ${b}, bh = ${bh}; ${reg.lo(dr)} = b; ${reg.hi(dr)} = bh; }` : `${reg.lo(dr)} = ${b}; ${reg.hi(dr)} = 0;`;
  const write = alu !== 7 && alu !== 8;
  const full = flags === FLAGS_FULL;
  if (!full && !write) return '';
  const lines: string[] = [];
  if (size === 64) {
    lines.push(`const a = ${reg.lo(dr)}, ah = ${reg.hi(dr)}, b = ${b}, bh = ${bh};`);
    if (alu === 0) lines.push(`const l = a + b; const lo = l >>> 0, hi = (ah + bh + (l >= ${TWO32} ? 1 : 0)) >>> 0;`);
    else if (alu === 5 || alu === 7) lines.push(`const l = a - b; const lo = l >>> 0, hi = (ah - bh - (l < 0 ? 1 : 0)) >>> 0;`);
    else {
      const o = alu === 1 ? '|' : alu === 6 ? '^' : '&';
      lines.push(`const lo = (a ${o} b) >>> 0, hi = (ah ${o} bh) >>> 0;`);
    }
  } else {
    lines.push(`const a = ${reg.lo(dr)}, b = ${b}, hi = 0;`);
    const o = alu === 0 ? '+' : alu === 5 || alu === 7 ? '-' : alu === 1 ? '|' : alu === 6 ? '^' : '&';
    lines.push(`const lo = (a ${o} b) >>> 0;`);
  }
  if (full) {
    const arith = alu === 0 || alu === 5 || alu === 7;
    lines.push(`cpu.lazyOp = ${alu === 0 ? L_ADD : arith ? L_SUB : L_LOGIC}; cpu.lazySize = ${size >> 3};`);
    if (arith) lines.push(size === 64 ? 'cpu.lazySrc1 = a; cpu.lazySrc1Hi = ah; cpu.lazySrc2 = b; cpu.lazySrc2Hi = bh;' : 'cpu.lazySrc1 = a; cpu.lazySrc1Hi = 0; cpu.lazySrc2 = b; cpu.lazySrc2Hi = 0;');
    else lines.push('cpu.lazySrc1 = 0; cpu.lazySrc1Hi = 0; cpu.lazySrc2 = 0; cpu.lazySrc2Hi = 0;');
    lines.push('cpu.lazyRes = lo; cpu.lazyResHi = hi;');
  }
  if (write) lines.push(`${reg.lo(dr)} = lo; ${reg.hi(dr)} = hi;`);
  return `{ ${lines.join(' ')} }`;
}

/**
 * INC/DEC and shifts/rotates by a constant as source: incDec's and shiftImm's code (shiftRegister's for the full
 * flags) with the register, size, kind and count as literals. `PARITY` is the flags module's table, passed to the
 * generated function.
 */
function otherSource(d: DecodedInstruction, flags: number, reg: RegisterNames): string | null {
  const op = d.form!.op, size = d.opSize;
  const fi = d.formIndex, dk = formDst[fi], sk = formSrc[fi];
  const L = (r: number): string => reg.lo(r), H = (r: number): string => reg.hi(r);
  if (op === 'inc' || op === 'dec') {
    if (dk !== K_RM && dk !== K_RO) return null;
    const r = d.rmReg, dec = op === 'dec';
    const lines = [size === 64 ? `const a = ${L(r)}, ah = ${H(r)};` : `const a = ${L(r)}, ah = 0;`];
    if (size === 64) lines.push(`const l = a ${dec ? '-' : '+'} 1; const lo = l >>> 0, hi = ${dec ? '(ah - (l < 0 ? 1 : 0)) >>> 0' : `(ah + (l >= ${TWO32} ? 1 : 0)) >>> 0`};`);
    else lines.push(`const lo = (a ${dec ? '-' : '+'} 1) >>> 0, hi = 0;`);
    lines.push(`${L(r)} = lo; ${H(r)} = hi;`);
    if (flags !== FLAGS_NONE) {
      if (flags === FLAGS_FULL) lines.push('if (cpu.lazyOp !== 0) cpu.getEflags();');
      lines.push(`cpu.lazyOp = ${dec ? L_DEC : L_INC}; cpu.lazySize = ${size >> 3}; cpu.lazySrc1 = a; cpu.lazySrc1Hi = ah; cpu.lazySrc2 = 1; cpu.lazySrc2Hi = 0; cpu.lazyRes = lo; cpu.lazyResHi = hi;`);
    }
    return `{ ${lines.join(' ')} }`;
  }
  const kind = SHIFT_KIND[op];
  if (kind === undefined || dk !== K_RM || (sk !== K_IMM && sk !== K_ONE && sk !== K_NONE)) return null;
  const n = (sk === K_IMM ? d.imm : 1) & (size === 64 ? 63 : 31);
  if (n === 0) return null;
  const r = d.rmReg;
  const lines = [size === 64 ? `const a = ${L(r)}, ah = ${H(r)};` : `const a = ${L(r)}, ah = 0;`, 'let lo, hi, c, of;'];
  if (kind <= 1) {
    const l = kind === 0 ? n : size - n;
    if (size === 32) lines.push(`lo = ((a << ${l}) | (a >>> ${32 - l})) >>> 0; hi = 0;`);
    else if (l === 32) lines.push('lo = ah; hi = a;');
    else if (l < 32) lines.push(`hi = ((ah << ${l}) | (a >>> ${32 - l})) >>> 0; lo = ((a << ${l}) | (ah >>> ${32 - l})) >>> 0;`);
    else lines.push(`hi = ((a << ${l - 32}) | (ah >>> ${64 - l})) >>> 0; lo = ((ah << ${l - 32}) | (a >>> ${64 - l})) >>> 0;`);
    lines.push(`${L(r)} = lo; ${H(r)} = hi;`);
    if (flags !== FLAGS_NONE) {
      const msb = size === 64 ? 'hi >>> 31' : 'lo >>> 31';
      if (kind === 0) lines.push(`c = lo & 1; of = (${msb}) ^ c;`);
      else lines.push(`c = ${msb}; of = c ^ (${size === 64 ? '(hi >>> 30) & 1' : '(lo >>> 30) & 1'});`);
      if (flags === FLAGS_FULL) lines.push(`const cur = cpu.lazyOp !== 0 ? cpu.getEflags() : cpu.eflags; cpu.eflags = ((cur & ${~(CF | OF)}) | (c ? ${CF} : 0) | (of ? ${OF} : 0)) >>> 0;`);
      else lines.push(`cpu.lazyOp = 0; cpu.eflags = ((cpu.eflags & ${~(CF | OF)}) | (c ? ${CF} : 0) | (of ? ${OF} : 0)) >>> 0;`);
    }
    return `{ ${lines.join(' ')} }`;
  }
  if (size === 32) {
    if (kind === 4) lines.push(`hi = 0; lo = (a << ${n}) >>> 0; c = (a >>> ${32 - n}) & 1; of = (lo >>> 31) ^ c;`);
    else if (kind === 5) lines.push(`hi = 0; lo = a >>> ${n}; c = (a >>> ${n - 1}) & 1; of = ${n === 1 ? 'a >>> 31' : '0'};`);
    else lines.push(`hi = 0; lo = ((a | 0) >> ${n}) >>> 0; c = ((a | 0) >> ${n - 1}) & 1; of = 0;`);
  } else if (kind === 4) {
    if (n >= 32) lines.push(`hi = (a << ${n - 32}) >>> 0; lo = 0;`);
    else lines.push(`hi = ((ah << ${n}) | (a >>> ${32 - n})) >>> 0; lo = (a << ${n}) >>> 0;`);
    const i = 64 - n;
    lines.push(`c = ${i >= 32 ? `(ah >>> ${i - 32}) & 1` : `(a >>> ${i}) & 1`}; of = (hi >>> 31) ^ c;`);
  } else {
    const arith = kind === 7;
    if (n >= 32) lines.push(`lo = (${arith ? `(ah | 0) >> ${n - 32}` : `ah >>> ${n - 32}`}) >>> 0; hi = ${arith ? '(ah & 0x80000000) !== 0 ? 0xffffffff : 0' : '0'};`);
    else lines.push(`lo = ((a >>> ${n}) | (ah << ${32 - n})) >>> 0; hi = (${arith ? `(ah | 0) >> ${n}` : `ah >>> ${n}`}) >>> 0;`);
    const i = n - 1;
    lines.push(`c = ${i >= 32 ? `(ah >>> ${i - 32}) & 1` : `(a >>> ${i}) & 1`}; of = ${kind === 5 && n === 1 ? 'ah >>> 31' : '0'};`);
  }
  lines.push(`${L(r)} = lo; ${H(r)} = hi;`);
  if (flags === FLAGS_FULL) {
    const zs = size === 64 ? `((lo | hi) === 0 ? ${ZF} : 0) | ((hi & 0x80000000) !== 0 ? ${SF} : 0)` : `(lo === 0 ? ${ZF} : 0) | ((lo & 0x80000000) !== 0 ? ${SF} : 0)`;
    lines.push(`cpu.lazyOp = 0; cpu.eflags = ((cpu.eflags & ${~ARITH}) | PARITY[lo & 0xff] | ${zs} | (c ? ${CF} : 0) | (of ? ${OF} : 0)) >>> 0;`);
  }
  return `{ ${lines.join(' ')} }`;
}

/** The one register a fast op without source (shift/rotate, INC/DEC) reads and writes, or -1 if it may be others. */
export function fastOpRegister(d: DecodedInstruction): number {
  const op = d.form!.op;
  return SHIFT_KIND[op] !== undefined || op === 'inc' || op === 'dec' ? d.rmReg : -1;
}
