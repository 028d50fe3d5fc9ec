// The debug-hover expression for positions on real lines of the seed, the examples and the seed patches: the
// operand kinds follow AT&T syntax (disp(base,index,scale) is memory; %reg a register; a bare name a symbol).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readdirSync } from 'node:fs';
import { hoverExpressionAt, stripLine } from '../../extension/logic/hover-expression';
import { at, example, read, REPO, SEED } from './helpers';

const seed = read(SEED);
const tramp = read(example('ap-trampoline/trampoline.S'));
const faults = read(example('exceptions/faults.S'));

function hover(text: string, re: RegExp, token: string, offset = 0, nth = 0): string | undefined {
  const a = at(text, re, token, nth);
  const before = text.split('\n').slice(0, a.index);
  return hoverExpressionAt(a.line, stripLine(before, a.line), a.column + offset)?.expression;
}

test('registers: %cr4 and %eax on the seed\'s CR4 write, either operand, any column inside', () => {
  assert.equal(hover(seed, /^\s*movl %eax, %cr4/, '%cr4'), '%cr4');
  assert.equal(hover(seed, /^\s*movl %eax, %cr4/, '%cr4', 3), '%cr4');
  assert.equal(hover(seed, /^\s*movl %eax, %cr4/, '%eax', 1), '%eax');
});

test('memory operands: RIP-relative symbol, stack slot, displacement with a space, parenthesised displacement', () => {
  // The lock in the example's macro body (from the seed patch's lock_rip=1 branch).
  assert.equal(hover(tramp, /lock btsl \$0, stack_lock\(%rip\)/, 'stack_lock'), 'stack_lock(%rip)');
  assert.equal(hover(tramp, /lock btsl \$0, stack_lock\(%rip\)/, '%rip'), '%rip');
  assert.equal(hover(faults, /movq\s+16\(%rsp\), %rax/, '16'), '16(%rsp)');
  assert.equal(hover(faults, /movq\s+16\(%rsp\), %rax/, '(%rsp)'), '16(%rsp)');
  assert.equal(hover(faults, /movq\s+16\(%rsp\), %rax/, '%rsp'), '%rsp');
  assert.equal(hover(seed, /leal 0x1007 \(%edi\), %eax/, '0x1007'), '0x1007(%edi)');
  assert.equal(hover(seed, /movl %eax, \(gdt_bsp_64 - bsp_base \+ 2\)\(%esi\)/, 'gdt_bsp_64'), '(gdt_bsp_64 - bsp_base + 2)(%esi)');
  assert.equal(hover(seed, /movl %eax, \(gdt_bsp_64 - bsp_base \+ 2\)\(%esi\)/, '%esi'), '%esi');
});

test('symbols: an absolute memory operand and SYM_CODE_START arguments are their names', () => {
  assert.equal(hover(tramp, /lock btsl \$0, pa_stack_lock/, 'pa_stack_lock'), 'pa_stack_lock');
  assert.equal(hover(tramp, /^SYM_CODE_START\(trampoline_start\)/, 'trampoline_start'), 'trampoline_start');
  assert.equal(hover(seed, /^startup_32_bsp:/, 'startup_32_bsp'), 'startup_32_bsp');
});

test('mnemonics, prefixes, directives, numbers and macro parameters give nothing (the language hover shows)', () => {
  assert.equal(hover(seed, /^\s*movl %eax, %cr4/, 'movl'), undefined);
  assert.equal(hover(tramp, /lock btsl \$0, stack_lock\(%rip\)/, 'lock'), undefined);
  assert.equal(hover(tramp, /lock btsl \$0, stack_lock\(%rip\)/, 'btsl'), undefined);
  assert.equal(hover(tramp, /lock btsl \$0, stack_lock\(%rip\)/, '0', 0), undefined);
  assert.equal(hover(tramp, /^\s*\.balign PAGE_SIZE/, '.balign'), undefined);
  assert.equal(hover(tramp, /^\s*lea\s+\\msg, \\reg/, '\\msg', 1), undefined);
  assert.equal(hover(tramp, /^\s*jnc\s+2f/, '2f'), undefined);
});

test('comments: only register names and register bits (cr0.pg) are taken', () => {
  const line = '        orl     $X86_CR0_PG, %eax       # set cr0.pg (needs %cr4 PAE first)';
  const col = (s: string) => line.indexOf(s);
  assert.equal(hoverExpressionAt(line, stripLine([], line), col('cr0.pg') + 2)?.expression, 'cr0.pg');
  assert.equal(hoverExpressionAt(line, stripLine([], line), col('%cr4'))?.expression, '%cr4');
  assert.equal(hoverExpressionAt(line, stripLine([], line), col('needs'))?.expression, undefined);
  // Block comments opened on an earlier line are comments too.
  const header = seed.split('\n');
  const i = header.findIndex((l) => l.includes('Enable PAE mode'));
  const inside = header[i + 1];
  assert.ok(inside.includes('until paging is enabled'), inside);
  assert.equal(hoverExpressionAt(inside, stripLine(header.slice(0, i + 1), inside), inside.indexOf('paging'))?.expression, undefined);
});

test('every %register on every instruction line of the seed and the examples hovers as itself', () => {
  const files = [SEED, ...readdirSync(join(REPO, 'examples'), { recursive: true }).map(String).filter((f) => f.endsWith('.S')).map((f) => join(REPO, 'examples', f))];
  let checked = 0;
  for (const f of files) {
    const lines = read(f).split('\n');
    const stripped: string[] = [];
    for (const [i, line] of lines.entries()) {
      stripped.push(stripLine(stripped.length ? lines.slice(Math.max(0, i - 50), i) : [], line));
      const s = stripped[i];
      for (const m of s.matchAll(/%([a-z][a-z0-9]*)(?![a-z0-9:])/g)) {
        const e = hoverExpressionAt(line, s, m.index! + 1);
        assert.equal(e?.expression, `%${m[1]}`, `${f}:${i + 1} col ${m.index}: ${line}`);
        checked++;
      }
    }
  }
  assert.ok(checked > 2000, `checked ${checked}`);
});
