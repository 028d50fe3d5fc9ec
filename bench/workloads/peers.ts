// Running a benchmark boot sector on the peers: qemu-system-x86_64 (TCG, the REFERENCE.md command line) and
// Bochs (Debian's build). Both are timed by wall clock from spawn to the guest's "done" marker (Bochs) or exit
// (QEMU); the caller subtracts an empty-boot baseline so firmware start-up is not counted.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DONE_MARKER } from './images';

export interface PeerRun {
  ms: number;
  output: string;
  ok: boolean;
  why?: string;
}

function timed(cmd: string, args: string[], cwd: string, timeoutMs: number, stopOnMarker: boolean): Promise<PeerRun> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let settled = false;
    const finish = (r: PeerRun) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (child.exitCode === null) child.kill('SIGKILL');
      resolve(r);
    };
    const timer = setTimeout(() => finish({ ms: NaN, output: out, ok: false, why: `timed out after ${timeoutMs} ms` }), timeoutMs);
    child.stdout.setEncoding('latin1');
    child.stdout.on('data', (d: string) => {
      out += d;
      if (stopOnMarker && out.includes(DONE_MARKER)) finish({ ms: performance.now() - t0, output: out, ok: true });
    });
    child.stderr.on('data', (d: Buffer) => {
      if (err.length < 4096) err += d.toString('latin1');
    });
    child.on('error', (e) => finish({ ms: NaN, output: out, ok: false, why: e.message }));
    child.on('close', () => {
      const ms = performance.now() - t0;
      if (out.includes(DONE_MARKER)) finish({ ms, output: out, ok: true });
      else finish({ ms: NaN, output: out, ok: false, why: `ended without the done marker: ${err.split('\n').filter((l) => /PANIC|error|rror:/i.test(l)).slice(0, 2).join(' / ') || err.slice(-200)}` });
    });
  });
}

export function haveQemu(): boolean {
  return spawnSync('qemu-system-x86_64', ['--version']).status === 0;
}

/** QEMU runs the boot sector as in /work/shared/REFERENCE.md; it exits at the guest's write to port 0xF4. */
export async function runQemu(image: Uint8Array, timeoutMs = 120_000): Promise<PeerRun> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-qemu-'));
  try {
    writeFileSync(join(dir, 'boot.img'), image);
    return await timed(
      'qemu-system-x86_64',
      ['-display', 'none', '-nodefaults', '-accel', 'tcg', '-cpu', 'max', '-m', '256', '-drive', 'format=raw,file=boot.img,if=ide', '-device', 'isa-debug-exit,iobase=0xf4,iosize=1', '-debugcon', 'stdio', '-no-reboot'],
      dir,
      timeoutMs,
      false,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const BOCHS_BIOS = '/usr/share/bochs/BIOS-bochs-latest';
// Debian's bochs depends on a VGA BIOS from the separate `vgabios` package; QEMU's SeaVGABIOS serves as well.
const VGA_BIOS_CANDIDATES = ['/usr/share/vgabios/vgabios.bin', '/usr/share/seabios/vgabios-stdvga.bin'];

/** Why Bochs cannot run here, or null when it can. */
export function bochsProblem(): string | null {
  if (spawnSync('bochs-bin', ['--help'], { encoding: 'utf8' }).error && spawnSync('bochs', ['--help']).error) return 'bochs is not installed (Debian packages bochs + bochsbios)';
  if (!existsSync(BOCHS_BIOS)) return `no Bochs BIOS at ${BOCHS_BIOS} (Debian package bochsbios)`;
  if (!VGA_BIOS_CANDIDATES.some(existsSync)) return 'no VGA BIOS (Debian package vgabios or seabios)';
  return null;
}

/**
 * Bochs boots the sector from a 1.44 MB floppy. Debian's build has only the rfb and wx display libraries (rfb
 * with timeout=0 does not wait for a viewer), its internal debugger stops at the first instruction (a `-rc` file
 * says continue), and its sound mixer thread aborts without an audio device (the dummy driver avoids it). Bochs
 * has no exit port: the guest's 0xE9 marker is the end (`port_e9_hack` prints it on stdout); the guest then
 * triple-faults, which with reset_on_triple_fault=0 and panic=fatal ends the process.
 */
export async function runBochs(image: Uint8Array, timeoutMs = 180_000): Promise<PeerRun> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-bochs-'));
  try {
    const floppy = new Uint8Array(1474560);
    floppy.set(image);
    writeFileSync(join(dir, 'floppy.img'), floppy);
    const vga = VGA_BIOS_CANDIDATES.find(existsSync) ?? VGA_BIOS_CANDIDATES[0];
    writeFileSync(
      join(dir, 'bochsrc'),
      [
        `romimage: file=${BOCHS_BIOS}`,
        `vgaromimage: file=${vga}`,
        'megs: 64',
        'cpu: count=1, ips=100000000, reset_on_triple_fault=0',
        'floppya: 1_44=floppy.img, status=inserted',
        'boot: floppy',
        'port_e9_hack: enabled=1',
        'display_library: rfb, options="timeout=0"',
        'sound: driver=dummy',
        'speaker: enabled=0',
        'log: /dev/null',
        'panic: action=fatal',
        'error: action=ignore',
        'info: action=ignore',
        'debug: action=ignore',
        '',
      ].join('\n'),
    );
    writeFileSync(join(dir, 'debugger.rc'), 'c\nquit\n');
    return await timed('bochs-bin', ['-q', '-f', 'bochsrc', '-rc', 'debugger.rc'], dir, timeoutMs, true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
