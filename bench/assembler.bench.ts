// Assembler throughput: a generated 100 000-line GNU-as file (bench/workloads/big-assembly.ts: cpp, macros,
// .rept, 16/32/64-bit code, labels and relaxed jumps, data) assembled and linked to a flat image by ours
// (gas/index.ts `assemble`) and by `gcc -E` + `as` + `ld` in the same run; the images must be byte-identical.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assemble, MemoryFileSystem } from '../gas/index';
import type { BenchRow } from './table';
import { generateAssembly } from './workloads/big-assembly';

const LINES = 100_000;
const RUNS = 2;

function gnu(dir: string): { ms: number; image: Buffer } {
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
  return { ms, image: readFileSync(join(dir, 'big.bin')) };
}

export async function run(): Promise<BenchRow[]> {
  const src = generateAssembly(LINES);
  const lineCount = src.split('\n').length - 1;
  const dir = mkdtempSync(join(tmpdir(), 'bench-asm-'));
  try {
    writeFileSync(join(dir, 'big.S'), src);
    const peer: number[] = [];
    let gnuImage: Buffer = Buffer.alloc(0);
    for (let i = 0; i < 3; i++) {
      const g = gnu(dir);
      peer.push(g.ms);
      gnuImage = g.image;
    }
    const ours: number[] = [];
    let image: Uint8Array = new Uint8Array(0);
    let firstError = '';
    for (let i = 0; i < RUNS; i++) {
      const fs = new MemoryFileSystem({ '/bench/big.S': src });
      const t0 = performance.now();
      const r = assemble(fs, '/bench/big.S', { textAddress: 0n });
      ours.push(performance.now() - t0);
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
    return [
      {
        group: `assembler (generated ${lineCount} lines)`,
        name: 'assemble + link to a flat image',
        ours: Math.min(...ours),
        unit: 'ms',
        better: 'lower',
        peer: { name: 'gcc -E + as + ld', value: Math.min(...peer) },
        note: `best of ${RUNS} (ours) / 3 (GNU); ${same}`,
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
