// Every register name the assembler recognises, with its class, number and size. Encoder, decoder, disassembler
// and completion all read this one list.
import type { CodeMode } from './mode';

export type RegisterClass =
  | 'gpr8' | 'gpr16' | 'gpr32' | 'gpr64'
  | 'seg' | 'cr' | 'dr' | 'ip' | 'st' | 'mm' | 'xmm';

export interface RegisterInfo {
  name: string;
  cls: RegisterClass;
  /** Encoding number 0–15 (ModRM/SIB/REX bits); for ah/ch/dh/bh it is 4–7 like the hardware. */
  num: number;
  /** Width in bits (0 for st/mm/xmm where the encoder does not size by them). */
  bits: number;
  /** Needs a REX prefix to name it: r8–r15 in any width, spl/bpl/sil/dil, cr8. Not encodable outside .code64. */
  rex: boolean;
  /** ah/ch/dh/bh: the same numbers mean spl..dil once a REX prefix is present, so they cannot be combined with one. */
  highByte: boolean;
  /** One-line description for hovers and completion. */
  doc: string;
}

const list: RegisterInfo[] = [];
function add(name: string, cls: RegisterClass, num: number, bits: number, doc: string, highByte = false): void {
  const rex = num >= 8 || (cls === 'gpr8' && num >= 4 && !highByte);
  list.push({ name, cls, num, bits, rex, highByte, doc });
}

const legacy16 = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di'];
const roles = ['accumulator', 'counter', 'data', 'base', 'stack pointer', 'frame pointer', 'source index', 'destination index'];
['al', 'cl', 'dl', 'bl'].forEach((n, i) => add(n, 'gpr8', i, 8, `low byte of the ${roles[i]}`));
['ah', 'ch', 'dh', 'bh'].forEach((n, i) => add(n, 'gpr8', i + 4, 8, `high byte (bits 15:8) of the ${roles[i]}; not usable with a REX prefix`, true));
['spl', 'bpl', 'sil', 'dil'].forEach((n, i) => add(n, 'gpr8', i + 4, 8, `low byte of the ${roles[i + 4]} (64-bit mode, needs REX)`));
legacy16.forEach((n, i) => add(n, 'gpr16', i, 16, `16-bit ${roles[i]}`));
legacy16.forEach((n, i) => add('e' + n, 'gpr32', i, 32, `32-bit ${roles[i]}`));
legacy16.forEach((n, i) => add('r' + n, 'gpr64', i, 64, `64-bit ${roles[i]}`));
for (let i = 8; i < 16; i++) {
  add(`r${i}b`, 'gpr8', i, 8, `low byte of r${i}`);
  add(`r${i}w`, 'gpr16', i, 16, `low 16 bits of r${i}`);
  add(`r${i}d`, 'gpr32', i, 32, `low 32 bits of r${i}`);
  add(`r${i}`, 'gpr64', i, 64, `64-bit general register r${i}`);
}
['es', 'cs', 'ss', 'ds', 'fs', 'gs'].forEach((n, i) => add(n, 'seg', i, 16, `segment register ${n.toUpperCase()}`));
const crDocs: Record<number, string> = {
  0: 'control register 0: PE, MP, EM, TS, ET, NE, WP, AM, NW, CD, PG',
  2: 'control register 2: the linear address of the last page fault',
  3: 'control register 3: page-table root (PML4/PML5 or PDPT/PD) with PCD/PWT or PCID',
  4: 'control register 4: architecture extensions (PAE, PGE, LA57, PCIDE, OSFXSR, …)',
  8: 'control register 8: task priority (TPR bits 3:0), 64-bit mode only',
};
for (const n of [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]) add(`cr${n}`, 'cr', n, 0, crDocs[n] ?? `control register ${n} (reserved)`);
for (let n = 0; n < 16; n++) add(`db${n}`, 'dr', n, 0, n < 4 ? `debug register ${n}: breakpoint linear address` : n === 6 ? 'debug register 6: debug status' : n === 7 ? 'debug register 7: breakpoint control' : `debug register ${n}`);
add('rip', 'ip', 0, 64, 'instruction pointer (64-bit), usable as a RIP-relative base');
add('eip', 'ip', 0, 32, 'instruction pointer (32-bit), usable as an EIP-relative base with addr32');
add('st', 'st', 0, 0, 'x87 stack top');
for (let n = 0; n < 8; n++) add(`st(${n})`, 'st', n, 0, `x87 stack register ${n}`);
for (let n = 0; n < 8; n++) add(`mm${n}`, 'mm', n, 0, `MMX register ${n}`);
for (let n = 0; n < 16; n++) add(`xmm${n}`, 'xmm', n, 0, `SSE register ${n}`);

export const registers: readonly RegisterInfo[] = list;
const byName = new Map<string, RegisterInfo>(list.map((r) => [r.name, r]));

/** Looks up a register by name (without '%', any case); `dr7` is accepted as `db7`, `st(0)` with spaces too. */
export function lookupRegister(name: string): RegisterInfo | undefined {
  const direct = byName.get(name);
  if (direct) return direct;
  let n = name.toLowerCase().replace(/\s+/g, '');
  if (/^dr\d+$/.test(n)) n = 'db' + n.slice(2);
  return byName.get(n);
}

/** General registers indexed by [size class][number] for the decoder and disassembler. */
export const gprNames: Record<8 | 16 | 32 | 64, string[]> = {
  8: ['al', 'cl', 'dl', 'bl', 'spl', 'bpl', 'sil', 'dil', 'r8b', 'r9b', 'r10b', 'r11b', 'r12b', 'r13b', 'r14b', 'r15b'],
  16: [...legacy16, 'r8w', 'r9w', 'r10w', 'r11w', 'r12w', 'r13w', 'r14w', 'r15w'],
  32: [...legacy16.map((n) => 'e' + n), 'r8d', 'r9d', 'r10d', 'r11d', 'r12d', 'r13d', 'r14d', 'r15d'],
  64: [...legacy16.map((n) => 'r' + n), 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'],
};
/** Byte registers 4–7 without REX. */
export const highByteNames = ['ah', 'ch', 'dh', 'bh'];
export const segNames = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'];

export function gprBits(r: RegisterInfo): 8 | 16 | 32 | 64 | 0 {
  return r.cls === 'gpr8' ? 8 : r.cls === 'gpr16' ? 16 : r.cls === 'gpr32' ? 32 : r.cls === 'gpr64' ? 64 : 0;
}

/** Whether the register can be named at all in this code mode (REX registers and 64-bit ones only in .code64). */
export function registerAvailable(r: RegisterInfo, mode: CodeMode): boolean {
  if (mode === 64) return true;
  if (r.rex || r.cls === 'gpr64') return false;
  if (r.cls === 'ip') return false;
  return true;
}
