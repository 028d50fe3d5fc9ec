// The public API as hosts use it: unsaved buffers layered over other files, the model's symbol/macro tables,
// per-line modes, analysis without an encoder, and never throwing on a missing file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, assemble, macroAt, modeAt, MemoryFileSystem, statementsBySection, statementsOnLine, symbolAt, symbolOccurrences } from '../../gas/index';

const DISK = new MemoryFileSystem({
  '/p/main.S': '#include "defs.h"\n\t.data\nv:\t.byte VALUE\n',
  '/p/defs.h': '#define VALUE 1\n',
});

test('an unsaved buffer overrides the file underneath it, including included files', () => {
  const editor = new MemoryFileSystem({ '/p/defs.h': '#define VALUE 7\n' }, DISK);
  const a = analyze(editor, '/p/main.S', {});
  assert.deepEqual(a.diagnostics, []);
  assert.deepEqual([...a.sections.find((s) => s.name === '.data')!.bytes], [7]);
  const b = analyze(DISK, '/p/main.S', {});
  assert.deepEqual([...b.sections.find((s) => s.name === '.data')!.bytes], [1]);
  assert.equal(a.preprocessed?.macros.get('VALUE')?.body, '7');
});

test('symbol and macro tables carry definitions, references and call sites', () => {
  const src = '\t.macro m x:req, y=2\n\t.long \\x + \\y\n\t.endm\n\t.text\nstart:\tm start\n\tm x=3\n\t.globl start\n';
  const a = analyze(new MemoryFileSystem({ '/a.s': src }), '/a.s', { preprocess: false });
  const start = a.symbols.get('start')!;
  assert.equal(start.binding, 'global');
  assert.equal(start.defined?.range.line, 4);
  assert.equal(start.section, '.text');
  assert.deepEqual(start.references.map((r) => r.range.line).sort(), [1, 6]);
  const m = a.macros.get('m')!;
  assert.deepEqual(m.params.map((p) => [p.name, p.required, p.defaultValue]), [['x', true, undefined], ['y', false, '2']]);
  assert.equal(m.definition.range.line, 0);
  assert.deepEqual(m.calls.map((c) => c.range.line), [4, 5]);
});

test('per-line code mode follows .code16/.code32/.code64', () => {
  const src = '\tnop\n\t.code16\n\tnop\n\t.code32\n\tnop\n\t.code64\n\tnop\n';
  const a = analyze(new MemoryFileSystem({ '/m.s': src }), '/m.s', { preprocess: false, backend: null });
  assert.deepEqual([0, 2, 4, 6].map((l) => modeAt(a, '/m.s', l)), [64, 16, 32, 64]);
  assert.deepEqual(a.modeChanges.map((c) => [c.origin.range.line, c.mode]), [[1, 16], [3, 32], [5, 64]]);
  assert.deepEqual(a.statements.filter((s) => s.kind === 'instruction').map((s) => s.mode), [64, 16, 32, 64]);
});

test('without an encoder, instructions are recorded as statements with their text and mode', () => {
  const a = analyze(new MemoryFileSystem({ '/m.s': '\t.code16\n\tljmpl $8, $1f\n1:\n' }), '/m.s', { preprocess: false, backend: null });
  const ins = a.statements.filter((s) => s.kind === 'instruction');
  assert.equal(ins.length, 1);
  assert.equal(ins[0].text, 'ljmpl $8, $1f');
  assert.equal(ins[0].mode, 16);
  assert.deepEqual(a.diagnostics, []);
});

test('a missing file is a diagnostic, not an exception', () => {
  const r = assemble(new MemoryFileSystem({}), '/nope.S', {});
  assert.equal(r.ok, false);
  assert.equal(r.diagnostics[0].origin.range.file, '/nope.S');
  const s = assemble(new MemoryFileSystem({}), '/nope.s', {});
  assert.equal(s.ok, false);
});

test('position queries: symbol at cursor, macro at cursor, statements of a line, occurrences', () => {
  const src = '\t.macro twice v\n\t.byte \\v, \\v\n\t.endm\n\t.data\nlab:\ttwice 3\n\t.long lab + 1\n';
  const a = analyze(new MemoryFileSystem({ '/q.s': src }), '/q.s', { preprocess: false });
  const def = symbolAt(a, '/q.s', 4, 1)!;
  assert.equal(def.symbol.name, 'lab');
  assert.equal(def.isDefinition, true);
  const ref = symbolAt(a, '/q.s', 5, 8)!;
  assert.equal(ref.symbol.name, 'lab');
  assert.equal(ref.isDefinition, false);
  assert.deepEqual([ref.range.column, ref.range.endColumn], [7, 10]);
  assert.equal(symbolAt(a, '/q.s', 5, 1), undefined);
  assert.equal(macroAt(a, '/q.s', 4, 7)?.name, 'twice');
  assert.equal(macroAt(a, '/q.s', 0, 3)?.name, 'twice');
  assert.deepEqual(statementsOnLine(a, '/q.s', 4).map((s) => s.kind), ['label', 'macro-call', 'directive']);
  assert.deepEqual(symbolOccurrences(a.symbols.get('lab')!).map((r) => [r.line, r.column]), [[4, 0], [5, 7]]);
});

test('a macro records where its .endm is', () => {
  const a = analyze(new MemoryFileSystem({ '/e.s': '\t.macro m\n\tnop\n\tnop\n\t.endm\n' }), '/e.s', { preprocess: false, backend: null });
  assert.equal(a.macros.get('m')!.end?.range.line, 3);
});

test('statements are grouped per section', () => {
  const a = analyze(new MemoryFileSystem({ '/s.s': '\t.byte 1\n\t.data\n\t.byte 2\n\t.text\n\t.byte 3\n' }), '/s.s', { preprocess: false });
  const by = statementsBySection(a);
  assert.deepEqual(by.get('.text')!.filter((s) => s.name === '.byte').map((s) => s.text), ['.byte 1', '.byte 3']);
  assert.deepEqual(by.get('.data')!.filter((s) => s.name === '.byte').map((s) => s.offset), [0]);
});

test('statements skipped by false conditionals are reported for greying out', () => {
  const src = '\t.if 0\n\t.byte 1\n\tnop\n\t.else\n\t.byte 2\n\t.endif\n\t.ifdef nothing\n\t.byte 3\n\t.endif\n';
  const a = analyze(new MemoryFileSystem({ '/k.s': src }), '/k.s', { preprocess: false, backend: null });
  assert.deepEqual(a.skipped.map((o) => o.range.line), [1, 2, 7]);
});
