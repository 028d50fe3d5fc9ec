// The shape of one instruction form in the table. Rows are written compactly in isa/table/*.ts and expanded
// once at load into these records; the encoder, decoder, disassembler and docs read only these.

/**
 * How an operand is written and where it goes. Sizes: without a number an operand has the form's operand size
 * (from the suffix or the registers); with one (`rm8`, `r16`) it is fixed.
 * - `r` general register in ModRM.reg; `rm` register or memory in ModRM.rm; `rr` register only, in ModRM.rm;
 *   `m` memory only (its size is not checked); `ro` register in the opcode's low 3 bits;
 *   `rn`/`rrn` a register of the mode's native width (32, or 64 in .code64) in reg / rm (control-register moves).
 * - `i` immediate of the operand size (32 bits sign-extended for 64); `is8` imm8 sign-extended (chosen only when
 *   the value is known and fits); `i8` `i16` fixed immediates; `i64` a full 64-bit immediate; `one` the literal $1.
 * - `acc` accumulator of the operand size; `%name` exactly that register (`%dx` also matches `(%dx)`).
 * - `sreg` `cr` `dr` `tr` special registers in ModRM.reg (cr/dr/tr moves take ModRM.rm as a register whatever
 *   ModRM.mod says); `rmn` register or memory of the mode's native width (vmread/vmwrite); `bnd` an MPX bound
 *   register in ModRM.reg, `bndrm` one in ModRM.rm or memory; `ra` / `rra` a register of the address size in
 *   ModRM.reg / ModRM.rm (movdir64b, umonitor).
 * - `rel` near branch displacement (16/32 bits by operand size), `rel8` short branch.
 * - `moffs` absolute address without ModRM (A0–A3); `fsel`/`foff` the selector and offset of a far pointer.
 * - `sti` an x87 register %st(i) in the low bits of a fixed ModRM byte; `%st` the stack top.
 * - `ms`/`md` explicit string-instruction source (`(%esi)`) / destination (`%es:(%edi)`).
 */
export type OperandSpec = string;

export type OperandSizeRule =
  /** 0x66 for 16-bit outside .code16, for 32-bit inside it; REX.W for 64. */
  | 'op'
  /** Defaults to 64 bits in .code64 (push, pop, near branches): 64 needs no REX.W and 32 is not encodable. */
  | 'd64'
  /** The size does not change the encoding (descriptor-table loads, control-register moves, segment loads). */
  | 'none';

export type ModrmKind = 'none' | 'reg' | 'digit' | 'fixed';

export interface InstructionForm {
  /** Stable, unique semantic id (e.g. `add.r_rm`): decoders, the emulator and tests key on it. */
  id: string;
  /** Operation name shared by every form doing the same thing (`add`, `jcc`, `mov_cr`); the emulator dispatches on it. */
  op: string;
  /** AT&T names that select this form (before any size suffix). The first one is canonical. */
  names: string[];
  /** Operand sizes in bits the form accepts (8/16/32/64); empty when it has none. */
  sizes: number[];
  /** Operand specs in AT&T order (source first). */
  operands: OperandSpec[];
  /** A mandatory prefix (0x66/0xf2/0xf3) that is part of the opcode. */
  mandatoryPrefix?: number;
  /** Opcode bytes including escapes (0x0f, 0x0f 0x38); with `opcodeReg` the last byte is the +r base. */
  opcode: number[];
  modrm: ModrmKind;
  /** The /digit or the fixed ModRM byte. */
  modrmValue: number;
  opcodeReg: boolean;
  /** A fixed ModRM byte whose low 3 bits hold an x87 register (`d8 =c0+r`: fadd %st(i),%st). */
  modrmReg: boolean;
  /** Condition code 0–15 for jcc/setcc/cmovcc forms (already added into the opcode). */
  cc?: number;
  osz: OperandSizeRule;
  /** Address size the instruction implies (jcxz 16, jecxz 32, jrcxz 64): 0x67 when it differs from the mode. */
  asz?: 16 | 32 | 64;
  no64: boolean;
  only64: boolean;
  /** Always emits REX.W (fxsave64, cmpxchg16b). */
  rexW: boolean;
  /**
   * One of a family of instructions told apart by a mandatory prefix (SDM "NP"): with 66/F2/F3 in front the
   * bytes are another instruction or invalid — except 66 as the operand size where the form has a 16-bit size.
   */
  noPrefix: boolean;
  /** objdump shows this family with a wrong prefix as a bare `(bad)`, naming none of the prefixes. */
  bareBadPrefix: boolean;
  /** 0x66 does not change the operand size (sysretl in 64-bit code): objdump shows it as unused. */
  ignoresOpSize: boolean;
  /** REX.W does not change the operand size (in/out/ins/outs have no 64-bit form): the CPU ignores it. */
  ignoresRexW: boolean;
  /** Accepts `lock`. */
  lock: boolean;
  /** Accepts `rep`/`repe`/`repne`. */
  rep: boolean;
  /** An alternate spelling of an encoding another form already decodes to: the decoder skips it. */
  encodeOnly: boolean;
  /** An encoding GNU as never emits but CPUs and objdump accept (82 /n, f6 /1, shift /6): decoder only. */
  decodeOnly: boolean;
  /** Immediates are emitted in reverse operand order (far pointers: offset then selector). */
  immReverse: boolean;
  /** The register operand is also encoded in ModRM.rm (`imul $3,%eax`). */
  dupReg: boolean;
  /** Size inference: no warning when the size must default (lgdt, push %ds…). */
  quietDefault: boolean;
  /** Operand size fixed by the name itself (cwtl = 32, cqto = 64); no suffix is accepted. */
  impliedSize?: number;
  /** Names that must be written without a size suffix (`movzx`; `movzbl` is the suffixed spelling). */
  bareNames: string[];
  /** GNU warns that the size defaulted when this form is written without a suffix (sysret in 64-bit code). */
  warnBare: boolean;
  /** A spelling of this form that GNU accepts with the "no suffix" warning (`fadd` for `fadds`). */
  warnAlias?: string;
  /**
   * How objdump spells the mnemonic when it differs from the first name: `~` is replaced by the operand-size
   * suffix, `_` stands for a space before fixed operand text, `{A}` for the address-size accumulator, a trailing
   * `!` means never add a suffix.
   */
  disName?: string;
}

export interface OperationDoc {
  /** One line for completion lists. */
  summary: string;
  /** A few sentences for hovers: what it does and what to watch out for in boot code. */
  note: string;
  /** EFLAGS the operation reads, writes, and leaves undefined, as letter strings over "oszapcdi" (+ t, r for TF/RF…). */
  flagsRead: string;
  flagsWritten: string;
  flagsUndefined: string;
}
