// The example programs (and the seeds' trampoline wrapper) built with GNU as/ld and run on our Machine with the
// X86Executor and on qemu-system-x86_64: the console output (port 0xE9) and the exit status must be identical.
// Examples that do not match yet are listed as todo with the reason, never skipped silently.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Machine, type StartState } from '../../../machine/machine';
import { X86Executor } from '../../../machine/exec';
import { EXAMPLES, SEED_RUNS, buildExample, exampleStart, type ExampleFixture } from '../qemu/examples';
import { QEMU, haveTool, runOnQemu, type QemuRunOptions } from '../qemu/qemu-oracle';

const missing = [QEMU, 'gcc', 'as', 'ld', 'objcopy', 'nm'].filter((t) => !haveTool(t));
if (missing.length > 0 && process.env.CI) throw new Error(`oracle tools missing: ${missing.join(', ')}`);
const skip = missing.length > 0 ? `missing ${missing.join(', ')}` : false;

/** Examples whose output differs from QEMU today, and why. */
const KNOWN_GAPS: Record<string, string> = {
};

/** Runs the image on our machine as the example's start mode says; returns console text and QEMU-style status. */
function runOnMachine(e: ExampleFixture, image: Uint8Array, start: QemuRunOptions): { stdout: string; status: number | null; why: string } {
  let stdout = '';
  const m = new Machine({ memoryMiB: 256, cpus: e.cpus, executor: new X86Executor({ cpuCount: e.cpus }), output: (b) => (stdout += String.fromCharCode(b)) });
  let s: StartState;
  if (e.start === 'reset') s = { kind: 'reset', rom: image };
  else if (e.start === 'boot-sector') s = { kind: 'boot-sector', image };
  else if (e.start === 'ap') s = { kind: 'ap', image, load: start.load! };
  else s = { kind: 'long64', image, load: start.load!, entry: start.entry, stack: start.stack };
  m.start(s);
  m.maxInstructions = 200_000_000;
  for (;;) {
    const r = m.run({ sliceInstructions: 5_000_000 });
    if (r.kind === 'slice-end') continue;
    // QEMU -no-reboot: isa-debug-exit gives (V << 1) | 1; a triple fault or reset ends with 0.
    const status = r.kind === 'exit-port' ? r.exitStatus ?? null : r.kind === 'triple-fault' || r.kind === 'reset' ? 0 : null;
    return { stdout, status, why: `${r.kind}: ${r.message}` };
  }
}

for (const e of [...EXAMPLES, ...SEED_RUNS]) {
  if (!e.qemu) continue;
  const gap = KNOWN_GAPS[e.path];
  const name = `${e.path} (${e.start}, ${e.cpus} CPU${e.cpus > 1 ? 's' : ''}) prints and exits like QEMU`;
  if (gap) {
    test.todo(`${name}: ${gap}`);
    continue;
  }
  test(name, { skip, timeout: 120_000 }, async () => {
    const image = buildExample(e);
    const start = exampleStart(e);
    const [qemu, ours] = [await runOnQemu(image, start), runOnMachine(e, image, start)];
    assert.equal(qemu.timedOut, false, 'QEMU timed out');
    assert.equal(ours.stdout, qemu.stdout, `console output differs (ours stopped with ${ours.why})`);
    assert.equal(ours.status, qemu.status, `exit status differs (ours stopped with ${ours.why})`);
  });
}
