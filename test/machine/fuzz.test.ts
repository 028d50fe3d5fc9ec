// Random byte streams executed in every mode must never raise a host exception: every outcome is an architectural
// exception, a halt, a triple fault or the instruction limit — never 'internal-error'.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Machine, type StartState } from '../../machine/machine';
import { ExecutorUnderTest as BootExecutor } from './executor-under-test';
import { seededRandom as rng } from '../seeded-random';


const START: ((img: Uint8Array) => StartState)[] = [
  (image) => ({ kind: 'ap', image, load: 0x8000 }),
  (image) => ({ kind: 'long64', image, load: 0x100000 }),
  (image) => ({ kind: 'boot-sector', image }),
];

test('random byte streams in real, 64-bit and (reached by chance) other modes never crash the host', () => {
  const r = rng(0xf00d);
  const kinds = new Map<string, number>();
  for (let run = 0; run < 120; run++) {
    const image = new Uint8Array(4096).map(() => Math.floor(r() * 256));
    const m = new Machine({ memoryMiB: 8, executor: new BootExecutor() });
    m.maxInstructions = 1000;
    m.start(START[run % START.length](image));
    if (run % 6 === 5) {
      // a 32-bit protected flat start too
      const c = m.cpus[0];
      c.cr0 = 0x11;
      c.seg[1].set(8, 0, 0xffffffff, 0xc09b);
      for (const s of [0, 2, 3, 4, 5]) c.seg[s].set(0x10, 0, 0xffffffff, 0xc093);
      c.ripLo = 0x8000;
      c.modeChanged();
    }
    let res = m.run({ sliceInstructions: 5000 });
    while (res.kind === 'slice-end') res = m.run({ sliceInstructions: 5000 });
    assert.notEqual(res.kind, 'internal-error', `run ${run}: ${res.message}`);
    kinds.set(res.kind, (kinds.get(res.kind) ?? 0) + 1);
  }
  assert.ok(kinds.size >= 2, `outcomes: ${[...kinds].join(' ')}`);
});
