// The contract between the front end (gas/) and the encoder (isa/). The front end parses AT&T operand text and
// evaluates expressions; the encoder only sees registers by name and values that are either known now or not.
import type { CodeMode } from './mode';

/**
 * A value as GNU as sees it while it assembles a statement: `known` when the expression is a constant at that
 * point (so the encoder may pick disp8/imm8), otherwise a placeholder that the linker patches through a fixup.
 * 64-bit wide, so bigint (the assembler is not the emulator's hot path).
 */
export interface Value {
  known: boolean;
  value: bigint;
}

export type Operand =
  /** `%eax`, `%cr4`, `%ds`; `*%eax` has indirect = true. Register names are lowercase without '%', `dr` spelled `db`. */
  | { kind: 'reg'; reg: string; indirect?: boolean }
  /** `$expr`. */
  | { kind: 'imm'; value: Value }
  /**
   * `seg:disp(base,index,scale)`, `sym(%rip)`, a bare `expr` (a branch target for jumps/calls, an absolute address
   * otherwise), `*mem` for indirect jumps/calls.
   */
  | {
      kind: 'mem';
      seg?: string;
      base?: string;
      index?: string;
      scale: 1 | 2 | 4 | 8;
      disp?: Value;
      indirect?: boolean;
      /** The address as written without `*` and segment (optional): quoted in GNU-style error messages. */
      text?: string;
    };

export interface InstructionInput {
  /** As written, lowercase: `movl`, `ljmpl`, `jnz`, `rep`, `lock` prefixes split off into `prefixes`. */
  mnemonic: string;
  /** Prefix mnemonics written before it on the same statement: `lock`, `rep`, `data32`, `addr32`, `rex64`, `cs`… */
  prefixes: string[];
  operands: Operand[];
  /** The statement as written (optional): only used to quote it in "no such instruction" like GNU as. */
  text?: string;
}

/**
 * A place in the encoded bytes that the linker fills once addresses are final: operand `operand`'s value
 * (pc-relative ones minus the address of the end of the instruction), `size` bytes little-endian.
 */
export interface Fixup {
  offset: number;
  size: 1 | 2 | 4 | 8;
  operand: number;
  pcRelative: boolean;
  /** How the value is range-checked: 'signed', or 'either' (GNU's check for fields that are not signed). */
  range: 'signed' | 'either';
}

export interface Encoding {
  bytes: Uint8Array;
  fixups: Fixup[];
}

export type EncodeResult =
  | {
      ok: true;
      encoding: Encoding;
      /** Relaxable branches (jmp/jcc/… to an expression) give both forms; the assembler picks one per pass. */
      relax?: { short: Encoding; near: Encoding };
      /** GNU as warnings for this statement (e.g. the operand size defaulted because nothing showed it). */
      warnings?: string[];
    }
  | { ok: false; message: string; operand?: number };

export type EncodeInstruction = (input: InstructionInput, mode: CodeMode) => EncodeResult;
