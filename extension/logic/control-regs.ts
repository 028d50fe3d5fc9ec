// The control-register / MSR quick view as data: registers from the adapter's Variables scopes, their single-bit
// fields as toggles, and the setVariable request a toggle sends.
export interface DapVariable {
  name: string;
  value: string;
  type?: string;
  variablesReference: number;
  evaluateName?: string;
  presentationHint?: { attributes?: string[] };
}

export interface BitToggle {
  name: string;
  /** Bit number (lowest bit for fields). */
  lsb: number;
  width: number;
  value: string;
  on: boolean;
  meaning: string;
  writable: boolean;
}

/** Scopes the quick view shows, in order. */
export const QUICK_VIEW_SCOPES = ['Control registers', 'MSRs', 'Flags'];

/** Parses one bit node: the adapter's type reads `bit 5 — meaning` or `bits 11:9 — meaning`. */
export function bitToggle(v: DapVariable): BitToggle | undefined {
  const m = /^bits?\s+(\d+)(?::(\d+))?\s+—\s+(.*)$/s.exec(v.type ?? '');
  if (!m) return undefined;
  const hi = Number(m[1]);
  const lo = m[2] !== undefined ? Number(m[2]) : hi;
  const width = hi - lo + 1;
  const raw = v.value.trim().split(/\s/)[0];
  return {
    name: v.name,
    lsb: lo,
    width,
    value: v.value,
    on: width === 1 ? raw === '1' : raw !== '0' && raw !== '0x0',
    meaning: m[3],
    writable: !(v.presentationHint?.attributes ?? []).includes('readOnly'),
  };
}

/** The value setVariable gets to flip a single bit. */
export function toggledValue(t: BitToggle): string {
  return t.on ? '0' : '1';
}

/** `0x80000011 [PE ET PG]` → the hex part and the set names (for a compact description). */
export function splitRegisterValue(value: string): { hex: string; set: string[] } {
  const m = /^(\S+)(?:\s*\[([^\]]*)\])?/.exec(value.trim());
  return { hex: m?.[1] ?? value, set: m?.[2] ? m[2].split(/\s+/).filter(Boolean) : [] };
}
