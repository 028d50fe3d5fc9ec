// Guest physical memory: sparse 4 KiB pages (a 4 GiB guest costs only what it touches), ROM regions whose writes
// are ignored, MMIO regions dispatched to devices, and copy-on-write snapshots by page epoch.
import { MachineStop } from '../stop';

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 4096;
const PAGE_MASK = 4095;
const CHUNK_SHIFT = 10; // 1024 pages (4 MiB) per chunk
const CHUNK_PAGES = 1 << CHUNK_SHIFT;
const FOUR_GIB = 0x1_0000_0000;

/** Page kinds (low 2 bits of the per-page kind byte). */
export const KIND_RAM = 0, KIND_ROM = 1, KIND_MMIO = 2, KIND_NONE = 3;
/** Extra per-page bits that force the slow path: writes here must invalidate decoded code / check watchpoints. */
export const KIND_CODE = 4, KIND_WATCH = 8;
/** Kind bits that force reads onto the slow path: MMIO and NONE both have bit 1 set. */
/** Kind bits whose reads must take the slow path (MMIO, watched). */
export const SLOW_READ = 2 | 8;

export interface MmioDevice {
  /** Reads `size` bytes at `offset` within the region (little-endian value). */
  read(offset: number, size: 1 | 2 | 4): number;
  write(offset: number, size: 1 | 2 | 4, value: number): void;
}

interface MmioRegion {
  base: number;
  size: number;
  device: MmioDevice;
}

/** 1024 pages' host arrays, kinds and write generations (exposed read-only for the instruction-fetch cache). */
export interface Chunk {
  pages: (Uint8Array | undefined)[];
  /** The copy of `pages` handed to the latest snapshot, reused while no page pointer changes (null after one does). */
  snapPages: (Uint8Array | undefined)[] | null;
  /** Snapshot epoch in which each page was last made private; older pages are shared and copied on write. */
  epoch: Int32Array;
  kind: Uint8Array;
  /** Write generation per page: bumped by every path that changes the page's bytes (decoded-instruction cache). */
  gen: Int32Array;
}

export interface MemoryConfig {
  /** Guest RAM in bytes. RAM below 3 GiB is contiguous from 0; the rest sits from 4 GiB up (like a PC). */
  ramBytes: number;
  /** Host memory cap in bytes for allocated pages (default: RAM size + 16 MiB). */
  hostCapBytes?: number;
}

/** Opaque copy-on-write memory image held by a snapshot. */
export interface MemorySnapshot {
  readonly pages: ReadonlyMap<number, (Uint8Array | undefined)[]>;
  readonly allocated: number;
}

export class PhysicalMemory {
  readonly ramBytes: number;
  /** End of RAM below 4 GiB and size of RAM above 4 GiB. */
  readonly lowRamEnd: number;
  readonly highRamBytes: number;
  private readonly chunks = new Map<number, Chunk>();
  /** Fast lookup for chunks below 4 GiB (1024 of them); higher chunks go through the map. */
  private readonly low: (Chunk | undefined)[] = [];
  private readonly mmio: MmioRegion[] = [];
  private epochNow = 0;
  private allocatedPages = 0;
  private readonly capPages: number;
  /**
   * Bumped whenever a page's host array, kind bits or copy-on-write ownership may change (allocation, copy on
   * write, snapshot, restore, ROM/MMIO mapping, page flags): host pages cached elsewhere (the CPUs' TLBs) are
   * trusted only while it is unchanged.
   */
  layout = 0;
  /** Write generations of the page lookUpHost found writable, and its index there. */
  hostGen: Int32Array = new Int32Array(1);
  hostGenIndex = 0;
  /** Called when a page flagged KIND_CODE is written (decoded-instruction cache invalidation). */
  onCodeWrite: ((page: number) => void) | undefined;
  /** Called for accesses to pages flagged KIND_WATCH (physical watchpoints). */
  onWatch: ((addr: number, size: number, write: boolean, value: number) => void) | undefined;

  constructor(config: MemoryConfig) {
    const ram = Math.max(PAGE_SIZE, Math.ceil(config.ramBytes / PAGE_SIZE) * PAGE_SIZE);
    this.ramBytes = ram;
    this.lowRamEnd = Math.min(ram, 0xc000_0000);
    this.highRamBytes = ram - this.lowRamEnd;
    this.capPages = Math.ceil((config.hostCapBytes ?? ram + 16 * 1024 * 1024) / PAGE_SIZE);
    for (let i = 0; i < FOUR_GIB / PAGE_SIZE / CHUNK_PAGES; i++) this.low.push(undefined);
  }

  /** Host bytes in use for guest pages. */
  get allocatedBytes(): number {
    return this.allocatedPages * PAGE_SIZE;
  }

  // ---- fast paths ---------------------------------------------------------------------------------------

  read8(a: number): number {
    return this.readN(a, 1);
  }

  read16(a: number): number {
    return this.readN(a, 2);
  }

  /** Unsigned 32-bit read. */
  read32(a: number): number {
    return this.readN(a, 4);
  }

  write8(a: number, v: number): void {
    this.writeN(a, 1, v);
  }

  write16(a: number, v: number): void {
    this.writeN(a, 2, v);
  }

  write32(a: number, v: number): void {
    this.writeN(a, 4, v);
  }

  /** Little-endian read of `size` bytes; a read that crosses a page is done byte by byte. */
  private readN(a: number, size: 1 | 2 | 4): number {
    const o = a & PAGE_MASK;
    if (o > PAGE_SIZE - size) return this.readSplit(a, size);
    const pn = a < FOUR_GIB ? a >>> PAGE_SHIFT : Math.floor(a / PAGE_SIZE);
    const c = pn < 0x100000 ? this.low[pn >>> CHUNK_SHIFT] : this.chunks.get(pn >>> CHUNK_SHIFT);
    if (c === undefined) {
      const v = this.readUnbacked(pn);
      return size === 1 ? v & 0xff : size === 2 ? v & 0xffff : v >>> 0;
    }
    const i = pn & (CHUNK_PAGES - 1);
    if ((c.kind[i] & SLOW_READ) !== 0) return this.readSlow(a, size);
    const p = c.pages[i];
    if (p === undefined) return 0;
    return size === 1 ? p[o] : size === 2 ? p[o] | (p[o + 1] << 8) : (p[o] | (p[o + 1] << 8) | (p[o + 2] << 16) | (p[o + 3] << 24)) >>> 0;
  }

  private readSplit(a: number, size: number): number {
    let v = 0;
    for (let k = 0; k < size; k++) v |= this.read8(a + k) << (8 * k);
    return v >>> 0;
  }

  private writeSplit(a: number, size: number, v: number): void {
    for (let k = 0; k < size; k++) this.write8(a + k, (v >>> (8 * k)) & 0xff);
  }

  /** Little-endian write of `size` bytes; plain private RAM directly, everything else (allocation, copy on write,
   * ROM, MMIO, watched or code pages) through writeSlow; a write that crosses a page is done byte by byte. */
  private writeN(a: number, size: 1 | 2 | 4, v: number): void {
    const o = a & PAGE_MASK;
    if (o > PAGE_SIZE - size) {
      this.writeSplit(a, size, v);
      return;
    }
    const pn = a < FOUR_GIB ? a >>> PAGE_SHIFT : Math.floor(a / PAGE_SIZE);
    const c = pn < 0x100000 ? this.low[pn >>> CHUNK_SHIFT] : this.chunks.get(pn >>> CHUNK_SHIFT);
    if (c !== undefined) {
      const i = pn & (CHUNK_PAGES - 1);
      const p = c.pages[i];
      if (p !== undefined && c.kind[i] === 0 && c.epoch[i] === this.epochNow) {
        p[o] = v;
        if (size >= 2) p[o + 1] = v >>> 8;
        if (size === 4) {
          p[o + 2] = v >>> 16;
          p[o + 3] = v >>> 24;
        }
        c.gen[i]++;
        return;
      }
    }
    this.writeSlow(a, size, v);
  }

  /**
   * The host page backing a readable RAM/ROM page (for instruction fetch and bulk copies), or undefined when the
   * page is unallocated zero RAM, MMIO, unbacked or watched. Never write through it: use write8/16/32.
   */
  pageForRead(pageNumber: number): Uint8Array | undefined {
    const c = this.chunkOf(pageNumber);
    if (c === undefined) return undefined;
    const i = pageNumber & (CHUNK_PAGES - 1);
    this.readGen = c.gen[i];
    return (c.kind[i] & SLOW_READ) === 0 ? c.pages[i] : undefined;
  }

  /** The chunk holding page `pageNumber` (index `pageNumber & 1023`), if any; for fetch caches, never to write. */
  chunkFor(pageNumber: number): Chunk | undefined {
    return this.chunkOf(pageNumber);
  }

  /** Write generation of the page last returned by pageForRead (changes whenever its bytes may have changed). */
  readGen = 0;

  /** Results of lookUpHost. */
  hostRead: Uint8Array | null = null;
  hostWrite: Uint8Array | null = null;

  /**
   * hostPageForRead and hostPageForWrite of one page in one lookup: results in hostRead, hostWrite (and hostGen,
   * hostGenIndex when hostWrite is not null).
   */
  lookUpHost(pageNumber: number): void {
    const c = pageNumber < 0x100000 ? this.low[pageNumber >>> CHUNK_SHIFT] : this.chunks.get(Math.floor(pageNumber / CHUNK_PAGES));
    if (c === undefined) {
      this.hostRead = this.hostWrite = null;
      return;
    }
    const i = pageNumber & (CHUNK_PAGES - 1);
    const p = c.pages[i];
    const k = c.kind[i];
    if (p === undefined || (k & SLOW_READ) !== 0) {
      this.hostRead = this.hostWrite = null;
      return;
    }
    this.hostRead = p;
    if (k === 0 && c.epoch[i] === this.epochNow) {
      this.hostWrite = p;
      this.hostGen = c.gen;
      this.hostGenIndex = i;
    } else this.hostWrite = null;
  }

  /**
   * The host array of an allocated page whose reads need no side effects (RAM or ROM, not MMIO, not watched), or
   * null. Valid while `layout` is unchanged.
   */
  hostPageForRead(pageNumber: number): Uint8Array | null {
    const c = this.chunkOf(pageNumber);
    if (c === undefined) return null;
    const i = pageNumber & (CHUNK_PAGES - 1);
    const p = c.pages[i];
    return p !== undefined && (c.kind[i] & SLOW_READ) === 0 ? p : null;
  }

  // ---- bulk access for loaders and debuggers (not for the hot path) --------------------------------------

  /** Copies guest bytes out; MMIO is not touched (reads as 0xFF) so a debugger view has no side effects. */
  readBytes(addr: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let k = 0; k < length; k++) {
      const a = addr + k;
      const pn = Math.floor(a / PAGE_SIZE);
      const kind = this.kindOf(pn) & 3;
      if (kind === KIND_MMIO || kind === KIND_NONE) out[k] = 0xff;
      else {
        const c = this.chunkOf(pn);
        const p = c?.pages[pn & (CHUNK_PAGES - 1)];
        out[k] = p === undefined ? 0 : p[a & PAGE_MASK];
      }
    }
    return out;
  }

  /** Writes guest bytes like a CPU would (ROM ignores them, MMIO sees byte writes). */
  writeBytes(addr: number, data: ArrayLike<number>): void {
    for (let k = 0; k < data.length; k++) this.write8(addr + k, data[k] & 0xff);
  }

  /** Places an image into RAM or ROM regardless of the ROM write protection (loaders only). */
  load(addr: number, data: ArrayLike<number>): void {
    for (let k = 0; k < data.length; k++) {
      const a = addr + k;
      const pn = Math.floor(a / PAGE_SIZE);
      const kind = this.kindOf(pn) & 3;
      if (kind === KIND_MMIO || kind === KIND_NONE) throw new RangeError(`cannot load at 0x${a.toString(16)}: no memory there`);
      if (this.kindOf(pn) & KIND_CODE) this.onCodeWrite?.(pn);
      this.privatePage(pn)[a & PAGE_MASK] = data[k] & 0xff;
    }
  }

  // ---- layout ---------------------------------------------------------------------------------------------

  /** Maps `data` (a multiple of 4 KiB) read-only at `base`; several bases may share one image (aliases). */
  mapRom(base: number, data: Uint8Array): void {
    if (base % PAGE_SIZE !== 0 || data.length % PAGE_SIZE !== 0) throw new RangeError('ROM must be 4 KiB aligned and sized');
    for (let off = 0; off < data.length; off += PAGE_SIZE) {
      const pn = (base + off) / PAGE_SIZE;
      const c = this.ensureChunk(pn);
      const i = pn & (CHUNK_PAGES - 1);
      c.kind[i] = (c.kind[i] & ~3) | KIND_ROM;
      c.pages[i] = data.subarray(off, off + PAGE_SIZE);
      c.snapPages = null;
      this.layout++;
      c.epoch[i] = -1; // never written through anyway
      c.gen[i]++;
    }
  }

  /** Routes accesses to [base, base + size) to a device. */
  mapMmio(base: number, size: number, device: MmioDevice): void {
    this.mmio.push({ base, size, device });
    for (let a = base - (base % PAGE_SIZE); a < base + size; a += PAGE_SIZE) {
      const pn = a / PAGE_SIZE;
      const c = this.ensureChunk(pn);
      const i = pn & (CHUNK_PAGES - 1);
      c.kind[i] = (c.kind[i] & ~3) | KIND_MMIO;
    }
    this.layout++;
  }

  /** Sets or clears extra slow-path bits (KIND_CODE, KIND_WATCH) on a page. */
  setPageFlag(pageNumber: number, flag: number, on: boolean): void {
    const c = on ? this.ensureChunk(pageNumber) : this.chunkOf(pageNumber);
    if (c === undefined) return;
    const i = pageNumber & (CHUNK_PAGES - 1);
    c.kind[i] = on ? c.kind[i] | flag : c.kind[i] & ~flag;
    this.layout++;
  }

  /** Clears a flag on every page (e.g. when the code cache is flushed or the last watchpoint removed). */
  clearPageFlagEverywhere(flag: number): void {
    for (const c of this.chunks.values()) for (let i = 0; i < CHUNK_PAGES; i++) c.kind[i] &= ~flag;
    this.layout++;
  }

  /** What backs a physical page: KIND_RAM, KIND_ROM, KIND_MMIO or KIND_NONE (plus flag bits). */
  kindOf(pageNumber: number): number {
    const c = this.chunkOf(pageNumber);
    if (c !== undefined) return c.kind[pageNumber & (CHUNK_PAGES - 1)];
    return this.defaultKind(pageNumber);
  }

  // ---- snapshots --------------------------------------------------------------------------------------------

  /** A copy-on-write image: O(chunks touched); pages are copied lazily on the next write. */
  snapshot(): MemorySnapshot {
    const pages = new Map<number, (Uint8Array | undefined)[]>();
    for (const [k, c] of this.chunks) {
      if (c.snapPages === null) c.snapPages = c.pages.slice();
      pages.set(k, c.snapPages);
    }
    this.epochNow++;
    this.layout++;
    return { pages, allocated: this.allocatedPages };
  }

  restore(s: MemorySnapshot): void {
    for (const [k, c] of this.chunks) {
      const saved = s.pages.get(k);
      c.snapPages = null;
      for (let i = 0; i < CHUNK_PAGES; i++) {
        const p = saved ? saved[i] : undefined;
        c.pages[i] = (c.kind[i] & 3) === KIND_ROM && p === undefined ? c.pages[i] : p;
        c.gen[i]++;
      }
    }
    this.allocatedPages = s.allocated;
    this.epochNow++;
    this.layout++;
  }

  // ---- slow paths ---------------------------------------------------------------------------------------------

  private chunkOf(pn: number): Chunk | undefined {
    return pn < 0x100000 ? this.low[pn >>> CHUNK_SHIFT] : this.chunks.get(Math.floor(pn / CHUNK_PAGES));
  }

  private defaultKind(pn: number): number {
    const a = pn * PAGE_SIZE;
    if (a < this.lowRamEnd) return KIND_RAM;
    if (a >= FOUR_GIB && a < FOUR_GIB + this.highRamBytes) return KIND_RAM;
    return KIND_NONE;
  }

  private ensureChunk(pn: number): Chunk {
    const ci = Math.floor(pn / CHUNK_PAGES);
    let c = this.chunks.get(ci);
    if (c === undefined) {
      const kind = new Uint8Array(CHUNK_PAGES);
      for (let i = 0; i < CHUNK_PAGES; i++) kind[i] = this.defaultKind(ci * CHUNK_PAGES + i);
      const pages: (Uint8Array | undefined)[] = [];
      for (let i = 0; i < CHUNK_PAGES; i++) pages.push(undefined);
      c = { pages, snapPages: null, epoch: new Int32Array(CHUNK_PAGES), kind, gen: new Int32Array(CHUNK_PAGES) };
      this.chunks.set(ci, c);
      if (ci < this.low.length) this.low[ci] = c;
    }
    return c;
  }

  /** The page made private to the live machine (allocated or copied from a snapshot-shared page). */
  private privatePage(pn: number): Uint8Array {
    const c = this.ensureChunk(pn);
    const i = pn & (CHUNK_PAGES - 1);
    const p = c.pages[i];
    c.gen[i]++; // the caller is about to change the page's bytes
    if ((c.kind[i] & 3) === KIND_ROM && p !== undefined) return p; // loaders write ROM images in place
    if (p !== undefined && c.epoch[i] === this.epochNow) return p;
    if (p === undefined) {
      if (this.allocatedPages >= this.capPages) {
        throw new MachineStop({
          kind: 'memory-cap',
          message: `guest touched more than the host memory cap of ${(this.capPages * PAGE_SIZE) / 1048576} MiB`,
        });
      }
      this.allocatedPages++;
    }
    const fresh = p === undefined ? new Uint8Array(PAGE_SIZE) : p.slice();
    c.pages[i] = fresh;
    c.snapPages = null;
    c.epoch[i] = this.epochNow;
    this.layout++;
    return fresh;
  }

  private readUnbacked(pn: number): number {
    return this.defaultKind(pn) === KIND_NONE ? -1 : 0; // open bus reads all ones
  }

  private findMmio(a: number): MmioRegion | undefined {
    for (const r of this.mmio) if (a >= r.base && a < r.base + r.size) return r;
    return undefined;
  }

  private readSlow(a: number, size: 1 | 2 | 4): number {
    const pn = Math.floor(a / PAGE_SIZE);
    const kind = this.kindOf(pn);
    let v: number;
    if ((kind & 3) === KIND_MMIO) {
      const r = this.findMmio(a);
      v = r ? r.device.read(a - r.base, size) : -1;
    } else if ((kind & 3) === KIND_NONE) v = -1;
    else {
      const p = this.chunkOf(pn)?.pages[pn & (CHUNK_PAGES - 1)];
      const o = a & PAGE_MASK;
      v = p === undefined ? 0 : size === 1 ? p[o] : size === 2 ? p[o] | (p[o + 1] << 8) : p[o] | (p[o + 1] << 8) | (p[o + 2] << 16) | (p[o + 3] << 24);
    }
    v = size === 1 ? v & 0xff : size === 2 ? v & 0xffff : v >>> 0;
    if (kind & KIND_WATCH) this.onWatch?.(a, size, false, v);
    return v;
  }

  private writeSlow(a: number, size: 1 | 2 | 4, v: number): void {
    const pn = Math.floor(a / PAGE_SIZE);
    const kind = this.kindOf(pn);
    if (kind & KIND_WATCH) this.onWatch?.(a, size, true, size === 4 ? v >>> 0 : v & (size === 1 ? 0xff : 0xffff));
    const k = kind & 3;
    if (k === KIND_MMIO) {
      const r = this.findMmio(a);
      r?.device.write(a - r.base, size, size === 4 ? v >>> 0 : v & (size === 1 ? 0xff : 0xffff));
      return;
    }
    if (k === KIND_ROM || k === KIND_NONE) return; // ignored, as on the real bus
    if (kind & KIND_CODE) this.onCodeWrite?.(pn);
    const p = this.privatePage(pn);
    const o = a & PAGE_MASK;
    p[o] = v;
    if (size >= 2) p[o + 1] = v >>> 8;
    if (size === 4) {
      p[o + 2] = v >>> 16;
      p[o + 3] = v >>> 24;
    }
  }
}
