// Every table form × sample operands × .code16/.code32/.code64, assembled by GNU as 2.40 and by us: the bytes
// must be identical (fixup fields compared by position and size only) and lines GNU rejects must be rejected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { haveBinary } from './gnu-oracle';
import { runDifferential } from './differential';
import { generateCorpus, seedLines } from './corpus';

const hasAs = haveBinary('as');
const skip = !hasAs && !process.env.CI ? 'GNU as not installed' : false;
const seed = seedLines(readFileSync(join(process.cwd(), '../shared/seeds/trampoline_64_bsp.S'), 'utf8'));

for (const mode of [16, 32, 64] as const) {
  test(`encoder matches GNU as in .code${mode}`, { skip }, () => {
    const lines = [...generateCorpus(mode), ...seed[mode]];
    const r = runDifferential(mode, lines);
    const rejected = r.failed.length;
    console.log(`.code${mode}: ${r.passed} passed, ${rejected} failed (of ${r.total} lines, ${seed[mode].length} from the seed); ${r.rejected} rejected by both, ${r.sameMessage} with GNU's exact message; warnings agree on ${r.warningsAgree}/${r.accepted}`);
    // Warnings are advisory, but they should be GNU's on nearly every line.
    assert.ok(r.warningsAgree >= r.accepted * 0.995, 'warnings differ from GNU as too often');
    // Error wording is GNU's on the great majority of rejected lines (the rest are template-order corners).
    assert.ok(r.sameMessage >= r.rejected * 0.9, 'error messages differ from GNU as too often');
    assert.ok(r.total > 5000, 'corpus too small');
    assert.deepEqual(r.failed.slice(0, 20), []);
  });
}
