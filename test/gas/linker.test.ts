// The flat-image linker against GNU ld (`ld -m elf_x86_64 … --oformat=binary`): linker scripts with
// BYTE/LONG data, -Ttext/--section-start, --defsym, cross-section references; symbol addresses against `nm`.
// Plus the address ⇄ source map, including every expansion of a macro body line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DiskFileSystem } from '../../cli/disk-fs';
import { analyze, assemble, MemoryFileSystem } from '../../gas/index';
import { gnuAssemble, hex, requireTools } from './toolchain';

const PROGRAM = `
	.text
	.code16
	.globl _start
_start:
	cli
	movw $msg, %si
	movl $table, %eax
	call far_code
	ljmpl $0x08, $entry32
	.code32
entry32:
	movl ext_value, %eax
	movl $ext_value + 4, %ebx
	jmp far_code
	.section .mycode, "ax"
far_code:
	ret
	.section .rodata
msg:	.asciz "hi"
	.data
	.balign 8
table:	.long _start, msg, table, far_code
	.quad entry32 - _start
	.word ext_value
`;

interface GnuLink {
  image: Uint8Array;
  symbols: Map<string, bigint>;
}

function gnuLink(source: string, ldArgs: string[], script?: string): GnuLink {
  const dir = mkdtempSync(join(tmpdir(), 'gas-ld-'));
  try {
    writeFileSync(join(dir, 'p.s'), source);
    const args = [...ldArgs];
    if (script !== undefined) {
      writeFileSync(join(dir, 'link.ld'), script);
      args.push('-T', join(dir, 'link.ld'));
    }
    let r = spawnSync('as', ['--64', join(dir, 'p.s'), '-o', join(dir, 'p.o')], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    r = spawnSync('ld', ['-m', 'elf_x86_64', '-e', '0', ...args, join(dir, 'p.o'), '-o', join(dir, 'p.elf')], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    r = spawnSync('objcopy', ['-O', 'binary', join(dir, 'p.elf'), join(dir, 'p.bin')], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const nm = spawnSync('nm', [join(dir, 'p.elf')], { encoding: 'utf8' });
    const symbols = new Map<string, bigint>();
    for (const l of nm.stdout.split('\n')) {
      const m = /^([0-9a-f]+) \w (\S+)$/.exec(l);
      if (m) symbols.set(m[2], BigInt('0x' + m[1]));
    }
    return { image: new Uint8Array(readFileSync(join(dir, 'p.bin'))), symbols };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function compareSymbols(ours: Map<string, { address: bigint }>, gnu: Map<string, bigint>, names: string[]): void {
  for (const n of names) assert.equal(ours.get(n)?.address, gnu.get(n), `address of ${n}`);
}

const NAMES = ['_start', 'entry32', 'far_code', 'msg', 'table', 'text_size'];

test('linker script layout (with BYTE/LONG data and --defsym) gives GNU ld\'s image and addresses', (t) => {
  if (!requireTools(t, ['as', 'ld', 'objcopy', 'nm'])) return;
  const script = `SECTIONS {
  . = 0x8000;
  .text : { *(.text) *(.mycode) }
  . = ALIGN(16);
  .rodata : { *(.rodata) BYTE(0x5a) }
  .data : { *(.data) LONG(0x11223344) QUAD(0x55) LONG(SIZEOF(.text)) LONG(ADDR(.rodata)) }
  text_size = SIZEOF(.text);
}`;
  const gnu = gnuLink(PROGRAM, ['--defsym', 'ext_value=0x1234'], script);
  const fs = new MemoryFileSystem({ '/p.s': PROGRAM });
  const r = assemble(fs, '/p.s', { preprocess: false, script: { path: '/link.ld', text: script }, defsym: { ext_value: 0x1234n } });
  assert.deepEqual(r.diagnostics.map((d) => d.message), []);
  assert.equal(r.base, 0x8000);
  assert.equal(hex(r.image), hex(gnu.image));
  compareSymbols(r.link.symbols, gnu.symbols, NAMES);
});

test('-Ttext and --section-start place sections like GNU ld', (t) => {
  if (!requireTools(t, ['as', 'ld', 'objcopy', 'nm'])) return;
  const starts = { '.mycode': 0x7d00n, '.rodata': 0x7d80n, '.data': 0x7e00n };
  const gnu = gnuLink(PROGRAM, [
    '-Ttext=0x7c00',
    ...Object.entries(starts).map(([k, v]) => `--section-start=${k}=0x${v.toString(16)}`),
    '--defsym',
    'ext_value=0x99',
  ]);
  const r = assemble(new MemoryFileSystem({ '/p.s': PROGRAM }), '/p.s', {
    preprocess: false,
    textAddress: 0x7c00n,
    sectionStart: starts,
    defsym: { ext_value: 0x99n },
  });
  assert.deepEqual(r.diagnostics.map((d) => d.message), []);
  assert.equal(r.base, 0x7c00);
  assert.equal(hex(r.image), hex(gnu.image));
  compareSymbols(r.link.symbols, gnu.symbols, NAMES);
});

test('undefined symbols are link errors (ld\'s wording) unless supplied', () => {
  const r = assemble(new MemoryFileSystem({ '/p.s': PROGRAM }), '/p.s', { preprocess: false });
  assert.equal(r.ok, false);
  assert.equal(r.image.length, 0);
  const msgs = new Set(r.diagnostics.map((d) => d.message));
  assert.deepEqual([...msgs], ["undefined reference to `ext_value'"]);
  for (const d of r.diagnostics) assert.equal(d.origin.range.file, '/p.s');
});

test('values that do not fit their field are link errors', () => {
  const src = '\t.text\nlab:\t.fill 0x300, 1, 0\n\t.byte lab\n';
  const r = assemble(new MemoryFileSystem({ '/p.s': src }), '/p.s', { preprocess: false, textAddress: 0x8000n });
  assert.equal(r.ok, false);
  assert.match(r.diagnostics[0].message, /truncated/);
  assert.equal(r.diagnostics[0].origin.range.line, 2);
});

test('source map: address → origin with expansion stack, and line → every expansion\'s addresses', (t) => {
  if (!requireTools(t, ['as'])) return;
  const src = [
    '\t.macro twice v', // 0
    '\t.byte \\v', // 1
    '\t.byte \\v + 1', // 2
    '\t.endm', // 3
    '\t.text', // 4
    'start:\tnop', // 5
    '\ttwice 1', // 6
    '\ttwice 5', // 7
    '\t.rept 2', // 8
    '\t.word 0xabcd', // 9
    '\t.endr', // 10
    '',
  ].join('\n');
  const r = assemble(new MemoryFileSystem({ '/s.s': src }), '/s.s', { preprocess: false, textAddress: 0x1000n });
  assert.ok(r.ok, r.diagnostics.map((d) => d.message).join('\n'));
  assert.equal(hex(r.image), hex(gnuAssemble(src).sections.get('.text')));
  const sm = r.link.sourceMap;
  // Byte 0x1001 is `.byte \v` of the first expansion.
  const e = sm.at(0x1001)!;
  assert.equal(e.origin.range.line, 1);
  assert.equal(e.origin.expansion[0].kind, 'macro');
  assert.equal(e.origin.expansion[0].name, 'twice');
  assert.equal(e.origin.expansion[0].site.line, 6);
  assert.equal(sm.at(0x1004)!.origin.expansion[0].site.line, 7);
  // The body line maps to both expansions; call lines map to their own bytes.
  assert.deepEqual(sm.addressesFor('/s.s', 1), [0x1001, 0x1003]);
  assert.deepEqual(sm.addressesFor('/s.s', 2), [0x1002, 0x1004]);
  assert.deepEqual(sm.addressesFor('/s.s', 6), [0x1001, 0x1002]);
  assert.deepEqual(sm.addressesFor('/s.s', 9), [0x1005, 0x1007]);
  assert.deepEqual(sm.addressesFor('/s.s', 8), [0x1005, 0x1007]);
  assert.deepEqual(sm.addressesFor('/s.s', 5), [0x1000]);
  assert.equal(sm.at(0x1009), undefined);
  assert.equal(r.link.symbols.get('start')?.address, 0x1000n);
});

test('an undefined weak symbol links as zero, like GNU ld', (t) => {
  if (!requireTools(t, ['as', 'ld', 'objcopy', 'nm'])) return;
  const src = '\t.text\n\t.weak maybe\n\t.long maybe, maybe + 8\n\t.byte 1\n';
  const gnu = gnuLink(src, ['-Ttext=0x1000']);
  const r = assemble(new MemoryFileSystem({ '/w.s': src }), '/w.s', { preprocess: false, textAddress: 0x1000n });
  assert.deepEqual(r.diagnostics, []);
  assert.equal(hex(r.image), hex(gnu.image));
});

test('a reference keeps the .set definition current when it was written, as through GNU as and ld', (t) => {
  if (!requireTools(t, ['as', 'ld', 'objcopy', 'nm'])) return;
  // A macro-style running symbol: `.set cur, .` again and again, each `.long cur` meaning the place of its own time,
  // and a forward reference that meets the first definition after it.
  const src = '\t.text\n\t.long fwd\n\t.set fwd, 5\n\t.set fwd, 6\n\t.long fwd\n' +
    'L1: .byte 1\nL2: .byte 2\n\t.set cur, L1\n\t.long cur\n\t.set cur, L2\n\t.long cur\n\t.set cur, .\n\t.quad cur, cur - L1\n\t.set cur, .\n\t.long cur\n';
  const gnu = gnuLink(src, ['-Ttext=0x1000']);
  const r = assemble(new MemoryFileSystem({ '/s.s': src }), '/s.s', { preprocess: false, textAddress: 0x1000n });
  assert.deepEqual(r.diagnostics.map((d) => d.message), []);
  assert.equal(hex(r.image), hex(gnu.image));
});

const ALTERNATIVES = `
	.text
	.code64
	.macro ALT old, new, feature
140:
	\\old
141:
	.skip -(((144f-143f)-(141b-140b)) > 0) * ((144f-143f)-(141b-140b)),0x90
142:
	.pushsection .altinstructions,"a"
	.long 140b - .
	.long 143f - .
	.word \\feature
	.byte 142b-140b
	.byte 144f-143f
	.popsection
	.pushsection .altinstr_replacement,"ax"
143:
	\\new
144:
	.popsection
	.endm
start:
	ALT "nop", "lfence; rdtsc", 5
	ALT "xorl %eax, %eax", "nop", 7
	jmp start
	.pushsection __ex_table, "a"
	.balign 4
	.long start - ., 142b - .
	.popsection
`;

test('kernel-style alternatives (cross-section `sym - .`, sized .skip, push/popsection) link like GNU ld', (t) => {
  if (!requireTools(t, ['as', 'ld', 'objcopy', 'nm'])) return;
  const script = `SECTIONS {
  . = 0x2000;
  .text : { *(.text) }
  .altinstr_replacement : { *(.altinstr_replacement) }
  .altinstructions : { *(.altinstructions) }
  __ex_table : { *(__ex_table) }
}`;
  const gnu = gnuLink(ALTERNATIVES, [], script);
  const r = assemble(new MemoryFileSystem({ '/alt.s': ALTERNATIVES }), '/alt.s', { preprocess: false, script: { path: '/l.ld', text: script } });
  assert.deepEqual(r.diagnostics.map((d) => d.message), []);
  assert.equal(hex(r.image), hex(gnu.image));
  // And before linking, the object-level bytes equal as's (relocated fields are zero in both).
  const obj = gnuAssemble(ALTERNATIVES);
  const a = analyze(new MemoryFileSystem({ '/alt.s': ALTERNATIVES }), '/alt.s', { preprocess: false });
  for (const [name, bytes] of obj.sections) {
    if (name.startsWith('.note')) continue;
    assert.equal(hex(a.sections.find((s) => s.name === name)?.bytes ?? new Uint8Array(0)), hex(bytes), name);
  }
});

test('source map round trip on the seed: every statement\'s bytes map back to it, and its line maps to its address', (t) => {
  const seed = resolve(__dirname, '../../../shared/seeds/trampoline_64_bsp.S');
  if (!existsSync(seed)) {
    if (process.env.CI) assert.fail('seed missing');
    t.skip('seed missing');
    return;
  }
  const r = assemble(new DiskFileSystem(), seed, { textAddress: 0x8000n });
  assert.ok(r.ok, r.diagnostics.map((d) => d.message).join('\n'));
  const sm = r.link.sourceMap;
  const placed = new Map(r.link.sections.map((s) => [s.name, s.address]));
  let checked = 0;
  r.analysis.statements.forEach((st, index) => {
    if (st.offset === undefined || !st.size) return;
    const address = placed.get(st.section)! + st.offset;
    for (const a of [address, address + st.size - 1]) assert.equal(sm.at(a)?.statement, index, `${st.text} at 0x${a.toString(16)}`);
    assert.ok(sm.addressesFor(st.origin.range.file, st.origin.range.line).includes(address), st.text);
    checked++;
  });
  assert.ok(checked > 100);
  // Every byte of the image belongs to some statement.
  for (let a = r.base; a < r.base + r.image.length; a += 97) assert.ok(sm.at(a), `0x${a.toString(16)}`);
});
