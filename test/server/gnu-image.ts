// The GNU oracle for whole files: `gcc -E` (with the project's built-in headers written to a temp directory as
// the only include path) then `as --64`; returns each section's bytes and each symbol's section offset.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { builtinHeaders } from '../../gas/headers/index';

export interface GnuObject {
  sections: Map<string, Uint8Array>;
  symbols: Map<string, { section: string; value: number }>;
}

export function haveGnu(): boolean {
  return ['gcc', 'as', 'objcopy', 'objdump'].every((b) => spawnSync(b, ['--version']).status === 0);
}

export function gnuObject(sourcePath: string): GnuObject {
  const dir = mkdtempSync(join(tmpdir(), 'server-gnu-'));
  try {
    for (const [name, text] of Object.entries(builtinHeaders)) {
      const p = join(dir, 'include', name);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, text);
    }
    const pre = spawnSync('gcc', ['-E', '-P', '-D__ASSEMBLY__', '-nostdinc', '-I', join(dir, 'include'), sourcePath], { encoding: 'latin1', maxBuffer: 1 << 28 });
    if (pre.status !== 0) throw new Error(`gcc -E failed: ${pre.stderr}`);
    writeFileSync(join(dir, 'in.s'), pre.stdout);
    const as = spawnSync('as', ['--64', '-o', join(dir, 'out.o'), join(dir, 'in.s')], { encoding: 'utf8' });
    if (as.status !== 0) throw new Error(`as failed: ${as.stderr}`);
    const heads = spawnSync('objdump', ['-h', '-t', join(dir, 'out.o')], { encoding: 'utf8' }).stdout;
    const sections = new Map<string, Uint8Array>();
    for (const m of heads.matchAll(/^\s*\d+\s+(\S+)\s+([0-9a-f]+)\s/gm)) {
      const name = m[1];
      if (parseInt(m[2], 16) === 0) continue;
      const bin = join(dir, 'sec.bin');
      const r = spawnSync('objcopy', ['-O', 'binary', '-j', name, join(dir, 'out.o'), bin]);
      if (r.status === 0) sections.set(name, new Uint8Array(readFileSync(bin)));
    }
    const symbols = new Map<string, { section: string; value: number }>();
    // objdump -t: VALUE FLAGS SECTION SIZE NAME
    for (const m of heads.matchAll(/^([0-9a-f]{16})\s.{7}\s(\S+)\s+[0-9a-f]+\s+(\S+)$/gm)) symbols.set(m[3], { section: m[2], value: parseInt(m[1], 16) });
    return { sections, symbols };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
