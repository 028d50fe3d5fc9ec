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
import { seededRandom } from '../seeded-random';

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

// The same lines with `sym` an equate defined just before (a constant the encoder sizes: disp8, imm8, short forms,
// or a constant GNU refuses) or just after (a forward value: full-width fields and fixups). .text must be equal
// and the same lines rejected (wording is the encoder differential's business).
const EQUATE_VALUES = ['0', '1', '4', '0x7f', '0x80', '-1', '-0x80', '0x1234', '0x12345678', '0x80000000'];

for (const mode of [16, 32, 64] as const) {
  test(`random instruction lines with equates before and after them assemble like GNU as in .code${mode}`, (t) => {
    if (!requireTools(t, ['as'])) return;
    const r = seededRandom(77 + mode);
    let lines = 0;
    for (const seed of SEEDS) {
      const candidates = randomLines(seed, mode, LINES).filter((l) => /\bsym\b/.test(l));
      const verdicts = gnuAssembleLines(candidates, mode);
      const body: string[] = [];
      candidates.filter((_, i) => !verdicts[i].error).forEach((l, k) => {
        const value = EQUATE_VALUES[Math.floor(r() * EQUATE_VALUES.length)];
        const before = r() < 0.5;
        if (before) body.push(`e${k} = ${value}`);
        body.push(l.replace(/\bsym\b/g, `e${k}`));
        if (!before) body.push(`e${k} = ${value}`);
        lines++;
      });
      const src = `.code${mode}\n` + body.join('\n') + '\n';
      const gnu = gnuAssemble(src, ['-Z']);
      const ours = analyze(new MemoryFileSystem({ '/eq.s': src }), '/eq.s', {});
      const errorLines = (xs: string[]) => [...new Set(xs)].sort((a, b) => Number(a) - Number(b));
      assert.deepEqual(
        errorLines(ours.diagnostics.filter((d) => d.severity === 'error').map((d) => String(d.origin.range.line + 1))),
        errorLines(gnu.messages.filter((m) => m.includes(': Error: ')).map((m) => m.split(':')[0])),
        `seed ${seed}: lines with errors`,
      );
      assert.equal(hex(ours.sections.find((s) => s.name === '.text')?.bytes), hex(gnu.sections.get('.text')), `seed ${seed}: .text`);
    }
    console.log(`.code${mode}: ${lines} lines with equates before or after, .text identical`);
  });
}
