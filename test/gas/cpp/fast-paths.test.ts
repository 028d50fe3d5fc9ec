// The driver's shortcuts must answer exactly what the slow path answers: the directive a # line names, read from
// its text, against the same question asked of the line's tokens; and a file lexed as it is read (LineStream)
// against lexing it whole.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LineStream, lexFile, lineTokens, wordAfterHash, type LexedFile } from '../../../gas/cpp/lexer';

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
