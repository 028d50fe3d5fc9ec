// QEMU as the reference machine: assemble an example with the GNU toolchain and run the flat image on
// qemu-system-x86_64 with exactly the command lines of /work/shared/REFERENCE.md, so our machine's console
// output and exit status can be compared with QEMU's.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const QEMU = 'qemu-system-x86_64';

/** The QEMU-runnable start modes (`ap` and `long64` have no QEMU equivalent without extra firmware). */
export type QemuStart = 'reset' | 'boot-sector';

export interface AssembleOptions {
  /** Link address of .text (`ld -Ttext=`): 0 for ROM images, 0x7c00 for boot sectors. */
  ttext?: number;
  /** `binary` (default): the flat image QEMU loads; `elf`: the linked ELF executable, for symbols. */
  format?: 'binary' | 'elf';
  /** Extra `-D` definitions for the preprocessor (NAME or NAME=VALUE). */
  defines?: string[];
  /** Extra `-I` directories for the preprocessor. */
  includeDirs?: string[];
}

export interface QemuRunOptions {
  start: QemuStart;
  /** `-smp N` when greater than 1. */
  cpus?: number;
  /** The run is killed after this long; default 10 s. */
  timeoutMs?: number;
}

export interface QemuResult {
  /** Everything the guest wrote to port 0xE9, one character per byte (latin1). */
  stdout: string;
  stderr: string;
  /** QEMU's exit status: (V << 1) | 1 after a write of V to port 0xF4, 0 after a triple fault; null if killed. */
  status: number | null;
  timedOut: boolean;
}

/** True when `name --version` runs: the oracle tools are present. */
export function haveTool(name: string): boolean {
  const r = spawnSync(name, ['--version'], { encoding: 'utf8' });
  return r.status === 0;
}

function runTool(cmd: string, args: string[], what: string): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.error) throw new Error(`${what}: cannot run ${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${what}: ${cmd} failed (status ${r.status}):\n${r.stderr}`);
}

/**
 * `gcc -E -P -x assembler-with-cpp -D__ASSEMBLY__` + `as --64` + `ld -m elf_x86_64 -Ttext=… --oformat=binary`,
 * in a temporary directory. The source's own directory is on the include path (as gcc does for "" includes).
 */
export function assembleWithGnu(path: string, options: AssembleOptions = {}): Buffer {
  const source = resolve(path);
  const ttext = options.ttext ?? 0;
  const dir = mkdtempSync(join(tmpdir(), 'qemu-oracle-as-'));
  try {
    const pre = join(dir, 'pre.s');
    const obj = join(dir, 'out.o');
    const out = join(dir, 'out.bin');
    const cpp = ['-E', '-P', '-x', 'assembler-with-cpp', '-D__ASSEMBLY__'];
    for (const d of options.defines ?? []) cpp.push(`-D${d}`);
    for (const i of options.includeDirs ?? []) cpp.push(`-I${resolve(i)}`);
    runTool('gcc', [...cpp, source, '-o', pre], `preprocessing ${path}`);
    runTool('as', ['--64', '-o', obj, pre], `assembling ${path}`);
    const flat = (options.format ?? 'binary') === 'binary' ? ['--oformat=binary'] : [];
    runTool('ld', ['-m', 'elf_x86_64', `-Ttext=0x${ttext.toString(16)}`, '-e', '0', ...flat, '-o', out, obj], `linking ${path}`);
    return readFileSync(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The REFERENCE.md command line (arguments after the program name) for an image file. */
export function qemuArguments(imagePath: string, options: QemuRunOptions): string[] {
  const args = ['-display', 'none', '-nodefaults', '-accel', 'tcg', '-cpu', 'max', '-m', '256'];
  if (options.start === 'reset') args.push('-bios', imagePath);
  else args.push('-drive', `format=raw,file=${imagePath},if=ide`);
  args.push('-device', 'isa-debug-exit,iobase=0xf4,iosize=1', '-debugcon', 'stdio', '-no-reboot');
  const cpus = options.cpus ?? 1;
  if (cpus > 1) args.push('-smp', String(cpus));
  return args;
}

/** Rejects images QEMU would misload, with the reason, before starting it. */
export function checkImage(image: Uint8Array, start: QemuStart): void {
  if (start === 'reset') {
    if (image.length === 0 || image.length % 0x10000 !== 0) {
      throw new Error(`a reset ROM must be a multiple of 64 KiB, got ${image.length} bytes`);
    }
  } else if (image.length < 512 || image.length % 512 !== 0 || image[510] !== 0x55 || image[511] !== 0xaa) {
    // Sectors after the first are the rest of the disk, for boot sectors that read them with INT 13h.
    throw new Error(`a boot disk must be whole 512-byte sectors, the first ending in 0x55 0xAA; got ${image.length} bytes`);
  }
}

/** Runs one image on QEMU until it exits (isa-debug-exit, triple fault) or the timeout kills it. */
export async function runOnQemu(image: Uint8Array, options: QemuRunOptions): Promise<QemuResult> {
  checkImage(image, options.start);
  const dir = mkdtempSync(join(tmpdir(), 'qemu-oracle-run-'));
  const imagePath = join(dir, options.start === 'reset' ? 'rom.bin' : 'disk.img');
  writeFileSync(imagePath, image);
  try {
    return await new Promise<QemuResult>((done, fail) => {
      const child = spawn(QEMU, qemuArguments(imagePath, options), { stdio: ['ignore', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, options.timeoutMs ?? 10_000);
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => err.push(b));
      child.on('error', (e) => {
        clearTimeout(timer);
        fail(new Error(`cannot run ${QEMU}: ${e.message}`));
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        done({
          stdout: Buffer.concat(out).toString('latin1'),
          stderr: Buffer.concat(err).toString('utf8'),
          status: timedOut ? null : code,
          timedOut,
        });
      });
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
