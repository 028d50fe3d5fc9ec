// encode → decode → encode over the corpus: the decoder must find the same length and form, and encoding
// the decoded instruction again must give the same bytes (fixup fields compared by position only).
import { decodeInstruction, newDecoded } from '../../isa/decoder';
import { decodedToInput } from '../../isa/decoded-to-input';
import { encodeInstruction } from '../../isa/encoder';
import { formatInstruction } from '../../isa/disassembler';
import { ourEncode } from './differential';
import { generateCorpus } from './corpus';

const hex = (b: ArrayLike<number>): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

/**
 * Counts: `passed` gives identical bytes; `equivalent` gives a different but equally valid encoding that GNU as
 * would also pick for the decoded value (e.g. 81 with imm $0xffff in 16-bit code re-encodes as 83 with -1),
 * checked by identical disassembly.
 */
export function runRoundTrip(mode: 16 | 32 | 64): { passed: number; equivalent: number; failed: string[] } {
  const d = newDecoded();
  const d2 = newDecoded();
  let passed = 0;
  let equivalent = 0;
  const failed: string[] = [];
  for (const line of generateCorpus(mode)) {
    const first = ourEncode(line, mode);
    if (!first.bytes) continue;
    // A value GNU truncated with a warning keeps the long form its original value needed: not canonical.
    if (first.warning?.includes('shortened')) continue;
    // Fill fixup fields with values that keep their full width, so the decoded numbers re-encode the same way.
    const bytes = Uint8Array.from(first.bytes);
    const pattern = [0x78, 0x56, 0x34, 0x12, 0x67, 0x45, 0x23, 0x01];
    for (let k = 0, run = 0; k < bytes.length; k++) {
      if (!first.mask![k]) { run = 0; continue; }
      bytes[k] = pattern[run++ % 8];
    }
    for (const fx of first.fixups ?? []) {
      if (fx.size === 2) { bytes[fx.offset] = 0x34; bytes[fx.offset + 1] = 0x12; }
    }
    decodeInstruction((i) => (i < bytes.length ? bytes[i] : -1), 0, mode, d);
    if (!d.valid || d.length !== bytes.length) {
      failed.push(`${line}: ${hex(bytes)} decodes ${d.valid ? `to length ${d.length}` : 'as invalid'}`);
      continue;
    }
    const input = decodedToInput(d, 0x1000);
    // The corpus wrote branch targets as labels; a constant target is sized differently by GNU (`loop 0x1234`
    // is refused), so the decoded target goes back in as an unknown value, like the label it was.
    d.form?.operands.forEach((spec, i) => {
      const op = input?.operands[i];
      if ((spec === 'rel' || spec === 'rel8') && op?.kind === 'mem') op.disp = { known: false, value: 0n };
    });
    const again = input && encodeInstruction(input, mode);
    if (!again || !again.ok) {
      failed.push(`${line}: ${hex(bytes)} → ${JSON.stringify(input, (_, v) => (typeof v === 'bigint' ? v.toString() : v))} → ${again && !again.ok ? again.message : 'no input'}`);
      continue;
    }
    const candidates = again.relax ? [again.relax.short, again.relax.near] : [again.encoding];
    const same = candidates.some((e) => {
      if (e.bytes.length !== bytes.length) return false;
      const mask = Array.from(e.bytes, () => false);
      for (const f of e.fixups) for (let k = 0; k < f.size; k++) mask[f.offset + k] = true;
      return Array.from(e.bytes).every((x, k) => mask[k] || x === bytes[k]);
    });
    if (same) passed++;
    else if (sameText(bytes, again.encoding.bytes, mode, d, d2)) equivalent++;
    else failed.push(`${line}: ${hex(bytes)} → ${hex(again.encoding.bytes)} (${input!.mnemonic})`);
  }
  return { passed, equivalent, failed };
}

function sameText(a: Uint8Array, b: Uint8Array, mode: 16 | 32 | 64, da: ReturnType<typeof newDecoded>, db: ReturnType<typeof newDecoded>): boolean {
  decodeInstruction((i) => (i < a.length ? a[i] : -1), 0, mode, da);
  decodeInstruction((i) => (i < b.length ? b[i] : -1), 0, mode, db);
  return da.valid && db.valid && formatInstruction(da, 0).text === formatInstruction(db, 0).text;
}

if (process.argv[1]?.endsWith('/roundtrip.ts')) {
  const mode = Number(process.argv[2] ?? 32) as 16 | 32 | 64;
  const r = runRoundTrip(mode);
  for (const f of r.failed) process.stdout.write(f + '\n');
  process.stdout.write(`.code${mode}: ${r.passed} passed, ${r.equivalent} equivalent, ${r.failed.length} failed\n`);
}
