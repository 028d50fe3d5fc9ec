// Linear address formation (segmentation) and translation (paging) for one CPU, with a direct-mapped TLB.
// SDM vol. 3A ch. 3.4-5 (segments), ch. 4 (paging), ch. 4.10 (TLB). Faults are thrown as the CPU's CpuFault.
import { CR0_PG as CR0_PG_, CR0_WP as CR0_WP_, CR4_PAE as CR4_PAE_, CR4_PGE as CR4_PGE_, CR4_PSE as CR4_PSE_, CR4_SMAP as CR4_SMAP_, CR4_SMEP as CR4_SMEP_, EFER_NXE as EFER_NXE_, EFL_AC as EFL_AC_ } from '../../isa/bits/control';
import { PF_I as PF_I_, PF_P as PF_P_, PF_RSVD as PF_RSVD_, PF_U as PF_U_, PF_W as PF_W_, PTE_A as PTE_A_, PTE_D as PTE_D_, PTE_G as PTE_G_, PTE_P as PTE_P_, PTE_PS as PTE_PS_, PTE_RW as PTE_RW_, PTE_US as PTE_US_ } from '../../isa/bits/paging';
import type { PhysicalMemory } from '../memory/physical';
import { GP as GP_, PF as PF_, SS as SS_FAULT, type CpuFault } from './fault';
import { ATTR_CE as ATTR_CE_, ATTR_CODE as ATTR_CODE_, ATTR_DB as ATTR_DB_, ATTR_RW as ATTR_RW_, ATTR_S as ATTR_S_, ATTR_UNUSABLE as ATTR_UNUSABLE_, SS as SS_, FS as FS_ } from './segment';
import type { CpuState } from './state';
// Local copies of imported bindings: module loaders that expose exports through getters (tsx) would
// otherwise pay a call on every use in the hot path.
const CR0_PG = CR0_PG_;
const CR0_WP = CR0_WP_;
const CR4_PAE = CR4_PAE_;
const CR4_PGE = CR4_PGE_;
const CR4_PSE = CR4_PSE_;
const CR4_SMAP = CR4_SMAP_;
const CR4_SMEP = CR4_SMEP_;
const EFER_NXE = EFER_NXE_;
const EFL_AC = EFL_AC_;
const PF_I = PF_I_;
const PF_P = PF_P_;
const PF_RSVD = PF_RSVD_;
const PF_U = PF_U_;
const PF_W = PF_W_;
const PTE_A = PTE_A_;
const PTE_D = PTE_D_;
const PTE_G = PTE_G_;
const PTE_P = PTE_P_;
const PTE_PS = PTE_PS_;
const PTE_RW = PTE_RW_;
const PTE_US = PTE_US_;
const GP = GP_;
const PF = PF_;
const ATTR_CE = ATTR_CE_;
const ATTR_CODE = ATTR_CODE_;
const ATTR_DB = ATTR_DB_;
const ATTR_RW = ATTR_RW_;
const ATTR_S = ATTR_S_;
const ATTR_UNUSABLE = ATTR_UNUSABLE_;
const SS = SS_;
const FS = FS_;

export const ACC_READ = 0, ACC_WRITE = 1, ACC_EXEC = 2;
export type AccessKind = 0 | 1 | 2;

/** Shared by all CPUs of a machine: the A20 gate (bit 20 of every physical address forced to 0 when off). */
export interface Platform {
  a20Enabled: boolean;
}

/** Paging features the CPU model exposes (CPUID) that change what the walk accepts. */
export interface PagingFeatures {
  maxPhysAddr: number;
  nx: boolean;
  pages1g: boolean;
  pse36: boolean;
}

// TLB permission bits.
const T_VALID = 1, T_RD_S = 2, T_WR_S = 4, T_EX_S = 8, T_RD_U = 16, T_WR_U = 32, T_EX_U = 64;
const T_NOT_USER = 128, T_DIRTY = 256, T_GLOBAL = 512, T_LARGE = 1024;
const T_SHIFT_POS = 12; // page shift (12, 21, 22, 30) stored in bits 12..17
/** An instruction fetch was translated through this entry: dropping it must move the epoch (fetch caches). */
const T_FETCHED = 1 << 18;
/** Permissions of a translation with paging off: everything, already dirty. */
const T_IDENTITY = T_VALID | T_RD_S | T_WR_S | T_EX_S | T_RD_U | T_WR_U | T_EX_U | T_DIRTY;
const NEED_RD_S = T_VALID | T_RD_S, NEED_RD_U = T_VALID | T_RD_U;
const NEED_WR_S = T_VALID | T_WR_S | T_DIRTY, NEED_WR_U = T_VALID | T_WR_U | T_DIRTY;
const TLB_BITS = 12;
const TLB_SIZE = 1 << TLB_BITS;
const TWO32 = 0x1_0000_0000;

/** One level of a page walk, for the debugger. */
export interface WalkLevel {
  /** 'PML5E' | 'PML4E' | 'PDPTE' | 'PDE' | 'PTE'. */
  name: string;
  /** Physical address of the entry. */
  entryAddress: number;
  lo: number;
  hi: number;
  /** True when this entry maps the page (PS set or PTE). */
  leaf: boolean;
}

export interface WalkResult {
  paging: CpuState['paging'];
  levels: WalkLevel[];
  /** Physical address, or undefined when the walk faults. */
  physical?: number;
  pageSize?: number;
  /** Effective permissions of the translation. */
  writable?: boolean;
  user?: boolean;
  executable?: boolean;
  global?: boolean;
  /** #PF error code the access would raise, and why. */
  faultErrorCode?: number;
  faultReason?: string;
}

export class Mmu {
  /** Results of linearize(): the linear address halves. */
  linLo = 0;
  linHi = 0;
  /** High half of the last 64-bit read. */
  hi = 0;
  /** Bumped whenever a translation an instruction fetch used may change (flushes, INVLPG and refills that drop an
   * entry a fetch went through, mode changes): fetch caches key on it. */
  epoch = 0;
  private readonly tagLo = new Int32Array(TLB_SIZE);
  private readonly tagHi = new Int32Array(TLB_SIZE);
  private readonly perm = new Int32Array(TLB_SIZE);
  private readonly frame = new Float64Array(TLB_SIZE);
  /** TLB slots that may hold a large-page entry (INVLPG checks only these, not the whole TLB). */
  private readonly largeSlots = new Int32Array(TLB_SIZE);
  private readonly inLargeSlots = new Uint8Array(TLB_SIZE);
  private largeCount = 0;
  /** TLB slots filled since they were last cleared, so flushes touch only those, not all 4096. */
  private readonly usedSlots = new Int32Array(TLB_SIZE);
  private readonly inUsedSlots = new Uint8Array(TLB_SIZE);
  private usedCount = 0;
  private pagingOn = false;
  /**
   * Host pages behind TLB slots for the data fast path (null: take the slow path), looked up lazily and trusted
   * while hostLayout[slot] equals the memory's layout counter. wrGen/wrGenIndex: the page's write generations,
   * bumped by every fast write (decoded-instruction cache).
   */
  private readonly rdHost: (Uint8Array | null)[] = new Array<Uint8Array | null>(TLB_SIZE).fill(null);
  private readonly wrHost: (Uint8Array | null)[] = new Array<Uint8Array | null>(TLB_SIZE).fill(null);
  private readonly wrGen: Int32Array[];
  private readonly wrGenIndex = new Int32Array(TLB_SIZE);
  private readonly hostLayout = new Int32Array(TLB_SIZE).fill(-1);
  /** PAE legacy mode page-directory-pointer entries, loaded when CR3 is written (SDM 4.4.1). */
  readonly pdpteLo = new Uint32Array(4);
  readonly pdpteHi = new Uint32Array(4);
  private rsvdHi: number;
  private addrHiMask: number;
  // walk scratch
  private walkPerm = 0;
  private walkShift = 12;
  private walkLeafAddr = 0;
  private walkRw = 0;
  private walkUs = 0;
  private walkXd = 0;
  private walkErr = 0;
  private walkWhy = '';
  private walkLeafLo = 0;
  private entLo = 0;
  private entHi = 0;
  private readonly tablePn = new Float64Array(6).fill(-1);
  private readonly tablePage: (Uint8Array | null)[] = [null, null, null, null, null, null];
  private readonly tableGen: Int32Array[];
  private readonly tableGenIndex = new Int32Array(6);
  private tableLayout = -1;
  /** The last readEntry came from a host RAM page (not the bus). */
  private entFromHost = false;
  /**
   * Memo of the upper levels (PML5E/PML4E..PDE) of the last 4/5-level walk that reached a page table: the page
   * table's address and the combined R/W, U/S and XD bits, for linear bits 63:21 under one CR3. Exact, not a
   * paging-structure cache: it is used only while the write generation of every table page it read is unchanged
   * (so it always equals what a fresh walk of memory would find, and their accessed bits are already set).
   */
  private memoOn = false;
  private memoLin = 0;
  private memoHi = 0;
  private memoCr3Lo = 0;
  private memoCr3Hi = 0;
  private memoTop = 0;
  private memoTable = 0;
  private memoRw = 0;
  private memoUs = 0;
  private memoXd = 0;
  private readonly memoGen: Int32Array[];
  private readonly memoGenIndex = new Int32Array(6);
  private readonly memoGenValue = new Int32Array(6);

  constructor(
    private readonly s: CpuState,
    readonly memory: PhysicalMemory,
    private readonly fault: CpuFault,
    readonly platform: Platform,
    readonly features: PagingFeatures,
  ) {
    const m = features.maxPhysAddr;
    this.addrHiMask = m >= 52 ? 0xfffff : (1 << (m - 32)) - 1;
    this.rsvdHi = 0xfffff & ~this.addrHiMask;
    this.tagHi.fill(-1);
    const none = new Int32Array(1);
    this.wrGen = new Array<Int32Array>(TLB_SIZE).fill(none);
    this.tableGen = [none, none, none, none, none, none];
    this.memoGen = [none, none, none, none, none, none];
  }

  /** Call after CR0/CR4/EFER changes (the caller flushes the TLB when the SDM says so). */
  modeChanged(): void {
    this.epoch++;
    const on = (this.s.cr0 & CR0_PG) !== 0;
    // Identity entries filled with paging off must never serve paged accesses (and the reverse).
    if (on !== this.pagingOn) this.flushAll();
    this.pagingOn = on;
  }

  // ---- TLB maintenance ---------------------------------------------------------------------------------------

  /** Drops every entry, global ones included (CR4.PGE/PAE/PSE/SMEP/LA57 changes, CR0.PG/WP changes, A20). */
  flushAll(): void {
    this.epoch++;
    this.memoOn = false;
    const perm = this.perm, used = this.usedSlots, inUsed = this.inUsedSlots;
    for (let k = 0; k < this.usedCount; k++) {
      const i = used[k];
      perm[i] = 0;
      inUsed[i] = 0;
    }
    this.usedCount = 0;
    this.clearLargeSlots();
  }

  private clearLargeSlots(): void {
    for (let k = 0; k < this.largeCount; k++) this.inLargeSlots[this.largeSlots[k]] = 0;
    this.largeCount = 0;
  }

  /** Drops non-global entries (MOV to CR3). */
  flushNonGlobal(): void {
    this.epoch++;
    this.memoOn = false;
    const perm = this.perm, used = this.usedSlots, inUsed = this.inUsedSlots;
    let kept = 0;
    for (let k = 0; k < this.usedCount; k++) {
      const i = used[k];
      if ((perm[i] & T_GLOBAL) !== 0) used[kept++] = i;
      else {
        perm[i] = 0;
        inUsed[i] = 0;
      }
    }
    this.usedCount = kept;
  }

  /** INVLPG: drops the translation of one page, including every 4 KiB piece of a large page containing it. */
  invalidatePage(lo: number, hi: number): void {
    const vpn = lo >>> 12;
    const i = vpn & (TLB_SIZE - 1);
    // The epoch moves only when a live entry goes: translations cached elsewhere stay valid otherwise.
    if (this.tagLo[i] === (vpn | 0) && this.tagHi[i] === (hi | 0) && this.perm[i] !== 0) {
      if (this.perm[i] & T_FETCHED) this.epoch++;
      this.perm[i] = 0;
    }
    const n = this.largeCount;
    if (n === 0) return;
    // Visit the recorded large-entry slots, dropping the ones that no longer hold a large entry.
    const slots = this.largeSlots, perm = this.perm;
    let kept = 0;
    for (let j = 0; j < n; j++) {
      const k = slots[j];
      const p = perm[k];
      if ((p & T_LARGE) === 0) {
        this.inLargeSlots[k] = 0;
        continue;
      }
      if (this.tagHi[k] === (hi | 0)) {
        const shift = ((p >>> T_SHIFT_POS) & 63) - 12;
        if (((this.tagLo[k] ^ vpn) >>> shift) === 0) {
          if (p & T_FETCHED) this.epoch++;
          perm[k] = 0;
          this.inLargeSlots[k] = 0;
          continue;
        }
      }
      slots[kept++] = k;
    }
    this.largeCount = kept;
  }

  // ---- segmentation -----------------------------------------------------------------------------------------

  /**
   * Forms the linear address of seg:offset for an access of `size` bytes and leaves it in linLo/linHi.
   * Checks type, limit (expand-up/down, cached "unreal" limits) and, in 64-bit mode, canonical form.
   * offHi is only used in 64-bit mode; the caller has already wrapped the offset to the address size.
   */
  linearize(seg: number, offLo: number, offHi: number, size: number, acc: AccessKind): void {
    const s = this.s;
    const sr = s.seg[seg];
    if (s.mode === 'long') {
      let lo = offLo >>> 0;
      let hi = offHi | 0;
      if (seg >= FS) {
        const sum = lo + sr.base;
        lo = sum >>> 0;
        hi = (hi + sr.baseHi + (sum >= TWO32 ? 1 : 0)) | 0;
      }
      const top = this.s.cr4 & 0x1000 ? hi >> 24 : hi >> 15;
      if (top !== 0 && top !== -1) this.segFault(seg, 'non-canonical address');
      this.linLo = lo;
      this.linHi = hi >>> 0;
      return;
    }
    const attr = sr.attr;
    if (s.mode !== 'real' && s.mode !== 'v86') {
      if (attr & ATTR_UNUSABLE) this.segFault(seg, 'null segment');
      if (acc === ACC_WRITE && (attr & (ATTR_CODE | ATTR_RW)) !== ATTR_RW) this.segFault(seg, 'segment not writable');
      if (acc === ACC_READ && (attr & (ATTR_CODE | ATTR_RW)) === ATTR_CODE && (attr & ATTR_S)) this.segFault(seg, 'execute-only segment');
    }
    const off = offLo >>> 0;
    const last = off + size - 1;
    if ((attr & (ATTR_CODE | ATTR_CE)) === ATTR_CE) {
      // expand-down data: valid offsets are limit+1 .. 0xFFFF or 0xFFFFFFFF
      const upper = attr & ATTR_DB ? 0xffffffff : 0xffff;
      if (off <= sr.limit || last > upper) this.segFault(seg, 'outside expand-down segment');
    } else if (last > sr.limit) this.segFault(seg, `offset 0x${off.toString(16)} beyond limit 0x${sr.limit.toString(16)}`);
    this.linLo = (sr.base + off) >>> 0;
    this.linHi = 0;
  }

  private segFault(seg: number, why: string): never {
    throw this.fault.set(seg === SS ? SS_FAULT : GP, 0, why);
  }

  // ---- translation ------------------------------------------------------------------------------------------

  /** Linear → physical for an access by the current privilege level; throws #PF. */
  translate(lo: number, hi: number, acc: AccessKind): number {
    return this.translateAs(lo, hi, acc, this.s.cpl === 3, false);
  }

  /** Linear → physical for implicit supervisor accesses (GDT/IDT/TSS reads, interrupt stack frames). */
  translateSystem(lo: number, hi: number, acc: AccessKind): number {
    return this.translateAs(lo, hi, acc, false, true);
  }

  translateAs(lo: number, hi: number, acc: AccessKind, user: boolean, implicit: boolean): number {
    const vpn = lo >>> 12;
    const i = vpn & (TLB_SIZE - 1);
    if (!this.pagingOn) {
      const p = this.platform.a20Enabled ? lo >>> 0 : (lo >>> 0) & ~0x100000;
      // Identity entries let the data fast path serve unpaged accesses too (flushed when A20 or CR0.PG changes).
      if (this.tagLo[i] !== (vpn | 0) || this.tagHi[i] !== 0 || this.perm[i] === 0) this.fill(i, vpn, 0, p - (p & 0xfff), T_IDENTITY);
      if (acc === ACC_EXEC) this.perm[i] |= T_FETCHED;
      return p;
    }
    const need = this.needMask(acc, user, implicit);
    if (this.tagLo[i] === (vpn | 0) && this.tagHi[i] === (hi | 0) && (this.perm[i] & need) === need) {
      if (acc === ACC_EXEC) this.perm[i] |= T_FETCHED;
      return this.frame[i] + (lo & 0xfff);
    }
    return this.translateSlow(lo, hi, acc, user, implicit, need);
  }

  /** Puts a translation into slot i. Replacing an entry a fetch used moves the epoch; filling others changes no
   * translation cached elsewhere. */
  private fill(i: number, vpn: number, hi: number, frame: number, perm: number): void {
    if (this.perm[i] & T_FETCHED) this.epoch++;
    this.tagLo[i] = vpn | 0;
    this.tagHi[i] = hi | 0;
    this.frame[i] = frame;
    this.perm[i] = perm;
    this.hostLayout[i] = -1;
    if (this.inUsedSlots[i] === 0) {
      this.inUsedSlots[i] = 1;
      this.usedSlots[this.usedCount++] = i;
    }
    if (perm & T_LARGE && this.inLargeSlots[i] === 0) {
      this.inLargeSlots[i] = 1;
      this.largeSlots[this.largeCount++] = i;
    }
  }

  // ---- data fast path: TLB hit straight to the host page ---------------------------------------------------

  /** Looks up the host pages behind slot i again (after the memory layout changed or the slot was refilled). */
  private refreshHost(i: number): void {
    const mem = this.memory;
    const f = this.frame[i];
    mem.lookUpHost(f < TWO32 ? f >>> 12 : f / 4096);
    this.rdHost[i] = mem.hostRead;
    const w = mem.hostWrite;
    this.wrHost[i] = w;
    if (w !== null) {
      this.wrGen[i] = mem.hostGen;
      this.wrGenIndex[i] = mem.hostGenIndex;
    }
    this.hostLayout[i] = mem.layout;
  }

  /** Supervisor/user read permission the current privilege needs (SMAP cases take the general rule). */
  private readNeed(): number {
    const s = this.s;
    if (s.cpl === 3) return NEED_RD_U;
    return (s.cr4 & CR4_SMAP) === 0 ? NEED_RD_S : this.needMask(ACC_READ, false, false);
  }

  private writeNeed(): number {
    const s = this.s;
    if (s.cpl === 3) return NEED_WR_U;
    return (s.cr4 & CR4_SMAP) === 0 ? NEED_WR_S : this.needMask(ACC_WRITE, false, false);
  }

  /**
   * The TLB slot through which a data access of `size` bytes at lo/hi may use its host page directly (within one
   * page), or -1. A TLB miss walks here (and may throw #PF or set A/D, as the slow path would), so a miss costs
   * one translation, not two.
   */
  private hostSlot(lo: number, hi: number, size: number, write: boolean): number {
    if ((lo & 0xfff) > 0x1000 - size) return -1;
    const vpn = lo >>> 12;
    const i = vpn & (TLB_SIZE - 1);
    const need = write ? this.writeNeed() : this.readNeed();
    if (this.tagLo[i] !== vpn || this.tagHi[i] !== (hi | 0) || (this.perm[i] & need) !== need) {
      this.translateAs(lo, hi, write ? ACC_WRITE : ACC_READ, this.s.cpl === 3, false);
      if (this.tagLo[i] !== vpn || this.tagHi[i] !== (hi | 0)) return -1;
    }
    if (this.hostLayout[i] !== this.memory.layout) this.refreshHost(i);
    return i;
  }

  /** The host page a data read may use directly, or null. */
  private readHost(lo: number, hi: number, size: number): Uint8Array | null {
    const i = this.hostSlot(lo, hi, size, false);
    return i < 0 ? null : this.rdHost[i];
  }

  /** The host page a data write may change directly, or null; bumps its generation. */
  private writeHost(lo: number, hi: number, size: number): Uint8Array | null {
    const i = this.hostSlot(lo, hi, size, true);
    if (i < 0) return null;
    const p = this.wrHost[i];
    if (p !== null) this.wrGen[i][this.wrGenIndex[i]]++;
    return p;
  }

  /** Data read through the TLB and a host page, or -1 when the slow path must handle it (miss, page crossing,
   * permissions, MMIO/ROM/watched/unallocated page). */
  fastRead8(lo: number, hi: number): number {
    const p = this.readHost(lo, hi, 1);
    return p === null ? -1 : p[lo & 0xfff];
  }

  fastRead16(lo: number, hi: number): number {
    const p = this.readHost(lo, hi, 2);
    if (p === null) return -1;
    const o = lo & 0xfff;
    return p[o] | (p[o + 1] << 8);
  }

  fastRead32(lo: number, hi: number): number {
    const p = this.readHost(lo, hi, 4);
    if (p === null) return -1;
    const o = lo & 0xfff;
    return (p[o] | (p[o + 1] << 8) | (p[o + 2] << 16) | (p[o + 3] << 24)) >>> 0;
  }

  /** Low half returned, high half in `hi`. */
  fastRead64(lo: number, hi: number): number {
    const p = this.readHost(lo, hi, 8);
    if (p === null) return -1;
    const o = lo & 0xfff;
    this.hi = (p[o + 4] | (p[o + 5] << 8) | (p[o + 6] << 16) | (p[o + 7] << 24)) >>> 0;
    return (p[o] | (p[o + 1] << 8) | (p[o + 2] << 16) | (p[o + 3] << 24)) >>> 0;
  }

  /** Data write through the TLB and a host page; false when the slow path must do it (nothing written then). */
  fastWrite8(lo: number, hi: number, v: number): boolean {
    const p = this.writeHost(lo, hi, 1);
    if (p === null) return false;
    p[lo & 0xfff] = v;
    return true;
  }

  fastWrite16(lo: number, hi: number, v: number): boolean {
    const p = this.writeHost(lo, hi, 2);
    if (p === null) return false;
    const o = lo & 0xfff;
    p[o] = v;
    p[o + 1] = v >>> 8;
    return true;
  }

  fastWrite32(lo: number, hi: number, v: number): boolean {
    const p = this.writeHost(lo, hi, 4);
    if (p === null) return false;
    const o = lo & 0xfff;
    p[o] = v;
    p[o + 1] = v >>> 8;
    p[o + 2] = v >>> 16;
    p[o + 3] = v >>> 24;
    return true;
  }

  fastWrite64(lo: number, hi: number, vLo: number, vHi: number): boolean {
    const p = this.writeHost(lo, hi, 8);
    if (p === null) return false;
    const o = lo & 0xfff;
    p[o] = vLo;
    p[o + 1] = vLo >>> 8;
    p[o + 2] = vLo >>> 16;
    p[o + 3] = vLo >>> 24;
    p[o + 4] = vHi;
    p[o + 5] = vHi >>> 8;
    p[o + 6] = vHi >>> 16;
    p[o + 7] = vHi >>> 24;
    return true;
  }

  private needMask(acc: AccessKind, user: boolean, implicit: boolean): number {
    if (!user && (this.s.cr4 & CR4_SMAP) === 0) return acc === ACC_READ ? T_VALID | T_RD_S : acc === ACC_WRITE ? T_VALID | T_WR_S | T_DIRTY : T_VALID | T_EX_S;
    if (user) return acc === ACC_READ ? T_VALID | T_RD_U : acc === ACC_WRITE ? T_VALID | T_WR_U | T_DIRTY : T_VALID | T_EX_U;
    if (acc === ACC_EXEC) return T_VALID | T_EX_S;
    const smap = (this.s.cr4 & CR4_SMAP) !== 0 && (implicit || (this.s.eflags & EFL_AC) === 0) ? T_NOT_USER : 0;
    return acc === ACC_READ ? T_VALID | T_RD_S | smap : T_VALID | T_WR_S | T_DIRTY | smap;
  }

  private translateSlow(lo: number, hi: number, acc: AccessKind, user: boolean, implicit: boolean, need: number): number {
    const phys = this.walkCore(lo, hi, acc, user, null);
    if (phys < 0 || (this.walkPerm & need & ~T_DIRTY) !== (need & ~T_DIRTY)) {
      if (phys >= 0) this.protectionError(acc, user, need);
      const s = this.s;
      s.cr2Lo = lo >>> 0;
      s.cr2Hi = hi >>> 0;
      throw this.fault.set(PF, this.walkErr, this.walkWhy);
    }
    // Accessed and (for writes) dirty on the leaf once the access is allowed (SDM 4.8); upper levels got their
    // accessed bit during the walk.
    const set = acc === ACC_WRITE ? PTE_A | PTE_D : PTE_A;
    const lv = this.walkLeafLo & 0xff;
    if ((lv & set) !== set) {
      const leaf = this.walkLeafAddr;
      this.memory.write8(this.platform.a20Enabled ? leaf : leaf - (leaf & 0x100000), lv | set);
    }
    if (acc === ACC_WRITE) this.walkPerm |= T_DIRTY;
    const vpn = lo >>> 12;
    const i = vpn & (TLB_SIZE - 1);
    this.fill(i, vpn, hi, phys - (phys % 4096), this.walkPerm | (this.walkShift << T_SHIFT_POS) | (acc === ACC_EXEC ? T_FETCHED : 0));
    return phys;
  }

  /** Sets walkErr/walkWhy for a present page whose permissions refuse the access. */
  private protectionError(acc: AccessKind, user: boolean, need: number): void {
    this.walkErr = PF_P | (acc === ACC_WRITE ? PF_W : 0) | (user ? PF_U : 0) | (acc === ACC_EXEC && this.fetchReportsI() ? PF_I : 0);
    const missing = need & ~this.walkPerm;
    this.walkWhy =
      missing & T_NOT_USER ? 'SMAP: supervisor access to a user page'
      : acc === ACC_EXEC ? (user ? 'fetch from a supervisor or no-execute page' : 'fetch from a no-execute page or a user page under SMEP')
      : acc === ACC_WRITE ? (user && (missing & T_WR_U) && (this.walkPerm & T_RD_U) === 0 ? 'user access to a supervisor page' : 'write to a read-only page')
      : 'user access to a supervisor page';
  }

  private fetchReportsI(): boolean {
    const s = this.s;
    return (s.cr4 & CR4_SMEP) !== 0 || ((s.cr4 & CR4_PAE) !== 0 && (s.efer & EFER_NXE) !== 0);
  }

  private notPresent(acc: AccessKind, user: boolean, why: string): number {
    this.walkErr = (acc === ACC_WRITE ? PF_W : 0) | (user ? PF_U : 0) | (acc === ACC_EXEC && this.fetchReportsI() ? PF_I : 0);
    this.walkWhy = why;
    return -1;
  }

  private reserved(acc: AccessKind, user: boolean, why: string): number {
    this.walkErr = PF_P | PF_RSVD | (acc === ACC_WRITE ? PF_W : 0) | (user ? PF_U : 0) | (acc === ACC_EXEC && this.fetchReportsI() ? PF_I : 0);
    this.walkWhy = why;
    return -1;
  }

  /**
   * Marks a non-leaf entry accessed as the walk passes it, even if a lower level then faults — what QEMU does
   * and what the SDM allows ("whenever the processor uses a paging-structure entry").
   */
  private setAccessed(a: number, lo: number): void {
    if ((lo & PTE_A) === 0) {
      const p = this.platform.a20Enabled ? a : a - (a & 0x100000);
      this.memory.write8(p, (lo | PTE_A) & 0xff);
    }
  }

  private readPhys32(a: number): number {
    return this.memory.read32(this.platform.a20Enabled ? a : a - (a & 0x100000));
  }

  /** Reads the 8-byte paging entry at physical `a` into entLo/entHi: straight from the host page when it is RAM
   * (one lookup instead of two bus reads), else through the bus (MMIO, open bus, unallocated). */
  private readEntry(a: number, level: number): void {
    const p = this.platform.a20Enabled ? a : a - (a & 0x100000);
    const pn = p < TWO32 ? p >>> 12 : Math.floor(p / 4096);
    // The host page of each level's last table, reused while the memory layout is unchanged (walks of
    // neighbouring pages go through the same tables).
    let page: Uint8Array | null;
    if (this.tablePn[level] === pn && this.tableLayout === this.memory.layout) page = this.tablePage[level];
    else {
      if (this.tableLayout !== this.memory.layout) {
        this.tablePn.fill(-1);
        this.tableLayout = this.memory.layout;
      }
      page = this.memory.hostPageForRead(pn);
      this.tablePn[level] = page === null ? -1 : pn;
      this.tablePage[level] = page;
      if (page !== null) {
        this.tableGen[level] = this.memory.chunkFor(pn)!.gen;
        this.tableGenIndex[level] = pn & 1023;
      }
    }
    this.entFromHost = page !== null;
    if (page !== null) {
      const o = p & 0xfff;
      this.entLo = page[o] | (page[o + 1] << 8) | (page[o + 2] << 16) | (page[o + 3] << 24);
      this.entHi = page[o + 4] | (page[o + 5] << 8) | (page[o + 6] << 16) | (page[o + 7] << 24);
    } else {
      this.entLo = this.memory.read32(p) | 0;
      this.entHi = this.memory.read32(p + 4) | 0;
    }
  }

  /**
   * Walks the paging structures. Returns the physical address or -1 (walkErr/walkWhy set).
   * Leaves the combined permissions in walkPerm. Without `rec` (the CPU's own walks) upper-level accessed bits are
   * set on the way; with `rec` (debugger) nothing is written.
   */
  private walkCore(lo: number, hi: number, acc: AccessKind, user: boolean, rec: WalkLevel[] | null): number {
    const s = this.s;
    let rw = 1, us = 1, xd = 0;
    let physPage = 0, shift = 12, leafLo = 0;
    const nxe = (s.efer & EFER_NXE) !== 0;
    if (s.paging === '32-bit') {
      const pdeAddr = ((s.cr3Lo & 0xfffff000) >>> 0) + (lo >>> 22) * 4;
      const pde = this.readPhys32(pdeAddr);
      const large = (pde & PTE_PS) !== 0 && (s.cr4 & CR4_PSE) !== 0;
      rec?.push({ name: 'PDE', entryAddress: pdeAddr, lo: pde >>> 0, hi: 0, leaf: large });
      if ((pde & PTE_P) === 0) return this.notPresent(acc, user, 'PDE not present');
      rw &= pde >>> 1;
      us &= pde >>> 2;
      if (large) {
        const high = (pde >>> 13) & 0xff;
        const maxHigh = this.features.pse36 ? Math.min(this.features.maxPhysAddr, 40) - 32 : 0;
        if (pde & (1 << 21) || high >>> maxHigh !== 0) return this.reserved(acc, user, 'reserved bit set in a 4 MiB PDE');
        physPage = ((pde & 0xffc00000) >>> 0) + high * TWO32 + (lo & 0x3ff000);
        shift = 22;
        leafLo = pde;
        this.walkLeafAddr = pdeAddr;
      } else {
        if (rec === null) this.setAccessed(pdeAddr, pde);
        const pteAddr = ((pde & 0xfffff000) >>> 0) + ((lo >>> 12) & 0x3ff) * 4;
        const pte = this.readPhys32(pteAddr);
        rec?.push({ name: 'PTE', entryAddress: pteAddr, lo: pte >>> 0, hi: 0, leaf: true });
        if ((pte & PTE_P) === 0) return this.notPresent(acc, user, 'PTE not present');
        rw &= pte >>> 1;
        us &= pte >>> 2;
        physPage = (pte & 0xfffff000) >>> 0;
        leafLo = pte;
        this.walkLeafAddr = pteAddr;
      }
    } else {
      let level: number;
      let table: number;
      if (s.paging === 'pae') {
        const idx = lo >>> 30;
        const eLo = this.pdpteLo[idx], eHi = this.pdpteHi[idx];
        rec?.push({ name: 'PDPTE', entryAddress: ((s.cr3Lo & 0xffffffe0) >>> 0) + idx * 8, lo: eLo, hi: eHi, leaf: false });
        if ((eLo & PTE_P) === 0) return this.notPresent(acc, user, 'PDPTE not present');
        table = (eHi & this.addrHiMask) * TWO32 + ((eLo & 0xfffff000) >>> 0);
        level = 2;
      } else {
        level = s.paging === '5-level' ? 5 : 4;
        table = (s.cr3Hi & this.addrHiMask) * TWO32 + ((s.cr3Lo & 0xfffff000) >>> 0);
        if (rec === null && this.memoOn && this.memoLin === lo >>> 21 && this.memoHi === (hi | 0) && this.memoCr3Lo === s.cr3Lo && this.memoCr3Hi === s.cr3Hi && this.memoTop === level && this.memoFresh()) {
          table = this.memoTable;
          rw = this.memoRw;
          us = this.memoUs;
          xd = this.memoXd;
          level = 1;
        }
      }
      const top = level;
      let fromHost = true;
      for (;;) {
        const idx =
          level === 5 ? (hi >>> 16) & 0x1ff
          : level === 4 ? (hi >>> 7) & 0x1ff
          : level === 3 ? ((hi & 0x7f) << 2) | (lo >>> 30)
          : level === 2 ? (lo >>> 21) & 0x1ff
          : (lo >>> 12) & 0x1ff;
        const ea = table + idx * 8;
        this.readEntry(ea, level);
        fromHost &&= this.entFromHost;
        const eLo = this.entLo, eHi = this.entHi;
        const ps = (eLo & PTE_PS) !== 0;
        const leaf = level === 1 || (ps && level <= 3);
        rec?.push({ name: LEVEL_NAMES[level], entryAddress: ea, lo: eLo >>> 0, hi: eHi >>> 0, leaf });
        if ((eLo & PTE_P) === 0) return this.notPresent(acc, user, `${LEVEL_NAMES[level]} not present`);
        if (eHi & this.rsvdHi) return this.reserved(acc, user, `${LEVEL_NAMES[level]} sets address bits beyond MAXPHYADDR`);
        if (!nxe && eHi & 0x80000000) return this.reserved(acc, user, `${LEVEL_NAMES[level]} sets XD while EFER.NXE = 0`);
        if (ps && level >= 4) return this.reserved(acc, user, `${LEVEL_NAMES[level]} sets PS (reserved)`);
        if (ps && level === 3 && !this.features.pages1g) return this.reserved(acc, user, 'PDPTE sets PS but 1 GiB pages are not supported');
        if (ps && level === 3 && eLo & 0x3fffe000) return this.reserved(acc, user, 'reserved bits 29:13 set in a 1 GiB PDPTE');
        if (ps && level === 2 && eLo & 0x1fe000) return this.reserved(acc, user, 'reserved bits 20:13 set in a 2 MiB PDE');
        rw &= eLo >>> 1;
        us &= eLo >>> 2;
        if (nxe) xd |= eHi >>> 31;
        if (leaf) {
          this.walkLeafAddr = ea;
          leafLo = eLo;
          const hiPart = (eHi & this.addrHiMask) * TWO32;
          if (level === 3) {
            shift = 30;
            physPage = hiPart + ((eLo & 0xc0000000) >>> 0) + (lo & 0x3ffff000);
          } else if (level === 2) {
            shift = 21;
            physPage = hiPart + ((eLo & 0xffe00000) >>> 0) + (lo & 0x1ff000);
          } else physPage = hiPart + ((eLo & 0xfffff000) >>> 0);
          break;
        }
        if (rec === null) this.setAccessed(ea, eLo);
        table = (eHi & this.addrHiMask) * TWO32 + ((eLo & 0xfffff000) >>> 0);
        if (level === 2 && top >= 4 && rec === null && fromHost) this.remember(lo, hi, top, table, rw, us, xd);
        level--;
      }
    }
    rw &= 1;
    us &= 1;
    const wp = (s.cr0 & CR0_WP) !== 0;
    const smep = (s.cr4 & CR4_SMEP) !== 0;
    let perm = T_VALID | T_RD_S;
    if (rw || !wp) perm |= T_WR_S;
    if (!xd && !(smep && us)) perm |= T_EX_S;
    if (us) {
      perm |= T_RD_U;
      if (rw) perm |= T_WR_U;
      if (!xd) perm |= T_EX_U;
    } else perm |= T_NOT_USER;
    if (leafLo & PTE_D) perm |= T_DIRTY;
    if (leafLo & PTE_G && s.cr4 & CR4_PGE) perm |= T_GLOBAL;
    if (shift !== 12) perm |= T_LARGE;
    this.walkPerm = perm;
    this.walkLeafLo = leafLo;
    this.walkShift = shift;
    this.walkRw = rw;
    this.walkUs = us;
    this.walkXd = xd & 1;
    if (!this.platform.a20Enabled) physPage -= physPage & 0x100000;
    return physPage + (lo & 0xfff);
  }

  /** Whether no table page the walk memo read has been written since (see memoOn). */
  private memoFresh(): boolean {
    for (let l = this.memoTop; l >= 2; l--) if (this.memoGen[l][this.memoGenIndex[l]] !== this.memoGenValue[l]) return false;
    return true;
  }

  /** Records the upper levels of the current walk (after their accessed bits were set) for memoFresh. */
  private remember(lo: number, hi: number, top: number, table: number, rw: number, us: number, xd: number): void {
    for (let l = top; l >= 2; l--) {
      const g = this.tableGen[l], k = this.tableGenIndex[l];
      this.memoGen[l] = g;
      this.memoGenIndex[l] = k;
      this.memoGenValue[l] = g[k];
    }
    this.memoOn = true;
    this.memoLin = lo >>> 21;
    this.memoHi = hi | 0;
    this.memoCr3Lo = this.s.cr3Lo;
    this.memoCr3Hi = this.s.cr3Hi;
    this.memoTop = top;
    this.memoTable = table;
    this.memoRw = rw;
    this.memoUs = us;
    this.memoXd = xd;
  }

  /**
   * Loads the four PAE PDPTEs from CR3 (MOV CR3 / enabling paging in PAE legacy mode). Returns false when one has
   * reserved bits set: the caller raises #GP(0) (SDM 4.4.1).
   */
  loadPdptes(): boolean {
    const base = (this.s.cr3Lo & 0xffffffe0) >>> 0;
    const lo = [0, 0, 0, 0], hi = [0, 0, 0, 0];
    for (let i = 0; i < 4; i++) {
      lo[i] = this.readPhys32(base + i * 8);
      hi[i] = this.readPhys32(base + i * 8 + 4);
      if (lo[i] & PTE_P && (lo[i] & 0x1e6 || hi[i] & (this.rsvdHi | 0x80000000) || hi[i] & 0x7ff00000)) return false;
    }
    for (let i = 0; i < 4; i++) {
      this.pdpteLo[i] = lo[i] >>> 0;
      this.pdpteHi[i] = hi[i] >>> 0;
    }
    return true;
  }

  // ---- debugger views (no side effects, may allocate) --------------------------------------------------------

  /** The full walk of a linear address as the current paging mode sees it, with each level's entry. */
  walk(lo: number, hi: number, acc: AccessKind = ACC_READ, user = false): WalkResult {
    const s = this.s;
    if ((s.cr0 & CR0_PG) === 0) {
      const p = this.platform.a20Enabled ? lo >>> 0 : (lo >>> 0) & ~0x100000;
      return { paging: 'none', levels: [], physical: p >>> 0, pageSize: 4096, writable: true, user: true, executable: true, global: false };
    }
    const levels: WalkLevel[] = [];
    const phys = this.walkCore(lo, hi, acc, user, levels);
    if (phys < 0) return { paging: s.paging, levels, faultErrorCode: this.walkErr, faultReason: this.walkWhy };
    const p = this.walkPerm;
    const r: WalkResult = {
      paging: s.paging, levels, physical: phys, pageSize: 2 ** this.walkShift,
      writable: this.walkRw === 1, user: this.walkUs === 1, executable: this.walkXd === 0, global: (p & T_GLOBAL) !== 0,
    };
    const need = this.needMask(acc, user, false);
    if ((p & need) !== need) {
      this.protectionError(acc, user, need);
      r.faultErrorCode = this.walkErr;
      r.faultReason = this.walkWhy;
    }
    return r;
  }
}

const LEVEL_NAMES = ['', 'PTE', 'PDE', 'PDPTE', 'PML4E', 'PML5E'];
