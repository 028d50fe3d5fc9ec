// encode → decode → encode for every form the corpus exercises, in each mode.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runRoundTrip } from './roundtrip';

for (const mode of [16, 32, 64] as const) {
  test(`encode → decode → encode gives the same bytes in .code${mode}`, () => {
    const r = runRoundTrip(mode);
    console.log(`.code${mode}: ${r.passed} identical, ${r.equivalent} equivalent re-encodings, ${r.failed.length} failed`);
    assert.ok(r.passed > 5000);
    assert.deepEqual(r.failed.slice(0, 10), []);
  });
}
