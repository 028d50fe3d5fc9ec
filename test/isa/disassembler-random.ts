// Random byte streams through our disassembler and objdump. Every objdump line that starts where one of ours
// starts is compared (text after whitespace normalisation, and length). A line counts as outside the table
// only when its opcode bytes belong to x87, MMX/SSE or VEX/EVEX/XOP (test/isa/disassembler-families.ts); the
// instruction boundaries may then part, and the lines until both sides start at the same offset again are
// not compared — only then.
import { disassemble } from '../../isa/disassembler';
import type { CodeMode } from '../../isa/mode';
import { gnuDisassemble } from './gnu-oracle';
import { normalise } from './disasm-differential';
import { familyAt, type Family } from './disassembler-families';
import { seededUint32 } from '../seeded-random';

export interface RandomStreamResult {
  passed: number;
  failed: string[];
  outside: Record<Family, number>;
  /** objdump lines after an outside one that start inside one of our instructions. */
  resynchronising: number;
}

/** 16-bit streams stay under 64 KiB so both sides agree on where IP wraps. */
export const STREAM_BYTES = 60000;

export function randomStream(mode: CodeMode, seed: number): Uint8Array {
  const next = seededUint32(mode * 1000 + seed);
  const bytes = new Uint8Array(STREAM_BYTES);
  for (let i = 0; i < bytes.length; i += 4) {
    const v = next();
    bytes.set([v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24].slice(0, bytes.length - i), i);
  }
  // objdump does not list zero bytes at the end of a section: end on a non-zero byte.
  bytes[bytes.length - 1] |= 0x80;
  return bytes;
}

const hexBytes = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');

export function compareRandomStream(bytes: Uint8Array, mode: CodeMode, into?: RandomStreamResult): RandomStreamResult {
  const r = into ?? { passed: 0, failed: [], outside: { x87: 0, 'mmx-sse': 0, vex: 0 }, resynchronising: 0 };
  const gnu = gnuDisassemble(bytes, mode);
  const ours = new Map(disassemble(bytes, mode).map((l) => [l.address, l]));
  let apart = false;
  gnu.forEach((g, k) => {
    const next = k + 1 < gnu.length ? gnu[k + 1].offset : bytes.length;
    const o = ours.get(g.offset);
    if (!o) {
      if (apart) r.resynchronising++;
      else r.failed.push(`${hexBytes(bytes.subarray(g.offset, next))}: objdump=${normalise(g.text)}, ours has no instruction starting here`);
      return;
    }
    const gt = normalise(g.text);
    const ot = normalise(o.text);
    if (ot === gt && o.length === next - g.offset) {
      r.passed++;
      apart = false;
      return;
    }
    const family = familyAt(bytes, g.offset, mode);
    if (family) {
      r.outside[family]++;
      apart = o.length !== next - g.offset;
      return;
    }
    r.failed.push(`${hexBytes(bytes.subarray(g.offset, g.offset + Math.max(o.length, next - g.offset)))}: ours=${ot} [${o.length}] objdump=${gt} [${next - g.offset}]`);
    apart = o.length !== next - g.offset;
  });
  return r;
}

if (process.argv[1]?.endsWith('disassembler-random.ts')) {
  const modes = (process.argv[2] ?? '16,32,64').split(',').map(Number) as CodeMode[];
  const seeds = Number(process.argv[3] ?? 5);
  const first = Number(process.argv[4] ?? 0);
  for (const mode of modes) {
    let r: RandomStreamResult | undefined;
    for (let s = first; s < first + seeds; s++) r = compareRandomStream(randomStream(mode, s), mode, r);
    for (const f of r!.failed) process.stdout.write(f + '\n');
    process.stdout.write(`random .code${mode}: ${r!.passed} passed, ${r!.failed.length} failed, outside the table: ${JSON.stringify(r!.outside)}, ${r!.resynchronising} resynchronising\n`);
  }
}
