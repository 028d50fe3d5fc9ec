// GNU's scrubber on raw `.s` input (no C preprocessor): comments of every kind, statement separators, strings
// and character constants holding comment or separator characters. Bytes must equal GNU as's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, MemoryFileSystem } from '../../gas/index';
import { gnuAssemble, hex, requireTools } from './toolchain';

const SOURCE = `
	.data
	.byte 1 # a comment ; .byte 99
	.byte 2 ; .byte 3 ; .byte 4
/ a line comment at column 0
	/ and one after blanks
	.byte 5 /* inline */ , 6 /* two */ /* comments */
	.byte 7 /* a comment
	spanning ; lines # with .byte 98
	*/ .byte 8
	/* whole-line */ .byte 9
	.ascii "#;/*", "*/"
	.byte ';', '#', '/', '*, '"
	.byte 10 ; /* comment after separator */ .byte 11
x = 3 ; y = x * 2 ; .byte x, y
lab: .byte 12 ; lab2: lab3: .byte 13
	.long lab3 - lab
	.byte 14
`;

test('comments, separators, strings and character constants split like GNU as', (t) => {
  if (!requireTools(t, ['as'])) return;
  const gnu = gnuAssemble(SOURCE);
  const a = analyze(new MemoryFileSystem({ '/raw.s': SOURCE }), '/raw.s', { preprocess: false });
  assert.deepEqual(
    a.diagnostics.map((d) => `${d.origin.range.line + 1}: ${d.severity === 'error' ? 'Error' : 'Warning'}: ${d.message}`),
    gnu.messages,
  );
  assert.equal(hex(a.sections.find((s) => s.name === '.data')?.bytes), hex(gnu.sections.get('.data')));
});

test('a comment still open at the end of the file is GNU\'s warning', (t) => {
  if (!requireTools(t, ['as'])) return;
  const src = '\t.data\n\t.byte 1 /* never closed\n\t.byte 2\n';
  const gnu = gnuAssemble(src);
  assert.ok(gnu.ok);
  const a = analyze(new MemoryFileSystem({ '/c.s': src }), '/c.s', { preprocess: false });
  assert.deepEqual(a.diagnostics.map((d) => [d.severity, d.message]), [['warning', 'end of file in comment']]);
  assert.equal(hex(a.sections.find((s) => s.name === '.data')?.bytes), hex(gnu.sections.get('.data')));
});
