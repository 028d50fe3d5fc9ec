// The backend's encoding cache: statements that differ only where the cache's hash cannot tell them apart (values
// past 2^53, base versus index, a segment, a prefix, the mode) must still get their own bytes. Each statement is
// encoded through the real backend twice, interleaved with its look-alikes, and compared with GNU as.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createIsaBackend, isaBackend } from '../../gas/isa-backend';
import { inputHash } from '../../gas/encoding-cache';
import type { OperandContext } from '../../gas/backend';
import type { InstructionInput } from '../../isa/operand';
import { evaluateNumeric } from '../isa/numeric-eval';
import { gnuAssemble } from '../isa/gnu-oracle';
import { requireTools } from './toolchain';

const numeric: OperandContext = {
  evaluate(text) {
    const v = evaluateNumeric(text);
    if ('error' in v) throw new Error(`${text}: ${v.error}`);
    return v;
  },
};

function parse(line: string): InstructionInput {
  const p = isaBackend.parse(line, 64, numeric);
  assert.ok(p.ok, line);
  return p.input;
}

const LOOK_ALIKES: Record<16 | 32 | 64, string[]> = {
  64: [
    // Number() rounds all three to 2^61: one hash, three encodings.
    'movabsq $0x2000000000000001, %rax',
    'movabsq $0x2000000000000000, %rax',
    'movabsq $0x2000000000000003, %rax',
    'movq %rax, (%rbx)',
    'movq %rax, (,%rbx)',
    'movq %rax, (%rbx,%rbx)',
    'movq %rax, (%rbx,%rbx,2)',
    'movq %rax, %fs:(%rbx)',
    'movq %rax, %gs:(%rbx)',
    'movq %rax, 8(%rbx)',
    'movq %rax, 0x108(%rbx)',
    'addl $1, (%rax)',
    'lock addl $1, (%rax)',
    'addq $1, %rax',
    'addq $-1, %rax',
    'addq $0x80, %rax',
    'jmp *%rax',
    'call *%rax',
    'jmp *(%rax)',
    'movl %eax, (%ebx)',
  ],
  32: ['movl %eax, (%ebx)', 'movl %eax, (%ebx,%ebx)', 'addl $1, (%eax)', 'lock addl $1, (%eax)', 'movw %ax, (%ebx)'],
  16: ['movl %eax, (%ebx)', 'movl %eax, (%bx)', 'addl $1, (%bx,%si)', 'addl $1, (%bx,%di)', 'addl $1, (%bp,%si)', 'movw %ax, (%bx)'],
};

test('look-alike statements keep their own encodings through the cache, as GNU as encodes them', (t) => {
  if (!requireTools(t, ['as'])) return;
  let compared = 0;
  for (const mode of [64, 32, 16] as const) {
    const lines = LOOK_ALIKES[mode];
    const gnu = gnuAssemble(lines, mode);
    // Twice over, so the second round is served from the cache filled by the first (and by the other modes).
    for (let round = 0; round < 2; round++) {
      lines.forEach((line, i) => {
        assert.equal(gnu[i].error, undefined, `GNU rejects ${line}`);
        const r = isaBackend.encode(parse(line), mode);
        assert.ok(r.ok, `${line}: ${r.ok ? '' : r.message}`);
        assert.deepEqual(Array.from(r.encoding.bytes), gnu[i].bytes, `.code${mode} ${line} (round ${round + 1})`);
        compared++;
      });
    }
  }
  console.log(`${compared} cached encodings compared with GNU as`);
});

test('values the hash folds together still hash alike (so the test above reaches the field-by-field check)', () => {
  const [a, b, c] = LOOK_ALIKES[64].slice(0, 3).map(parse);
  assert.equal(inputHash(a, 64), inputHash(b, 64));
  assert.equal(inputHash(a, 64), inputHash(c, 64));
  assert.notEqual(inputHash(a, 64), inputHash(a, 32));
});

test('a backend of its own starts with empty caches; the shared one keeps what it encoded', () => {
  const input = parse('movq %rax, 0x208(%rbx)');
  const first = isaBackend.encode(input, 64);
  // Served from the cache: the very result object of the first encoding.
  assert.equal(isaBackend.encode(parse('movq %rax, 0x208(%rbx)'), 64), first);
  const own = createIsaBackend();
  const fresh = own.encode(input, 64);
  assert.notEqual(fresh, first, 'a new backend encodes again');
  assert.ok(fresh.ok && first.ok);
  assert.deepEqual(Array.from(fresh.encoding.bytes), Array.from(first.encoding.bytes));
  assert.equal(own.encode(input, 64), fresh, 'and then keeps its own result');
});
