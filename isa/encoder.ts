// Encodes one AT&T instruction for a code mode, byte-for-byte as GNU as 2.40 does. Generic over the table:
// candidate forms come from the mnemonic, the first form whose operands match wins (the table's row order
// encodes GNU's preferences), and the bytes follow from the form's opcode/ModRM/immediate description.
import type { EncodeInstruction, EncodeResult, Encoding, Fixup, InstructionInput, Operand, Value } from './operand';
import type { CodeMode } from './mode';
import type { InstructionForm } from './schema';
import { forms, formsByName } from './table';
import { lookupRegister, gprBits, type RegisterInfo } from './registers';

type MemOperand = Extract<Operand, { kind: 'mem' }>;

const prefixBytes: Record<string, number> = {
  lock: 0xf0, rep: 0xf3, repe: 0xf3, repz: 0xf3, repne: 0xf2, repnz: 0xf2,
  data16: 0x66, data32: 0x66, addr16: 0x67, addr32: 0x67, rex64: 0x48, rex: 0x40,
  es: 0x26, cs: 0x2e, ss: 0x36, ds: 0x3e, fs: 0x64, gs: 0x65, notrack: 0x3e,
  xacquire: 0xf2, xrelease: 0xf3, bnd: 0xf2,
};

/** Prefix mnemonics that occupy the same slot: GNU refuses two of one kind. */
const prefixKind: Record<string, string> = {
  lock: 'lock', rep: 'rep', repe: 'rep', repz: 'rep', repne: 'rep', repnz: 'rep', xacquire: 'rep', xrelease: 'rep', bnd: 'rep',
  data16: 'data', data32: 'data', addr16: 'addr', addr32: 'addr', rex64: 'rex', rex: 'rex',
  es: 'seg', cs: 'seg', ss: 'seg', ds: 'seg', fs: 'seg', gs: 'seg', notrack: 'seg',
};
const segPrefix: Record<string, number> = { es: 0x26, cs: 0x2e, ss: 0x36, ds: 0x3e, fs: 0x64, gs: 0x65 };
const sizeSuffixes: Record<string, number> = { b: 8, w: 16, l: 32, q: 64 };

/** Operand specs whose width follows the operand size (so their registers decide an omitted suffix). */
const sizedSpecs = new Set(['r', 'rm', 'rr', 'ro', 'acc']);
const regFieldSpecs = new Set(['r', 'rn', 'sreg', 'cr', 'dr', 'r8', 'r16', 'r32', 'r64']);
const rmFieldSpecs = new Set(['rm', 'rr', 'm', 'rrn', 'rm8', 'rm16', 'rm32', 'rm64', 'rr32', 'rr64']);
const immSpecs = new Set(['i', 'is8', 'i8', 'i16', 'i64', 'i64big', 'fsel', 'foff']);

interface Failure {
  message: string;
  operand?: number;
  /** Higher means the form got further: the best explanation wins. */
  rank: number;
}

function fail(message: string, rank: number, operand?: number): Failure {
  return { message, rank, operand };
}

/**
 * While forms are tried, the rank the best failure so far holds: a failure that cannot beat it is dropped by the
 * caller anyway, so its message need not be built (most forms of a mnemonic fail; building each message was a
 * good part of the encoder's time).
 */
let rankToBeat = -Infinity;
const CANNOT_WIN: Failure = { message: '', rank: -Infinity };

function toSigned64(v: bigint): bigint {
  return BigInt.asIntN(64, v);
}

/** [lowest signed, one past the highest unsigned] for the field widths values are checked against. */
const FIT_BOUNDS: Record<number, readonly [bigint, bigint]> = {
  8: [-(1n << 7n), 1n << 8n],
  16: [-(1n << 15n), 1n << 16n],
  32: [-(1n << 31n), 1n << 32n],
};
const INT32_MIN = -(1n << 31n);
const INT32_LIMIT = 1n << 31n;

/** Fits in `bits` as either a signed or an unsigned number. */
function fitsBits(v: bigint, bits: number): boolean {
  const s = toSigned64(v);
  const b = FIT_BOUNDS[bits];
  if (b === undefined) return s >= -(1n << BigInt(bits - 1)) && s < 1n << BigInt(bits);
  return s >= b[0] && s < b[1];
}

// GNU's immediate operand kinds (its Imm8 … Imm64 type bits), as its optimize_imm leaves them on a constant.
const IMM8 = 1;
const IMM8S = 2;
const IMM16 = 4;
const IMM32 = 8;

/** GNU's truncation check: a value warns when neither it nor its negation fits the field's bits. */
function gnuShortens(v: bigint, bits: number): boolean {
  const limit = bits === 8 ? 256n : bits === 16 ? 65536n : 1n << BigInt(bits);
  if (v > -limit && v < limit) return false;
  const high = ~(limit - 1n);
  return (BigInt.asUintN(64, v) & high & 0xffffffffffffffffn) !== 0n && (BigInt.asUintN(64, -v) & high & 0xffffffffffffffffn) !== 0n;
}

/** The value GNU encodes for the constant last given to `gnuImmediateKinds`. */
let gnuImmediateValue = 0n;

/**
 * GNU's optimize_imm on a constant: outside 64-bit code the value first wraps to 32 bits; the size GNU guesses
 * for the statement (suffix, else its last general register, else the mode) widens the kinds it may match, and a
 * value that fits the guessed 16 or 32 bits unsigned is read as signed there. So `int $0xffff` is `int $-1` in
 * 16-bit code, and `in $0x8000, %al` matches the byte form (shortened, with a warning).
 */
function gnuImmediateKinds(v: bigint, guess: number, mode: CodeMode): number {
  // Most immediates are small: every kind, the value as it is.
  if (v >= -128n && v < 128n) {
    gnuImmediateValue = v;
    return IMM8 | IMM8S | IMM16 | IMM32;
  }
  let t = wrapTo32(v, mode);
  let kinds = guess === 8 ? IMM8 | IMM8S | IMM16 | IMM32 : guess === 16 ? IMM16 | IMM32 : guess === 32 ? IMM32 : 0;
  if (kinds & IMM16 && t >= 0n && t <= 0xffffn) t = BigInt.asIntN(16, t);
  if (kinds & IMM32 && t >= 0n && t < 1n << 32n) t = BigInt.asIntN(32, t);
  if (t >= -128n && t < 128n) kinds |= IMM8 | IMM8S | IMM16 | IMM32;
  else if (t >= -128n && t < 256n) kinds |= IMM8 | IMM16 | IMM32;
  else if (t >= -32768n && t < 65536n) kinds |= IMM16 | IMM32;
  gnuImmediateValue = t;
  return kinds;
}

function isSegmentPrefixByte(b: number): boolean {
  return b === 0x26 || b === 0x2e || b === 0x36 || b === 0x3e || b === 0x64 || b === 0x65;
}

/** The byte of a segment prefix word (`fs`, `cs`…) written before the mnemonic, or 0. */
function userSegmentPrefix(ctx: Ctx): number {
  for (const p of ctx.input.prefixes) if (Object.prototype.hasOwnProperty.call(segPrefix, p)) return segPrefix[p];
  return 0;
}

/**
 * Direct branches take no segment prefix; GNU skips one with a warning, except cs/ds on jcc, jmp and loop, where
 * they are the Pentium 4 branch hints.
 */
function branchKind(form: InstructionForm): 'hint' | 'plain' | undefined {
  if (form.op === 'jmp_far' || form.op === 'call_far') return 'plain';
  const last = form.operands[form.operands.length - 1];
  if (last !== 'rel' && last !== 'rel8') return undefined;
  return form.op === 'call' || form.op === 'xbegin' ? 'plain' : 'hint';
}

/**
 * `loop 0x7f`: GNU sizes a constant target of a byte-displacement branch as if it were the displacement, so it
 * must fit a signed byte (wrapped to 32 bits outside 64-bit code, read as signed 16 bits where branches are
 * 16-bit); `loop 0x1234` is refused.
 */
function constantFitsRel8(v: bigint, ctx: Ctx): boolean {
  let t = wrapTo32(v, ctx.mode);
  if (ctx.mode !== 64 && (ctx.mode === 16) !== ctx.data && t >= 0n && t <= 0xffffn) t = BigInt.asIntN(16, t);
  // (A written -0x80 also fails GNU's later check of its relocation's addend, target − 1, outside 64-bit code; an
  // equate of -0x80 does not. That is the object file's business, not the instruction's: not modelled here.)
  return t >= -128n && t <= 127n;
}

/** GNU's constants outside 64-bit code: a value of 32 bits reads as signed, a wider one keeps its low 32 bits. */
function wrapTo32(v: bigint, mode: CodeMode): bigint {
  const t = toSigned64(v);
  if (mode === 64 || (t >= INT32_MIN && t < INT32_LIMIT)) return t;
  return t >= 0n && t < 1n << 32n ? BigInt.asIntN(32, t) : BigInt.asUintN(32, t);
}

/** A segment prefix on a direct branch: kept where it is a branch hint, else skipped with GNU's warning. */
function branchSegmentPrefix(b: number, form: InstructionForm, ctx: Ctx): void {
  if (branchKind(form) === 'hint' && (b === 0x2e || b === 0x3e)) {
    putPrefix(b);
    return;
  }
  skipPrefix(ctx);
}

function skipPrefix(ctx: Ctx): void {
  const w = `skipping prefixes on \`${ctx.base}'`;
  if (!ctx.warnings.includes(w)) ctx.warnings.push(w);
}

/** loop/jcxz: no near form, so no operand size; GNU skips data16/data32 on them and writes 67 before a hint. */
function isByteOnlyBranch(form: InstructionForm): boolean {
  return form.op === 'loop' || form.op === 'loope' || form.op === 'loopne' || form.op === 'jrcxz';
}

/** Moves a cs/ds branch hint behind the 67 that the general prefix order puts after it. */
function hintAfterAddressSize(): void {
  for (let i = 0; i + 1 < prefixCount; i++) {
    const b = prefixBytesOut[i];
    if ((b === 0x2e || b === 0x3e) && prefixBytesOut[i + 1] === 0x67) {
      prefixBytesOut[i] = 0x67;
      prefixBytesOut[i + 1] = b;
    }
  }
}

/**
 * Where GNU keeps a 64-bit-code displacement below 2^32 as its 32-bit field without the sign check other memory
 * operands get: `lea` into a 16- or 32-bit register, and `lcall 0x80000000` (no `*`, so its indirect far form).
 */
function addressAsWritten(m: MemOperand, form: InstructionForm, size: number, mode: CodeMode): MemOperand {
  if (mode !== 64 || !m.disp?.known) return m;
  const lea = form.op === 'lea' && size !== 64;
  const far = (form.op === 'jmp_far_indirect' || form.op === 'call_far_indirect') && !m.indirect && !m.base && !m.index;
  if (!lea && !far) return m;
  const v = m.disp.value;
  if (v < 0x80000000n || v > 0xffffffffn) return m;
  return { ...m, disp: { known: true, value: BigInt.asIntN(32, v) } };
}

/**
 * The operand size GNU guesses for an instruction's immediates: the suffix, else the last general register
 * (none if the registers are all of other kinds), else the mode's, flipped by data16/data32 (none in 64-bit code).
 */
function guessedImmediateSize(ctx: Ctx): number {
  if (ctx.suffix) return ctx.suffix === 'b' ? 8 : ctx.suffix === 'w' ? 16 : ctx.suffix === 'l' ? 32 : 64;
  // The registers do not change between the forms tried: looked at once per instruction.
  if (ctx.registerGuess === undefined) {
    ctx.registerGuess = -1;
    const ops = ctx.input.operands;
    for (let k = ops.length - 1; k >= 0; k--) {
      const r = reg(ops[k]);
      if (isGpr(r)) {
        ctx.registerGuess = gprBits(r);
        break;
      }
      if (r) ctx.registerGuess = 0;
    }
  }
  if (ctx.registerGuess >= 0) return ctx.registerGuess;
  if ((ctx.mode === 16) !== ctx.data) return 16;
  // GNU 2.40 guesses no default size in 64-bit code (`int $0xffffffff` is refused there, `int $-1` is not).
  return ctx.mode === 64 ? 0 : 32;
}

function fitsSigned32(v: bigint): boolean {
  const s = toSigned64(v);
  return s >= INT32_MIN && s < INT32_LIMIT;
}

interface Ctx {
  mode: CodeMode;
  input: InstructionInput;
  mnemonic: string;
  /** The mnemonic without the size suffix of the candidate being tried (GNU names templates this way). */
  base: string;
  suffix?: string;
  addr32: boolean;
  addr16: boolean;
  data: boolean;
  /** Prefix bytes the user wrote (lock, rep, data16, cs…), merged into GNU's prefix order. */
  userPrefixes: number[];
  userRex: number[];
  /** Warnings collected while encoding the chosen form. */
  warnings: string[];
  /** The operand size of the form being tried comes from a suffix or a register, not a default. */
  sizeShown: boolean;
  /** guessedImmediateSize's answer from the registers: their last general one's size, 0 (other registers), -1 (none). */
  registerGuess?: number;
}

/** GNU emits prefixes in a fixed order: segment, address size, operand size, lock/rep; REX last. */
function prefixSlot(b: number): number {
  if (b === 0x67) return 1;
  if (b === 0x66) return 2;
  if (b === 0xf0 || b === 0xf2 || b === 0xf3) return 3;
  if ((b & 0xf0) === 0x40) return 5;
  return 0;
}

function reg(op: Operand): RegisterInfo | undefined {
  return op.kind === 'reg' ? lookupRegister(op.reg) : undefined;
}

function isGpr(r: RegisterInfo | undefined): r is RegisterInfo {
  return !!r && gprBits(r) !== 0;
}

function baseRegister(m: MemOperand): RegisterInfo | undefined {
  return m.base ? lookupRegister(m.base) : undefined;
}

function indexRegister(m: MemOperand): RegisterInfo | undefined {
  return m.index ? lookupRegister(m.index) : undefined;
}

function isAbsolute(m: MemOperand): boolean {
  return !m.base && !m.index;
}

/** Address size a memory operand asks for, from its registers, else the mode (or addr16/addr32 prefix). */
function addressSize(m: MemOperand | undefined, ctx: Ctx): 16 | 32 | 64 {
  if (m) {
    const r = baseRegister(m) ?? indexRegister(m);
    if (r) {
      if (r.cls === 'ip') return r.bits as 32 | 64;
      return gprBits(r) as 16 | 32 | 64;
    }
  }
  if (ctx.addr32) return 32;
  if (ctx.addr16) return 16;
  return ctx.mode;
}

function defaultSize(form: InstructionForm, ctx: Ctx): number {
  if (ctx.data) return ctx.mode === 16 ? 32 : 16;
  if (ctx.mode === 64 && form.osz === 'd64') return 64;
  return ctx.mode === 16 ? 16 : 32;
}

/** Chooses the operand size of `form` for this input, or explains why it cannot. */
function chooseSize(form: InstructionForm, ctx: Ctx, relaxed: boolean): number | Failure {
  const name = ctx.mnemonic;
  if (form.impliedSize) return ctx.suffix ? (rankToBeat >= 1 ? CANNOT_WIN : fail(`invalid instruction suffix for \`${ctx.base}'`, 1)) : form.impliedSize;
  if (form.sizes.length === 0) {
    if (ctx.suffix) return rankToBeat >= 1 ? CANNOT_WIN : fail(`invalid instruction suffix for \`${ctx.base}'`, 1);
    return 0;
  }
  if (ctx.suffix) {
    const s = sizeSuffixes[ctx.suffix];
    if (!form.sizes.includes(s)) return rankToBeat >= 1 ? CANNOT_WIN : fail(`invalid instruction suffix for \`${ctx.base}'`, 1);
    return s;
  }
  let inferred = 0;
  const operands = ctx.input.operands;
  for (let i = 0; i < operands.length; i++) {
    const spec = form.operands[i];
    if (!spec || !sizedSpecs.has(spec)) continue;
    const r = reg(operands[i]);
    if (isGpr(r) && !inferred) inferred = gprBits(r);
  }
  if (inferred) return form.sizes.includes(inferred) ? inferred : fail(`operand size mismatch for \`${ctx.base}'`, 1);
  const d = defaultSize(form, ctx);
  if (form.sizes.includes(d)) return d;
  if (relaxed && form.sizes.length === 1) return form.sizes[0];
  if (relaxed && ctx.mode === 64 && form.sizes.includes(64) && form.osz === 'none') return 64;
  return fail(`operand size mismatch for \`${name}'`, 1);
}

interface Match {
  form: InstructionForm;
  size: number;
  /** The size came from the mode default: nothing (suffix, register) showed it. */
  defaulted: boolean;
  mem?: MemOperand;
  memIndex: number;
}

function regOk(r: RegisterInfo, ctx: Ctx): boolean {
  if (ctx.mode === 64) return true;
  return !(r.rex || r.cls === 'gpr64' || r.cls === 'ip');
}

const fixedSpecs = new Map<string, { kind: string; bits: number } | null>();
/** `rm8` → { kind: 'rm', bits: 8 }; null for specs sized by the operand size. Memoised: called per operand. */
function fixedSpec(spec: string): { kind: string; bits: number } | null {
  let f = fixedSpecs.get(spec);
  if (f === undefined) {
    const m = /^(r|rm|rr|m)(8|16|32|64)$/.exec(spec);
    f = m ? { kind: m[1], bits: Number(m[2]) } : null;
    fixedSpecs.set(spec, f);
  }
  return f;
}

/** Checks one operand against its spec; returns an error rank when it does not fit. */
function matchOperand(spec: string, op: Operand, size: number, form: InstructionForm, ctx: Ctx): boolean {
  const indirectForm = form.op.endsWith('_indirect');
  if ((op.kind === 'reg' || op.kind === 'mem') && op.indirect && !indirectForm) return false;
  // Without `*`, a bare address after jmp/call is a direct target, never an indirect one.
  if ((form.op === 'jmp_indirect' || form.op === 'call_indirect') && op.kind === 'mem' && !op.indirect && isAbsolute(op)) return false;
  const r = reg(op);
  const native = ctx.mode === 64 ? 64 : 32;
  const fixed = fixedSpec(spec);
  if (fixed) {
    const bits = fixed.bits;
    if (op.kind === 'reg') return fixed.kind !== 'm' && isGpr(r) && gprBits(r) === bits;
    return op.kind === 'mem' && (fixed.kind === 'rm' || fixed.kind === 'm');
  }
  switch (spec) {
    case 'r':
    case 'rr':
    case 'ro':
      return isGpr(r) && gprBits(r) === size;
    case 'rm':
      if (op.kind === 'mem') return true;
      return isGpr(r) && gprBits(r) === size;
    case 'm':
      return op.kind === 'mem';
    case 'rn':
    case 'rrn':
      return isGpr(r) && gprBits(r) === native;
    case 'acc':
      return isGpr(r) && gprBits(r) === size && r.num === 0;
    case 'sreg':
      return r?.cls === 'seg';
    case 'cr':
      return r?.cls === 'cr';
    case 'dr':
      return r?.cls === 'dr';
    case 'i':
      if (op.kind !== 'imm') return false;
      // A 64-bit operation sign-extends a 32-bit immediate. A narrower one takes the value shortened to its field,
      // with GNU's "shortened" warning, when the statement shows the size (suffix or register); in 64-bit code a
      // defaulted size does not cover a wider value (except mov to a register, b0/b8, which truncates).
      if (size === 64 && op.value.known && !fitsSigned32(op.value.value)) return false;
      if (size < 64 && ctx.mode === 64 && !ctx.sizeShown && op.value.known && !fitsBits(op.value.value, 32) && !(form.op === 'mov' && form.opcodeReg)) return false;
      return true;
    case 'is8':
      return op.kind === 'imm' && op.value.known && (gnuImmediateKinds(op.value.value, guessedImmediateSize(ctx), ctx.mode) & IMM8S) !== 0;
    case 'i8':
      return op.kind === 'imm' && (!op.value.known || (gnuImmediateKinds(op.value.value, guessedImmediateSize(ctx), ctx.mode) & IMM8) !== 0);
    case 'i16':
    case 'fsel':
      return op.kind === 'imm' && (!op.value.known || (gnuImmediateKinds(op.value.value, guessedImmediateSize(ctx), ctx.mode) & IMM16) !== 0);
    case 'i64':
    case 'foff':
      return op.kind === 'imm';
    case 'i64big':
      return op.kind === 'imm' && op.value.known && !fitsSigned32(op.value.value);
    case '$1':
    case '$3':
      return op.kind === 'imm' && op.value.known && op.value.value === BigInt(spec.slice(1));
    // A segment on a branch target is a prefix to GNU (skipped, or kept as a branch hint).
    case 'rel':
      return op.kind === 'mem' && !op.indirect && isAbsolute(op);
    case 'rel8':
      if (op.kind !== 'mem' || op.indirect || !isAbsolute(op)) return false;
      return !op.disp?.known || constantFitsRel8(op.disp.value, ctx);
    case 'moffs':
      return op.kind === 'mem' && isAbsolute(op);
    case 'moffsbig':
      // 64-bit code: an absolute address beyond the sign-extended 32-bit range needs the 8-byte moffs form; with
      // addr32 GNU takes the moffs form for any absolute address (4 bytes, shorter than ModRM + SIB).
      if (ctx.addr32 && op.kind === 'mem' && isAbsolute(op)) return true;
      return op.kind === 'mem' && isAbsolute(op) && !!op.disp?.known && !fitsSigned32(op.disp.value);
    case 'ms':
    case 'md':
    case 'mb': {
      if (op.kind !== 'mem' || op.index || op.disp) return false;
      const b = op.base ? lookupRegister(op.base) : undefined;
      if (!b || !isGpr(b) || gprBits(b) === 8) return false;
      if (spec === 'md' && op.seg && op.seg !== 'es') return false;
      return b.num === (spec === 'ms' ? 6 : spec === 'mb' ? 3 : 7) && !b.rex;
    }
    case 'sti':
      return r?.cls === 'st';
    case '%st':
      return r?.cls === 'st' && r.num === 0;
    default:
      if (spec.startsWith('%')) {
        if (op.kind === 'reg') return op.reg === spec.slice(1);
        if (spec === '%dx' && op.kind === 'mem') return op.base === 'dx' && !op.index && !op.disp && !op.seg;
        return false;
      }
      return false;
  }
}

function defaultSegment(m: MemOperand): 'ss' | 'ds' {
  const b = m.base ? lookupRegister(m.base) : undefined;
  if (b && isGpr(b) && !b.rex && (b.num === 4 || b.num === 5)) return 'ss';
  return 'ds';
}

/** ModRM, SIB and displacement of a memory operand, appended to the scratch body (sets rexX and rexB). */
function encodeModrmMemory(m: MemOperand, asz: 16 | 32 | 64, regField: number, ctx: Ctx, operandIndex: number): Failure | undefined {
  const base = baseRegister(m);
  const index = indexRegister(m);
  const disp: Value | undefined = m.disp;
  const dispKnown = !disp || disp.known;
  const dv = disp ? disp.value : 0n;
  if (asz === 16) {
    if (ctx.mode === 64) return fail(`\`${m.base ?? m.index}' is not valid here (expected \`%rax'-style registers)`, 3, operandIndex);
    if (m.scale !== 1 && index) return fail(`\`${fmtMem(m)}' is not a valid base/index expression`, 3, operandIndex);
    let rm: number;
    if (!base && !index) {
      putByte((regField << 3) | 6);
      if (disp && dispKnown && !fitsBits(BigInt.asIntN(32, dv), 16)) {
        ctx.warnings.push(`${hexU64(BigInt.asIntN(32, dv))} shortened to ${hexU64(BigInt.asUintN(16, dv))}`);
      }
      putValue(disp, 2, operandIndex, false, 'either');
      return undefined;
    }
    const k = rm16(m.base, m.index);
    if (k < 0) return fail(`\`${fmtMem(m)}' is not a valid base/index expression`, 3, operandIndex);
    rm = k;
    let d16 = BigInt.asIntN(16, dv);
    // Out of 16 bits (after wrapping at 32): GNU warns, keeps the disp16 form the value asked for, truncates.
    const v32 = BigInt.asIntN(32, dv);
    if (disp && dispKnown && !fitsBits(v32, 16)) {
      ctx.warnings.push(`${hexU64(v32)} shortened to ${hexU64(BigInt.asUintN(16, v32))}`);
      d16 = 0x8000n;
    }
    if (dispKnown && dv === 0n && rm !== 6) putByte((regField << 3) | rm);
    else if (dispKnown && d16 >= -128n && d16 <= 127n) {
      putByte(0x40 | (regField << 3) | rm);
      putByte(Number(BigInt.asUintN(8, d16)));
    } else {
      putByte(0x80 | (regField << 3) | rm);
      putValue(disp, 2, operandIndex, false, 'either');
    }
    return undefined;
  }
  // 32/64-bit addressing.
  if (base?.cls === 'ip') {
    if (index) return fail(`\`${fmtMem(m)}' is not a valid base/index expression`, 3, operandIndex);
    if (disp && disp.known && asz === 64 && !fitsSigned32(dv)) return fail(`${hexU64(dv)} out of range of signed 32bit displacement`, 3, operandIndex);
    putByte((regField << 3) | 5);
    if (disp && !disp.known) {
      pendingFixups.push({ offset: bodyLength, size: 4, operand: operandIndex, pcRelative: true, range: 'signed' });
      putNumber(0n, 4);
    } else putNumber(dv, 4);
    return undefined;
  }
  if (index && (index.num === 4 && !index.rex)) return fail(`\`${fmtMem(m)}' is not a valid base/index expression`, 3, operandIndex);
  if (base && index && gprBits(base) !== gprBits(index)) return fail(`\`${fmtMem(m)}' is not a valid base/index expression`, 3, operandIndex);
  const scaleBits = m.scale === 8 ? 3 : m.scale === 4 ? 2 : m.scale === 2 ? 1 : 0;
  const dispBits = asz === 64 ? 64 : 32;
  let d = BigInt.asIntN(dispBits === 64 ? 64 : 32, dv);
  if (disp && dispKnown) {
    if (asz === 64 && !fitsSigned32(dv)) {
      // Without registers there is no form at all for it; with a base GNU names the range.
      if (!base && !index) return fail(`operand type mismatch for \`${ctx.base}'`, 3, operandIndex);
      return fail(`${hexU64(dv)} out of range of signed 32bit displacement`, 3, operandIndex);
    }
    // addr32 in 64-bit code: warn and truncate, keeping the disp32 form; in 16/32-bit code addresses just wrap.
    if (asz === 32 && ctx.mode === 64 && !fitsBits(dv, 32)) {
      ctx.warnings.push(`${hexU64(dv)} shortened to ${hexU64(BigInt.asUintN(32, dv))}`);
      d = 0x80000000n;
    }
  }
  const range: Fixup['range'] = asz === 64 || ctx.mode === 64 ? 'signed' : 'either';
  if (!base && !index) {
    if (ctx.mode === 64) {
      putByte((regField << 3) | 4);
      putByte(0x25);
    } else putByte((regField << 3) | 5);
    putValue(disp, 4, operandIndex, false, range);
    return undefined;
  }
  if (base) rexB = base.num >> 3;
  if (index) rexX = index.num >> 3;
  const needSib = !!index || (base !== undefined && (base.num & 7) === 4);
  let mod: number;
  const bpLike = base !== undefined && (base.num & 7) === 5;
  if (!base) mod = 0;
  else if (dispKnown && d === 0n && !bpLike) mod = 0;
  else if (dispKnown && d >= -128n && d <= 127n) mod = 1;
  else mod = 2;
  if (needSib) {
    putByte((mod << 6) | (regField << 3) | 4);
    putByte((scaleBits << 6) | ((index ? index.num & 7 : 4) << 3) | (base ? base.num & 7 : 5));
  } else putByte((mod << 6) | (regField << 3) | (base!.num & 7));
  if (!base || mod === 2) putValue(disp, 4, operandIndex, false, range);
  else if (mod === 1) putByte(Number(BigInt.asUintN(8, d)));
  return undefined;
}

/** The r/m field of a 16-bit address from its base and index registers, -1 when no such combination exists. */
function rm16(base: string | undefined, index: string | undefined): number {
  if (base === 'bx') return index === 'si' ? 0 : index === 'di' ? 1 : index === undefined ? 7 : -1;
  if (base === 'bp') return index === 'si' ? 2 : index === 'di' ? 3 : index === undefined ? 6 : -1;
  if (index !== undefined) return -1;
  return base === 'si' ? 4 : base === 'di' ? 5 : -1;
}

/** GNU prints values in warnings as 64-bit unsigned hex. */
function hexU64(v: bigint): string {
  return '0x' + BigInt.asUintN(64, v).toString(16);
}

function fmtMem(m: MemOperand): string {
  if (m.text) return m.text;
  const parts = [m.base ? `%${m.base}` : '', m.index ? `%${m.index}` : ''];
  if (m.index && m.scale !== 1) parts.push(String(m.scale));
  return `(${parts.filter((p, i) => p || i === 0).join(',')})`;
}

// The encoding being built. Every call of encodeForm writes into these and copies the result out once: building
// it from a handful of small arrays and objects per form tried made the encoder a steady source of garbage.
/** Opcode, ModRM, SIB, displacement and immediates (an instruction is at most 15 bytes; more only means an error). */
const body = new Uint8Array(64);
let bodyLength = 0;
/** Prefix bytes in emission order, REX last. */
const prefixBytesOut = new Uint8Array(32);
let prefixCount = 0;
/** REX.X and REX.B as the memory operand's registers set them. */
let rexX = 0;
let rexB = 0;
/** Fixups of the encoding being built, offsets counted from the start of `body`. */
const pendingFixups: Fixup[] = [];
const NO_FIXUPS: Fixup[] = Object.freeze([]) as unknown as Fixup[];

function putByte(b: number): void {
  body[bodyLength++] = b;
}

function putNumber(v: bigint, size: number): void {
  if (size <= 4) {
    // One conversion instead of a BigInt per byte: the low 32 bits fit a double exactly.
    const x = Number(BigInt.asUintN(32, v));
    for (let i = 0; i < size; i++) body[bodyLength++] = (x >>> (8 * i)) & 0xff;
    return;
  }
  let x = BigInt.asUintN(size * 8, v);
  for (let i = 0; i < size; i++) {
    body[bodyLength++] = Number(x & 0xffn);
    x >>= 8n;
  }
}

function putValue(v: Value | undefined, size: 1 | 2 | 4 | 8, operand: number, pcRelative: boolean, range: Fixup['range']): void {
  if (v && !v.known) {
    pendingFixups.push({ offset: bodyLength, size, operand, pcRelative, range });
    putNumber(0n, size);
  } else putNumber(v ? v.value : 0n, size);
}

function putPrefix(b: number): void {
  prefixBytesOut[prefixCount++] = b;
}

/** GNU's prefix order, keeping the written order within a slot (an insertion sort: a stable sort of a few bytes). */
function sortPrefixes(): void {
  for (let i = 1; i < prefixCount; i++) {
    const b = prefixBytesOut[i];
    const slot = prefixSlot(b);
    let j = i - 1;
    while (j >= 0 && prefixSlot(prefixBytesOut[j]) > slot) {
      prefixBytesOut[j + 1] = prefixBytesOut[j];
      j--;
    }
    prefixBytesOut[j + 1] = b;
  }
}

/** Bytes of one form for the operands, or the reason it cannot encode them. `form` overrides the match's own. */
function encodeForm(match: Match, ctx: Ctx, form: InstructionForm = match.form): Encoding | Failure {
  const size = match.size;
  const ops = ctx.input.operands;
  const mode = ctx.mode;
  bodyLength = 0;
  prefixCount = 0;
  rexX = 0;
  rexB = 0;
  if (pendingFixups.length) pendingFixups.length = 0;
  let regField = form.modrm === 'digit' ? form.modrmValue : 0;
  let rmReg: RegisterInfo | undefined;
  let opReg: RegisterInfo | undefined;
  let mem: MemOperand | undefined;
  let memIndex = -1;
  let rexW = 0;
  let rexR = 0;
  let rexNeeded = false;
  /** The first of AH/BH/CH/DH among the registers used: no REX prefix can go with it. */
  let highByte: RegisterInfo | undefined;
  // CR8 outside 64-bit mode is reached through AMD's alias: a lock prefix on the CR0 move.
  let lockCr8 = false;
  for (let i = 0; i < ops.length; i++) {
    const spec = form.operands[i];
    const op = ops[i];
    const r = reg(op);
    if (r) {
      if (r.cls === 'cr' && r.num === 8 && ctx.mode !== 64) lockCr8 = true;
      else if (!regOk(r, ctx)) return fail(`bad register name \`%${r.name}'`, 5, i);
      else {
        if (r.cls === 'gpr8' && r.rex) rexNeeded = true;
        if (r.highByte && !highByte) highByte = r;
      }
    }
    if (regFieldSpecs.has(spec)) {
      regField = r!.num & 7;
      rexR = lockCr8 && r!.cls === 'cr' ? 0 : r!.num >> 3;
      if (form.dupReg) rmReg = r;
    } else if (rmFieldSpecs.has(spec)) {
      if (op.kind === 'mem') {
        mem = op;
        memIndex = i;
      } else rmReg = r;
    } else if (spec === 'ro') opReg = r;
    else if ((spec === 'ms' || spec === 'md' || spec === 'mb' || spec === 'moffs' || spec === 'moffsbig' || spec === 'rel' || spec === 'rel8') && op.kind === 'mem') {
      if (spec !== 'rel' && spec !== 'rel8') {
        mem = op;
        memIndex = i;
      }
    }
  }
  // String operands must agree on their address size.
  let stringSize = -1;
  for (let i = 0; i < ops.length; i++) {
    const o = ops[i];
    const spec = form.operands[i];
    if ((spec === 'ms' || spec === 'md') && o.kind === 'mem' && o.base) {
      const bits = gprBits(lookupRegister(o.base)!);
      if (stringSize >= 0 && bits !== stringSize) return fail(`operand type mismatch for \`${ctx.mnemonic}'`, 4);
      stringSize = bits;
    }
  }
  // Address size and its prefix.
  let asz: 16 | 32 | 64 = addressSize(mem, ctx);
  if (form.asz) asz = form.asz;
  if (mem && (mem.base || mem.index)) {
    const base = baseRegister(mem);
    const index = indexRegister(mem);
    for (let k = 0; k < 2; k++) {
      const r = k === 0 ? base : index;
      if (!r) continue;
      if (!regOk(r, ctx)) return fail(`bad register name \`%${r.name}'`, 5, memIndex);
      if (r.cls !== 'ip' && (!isGpr(r) || gprBits(r) === 8)) return fail(`\`${fmtMem(mem)}' is not a valid base/index expression`, 4, memIndex);
    }
    if (base && index && base.cls !== 'ip' && gprBits(base) !== gprBits(index)) return fail(`\`${fmtMem(mem)}' is not a valid base/index expression`, 4, memIndex);
    if (asz === 16 && mode === 64) return fail(`\`${fmtMem(mem)}' is not a valid base/index expression`, 4, memIndex);
    // addr32/addr16 fix the address size: the registers must be of that size.
    const stringOperand = form.operands[memIndex] === 'ms' || form.operands[memIndex] === 'md';
    if ((ctx.addr32 || ctx.addr16) && !form.asz && !stringOperand && asz !== (ctx.addr32 ? 32 : 16)) {
      return fail(`\`${fmtMem(mem)}' is not a valid base/index expression`, 4, memIndex);
    }
    if (asz === 64 && mode !== 64) return fail(`bad register name \`%${(base ?? index)!.name}'`, 5, memIndex);
  }
  // Operand-size prefix / REX.W.
  let data = false;
  if (size === 64) {
    if (mode !== 64) return fail(`invalid instruction suffix for \`${ctx.base}'`, 2);
    if (form.osz === 'op') rexW = 1;
  } else if (size === 32 && form.osz === 'd64' && mode === 64) {
    return fail(ctx.suffix ? `invalid instruction suffix for \`${ctx.base}'` : `operand size mismatch for \`${ctx.base}'`, 2);
  } else if ((size === 16 || size === 32) && form.osz !== 'none') {
    if ((size === 16) !== (mode === 16)) data = true;
  }
  if (form.rexW) rexW = 1;
  // GNU refuses a prefix the instruction already carries: data16/data32 where the size the statement shows or
  // the opcode needs 66 (a defaulted size is the prefix's own doing), rex64 where the operand size sets REX.W.
  if (ctx.data && ((data && (ctx.sizeShown || form.impliedSize)) || form.mandatoryPrefix === 0x66)) return fail('same type of prefix used twice', 5);
  // What the instruction itself needs of REX (a written rex/rex64 may stand beside %ah: GNU lets it).
  const ownRexNeeded = rexNeeded;
  const ownRexW = rexW;
  for (const b of ctx.userRex) {
    if (b & 8 && rexW) return fail('same type of prefix used twice', 5);
    rexNeeded = true;
    if (b & 8) rexW = 1;
  }
  // Segment override.
  for (let i = 0; i < ops.length; i++) {
    const o = ops[i];
    if (o.kind !== 'mem' || !o.seg) continue;
    const spec = form.operands[i];
    if (spec === 'md') {
      if (o.seg !== 'es') return fail(`\`%${o.seg}:' is not a valid segment for the destination`, 4, i);
      continue;
    }
    if (spec === 'ms' && o.seg === 'ds') continue;
    const written = userSegmentPrefix(ctx);
    if (spec === 'rel' || spec === 'rel8') {
      const b = segPrefix[o.seg];
      if (written && written !== b) return fail('same type of prefix used twice', 5);
      if (!written) branchSegmentPrefix(b, form, ctx);
      continue;
    }
    // GNU drops an override that names the segment the address uses anyway (ss for bp/sp bases, else ds).
    if (o.seg === defaultSegment(o)) continue;
    // A segment prefix word before the mnemonic is the same prefix: once if they agree, an error if not.
    if (written === segPrefix[o.seg]) continue;
    if (written) return fail('same type of prefix used twice', 5);
    putPrefix(segPrefix[o.seg]);
  }
  // An expression, not a local function: the shipped bundle names every closure it creates (keepNames).
  const addrNeeds67 = mode === 64 ? asz === 32 : asz !== mode;
  // jcxz/jecxz carry their own 67 where the mode needs it: a written addr32/addr16 would be a second one.
  if (addrNeeds67 && form.asz && (ctx.addr32 || ctx.addr16)) return fail('same type of prefix used twice', 5);
  if (addrNeeds67 && !ctx.addr32 && !ctx.addr16) putPrefix(0x67);
  if (data && !ctx.data) putPrefix(0x66);
  const branch = branchKind(form) !== undefined;
  const byteOnly = isByteOnlyBranch(form);
  for (const b of ctx.userPrefixes) {
    if (branch && isSegmentPrefixByte(b)) branchSegmentPrefix(b, form, ctx);
    else if (byteOnly && b === 0x66) skipPrefix(ctx);
    else putPrefix(b);
  }
  if (lockCr8) putPrefix(0xf0);
  sortPrefixes();
  if (byteOnly) hintAfterAddressSize();
  if (form.mandatoryPrefix) putPrefix(form.mandatoryPrefix);
  // Opcode and operands.
  const opcode = form.opcode;
  for (let i = 0; i < opcode.length; i++) putByte(opcode[i]);
  if (opReg) {
    body[bodyLength - 1] |= opReg.num & 7;
    rexB = opReg.num >> 3;
  }
  if (rmReg) rexB = rmReg.num >> 3;
  if (form.modrm === 'fixed') {
    const sti = form.modrmReg ? form.operands.indexOf('sti') : -1;
    putByte(form.modrmValue | (sti >= 0 ? reg(ops[sti])!.num : 0));
  }
  else if (form.modrm !== 'none') {
    if (mem) {
      const r = encodeModrmMemory(addressAsWritten(mem, form, size, mode), asz, regField, ctx, memIndex);
      if (r) return r;
    } else if (rmReg) putByte(0xc0 | (regField << 3) | (rmReg.num & 7));
    else return fail(`operand type mismatch for \`${ctx.mnemonic}'`, 1);
  }
  // REX requirement from byte registers spl..dil (rexNeeded) and from any REX bit.
  const rexByte = 0x40 | (rexW << 3) | (rexR << 2) | (rexX << 1) | rexB;
  if (rexByte !== 0x40 || rexNeeded) {
    if (highByte && (ownRexNeeded || ownRexW || rexR || rexX || rexB)) return fail(`can't encode register '%${highByte.name}' in an instruction requiring REX prefix.`, 5);
    if (mode !== 64) return fail(`operand type mismatch for \`${ctx.mnemonic}'`, 2);
    putPrefix(rexByte);
  }
  // Special case: xchg with the accumulator in 64-bit mode. 90 is nop there, so %eax,%eax needs 87 c0, and
  // %rax,%rax drops its REX.W like GNU does.
  if (form.op === 'xchg' && form.opcodeReg && opReg && (opReg.num & 7) === 0 && !opReg.rex) {
    if (mode === 64 && size === 32) return fail('xchg eax', 0);
    if (size === 64) prefixCount--;
  }
  // Immediates, relative displacements, moffs.
  const immOrder = immediateOrder(form);
  const natural = mode === 64 ? 64 : mode;
  const effSize = size || natural;
  for (const i of immOrder) {
    const s = form.operands[i];
    const op = ops[i];
    if (s === 'rel' || s === 'rel8') {
      // jcc/jmp have no suffix: their displacement follows the mode, flipped by a data16/data32 prefix.
      const branchSize = form.sizes.length ? effSize : ctx.data ? (mode === 16 ? 32 : 16) : natural;
      const width: 1 | 2 | 4 = s === 'rel8' ? 1 : branchSize === 16 ? 2 : 4;
      pendingFixups.push({ offset: bodyLength, size: width, operand: i, pcRelative: true, range: 'signed' });
      putNumber(0n, width);
      continue;
    }
    if (s === 'moffs' || s === 'moffsbig') {
      const mo = op as MemOperand;
      const w = (asz === 64 ? 8 : asz === 32 ? 4 : 2) as 2 | 4 | 8;
      if (w === 2 && mo.disp?.known) {
        const seen = BigInt.asIntN(32, mo.disp.value);
        if (!fitsBits(seen, 16)) ctx.warnings.push(`${hexU64(seen)} shortened to ${hexU64(BigInt.asUintN(16, seen))}`);
      } else if (w === 4 && mode === 64 && mo.disp?.known && !fitsBits(mo.disp.value, 32)) {
        ctx.warnings.push(`${hexU64(mo.disp.value)} shortened to ${hexU64(BigInt.asUintN(32, mo.disp.value))}`);
      }
      putValue(mo.disp, w, i, false, 'either');
      continue;
    }
    const v = (op as Extract<Operand, { kind: 'imm' }>).value;
    let width: 1 | 2 | 4 | 8;
    let range: Fixup['range'] = 'either';
    switch (s) {
      case 'is8': width = 1; range = 'signed'; break;
      case 'i8': width = 1; break;
      case 'i16': case 'fsel': width = 2; break;
      case 'i64': case 'i64big': width = 8; break;
      case 'foff':
        // GNU sizes the offset by the mode and a 66 prefix (the suffix's or one written), so `data16 ljmpl` has 2.
        width = (mode === 16) !== (data || ctx.data) ? 2 : 4;
        if (width === 2 && v.known && !fitsBits(wrapTo32(v.value, ctx.mode), 16)) return fail('16-bit jump out of range', 3, i);
        break;
      default:
        width = effSize === 8 ? 1 : effSize === 16 ? 2 : 4;
        if (effSize === 64) range = 'signed';
    }
    // GNU's truncation warning: outside 64-bit code values wrap at 32 bits first (silently) and count as signed;
    // in 64-bit code a value with clear upper half counts as a signed 32-bit one. 32-bit fields warn only there.
    if (v.known && width <= 2 && s !== 'is8' && s !== 'foff') {
      // Byte and word fields take the value GNU's immediate sizing left (`$0x8000` with a byte register reads as
      // -0x8000) and check that; GNU writes a far jump's selector as it is, without a warning.
      gnuImmediateKinds(v.value, guessedImmediateSize(ctx), ctx.mode);
      const seen = gnuImmediateValue;
      if (s !== 'fsel' && gnuShortens(seen, width * 8)) ctx.warnings.push(`${hexU64(seen)} shortened to ${hexU64(BigInt.asUintN(width * 8, seen))}`);
      putNumber(seen, width);
      continue;
    }
    if (v.known && s !== 'is8') {
      const seen = ctx.mode !== 64 || BigInt.asUintN(64, v.value) >> 32n === 0n ? BigInt.asIntN(32, v.value) : v.value;
      if ((width <= 2 && !fitsBits(seen, width * 8)) || (width === 4 && ctx.mode === 64 && !fitsBits(v.value, 32))) {
        ctx.warnings.push(`${hexU64(width === 4 ? v.value : seen)} shortened to ${hexU64(BigInt.asUintN(width * 8, seen))}`);
      }
    }
    putValue(v, width, i, false, range);
  }
  const bytes = new Uint8Array(prefixCount + bodyLength);
  // fwait-prefixed x87 forms (fstsw, finit): the 9b is a separate instruction and precedes every prefix.
  const fwaitFirst = form.opcode.length > 1 && form.opcode[0] === 0x9b && prefixCount > 0;
  let n = 0;
  if (fwaitFirst) bytes[n++] = 0x9b;
  for (let i = 0; i < prefixCount; i++) bytes[n++] = prefixBytesOut[i];
  for (let i = fwaitFirst ? 1 : 0; i < bodyLength; i++) bytes[n++] = body[i];
  let fixups = NO_FIXUPS;
  if (pendingFixups.length) {
    fixups = pendingFixups.slice();
    for (const f of fixups) f.offset += prefixCount;
  }
  return { bytes, fixups };
}

const NO_BYTES: number[] = [];
const NO_WARNINGS: readonly string[] = [];

const immediateOrders = new WeakMap<InstructionForm, number[]>();
/** Operands written after the ModRM bytes (immediates, displacements, moffs), in the order they are emitted. */
function immediateOrder(form: InstructionForm): number[] {
  let order = immediateOrders.get(form);
  if (!order) {
    order = [];
    for (let i = 0; i < form.operands.length; i++) {
      const s = form.operands[i];
      if (immSpecs.has(s) || s === 'rel' || s === 'rel8' || s === 'moffs' || s === 'moffsbig') order.push(i);
    }
    if (form.immReverse) order.reverse();
    immediateOrders.set(form, order);
  }
  return order;
}

function isFailure(x: unknown): x is Failure {
  return typeof x === 'object' && x !== null && 'rank' in x;
}

const candidateCache = new Map<string, { form: InstructionForm; suffix?: string }[]>();

/** Forms a mnemonic may mean, exact names first, then name + size suffix. Memoised per spelling. */
function candidates(mnemonic: string): { form: InstructionForm; suffix?: string }[] {
  let c = candidateCache.get(mnemonic);
  if (!c) {
    c = computeCandidates(mnemonic);
    if (candidateCache.size < 4096) candidateCache.set(mnemonic, c);
  }
  return c;
}

function computeCandidates(mnemonic: string): { form: InstructionForm; suffix?: string }[] {
  const out: { form: InstructionForm; suffix?: string }[] = [];
  for (const f of formsByName.get(mnemonic) ?? []) out.push({ form: f });
  const last = mnemonic[mnemonic.length - 1];
  if (mnemonic.length > 1 && last in sizeSuffixes) {
    const base = mnemonic.slice(0, -1);
    for (const f of formsByName.get(base) ?? []) if (!f.bareNames.includes(base)) out.push({ form: f, suffix: last });
  }
  return out;
}

/** Whether the operand list matches a form's specs at some size. */
function tryForm(form: InstructionForm, ctx: Ctx, relaxed: boolean): Match | Failure {
  const ops = ctx.input.operands;
  if (ops.length !== form.operands.length) return rankToBeat >= 0.2 ? CANNOT_WIN : fail(`number of operands mismatch for \`${ctx.base}'`, 0.2);
  if (form.only64 && ctx.mode !== 64) return fail(`\`${ctx.mnemonic}' is only supported in 64-bit mode`, 0.5);
  if (form.no64 && ctx.mode === 64) {
    // GNU words these two cases its own way.
    const op0 = ctx.input.operands[0];
    if ((form.op === 'push_sreg' || form.op === 'pop_sreg') && op0?.kind === 'reg' && op0.reg === form.operands[0].slice(1)) {
      return fail(`you can't \`${ctx.base} %${op0.reg}'`, 2);
    }
    if (form.op === 'jmp_far' || form.op === 'call_far') return fail(`unsupported instruction \`${ctx.base}'`, 0.6);
    return fail(`\`${ctx.mnemonic}' is not supported in 64-bit mode`, 0.5);
  }
  // Without `*`, jmp/call to a bare address is the direct form: the indirect one is no candidate at all.
  if ((form.op === 'jmp_indirect' || form.op === 'call_indirect') && ops[0].kind === 'mem' && !ops[0].indirect && isAbsolute(ops[0])) {
    return fail(`operand type mismatch for \`${ctx.base}'`, 0.3);
  }
  const size = chooseSize(form, ctx, relaxed);
  if (isFailure(size)) return size;
  const registerSized = sizedByRegister(form, ops);
  ctx.sizeShown = !!ctx.suffix || registerSized;
  for (let i = 0; i < ops.length; i++) {
    if (!matchOperand(form.operands[i], ops[i], size, form, ctx)) {
      if (rankToBeat >= 1.6) return CANNOT_WIN;
      const message = operandMismatchMessage(form, ctx, size, i);
      // A type mismatch ranks below the others (most forms of a mnemonic fail so: its message is built once).
      if (message === undefined) return rankToBeat >= 1.5 ? CANNOT_WIN : fail(`operand type mismatch for \`${ctx.base}'`, 1.5, i);
      return fail(message, 1.6, i);
    }
  }
  let memIndex = -1;
  for (let i = 0; i < ops.length; i++) if (ops[i].kind === 'mem') memIndex = i;
  const defaulted = !ctx.suffix && form.sizes.length > 1 && !registerSized;
  return { form, size, defaulted, mem: memIndex >= 0 ? (ops[memIndex] as MemOperand) : undefined, memIndex };
}

/** A general register stands where the form's operand size applies (it shows the size). */
function sizedByRegister(form: InstructionForm, ops: readonly Operand[]): boolean {
  for (let i = 0; i < ops.length; i++) if (sizedSpecs.has(form.operands[i]) && isGpr(reg(ops[i]))) return true;
  return false;
}

/** GNU's message for operand i not matching, or undefined for its plain "operand type mismatch". */
function operandMismatchMessage(form: InstructionForm, ctx: Ctx, size: number, i: number): string | undefined {
  const ops = ctx.input.operands;
  if (ctx.suffix) {
    // Registers of different sizes are a type mismatch; otherwise GNU checks them against the suffix from the
    // last one back.
    // Every general register the same size (-1: none, 0: mixed).
    let regBits = -1;
    for (const o of ops) {
      const r = reg(o);
      if (isGpr(r)) regBits = regBits === -1 || regBits === gprBits(r) ? gprBits(r) : 0;
    }
    for (let k = ops.length - 1; k >= 0 && regBits > 0; k--) {
      const r = reg(ops[k]);
      if (!isGpr(r) || !sizedSpecs.has(form.operands[k]) || gprBits(r) === size) continue;
      if (size === 8 || gprBits(r) === 8) return `\`%${r.name}' not allowed with \`${ctx.mnemonic}'`;
      return `incorrect register \`%${r.name}' used with \`${ctx.suffix}' suffix`;
    }
  }
  const op = ops[i];
  // A constant GNU cannot size for the field: its one-operand templates say size, the others type.
  if (op.kind === 'imm' && (form.operands[i] === 'i8' || form.operands[i] === 'i16') && op.value.known && form.operands.length === 1) return `operand size mismatch for \`${ctx.base}'`;
  // `loop 0x1234`: the constant target does not fit the byte displacement.
  if (op.kind === 'mem' && form.operands[i] === 'rel8' && op.disp?.known) return `operand size mismatch for \`${ctx.base}'`;
  return undefined;
}

function unavailableRegister(input: InstructionInput, mode: CodeMode): EncodeResult | undefined {
  if (mode === 64) return undefined;
  for (let i = 0; i < input.operands.length; i++) {
    const o = input.operands[i];
    const names = o.kind === 'reg' ? [o.reg] : o.kind === 'mem' ? [o.base, o.index].filter((n): n is string => !!n) : [];
    for (const n of names) {
      const r = lookupRegister(n);
      if (!r || regOk(r, { mode } as Ctx) || (r.cls === 'cr' && r.num === 8)) continue;
      // GNU quotes a memory operand from the register to the next comma or the end: `%rax)`, `%r13d`.
      let shown = `%${r.name}`;
      if (o.kind === 'mem' && o.text) {
        const at = o.text.indexOf('%' + n);
        const comma = at >= 0 ? o.text.indexOf(',', at) : -1;
        if (at >= 0) shown = o.text.slice(at, comma >= 0 ? comma : undefined);
      }
      return { ok: false, message: `bad register name \`${shown}'`, operand: i };
    }
  }
  return undefined;
}

/**
 * GNU rejects a q suffix outside 64-bit code before it looks at the operands (movq is also an MMX/SSE
 * mnemonic there, so it reports an operand mismatch instead).
 */
function suffixOutside64(input: InstructionInput, mode: CodeMode, cands: { form: InstructionForm; suffix?: string }[]): EncodeResult | undefined {
  if (mode === 64 || !input.mnemonic.endsWith('q')) return undefined;
  if (input.mnemonic === 'movq') return undefined;
  const qForm = (c: { form: InstructionForm; suffix?: string }): boolean =>
    c.suffix === 'q' && !c.form.impliedSize && (c.form.sizes.includes(64) || namesWithQuadForms().has(input.mnemonic.slice(0, -1)));
  if (cands.some(qForm) && !cands.some((c) => !c.suffix && !c.form.only64)) {
    return { ok: false, message: `\`${input.mnemonic}' is only supported in 64-bit mode` };
  }
  return undefined;
}

let quadNames: Set<string> | undefined;

/** Names with a 64-bit operand-size row, decode-only rows included (`lssq` is 64-bit-only to GNU, not unknown). */
function namesWithQuadForms(): Set<string> {
  if (!quadNames) {
    quadNames = new Set();
    for (const f of forms) if (f.sizes.includes(64)) for (const n of f.names) quadNames.add(n);
  }
  return quadNames;
}

/** `movzxl`: names that take no suffix report it (a q suffix outside 64-bit code reads as a 64-bit form). */
function bareSuffixError(mnemonic: string, mode: CodeMode, knownName = false): EncodeResult | undefined {
  const last = mnemonic[mnemonic.length - 1];
  if (!(last in sizeSuffixes) || (formsByName.has(mnemonic) && !knownName)) return undefined;
  const base = mnemonic.slice(0, -1);
  const fs = formsByName.get(base);
  if (!fs || !fs.every((f) => f.bareNames.includes(base))) return undefined;
  // `movzxw` is itself movzx + w: a further suffix makes an unknown name.
  if (base.length > 1 && base[base.length - 1] in sizeSuffixes && formsByName.has(base.slice(0, -1))) return undefined;
  if (last === 'q' && mode !== 64) return { ok: false, message: `\`${mnemonic}' is only supported in 64-bit mode` };
  return { ok: false, message: `invalid instruction suffix for \`${base}'` };
}

function prefixOnly(input: InstructionInput, mode: CodeMode): EncodeResult | undefined {
  if (input.operands.length) return undefined;
  const b = prefixBytes[input.mnemonic];
  if (b === undefined) return undefined;
  if ((input.mnemonic === 'rex64' || input.mnemonic === 'rex') && mode !== 64) {
    return { ok: false, message: `\`${input.mnemonic}' is only supported in 64-bit mode` };
  }
  const bytes = [...input.prefixes.map((p) => prefixBytes[p]), b];
  return { ok: true, encoding: { bytes: Uint8Array.from(bytes), fixups: [] } };
}

export const encodeInstruction: EncodeInstruction = (input, mode) => {
  const only = prefixOnly(input, mode);
  if (only) return only;
  const ctx: Ctx = {
    mode,
    input,
    mnemonic: input.mnemonic,
    base: input.mnemonic,
    addr32: input.prefixes.includes('addr32'),
    addr16: input.prefixes.includes('addr16'),
    data: input.prefixes.includes('data16') || input.prefixes.includes('data32'),
    userPrefixes: NO_BYTES,
    userRex: NO_BYTES,
    warnings: [],
    sizeShown: false,
    registerGuess: undefined,
  };
  // Most instructions have no prefix; two of one kind are refused.
  const kinds = input.prefixes.length > 1 ? new Set<string>() : undefined;
  for (const p of input.prefixes) {
    if (kinds?.has(prefixKind[p])) return { ok: false, message: 'same type of prefix used twice' };
    kinds?.add(prefixKind[p]);
    if (mode === 64 && (p === 'addr16' || p === 'data32')) return { ok: false, message: `\`${p}' is not supported in 64-bit mode` };
    if (mode === 64 && (p === 'es' || p === 'ss')) return { ok: false, message: `\`${p}' is not supported in 64-bit mode` };
    if ((p === 'rex64' || p === 'rex') && mode !== 64) return { ok: false, message: `\`${p}' is only supported in 64-bit mode` };
    if ((p === 'data32' && mode !== 16) || (p === 'data16' && mode === 16) || (p === 'addr32' && mode === 32) || (p === 'addr16' && mode === 16)) {
      return { ok: false, message: `redundant ${p} prefix` };
    }
  }
  // GNU's order: the mnemonic and its suffix first, then registers that do not exist in this mode, then operands.
  const cands = candidates(input.mnemonic);
  if (!cands.length) {
    const bare = bareSuffixError(input.mnemonic, mode);
    if (!bare) return { ok: false, message: `no such instruction: \`${input.text ?? input.mnemonic}'` };
    return (bare.ok === false && bare.message.startsWith('invalid') ? unavailableRegister(input, mode) : undefined) ?? bare;
  }
  if (mode !== 64 && cands.every((c) => c.form.only64)) {
    return bareSuffixError(input.mnemonic, mode, true) ?? { ok: false, message: `\`${input.mnemonic}' is only supported in 64-bit mode` };
  }
  // The best failure so far; none yet stands for GNU's plain operand type mismatch (its message built if it is the answer).
  let best: Failure | undefined;
  const early = suffixOutside64(input, mode, cands) ?? unavailableRegister(input, mode);
  if (early) return early;
  if (mode !== 64 && input.mnemonic === 'movq') return { ok: false, message: "operand type mismatch for `movq'" };

  for (let pass = 0; pass < 2; pass++) {
    const relaxed = pass === 1;
    for (const { form, suffix } of cands) {
      ctx.suffix = suffix;
      ctx.base = suffix ? input.mnemonic.slice(0, -1) : input.mnemonic;
      rankToBeat = best ? best.rank : -1;
      const m = tryForm(form, ctx, relaxed);
      if (isFailure(m)) {
        if (m.rank > rankToBeat) best = m;
        continue;
      }
      const r = finish(m, ctx);
      if (isFailure(r)) {
        if (r.rank === 0) continue;
        if (r.rank > (best ? best.rank : -1)) best = r;
        continue;
      }
      return r;
    }
  }
  if (!best) return { ok: false, message: `operand type mismatch for \`${input.mnemonic}'` };
  if (best.message.startsWith('operand type mismatch') && registersOfTwoSizes(input, cands)) {
    return { ok: false, message: 'register' + best.message.slice('operand'.length), operand: best.operand };
  }
  return { ok: false, message: best.message, operand: best.operand };
};

/**
 * GNU's "register type mismatch": two general registers of different sizes where a form wants one operand size
 * for both (`addl %ax, %ebx`). mov says "operand type" (its special-register forms fail first).
 */
function registersOfTwoSizes(input: InstructionInput, cands: readonly { form: InstructionForm }[]): boolean {
  const ops = input.operands;
  for (let i = 0; i < ops.length; i++) {
    const a = reg(ops[i]);
    if (!isGpr(a)) continue;
    for (let j = i + 1; j < ops.length; j++) {
      const b = reg(ops[j]);
      if (!isGpr(b) || gprBits(a) === gprBits(b)) continue;
      for (const { form } of cands) {
        if (form.op !== 'mov' && form.operands.length === ops.length && sizedSpecs.has(form.operands[i]) && sizedSpecs.has(form.operands[j])) return true;
      }
    }
  }
  return false;
}

function finish(m: Match, ctx: Ctx): EncodeResult | Failure {
  const form = m.form;
  // Emptied, not replaced: a result takes the array only when this form wins, and the encoder returns then.
  if (ctx.warnings.length) ctx.warnings.length = 0;
  const prefixes = ctx.input.prefixes;
  const pre: number[] = prefixes.length ? [] : NO_BYTES;
  for (const p of prefixes) {
    // PadLock's F3 is part of its opcode: a `rep` written before it is that same byte.
    if ((p === 'rep' || p === 'repe' || p === 'repz') && form.op === 'padlock' && form.mandatoryPrefix === 0xf3) continue;
    if ((p === 'rep' || p === 'repe' || p === 'repz' || p === 'repne' || p === 'repnz') && !form.rep) return fail(`invalid instruction \`${ctx.base}' after \`${p}'`, 6);
    // GNU drops an address-size prefix on direct branches: it cannot change them.
    if ((p === 'addr32' || p === 'addr16') && (form.op === 'jmp' || form.op === 'jcc' || form.op === 'call' || form.op === 'xbegin' || form.op === 'jmp_far' || form.op === 'call_far')) {
      ctx.warnings.push(`skipping prefixes on \`${ctx.base}'`);
      continue;
    }
    if (p === 'lock' && (!form.lock || !ctx.input.operands.some((o) => o.kind === 'mem'))) return fail(`expecting lockable instruction after \`lock'`, 6);
    if ((p === 'rex64' || p === 'rex') && ctx.mode !== 64) return fail(`\`${p}' is only supported in 64-bit mode`, 6);
    pre.push(prefixBytes[p]);
  }
  ctx.userPrefixes = pre.length ? pre.filter((b) => (b & 0xf0) !== 0x40) : NO_BYTES;
  ctx.userRex = pre.length ? pre.filter((b) => (b & 0xf0) === 0x40) : NO_BYTES;
  const isRelaxable = form.operands.includes('rel8');
  if (isRelaxable) {
    // Short form from this row, near form from the next row of the same names with `rel`.
    const short = encodeForm(m, ctx);
    if (isFailure(short)) return short;
    const near = nearSibling(form);
    const warnings = ctx.warnings.length ? [...ctx.warnings] : undefined;
    if (!near) return warnings ? { ok: true, encoding: short, warnings } : { ok: true, encoding: short };
    const nearEnc = encodeForm(m, ctx, near);
    if (isFailure(nearEnc)) return nearEnc;
    const relax = { short, near: nearEnc };
    return warnings ? { ok: true, encoding: nearEnc, relax, warnings } : { ok: true, encoding: nearEnc, relax };
  }
  const enc = encodeForm(m, ctx);
  if (isFailure(enc)) return enc;
  const fromForm = formWarnings(m, ctx);
  const warnings = fromForm.length ? [...fromForm, ...ctx.warnings] : ctx.warnings;
  return warnings.length ? { ok: true, encoding: enc, warnings } : { ok: true, encoding: enc };
}

/**
 * GNU's warnings about how a statement was written: an operand size that had to default (`inc (%eax)`), an
 * indirect branch without `*`, a segment override on lea.
 */
function formWarnings(m: Match, ctx: Ctx): readonly string[] {
  const f = m.form;
  if (!m.defaulted && !f.warnBare && !f.warnAlias && !f.op.endsWith('_indirect') && f.op !== 'lea' && !ctx.addr32 && !ctx.addr16) return NO_WARNINGS;
  const out: string[] = [];
  const ops = ctx.input.operands;
  // A written address size decides the string registers; GNU names operands that say otherwise.
  if (ctx.addr32 || ctx.addr16) {
    for (let i = 0; i < ops.length; i++) {
      const o = ops[i];
      const spec = f.operands[i];
      if ((spec !== 'ms' && spec !== 'md') || o.kind !== 'mem' || !o.base) continue;
      const want = ctx.addr32 ? 32 : 16;
      if (gprBits(lookupRegister(o.base)!) === want) continue;
      const expected = (want === 32 ? 'e' : '') + (spec === 'ms' ? 'si' : 'di');
      out.push(`\`${o.seg ? `%${o.seg}:` : ''}${fmtMem(o)}' is not valid here (expected \`(%${expected})')`);
    }
  }
  const onlyImm16 = f.operands.every((s) => s === 'i16');
  // A data16/data32 or rex64 prefix gives GNU the size: it does not warn then.
  const sizeFromPrefix = ctx.data || ctx.userRex.some((b) => (b & 8) !== 0);
  const defaultWarns = sizeFromPrefix ? false : m.defaulted
    ? (!f.quietDefault && f.osz !== 'd64') || (ctx.mode === 64 && onlyImm16 && f.sizes.includes(64) && f.osz === 'op')
    : !ctx.suffix && f.warnBare && !ops.some((o, i) => sizedSpecs.has(f.operands[i]) && isGpr(reg(o)));
  if (defaultWarns || (f.warnAlias && ctx.mnemonic === f.warnAlias && !sizeFromPrefix)) out.push(`no instruction mnemonic suffix given and no register operands; using default for \`${ctx.mnemonic}'`);
  if (f.op.endsWith('_indirect') && ops[0] && (ops[0].kind === 'reg' || ops[0].kind === 'mem') && !ops[0].indirect) {
    out.push(`indirect ${ctx.base} without \`*'`);
  }
  if (f.op === 'lea' && ((ops[0].kind === 'mem' && ops[0].seg) || userSegmentPrefix(ctx))) out.push(`segment override on \`lea' is ineffectual`);
  return out;
}

const nearSiblings = new Map<InstructionForm, InstructionForm | null>();
function nearSibling(form: InstructionForm): InstructionForm | undefined {
  let near = nearSiblings.get(form);
  if (near === undefined) {
    near = (formsByName.get(form.names[0]) ?? []).find((f) => f !== form && f.operands.length === 1 && f.operands[0] === 'rel') ?? null;
    nearSiblings.set(form, near);
  }
  return near ?? undefined;
}
