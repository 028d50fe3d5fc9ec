// Statements keep their line and columns and work out text and origin when asked (gas/statement-record.ts): what
// they give must be the written source, for every way a line holds statements.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, MemoryFileSystem } from '../../gas/index';

function statementsOf(src: string) {
  const a = analyze(new MemoryFileSystem({ '/s.s': src }), '/s.s', { preprocess: false });
  assert.deepEqual(a.diagnostics.filter((d) => d.severity === 'error'), []);
  return a.statements;
}

/** [text, line, column, endColumn] of each statement, the origin read after the text. */
function described(src: string): [string, number, number, number][] {
  return statementsOf(src).map((s) => [s.text, s.origin.range.line, s.origin.range.column, s.origin.range.endColumn]);
}

test('an indented statement is its trimmed text, and its origin covers exactly that text', () => {
  const src = '\t.text\n    movl  %eax, %ebx   \n';
  const line = src.split('\n')[1];
  const at = line.indexOf('movl');
  assert.deepEqual(described(src)[1], ['movl  %eax, %ebx', 1, at, at + 'movl  %eax, %ebx'.length]);
});

test('a label is its own statement ("name:"), the rest of the line the next one', () => {
  const src = 'start:  jmp start\n';
  const [label, jmp] = described(src);
  assert.deepEqual(label.slice(0, 3), ['start:', 0, 0]);
  assert.deepEqual(jmp, ['jmp start', 0, 8, 17]);
});

test('statements split by ; and lines with comments keep their columns and lose the comment', () => {
  const src = '\tnop ; /* two */ cli ;hlt # rest\n';
  const got = described(src);
  const col = (s: string) => src.indexOf(s);
  assert.deepEqual(got, [
    ['nop', 0, col('nop'), col('nop') + 3],
    ['cli', 0, col('cli'), col('cli') + 3],
    ['hlt', 0, col('hlt'), col('hlt') + 3],
  ]);
});

test('a statement after a multi-line comment starts where the comment ends', () => {
  const src = '/* one\n two */ incl %eax\n';
  assert.deepEqual(described(src), [['incl %eax', 1, 8, 17]]);
});

test('macro-expanded statements carry the macro body text and the expansion stack', () => {
  const src = '\t.macro two r\n\tpush \\r\n\tpop \\r\n\t.endm\n\ttwo %rbx\n';
  const st = statementsOf(src).filter((s) => s.kind === 'instruction');
  assert.deepEqual(st.map((s) => s.text), ['push %rbx', 'pop %rbx']);
  for (const s of st) {
    assert.equal(s.origin.expansion[0]?.kind, 'macro');
    assert.equal(s.origin.expansion[0]?.site.line, 4);
  }
  assert.deepEqual(st.map((s) => s.origin.range.line), [1, 2]);
});

test('an origin set from outside (an edit moved the line) replaces the one worked out', () => {
  const [s] = statementsOf('\tnop\n');
  const moved = { range: { ...s.origin.range, line: 9, endLine: 9 }, expansion: [] };
  s.origin = moved;
  assert.equal(s.origin, moved);
  assert.equal(s.text, 'nop');
});
