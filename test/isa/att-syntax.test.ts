// The AT&T statement parser: prefixes, operand shapes and error columns. Expected bytes come from GNU as
// (each line below was assembled with `as` 2.40; the encoder differential test covers the rest).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseInstruction } from '../../isa/att-syntax';
import { encodeInstruction } from '../../isa/encoder';
import { evaluateNumeric } from './numeric-eval';
import { gnuAssemble, haveBinary } from './gnu-oracle';

const evaluate = (t: string) => evaluateNumeric(t);

test('splits prefixes from the mnemonic and parses every operand shape', () => {
  const r = parseInstruction('es lock addl $1, %fs:-8(%ebx,%esi,4)', 0, evaluate);
  assert.ok(r.ok);
  assert.equal(r.instruction.mnemonic, 'addl');
  assert.deepEqual(r.instruction.prefixes, ['es', 'lock']);
  assert.deepEqual(r.instruction.operands[1], { kind: 'mem', seg: 'fs', base: 'ebx', index: 'esi', scale: 4, disp: { known: true, value: -8n }, text: '-8(%ebx,%esi,4)' });
  const jmp = parseInstruction('ljmpl *(startup - base)(%esi)', 0, evaluate);
  assert.ok(jmp.ok);
  assert.deepEqual(jmp.instruction.operands[0], { kind: 'mem', base: 'esi', scale: 1, indirect: true, disp: { known: false, value: 0n }, text: '(startup - base)(%esi)' });
  const paren = parseInstruction('movl %eax, (tgdt + 2 - base)', 0, evaluate);
  assert.ok(paren.ok);
  assert.equal(paren.instruction.operands[1].kind, 'mem');
  assert.equal((paren.instruction.operands[1] as { disp?: { known: boolean } }).disp?.known, false);
  const spaced = parseInstruction('leal 0x1007 (%edi), %eax', 0, evaluate);
  assert.ok(spaced.ok);
  assert.deepEqual(spaced.instruction.operands[0], { kind: 'mem', base: 'edi', scale: 1, disp: { known: true, value: 0x1007n }, text: '0x1007 (%edi)' });
  const dr = parseInstruction('mov %dr7, %eax', 0, evaluate);
  assert.ok(dr.ok);
  assert.deepEqual(dr.instruction.operands[0], { kind: 'reg', reg: 'db7' });
  const far = parseInstruction('ljmp $0x10, $start', 0, evaluate);
  assert.ok(far.ok);
  assert.equal(far.instruction.operands.length, 2);
  const rip = parseInstruction('lock btsl $0, tr_lock(%rip)', 0, evaluate);
  assert.ok(rip.ok);
  assert.deepEqual(rip.instruction.operands[1], { kind: 'mem', base: 'rip', scale: 1, disp: { known: false, value: 0n }, text: 'tr_lock(%rip)' });
});

test('reports errors with the operand column range', () => {
  const bad = parseInstruction('movl %eax, %foo', 4, evaluate);
  assert.ok(!bad.ok);
  assert.equal(bad.message, "bad register name `%foo'");
  assert.deepEqual(bad.range, { start: 15, end: 19 });
  const scale = parseInstruction('lea (%eax,%ebx,3), %ecx', 0, evaluate);
  assert.ok(!scale.ok);
  assert.match(scale.message, /scale factor/);
  assert.deepEqual(scale.range, { start: 15, end: 16 });
  const expr = parseInstruction('movl $(1 +, %eax', 0, evaluate);
  assert.ok(!expr.ok);
  const r = parseInstruction('addl $1,  %eax', 10, evaluate);
  assert.ok(r.ok);
  assert.deepEqual(r.operandRanges, [{ start: 15, end: 17 }, { start: 20, end: 24 }]);
});

test('prefix-only statements and seed-style lines encode like GNU as', { skip: !haveBinary('as') && !process.env.CI ? 'no as' : false }, () => {
  const lines = ['rep', 'lock', 'cs', 'data32', 'movw $(0x100 - 0x10), %sp', 'movzx %ax, %esi', 'lidtl 0x40', 'lgdtl 0x48', 'lmsw %ax', 'ljmpl *(0x70 - 0x10)'];
  const gnu = gnuAssemble(lines, 16);
  lines.forEach((line, i) => {
    const p = parseInstruction(line, 0, evaluate);
    assert.ok(p.ok, line);
    const e = encodeInstruction(p.instruction, 16);
    assert.ok(e.ok, line);
    assert.deepEqual(Array.from(e.encoding.bytes), gnu[i].bytes, line);
  });
});

test('diagnostics use GNU as wording', { skip: !haveBinary('as') && !process.env.CI ? 'no as' : false }, () => {
  const cases: [string, 16 | 32 | 64][] = [
    ['movl %ax, %ebx', 32], ['movb %eax, %ebx', 32], ['movw %eax, %ebx', 64], ['mov %eax', 32], ['jmpl sym', 32], ['int $300', 32], ['mov (%eax,%esp), %eax', 32], ['pushl %eax', 64], ['pusha', 64], ['swapgs', 32], ['movl %ds, (%eax)', 32], ['foo %eax', 32],
    ['mov %ah, %sil', 64], ['addq $0x100000000, %rax', 64], ['push %eax', 64], ['inc %r8', 32], ['bound %ax, %bx', 32],
  ];
  for (const [line, mode] of cases) {
    const gnu = gnuAssemble([line], mode)[0];
    const p = parseInstruction(line, 0, evaluate);
    const ours = p.ok ? encodeInstruction(p.instruction, mode) : { ok: false as const, message: p.message };
    assert.ok(gnu.error, `GNU accepts ${line}`);
    assert.equal(ours.ok, false, line);
    if (!ours.ok) assert.equal(ours.message, gnu.error, line);
  }
});
