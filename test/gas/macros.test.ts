// The GAS macro engine on macros built like the ones in the seed posts (a lock-and-load-stack macro with
// lock_pa/lock_rip defaults and a save-and-switch-CR3 macro with :req parameters and %r\reg concatenation),
// checked against GNU as 2.40 (bytes and messages) and for the front end's own model (branches, \@ labels, 2f).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, MemoryFileSystem, type Analysis } from '../../gas/index';
import { gnuAssemble, hex, requireTools } from './toolchain';

function ours(source: string): Analysis {
  return analyze(new MemoryFileSystem({ '/m.s': source }), '/m.s', { preprocess: false });
}

const errorsOf = (a: Analysis) => a.diagnostics.filter((d) => d.severity === 'error');

const LOCK_MACRO = `
	.macro LOCK_STACK lock_pa=0 lock_rip=0
.Lspin\\@:
	.if \\lock_pa
	lock btsl $0, pa_lock
	.elseif \\lock_rip
	lock btsl $0, tr_lock(%rip)
	.else
	lock btsl $0, tr_lock
	.endif
	jnc 2f
	pause
	jmp .Lspin\\@
2:	.byte \\@
	.endm
`;

const LOCK_USES = `${LOCK_MACRO}
	.text
	.code32
	LOCK_STACK lock_pa=1
	.code64
	LOCK_STACK lock_rip=1
	.code16
	LOCK_STACK
	.data
tr_lock: .long 0
`;

test('lock macro: lock_pa=1, lock_rip=1 and defaults give GNU as bytes', (t) => {
  if (!requireTools(t, ['as'])) return;
  const gnu = gnuAssemble(LOCK_USES);
  assert.ok(gnu.ok, gnu.messages.join('\n'));
  const a = ours(LOCK_USES);
  assert.deepEqual(errorsOf(a), []);
  const text = a.sections.find((s) => s.name === '.text')!;
  assert.equal(hex(text.bytes), hex(gnu.sections.get('.text')));
});

test('lock macro: each expansion takes its own .if branch, gets a fresh \\@ label and its own 2f', () => {
  const a = ours(LOCK_USES);
  const locks = a.statements.filter((s) => s.kind === 'instruction' && s.name === 'lock');
  assert.deepEqual(
    locks.map((s) => s.text.replace(/\s+/g, ' ')),
    ['lock btsl $0, pa_lock', 'lock btsl $0, tr_lock(%rip)', 'lock btsl $0, tr_lock'],
  );
  // \@ counts macro expansions from 0, so the three labels are .Lspin0/1/2, all in .text, at different places.
  const spins = [0, 1, 2].map((n) => a.symbols.get(`.Lspin${n}`));
  for (const s of spins) assert.equal(s?.section, '.text');
  assert.equal(new Set(spins.map((s) => s!.value)).size, 3);
  // Each `jnc 2f` lands on the `2:` of its own expansion: the byte there is that expansion's \@.
  const text = a.sections.find((s) => s.name === '.text')!.bytes;
  const jncs = a.statements.filter((s) => s.name === 'jnc');
  assert.equal(jncs.length, 3);
  jncs.forEach((j, n) => {
    assert.equal(j.size, 2, 'short jnc');
    const target = j.offset! + 2 + (text[j.offset! + 1] << 24 >> 24);
    assert.equal(text[target], n, `2f of expansion ${n}`);
  });
  // Every statement of an expansion carries the macro call site in its expansion stack.
  for (const s of locks) {
    assert.equal(s.origin.expansion[0].kind, 'macro');
    assert.equal(s.origin.expansion[0].name, 'LOCK_STACK');
  }
  assert.equal(a.macros.get('lock_stack')!.calls.length, 3);
});

const CR3_MACRO = `
MASK = 0x1000
	.macro SAVE_SWITCH_CR3 scratch_reg:req save_reg:req
	movq %cr3, %r\\scratch_reg
	movq %r\\scratch_reg, \\save_reg
	testq $(MASK), %r\\scratch_reg
	jz .Ldone_\\@
	andq $(~MASK), %r\\scratch_reg
	movq %r\\scratch_reg, %cr3
.Ldone_\\@:
	.endm
	.text
	.code64
	SAVE_SWITCH_CR3 scratch_reg=ax save_reg=%r14
	SAVE_SWITCH_CR3 scratch_reg=12, save_reg=%r15
	SAVE_SWITCH_CR3 bx %r13
`;

test('CR3 macro: %r\\scratch_reg concatenation and keyword/positional calls match GNU as', (t) => {
  if (!requireTools(t, ['as'])) return;
  const gnu = gnuAssemble(CR3_MACRO);
  assert.ok(gnu.ok, gnu.messages.join('\n'));
  const a = ours(CR3_MACRO);
  assert.deepEqual(errorsOf(a), []);
  assert.equal(hex(a.sections.find((s) => s.name === '.text')!.bytes), hex(gnu.sections.get('.text')));
  const movs = a.statements.filter((s) => s.name === 'movq').map((s) => s.text);
  assert.ok(movs.includes('movq %cr3, %rax'));
  assert.ok(movs.includes('movq %rax, %r14'));
  assert.ok(movs.includes('movq %r12, %cr3'));
});

test('CR3 macro: a missing :req argument is GNU as\'s error, on the call line', (t) => {
  if (!requireTools(t, ['as'])) return;
  const src = CR3_MACRO + '\tSAVE_SWITCH_CR3 scratch_reg=ax\n';
  const line = src.split('\n').length - 1;
  const gnu = gnuAssemble(src);
  assert.ok(!gnu.ok);
  const a = ours(src);
  const errs = errorsOf(a);
  assert.ok(errs.length >= 1);
  const gnuErr = gnu.messages.find((m) => m.includes('Missing value'))!;
  assert.ok(gnuErr, gnu.messages.join('\n'));
  assert.equal(`${errs[0].origin.range.line + 1}: Error: ${errs[0].message}`, gnuErr);
  assert.equal(errs[0].origin.range.line + 1, line);
});

test('macro argument errors use GNU as wording', (t) => {
  if (!requireTools(t, ['as'])) return;
  const cases = [
    '.macro m a\n.byte \\a\n.endm\nm 1, 2\n',
    '.macro m a\n.byte \\a\n.endm\nm b=1\n',
    '.macro m a b\n.byte \\a\n.endm\nm a=1 2\n',
  ];
  for (const src of cases) {
    const gnu = gnuAssemble(src);
    const a = ours(src);
    const mine = errorsOf(a).map((d) => `${d.origin.range.line + 1}: Error: ${d.message}`);
    const theirs = gnu.messages.filter((m) => m.includes('Error'));
    assert.deepEqual(mine, theirs, src);
  }
});

test('runaway macro recursion stops with GNU\'s "macros nested too deeply"', () => {
  const a = ours('.macro inf\ninf\n.endm\ninf\n.byte 1\n');
  const errs = errorsOf(a);
  assert.equal(errs.length, 1);
  assert.equal(errs[0].message, 'macros nested too deeply');
});

test('absurd .rept counts stop with a clear error instead of running away', () => {
  // The first is refused before expanding; the nested one when the (here lowered) line budget runs out.
  for (const src of ['.rept 100000000\n.byte 1\n.endr\n', '.rept 1000\n.rept 1000\n.rept 1000\n.byte 1\n.endr\n.endr\n.endr\n']) {
    const a = analyze(new MemoryFileSystem({ '/m.s': src }), '/m.s', { preprocess: false, maxExpandedLines: 50_000 });
    const errs = errorsOf(a);
    assert.equal(errs.length, 1, src);
    assert.match(errs[0].message, /expansion too large/);
  }
});

test('\\@ in .irp uses the current counter; .purgem allows redefinition; nested definitions work', (t) => {
  if (!requireTools(t, ['as'])) return;
  const src = `
	.data
	.macro m
	.byte \\@
	.endm
	m
	m
	.irp x, 1, 2
	.byte \\@, \\x
	.endr
	.macro outer name
	.macro \\name\\()_inner v
	.byte \\v + 0x40
	.endm
	.endm
	outer abc
	abc_inner 1
	.purgem m
	.macro m
	.byte 0x99
	.endm
	m
`;
  const gnu = gnuAssemble(src);
  assert.ok(gnu.ok, gnu.messages.join('\n'));
  const a = ours(src);
  assert.deepEqual(errorsOf(a), []);
  assert.equal(hex(a.sections.find((s) => s.name === '.data')!.bytes), hex(gnu.sections.get('.data')));
});
