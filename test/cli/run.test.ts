import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXAMPLES, REPO_ROOT, buildExample, exampleStart } from '../machine/qemu/examples';
import { haveTool, runOnQemu } from '../machine/qemu/qemu-oracle';

// `trampoline run` end to end: our assembler + our machine through the CLI, against GNU as + QEMU.
const cli = join(REPO_ROOT, 'dist', 'cli.js');
// Guest console bytes are compared as bytes (latin1); our own messages on stderr are UTF-8.
function run(args: string[], cwd = REPO_ROOT) {
  const r = spawnSync(process.execPath, [cli, 'run', ...args], { cwd, timeout: 60_000 });
  return { status: r.status, stdout: r.stdout.toString('latin1'), stderr: r.stderr.toString('utf8') };
}

const needOracles = !haveTool('qemu-system-x86_64') || !haveTool('as');
if (needOracles && process.env.CI) throw new Error('qemu-system-x86_64 and GNU as are required in CI');

const compared = ['examples/boot-sector/long-mode-boot.S', 'examples/smp-rom/smp-wakeup.S', 'examples/paging/five-level.S', 'examples/syscall/ring3-syscall.S'];
for (const path of compared) {
  test(`run ${path} prints what QEMU prints and exits with QEMU's status`, { skip: needOracles && 'qemu or as missing' }, async () => {
    const e = EXAMPLES.find((x) => x.path === path);
    assert.ok(e, `${path} is in the example list`);
    const qemu = await runOnQemu(buildExample(e), exampleStart(e));
    assert.equal(qemu.timedOut, false);
    const args = [path, '--start', e.start, '--cpus', String(e.cpus)];
    if (e.load !== undefined) args.push('--load', `0x${e.load.toString(16)}`);
    const ours = run(args);
    assert.equal(ours.stdout, qemu.stdout);
    assert.equal(ours.status, qemu.status, ours.stderr);
  });
}

test('--trace modes reports each switch with the instruction count, CS:IP and source line', () => {
  const r = run(['examples/boot-sector/long-mode-boot.S', '--start', 'boot-sector', '--trace', 'modes']);
  assert.equal(r.status, 33, r.stderr);
  const lines = r.stderr.split('\n').filter(Boolean);
  const toProtected = lines.find((l) => /mode real → protected/.test(l));
  assert.ok(toProtected, r.stderr);
  // The PE write is `movl %eax, %cr0` on line 36 of the example, at 0000:7c25 in the GNU-linked image too.
  assert.match(toProtected, /^\[\s*\d+\] CPU 0 0000:7c[0-9a-f]+ examples\/boot-sector\/long-mode-boot\.S:36: /);
  assert.ok(lines.some((l) => /mode compat\/32 → long\/64/.test(l)));
  assert.ok(lines.some((l) => /CR3 0x0 → 0x1000/.test(l)));
});

test('the instruction limit stops a runaway guest with status 3', () => {
  const dir = mkdtempSync(join(tmpdir(), 'run-'));
  try {
    writeFileSync(join(dir, 'spin.S'), '\t.code16\n1:\tjmp 1b\n\t.org 510\n\t.byte 0x55, 0xaa\n');
    const r = run(['spin.S', '--start', 'boot-sector', '--max-instructions', '5000'], dir);
    assert.equal(r.status, 3);
    assert.match(r.stderr, /instruction-limit/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a triple fault ends with status 2 and the reason on stderr; --json reports the final state', () => {
  const dir = mkdtempSync(join(tmpdir(), 'run-'));
  try {
    // An empty IDT (limit 0) turns the #UD from ud2 into #GP, #DF and then a triple fault.
    writeFileSync(join(dir, 'tf.S'), '\t.code16\n\tlidtl idt\n\tud2\nidt:\t.word 0\n\t.long 0\n\t.org 510\n\t.byte 0x55, 0xaa\n');
    const r = run(['tf.S', '--start', 'boot-sector', '--json'], dir);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /triple-fault/);
    const json = JSON.parse(r.stdout);
    assert.equal(json.stop.kind, 'triple-fault');
    assert.equal(json.cpus.length, 1);
    assert.equal(json.cpus[0].mode, 'real');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad input is an error with a location, not a crash', () => {
  const dir = mkdtempSync(join(tmpdir(), 'run-'));
  try {
    writeFileSync(join(dir, 'bad.S'), '\t.code16\n\tmovl %rax, %ebx\n');
    const r = run(['bad.S', '--start', 'boot-sector'], dir);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /bad\.S:2:\d+: error: /);
    const mode = run(['bad.S', '--start', 'sideways'], dir);
    assert.equal(mode.status, 1);
    assert.match(mode.stderr, /unknown start mode "sideways"/);
    const missing = run(['nothere.S'], dir);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /no such file/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('npm run demo climbs the example trampoline to 64-bit mode', () => {
  const r = spawnSync(process.execPath, [cli, 'demo'], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /trampoline: 64-bit mode reached/);
  assert.match(r.stdout, /mode real → protected/);
  assert.match(r.stdout, /mode compat\/32 → long\/64/);
});
