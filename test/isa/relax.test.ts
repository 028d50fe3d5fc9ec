// Branch forms the assembler chooses between: for every relaxable or short-only branch GNU as assembles a
// backward target 2 bytes away (short) and one 300 bytes ahead (near); our `relax.short` / `relax.near` (or
// the only encoding) with the displacement filled in must give the same bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseInstruction } from '../../isa/att-syntax';
import { encodeInstruction } from '../../isa/encoder';
import type { Encoding } from '../../isa/operand';
import { evaluateNumeric } from './numeric-eval';
import { gnuAssemble, haveBinary } from './gnu-oracle';

const skip = !haveBinary('as') && !process.env.CI ? 'GNU as not installed' : false;

const branches: Record<16 | 32 | 64, string[]> = {
  16: ['jmp', 'jne', 'jo', 'jg', 'call', 'loop', 'loope', 'loopne', 'jcxz', 'jecxz', 'callw', 'calll', 'addr32 loop', 'data32 jmp'],
  32: ['jmp', 'je', 'jb', 'jle', 'call', 'loop', 'jecxz', 'jcxz', 'callw', 'addr16 loop', 'data16 jne'],
  64: ['jmp', 'jne', 'js', 'call', 'callq', 'jmpq', 'loop', 'jrcxz', 'jecxz', 'addr32 loop'],
};

function fill(e: Encoding, target: number, at: number): number[] {
  const b = Array.from(e.bytes);
  for (const f of e.fixups) {
    let v = f.pcRelative ? target - (at + b.length) : target;
    for (let k = 0; k < f.size; k++) {
      b[f.offset + k] = ((v % 256) + 256) % 256;
      v = Math.floor(v / 256);
    }
  }
  return b;
}

for (const mode of [16, 32, 64] as const) {
  test(`short and near branch forms match GNU as in .code${mode}`, { skip }, () => {
    // Each case in its own line pair: `L: <branch> L` (2 bytes back) and `<branch> F; .skip 300; F:`.
    const src: string[] = [];
    for (const b of branches[mode]) {
      src.push(`0: ${b} 0b`);
      src.push(`${b} 1f`, '.skip 300', '1:');
    }
    const gnu = gnuAssemble(src, mode);
    let checked = 0;
    branches[mode].forEach((b, i) => {
      const p = parseInstruction(`${b} target`, 0, evaluateNumeric);
      assert.ok(p.ok);
      const r = encodeInstruction(p.instruction, mode);
      const back = gnu[i * 4];
      const fwd = gnu[i * 4 + 1];
      if (!r.ok) {
        assert.ok(back.error || fwd.error, `${b}: we reject (${r.message}) but GNU accepts`);
        return;
      }
      const short = r.relax?.short ?? r.encoding;
      const near = r.relax?.near ?? r.encoding;
      // Backward: target is the instruction itself.
      assert.deepEqual(fill(short.bytes.length <= near.bytes.length ? short : near, 0, 0), back.bytes, `${b} backward`);
      if (fwd.error) {
        // Short-only branches cannot reach: GNU reports it, and our only form is the short one.
        assert.equal(r.relax, undefined, `${b} has no near form`);
        assert.equal(near.bytes.length, short.bytes.length);
      } else {
        assert.deepEqual(fill(near, near.bytes.length + 300, 0), fwd.bytes, `${b} forward`);
      }
      checked++;
    });
    console.log(`.code${mode}: ${checked} branch mnemonics checked (short and near)`);
    assert.ok(checked >= 8);
  });
}
