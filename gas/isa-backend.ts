// The real instruction backend: isa/'s AT&T parser and encoder behind the assembler's injection interface.
import { isParseError, operandRanges, parseInstructionInput, type EvaluateExpression } from '../isa/att-syntax';
import { encodeInstruction } from '../isa/encoder';
import type { CodeMode } from '../isa/mode';
import type { EncodeResult, InstructionInput } from '../isa/operand';
import type { InstructionBackend, OperandContext, ParsedInstruction } from './backend';
import { EncodingCache, inputHash } from './encoding-cache';

const encodings = new EncodingCache(20_000);

function encodeCached(input: InstructionInput, mode: CodeMode): EncodeResult {
  const hash = inputHash(input, mode);
  const hit = encodings.get(input, mode, hash);
  if (hit) return hit;
  const r = encodeInstruction(input, mode);
  if (r.ok && !r.warnings) encodings.set(input, mode, hash, r);
  return r;
}

/** The context of the statement being parsed: the parser's callback reaches it without a closure per statement. */
let parsing: OperandContext | undefined;
const evaluateInContext: EvaluateExpression = (text, column) => parsing!.evaluate(text, column);

/**
 * A parsed statement. Where each operand is written only matters when the encoder rejects one, so the ranges are
 * found again from the text when asked for.
 */
class ParsedStatement {
  readonly ok = true;
  private ranges: { start: number; end: number }[] | undefined;
  constructor(readonly input: InstructionInput, private readonly statement: string) {}
  get operandRanges(): { start: number; end: number }[] {
    return (this.ranges ??= operandRanges(this.statement, 0));
  }
}

export const isaBackend: InstructionBackend = {
  parse(statement, _mode, ctx): ParsedInstruction {
    const outer = parsing;
    parsing = ctx;
    try {
      const r = parseInstructionInput(statement, 0, evaluateInContext);
      if (isParseError(r)) return { ok: false, message: r.message, column: r.range.start, endColumn: r.range.end };
      return new ParsedStatement(r, statement);
    } finally {
      parsing = outer;
    }
  },
  encode: encodeCached,
};
