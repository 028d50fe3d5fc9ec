// Port-I/O events ("I/O to a port range" in the stop conditions): only ports inside a filter's ranges are
// reported, with direction, size and value; a stop filter stops after the IN/OUT. Real-mode bytes from the
// opcode map (B0 ib = mov imm8 to AL, E6 ib = out AL to imm8 port, E4 ib = in from imm8 port, F4 = hlt).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Machine, X86Executor } from '../../machine/index';
import { describeEvent, type MachineEvent } from '../../machine/events';

const PROGRAM = [0xb0, 0x41, 0xe6, 0xe9, 0xb0, 0x55, 0xe6, 0x80, 0xe4, 0x92, 0xb0, 0x42, 0xe6, 0xe9, 0xf4];

function boot(): Machine {
  const m = new Machine({ memoryMiB: 4, executor: new X86Executor(), output: () => {} });
  m.start({ kind: 'ap', image: new Uint8Array(PROGRAM), load: 0x8000 });
  return m;
}

test('port-I/O trace reports only ports inside the ranges, with direction and value', () => {
  const m = boot();
  const seen: MachineEvent[] = [];
  m.events.trace({ io: [[0x80, 0x92]] }, (e) => seen.push(e));
  const r = m.run({ sliceInstructions: 1000 });
  assert.equal(r.kind, 'all-halted');
  assert.deepEqual(seen.map(describeEvent), ['OUT port 0x80 (1 byte) 0x55', 'IN port 0x92 (1 byte) 0x' + (m.io.read(0x92, 1)).toString(16)]);
});

test('a port-I/O stop filter stops right after the OUT to that port, and not for other ports', () => {
  const m = boot();
  m.events.stopOn({ io: [[0x80, 0x80]] });
  const r = m.run({ sliceInstructions: 1000 });
  assert.equal(r.kind, 'event', r.message);
  const e = r.events?.[0] as MachineEvent | undefined;
  assert.ok(e && e.kind === 'io', `stopped on ${e?.kind}`);
  assert.equal(e.kind === 'io' && e.port, 0x80);
  assert.equal(e.kind === 'io' && e.value, 0x55);
  assert.equal(e.kind === 'io' && e.write, true);
  assert.equal(m.cpus[0].ripLo, 8, 'IP is past the OUT (load 0x8000 → CS 0x800, IP 8)');
  m.events.stopOn(null);
  assert.equal(m.run({ sliceInstructions: 1000 }).kind, 'all-halted');
});
