// The instruction prefixes AT&T syntax lets stand before a mnemonic, with what each does: the parser's list of
// prefix words and the editor's prefix documentation both come from here.

export interface PrefixDoc {
  /** The byte it emits, e.g. 'F0' (REX prefixes: '40–4F'). */
  byte: string;
  doc: string;
}

export const PREFIXES: ReadonlyMap<string, PrefixDoc> = new Map<string, PrefixDoc>([
  ['lock', { byte: 'F0', doc: 'Makes the following read-modify-write instruction atomic.' }],
  ['rep', { byte: 'F3', doc: 'Repeats the string instruction RCX/ECX/CX times.' }],
  ['repe', { byte: 'F3', doc: 'Repeats while equal and the counter is non-zero.' }],
  ['repz', { byte: 'F3', doc: 'Repeats while zero and the counter is non-zero.' }],
  ['repne', { byte: 'F2', doc: 'Repeats while not equal and the counter is non-zero.' }],
  ['repnz', { byte: 'F2', doc: 'Repeats while not zero and the counter is non-zero.' }],
  ['data16', { byte: '66', doc: 'Operand-size override to 16 bits (outside 16-bit code).' }],
  ['data32', { byte: '66', doc: 'Operand-size override to 32 bits (in 16-bit code).' }],
  ['addr16', { byte: '67', doc: 'Address-size override to 16 bits (in 32-bit code).' }],
  ['addr32', { byte: '67', doc: 'Address-size override to 32 bits (in 16- or 64-bit code).' }],
  ['rex64', { byte: '48', doc: 'A REX prefix with W set: 64-bit operand size.' }],
  ['rex', { byte: '40', doc: 'An empty REX prefix (makes %spl/%bpl/%sil/%dil addressable).' }],
  ['cs', { byte: '2E', doc: 'Code-segment override for the memory operand (a branch hint on jcc).' }],
  ['ds', { byte: '3E', doc: 'Data-segment override for the memory operand (a branch hint on jcc).' }],
  ['es', { byte: '26', doc: 'Extra-segment override for the memory operand.' }],
  ['fs', { byte: '64', doc: 'FS override: in 64-bit mode, addresses are relative to FS.base.' }],
  ['gs', { byte: '65', doc: 'GS override: in 64-bit mode, addresses are relative to GS.base (per-CPU data after SWAPGS).' }],
  ['ss', { byte: '36', doc: 'Stack-segment override for the memory operand.' }],
  ['notrack', { byte: '3E', doc: 'CET: this indirect branch needs no ENDBR at its target.' }],
  ['xacquire', { byte: 'F2', doc: 'TSX hardware lock elision: start eliding the lock this instruction takes.' }],
  ['xrelease', { byte: 'F3', doc: 'TSX hardware lock elision: end eliding the lock this instruction releases.' }],
  ['bnd', { byte: 'F2', doc: 'MPX: keep the bound registers across this branch.' }],
]);
