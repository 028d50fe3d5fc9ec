// Main-file lines whose text repeats reuse the first expansion (moved to their own line). The result must be
// exactly what expanding every line gives: the seed repeated (as the cpp benchmark does) and every cpp fixture
// are preprocessed with and without the reuse and compared field by field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MemoryFileSystem } from '../../../gas/fs';
import { preprocess, type PreprocessResult } from '../../../gas/cpp/index';
import { tuning } from '../../../gas/cpp/preprocessor';
import { fixtureIncludeFiles } from './oracle';

const seedPath = resolve(__dirname, '../../../../shared/seeds/trampoline_64_bsp.S');
const fixtureDir = join(__dirname, 'fixtures');

function both(files: Record<string, string>, main: string): [PreprocessResult, PreprocessResult] {
  const opts = { includePaths: ['/inc'], defines: { __KERNEL__: '1' }, undefines: [] };
  try {
    tuning.expansionMemo = true;
    const fast = preprocess(new MemoryFileSystem(files), main, opts);
    tuning.expansionMemo = false;
    const plain = preprocess(new MemoryFileSystem(files), main, opts);
    return [fast, plain];
  } finally {
    tuning.expansionMemo = true;
  }
}

const view = (r: PreprocessResult) => ({ lines: r.lines.map((l) => ({ text: l.text, segments: l.segments })), diagnostics: r.diagnostics, macros: [...r.macros], includes: r.includes, macroUses: r.macroUses });

test('reused expansions equal expanding every line: the seed repeated, with __LINE__ and multi-line calls mixed in', (t) => {
  if (!existsSync(seedPath)) {
    if (process.env.CI) assert.fail(`seed missing: ${seedPath}`);
    t.skip('seed missing');
    return;
  }
  const seed = readFileSync(seedPath, 'latin1');
  // Text lines only (no directive), so that the repeats see the same macros and reuse the first expansion.
  const uses = '  .long TWO(1,\n 2)\n  .long __LINE__, TWO(3, 4)\n  .long __COUNTER__\n  movl $__KERNEL_DS, %eax\n  .long TWO\n  (5, 6)\n';
  const text = [seed, '#define TWO(a, b) a + b', uses, seed, uses, seed, uses, '#define __KERNEL_DS 0x77', uses, seed].join('\n');
  const [fast, plain] = both({ '/src/big.S': text }, '/src/big.S');
  assert.deepEqual(view(fast), view(plain));
  assert.ok(fast.lines.some((l) => l.text.includes('0x77')), 'the redefinition is seen by later lines');
});

test('reused expansions equal expanding every line: cpp fixtures', () => {
  const inc = fixtureIncludeFiles(fixtureDir);
  let n = 0;
  for (const f of readdirSync(fixtureDir)) {
    if (!f.endsWith('.S')) continue;
    const text = readFileSync(join(fixtureDir, f), 'latin1');
    // Twice in a row, so that every text line repeats.
    const [fast, plain] = both({ ...inc, [`/src/${f}`]: text + '\n' + text }, `/src/${f}`);
    assert.deepEqual(view(fast), view(plain), f);
    n++;
  }
  assert.ok(n >= 3);
});

test('lines that differ only in names that are not macros share one expansion and still equal expanding each line', () => {
  const header = [
    '#define GLOBAL(name) .globl name ; name:',
    '#define CAT(a, b) a ## b',
    '#define STR(x) #x',
    '#define PAIR(a, b) a, b',
    '#define tail_end 0x99',
    '#define LOAD(r) movl $r, %eax',
    '#define VA(x, ...) x __VA_OPT__(, ) __VA_ARGS__',
  ].join('\n');
  // Each template line is repeated with names of the same length and of other lengths; some names are pasted or
  // stringified (their spelling matters), one pasted name forms a macro (tail ## _end), some look like string
  // prefixes (L"…", u8'…'), some sit in comments and strings, one is a reserved-looking __name.
  const templates = [
    'GLOBAL(NAME)',
    '  GLOBAL(NAME) /* NAME here */ # NAME',
    ' CAT(NAME, _end)',
    ' CAT(tail, _end)',
    ' .ascii STR(NAME)',
    ' .long PAIR(NAME, NAME + 1)',
    ' LOAD(NAME) "NAME"',
    ' VA(NAME)',
    ' VA(NAME, NAME)',
    ' LOAD(NAME"x")',
    ' LOAD(u8) NAME\'q\'',
    ' LOAD(__NAME)',
    ' LOAD(defined)',
  ];
  const names = ['abc', 'xyz', 'tail', 'abcd', 'a', 'L', 'u8', 'NAME'];
  const body: string[] = [];
  for (const n of names) for (const t of templates) body.push(t.replace(/NAME/g, n));
  const text = header + '\n' + body.join('\n') + '\n' + body.reverse().join('\n') + '\n';
  const [fast, plain] = both({ '/src/shapes.S': text }, '/src/shapes.S');
  assert.deepEqual(view(fast), view(plain));
  // The pasted name that forms a macro really expanded (so the case above tests something).
  assert.ok(fast.lines.some((l) => l.text.includes('0x99')));
});
