// Robustness: random statements built from real mnemonics and odd operand text must never throw, and every
// error carries a column range inside the statement. Property-based with fast-check.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseInstruction } from '../../isa/att-syntax';
import { encodeInstruction } from '../../isa/encoder';
import { allMnemonics } from '../../isa/table';
import { disassemble } from '../../isa/disassembler';
import { evaluateNumeric } from './numeric-eval';

const mnemonics = allMnemonics();
const operandPool = [
  '%eax', '%ax', '%al', '%ah', '%rax', '%r8', '%r8b', '%sil', '%cr0', '%cr8', '%db7', '%dr6', '%es', '%fs', '%st(1)', '%xmm0',
  '%foo', '%', '$', '$1', '$-1', '$0xffffffffffffffff', '$0x1ffffffffffffffff', '$sym', '$(1+', '(%eax)', '(%eax,%ebx,3)',
  '(,%esi,8)', '(%esp,%esp)', '(%bx,%si)', '(%si,%bx)', '(%rip)', 'sym(%rip)', '(%eip)', '0x10(%ebp)', '%es:(%edi)',
  '%cs:0x10', '%eax:0x10', '*%eax', '*(%eax)', '*', '()', '(,,)', '(%eax,)', '0x7fffffffffffffff', '-0x80000001(%rax)',
  'sym', '1b', '(x - y)(%esi)', '0x1007 (%edi)', '(%dx)', '"str"', "'a", '%st', '(%eax', 'eax)', ',', '',
];

test('parse + encode never throws and errors stay inside the statement', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...mnemonics, 'lock', 'rep', 'cs', 'data16', 'addr32', 'rex64', 'nosuch'),
      fc.array(fc.constantFrom(...operandPool), { maxLength: 3 }),
      fc.constantFrom(16, 32, 64),
      fc.boolean(),
      (mn, ops, mode, prefix) => {
        const text = `${prefix ? 'lock ' : ''}${mn} ${ops.join(', ')}`.trimEnd();
        const p = parseInstruction(text, 3, (t) => evaluateNumeric(t));
        if (!p.ok) {
          assert.ok(p.range.start >= 3 && p.range.end <= 3 + text.length && p.range.start <= p.range.end, `${text}: ${JSON.stringify(p.range)}`);
          return;
        }
        const r = encodeInstruction(p.instruction, mode as 16 | 32 | 64);
        if (!r.ok) {
          assert.ok(r.message.length > 0);
          if (r.operand !== undefined) assert.ok(r.operand >= 0 && r.operand < p.instruction.operands.length);
        } else {
          assert.ok(r.encoding.bytes.length > 0 && r.encoding.bytes.length <= 15, `${text}: ${r.encoding.bytes.length} bytes`);
          for (const f of r.encoding.fixups) assert.ok(f.offset + f.size <= r.encoding.bytes.length);
        }
      },
    ),
    { numRuns: 3000, seed: 4242 },
  );
});

test('the disassembler never throws on random bytes', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.constantFrom(16, 32, 64), (bytes, mode) => {
      const lines = disassemble(bytes, mode as 16 | 32 | 64);
      assert.equal(lines.reduce((n, l) => n + l.length, 0), bytes.length);
    }),
    { numRuns: 3000, seed: 7 },
  );
});
