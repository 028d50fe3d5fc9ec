// Forms the encoder never emits (decode-only: REX.W far pointers, in/out with REX.W, MPX hint NOPs, PadLock
// without REP, 82 /n, shl /6, test /1, mov %tr, vmread/vmwrite, …) cannot go through the encoder round trip.
// Each is built here from its table entry — with a register and a memory ModRM, in every mode it exists in —
// and our disassembly of the bytes must equal objdump's. So must the forms whose REX.W the CPU ignores, and
// f3 REX.B 90 (xchg %r8 for the CPU, `rex.B pause` for objdump).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forms } from '../../isa/table';
import type { InstructionForm } from '../../isa/schema';
import { haveBinary } from './gnu-oracle';
import { compareDisassembly } from './disasm-differential';

const skip = !haveBinary('objdump') && !process.env.CI ? 'objdump not installed' : false;

/** Byte strings for one form: prefixes, opcode, ModRM variants and zero immediates. */
function encodings(f: InstructionForm, mode: 16 | 32 | 64): number[][] {
  const pre: number[] = [];
  if (f.mandatoryPrefix) pre.push(f.mandatoryPrefix);
  if (f.rexW) {
    if (mode !== 64) return [];
    pre.push(0x48);
  }
  const op = [...f.opcode];
  const modrms: number[] = [];
  if (f.modrm === 'fixed') modrms.push(f.modrmValue, ...(f.modrmReg ? [f.modrmValue | 3] : []));
  else if (f.modrm !== 'none') {
    const reg = f.modrm === 'digit' ? f.modrmValue : 1;
    const memOnly = f.operands.some((s) => s === 'm');
    const regOnly = f.operands.some((s) => s === 'rr' || s === 'rrn');
    if (!regOnly) modrms.push((reg << 3) | 3, 0x40 | (reg << 3) | 6); // (%esi) / (%bp) style with disp8
    if (!memOnly) modrms.push(0xc0 | (reg << 3) | 2);
  }
  const imm = [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88];
  const tail = f.operands.some((s) => /^(i|is8|i8|i16|i64|i64big|rel|rel8|fsel|foff|moffs)$/.test(s)) ? imm : [];
  if (f.modrm === 'none') return [[...pre, ...op, ...tail]];
  return modrms.map((m) => [...pre, ...op, m, ...((m & 0xc0) === 0x40 ? [0x10] : []), ...tail]);
}

for (const mode of [16, 32, 64] as const) {
  test(`decode-only forms disassemble like objdump in .code${mode}`, { skip }, () => {
    const chunks: number[] = [];
    const sources = new Map<number, string>();
    let n = 0;
    const extra: [string, number[]][] = [];
    if (mode === 64) {
      // Encodings whose meaning the decoder settled for the CPU but objdump prints its own way.
      for (const f of forms) {
        if (!f.ignoresRexW || f.encodeOnly) continue;
        for (const bytes of encodings(f, mode)) extra.push([f.id + ' + rex.W', [0x48, ...bytes]], [f.id + ' + 66 rex.W', [0x66, 0x48, ...bytes]]);
      }
      // 64-bit forms of size-neutral encodings (mov %sreg,%r64, sldt/str %r64, lgdt…) decode only behind REX.W,
      // which GNU as never writes there.
      for (const f of forms) {
        if (f.encodeOnly || f.rexW || f.osz !== 'none' || f.sizes.length !== 1 || f.sizes[0] !== 64) continue;
        for (const bytes of encodings(f, mode)) extra.push([f.id + ' + rex.W', [0x48, ...bytes]]);
      }
      extra.push(['f3 rex.B 90', [0xf3, 0x41, 0x90]], ['f3 rex.WB 90', [0xf3, 0x49, 0x90]], ['66 f3 rex.B 90', [0x66, 0xf3, 0x41, 0x90]]);
    }
    for (const [id, bytes] of extra) {
      sources.set(chunks.length, id);
      chunks.push(...bytes, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90);
      n++;
    }
    for (const f of forms) {
      if (!f.decodeOnly || (f.no64 && mode === 64) || (f.only64 && mode !== 64)) continue;
      for (const bytes of encodings(f, mode)) {
        sources.set(chunks.length, f.id);
        // nop separators keep both disassemblers on the same boundaries whatever the immediates were.
        chunks.push(...bytes, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90);
        n++;
      }
    }
    const r = compareDisassembly(Uint8Array.from(chunks), mode, sources);
    console.log(`decode-only .code${mode}: ${n} encodings, ${r.passed} lines agree, ${r.failed.length} differ`);
    assert.ok(n > 50);
    assert.deepEqual(r.failed.slice(0, 10), []);
  });
}
