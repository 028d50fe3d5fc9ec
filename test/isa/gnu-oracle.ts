// Runs GNU as (binutils 2.40) once over many lines and returns, per line, its bytes or its error. The listing
// (`-al`) gives the bytes of every line even when other lines fail; stderr names the failing lines.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface OracleLine {
  bytes: number[];
  error?: string;
  warning?: string;
}

export function haveBinary(name: string): boolean {
  const r = spawnSync(name, ['--version'], { encoding: 'utf8' });
  return r.status === 0;
}

/** Assembles `lines` under `.codeNN` (one statement per line) and returns one result per line. */
export function gnuAssemble(lines: string[], mode: 16 | 32 | 64): OracleLine[] {
  const dir = mkdtempSync(join(tmpdir(), 'isa-oracle-'));
  try {
    const src = join(dir, 'in.s');
    const header = [`.code${mode}`];
    writeFileSync(src, header.join('\n') + '\n' + lines.join('\n') + '\n');
    const lst = join(dir, 'out.lst');
    const r = spawnSync('as', [mode === 64 ? '--64' : '--32', `-al=${lst}`, '--listing-lhs-width=4', '-o', join(dir, 'out.o'), src], {
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    });
    if (r.error) throw r.error;
    const out: OracleLine[] = lines.map(() => ({ bytes: [] }));
    const off = header.length + 1; // listing/stderr line numbers are 1-based and include the header
    for (const l of r.stderr.split('\n')) {
      const m = /^[^:]*:(\d+): (Error|Warning): (.*)$/.exec(l);
      if (!m) continue;
      const i = Number(m[1]) - off;
      if (i < 0 || i >= lines.length) continue;
      if (m[2] === 'Error') out[i].error ??= m[3];
      else out[i].warning ??= m[3];
    }
    const listing = readFileSync(lst, 'utf8');
    for (const l of listing.split('\n')) {
      let m = /^ *(\d+) ([0-9a-f]{4,}|\?{4,}) ([0-9A-F][0-9A-F ]*)/.exec(l);
      if (!m) m = /^ *(\d+) {2,}()([0-9A-F][0-9A-F ]*)\s*$/.exec(l);
      if (!m) continue;
      const i = Number(m[1]) - off;
      if (i < 0 || i >= lines.length) continue;
      const hex = m[3].replace(/ /g, '');
      for (let k = 0; k + 1 < hex.length; k += 2) out[i].bytes.push(parseInt(hex.slice(k, k + 2), 16));
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** objdump -d over a flat byte string; returns [offset, bytes-hex, text] per instruction line. */
export function gnuDisassemble(bytes: Uint8Array, mode: 16 | 32 | 64): { offset: number; text: string }[] {
  const dir = mkdtempSync(join(tmpdir(), 'isa-objdump-'));
  try {
    const bin = join(dir, 'in.bin');
    writeFileSync(bin, bytes);
    const machine = mode === 64 ? ['-m', 'i386:x86-64'] : ['-m', 'i386', '-M', mode === 16 ? 'i8086' : 'i386'];
    const r = spawnSync('objdump', ['-D', '-b', 'binary', ...machine, '--no-show-raw-insn', bin], { encoding: 'utf8', maxBuffer: 1 << 28 });
    if (r.error) throw r.error;
    const out: { offset: number; text: string }[] = [];
    for (const l of r.stdout.split('\n')) {
      const m = /^\s*([0-9a-f]+):\t(.*)$/.exec(l);
      if (!m) continue;
      out.push({ offset: parseInt(m[1], 16), text: m[2].replace(/\s+/g, ' ').trim() });
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
