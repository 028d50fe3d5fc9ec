// The grammar has no word lists of its own for instructions, but what it does classify must agree with isa/,
// the one x86 table: every isa register gets the matching register class, every isa prefix word is a prefix.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { registers, type RegisterClass } from '../../isa/registers';
import { prefixNames } from '../../isa/att-syntax';
import { tokenize } from './tokenize';

const CLASS_SCOPE: Record<RegisterClass, string> = {
  gpr8: 'general',
  gpr16: 'general',
  gpr32: 'general',
  gpr64: 'general',
  seg: 'segment',
  cr: 'control',
  dr: 'debug',
  ip: 'instruction-pointer',
  st: 'x87',
  mm: 'mmx',
  xmm: 'sse',
};

test('every isa/ register is scoped with its class', async () => {
  assert.ok(registers.length > 100);
  const text = registers.map((r) => ` movl %${r.name}, %eax`).join('\n');
  const lines = await tokenize(text);
  registers.forEach((r, i) => {
    const tok = lines[i]!.find((t) => t.start === 6);
    const want = `variable.other.register.${CLASS_SCOPE[r.cls]}.gas`;
    assert.ok(tok?.scopes.includes(want), `%${r.name}: want ${want}, got ${tok?.scopes.join(' ')}`);
  });
});

test('every isa/ prefix word before an instruction is scoped as a prefix', async () => {
  const names = [...prefixNames];
  assert.ok(names.includes('lock') && names.includes('rex64'));
  const lines = await tokenize(names.map((p) => ` ${p} movsb`).join('\n'));
  names.forEach((p, i) => {
    const prefix = lines[i]!.find((t) => t.start === 1);
    assert.ok(prefix?.scopes.some((s) => s.startsWith('keyword.mnemonic.prefix')), `${p}: ${prefix?.scopes.join(' ')}`);
    assert.equal(prefix?.text, p);
    const insn = lines[i]!.find((t) => t.text === 'movsb');
    assert.ok(insn?.scopes.includes('keyword.mnemonic.gas'), `${p} movsb: ${insn?.scopes.join(' ')}`);
  });
});
