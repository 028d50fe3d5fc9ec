// Our disassembler against objdump -d (-M i8086 / i386 / x86-64): on the bytes of the whole encoder corpus,
// and on pseudo-random byte streams (five 60 000-byte streams per mode, over 100 000 compared instructions
// each). Random bytes also hit x87/MMX/SSE/VEX opcodes, which the table leaves out: a line counts as outside
// only when its opcode bytes belong to those families (test/isa/disassembler-families.ts), never because we
// print (bad). Everything else must read exactly like objdump's, with the same length.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { haveBinary } from './gnu-oracle';
import { compareDisassembly, corpusStream } from './disasm-differential';
import { compareRandomStream, randomStream, type RandomStreamResult } from './disassembler-random';

const skip = !haveBinary('objdump') && !process.env.CI ? 'objdump not installed' : false;
const SEEDS = 5;

for (const mode of [16, 32, 64] as const) {
  test(`disassembler matches objdump on the corpus in .code${mode}`, { skip }, () => {
    const { bytes, sources } = corpusStream(mode);
    const r = compareDisassembly(bytes, mode, sources);
    console.log(`corpus .code${mode}: ${r.passed} passed, ${r.failed.length} failed`);
    assert.ok(r.passed > 5000);
    assert.deepEqual(r.failed.slice(0, 10), []);
  });

  test(`disassembler matches objdump on random bytes in .code${mode}`, { skip }, () => {
    let r: RandomStreamResult | undefined;
    for (let seed = 0; seed < SEEDS; seed++) r = compareRandomStream(randomStream(mode, seed), mode, r);
    const { passed, failed, outside, resynchronising } = r!;
    const families = Object.entries(outside).map(([f, n]) => `${n} ${f}`).join(', ');
    console.log(`random .code${mode}: ${passed} passed, ${failed.length} failed; outside the table: ${families}; ${resynchronising} lines while the boundaries resynchronise after those`);
    assert.ok(passed >= 100000, `only ${passed} instructions compared`);
    assert.deepEqual(failed.slice(0, 15), []);
  });
}
