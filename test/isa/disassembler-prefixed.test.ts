// Prefix corners, deterministically: every fourth instruction of the encoder corpus, each behind one extra
// prefix byte (66 67 f0 f2 f3 and every segment; in 64-bit code also each REX kind before the opcode),
// disassembled by us and by objdump. That exercises unused and duplicated prefixes, mandatory-prefix families
// (a wrong prefix is another instruction or a (bad)), hints, notrack, HLE and REX placement far more densely
// than random bytes do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { disassemble } from '../../isa/disassembler';
import { gnuDisassemble, haveBinary } from './gnu-oracle';
import { corpusStream, normalise } from './disasm-differential';
import { familyAt } from './disassembler-families';

const skip = !haveBinary('objdump') && !process.env.CI ? 'objdump not installed' : false;
const PREFIXES = [0x66, 0x67, 0xf0, 0xf2, 0xf3, 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65];
const REX = [0x40, 0x41, 0x42, 0x44, 0x48, 0x4f];

function hexBytes(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
}

for (const mode of [16, 32, 64] as const) {
  test(`disassembler matches objdump on corpus instructions behind an extra prefix in .code${mode}`, { skip }, () => {
    const { bytes, sources } = corpusStream(mode);
    const starts = [...sources.keys()].sort((a, b) => a - b);
    // Pieces below 64 KiB so that 16-bit IP arithmetic agrees; nop pairs keep both sides in step.
    const pieces: number[][] = [[]];
    for (let k = 0; k < starts.length; k += 4) {
      const insn = Array.from(bytes.subarray(starts[k], k + 1 < starts.length ? starts[k + 1] : bytes.length));
      const variants = PREFIXES.map((p) => [p, ...insn]);
      // In 64-bit code also a REX byte right before the opcode (instructions that have none).
      let i = 0;
      while (i < insn.length && PREFIXES.includes(insn[i])) i++;
      if (mode === 64 && (insn[i] & 0xf0) !== 0x40) for (const r of REX) variants.push([...insn.slice(0, i), r, ...insn.slice(i)]);
      for (const v of variants) {
        if (pieces[pieces.length - 1].length > 60000) pieces.push([]);
        pieces[pieces.length - 1].push(0x90, 0x90, ...v);
      }
    }
    let passed = 0;
    let outside = 0;
    let resynchronising = 0;
    const failed: string[] = [];
    // A trailing nop: objdump does not list zero bytes at the end of a section.
    for (const piece of pieces.map((p) => Uint8Array.from([...p, 0x90]))) {
      const gnu = gnuDisassemble(piece, mode);
      const ours = new Map(disassemble(piece, mode).map((l) => [l.address, l]));
      // After an x87/SSE/VEX line of another length, lines are skipped until both sides start together again.
      let apart = false;
      gnu.forEach((g, k) => {
        const next = k + 1 < gnu.length ? gnu[k + 1].offset : piece.length;
        const o = ours.get(g.offset);
        const gt = normalise(g.text);
        if (o && normalise(o.text) === gt && o.length === next - g.offset) {
          passed++;
          apart = false;
        } else if (!o && apart) resynchronising++;
        else if (o && familyAt(piece, g.offset, mode)) {
          outside++;
          apart = o.length !== next - g.offset;
        } else failed.push(`${hexBytes(piece.subarray(g.offset, next))}: ours=${o ? `${normalise(o.text)} [${o.length}]` : '(no instruction starting here)'} objdump=${gt}`);
      });
    }
    console.log(`prefixed corpus .code${mode}: ${passed} passed, ${failed.length} failed, ${outside} outside the table, ${resynchronising} lines while resynchronising after those`);
    assert.ok(passed > 100000);
    assert.deepEqual(failed.slice(0, 15), []);
  });
}
