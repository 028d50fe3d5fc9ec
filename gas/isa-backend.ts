// The real instruction backend: isa/'s AT&T parser and encoder behind the assembler's injection interface.
import { isParseError, operandRanges, parseInstructionInput, type EvaluateExpression } from '../isa/att-syntax';
import { encodeInstruction } from '../isa/encoder';
import type { CodeMode } from '../isa/mode';
import type { EncodeResult, InstructionInput } from '../isa/operand';
import type { InstructionBackend, OperandContext, ParsedInstruction } from './backend';

/**
 * Encodings by mode and operands. Source repeats the same instructions (macro bodies, `movl %eax, %cr0`, `jne 1f`…)
 * and the encoder tries many forms per mnemonic, so a hit saves most of the encoding time. A value not known yet
 * is a placeholder to the encoder (its fixup says which operand fills it), so `jmp foo` and `jmp bar` share one
 * result, relaxation forms included. Successes without warnings are kept; the assembler copies their bytes out
 * and only reads their fixups and relaxation forms.
 */
const encodings = new Map<string, EncodeResult>();
const MAX_ENCODINGS = 20_000;

function encodingKey(input: InstructionInput, mode: CodeMode): string | undefined {
  let k = `${mode}|${input.mnemonic}|${input.prefixes.join(',')}`;
  for (const o of input.operands) {
    if (o.kind === 'reg') k += `|r${o.reg}${o.indirect ? '*' : ''}`;
    else if (o.kind === 'imm') {
      k += o.value.known ? `|i${o.value.value}` : `|i?${o.value.value}`;
    } else {
      const d = o.disp ? (o.disp.known ? `${o.disp.value}` : `?${o.disp.value}`) : '-';
      k += `|m${o.indirect ? '*' : ''}${o.seg ?? ''}:${d}(${o.base ?? ''},${o.index ?? ''},${o.scale})`;
    }
  }
  return k;
}

function encodeCached(input: InstructionInput, mode: CodeMode): EncodeResult {
  const key = encodingKey(input, mode);
  if (key !== undefined) {
    const hit = encodings.get(key);
    if (hit) return hit;
  }
  const r = encodeInstruction(input, mode);
  if (key !== undefined && r.ok && !r.warnings) {
    if (encodings.size >= MAX_ENCODINGS) encodings.clear();
    encodings.set(key, r);
  }
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
