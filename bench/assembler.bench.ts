// Assembler throughput: a generated 100 000-line GNU-as file (bench/workloads/big-assembly.ts: cpp, macros,
// .rept, 16/32/64-bit code, labels and relaxed jumps, data) assembled and linked to a flat image by ours
// (gas/index.ts `assemble`) and by `gcc -E` + `as` + `ld` in the same run; the images must be byte-identical.
// Ours runs as users run it: an esbuild bundle of gas/ built here with scripts/build.mjs's options (under tsx every
// import is a getter call). Wall time and CPU time (ours: process.cpuUsage, every thread including the garbage
// collector's; GNU: the children's user + system time, which counts cc1 under gcc too).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type * as Gas from '../gas/index';
import type { BenchRow } from './table';
import { bundled, ownCpu } from './bundle';
import { generateAssembly } from './workloads/big-assembly';

const LINES = 100_000;
const RUNS = 5;
const GNU_RUNS = 3;

async function bundledGas(dir: string): Promise<typeof Gas> {
  return bundled<typeof Gas>(resolve(__dirname, '../gas/index.ts'), dir, 'gas');
}

/** CPU time of waited-for children (and their children) so far, in ms; undefined where /proc is missing. */
function childrenCpu(): number | undefined {
  try {
    // Fields after the parenthesised command name: cutime and cstime are the 14th and 15th (clock ticks, 100/s).
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[13]) + Number(f[14])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

function gnu(dir: string): { ms: number; cpu: number | undefined; image: Buffer } {
  const c0 = childrenCpu();
  const t0 = performance.now();
  const steps: [string, string[]][] = [
    ['gcc', ['-E', '-P', '-x', 'assembler-with-cpp', '-D__ASSEMBLY__', '-o', 'big.s', 'big.S']],
    ['as', ['--64', '-o', 'big.o', 'big.s']],
    ['ld', ['-m', 'elf_x86_64', '-Ttext=0', '-e', '0', '--oformat=binary', '-o', 'big.bin', 'big.o']],
  ];
  for (const [cmd, args] of steps) {
    const r = spawnSync(cmd, args, { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${cmd} failed on the generated file: ${r.error?.message ?? r.stderr.slice(0, 300)}`);
  }
  const ms = performance.now() - t0;
  const c1 = childrenCpu();
  return { ms, cpu: c0 === undefined || c1 === undefined ? undefined : c1 - c0, image: readFileSync(join(dir, 'big.bin')) };
}

export async function run(): Promise<BenchRow[]> {
  const src = generateAssembly(LINES);
  const lineCount = src.split('\n').length - 1;
  const dir = mkdtempSync(join(tmpdir(), 'bench-asm-'));
  try {
    const gas = await bundledGas(dir);
    writeFileSync(join(dir, 'big.S'), src);
    const peerWall: number[] = [];
    const peerCpu: number[] = [];
    let gnuImage: Buffer = Buffer.alloc(0);
    for (let i = 0; i < GNU_RUNS; i++) {
      const g = gnu(dir);
      peerWall.push(g.ms);
      if (g.cpu !== undefined) peerCpu.push(g.cpu);
      gnuImage = g.image;
    }
    const wall: number[] = [];
    const cpu: number[] = [];
    let image: Uint8Array = new Uint8Array(0);
    let firstError = '';
    for (let i = 0; i < RUNS; i++) {
      const fs = new gas.MemoryFileSystem({ '/bench/big.S': src });
      const c0 = ownCpu();
      const t0 = performance.now();
      const r = gas.assemble(fs, '/bench/big.S', { textAddress: 0n });
      wall.push(performance.now() - t0);
      cpu.push(ownCpu() - c0);
      image = r.image;
      const err = r.diagnostics.find((d) => d.severity === 'error');
      if (err) firstError = `line ${err.origin.range.line + 1}: ${err.message}`;
    }
    let mismatch = -1;
    for (let k = 0; k < Math.max(image.length, gnuImage.length); k++) {
      if (image[k] !== gnuImage[k]) {
        mismatch = k;
        break;
      }
    }
    const same = mismatch < 0
      ? `output identical to GNU (${image.length} bytes)`
      : `MISMATCH with GNU at byte 0x${mismatch.toString(16)} (ours ${image.length} bytes, GNU ${gnuImage.length})${firstError ? `; first error ${firstError}` : ''}`;
    const group = `assembler (generated ${lineCount} lines)`;
    const rows: BenchRow[] = [
      {
        group,
        name: 'assemble + link to a flat image',
        ours: Math.min(...wall),
        unit: 'ms',
        better: 'lower',
        peer: { name: 'gcc -E + as + ld', value: Math.min(...peerWall) },
        note: `wall time, best of ${RUNS} (ours, esbuild bundle) / ${GNU_RUNS} (GNU, three processes); ${same}`,
      },
    ];
    if (peerCpu.length) {
      rows.push({
        group,
        name: 'assemble + link, CPU time',
        ours: Math.min(...cpu),
        unit: 'ms',
        better: 'lower',
        peer: { name: 'gcc -E + as + ld', value: Math.min(...peerCpu) },
        note: `user + system, best of ${RUNS} / ${GNU_RUNS} (ours counts the garbage collector's threads; GNU's is in 10 ms ticks)`,
      });
    }
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
