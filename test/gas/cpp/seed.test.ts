// The seed trampoline (../shared/seeds/trampoline_64_bsp.S, real kernel code) must preprocess with the built-in
// kernel headers and zero diagnostics, and its output must equal gcc -E run with those same headers on the
// include path; its lines must stay where they were so GAS messages point at the right source line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { preprocess, preprocessedText } from '../../../gas/cpp/index';
import type { PreprocessResult } from '../../../gas/cpp/index';
import { builtinHeaderDir, defaultOptions, diskFs, gccPreprocess, normalize, requireGcc } from './oracle';

const SEED = resolve(__dirname, '../../../../shared/seeds/trampoline_64_bsp.S');

function seedOrSkip(t: import('node:test').TestContext): boolean {
  if (existsSync(SEED)) return true;
  if (process.env.CI) assert.fail(`seed missing: ${SEED}`);
  t.skip('seed file not present');
  return false;
}

let cached: PreprocessResult | undefined;
const run = (): PreprocessResult => (cached ??= preprocess(diskFs, SEED, defaultOptions()));

test('the seed preprocesses with zero diagnostics using the built-in headers', (t) => {
  if (!seedOrSkip(t)) return;
  const r = run();
  assert.deepEqual(r.diagnostics.map((d) => `${d.origin.range.line + 1}: ${d.message}`), []);
  assert.ok(r.includes.every((i) => i.resolved?.startsWith('<builtin>/')));
});

test('the seed opens the same headers, in the same order, as gcc -H', (t) => {
  if (!seedOrSkip(t) || !requireGcc(t)) return;
  const dir = builtinHeaderDir();
  const g = gccPreprocess(SEED, [dir], ['-H']);
  assert.equal(g.status, 0, g.stderr);
  const gccHeaders = g.stderr
    .split('\n')
    .map((l) => /^\.+ (.*)$/.exec(l)?.[1])
    .filter((p): p is string => p !== undefined && p.startsWith(dir))
    .map((p) => '<builtin>' + p.slice(dir.length));
  const ours = [...new Set(run().includes.map((i) => i.resolved!))];
  assert.deepEqual(ours, [...new Set(gccHeaders)]);
});

test('the seed output equals gcc -E with the built-in headers on its include path', (t) => {
  if (!seedOrSkip(t) || !requireGcc(t)) return;
  const g = gccPreprocess(SEED, [builtinHeaderDir()]);
  assert.equal(g.status, 0, g.stderr);
  assert.deepEqual(normalize(preprocessedText(run())), normalize(g.stdout));
});

test('every seed line keeps its place: output line N comes from source line N', (t) => {
  if (!seedOrSkip(t)) return;
  const r = run();
  const source = readFileSync(SEED, 'latin1').split('\n');
  if (source[source.length - 1] === '') source.pop();
  assert.equal(r.lines.length, source.length);
  r.lines.forEach((l, i) => {
    for (const s of l.segments) {
      assert.equal(s.origin.range.file, SEED, `line ${i + 1}`);
      assert.equal(s.origin.range.line, i, `line ${i + 1}: ${l.text}`);
    }
  });
  // Text that needed no expansion is copied verbatim.
  const cli = source.findIndex((s) => s.includes('cli # We should be safe anyway'));
  assert.equal(r.lines[cli].text, source[cli]);
});

test('seed macro uses are recorded at their source positions', (t) => {
  if (!seedOrSkip(t)) return;
  const r = run();
  const source = readFileSync(SEED, 'latin1').split('\n');
  const uses = r.macroUses.filter((u) => u.range.file === SEED);
  for (const name of ['PAGE_SIZE', 'SYM_CODE_START', 'X86_CR0_PE', '__KERNEL_DS', 'MSR_EFER', '_EFER_LME', 'SYM_DATA', '__KERNEL32_CS']) {
    const u = uses.find((x) => x.name === name);
    assert.ok(u, name);
    assert.equal(source[u.range.line].slice(u.range.column, u.range.endColumn), name);
  }
  const symData = uses.filter((u) => u.name === 'SYM_DATA');
  assert.equal(symData.length, source.filter((l) => l.startsWith('SYM_DATA(')).length);
});
