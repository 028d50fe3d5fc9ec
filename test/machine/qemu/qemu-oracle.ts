// QEMU as the reference machine: assemble an example with the GNU toolchain and run the flat image on
// qemu-system-x86_64 with exactly the command lines of /work/shared/REFERENCE.md, so our machine's console
// output and exit status can be compared with QEMU's.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { builtinHeaders } from '../../../gas/headers';

export const QEMU = 'qemu-system-x86_64';

/** The machine's start modes. QEMU runs `reset` and `boot-sector` images directly; `ap` and `long64` payloads
 *  are wrapped in a reset ROM (test/machine/qemu/shims/) that recreates the machine's start state first. */
export type QemuStart = 'reset' | 'boot-sector' | 'ap' | 'long64';

/** The top of low RAM with QEMU's `-m 256` is 256 MiB; the machine's `long64` tables sit in the 8 pages below. */
export const LONG64_TABLE_AREA = 256 * 1024 * 1024 - 0x8000;

export interface AssembleOptions {
  /** Link address of .text (`ld -Ttext=`): 0 for ROM images, 0x7c00 for boot sectors. */
  ttext?: number;
  /** `binary` (default): the flat image QEMU loads; `elf`: the linked ELF executable, for symbols. */
  format?: 'binary' | 'elf';
  /** Extra `-D` definitions for the preprocessor (NAME or NAME=VALUE). */
  defines?: string[];
  /** Extra `-I` directories for the preprocessor. */
  includeDirs?: string[];
  /** Also offer the built-in kernel headers (gas/headers) to gcc, after includeDirs, like our own cpp does. */
  builtinHeaders?: boolean;
  /** Instead of linking, take this one section's bytes from the object (`objcopy -O binary -j SECTION`): for
   *  position-independent code in its own section, such as the kernel's trampolines. */
  section?: string;
}

export interface QemuRunOptions {
  start: QemuStart;
  /** `-smp N` when greater than 1. */
  cpus?: number;
  /** `ap` and `long64`: where the payload is loaded (ap: 4 KiB aligned, below 1 MiB). */
  load?: number;
  /** `long64`: the first RIP (default `load`). */
  entry?: number;
  /** `long64`: the initial RSP (default `load`). */
  stack?: number;
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
    if (options.builtinHeaders) cpp.push(`-I${writeBuiltinHeaders(dir)}`);
    runTool('gcc', [...cpp, source, '-o', pre], `preprocessing ${path}`);
    runTool('as', ['--64', '-o', obj, pre], `assembling ${path}`);
    if (options.section !== undefined) {
      runTool('objcopy', ['-O', 'binary', '-j', options.section, obj, out], `extracting ${options.section} from ${path}`);
      return readFileSync(out);
    }
    const flat = (options.format ?? 'binary') === 'binary' ? ['--oformat=binary'] : [];
    runTool('ld', ['-m', 'elf_x86_64', `-Ttext=0x${ttext.toString(16)}`, '-e', '0', ...flat, '-o', out, obj], `linking ${path}`);
    return readFileSync(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Symbol addresses of an assembled and linked source (`nm` over the ELF `assembleWithGnu` builds). */
export function gnuSymbols(path: string, options: AssembleOptions = {}): Map<string, number> {
  const elf = assembleWithGnu(path, { ...options, format: 'elf' });
  const dir = mkdtempSync(join(tmpdir(), 'qemu-oracle-nm-'));
  try {
    const file = join(dir, 'out.elf');
    writeFileSync(file, elf);
    const r = spawnSync('nm', [file], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`nm failed on ${path}:\n${r.stderr}`);
    const symbols = new Map<string, number>();
    for (const line of r.stdout.split('\n')) {
      const m = /^([0-9a-f]+) \S (\S+)$/.exec(line);
      if (m) symbols.set(m[2], parseInt(m[1], 16));
    }
    return symbols;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Writes gas/headers' texts under DIR/include (one file per include name) and returns that directory. */
function writeBuiltinHeaders(dir: string): string {
  const root = join(dir, 'include');
  for (const [name, text] of Object.entries(builtinHeaders)) {
    const file = join(root, name);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  return root;
}

const SHIMS = join(__dirname, 'shims');

/**
 * A 64 KiB reset ROM that recreates the machine's `ap` or `long64` start state and then runs `payload` there,
 * so QEMU can run what our machine starts directly. The payload must fit in the first 56 KiB of the ROM.
 */
export function wrapForQemu(payload: Uint8Array, options: QemuRunOptions): Buffer {
  if (options.start !== 'ap' && options.start !== 'long64') throw new Error(`no QEMU wrapper for start '${options.start}'`);
  const load = options.load;
  if (load === undefined) throw new Error(`start '${options.start}' needs a load address`);
  if (options.start === 'ap' && (load % 4096 !== 0 || load >= 0x100000)) {
    throw new Error(`ap start: load address 0x${load.toString(16)} must be 4 KiB aligned and below 1 MiB`);
  }
  const hex = (n: number) => `0x${n.toString(16)}`;
  const dir = mkdtempSync(join(tmpdir(), 'qemu-oracle-shim-'));
  try {
    const payloadFile = join(dir, 'payload.bin');
    writeFileSync(payloadFile, payload);
    const defines = [`PAYLOAD_FILE="${payloadFile}"`, `LOAD=${hex(load)}`];
    if (options.start === 'long64') {
      defines.push(`ENTRY=${hex(options.entry ?? load)}`, `STACK=${hex(options.stack ?? load)}`, `AREA=${hex(LONG64_TABLE_AREA)}`);
    }
    return assembleWithGnu(join(SHIMS, `${options.start}-shim.S`), { ttext: 0, defines });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The REFERENCE.md command line (arguments after the program name) for an image file. */
export function qemuArguments(imagePath: string, options: QemuRunOptions): string[] {
  const args = ['-display', 'none', '-nodefaults', '-accel', 'tcg', '-cpu', 'max', '-m', '256'];
  if (options.start !== 'boot-sector') args.push('-bios', imagePath); // ap and long64 run wrapped in a ROM
  else args.push('-drive', `format=raw,file=${imagePath},if=ide`);
  args.push('-device', 'isa-debug-exit,iobase=0xf4,iosize=1', '-debugcon', 'stdio', '-no-reboot');
  const cpus = options.cpus ?? 1;
  if (cpus > 1) args.push('-smp', String(cpus));
  return args;
}

/** Rejects images QEMU would misload, with the reason, before starting it. */
export function checkImage(image: Uint8Array, start: QemuStart): void {
  if (start !== 'boot-sector') {
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
  if (options.start === 'ap' || options.start === 'long64') image = wrapForQemu(image, options);
  checkImage(image, options.start);
  const dir = mkdtempSync(join(tmpdir(), 'qemu-oracle-run-'));
  const imagePath = join(dir, options.start === 'boot-sector' ? 'disk.img' : 'rom.bin');
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
