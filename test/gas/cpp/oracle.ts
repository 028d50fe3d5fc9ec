// Helpers for the preprocessor tests: run our preprocessor on in-memory or on-disk files, run the oracle
// (`gcc -E -P -x assembler-with-cpp`, the same command a .S file goes through) on the same text, and compare
// the two outputs as lines of whitespace-separated tokens.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TestContext } from 'node:test';
import type { FileSystem } from '../../../gas/fs';
import { MemoryFileSystem } from '../../../gas/fs';
import { builtinHeaders, preprocess, preprocessedText } from '../../../gas/cpp/index';
import type { PreprocessOptions, PreprocessResult } from '../../../gas/cpp/index';

let gccChecked: boolean | undefined;

export function hasGcc(): boolean {
  if (gccChecked === undefined) gccChecked = spawnSync('gcc', ['--version'], { encoding: 'utf8' }).status === 0;
  return gccChecked;
}

/** False (and the test skipped) when gcc is missing outside CI; in CI a missing oracle fails the test. */
export function requireGcc(t: TestContext): boolean {
  if (hasGcc()) return true;
  if (process.env.CI) throw new Error('oracle missing: gcc');
  t.skip('gcc not installed');
  return false;
}

/** A disk-backed FileSystem for tests (the core itself never touches the disk). */
export const diskFs: FileSystem = {
  readText(p: string): string | undefined {
    try {
      return readFileSync(p, 'utf8');
    } catch {
      return undefined;
    }
  },
  readBytes(p: string): Uint8Array | undefined {
    try {
      return readFileSync(p);
    } catch {
      return undefined;
    }
  },
};

let headerDir: string | undefined;

/** The built-in headers written out once per process, so gcc sees exactly the text we use. */
export function builtinHeaderDir(): string {
  if (headerDir) return headerDir;
  const dir = mkdtempSync(join(tmpdir(), 'cpp-builtin-headers-'));
  for (const [name, text] of Object.entries(builtinHeaders)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  headerDir = dir;
  return dir;
}

export interface GccResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** `gcc -E -P -x assembler-with-cpp -D__ASSEMBLY__` on a file on disk. */
export function gccPreprocess(path: string, includeDirs: string[] = [], extra: string[] = []): GccResult {
  const args = ['-E', '-P', '-x', 'assembler-with-cpp', '-D__ASSEMBLY__', ...includeDirs.map((d) => `-I${d}`), ...extra, path];
  const r = spawnSync('gcc', args, { encoding: 'utf8', maxBuffer: 1 << 28 });
  return { status: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** Writes files to a fresh temp directory, runs `f`, removes the directory. */
export function withFiles<T>(files: Record<string, string>, f: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'cpp-test-'));
  try {
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), text, 'utf8');
    }
    return f(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Output lines with runs of whitespace collapsed and blank lines dropped (what -P spacing leaves comparable). */
export function normalize(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.replace(/\s+/g, ' ').trim())
    .filter((l) => l.length > 0);
}

export const defaultOptions = (over: Partial<PreprocessOptions> = {}): PreprocessOptions => ({
  includePaths: [],
  defines: {},
  undefines: [],
  ...over,
});

/** Runs ours on an in-memory main file (plus other files) rooted at /t. */
export function ours(main: string, files: Record<string, string> = {}, over: Partial<PreprocessOptions> = {}): PreprocessResult {
  const mem: Record<string, string> = { '/t/main.S': main };
  for (const [k, v] of Object.entries(files)) mem['/t/' + k] = v;
  const includePaths = (over.includePaths ?? []).map((p) => '/t/' + p);
  return preprocess(new MemoryFileSystem(mem), '/t/main.S', defaultOptions({ ...over, includePaths }));
}

export interface Comparison {
  ours: string[];
  gcc: string[];
  result: PreprocessResult;
  gccResult: GccResult;
}

/**
 * Preprocesses the same files with gcc and with ours (both reading from a temp directory, with the built-in
 * headers on gcc's include path after `includeDirs`).
 */
export function compareWithGcc(
  main: string,
  files: Record<string, string> = {},
  includeDirs: string[] = [],
  defines: Record<string, string> = {},
  undefines: string[] = [],
): Comparison {
  return withFiles({ 'main.S': main, ...files }, (dir) => {
    const inc = includeDirs.map((d) => join(dir, d));
    const extra = [...Object.entries(defines).map(([k, v]) => `-D${k}=${v}`), ...undefines.map((u) => `-U${u}`)];
    const g = gccPreprocess(join(dir, 'main.S'), [...inc, builtinHeaderDir()], extra);
    const r = preprocess(diskFs, join(dir, 'main.S'), defaultOptions({ includePaths: inc, defines, undefines }));
    const strip = (s: string): string => s.split(dir).join('<dir>');
    return { ours: normalize(strip(preprocessedText(r))), gcc: normalize(strip(g.stdout)), result: r, gccResult: g };
  });
}

export function errorsOf(r: PreprocessResult): string[] {
  return r.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.origin.range.line + 1}: ${d.message}`);
}

/**
 * The cpp fixtures' include directories (include/, include2/) as in-memory files under `/inc/`, for tests that
 * run the preprocessor on a MemoryFileSystem with `/inc` on the include path.
 */
export function fixtureIncludeFiles(fixtureDir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const dir of ['include', 'include2']) {
    const base = join(fixtureDir, dir);
    if (!existsSync(base)) continue;
    const walk = (d: string): void => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const p = join(d, e.name);
        if (e.isDirectory()) walk(p);
        else files[`/inc/${p.slice(base.length + 1)}`] = readFileSync(p, 'latin1');
      }
    };
    walk(base);
  }
  return files;
}
