// Source map: every output character maps back through origin segments. Expected places are computed from the
// source text itself (indexOf), so the truth here is the input, not a remembered answer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { OriginSegment, PreprocessedLine, PreprocessResult } from '../../../gas/cpp/index';
import { ours } from './oracle';

const DEFS = `#ifndef DEFS_H
#define DEFS_H
#define VALUE 0x10
#define INNER 5
#define OUTER (INNER + 1)
#define SYM(n) .globl n ; n:
#define PAIR(a, b) .long a, b
 .byte 1
#endif
`;

const MAIN = `#include "defs.h"
 movl $VALUE, %eax
SYM(label)
 nop /* comment */ ; nop
 .long OUTER
PAIR(first,
     second) ; ret
 .long __LINE__
`;

const mainLines = MAIN.split('\n');
const defsLines = DEFS.split('\n');

function segmentAt(line: PreprocessedLine, col: number): OriginSegment {
  const s = line.segments.find((x) => col >= x.start && col < x.end);
  assert.ok(s, `no segment covers column ${col} of ${JSON.stringify(line.text)}`);
  return s;
}

/** The output line whose text contains `needle`, and the column where it starts. */
function find(r: PreprocessResult, needle: string): { line: PreprocessedLine; index: number; col: number } {
  const index = r.lines.findIndex((l) => l.text.includes(needle));
  assert.ok(index >= 0, `output has no ${needle}`);
  return { line: r.lines[index], index, col: r.lines[index].text.indexOf(needle) };
}

const pos = (lines: string[], lineIdx: number, needle: string): { line: number; column: number; endColumn: number } => {
  const column = lines[lineIdx].indexOf(needle);
  assert.ok(column >= 0, `${needle} not on line ${lineIdx}`);
  return { line: lineIdx, column, endColumn: column + needle.length };
};

const result = (): PreprocessResult => ours(MAIN, { 'defs.h': DEFS });

test('text from an included file maps into that file, with an include step at the #include line', () => {
  const r = result();
  const { line, col } = find(r, '.byte 1');
  const s = segmentAt(line, col);
  assert.equal(s.origin.range.file, '/t/defs.h');
  assert.equal(s.origin.range.line, 7);
  assert.equal(s.origin.range.column + (col - s.start), defsLines[7].indexOf('.byte'));
  assert.deepEqual(s.origin.expansion, [
    { kind: 'include', name: '/t/defs.h', site: { file: '/t/main.S', line: 0, column: 0, endLine: 0, endColumn: mainLines[0].length } },
  ]);
  assert.deepEqual(r.includes, [{ site: { file: '/t/main.S', line: 0, column: 0, endLine: 0, endColumn: mainLines[0].length }, spelled: 'defs.h', resolved: '/t/defs.h' }]);
});

test('a token from an object-like macro maps to its use site, with a cpp-macro step; the definition is in the table', () => {
  const r = result();
  const { line, col } = find(r, '0x10');
  const s = segmentAt(line, col);
  const use = pos(mainLines, 1, 'VALUE');
  assert.deepEqual(s.origin.range, { file: '/t/main.S', line: 1, column: use.column, endLine: 1, endColumn: use.endColumn });
  assert.equal(s.origin.expansion.length, 1);
  assert.equal(s.origin.expansion[0].kind, 'cpp-macro');
  assert.equal(s.origin.expansion[0].name, 'VALUE');
  assert.deepEqual(s.origin.expansion[0].site, s.origin.range);
  const def = r.macros.get('VALUE');
  assert.ok(def);
  assert.deepEqual(def.location, { file: '/t/defs.h', line: 2, column: 8, endLine: 2, endColumn: 13 });
  assert.equal(def.body, '0x10');
  assert.equal(def.builtin, false);
  // The text around the expansion still maps verbatim.
  const mov = segmentAt(line, line.text.indexOf('movl'));
  assert.equal(mov.origin.range.column + (line.text.indexOf('movl') - mov.start), mainLines[1].indexOf('movl'));
  const eax = line.text.indexOf('%eax');
  const se = segmentAt(line, eax);
  assert.equal(se.origin.range.line, 1);
  assert.equal(se.origin.range.column + (eax - se.start), mainLines[1].indexOf('%eax'));
});

test('macro arguments keep their own positions; the replacement text maps to the whole call', () => {
  const r = result();
  const { line } = find(r, '.globl label');
  const labelCol = line.text.indexOf('label');
  const s = segmentAt(line, labelCol);
  assert.deepEqual(s.origin.range, { file: '/t/main.S', line: 2, column: 4, endLine: 2, endColumn: 9 });
  const g = segmentAt(line, line.text.indexOf('.globl'));
  assert.deepEqual(g.origin.range, { file: '/t/main.S', line: 2, column: 0, endLine: 2, endColumn: mainLines[2].length });
  assert.equal(g.origin.expansion[0].name, 'SYM');
});

test('nested expansions list the inner macro first and map to the outermost use', () => {
  const r = result();
  const { line } = find(r, '(5 + 1)');
  const five = segmentAt(line, line.text.indexOf('5'));
  const use = pos(mainLines, 4, 'OUTER');
  assert.deepEqual(five.origin.range, { file: '/t/main.S', line: 4, column: use.column, endLine: 4, endColumn: use.endColumn });
  assert.deepEqual(five.origin.expansion.map((e) => e.name), ['INNER', 'OUTER']);
  // The inner step's site is where INNER is written: in OUTER's definition.
  assert.equal(five.origin.expansion[0].site.file, '/t/defs.h');
  assert.equal(five.origin.expansion[0].site.line, 4);
  assert.equal(five.origin.expansion[0].site.column, defsLines[4].indexOf('INNER'));
});

test('a call spanning lines stays on its first line; the lines it consumed become empty', () => {
  const r = result();
  const { line, index } = find(r, '.long first');
  const first = find(r, '.byte 1').index;
  // main line 5 (0-based) starts the call: the include contributed one line in place of its #include.
  assert.equal(index - first, 5);
  assert.equal(r.lines[index + 1].text, '');
  const second = segmentAt(line, line.text.indexOf('second'));
  assert.deepEqual(second.origin.range, { file: '/t/main.S', line: 6, column: 5, endLine: 6, endColumn: 11 });
  const ret = segmentAt(line, line.text.indexOf('ret'));
  assert.equal(ret.origin.range.line, 6);
  assert.equal(ret.origin.range.column + (line.text.indexOf('ret') - ret.start), mainLines[6].indexOf('ret'));
  // __LINE__ still counts source lines.
  assert.match(find(r, '.long 8').line.text, /\.long 8/);
});

test('comments become spaces so the rest of the line keeps its columns', () => {
  const r = result();
  const { line } = find(r, 'nop');
  assert.equal(line.text.indexOf('; nop'), mainLines[3].indexOf('; nop'));
  const s = segmentAt(line, line.text.indexOf('; nop'));
  assert.equal(s.origin.range.column + (line.text.indexOf('; nop') - s.start), mainLines[3].indexOf('; nop'));
});

test('segments are ordered, inside the line, and cover every non-blank character; plain copies map exactly', () => {
  const r = result();
  for (const l of r.lines) {
    let at = 0;
    for (const s of l.segments) {
      assert.ok(s.start >= at && s.end >= s.start && s.end <= l.text.length, JSON.stringify({ text: l.text, s }));
      at = s.end;
    }
    for (let c = 0; c < l.text.length; c++) {
      if (l.text[c] === ' ' || l.text[c] === '\t') continue;
      const s = segmentAt(l, c);
      const g = s.origin.range;
      // A segment as long as its source range is a character-for-character copy.
      if (g.line === g.endLine && g.endColumn - g.column === s.end - s.start && s.origin.expansion.every((e) => e.kind === 'include')) {
        const src = (g.file === '/t/main.S' ? mainLines : defsLines)[g.line];
        assert.equal(l.text[c], src[g.column + (c - s.start)], `${JSON.stringify(l.text)} column ${c}`);
      }
    }
  }
});

test('macro uses are recorded where the macro name is written', () => {
  const r = result();
  const names = r.macroUses.filter((u) => u.range.file === '/t/main.S').map((u) => `${u.name}@${u.range.line}:${u.range.column}`);
  assert.deepEqual(names, [
    `VALUE@1:${mainLines[1].indexOf('VALUE')}`,
    'SYM@2:0',
    `OUTER@4:${mainLines[4].indexOf('OUTER')}`,
    'PAIR@5:0',
    `__LINE__@7:${mainLines[7].indexOf('__LINE__')}`,
  ]);
});

test('built-in header macros have <builtin> locations', () => {
  const r = ours('#include <asm/segment.h>\n movw $__KERNEL_DS, %ax\n');
  const def = r.macros.get('__KERNEL_DS');
  assert.ok(def);
  assert.equal(def.location.file, '<builtin>/asm/segment.h');
  assert.equal(def.builtin, true);
  assert.equal(r.includes[0].resolved, '<builtin>/asm/segment.h');
  const line = r.lines.find((l) => l.text.includes('movw'))!;
  const paren = segmentAt(line, line.text.indexOf('(3*8)'));
  assert.equal(paren.origin.range.file, '/t/main.S');
  assert.deepEqual(paren.origin.expansion.map((e) => e.name), ['__KERNEL_DS']);
  const three = segmentAt(line, line.text.indexOf('3*8'));
  assert.deepEqual(three.origin.expansion.map((e) => e.name), ['GDT_ENTRY_KERNEL_DS', '__KERNEL_DS']);
  assert.equal(three.origin.expansion[0].site.file, '<builtin>/asm/segment.h');
});

test('a line with an expansion keeps the source text before it, tabs included', () => {
  const src = '#define V 0x10\n\tmovl\t$V, %eax\t/* c */ ; nop\n';
  const r = ours(src);
  const line = r.lines[1].text;
  const srcLine = src.split('\n')[1];
  const before = srcLine.slice(0, srcLine.indexOf('V'));
  assert.ok(line.startsWith(before), JSON.stringify(line));
  const s = segmentAt(r.lines[1], 1);
  assert.equal(s.origin.range.column + (1 - s.start), 1);
});
