import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

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
