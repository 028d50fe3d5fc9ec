// The assembler benchmark's floor: how fast any GAS stage written in JavaScript could go on this file, measured
// rather than guessed. `node [options] read-floor.cjs FILE RUNS` assembles FILE once for real, keeps each
// instruction line's bytes by mode and line text, then RUNS times runs our preprocessor and one scan over its
// lines that finds each line's first word and copies the bytes found in advance into an image. No operand is
// parsed, nothing is encoded, no macro is expanded, no symbol, frag, layout or link exists: every reader that
// does the work does this much and more. Prints {"wall": [...], "copied": N, "instructionBytes": M}: milliseconds,
// the bytes one run copies, and the bytes of every instruction the real assembly encoded (the difference is the
// instructions inside macro and .rept expansions, which the floor does not expand).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { MemoryFileSystem, analyze } from '../../gas/index';
import { defaultPreprocessor } from '../../gas/defaults';

const [file, runsText] = process.argv.slice(2);
const path = resolve(file);
const src = readFileSync(path, 'utf8');
const fs = new MemoryFileSystem({ [path]: src });
const preprocess = defaultPreprocessor();
const cppOptions = { includePaths: [], defines: {}, undefines: [] };

let instructionBytes = 0;

/** Bytes of every instruction line as a real assembly encoded them, by mode (16, 32, 64) and the line's text. */
function bytesByLine(): Map<string, Uint8Array>[] {
  const analysis = analyze(fs, path, {});
  const byText = [new Map<string, Uint8Array>(), new Map<string, Uint8Array>(), new Map<string, Uint8Array>()];
  const sections = new Map(analysis.sections.map((s) => [s.name, s.bytes]));
  for (const s of analysis.statements) {
    if (s.kind !== 'instruction' || s.offset === undefined || !s.size) continue;
    const bytes = sections.get(s.section);
    if (!bytes) continue;
    instructionBytes += s.size;
    byText[modeSlot(s.mode)].set(s.text.trim(), bytes.slice(s.offset, s.offset + s.size));
  }
  return byText;
}

function modeSlot(mode: number): number {
  return mode === 16 ? 0 : mode === 32 ? 1 : 2;
}

function isWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 46;
}

/** The preprocessor, then one pass over its lines: first word, mode switches, a lookup, a copy. */
function floorRun(byText: Map<string, Uint8Array>[]): number {
  const lines = preprocess(fs, path, cppOptions).lines;
  const image = new Uint8Array(1 << 22);
  let size = 0;
  let slot = 2;
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i].text;
    let start = 0;
    while (start < text.length && (text.charCodeAt(start) === 32 || text.charCodeAt(start) === 9)) start++;
    if (start === text.length) continue;
    let end = start;
    while (end < text.length && isWordChar(text.charCodeAt(end))) end++;
    if (text.charCodeAt(end) === 58) continue; // a label
    if (text.charCodeAt(start) === 46) {
      const word = text.slice(start, end);
      if (word === '.code16') slot = 0;
      else if (word === '.code32') slot = 1;
      else if (word === '.code64') slot = 2;
      continue;
    }
    const bytes = byText[slot].get(text.trim());
    if (bytes && size + bytes.length <= image.length) {
      image.set(bytes, size);
      size += bytes.length;
    }
  }
  return size;
}

const byText = bytesByLine();
const wall: number[] = [];
let copied = 0;
for (let i = 0; i < Number(runsText); i++) {
  const t0 = performance.now();
  copied = floorRun(byText);
  wall.push(performance.now() - t0);
}
process.stdout.write(JSON.stringify({ wall, copied, instructionBytes }) + '\n');
