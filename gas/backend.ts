// How the assembler reaches the instruction encoder: by injection, so the front end works (and is tested) with
// any encoder, and the language server can analyse without one. The isa/ package supplies the real backend.
import type { CodeMode } from '../isa/mode';
import type { EncodeInstruction, InstructionInput, Value } from '../isa/operand';

export interface OperandContext {
  /**
   * Evaluates the expression text found at `column` of the statement text. The returned Value object is the one
   * the encoder must carry in its Operand (the assembler maps fixups back to the expression through it).
   */
  evaluate(text: string, column: number): Value;
}

export type ParsedInstruction =
  /** `operandRanges`: where each operand is written, as [start, end) offsets in the statement text. */
  | { ok: true; input: InstructionInput; operandRanges?: { start: number; end: number }[] }
  | { ok: false; message: string; column?: number; endColumn?: number };

export interface InstructionBackend {
  /** Parses an instruction statement (prefixes, mnemonic, AT&T operands) in the given mode. */
  parse(statement: string, mode: CodeMode, ctx: OperandContext): ParsedInstruction;
  encode: EncodeInstruction;
}
