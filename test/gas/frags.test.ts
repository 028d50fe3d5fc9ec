// Frags of a chain write their bytes one after another into shared blocks (gas/frags.ts): whatever is appended
// to one frag must stay its own, across block boundaries, growth and zero fills.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FragChain } from '../../gas/frags';
import { seededUint32 } from '../seeded-random';

test('random appends, fills and closes: every frag keeps exactly the bytes written to it', () => {
  const next = seededUint32(7);
  const chain = new FragChain('.text', { n: 0, chunk: 0 });
  const expected: number[][] = [[]];
  for (let step = 0; step < 5000; step++) {
    const f = chain.current;
    const mine = expected[expected.length - 1];
    const r = next() % 10;
    if (r < 6) {
      // Mostly instruction-sized runs, sometimes more than a block at once.
      const n = next() % 50 === 0 ? 5000 + (next() % 3000) : 1 + (next() % 15);
      const data = Array.from({ length: n }, () => next() & 0xff);
      f.append(data);
      mine.push(...data);
    } else if (r < 7) {
      const count = 1 + (next() % 40);
      const pattern = next() % 2 ? [0] : [next() & 0xff, next() & 0xff];
      f.appendFill(count, pattern);
      for (let i = 0; i < count; i++) mine.push(...pattern);
    } else {
      chain.closeWith({ kind: 'none' });
      expected.push([]);
    }
  }
  assert.equal(chain.frags.length, expected.length);
  chain.frags.forEach((f, i) => {
    assert.equal(f.size, expected[i].length, `frag ${i} size`);
    assert.deepEqual([...f.fixedBytes()], expected[i], `frag ${i} bytes`);
  });
  // Frags share blocks: most of them are views into a buffer another frag also uses.
  const buffers = new Set(chain.frags.map((f) => f.bytes.buffer));
  assert.ok(buffers.size < chain.frags.length / 10, `${buffers.size} buffers for ${chain.frags.length} frags`);
});
