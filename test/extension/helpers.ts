// Shared by the extension's unit tests: the examples and the seed, and line lookup by content.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const REPO = join(__dirname, '..', '..');
export const SEED = join(REPO, '..', 'shared', 'seeds', 'trampoline_64_bsp.S');
export const example = (p: string): string => join(REPO, 'examples', p);
export const read = (path: string): string => readFileSync(path, 'latin1');

/** 0-based index of the first line matching `re` (after `from`). */
export function lineIndex(text: string, re: RegExp, from = 0): number {
  const lines = text.split('\n');
  for (let i = from; i < lines.length; i++) if (re.test(lines[i])) return i;
  throw new Error(`no line matches ${re}`);
}

/** The line and the column of `token` in it (the nth occurrence on that line). */
export function at(text: string, re: RegExp, token: string, nth = 0): { line: string; index: number; column: number } {
  const index = lineIndex(text, re);
  const line = text.split('\n')[index];
  let column = -1;
  for (let i = 0; i <= nth; i++) column = line.indexOf(token, column + 1);
  if (column < 0) throw new Error(`'${token}' not on line ${index + 1}: ${line}`);
  return { line, index, column };
}

/** The README's table of examples: path → start modes (the first is the one F5 should infer). */
export function readmeStarts(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const l of read(join(REPO, 'examples', 'README.md')).split('\n')) {
    const m = /^\|\s*`([^`]+\.S)`\s*\|\s*([^|]+?)\s*\|/.exec(l);
    if (m) out.set(m[1], m[2].split('/').map((s) => s.trim()));
  }
  return out;
}
