// Inline-value targets on real lines: explicit registers and memory operands (not lea's address operand),
// the registers WRMSR/CPUID use implicitly (SDM), and a window that stops at block boundaries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inlineTargets, lineTargets } from '../../extension/logic/inline-values';
import { stripComments } from '../../extension/logic/source-text';
import { example, lineIndex, read, SEED } from './helpers';

const seed = read(SEED);
const seedLines = seed.split('\n');
const tramp = read(example('ap-trampoline/trampoline.S'));

const targetsOf = (line: string) => lineTargets(stripComments([line])[0], 0).map((t) => t.expression);

test('a store: the source register, the memory operand and its base register', () => {
  const line = seedLines[lineIndex(seed, /movl %eax, \(gdt_bsp_64 - bsp_base \+ 2\)\(%esi\)/)];
  assert.deepEqual(targetsOf(line), ['%eax', '(gdt_bsp_64 - bsp_base + 2)(%esi)', '%esi']);
});

test('lea computes an address: no memory read shown, only the registers', () => {
  const line = seedLines[lineIndex(seed, /leal 0x1007 \(%edi\), %eax/)];
  assert.deepEqual(targetsOf(line), ['%edi', '%eax']);
});

test('implicit operands: WRMSR reads ECX (MSR index) and EDX:EAX', () => {
  const line = seedLines[lineIndex(seed, /^\s*wrmsr/)];
  assert.deepEqual(targetsOf(line).sort(), ['%eax', '%ecx', '%edx']);
});

test('immediates, symbols as jump targets and comments contribute nothing; RIP-relative memory keeps its symbol', () => {
  assert.deepEqual(targetsOf('        jnz 1b          # %eax is not read here'), []);
  assert.deepEqual(targetsOf(' orl $(X86_CR4_PAE), %eax'), ['%eax']);
  const lock = tramp.split('\n')[lineIndex(tramp, /lock btsl \$0, stack_lock\(%rip\)/)];
  assert.deepEqual(targetsOf(lock), ['stack_lock(%rip)']);
});

test('the window: lines up to the stop, not above the SYM_CODE_START / label that begins the block', () => {
  const stop = lineIndex(seed, /^\s*movl %eax, %cr4/);
  const targets = inlineTargets(seedLines, stop);
  const lines = [...new Set(targets.map((t) => t.line))];
  assert.ok(lines.every((l) => l <= stop && l >= stop - 8), `lines ${lines}`);
  assert.ok(lines.includes(stop) && lines.includes(stop - 2), `the CR4 read, OR and write: ${lines}`);
  assert.ok(targets.some((t) => t.line === stop && t.expression === '%cr4'));
  // Ranges point at the operand text in the original line.
  for (const t of targets) assert.equal(seedLines[t.line].slice(t.start, t.end).replace(/\s+/g, ''), t.expression.replace(/\s+/g, ''));
  // Right after `startup_32_bsp:` the window starts at the label.
  const label = lineIndex(seed, /^startup_32_bsp:/);
  const after = inlineTargets(seedLines, label + 3);
  assert.ok(after.every((t) => t.line > label), `${after.map((t) => t.line)}`);
  // Limited to the viewport.
  assert.ok(inlineTargets(seedLines, stop, stop, stop).every((t) => t.line === stop));
});
