// Every example in examples.ts assembled with GNU and run twice on QEMU: the exit status must match the list,
// the console output must contain the listed lines and be identical across runs (the machine is later compared
// with this output, so it has to be deterministic).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { EXAMPLES, REPO_ROOT, SEEDS_DIR, SEED_RUNS, buildExample, exampleStart, qemuExamples, type ExampleFixture } from './examples';
import { QEMU, assembleWithGnu, haveTool, qemuArguments, runOnQemu, wrapForQemu } from './qemu-oracle';

const missing = [QEMU, 'gcc', 'as', 'ld', 'objcopy', 'nm'].filter((t) => !haveTool(t));
const skip = missing.length > 0 && !process.env.CI ? `missing ${missing.join(', ')}` : false;
const seedsMissing = !existsSync(SEEDS_DIR);
const skipSeeds = skip || (seedsMissing && !process.env.CI ? `no seeds at ${SEEDS_DIR}` : false);

test('the oracle tools are installed', { skip }, () => {
  assert.deepEqual(missing, [], `missing ${missing.join(', ')} (required when CI is set)`);
});

test('every listed example exists and says how it ends', () => {
  for (const e of [...EXAMPLES, ...SEED_RUNS]) {
    assert.ok(existsSync(join(REPO_ROOT, e.path)), e.path);
    if (e.start === 'ap' || e.start === 'long64') assert.equal(typeof e.load, 'number', `${e.path}: load address`);
    if (e.qemu) {
      assert.equal(typeof e.status, 'number', `${e.path}: expected status`);
      assert.equal((e.status! & 1), 1, `${e.path}: isa-debug-exit statuses are odd`);
    } else {
      assert.ok(e.notOnQemu, `${e.path}: say why it is not run on QEMU`);
    }
  }
});

test('every program under examples/ is in the list', () => {
  const sources = (dir: string): string[] =>
    readdirSync(dir).flatMap((n) => {
      const p = join(dir, n);
      return statSync(p).isDirectory() ? sources(p) : n.endsWith('.S') ? [relative(REPO_ROOT, p)] : [];
    });
  const listed = new Set(EXAMPLES.map((e) => e.path));
  assert.deepEqual(sources(join(REPO_ROOT, 'examples')).filter((p) => !listed.has(p)), []);
});

test('the QEMU command lines are the ones REFERENCE.md gives', () => {
  assert.equal(
    [QEMU, ...qemuArguments('ROM', { start: 'reset', cpus: 4 })].join(' '),
    'qemu-system-x86_64 -display none -nodefaults -accel tcg -cpu max -m 256 -bios ROM ' +
      '-device isa-debug-exit,iobase=0xf4,iosize=1 -debugcon stdio -no-reboot -smp 4',
  );
  assert.equal(
    [QEMU, ...qemuArguments('IMG', { start: 'boot-sector' })].join(' '),
    'qemu-system-x86_64 -display none -nodefaults -accel tcg -cpu max -m 256 -drive format=raw,file=IMG,if=ide ' +
      '-device isa-debug-exit,iobase=0xf4,iosize=1 -debugcon stdio -no-reboot',
  );
});

async function checkOnQemu(e: ExampleFixture): Promise<void> {
  const image = buildExample(e);
  const options = { ...exampleStart(e), timeoutMs: 15_000 };
  const [first, second] = await Promise.all([runOnQemu(image, options), runOnQemu(image, options)]);
  for (const run of [first, second]) {
    assert.equal(run.timedOut, false, `${e.path} did not finish; output so far:\n${run.stdout}`);
    assert.equal(run.status, e.status, `${e.path} ended with ${run.status}; output:\n${run.stdout}${run.stderr}`);
  }
  assert.notEqual(first.stdout, '', 'no console output');
  assert.equal(second.stdout, first.stdout, 'the two runs printed different output');
  for (const line of e.mustPrint) assert.ok(first.stdout.includes(line), `missing ${JSON.stringify(line)} in:\n${first.stdout}`);
}

for (const e of qemuExamples()) {
  test(`${e.path} (start ${e.start}) on QEMU: status ${e.status}, deterministic output`, { skip, timeout: 30_000 }, () => checkOnQemu(e));
}

for (const e of SEED_RUNS) {
  test(`${e.path} (start ${e.start}) on QEMU: status ${e.status}, deterministic output`, { skip: skipSeeds, timeout: 30_000 }, async () => {
    assert.ok(!seedsMissing, `the seeds are missing at ${SEEDS_DIR} (required when CI is set)`);
    await checkOnQemu(e);
  });
}

test('the harness reports a triple fault as status 0 and kills a guest that never exits', { skip, timeout: 30_000 }, async () => {
  // A 64 KiB ROM whose reset vector is `lidt` of an empty IDT then `int3` (triple fault), or `jmp .` (spins).
  const rom = (vector: number[]) => {
    const b = Buffer.alloc(0x10000, 0xf4); // HLT everywhere else
    Buffer.from(vector).copy(b, 0xfff0);
    return b;
  };
  // lidt cs:[0xfff8] (limit 0 at 0xfff8) ; int3 — every delivery fails, so #GP -> #DF -> triple fault
  const tripleFault = rom([0x2e, 0x0f, 0x01, 0x1e, 0xf8, 0xff, 0xcc, 0xf4, 0, 0, 0, 0, 0, 0]);
  const spin = rom([0xeb, 0xfe]);
  const [faulted, spun] = await Promise.all([
    runOnQemu(tripleFault, { start: 'reset', timeoutMs: 10_000 }),
    runOnQemu(spin, { start: 'reset', timeoutMs: 1_500 }),
  ]);
  assert.equal(faulted.timedOut, false);
  assert.equal(faulted.status, 0);
  assert.equal(spun.timedOut, true);
  assert.equal(spun.status, null);
});

test('the ap and long64 wrappers refuse what the machine would refuse', () => {
  assert.throws(() => wrapForQemu(Buffer.alloc(16), { start: 'ap', load: 0x8100 }), /4 KiB aligned/);
  assert.throws(() => wrapForQemu(Buffer.alloc(16), { start: 'ap', load: 0x100000 }), /below 1 MiB/);
  assert.throws(() => wrapForQemu(Buffer.alloc(16), { start: 'long64' }), /needs a load address/);
});

test('assembly errors name the tool and carry its message', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'qemu-oracle-test-'));
  try {
    const bad = join(dir, 'bad.S');
    writeFileSync(bad, '        .code64\n        frobnicate %rax\n');
    assert.throws(() => assembleWithGnu(bad), /assembling .*bad\.S: as failed[\s\S]*no such instruction: `frobnicate %rax'/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a malformed image is refused with the reason', async () => {
  await assert.rejects(runOnQemu(Buffer.alloc(100), { start: 'reset' }), /multiple of 64 KiB/);
  await assert.rejects(runOnQemu(Buffer.alloc(512), { start: 'boot-sector' }), /0x55 0xAA/);
  const ragged = Buffer.alloc(700);
  ragged[510] = 0x55;
  ragged[511] = 0xaa;
  await assert.rejects(runOnQemu(ragged, { start: 'boot-sector' }), /whole 512-byte sectors/);
});
