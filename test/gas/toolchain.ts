// Helpers for tests that compare with GNU binutils: tool discovery (fail in CI when missing) and a small ELF64
// reader for the section contents and symbol table of `as` output.
import { spawnSync } from 'node:child_process';
import type { TestContext } from 'node:test';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function hasTool(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).status === 0;
}

/** Returns false (and skips) when a tool is missing outside CI; throws in CI so the test fails. */
export function requireTools(t: TestContext, names: string[]): boolean {
  const missing = names.filter((n) => !hasTool(n));
  if (!missing.length) return true;
  if (process.env.CI) throw new Error(`oracle tools missing: ${missing.join(', ')}`);
  t.skip(`missing ${missing.join(', ')}`);
  return false;
}

export interface ElfSection {
  index: number;
  name: string;
  type: number;
  flags: bigint;
  size: number;
  bytes: Uint8Array;
}

export interface ElfSymbol {
  name: string;
  /** Section name, '*ABS*' or '*UND*'. */
  section: string;
  value: bigint;
  size: bigint;
  bind: number;
  type: number;
}

export const SHT_PROGBITS = 1;
export const SHT_NOBITS = 8;

export function readElf(buf: Uint8Array): { sections: ElfSection[]; symbols: ElfSymbol[] } {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const shoff = Number(dv.getBigUint64(0x28, true));
  const shentsize = dv.getUint16(0x3a, true);
  const shnum = dv.getUint16(0x3c, true);
  const shstrndx = dv.getUint16(0x3e, true);
  const raw: { nameOff: number; type: number; flags: bigint; offset: number; size: number; link: number; entsize: number }[] = [];
  for (let i = 0; i < shnum; i++) {
    const o = shoff + i * shentsize;
    raw.push({
      nameOff: dv.getUint32(o, true),
      type: dv.getUint32(o + 4, true),
      flags: dv.getBigUint64(o + 8, true),
      offset: Number(dv.getBigUint64(o + 24, true)),
      size: Number(dv.getBigUint64(o + 32, true)),
      link: dv.getUint32(o + 40, true),
      entsize: Number(dv.getBigUint64(o + 56, true)),
    });
  }
  const str = (secIndex: number, off: number) => {
    const s = raw[secIndex];
    let e = s.offset + off;
    while (buf[e] !== 0) e++;
    return Buffer.from(buf.subarray(s.offset + off, e)).toString('latin1');
  };
  const sections: ElfSection[] = raw.map((s, i) => ({
    index: i,
    name: str(shstrndx, s.nameOff),
    type: s.type,
    flags: s.flags,
    size: s.size,
    bytes: s.type === SHT_NOBITS ? new Uint8Array(s.size) : buf.slice(s.offset, s.offset + s.size),
  }));
  const symbols: ElfSymbol[] = [];
  const symtab = raw.findIndex((s) => s.type === 2);
  if (symtab >= 0) {
    const s = raw[symtab];
    for (let o = s.offset + 24; o < s.offset + s.size; o += 24) {
      const nameOff = dv.getUint32(o, true);
      const info = buf[o + 4];
      const shndx = dv.getUint16(o + 6, true);
      const section = shndx === 0 ? '*UND*' : shndx === 0xfff1 ? '*ABS*' : sections[shndx]?.name ?? `#${shndx}`;
      symbols.push({
        name: str(s.link, nameOff),
        section,
        value: dv.getBigUint64(o + 8, true),
        size: dv.getBigUint64(o + 16, true),
        bind: info >> 4,
        type: info & 0xf,
      });
    }
  }
  return { sections, symbols };
}


export interface GnuAssembly {
  ok: boolean;
  /** GNU's messages as `LINE: Error|Warning: text`. */
  messages: string[];
  sections: Map<string, Uint8Array>;
  symbols: ElfSymbol[];
}

/** Assembles a text with `as --64` (one process) and reads back section bytes, symbols and messages. */
export function gnuAssemble(source: string, extraArgs: string[] = []): GnuAssembly {
  const dir = mkdtempSync(join(tmpdir(), 'gas-oracle-'));
  try {
    const src = join(dir, 'in.s');
    const obj = join(dir, 'in.o');
    writeFileSync(src, source, 'latin1');
    const r = spawnSync('as', ['--64', ...extraArgs, src, '-o', obj], { encoding: 'utf8', cwd: dir });
    const messages = r.stderr
      .split('\n')
      .map((l) => /^.*?in\.s:(\d+): (Error|Warning|Fatal error): (.*)$/.exec(l))
      .filter((m): m is RegExpExecArray => !!m)
      .map((m) => `${m[1]}: ${m[2]}: ${m[3]}`);
    const keepGoing = extraArgs.includes('-Z');
    if (r.status !== 0 && !(keepGoing && existsSync(obj))) return { ok: false, messages, sections: new Map(), symbols: [] };
    const elf = readElf(new Uint8Array(readFileSync(obj)));
    const sections = new Map<string, Uint8Array>();
    for (const s of elf.sections) if (s.type === SHT_PROGBITS || s.type === SHT_NOBITS) sections.set(s.name, s.bytes);
    return { ok: r.status === 0, messages, sections, symbols: elf.symbols };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const hex = (b: Uint8Array | undefined) => (b ? Buffer.from(b).toString('hex') : '<none>');
