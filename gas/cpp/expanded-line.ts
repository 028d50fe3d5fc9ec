// The compact form of an output line that went through macro expansion: its segments as numbers (output columns,
// and for text copied from the line's own file, the source line and columns) plus one shared Origin per macro
// expansion, instead of a segment, an origin and a range object per segment. Expanded lines are a few per cent
// of a file's lines but held most of the output's objects. `segments` is built on first use; gas/lines.ts
// originOf reads the compact fields directly.
import type { ExpansionStep, Origin } from '../source';
import type { OriginSegment, PreprocessedLine } from './types';

/** Numbers per segment in `spans`. */
export const SPAN = 5;

export class ExpandedLine implements PreprocessedLine {
  // Private: deep comparisons of results see only the fields below, whether or not segments were built.
  #segments: OriginSegment[] | undefined;

  constructor(
    readonly text: string,
    /**
     * Per segment: output start and end column; then, for text copied from `file`, the source line and its start
     * and end column (columns map one to one); else -1, 0, 0 and the origin is in `origins`.
     */
    readonly spans: number[],
    /** Per segment: the origin when it is not a plain copy from `file`, else null. */
    readonly origins: (Origin | null)[],
    readonly file: string,
    /** The #include chain of the copied text. */
    readonly expansion: ExpansionStep[],
  ) {}

  get segmentCount(): number {
    return this.origins.length;
  }

  /** Origin of segment k (a new object for copied text, the shared one otherwise). */
  segmentOrigin(k: number): Origin {
    const o = this.origins[k];
    if (o !== null) return o;
    const s = this.spans;
    const line = s[k * SPAN + 2];
    return { range: { file: this.file, line, column: s[k * SPAN + 3], endLine: line, endColumn: s[k * SPAN + 4] }, expansion: this.expansion };
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
