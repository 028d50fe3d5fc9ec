// Our disassembler against objdump -d (-M i8086 / i386 / x86-64): on the bytes of the whole encoder corpus,
// and on pseudo-random byte streams. Random bytes hit x87/SSE/etc. that the table does not cover: those we
// print as (bad) and count as "outside the table"; every instruction we do decode must read like objdump's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { haveBinary, gnuDisassemble } from './gnu-oracle';
import { compareDisassembly, corpusStream, normalise } from './disasm-differential';
import { disassemble } from '../../isa/disassembler';

const skip = !haveBinary('objdump') && !process.env.CI ? 'objdump not installed' : false;

function randomBytes(n: number, seed: number): Uint8Array {
  let s = seed | 0 || 1;
  return Uint8Array.from({ length: n }, () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return s & 0xff;
  });
}

for (const mode of [16, 32, 64] as const) {
  test(`disassembler matches objdump on the corpus in .code${mode}`, { skip }, () => {
    const { bytes, sources } = corpusStream(mode);
    const r = compareDisassembly(bytes, mode, sources);
    console.log(`corpus .code${mode}: ${r.passed} passed, ${r.failed.length} failed`);
    assert.ok(r.passed > 5000);
    assert.deepEqual(r.failed.slice(0, 10), []);
  });

  test(`disassembler matches objdump on random bytes in .code${mode}`, { skip }, () => {
    // 16-bit streams stay under 64 KiB so both sides agree on where IP wraps.
    const bytes = randomBytes(mode === 16 ? 40000 : 60000, 0x5eed + mode);
    const gnu = gnuDisassemble(bytes, mode);
    const ours = new Map(disassemble(bytes, mode).map((l) => [l.address, l]));
    let passed = 0;
    let outside = 0;
    const failed: string[] = [];
    gnu.forEach((g, k) => {
      const o = ours.get(g.offset);
      if (!o) return; // different boundary after a disagreement: resynchronises at the next common start
      const next = k + 1 < gnu.length ? gnu[k + 1].offset : bytes.length;
      const gt = normalise(g.text);
      const ot = normalise(o.text);
      if (ot === gt && (o.length === next - g.offset || gt === '(bad)')) passed++;
      else if (ot === '(bad)' || (ot.endsWith('fwait') && /(^| )f/.test(gt))) outside++;
      else failed.push(`${Array.from(bytes.subarray(g.offset, g.offset + Math.max(o.length, 1)), (x) => x.toString(16).padStart(2, '0')).join(' ')}: ours=${ot} objdump=${gt}`);
    });
    console.log(`random .code${mode}: ${passed} passed, ${failed.length} failed, ${outside} outside the table (x87/SSE…)`);
    // objdump's treatment of stray prefixes has corners we do not copy; keep them below 0.2 %.
    assert.ok(failed.length <= passed * 0.002, failed.slice(0, 15).join('\n'));
  });
}
