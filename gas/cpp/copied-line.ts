// The compact form of an output line that is one source line copied unchanged (no macro in it): text, file, line
// and #include chain instead of a segment array with origin and range objects. Most lines of a file are such
// copies, and holding five objects for each made the garbage collector a third of a run. `segments` is built on
// first use, so every reader of PreprocessedLine keeps working; gas/lines.ts originOf reads the fields directly.
import type { ExpansionStep } from '../source';
import type { OriginSegment, PreprocessedLine } from './types';

export class CopiedLine implements PreprocessedLine {
  // Private: deep comparisons of results see only the fields below, whether or not segments were built.
  #segments: OriginSegment[] | undefined;

  constructor(
    readonly text: string,
    readonly file: string,
    /** 0-based physical line the text is; columns map one to one from column 0. */
    readonly line: number,
    readonly expansion: ExpansionStep[],
  ) {}

  get segments(): OriginSegment[] {
    if (this.#segments === undefined) {
      const { text, file, line } = this;
      const range = { file, line, column: 0, endLine: line, endColumn: text.length };
      this.#segments = [{ start: 0, end: text.length, origin: { range, expansion: this.expansion } }];
    }
    return this.#segments;
  }
}
