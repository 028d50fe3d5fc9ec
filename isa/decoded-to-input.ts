// Turns a decoded instruction back into the encoder's InstructionInput (explicit suffix, registers by name,
// numbers as known values). Used for encode → decode → encode round trips and by tools that rewrite code.
import type { InstructionInput, Operand } from './operand';
import { Prefix, RIP, type DecodedInstruction } from './decoder';
import { gprNames, highByteNames, segNames } from './registers';
import { suffixOfSize } from './table';

function gpr(size: number, n: number, rex: number): string {
  if (size === 8 && !rex && n >= 4 && n < 8) return highByteNames[n - 4];
  return gprNames[(size || 32) as 8 | 16 | 32 | 64][n];
}

function known(v: bigint): { known: true; value: bigint } {
  return { known: true, value: v };
}

/** 64-bit value from the decoder's low/high halves. */
function wide(lo: number, hi: number): bigint {
  return BigInt.asIntN(64, (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0));
}

function memOperand(d: DecodedInstruction): Extract<Operand, { kind: 'mem' }> {
  const m: Extract<Operand, { kind: 'mem' }> = { kind: 'mem', scale: 1 };
  if (d.segment >= 0) m.seg = segNames[d.segment];
  if (d.addrSize === 16) {
    const pairs = [['bx', 'si'], ['bx', 'di'], ['bp', 'si'], ['bp', 'di'], ['si'], ['di'], ['bp'], ['bx']];
    if (d.base >= 0) {
      const p = pairs[d.modrm & 7];
      m.base = p[0];
      if (p[1]) m.index = p[1];
    }
    if (d.dispOffset >= 0) m.disp = known(BigInt(d.disp));
    return m;
  }
  const names = gprNames[d.addrSize === 64 ? 64 : 32];
  if (d.base === RIP) m.base = d.addrSize === 64 ? 'rip' : 'eip';
  else if (d.base >= 0) m.base = names[d.base];
  if (d.index >= 0) {
    m.index = names[d.index];
    m.scale = d.scale as 1 | 2 | 4 | 8;
  }
  if (d.dispOffset >= 0 || (!m.base && !m.index)) m.disp = known(d.addrSize === 64 || d.base === RIP ? BigInt(d.disp) : BigInt(d.disp >>> 0));
  return m;
}

/**
 * The InstructionInput that encodes `d` again. Branch targets become absolute addresses computed from
 * `address` (the encoder leaves them to fixups). Returns undefined for invalid instructions.
 */
export function decodedToInput(d: DecodedInstruction, address = 0): InstructionInput | undefined {
  if (!d.valid || !d.form) return undefined;
  const f = d.form;
  const size = d.opSize;
  const rex = d.rex;
  const name = f.names.find((n) => !f.bareNames.includes(n));
  const mnemonic = !name ? f.names[f.names.length - 1] : f.sizes.length > 1 || (f.sizes.length === 1 && f.sizes[0] === size && !f.impliedSize) ? name + (suffixOfSize[size] ?? '') : name;
  const operands: Operand[] = [];
  const immSlots = f.operands.map((_, i) => i).filter((i) => /^(i|is8|i8|i16|i64|i64big|fsel|foff)$/.test(f.operands[i]));
  if (f.immReverse) immSlots.reverse();
  const native = d.mode === 64 ? 64 : 32;
  f.operands.forEach((spec, i) => {
    const immValue = (): number => (immSlots.indexOf(i) === 1 ? d.imm2 : d.imm);
    const fixed = /^(r|rm|rr|m)(8|16|32|64)$/.exec(spec);
    if (fixed) {
      const bits = Number(fixed[2]);
      if (fixed[1] === 'r') operands.push({ kind: 'reg', reg: gpr(bits, d.reg, rex) });
      else operands.push(d.hasMem ? memOperand(d) : { kind: 'reg', reg: gpr(bits, d.rmReg, rex) });
      return;
    }
    switch (spec) {
      case 'r': operands.push({ kind: 'reg', reg: gpr(size, d.reg, rex) }); break;
      case 'rn': operands.push({ kind: 'reg', reg: gpr(native, d.reg, rex) }); break;
      case 'rrn': operands.push({ kind: 'reg', reg: gpr(native, d.rmReg, rex) }); break;
      case 'rr': case 'ro': operands.push({ kind: 'reg', reg: gpr(size, d.rmReg, rex) }); break;
      case 'rm': case 'm': operands.push(d.hasMem ? memOperand(d) : { kind: 'reg', reg: gpr(size, d.rmReg, rex) }); break;
      case 'acc': operands.push({ kind: 'reg', reg: gpr(size, 0, rex) }); break;
      case 'sreg': operands.push({ kind: 'reg', reg: segNames[d.reg & 7] ?? 'es' }); break;
      case 'cr': operands.push({ kind: 'reg', reg: 'cr' + d.reg }); break;
      case 'dr': operands.push({ kind: 'reg', reg: 'db' + d.reg }); break;
      case 'i': operands.push({ kind: 'imm', value: known(size === 64 ? BigInt(d.imm) : BigInt(d.imm)) }); break;
      case 'is8': operands.push({ kind: 'imm', value: known(BigInt(d.imm)) }); break;
      case 'i8': operands.push({ kind: 'imm', value: known(BigInt(immValue() & 0xff)) }); break;
      case 'i16': case 'fsel': operands.push({ kind: 'imm', value: known(BigInt(immValue() & 0xffff)) }); break;
      case 'foff': operands.push({ kind: 'imm', value: known(BigInt(size === 16 ? immValue() & 0xffff : immValue() >>> 0)) }); break;
      case 'i64': case 'i64big': operands.push({ kind: 'imm', value: known(wide(d.imm, d.immHigh)) }); break;
      case 'moffs': {
        const m: Extract<Operand, { kind: 'mem' }> = { kind: 'mem', scale: 1, disp: known(d.addrSize === 64 ? wide(d.imm, d.immHigh) : BigInt(d.imm >>> 0)) };
        if (d.segment >= 0) m.seg = segNames[d.segment];
        operands.push(m);
        break;
      }
      case 'rel': case 'rel8':
        operands.push({ kind: 'mem', scale: 1, disp: known(BigInt(address + d.length + d.rel)) });
        break;
      case 'ms': case 'md': case 'mb': {
        const m: Extract<Operand, { kind: 'mem' }> = { kind: 'mem', scale: 1, base: gpr(d.addrSize, spec === 'ms' ? 6 : spec === 'mb' ? 3 : 7, 0) };
        if (spec === 'md') m.seg = 'es';
        else if (d.segment >= 0) m.seg = segNames[d.segment];
        operands.push(m);
        break;
      }
      case 'sti': operands.push({ kind: 'reg', reg: `st(${d.rmReg})` }); break;
      default:
        if (spec.startsWith('%')) operands.push({ kind: 'reg', reg: spec.slice(1) });
        else if (spec.startsWith('$')) operands.push({ kind: 'imm', value: known(BigInt(spec.slice(1))) });
    }
  });
  if (f.op.endsWith('_indirect')) {
    const o = operands[0];
    if (o.kind === 'reg' || o.kind === 'mem') o.indirect = true;
  }
  const prefixes: string[] = [];
  // Prefixes the form does not consume are kept as prefix mnemonics so the bytes survive.
  const usesMem = d.hasMem || f.operands.some((s) => s === 'ms' || s === 'mb');
  if (d.segment >= 0 && !usesMem) prefixes.push(d.segment === 3 && (f.op === 'jmp_indirect' || f.op === 'call_indirect') ? 'notrack' : segNames[d.segment]);
  if (d.prefixes & Prefix.OpSize && !f.sizes.length && !f.impliedSize && f.mandatoryPrefix !== 0x66) prefixes.push(d.mode === 16 ? 'data32' : 'data16');
  const branch = f.op === 'jmp' || f.op === 'jcc' || f.op === 'call' || f.op === 'ret' || f.op === 'jmp_indirect' || f.op === 'call_indirect';
  const hle = (d.prefixes & Prefix.Lock) !== 0 || f.op === 'xchg' || (f.op === 'mov' && d.hasMem);
  if (d.prefixes & Prefix.Repne) prefixes.push(f.rep ? 'repne' : branch ? 'bnd' : hle ? 'xacquire' : 'repne');
  if (d.prefixes & Prefix.Rep) prefixes.push(f.rep ? 'rep' : hle ? 'xrelease' : 'rep');
  if (d.prefixes & Prefix.Lock && !d.lockCr8) prefixes.push('lock');
  // An address-size prefix that only changes the counter of loop/jcxz.
  if (f.op.startsWith('loop') && d.addrSize !== (d.mode === 16 ? 16 : d.mode)) prefixes.push(d.addrSize === 16 ? 'addr16' : 'addr32');
  return { mnemonic, prefixes, operands };
}
