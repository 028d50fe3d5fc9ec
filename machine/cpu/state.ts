// Architectural state of one logical processor. 64-bit quantities are kept as unsigned 32-bit halves (lo/hi) so
// the hot path needs neither BigInt nor allocation. Snapshots copy this object field by field (copyFrom).
import { CR0_ET as CR0_ET_, CR0_CD as CR0_CD_, CR0_NW as CR0_NW_, CR0_PE as CR0_PE_, CR0_PG as CR0_PG_, CR4_LA57 as CR4_LA57_, CR4_PAE as CR4_PAE_, EFER_LMA as EFER_LMA_, EFL_VM as EFL_VM_ } from '../../isa/bits/control';
import { ATTR_DB as ATTR_DB_, ATTR_L as ATTR_L_, ATTR_P as ATTR_P_, ATTR_RW as ATTR_RW_, ATTR_S as ATTR_S_, ATTR_ACCESSED as ATTR_ACCESSED_, ATTR_CODE as ATTR_CODE_, CS as CS_, SegmentRegister } from './segment';
// Local copies of imported bindings: module loaders that expose exports through getters (tsx) would
// otherwise pay a call on every use in the hot path.
const CR0_ET = CR0_ET_;
const CR0_CD = CR0_CD_;
const CR0_NW = CR0_NW_;
const CR0_PE = CR0_PE_;
const CR0_PG = CR0_PG_;
const CR4_LA57 = CR4_LA57_;
const CR4_PAE = CR4_PAE_;
const EFER_LMA = EFER_LMA_;
const EFL_VM = EFL_VM_;
const ATTR_DB = ATTR_DB_;
const ATTR_L = ATTR_L_;
const ATTR_P = ATTR_P_;
const ATTR_RW = ATTR_RW_;
const ATTR_S = ATTR_S_;
const ATTR_ACCESSED = ATTR_ACCESSED_;
const ATTR_CODE = ATTR_CODE_;
const CS = CS_;

export type CpuMode = 'real' | 'v86' | 'protected' | 'compat' | 'long';
export type PagingMode = 'none' | '32-bit' | 'pae' | '4-level' | '5-level';
/** What the processor is doing between instructions. */
export type RunState = 'running' | 'halted' | 'wait-for-sipi' | 'shutdown';

/** General register numbers (ModRM/REX order). */
export const RAX = 0, RCX = 1, RDX = 2, RBX = 3, RSP = 4, RBP = 5, RSI = 6, RDI = 7;
export const GPR_NAMES = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'] as const;

/** The arithmetic flags a lazy-flag evaluator must produce (CF PF AF ZF SF OF). */
export const ARITH_FLAGS_MASK = 0x8d5;

/**
 * Computes CF/PF/AF/ZF/SF/OF from the lazy fields. Installed by the executor, which owns the operation codes; the
 * state only knows that lazyOp = 0 means "eflags is already exact".
 */
export type LazyFlagEvaluator = (s: CpuState) => number;
let lazyEvaluator: LazyFlagEvaluator | undefined;
export function setLazyFlagEvaluator(fn: LazyFlagEvaluator): void {
  lazyEvaluator = fn;
}

/** Power-on CR0: CD and NW set, ET hard-wired (SDM table 9-1: 0x60000010). */
export const CR0_RESET = (CR0_CD | CR0_NW | CR0_ET) >>> 0;

export class CpuState {
  /** General registers: low and high 32 bits, unsigned. */
  readonly gprLo = new Uint32Array(16);
  readonly gprHi = new Uint32Array(16);
  ripLo = 0;
  ripHi = 0;
  /** EFLAGS with the arithmetic bits valid only when lazyOp = 0; read through getEflags(). */
  eflags = 0x2;
  lazyOp = 0;
  lazyRes = 0;
  lazyResHi = 0;
  lazySrc1 = 0;
  lazySrc1Hi = 0;
  lazySrc2 = 0;
  lazySrc2Hi = 0;
  /** Operand size in bytes (1, 2, 4, 8) of the instruction that set the lazy flags. */
  lazySize = 0;

  readonly seg: SegmentRegister[] = [0, 1, 2, 3, 4, 5].map(() => new SegmentRegister());
  gdtBase = 0;
  gdtBaseHi = 0;
  gdtLimit = 0xffff;
  idtBase = 0;
  idtBaseHi = 0;
  idtLimit = 0xffff;
  readonly ldtr = new SegmentRegister();
  readonly tr = new SegmentRegister();

  cr0 = CR0_RESET;
  cr2Lo = 0;
  cr2Hi = 0;
  cr3Lo = 0;
  cr3Hi = 0;
  cr4 = 0;
  cr8 = 0;
  /** DR0-DR7 as lo/hi pairs: dr[2n], dr[2n+1]. */
  readonly dr = new Uint32Array(16);
  xcr0Lo = 1;
  xcr0Hi = 0;
  /** EFER low 32 bits (the high half is reserved and always 0). */
  efer = 0;
  /** Other MSRs by address: [lo, hi]. Only addresses present here exist; others raise #GP. */
  readonly msr = new Map<number, [number, number]>();
  /** Time-stamp counter base: TSC = instructions retired + tscOffset (deterministic). */
  tscOffset = 0;

  runState: RunState = 'running';
  /** Current privilege level (CS.RPL in protected mode, 0 in real mode, 3 in V86). */
  cpl = 0;
  /** Interrupts are held off for one instruction after STI / MOV SS / POP SS. */
  interruptShadow = false;
  /** NMI blocked until the next IRET. */
  nmiBlocked = false;
  /** Set while an exception is being delivered (for #DF / triple-fault rules); -1 when none. */
  deliveringVector = -1;
  instructionsRetired = 0;

  // Cached derivations, refreshed by updateMode() after any CR0/CR4/EFER/CS/EFLAGS.VM change.
  mode: CpuMode = 'real';
  codeSize: 16 | 32 | 64 = 16;
  paging: PagingMode = 'none';

  constructor(readonly id: number) {
    this.resetRegisters();
  }

  /** Power-on / INIT register state (SDM vol. 3A table 9-1), except CS:IP which the caller sets. */
  resetRegisters(): void {
    this.gprLo.fill(0);
    this.gprHi.fill(0);
    this.ripLo = 0xfff0;
    this.ripHi = 0;
    this.eflags = 0x2;
    this.lazyOp = 0;
    for (const s of this.seg) s.set(0, 0, 0xffff, ATTR_P | ATTR_S | ATTR_RW | ATTR_ACCESSED);
    this.seg[CS].set(0xf000, 0xffff0000, 0xffff, ATTR_P | ATTR_S | ATTR_CODE | ATTR_RW | ATTR_ACCESSED);
    this.gdtBase = this.gdtBaseHi = this.idtBase = this.idtBaseHi = 0;
    this.gdtLimit = this.idtLimit = 0xffff;
    this.ldtr.set(0, 0, 0xffff, ATTR_P | 0x2);
    this.tr.set(0, 0, 0xffff, ATTR_P | 0xb);
    this.cr0 = CR0_RESET;
    this.cr2Lo = this.cr2Hi = this.cr3Lo = this.cr3Hi = this.cr4 = this.cr8 = 0;
    this.dr.fill(0);
    this.dr[12] = 0xffff0ff0; // DR6
    this.dr[14] = 0x400; // DR7
    this.xcr0Lo = 1;
    this.xcr0Hi = 0;
    this.efer = 0;
    this.gprLo[RDX] = 0x600; // family/model/stepping signature in EDX after reset
    this.cpl = 0;
    this.interruptShadow = false;
    this.nmiBlocked = false;
    this.deliveringVector = -1;
    this.updateMode();
  }

  /** Full EFLAGS, materializing lazy arithmetic flags first. */
  getEflags(): number {
    if (this.lazyOp !== 0 && lazyEvaluator !== undefined) {
      this.eflags = (this.eflags & ~ARITH_FLAGS_MASK) | (lazyEvaluator(this) & ARITH_FLAGS_MASK);
      this.lazyOp = 0;
    }
    return this.eflags;
  }

  /** Replaces EFLAGS (bit 1 forced on, reserved bits off); the caller decides which bits its instruction may change. */
  setEflags(v: number): void {
    this.lazyOp = 0;
    this.eflags = ((v & 0x3f7fd5) | 2) >>> 0;
    if (((this.eflags & EFL_VM) !== 0) !== (this.mode === 'v86')) this.updateMode();
  }

  /** Recomputes mode, code size and paging mode from CR0, CR4, EFER, EFLAGS.VM and the CS cache. */
  updateMode(): void {
    const cs = this.seg[CS];
    if ((this.cr0 & CR0_PE) === 0) this.mode = 'real';
    else if (this.efer & EFER_LMA) this.mode = cs.attr & ATTR_L ? 'long' : 'compat';
    else if (this.eflags & EFL_VM) this.mode = 'v86';
    else this.mode = 'protected';
    this.codeSize = this.mode === 'long' ? 64 : this.mode !== 'v86' && cs.attr & ATTR_DB ? 32 : 16;
    if ((this.cr0 & CR0_PG) === 0) this.paging = 'none';
    else if (this.efer & EFER_LMA) this.paging = this.cr4 & CR4_LA57 ? '5-level' : '4-level';
    else this.paging = this.cr4 & CR4_PAE ? 'pae' : '32-bit';
    if (this.mode === 'real') this.cpl = 0;
    else if (this.mode === 'v86') this.cpl = 3;
  }

  /** Real mode whose data segments still carry limits above 64 KiB (loaded in protected mode). */
  get unreal(): boolean {
    if (this.mode !== 'real') return false;
    return this.seg.some((s) => s.limit > 0xffff);
  }

  /** Stack pointer width in bits: 64 in 64-bit mode, else SS.B. */
  get stackSize(): 16 | 32 | 64 {
    if (this.mode === 'long') return 64;
    return this.seg[2].attr & ATTR_DB ? 32 : 16;
  }

  getMsr(addr: number): [number, number] | undefined {
    return this.msr.get(addr >>> 0);
  }

  /** Copies every architectural field from another state (snapshots, restore). */
  copyFrom(o: CpuState): void {
    this.gprLo.set(o.gprLo);
    this.gprHi.set(o.gprHi);
    this.ripLo = o.ripLo;
    this.ripHi = o.ripHi;
    this.eflags = o.eflags;
    this.lazyOp = o.lazyOp;
    this.lazyRes = o.lazyRes;
    this.lazyResHi = o.lazyResHi;
    this.lazySrc1 = o.lazySrc1;
    this.lazySrc1Hi = o.lazySrc1Hi;
    this.lazySrc2 = o.lazySrc2;
    this.lazySrc2Hi = o.lazySrc2Hi;
    this.lazySize = o.lazySize;
    for (let i = 0; i < 6; i++) this.seg[i].copyFrom(o.seg[i]);
    this.gdtBase = o.gdtBase;
    this.gdtBaseHi = o.gdtBaseHi;
    this.gdtLimit = o.gdtLimit;
    this.idtBase = o.idtBase;
    this.idtBaseHi = o.idtBaseHi;
    this.idtLimit = o.idtLimit;
    this.ldtr.copyFrom(o.ldtr);
    this.tr.copyFrom(o.tr);
    this.cr0 = o.cr0;
    this.cr2Lo = o.cr2Lo;
    this.cr2Hi = o.cr2Hi;
    this.cr3Lo = o.cr3Lo;
    this.cr3Hi = o.cr3Hi;
    this.cr4 = o.cr4;
    this.cr8 = o.cr8;
    this.dr.set(o.dr);
    this.xcr0Lo = o.xcr0Lo;
    this.xcr0Hi = o.xcr0Hi;
    this.efer = o.efer;
    this.msr.clear();
    for (const [k, v] of o.msr) this.msr.set(k, [v[0], v[1]]);
    this.tscOffset = o.tscOffset;
    this.runState = o.runState;
    this.cpl = o.cpl;
    this.interruptShadow = o.interruptShadow;
    this.nmiBlocked = o.nmiBlocked;
    this.deliveringVector = o.deliveringVector;
    this.instructionsRetired = o.instructionsRetired;
    this.mode = o.mode;
    this.codeSize = o.codeSize;
    this.paging = o.paging;
  }
}
