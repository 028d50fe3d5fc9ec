// Random operands (random-operands.ts) × .code16/.code32/.code64 against GNU as 2.40: bytes identical (fixup
// fields by position and size), lines GNU rejects rejected. Fixed seeds, so a failure names its line; other
// seeds: `npx tsx test/isa/random-operands.ts SEED`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { haveBinary } from './gnu-oracle';
import { runRandomDifferential } from './random-operands';

const skip = !haveBinary('as') && !process.env.CI ? 'GNU as not installed' : false;
const SEEDS = [1, 2, 3];
const LINES = 4000;

for (const mode of [16, 32, 64] as const) {
  test(`random operands encode like GNU as in .code${mode}`, { skip }, () => {
    let passed = 0, total = 0, rejected = 0, sameMessage = 0, accepted = 0, warningsAgree = 0;
    const failed: string[] = [];
    for (const seed of SEEDS) {
      const r = runRandomDifferential(seed, mode, LINES);
      passed += r.passed; total += r.total; rejected += r.rejected; sameMessage += r.sameMessage;
      accepted += r.accepted; warningsAgree += r.warningsAgree;
      failed.push(...r.failed.map((f) => `seed ${seed}: ${f.line}  ours=${f.ours}  gnu=${f.gnu}`));
    }
    console.log(`.code${mode} random: ${passed} passed, ${failed.length} failed (of ${total} lines, seeds ${SEEDS.join(', ')}); ${rejected} rejected by both, ${sameMessage} with GNU's exact message; warnings agree on ${warningsAgree}/${accepted}`);
    assert.ok(total >= SEEDS.length * LINES * 0.95, 'too few distinct lines generated');
    assert.ok(warningsAgree >= accepted * 0.995, 'warnings differ from GNU as too often');
    assert.deepEqual(failed.slice(0, 20), []);
  });
}
