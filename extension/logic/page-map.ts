// The page-table map as data: mapped ranges classified by permission (the colour), a compressed strip of the
// address space (ranges by log size, gaps as separators), the legend, and a translation's walk decoded with the
// paging-entry bit definitions from isa/bits.
import { setFlagNames } from '../../isa/bits/describe';
import { PDE32_4M, PDE32_TABLE, PDE_2M, PDE_TABLE, PDPTE_1G, PDPTE_PAE, PDPTE_TABLE, PML4E, PML5E, PTE, PTE32 } from '../../isa/bits/paging';
import type { BitsDef } from '../../isa/bits/types';
import type { PageTablesBody, TranslateBody } from './protocol-types';

export type PageRange = PageTablesBody['ranges'][number];

/** The colour classes, from most to least permissive: writable+executable is the one to worry about. */
export type AccessClass = 'rwx' | 'rw' | 'rx' | 'r';

export interface LegendEntry {
  cls: string;
  label: string;
  description: string;
}

export const LEGEND: LegendEntry[] = [
  { cls: 'rwx', label: 'RWX', description: 'writable and executable' },
  { cls: 'rw', label: 'RW NX', description: 'writable data, execute-disabled' },
  { cls: 'rx', label: 'RX', description: 'read-only, executable (code)' },
  { cls: 'r', label: 'R NX', description: 'read-only, execute-disabled' },
  { cls: 'user', label: 'US', description: 'user-accessible (CPL 3): hatched' },
  { cls: 'global', label: 'G', description: 'global (survives CR3 writes with CR4.PGE): outlined' },
];

export function accessClass(r: Pick<PageRange, 'writable' | 'executable'>): AccessClass {
  return r.writable ? (r.executable ? 'rwx' : 'rw') : r.executable ? 'rx' : 'r';
}

export function formatSize(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1 && v % 1024 === 0) {
    v /= 1024;
    i++;
  }
  return `${v} ${units[i]}`;
}

export function pageSizeLabel(size: number): string {
  return size >= 2 ** 30 ? `${size / 2 ** 30}G` : size >= 2 ** 20 ? `${size / 2 ** 20}M` : `${size / 1024}K`;
}

/** Adds a byte count to a "0x…" address (exact above 2^53). */
export function addHex(address: string, add: number): string {
  return '0x' + (BigInt(address) + BigInt(add)).toString(16);
}

export interface MapRow {
  index: number;
  linear: string;
  /** Last byte of the range. */
  last: string;
  physical: string;
  identity: boolean;
  size: string;
  pageSize: string;
  /** `RW NX US G` style. */
  flags: string;
  classes: string[];
}

export interface StripPiece {
  kind: 'range' | 'gap';
  /** Relative width (log of the size, so 4 KiB and 512 GiB both stay visible). */
  weight: number;
  row?: number;
  title: string;
}

export interface MapModel {
  title: string;
  rows: MapRow[];
  strip: StripPiece[];
  total: string;
  empty?: string;
}

export function mapModel(body: PageTablesBody): MapModel {
  const title = `${body.paging === 'none' ? 'Paging off' : `${body.paging} paging`} · CR3 ${body.cr3}`;
  if (body.paging === 'none') return { title, rows: [], strip: [], total: '', empty: 'Paging is off (CR0.PG = 0): linear addresses are physical addresses.' };
  const sorted = body.ranges.map((r, i) => ({ r, i })).sort((a, b) => (BigInt(a.r.linear) < BigInt(b.r.linear) ? -1 : 1));
  const rows: MapRow[] = sorted.map(({ r }, index) => {
    const flags = [r.writable ? 'RW' : 'R', r.executable ? 'X' : 'NX', r.user ? 'US' : 'S', ...(r.global ? ['G'] : [])];
    return {
      index,
      linear: r.linear,
      last: addHex(r.linear, r.size - 1),
      physical: r.physical,
      identity: BigInt(r.linear) === BigInt(r.physical),
      size: formatSize(r.size),
      pageSize: pageSizeLabel(r.pageSize),
      flags: flags.join(' '),
      classes: [accessClass(r), ...(r.user ? ['user'] : []), ...(r.global ? ['global'] : []), `ps-${pageSizeLabel(r.pageSize)}`],
    };
  });
  const strip: StripPiece[] = [];
  let end = 0n;
  sorted.forEach(({ r }, index) => {
    const start = BigInt(r.linear);
    if (start > end) {
      const gap = Number(start - end);
      strip.push({ kind: 'gap', weight: 1, title: `unmapped: ${formatSize(gap)}` });
    }
    strip.push({ kind: 'range', weight: Math.max(1, Math.log2(r.size) - 11), row: index, title: `${r.linear} – ${rows[index].last} (${rows[index].size}, ${rows[index].flags})` });
    end = start + BigInt(r.size);
  });
  const total = body.ranges.reduce((a, r) => a + r.size, 0);
  return { title, rows, strip, total: `${formatSize(total)} mapped in ${rows.length} range${rows.length === 1 ? '' : 's'}` };
}

function entryDef(paging: string, name: string, leaf: boolean): BitsDef | undefined {
  if (paging === '32-bit') return name === 'PDE' ? (leaf ? PDE32_4M : PDE32_TABLE) : name === 'PTE' ? PTE32 : undefined;
  switch (name) {
    case 'PML5E': return PML5E;
    case 'PML4E': return PML4E;
    case 'PDPTE': return paging === 'pae' ? PDPTE_PAE : leaf ? PDPTE_1G : PDPTE_TABLE;
    case 'PDE': return leaf ? PDE_2M : PDE_TABLE;
    case 'PTE': return PTE;
  }
  return undefined;
}

export interface WalkLine {
  name: string;
  entryAddress: string;
  value: string;
  flags: string;
  leaf: boolean;
}

export interface WalkModel {
  summary: string;
  levels: WalkLine[];
  /** Why the translation failed (not present, reserved bit, non-canonical…). */
  fault?: string;
}

/** The walk of one translation, each entry with its set flags named. */
export function walkModel(t: TranslateBody): WalkModel {
  const levels = t.levels.map((l) => {
    const def = entryDef(t.paging, l.name, l.leaf);
    return { name: l.name, entryAddress: l.entryAddress, value: l.value, leaf: l.leaf, flags: def ? setFlagNames(def, BigInt(l.value)).join(' ') : '' };
  });
  const perms = t.physical !== undefined && t.pageSize !== undefined
    ? ` (${pageSizeLabel(t.pageSize)} page, ${t.writable ? 'RW' : 'R'} ${t.executable ? 'X' : 'NX'} ${t.user ? 'US' : 'S'})`
    : '';
  const summary = t.physical !== undefined ? `${t.linear} → ${t.physical}${perms}` : `${t.linear}: ${t.fault ?? 'not mapped'}`;
  return t.physical === undefined ? { summary, levels, fault: t.fault ?? 'not mapped' } : { summary, levels };
}

/** A linear address typed by the user: hex (0x…, …h), decimal, with _ or ' separators; undefined if not a number. */
export function parseAddress(text: string): string | undefined {
  const t = text.trim().replace(/[_']/g, '');
  let v: bigint;
  if (/^0x[0-9a-f]+$/i.test(t)) v = BigInt(t);
  else if (/^[0-9a-f]+h$/i.test(t)) v = BigInt('0x' + t.slice(0, -1));
  else if (/^\d+$/.test(t)) v = BigInt(t);
  else return undefined;
  if (v >= 1n << 64n) return undefined;
  return '0x' + v.toString(16);
}
