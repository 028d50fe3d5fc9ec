// Formats decoded instructions as AT&T text the way `objdump -d` prints them (-M i8086 / i386 / x86-64), with
// optional symbolic branch targets. Everything comes from the decoder and the table.
import type { CodeMode } from './mode';
import { decodeInstruction, newDecoded, RIP, Prefix, type ByteReader, type DecodedInstruction } from './decoder';
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

const reg16Names = ['bx', 'bx', 'bp', 'bp', 'si', 'di', 'bp', 'bx'];
void reg16Names;

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

function memText(d: DecodedInstruction, address: number, syms?: SymbolTable): string {
  const seg = d.segment >= 0 && !(d.mode === 64 && d.segment < 4) ? `%${segNames[d.segment]}:` : '';
  if (d.addrSize === 16) {
    const pairs = [['bx', 'si'], ['bx', 'di'], ['bp', 'si'], ['bp', 'di'], ['si'], ['di'], ['bp'], ['bx']];
    if (d.base < 0) return `${seg}${hex(d.disp & 0xffff)}`;
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
    ripComment = ` # ${hex(d.addrSize === 64 ? target : target >>> 0)}${sym ? ' ' + sym : ''}`;
    return `${seg}${signedHex(d.disp)}(${ipName})`;
  }
  if (d.base < 0 && d.index < 0) {
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
  if (f.sizes.length === 0) return false;
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

/** Formats one decoded instruction at `address`. */
export function formatInstruction(d: DecodedInstruction, address: number, syms?: SymbolTable): { text: string; target?: number } {
  if (!d.valid || !d.form) return { text: '(bad)' };
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
      case 'rr': case 'ro': ops.push(gpr(size, d.rmReg, rex)); break;
      case 'rm': case 'm': ops.push(d.hasMem ? memText(d, address, syms) : gpr(size, d.rmReg, rex)); break;
      case 'acc': ops.push(gpr(size, 0, rex)); break;
      case 'sreg': ops.push('%' + (segNames[d.reg & 7] ?? '?')); break;
      case 'cr': ops.push('%cr' + d.reg); break;
      case 'dr': ops.push('%db' + d.reg); break;
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
        let t = address + d.length + d.rel;
        if ((d.mode === 16 && size !== 32) || (d.mode !== 16 && size === 16)) t &= 0xffff;
        else if (d.mode !== 64) t >>>= 0;
        target = t;
        const sym = syms?.describe(t);
        ops.push(hex(t) + (sym ? ' ' + sym : ''));
        break;
      }
      case 'ms': ops.push(`${d.segment >= 0 && !(d.mode === 64 && d.segment < 4) ? '%' + segNames[d.segment] : '%ds'}:(${gpr(d.addrSize, 6, 0)})`); break;
      case 'md': ops.push(`%es:(${gpr(d.addrSize, 7, 0)})`); break;
      case 'mb': ops.push(`${d.segment >= 0 ? '%' + segNames[d.segment] : '%ds'}:(${gpr(d.addrSize, 3, 0)})`); break;
      default:
        if (spec.startsWith('%')) ops.push(spec === '%dx' ? '(%dx)' : spec);
    }
  }
  // Indirect branches carry a '*'.
  if (f.op.endsWith('_indirect')) ops[0] = '*' + ops[0];
  const pre: string[] = [];
  // A segment prefix with no memory operand to apply to is shown as a prefix, like objdump does.
  // In 64-bit mode es/cs/ss/ds overrides do nothing and objdump shows them as prefixes too.
  const segUsed = d.hasMem || f.operands.some((s) => s === 'ms' || s === 'mb' || s === 'moffs');
  if (d.segment >= 0 && (!segUsed || (d.mode === 64 && d.segment < 4))) pre.push(segNames[d.segment]);
  if (d.prefixes & Prefix.Lock) pre.push('lock');
  if (d.prefixes & Prefix.Rep) pre.push(f.op === 'cmps' || f.op === 'scas' ? 'repz' : 'rep');
  if (d.prefixes & Prefix.Repne) pre.push('repnz');
  const text = [...pre, name].join(' ') + (ops.length ? ' ' + ops.join(',') : '') + ripComment;
  return { text, target };
}

/** Disassembles `bytes` in `mode`; undecodable bytes come out one at a time as `(bad)`. */
export function disassemble(bytes: Uint8Array, mode: CodeMode, options: DisassembleOptions = {}): DisassembledLine[] {
  const base = options.address ?? 0;
  const syms = options.symbols ? new SymbolTable(options.symbols) : undefined;
  const read: ByteReader = (i) => (i < bytes.length ? bytes[i] : -1);
  const d = newDecoded();
  const out: DisassembledLine[] = [];
  let p = 0;
  while (p < bytes.length) {
    decodeInstruction(read, p, mode, d);
    if (!d.valid) {
      out.push({ address: base + p, length: 1, bytes: [bytes[p]], text: '(bad)' });
      p++;
      continue;
    }
    const { text, target } = formatInstruction(d, base + p, syms);
    out.push({ address: base + p, length: d.length, bytes: Array.from(bytes.subarray(p, p + d.length)), text, target });
    p += d.length;
  }
  return out;
}
