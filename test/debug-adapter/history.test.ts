// Reverse-execution history against a machine that simply ran forward: after any mix of run slices and single
// steps, replaying to position P gives exactly the state of a fresh machine that executed P instructions
// (one CPU), also after old checkpoints and ops were pruned.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Machine, X86Executor } from '../../machine/index';
import { History } from '../../debug-adapter/runtime/history';
import { seededUint32 } from '../seeded-random';

// 16-bit: a loop that keeps changing registers and memory (counter, running sum, a store per iteration).
const CODE = new Uint8Array([
  0x31, 0xc0, //       xor %ax,%ax
  0x31, 0xdb, //       xor %bx,%bx
  0x40, //       1:   inc %ax
  0x01, 0xc3, //       add %ax,%bx
  0x89, 0x1e, 0x00, 0x90, // mov %bx,0x9000
  0xeb, 0xf8, //       jmp 1b
]);

function fresh(): Machine {
  const m = new Machine({ executor: new X86Executor() });
  m.start({ kind: 'ap', image: CODE, load: 0x8000 });
  return m;
}

function state(m: Machine): string {
  const c = m.cpus[0];
  return JSON.stringify([c.gprLo[0], c.gprLo[3], c.ripLo, c.getEflags(), m.memory.read16(0x9000), m.totalInstructions]);
}

test('replay to any position equals a machine that ran there directly, across pruning', () => {
  const m = fresh();
  const h = new History(m, { historyUnits: 3000, checkpointEvery: 256, pruneOpsAbove: 8 });
  h.reset();
  const next = seededUint32(7);
  const rand = (n: number): number => next() % n;
  while (h.position < 20_000) {
    h.checkpoint();
    if (rand(3) === 0) {
      m.step(0);
      h.recordStep(0);
    } else {
      const before = m.totalInstructions;
      m.run({ sliceInstructions: 1 + rand(300) });
      h.recordRun(m.totalInstructions - before);
    }
  }
  const end = h.position;
  assert.ok(h.oldest > 0, 'old checkpoints were pruned');
  assert.ok(h.ops.length < 20_000 / 2, 'old ops were pruned');
  for (const target of [end, end - 1, end - 777, end - 2999, h.oldest, h.oldest + 1]) {
    h.replay(target);
    const ref = fresh();
    ref.run({ sliceInstructions: target });
    assert.equal(state(m), state(ref), `position ${target}`);
  }
  assert.throws(() => h.replay(h.oldest - 1), /before the recorded history/);
});
