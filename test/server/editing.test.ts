// Diagnostics as documents change: debounced re-analysis, mode mistakes, undefined symbols and the
// externalSymbols setting, problems in included files reported on the include line, unsaved buffers of included
// files, Linux-tree include paths, and robustness against bad input.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { TestClient, fileUri } from './lsp-client';

let dir: string;
let client: TestClient;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'server-edit-'));
  client = new TestClient();
  await client.initialize(dir, { debounceMs: 20 });
});
after(async () => {
  await client.close();
  rmSync(dir, { recursive: true, force: true });
});

function gnuErrors(source: string, mode: 32 | 64): string {
  const f = join(dir, `oracle-${Math.random().toString(36).slice(2)}.s`);
  writeFileSync(f, source);
  const r = spawnSync('as', [mode === 64 ? '--64' : '--32', '-o', '/dev/null', f], { encoding: 'utf8' });
  return r.stderr;
}

describe('diagnostics while editing', () => {
  it('a 64-bit register in .code32 is reported on that line (GNU rejects it too)', async () => {
    const src = '.code32\n  movl %eax, %ebx\n  movq %rax, %rbx\n  movl %r8d, %eax\n';
    const gnu = gnuErrors(src, 64);
    assert.match(gnu, /:3: Error/);
    assert.match(gnu, /:4: Error/);
    const p = join(dir, 'mode.S');
    writeFileSync(p, src);
    const d = await client.open(p);
    for (const line of [2, 3]) assert.ok(d.some((x) => x.range.start.line === line && x.severity <= 2), `line ${line}: ${JSON.stringify(d)}`);
    assert.ok(!d.some((x) => x.range.start.line === 1));
  });

  it('a REX-only register in .code32 (%cr8, which GNU encodes with a lock prefix) is warned about, and the warning follows its line through resumed analyses', async () => {
    // 600 lines: the edits below fall in other chunks of the journaled read, which keeps the rest of the last one.
    const filler = Array.from({ length: 300 }, (_, i) => `  movl $${i}, %eax`);
    const src = ['.code32', ...filler, '  movl %cr8, %eax', ...filler].join('\n') + '\n';
    const p = join(dir, 'cr8.S');
    writeFileSync(p, src);
    const at = (d: { code?: unknown; range: { start: { line: number; character: number } } }[]) =>
      d.filter((x) => x.code === 'mode-register').map((x) => `${x.range.start.line}:${x.range.start.character}`);
    assert.deepEqual(at(await client.open(p)), ['301:7']);
    // A line inserted near the top: the warning moves down one line.
    assert.deepEqual(at(await client.edit(p, { range: { start: { line: 5, character: 0 }, end: { line: 5, character: 0 } }, text: '  nop\n' })), ['302:7']);
    // A character typed after it, and one before it on its own line.
    assert.deepEqual(at(await client.edit(p, { range: { start: { line: 500, character: 0 }, end: { line: 500, character: 0 } }, text: ' ' })), ['302:7']);
    assert.deepEqual(at(await client.edit(p, { range: { start: { line: 302, character: 0 }, end: { line: 302, character: 0 } }, text: ' ' })), ['302:8']);
    const stats = (await client.conn.sendRequest('x86Trampoline/analysisStats', { uri: fileUri(p) })) as { gas?: { mode: string } };
    assert.equal(stats.gas?.mode, 'resumed');
  });

  it('undefined symbols warn until listed in x86Trampoline.externalSymbols', async () => {
    const p = join(dir, 'undef.S');
    writeFileSync(p, '.code64\n  jmp kernel_entry\n  movq $other_sym, %rax\n');
    let d = await client.open(p);
    const und = d.filter((x) => x.code === 'undefined-symbol');
    assert.deepEqual(und.map((x) => [x.range.start.line, x.range.start.character, x.range.end.character]), [[1, 6, 18], [2, 8, 17]]);
    client.settings = { externalSymbols: ['kernel_entry'] };
    const next = client.waitDiagnostics(fileUri(p));
    void client.conn.sendNotification('workspace/didChangeConfiguration', { settings: { x86Trampoline: client.settings } });
    d = await next;
    assert.deepEqual(d.filter((x) => x.code === 'undefined-symbol').map((x) => x.range.start.line), [2]);
    client.settings = {};
    void client.conn.sendNotification('workspace/didChangeConfiguration', { settings: { x86Trampoline: {} } });
  });

  it('an error in an included file is also reported on the #include line; an unsaved fix in that file clears it', async () => {
    const inc = join(dir, 'part.h');
    writeFileSync(inc, '/* helper */\n  movl %eax\n');
    const main = join(dir, 'main.S');
    writeFileSync(main, '.code32\n#include "part.h"\n  nop\n');
    const d = await client.open(main);
    const onInclude = d.filter((x) => x.range.start.line === 1 && x.severity === 1);
    assert.equal(onInclude.length, 1, JSON.stringify(d));
    assert.match(onInclude[0].message, /^part\.h:2: /);
    assert.equal(onInclude[0].relatedInformation[0].location.uri, fileUri(inc));
    // Open the header and fix it without saving: main.S is re-analysed with the buffer's text.
    await client.open(inc, '/* helper */\n  movl %eax, %ebx\n');
    const mainAgain = client.waitDiagnostics(fileUri(main));
    client.editNoWait(inc, { range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, text: '' });
    const fixed = await mainAgain;
    assert.deepEqual(fixed.filter((x) => x.severity === 1), []);
  });

  it('.include of a missing file is an error at the directive', async () => {
    const p = join(dir, 'missing.s');
    writeFileSync(p, '.include "nowhere.s"\nnop\n');
    const d = await client.open(p);
    assert.ok(d.some((x) => x.range.start.line === 0 && x.severity === 1));
  });

  it('re-analyses after each edit and publishes diagnostics for the newest version only', async () => {
    const p = join(dir, 'edit.S');
    writeFileSync(p, '.code64\nstart:\n  jmp start\n');
    assert.deepEqual((await client.open(p)).filter((x) => x.severity <= 2), []);
    const d = await client.edit(p, { range: { start: { line: 2, character: 6 }, end: { line: 2, character: 11 } }, text: 'stat' });
    assert.ok(d.some((x) => x.code === 'undefined-symbol' && x.range.start.line === 2));
    // Three quick edits: the stale versions are superseded (never published after the newest).
    const v1 = client.editNoWait(p, { range: { start: { line: 2, character: 6 }, end: { line: 2, character: 10 } }, text: 's' });
    const v2 = client.editNoWait(p, { range: { start: { line: 2, character: 6 }, end: { line: 2, character: 7 } }, text: 'st' });
    const last = await client.edit(p, { range: { start: { line: 2, character: 6 }, end: { line: 2, character: 8 } }, text: 'start' });
    assert.ok(v1 < v2);
    assert.deepEqual(last.filter((x) => x.severity <= 2), []);
  });

  it('a request right after an edit (before the debounce) still gets that version its diagnostics', async () => {
    const p = join(dir, 'early.S');
    writeFileSync(p, '.code64\nstart:\n  jmp start\n');
    await client.open(p);
    const version = client.editNoWait(p, { range: { start: { line: 2, character: 6 }, end: { line: 2, character: 11 } }, text: 'nowhere' });
    const diags = client.waitDiagnostics(fileUri(p), version);
    await client.at('textDocument/hover', p, 2, 3);
    const d = await Promise.race([diags, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 5000))]);
    assert.notEqual(d, 'timeout', 'no diagnostics were published for the edited version');
    assert.ok((d as any[]).some((x) => x.code === 'undefined-symbol'));
  });

  it('a Linux tree as workspace root puts arch/x86/include first on the include path', async () => {
    const root = mkdtempSync(join(tmpdir(), 'server-linux-'));
    try {
      mkdirSync(join(root, 'arch/x86/include/asm'), { recursive: true });
      mkdirSync(join(root, 'include/linux'), { recursive: true });
      writeFileSync(join(root, 'arch/x86/include/asm/tree_only.h'), '#define TREE_ONLY_VALUE 0x1234\n');
      const p = join(root, 'arch/x86/realmode/rm/t.S');
      mkdirSync(join(root, 'arch/x86/realmode/rm'), { recursive: true });
      writeFileSync(p, '#include <asm/tree_only.h>\n.code64\n  movl $TREE_ONLY_VALUE, %eax\n#ifndef __KERNEL__\n#error kernel builds define __KERNEL__\n#endif\n');
      const c = new TestClient();
      try {
        await c.initialize(root);
        const d = await c.open(p);
        assert.deepEqual(d.filter((x) => x.severity <= 2), []);
        const h = await c.at('textDocument/hover', p, 2, 10);
        assert.match(h.contents.value, /Value `0x1234`/);
      } finally {
        await c.close();
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('survives garbage and out-of-range requests', async () => {
    const p = join(dir, 'garbage.S');
    const junk = '.macro\n.endm\n.if\n#if (\n)))(((\n\u0000\u00ff\\@ %% $$ 1b 9f .rept 99999999\n.endr\n"unterminated\n/* open comment\n';
    writeFileSync(p, junk);
    const d = await client.open(p);
    assert.ok(Array.isArray(d) && d.length > 0);
    for (let line = -1; line < 12; line++) for (const ch of [-1, 0, 3, 200]) {
      await client.at('textDocument/hover', p, line, ch);
      await client.at('textDocument/definition', p, line, ch);
      await client.at('textDocument/completion', p, line, ch);
    }
    await client.request('textDocument/semanticTokens/full', p);
    await client.request('textDocument/documentSymbol', p);
    const still = await client.at('textDocument/hover', p, 5, 10);
    assert.ok(still === null || typeof still === 'object');
    assert.equal(client.exited, null);
  });

  it('navigates across included files: .include target, a label defined there, and #include "file"', async () => {
    const defs = join(dir, 'defs.s');
    writeFileSync(defs, 'helper_label:\n  ret\n');
    const hdr = join(dir, 'values.h');
    writeFileSync(hdr, '#define MAGIC_VALUE 0x55aa\n');
    const main = join(dir, 'nav.S');
    const text = '#include "values.h"\n.code64\n  call helper_label\n  movl $MAGIC_VALUE, %eax\n.include "defs.s"\n';
    writeFileSync(main, text);
    const d = await client.open(main);
    assert.deepEqual(d.filter((x) => x.severity <= 2), []);
    let loc = await client.at('textDocument/definition', main, 2, 10);
    assert.deepEqual([loc[0].uri, loc[0].range.start.line], [fileUri(defs), 0]);
    loc = await client.at('textDocument/definition', main, 3, 10);
    assert.deepEqual([loc[0].uri, loc[0].range.start.line], [fileUri(hdr), 0]);
    loc = await client.at('textDocument/definition', main, 4, 12);
    assert.equal(loc[0].uri, fileUri(defs));
    loc = await client.at('textDocument/definition', main, 0, 12);
    assert.equal(loc[0].uri, fileUri(hdr));
    const links = await client.request('textDocument/documentLink', main);
    assert.deepEqual(links.map((l: any) => l.target).sort(), [fileUri(defs), fileUri(hdr)].sort());
    const h = await client.at('textDocument/hover', main, 2, 10);
    assert.match(h.contents.value, /Defined at defs\.s:1/);
  });

  it('settings: defines override #ifndef defaults, includePaths are searched', async () => {
    const incDir = join(dir, 'incdir');
    mkdirSync(incDir, { recursive: true });
    writeFileSync(join(incDir, 'only_here.h'), '#define ONLY_HERE 7\n');
    const p = join(dir, 'cfg.S');
    writeFileSync(p, '#include <only_here.h>\n#ifndef LOAD_ADDR\n#define LOAD_ADDR 0x8000\n#endif\n.code32\n  movl $LOAD_ADDR, %esi\n  movl $ONLY_HERE, %eax\n');
    let d = await client.open(p);
    assert.ok(d.some((x) => x.range.start.line === 0 && x.severity === 1), 'only_here.h is not on the default path');
    const next = client.waitDiagnostics(fileUri(p));
    client.settings = { includePaths: ['${workspaceFolder}/incdir'], defines: { LOAD_ADDR: '0x9000' } };
    void client.conn.sendNotification('workspace/didChangeConfiguration', { settings: { x86Trampoline: client.settings } });
    d = await next;
    assert.deepEqual(d.filter((x) => x.severity <= 2), []);
    const h = await client.at('textDocument/hover', p, 5, 10);
    assert.match(h.contents.value, /Value `0x9000`/);
    client.settings = {};
    void client.conn.sendNotification('workspace/didChangeConfiguration', { settings: { x86Trampoline: {} } });
  });

  it('a file opened without any workspace folder still uses the built-in kernel headers', async () => {
    const c = new TestClient();
    try {
      await c.initialize();
      const p = join(dir, 'lonely.S');
      writeFileSync(p, '#include <asm/processor-flags.h>\n#include <linux/linkage.h>\n.code32\nSYM_CODE_START(entry)\n  movl $X86_CR0_PE, %eax\nSYM_CODE_END(entry)\n');
      const d = await c.open(p);
      assert.deepEqual(d.filter((x) => x.severity <= 2), []);
    } finally {
      await c.close();
    }
  });

  it('an error inside a macro body is reported there and, as information, at the call', async () => {
    const src = '.code32\n.macro LOAD reg\n  movl \\reg\n.endm\n  LOAD %eax\n';
    assert.match(gnuErrors(src, 64), /:3: Error: number of operands mismatch/);
    const p = join(dir, 'macro-error.S');
    writeFileSync(p, src);
    const d = await client.open(p);
    const body = d.find((x) => x.severity === 1);
    assert.equal(body?.range.start.line, 2);
    assert.equal(body?.relatedInformation[0].location.range.start.line, 4);
    const call = d.find((x) => x.code === 'in-expansion');
    assert.equal(call?.range.start.line, 4);
    assert.equal(call?.severity, 3);
  });

  it('a change on disk to an included file re-analyses the documents that include it', async () => {
    const inc = join(dir, 'disk.h');
    writeFileSync(inc, '  nop\n');
    const main = join(dir, 'disk-main.S');
    writeFileSync(main, '.code32\n#include "disk.h"\n');
    assert.deepEqual((await client.open(main)).filter((x) => x.severity === 1), []);
    writeFileSync(inc, '  movl %eax\n');
    const next = client.waitDiagnostics(fileUri(main));
    void client.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: fileUri(inc), type: 2 }] });
    const d = await next;
    assert.equal(d.filter((x) => x.severity === 1 && x.range.start.line === 1).length, 1);
  });

  it('undo back to an analysed text gives that analysis again: resumed by the GAS session, not read from scratch', async () => {
    const p = join(dir, 'undo.S');
    const text = '.code64\nstart:\n  jmp start\n';
    writeFileSync(p, text);
    const first = await client.open(p);
    await client.edit(p, { range: { start: { line: 2, character: 2 }, end: { line: 2, character: 2 } }, text: 'movl %eax\n  ' });
    const back = await client.edit(p, { range: { start: { line: 2, character: 2 }, end: { line: 3, character: 2 } }, text: '' });
    assert.deepEqual(back, first);
    // Earlier analyses share the session's assembler, which each resume changes: the undo resumes the read too.
    const stats = await client.conn.sendRequest('x86Trampoline/analysisStats', { uri: fileUri(p) }) as { cached: boolean; gas?: { mode: string } };
    assert.ok(stats.cached || stats.gas?.mode === 'resumed', JSON.stringify(stats));
  });

  it('expandMacro expands nested macros and .rept recursively, with the size GNU assembles', async () => {
    const src = '.macro INNER x\n.if \\x\n  movl $\\x, %eax\n.else\n  xorl %eax, %eax\n.endif\n.endm\n.macro OUTER a\n  INNER \\a\n  .rept 2\n  nop\n  .endr\n.endm\n.code32\n  OUTER 5\n';
    const p = join(dir, 'nested.S');
    writeFileSync(p, src);
    await client.open(p);
    const text = await client.conn.sendRequest('workspace/executeCommand', { command: 'x86Trampoline.expandMacro', arguments: [{ uri: fileUri(p), position: { line: 14, character: 4 } }] }) as string;
    assert.match(text, /movl \$5, %eax/);
    assert.equal((text.match(/^\s+nop$/gm) ?? []).length, 2);
    assert.ok(!text.includes('xorl'));
    // Size against GNU: the whole .text of this file is this one expansion.
    const o = join(dir, 'nested.o');
    const as = spawnSync('as', ['--32', '-o', o, p], { encoding: 'utf8' });
    assert.equal(as.status, 0, as.stderr);
    const size = parseInt(/\.text\s+([0-9a-f]+)/.exec(spawnSync('objdump', ['-h', o], { encoding: 'utf8' }).stdout)![1], 16);
    assert.match(text, new RegExp(`\\(${size} bytes\\)`));
  });

  it('literal masks: $0x80000001 moved to CR0 names PE and PG; 0xc0000080 in ECX is IA32_EFER; bts on EFER', async () => {
    const p = join(dir, 'masks.S');
    const src = '.code32\n  movl $0x80000001, %eax\n  movl %eax, %cr0\n  movl $0xc0000080, %ecx\n  rdmsr\n  btsl $8, %eax\n  wrmsr\n  orl $0x20, %eax\n  movl %eax, %cr4\n';
    writeFileSync(p, src);
    await client.open(p);
    const hover = async (line: number, col: number) => ((await client.at('textDocument/hover', p, line, col)) as any).contents.value as string;
    const cr0 = await hover(1, 10);
    assert.match(cr0, /CR0 bits \(%eax → %cr0\): \*\*PE\*\* \(bit 0\)/);
    assert.match(cr0, /\*\*PG\*\* \(bit 31\)/);
    assert.match(await hover(3, 10), /\*\*MSR_EFER\*\* \(IA32_EFER\)/);
    assert.match(await hover(5, 8), /EFER bits .*\*\*LME\*\* \(bit 8\)/);
    assert.match(await hover(7, 9), /CR4 bits .*\*\*PAE\*\* \(bit 5\)/);
  });

  it('instructions that do not exist in the mode are errors where GNU as rejects them', async () => {
    const lines = ['.code64', '  pusha', '  lds (%rax), %eax', '  nop', '.code32', '  swapgs', '  sysretq', '  nop', '.code16', '  movq %rax, %rbx', '  nop'];
    const gnu = gnuErrors(lines.join('\n') + '\n', 64);
    const gnuLines = new Set([...gnu.matchAll(/:(\d+): Error/g)].map((m) => Number(m[1]) - 1));
    assert.ok(gnuLines.size >= 4, gnu);
    const p = join(dir, 'modes.S');
    writeFileSync(p, lines.join('\n') + '\n');
    const d = await client.open(p);
    const ours = new Set(d.filter((x) => x.severity <= 2).map((x) => x.range.start.line));
    assert.deepEqual([...ours].sort(), [...gnuLines].sort());
  });

  it('lgdt/lidt without the l suffix in 16-bit code get a note; lgdtl and 32-bit code do not', async () => {
    const src = '.code16\n  lgdt gdtp\n  lgdtl gdtp\n  lidt gdtp\n.code32\n  lgdt gdtp\ngdtp: .word 0\n  .long 0\n';
    // The operand size is what tells the base width: 16-bit lgdt has no 0x66 prefix, lgdtl has one.
    const bytes = gnuBytes(src);
    assert.deepEqual(bytes.slice(0, 2), [0x0f, 0x01]);
    assert.equal(bytes[5], 0x66);
    const p = join(dir, 'lgdt.S');
    writeFileSync(p, src);
    const d = await client.open(p);
    const notes = d.filter((x) => x.code === 'descriptor-table-24bit');
    assert.deepEqual(notes.map((x) => [x.range.start.line, x.range.start.character]), [[1, 2], [3, 2]]);
    const h = (await client.at('textDocument/hover', p, 2, 3)) as any;
    assert.match(h.contents.value, /\| 0 \| 2 \| LIMIT \|/);
    const actions = (await client.request('textDocument/codeAction', p, { range: notes[0].range, context: { diagnostics: [notes[0]] } })) as any[];
    assert.equal(actions.length, 1);
    assert.deepEqual(actions[0].edit.changes[fileUri(p)], [{ range: notes[0].range, newText: 'lgdtl' }]);
  });

  it('unused macros and labels are hints marked unnecessary; used ones are not', async () => {
    const p = join(dir, 'unused.S');
    writeFileSync(p, '.macro NEVER_CALLED x\n  nop\n.endm\n.macro CALLED\n  nop\n.endm\n.code32\n  CALLED\nlonely:\n  jmp used\nused:\n  ret\n');
    const d = await client.open(p);
    const hints = d.filter((x) => x.severity === 4).map((x) => [x.code, x.range.start.line, x.range.start.character, x.range.end.character, x.tags]);
    assert.deepEqual(hints, [['unused-label', 8, 0, 6, [1]], ['unused-macro', 0, 7, 19, [1]]]);
  });

  it('a built-in header opened as a virtual document analyses cleanly, without unused-macro noise', async () => {
    const uri = 'x86-trampoline-header:/asm/unwind_hints.h';
    const header = (await client.conn.sendRequest('x86Trampoline/headerText', { uri }) as { text: string }).text;
    assert.match(header, /\.macro/);
    const diags = client.waitDiagnostics(uri, 1);
    void client.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'gas-x86', version: 1, text: header } });
    assert.deepEqual(await diags, []);
  });

  it('workspace symbols include assembly files on disk that are not open', async () => {
    const sub = join(dir, 'lib');
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, 'far_away.S'), '.macro FAR_MACRO\n.endm\nfar_away_entry:\n  ret\n');
    const r = await client.conn.sendRequest('workspace/symbol', { query: 'far_away' }) as any[];
    const hit = r.find((s) => s.name === 'far_away_entry');
    assert.ok(hit, JSON.stringify(r));
    assert.equal(hit.location.uri, fileUri(join(sub, 'far_away.S')));
    assert.equal(hit.location.range.start.line, 2);
  });
});

function gnuBytes(source: string): number[] {
  const f = join(dir, `bytes-${Math.random().toString(36).slice(2)}`);
  writeFileSync(f + '.s', source);
  const as = spawnSync('as', ['--32', '-o', f + '.o', f + '.s'], { encoding: 'utf8' });
  assert.equal(as.status, 0, as.stderr);
  spawnSync('objcopy', ['-O', 'binary', '-j', '.text', f + '.o', f + '.bin']);
  return [...readFileSync(f + '.bin')];
}
