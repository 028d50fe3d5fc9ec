// The real instruction backend: isa/'s AT&T parser and encoder behind the assembler's injection interface.
import { parseInstruction } from '../isa/att-syntax';
import { encodeInstruction } from '../isa/encoder';
import type { InstructionBackend } from './backend';

export const isaBackend: InstructionBackend = {
  parse(statement, _mode, ctx) {
    const r = parseInstruction(statement, 0, (text, column) => ctx.evaluate(text, column));
    if (r.ok) return { ok: true, input: r.instruction, operandRanges: r.operandRanges };
    return { ok: false, message: r.message, column: r.range.start, endColumn: r.range.end };
  },
  encode: encodeInstruction,
};
