import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Packages for real with vsce (as `npm run package` does) and inspects the archive's entries.
test('the .vsix holds the four bundles, grammar, icon and README, and nothing from node_modules or test/', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vsix-'));
  try {
    const out = join(dir, 'x.vsix');
    const r = spawnSync('node_modules/.bin/vsce', ['package', '--no-dependencies', '--out', out], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr + r.stdout);
    // vsce prints its own warnings as ' WARNING  …' lines (npm's 'npm warn' config notes are not vsce's).
    assert.doesNotMatch(r.stdout + r.stderr, /^\s*WARNING\b/m, 'vsce must package without warnings');
    const list = spawnSync('unzip', ['-Z1', out], { encoding: 'utf8' });
    assert.equal(list.status, 0, list.stderr);
    const entries = list.stdout.split('\n').filter(Boolean);
    for (const f of ['dist/extension.js', 'dist/server.js', 'dist/debugAdapter.js', 'dist/cli.js',
      'syntaxes/gas-x86.tmLanguage.json', 'syntaxes/language-configuration.json', 'icon.png', 'readme.md', 'package.json']) {
      assert.ok(entries.some((e) => e.toLowerCase() === `extension/${f.toLowerCase()}`), `missing ${f} in ${entries.join(', ')}`);
    }
    assert.ok(!entries.some((e) => e.includes('node_modules/')), 'node_modules leaked into the .vsix');
    assert.ok(!entries.some((e) => e.startsWith('extension/test/')), 'tests leaked into the .vsix');
    assert.ok(!entries.some((e) => e.endsWith('.ts')), 'TypeScript sources leaked into the .vsix');
    assert.ok(statSync(out).size < 5 * 1024 * 1024, 'the .vsix should stay small');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
