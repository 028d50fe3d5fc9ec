// The random-operand lines of test/isa/random-operands.ts that GNU accepts, through our whole front end: one file
// per mode, each line followed by the label its `sym` now names (so branches relax short, data and displacement
// fields get fixups against the section), assembled by GNU as 2.40 (`as --64`) and by us. The .text bytes
// must be equal and neither side may report an error. The encoder differential checks the lines alone; this
// checks what the assembler around the encoder does with them (operand evaluation, relaxation, fixups).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, MemoryFileSystem } from '../../gas/index';
import { randomLines } from '../isa/random-operands';
import { gnuAssemble as gnuAssembleLines } from '../isa/gnu-oracle';
import { gnuAssemble, hex, requireTools } from './toolchain';

const SEEDS = [1, 2];
const LINES = 3000;

for (const mode of [16, 32, 64] as const) {
  test(`random instruction lines assemble like GNU as in .code${mode} (whole file, labels, relaxation)`, (t) => {
    if (!requireTools(t, ['as'])) return;
    for (const seed of SEEDS) {
      const lines = randomLines(seed, mode, LINES);
      const verdicts = gnuAssembleLines(lines, mode);
      const accepted = lines.filter((_, i) => !verdicts[i].error);
      const src = `.code${mode}\n` + accepted.map((l, k) => `${l.replace(/\bsym\b/g, `s${k}`)}\ns${k}:`).join('\n') + '\n';
      const gnu = gnuAssemble(src);
      assert.ok(gnu.ok, gnu.messages.slice(0, 5).join('\n'));
      const ours = analyze(new MemoryFileSystem({ '/random.s': src }), '/random.s', {});
      const errors = ours.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.origin.range.line + 1}: ${d.message}`);
      assert.deepEqual(errors.slice(0, 5), []);
      const mine = ours.sections.find((s) => s.name === '.text')?.bytes;
      const theirs = gnu.sections.get('.text');
      if (hex(mine) !== hex(theirs)) {
        let at = 0;
        while (mine && theirs && at < Math.min(mine.length, theirs.length) && mine[at] === theirs[at]) at++;
        const where = ours.statements.find((s) => s.offset !== undefined && s.offset <= at && at < s.offset + (s.size ?? 0));
        assert.fail(`seed ${seed}: .text differs at 0x${at.toString(16)} (${where?.text ?? '?'}): ours ${hex(mine?.slice(at, at + 12))} GNU ${hex(theirs?.slice(at, at + 12))}`);
      }
      console.log(`.code${mode} seed ${seed}: ${accepted.length} lines GNU accepts, .text ${theirs?.length} bytes, identical`);
    }
  });
}
