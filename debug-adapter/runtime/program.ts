// The program being debugged as the debugger sees it: the image, where its bytes appear in the guest's linear
// address space (one placement, or two for a reset ROM and its alias below 1 MiB), its symbols and its source map.
import type { SourceMap, SourceMapEntry, Statement } from '../../gas/index';
import type { CodeMode } from '../../isa/mode';

/** A window of the linear address space showing image bytes: linear = placement.linear + (link − base). */
export interface Placement {
  linear: number;
  /** Image offset of the first byte visible there. */
  imageOffset: number;
  size: number;
}

export interface ProgramSymbol {
  name: string;
  /** Runtime (linear) address or absolute value. */
  value: bigint;
  /** True for labels in the image (code/data), false for absolute values. */
  isAddress: boolean;
}

export class Program {
  constructor(
    readonly path: string,
    readonly image: Uint8Array,
    /** Link address of image[0]. */
    readonly base: number,
    readonly placements: Placement[],
    readonly symbols: ProgramSymbol[],
    readonly sourceMap: SourceMap | undefined,
    readonly statements: Statement[],
    /** Every source file involved (main file, includes). */
    readonly files: string[],
  ) {}

  /** The link address an in-image linear address corresponds to, or undefined outside the image. */
  linkAddress(linear: number): number | undefined {
    for (const p of this.placements) {
      if (linear >= p.linear && linear < p.linear + p.size) return this.base + p.imageOffset + (linear - p.linear);
    }
    return undefined;
  }

  /** Every linear address where a link address's byte is visible. */
  linearAddresses(link: number): number[] {
    const off = link - this.base;
    const out: number[] = [];
    for (const p of this.placements) if (off >= p.imageOffset && off < p.imageOffset + p.size) out.push(p.linear + off - p.imageOffset);
    return out;
  }

  /** The preferred linear address of a link address (the last placement: the low alias of a ROM). */
  linearOf(link: number): number | undefined {
    const all = this.linearAddresses(link);
    return all[all.length - 1];
  }

  /** The source-map entry for a linear address, with its entry start in linear terms. */
  entryAt(linear: number): { entry: SourceMapEntry; start: number } | undefined {
    const link = this.linkAddress(linear);
    if (link === undefined || !this.sourceMap) return undefined;
    const entry = this.sourceMap.at(link);
    if (!entry) return undefined;
    return { entry, start: linear - (link - entry.address) };
  }

  statementAt(linear: number): Statement | undefined {
    const e = this.entryAt(linear);
    return e ? this.statements[e.entry.statement] : undefined;
  }

  /** The mode the assembler encoded the code at this address in (.code16/32/64), if it came from source. */
  modeAt(linear: number): CodeMode | undefined {
    return this.statementAt(linear)?.mode;
  }

  /** Instruction entries produced by a 0-based source line (every macro expansion), as linear addresses. */
  instructionAddressesForLine(file: string, line: number): number[] {
    if (!this.sourceMap) return [];
    const out: number[] = [];
    const entries = this.sourceMap.forLine(file, line);
    // A macro call line owns every entry its expansion produced: break at the first of each expansion only.
    const seenStarts = new Set<string>();
    for (const e of entries) {
      const st = this.statements[e.statement];
      if (!st || st.kind !== 'instruction') continue;
      const direct = e.origin.range.file === file && e.origin.range.line === line;
      const key = direct ? `d${e.address}` : `x${expansionKey(e, file, line)}`;
      if (seenStarts.has(key)) continue;
      seenStarts.add(key);
      const lin = this.linearOf(e.address);
      if (lin !== undefined) out.push(lin);
    }
    return out.sort((a, b) => a - b);
  }

  /** Whether a 0-based line produced bytes that are not instructions (data), for the unverified reason. */
  lineEmitsData(file: string, line: number): boolean {
    return !!this.sourceMap && this.sourceMap.forLine(file, line).length > 0;
  }

  symbol(name: string): ProgramSymbol | undefined {
    return this.symbols.find((s) => s.name === name);
  }

  /** The closest symbol at or below an address (for `<sym+off>` and frame names). */
  symbolFor(linear: number): { name: string; offset: number } | undefined {
    let best: ProgramSymbol | undefined;
    for (const s of this.symbols) {
      if (!s.isAddress || s.value > BigInt(linear)) continue;
      if (!best || s.value > best.value) best = s;
    }
    if (!best || BigInt(linear) - best.value > 0x10000n) return undefined;
    return { name: best.name, offset: linear - Number(best.value) };
  }
}

/** Identifies one expansion of a macro call on (file, line): the chain of call sites up to that line. */
function expansionKey(e: SourceMapEntry, file: string, line: number): string {
  const parts: string[] = [];
  for (const step of e.origin.expansion) {
    parts.push(`${step.kind}:${step.name}:${step.site.file}:${step.site.line}:${step.site.column}`);
    if (step.site.file === file && step.site.line === line) break;
  }
  // Entries of one expansion share the chain; the first (lowest address) wins because entries are sorted.
  return parts.join('|') + `#${e.section}`;
}
