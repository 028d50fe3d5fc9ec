import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PREFIXES } from '../../isa/prefixes';
import { gnuAssemble, haveBinary } from './gnu-oracle';

// Each documented prefix byte is the one GNU as emits for that prefix word.
const haveAs = haveBinary('as');
if (!haveAs && process.env.CI) throw new Error('GNU as is required in CI');

// An instruction each prefix may stand before (as accepts these combinations in 64-bit code).
const carrier: Record<string, string> = {
  lock: 'addl %eax, (%rbx)', rep: 'movsb', repe: 'cmpsb', repz: 'cmpsb', repne: 'scasb', repnz: 'scasb',
  data16: 'nop', data32: 'nop', addr16: 'nop', addr32: 'nop', rex64: 'nop', rex: 'nop',
  cs: 'movl (%rbx), %eax', ds: 'movl (%rbx), %eax', es: 'movl (%rbx), %eax', fs: 'movl (%rbx), %eax',
  gs: 'movl (%rbx), %eax', ss: 'movl (%rbx), %eax', notrack: 'jmp *%rax', xacquire: 'lock addl %eax, (%rbx)',
  xrelease: 'lock addl %eax, (%rbx)', bnd: 'ret',
};

test('every prefix word documents the byte GNU as emits for it', { skip: !haveAs && 'as missing' }, () => {
  // Size overrides only make sense where they change the default (data32/addr32 in 16-bit code, addr16 in 32-bit);
  // GNU refuses the null segment prefixes (es, ss, cs, ds) as words in 64-bit code.
  const modeOf = (p: string): 16 | 32 | 64 => (p === 'data32' || p === 'addr32' ? 16 : p === 'addr16' || p === 'es' || p === 'ss' || p === 'cs' || p === 'ds' ? 32 : 64);
  for (const mode of [16, 32, 64] as const) {
    const names = [...PREFIXES.keys()].filter((p) => modeOf(p) === mode);
    const lines = names.map((p) => `${p} ${mode === 64 ? carrier[p] : mode === 32 && p !== 'addr16' ? 'movl (%ebx), %eax' : 'nop'}`);
    const out = gnuAssemble(lines, mode);
    names.forEach((p, i) => {
      const o = out[i];
      assert.ok(!o.error, `${lines[i]}: ${o.error}`);
      const first = o.bytes[0].toString(16).toUpperCase().padStart(2, '0');
      assert.equal(first, PREFIXES.get(p)!.byte, `${lines[i]} (.code${mode}) starts with ${first}`);
    });
  }
});
