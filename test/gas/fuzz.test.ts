// Robustness: random and mutated sources (truncated macros, unbalanced conditionals, garbage) never make the
// front end or the linker throw, and every diagnostic has a valid range inside the file it names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { assemble, MemoryFileSystem } from '../../gas/index';
import type { Diagnostic } from '../../gas/source';

const SNIPPETS = [
  '.macro m a=1 b:req c:vararg', '.endm', '.rept 3', '.endr', '.irp x, 1, 2', '.irpc c, abc', '.if 1', '.if x',
  '.elseif 0', '.else', '.endif', '.ifdef foo', '.ifc a,b', '.ifeqs "a","b"', '.exitm', '.purgem m', 'm 1, 2',
  'm b=3', '\\@', '\\a', '1:', '1b', '2f', 'foo:', 'foo = . + 4', '.set bar, foo - 1b', '.byte 1, 2, foo',
  '.word 0x12345', '.long bar', '.quad 1 << 70', '.octa 5', '.ascii "x', '.asciz "a\\"b"', '.fill 3, 8, -1',
  '.skip foo', '.space 1000000000000', '.org 0x10', '.org foo', '.balign 16', '.p2align 40', '.align 3',
  '.section .x, "ax"', '.pushsection .y', '.popsection', '.previous', '.text 2', '.data', '.bss', '.code16',
  '.code32', '.code64', '.globl foo', '.weak w', '.type foo, @function', '.size foo, . - foo', '.include "x.s"',
  '.incbin "b.bin", 1, 2', '.err', '.error "e"', '.warning "w"', '.print "p"', '.intel_syntax', '.cfi_startproc',
  'nop', 'jmp foo', 'jmp 1b', 'movl $1, %eax', 'lock btsl $0, foo(%rip)', 'ljmpl $8, $1f', '.equiv q, 1', 'q = 2',
  '.eqv r, r + 1', '.long r', ';', '#', '/*', '*/', '"', "'", '(', ')', ',', '\\()', '.end',
];

function checkDiagnostics(ds: Diagnostic[], files: Record<string, string>): void {
  for (const d of ds) {
    assert.equal(typeof d.message, 'string');
    assert.ok(d.message.length > 0);
    const r = d.origin.range;
    assert.ok(Number.isInteger(r.line) && Number.isInteger(r.column) && Number.isInteger(r.endLine) && Number.isInteger(r.endColumn));
    assert.ok(r.line >= 0 && r.column >= 0, JSON.stringify(r));
    assert.ok(r.endLine > r.line || (r.endLine === r.line && r.endColumn >= r.column), JSON.stringify(r));
    const text = files[r.file];
    if (text !== undefined) {
      const lines = text.split('\n');
      assert.ok(r.line < Math.max(1, lines.length), `line ${r.line} beyond ${r.file}: ${JSON.stringify(d)}`);
      assert.ok(r.column <= (lines[r.line] ?? '').length, `column beyond line end: ${JSON.stringify(d)}`);
    }
    for (const s of d.origin.expansion) assert.ok(s.site.line >= 0);
  }
}

function run(source: string): void {
  const files = { '/f.s': source, '/x.s': '.byte 1\n' };
  const fs = new MemoryFileSystem({ ...files, '/b.bin': new Uint8Array([1, 2, 3]) });
  const r = assemble(fs, '/f.s', { preprocess: false, maxExpandedLines: 20000, maxOutputBytes: 1 << 20 });
  checkDiagnostics(r.diagnostics, files);
}

test('random snippet programs never throw and give valid diagnostic ranges', () => {
  fc.assert(
    fc.property(fc.array(fc.array(fc.constantFrom(...SNIPPETS), { minLength: 1, maxLength: 3 }), { maxLength: 30 }), (lines) => {
      run(lines.map((l) => l.join(' ')).join('\n') + '\n');
    }),
    { numRuns: 1000 },
  );
});

const GOOD = `
	.macro LOCK lock_pa=0 lock_rip=0
.Lx\\@:
	.if \\lock_pa
	.byte 1
	.elseif \\lock_rip
	.byte 2
	.else
	.byte 3
	.endif
	.rept 2
	.byte \\@
	.endr
	.endm
	.data
1:	LOCK lock_pa=1
	LOCK
	.irp r, a, b
	.ascii "\\r"
	.endr
	.long 1b
`;

test('truncated and mutated versions of a valid program never throw', () => {
  fc.assert(
    fc.property(
      fc.nat({ max: GOOD.length }),
      fc.nat({ max: GOOD.length }),
      fc.string({ maxLength: 8 }),
      (cut, at, insert) => {
        run(GOOD.slice(0, cut));
        run(GOOD.slice(0, at) + insert + GOOD.slice(at));
        run(GOOD.slice(0, Math.min(at, cut)) + GOOD.slice(Math.max(at, cut)));
      },
    ),
    { numRuns: 300 },
  );
});

test('arbitrary text never throws', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), (s) => run(s)),
    { numRuns: 500 },
  );
});

test('pathologically deep or long expressions give a diagnostic, not a stack overflow', () => {
  for (const expr of ['('.repeat(20000) + '1' + ')'.repeat(20000), '-'.repeat(20000) + '1', Array(100000).fill('1').join('+')]) {
    const r = assemble(new MemoryFileSystem({ '/d.s': `.data\n.byte ${expr}\n.byte 5\n` }), '/d.s', { preprocess: false });
    assert.ok(r.diagnostics.some((d) => /too deeply nested|too complex/.test(d.message)), r.diagnostics.map((d) => d.message).join());
    assert.ok(!r.diagnostics.some((d) => d.code === 'internal'));
  }
});

test('a file that includes itself stops with a diagnostic', () => {
  const r = assemble(new MemoryFileSystem({ '/self.s': '.byte 1\n.include "self.s"\n' }), '/self.s', { preprocess: false });
  assert.ok(r.diagnostics.some((d) => /nested too deeply/.test(d.message)));
});

const CPP_SNIPPETS = ['#define X 1', '#define F(a, b) a + b', '#if X', '#else', '#endif', '#ifdef Y', '#include "x.s"', '#undef X', 'F(1, 2)', 'X', '.byte F(X, 3)', '/* c */', '// c', '#error e', '\\'];

test('random programs through the C preprocessor never throw and give valid ranges', () => {
  fc.assert(
    fc.property(
      fc.array(fc.array(fc.constantFrom(...SNIPPETS, ...CPP_SNIPPETS), { minLength: 1, maxLength: 3 }), { maxLength: 25 }),
      (lines) => {
        const src = lines.map((l) => (l[0].startsWith('#') ? l[0] : l.join(' '))).join('\n') + '\n';
        const files = { '/f.S': src, '/x.s': '.byte 1\n' };
        const r = assemble(new MemoryFileSystem(files), '/f.S', { maxExpandedLines: 20000, maxOutputBytes: 1 << 20 });
        checkDiagnostics(r.diagnostics, files);
      },
    ),
    { numRuns: 300 },
  );
});
