// The compact form of an output line that went through macro expansion: its segments as numbers (output columns,
// and for text copied from the line's own file, the source line and columns) plus one shared Origin per macro
// expansion, instead of a segment, an origin and a range object per segment. Expanded lines are a few per cent
// of a file's lines but held most of the output's objects. `segments` is built on first use; gas/lines.ts
// originOf reads the compact fields directly.
//
// A line whose text expanded before on another line (the driver's memo) is the earlier line's data plus a shift:
// positions on the earlier line move to this one when an origin is asked for, so a repeated line costs one
// object instead of a copy of every origin, range and expansion step in it.
import type { ExpansionStep, Origin, SourceRange } from '../source';
import type { OriginSegment, PreprocessedLine } from './types';

/** Numbers per segment in `spans`. */
export const SPAN = 5;

export class ExpandedLine implements PreprocessedLine {
  // Private: deep comparisons of results see only the fields below, whether or not segments were built.
  #segments: OriginSegment[] | undefined;
  /** Shifted lines: each segment's origin once moved (filled as asked). */
  #moved: (Origin | undefined)[] | undefined;

  constructor(
    readonly text: string,
    /**
     * Per segment: output start and end column; then, for text copied from `file`, the source line and its start
     * and end column (columns map one to one); else -1, 0, 0 and the origin is in `origins`.
     */
    readonly spans: Int32Array,
    /** Per segment: the origin when it is not a plain copy from `file`, else null. */
    readonly origins: (Origin | null)[],
    /** The file the line was read from. */
    readonly file: string,
    /** The #include chain of the copied text. */
    readonly expansion: ExpansionStep[],
    /** Positions on line `shiftFrom` of `file` (in spans and origins) are really `shiftBy` lines further. */
    readonly shiftFrom = -1,
    readonly shiftBy = 0,
  ) {}

  /**
   * The same line expanded on line `from + by` of `file` instead of line `from` (l has no shift, no #include chain,
   * and its copied text, if any, is from `file`).
   */
  static shifted(l: ExpandedLine, file: string, from: number, by: number, text = l.text): ExpandedLine {
    return new ExpandedLine(text, l.spans, l.origins, file, l.expansion, from, by);
  }

  /**
   * This line's text with the text copied from its source line taken from `source` instead (a line of the same
   * shape: see the driver's memo), or undefined when a copied segment is not from `line`.
   */
  respell(source: string, line: number): string | undefined {
    const sp = this.spans;
    let text = '';
    let at = 0;
    for (let k = 0; k < this.origins.length; k++) {
      if (this.origins[k] !== null) continue;
      if (sp[k * SPAN + 2] !== line) return undefined;
      text += this.text.slice(at, sp[k * SPAN]) + source.slice(sp[k * SPAN + 3], sp[k * SPAN + 4]);
      at = sp[k * SPAN + 1];
    }
    text += this.text.slice(at);
    text.charCodeAt(0); // flattened: the output keeps it
    return text;
  }

  get segmentCount(): number {
    return this.origins.length;
  }

  /** Origin of segment k (a new object for copied text, the shared one otherwise). */
  segmentOrigin(k: number): Origin {
    const o = this.origins[k];
    if (o !== null) return this.shiftFrom < 0 ? o : this.movedOrigin(k, o);
    const s = this.spans;
    let line = s[k * SPAN + 2];
    if (line === this.shiftFrom) line += this.shiftBy;
    return { range: { file: this.file, line, column: s[k * SPAN + 3], endLine: line, endColumn: s[k * SPAN + 4] }, expansion: this.expansion };
  }

  private movedOrigin(k: number, o: Origin): Origin {
    const moved = (this.#moved ??= new Array<Origin | undefined>(this.origins.length));
    let m = moved[k];
    if (m === undefined) {
      // Segments of one expansion share their origin: move it once.
      for (let j = 0; j < k && m === undefined; j++) if (this.origins[j] === o) m = moved[j];
      if (m === undefined) {
        const range = this.move(o.range);
        let expansion = o.expansion;
        for (let i = 0; i < expansion.length; i++) {
          const st = expansion[i];
          const site = this.move(st.site);
          if (site === st.site) continue;
          if (expansion === o.expansion) expansion = expansion.slice();
          expansion[i] = { kind: st.kind, name: st.name, site };
        }
        m = range === o.range && expansion === o.expansion ? o : { range, expansion };
      }
      moved[k] = m;
    }
    return m;
  }

  private move(r: SourceRange): SourceRange {
    if (r.file !== this.file || r.line !== this.shiftFrom) return r;
    return { file: r.file, line: r.line + this.shiftBy, column: r.column, endLine: r.endLine + this.shiftBy, endColumn: r.endColumn };
  }

  /** The same line with the shift applied to its data (for moving it again). */
  settled(): ExpandedLine {
    if (this.shiftFrom < 0) return this;
    const spans = this.spans.slice();
    for (let k = 2; k < spans.length; k += SPAN) if (spans[k] === this.shiftFrom) spans[k] += this.shiftBy;
    const origins = this.origins.map((o, k) => (o === null ? null : this.movedOrigin(k, o)));
    return new ExpandedLine(this.text, spans, origins, this.file, this.expansion);
  }

  get segments(): OriginSegment[] {
    if (this.#segments === undefined) {
      const segs: OriginSegment[] = [];
      for (let k = 0; k < this.origins.length; k++) segs.push({ start: this.spans[k * SPAN], end: this.spans[k * SPAN + 1], origin: this.segmentOrigin(k) });
      this.#segments = segs;
    }
    return this.#segments;
  }
}
