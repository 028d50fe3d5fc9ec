// The language configuration as VS Code reads it: the word pattern keeps assembler words whole, folding markers
// pair up on real-looking sources, and every regex compiles as the JavaScript RegExp VS Code builds from it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './tokenize';

interface LanguageConfiguration {
  comments: { lineComment: string; blockComment: [string, string] };
  brackets: Array<[string, string]>;
  autoClosingPairs: Array<{ open: string; close: string }>;
  surroundingPairs: Array<[string, string]>;
  wordPattern: string;
  folding: { markers: { start: string; end: string } };
  indentationRules: { increaseIndentPattern: string; decreaseIndentPattern: string };
  onEnterRules: Array<{ beforeText: string; afterText?: string; previousLineText?: string }>;
}

const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
  contributes: { languages: Array<{ id: string; configuration: string }> };
};
const language = manifest.contributes.languages.find((l) => l.id === 'gas-x86');
const config = JSON.parse(readFileSync(join(REPO_ROOT, language!.configuration), 'utf8')) as LanguageConfiguration;

/** VS Code's rule: the word at a column is the word-pattern match that contains it (global search over the line). */
function wordAt(line: string, column: number): string | undefined {
  const re = new RegExp(config.wordPattern, 'g');
  for (const m of line.matchAll(re)) if (m.index! <= column && column <= m.index! + m[0].length) return m[0];
  return undefined;
}

test('manifest points at the configuration; comments and brackets are the GNU as ones', () => {
  assert.ok(language, 'gas-x86 language contributed');
  assert.equal(config.comments.lineComment, '#');
  assert.deepEqual(config.comments.blockComment, ['/*', '*/']);
  assert.deepEqual(config.brackets.map((b) => b.join('')).sort(), ['()', '[]', '{}']);
  for (const p of ['(', '[', '{', '"']) assert.ok(config.autoClosingPairs.some((a) => a.open === p), p);
  // 'c is a complete character constant in GNU as, so a quote must not auto-close.
  assert.ok(!config.autoClosingPairs.some((a) => a.open === "'"));
  for (const p of ['()', '[]', '{}', '""']) assert.ok(config.surroundingPairs.some((s) => s.join('') === p), p);
});

test('the word pattern keeps registers, local labels, macro arguments and constants whole', () => {
  const cases: Array<[string, string, string]> = [
    [' movq %cr4, %rax', '%cr4', 'cr4'],
    [' movq %cr4, %rax', '%rax', '%'],
    [' jmp .Llock_rm\\@', '.Llock_rm\\@', 'rm'],
    ['.Llock_rm\\@:', '.Llock_rm\\@', '.L'],
    [' .if \\lock_pa', '\\lock_pa', 'pa'],
    [' movq %r\\scratch_reg, %cr3', '%r\\scratch_reg', 'scratch'],
    [' mov $X86_CR0_PE, %ax', 'X86_CR0_PE', 'CR0'],
    [' lidt tr_idt(%rip)', 'tr_idt', 'idt'],
    [' lidt tr_idt(%rip)', '%rip', 'rip'],
    [' leal 0x1007(%edi), %eax', '0x1007', '100'],
    [' jnz 1b', '1b', '1'],
    ['SYM_CODE_START(trampoline_data_bsp)', 'trampoline_data_bsp', 'data'],
    [' .code16', '.code16', 'code'],
    [' movl $(__KERNEL_DS), %eax', '__KERNEL_DS', 'KERNEL'],
  ];
  for (const [line, word, probe] of cases) {
    const at = line.indexOf(word) + word.indexOf(probe);
    assert.equal(wordAt(line, at), word, `${JSON.stringify(line)} at ${probe}`);
  }
  // Operators and punctuation are not part of words.
  assert.equal(wordAt(' addq %r11, %rdi', ' addq %r11, %rdi'.indexOf(',') + 1), undefined);
});

test('folding markers open and close macro, conditional and SYM_* blocks and pair up in real sources', () => {
  const start = new RegExp(config.folding.markers.start);
  const end = new RegExp(config.folding.markers.end);
  const opens = ['.macro LOCK lock_pa=0', ' .if \\lock_pa', ' .ifdef X', ' .rept 4', ' .irp r, a', '#if FOO', '#ifdef BAR', '# ifndef BAZ', 'SYM_CODE_START(x)', 'SYM_FUNC_START_LOCAL(y)', 'SYM_DATA_START(z)', 'ENTRY(e)'];
  const closes = ['.endm', ' .endif', ' .endr', '#endif', '# endif /* X */', 'SYM_CODE_END(x)', 'SYM_FUNC_END(y)', 'SYM_DATA_END(z)', 'END(e)', 'ENDPROC(e)'];
  const neither = [' .else', ' .elseif \\x', '#else', 'SYM_DATA(boot_params, .quad 0)', ' movl %eax, %cr0', '# note: if you change this, see below', ' .endfunc'];
  for (const l of opens) assert.ok(start.test(l) && !end.test(l), `opens: ${l}`);
  for (const l of closes) assert.ok(end.test(l) && !start.test(l), `closes: ${l}`);
  for (const l of neither) assert.ok(!start.test(l) && !end.test(l), `neither: ${l}`);

  const sources = readdirSync(join(REPO_ROOT, 'test', 'syntaxes', 'fixtures')).map((f) => join(REPO_ROOT, 'test', 'syntaxes', 'fixtures', f));
  const seed = join(REPO_ROOT, '..', 'shared', 'seeds', 'trampoline_64_bsp.S');
  if (existsSync(seed)) sources.push(seed);
  for (const file of sources) {
    let depth = 0;
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (start.test(line)) depth++;
      if (end.test(line)) depth--;
      assert.ok(depth >= 0, `${file}: close before open at ${line}`);
    }
    assert.equal(depth, 0, `${file}: unbalanced folding markers`);
  }
});

test('indentation and on-enter rules compile and indent after a bare label', () => {
  const increase = new RegExp(config.indentationRules.increaseIndentPattern);
  const decrease = new RegExp(config.indentationRules.decreaseIndentPattern);
  assert.ok(increase.test('startup_32_bsp:'));
  assert.ok(increase.test('1:'));
  assert.ok(increase.test('SYM_CODE_START(trampoline_data_bsp)'));
  assert.ok(!increase.test('1: movl %eax, 0(%edi)'));
  assert.ok(!increase.test(' movl %eax, %cr0'));
  assert.ok(decrease.test('SYM_CODE_END(trampoline_data_bsp)'));
  for (const rule of config.onEnterRules) {
    for (const re of [rule.beforeText, rule.afterText, rule.previousLineText]) if (re) new RegExp(re);
  }
  assert.ok(new RegExp(config.onEnterRules[1]!.beforeText).test(' /* Load new GDT'));
});
