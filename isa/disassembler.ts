// Formats decoded instructions as AT&T text the way `objdump -d` prints them (-M i8086 / i386 / x86-64), with
// optional symbolic branch targets. Everything comes from the decoder and the table.
import type { CodeMode } from './mode';
import { decodeInstruction, newDecoded, opcodeHasModrm, prefixSelected, RIP, Prefix, type ByteReader, type DecodedInstruction } from './decoder';
import { gprNames, highByteNames, segNames } from './registers';
import { forms, suffixOfSize } from './table';
import type { InstructionForm } from './schema';

export interface SymbolInfo {
  name: string;
  address: number;
}

export interface DisassembledLine {
  address: number;
  length: number;
  bytes: number[];
  text: string;
  /** Branch/call target address when the instruction has a relative one. */
  target?: number;
}

export interface DisassembleOptions {
  /** Address of byte 0. */
  address?: number;
  /** Symbols for `<label+0x4>` annotations, any order. */
  symbols?: SymbolInfo[];
}

function hex(n: number): string {
  return '0x' + n.toString(16);
}

/** Unsigned hex of a value truncated to `bits`. */
function hexBits(v: number, high: number, bits: number): string {
  if (bits <= 32) {
    const m = bits === 32 ? v >>> 0 : v & ((1 << bits) - 1);
    return hex(m >>> 0);
  }
  const hi = high >>> 0;
  const lo = v >>> 0;
  if (hi === 0) return hex(lo);
  return '0x' + hi.toString(16) + lo.toString(16).padStart(8, '0');
}

/** An address as objdump prints it: 64-bit two's complement when negative. */
function addressHex(v: number): string {
  if (v >= 0) return hex(v);
  const lo = v >>> 0;
  const hi = Math.floor(v / 2 ** 32) >>> 0;
  return '0x' + hi.toString(16) + lo.toString(16).padStart(8, '0');
}

function signedHex(v: number): string {
  return v < 0 ? '-' + hex(-v) : hex(v);
}

class SymbolTable {
  private readonly sorted: SymbolInfo[];
  constructor(symbols: SymbolInfo[]) {
    this.sorted = [...symbols].sort((a, b) => a.address - b.address);
  }
  /** `<name+0xN>` for the closest symbol at or below the address. */
  describe(address: number): string | undefined {
    let lo = 0;
    let hi = this.sorted.length - 1;
    let best: SymbolInfo | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.sorted[mid].address <= address) {
        best = this.sorted[mid];
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (!best) return undefined;
    const off = address - best.address;
    return off ? `<${best.name}+${hex(off)}>` : `<${best.name}>`;
  }
}

function gpr(size: number, n: number, rex: number): string {
  if (size === 8 && !rex && n >= 4 && n < 8) return '%' + highByteNames[n - 4];
  const names = gprNames[(size || 32) as 8 | 16 | 32 | 64];
  return '%' + names[n];
}

/** objdump puts a RIP-relative target in a trailing comment; memText leaves it here. */
let ripComment = '';

/** The `%fs:` objdump writes in front of a memory operand, or ''. */
function segmentText(d: DecodedInstruction): string {
  return d.segment >= 0 && !(d.mode === 64 && d.segment < 4) && !notrack(d) ? `%${segNames[d.segment]}:` : '';
}

function memText(d: DecodedInstruction, address: number, syms?: SymbolTable): string {
  const seg = d.segment >= 0 && !(d.mode === 64 && d.segment < 4) && !notrack(d) ? `%${segNames[d.segment]}:` : '';
  if (d.addrSize === 16) {
    const pairs = [['bx', 'si'], ['bx', 'di'], ['bp', 'si'], ['bp', 'di'], ['si'], ['di'], ['bp'], ['bx']];
    if (d.base < 0) return `${seg}${signedHex((d.disp << 16) >> 16)}`;
    const rm = d.modrm & 7;
    const inner = `(${pairs[rm].map((r) => '%' + r).join(',')})`;
    const disp = d.dispOffset >= 0 ? signedHex(d.disp) : '';
    return `${seg}${disp}${inner}`;
  }
  const names = gprNames[d.addrSize === 64 ? 64 : 32];
  if (d.base === RIP) {
    const ipName = d.addrSize === 64 ? '%rip' : '%eip';
    const target = address + d.length + d.disp;
    const sym = syms?.describe(target);
    const shown = d.addrSize === 64 ? addressHex(target) : d.mode === 64 ? addressHex(target | 0) : hex(target >>> 0);
    ripComment = ` # ${syms ? shown.slice(2) : shown}${sym ? ' ' + sym : ''}`;
    return `${seg}${signedHex(d.disp)}(${ipName})`;
  }
  if (d.base < 0 && d.index < 0) {
    // objdump writes the index-less SIB as `(,%eiz,1)` in 32-bit code and behind addr32 in 64-bit code, so that
    // it reads differently from the plain disp32 form; in 16-bit code and plain 64-bit code only when scaled.
    const eiz = d.scale !== 1 || d.mode === 32 || (d.mode === 64 && d.addrSize === 32);
    // Behind addr32 in 64-bit code the displacement is the whole (zero-extended) address.
    const shown = d.mode === 64 && d.addrSize === 32 ? hex(d.disp >>> 0) : signedHex(d.disp);
    if (d.sib >= 0 && eiz) return `${seg}${shown}(,%${d.addrSize === 64 ? 'riz' : 'eiz'},${d.scale})`;
    const a = d.addrSize === 64 ? d.disp : d.disp >>> 0;
    return `${seg}${a < 0 ? hexBits(a, -1, 64) : hex(a)}`;
  }
  const disp = d.dispOffset >= 0 ? signedHex(d.disp) : '';
  const base = d.base >= 0 ? '%' + names[d.base] : '';
  let idx = '';
  if (d.index >= 0) idx = `,%${names[d.index]},${d.scale}`;
  else if (d.sib >= 0 && (d.base & 7) !== 4) idx = `,%${d.addrSize === 64 ? 'riz' : 'eiz'},${d.scale}`;
  else if (d.sib >= 0 && d.scale !== 1) idx = `,%${d.addrSize === 64 ? 'riz' : 'eiz'},${d.scale}`;
  return `${seg}${disp}(${base}${idx})`;
}

/**
 * Whether a form's opcode exists at several operand sizes (counting the sibling rows that split one opcode by
 * size, e.g. `movq $imm, mem` next to `movl`): only then does a suffix carry information.
 */
const variableSize = new Map<InstructionForm, boolean>();
for (const f of forms) {
  if (f.osz === 'none') { variableSize.set(f, f.sizes.length > 1); continue; }
  const key = (g: InstructionForm): string => `${g.op}|${g.opcode.join(',')}|${g.modrm}|${g.modrmValue}`;
  const sizes = new Set<number>();
  for (const g of forms) if (key(g) === key(f) && g.osz !== 'none') g.sizes.forEach((s) => sizes.add(s));
  variableSize.set(f, sizes.size > 1);
}

/** Whether the mnemonic gets objdump's size suffix: only when no register operand shows the size. */
function wantsSuffix(d: DecodedInstruction): boolean {
  const f = d.form!;
  if (f.sizes.length === 0) {
    // jcc/jmp: a 16-bit displacement outside .code16 (or 32-bit inside it) shows as a suffix.
    if (!f.operands.includes('rel') || !d.opSize || f.op === 'jcc') return false;
    return d.opSize !== (d.mode === 16 ? 16 : d.mode === 64 ? 64 : 32) && !(d.mode === 64 && d.opSize === 32);
  }
  if (f.sizes.length === 1 && f.sizes[0] !== 8 && !(variableSize.get(f) ?? false)) return false;
  // Forms with a mode default (push, call, ljmp…) show the suffix only when the size differs from it.
  if (f.osz === 'd64' || f.op.includes('_far') || f.operands.every((s) => /^(i8|i16)$/.test(s))) {
    const dflt = d.mode === 64 && f.osz === 'd64' ? 64 : d.mode === 16 ? 16 : 32;
    if (d.opSize === dflt) return false;
  }
  for (let i = 0; i < f.operands.length; i++) {
    const s = f.operands[i];
    if (s === 'r' || s === 'ro' || s === 'acc' || s === 'rr') return false;
    if (s === 'rm' && !d.hasMem) return false;
  }
  return true;
}

const segmentPrefixBytes: Record<number, number> = { 0x26: 0, 0x2e: 1, 0x36: 2, 0x3e: 3, 0x64: 4, 0x65: 5 };
function lastSegByteIndex(d: DecodedInstruction): number {
  let k = -1;
  for (let i = 0; i < d.prefixCount; i++) if (d.prefixBytes[i] in segmentPrefixBytes) k = i;
  return k;
}

/** Conditional branches take cs/ds as static prediction hints, shown as `,pn` / `,pt`. */
function hintable(op: string): boolean {
  return op === 'jcc' || op === 'loop' || op === 'loope' || op === 'loopne' || op === 'jrcxz';
}

/**
 * A 3e prefix on an indirect call/jmp is CET's notrack (in 64-bit code only without 0x66): objdump then shows
 * the last segment prefix, whichever it is, as `notrack` and no segment on the operand.
 */
function notrack(d: DecodedInstruction): boolean {
  const op = d.form!.op;
  if (op !== 'jmp_indirect' && op !== 'call_indirect') return false;
  if (d.mode === 64 && d.prefixes & Prefix.OpSize) return false;
  for (let i = 0; i < d.prefixCount; i++) if (d.prefixBytes[i] === 0x3e) return true;
  return false;
}

/**
 * The register width objdump shows for rd/wr fs/gs base without REX.W: 16 bits when the operand size is 16
 * (no 66 in 16-bit code, 66 elsewhere), else 32. The instruction itself only exists in 64-bit code. 0 for
 * other instructions.
 */
function fsgsbaseBits(d: DecodedInstruction): number {
  const n = d.form!.names[0];
  if (!/^(rd|wr)[fg]sbase$/.test(n) || d.rex & 8) return 0;
  return (d.mode === 16) === ((d.prefixes & Prefix.OpSize) !== 0) ? 32 : 16;
}

/** objdump's hint suffix: `,pn` for cs, `,pt` for ds, when exactly one of the two is among the prefixes. */
function branchHint(d: DecodedInstruction): string {
  let cs = false;
  let ds = false;
  for (let i = 0; i < d.prefixCount; i++) {
    if (d.prefixBytes[i] === 0x2e) cs = true;
    else if (d.prefixBytes[i] === 0x3e) ds = true;
  }
  return cs === ds ? '' : cs ? ',pn' : ',pt';
}

const stringOps = new Set(['movs', 'cmps', 'stos', 'lods', 'scas', 'ins', 'outs']);

/**
 * Prefixes objdump prints before the mnemonic, in byte order: lock and rep always; a segment, operand-size or
 * address-size prefix only when the instruction does not use it (and every segment prefix but the last).
 */
function prefixText(d: DecodedInstruction): string[] {
  const f = d.form!;
  const pre: string[] = [];
  const lastSeg = lastSegByteIndex(d);
  const strSrc = f.operands.some((s) => s === 'ms' || s === 'mb');
  // Whether the active segment (in 64-bit code the last fs/gs) is used: then objdump drops the last segment
  // prefix byte, whichever register that names.
  const segUsed = ((d.hasMem || strSrc || f.operands.includes('moffs')) && !(d.mode === 64 && d.segment < 4)) || (strSrc && d.segment === 3);
  // objdump drops es/cs/ss/ds in front of 64-bit string instructions without a word.
  const dropLegacySeg = d.mode === 64 && strSrc;
  // objdump counts 66 as used by a register movsxd (63) even behind REX.W.
  const usesOpSize = !f.ignoresOpSize && (objdumpIgnoresRexW(d) || (f.op === 'movsxd' && !d.hasMem) || !((d.rex & 8) && (d.opSize === 64 || f.ignoresRexW)) && d.opSize !== 0 && d.opSize !== 8 && (f.osz !== 'none' || f.sizes.length > 1) || (f.operands.includes('rel') && !(d.mode === 64 && d.rex & 8)));
  // objdump counts an address-size prefix as used only when an address register shows it: never on moffs, nor
  // on a bare disp32 in 16-bit code.
  const bareDisp32In16 = d.mode === 16 && d.addrSize === 32 && d.base < 0 && d.index < 0;
  const mpx64 = d.mode === 64 && f.names[0].startsWith('bnd');
  const usesAddr = (d.hasMem && !f.operands.includes('moffs') && !bareDisp32In16 && !mpx64 && !mpxBadMemory(d)) || f.operands.some((s) => s === 'ra' || s === 'rra') || !!f.disName?.includes('{A}') || f.operands.some((s) => s === 'ms' || s === 'md' || s === 'mb') || !!f.asz || f.op.startsWith('loop') || stringOps.has(f.op) || f.op === 'xlat';
  const last = (pred: (b: number) => boolean): number => {
    let k = -1;
    for (let i = 0; i < d.prefixCount; i++) if (pred(d.prefixBytes[i])) k = i;
    return k;
  };
  const lastRep = last((b) => b === 0xf3 || b === 0xf2);
  // In a mandatory-prefix family the selecting prefix is part of the opcode.
  // So is 66 on 90 (objdump's nop/xchg/pause entry), even behind REX.W.
  const nop90 = f.op === 'xchg' && d.map === 0 && d.opcode === 0x90 && lastRep < 0;
  // And f2/f3 on the PREFETCHIT slots (0f 18 /6 /7 with memory) in 64-bit code.
  const prefetchi = d.mode === 64 && d.map === 1 && d.opcode === 0x18 && d.hasMem && (d.reg & 7) >= 6 && lastRep >= 0;
  // PadLock's F3 is part of GNU's encoding, yet objdump shows it as repz.
  const consumed = (f.mandatoryPrefix && f.op !== 'padlock') || f.noPrefix || nop90 || prefetchi ? (lastRep >= 0 ? lastRep : last((b) => b === 0x66)) : -1;
  // objdump sizes the FSGSBASE register by 66 like an ordinary operand (and so shows no data16).
  const fsgs66 = fsgsbaseBits(d) ? last((b) => b === 0x66) : -1;
  const lastF3 = last((b) => b === 0xf3);
  const lastF2 = last((b) => b === 0xf2);
  const last66 = last((b) => b === 0x66);
  const last67 = last((b) => b === 0x67);
  const branch = f.op === 'jcc' || f.op === 'jmp' || f.op === 'call' || f.op === 'ret' || f.op === 'jmp_indirect' || f.op === 'call_indirect';
  const hle = f.lock && d.hasMem && ((d.prefixes & Prefix.Lock) !== 0 || f.op === 'xchg');
  for (let i = 0; i < d.prefixCount; i++) {
    const b = d.prefixBytes[i];
    if (i === consumed || i === fsgs66) continue;
    if (b === 0xf0) {
      // objdump reads lock + mov %cr as CR8 only outside 64-bit code.
      if (!d.lockCr8 || d.mode === 64 || i !== last((x) => x === 0xf0)) pre.push('lock');
    } else if (b === 0xf3 || b === 0xf2) {
      // bnd and xacquire/xrelease name the last f2 and the last f3 even when the other one comes later.
      // So does rep: the last f3 in front of movs/stos/lods/ins/outs is `rep`, an earlier one `repz`.
      if (i !== lastRep) {
        if (b === 0xf2 && i === lastF2 && branch) pre.push('bnd');
        else if (hle && i === (b === 0xf3 ? lastF3 : lastF2)) pre.push(b === 0xf3 ? 'xrelease' : 'xacquire');
        else if (b === 0xf3 && i === lastF3 && stringOps.has(f.op) && f.op !== 'cmps' && f.op !== 'scas') pre.push('rep');
        else pre.push(b === 0xf3 ? 'repz' : 'repnz');
      }
      else if (b === 0xf2 && branch) pre.push('bnd');
      else if (hle) pre.push(b === 0xf3 ? 'xrelease' : 'xacquire');
      else if (b === 0xf3 && d.hasMem && (f.op === 'mov') && (f.opcode[0] === 0x88 || f.opcode[0] === 0x89 || f.opcode[0] === 0xc6 || f.opcode[0] === 0xc7)) pre.push('xrelease');
      else if (b === 0xf3) pre.push(stringOps.has(f.op) && f.op !== 'cmps' && f.op !== 'scas' ? 'rep' : 'repz');
      else pre.push('repnz');
    } else if (b === 0x66) {
      if (!usesOpSize || i !== last66) pre.push(d.mode === 16 ? 'data32' : 'data16');
    } else if (b === 0x67) {
      if (!usesAddr || i !== last67) pre.push(d.mode === 32 ? 'addr16' : 'addr32');
    } else if (b in segmentPrefixBytes) {
      const name = segNames[segmentPrefixBytes[b]];
      if (i !== lastSeg) pre.push(name);
      // A branch hint (exactly one of cs/ds among the prefixes) consumes the last segment prefix, whichever it is.
      else if (hintable(f.op) && branchHint(d)) continue;
      else if (notrack(d)) pre.push('notrack');
      else if (segUsed || (dropLegacySeg && b < 0x64)) continue;
      else pre.push(name);
    }
  }
  // A REX prefix whose bits the instruction does not use is shown by name (rex, rex.W, rex.WRB…).
  if (d.rex && (d.rex & 0xf) !== (d.rex & rexUsed(d))) {
    const bits = ['W', 'R', 'X', 'B'].filter((_, k) => d.rex & (8 >> k)).join('');
    pre.push(bits ? 'rex.' + bits : 'rex');
  } else if (d.rex === 0x40 && !usesRexByteRegs(d)) pre.push('rex');
  return pre;
}

/**
 * objdump 2.40 reads ljmp/lcall through memory with REX.W as the 32-bit (or, with 0x66, 16-bit) form and shows
 * `rex.W`; the CPU (and the decoder) loads an m16:64 pointer.
 */
function objdumpIgnoresRexW(d: DecodedInstruction): boolean {
  return d.opSize === 64 && (d.form!.op === 'jmp_far_indirect' || d.form!.op === 'call_far_indirect');
}

/** REX bits (W R X B as 8 4 2 1) that change this instruction's meaning. */
function rexUsed(d: DecodedInstruction): number {
  const f = d.form!;
  let used = 0;
  if (((d.opSize === 64 && f.osz === 'op' && f.sizes.includes(64)) || f.rexW || f.impliedSize === 64) && !objdumpIgnoresRexW(d)) used |= 8;
  // A register operand shows the 64-bit size of a size-neutral form (mov %es,%rax; sldt %rax).
  if (d.opSize === 64 && f.osz === 'none' && f.sizes.includes(64) && !d.hasMem && f.operands.some((s) => s === 'r' || s === 'rr' || s === 'rm')) used |= 8;
  if (f.modrm === 'reg' && f.operands.some((s) => s === 'r' || s === 'rn' || s === 'ra' || s === 'cr' || s === 'dr' || s === 'bnd' || /^r(8|16|32|64)$/.test(s))) used |= 4;
  if (d.sib >= 0) used |= 3;
  if (f.opcodeReg || (d.modrm >= 0 && f.modrm !== 'fixed' && (d.modrm >> 6 === 3 ? f.operands.some((s) => /^(rm|rr|rrn|rra|bndrm)/.test(s)) : d.base >= 0))) used |= 1;
  // objdump counts REX.B as used by the PadLock forms (their ModRM is fixed).
  if (f.op === 'padlock') used |= 1;
  // cr/dr moves read the r/m register whatever the mod bits say.
  if (f.operands.includes('rrn') && d.modrm >= 0) used |= 1;
  return used;
}

/** Whether an 8-bit register operand needs the REX byte to mean spl/bpl/sil/dil. */
function usesRexByteRegs(d: DecodedInstruction): boolean {
  const f = d.form!;
  const high = (n: number): boolean => n >= 4 && n < 8;
  return f.operands.some((s) => {
    const eight = s === 'rm8' || s === 'r8' || ((s === 'r' || s === 'rm' || s === 'rr' || s === 'ro' || s === 'acc') && d.opSize === 8);
    if (!eight) return false;
    if (s === 'r' || s === 'r8') return high(d.reg);
    if (s === 'acc') return false;
    return d.rmReg >= 0 && high(d.rmReg);
  });
}

/** Formats one decoded instruction at `address`. */
export function formatInstruction(d: DecodedInstruction, address: number, syms?: SymbolTable): { text: string; target?: number; length?: number } {
  if (!d.valid || !d.form) return { text: '(bad)' };
  // objdump gives MPX operands 64-bit addresses in 64-bit code whatever 67 says (and shows the 67 as unused).
  if (d.mode === 64 && d.addrSize === 32 && d.hasMem && d.form.names[0].startsWith('bnd')) {
    d.addrSize = 64;
    try {
      return formatInstruction(d, address, syms);
    } finally {
      d.addrSize = 32;
    }
  }
  const f = d.form;
  const size = d.opSize;
  const rex = d.rex;
  let name: string;
  if (f.disName) {
    const never = f.disName.endsWith('!');
    name = f.disName
      .replace('!', '')
      .replace('~', suffixOfSize[size] ?? '')
      .replace('_', ' ')
      .replace('{A}', '%' + gprNames[d.addrSize][0]);
    if (!never && !f.disName.includes('~') && wantsSuffix(d)) name += suffixOfSize[size] ?? '';
  } else {
    name = f.names[0];
    if (wantsSuffix(d)) name += suffixOfSize[size] ?? '';
  }
  if (objdumpIgnoresRexW(d)) name = f.names[0] + (d.prefixes & Prefix.OpSize ? 'w' : '');
  if (f.op === 'ptwrite' && d.mode === 64 && d.hasMem) name += suffixOfSize[size];
  // objdump 2.40 names RIP-relative 0f 18 /7 and /6 (hint NOPs elsewhere) PREFETCHIT0/1.
  if (d.mode === 64 && d.map === 1 && d.opcode === 0x18 && d.base === RIP && (d.reg & 7) >= 6) name = (d.reg & 7) === 7 ? 'prefetchit0' : 'prefetchit1';
  // A 32-bit moffs in 64-bit code is a plain mov behind addr32 for objdump.
  if (f.names[0] === 'movabs' && f.operands.includes('moffs') && d.addrSize === 32) name = name.replace('movabs', 'mov');
  if (f.op === 'loop' || f.op === 'loope' || f.op === 'loopne') {
    const dflt = d.mode === 16 ? 16 : d.mode;
    if (d.addrSize !== dflt) name += suffixOfSize[d.addrSize];
  }
  if (hintable(f.op)) name += branchHint(d);
  const ops: string[] = [];
  ripComment = '';
  // Immediate operands in decode order: the decoder stores the first in imm, the second in imm2.
  const immSpecs = f.operands.map((s, i) => i).filter((i) => /^(i|is8|i8|i16|i64|i64big|fsel|foff)$/.test(f.operands[i]));
  if (f.immReverse) immSpecs.reverse();
  let opIndex = -1;
  const immOf = (): number => (immSpecs.indexOf(opIndex) === 1 ? d.imm2 : d.imm);
  let target: number | undefined;
  const native = d.mode === 64 ? 64 : 32;
  for (const spec of f.operands) {
    opIndex++;
    const fixed = /^(r|rm|rr|m)(8|16|32|64)$/.exec(spec);
    if (fixed) {
      const bits = Number(fixed[2]);
      ops.push(d.hasMem && fixed[1] !== 'r' ? memText(d, address, syms) : gpr(bits, fixed[1] === 'r' ? d.reg : d.rmReg, rex));
      continue;
    }
    switch (spec) {
      case 'r': ops.push(gpr(size, d.reg, rex)); break;
      case 'rn': ops.push(gpr(native, d.reg, rex)); break;
      case 'rrn': ops.push(gpr(native, d.rmReg, rex)); break;
      case 'rr': case 'ro': ops.push(gpr(fsgsbaseBits(d) || size, d.rmReg, rex)); break;
      case 'rm': case 'm': ops.push(d.hasMem ? (mpxBadMemory(d) ? segmentText(d) + '(bad)' : memText(d, address, syms)) : gpr(size, d.rmReg, rex)); break;
      case 'bnd': ops.push(d.reg <= 3 ? '%bnd' + d.reg : '(bad)'); break;
      case 'bndrm': ops.push(d.hasMem ? (mpxBadMemory(d) ? segmentText(d) + '(bad)' : memText(d, address, syms)) : d.rmReg <= 3 ? '%bnd' + d.rmReg : '(bad)'); break;
      case 'acc': ops.push(gpr(size, 0, rex)); break;
      case 'sreg': ops.push('%' + (segNames[d.reg & 7] ?? '?')); break;
      case 'cr': ops.push('%cr' + (d.lockCr8 && d.mode === 64 ? (d.reg & 7) | ((d.rex & 4) << 1) : d.reg)); break;
      case 'dr': ops.push('%db' + d.reg); break;
      case 'tr': ops.push('%tr' + (d.reg & 7)); break;
      case 'ra': ops.push(gpr(d.addrSize, d.reg, rex)); break;
      case 'rra': ops.push(gpr(d.addrSize, d.rmReg, rex)); break;
      case 'rmn': ops.push(d.hasMem ? (mpxBadMemory(d) ? segmentText(d) + '(bad)' : memText(d, address, syms)) : gpr(native, d.rmReg, rex)); break;
      case 'i': ops.push('$' + hexBits(d.imm, d.immHigh, size || 8)); break;
      case 'is8': ops.push('$' + hexBits(d.imm, d.imm < 0 ? -1 : 0, size)); break;
      case 'i8': ops.push('$' + hex(immOf() & 0xff)); break;
      case 'i16': ops.push('$' + hex(immOf() & 0xffff)); break;
      case 'i64': case 'i64big': ops.push('$' + hexBits(d.imm, d.immHigh, 64)); break;
      case 'fsel': ops.push('$' + hex(immOf() & 0xffff)); break;
      case 'foff': ops.push('$' + hexBits(immOf(), 0, size === 16 ? 16 : 32)); break;
      case 'moffs': {
        const seg = d.segment >= 0 && !(d.mode === 64 && d.segment < 4) ? `%${segNames[d.segment]}:` : '';
        ops.push(seg + hexBits(d.imm, d.immHigh, d.addrSize));
        break;
      }
      case 'rel': case 'rel8': {
        // objdump's arithmetic: rel8 and rel32 wrap at the address width; a rel16 is masked to 16 bits, and
        // without an operand-size prefix (plain 16-bit code) keeps the 64 KiB window of the next instruction.
        const next = address + d.length;
        let t = next + d.rel;
        const width = spec === 'rel8' ? 1 : d.opSize === 16 || (d.mode === 16 && !f.sizes.length && d.opSize !== 32) ? 2 : 4;
        if (width === 2) t = d.prefixes & Prefix.OpSize ? t & 0xffff : next - (next & 0xffff) + (t & 0xffff);
        else if (d.mode !== 64) t >>>= 0;
        target = t;
        const sym = syms?.describe(t);
        // With a symbol table objdump prints targets as bare hex followed by <symbol+offset>.
        ops.push((syms ? addressHex(t).slice(2) : addressHex(t)) + (sym ? ' ' + sym : ''));
        break;
      }
      case 'ms': ops.push(`${d.segment >= 0 && !(d.mode === 64 && d.segment < 4) ? '%' + segNames[d.segment] : '%ds'}:(${gpr(d.addrSize, 6, 0)})`); break;
      case 'md': ops.push(`%es:(${gpr(d.addrSize, 7, 0)})`); break;
      case 'sti': ops.push(`%st(${d.rmReg})`); break;
      case '%st': ops.push('%st'); break;
      case 'mb': ops.push(`${d.segment >= 0 && !(d.mode === 64 && d.segment < 4) ? '%' + segNames[d.segment] : '%ds'}:(${gpr(d.addrSize, 3, 0)})`); break;
      default:
        if (spec.startsWith('%')) ops.push(spec === '%dx' ? '(%dx)' : spec);
    }
  }
  // Indirect branches carry a '*'.
  if (f.op.endsWith('_indirect')) ops[0] = '*' + ops[0];
  if (f.op === 'xchg' && d.opcode === 0x90 && d.rex & 1 && lastRepByte(d) === 0xf3) return { text: objdumpPauseText(d) };
  const pre = prefixText(d);
  const text = [...pre, name].join(' ') + (ops.length ? ' ' + ops.join(',') : '') + ripComment;
  // objdump stops an MPX instruction with a 16-bit address at its ModRM byte.
  if (d.addrSize === 16 && d.hasMem && mpxBadMemory(d) && d.dispOffset >= 0) return { text, target, length: d.dispOffset };
  return { text, target };
}

/**
 * MPX memory operands objdump refuses: 16-bit addressing, and RIP-relative ones for bndldx/bndstx/bndmk
 * (which need a real base).
 */
function mpxBadMemory(d: DecodedInstruction): boolean {
  const n = d.form!.names[0];
  if (!n.startsWith('bnd')) return false;
  return d.addrSize === 16 || (d.base === RIP && (n === 'bndldx' || n === 'bndstx' || n === 'bndmk'));
}

function lastRepByte(d: DecodedInstruction): number {
  let r = 0;
  for (let i = 0; i < d.prefixCount; i++) if (d.prefixBytes[i] === 0xf2 || d.prefixBytes[i] === 0xf3) r = d.prefixBytes[i];
  return r;
}

/**
 * f3 REX.B 90 is xchg %r8 (the CPU ignores the f3); objdump 2.40 prints it as pause, naming every other prefix
 * and the REX byte.
 */
function objdumpPauseText(d: DecodedInstruction): string {
  let last = -1;
  for (let i = 0; i < d.prefixCount; i++) if (d.prefixBytes[i] === 0xf3 || d.prefixBytes[i] === 0xf2) last = i;
  const others = Uint8Array.from(d.prefixBytes.slice(0, d.prefixCount).filter((_, i) => i !== last));
  return prefixOnlyText(Uint8Array.from([...others, d.rex]), d.mode, ' pause');
}

const legacyPrefixNames: Record<number, string> = {
  0xf0: 'lock', 0xf3: 'repz', 0xf2: 'repnz', 0x66: 'data16', 0x67: 'addr32',
  0x26: 'es', 0x2e: 'cs', 0x36: 'ss', 0x3e: 'ds', 0x64: 'fs', 0x65: 'gs',
};

/**
 * A REX byte followed by another prefix is ignored by the CPU; objdump shows the bytes up to it as a line of
 * their own. Returns that line's length, or 0.
 */
function strandedRex(bytes: Uint8Array, p: number): number {
  for (let i = p; i < bytes.length && i - p < 14; i++) {
    const b = bytes[i];
    if ((b & 0xf0) === 0x40) {
      const n = bytes[i + 1];
      // fwait counts as a prefix here: objdump shows `48 9b` as `rex.W` and then `fwait`.
      if (n !== undefined && ((n & 0xf0) === 0x40 || n in legacyPrefixNames || n === 0x9b)) return i - p + 1;
      return 0;
    }
    if (!(b in legacyPrefixNames)) return 0;
  }
  return 0;
}

/**
 * objdump 2.40 treats fwait as a prefix: `9b [legacy prefixes] REX` where that REX is stranded (another prefix
 * follows) becomes one line of the fwait and the legacy prefixes, printed as their names and the REX's name
 * (the REX byte itself starts the next line). Returns that line's length, or 0.
 */
function fwaitBeforeStrandedRex(bytes: Uint8Array, p: number): number {
  if (bytes[p] !== 0x9b) return 0;
  let q = p + 1;
  while (q < bytes.length && q - p < 14 && bytes[q] in legacyPrefixNames) q++;
  if (q >= bytes.length || (bytes[q] & 0xf0) !== 0x40) return 0;
  return strandedRex(bytes, q) === 1 ? q - p : 0;
}

/**
 * `9b prefixes 9b` not followed by an x87 opcode: objdump makes the first fwait and the prefixes one line
 * (`cs fwait`) and the second fwait another. Returns the first line's length, or 0.
 */
function fwaitPrefixesFwait(bytes: Uint8Array, p: number, mode: CodeMode): number {
  if (bytes[p] !== 0x9b) return 0;
  let q = p + 1;
  while (q < bytes.length && q - p < 14 && bytes[q] in legacyPrefixNames) q++;
  if (q === p + 1 || bytes[q] !== 0x9b) return 0;
  let r = q + 1;
  while (r < bytes.length && r - q < 14 && (bytes[r] in legacyPrefixNames || (mode === 64 && (bytes[r] & 0xf0) === 0x40))) r++;
  return bytes[r] >= 0xd8 && bytes[r] <= 0xdf ? 0 : q - p;
}

function prefixOnlyText(b: Uint8Array, mode: CodeMode, tail = ''): string {
  return (Array.from(b, (x) => {
    if ((x & 0xf0) === 0x40) {
      const bits = ['W', 'R', 'X', 'B'].filter((_, k) => x & (8 >> k)).join('');
      return bits ? 'rex.' + bits : 'rex';
    }
    if (x === 0x66) return mode === 16 ? 'data32' : 'data16';
    if (x === 0x67) return mode === 32 ? 'addr16' : 'addr32';
    return legacyPrefixNames[x];
  }).join(' ') + tail).trim();
}

/**
 * An instruction cut by the end of the bytes: objdump shows its first byte alone, by name if it is a prefix,
 * else as `.byte`.
 */
function truncatedLine(bytes: Uint8Array, p: number, mode: CodeMode, d: DecodedInstruction): { text: string; length: number } | undefined {
  const padded: ByteReader = (i) => (i < bytes.length ? bytes[i] : i < bytes.length + 16 ? 0 : -1);
  const valid = decodeInstruction(padded, p, mode, d);
  const past = valid ? p + d.length > bytes.length : p + badLength(bytes, p, mode) >= bytes.length && opcodeAt(bytes, p + prefixLength(bytes, p, mode)) === undefined;
  // A VEX/EVEX/XOP escape (or c4/c5/62 that might be one) with nothing after it also waits for more bytes.
  const q = p + prefixLength(bytes, p, mode);
  const op = opcodeAt(bytes, q);
  const lastOpcodeByte = op ? q + opcodeBytes(bytes, p, mode) - 1 : -1;
  const escape = !valid && op !== undefined && lastOpcodeByte === bytes.length - 1 && ([0xc4, 0xc5, 0x62, 0x8f].includes(bytes[q]) || opcodeHasModrm(op.map, op.opcode) || op.map > 0);
  if (!past && !escape) return undefined;
  const b = bytes[p];
  const isPrefix = b in legacyPrefixNames || (mode === 64 && (b & 0xf0) === 0x40);
  return { text: isPrefix ? prefixOnlyText(bytes.subarray(p, p + 1), mode) : '.byte ' + hex(b), length: 1 };
}

/** objdump's names for the opcodes whose invalid ModRM forms it prints as `name (bad)` (0f 0d, PadLock). */
const badOperandNames: Record<number, string[]> = {
  0x0d: ['prefetch', 'prefetchw', 'prefetchwt1', 'prefetch', 'prefetch', 'prefetch', 'prefetch', 'prefetch'],
  0xa6: ['montmul', 'xsha1', 'xsha256'],
  0xa7: ['xstore-rng', 'xcrypt-ecb', 'xcrypt-cbc', 'xcrypt-ctr', 'xcrypt-cfb', 'xcrypt-ofb'],
};

/**
 * Memory-only instructions given a register ModRM, where objdump's table has no separate register entry: it
 * prints the mnemonic with `(bad)` for the memory operand and resumes right after the first opcode byte.
 */
function objdumpBadOperand(bytes: Uint8Array, p: number, mode: CodeMode): { text: string; length: number } | undefined {
  const np = prefixLength(bytes, p, mode);
  const op = opcodeAt(bytes, p + np);
  if (!op) return undefined;
  const modrm = bytes[p + np + opcodeBytes(bytes, p, mode)];
  if (modrm === undefined) return undefined;
  const reg = (modrm >> 3) & 7;
  const isReg = modrm >> 6 === 3;
  let prefixes = bytes.subarray(p, p + np);
  let rex = 0;
  if (mode === 64 && np && (prefixes[np - 1] & 0xf0) === 0x40) {
    rex = prefixes[np - 1];
    prefixes = prefixes.subarray(0, np - 1);
  }
  let text: string | undefined;
  let rexUsedBits = 0;
  const lastRep = [...prefixes].reverse().find((b) => b === 0xf2 || b === 0xf3);
  const has66 = prefixes.includes(0x66);
  if (op.map === 1 && (op.opcode === 0x0d ? isReg : op.opcode === 0xa6 || op.opcode === 0xa7)) {
    text = badOperandNames[op.opcode]?.[reg];
    if (text) text += ' (bad)';
  } else if (op.map === 1 && op.opcode === 0xc7 && reg === 1 && isReg) {
    text = rex & 8 ? 'cmpxchg16b (bad)' : 'cmpxchg8b (bad)';
    rexUsedBits = 8;
  } else if (op.map === 2 && (op.opcode === 0xf0 || op.opcode === 0xf1) && isReg && lastRep === undefined) {
    const size = rex & 8 ? 64 : has66 !== (mode === 16) ? 16 : 32;
    const r = gpr(size, reg | ((rex & 4) << 1), rex);
    text = op.opcode === 0xf0 ? `movbe (bad),${r}` : `movbe ${r},(bad)`;
    rexUsedBits = 0xc;
  } else if (op.map === 2 && op.opcode >= 0x80 && op.opcode <= 0x82 && isReg && has66 && lastRep === undefined) {
    text = `${['invept', 'invvpid', 'invpcid'][op.opcode - 0x80]} (bad),${gpr(mode === 64 ? 64 : 32, reg | ((rex & 4) << 1), rex)}`;
    rexUsedBits = 4;
  }
  if (!text) return undefined;
  // movbe and invept/invvpid/invpcid come from mandatory-prefix families: the selecting prefix is consumed.
  if (op.map === 2) prefixes = withoutSelectingPrefix(prefixes);
  const names = prefixOnlyText(prefixes, mode);
  const rexName = rex && (rex & 0xf & ~rexUsedBits || (rex & 0xf) === 0) ? prefixOnlyText(Uint8Array.of(rex), mode) : '';
  return { text: [names, rexName, text].filter(Boolean).join(' '), length: np + 1 };
}

/** Opcode map (0 one-byte, 1 = 0f, 2 = 0f 38, 3 = 0f 3a) and last opcode byte at q, if present. */
function opcodeAt(bytes: Uint8Array, q: number): { map: number; opcode: number } | undefined {
  if (q >= bytes.length) return undefined;
  if (bytes[q] !== 0x0f) return { map: 0, opcode: bytes[q] };
  const b = bytes[q + 1];
  if (b === undefined) return undefined;
  if (b === 0x38 || b === 0x3a) return bytes[q + 2] === undefined ? undefined : { map: b === 0x38 ? 2 : 3, opcode: bytes[q + 2] };
  return { map: 1, opcode: b };
}

/** The prefixes without the one a mandatory-prefix family selects by (the last f2/f3, else the last 66). */
function withoutSelectingPrefix(prefixes: Uint8Array): Uint8Array {
  let k = -1;
  prefixes.forEach((b, i) => { if (b === 0xf2 || b === 0xf3) k = i; });
  if (k < 0) prefixes.forEach((b, i) => { if (b === 0x66) k = i; });
  return k < 0 ? prefixes : Uint8Array.from([...prefixes.subarray(0, k), ...prefixes.subarray(k + 1)]);
}

/** Length of the prefixes at p (legacy, and REX in 64-bit code). */
function prefixLength(bytes: Uint8Array, p: number, mode: CodeMode): number {
  let i = p;
  while (i < bytes.length && i - p < 14 && (bytes[i] in legacyPrefixNames || (mode === 64 && (bytes[i] & 0xf0) === 0x40))) i++;
  return i - p;
}

/** Opcode bytes after the prefixes at p: 1, 2 for 0f xx, 3 for 0f 38 xx / 0f 3a xx (cut at the end). */
function opcodeBytes(bytes: Uint8Array, p: number, mode: CodeMode): number {
  const i = p + prefixLength(bytes, p, mode);
  let n = 1;
  if (bytes[i] === 0x0f) n = bytes[i + 1] === 0x38 || bytes[i + 1] === 0x3a ? 3 : 2;
  return Math.max(0, Math.min(n, bytes.length - i));
}

/**
 * objdump's `(bad)`: the prefixes (named) and the opcode bytes form one line; a ModRM byte the invalid opcode
 * would have read is not part of it.
 */
function badLength(bytes: Uint8Array, p: number, mode: CodeMode): number {
  return Math.max(1, prefixLength(bytes, p, mode) + opcodeBytes(bytes, p, mode));
}

/** Disassembles `bytes` in `mode`; undecodable bytes come out one at a time as `(bad)`. */
export function disassemble(bytes: Uint8Array, mode: CodeMode, options: DisassembleOptions = {}): DisassembledLine[] {
  const base = options.address ?? 0;
  const syms = options.symbols ? new SymbolTable(options.symbols) : undefined;
  const read: ByteReader = (i) => (i < bytes.length ? bytes[i] : -1);
  const d = newDecoded();
  const x87 = newDecoded();
  const out: DisassembledLine[] = [];
  let p = 0;
  while (p < bytes.length) {
    const rexOnly = mode === 64 ? strandedRex(bytes, p) : 0;
    if (rexOnly) {
      out.push({ address: base + p, length: rexOnly, bytes: Array.from(bytes.subarray(p, p + rexOnly)), text: prefixOnlyText(bytes.subarray(p, p + rexOnly), mode) });
      p += rexOnly;
      continue;
    }
    const waitPrefixes = fwaitPrefixesFwait(bytes, p, mode);
    if (waitPrefixes) {
      const text = prefixOnlyText(bytes.subarray(p + 1, p + waitPrefixes), mode, ' fwait');
      out.push({ address: base + p, length: waitPrefixes, bytes: Array.from(bytes.subarray(p, p + waitPrefixes)), text });
      p += waitPrefixes;
      continue;
    }
    const waitRex = mode === 64 ? fwaitBeforeStrandedRex(bytes, p) : 0;
    if (waitRex) {
      // objdump's line: the fwait and the prefixes up to the stranded REX, named without the fwait.
      const text = prefixOnlyText(bytes.subarray(p + 1, p + waitRex + 1), mode);
      out.push({ address: base + p, length: waitRex, bytes: Array.from(bytes.subarray(p, p + waitRex)), text });
      p += waitRex;
      continue;
    }
    decodeInstruction(read, p, mode, d);
    if (!d.valid) {
      const cut = truncatedLine(bytes, p, mode, d);
      const special = cut ?? objdumpBadOperand(bytes, p, mode);
      if (special) {
        out.push({ address: base + p, length: special.length, bytes: Array.from(bytes.subarray(p, p + special.length)), text: special.text });
        p += special.length;
        continue;
      }
      const n = badLength(bytes, p, mode);
      let prefixes = bytes.subarray(p, p + n - opcodeBytes(bytes, p, mode));
      const op = opcodeAt(bytes, p + prefixes.length);
      const family = op ? prefixSelected(op.map, op.opcode, bytes[p + n] ?? 0) : 'no';
      if (family === 'yes') prefixes = withoutSelectingPrefix(prefixes);
      else if (family === 'bare' && prefixes.some((b) => b === 0x66 || b === 0xf2 || b === 0xf3)) prefixes = prefixes.subarray(0, 0);
      out.push({ address: base + p, length: n, bytes: Array.from(bytes.subarray(p, p + n)), text: prefixOnlyText(prefixes, mode, ' (bad)') });
      p += n;
      continue;
    }
    // objdump shows fwait followed by an x87 instruction as that one instruction.
    if (d.form?.op === 'fwait' && d.length === 1 && d.prefixCount === 0) {
      decodeInstruction(read, p + 1, mode, x87);
      const o = x87.form?.opcode[0] ?? 0;
      if (x87.valid && o >= 0xd8 && o <= 0xdf) {
        const { text } = formatInstruction(x87, base + p + 1, syms);
        out.push({ address: base + p, length: 1 + x87.length, bytes: Array.from(bytes.subarray(p, p + 1 + x87.length)), text });
        p += 1 + x87.length;
        continue;
      }
    }
    const { text, target, length = d.length } = formatInstruction(d, base + p, syms);
    out.push({ address: base + p, length, bytes: Array.from(bytes.subarray(p, p + length)), text, target });
    p += length;
  }
  return out;
}
