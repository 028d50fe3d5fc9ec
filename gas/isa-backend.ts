// The real instruction backend: isa/'s AT&T parser and encoder behind the assembler's injection interface.
import { isParseError, operandRanges, parseInstructionInput, type EvaluateExpression } from '../isa/att-syntax';
import { encodeInstruction } from '../isa/encoder';
import type { CodeMode } from '../isa/mode';
import type { EncodeResult, InstructionInput } from '../isa/operand';
import type { InstructionBackend, OperandContext, ParsedInstruction } from './backend';
import { EncodingCache, inputHash } from './encoding-cache';

/** Encodings kept per backend; the assembler keeps its known instructions per backend too (instruction.ts). */
const ENCODINGS_KEPT = 20_000;

function encodeCached(encodings: EncodingCache, input: InstructionInput, mode: CodeMode): EncodeResult {
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

/**
 * A backend with caches of its own, empty at first. Hosts that assemble again and again (the language server, the
 * debug adapter) share `isaBackend` so that each assembly reuses what the last one encoded; a benchmark of one
 * assembly takes a new one.
 */
export function createIsaBackend(): InstructionBackend {
  const encodings = new EncodingCache(ENCODINGS_KEPT);
  return { parse: parseStatement, encode: (input, mode) => encodeCached(encodings, input, mode) };
}

function parseStatement(statement: string, _mode: CodeMode, ctx: OperandContext): ParsedInstruction {
  const outer = parsing;
  parsing = ctx;
  try {
    const r = parseInstructionInput(statement, 0, evaluateInContext);
    if (isParseError(r)) return { ok: false, message: r.message, column: r.range.start, endColumn: r.range.end };
    return new ParsedStatement(r, statement);
  } finally {
    parsing = outer;
  }
}

/** The backend shared by every assembly that is not given one. */
export const isaBackend: InstructionBackend = createIsaBackend();
