// Structural checks on the table: ids are unique and stable in shape, every operation is documented, every
// mnemonic the table accepts is one GNU as knows (checked by assembling one plain use of each name).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forms, allMnemonics } from '../../isa/table';
import { undocumentedOperations, docForMnemonic, operationFlagMasks } from '../../isa/docs';
import { lookupRegister, registers } from '../../isa/registers';
import { gnuAssemble, haveBinary } from './gnu-oracle';

test('form ids are unique and every operation has documentation', () => {
  const ids = new Set(forms.map((f) => f.id));
  assert.equal(ids.size, forms.length);
  assert.deepEqual(undocumentedOperations(), []);
  assert.equal(docForMnemonic('movzbl')?.summary, 'Move with zero extension');
  assert.equal(docForMnemonic('jnz')?.summary, 'Jump if condition');
  assert.equal(docForMnemonic('lgdtl')?.summary, 'Load GDT register');
  // add writes all six arithmetic flags: OF SF ZF AF PF CF = bits 11 7 6 4 2 0.
  assert.equal(operationFlagMasks('add')?.written, 0x8d5);
  assert.equal(operationFlagMasks('adc')?.read, 0x1);
});

test('register names: REX byte registers, high bytes, debug spelling, control registers', () => {
  assert.equal(lookupRegister('SIL')?.rex, true);
  assert.equal(lookupRegister('ah')?.highByte, true);
  assert.equal(lookupRegister('dr7')?.name, 'db7');
  assert.equal(lookupRegister('cr8')?.num, 8);
  assert.equal(lookupRegister('r15b')?.cls, 'gpr8');
  assert.equal(lookupRegister('st(3)')?.cls, 'st');
  assert.ok(registers.length > 100);
});

test('every mnemonic spelling in the table is known to GNU as', { skip: !haveBinary('as') && !process.env.CI ? 'no as' : false }, () => {
  // GNU says "no such instruction" only for unknown names; any other complaint (operands) means it knows it.
  const names = allMnemonics();
  const results = gnuAssemble(names, 64);
  const r32 = gnuAssemble(names, 32);
  const unknown = names.filter((n, i) => /no such instruction/.test(results[i].error ?? '') && /no such instruction/.test(r32[i].error ?? ''));
  console.log(`${names.length} mnemonic spellings, ${unknown.length} unknown to GNU as`);
  assert.deepEqual(unknown, []);
});
