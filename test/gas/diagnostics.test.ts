// Diagnostics: GNU as's wording, severity and line for bad input, and analysis that goes on past problems.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, MemoryFileSystem, type Analysis } from '../../gas/index';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gnuAssemble, hex, requireTools } from './toolchain';

function ours(source: string, files: Record<string, string> = {}): Analysis {
  return analyze(new MemoryFileSystem({ '/d.s': source, ...files }), '/d.s', { preprocess: false });
}

const asGnu = (a: Analysis) =>
  a.diagnostics
    .filter((d) => d.severity === 'error' || d.severity === 'warning')
    .map((d) => `${d.origin.range.line + 1}: ${d.severity === 'error' ? 'Error' : 'Warning'}: ${d.message}`);

// Inputs whose messages we reproduce word for word (GNU's first message for each).
const SAME_AS_GNU = [
  '.err',
  '.error "custom message"',
  '.warning "careful"',
  '.else',
  '.endif',
  '.elseif 1',
  '.macro m\n.byte 1',
  '.endm',
  '.endr',
  '.exitm',
  '.byte 0x1ff',
  '.word 0x12345',
  '.balign 3',
  '.org 4\n.org 2',
  '.byte )',
  '.equiv a, 1\n.equiv a, 2',
  'a: .byte 1\na: .byte 2',
  '.include "nope.s"',
  '.purgem nothing',
  '.fill -1',
  '.skip 0',
  '.space -2',
  '.ifdef 3',
  '.if 1\n.else\n.else\n.endif',
  '.macro m a\n.endm\nm 1 2',
  '.if undefined_sym\n.endif',
  '.ifeq undefined_sym\n.endif',
  '.rept undefined_sym\n.endr',
  '.fill undefined_sym',
  '.skip undefined_sym',
  '.balign undefined_sym',
  '.set 1x, 2',
  '.globl 5',
  '.section',
  '.incbin "nofile"',
  '.macro\n.endm',
  '.macro m a a\n.endm',
  '.macro m a:foo\n.endm',
  '.irp\n.endr',
  '.type foo',
  '.size foo',
  '.data\n.byte 1\n.bss\n.byte 1',
  '.eqv x, 1\nx = 2',
  'x: .byte 1\n.set x, 2',
  '.equiv x, 1\nx = 2',
  '.text\na: .byte 0\n.data\nb: .byte 0\n.section .rodata\n.long a - b',
  '.byte 1\n.org undefined_sym',
  '.ascii foo',
  '.fill 1, 2, 3, 4',
  '.balign 4, 1, 2, 3',
  '.org 1, 2, 3',
  '.space 1, 2, 3',
  '.if\n.endif',
  '.ifeqs "a"\n.endif',
  '.long 1b',
  '.set x',
  '.equ',
  '.octa 1 << 200',
  '.quad 0x123456789abcdef01',
  'movw $0x12345, %ax',
  'movb $0x1ff, %al',
  'addl $0x123456789, %eax',
  '.code16\nmovw 0x12345, %ax',
];

test('error and warning messages match GNU as (text, severity, line)', (t) => {
  if (!requireTools(t, ['as'])) return;
  let n = 0;
  for (const src of SAME_AS_GNU) {
    const text = src + '\n';
    const gnu = gnuAssemble(text);
    const first = gnu.messages[0];
    assert.ok(first, `GNU gave no message for ${JSON.stringify(src)}`);
    const mine = asGnu(ours(text));
    assert.equal(mine[0], first, `for ${JSON.stringify(src)}: ours ${JSON.stringify(mine)}`);
    n++;
  }
  t.diagnostic(`${n} messages identical`);
});

test('an unterminated conditional reports GNU\'s message at the .if', () => {
  const a = ours('.byte 1\n.if 1\n.byte 2\n');
  const d = a.diagnostics.filter((x) => x.severity === 'error');
  assert.equal(d.length, 1);
  assert.equal(d[0].message, 'end of file inside conditional');
  assert.equal(d[0].origin.range.line, 1);
});

test('.rept without .endr is an error naming REPT', () => {
  const a = ours('.rept 3\n.byte 1\n');
  assert.deepEqual(a.diagnostics.map((d) => d.message), ['REPT without ENDR']);
});

test('.intel_syntax is reported as not supported, and analysis continues', () => {
  const a = ours('.intel_syntax noprefix\n.data\n.byte 7\n');
  const e = a.diagnostics.filter((d) => d.severity === 'error');
  assert.equal(e.length, 1);
  assert.match(e[0].message, /not supported/);
  assert.equal(e[0].origin.range.line, 0);
  assert.deepEqual([...a.sections.find((s) => s.name === '.data')!.bytes], [7]);
});

test('an unknown directive is an error (as in GNU as) with the directive\'s range; the rest still assembles', () => {
  const a = ours('\t.data\n\t.frobnicate 1, 2\n\t.byte 5\n');
  assert.equal(a.diagnostics.length, 1);
  const d = a.diagnostics[0];
  assert.equal(d.severity, 'error');
  assert.equal(d.message, "unknown pseudo-op: `.frobnicate'");
  assert.deepEqual([d.origin.range.line, d.origin.range.column, d.origin.range.endColumn], [1, 1, 12]);
  assert.deepEqual([...a.sections.find((s) => s.name === '.data')!.bytes], [5]);
});

test('a directive GNU as knows but we do not implement is an error saying so, not an unknown pseudo-op', () => {
  const a = ours('\t.data\n\t.tfloat 1.5\n\t.byte 5\n\t.symver a, b@V1\n');
  assert.deepEqual(a.diagnostics.map((d) => `${d.origin.range.line}: ${d.severity}: ${d.message}`), ["1: error: `.tfloat' is not supported by this assembler"]);
  assert.deepEqual([...a.sections.find((s) => s.name === '.data')!.bytes], [5]);
});

test('expression errors point at the offending column', () => {
  const a = ours('.data\n.byte 1, 2 +* 3\n');
  const d = a.diagnostics[0];
  assert.equal(d.origin.range.line, 1);
  assert.equal(d.origin.range.column, 12);
});

test('diagnostics inside a macro expansion point at the body line and carry the call site', () => {
  const a = ours('.macro m v\n.byte \\v\n.endm\n.data\nm 0x1ff\n');
  const d = a.diagnostics[0];
  assert.equal(d.message, 'value 0x1ff truncated to 0xff');
  assert.equal(d.origin.range.line, 1);
  assert.equal(d.origin.expansion[0].kind, 'macro');
  assert.equal(d.origin.expansion[0].site.line, 4);
});

test('.include reads a file relative to the including file and maps origins into it', () => {
  const a = analyze(
    new MemoryFileSystem({ '/src/main.s': '.data\n.include "inc/part.s"\n.byte 2\n', '/src/inc/part.s': '.byte 1\n.byte 0x100\n' }),
    '/src/main.s',
    { preprocess: false },
  );
  assert.deepEqual([...a.sections.find((s) => s.name === '.data')!.bytes], [1, 0, 2]);
  const d = a.diagnostics[0];
  assert.equal(d.origin.range.file, '/src/inc/part.s');
  assert.equal(d.origin.range.line, 1);
  assert.equal(d.origin.expansion[0].kind, 'include');
  assert.equal(d.origin.expansion[0].site.file, '/src/main.s');
});

test('recoverable expression problems are GNU warnings and keep GNU\'s bytes', (t) => {
  if (!requireTools(t, ['as'])) return;
  const src = '.data\n.byte 1 +\n.byte 3, , 4\n.byte )\n.byte 7\n.byte 8/0\n.byte 9 % 0\n.long 1 +, 2\n';
  const gnu = gnuAssemble(src, ['-Z']);
  const a = ours(src);
  assert.deepEqual(asGnu(a), gnu.messages);
  assert.equal(Buffer.from(a.sections.find((s) => s.name === '.data')!.bytes).toString('hex'), Buffer.from(gnu.sections.get('.data') ?? []).toString('hex'));
});

test('a label defined twice at the same place is accepted; a forward local label never defined is GNU\'s error', (t) => {
  if (!requireTools(t, ['as'])) return;
  const same = '.data\nlab: lab: .byte 0\n';
  assert.ok(gnuAssemble(same).ok);
  assert.deepEqual(ours(same).diagnostics, []);
  const missing = '.data\n.long 3f\n';
  const gnu = spawnMessages(missing);
  const mine = ours(missing).diagnostics.map((d) => d.message);
  assert.deepEqual(mine, [gnu]);
});

/** GNU's message for errors it reports without a line number (the last line of its stderr). */
function spawnMessages(src: string): string {
  const r = gnuAssemble(src);
  assert.ok(!r.ok);
  const dir = mkdtempSync(join(tmpdir(), 'gas-msg-'));
  try {
    writeFileSync(join(dir, 'm.s'), src);
    const out = spawnSync('as', ['--64', join(dir, 'm.s'), '-o', join(dir, 'm.o')], { encoding: 'utf8' }).stderr;
    return /Error: (.*)$/m.exec(out)![1];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('immediates wider than their field: shortened with GNU\'s warning and bytes, in every mode', (t) => {
  if (!requireTools(t, ['as'])) return;
  const lines = [
    'addb $0x123456789, %al',
    'addw $0x1ffffffff, %ax',
    'addl $-0x100000001, %eax',
    'addl $0x8000000000000000, %eax',
    'movb $0x123456789, (%ebx)',
    'testl $0x123456789, %eax',
    'imull $0x123456789, %eax, %ecx',
    'pushw $0x123456789',
    'movl $0x123456789, %eax',
    'movl $0x123456789, (%ebx)',
    'andl $0xffffffff00000000, %ecx',
    'orw $0x10000, %bx',
  ];
  let n = 0;
  for (const mode of ['.code16', '.code32', '.code64']) {
    const text = [mode, ...lines].join('\n') + '\n';
    const gnu = gnuAssemble(text);
    assert.ok(gnu.ok, `${mode}: ${gnu.messages.join('; ')}`);
    const a = ours(text);
    assert.deepEqual(asGnu(a), gnu.messages, mode);
    const bytes = a.sections.find((s) => s.name === '.text')?.bytes;
    assert.equal(Buffer.from(bytes ?? []).toString('hex'), Buffer.from(gnu.sections.get('.text') ?? []).toString('hex'), mode);
    n += gnu.messages.length;
  }
  t.diagnostic(`${n} warnings identical`);
});

test('directive argument problems GNU reports and reads on after: negative .rept, wide fill bytes, division by zero, sizes not known', (t) => {
  if (!requireTools(t, ['as'])) return;
  const src = '\t.data\n\t.rept -5\n\t.byte 1\n\t.endr\n\t.skip 2, 0x100\n\t.zero 5/0\n\t.balign 5/0\n\t.fill 1, 1, 5/0\n\t.byte 7\n\t.nops undef\n\t.ds.b fwd\n\t.ds.w undef\nfwd: .byte 2\n';
  const gnu = gnuAssemble(src, ['-Z']);
  const a = ours(src);
  const mine = a.diagnostics.map((d) => `${d.origin.range.line + 1}: ${d.severity === 'error' ? 'Error' : 'Warning'}: ${d.message}`);
  // GNU repeats the fill warning once per byte; we say it once.
  assert.deepEqual(mine, [...new Set(gnu.messages)]);
  assert.equal(hex(a.sections.find((s) => s.name === '.data')?.bytes), hex(gnu.sections.get('.data')));
});
