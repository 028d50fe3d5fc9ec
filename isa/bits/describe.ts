// Turns a raw value into its named fields using a BitsDef (for hovers, the Variables view, trace output).
import type { BitField, BitsDef, DescribedField } from './types';

/** Accepts a Number (exact up to 2^53), a bigint, or a 64-bit value as {hi, lo} 32-bit halves. */
export type BitsValue = number | bigint | { hi: number; lo: number };

export function toBigInt(value: BitsValue): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || !Number.isInteger(value)) return 0n;
    return value < 0 ? BigInt.asUintN(64, BigInt(value)) : BigInt(value);
  }
  return (BigInt(value.hi >>> 0) << 32n) | BigInt(value.lo >>> 0);
}

/** Extracts one field. */
export function fieldValue(f: BitField, value: BitsValue): number {
  const v = toBigInt(value);
  return Number((v >> BigInt(f.lsb)) & ((1n << BigInt(f.width)) - 1n));
}

/** Every field of `def` with its value in `value`, in bit order. */
export function describeBits(def: BitsDef, value: BitsValue): DescribedField[] {
  const v = toBigInt(value);
  const out: DescribedField[] = [];
  for (const f of [...def.fields].sort((a, b) => a.lsb - b.lsb)) {
    const x = Number((v >> BigInt(f.lsb)) & ((1n << BigInt(f.width)) - 1n));
    const d: DescribedField = { name: f.name, lsb: f.lsb, width: f.width, value: x, meaning: f.meaning };
    const vn = f.values?.[x];
    if (vn !== undefined) d.valueName = vn;
    out.push(d);
  }
  return out;
}

/** Names of the single-bit flags that are set, e.g. `PE ET PG` (for compact trace output). */
export function setFlagNames(def: BitsDef, value: BitsValue): string[] {
  const v = toBigInt(value);
  return def.fields.filter((f) => f.width === 1 && ((v >> BigInt(f.lsb)) & 1n) === 1n).map((f) => f.name);
}

/** Finds a field by name, case-insensitively (`cr0.pg`, `eflags.if`). */
export function findField(def: BitsDef, name: string): BitField | undefined {
  const n = name.toLowerCase();
  return def.fields.find((f) => f.name.toLowerCase() === n);
}

/** The mask of a field as {hi, lo} halves (fields may sit above bit 31). */
export function fieldMask(f: BitField): { hi: number; lo: number } {
  const m = ((1n << BigInt(f.width)) - 1n) << BigInt(f.lsb);
  return { hi: Number((m >> 32n) & 0xffffffffn), lo: Number(m & 0xffffffffn) };
}
