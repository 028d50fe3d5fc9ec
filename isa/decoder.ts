// Table-driven instruction decoder shared by the disassembler and the emulator. It fills a caller-provided
// DecodedInstruction (no allocation per instruction, no BigInt) from bytes read through a callback.
import type { CodeMode } from './mode';
import type { InstructionForm } from './schema';
import { forms } from './table';

/** Register number used for `%rip`/`%eip` as a base. */
export const RIP = 16;
/** Segment register numbers (es=0 … gs=5), -1 for none. */
export const enum Prefix {
  Lock = 1,
  Rep = 2,
  Repne = 4,
  OpSize = 8,
  AddrSize = 16,
}

/** One decoded instruction. Allocate once with `newDecoded()` and reuse. */
export interface DecodedInstruction {
  valid: boolean;
  length: number;
  mode: CodeMode;
  /** Index into `forms`, -1 when invalid. */
  formIndex: number;
  form: InstructionForm | null;
  /** Effective operand size in bits (0 for forms without one). */
  opSize: number;
  addrSize: 16 | 32 | 64;
  /** Prefix flags (see Prefix). */
  prefixes: number;
  /** Segment override 0–5 or -1. */
  segment: number;
  /** REX byte or 0. */
  rex: number;
  /** The last opcode byte and its map (0 one-byte, 1 = 0f, 2 = 0f38, 3 = 0f3a). */
  opcode: number;
  map: number;
  modrm: number;
  /** ModRM.reg with REX.R. */
  reg: number;
  /** Register in ModRM.rm (mod = 3) with REX.B, or the +r register of the opcode; -1 if none. */
  rmReg: number;
  /** Memory operand: present, base (-1 none, RIP) and index (-1 none) with REX bits, scale 1/2/4/8, disp. */
  hasMem: boolean;
  base: number;
  index: number;
  scale: number;
  disp: number;
  /**
   * Immediates in decode order (the first in imm, a second — enter's level, a far pointer's selector — in imm2).
   * `i` and `is8` values are sign-extended from their field (mask by opSize); `i8`, `i16`, `fsel` are unsigned;
   * 64-bit ones (`i64`, 8-byte moffs) are split into imm (low 32) and immHigh (high 32).
   */
  imm: number;
  immHigh: number;
  imm2: number;
  /** Branch displacement (rel8/rel16/rel32), sign-extended. */
  rel: number;
  /** AMD's lock-prefixed CR8 access outside 64-bit mode (reg already includes the 8). */
  lockCr8: boolean;
  /** Legacy prefix bytes in the order they appear (only the first prefixCount entries are meaningful). */
  prefixBytes: number[];
  prefixCount: number;
  /** SIB byte or -1 (the disassembler shows a SIB without index as `%eiz`). */
  sib: number;
  /** Offset of the first immediate / displacement bytes, for tools that patch or annotate. */
  dispOffset: number;
  immOffset: number;
}

export function newDecoded(): DecodedInstruction {
  return {
    valid: false, length: 0, mode: 32, formIndex: -1, form: null, opSize: 0, addrSize: 32, prefixes: 0,
    segment: -1, rex: 0, opcode: 0, map: 0, modrm: -1, reg: 0, rmReg: -1, hasMem: false, base: -1, index: -1,
    scale: 1, prefixBytes: new Array<number>(15).fill(0), prefixCount: 0, lockCr8: false, sib: -1, disp: 0, imm: 0, immHigh: 0, imm2: 0, rel: 0, dispOffset: -1, immOffset: -1,
  };
}

/** Candidate forms per map × opcode byte (+r forms registered on all eight bytes). */
// Map 4 holds x87 forms written with their fwait (9b xx): objdump shows `9b db e3` as one `finit`.
const dispatch: InstructionForm[][][] = [0, 1, 2, 3, 4].map(() => Array.from({ length: 256 }, () => []));
const formIndexOf = new Map<InstructionForm, number>();
forms.forEach((f, i) => formIndexOf.set(f, i));

function mapOf(f: InstructionForm): { map: number; last: number } | undefined {
  const op = f.opcode;
  if (op[0] === 0x9b && op.length > 1) return { map: 4, last: op[1] };
  if (op[0] !== 0x0f) return op.length === 1 ? { map: 0, last: op[0] } : undefined;
  if (op[1] === 0x38) return { map: 2, last: op[2] };
  if (op[1] === 0x3a) return { map: 3, last: op[2] };
  return { map: 1, last: op[1] };
}

for (const f of forms) {
  if (f.encodeOnly) continue;
  const m = mapOf(f);
  if (!m) continue;
  const n = f.opcodeReg ? 8 : 1;
  for (let i = 0; i < n; i++) dispatch[m.map][m.last + i].push(f);
}
// Fixed-ModRM forms first, then /digit, then /r, so the most specific match wins.
const rank = (f: InstructionForm): number => (f.modrm === 'fixed' ? 0 : f.modrm === 'digit' ? 1 : 2);
const specific = (f: InstructionForm): number => (f.mandatoryPrefix ? 1 : 0) + (f.rexW ? 1 : 0);
for (const table of dispatch) for (const list of table) list.sort((a, b) => rank(a) - rank(b) || specific(b) - specific(a));

/** Forms moving to or from cr/dr/tr. */
const specialRegMove = new Set(forms.filter((f) => f.operands.some((s) => s === 'cr' || s === 'dr' || s === 'tr')));

/** Whether the opcode byte reads a ModRM byte (some form at that opcode has one). */
function needsModrm(list: InstructionForm[]): boolean {
  for (const f of list) if (f.modrm !== 'none') return true;
  return false;
}

const segOf: Record<number, number> = { 0x26: 0, 0x2e: 1, 0x36: 2, 0x3e: 3, 0x64: 4, 0x65: 5 };

/** Whether the bytes after an fwait (skipping prefixes) start an fwait-joined x87 form of map 4. */
function fwaitJoins(read: ByteReader, p: number, mode: CodeMode): boolean {
  for (let i = 0; i < 14; i++, p++) {
    const b = read(p);
    if (b < 0) return false;
    if (b === 0x9b || b === 0x66 || b === 0x67 || b === 0xf0 || b === 0xf2 || b === 0xf3 || b in segOf || (mode === 64 && (b & 0xf0) === 0x40)) continue;
    const m = read(p + 1);
    if (m < 0) return false;
    for (const f of dispatch[4][b]) {
      if (f.modrm === 'fixed' && m === f.modrmValue) return true;
      if (f.modrm === 'digit' && ((m >> 3) & 7) === f.modrmValue && m >> 6 !== 3) return true;
    }
    return false;
  }
  return false;
}

/** Reads byte `i` of the instruction stream, or -1 past the end. */
export type ByteReader = (offset: number) => number;

/** Decodes one instruction at `offset` in `mode` into `out`. Returns out.valid. */
export function decodeInstruction(read: ByteReader, offset: number, mode: CodeMode, out: DecodedInstruction): boolean {
  out.valid = false;
  out.mode = mode;
  out.form = null;
  out.formIndex = -1;
  out.prefixes = 0;
  out.prefixCount = 0;
  out.segment = -1;
  out.rex = 0;
  out.modrm = -1;
  out.reg = 0;
  out.rmReg = -1;
  out.hasMem = false;
  out.base = -1;
  out.index = -1;
  out.scale = 1;
  out.sib = -1;
  out.lockCr8 = false;
  out.disp = 0;
  out.imm = 0;
  out.immHigh = 0;
  out.imm2 = 0;
  out.rel = 0;
  out.dispOffset = -1;
  out.immOffset = -1;
  out.length = 0;
  let p = offset;
  let b = read(p);
  let lastMandatory = 0;
  // fwait directly followed by an x87 control instruction it belongs to (fstsw = 9b dd /7): one instruction.
  let waitX87 = false;
  // Legacy prefixes; in 64-bit mode a REX byte counts only if it comes last.
  for (;;) {
    if (b < 0) return false;
    if (b === 0xf0) out.prefixes |= Prefix.Lock;
    else if (b === 0xf3) { out.prefixes = (out.prefixes | Prefix.Rep) & ~Prefix.Repne; lastMandatory = 0xf3; }
    else if (b === 0xf2) { out.prefixes = (out.prefixes | Prefix.Repne) & ~Prefix.Rep; lastMandatory = 0xf2; }
    else if (b === 0x66) out.prefixes |= Prefix.OpSize;
    else if (b === 0x67) out.prefixes |= Prefix.AddrSize;
    else if (b === 0x9b && !waitX87 && fwaitJoins(read, p + 1, mode)) {
      waitX87 = true;
      b = read(++p);
      continue;
    } else if (b === 0x9b && waitX87 && fwaitJoins(read, p + 1, mode)) {
      b = read(++p);
      continue;
    }
    else if (b in segOf) {
      // In 64-bit mode es/cs/ss/ds are ignored and do not displace an fs/gs override.
      if (!(mode === 64 && out.segment >= 4 && segOf[b] < 4)) out.segment = segOf[b];
    }
    else if (mode === 64 && (b & 0xf0) === 0x40) {
      out.rex = b;
      b = read(++p);
      if (b >= 0 && (b & 0xf0) === 0x40) continue;
      if (b >= 0 && (b === 0xf0 || b === 0xf2 || b === 0xf3 || b === 0x66 || b === 0x67 || b in segOf)) { out.rex = 0; continue; }
      break;
    } else break;
    out.prefixBytes[out.prefixCount++] = b;
    b = read(++p);
    if (p - offset >= 15) return false;
  }
  if (b < 0) return false;
  let map = 0;
  if (waitX87) {
    map = 4;
    const list4 = dispatch[4][b];
    if (!list4.length) return false;
  }
  if (b === 0x0f) {
    b = read(++p);
    if (b < 0) return false;
    map = 1;
    if (b === 0x38 || b === 0x3a) {
      map = b === 0x38 ? 2 : 3;
      b = read(++p);
      if (b < 0) return false;
    }
  }
  out.opcode = b;
  out.map = map;
  p++;
  const list = dispatch[map][b];
  if (list.length === 0) return false;
  let modrm = -1;
  if (needsModrm(list)) {
    modrm = read(p);
    if (modrm < 0) return false;
  }
  const rexW = (out.rex & 8) !== 0;
  const opSizePrefix = (out.prefixes & Prefix.OpSize) !== 0;
  out.addrSize = mode === 64 ? ((out.prefixes & Prefix.AddrSize) ? 32 : 64) : ((out.prefixes & Prefix.AddrSize) ? (mode === 16 ? 32 : 16) : mode);
  let chosen: InstructionForm | null = null;
  let size = 0;
  // 90 without REX.B is NOP (PAUSE with F3), not xchg of the accumulator with itself; with REX.B it is
  // xchg %r8 whatever F3 says.
  const plainNop = map === 0 && b === 0x90 && !(out.rex & 1) && !opSizePrefix;
  const xchgR8 = map === 0 && b === 0x90 && (out.rex & 1) !== 0;
  // The prefix that picks among a mandatory-prefix family: the last f2/f3, else 66 (as objdump's prefix tables).
  const sel = lastMandatory || (opSizePrefix ? 0x66 : 0);
  for (const f of list) {
    if (plainNop && f.opcodeReg) continue;
    if (xchgR8 && !f.opcodeReg) continue;
    if (f.no64 && mode === 64) continue;
    if (f.only64 && mode !== 64) continue;
    if (f.mandatoryPrefix ? f.mandatoryPrefix !== sel : f.noPrefix && sel && !(sel === 0x66 && takes66(f))) continue;
    if (f.rexW && !rexW) continue;
    if (f.asz && f.asz !== out.addrSize) continue;
    if (f.modrm === 'fixed' && (f.modrmReg ? modrm & 0xf8 : modrm) !== f.modrmValue) continue;
    if (f.modrm === 'digit' && ((modrm >> 3) & 7) !== f.modrmValue) continue;
    if (f.modrm !== 'none' && f.modrm !== 'fixed' && !modrmFits(f, modrm)) continue;
    const s = effectiveSize(f, mode, rexW, opSizePrefix && f.mandatoryPrefix !== 0x66);
    if (s < 0) continue;
    chosen = f;
    size = s;
    break;
  }
  if (!chosen) return false;
  // A mandatory prefix is part of the opcode, not a modifier.
  if (chosen.mandatoryPrefix === 0xf3) out.prefixes &= ~Prefix.Rep;
  if (chosen.mandatoryPrefix === 0xf2) out.prefixes &= ~Prefix.Repne;
  if (chosen.mandatoryPrefix === 0x66) out.prefixes &= ~Prefix.OpSize;
  // Outside 64-bit mode, lock + mov to/from CR0 is AMD's spelling of CR8.
  if (chosen.op === 'mov_cr' && (out.prefixes & Prefix.Lock)) {
    out.prefixes &= ~Prefix.Lock;
    out.lockCr8 = true;
  }
  out.form = chosen;
  out.formIndex = formIndexOf.get(chosen)!;
  out.opSize = size;
  if (chosen.opcodeReg) out.rmReg = (b & 7) | ((out.rex & 1) << 3);
  if (modrm >= 0 && specialRegMove.has(chosen)) {
    // Control/debug/test register moves ignore ModRM.mod: the r/m field always names a register.
    out.modrm = modrm;
    out.reg = ((modrm >> 3) & 7) | ((out.rex & 4) << 1);
    out.rmReg = (modrm & 7) | ((out.rex & 1) << 3);
    if (out.lockCr8) out.reg |= 8;
    p++;
  } else if (modrm >= 0 && chosen.modrm !== 'fixed') {
    out.modrm = modrm;
    p++;
    const q = decodeModrm(read, p, modrm, out);
    if (q < 0) return false;
    p = q;
    if (out.lockCr8) out.reg |= 8;
  } else if (chosen.modrm === 'fixed') {
    out.modrm = modrm;
    if (chosen.modrmReg) out.rmReg = modrm & 7;
    p++;
  }
  // Immediates, branch displacements and moffs, in operand order (reversed for far pointers).
  const ops = chosen.operands;
  let immCount = 0;
  for (let k = 0; k < ops.length; k++) {
    const i = chosen.immReverse ? ops.length - 1 - k : k;
    const spec = ops[i];
    let width = 0;
    let signed = false;
    switch (spec) {
      case 'i': width = size === 8 ? 1 : size === 16 ? 2 : 4; signed = size === 64; break;
      case 'is8': width = 1; signed = true; break;
      case 'i8': width = 1; break;
      case 'i16': case 'fsel': width = 2; break;
      case 'i64': case 'i64big': width = 8; break;
      case 'foff': width = size === 16 ? 2 : 4; break;
      case 'rel8': width = 1; signed = true; break;
      case 'rel':
        width = relSize(mode, opSizePrefix, rexW);
        signed = true;
        if (!chosen.sizes.length) out.opSize = width === 2 ? 16 : mode === 64 ? 64 : 32;
        break;
      case 'moffs': {
        width = out.addrSize === 64 ? 8 : out.addrSize === 32 ? 4 : 2;
        out.hasMem = true;
        out.dispOffset = p;
        const lo = readLE(read, p, width > 4 ? 4 : width);
        if (lo === null) return false;
        out.disp = lo;
        out.imm = lo;
        if (width === 8) {
          const hi = readLE(read, p + 4, 4);
          if (hi === null) return false;
          out.immHigh = hi;
        }
        p += width;
        continue;
      }
      default: continue;
    }
    let v = readLE(read, p, width === 8 ? 4 : width);
    if (v === null) return false;
    if (signed || spec === 'i') v = signExtend(v, width === 8 ? 4 : width);
    if (spec === 'rel' || spec === 'rel8') out.rel = v;
    else if (immCount === 0) {
      out.imm = v;
      out.immOffset = p - offset;
      if (width === 8) {
        const hi = readLE(read, p + 4, 4);
        if (hi === null) return false;
        out.immHigh = hi;
      } else out.immHigh = v < 0 ? -1 : 0;
      immCount++;
    } else out.imm2 = v;
    p += width;
  }
  out.length = p - offset;
  if (out.dispOffset >= offset) out.dispOffset -= offset;
  if (out.length > 15) return false;
  out.valid = true;
  return true;
}

/** Whether an opcode byte of this map is followed by a ModRM byte (for instructions cut by the end). */
export function opcodeHasModrm(map: number, opcode: number): boolean {
  return needsModrm(dispatch[map]?.[opcode] ?? []);
}

/** A no-prefix form whose 66 variant is the same instruction at 16 bits (movbe, bsf, rdrand). */
function takes66(f: InstructionForm): boolean {
  return f.osz === 'op' && f.sizes.includes(16);
}

/**
 * Whether objdump picks the instruction at these opcode bytes by prefix (a mandatory-prefix family): then the
 * selecting prefix belongs to the opcode and is not shown, even in front of `(bad)` ('yes'), or a wrong prefix
 * makes a `(bad)` without any prefix names ('bare').
 */
export function prefixSelected(map: number, opcode: number, modrm: number): 'no' | 'yes' | 'bare' {
  let found: 'no' | 'yes' | 'bare' = 'no';
  for (const f of dispatch[map]?.[opcode] ?? []) {
    if (!f.mandatoryPrefix && !f.noPrefix) continue;
    if (f.modrm === 'digit' && ((modrm >> 3) & 7) !== f.modrmValue) continue;
    if ((f.modrm === 'digit' || f.modrm === 'reg') && !modrmFits(f, modrm)) continue;
    if (f.modrm === 'fixed' && (f.modrmReg ? modrm & 0xf8 : modrm) !== f.modrmValue) continue;
    if (f.bareBadPrefix) return 'bare';
    found = 'yes';
  }
  return found;
}

function modrmFits(f: InstructionForm, modrm: number): boolean {
  const isReg = modrm >> 6 === 3 || specialRegMove.has(f);
  for (const s of f.operands) {
    if ((s === 'm' || s === 'ms' || s === 'md' || s === 'mb') && isReg) return false;
    if ((s === 'rr' || s === 'rrn' || s === 'rr32' || s === 'rr64' || s === 'rra') && !isReg) return false;
  }
  return true;
}

/** The operand size a form runs at under these prefixes, or -1 when the form does not accept it. */
function effectiveSize(f: InstructionForm, mode: CodeMode, rexW: boolean, opPrefix: boolean): number {
  if (f.ignoresOpSize) opPrefix = false;
  // REX.W still overrides 0x66 there: the size is 32 (what QEMU does too).
  if (f.ignoresRexW && rexW) {
    rexW = false;
    opPrefix = false;
  }
  if (f.impliedSize) {
    const s = rexW ? 64 : opPrefix ? (mode === 16 ? 32 : 16) : mode === 16 ? 16 : 32;
    return s === f.impliedSize ? s : -1;
  }
  if (f.sizes.length === 0) return 0;
  if (f.sizes.length === 1 && f.sizes[0] === 8) return 8;
  let s: number;
  if (f.osz === 'none') {
    s = rexW ? 64 : opPrefix ? (mode === 16 ? 32 : 16) : mode === 16 ? 16 : 32;
    if (f.sizes.includes(s)) return s;
    if (f.sizes.includes(mode)) return mode;
    return f.sizes.includes(16) ? 16 : f.sizes[0];
  }
  if (f.osz === 'd64' && mode === 64) s = rexW ? 64 : opPrefix ? 16 : 64;
  else if (rexW) s = 64;
  else s = opPrefix ? (mode === 16 ? 32 : 16) : mode === 16 ? 16 : 32;
  if (f.rexW) return f.sizes.length ? f.sizes[0] : 0;
  return f.sizes.includes(s) ? s : -1;
}

/** Branch displacement width: 66 gives rel16 (rel32 in 16-bit code), except behind REX.W in 64-bit code. */
function relSize(mode: CodeMode, opPrefix: boolean, rexW: boolean): number {
  if (mode === 64) return opPrefix && !rexW ? 2 : 4;
  const s = opPrefix ? (mode === 16 ? 32 : 16) : mode;
  return s === 16 ? 2 : 4;
}

function readLE(read: ByteReader, p: number, n: number): number | null {
  let v = 0;
  for (let i = 0; i < n; i++) {
    const x = read(p + i);
    if (x < 0) return null;
    v += x * 2 ** (8 * i);
  }
  return n === 4 ? v | 0 : v;
}

function signExtend(v: number, n: number): number {
  if (n === 1) return (v << 24) >> 24;
  if (n === 2) return (v << 16) >> 16;
  return v | 0;
}

/** Decodes ModRM (+SIB, displacement) at p (just after the ModRM byte); returns the next offset or -1. */
function decodeModrm(read: ByteReader, p: number, modrm: number, out: DecodedInstruction): number {
  const mod = modrm >> 6;
  const rm = modrm & 7;
  out.reg = ((modrm >> 3) & 7) | ((out.rex & 4) << 1);
  if (mod === 3) {
    out.rmReg = rm | ((out.rex & 1) << 3);
    return p;
  }
  out.hasMem = true;
  if (out.addrSize === 16) {
    const bases = [3, 3, 5, 5, 6, 7, 5, 3];
    const indexes = [6, 7, 6, 7, -1, -1, -1, -1];
    if (mod === 0 && rm === 6) {
      const d = readLE(read, p, 2);
      if (d === null) return -1;
      out.dispOffset = p;
      out.disp = d;
      return p + 2;
    }
    out.base = bases[rm];
    out.index = indexes[rm];
    if (mod === 1) {
      const d = readLE(read, p, 1);
      if (d === null) return -1;
      out.dispOffset = p;
      out.disp = signExtend(d, 1);
      return p + 1;
    }
    if (mod === 2) {
      const d = readLE(read, p, 2);
      if (d === null) return -1;
      out.dispOffset = p;
      out.disp = signExtend(d, 2);
      return p + 2;
    }
    return p;
  }
  let base = rm | ((out.rex & 1) << 3);
  if (rm === 4) {
    const sib = read(p++);
    if (sib < 0) return -1;
    out.sib = sib;
    out.scale = 1 << (sib >> 6);
    const idx = ((sib >> 3) & 7) | ((out.rex & 2) << 2);
    out.index = idx === 4 ? -1 : idx;
    // Remember a SIB without index (index field 100) by scale for the disassembler's %eiz rendering.
    base = (sib & 7) | ((out.rex & 1) << 3);
    if ((sib & 7) === 5 && mod === 0) {
      base = -1;
      const d = readLE(read, p, 4);
      if (d === null) return -1;
      out.dispOffset = p;
      out.disp = d;
      out.base = -1;
      return p + 4;
    }
    out.base = base;
  } else if (rm === 5 && mod === 0) {
    out.base = out.mode === 64 ? RIP : -1;
    const d = readLE(read, p, 4);
    if (d === null) return -1;
    out.dispOffset = p;
    out.disp = d;
    return p + 4;
  } else out.base = base;
  if (mod === 1) {
    const d = readLE(read, p, 1);
    if (d === null) return -1;
    out.dispOffset = p;
    out.disp = signExtend(d, 1);
    return p + 1;
  }
  if (mod === 2) {
    const d = readLE(read, p, 4);
    if (d === null) return -1;
    out.dispOffset = p;
    out.disp = d;
    return p + 4;
  }
  return p;
}
