// C preprocessor throughput: a 100 000-line kernel-style .S file (the seed trampoline repeated with renamed
// labels, so every copy expands SYM_* and the header constants) preprocessed by ours and by `gcc -E`; and the
// language server's case, the same session again after a one-character edit (in that file, and near the start
// of bench/server.bench.ts's generated 20 000-line macro-heavy file) beside `gcc -E` over the whole file.
// Ours runs as users run it: an esbuild bundle of gas/cpp built here with scripts/build.mjs's options (under tsx
// every import is a getter call). Times are wall time; ours is also given as CPU time (process.cpuUsage, the
// garbage collector's threads included).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type * as Cpp from '../gas/cpp/index';
import { MemoryFileSystem } from '../gas/fs';
import type { BenchRow } from './table';
import { bundled } from './bundle';
import { ownCpu } from './cpu-time';
import { createRequire } from 'node:module';

const here = __dirname;
const SEED = resolve(here, '../../shared/seeds/trampoline_64_bsp.S');
const RUNS = 7;
const GCC_RUNS = 5;

async function bundledCpp(dir: string): Promise<typeof Cpp> {
  return bundled<typeof Cpp>(resolve(here, '../gas/cpp/index.ts'), dir, 'cpp');
}

function bigSource(lines: number): string {
  const seed = existsSync(SEED)
    ? readFileSync(SEED, 'latin1')
    : '#include <linux/linkage.h>\n#include <asm/segment.h>\nSYM_CODE_START(entry)\n movl $__KERNEL_DS, %eax\nSYM_CODE_END(entry)\n';
  const labels = [...new Set([...seed.matchAll(/^(?:SYM_\w+\()?([A-Za-z_]\w*)(?::|\)|,)/gm)].map((m) => m[1]))].filter((l) => !/^SYM_/.test(l));
  const rename = labels.length ? new RegExp(`\\b(${labels.join('|')}|bsp_base)\\b`, 'g') : null;
  const parts: string[] = [];
  let n = 0;
  for (let copy = 0; n < lines; copy++) {
    parts.push(rename ? seed.replace(rename, `$1_${copy}`) : seed);
    n += seed.split('\n').length;
  }
  return parts.join('\n');
}

const best = (xs: number[]): number => Math.min(...xs);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1];

const OPTS = { includePaths: [], defines: {}, undefines: [] };

/** Median time of `edits` one-character edits (a leading space added or taken away) at the given lines. */
function resumeTimes(cpp: typeof Cpp, src: string, at: (i: number) => number, edits: number): { ms: number[]; linesRead: number } {
  const path = '/bench/edited.S';
  const fs = new MemoryFileSystem({ [path]: src });
  const session = new cpp.IncrementalPreprocessor();
  session.preprocess(fs, path, OPTS);
  const lines = src.split('\n');
  const ms: number[] = [];
  let linesRead = 0;
  for (let i = 0; i < edits; i++) {
    const k = at(i);
    lines[k] = lines[k].startsWith('  ') ? lines[k].slice(1) : ' ' + lines[k];
    fs.set(path, lines.join('\n'));
    const t0 = performance.now();
    const r = session.preprocess(fs, path, OPTS);
    ms.push(performance.now() - t0);
    if (r.diagnostics.length) throw new Error(r.diagnostics[0].message);
    if (session.stats?.mode !== 'resumed') throw new Error(`incremental run was ${session.stats?.mode}: ${session.stats?.reason}`);
    linesRead = Math.max(linesRead, session.stats.linesRead);
  }
  return { ms, linesRead };
}

function gccTimes(dir: string, file: string, text: string): number[] {
  writeFileSync(join(dir, file), text);
  const out: number[] = [];
  for (let i = 0; i < GCC_RUNS; i++) {
    const t0 = performance.now();
    const g = spawnSync('gcc', ['-E', '-P', '-x', 'assembler-with-cpp', '-D__ASSEMBLY__', `-I${join(dir, 'inc')}`, join(dir, file)], { maxBuffer: 1 << 28 });
    out.push(performance.now() - t0);
    if (g.status !== 0) throw new Error(`gcc -E failed: ${g.error?.message ?? g.stderr}`);
  }
  return out;
}

/** The language-server bench's generated file, when that module loads (it pulls in the whole server). */
function macroHeavy(lines: number): string | undefined {
  try {
    const m = createRequire(__filename)('./server.bench') as { generateMacroHeavy?: (n: number) => string };
    return m.generateMacroHeavy?.(lines);
  } catch {
    return undefined;
  }
}

export async function run(): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-cpp-'));
  const rows: BenchRow[] = [];
  try {
    const cpp = await bundledCpp(dir);
    const src = bigSource(100_000);
    const lineCount = src.split('\n').length;
    const wall: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const fs = new MemoryFileSystem({ [`/bench/big${i}.S`]: src });
      const c0 = ownCpu();
      const t0 = performance.now();
      const r = cpp.preprocess(fs, `/bench/big${i}.S`, OPTS);
      wall.push(performance.now() - t0);
      cpu.push(ownCpu() - c0);
      if (r.diagnostics.length) throw new Error(r.diagnostics[0].message);
    }
    const code = src.split('\n').flatMap((l, i) => (/^\s+(movl|movq|jmp)\b/.test(l) ? [i] : []));
    const spread = resumeTimes(cpp, src, (i) => code[Math.floor(((i + 0.5) * code.length) / 9)], 9);
    const heavy = macroHeavy(20_000);
    const heavyCode = heavy ? heavy.split('\n').flatMap((l, i) => (i < 200 && /^\s+(movl|mov|cli|lmsw)\b/.test(l) ? [i] : [])) : [];
    const early = heavy && heavyCode.length ? resumeTimes(cpp, heavy, (i) => heavyCode[i % heavyCode.length], 21) : undefined;

    for (const [name, text] of Object.entries(cpp.builtinHeaders)) {
      mkdirSync(dirname(join(dir, 'inc', name)), { recursive: true });
      writeFileSync(join(dir, 'inc', name), text);
    }
    let gcc: number[] | undefined;
    let gccHeavy: number[] | undefined;
    let why = '';
    try {
      gcc = gccTimes(dir, 'big.S', src);
      if (heavy) gccHeavy = gccTimes(dir, 'heavy.S', heavy);
    } catch (e) {
      why = `no peer: ${e instanceof Error ? e.message : e}`;
    }
    const peer = gcc ? { name: 'gcc -E', value: best(gcc) } : undefined;
    rows.push({ group: 'cpp', name: `preprocess ${lineCount} lines`, ours: best(wall), unit: 'ms', peer, better: 'lower', note: why || `best of ${RUNS} (esbuild bundle; gcc: of ${GCC_RUNS}, including process start)` });
    rows.push({ group: 'cpp', name: `preprocess ${lineCount} lines, CPU time`, ours: best(cpu), unit: 'ms', peer, better: 'lower', note: why || `best of ${RUNS}, every thread of this process; the peer is gcc's wall time` });
    rows.push({
      group: 'cpp',
      name: `preprocess again after a 1-char edit (${lineCount} lines)`,
      ours: median(spread.ms),
      unit: 'ms',
      peer: gcc ? { name: 'gcc -E (whole file)', value: best(gcc) } : undefined,
      better: 'lower',
      note: why || `median of 9 edits spread over the file; incremental session, at most ${spread.linesRead} lines read again`,
    });
    if (early && heavy) {
      rows.push({
        group: 'cpp',
        name: `preprocess again after a 1-char edit near the start (generated macro-heavy, ${heavy.split('\n').length} lines)`,
        ours: median(early.ms),
        unit: 'ms',
        peer: gccHeavy ? { name: 'gcc -E (whole file)', value: best(gccHeavy) } : undefined,
        better: 'lower',
        note: why || `median of 21 edits in its first 200 lines; incremental session, at most ${early.linesRead} lines read again`,
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
