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
  private list: SourceMapEntry[] | undefined;
  private make: (() => SourceMapEntry[]) | undefined;
  /** file → 0-based line → entries; built on the first line query (assembling alone never asks). */
  private byLine: Map<string, Map<number, SourceMapEntry[]>> | undefined;

  /** The entries, or a function that makes them when first needed (the linker's: most assemblies never ask). */
  constructor(entries: SourceMapEntry[] | (() => SourceMapEntry[])) {
    if (typeof entries === 'function') this.make = entries;
    else this.list = inAddressOrder(entries);
  }

  /** Every entry, by address (then length). */
  get entries(): SourceMapEntry[] {
    if (!this.list) {
      this.list = inAddressOrder(this.make!());
      this.make = undefined;
    }
    return this.list;
  }

  private lineIndex(): Map<string, Map<number, SourceMapEntry[]>> {
    if (this.byLine) return this.byLine;
    const byLine = new Map<string, Map<number, SourceMapEntry[]>>();
    const add = (e: SourceMapEntry, file: string, line: number): void => {
      let lines = byLine.get(file);
      if (!lines) byLine.set(file, (lines = new Map()));
      const l = lines.get(line);
      if (!l) lines.set(line, [e]);
      // Entries arrive one at a time, so "already listed for this entry" is "last in the list".
      else if (l[l.length - 1] !== e) l.push(e);
    };
    for (const e of this.entries) {
      add(e, e.origin.range.file, e.origin.range.line);
      // A macro call, .rept or #include line owns every byte its expansion produced.
      for (const step of e.origin.expansion) add(e, step.site.file, step.site.line);
    }
    return (this.byLine = byLine);
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
    return this.lineIndex().get(file)?.get(line) ?? [];
  }

  /** Start addresses of every byte range produced by a source line (each macro expansion separately). */
  addressesFor(file: string, line: number): number[] {
    return this.forLine(file, line).map((e) => e.address);
  }
}

/** A sorted copy; the linker hands entries over in address order already, so sort only when they are not. */
function inAddressOrder(entries: SourceMapEntry[]): SourceMapEntry[] {
  for (let i = 1; i < entries.length; i++) {
    const a = entries[i - 1];
    const b = entries[i];
    if (!(a.address < b.address || (a.address === b.address && a.length <= b.length)))
      return [...entries].sort((x, y) => x.address - y.address || x.length - y.length);
  }
  return entries.slice();
}
