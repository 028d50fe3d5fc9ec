// Differential test against the real toolchain: every .S file in fixtures/ goes through
// `gcc -E -P -x assembler-with-cpp -D__ASSEMBLY__` (with the built-in headers written out on its include path)
// and through ours; the outputs must agree line by line, neither may report an error, and GNU as must accept
// our output (so the built-in headers expand to valid assembly). A second part generates #if expressions at
// random and checks that ours takes the same branches as gcc, one gcc run for hundreds of expressions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { preprocess, preprocessedText } from '../../../gas/cpp/index';
import { builtinHeaderDir, defaultOptions, diskFs, gccPreprocess, normalize, requireGcc, withFiles } from './oracle';

const FIXTURES = resolve(__dirname, 'fixtures');
const INCLUDES = [join(FIXTURES, 'include'), join(FIXTURES, 'include2')];
const corpus = readdirSync(FIXTURES).filter((f) => f.endsWith('.S')).sort();

test('the fixture corpus is there', () => {
  assert.ok(corpus.length >= 4, corpus.join(', '));
});

for (const name of corpus) {
  test(`fixture ${name}: ours equals gcc -E and GNU as accepts it`, (t) => {
    if (!requireGcc(t)) return;
    const path = join(FIXTURES, name);
    const g = gccPreprocess(path, [...INCLUDES, builtinHeaderDir()]);
    assert.equal(g.status, 0, g.stderr);
    const r = preprocess(diskFs, path, defaultOptions({ includePaths: INCLUDES }));
    assert.deepEqual(
      r.diagnostics.map((d) => `${d.origin.range.file}:${d.origin.range.line + 1}: ${d.severity}: ${d.message}`),
      [],
    );
    const text = preprocessedText(r);
    assert.deepEqual(normalize(text), normalize(g.stdout));
    const dir = mkdtempSync(join(tmpdir(), 'cpp-as-'));
    try {
      writeFileSync(join(dir, 'x.s'), text + '\n');
      const a = spawnSync('as', ['--64', '-o', join(dir, 'x.o'), join(dir, 'x.s')], { encoding: 'utf8' });
      if (a.error && !process.env.CI) {
        t.diagnostic('as not available: skipped the assembler check');
        return;
      }
      assert.equal(a.status, 0, a.stderr);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

// ---- #if expressions generated at random ----

const ATOMS = ['0', '1', '2', '7', '-1', '0x10', '010', '0b11', '255u', '0xffffffffffffffff', "'a'", 'ZERO', 'TWO', 'UNDEF', 'defined(TWO)', 'defined UNDEF', '(TWO)'];
const UNARY = ['-', '~', '!', '+'];
const BINARY = ['*', '/', '%', '+', '-', '<<', '>>', '<', '>', '<=', '>=', '==', '!=', '&', '^', '|', '&&', '||'];

const exprArb: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...ATOMS),
    fc.tuple(fc.constantFrom(...UNARY), tie('e')).map(([op, a]) => `${op}(${a})`),
    fc.tuple(tie('e'), fc.constantFrom(...BINARY), tie('e')).map(([a, op, b]) => `(${a} ${op} ${b})`),
    fc.tuple(tie('e'), tie('e'), tie('e')).map(([a, b, c]) => `(${a} ? ${b} : ${c})`),
  ),
})).e;

test('random #if expressions take the same branch as in gcc', (t) => {
  if (!requireGcc(t)) return;
  // Shifts by negative or huge amounts and signed overflow are undefined or warned about differently;
  // keep to expressions gcc evaluates without complaint, then compare every branch.
  const exprs = fc.sample(exprArb, { numRuns: 600, seed: 20240108 });
  let src = '#define ZERO 0\n#define TWO 2\n';
  exprs.forEach((e, i) => {
    src += `#if ${e}\n T${i}\n#else\n F${i}\n#endif\n`;
  });
  withFiles({ 'e.S': src }, (dir) => {
    const g = gccPreprocess(join(dir, 'e.S'), [], ['-w']);
    const ours = preprocess(diskFs, join(dir, 'e.S'), defaultOptions());
    const gccOut = normalize(g.stdout);
    const ourOut = normalize(preprocessedText(ours));
    // gcc stops evaluating a #if after an error (division by zero) and takes the #else branch, as we do.
    assert.equal(ourOut.length, exprs.length);
    assert.deepEqual(ourOut, gccOut);
    const gccErrors = (g.stderr.match(/error:/g) ?? []).length;
    const ourErrors = ours.diagnostics.filter((d) => d.severity === 'error').length;
    assert.equal(ourErrors, gccErrors, g.stderr.split('\n').filter((l) => l.includes('error:')).slice(0, 5).join('\n'));
  });
});
