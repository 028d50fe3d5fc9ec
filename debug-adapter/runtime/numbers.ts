// Numbers as users write them in launch configurations and the Debug Console: 0x1f, 0b101, 0o17, 123, 4K, 1M.

/** Parses a non-negative integer (number or string); undefined when it is not one. */
export function parseNumber(value: unknown): bigint | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? BigInt(value) : undefined;
  if (typeof value === 'bigint') return value >= 0n ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const m = /^\s*(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|[0-9][0-9_]*)\s*([kKmMgG]?)\s*$/.exec(value);
  if (!m) return undefined;
  const digits = m[1].replace(/_/g, '');
  let v = BigInt(digits.length > 1 && /^0[0-9]/.test(digits) ? digits.replace(/^0+/, '') || '0' : digits);
  const suffix = m[2].toLowerCase();
  if (suffix === 'k') v <<= 10n;
  else if (suffix === 'm') v <<= 20n;
  else if (suffix === 'g') v <<= 30n;
  return v;
}

export function hex(v: bigint | number, digits = 0): string {
  const b = typeof v === 'bigint' ? BigInt.asUintN(64, v) : BigInt(v);
  return '0x' + b.toString(16).padStart(digits, '0');
}

/** Memory references handed to the client: linear addresses as 0x-hex. */
export function memoryReference(linear: bigint | number): string {
  return hex(linear);
}
