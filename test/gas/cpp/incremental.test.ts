// Incremental preprocessing (one session per edited file) must give exactly what a fresh full run gives: random
// edits (typing, deleting, new lines, directives, multi-line macro calls, __LINE__, __COUNTER__, _Pragma) are
// applied to the seed, the cpp fixtures and a generated macro-heavy file, and after every edit the session's
// result is compared field by field with `preprocess` on the same text. The truth is the full run, which the
// other cpp tests check against gcc -E.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MemoryFileSystem } from '../../../gas/fs';
import { IncrementalPreprocessor, preprocess, type PreprocessOptions, type PreprocessResult } from '../../../gas/cpp/index';
import { lexFile, lineTokens, relexFile, type LexedFile } from '../../../gas/cpp/lexer';
import { seededRandom } from '../../seeded-random';
import { fixtureIncludeFiles } from './oracle';

const repo = resolve(__dirname, '../../..');
const seedPath = resolve(repo, '../shared/seeds/trampoline_64_bsp.S');
const fixtureDir = join(__dirname, 'fixtures');

const HEADER = `#ifndef LOCAL_H
#define LOCAL_H
#define BASE 0x1000
#define ADD(a, b) ((a) + (b))
#define WHERE __LINE__
#define CAT(a, b) a ## b
#endif
`;

/** A file with the constructs whose state crosses lines: includes, defines, conditionals, multi-line calls. */
function generated(blocks: number): string {
  const out = ['#include "local.h"', '#include <asm/segment.h>', '#define LOCAL(n) local_ ## n', ''];
  // A long run of definitions with code between them (snapshots of the macro table are spaced out there).
  for (let d = 0; d < 120; d++) out.push(`#define D${d} (${d} + BASE)`, ...(d % 5 === 4 ? [`    .long D${d}, D${d - 3}`] : []));
  for (let b = 0; b < blocks; b++) {
    out.push(
      `LOCAL(${b}):`,
      `    movl $ADD(BASE, ${b}), %eax`,
      '    movl $__KERNEL_DS, %ecx',
      b % 7 === 0 ? `#if ${b % 2}` : '    nop',
      '    .long ADD(1,',
      '              2)',
      b % 7 === 0 ? '#else' : '    pause',
      '    jmp 1f /* a comment',
      '    running on */ ; 1:',
      b % 7 === 0 ? '#endif' : '    hlt',
      b % 11 === 0 ? '    .long __COUNTER__' : '    .long 0',
    );
  }
  return out.join('\n') + '\n';
}

const SNIPPETS = [
  ' ',
  'x',
  '\n',
  '\n\n',
  '    nop\n',
  'ADD(3, 4)',
  'ADD(3,\n 4)',
  'BASE',
  '__LINE__',
  '__COUNTER__',
  '#define BASE 0x2000\n',
  '#undef ADD\n',
  '#if 0\n',
  '#endif\n',
  '/* c */',
  '/*',
  '*/',
  '\\\n',
  '_Pragma("push_macro(\\"BASE\\")")',
  '# not a directive\n',
  'WHERE',
  'LOCAL(',
  ')',
  '"',
];

function edit(text: string, rnd: () => number): string {
  const kind = rnd();
  const at = Math.floor(rnd() * (text.length + 1));
  if (kind < 0.3) return text.slice(0, at) + text.slice(at + 1 + Math.floor(rnd() * 3));
  if (kind < 0.45) {
    // Delete or duplicate a whole line.
    const start = text.lastIndexOf('\n', at - 1) + 1;
    const end = text.indexOf('\n', at);
    const stop = end < 0 ? text.length : end + 1;
    return rnd() < 0.5 ? text.slice(0, start) + text.slice(stop) : text.slice(0, stop) + text.slice(start, stop) + text.slice(stop);
  }
  const s = SNIPPETS[Math.floor(rnd() * SNIPPETS.length)];
  return text.slice(0, at) + s + text.slice(at);
}

/** Everything a result says, in a form deepEqual compares exactly (maps in insertion order). */
function view(r: PreprocessResult): unknown {
  return {
    // Lines as the contract defines them (text and segments), whichever compact form holds them.
    lines: r.lines.map((l) => ({ text: l.text, segments: l.segments })),
    diagnostics: r.diagnostics,
    macros: [...r.macros.entries()],
    includes: r.includes,
    macroUses: r.macroUses,
  };
}

/** A lexed file as data: every logical line with its tokens. */
function lexView(f: LexedFile): unknown {
  return {
    physicalLines: f.physicalLines,
    problems: f.problems,
    starts: f.starts ? [...f.starts] : undefined,
    lines: f.lines.map((L) => ({ first: L.first, last: L.last, text: L.text, verbatim: L.verbatim, hash: L.hash, blank: L.blank, pieces: L.pieces, tokens: lineTokens(f, L) })),
  };
}

interface Counts {
  resumed: number;
  tail: number;
  full: number;
  relexed: number;
  same: number;
}

function run(name: string, files: Record<string, string>, main: string, steps: number, seed: number, counts: Counts, options: Partial<PreprocessOptions> = {}): void {
  const opts: PreprocessOptions = { includePaths: ['/inc'], defines: {}, undefines: [], ...options };
  const fs = new MemoryFileSystem(files);
  const session = new IncrementalPreprocessor();
  const rnd = seededRandom(seed);
  let text = files[main];
  let lexed = lexFile(main, text);
  let previous: unknown;
  for (let step = 0; step <= steps; step++) {
    if (step > 0) {
      text = edit(text, rnd);
      // Now and then several edits land between two analyses, or an included file changes.
      if (rnd() < 0.15) text = edit(text, rnd);
      if (rnd() < 0.03 && files['/inc/local.h']) fs.set('/inc/local.h', files['/inc/local.h'].replace('0x1000', `0x${step}`));
    }
    fs.set(main, text);
    // Re-lexing only the changed lines gives what lexing everything gives.
    const relexed = relexFile(lexed, text);
    const fresh = lexFile(main, text);
    if (relexed) {
      counts.relexed++;
      assert.deepEqual(lexView(relexed), lexView(fresh), `${name}, seed ${seed}, step ${step}: relexFile`);
    }
    lexed = fresh;
    const inc = session.preprocess(fs, main, opts);
    const full = preprocess(fs, main, opts);
    const st = session.stats!;
    if (st.mode === 'resumed') counts.resumed++;
    else counts.full++;
    if (st.tookTail) counts.tail++;
    assert.deepEqual(view(inc), view(full), `${name}, seed ${seed}, step ${step} (${st.mode}${st.reason ? `: ${st.reason}` : ''})`);
    // "Same output" lets the server keep the last analysis: it must really be the last result.
    if (st.sameOutput) {
      counts.same++;
      assert.deepEqual(view(inc), previous, `${name}, seed ${seed}, step ${step}: sameOutput`);
    }
    previous = view(full);
  }
}

test('incremental runs equal full runs after random edits: generated file', (t) => {
  const counts: Counts = { resumed: 0, tail: 0, full: 0, relexed: 0, same: 0 };
  for (const seed of [1, 2, 3, 4]) run('generated', { '/inc/local.h': HEADER, '/src/gen.S': generated(60) }, '/src/gen.S', 60, seed, counts);
  // The test is only worth something if the incremental path is taken.
  t.diagnostic(JSON.stringify(counts));
  assert.ok(counts.resumed > 80, JSON.stringify(counts));
  assert.ok(counts.tail > 50 && counts.relexed > 100, JSON.stringify(counts));
});

test('incremental runs equal full runs after random edits: seed and cpp fixtures', (t) => {
  const sources: [string, string][] = [];
  if (existsSync(seedPath)) sources.push(['seed', readFileSync(seedPath, 'latin1')]);
  else if (process.env.CI) assert.fail(`seed missing: ${seedPath}`);
  else t.diagnostic('seed missing: only fixtures');
  for (const f of readdirSync(fixtureDir)) if (f.endsWith('.S')) sources.push([f, readFileSync(join(fixtureDir, f), 'latin1')]);
  assert.ok(sources.length >= 3);
  const counts: Counts = { resumed: 0, tail: 0, full: 0, relexed: 0, same: 0 };
  sources.forEach(([name, text], k) => {
    // The fixtures' own include directories, as the cpp fixture tests pass them.
    const files: Record<string, string> = { ...fixtureIncludeFiles(fixtureDir), '/inc/local.h': HEADER, [`/src/${name}`]: text };
    run(name, files, `/src/${name}`, 40, 100 + k, counts, { defines: { __KERNEL__: '1' } });
  });
  t.diagnostic(JSON.stringify(counts));
  assert.ok(counts.resumed > 0 && counts.tail > 0, JSON.stringify(counts));
});

test('a one-character edit in a large file reads only the edited line', () => {
  const text = generated(2000);
  const fs = new MemoryFileSystem({ '/inc/local.h': HEADER, '/src/big.S': text });
  const opts: PreprocessOptions = { includePaths: ['/inc'], defines: {}, undefines: [] };
  const session = new IncrementalPreprocessor();
  session.preprocess(fs, '/src/big.S', opts);
  const lines = text.split('\n');
  const at = lines.findIndex((l, i) => i > lines.length / 2 && l.startsWith('    movl $__KERNEL_DS'));
  lines[at] = ' ' + lines[at];
  fs.set('/src/big.S', lines.join('\n'));
  const r = session.preprocess(fs, '/src/big.S', opts);
  assert.equal(session.stats!.mode, 'resumed');
  assert.equal(session.stats!.tookTail, true);
  assert.ok(session.stats!.linesRead <= 3, JSON.stringify(session.stats));
  assert.deepEqual(view(r), view(preprocess(fs, '/src/big.S', opts)));
  // A new line above shifts the tail by one line: still resumed, positions moved.
  lines.splice(at, 0, '    nop');
  fs.set('/src/big.S', lines.join('\n'));
  const r2 = session.preprocess(fs, '/src/big.S', opts);
  assert.equal(session.stats!.tookTail, true);
  assert.deepEqual(view(r2), view(preprocess(fs, '/src/big.S', opts)));
});

test('an edit inside a comment or a skipped group gives the same output, an edit in code does not', () => {
  const text = generated(50);
  const fs = new MemoryFileSystem({ '/inc/local.h': HEADER, '/src/c.S': text });
  const opts: PreprocessOptions = { includePaths: ['/inc'], defines: {}, undefines: [] };
  const session = new IncrementalPreprocessor();
  let before = session.preprocess(fs, '/src/c.S', opts);
  const cases: [string, string, boolean][] = [
    ['/* a comment', '/* a longer comment', true],
    ['#if 0\n    .long ADD(1,', '#if 0\n    .long ADD(7,', true],
    ['    movl $__KERNEL_DS, %ecx', '    movl $__KERNEL_DS, %edx', false],
  ];
  for (const [from, to, same] of cases) {
    const at = text.indexOf(from, text.length / 2);
    assert.ok(at > 0, from);
    fs.set('/src/c.S', text.slice(0, at) + to + text.slice(at + from.length));
    const after = session.preprocess(fs, '/src/c.S', opts);
    assert.equal(session.stats!.mode, 'resumed', from);
    assert.equal(!!session.stats!.sameOutput, same, from);
    if (same) assert.deepEqual(view(after), view(before));
    else assert.notDeepEqual(view(after), view(before));
    // Back to the original text for the next case.
    fs.set('/src/c.S', text);
    before = session.preprocess(fs, '/src/c.S', opts);
  }
});

test('a file that includes itself is read again in full after an edit', () => {
  const text = '#ifndef ONCE\n#define ONCE\n#include "self.S"\n#endif\n    .long 1\n    .long 2\n';
  const fs = new MemoryFileSystem({ '/src/self.S': text });
  const opts: PreprocessOptions = { includePaths: [], defines: {}, undefines: [] };
  const session = new IncrementalPreprocessor();
  session.preprocess(fs, '/src/self.S', opts);
  fs.set('/src/self.S', text.replace('.long 2', '.long 3'));
  const r = session.preprocess(fs, '/src/self.S', opts);
  assert.equal(session.stats!.mode, 'full');
  assert.deepEqual(view(r), view(preprocess(fs, '/src/self.S', opts)));
  assert.ok(!r.lines.some((l) => l.text.includes('.long 2')));
});
