// Encodings by mode and operands. Source repeats the same instructions (macro bodies, `movl %eax, %cr0`,
// `jne 1f`…) and the encoder tries many forms per mnemonic, so a hit saves most of the encoding time. A value not
// known yet is a placeholder to the encoder (its fixup says which operand fills it), so `jmp foo` and `jmp bar`
// share one result, relaxation forms included. Successes without warnings are kept; the assembler copies their
// bytes out and only reads their fixups and relaxation forms.
//
// The key is a number hashed from the fields the encoder reads, and a hit is confirmed field by field: a key
// string would be built, flattened and hashed for every instruction, which cost more than the lookup saves.
import type { CodeMode } from '../isa/mode';
import type { EncodeResult, InstructionInput, Operand, Value } from '../isa/operand';

interface Entry {
  mode: CodeMode;
  mnemonic: string;
  prefixes: readonly string[];
  /** The operands of the input first encoded (operands are never modified once parsed). */
  operands: readonly Operand[];
  result: EncodeResult;
  /** The next entry with the same hash. */
  next: Entry | undefined;
}

export class EncodingCache {
  private readonly byHash = new Map<number, Entry>();
  private size = 0;

  constructor(private readonly capacity: number) {}

  get(input: InstructionInput, mode: CodeMode, hash: number): EncodeResult | undefined {
    for (let e = this.byHash.get(hash); e; e = e.next) if (sameInput(e, input, mode)) return e.result;
    return undefined;
  }

  set(input: InstructionInput, mode: CodeMode, hash: number, result: EncodeResult): void {
    if (this.size >= this.capacity) {
      this.byHash.clear();
      this.size = 0;
    }
    const prefixes = input.prefixes.length ? input.prefixes.slice() : input.prefixes;
    this.byHash.set(hash, { mode, mnemonic: input.mnemonic, prefixes, operands: input.operands, result, next: this.byHash.get(hash) });
    this.size++;
  }
}

/** The hash of everything the encoder reads from an input in a mode (sameInput decides equality). */
export function inputHash(input: InstructionInput, mode: CodeMode): number {
  let h = stringHash(mode, input.mnemonic);
  const prefixes = input.prefixes;
  for (let i = 0; i < prefixes.length; i++) h = stringHash(h, prefixes[i]);
  const operands = input.operands;
  for (let i = 0; i < operands.length; i++) {
    const o = operands[i];
    if (o.kind === 'reg') h = mix(stringHash(mix(h, o.indirect ? 11 : 1), o.reg), 0);
    else if (o.kind === 'imm') h = valueHash(mix(h, 2), o.value);
    else {
      h = mix(h, o.indirect ? 13 : 3);
      if (o.seg) h = stringHash(h, o.seg);
      if (o.disp) h = valueHash(h, o.disp);
      if (o.base) h = stringHash(h, o.base);
      h = mix(h, 5);
      if (o.index) h = stringHash(h, o.index);
      h = mix(h, o.scale);
    }
  }
  // Within V8's small-integer range, so the Map key is not a boxed number.
  return h & 0x3fffffff;
}

function mix(h: number, v: number): number {
  return Math.imul(h ^ v, 0x01000193);
}

function stringHash(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) h = mix(h, s.charCodeAt(i));
  return mix(h, 0x7f);
}

function valueHash(h: number, v: Value): number {
  // Exact equality is sameInput's job: the hash may fold bits of values past 2^53.
  const x = Number(v.value);
  return mix(mix(h, v.known ? 7 : 9), (x | 0) ^ ((x / 4294967296) | 0));
}

function sameValue(a: Value | undefined, b: Value | undefined): boolean {
  if (a === b) return true;
  return !!a && !!b && a.known === b.known && a.value === b.value;
}

function sameOperand(a: Operand, b: Operand): boolean {
  if (a === b) return true;
  if (a.kind === 'reg') return b.kind === 'reg' && a.reg === b.reg && !a.indirect === !b.indirect;
  if (a.kind === 'imm') return b.kind === 'imm' && sameValue(a.value, b.value);
  return (
    b.kind === 'mem' &&
    !a.indirect === !b.indirect &&
    (a.seg ?? '') === (b.seg ?? '') &&
    (a.base ?? '') === (b.base ?? '') &&
    (a.index ?? '') === (b.index ?? '') &&
    a.scale === b.scale &&
    sameValue(a.disp, b.disp)
  );
}

function sameInput(e: Entry, input: InstructionInput, mode: CodeMode): boolean {
  if (e.mode !== mode || e.mnemonic !== input.mnemonic) return false;
  const p = input.prefixes;
  if (e.prefixes.length !== p.length) return false;
  for (let i = 0; i < p.length; i++) if (e.prefixes[i] !== p[i]) return false;
  const o = input.operands;
  if (e.operands.length !== o.length) return false;
  for (let i = 0; i < o.length; i++) if (!sameOperand(e.operands[i], o[i])) return false;
  return true;
}
