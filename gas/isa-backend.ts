// The real instruction backend: isa/'s AT&T parser and encoder behind the assembler's injection interface.
import { parseInstruction } from '../isa/att-syntax';
import { encodeInstruction } from '../isa/encoder';
import type { CodeMode } from '../isa/mode';
import type { EncodeResult, InstructionInput } from '../isa/operand';
import type { InstructionBackend } from './backend';

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

export const isaBackend: InstructionBackend = {
  parse(statement, _mode, ctx) {
    const r = parseInstruction(statement, 0, (text, column) => ctx.evaluate(text, column));
    if (r.ok) return { ok: true, input: r.instruction, operandRanges: r.operandRanges };
    return { ok: false, message: r.message, column: r.range.start, endColumn: r.range.end };
  },
  encode: encodeCached,
};
