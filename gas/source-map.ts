// Address ⇄ source: every byte range of the image and the statement (with its expansion stack) it came from.
import type { Origin } from './source';

export interface SourceMapEntry {
  address: number;
  length: number;
  origin: Origin;
  /** Index into the statement list of the assembly. */
  statement: number;
  section: string;
}

export class SourceMap {
  readonly entries: SourceMapEntry[];
  private readonly byLine = new Map<string, SourceMapEntry[]>();

  constructor(entries: SourceMapEntry[]) {
    this.entries = [...entries].sort((a, b) => a.address - b.address || a.length - b.length);
    for (const e of this.entries) {
      const seen = new Set<string>();
      const add = (file: string, line: number) => {
        const k = `${file}:${line}`;
        if (seen.has(k)) return;
        seen.add(k);
        let l = this.byLine.get(k);
        if (!l) this.byLine.set(k, (l = []));
        l.push(e);
      };
      add(e.origin.range.file, e.origin.range.line);
      // A macro call, .rept or #include line owns every byte its expansion produced.
      for (const step of e.origin.expansion) add(step.site.file, step.site.line);
    }
  }

  /** The entry covering an address (innermost statement), or undefined. */
  at(address: number): SourceMapEntry | undefined {
    const es = this.entries;
    let lo = 0;
    let hi = es.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (es[mid].address <= address) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    for (let i = found; i >= 0 && i > found - 64; i--) {
      const e = es[i];
      if (address >= e.address && address < e.address + e.length) return e;
    }
    return undefined;
  }

  /** Every entry whose source (or an expansion site of it) is on this 0-based line of this file. */
  forLine(file: string, line: number): SourceMapEntry[] {
    return this.byLine.get(`${file}:${line}`) ?? [];
  }

  /** Start addresses of every byte range produced by a source line (each macro expansion separately). */
  addressesFor(file: string, line: number): number[] {
    return this.forLine(file, line).map((e) => e.address);
  }
}
