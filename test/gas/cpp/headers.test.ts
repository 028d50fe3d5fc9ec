// The built-in kernel headers: every one preprocesses cleanly (ours and gcc agree), every numeric macro in it
// expands to an expression GNU as evaluates (so no header depends on one it does not include), the values that
// the system's own uapi headers also define are equal (checked by compiling C programs against both sets), and
// the names kernel trampolines use are all there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { builtinHeaderNames, builtinHeaderText, preprocessedText } from '../../../gas/cpp/index';
import type { PreprocessResult } from '../../../gas/cpp/index';
import { builtinHeaderDir, compareWithGcc, errorsOf, hasGcc, ours, requireGcc, withFiles } from './oracle';

const names = builtinHeaderNames();

test('there are built-in headers for the kernel include paths trampolines use', () => {
  for (const n of ['linux/linkage.h', 'linux/init.h', 'asm/segment.h', 'asm/processor-flags.h', 'asm/msr-index.h', 'asm/msr.h', 'asm/page_types.h', 'asm/pgtable_types.h', 'asm/realmode.h', 'asm/asm.h', 'asm/nospec-branch.h', 'asm/unwind_hints.h']) {
    assert.ok(names.includes(n), n);
  }
});

test('every built-in header preprocesses alone with no diagnostics, exactly as gcc does', (t) => {
  if (!requireGcc(t)) return;
  for (const n of names) {
    const c = compareWithGcc(`#include <${n}>\n`);
    assert.equal(c.gccResult.status, 0, `${n}: ${c.gccResult.stderr}`);
    assert.deepEqual(c.result.diagnostics.map((d) => d.message), [], n);
    assert.deepEqual(c.ours, c.gcc, n);
  }
});

/** Object-like macros a header defines itself (not through what it includes). */
function ownMacros(r: PreprocessResult, header: string): string[] {
  return [...r.macros.values()].filter((m) => m.location.file === `<builtin>/${header}` && m.params === undefined).map((m) => m.name);
}

test('every numeric macro of every header expands to an expression GNU as evaluates', (t) => {
  if (!requireGcc(t)) return;
  let checked = 0;
  for (const n of names) {
    const r0 = ours(`#include <${n}>\n`);
    const candidates = ownMacros(r0, n).filter((m) => !m.startsWith('_ASM_') && !m.endsWith('_H'));
    if (candidates.length === 0) continue;
    // Keep the ones that expand to a value: not to directives, strings, symbol types or nothing.
    const probe = ours(`#include <${n}>\n` + candidates.map((m) => `${m}\n`).join(''));
    const expanded = probe.lines.map((l) => l.text.trim()).filter((l) => l.length > 0);
    const own = expanded.slice(expanded.length - candidates.length);
    const values = candidates.filter((_, i) => {
      const e = own[i] ?? '';
      return e.length > 0 && !/^[.#]|[;"@]|STT_|^ret$/.test(e);
    });
    const src = `#include <${n}>\n` + values.map((m) => ` .quad ${m}\n`).join('');
    const r = ours(src);
    assert.deepEqual(errorsOf(r), [], n);
    const asm = preprocessedText(r) + '\n';
    const a = spawnSync('as', ['--64', '-o', '/dev/null', '-'], { input: asm, encoding: 'utf8' });
    if (a.error && !process.env.CI) {
      t.skip('as not installed');
      return;
    }
    assert.equal(a.status, 0, `${n}:\n${a.stderr}`);
    // Undefined symbols would be accepted by as (as externals): make sure only intended ones remain.
    const n2 = spawnSync('sh', ['-c', `as --64 -o /tmp/cpp-hdr-$$.o - && nm -u /tmp/cpp-hdr-$$.o; rm -f /tmp/cpp-hdr-$$.o`], { input: asm, encoding: 'utf8' });
    const undefinedSymbols = n2.stdout.split('\n').map((l) => l.trim().replace(/^U /, '')).filter(Boolean);
    assert.deepEqual(undefinedSymbols, [], `${n}: values refer to undefined symbols`);
    checked += values.length;
  }
  assert.ok(checked > 300, `only ${checked} values checked`);
});

const SYSTEM_UAPI: Array<[string, string]> = [
  ['asm/processor-flags.h', '/usr/include/x86_64-linux-gnu/asm/processor-flags.h'],
  ['asm-generic/errno-base.h', '/usr/include/asm-generic/errno-base.h'],
  ['asm/mtrr.h', '/usr/include/x86_64-linux-gnu/asm/mtrr.h'],
];

/** Runs a C program that prints NAME=value for each name, compiled with the given include directories. */
function cValues(header: string, macroNames: string[], includeDirs: string[]): Map<string, string> {
  const prog =
    `#include <${header}>\n#include <stdio.h>\nint main(void) {\n` +
    macroNames.map((m) => `  printf("%s=%llu\\n", "${m}", (unsigned long long)(${m}));\n`).join('') +
    '  return 0;\n}\n';
  return withFiles({ 'p.c': prog }, (dir) => {
    const c = spawnSync('gcc', ['-w', ...includeDirs.map((d) => `-I${d}`), '-o', join(dir, 'p'), join(dir, 'p.c')], { encoding: 'utf8' });
    assert.equal(c.status, 0, c.stderr);
    const r = spawnSync(join(dir, 'p'), [], { encoding: 'utf8' });
    return new Map(r.stdout.trim().split('\n').map((l) => l.split('=') as [string, string]));
  });
}

test('values shared with the system uapi headers are identical', (t) => {
  if (!requireGcc(t)) return;
  let compared = 0;
  for (const [ours_, system] of SYSTEM_UAPI) {
    if (!existsSync(system)) {
      if (process.env.CI) assert.fail(`missing ${system} (linux-libc-dev)`);
      t.diagnostic(`no ${system}`);
      continue;
    }
    const systemNames = [...readFileSync(system, 'latin1').matchAll(/^#define\s+([A-Za-z_]\w*)[ \t]+\S/gm)].map((m) => m[1]);
    const mine = new Set(ownMacros(ours(`#include <${ours_}>\n`), ours_));
    const common = [...new Set(systemNames)].filter((n) => mine.has(n) && !n.endsWith('_H'));
    const sys = cValues(system, common, []);
    const ourValues = cValues(ours_, common, [builtinHeaderDir()]);
    for (const n of common) assert.equal(ourValues.get(n), sys.get(n), `${ours_}: ${n}`);
    compared += common.length;
  }
  if (hasGcc() && existsSync(SYSTEM_UAPI[0][1])) assert.ok(compared > 80, `only ${compared} values compared`);
});

test('the macros kernel trampolines and the issue name are defined', () => {
  const all = ours(names.map((n) => `#include <${n}>\n`).join(''));
  assert.deepEqual(errorsOf(all), []);
  const required = [
    'SYM_CODE_START', 'SYM_CODE_START_LOCAL', 'SYM_CODE_START_NOALIGN', 'SYM_CODE_END', 'SYM_FUNC_START', 'SYM_FUNC_END',
    'SYM_FUNC_START_LOCAL', 'SYM_DATA', 'SYM_DATA_START', 'SYM_DATA_END', 'SYM_DATA_LOCAL', 'SYM_DATA_START_LOCAL',
    'SYM_DATA_END_LABEL', 'SYM_L_LOCAL', 'SYM_L_GLOBAL', 'SYM_L_WEAK', 'SYM_A_ALIGN', 'SYM_A_NONE', 'SYM_T_FUNC',
    'SYM_T_OBJECT', 'SYM_T_NONE', 'ENTRY', 'END', 'ENDPROC', 'GLOBAL', 'WEAK',
    '__INIT', '__FINIT', '__HEAD', '__REFDATA', '__FINITDATA', '__INITDATA', '__INITRODATA',
    '__KERNEL32_CS', '__KERNEL_CS', '__KERNEL_DS', '__USER32_CS', '__USER_DS', '__USER_CS', 'GDT_ENTRY_KERNEL_CS',
    'X86_EFLAGS_IF', 'X86_CR0_PE', 'X86_CR0_PG', 'X86_CR3_PCID_NOFLUSH', 'X86_CR4_PAE', 'X86_CR4_LA57', 'X86_CR4_PKS',
    'X86_CR4_LAM_SUP', 'CR0_STATE', 'MSR_EFER', '_EFER_SCE', '_EFER_LME', '_EFER_LMA', '_EFER_NX', '_EFER_SVME',
    '_EFER_FFXSR', 'EFER_LME', 'MSR_STAR', 'MSR_LSTAR', 'MSR_CSTAR', 'MSR_SYSCALL_MASK', 'MSR_FS_BASE', 'MSR_GS_BASE',
    'MSR_KERNEL_GS_BASE', 'MSR_TSC_AUX', 'MSR_IA32_APICBASE', 'MSR_IA32_APICBASE_BSP', 'MSR_AMD64_SYSCFG',
    'MSR_IA32_MISC_ENABLE', 'MSR_IA32_CR_PAT', 'MSR_IA32_SYSENTER_CS', 'MSR_MTRRdefType',
    'PAGE_SHIFT', 'PAGE_SIZE', 'PAGE_MASK', 'PMD_PAGE_SIZE', '_PAGE_BIT_PRESENT', '_PAGE_PRESENT', '_PAGE_RW',
    '_PAGE_USER', '_PAGE_PWT', '_PAGE_PCD', '_PAGE_ACCESSED', '_PAGE_DIRTY', '_PAGE_PSE', '_PAGE_GLOBAL', '_PAGE_NX',
    '_KERNPG_TABLE', '_PAGE_TABLE', '__PAGE_KERNEL_EXEC', '__PAGE_KERNEL_LARGE_EXEC', 'LJMPW_RM', '__stringify',
    '_ASM_PTR', 'UNWIND_HINT_EMPTY' /* a GAS macro, checked below */,
  ];
  const text = preprocessedText(all);
  for (const n of required) {
    if (n === 'UNWIND_HINT_EMPTY') assert.match(text, /\.macro UNWIND_HINT_EMPTY/);
    else assert.ok(all.macros.has(n), n);
  }
});

test('the header text is the same object gcc was given', () => {
  for (const n of names) assert.equal(readFileSync(join(builtinHeaderDir(), n), 'utf8'), builtinHeaderText(n));
});
