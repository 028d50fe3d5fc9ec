// Assembler throughput: a generated 100 000-line GNU-as file (bench/workloads/big-assembly.ts: cpp, macros,
// .rept, 16/32/64-bit code, labels and relaxed jumps, data) assembled and linked to a flat image by ours
// (gas/index.ts `assemble`) and by `gcc -E` + `as` + `ld` in the same run; the images must be byte-identical.
// Ours runs as users run it: an esbuild bundle built with scripts/build.mjs's options (under tsx every import is a
// getter call), in a node process of its own (bench/drivers/assemble-runs.ts) started with the options the product
// starts it with: the `trampoline` command's V8 options (scripts/cli-node-options.mjs), and V8's defaults as the
// language server and the debug adapter run. Each timed run assembles with empty instruction caches (a backend of
// its own), as one `trampoline asm` does; one row shares them across runs, as the language server's re-analyses
// of a file do (most instructions are then found encoded already). Wall time and CPU time (ours: process.cpuUsage, every thread including
// the garbage collector's; GNU: the children's user + system time, which counts cc1 under gcc too). A floor row
// times less work than any GAS stage must do (bench/drivers/read-floor.ts), to show what the speed goal asks.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { BenchRow } from './table';
import { bundleTo } from './bundle';
import { generateAssembly } from './workloads/big-assembly';
import { CLI_NODE_OPTIONS } from '../scripts/cli-node-options.mjs';

const LINES = 100_000;
const RUNS = 5;
/** GNU runs per round; three rounds are spread between ours. */
const GNU_RUNS = 3;

interface OurRuns {
  wall: number[];
  cpu: number[];
  error: string;
  image: Buffer;
}

/** RUNS assemblies of big.S in one node process started with `nodeOptions`; `shared`: the runs share caches. */
function ours(driver: string, dir: string, nodeOptions: string[], shared = false): OurRuns {
  const args = [...nodeOptions, driver, 'big.S', String(RUNS), 'ours.bin', ...(shared ? ['shared'] : [])];
  const r = spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`the assembler driver failed: ${r.error?.message ?? r.stderr.slice(0, 500)}`);
  const out = JSON.parse(r.stdout) as Omit<OurRuns, 'image'>;
  return { ...out, image: readFileSync(join(dir, 'ours.bin')) };
}

/** RUNS timed runs of the floor driver (bench/drivers/read-floor.ts) in a node process with the CLI's options. */
function floorRuns(driver: string, dir: string): { wall: number[]; copied: number; instructionBytes: number } {
  const r = spawnSync(process.execPath, [...CLI_NODE_OPTIONS, driver, 'big.S', String(RUNS)], { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`the floor driver failed: ${r.error?.message ?? r.stderr.slice(0, 500)}`);
  return JSON.parse(r.stdout) as { wall: number[]; copied: number; instructionBytes: number };
}

/** Where two images first differ, described; undefined when they are identical. */
function mismatch(image: Buffer, gnuImage: Buffer, error: string): string | undefined {
  for (let k = 0; k < Math.max(image.length, gnuImage.length); k++) {
    if (image[k] !== gnuImage[k]) {
      return `MISMATCH with GNU at byte 0x${k.toString(16)} (ours ${image.length} bytes, GNU ${gnuImage.length})${error ? `; first error ${error}` : ''}`;
    }
  }
  return undefined;
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
    const driver = await bundleTo(resolve(__dirname, 'drivers/assemble-runs.ts'), dir, 'assemble-runs');
    const floorDriver = await bundleTo(resolve(__dirname, 'drivers/read-floor.ts'), dir, 'read-floor');
    writeFileSync(join(dir, 'big.S'), src);
    const peerWall: number[] = [];
    const peerCpu: number[] = [];
    let gnuImage: Buffer = Buffer.alloc(0);
    const gnuRound = () => {
      for (let i = 0; i < GNU_RUNS; i++) {
        const g = gnu(dir);
        peerWall.push(g.ms);
        if (g.cpu !== undefined) peerCpu.push(g.cpu);
        gnuImage = g.image;
      }
    };
    // GNU's runs are spread between ours, so that a change in the machine's load reaches both sides.
    gnuRound();
    const cli = ours(driver, dir, CLI_NODE_OPTIONS);
    gnuRound();
    const plain = ours(driver, dir, []);
    const again = ours(driver, dir, CLI_NODE_OPTIONS, true);
    gnuRound();
    const floor = floorRuns(floorDriver, dir);
    const problem =
      mismatch(cli.image, gnuImage, cli.error) ?? mismatch(plain.image, gnuImage, plain.error) ?? mismatch(again.image, gnuImage, again.error);
    const same = problem ?? `output identical to GNU (${gnuImage.length} bytes)`;
    const group = `assembler (generated ${lineCount} lines)`;
    const peer = { name: 'gcc -E + as + ld', value: Math.min(...peerWall) };
    const rows: BenchRow[] = [
      {
        group,
        name: 'assemble + link to a flat image',
        ours: Math.min(...cli.wall),
        unit: 'ms',
        better: 'lower',
        peer,
        note: `wall time, best of ${RUNS} (ours: esbuild bundle, node ${CLI_NODE_OPTIONS.join(' ')} as the trampoline command runs, JIT warm, instruction caches empty) / ${peerWall.length} (GNU, three processes, run between ours); ${same}`,
      },
      {
        group,
        name: 'assemble + link again, instruction caches warm',
        ours: Math.min(...again.wall),
        unit: 'ms',
        better: 'lower',
        peer,
        note: `wall time, best of ${RUNS}: the same file again in the same process, encodings kept from the run before (what the language server's re-analysis sees)`,
      },
      {
        group,
        name: 'assemble + link, first run in a fresh process',
        ours: cli.wall[0],
        unit: 'ms',
        better: 'lower',
        peer,
        note: 'what one `trampoline asm` run spends assembling: nothing compiled by the JIT yet and every cache empty (process start not counted)',
      },
      {
        group,
        name: 'assemble + link, V8 default options',
        ours: Math.min(...plain.wall),
        unit: 'ms',
        better: 'lower',
        peer,
        note: `wall time, best of ${RUNS}, node without options (as the language server and the debug adapter run)`,
      },
    ];
    rows.push({
      group,
      name: 'floor: preprocess + one scan copying bytes found in advance',
      ours: Math.min(...floor.wall),
      unit: 'ms',
      better: 'lower',
      peer,
      note: `wall time, best of ${RUNS}: less than any GAS stage in JavaScript must do (bench/drivers/read-floor.ts: our preprocessor, then per line a word scan, a lookup and a copy of ${floor.copied} of the ${floor.instructionBytes} instruction bytes a real assembly encoded beforehand (the rest come from macro expansions); no parsing, encoding, macros, symbols, layout or link)`,
    });
    if (peerCpu.length) {
      rows.push({
        group,
        name: 'assemble + link, CPU time',
        ours: Math.min(...cli.cpu),
        unit: 'ms',
        better: 'lower',
        peer: { name: 'gcc -E + as + ld', value: Math.min(...peerCpu) },
        note: `user + system, best of ${RUNS} / ${peerCpu.length}, the trampoline command's options (ours counts the garbage collector's threads; GNU's is in 10 ms ticks)`,
      });
    }
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
