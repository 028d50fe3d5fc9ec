// One logical processor: architectural state plus the MMU, and the memory/stack/port helpers an executor needs.
import { EFL_IF as EFL_IF_ } from '../../isa/bits/control';
import type { IoBus } from '../devices/iobus';
import type { PhysicalMemory } from '../memory/physical';
import type { CpuModel } from './cpuid';
import { CpuFault, GP as GP_ } from './fault';
import type { CpuHooks } from './hooks';
import { ACC_EXEC as ACC_EXEC_, ACC_READ as ACC_READ_, ACC_WRITE as ACC_WRITE_, Mmu, type AccessKind, type Platform } from './mmu';
import { CS as CS_, SS as SS_ } from './segment';
import { CpuState, RSP as RSP_, type CpuMode, type PagingMode } from './state';
// Local copies of imported bindings: module loaders that expose exports through getters (tsx) would
// otherwise pay a call on every use in the hot path.
const EFL_IF = EFL_IF_;
const GP = GP_;
const ACC_EXEC = ACC_EXEC_;
const ACC_READ = ACC_READ_;
const ACC_WRITE = ACC_WRITE_;
const CS = CS_;
const SS = SS_;
const RSP = RSP_;

/** Where a CPU's maskable external interrupts come from (its local APIC, or the PIC in virtual-wire mode). */
export interface InterruptSource {
  /** A maskable interrupt is pending and deliverable (APIC priority rules applied). */
  pending(): boolean;
  /** Accepts the highest-priority pending interrupt and returns its vector. */
  acknowledge(): number;
}

const TWO32 = 0x1_0000_0000;

export class Cpu extends CpuState {
  readonly fault = new CpuFault();
  readonly mmu: Mmu;
  hooks: CpuHooks | null = null;
  interrupts: InterruptSource | null = null;
  /** DR6 bits of data breakpoints hit by the current instruction (the #DB trap is delivered after it). */
  debugTrapBits = 0;
  /** The machine's interrupt epoch when this CPU last found nothing deliverable (see Machine.stepCpu). */
  irqSeenEpoch = -1;
  /** Pending NMI / INIT / SIPI (set by the APIC). */
  nmiPending = false;
  initPending = false;
  sipiVector = -1;
  /** CPUID result registers (EAX, EBX, ECX, EDX). */
  readonly cpuidOut = new Uint32Array(4);
  /** The local APIC's TPR follows CR8 (CR8 = TPR[7:4]); set by the machine. */
  tprSink: ((tpr: number) => void) | null = null;
  /** Set by the machine when something between instructions needs its attention: ends Executor.runBlock early. */
  exitBlock = false;
  /**
   * Start of the current instruction (RIP halves and CS selector) for event sites, recorded by the machine before
   * each step while events, breakpoints or watchpoints are on, and by the executor before each general-handler
   * instruction of a block.
   */
  startLo = 0;
  startHi = 0;
  startCs = 0;
  /** Physical address of the last linear access translated by the helpers (for watchpoints). */
  lastPhys = 0;

  constructor(
    id: number,
    readonly memory: PhysicalMemory,
    readonly platform: Platform,
    readonly model: CpuModel,
    readonly io: IoBus,
    readonly apicId: number,
  ) {
    super(id);
    const f = model.features;
    this.mmu = new Mmu(this, memory, this.fault, platform, { maxPhysAddr: model.maxPhysAddr, nx: f.nx, pages1g: f.pages1g, pse36: f.pse36 });
  }

  /** Throws the CPU's fault object for `vector` (error code ignored by vectors that push none). */
  raise(vector: number, errorCode = 0, detail = ''): never {
    throw this.fault.set(vector, errorCode, detail);
  }

  /** Recomputes the derived mode after CR0/CR4/EFER/CS/EFLAGS.VM changes and reports changes to the hooks. */
  modeChanged(): void {
    const oldMode: CpuMode = this.mode, oldPaging: PagingMode = this.paging, oldSize = this.codeSize;
    this.updateMode();
    this.mmu.modeChanged();
    if (this.hooks !== null && (oldMode !== this.mode || oldPaging !== this.paging || oldSize !== this.codeSize)) {
      this.hooks.modeChange(this.id, oldMode, this.mode, oldPaging, this.paging, oldSize, this.codeSize);
    }
  }

  get interruptsEnabled(): boolean {
    return (this.eflags & EFL_IF) !== 0;
  }

  // ---- linear memory (page-crossing accesses translate every page before touching any) ---------------------
  // Data accesses first try the MMU's fast path (TLB hit straight to a host RAM page); anything it declines
  // (miss, page crossing, MMIO/ROM/watched page, first write to a clean page) takes the translate + memory route.

  private nextLin(lo: number, hi: number, n: number): void {
    const sum = (lo >>> 0) + n;
    if (this.mode === 'long') {
      this.mmu.linLo = sum >>> 0;
      this.mmu.linHi = (hi + (sum >= TWO32 ? 1 : 0)) >>> 0;
    } else {
      this.mmu.linLo = sum >>> 0;
      this.mmu.linHi = 0;
    }
  }

  /**
   * Data breakpoints (DR0-DR3 with DR7 RW = 01 write or 11 read/write): records a hit for the #DB trap that
   * follows the instruction. Only called while some DR7 enable bit is set.
   */
  checkDataBreakpoints(lo: number, hi: number, size: number, write: boolean): void {
    const dr7 = this.dr[14];
    for (let i = 0; i < 4; i++) {
      if (((dr7 >>> (i * 2)) & 3) === 0) continue;
      const rw = (dr7 >>> (16 + i * 4)) & 3;
      if (rw === 0 || rw === 2 || (rw === 1 && !write)) continue;
      const lenCode = (dr7 >>> (18 + i * 4)) & 3;
      const len = lenCode === 0 ? 1 : lenCode === 1 ? 2 : lenCode === 3 ? 4 : 8;
      const bLo = this.dr[2 * i] & ~(len - 1), bHi = this.dr[2 * i + 1];
      if (bHi !== (hi >>> 0)) continue;
      const a = lo >>> 0;
      if (a + size > bLo >>> 0 && a < ((bLo >>> 0) + len)) this.debugTrapBits |= 1 << i;
    }
  }

  readLin8(lo: number, hi: number, acc: AccessKind = ACC_READ): number {
    if ((this.dr[14] & 0xff) !== 0 && acc !== ACC_EXEC) this.checkDataBreakpoints(lo, hi, 1, false);
    if (acc === ACC_READ) {
      const v = this.mmu.fastRead8(lo, hi);
      if (v >= 0) return v;
    }
    const p = this.mmu.translate(lo, hi, acc);
    this.lastPhys = p;
    return this.memory.read8(p);
  }

  readLin16(lo: number, hi: number, acc: AccessKind = ACC_READ): number {
    if ((this.dr[14] & 0xff) !== 0 && acc !== ACC_EXEC) this.checkDataBreakpoints(lo, hi, 2, false);
    if (acc === ACC_READ) {
      const v = this.mmu.fastRead16(lo, hi);
      if (v >= 0) return v;
    }
    if ((lo & 0xfff) <= 0xffe) {
      const p = this.mmu.translate(lo, hi, acc);
      this.lastPhys = p;
      return this.memory.read16(p);
    }
    const p0 = this.mmu.translate(lo, hi, acc);
    this.nextLin(lo, hi, 1);
    const p1 = this.mmu.translate(this.mmu.linLo, this.mmu.linHi, acc);
    this.lastPhys = p0;
    return this.memory.read8(p0) | (this.memory.read8(p1) << 8);
  }

  readLin32(lo: number, hi: number, acc: AccessKind = ACC_READ): number {
    if ((this.dr[14] & 0xff) !== 0 && acc !== ACC_EXEC) this.checkDataBreakpoints(lo, hi, 4, false);
    if (acc === ACC_READ) {
      const v = this.mmu.fastRead32(lo, hi);
      if (v >= 0) return v;
    }
    if ((lo & 0xfff) <= 0xffc) {
      const p = this.mmu.translate(lo, hi, acc);
      this.lastPhys = p;
      return this.memory.read32(p);
    }
    let v = 0;
    const first = this.mmu.translate(lo, hi, acc);
    const split = 0x1000 - (lo & 0xfff);
    this.nextLin(lo, hi, split);
    const second = this.mmu.translate(this.mmu.linLo, this.mmu.linHi, acc);
    for (let k = 0; k < 4; k++) v |= this.memory.read8(k < split ? first + k : second + k - split) << (8 * k);
    this.lastPhys = first;
    return v >>> 0;
  }

  /** 64-bit read: returns the low half, the high half is left in mmu.hi. */
  readLin64(lo: number, hi: number, acc: AccessKind = ACC_READ): number {
    if ((this.dr[14] & 0xff) !== 0) this.checkDataBreakpoints(lo, hi, 8, false);
    if (acc === ACC_READ) {
      const v = this.mmu.fastRead64(lo, hi);
      if (v >= 0) return v;
    }
    if ((lo & 0xfff) <= 0xff8) {
      const p = this.mmu.translate(lo, hi, acc);
      this.lastPhys = p;
      const v = this.memory.read32(p);
      this.mmu.hi = this.memory.read32(p + 4);
      return v;
    }
    const a = this.readLin32(lo, hi, acc);
    this.nextLin(lo, hi, 4);
    this.mmu.hi = this.readLin32(this.mmu.linLo, this.mmu.linHi, acc);
    return a;
  }

  writeLin8(lo: number, hi: number, v: number): void {
    if ((this.dr[14] & 0xff) !== 0) this.checkDataBreakpoints(lo, hi, 1, true);
    if (this.mmu.fastWrite8(lo, hi, v)) return;
    const p = this.mmu.translate(lo, hi, ACC_WRITE);
    this.lastPhys = p;
    this.memory.write8(p, v & 0xff);
  }

  writeLin16(lo: number, hi: number, v: number): void {
    if ((this.dr[14] & 0xff) !== 0) this.checkDataBreakpoints(lo, hi, 2, true);
    if (this.mmu.fastWrite16(lo, hi, v)) return;
    if ((lo & 0xfff) <= 0xffe) {
      const p = this.mmu.translate(lo, hi, ACC_WRITE);
      this.lastPhys = p;
      this.memory.write16(p, v);
      return;
    }
    const p0 = this.mmu.translate(lo, hi, ACC_WRITE);
    this.nextLin(lo, hi, 1);
    const p1 = this.mmu.translate(this.mmu.linLo, this.mmu.linHi, ACC_WRITE);
    this.lastPhys = p0;
    this.memory.write8(p0, v & 0xff);
    this.memory.write8(p1, (v >>> 8) & 0xff);
  }

  writeLin32(lo: number, hi: number, v: number): void {
    if ((this.dr[14] & 0xff) !== 0) this.checkDataBreakpoints(lo, hi, 4, true);
    if (this.mmu.fastWrite32(lo, hi, v)) return;
    if ((lo & 0xfff) <= 0xffc) {
      const p = this.mmu.translate(lo, hi, ACC_WRITE);
      this.lastPhys = p;
      this.memory.write32(p, v);
      return;
    }
    const first = this.mmu.translate(lo, hi, ACC_WRITE);
    const split = 0x1000 - (lo & 0xfff);
    this.nextLin(lo, hi, split);
    const second = this.mmu.translate(this.mmu.linLo, this.mmu.linHi, ACC_WRITE);
    this.lastPhys = first;
    for (let k = 0; k < 4; k++) this.memory.write8(k < split ? first + k : second + k - split, (v >>> (8 * k)) & 0xff);
  }

  writeLin64(lo: number, hi: number, vLo: number, vHi: number): void {
    if ((this.dr[14] & 0xff) !== 0) this.checkDataBreakpoints(lo, hi, 8, true);
    if (this.mmu.fastWrite64(lo, hi, vLo, vHi)) return;
    if ((lo & 0xfff) <= 0xff8) {
      const p = this.mmu.translate(lo, hi, ACC_WRITE);
      this.lastPhys = p;
      this.memory.write32(p, vLo);
      this.memory.write32(p + 4, vHi);
      return;
    }
    // Translate both halves first so a fault on the second leaves memory untouched.
    this.mmu.translate(lo, hi, ACC_WRITE);
    this.nextLin(lo, hi, 4);
    const lo2 = this.mmu.linLo, hi2 = this.mmu.linHi;
    this.nextLin(lo, hi, 7);
    this.mmu.translate(this.mmu.linLo, this.mmu.linHi, ACC_WRITE);
    this.writeLin32(lo, hi, vLo);
    this.writeLin32(lo2, hi2, vHi);
  }

  // ---- implicit supervisor accesses (descriptor tables, TSS, interrupt frames in the IDT path) --------------

  readSys8(lo: number, hi: number): number {
    return this.memory.read8(this.mmu.translateSystem(lo, hi, ACC_READ));
  }
  readSys16(lo: number, hi: number): number {
    return this.readSys8(lo, hi) | (this.readSysNext(lo, hi, 1) << 8);
  }
  readSys32(lo: number, hi: number): number {
    if ((lo & 0xfff) <= 0xffc) return this.memory.read32(this.mmu.translateSystem(lo, hi, ACC_READ));
    let v = 0;
    for (let k = 0; k < 4; k++) v |= this.readSysNext(lo, hi, k) << (8 * k);
    return v >>> 0;
  }
  private readSysNext(lo: number, hi: number, n: number): number {
    this.nextLin(lo, hi, n);
    return this.readSys8(this.mmu.linLo, this.mmu.linHi);
  }
  writeSys8(lo: number, hi: number, v: number): void {
    this.memory.write8(this.mmu.translateSystem(lo, hi, ACC_WRITE), v & 0xff);
  }

  // ---- segmented memory -------------------------------------------------------------------------------------

  read8(seg: number, offLo: number, offHi = 0): number {
    this.mmu.linearize(seg, offLo, offHi, 1, ACC_READ);
    return this.readLin8(this.mmu.linLo, this.mmu.linHi);
  }
  read16(seg: number, offLo: number, offHi = 0): number {
    this.mmu.linearize(seg, offLo, offHi, 2, ACC_READ);
    return this.readLin16(this.mmu.linLo, this.mmu.linHi);
  }
  read32(seg: number, offLo: number, offHi = 0): number {
    this.mmu.linearize(seg, offLo, offHi, 4, ACC_READ);
    return this.readLin32(this.mmu.linLo, this.mmu.linHi);
  }
  /** Low half returned, high half in mmu.hi. */
  read64(seg: number, offLo: number, offHi = 0): number {
    this.mmu.linearize(seg, offLo, offHi, 8, ACC_READ);
    return this.readLin64(this.mmu.linLo, this.mmu.linHi);
  }
  write8(seg: number, offLo: number, offHi: number, v: number): void {
    this.mmu.linearize(seg, offLo, offHi, 1, ACC_WRITE);
    this.writeLin8(this.mmu.linLo, this.mmu.linHi, v);
  }
  write16(seg: number, offLo: number, offHi: number, v: number): void {
    this.mmu.linearize(seg, offLo, offHi, 2, ACC_WRITE);
    this.writeLin16(this.mmu.linLo, this.mmu.linHi, v);
  }
  write32(seg: number, offLo: number, offHi: number, v: number): void {
    this.mmu.linearize(seg, offLo, offHi, 4, ACC_WRITE);
    this.writeLin32(this.mmu.linLo, this.mmu.linHi, v);
  }
  write64(seg: number, offLo: number, offHi: number, vLo: number, vHi: number): void {
    this.mmu.linearize(seg, offLo, offHi, 8, ACC_WRITE);
    this.writeLin64(this.mmu.linLo, this.mmu.linHi, vLo, vHi);
  }

  /** Code fetch of one byte at CS:offset (limit and execute permission checked). */
  fetch8(offLo: number, offHi: number): number {
    this.mmu.linearize(CS, offLo, offHi, 1, ACC_EXEC);
    return this.readLin8(this.mmu.linLo, this.mmu.linHi, ACC_EXEC);
  }

  // ---- stack (width from SS.B / 64-bit mode; operand size from the instruction) ----------------------------

  /** Pushes a value of `bytes` (2, 4 or 8) at SS:rSP - bytes; RSP changes only after the write succeeded. */
  push(bytes: 2 | 4 | 8, lo: number, hi = 0): void {
    const w = this.stackSize;
    let spLo = this.gprLo[RSP], spHi = this.gprHi[RSP];
    if (w === 64) {
      const n = spLo - bytes;
      spHi = n < 0 ? (spHi - 1) >>> 0 : spHi;
      spLo = n >>> 0;
    } else if (w === 32) spLo = (spLo - bytes) >>> 0;
    else spLo = ((spLo & 0xffff0000) | ((spLo - bytes) & 0xffff)) >>> 0;
    const off = w === 16 ? spLo & 0xffff : spLo;
    if (bytes === 2) this.write16(SS, off, w === 64 ? spHi : 0, lo);
    else if (bytes === 4) this.write32(SS, off, w === 64 ? spHi : 0, lo);
    else this.write64(SS, off, w === 64 ? spHi : 0, lo, hi);
    this.gprLo[RSP] = spLo;
    if (w === 64) this.gprHi[RSP] = spHi;
  }

  /** Pops `bytes`; returns the low half (high half of an 8-byte pop in mmu.hi). */
  pop(bytes: 2 | 4 | 8): number {
    const w = this.stackSize;
    const spLo = this.gprLo[RSP], spHi = this.gprHi[RSP];
    const off = w === 16 ? spLo & 0xffff : spLo;
    const v = bytes === 2 ? this.read16(SS, off, w === 64 ? spHi : 0) : bytes === 4 ? this.read32(SS, off, w === 64 ? spHi : 0) : this.read64(SS, off, w === 64 ? spHi : 0);
    const hiPart = this.mmu.hi;
    if (w === 64) {
      const n = spLo + bytes;
      this.gprLo[RSP] = n >>> 0;
      this.gprHi[RSP] = (spHi + (n >= TWO32 ? 1 : 0)) >>> 0;
    } else if (w === 32) this.gprLo[RSP] = (spLo + bytes) >>> 0;
    else this.gprLo[RSP] = ((spLo & 0xffff0000) | ((spLo + bytes) & 0xffff)) >>> 0;
    this.mmu.hi = hiPart;
    return v;
  }

  // ---- ports ------------------------------------------------------------------------------------------------

  portIn(port: number, size: 1 | 2 | 4): number {
    const v = this.io.read(port, size);
    if (this.hooks !== null) this.hooks.io(this.id, port, size, false, v);
    return v;
  }

  portOut(port: number, size: 1 | 2 | 4, value: number): void {
    if (this.hooks !== null) this.hooks.io(this.id, port, size, true, value);
    this.io.write(port, size, value);
  }

  /** #GP(0) helper for privileged instructions at CPL > 0. */
  requireCpl0(what: string): void {
    if (this.cpl !== 0) this.raise(GP, 0, `${what} needs CPL 0`);
  }
}

export { ACC_READ, ACC_WRITE, ACC_EXEC };
