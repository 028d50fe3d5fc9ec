// Hardening of the front end (gas/ `analyze` and `assemble`, what the language server, CLI and adapter call):
// hostile and odd inputs end in diagnostics within bounded time and memory and never throw. Where GNU `as` has an
// answer (line endings, non-ASCII text) our bytes must equal its bytes. HARDENING_LONG=1 runs larger samples.
import { test } from 'node:test';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import assert from 'node:assert/strict';
import { analyze, assemble, MemoryFileSystem, type FileSystem } from '../../gas/index';
import type { Diagnostic } from '../../gas/source';
import { gnuAssemble, hex, requireTools } from '../gas/toolchain';
import { generateAssembly } from '../../bench/workloads/big-assembly';
import { OverlayFileSystem } from '../../server/overlay-fs';
import { seededUint32 as rng } from '../seeded-random';

const LONG = process.env.HARDENING_LONG === '1';


/** Runs `assemble`, failing on a host exception or when it takes longer than `ms`; returns its diagnostics. */
function bounded(fs: FileSystem, path: string, ms: number, what: string): { diagnostics: Diagnostic[]; ok: boolean; image: Uint8Array } {
  const t0 = performance.now();
  let r: ReturnType<typeof assemble>;
  try {
    r = assemble(fs, path);
  } catch (e) {
    assert.fail(`${what}: the front end threw ${e instanceof Error ? e.stack : String(e)}`);
  }
  const took = performance.now() - t0;
  assert.ok(took < ms, `${what}: took ${took.toFixed(0)} ms (bound ${ms} ms)`);
  for (const d of r.diagnostics) {
    assert.ok(d.message.length > 0, `${what}: empty message`);
    const g = d.origin.range;
    assert.ok(g.line >= 0 && g.column >= 0 && (g.endLine > g.line || (g.endLine === g.line && g.endColumn >= g.column)), `${what}: bad range ${JSON.stringify(g)}`);
  }
  return { diagnostics: r.diagnostics, ok: r.ok, image: r.image };
}

const errorsOf = (ds: Diagnostic[]) => ds.filter((d) => d.severity === 'error').map((d) => d.message);

test('binary files opened as .S and .s end in diagnostics, never an exception', () => {
  const r = rng(0xb1a2);
  const files = LONG ? 40 : 8;
  let diagnostics = 0;
  for (let i = 0; i < files; i++) {
    const bytes = new Uint8Array(LONG ? 256 * 1024 : 32 * 1024);
    for (let k = 0; k < bytes.length; k++) bytes[k] = r() & 0xff;
    // Some files look like object files: an ELF header, runs of NULs and of 0xFF.
    if (i % 3 === 0) bytes.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0], 0);
    if (i % 4 === 1) bytes.fill(0, 100, 5000);
    const name = i % 2 ? `/w/bin${i}.S` : `/w/bin${i}.s`;
    const fs = new MemoryFileSystem({ [name]: bytes });
    const res = bounded(fs, name, 20_000, name);
    assert.ok(res.diagnostics.length > 0, `${name}: garbage gave no diagnostic`);
    diagnostics += res.diagnostics.length;
  }
  console.log(`${files} binary files, ${diagnostics} diagnostics`);
});

const LINES = [
  '        .code16',
  'start:  movw $0x1234, %ax  # comment é ü 日本',
  '1:      jmp 1b',
  '        .ascii "héllo wörld ✓"',
  '        .asciz "tab\\there"',
  'label_two:',
  '        .code64',
  '        movq $label_two, %rax',
  '/* block',
  ' comment ∑ */ nop',
  '        .byte 0xff, 1, 2',
];

/** The file as bytes on disk (UTF-8), read the way hosts read files: one char per byte. */
const asDiskText = (text: string) => Buffer.from(text, 'utf8').toString('latin1');

test('CRLF, mixed line endings and non-ASCII bytes assemble to GNU\'s bytes', (t) => {
  if (!requireTools(t, ['as'])) return;
  const variants: Record<string, string> = {
    lf: LINES.join('\n') + '\n',
    crlf: LINES.join('\r\n') + '\r\n',
    mixed: LINES.map((l, i) => l + ['\n', '\r\n', '\r\n', '\n'][i % 4]).join(''),
    'crlf, no final newline': LINES.join('\r\n'),
    'latin-1 byte outside UTF-8': LINES.join('\n').replace('héllo', 'h\xe9llo') + '\n',
  };
  for (const [name, text] of Object.entries(variants)) {
    const disk = name.startsWith('latin-1') ? text : asDiskText(text);
    const gnu = gnuAssemble(disk);
    assert.ok(gnu.ok, `${name}: GNU failed ${gnu.messages.join('; ')}`);
    const ours = assemble(new MemoryFileSystem({ '/w/a.s': disk }), '/w/a.s');
    assert.deepEqual(errorsOf(ours.diagnostics), [], name);
    const text16 = ours.analysis.sections.find((s) => s.name === '.text');
    assert.equal(hex(text16?.bytes), hex(gnu.sections.get('.text')), name);
  }
});

test('old Mac line endings (CR only) and a lone CR do not throw', () => {
  bounded(new MemoryFileSystem({ '/w/a.s': LINES.join('\r') + '\r' }), '/w/a.s', 5000, 'CR only');
  bounded(new MemoryFileSystem({ '/w/a.S': '#define X 1\r\r\n.byte X\r' }), '/w/a.S', 5000, 'cpp with CR');
});

// The language server hands gas the editor's text (UTF-16 code units) through its overlay file system, which
// passes on the UTF-8 bytes the saved file would hold: a string literal with characters above U+00FF then emits
// the bytes GNU emits for the saved file, and no label after it moves.
test('non-ASCII editor text (an unsaved buffer in the language server) gives GNU\'s bytes', (t) => {
  if (!requireTools(t, ['as'])) return;
  const text = LINES.join('\n') + '\n';
  const gnu = gnuAssemble(asDiskText(text));
  const overlay = new OverlayFileSystem();
  overlay.setBuffer('/w/a.s', text);
  const ours = assemble(overlay, '/w/a.s');
  assert.equal(hex(ours.analysis.sections.find((s) => s.name === '.text')?.bytes), hex(gnu.sections.get('.text')));
});

test('a 100 000-line file assembles to GNU-checked size within a bounded time', () => {
  const src = generateAssembly(100_000);
  const fs = new MemoryFileSystem({ '/w/big.S': src });
  const res = bounded(fs, '/w/big.S', 120_000, '100k lines');
  assert.deepEqual(errorsOf(res.diagnostics), []);
  // 303 418 bytes is what `gcc -E` + `as` + `ld -Ttext=0 --oformat=binary` make of this file (bench/assembler.bench.ts
  // checks every byte in each bench run).
  assert.equal(res.image.length, 303_418);
});

test('self-including files and include cycles stop with a diagnostic', () => {
  const cases: [string, Record<string, string>, string, RegExp][] = [
    ['.include of itself', { '/w/a.s': '.include "a.s"\nnop\n' }, '/w/a.s', /nested too deeply/],
    ['.include cycle', { '/w/a.s': 'nop\n.include "b.s"\n', '/w/b.s': '.include "a.s"\n' }, '/w/a.s', /nested too deeply/],
    ['#include of itself', { '/w/a.S': '#include "a.S"\nnop\n' }, '/w/a.S', /include/],
    ['#include cycle', { '/w/a.S': '#include "b.h"\n', '/w/b.h': '#include "c.h"\n', '/w/c.h': '#include "a.S"\n' }, '/w/a.S', /include/],
  ];
  for (const [name, files, path, expect] of cases) {
    const res = bounded(new MemoryFileSystem(files), path, 10_000, name);
    assert.ok(errorsOf(res.diagnostics).some((m) => expect.test(m)), `${name}: ${errorsOf(res.diagnostics).join('; ')}`);
  }
});

// GNU stops this at its open-file limit. Ours follows both includes at each of 100 levels: 2^100 files, no end
// and unbounded memory. Run in a child process with a timeout so the todo cannot hang the suite.
test('a file that includes itself twice stops within bounded time', () => {
  const script = `
    const { analyze, MemoryFileSystem } = require(${JSON.stringify(resolve(__dirname, '../../gas/index.ts'))});
    const r = analyze(new MemoryFileSystem({ '/w/a.s': '.include "a.s"\\n.include "a.s"\\n' }), '/w/a.s');
    process.stdout.write(String(r.diagnostics.length));`;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--max-old-space-size=1024', '--input-type=commonjs', '-e', script], { encoding: 'utf8', timeout: 15_000 });
  assert.equal(child.signal, null, 'did not finish within 15 s');
  assert.equal(child.status, 0, child.stderr.slice(-500));
  assert.ok(Number(child.stdout) > 0, 'no diagnostic');
});

test('macros that recurse forever stop with a diagnostic', () => {
  const cases: [string, string][] = [
    ['direct', '.macro m\n m\n.endm\n m\n'],
    ['with growing arguments', '.macro m x\n .byte \\x\n m "(\\x+1)"\n.endm\n m 0\n'],
    ['mutual', '.macro a\n b\n.endm\n.macro b\n a\n.endm\n a\n'],
    ['through .rept', '.macro m\n.rept 2\n m\n.endr\n.endm\n m\n'],
    ['through .irp', '.macro m\n.irp r, 1, 2\n m\n.endr\n.endm\n m\n'],
  ];
  for (const [name, src] of cases) {
    const res = bounded(new MemoryFileSystem({ '/w/a.s': src }), '/w/a.s', 15_000, name);
    assert.ok(errorsOf(res.diagnostics).length > 0, `${name}: no error`);
  }
});

test('huge repetitions and fills are refused with a diagnostic, without allocating them', () => {
  const cases: [string, string][] = [
    ['.rept 100000000', '.rept 100000000\nnop\n.endr\n'],
    ['.rept of a .fill', '.rept 100000000\n.fill 1000, 1, 0\n.endr\n'],
    ['.fill of 4 GiB', '.fill 0x100000000, 1, 0\n'],
    ['.fill of 8 GiB in quads', '.fill 0x40000000, 8, 0\n'],
    ['.skip of 8 GiB', '.skip 0x200000000\n'],
    ['.space of 1 TB', '.space 1000000000000\n'],
    ['.org past 4 GiB', 'nop\n.org 0x100000000\n'],
    ['.balign to 4 GiB (GNU: only the section alignment)', '.balign 0x100000000\n nop\n.fill 0x10000000, 1, 0\n'],
    ['.irpc of a long string', '.irpc c, ' + 'x'.repeat(2_000_000) + '\n.byte 1\n.endr\n'],
  ];
  const rss0 = process.memoryUsage().rss;
  for (const [name, src] of cases) {
    const res = bounded(new MemoryFileSystem({ '/w/a.s': src }), '/w/a.s', 15_000, name);
    assert.ok(errorsOf(res.diagnostics).length > 0, `${name}: no error`);
    const grown = process.memoryUsage().rss - rss0;
    assert.ok(grown < 1024 * 1024 * 1024, `${name}: resident memory grew by ${(grown / 1048576).toFixed(0)} MiB`);
  }
});

// Reading up to the 1 M line limit once took ~18 s and ~740 MB; it now takes under a second.
test('nested .rept whose product is huge stops quickly', () => {
  const rss0 = process.memoryUsage().rss;
  const res = bounded(new MemoryFileSystem({ '/w/a.s': '.rept 10000\n.rept 10000\nnop\n.endr\n.endr\n' }), '/w/a.s', 5_000, 'nested rept');
  assert.match(errorsOf(res.diagnostics).join('; '), /expansion too large/);
  const grown = process.memoryUsage().rss - rss0;
  assert.ok(grown < 1024 * 1024 * 1024, `resident memory grew by ${(grown / 1048576).toFixed(0)} MiB`);
});

test('.incbin of a missing, huge or out-of-range file ends in a diagnostic', () => {
  const huge = new Uint8Array(300 * 1024 * 1024); // larger than the output limit, not allocated twice
  const cases: [string, Record<string, string | Uint8Array>, RegExp][] = [
    ['missing', { '/w/a.s': '.incbin "nope.bin"\n' }, /not found|No such file/],
    ['huge', { '/w/a.s': '.incbin "big.bin"\n', '/w/big.bin': huge }, /too large/],
    ['huge, count past the end', { '/w/a.s': '.incbin "big.bin", 0, 0x7fffffffffff\n', '/w/big.bin': huge }, /./],
  ];
  for (const [name, files, expect] of cases) {
    const res = bounded(new MemoryFileSystem(files), '/w/a.s', 10_000, name);
    assert.ok(res.diagnostics.some((d) => expect.test(d.message)), `${name}: ${res.diagnostics.map((d) => d.message).join('; ')}`);
  }
  // A skip past the end is GNU's warning, and the rest of the file still assembles.
  const res = bounded(new MemoryFileSystem({ '/w/a.s': '.incbin "s.bin", 0x10000000000, 5\nnop\n', '/w/s.bin': new Uint8Array(16) }), '/w/a.s', 5000, 'skip');
  assert.ok(res.diagnostics.some((d) => /skip|invalid/.test(d.message)));
});

test('analyze (the language server\'s entry) on random mixtures of all of the above never throws', () => {
  const r = rng(0x5eed);
  const pieces = [
    '.include "a.s"', '#include "a.S"', '.macro m\n m\n.endm\n m', '.rept 100000000', '.endr', '.fill 0x100000000,1,0',
    '.incbin "nope"', '\r\n', '\r', '\0\xff\xfe', 'é✓日本', 'movl $1, %eax', '1: jmp 1b', '.code16', '.code64', '"',
    '/*', '#if 1', '#endif', '.if 1', '.endif', '#define X(a) X(a)', 'X(1)', '.ascii "\\', '.org 0x100000000',
  ];
  const runs = LONG ? 400 : 30;
  for (let i = 0; i < runs; i++) {
    const n = 1 + (r() % 12);
    const text = Array.from({ length: n }, () => pieces[r() % pieces.length]).join(r() % 2 ? '\n' : '\r\n');
    // Two self-includes make a 2^100 include tree (the todo test below); left out so the rest stays checkable.
    if ((text.match(/\.include/g) ?? []).length + (text.match(/#include/g) ?? []).length > 1) continue;
    const fs = new MemoryFileSystem({ '/w/a.S': text, '/w/a.s': text });
    for (const path of ['/w/a.S', '/w/a.s']) {
      if (process.env.HARDENING_TRACE) process.stderr.write(`${i} ${path} ${JSON.stringify(text)}\n`);
      const t0 = performance.now();
      try {
        analyze(fs, path);
      } catch (e) {
        assert.fail(`analyze threw on ${JSON.stringify(text)}: ${e instanceof Error ? e.stack : String(e)}`);
      }
      assert.ok(performance.now() - t0 < 15_000, `slow on ${JSON.stringify(text)}`);
    }
  }
});
