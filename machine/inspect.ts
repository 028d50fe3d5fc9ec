// Read-only views for debuggers: decoded GDT/LDT/IDT entries, the TSS, and the coalesced list of mapped linear
// ranges. Reads go through supervisor linear accesses without side effects (no A/D bits, no faults thrown).
import { TSS32, TSS64 } from '../isa/bits/descriptors';
import type { Cpu } from './cpu/cpu';
import { EFER_LMA, EFER_NXE, CR4_PSE, CR4_PGE } from '../isa/bits/control';

export interface DescriptorEntry {
  index: number;
  selector: number;
  /** Raw 8 bytes (16 for IA-32e system descriptors). */
  raw: bigint;
  kind: 'null' | 'code' | 'data' | 'system';
  type: number;
  typeName: string;
  base: bigint;
  limit: number;
  dpl: number;
  present: boolean;
  /** Code: L (64-bit); D/B; G. */
  long: boolean;
  db: boolean;
  granularity: boolean;
}

export interface GateEntry {
  vector: number;
  raw: bigint;
  type: number;
  typeName: string;
  selector: number;
  offset: bigint;
  dpl: number;
  present: boolean;
  ist: number;
}

export interface MappedRange {
  linear: bigint;
  physical: number;
  size: number;
  writable: boolean;
  user: boolean;
  executable: boolean;
  global: boolean;
  /** Page size of the mappings in the range (ranges never mix sizes). */
  pageSize: number;
}

const CODE_DATA = ['data RO', 'data RO accessed', 'data RW', 'data RW accessed', 'data RO expand-down', 'data RO expand-down accessed', 'data RW expand-down', 'data RW expand-down accessed', 'code XO', 'code XO accessed', 'code XR', 'code XR accessed', 'code XO conforming', 'code XO conforming accessed', 'code XR conforming', 'code XR conforming accessed'];
const SYS32: Record<number, string> = { 1: 'TSS16 available', 2: 'LDT', 3: 'TSS16 busy', 4: 'call gate 16', 5: 'task gate', 6: 'interrupt gate 16', 7: 'trap gate 16', 9: 'TSS32 available', 11: 'TSS32 busy', 12: 'call gate 32', 14: 'interrupt gate 32', 15: 'trap gate 32' };
const SYS64: Record<number, string> = { 2: 'LDT', 9: 'TSS64 available', 11: 'TSS64 busy', 12: 'call gate 64', 14: 'interrupt gate 64', 15: 'trap gate 64' };

/** Reads linear memory as a debugger would: supervisor, no side effects; undefined where unmapped. */
export function peekLinear(cpu: Cpu, linear: bigint, length: number): Uint8Array | undefined {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; ) {
    const a = linear + BigInt(i);
    const lo = Number(a & 0xffffffffn), hi = Number((a >> 32n) & 0xffffffffn);
    const w = cpu.mmu.walk(lo, hi);
    if (w.physical === undefined) return undefined;
    const n = Math.min(length - i, 4096 - (lo & 0xfff));
    out.set(cpu.memory.readBytes(w.physical, n), i);
    i += n;
  }
  return out;
}

/**
 * Writes linear memory as a debugger would (supervisor, through the current paging, no A/D side effects; ROM stays
 * unchanged). Returns the number of bytes written before an unmapped page stopped it.
 */
export function pokeLinear(cpu: Cpu, linear: bigint, data: Uint8Array): number {
  for (let i = 0; i < data.length; ) {
    const a = linear + BigInt(i);
    const lo = Number(a & 0xffffffffn), hi = Number((a >> 32n) & 0xffffffffn);
    const w = cpu.mmu.walk(lo, hi);
    if (w.physical === undefined) return i;
    const n = Math.min(data.length - i, 4096 - (lo & 0xfff));
    cpu.memory.writeBytes(w.physical, data.subarray(i, i + n));
    i += n;
  }
  return data.length;
}

function u64(b: Uint8Array, at: number): bigint {
  let v = 0n;
  for (let i = 7; i >= 0; i--) v = (v << 8n) | BigInt(b[at + i]);
  return v;
}

/** Decodes the GDT (or the current LDT) entry by entry. */
export function decodeDescriptorTable(cpu: Cpu, which: 'gdt' | 'ldt' = 'gdt'): DescriptorEntry[] {
  const long = (cpu.efer & EFER_LMA) !== 0;
  const base = which === 'gdt' ? (BigInt(cpu.gdtBaseHi) << 32n) | BigInt(cpu.gdtBase) : (BigInt(cpu.ldtr.baseHi) << 32n) | BigInt(cpu.ldtr.base);
  const limit = which === 'gdt' ? cpu.gdtLimit : cpu.ldtr.usable ? cpu.ldtr.limit : -1;
  const bytes = limit < 0 ? undefined : peekLinear(cpu, long ? base : base & 0xffffffffn, Math.min(limit + 1, 0x10000));
  const out: DescriptorEntry[] = [];
  if (!bytes) return out;
  for (let off = 0; off + 8 <= bytes.length; ) {
    const raw = u64(bytes, off);
    const hi = Number(raw >> 32n), lo = Number(raw & 0xffffffffn);
    const s = (hi >>> 12) & 1, type = (hi >>> 8) & 0xf;
    const system = s === 0;
    // GDT slot 0 is the null descriptor whatever it holds (SDM Vol. 3A 3.5.1: the processor never uses it; code
    // such as the kernel's trampolines keeps its GDT pointer there), so it is always 8 bytes, never a wide system one.
    const nullSlot = which === 'gdt' && off === 0;
    const wide = system && long && raw !== 0n && !nullSlot;
    const rawLimit = (lo & 0xffff) | (hi & 0xf0000);
    const g = ((hi >>> 23) & 1) === 1;
    let b = BigInt(((lo >>> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000)) >>> 0);
    let full = raw;
    if (wide && off + 16 <= bytes.length) {
      const upper = u64(bytes, off + 8);
      b |= (upper & 0xffffffffn) << 32n;
      full = raw | (upper << 64n);
    }
    out.push({
      index: off / 8,
      selector: off | (which === 'ldt' ? 4 : 0),
      raw: full,
      kind: raw === 0n || nullSlot ? 'null' : system ? 'system' : type & 8 ? 'code' : 'data',
      type,
      typeName: raw === 0n || nullSlot ? 'null' : system ? (long ? SYS64 : SYS32)[type] ?? `reserved system type ${type}` : CODE_DATA[type],
      base: b,
      limit: g ? ((rawLimit << 12) | 0xfff) >>> 0 : rawLimit,
      dpl: (hi >>> 13) & 3,
      present: ((hi >>> 15) & 1) === 1,
      long: ((hi >>> 21) & 1) === 1,
      db: ((hi >>> 22) & 1) === 1,
      granularity: g,
    });
    off += wide ? 16 : 8;
  }
  return out;
}

/** Decodes IDT gates (real mode: IVT entries as offset/selector pairs with type 0). */
export function decodeIdt(cpu: Cpu): GateEntry[] {
  const out: GateEntry[] = [];
  const base = (BigInt(cpu.idtBaseHi) << 32n) | BigInt(cpu.idtBase);
  if (cpu.mode === 'real') {
    const bytes = peekLinear(cpu, base & 0xffffffffn, Math.min(cpu.idtLimit + 1, 1024));
    if (!bytes) return out;
    for (let v = 0; v * 4 + 4 <= bytes.length; v++) {
      const off = bytes[v * 4] | (bytes[v * 4 + 1] << 8), sel = bytes[v * 4 + 2] | (bytes[v * 4 + 3] << 8);
      out.push({ vector: v, raw: BigInt(((sel << 16) | off) >>> 0), type: 0, typeName: 'IVT entry', selector: sel, offset: BigInt(off), dpl: 0, present: true, ist: 0 });
    }
    return out;
  }
  const long = (cpu.efer & EFER_LMA) !== 0;
  const size = long ? 16 : 8;
  const bytes = peekLinear(cpu, long ? base : base & 0xffffffffn, Math.min(cpu.idtLimit + 1, 256 * size));
  if (!bytes) return out;
  for (let v = 0; v * size + size <= bytes.length; v++) {
    const raw = u64(bytes, v * size);
    const lo = Number(raw & 0xffffffffn), hi = Number(raw >> 32n);
    const type = (hi >>> 8) & 0x1f;
    let offset = BigInt(((lo & 0xffff) | (hi & 0xffff0000)) >>> 0);
    let full = raw;
    if (long) {
      const upper = u64(bytes, v * size + 8);
      offset |= (upper & 0xffffffffn) << 32n;
      full |= upper << 64n;
    } else if (!(type & 8)) offset &= 0xffffn;
    out.push({
      vector: v, raw: full, type: type & 0xf, typeName: type & 0x10 ? 'not a gate (S=1)' : (long ? SYS64 : SYS32)[type] ?? `reserved type ${type}`,
      selector: (lo >>> 16) & 0xffff, offset, dpl: (hi >>> 13) & 3, present: ((hi >>> 15) & 1) === 1, ist: long ? hi & 7 : 0,
    });
  }
  return out;
}

/** The current TSS fields by the layout matching the mode (64-bit in IA-32e mode). */
export function readTss(cpu: Cpu): { layout: string; fields: { name: string; value: bigint }[] } | undefined {
  if (!cpu.tr.usable || cpu.tr.selector === 0 && cpu.tr.base === 0) return undefined;
  const layout = cpu.efer & EFER_LMA ? TSS64 : TSS32;
  const bytes = peekLinear(cpu, (BigInt(cpu.tr.baseHi) << 32n) | BigInt(cpu.tr.base), layout.size);
  if (!bytes) return undefined;
  return {
    layout: layout.name,
    fields: layout.fields.map((f) => {
      let v = 0n;
      for (let i = f.size - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[f.offset + i]);
      return { name: f.name, value: v };
    }),
  };
}

/**
 * Every present mapping of the current paging structures, coalesced where linear and physical addresses are
 * contiguous with equal permissions and page size. Stops after `maxLeaves` leaf entries (default 1 << 20).
 */
export function mappedRanges(cpu: Cpu, maxLeaves = 1 << 20): MappedRange[] {
  const out: MappedRange[] = [];
  if (cpu.paging === 'none') return out;
  const mem = cpu.memory;
  const nxe = (cpu.efer & EFER_NXE) !== 0;
  const pge = (cpu.cr4 & CR4_PGE) !== 0;
  let leaves = 0;
  const emit = (linear: bigint, physical: number, size: number, rw: boolean, us: boolean, xd: boolean, g: boolean): void => {
    leaves++;
    const last = out[out.length - 1];
    const r: MappedRange = { linear, physical, size, writable: rw, user: us, executable: !xd, global: g && pge, pageSize: size };
    if (last && last.pageSize === size && last.linear + BigInt(last.size) === linear && last.physical + last.size === physical &&
      last.writable === r.writable && last.user === r.user && last.executable === r.executable && last.global === r.global) {
      last.size += size;
      return;
    }
    out.push(r);
  };
  const read64 = (a: number): bigint => (BigInt(mem.read32(a + 4)) << 32n) | BigInt(mem.read32(a));
  const ADDR = 0x000ffffffffff000n;
  if (cpu.paging === '32-bit') {
    const pd = cpu.cr3Lo & 0xfffff000;
    for (let i = 0; i < 1024 && leaves < maxLeaves; i++) {
      const pde = mem.read32(pd + i * 4);
      if (!(pde & 1)) continue;
      if (pde & 0x80 && cpu.cr4 & CR4_PSE) {
        emit(BigInt(i) << 22n, ((pde & 0xffc00000) >>> 0) + ((pde >>> 13) & 0xff) * 2 ** 32, 1 << 22, (pde & 2) !== 0, (pde & 4) !== 0, false, (pde & 0x100) !== 0);
        continue;
      }
      const pt = (pde & 0xfffff000) >>> 0;
      for (let j = 0; j < 1024 && leaves < maxLeaves; j++) {
        const pte = mem.read32(pt + j * 4);
        if (pte & 1) emit((BigInt(i) << 22n) | (BigInt(j) << 12n), (pte & 0xfffff000) >>> 0, 4096, (pte & pde & 2) !== 0, (pte & pde & 4) !== 0, false, (pte & 0x100) !== 0);
      }
    }
    return out;
  }
  const top = cpu.paging === '5-level' ? 5 : cpu.paging === '4-level' ? 4 : 3;
  const sign = (v: bigint): bigint => {
    const bits = top === 5 ? 57n : 48n;
    return v & (1n << (bits - 1n)) && top >= 4 ? v | (~((1n << bits) - 1n) & 0xffffffffffffffffn) : v;
  };
  const walk = (table: number, level: number, prefix: bigint, rw: boolean, us: boolean, xd: boolean): void => {
    const count = level === 3 && top === 3 ? 4 : 512;
    for (let i = 0; i < count && leaves < maxLeaves; i++) {
      const e = level === 3 && top === 3 ? (BigInt(cpu.mmu.pdpteHi[i]) << 32n) | BigInt(cpu.mmu.pdpteLo[i]) : read64(table + i * 8);
      if (!(e & 1n)) continue;
      const shift = BigInt(12 + 9 * (level - 1));
      const lin = prefix | (BigInt(i) << shift);
      const paeTop = top === 3 && level === 3;
      const nrw = rw && (paeTop || (e & 2n) !== 0n);
      const nus = us && (paeTop || (e & 4n) !== 0n);
      const nxd = xd || (nxe && (e >> 63n) === 1n);
      const ps = (e & 0x80n) !== 0n && (level === 2 || level === 3) && !paeTop;
      if (level === 1 || ps) {
        const size = 2 ** Number(shift);
        const phys = Number(e & ADDR & ~BigInt(size - 1));
        emit(sign(lin), phys, size, nrw, nus, nxd, (e & 0x100n) !== 0n);
      } else walk(Number(e & ADDR), level - 1, lin, nrw, nus, nxd);
    }
  };
  const cr3 = Number(((BigInt(cpu.cr3Hi) << 32n) | BigInt(cpu.cr3Lo)) & ADDR);
  walk(cr3, top, 0n, true, true, false);
  return out;
}
