import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_NODE_OPTIONS } from '../../scripts/cli-node-options.mjs';

// Runs the bundled CLI as users do (npm test builds dist/ first).
function cli(...args: string[]) {
  return spawnSync(process.execPath, ['dist/cli.js', ...args], { encoding: 'utf8' });
}

test('--version prints the package version', () => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
  const r = cli('--version');
  assert.equal(r.status, 0);
  assert.equal(r.stdout.trim(), pkg.version);
});

test('dist/cli.js starts node with the CLI\'s V8 options from its #! line, and runs from it', () => {
  const first = readFileSync('dist/cli.js', 'utf8').split('\n', 1)[0];
  assert.equal(first, `#!/usr/bin/env -S node ${CLI_NODE_OPTIONS.join(' ')}`);
  // Linux kernels before 5.1 read at most 127 bytes of a #! line: longer options would be cut off there.
  assert.ok(Buffer.byteLength(first) <= 127, `#! line is ${Buffer.byteLength(first)} bytes`);
  // As npm installs it: executable, started by the kernel through `env` (node found on PATH).
  const dir = mkdtempSync(join(tmpdir(), 'cli-shebang-'));
  try {
    const copy = join(dir, 'trampoline');
    copyFileSync('dist/cli.js', copy);
    chmodSync(copy, 0o755);
    const path = `${join(process.execPath, '..')}:${process.env.PATH ?? ''}`;
    const r = spawnSync(copy, ['--version'], { encoding: 'utf8', env: { ...process.env, PATH: path } });
    assert.equal(r.status, 0, r.stderr || r.error?.message);
    assert.equal(r.stdout.trim(), JSON.parse(readFileSync('package.json', 'utf8')).version);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--help lists the asm and run sub-commands with their flags', () => {
  const r = cli('--help');
  assert.equal(r.status, 0);
  assert.match(r.stdout, /trampoline asm FILE\.S/);
  assert.match(r.stdout, /trampoline run IMAGE\|FILE\.S/);
  assert.match(r.stdout, /--start reset\|boot-sector\|ap\|long64/);
});

test('an unknown command is an error with exit status 2', () => {
  const r = cli('frobnicate');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown command 'frobnicate'/);
});
