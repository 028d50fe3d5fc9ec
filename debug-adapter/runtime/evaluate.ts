// Expressions for hover, watch, breakpoint conditions, logpoints and the Debug Console: registers (with or without
// %), register bits (cr0.pg, eflags.if, efer.lma), symbols, C-like arithmetic on 64-bit values, memory reads
// (*(u32*)0x9000, [ds:si], 4(%rsp), tr_cr4(%rip)) and phys(linear). Values are bigints; nothing here throws
// anything but EvalError.
import type { Cpu } from '../../machine/cpu/cpu';
import { readRegister, BIT_OWNERS } from '../../machine/registers';
import { findField } from '../../isa/bits/describe';
import { findMsr } from '../../isa/bits/msr';
import type { BitsDef } from '../../isa/bits/types';
import { SEG_NAMES } from '../../machine/cpu/segment';
import type { Program } from './program';

export class EvalError extends Error {}

export interface EvalContext {
  cpu: Cpu;
  program?: Program;
  /** Reads linear memory as the CPU sees it (undefined where unmapped). */
  readLinear(linear: bigint, size: number): Uint8Array | undefined;
  /** Linear → physical through the CPU's paging; undefined when not mapped. */
  translate(linear: bigint): number | undefined;
}

export interface EvalResult {
  value: bigint;
  /** Display width in bits (registers, typed reads); undefined for plain numbers. */
  width?: number;
  signed?: boolean;
  /** Bit definitions for expanding the value (CR0, EFLAGS, …). */
  bits?: BitsDef;
  /** What the value is: a register name, a symbol, or a memory address read. */
  register?: string;
  symbol?: string;
  /** The linear address the value was read from, or the address it names (symbols). */
  address?: bigint;
}

const M64 = (1n << 64n) - 1n;

const TYPES: Record<string, { size: number; signed: boolean }> = {
  u8: { size: 1, signed: false }, u16: { size: 2, signed: false }, u32: { size: 4, signed: false }, u64: { size: 8, signed: false },
  i8: { size: 1, signed: true }, i16: { size: 2, signed: true }, i32: { size: 4, signed: true }, i64: { size: 8, signed: true },
  s8: { size: 1, signed: true }, s16: { size: 2, signed: true }, s32: { size: 4, signed: true }, s64: { size: 8, signed: true },
  uint8_t: { size: 1, signed: false }, uint16_t: { size: 2, signed: false }, uint32_t: { size: 4, signed: false }, uint64_t: { size: 8, signed: false },
  int8_t: { size: 1, signed: true }, int16_t: { size: 2, signed: true }, int32_t: { size: 4, signed: true }, int64_t: { size: 8, signed: true },
  char: { size: 1, signed: true }, short: { size: 2, signed: true }, int: { size: 4, signed: true }, long: { size: 8, signed: true },
  byte: { size: 1, signed: false }, word: { size: 2, signed: false }, dword: { size: 4, signed: false }, qword: { size: 8, signed: false },
};

type Tok = { t: 'num'; v: bigint } | { t: 'id'; v: string } | { t: 'reg'; v: string } | { t: 'op'; v: string } | { t: 'end' };

function lex(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  const ops = ['<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '+', '-', '*', '/', '%', '&', '|', '^', '~', '!', '<', '>', '(', ')', '[', ']', ':', ',', '?', '$'];
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) { i++; continue; }
    const num = /^(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|[0-9][0-9_]*)(?![A-Za-z0-9_])/.exec(src.slice(i));
    if (num) {
      const d = num[1].replace(/_/g, '');
      out.push({ t: 'num', v: BigInt(/^0[0-9]/.test(d) ? d.replace(/^0+/, '') || '0' : d) });
      i += num[0].length;
      continue;
    }
    const hexH = /^([0-9][0-9a-fA-F]*)[hH](?![A-Za-z0-9_])/.exec(src.slice(i));
    if (hexH) { out.push({ t: 'num', v: BigInt('0x' + hexH[1]) }); i += hexH[0].length; continue; }
    const chr = /^'(\\?.)'/.exec(src.slice(i));
    if (chr) { out.push({ t: 'num', v: BigInt(chr[1].replace(/^\\/, '').charCodeAt(0)) }); i += chr[0].length; continue; }
    if (c === '%') {
      const m = /^%([A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)?)/.exec(src.slice(i));
      if (m) { out.push({ t: 'reg', v: m[1].toLowerCase() }); i += m[0].length; continue; }
    }
    const id = /^[A-Za-z_.$][A-Za-z0-9_.$]*/.exec(src.slice(i));
    if (id && !(id[0] === '$' )) { out.push({ t: 'id', v: id[0] }); i += id[0].length; continue; }
    const op = ops.find((o) => src.startsWith(o, i));
    if (!op) throw new EvalError(`unexpected character '${c}' at column ${i + 1}`);
    out.push({ t: 'op', v: op });
    i += op.length;
  }
  out.push({ t: 'end' });
  return out;
}

const BINARY: [string[], number][] = [
  [['||'], 1], [['&&'], 2], [['|'], 3], [['^'], 4], [['&'], 5], [['==', '!='], 6], [['<', '>', '<=', '>='], 7], [['<<', '>>'], 8], [['+', '-'], 9], [['*', '/', '%'], 10],
];
const PREC = new Map<string, number>();
for (const [ops, p] of BINARY) for (const o of ops) PREC.set(o, p);

class Parser {
  private p = 0;
  /** `%es:` before an AT&T memory operand. */
  private segOverride: string | undefined;
  constructor(private readonly toks: Tok[], private readonly ctx: EvalContext) {}

  private peek(): Tok { return this.toks[this.p]; }
  private isOp(v: string): boolean { const t = this.peek(); return t.t === 'op' && t.v === v; }
  private expect(v: string): void {
    if (!this.isOp(v)) throw new EvalError(`expected '${v}'${this.describeHere()}`);
    this.p++;
  }
  private describeHere(): string {
    const t = this.peek();
    return t.t === 'end' ? ' at the end of the expression' : ` before '${'v' in t ? String(t.v) : ''}'`;
  }

  parseAll(): EvalResult {
    const r = this.ternary();
    if (this.peek().t !== 'end') throw new EvalError(`unexpected '${String((this.peek() as { v: unknown }).v)}' after a complete expression`);
    return r;
  }

  private ternary(): EvalResult {
    const c = this.binary(1);
    if (!this.isOp('?')) return c;
    this.p++;
    const a = this.ternary();
    this.expect(':');
    const b = this.ternary();
    return c.value !== 0n ? a : b;
  }

  private binary(min: number): EvalResult {
    let left = this.unary();
    for (;;) {
      const t = this.peek();
      if (t.t !== 'op') return left;
      const prec = PREC.get(t.v);
      if (prec === undefined || prec < min) return left;
      this.p++;
      const right = this.binary(prec + 1);
      left = { value: applyBinary(t.v, left.value, right.value) };
    }
  }

  private unary(): EvalResult {
    const t = this.peek();
    if (t.t === 'op') {
      if (t.v === '-') { this.p++; return { value: (-this.unary().value) & M64 }; }
      if (t.v === '+') { this.p++; return { value: this.unary().value }; }
      if (t.v === '~') { this.p++; return { value: ~this.unary().value & M64 }; }
      if (t.v === '!') { this.p++; return { value: this.unary().value === 0n ? 1n : 0n }; }
      if (t.v === '*') {
        this.p++;
        let size = this.defaultSize();
        let signed = false;
        // *(u32*)expr — a typed pointer cast.
        const save = this.p;
        if (this.isOp('(')) {
          this.p++;
          const ty = this.peek();
          if (ty.t === 'id' && TYPES[ty.v.toLowerCase()] !== undefined) {
            this.p++;
            if (this.isOp('*')) {
              this.p++;
              this.expect(')');
              size = TYPES[ty.v.toLowerCase()].size;
              signed = TYPES[ty.v.toLowerCase()].signed;
            } else this.p = save;
          } else this.p = save;
        }
        const addr = this.unary().value;
        return this.read(addr, size, signed);
      }
      if (t.v === '(') {
        // (u32)expr — a value cast.
        const next = this.toks[this.p + 1];
        const close = this.toks[this.p + 2];
        if (next?.t === 'id' && TYPES[next.v.toLowerCase()] !== undefined && close?.t === 'op' && close.v === ')') {
          this.p += 3;
          const ty = TYPES[next.v.toLowerCase()];
          const v = this.unary().value & ((1n << BigInt(ty.size * 8)) - 1n);
          return { value: v, width: ty.size * 8, signed: ty.signed };
        }
      }
    }
    return this.postfix(this.primary());
  }

  /** disp(%base,%index,scale): an AT&T memory operand, read with the mode's operand size. */
  private postfix(r: EvalResult): EvalResult {
    if (!this.isOp('(')) return r;
    const next = this.toks[this.p + 1];
    if (!(next?.t === 'reg' || (next?.t === 'op' && next.v === ','))) return r;
    this.p++;
    let base: string | undefined;
    let index: string | undefined;
    let scale = 1n;
    if (this.peek().t === 'reg') base = (this.toks[this.p++] as { v: string }).v;
    if (this.isOp(',')) {
      this.p++;
      if (this.peek().t === 'reg') index = (this.toks[this.p++] as { v: string }).v;
      if (this.isOp(',')) {
        this.p++;
        scale = this.primary().value;
      }
    }
    this.expect(')');
    let offset = r.value;
    if (base === 'rip' || base === 'eip') {
      // RIP-relative operands name the symbol's address itself.
    } else {
      if (base) offset += this.reg(base).value;
      if (index) offset += this.reg(index).value * scale;
    }
    const seg = this.segOverride ?? (base === 'rsp' || base === 'esp' || base === 'sp' || base === 'rbp' || base === 'ebp' || base === 'bp' ? 'ss' : 'ds');
    return this.read(this.linear(seg, offset), this.defaultSize(), false);
  }

  private primary(): EvalResult {
    const t = this.peek();
    this.p++;
    switch (t.t) {
      case 'num': return { value: t.v };
      case 'reg': {
        const next = this.peek();
        if ((SEG_NAMES as readonly string[]).includes(t.v) && next.t === 'op' && next.v === ':') {
          // %es:(%edi), %fs:0x28 — an AT&T operand with a segment override.
          this.p++;
          const saved = this.segOverride;
          this.segOverride = t.v;
          try {
            const inner = this.unary();
            if (inner.address !== undefined) return inner;
            return this.read(this.linear(t.v, inner.value), this.defaultSize(), false);
          } finally {
            this.segOverride = saved;
          }
        }
        return this.reg(t.v);
      }
      case 'end': throw new EvalError('the expression is empty or ends too early');
      case 'id': {
        const name = t.v;
        const lower = name.toLowerCase();
        if ((lower === 'phys' || lower === 'physical') && this.isOp('(')) {
          this.p++;
          const lin = this.ternary().value;
          this.expect(')');
          const ph = this.ctx.translate(lin);
          if (ph === undefined) throw new EvalError(`linear address 0x${lin.toString(16)} is not mapped`);
          return { value: BigInt(ph), address: lin };
        }
        if (lower === 'sizeof' && this.isOp('(')) {
          this.p++;
          const ty = this.peek();
          if (ty.t !== 'id' || TYPES[ty.v.toLowerCase()] === undefined) throw new EvalError('sizeof needs a type such as u32');
          this.p++;
          this.expect(')');
          return { value: BigInt(TYPES[ty.v.toLowerCase()].size) };
        }
        const reg = this.tryReg(lower);
        if (reg) return reg;
        const sym = this.ctx.program?.symbol(name);
        if (sym) return { value: sym.value, symbol: name, address: sym.isAddress ? sym.value : undefined };
        throw new EvalError(`unknown name '${name}' (not a register, register bit or symbol)`);
      }
      case 'op':
        if (t.v === '(') {
          // (%reg), (%base,%index,scale), (,%index,scale): an AT&T memory operand without displacement.
          const a = this.peek();
          const b = this.toks[this.p + 1];
          if ((a.t === 'reg' && b?.t === 'op' && (b.v === ')' || b.v === ',')) || (a.t === 'op' && a.v === ',')) {
            this.p--;
            return this.postfix({ value: 0n });
          }
          const r = this.ternary();
          this.expect(')');
          return r;
        }
        if (t.v === '$') return this.primary(); // AT&T immediate marker
        if (t.v === '[') return this.bracket();
        throw new EvalError(`unexpected '${t.v}'`);
    }
  }

  /** [seg:offset] or [offset] (DS), read with the mode's operand size. */
  private bracket(): EvalResult {
    let seg = 'ds';
    let segBase: bigint | undefined;
    const first = this.peek();
    const second = this.toks[this.p + 1];
    if ((first.t === 'id' || first.t === 'reg' || first.t === 'num') && second?.t === 'op' && second.v === ':') {
      if (first.t === 'num') segBase = first.v << 4n;
      else {
        const n = first.v.toLowerCase();
        if (!(SEG_NAMES as readonly string[]).includes(n)) throw new EvalError(`'${first.v}' is not a segment register`);
        seg = n;
      }
      this.p += 2;
    }
    const off = this.ternary().value;
    this.expect(']');
    const lin = segBase !== undefined ? segBase + off : this.linear(seg, off);
    return this.read(lin, this.defaultSize(), false);
  }

  private linear(seg: string, offset: bigint): bigint {
    const cpu = this.ctx.cpu;
    const s = cpu.seg[(SEG_NAMES as readonly string[]).indexOf(seg)];
    const base = (BigInt(s.baseHi) << 32n) | BigInt(s.base);
    if (cpu.mode === 'long') return seg === 'fs' || seg === 'gs' ? (base + offset) & M64 : offset & M64;
    const width = cpu.mode === 'real' || cpu.mode === 'v86' ? 0xffffn : 0xffffffffn;
    return (base + (offset & (cpu.codeSize === 16 ? width : 0xffffffffn))) & 0xffffffffn;
  }

  private defaultSize(): number {
    return this.ctx.cpu.codeSize / 8;
  }

  private read(linear: bigint, size: number, signed: boolean): EvalResult {
    const bytes = this.ctx.readLinear(linear, size);
    if (!bytes) throw new EvalError(`cannot read ${size} byte(s) at 0x${linear.toString(16)}: not mapped`);
    let v = 0n;
    for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]);
    return { value: v, width: size * 8, signed, address: linear };
  }

  private tryReg(name: string): EvalResult | undefined {
    const v = readRegister(this.ctx.cpu, name);
    if (v === undefined) return undefined;
    const dot = name.indexOf('.');
    const owner = dot > 0 ? name.slice(0, dot) : name;
    const def = BIT_OWNERS[owner];
    if (dot > 0 && def) {
      const f = findField(def, name.slice(dot + 1));
      return { value: v, width: f?.width, register: name };
    }
    return { value: v, width: registerWidth(this.ctx.cpu, name), bits: dot > 0 ? undefined : def, register: name };
  }

  private reg(name: string): EvalResult {
    const r = this.tryReg(name);
    if (!r) throw new EvalError(`unknown register '%${name}'`);
    return r;
  }
}

function applyBinary(op: string, a: bigint, b: bigint): bigint {
  switch (op) {
    case '+': return (a + b) & M64;
    case '-': return (a - b) & M64;
    case '*': return (a * b) & M64;
    case '/': if (b === 0n) throw new EvalError('division by zero'); return a / b;
    case '%': if (b === 0n) throw new EvalError('division by zero'); return a % b;
    case '<<': return b >= 64n ? 0n : (a << b) & M64;
    case '>>': return b >= 64n ? 0n : a >> b;
    case '&': return a & b;
    case '|': return a | b;
    case '^': return a ^ b;
    case '==': return a === b ? 1n : 0n;
    case '!=': return a !== b ? 1n : 0n;
    case '<': return a < b ? 1n : 0n;
    case '>': return a > b ? 1n : 0n;
    case '<=': return a <= b ? 1n : 0n;
    case '>=': return a >= b ? 1n : 0n;
    case '&&': return a !== 0n && b !== 0n ? 1n : 0n;
    case '||': return a !== 0n || b !== 0n ? 1n : 0n;
  }
  throw new EvalError(`unknown operator ${op}`);
}

/** Natural display width of a register name (eax → 32; rax → 64; cr0 → 32 outside long mode). */
export function registerWidth(cpu: Cpu, name: string): number {
  const n = name.toLowerCase().replace(/^%/, '');
  if (/^(r[a-d]x|r[sd]i|r[sb]p|r(8|9|1[0-5])|rip|rflags)$/.test(n)) return 64;
  if (/^(e[a-d]x|e[sd]i|e[sb]p|r(8|9|1[0-5])d|eip|eflags)$/.test(n)) return 32;
  if (/^([a-d]x|[sd]i|[sb]p|r(8|9|1[0-5])w|ip|flags|[c-gs]s|ldtr|tr|gdtr\.limit|idtr\.limit)$/.test(n)) return 16;
  if (/^([a-d][lh]|[sd]il|[sb]pl|r(8|9|1[0-5])[bl])$/.test(n)) return 8;
  if (n === 'cpl') return 8;
  if (findMsr(n) && n !== 'efer') return 64;
  if (n === 'cr0' || n === 'cr4' || n === 'efer') return cpu.mode === 'long' ? 64 : 32;
  return cpu.mode === 'long' || n === 'cr3' && cpu.paging !== 'none' && cpu.paging !== '32-bit' ? 64 : 32;
}

export function evaluateExpression(text: string, ctx: EvalContext): EvalResult {
  const src = text.trim();
  if (src === '') throw new EvalError('empty expression');
  return new Parser(lex(src), ctx).parseAll();
}

/** The result as the Debug Console, hover and watch show it: hex with the width's digits, plus set bit names. */
export function formatResult(r: EvalResult): string {
  if (r.width === 1) return r.value.toString();
  const digits = r.width ? Math.ceil(r.width / 4) : 0;
  let v = r.value;
  let s = '0x' + v.toString(16).padStart(digits, '0');
  if (r.signed && r.width && v >> BigInt(r.width - 1) === 1n) {
    v -= 1n << BigInt(r.width);
    s += ` (${v})`;
  } else if (!r.register && !r.width && v < 0x100000n) s = v < 10n ? v.toString() : `${s} (${v})`;
  if (r.bits) {
    const set: string[] = [];
    for (const f of [...r.bits.fields].sort((a, b) => a.lsb - b.lsb)) {
      const x = (r.value >> BigInt(f.lsb)) & ((1n << BigInt(f.width)) - 1n);
      if (x === 0n) continue;
      set.push(f.width === 1 ? `${f.name}=1` : `${f.name}=0x${x.toString(16)}`);
    }
    s += ` (${set.join(' ') || 'all clear'})`;
  }
  if (r.symbol && r.address !== undefined) s += ` <${r.symbol}>`;
  return s;
}
