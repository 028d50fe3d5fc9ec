// Helpers for the independent oracles: Unicorn through Debian's /usr/bin/python3 and GNU as. Outside CI a missing
// oracle skips the test; with CI set it fails.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PYTHON = '/usr/bin/python3';

export function unicornAvailable(): boolean {
  if (!existsSync(PYTHON)) return false;
  const r = spawnSync(PYTHON, ['-c', 'import unicorn'], { encoding: 'utf8' });
  return r.status === 0;
}

export function asAvailable(): boolean {
  return spawnSync('as', ['--version'], { encoding: 'utf8' }).status === 0;
}

/** Skip outside CI, fail in CI, when an oracle is missing. */
export function requireOracle(t: { skip(msg: string): void }, ok: boolean, what: string): boolean {
  if (ok) return true;
  if (process.env.CI) throw new Error(`oracle missing: ${what}`);
  t.skip(`oracle missing: ${what}`);
  return false;
}

/** Runs a Python script with JSON on stdin and returns its JSON stdout. */
export function runPython(script: string, input: unknown): unknown {
  const dir = mkdtempSync(join(tmpdir(), 'trampoline-oracle-'));
  const file = join(dir, 'oracle.py');
  writeFileSync(file, script);
  const r = spawnSync(PYTHON, [file], { input: JSON.stringify(input), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`python oracle failed: ${r.stderr}`);
  if (r.stderr && process.env.ORACLE_DEBUG) process.stderr.write(r.stderr);
  return JSON.parse(r.stdout);
}

/** Assembles GNU as source and links it flat at `base` with `as` + `ld --oformat=binary`. */
export function assemble(source: string, base = 0): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'trampoline-as-'));
  const s = join(dir, 'a.s'), o = join(dir, 'a.o'), b = join(dir, 'a.bin');
  writeFileSync(s, source);
  const a = spawnSync('as', ['--64', '-o', o, s], { encoding: 'utf8' });
  if (a.status !== 0) throw new Error(`as failed: ${a.stderr}`);
  const l = spawnSync('ld', ['-m', 'elf_x86_64', `-Ttext=0x${base.toString(16)}`, '-e', `0x${base.toString(16)}`, '--oformat=binary', '-o', b, o], { encoding: 'utf8' });
  if (l.status !== 0) throw new Error(`ld failed: ${l.stderr}`);
  return new Uint8Array(readFileSync(b));
}
