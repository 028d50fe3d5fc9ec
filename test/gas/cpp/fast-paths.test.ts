// The driver's shortcuts must answer exactly what the slow path answers: the directive a # line names, read from
// its text, against the same question asked of the line's tokens; and a file lexed as it is read (LineStream)
// against lexing it whole; an #include read from its text against the same line's tokens; and origins read from
// the compact line forms against the same lines' segments.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LineStream, lexFile, lineTokens, relexFile, wordAfterHash, type LexedFile } from '../../../gas/cpp/lexer';
import { preprocess } from '../../../gas/cpp/index';
import { tuning } from '../../../gas/cpp/preprocessor';
import { MemoryFileSystem } from '../../../gas/fs';
import { lineOrigin, originOf } from '../../../gas/lines';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fixtureIncludeFiles } from './oracle';

const seedPath = resolve(__dirname, '../../../../shared/seeds/trampoline_64_bsp.S');
const fixtureDir = join(__dirname, 'fixtures');

const PIECES = ['#', '##', ' ', '\t', 'define', 'include', 'if', 'endif', 'x', 'u8', 'L', '"s"', "'c'", '/* c */', '//', '\\', '1', '(', ')', '.', 'Setup stack', "we're"];
const hashLine = fc.tuple(fc.boolean(), fc.array(fc.constantFrom(...PIECES), { minLength: 1, maxLength: 8 })).map(([indent, ps]) => (indent ? ' ' : '') + '#' + ps.join(''));

/** The answer the tokens give: '' for nothing after `#`, an identifier's text, undefined for another token. */
function byTokens(lexed: LexedFile, k: number): string | undefined {
  const t = lineTokens(lexed, lexed.lines[k])[1];
  if (!t) return '';
  return t.kind === 'ident' ? t.text : undefined;
}

test('the word after # read from the text agrees with the tokens', () => {
  let decided = 0;
  fc.assert(
    fc.property(hashLine, (line) => {
      const lexed = lexFile('/t.S', line + '\n');
      for (let k = 0; k < lexed.lines.length; k++) {
        const L = lexed.lines[k];
        if (!L.hash) continue;
        const w = wordAfterHash(L);
        if (w === null) continue;
        decided++;
        assert.equal(w, byTokens(lexed, k), JSON.stringify(line));
      }
    }),
    { numRuns: 3000 },
  );
  assert.ok(decided > 1000, `only ${decided} lines decided from the text`);
});

test('a file lexed as it is read gives the lines and problems lexing it whole gives', () => {
  const lines = fc.array(fc.constantFrom('nop', ' movl $1, %eax', '/* a', 'b */ x', '#define A 1', '# c', 'x \\', 'y', '"str', "'", '', '  '), { maxLength: 700 });
  fc.assert(
    fc.property(lines, (ls) => {
      const text = ls.join('\n');
      const whole = lexFile('/t.S', text);
      const stream = new LineStream('/t.S', text);
      while (stream.more());
      const view = (f: LexedFile) => f.lines.map((L) => ({ ...L, tokens: lineTokens(f, L) }));
      assert.deepEqual(view(stream.lexed), view(whole));
      assert.deepEqual(stream.lexed.problems, whole.problems);
      assert.equal(stream.lexed.physicalLines, whole.physicalLines);
    }),
    { numRuns: 200 },
  );
});

test('#include lines read from their text give what their tokens give', () => {
  const files: Record<string, string> = { '/inc/a.h': 'int_a\n', '/inc/sub/b.h': 'int_b\n', '/src/c.h': 'int_c\n', '/inc/a b.h': 'int_ab\n' };
  const NAMES = ['a.h', 'sub/b.h', 'c.h', 'a b.h', 'missing.h', '', 'a.h>x', 'a"b', "a'b", 'a\\b', 'sub//b.h'];
  const SPACE = ['', ' ', '\t', '  ', '\u00a0', '\f'];
  const line = fc.record({
    lead: fc.constantFrom(...SPACE),
    mid: fc.constantFrom(...SPACE),
    gap: fc.constantFrom(...SPACE),
    tail: fc.constantFrom('', ' ', '\t', ' // c', ' /* c */', ' x', '>', '\\'),
    name: fc.constantFrom(...NAMES),
    angled: fc.boolean(),
  }).map((r) => `${r.lead}#${r.mid}include${r.gap}${r.angled ? `<${r.name}>` : `"${r.name}"`}${r.tail}`);
  fc.assert(
    fc.property(fc.array(line, { minLength: 1, maxLength: 6 }), (lines) => {
      const text = lines.join('\n') + '\nend\n';
      const run = (plain: boolean) => {
        tuning.plainIncludes = plain;
        try {
          const r = preprocess(new MemoryFileSystem({ ...files, '/src/main.S': text }), '/src/main.S', { includePaths: ['/inc'], defines: {}, undefines: [] });
          return { lines: r.lines.map((l) => ({ text: l.text, segments: l.segments })), diagnostics: r.diagnostics, includes: r.includes, macroUses: r.macroUses };
        } finally {
          tuning.plainIncludes = true;
        }
      };
      assert.deepEqual(run(true), run(false), JSON.stringify(text));
    }),
    { numRuns: 400 },
  );
});

test('originOf reads the compact line forms exactly as it reads their segments', () => {
  const seed = existsSync(seedPath) ? readFileSync(seedPath, 'latin1') : '';
  const inc = fixtureIncludeFiles(fixtureDir);
  const sources: [string, string][] = readdirSync(fixtureDir)
    .filter((f) => f.endsWith('.S'))
    .map((f) => [f, readFileSync(join(fixtureDir, f), 'latin1')]);
  if (seed) sources.push(['seed', seed]);
  let lines = 0;
  let compact = 0;
  for (const [name, text] of sources) {
    // Twice, so that the second copy's lines are repeats (the memo's shifted form).
    const r = preprocess(new MemoryFileSystem({ ...inc, '/src/main.S': text + '\n' + text }), '/src/main.S', { includePaths: ['/inc'], defines: { __KERNEL__: '1' }, undefines: [] });
    for (const line of r.lines) {
      if (line.text.length === 0) continue;
      lines++;
      const plain = { text: line.text, segments: line.segments };
      if (line.constructor !== Object) compact++;
      const n = line.text.length;
      for (let s = 0; s <= n + 1; s++) {
        for (let e = Math.max(0, s - 1); e <= n + 1; e += e < s + 3 ? 1 : 5) {
          assert.deepEqual(originOf(line, s, e), originOf(plain, s, e), `${name}: ${JSON.stringify(line.text)} [${s}, ${e})`);
        }
      }
      assert.deepEqual(lineOrigin(line), lineOrigin(plain));
    }
  }
  assert.ok(lines > 200 && compact > 0, `${lines} lines`);
});

test('re-lexing an edit that brings in a carriage return gives up (lexing it whole splits lines differently)', () => {
  const base = Array.from({ length: 300 }, (_, i) => (i % 7 === 0 ? '/* c */ nop' : ` movl $${i}, %eax`)).join('\n') + '\n';
  const old = lexFile('/t.S', base);
  fc.assert(
    fc.property(fc.nat(base.length), fc.constantFrom('\r', '\r\n', 'x\ry'), fc.nat(3), (at, ins, cut) => {
      const text = base.slice(0, at) + ins + base.slice(Math.min(base.length, at + cut));
      assert.equal(relexFile(old, text), undefined, JSON.stringify([at, ins, cut]));
    }),
    { numRuns: 300 },
  );
  // Without one, the same edits are re-lexed.
  assert.ok(relexFile(old, base.slice(0, 100) + 'x' + base.slice(100)) !== undefined);
});
