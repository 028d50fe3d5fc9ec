// Property tests: random and mutated inputs (truncated macros, unbalanced conditionals and comments, stray
// quotes, include loops) never make the preprocessor throw, every diagnostic has a well-formed range inside the
// file it names, and every output segment lies inside its line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { MemoryFileSystem } from '../../../gas/fs';
import { preprocess } from '../../../gas/cpp/index';
import type { PreprocessResult } from '../../../gas/cpp/index';
import { defaultOptions } from './oracle';

const FRAGMENTS = [
  '#define ', '#undef ', '#if ', '#ifdef ', '#ifndef ', '#elif ', '#else', '#endif', '#include "h.h"', '#include <asm/msr.h>',
  '#include ', '#error x', '#warning y', '#pragma once', '#line 3', '#', '# comment', '\n', '\n', '\n', ' ', '\t', '\\\n',
  '(', ')', ',', '...', '##', '#', '"', "'", '/*', '*/', '//', '<', '>', 'defined', '__VA_ARGS__', '__VA_OPT__',
  '__LINE__', '__COUNTER__', 'F', 'G', 'X', 'Y', 'F(', 'G(x)', 'X Y', '0x10', '1', '0', '12abc', "'a'", '"s"',
  'SYM_DATA(', 'SYM_CODE_START(x)', 'movl $X, %eax', '.macro m a', '\\a', '.endm', '$', '@', 'é',
];

const textArb = fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 80 }).map((a) => a.join(''));

const fixtureDir = resolve(__dirname, 'fixtures');
const fixtures = readdirSync(fixtureDir)
  .filter((f) => f.endsWith('.S'))
  .map((f) => readFileSync(join(fixtureDir, f), 'latin1'));

/** A fixture cut, spliced and sprinkled with fragments. */
const mutatedArb = fc
  .tuple(
    fc.constantFrom(...fixtures),
    fc.array(fc.tuple(fc.nat(), fc.nat({ max: 40 }), fc.constantFrom('', ...FRAGMENTS)), { maxLength: 8 }),
    fc.option(fc.nat(), { nil: undefined }),
  )
  .map(([text, edits, cut]) => {
    let s = text;
    for (const [at, del, ins] of edits) {
      const i = at % (s.length + 1);
      s = s.slice(0, i) + ins + s.slice(i + del);
    }
    return cut === undefined ? s : s.slice(0, cut % (s.length + 1));
  });

function checkResult(r: PreprocessResult, files: Record<string, string>): void {
  for (const d of r.diagnostics) {
    const g = d.origin.range;
    assert.ok(typeof d.message === 'string' && d.message.length > 0);
    assert.ok(Number.isInteger(g.line) && Number.isInteger(g.column) && Number.isInteger(g.endLine) && Number.isInteger(g.endColumn), JSON.stringify(g));
    assert.ok(g.line >= 0 && g.column >= 0, JSON.stringify(g));
    assert.ok(g.endLine > g.line || (g.endLine === g.line && g.endColumn >= g.column), JSON.stringify(g));
    const text = files[g.file];
    if (text !== undefined) {
      const lines = text.split(/\r\n|\r|\n/);
      assert.ok(g.endLine < Math.max(1, lines.length), `${d.message} ${JSON.stringify(g)} beyond ${lines.length} lines`);
    }
  }
  for (const l of r.lines) {
    let at = 0;
    for (const s of l.segments) {
      assert.ok(s.start >= at && s.start <= s.end && s.end <= l.text.length, JSON.stringify({ text: l.text, s }));
      at = s.end;
      assert.ok(s.origin.range.line >= 0 && s.origin.range.column >= 0);
    }
  }
}

function run(main: string, header: string): void {
  const files = { '/f/main.S': main, '/f/h.h': header };
  const r = preprocess(new MemoryFileSystem(files), '/f/main.S', defaultOptions({ includePaths: ['/f'] }));
  assert.ok(!r.diagnostics.some((d) => d.code === 'cpp-internal'), r.diagnostics.map((d) => d.message).join('\n'));
  checkResult(r, files);
}

test('random token soup never throws and yields well-formed diagnostics', () => {
  fc.assert(
    fc.property(textArb, textArb, (main, header) => {
      run(main, header);
    }),
    { numRuns: 400, seed: 7 },
  );
});

test('mutated fixtures never throw and yield well-formed diagnostics', () => {
  fc.assert(
    fc.property(mutatedArb, textArb, (main, header) => {
      run(main, header);
    }),
    { numRuns: 150, seed: 11 },
  );
});

test('arbitrary unicode text never throws', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (main) => {
      run(main, ' h_text X\n');
    }),
    { numRuns: 200, seed: 3 },
  );
});
