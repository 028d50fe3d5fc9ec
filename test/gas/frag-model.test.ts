// GNU as encodes each instruction once, with what it knows at that moment: a symbol difference is a constant
// only when both are defined and only fixed-size frags lie between them; forward references get full-size
// fields. Only relaxable branches are sized later. These sources exercise exactly that, in every code mode,
// and must come out byte-identical to `as --64`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, MemoryFileSystem } from '../../gas/index';
import { gnuAssemble, hex, requireTools } from './toolchain';

const CASES: Record<string, string> = {
  'backward difference in the same frag is a constant (disp8/imm8)': `
	.text
	.code32
a:	nop
	nop
b:	movl (b - a)(%esi), %eax
	addl $(b - a), %eax
	leal (b - a)(%esi), %edi
`,
  'forward references get full-size displacement and immediate': `
	.text
	.code32
a:	movl (b - a)(%esi), %eax
	addl $(b - a), %eax
	leal (b - a)(%esi), %edi
b:	nop
`,
  'an alignment between two labels makes their difference unknown while reading': `
	.text
	.code32
a:	nop
	.balign 4
b:	addl $(b - a), %eax
	movl (b - a)(%esi), %eax
`,
  'a relaxable branch between labels also ends the fixed frag': `
	.text
	.code64
a:	jmp 1f
1:	nop
b:	addq $(b - a), %rax
`,
  '.fill and data keep frags fixed': `
	.text
	.code16
a:	.fill 3, 1, 0x90
	.word 0
b:	addw $(b - a), %ax
	movw (b - a)(%si), %ax
`,
  'branches relax from short to near exactly where needed': `
	.text
	.code64
	jmp 2f
	jz 2f
	.fill 120, 1, 0x90
	jnz 1f
2:	nop
	.fill 130, 1, 0x90
1:	jmp 2b
	loop 1b
	jmp 3f
	.skip 200
3:	ret
`,
  '16-bit and 32-bit branches and far jumps': `
	.text
	.code16
1:	jmp 1b
	jmp 2f
	.fill 200, 1, 0x90
2:	ljmpl $0x10, $3f
	.code32
3:	jmp 1b
	call 3b
	jecxz 3b
`,
  'equates: absolute symbols bind at parse time, label equates follow their label': `
	.text
	.code64
base = .
	nop
	movl $(2f - base), %eax
val = 4
	addl $val, %eax
val = 0x1000
	addl $val, %eax
2:	movl $(2b - base), %ecx
`,
  'undefined and cross-section symbols use full-size forms': `
	.text
	.code64
	jmp elsewhere
	movl data_label, %eax
	addl $data_label, %eax
	jmp far_label
	.data
data_label: .long 0
	.section .other, "ax"
far_label: ret
`,
  '.nops in 16-bit code (jump over long runs)': `
	.text
	.code16
	.nops 1
	.nops 5
	.nops 15
	.nops 10, 4
	.nops 200
a:	movw $(b - a), %ax
b:	nop
`,
  '.nops in 64-bit code, then alignment and label differences across it': `
	.text
	.code64
a:	.nops 40
	.nops 10, 4
b:	addq $(b - a), %rax
	.nops 200
	.balign 64
	jmp a
`,
  'global symbols in the same section still relax (not a shared object)': `
	.text
	.code64
	.globl g
	jmp g
	nop
g:	ret
	.weak w
	jmp w
w:	ret
`,
};

test('frag model and relaxation agree with GNU as', (t) => {
  if (!requireTools(t, ['as'])) return;
  let bytes = 0;
  for (const [name, src] of Object.entries(CASES)) {
    const gnu = gnuAssemble(src);
    assert.ok(gnu.ok, `${name}: GNU rejects the case: ${gnu.messages.join('; ')}`);
    const a = analyze(new MemoryFileSystem({ '/f.s': src }), '/f.s', { preprocess: false });
    assert.deepEqual(a.diagnostics.filter((d) => d.severity !== 'info').map((d) => d.message), [], name);
    for (const [sec, b] of gnu.sections) {
      const mine = a.sections.find((s) => s.name === sec);
      assert.equal(hex(mine?.bytes ?? new Uint8Array(0)), hex(b), `${name}: ${sec}`);
      bytes += b.length;
    }
  }
  t.diagnostic(`${Object.keys(CASES).length} cases, ${bytes} bytes identical`);
});

test('a loop whose target is out of rel8 range is rejected like GNU as', (t) => {
  if (!requireTools(t, ['as'])) return;
  const src = '\t.text\n\t.code64\n1:\tnop\n\t.fill 200, 1, 0x90\n\tloop 1b\n';
  const gnu = gnuAssemble(src);
  assert.ok(!gnu.ok);
  const a = analyze(new MemoryFileSystem({ '/f.s': src }), '/f.s', { preprocess: false });
  const errs = a.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.origin.range.line + 1}: Error: ${d.message}`);
  assert.deepEqual(errs, gnu.messages.filter((m) => m.includes('Error')));
});

test('.code16gcc: stack operations default to 32 bits, with GNU\'s bytes and warnings', (t) => {
  if (!requireTools(t, ['as'])) return;
  const src = '\t.text\n\t.code16gcc\n\tpush $1\n\tpush %ax\n\tpush %eax\n\tpush %ds\n\tpop %es\n\tpush (%bx)\n\tcall f\n\tret\n\tpushf\n\tpopf\n\tleave\n\tenter $4,$0\nf:\tret $2\n\tiret\n\tlret\n\tmovw $1, %ax\n\tmov $1, %eax\n\tjmp f\n';
  const gnu = gnuAssemble(src);
  assert.ok(gnu.ok, gnu.messages.join('\n'));
  const a = analyze(new MemoryFileSystem({ '/g.s': src }), '/g.s', { preprocess: false });
  assert.deepEqual(a.diagnostics.map((d) => `${d.origin.range.line + 1}: ${d.severity === 'error' ? 'Error' : 'Warning'}: ${d.message}`), gnu.messages);
  assert.equal(hex(a.sections.find((s) => s.name === '.text')!.bytes), hex(gnu.sections.get('.text')));
});
