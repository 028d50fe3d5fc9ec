// The real instruction backend: isa/'s AT&T parser and encoder behind the assembler's injection interface.
import { parseInstruction } from '../isa/att-syntax';
import { encodeInstruction } from '../isa/encoder';
import type { CodeMode } from '../isa/mode';
import type { EncodeResult, InstructionInput } from '../isa/operand';
import type { InstructionBackend } from './backend';

/**
 * Encodings of instructions whose operands are all known, by mode and operands. Source repeats the same
 * instructions (macro bodies, `movl %eax, %cr0`…) and the encoder tries many forms per mnemonic, so a hit saves
 * most of the encoding time. Only plain successes are kept (no fixups, no relaxation, no warnings): their bytes
 * depend on nothing but the key, and the assembler copies them out.
 */
const encodings = new Map<string, EncodeResult>();
const MAX_ENCODINGS = 20_000;

function encodingKey(input: InstructionInput, mode: CodeMode): string | undefined {
  let k = `${mode}|${input.mnemonic}|${input.prefixes.join(',')}`;
  for (const o of input.operands) {
    if (o.kind === 'reg') k += `|r${o.reg}${o.indirect ? '*' : ''}`;
    else if (o.kind === 'imm') {
      if (!o.value.known) return undefined;
      k += `|i${o.value.value}`;
    } else {
      if (o.disp && !o.disp.known) return undefined;
      k += `|m${o.indirect ? '*' : ''}${o.seg ?? ''}:${o.disp ? o.disp.value : '-'}(${o.base ?? ''},${o.index ?? ''},${o.scale})`;
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
  if (key !== undefined && r.ok && !r.relax && !r.warnings && r.encoding.fixups.length === 0) {
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
