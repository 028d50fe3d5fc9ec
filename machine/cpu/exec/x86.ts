// BootExecutor, the first instruction executor: the general-purpose, system and control-transfer instructions boot
// and trampoline code uses, on top of the table-driven decoder (the full instruction set is machine/exec). Exact EFLAGS for arithmetic; system instructions go through the
// CPU helpers (control.ts, segments.ts, interrupts.ts) so every mode rule and event applies. Instructions outside
// this subset raise #UD with a detail naming them (they are not silently skipped).
import { decodeInstruction as decodeInstruction_, newDecoded as newDecoded_, Prefix, RIP as DEC_RIP, type DecodedInstruction } from '../../../isa/decoder';
import { EFL_AC as EFL_AC_, EFL_DF as EFL_DF_, EFL_ID as EFL_ID_, EFL_IF as EFL_IF_, EFL_IOPL as EFL_IOPL_, EFL_NT as EFL_NT_, EFL_RF as EFL_RF_, EFL_TF as EFL_TF_, EFL_VM as EFL_VM_, CR4_FSGSBASE as CR4_FSGSBASE_, CR4_TSD as CR4_TSD_, CR0_TS as CR0_TS_ } from '../../../isa/bits/control';
import { MSR_TSC_AUX as MSR_TSC_AUX_ } from '../../../isa/bits/msr';
import type { Cpu } from '../cpu';
import { clts as clts_, executeCpuid as executeCpuid_, lmsw as lmsw_, loadGdtr as loadGdtr_, loadIdtr as loadIdtr_, readMsr as readMsr_, writeCr0 as writeCr0_, writeCr2 as writeCr2_, writeCr3 as writeCr3_, writeCr4 as writeCr4_, writeCr8 as writeCr8_, writeMsr as writeMsr_, xsetbv as xsetbv_ } from '../control';
import type { Executor } from '../executor';
import { BR as BR_, DE as DE_, GP as GP_, UD as UD_ } from '../fault';
import { deliverSoftwareInterrupt as deliverSoftwareInterrupt_, iret as iret_ } from '../interrupts';
import { ACC_EXEC as ACC_EXEC_, ACC_READ as ACC_READ_ } from '../mmu';
import { KIND_CODE as KIND_CODE_, type PhysicalMemory } from '../../memory/physical';
import { CS as CS_, DS as DS_, ES as ES_, FS as FS_, GS as GS_, SS as SS_ } from '../segment';
import { farCall as farCall_, farJump as farJump_, farReturn as farReturn_, loadLdtr as loadLdtr_, loadSegment as loadSegment_, loadTr as loadTr_, swapgs as swapgs_, syscall as syscall_, sysret as sysret_ } from '../segments';
import { RAX as RAX_, RCX as RCX_, RDX as RDX_, RBX as RBX_, RSP as RSP_, RBP as RBP_, RSI as RSI_, RDI as RDI_ } from '../state';
import { add as add_, condition as condition_, F_AF as F_AF_, F_CF as F_CF_, F_OF as F_OF_, F_PF as F_PF_, F_SF as F_SF_, F_ZF as F_ZF_, incdec as incdec_, logic as logic_, mask as mask_, neg as neg_, res as res_, shift as shift_, sub as sub_ } from './alu';
// Local copies of imported bindings: module loaders that expose exports through getters (tsx) would
// otherwise pay a call on every use in the hot path.
const decodeInstruction = decodeInstruction_;
const newDecoded = newDecoded_;
const EFL_AC = EFL_AC_;
const EFL_DF = EFL_DF_;
const EFL_ID = EFL_ID_;
const EFL_IF = EFL_IF_;
const EFL_IOPL = EFL_IOPL_;
const EFL_NT = EFL_NT_;
const EFL_RF = EFL_RF_;
const EFL_TF = EFL_TF_;
const EFL_VM = EFL_VM_;
const CR4_FSGSBASE = CR4_FSGSBASE_;
const CR4_TSD = CR4_TSD_;
const CR0_TS = CR0_TS_;
const MSR_TSC_AUX = MSR_TSC_AUX_;
const clts = clts_;
const executeCpuid = executeCpuid_;
const lmsw = lmsw_;
const loadGdtr = loadGdtr_;
const loadIdtr = loadIdtr_;
const readMsr = readMsr_;
const writeCr0 = writeCr0_;
const writeCr2 = writeCr2_;
const writeCr3 = writeCr3_;
const writeCr4 = writeCr4_;
const writeCr8 = writeCr8_;
const writeMsr = writeMsr_;
const xsetbv = xsetbv_;
const BR = BR_;
const DE = DE_;
const GP = GP_;
const UD = UD_;
const deliverSoftwareInterrupt = deliverSoftwareInterrupt_;
const iret = iret_;
const ACC_EXEC = ACC_EXEC_;
const ACC_READ = ACC_READ_;
const KIND_CODE = KIND_CODE_;
const CS = CS_;
const DS = DS_;
const ES = ES_;
const FS = FS_;
const GS = GS_;
const SS = SS_;
const farCall = farCall_;
const farJump = farJump_;
const farReturn = farReturn_;
const loadLdtr = loadLdtr_;
const loadSegment = loadSegment_;
const loadTr = loadTr_;
const swapgs = swapgs_;
const syscall = syscall_;
const sysret = sysret_;
const RAX = RAX_;
const RCX = RCX_;
const RDX = RDX_;
const RBX = RBX_;
const RSP = RSP_;
const RBP = RBP_;
const RSI = RSI_;
const RDI = RDI_;
const add = add_;
const condition = condition_;
const F_AF = F_AF_;
const F_CF = F_CF_;
const F_OF = F_OF_;
const F_PF = F_PF_;
const F_SF = F_SF_;
const F_ZF = F_ZF_;
const incdec = incdec_;
const logic = logic_;
const mask = mask_;
const neg = neg_;
const res = res_;
const shift = shift_;
const sub = sub_;

const TWO32 = 0x1_0000_0000;
/** Operand specs whose size is fixed by their name (rm8, i16…) → that size; others → 0 (operand size). */
const FIXED_SIZE = new Map<string, number>();
function fixedSizeOf(spec: string): number {
  if (spec === '%cl' || spec === '%al') return 8;
  if (spec === '%dx' || spec === '%ax') return 16;
  const m = /^(?:rm|r|m|i)(8|16|32|64)$/.exec(spec);
  return m ? Number(m[1]) : 0;
}
const SHIFT_KIND: Record<string, number> = { rol: 0, ror: 1, rcl: 2, rcr: 3, shl: 4, shr: 5, sar: 7 };

export class BootExecutor implements Executor {
  private d: DecodedInstruction = newDecoded();
  private readonly scratch: DecodedInstruction = newDecoded();
  /** Decoded instructions by physical address * 4 + mode index; pages holding them are flagged KIND_CODE. */
  private readonly cache = new Map<number, DecodedInstruction>();
  private readonly pageKeys = new Map<number, number[]>();
  private memory: PhysicalMemory | null = null;
  private cpu!: Cpu;
  private fetchLo = 0;
  private fetchHi = 0;
  private readonly reader = (off: number): number => {
    const cpu = this.cpu;
    const lo = this.fetchLo + off;
    const ip = cpu.codeSize === 16 ? lo & 0xffff : lo >>> 0;
    const hi = cpu.codeSize === 64 ? (this.fetchHi + (lo >= TWO32 ? 1 : 0)) >>> 0 : 0;
    return cpu.fetch8(ip, hi);
  };
  /** Next-instruction RIP. */
  private nLo = 0;
  private nHi = 0;
  /** Effective address (offset within the segment) of the memory operand. */
  private eaLo = 0;
  private eaHi = 0;
  private eaSeg = DS;
  /** High half of the last 64-bit operand read. */
  private vHi = 0;
  cpuCount = 1;

  step(cpu: Cpu): void {
    this.cpu = cpu;
    this.fetchLo = cpu.ripLo;
    this.fetchHi = cpu.ripHi;
    const d = this.fetch(cpu);
    this.d = d;
    const size = cpu.codeSize;
    const n = cpu.ripLo + d.length;
    if (size === 64) {
      this.nLo = n >>> 0;
      this.nHi = (cpu.ripHi + (n >= TWO32 ? 1 : 0)) >>> 0;
    } else {
      this.nLo = size === 16 ? n & 0xffff : n >>> 0;
      this.nHi = 0;
    }
    if (d.hasMem) this.computeEa();
    this.execute(cpu, d);
  }

  /**
   * The decoded instruction at CS:RIP: from the cache when the same physical bytes were decoded in the same mode,
   * else decoded now (and cached unless it crosses a page). CS limit and execute permission are checked.
   */
  private fetch(cpu: Cpu): DecodedInstruction {
    const size = cpu.codeSize;
    let lo: number, hi: number;
    if (size === 64) {
      lo = cpu.ripLo;
      hi = cpu.ripHi;
    } else {
      const cs = cpu.seg[CS];
      if (cpu.ripLo > cs.limit) cpu.raise(GP, 0, `instruction fetch at 0x${cpu.ripLo.toString(16)} beyond the CS limit`);
      lo = (cs.base + cpu.ripLo) >>> 0;
      hi = 0;
    }
    const phys = cpu.mmu.translate(lo, hi, ACC_EXEC);
    const key = phys * 4 + (size >> 5);
    let d = this.cache.get(key);
    if (d === undefined) {
      d = this.scratch;
      if (!decodeInstruction(this.reader, 0, size, d) || d.form === null) cpu.raise(UD, 0, 'invalid or undecodable instruction');
      if ((phys % 4096) + d.length <= 4096) d = this.remember(cpu, key, phys, d);
    }
    if (size !== 64 && cpu.ripLo + d.length - 1 > cpu.seg[CS].limit) cpu.raise(GP, 0, 'instruction crosses the CS limit');
    return d;
  }

  private remember(cpu: Cpu, key: number, phys: number, d: DecodedInstruction): DecodedInstruction {
    const copy: DecodedInstruction = { ...d, prefixBytes: d.prefixBytes.slice() };
    this.cache.set(key, copy);
    const page = Math.floor(phys / 4096);
    let keys = this.pageKeys.get(page);
    if (keys === undefined) {
      keys = [];
      this.pageKeys.set(page, keys);
      this.memory = cpu.memory;
      cpu.memory.setPageFlag(page, KIND_CODE, true);
    }
    keys.push(key);
    return copy;
  }

  invalidatePage(page: number): void {
    const keys = this.pageKeys.get(page);
    if (keys === undefined) return;
    for (const k of keys) this.cache.delete(k);
    this.pageKeys.delete(page);
    this.memory?.setPageFlag(page, KIND_CODE, false);
  }

  flush(): void {
    for (const page of this.pageKeys.keys()) this.memory?.setPageFlag(page, KIND_CODE, false);
    this.cache.clear();
    this.pageKeys.clear();
  }

  private done(): void {
    this.cpu.ripLo = this.nLo;
    this.cpu.ripHi = this.nHi;
  }

  // ---- addressing ---------------------------------------------------------------------------------------------

  private reg64(r: number): void {
    this.vHi = this.cpu.gprHi[r];
  }

  private computeEa(): void {
    const d = this.d, cpu = this.cpu;
    let seg = d.segment;
    if (seg < 0) seg = d.base === RSP || d.base === RBP ? SS : DS;
    this.eaSeg = seg;
    const opnds = d.form!.operands;
    if (opnds.includes('moffs')) {
      this.eaLo = d.disp >>> 0;
      this.eaHi = d.addrSize === 64 ? d.immHigh >>> 0 : 0;
      if (d.addrSize === 16) this.eaLo &= 0xffff;
      return;
    }
    if (d.addrSize === 16) {
      let a = d.disp;
      if (d.base >= 0) a += cpu.gprLo[d.base];
      if (d.index >= 0) a += cpu.gprLo[d.index];
      this.eaLo = a & 0xffff;
      this.eaHi = 0;
      return;
    }
    if (d.addrSize === 32) {
      let a = d.disp;
      if (d.base === DEC_RIP) a += this.nLo;
      else if (d.base >= 0) a += cpu.gprLo[d.base];
      if (d.index >= 0) a += cpu.gprLo[d.index] * d.scale;
      this.eaLo = a >>> 0;
      this.eaHi = 0;
      return;
    }
    // 64-bit: sum of lo parts with carries into hi parts (inlined: no closures on the hot path)
    let lo = d.disp >>> 0;
    let hi = d.disp < 0 ? -1 : 0;
    let pl = 0, ph = 0;
    if (d.base === DEC_RIP) {
      pl = this.nLo;
      ph = this.nHi;
    } else if (d.base >= 0) {
      pl = cpu.gprLo[d.base];
      ph = cpu.gprHi[d.base];
    }
    let sum = lo + pl;
    lo = sum >>> 0;
    hi = (hi + ph + (sum >= TWO32 ? 1 : 0)) | 0;
    if (d.index >= 0) {
      const il = cpu.gprLo[d.index], ih = cpu.gprHi[d.index];
      const prodLo = il * d.scale; // index * scale as 64-bit: scale is 1/2/4/8
      sum = lo + (prodLo % TWO32);
      lo = sum >>> 0;
      hi = (hi + ((ih * d.scale + Math.floor(prodLo / TWO32)) | 0) + (sum >= TWO32 ? 1 : 0)) | 0;
    }
    this.eaLo = lo >>> 0;
    this.eaHi = hi >>> 0;
  }

  private readMem(size: number): number {
    const c = this.cpu;
    if (size === 8) return c.read8(this.eaSeg, this.eaLo, this.eaHi);
    if (size === 16) return c.read16(this.eaSeg, this.eaLo, this.eaHi);
    if (size === 32) return c.read32(this.eaSeg, this.eaLo, this.eaHi);
    const lo = c.read64(this.eaSeg, this.eaLo, this.eaHi);
    this.vHi = c.mmu.hi;
    return lo;
  }

  /** Memory at EA + `extra` bytes (for far pointers and descriptor-table operands). */
  private readMemAt(extra: number, size: number): number {
    const c = this.cpu;
    let lo = this.eaLo + extra;
    let hi = this.eaHi;
    if (c.mode === 'long' && this.d.addrSize === 64) {
      if (lo >= TWO32) hi = (hi + 1) >>> 0;
      lo >>>= 0;
    } else lo = this.d.addrSize === 16 ? lo & 0xffff : lo >>> 0;
    if (size === 16) return c.read16(this.eaSeg, lo, hi);
    if (size === 32) return c.read32(this.eaSeg, lo, hi);
    const v = c.read64(this.eaSeg, lo, hi);
    this.vHi = c.mmu.hi;
    return v;
  }

  private writeMem(size: number, lo: number, hi: number): void {
    const c = this.cpu;
    if (size === 8) c.write8(this.eaSeg, this.eaLo, this.eaHi, lo);
    else if (size === 16) c.write16(this.eaSeg, this.eaLo, this.eaHi, lo);
    else if (size === 32) c.write32(this.eaSeg, this.eaLo, this.eaHi, lo);
    else c.write64(this.eaSeg, this.eaLo, this.eaHi, lo, hi);
  }

  /** Reads general register r at `size` (8-bit: AH..BH without REX for r = 4..7). */
  private readReg(r: number, size: number): number {
    const c = this.cpu;
    if (size === 8) {
      if (r >= 4 && r < 8 && this.d.rex === 0) return (c.gprLo[r - 4] >>> 8) & 0xff;
      return c.gprLo[r] & 0xff;
    }
    if (size === 16) return c.gprLo[r] & 0xffff;
    if (size === 64) this.vHi = c.gprHi[r];
    return c.gprLo[r];
  }

  private writeReg(r: number, size: number, lo: number, hi: number): void {
    const c = this.cpu;
    if (size === 8) {
      if (r >= 4 && r < 8 && this.d.rex === 0) c.gprLo[r - 4] = ((c.gprLo[r - 4] & ~0xff00) | ((lo & 0xff) << 8)) >>> 0;
      else c.gprLo[r] = ((c.gprLo[r] & ~0xff) | (lo & 0xff)) >>> 0;
    } else if (size === 16) c.gprLo[r] = ((c.gprLo[r] & ~0xffff) | (lo & 0xffff)) >>> 0;
    else if (size === 32) {
      c.gprLo[r] = lo >>> 0;
      c.gprHi[r] = 0; // 32-bit writes zero-extend (in every mode the upper half is 0 outside 64-bit code anyway)
    } else {
      c.gprLo[r] = lo >>> 0;
      c.gprHi[r] = hi >>> 0;
    }
  }

  /** Operand size of operand spec `spec` for this instruction. */
  /** Operand size of operand spec `spec` for this instruction. */
  private sizeOf(spec: string): number {
    let fixed = FIXED_SIZE.get(spec);
    if (fixed === undefined) {
      fixed = fixedSizeOf(spec);
      FIXED_SIZE.set(spec, fixed);
    }
    if (fixed !== 0) return fixed;
    if (spec === 'rn' || spec === 'rrn') return this.cpu.mode === 'long' ? 64 : 32;
    return this.d.opSize || 32;
  }

  /** Reads operand `i` of the form; 64-bit high half in vHi. */
  private get(i: number, size = this.sizeOf(this.d.form!.operands[i])): number {
    const d = this.d;
    const spec = d.form!.operands[i];
    switch (spec) {
      case 'r': case 'r8': case 'r16': case 'r32': case 'r64': case 'rn':
        return this.readReg(d.reg, size);
      case 'ro': case 'rr': case 'rrn':
        return this.readReg(d.rmReg, size);
      case 'acc':
        return this.readReg(RAX, size);
      case '%cl':
        return this.cpu.gprLo[RCX] & 0xff;
      case '%dx':
        return this.cpu.gprLo[RDX] & 0xffff;
      case 'one':
        return 1;
      case 'i': case 'is8': case 'i8': case 'i16': case 'i64': case 'i64big':
        this.vHi = d.immHigh >>> 0;
        if (spec === 'i8' || spec === 'i16') return d.imm & (spec === 'i8' ? 0xff : 0xffff);
        return size === 64 ? d.imm >>> 0 : (d.imm & mask(size)) >>> 0;
    }
    if (d.hasMem) return this.readMem(size);
    return this.readReg(d.rmReg, size);
  }

  private set(i: number, lo: number, hi = 0, size = this.sizeOf(this.d.form!.operands[i])): void {
    const d = this.d;
    const spec = d.form!.operands[i];
    switch (spec) {
      case 'r': case 'r8': case 'r16': case 'r32': case 'r64': case 'rn':
        this.writeReg(d.reg, size, lo, hi);
        return;
      case 'ro': case 'rr': case 'rrn':
        this.writeReg(d.rmReg, size, lo, hi);
        return;
      case 'acc':
        this.writeReg(RAX, size, lo, hi);
        return;
    }
    if (d.hasMem) this.writeMem(size, lo, hi);
    else this.writeReg(d.rmReg, size, lo, hi);
  }

  // ---- stack helpers --------------------------------------------------------------------------------------------

  /** Push/pop operand size: 64 in 64-bit mode unless 0x66 (16). */
  private stackOpBytes(): 2 | 4 | 8 {
    const s = this.d.opSize;
    return s === 16 ? 2 : s === 64 ? 8 : 4;
  }

  private jumpTo(lo: number, hi: number, opSize: number): void {
    const c = this.cpu;
    if (c.mode === 'long' && opSize !== 16) {
      const top = c.cr4 & 0x1000 ? hi >> 24 : hi >> 15;
      if (top !== 0 && top !== -1) c.raise(GP, 0, 'jump to a non-canonical address');
      c.ripLo = lo >>> 0;
      c.ripHi = hi >>> 0;
      return;
    }
    const t = opSize === 16 ? lo & 0xffff : lo >>> 0;
    if (c.mode !== 'long' && t > c.seg[CS].limit) c.raise(GP, 0, `jump target 0x${t.toString(16)} beyond the CS limit`);
    c.ripLo = t;
    c.ripHi = 0;
  }

  private relTarget(): void {
    // next + rel, wrapped to the operand size
    const d = this.d;
    const s = this.nLo + d.rel;
    let lo: number, hi: number;
    if (this.cpu.codeSize === 64) {
      lo = s >>> 0;
      hi = (this.nHi + Math.floor(s / TWO32)) >>> 0;
    } else {
      lo = s >>> 0;
      hi = 0;
    }
    this.tLo = lo;
    this.tHi = hi;
  }
  private tLo = 0;
  private tHi = 0;

  /** The count register by address size (CX/ECX/RCX). */
  private counterZeroAfterDec(): boolean {
    const c = this.cpu, as = this.d.addrSize;
    if (as === 16) {
      const v = (c.gprLo[RCX] - 1) & 0xffff;
      c.gprLo[RCX] = ((c.gprLo[RCX] & 0xffff0000) | v) >>> 0;
      return v === 0;
    }
    if (as === 32) {
      c.gprLo[RCX] = (c.gprLo[RCX] - 1) >>> 0;
      if (c.mode === 'long') c.gprHi[RCX] = 0;
      return c.gprLo[RCX] === 0;
    }
    const l = c.gprLo[RCX] - 1;
    if (l < 0) c.gprHi[RCX] = (c.gprHi[RCX] - 1) >>> 0;
    c.gprLo[RCX] = l >>> 0;
    return c.gprLo[RCX] === 0 && c.gprHi[RCX] === 0;
  }

  private counterIsZero(): boolean {
    const c = this.cpu, as = this.d.addrSize;
    if (as === 16) return (c.gprLo[RCX] & 0xffff) === 0;
    if (as === 32) return c.gprLo[RCX] === 0;
    return c.gprLo[RCX] === 0 && c.gprHi[RCX] === 0;
  }

  /** Advances SI/DI (reg) by ±bytes per address size. */
  private stepIndex(r: number, bytes: number): void {
    const c = this.cpu, as = this.d.addrSize;
    const delta = c.eflags & EFL_DF ? -bytes : bytes;
    if (as === 16) c.gprLo[r] = ((c.gprLo[r] & 0xffff0000) | ((c.gprLo[r] + delta) & 0xffff)) >>> 0;
    else if (as === 32) {
      c.gprLo[r] = (c.gprLo[r] + delta) >>> 0;
      if (c.mode === 'long') c.gprHi[r] = 0;
    } else {
      const s = c.gprLo[r] + delta;
      c.gprHi[r] = (c.gprHi[r] + (s >= TWO32 ? 1 : s < 0 ? -1 : 0)) >>> 0;
      c.gprLo[r] = s >>> 0;
    }
  }

  private indexOffset(r: number): number {
    const c = this.cpu;
    return this.d.addrSize === 16 ? c.gprLo[r] & 0xffff : c.gprLo[r];
  }
  private indexHi(r: number): number {
    return this.d.addrSize === 64 ? this.cpu.gprHi[r] : 0;
  }

  private ioAllowed(port: number, bytes: number): void {
    const c = this.cpu;
    if (c.mode === 'real') return;
    const iopl = (c.eflags & EFL_IOPL) >>> 12;
    if (c.cpl <= iopl && c.mode !== 'v86') return;
    // I/O permission bitmap in the TSS
    const tr = c.tr;
    if (!tr.usable || tr.limit < 0x67) c.raise(GP, 0, `I/O port 0x${port.toString(16)} denied (CPL > IOPL, no I/O bitmap)`);
    const base = c.readSys16((tr.base + 0x66) >>> 0, tr.baseHi);
    const byte = base + (port >>> 3);
    if (byte + 1 > tr.limit) c.raise(GP, 0, `I/O port 0x${port.toString(16)} beyond the TSS I/O bitmap`);
    const bits = c.readSys16((tr.base + byte) >>> 0, tr.baseHi);
    if ((bits >>> (port & 7)) & ((1 << bytes) - 1)) c.raise(GP, 0, `I/O port 0x${port.toString(16)} denied by the I/O bitmap`);
  }

  // ---- the big switch -------------------------------------------------------------------------------------------

  private execute(c: Cpu, d: DecodedInstruction): void {
    const f = d.form!;
    const op = f.op;
    const size = d.opSize || 32;
    const ops = f.operands;
    const last = ops.length - 1;
    switch (op) {
      case 'nop': case 'pause': case 'endbr64': case 'endbr32': case 'lfence': case 'mfence': case 'sfence':
      case 'prefetchnta': case 'prefetcht0': case 'prefetcht1': case 'prefetcht2': case 'prefetchw': case 'serialize':
      case 'clflush': case 'clflushopt': case 'clwb': case 'fwait':
        this.done();
        return;
      case 'wbinvd': case 'invd': case 'wbnoinvd':
        c.requireCpl0(op.toUpperCase());
        this.done();
        return;

      // -- data movement --
      case 'mov': {
        const v = this.get(0, size);
        this.set(last, v, this.vHi, size);
        this.done();
        return;
      }
      case 'movzx': {
        const v = this.get(0);
        this.set(last, v, 0, size);
        this.done();
        return;
      }
      case 'movsx': case 'movsxd': {
        const from = this.sizeOf(ops[0]) === 32 || op === 'movsxd' ? (this.sizeOf(ops[0]) === 32 ? 32 : this.sizeOf(ops[0])) : this.sizeOf(ops[0]);
        const v = this.get(0, from);
        const sv = from === 8 ? (v << 24) >> 24 : from === 16 ? (v << 16) >> 16 : v | 0;
        this.set(last, sv >>> 0, sv < 0 ? 0xffffffff : 0, size);
        this.done();
        return;
      }
      case 'lea': {
        let lo = this.eaLo, hi = this.eaHi;
        if (size === 16) lo &= 0xffff;
        if (size !== 64) hi = 0;
        this.writeReg(d.reg, size, lo, hi);
        this.done();
        return;
      }
      case 'xchg': {
        const a = this.get(0, size), ah = this.vHi;
        const b = this.get(last, size), bh = this.vHi;
        this.set(last, a, ah, size);
        this.set(0, b, bh, size);
        this.done();
        return;
      }
      case 'bswap': {
        const r = d.rmReg;
        const v = c.gprLo[r];
        const sw = (x: number) => (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0;
        if (size === 64) {
          const h = c.gprHi[r];
          c.gprHi[r] = sw(v);
          c.gprLo[r] = sw(h);
        } else this.writeReg(r, 32, sw(v), 0);
        this.done();
        return;
      }
      case 'cmovcc': {
        const v = this.get(0, size), vh = this.vHi;
        if (condition(c, f.cc!)) this.writeReg(d.reg, size, v, vh);
        else if (size === 32) c.gprHi[d.reg] = 0; // 32-bit CMOV zero-extends even when false
        this.done();
        return;
      }
      case 'setcc':
        this.set(0, condition(c, f.cc!) ? 1 : 0, 0, 8);
        this.done();
        return;
      case 'cbw': {
        const sz = f.impliedSize ?? size;
        if (sz === 16) this.writeReg(RAX, 16, ((c.gprLo[RAX] << 24) >> 24) & 0xffff, 0);
        else if (sz === 32) this.writeReg(RAX, 32, (c.gprLo[RAX] << 16) >> 16, 0);
        else this.writeReg(RAX, 64, c.gprLo[RAX], c.gprLo[RAX] & 0x80000000 ? 0xffffffff : 0);
        this.done();
        return;
      }
      case 'cwd': {
        const sz = f.impliedSize ?? size;
        if (sz === 16) this.writeReg(RDX, 16, c.gprLo[RAX] & 0x8000 ? 0xffff : 0, 0);
        else if (sz === 32) this.writeReg(RDX, 32, c.gprLo[RAX] & 0x80000000 ? 0xffffffff : 0, 0);
        else this.writeReg(RDX, 64, c.gprHi[RAX] & 0x80000000 ? 0xffffffff : 0, c.gprHi[RAX] & 0x80000000 ? 0xffffffff : 0);
        this.done();
        return;
      }
      case 'xlat': {
        const off = (this.d.addrSize === 16 ? (c.gprLo[RBX] + (c.gprLo[RAX] & 0xff)) & 0xffff : (c.gprLo[RBX] + (c.gprLo[RAX] & 0xff)) >>> 0);
        const seg = d.segment >= 0 ? d.segment : DS;
        this.writeReg(RAX, 8, c.read8(seg, off, this.d.addrSize === 64 ? c.gprHi[RBX] : 0), 0);
        this.done();
        return;
      }
      case 'lahf':
        this.writeReg(4, 8, c.getEflags() & 0xd7 | 2, 0); // AH
        this.done();
        return;
      case 'sahf':
        c.setEflags((c.getEflags() & ~0xd5) | ((c.gprLo[RAX] >>> 8) & 0xd5));
        this.done();
        return;

      // -- arithmetic --
      case 'add': case 'or': case 'adc': case 'sbb': case 'and': case 'sub': case 'xor': case 'cmp': {
        const b = this.get(0, size), bh = this.vHi;
        const a = this.get(last, size), ah = this.vHi;
        switch (op) {
          case 'add': add(c, size, a, ah, b, bh, 0); break;
          case 'adc': add(c, size, a, ah, b, bh, c.getEflags() & F_CF); break;
          case 'sub': case 'cmp': sub(c, size, a, ah, b, bh, 0); break;
          case 'sbb': sub(c, size, a, ah, b, bh, c.getEflags() & F_CF); break;
          case 'and': logic(c, size, a & b, ah & bh); break;
          case 'or': logic(c, size, a | b, ah | bh); break;
          default: logic(c, size, a ^ b, ah ^ bh); break;
        }
        if (op !== 'cmp') this.set(last, res.lo, res.hi, size);
        this.done();
        return;
      }
      case 'test': {
        const b = this.get(0, size), bh = this.vHi;
        const a = this.get(last, size), ah = this.vHi;
        logic(c, size, a & b, ah & bh);
        this.done();
        return;
      }
      case 'inc': case 'dec': {
        const a = this.get(0, size);
        incdec(c, size, a, this.vHi, op === 'dec');
        this.set(0, res.lo, res.hi, size);
        this.done();
        return;
      }
      case 'neg': {
        const a = this.get(0, size);
        neg(c, size, a, this.vHi);
        this.set(0, res.lo, res.hi, size);
        this.done();
        return;
      }
      case 'not': {
        const a = this.get(0, size);
        this.set(0, ~a >>> 0, ~this.vHi >>> 0, size);
        this.done();
        return;
      }
      case 'rol': case 'ror': case 'rcl': case 'rcr': case 'shl': case 'shr': case 'sar': {
        const count = ops.length === 1 ? 1 : this.get(0) & (size === 64 ? 0x3f : 0x1f);
        const a = this.get(last, size);
        shift(c, size, SHIFT_KIND[op], a, this.vHi, count);
        this.set(last, res.lo, res.hi, size);
        this.done();
        return;
      }
      case 'mul': case 'imul': case 'div': case 'idiv':
        this.mulDiv(c, op, size, ops.length);
        this.done();
        return;
      case 'bt': case 'bts': case 'btr': case 'btc': {
        const bitSrc = this.get(0, size);
        let bit = ops[0] === 'i8' ? bitSrc & (size - 1) : bitSrc;
        if (d.hasMem && ops[0] !== 'i8') {
          // register bit offset addresses memory beyond the operand (signed)
          const sb = size === 16 ? (bitSrc << 16) >> 16 : bitSrc | 0;
          const byteOff = Math.floor(sb / size) * (size / 8);
          this.eaLo = d.addrSize === 16 ? (this.eaLo + byteOff) & 0xffff : (this.eaLo + byteOff) >>> 0;
          bit = ((sb % size) + size) % size;
        } else bit &= size - 1;
        const v = this.get(last, size);
        const word = bit >= 32 ? this.vHi : v;
        const m = 1 << (bit & 31);
        const was = (word & m) !== 0;
        c.setEflags((c.getEflags() & ~F_CF) | (was ? F_CF : 0));
        if (op !== 'bt') {
          let nw = op === 'bts' ? word | m : op === 'btr' ? word & ~m : word ^ m;
          nw >>>= 0;
          if (bit >= 32) this.set(last, v, nw, size);
          else this.set(last, nw, this.vHi, size);
        }
        this.done();
        return;
      }
      case 'bsf': case 'bsr': {
        const v = this.get(0, size), vh = size === 64 ? this.vHi : 0;
        if (v === 0 && vh === 0) {
          c.setEflags(c.getEflags() | F_ZF);
        } else {
          let idx: number;
          if (op === 'bsf') idx = v !== 0 ? 31 - Math.clz32(v & -v) : 32 + 31 - Math.clz32(vh & -vh);
          else idx = vh !== 0 ? 63 - Math.clz32(vh) : 31 - Math.clz32(v);
          c.setEflags(c.getEflags() & ~F_ZF);
          this.writeReg(d.reg, size, idx, 0);
        }
        this.done();
        return;
      }
      case 'xadd': {
        const s = this.get(0, size), sh = this.vHi;
        const dv = this.get(last, size), dh = this.vHi;
        add(c, size, dv, dh, s, sh, 0);
        this.set(last, res.lo, res.hi, size);
        this.writeReg(d.reg, size, dv, dh);
        this.done();
        return;
      }
      case 'cmpxchg': {
        const dv = this.get(last, size), dh = this.vHi;
        const acc = this.readReg(RAX, size), acch = this.vHi;
        sub(c, size, acc, acch, dv, dh, 0);
        if (c.eflags & F_ZF) {
          const s = this.get(0, size);
          this.set(last, s, this.vHi, size);
        } else {
          this.set(last, dv, dh, size); // the destination is always written back
          this.writeReg(RAX, size, dv, dh);
        }
        this.done();
        return;
      }

      // -- control transfer --
      case 'jmp':
        this.relTarget();
        this.jumpTo(this.tLo, this.tHi, c.codeSize === 64 ? 64 : size);
        return;
      case 'jcc':
        if (condition(c, f.cc!)) {
          this.relTarget();
          this.jumpTo(this.tLo, this.tHi, c.codeSize === 64 ? 64 : size);
        } else this.done();
        return;
      case 'jrcxz':
        if (this.counterIsZero()) {
          this.relTarget();
          this.jumpTo(this.tLo, this.tHi, c.codeSize === 64 ? 64 : c.codeSize);
        } else this.done();
        return;
      case 'loop': case 'loope': case 'loopne': {
        const zero = this.counterZeroAfterDec();
        const zf = (c.getEflags() & F_ZF) !== 0;
        const take = !zero && (op === 'loop' || (op === 'loope' ? zf : !zf));
        if (take) {
          this.relTarget();
          this.jumpTo(this.tLo, this.tHi, c.codeSize === 64 ? 64 : (d.opSize || c.codeSize));
        } else this.done();
        return;
      }
      case 'call': {
        this.relTarget();
        const bytes = this.stackOpBytes();
        const t = this.tLo, th = this.tHi;
        c.push(bytes, this.nLo, this.nHi);
        this.jumpTo(t, th, bytes * 8);
        return;
      }
      case 'jmp_indirect': case 'call_indirect': {
        const sz = c.mode === 'long' ? (d.opSize === 16 ? 16 : 64) : size;
        const t = this.get(0, sz), th = sz === 64 ? this.vHi : 0;
        if (op === 'call_indirect') c.push((sz / 8) as 2 | 4 | 8, this.nLo, this.nHi);
        this.jumpTo(t, th, sz);
        return;
      }
      case 'ret': {
        const bytes = this.stackOpBytes();
        const lo = c.pop(bytes), hi = bytes === 8 ? c.mmu.hi : 0;
        if (ops.length) this.releaseStack(d.imm & 0xffff);
        this.jumpTo(lo, hi, bytes * 8);
        return;
      }
      case 'jmp_far': case 'call_far': {
        // The decoder fills immediates in encoding order: with immReverse the offset comes first.
        const selFirst = (ops[0] === 'fsel') !== f.immReverse;
        const sel = selFirst ? d.imm & 0xffff : d.imm2 & 0xffff;
        const off = selFirst ? d.imm2 : d.imm;
        const offset = size === 16 ? off & 0xffff : off >>> 0;
        if (op === 'jmp_far') farJump(c, sel, offset, 0, this.nLo);
        else farCall(c, sel, offset, 0, (size / 8) as 2 | 4, this.nLo, this.nHi);
        return;
      }
      case 'jmp_far_indirect': case 'call_far_indirect': {
        const offBytes = size === 16 ? 2 : size === 64 ? 8 : 4;
        const off = offBytes === 2 ? this.readMemAt(0, 16) : offBytes === 4 ? this.readMemAt(0, 32) : this.readMemAt(0, 64);
        const offHi = offBytes === 8 ? this.vHi : 0;
        const sel = this.readMemAt(offBytes, 16);
        if (op === 'jmp_far_indirect') farJump(c, sel, off, offHi, this.nLo);
        else farCall(c, sel, off, offHi, offBytes as 2 | 4 | 8, this.nLo, this.nHi);
        return;
      }
      case 'lret':
        farReturn(c, (size / 8) as 2 | 4 | 8, ops.length ? d.imm & 0xffff : 0);
        return;
      case 'iret':
        iret(c, (size / 8) as 2 | 4 | 8, this.nLo);
        return;
      case 'int':
        this.softInt(d.imm & 0xff);
        return;
      case 'int3':
        this.softInt(3);
        return;
      case 'into':
        if (c.getEflags() & F_OF) this.softInt(4);
        else this.done();
        return;
      case 'int1':
        this.softInt(1);
        return;
      case 'ud2': case 'ud1': case 'ud0':
        c.raise(UD, 0, op.toUpperCase());
        return;
      case 'hlt':
        c.requireCpl0('HLT');
        this.done();
        c.runState = 'halted';
        return;
      case 'enter': {
        const bytes = this.stackOpBytes();
        const alloc = d.imm & 0xffff, level = d.imm2 & 0x1f;
        c.push(bytes, c.gprLo[RBP], c.gprHi[RBP]);
        const frameLo = c.gprLo[RSP], frameHi = c.gprHi[RSP];
        if (level > 0) c.raise(UD, 0, 'ENTER with nesting level > 0 is not implemented');
        this.writeReg(RBP, bytes * 8, frameLo, frameHi);
        this.releaseStack(-alloc);
        this.done();
        return;
      }
      case 'leave': {
        const w = c.stackSize;
        this.writeReg(RSP, w, c.gprLo[RBP], c.gprHi[RBP]);
        const bytes = this.stackOpBytes();
        const v = c.pop(bytes);
        this.writeReg(RBP, bytes * 8, v, c.mmu.hi);
        this.done();
        return;
      }

      // -- stack --
      case 'push': {
        const bytes = this.stackOpBytes();
        const v = this.get(0, bytes * 8);
        let vh = bytes === 8 ? this.vHi : 0;
        if ((ops[0] === 'i' || ops[0] === 'is8') && bytes === 8) vh = d.imm < 0 ? 0xffffffff : 0;
        c.push(bytes, v, vh);
        this.done();
        return;
      }
      case 'pop': {
        const bytes = this.stackOpBytes();
        const v = c.pop(bytes), vh = c.mmu.hi;
        this.set(0, v, vh, bytes * 8);
        this.done();
        return;
      }
      case 'push_sreg': {
        const seg = this.sregOf(f.opcode);
        const bytes = this.stackOpBytes();
        c.push(bytes, c.seg[seg].selector);
        this.done();
        return;
      }
      case 'pop_sreg': {
        const seg = this.sregOf(f.opcode);
        const bytes = this.stackOpBytes();
        const spLo = c.gprLo[RSP], spHi = c.gprHi[RSP];
        const v = c.pop(bytes) & 0xffff;
        try {
          loadSegment(c, seg, v);
        } catch (e) {
          c.gprLo[RSP] = spLo;
          c.gprHi[RSP] = spHi;
          throw e;
        }
        if (seg === SS) c.interruptShadow = true;
        this.done();
        return;
      }
      case 'pusha': {
        const bytes = size === 16 ? 2 : 4;
        const sp = c.gprLo[RSP];
        for (const r of [RAX, RCX, RDX, RBX]) c.push(bytes, c.gprLo[r]);
        c.push(bytes, sp);
        for (const r of [RBP, RSI, RDI]) c.push(bytes, c.gprLo[r]);
        this.done();
        return;
      }
      case 'popa': {
        const bytes = size === 16 ? 2 : 4;
        for (const r of [RDI, RSI, RBP]) this.writeReg(r, bytes * 8, c.pop(bytes), 0);
        c.pop(bytes);
        for (const r of [RBX, RDX, RCX, RAX]) this.writeReg(r, bytes * 8, c.pop(bytes), 0);
        this.done();
        return;
      }
      case 'pushf': {
        if (c.mode === 'v86' && ((c.eflags & EFL_IOPL) >>> 12) < 3) c.raise(GP, 0, 'PUSHF in V86 mode with IOPL < 3');
        const bytes = this.stackOpBytes();
        c.push(bytes, c.getEflags() & ~(EFL_VM | EFL_RF) & (bytes === 2 ? 0xffff : 0xffffffff));
        this.done();
        return;
      }
      case 'popf': {
        const bytes = this.stackOpBytes();
        const v = c.pop(bytes);
        this.popFlags(v, bytes);
        this.done();
        return;
      }

      // -- flags --
      case 'clc': c.setEflags(c.getEflags() & ~F_CF); this.done(); return;
      case 'stc': c.setEflags(c.getEflags() | F_CF); this.done(); return;
      case 'cmc': c.setEflags(c.getEflags() ^ F_CF); this.done(); return;
      case 'cld': c.eflags &= ~EFL_DF; this.done(); return;
      case 'std': c.eflags |= EFL_DF; this.done(); return;
      case 'cli':
        this.checkIopl('CLI');
        c.eflags &= ~EFL_IF;
        this.done();
        return;
      case 'sti':
        this.checkIopl('STI');
        if (!(c.eflags & EFL_IF)) c.interruptShadow = true;
        c.eflags |= EFL_IF;
        this.done();
        return;
      case 'clac': case 'stac':
        c.requireCpl0(op.toUpperCase());
        if (op === 'stac') c.eflags |= EFL_AC;
        else c.eflags &= ~EFL_AC;
        this.done();
        return;

      // -- strings --
      case 'movs': case 'stos': case 'lods': case 'cmps': case 'scas': case 'ins': case 'outs':
        this.string(c, op, size);
        return;

      // -- ports --
      case 'in': case 'out': {
        const portSpec = op === 'in' ? ops[0] : ops[last];
        const port = portSpec === 'i8' ? d.imm & 0xff : c.gprLo[RDX] & 0xffff;
        const bytes = (size / 8) as 1 | 2 | 4;
        this.ioAllowed(port, bytes);
        if (op === 'in') this.writeReg(RAX, size, c.portIn(port, bytes), 0);
        else c.portOut(port, bytes, this.readReg(RAX, size));
        this.done();
        return;
      }

      // -- segments and descriptor tables --
      case 'mov_sreg': {
        if (ops[last] === 'sreg') {
          const seg = d.reg & 7;
          if (seg === CS || seg > GS) c.raise(UD, 0, 'MOV to CS or a nonexistent segment register');
          const v = this.get(0, 16);
          loadSegment(c, seg, v);
          if (seg === SS) c.interruptShadow = true;
        } else {
          const seg = d.reg & 7;
          if (seg > GS) c.raise(UD, 0, 'nonexistent segment register');
          const v = c.seg[seg].selector;
          if (d.hasMem) this.writeMem(16, v, 0);
          else this.writeReg(d.rmReg, size === 16 ? 16 : size, v, 0);
        }
        this.done();
        return;
      }
      case 'les': case 'lds': case 'lss': case 'lfs': case 'lgs': {
        const seg = op === 'les' ? ES : op === 'lds' ? DS : op === 'lss' ? SS : op === 'lfs' ? FS : GS;
        const offBytes = size / 8;
        const off = this.readMemAt(0, size === 64 ? 64 : size), offHi = this.vHi;
        const sel = this.readMemAt(offBytes, 16);
        loadSegment(c, seg, sel);
        this.writeReg(d.reg, size, off, offHi);
        if (seg === SS) c.interruptShadow = true;
        this.done();
        return;
      }
      case 'lgdt': case 'lidt': {
        c.requireCpl0(op.toUpperCase());
        const limit = this.readMemAt(0, 16);
        let base = this.readMemAt(2, c.mode === 'long' ? 64 : 32);
        const baseHi = c.mode === 'long' ? this.vHi : 0;
        if (c.mode !== 'long' && size === 16) base &= 0xffffff; // 16-bit operand: 24-bit base
        if (op === 'lgdt') loadGdtr(c, base, baseHi, limit);
        else loadIdtr(c, base, baseHi, limit);
        this.done();
        return;
      }
      case 'sgdt': case 'sidt': {
        if (c.cr4 & 0x800 && c.cpl > 0) c.raise(GP, 0, `${op.toUpperCase()} blocked by UMIP`);
        const g = op === 'sgdt';
        const limit = g ? c.gdtLimit : c.idtLimit, base = g ? c.gdtBase : c.idtBase, baseHi = g ? c.gdtBaseHi : c.idtBaseHi;
        c.write16(this.eaSeg, this.eaLo, this.eaHi, limit);
        const a2 = this.eaLo + 2;
        if (c.mode === 'long') c.write64(this.eaSeg, a2 >>> 0, (this.eaHi + (a2 >= TWO32 ? 1 : 0)) >>> 0, base, baseHi);
        else c.write32(this.eaSeg, d.addrSize === 16 ? a2 & 0xffff : a2 >>> 0, 0, base);
        this.done();
        return;
      }
      case 'lldt': c.requireCpl0('LLDT'); loadLdtr(c, this.get(0, 16)); this.done(); return;
      case 'ltr': c.requireCpl0('LTR'); loadTr(c, this.get(0, 16)); this.done(); return;
      case 'sldt': case 'str': {
        if (c.mode === 'real' || c.mode === 'v86') c.raise(UD, 0, `${op.toUpperCase()} in real mode`);
        const v = op === 'sldt' ? c.ldtr.selector : c.tr.selector;
        if (d.hasMem) this.writeMem(16, v, 0);
        else this.writeReg(d.rmReg, size, v, 0);
        this.done();
        return;
      }
      case 'smsw': {
        const v = c.cr0 >>> 0;
        if (d.hasMem) this.writeMem(16, v & 0xffff, 0);
        else this.writeReg(d.rmReg, size, size === 16 ? v & 0xffff : v, 0);
        this.done();
        return;
      }
      case 'lmsw':
        c.requireCpl0('LMSW');
        lmsw(c, this.get(0, 16));
        this.done();
        return;
      case 'clts':
        c.requireCpl0('CLTS');
        clts(c);
        this.done();
        return;
      case 'mov_cr': {
        c.requireCpl0('MOV CR');
        const crIsDest = ops[last] === 'cr';
        const n = d.reg;
        if (crIsDest) {
          const v = this.readReg(d.rmReg, c.mode === 'long' ? 64 : 32), vh = c.mode === 'long' ? this.vHi : 0;
          this.done(); // control-register writes can change mode; RIP first so events show the next instruction
          const rip = c.ripLo, riph = c.ripHi;
          c.ripLo = this.fetchLo;
          c.ripHi = this.fetchHi;
          if (n === 0) writeCr0(c, v, vh);
          else if (n === 2) writeCr2(c, v, vh);
          else if (n === 3) writeCr3(c, v, vh);
          else if (n === 4) writeCr4(c, v, vh);
          else if (n === 8) writeCr8(c, v, vh);
          else c.raise(UD, 0, `no CR${n}`);
          c.ripLo = rip;
          c.ripHi = riph;
        } else {
          let lo: number, hi: number;
          if (n === 0) { lo = c.cr0 >>> 0; hi = 0; }
          else if (n === 2) { lo = c.cr2Lo; hi = c.cr2Hi; }
          else if (n === 3) { lo = c.cr3Lo; hi = c.cr3Hi; }
          else if (n === 4) { lo = c.cr4 >>> 0; hi = 0; }
          else if (n === 8) { lo = c.cr8; hi = 0; }
          else c.raise(UD, 0, `no CR${n}`);
          this.writeReg(d.rmReg, c.mode === 'long' ? 64 : 32, lo, hi);
          this.done();
        }
        return;
      }
      case 'mov_dr': {
        c.requireCpl0('MOV DR');
        const n = d.reg & 7;
        if (ops[last] === 'dr') {
          const v = this.readReg(d.rmReg, c.mode === 'long' ? 64 : 32);
          c.dr[2 * n] = v;
          c.dr[2 * n + 1] = c.mode === 'long' ? this.vHi : 0;
        } else this.writeReg(d.rmReg, c.mode === 'long' ? 64 : 32, c.dr[2 * n], c.dr[2 * n + 1]);
        this.done();
        return;
      }
      case 'invlpg':
        c.requireCpl0('INVLPG');
        c.mmu.linearize(this.eaSeg, this.eaLo, this.eaHi, 1, ACC_READ);
        c.mmu.invalidatePage(c.mmu.linLo, c.mmu.linHi);
        this.done();
        return;
      case 'invpcid':
        c.requireCpl0('INVPCID');
        c.mmu.flushAll();
        this.done();
        return;

      // -- model specific --
      case 'cpuid':
        executeCpuid(c, c.gprLo[RAX], c.gprLo[RCX], this.cpuCount);
        for (let i = 0; i < 4; i++) this.writeReg([RAX, RBX, RCX, RDX][i], 32, c.cpuidOut[i], 0);
        this.done();
        return;
      case 'rdmsr': {
        const lo = readMsr(c, c.gprLo[RCX]);
        this.writeReg(RAX, 32, lo, 0);
        this.writeReg(RDX, 32, c.mmu.hi, 0);
        this.done();
        return;
      }
      case 'wrmsr': {
        const rip = this.nLo, riph = this.nHi;
        writeMsr(c, c.gprLo[RCX], c.gprLo[RAX], c.gprLo[RDX]);
        c.ripLo = rip;
        c.ripHi = riph;
        return;
      }
      case 'rdtsc': case 'rdtscp': {
        if (c.cr4 & CR4_TSD && c.cpl > 0) c.raise(GP, 0, 'RDTSC with CR4.TSD at CPL > 0');
        const t = c.instructionsRetired + c.tscOffset;
        this.writeReg(RAX, 32, t >>> 0, 0);
        this.writeReg(RDX, 32, Math.floor(t / TWO32) >>> 0, 0);
        if (op === 'rdtscp') this.writeReg(RCX, 32, c.msr.get(MSR_TSC_AUX)?.[0] ?? 0, 0);
        this.done();
        return;
      }
      case 'rdpid':
        this.writeReg(d.rmReg, c.mode === 'long' ? 64 : 32, c.msr.get(MSR_TSC_AUX)?.[0] ?? 0, 0);
        this.done();
        return;
      case 'xgetbv':
        if (!(c.cr4 & 0x40000)) c.raise(UD, 0, 'XGETBV needs CR4.OSXSAVE');
        if (c.gprLo[RCX] !== 0) c.raise(GP, 0, 'XGETBV: only XCR0 exists');
        this.writeReg(RAX, 32, c.xcr0Lo, 0);
        this.writeReg(RDX, 32, c.xcr0Hi, 0);
        this.done();
        return;
      case 'xsetbv':
        xsetbv(c, c.gprLo[RCX], c.gprLo[RAX], c.gprLo[RDX]);
        this.done();
        return;
      case 'syscall':
        syscall(c, this.nLo, this.nHi);
        return;
      case 'sysret':
        sysret(c, size === 64);
        return;
      case 'swapgs':
        swapgs(c);
        this.done();
        return;
      case 'rdfsbase': case 'rdgsbase': case 'wrfsbase': case 'wrgsbase': {
        if (c.mode !== 'long') c.raise(UD, 0, `${op} outside 64-bit mode`);
        if (!(c.cr4 & CR4_FSGSBASE)) c.raise(UD, 0, `${op} needs CR4.FSGSBASE`);
        const s = c.seg[op.includes('fs') ? FS : GS];
        if (op.startsWith('rd')) this.writeReg(d.rmReg, size, s.base, s.baseHi);
        else {
          const v = this.readReg(d.rmReg, size), vh = size === 64 ? this.vHi : 0;
          s.base = v;
          s.baseHi = vh;
        }
        this.done();
        return;
      }
      case 'fninit': case 'fnclex': case 'finit': case 'fclex': case 'emms':
        if (c.cr0 & 0x4 || c.cr0 & CR0_TS) c.raise(7, 0, 'x87 instruction with CR0.EM or CR0.TS');
        this.done();
        return;
      case 'fnstsw': case 'fstsw': case 'fnstcw': case 'fstcw': {
        if (c.cr0 & 0x4 || c.cr0 & CR0_TS) c.raise(7, 0, 'x87 instruction with CR0.EM or CR0.TS');
        const v = op.endsWith('sw') ? 0 : 0x37f; // FPU after FNINIT: status 0, control 0x37F
        if (d.hasMem) this.writeMem(16, v, 0);
        else this.writeReg(RAX, 16, v, 0);
        this.done();
        return;
      }
      case 'fldcw':
        this.done();
        return;
      case 'bound': {
        const idx = this.readReg(d.reg, size);
        const lo = this.readMemAt(0, size), hi = this.readMemAt(size / 8, size);
        const sx = (v: number) => (size === 16 ? (v << 16) >> 16 : v | 0);
        if (sx(idx) < sx(lo) || sx(idx) > sx(hi)) c.raise(BR, 0, 'BOUND range exceeded');
        this.done();
        return;
      }
    }
    c.raise(UD, 0, `instruction '${f.names[0]}' (${f.id}) is not implemented by the emulator yet`);
  }

  private sregOf(opcode: number[]): number {
    const last = opcode[opcode.length - 1];
    if (opcode.length === 1) return (last >> 3) & 3; // 06/07 ES, 0e CS, 16/17 SS, 1e/1f DS
    return last === 0xa0 || last === 0xa1 ? FS : GS;
  }

  private releaseStack(n: number): void {
    const c = this.cpu, w = c.stackSize;
    const lo = c.gprLo[RSP];
    if (w === 16) c.gprLo[RSP] = ((lo & 0xffff0000) | ((lo + n) & 0xffff)) >>> 0;
    else if (w === 32) c.gprLo[RSP] = (lo + n) >>> 0;
    else {
      const s = lo + n;
      c.gprHi[RSP] = (c.gprHi[RSP] + (s >= TWO32 ? 1 : s < 0 ? -1 : 0)) >>> 0;
      c.gprLo[RSP] = s >>> 0;
    }
  }

  private softInt(v: number): void {
    const c = this.cpu;
    if (c.mode === 'v86' && ((c.eflags & EFL_IOPL) >>> 12) < 3) c.raise(GP, 0, 'INT n in V86 mode with IOPL < 3');
    deliverSoftwareInterrupt(c, v, this.nLo, this.nHi);
  }

  private checkIopl(what: string): void {
    const c = this.cpu;
    if (c.mode === 'real') return;
    if (c.cpl > ((c.eflags & EFL_IOPL) >>> 12)) c.raise(GP, 0, `${what} at CPL ${c.cpl} above IOPL`);
  }

  private popFlags(v: number, bytes: number): void {
    const c = this.cpu;
    const cur = c.getEflags();
    let changeable = F_CF | F_PF | F_AF | F_ZF | F_SF | F_OF | EFL_TF | EFL_DF | EFL_NT | EFL_AC | EFL_ID | EFL_IF | EFL_IOPL;
    if (c.mode !== 'real') {
      if (c.cpl > 0) changeable &= ~EFL_IOPL;
      if (c.cpl > ((cur & EFL_IOPL) >>> 12)) changeable &= ~EFL_IF;
    }
    if (bytes === 2) changeable &= 0xffff;
    c.setEflags((cur & ~changeable) | (v & changeable));
  }

  private mulDiv(c: Cpu, op: string, size: number, nops: number): void {
    if (op === 'imul' && nops >= 2) {
      // two/three operand forms: dst = src1 * src2 truncated; CF=OF when truncated
      const a = this.get(nops === 3 ? 1 : 0, size), ah = this.vHi;
      const b = nops === 3 ? this.get(0) : this.readReg(this.d.reg, size), bh = nops === 3 ? (this.d.imm < 0 ? 0xffffffff : 0) : this.vHi;
      const A = signedBig(size, a, ah), B = nops === 3 ? BigInt(this.d.imm) : signedBig(size, b, bh);
      const p = A * B;
      const m = (1n << BigInt(size)) - 1n;
      const t = p & m;
      const back = t >= 1n << BigInt(size - 1) ? t - (1n << BigInt(size)) : t;
      this.writeReg(this.d.reg, size, Number(t & 0xffffffffn) >>> 0, Number(t >> 32n) >>> 0);
      const over = back !== p;
      c.setEflags((c.getEflags() & ~(F_CF | F_OF | F_SF | F_ZF | F_PF | F_AF)) | (over ? F_CF | F_OF : 0) | (back < 0n ? F_SF : 0));
      return;
    }
    const src = this.get(0, size), srch = this.vHi;
    const big = (lo: number, hi: number) => (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
    const m = (1n << BigInt(size)) - 1n;
    const accLo = size === 8 ? c.gprLo[RAX] & 0xff : size === 16 ? c.gprLo[RAX] & 0xffff : c.gprLo[RAX];
    const acc = size === 64 ? big(c.gprLo[RAX], c.gprHi[RAX]) : BigInt(accLo >>> 0);
    const S = size === 64 ? big(src, srch) : BigInt(src >>> 0);
    const toSigned = (v: bigint) => (v >= 1n << BigInt(size - 1) ? v - (1n << BigInt(size)) : v);
    const put = (lowPart: bigint, highPart: bigint): void => {
      if (size === 8) this.writeReg(RAX, 16, Number(((highPart & 0xffn) << 8n) | (lowPart & 0xffn)), 0);
      else {
        this.writeReg(RAX, size, Number(lowPart & 0xffffffffn) >>> 0, Number((lowPart >> 32n) & 0xffffffffn) >>> 0);
        this.writeReg(RDX, size, Number(highPart & 0xffffffffn) >>> 0, Number((highPart >> 32n) & 0xffffffffn) >>> 0);
      }
    };
    if (op === 'mul' || op === 'imul') {
      const p = op === 'mul' ? acc * S : toSigned(acc) * toSigned(S);
      const pm = p & ((1n << BigInt(2 * size)) - 1n);
      const low = pm & m, high = pm >> BigInt(size);
      put(low, high);
      const over = op === 'mul' ? high !== 0n : toSigned(low) !== p;
      c.setEflags((c.getEflags() & ~(F_CF | F_OF | F_SF | F_ZF | F_PF | F_AF)) | (over ? F_CF | F_OF : 0) | ((low >> BigInt(size - 1)) & 1n ? F_SF : 0));
      return;
    }
    // div / idiv: dividend is DX:AX etc.
    if (S === 0n) c.raise(DE, 0, 'division by zero');
    let dividend: bigint;
    if (size === 8) dividend = BigInt(c.gprLo[RAX] & 0xffff);
    else if (size === 64) dividend = (big(c.gprLo[RDX], c.gprHi[RDX]) << 64n) | acc;
    else dividend = (BigInt((size === 16 ? c.gprLo[RDX] & 0xffff : c.gprLo[RDX]) >>> 0) << BigInt(size)) | acc;
    let q: bigint, r: bigint;
    if (op === 'div') {
      q = dividend / S;
      r = dividend % S;
      if (q > m) c.raise(DE, 0, 'quotient too large');
    } else {
      const dw = 2 * size;
      const sd = dividend >= 1n << BigInt(dw - 1) ? dividend - (1n << BigInt(dw)) : dividend;
      const ss = toSigned(S);
      q = sd / ss;
      r = sd % ss;
      if (q >= 1n << BigInt(size - 1) || q < -(1n << BigInt(size - 1))) c.raise(DE, 0, 'quotient too large');
      q &= m;
      r &= m;
    }
    put(q & m, r & m);
  }

  private string(c: Cpu, op: string, size: number): void {
    const d = this.d;
    const bytes = size / 8;
    const rep = (d.prefixes & (Prefix.Rep | Prefix.Repne)) !== 0;
    const repne = (d.prefixes & Prefix.Repne) !== 0;
    const srcSeg = d.segment >= 0 ? d.segment : DS;
    // One iteration per step() for REP so interrupts, events and breakpoints stay precise.
    if (rep && this.counterIsZero()) {
      this.done();
      return;
    }
    const rd = (seg: number, r: number): number => {
      const off = this.indexOffset(r), hi = this.indexHi(r);
      if (bytes === 1) return c.read8(seg, off, hi);
      if (bytes === 2) return c.read16(seg, off, hi);
      if (bytes === 4) return c.read32(seg, off, hi);
      const v = c.read64(seg, off, hi);
      this.vHi = c.mmu.hi;
      return v;
    };
    const wr = (r: number, v: number, vh: number): void => {
      const off = this.indexOffset(r), hi = this.indexHi(r);
      if (bytes === 1) c.write8(ES, off, hi, v);
      else if (bytes === 2) c.write16(ES, off, hi, v);
      else if (bytes === 4) c.write32(ES, off, hi, v);
      else c.write64(ES, off, hi, v, vh);
    };
    let compare = false;
    switch (op) {
      case 'movs': {
        const v = rd(srcSeg, RSI);
        wr(RDI, v, this.vHi);
        this.stepIndex(RSI, bytes);
        this.stepIndex(RDI, bytes);
        break;
      }
      case 'stos':
        wr(RDI, this.readReg(RAX, size), size === 64 ? c.gprHi[RAX] : 0);
        this.stepIndex(RDI, bytes);
        break;
      case 'lods': {
        const v = rd(srcSeg, RSI);
        this.writeReg(RAX, size, v, this.vHi);
        this.stepIndex(RSI, bytes);
        break;
      }
      case 'cmps': {
        const a = rd(srcSeg, RSI), ah = this.vHi;
        const b = rd(ES, RDI), bh = this.vHi;
        sub(c, size, a, ah, b, bh, 0);
        this.stepIndex(RSI, bytes);
        this.stepIndex(RDI, bytes);
        compare = true;
        break;
      }
      case 'scas': {
        const b = rd(ES, RDI), bh = this.vHi;
        const a = this.readReg(RAX, size), ah = size === 64 ? c.gprHi[RAX] : 0;
        sub(c, size, a, ah, b, bh, 0);
        this.stepIndex(RDI, bytes);
        compare = true;
        break;
      }
      case 'ins': {
        const port = c.gprLo[RDX] & 0xffff;
        this.ioAllowed(port, bytes);
        wr(RDI, c.portIn(port, bytes as 1 | 2 | 4), 0);
        this.stepIndex(RDI, bytes);
        break;
      }
      case 'outs': {
        const port = c.gprLo[RDX] & 0xffff;
        this.ioAllowed(port, bytes);
        c.portOut(port, bytes as 1 | 2 | 4, rd(srcSeg, RSI));
        this.stepIndex(RSI, bytes);
        break;
      }
    }
    if (!rep) {
      this.done();
      return;
    }
    const zero = this.counterZeroAfterDec();
    const zf = (c.eflags & F_ZF) !== 0;
    const stop = zero || (compare && (repne ? zf : !zf));
    if (stop) this.done(); // else RIP stays: the next step repeats this instruction
  }
}

function signedBig(size: number, lo: number, hi: number): bigint {
  if (size === 64) return BigInt.asIntN(64, (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0));
  const v = BigInt((lo & mask(size)) >>> 0);
  return v >= 1n << BigInt(size - 1) ? v - (1n << BigInt(size)) : v;
}

/** The name this executor was first published under (debug-adapter/runtime imports it). */
export { BootExecutor as X86Executor };
