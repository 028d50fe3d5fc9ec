// Which instruction family the bytes at an offset start, judged from the opcode bytes alone (not from anyone's
// output): the table leaves x87 arithmetic, MMX/SSE and VEX/EVEX/XOP out, so random streams that land there are
// counted apart. Everything else objdump decodes must read the same from us.
import type { CodeMode } from '../../isa/mode';

export type Family = 'x87' | 'mmx-sse' | 'vex';

const legacyPrefix = new Set([0x66, 0x67, 0xf0, 0xf2, 0xf3, 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65]);

/** Two-byte-map (0f xx) opcodes of MMX, SSE and 3DNow! (Intel SDM vol. 2 appendix A, AMD 3DNow! manual). */
function sseTwoByte(op: number, prefixes: Set<number>): boolean {
  if (op === 0x0e || op === 0x0f) return true; // femms, 3DNow!
  if (op >= 0x10 && op <= 0x17) return true;
  if (op >= 0x28 && op <= 0x2f) return true;
  if (op >= 0x50 && op <= 0x76) return true;
  // 0f 78/79 are VMREAD/VMWRITE without a prefix, SSE4a EXTRQ/INSERTQ with 66/f2.
  if (op === 0x78 || op === 0x79) return prefixes.has(0x66) || prefixes.has(0xf2);
  if (op >= 0x7c && op <= 0x7f) return true;
  if (op === 0xc2 || (op >= 0xc4 && op <= 0xc6)) return true;
  return op >= 0xd0 && op <= 0xfe;
}

/** The family of the instruction at `p`, or undefined for general-purpose and system opcodes. */
export function familyAt(bytes: Uint8Array, p: number, mode: CodeMode): Family | undefined {
  const prefixes = new Set<number>();
  let i = p;
  // Prefixes, REX, and fwait (objdump joins 9b with the x87 instruction after it).
  while (i < bytes.length && i - p < 15) {
    const b = bytes[i];
    if (legacyPrefix.has(b) || b === 0x9b || (mode === 64 && (b & 0xf0) === 0x40)) {
      prefixes.add(b);
      i++;
    } else break;
  }
  const op = bytes[i];
  const next = bytes[i + 1];
  if (op === undefined) return undefined;
  if (op >= 0xd8 && op <= 0xdf) return 'x87';
  if (prefixes.has(0x9b)) return undefined;
  if (op === 0x0f && next !== undefined) {
    if (next === 0x38) {
      const third = bytes[i + 2];
      // 0f 38 00–7f and c0–ef hold SSSE3/SSE4/SHA/AES/GFNI; 80–bf and f0–ff are general-purpose and system.
      return third !== undefined && (third < 0x80 || (third >= 0xc0 && third < 0xf0)) ? 'mmx-sse' : undefined;
    }
    if (next === 0x3a) return 'mmx-sse';
    return sseTwoByte(next, prefixes) ? 'mmx-sse' : undefined;
  }
  if (next === undefined) return undefined;
  // VEX (c4/c5) and EVEX (62): always in 64-bit code, elsewhere when the next byte could not be a memory ModRM.
  if (op === 0xc4 || op === 0xc5 || op === 0x62) return mode === 64 || next >> 6 === 3 ? 'vex' : undefined;
  // AMD XOP: 8f with a map_select field of 8 or more (POP r/m has ModRM.reg = 0 there).
  if (op === 0x8f && (next & 0x1f) >= 8) return 'vex';
  return undefined;
}
