// Bit-level register and structure definitions: the single source for hovers, debugger views and the emulator's
// named constants. Positions follow the Intel SDM (vol. 3A) and AMD APM; the wording is this project's own.

/** One named field of a register or in-memory structure. */
export interface BitField {
  name: string;
  /** Least significant bit position. */
  lsb: number;
  /** Width in bits (1 for a flag). */
  width: number;
  /** One line saying what the field controls or reports. */
  meaning: string;
  /** Names for particular values of multi-bit fields (e.g. descriptor types). */
  values?: Readonly<Record<number, string>>;
}

export interface BitsDef {
  name: string;
  /** Total width in bits of the value the fields live in. */
  width: 16 | 32 | 64 | 128;
  meaning: string;
  fields: readonly BitField[];
}

/** A byte-offset layout in memory (TSS and similar). */
export interface LayoutField {
  name: string;
  offset: number;
  size: 1 | 2 | 4 | 8;
  meaning: string;
}

export interface LayoutDef {
  name: string;
  size: number;
  meaning: string;
  fields: readonly LayoutField[];
}

/** A field's value extracted from a register value. */
export interface DescribedField {
  name: string;
  lsb: number;
  width: number;
  /** Field value (fields are at most 52 bits wide, so a Number is exact). */
  value: number;
  /** The value's name when the definition has one. */
  valueName?: string;
  meaning: string;
}

/** Shorthand for a single-bit flag. */
export function flag(name: string, lsb: number, meaning: string): BitField {
  return { name, lsb, width: 1, meaning };
}

/** Shorthand for a multi-bit field. */
export function field(
  name: string,
  lsb: number,
  width: number,
  meaning: string,
  values?: Readonly<Record<number, string>>,
): BitField {
  return values ? { name, lsb, width, meaning, values } : { name, lsb, width, meaning };
}
