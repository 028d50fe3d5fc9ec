// The benchmark boot sectors (bench/workloads/*.S), assembled with the GNU toolchain so that ours, QEMU and Bochs
// run the very same bytes. The loop count is a 32-bit word after the "LOOP" magic at LOOPS_OFFSET; the host
// patches it per run instead of reassembling.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const WORKLOAD_DIR = __dirname;
export const LOOPS_OFFSET = 0x1f0;
/** What every workload prints on port 0xE9 when its loop is done. */
export const DONE_MARKER = 'BENCH-DONE\n';

export interface Workload {
  /** File stem in bench/workloads/. */
  file: string;
  title: string;
}

export const WORKLOADS: Workload[] = [
  { file: 'integer-loop', title: '64-bit integer loop (paging on)' },
  { file: 'paging-heavy', title: 'memory/paging-heavy (2048 pages, INVLPG, CR3 reloads)' },
  { file: 'mode-switch', title: 'mode switches real ↔ protected ↔ long' },
];

function tool(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error) throw new Error(`cannot run ${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
}

/** gcc -E + as --64 + ld -Ttext=0x7c00 --oformat=binary: the 512-byte boot sector of one workload. */
export function assembleWorkload(file: string): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'bench-workload-'));
  try {
    const pre = join(dir, 'pre.s');
    const obj = join(dir, 'out.o');
    const img = join(dir, 'out.img');
    tool('gcc', ['-E', '-P', '-x', 'assembler-with-cpp', '-D__ASSEMBLY__', `-I${WORKLOAD_DIR}`, '-o', pre, join(WORKLOAD_DIR, `${file}.S`)]);
    tool('as', ['--64', '-o', obj, pre]);
    tool('ld', ['-m', 'elf_x86_64', '-Ttext=0x7c00', '-e', '_start', '--oformat=binary', '-o', img, obj]);
    const bytes = new Uint8Array(readFileSync(img));
    if (bytes.length !== 512 || bytes[510] !== 0x55 || bytes[511] !== 0xaa) throw new Error(`${file}: not a 512-byte boot sector`);
    if (String.fromCharCode(...bytes.subarray(LOOPS_OFFSET - 4, LOOPS_OFFSET)) !== 'LOOP') throw new Error(`${file}: no LOOP magic`);
    return bytes;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A copy of `image` whose loop runs `loops` times (1 ≤ loops < 2^32). */
export function withLoops(image: Uint8Array, loops: number): Uint8Array {
  const copy = image.slice();
  new DataView(copy.buffer).setUint32(LOOPS_OFFSET, loops >>> 0, true);
  return copy;
}
