// The instruction executor: fetches at CS:RIP, decodes with the shared table-driven decoder (through a cache of
// decoded instructions keyed by physical address), and dispatches on the table's operation names.
import type { DecodedInstruction } from '../../isa/decoder';
import * as Mdecoder from '../../isa/decoder';
import * as Mtable from '../../isa/table';
import type { Cpu } from '../cpu/cpu';
import type { BlockHost, BlockStops, Executor } from '../cpu/executor';
import * as Mfault from '../cpu/fault';
import * as Mmmu from '../cpu/mmu';
import * as Msegment from '../cpu/segment';
import type { Chunk, PhysicalMemory } from '../memory/physical';
import * as Mphysical from '../memory/physical';
import * as Mblock from './block';
import type { Block } from './block';
import * as Mcontext from './context';
import * as Mflags from './flags';
import * as Mcontrol from './control';
import type { Handler } from './integer';
import * as Minteger from './integer';
import * as Mstrings from './strings';
import * as Msystem from './system';
import { absentFeatureHandlers } from './absent-features';
// Imported bindings copied into locals: tsx/CommonJS turns each use of an import into a getter call, which
// dominated the hot path.
const { decodeInstruction, newDecoded } = Mdecoder;
const { forms } = Mtable;
const { GP, UD } = Mfault;
const { ACC_EXEC } = Mmmu;
const { CS, ATTR_CE, ATTR_CODE, ATTR_UNUSABLE } = Msegment;
const { SLOW_READ } = Mphysical;
const { X, computeEa, K_MOFFS, formDst, formSrc } = Mcontext;
const { buildBlock, compileBlock, JMP_ALWAYS } = Mblock;
const { condition } = Mflags;
const { controlHandlers } = Mcontrol;
const { integerHandlers } = Minteger;
const { stringHandlers } = Mstrings;
const { systemConfig, systemHandlers } = Msystem;

const TWO32 = 0x1_0000_0000;
const PREFIX_LOCK = 1;

/** Handler per operation name (the table's `op`), merged from the instruction groups. */
export const operationHandlers: Readonly<Record<string, Handler>> = {
  ...integerHandlers,
  ...controlHandlers,
  ...stringHandlers,
  ...systemHandlers,
  ...absentFeatureHandlers,
};

/** Operations of the table this executor does not implement (checked by the tests). */
export function unimplementedOperations(): string[] {
  return [...new Set(forms.filter((f) => !f.encodeOnly && !(f.op in operationHandlers)).map((f) => f.op))];
}

const missing: Handler = (cpu, d) => cpu.raise(UD, 0, `${d.form!.op} is not implemented by the emulator`);
/** Dispatch table indexed by form number. */
const handlerOf: Handler[] = forms.map((f) => operationHandlers[f.op] ?? missing);
const hasMoffs: boolean[] = forms.map((_, i) => formDst[i] === K_MOFFS || formSrc[i] === K_MOFFS);
/** Forms whose memory operand is an address, not an access (LEA), or computed later (POP to memory). */
const lockable: boolean[] = forms.map((f) => f.lock);

interface CacheEntry {
  d: DecodedInstruction;
  mode: number;
  bytes: Uint8Array;
  /** The host page and its write generation when the bytes were last known to match (hit = two compares). */
  page: Uint8Array;
  gen: number;
}

/**
 * Per CPU: the code page of the last cached fetch, valid while the MMU's epoch, CPL and mode are unchanged, so
 * the next fetch from that page skips segmentation, the TLB and the memory's chunk lookup.
 */
class FetchCache {
  cpu: Cpu | null = null;
  epoch = -1;
  cpl = -1;
  mode = '';
  codeSize = 0;
  vpn = -1;
  hi = -1;
  /** Physical page number of that page. */
  pn = 0;
  chunk: Chunk | undefined = undefined;
  index = 0;
  entries: (CacheEntry | undefined)[] | undefined = undefined;
  /** Decoded blocks of that page by start offset. */
  blocks: (Block | undefined)[] | undefined = undefined;
}

export interface X86ExecutorOptions {
  /** CPUs in the machine (CPUID topology). */
  cpuCount?: number;
  /** Keep decoded instructions (default true; false decodes every time, for tests of the cache itself). */
  cache?: boolean;
  /** Runs of a decoded block after which its fast ops are compiled into one function (default 16; tests use 1). */
  compileBlocksAfter?: number;
}

/**
 * Executes x86 instructions on a Cpu. The decoded-instruction cache is keyed by physical address; an entry is
 * reused at once while its page's write generation (bumped by every memory write path) is unchanged, and after a
 * write only if the page's bytes still equal the instruction's bytes: stores from any path (CPU, loaders, DMA,
 * another CPU) are covered without slowing stores to pages that mix code and data (a boot sector's stack lives in
 * its code page). invalidatePage/flush drop entries eagerly as well.
 */
export class X86Executor implements Executor {
  private readonly pages = new Map<number, (CacheEntry | undefined)[]>();
  private readonly blockPages = new Map<number, (Block | undefined)[]>();
  private lastPage = -1;
  private lastEntries: (CacheEntry | undefined)[] | undefined;
  private memory: PhysicalMemory | null = null;
  private readonly scratch = newDecoded();
  private readonly useCache: boolean;
  private readonly compileAfter: number;
  private readonly cpuCount: number;
  // Instruction-fetch reader state (one closure for the executor's lifetime).
  private fetchCpu: Cpu | null = null;
  private fetchPage: Uint8Array | undefined = undefined;
  private fetchOff = 0;
  private readonly reader = (i: number): number => this.fetchByte(i);
  private readonly fetchCaches: FetchCache[] = [];

  constructor(options: X86ExecutorOptions = {}) {
    this.useCache = options.cache ?? true;
    this.compileAfter = Math.max(1, options.compileBlocksAfter ?? 16);
    this.cpuCount = options.cpuCount ?? 1;
  }

  invalidatePage(page: number): void {
    this.pages.delete(page);
    this.blockPages.delete(page);
    this.forgetFetchCaches();
    if (page === this.lastPage) {
      this.lastPage = -1;
      this.lastEntries = undefined;
    }
  }

  flush(): void {
    this.pages.clear();
    this.blockPages.clear();
    this.forgetFetchCaches();
    this.lastPage = -1;
    this.lastEntries = undefined;
  }

  private forgetFetchCaches(): void {
    for (const f of this.fetchCaches) f.cpu = null;
  }

  private fetchCacheOf(cpu: Cpu): FetchCache {
    let f = this.fetchCaches[cpu.id];
    if (f === undefined) {
      while (this.fetchCaches.length <= cpu.id) this.fetchCaches.push(new FetchCache());
      f = this.fetchCaches[cpu.id];
    }
    return f;
  }

  private fetchByte(i: number): number {
    if (i >= 15) return -1;
    if (this.fetchPage !== undefined) return this.fetchPage[this.fetchOff + i];
    const cpu = this.fetchCpu!;
    let lo = cpu.ripLo + i, hi = cpu.ripHi;
    if (cpu.codeSize === 16) lo &= 0xffff;
    else if (cpu.codeSize === 32) lo >>>= 0;
    else if (lo >= TWO32) {
      lo -= TWO32;
      hi = (hi + 1) >>> 0;
    }
    return cpu.fetch8(lo, hi);
  }

  step(cpu: Cpu): void {
    if (cpu.memory !== this.memory) {
      this.flush();
      this.memory = cpu.memory;
    }
    systemConfig.cpuCount = this.cpuCount;
    const mode = cpu.codeSize;
    const ripLo = cpu.ripLo, ripHi = cpu.ripHi;
    const mmu = cpu.mmu;
    const fc = this.fetchCacheOf(cpu);
    // Fast path: same code page as the last cached fetch and nothing that changes its translation since.
    if (fc.cpu === cpu && fc.epoch === mmu.epoch && fc.cpl === cpu.cpl && fc.mode === cpu.mode && fc.codeSize === mode) {
      let lin = ripLo, hi = ripHi, ok = true;
      if (cpu.mode !== 'long') {
        // What linearize() checks for a 1-byte fetch; anything unusual (expand-down, unusable) takes the slow path.
        const sr = cpu.seg[CS];
        ok = ripLo <= sr.limit && (sr.attr & ATTR_UNUSABLE) === 0 && (sr.attr & (ATTR_CODE | ATTR_CE)) !== ATTR_CE;
        lin = (sr.base + ripLo) >>> 0;
        hi = 0;
      }
      const off = lin & 0xfff;
      if (ok && lin >>> 12 === fc.vpn && hi === fc.hi && off <= 0x1000 - 15 && (mode !== 16 || (ripLo & 0xffff) <= 0xfff0)) {
        const c = fc.chunk!, i = fc.index;
        const e = fc.entries![off];
        if (e !== undefined && e.mode === mode && (c.kind[i] & SLOW_READ) === 0 && e.page === c.pages[i] && e.gen === c.gen[i]) {
          execute(cpu, e.d, ripLo, ripHi, mode);
          return;
        }
      }
    }
    mmu.linearize(CS, ripLo, ripHi, 1, ACC_EXEC);
    const linOff = mmu.linLo & 0xfff;
    const phys = mmu.translate(mmu.linLo, mmu.linHi, ACC_EXEC);
    const pn = phys < TWO32 ? phys >>> 12 : Math.floor(phys / 4096);
    const off = phys & 0xfff;
    const page = cpu.memory.pageForRead(pn);
    let d: DecodedInstruction | null = null;
    // Instructions that may cross the page (or wrap IP) are decoded byte by byte, never cached.
    const inPage = linOff <= 0x1000 - 15 && (mode !== 16 || (ripLo & 0xffff) <= 0xfff0);
    if (this.useCache && page !== undefined && inPage) {
      let entries = pn === this.lastPage ? this.lastEntries : this.pages.get(pn);
      if (entries === undefined) {
        entries = new Array<CacheEntry | undefined>(4096);
        this.pages.set(pn, entries);
      }
      this.lastPage = pn;
      this.lastEntries = entries;
      const e = entries[off];
      const gen = cpu.memory.readGen;
      if (e !== undefined && e.mode === mode) {
        if (e.gen === gen && e.page === page) d = e.d;
        else {
          // The page was written (or replaced) since: reuse the entry only if its bytes are unchanged.
          const b = e.bytes, n = e.d.length;
          let same = true;
          for (let k = 0; k < n; k++) if (page[off + k] !== b[k]) { same = false; break; }
          if (same) {
            d = e.d;
            e.gen = gen;
            e.page = page;
          }
        }
      }
      if (d === null) {
        const nd = newDecoded();
        this.fetchPage = page;
        this.fetchOff = off;
        const ok = decodeInstruction(this.reader, 0, mode, nd);
        this.fetchPage = undefined;
        if (ok) {
          entries[off] = { d: nd, mode, bytes: page.slice(off, off + nd.length), page, gen };
          d = nd;
        }
      }
      if (d !== null) this.pointFetchCache(cpu, fc, pn, entries);
    }
    if (d === null) {
      d = this.scratch;
      this.fetchCpu = cpu;
      this.fetchPage = undefined;
      if (!decodeInstruction(this.reader, 0, mode, d)) {
        cpu.raise(UD, 0, 'invalid or unsupported instruction encoding');
      }
    }
    execute(cpu, d, ripLo, ripHi, mode);
  }

  /**
   * Runs decoded blocks from CS:RIP (see Executor.runBlock), one after another while each ends in a near branch
   * (or mid-stream) and the next starts in the code page the fetch cache holds (same MMU epoch, CPL and mode).
   * Anything else returns to the machine, which steps when nothing ran.
   */
  runBlock(cpu: Cpu, budget: number, host: BlockHost, stops: BlockStops | null = null): number {
    if (!this.useCache || cpu.memory !== this.memory) return 0;
    systemConfig.cpuCount = this.cpuCount;
    cpu.exitBlock = false;
    let done = 0;
    while (done < budget) {
      const b = this.blockAt(cpu, stops);
      if (b === null) break;
      const k = this.runDecodedBlock(cpu, b, budget - done, host);
      done += k;
      if (!b.chains || k < b.ds.length || cpu.exitBlock) break;
    }
    if (done > 0) host.clock.now -= 1; // the machine's loop advances past the last round
    return done;
  }

  // The page of the block blockAt returned (its chunk and index), for the write-generation checks.
  private blockChunk: Chunk | undefined = undefined;
  private blockIndex = 0;

  /** The block at CS:RIP if it starts in the fetch cache's page and fits the CS limit without IP wrap-around. */
  private blockAt(cpu: Cpu, stops: BlockStops | null): Block | null {
    const fc = this.fetchCacheOf(cpu);
    const mode = cpu.codeSize, mmu = cpu.mmu;
    const ripLo = cpu.ripLo;
    let lin = ripLo, hi = cpu.ripHi;
    if (cpu.mode !== 'long') {
      const sr = cpu.seg[CS];
      if ((sr.attr & ATTR_UNUSABLE) !== 0 || (sr.attr & (ATTR_CODE | ATTR_CE)) === ATTR_CE) return null;
      lin = (sr.base + ripLo) >>> 0;
      hi = 0;
    }
    const stale = fc.cpu !== cpu || fc.epoch !== mmu.epoch || fc.cpl !== cpu.cpl || fc.mode !== cpu.mode || fc.codeSize !== mode;
    if ((stale || lin >>> 12 !== fc.vpn || hi !== fc.hi) && !this.refillFetchCache(cpu, fc)) return null;
    const c = fc.chunk!, i = fc.index;
    const page = c.pages[i];
    if (page === undefined || (c.kind[i] & SLOW_READ) !== 0) return null;
    const off = lin & 0xfff;
    const blocks = fc.blocks!;
    let b = blocks[off];
    if (b === undefined || b.mode !== mode || ((b.page !== page || b.gen !== c.gen[i]) && !b.matches(page))) {
      b = buildBlock(page, off, mode, c.gen[i]);
      blocks[off] = b;
    } else {
      b.page = page;
      b.gen = c.gen[i];
    }
    const count = b.ds.length;
    if (count === 0) return null;
    const end = ripLo + b.offs[count];
    if (end >= TWO32 || (mode === 16 && end > 0xffff) || (mode !== 64 && end - 1 > cpu.seg[CS].limit)) return null;
    if (stops !== null && stops.inRange(lin, hi, fc.pn * 4096 + off, b.offs[count])) return null;
    this.blockChunk = c;
    this.blockIndex = i;
    return b;
  }

  /**
   * A compiled block ending in a Jcc, run again in place while it branches back to its own start and the budget
   * holds a whole run (nothing it does can change what the machine or the block depends on). Returns the
   * instructions retired with RIP set after them, or 0 when a branch target needs the general handler's checks.
   */
  private runCompiledLoop(cpu: Cpu, b: Block, budget: number): number {
    const ripLo = cpu.ripLo, ripHi = cpu.ripHi, count = b.ds.length;
    const next = ripLo + b.offs[count], taken = next + b.jccRel;
    if (cpu.codeSize !== 64) {
      const limit = cpu.seg[CS].limit;
      if (next > limit || taken > limit) return 0;
    }
    if (taken < 0 || taken >= TWO32) return 0;
    if (b.loop !== null && taken === ripLo) {
      // Same outcome as the loop below: whole runs while the branch is taken and the budget holds another run.
      const r = b.loop(cpu, Math.floor(budget / count));
      cpu.ripLo = r < 0 ? taken : next;
      cpu.ripHi = ripHi;
      return (r < 0 ? -r : r) * count;
    }
    const run = b.compiled!;
    let done = 0;
    for (;;) {
      const t = run(cpu);
      done += count;
      if (t === 0) {
        cpu.ripLo = next;
        break;
      }
      if (taken !== ripLo || budget - done < count) {
        cpu.ripLo = taken;
        break;
      }
    }
    cpu.ripHi = ripHi;
    return done;
  }

  /**
   * Points the fetch cache at the code page of CS:RIP, as step's slow path does (translation through the MMU, so
   * a mapping change is seen). False when step must handle it: the fetch faults (step raises it), or the page is
   * unbacked, MMIO or watched.
   */
  private refillFetchCache(cpu: Cpu, fc: FetchCache): boolean {
    const mmu = cpu.mmu;
    let phys: number;
    try {
      mmu.linearize(CS, cpu.ripLo, cpu.ripHi, 1, ACC_EXEC);
      phys = mmu.translate(mmu.linLo, mmu.linHi, ACC_EXEC);
    } catch (e) {
      if (e === cpu.fault) return false;
      throw e;
    }
    const pn = phys < TWO32 ? phys >>> 12 : Math.floor(phys / 4096);
    if (cpu.memory.pageForRead(pn) === undefined) return false;
    let entries = this.pages.get(pn);
    if (entries === undefined) {
      entries = new Array<CacheEntry | undefined>(4096);
      this.pages.set(pn, entries);
    }
    this.pointFetchCache(cpu, fc, pn, entries);
    return true;
  }

  /** Points the fetch cache at physical page `pn`, just translated from CS:RIP (the MMU's linLo/linHi). */
  private pointFetchCache(cpu: Cpu, fc: FetchCache, pn: number, entries: (CacheEntry | undefined)[]): void {
    const mmu = cpu.mmu;
    let blocks = this.blockPages.get(pn);
    if (blocks === undefined) {
      blocks = new Array<Block | undefined>(4096);
      this.blockPages.set(pn, blocks);
    }
    fc.cpu = cpu;
    fc.epoch = mmu.epoch;
    fc.cpl = cpu.cpl;
    fc.mode = cpu.mode;
    fc.codeSize = cpu.codeSize;
    fc.vpn = mmu.linLo >>> 12;
    fc.pn = pn;
    fc.hi = mmu.linHi;
    fc.chunk = cpu.memory.chunkFor(pn);
    fc.index = pn & 1023;
    fc.entries = entries;
    fc.blocks = blocks;
  }

  /**
   * Runs up to `budget` instructions of `b` from CS:RIP; returns how many retired. Leaves clock.now at the round
   * of the next instruction (of the throwing one on an exception) and RIP after the last one.
   */
  private runDecodedBlock(cpu: Cpu, b: Block, budget: number, host: BlockHost): number {
    const clock = host.clock;
    const c = this.blockChunk!, i = this.blockIndex;
    const mode = cpu.codeSize;
    const ripLo = cpu.ripLo, ripHi = cpu.ripHi;
    const count = b.ds.length;
    const n = count < budget ? count : budget;
    const ops = b.ops, ds = b.ds, offs = b.offs;
    const r0 = cpu.instructionsRetired, t0 = clock.now, n0 = host.totalInstructions;
    let k = 0;
    if (b.compiled !== null) {
      if (budget >= count) {
        if (b.jccAt < 0) {
          b.compiled(cpu);
          k = count;
        } else {
          const done = this.runCompiledLoop(cpu, b, budget);
          if (done > 0) {
            cpu.instructionsRetired = r0 + done;
            host.totalInstructions = n0 + done;
            clock.now = t0 + done;
            return done;
          }
        }
      }
    } else if (++b.runs === this.compileAfter) compileBlock(b, condition);
    try {
      while (k < n) {
        const op = ops[k];
        if (op !== null) {
          op(cpu);
          k++;
          continue;
        }
        if (k === b.jccAt) {
          // A final Jcc/JMP inline when its target needs no check beyond the block's own (same RIP high half; in
          // 32-bit code inside the CS limit); otherwise the general handler raises or wraps as it should.
          const next = ripLo + offs[k + 1];
          const target = b.jccCc === JMP_ALWAYS || condition(cpu, b.jccCc) ? next + b.jccRel : next;
          if (target >= 0 && target < TWO32 && (mode === 64 || target <= cpu.seg[CS].limit)) {
            cpu.ripLo = target;
            cpu.ripHi = ripHi;
            k++;
            continue;
          }
        }
        // General handler: RIP, the retired count (TSC) and the clock are exact while it runs.
        const lo = ripLo + offs[k];
        cpu.ripLo = lo;
        cpu.ripHi = ripHi;
        cpu.startLo = lo;
        cpu.startHi = ripHi;
        cpu.startCs = cpu.seg[CS].selector;
        cpu.instructionsRetired = r0 + k;
        host.totalInstructions = n0 + k;
        clock.now = t0 + k;
        execute(cpu, ds[k], lo, ripHi, mode);
        k++;
        if (cpu.exitBlock) break;
        if (c.gen[i] !== b.gen) {
          // The instruction wrote this page: go on only while the block's bytes are unchanged (else it is
          // decoded again at the next entry).
          const p = c.pages[i];
          if (p === undefined || !b.matches(p)) {
            b.gen = -1;
            break;
          }
          b.page = p;
          b.gen = c.gen[i];
        }
      }
    } catch (e) {
      cpu.instructionsRetired = r0 + k;
      host.totalInstructions = n0 + k;
      clock.now = t0 + k;
      throw e;
    }
    cpu.instructionsRetired = r0 + k;
    host.totalInstructions = n0 + k;
    clock.now = t0 + k;
    if (ops[k - 1] !== null) {
      cpu.ripLo = ripLo + offs[k];
      cpu.ripHi = ripHi;
    }
    return k;
  }
}

/** Runs one decoded instruction that starts at ripLo/ripHi. */
export function execute(cpu: Cpu, d: DecodedInstruction, ripLo: number, ripHi: number, mode: number): void {
  const len = d.length;
  // The CS limit must cover the whole instruction (the fetch checked its first byte; code is never expand-down).
  if (mode !== 64 && ripLo + len - 1 > cpu.seg[CS].limit) cpu.raise(GP, 0, `instruction at 0x${ripLo.toString(16)} crosses the CS limit`);
  X.cpu = cpu;
  X.d = d;
  X.ripLo = ripLo;
  X.ripHi = ripHi;
  X.jumped = false;
  if (mode === 16) {
    X.nextLo = (ripLo + len) & 0xffff;
    X.nextHi = 0;
  } else if (mode === 32) {
    X.nextLo = (ripLo + len) >>> 0;
    X.nextHi = 0;
  } else {
    const s = ripLo + len;
    X.nextLo = s >>> 0;
    X.nextHi = s >= TWO32 ? (ripHi + 1) >>> 0 : ripHi;
  }
  const fi = d.formIndex;
  if (d.prefixes & PREFIX_LOCK && (!lockable[fi] || !d.hasMem)) cpu.raise(UD, 0, 'LOCK prefix on an instruction that cannot be locked');
  if (d.hasMem) computeEa(cpu, d, hasMoffs[fi]);
  handlerOf[fi](cpu, d);
  if (!X.jumped) {
    cpu.ripLo = X.nextLo;
    cpu.ripHi = X.nextHi;
  }
}
