// The language server over the real protocol (node dist/server.js --stdio) on the seed trampoline and the AP
// trampoline example. Expected facts come from the source text (line numbers of labels, references) and from
// GNU gcc -E + as (bytes, label offsets); bit names come from the Intel SDM via isa/bits.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestClient, colOf, examplePath, fileUri, lineOf, seedPath } from './lsp-client';
import { gnuObject, haveGnu, type GnuObject } from './gnu-image';
import { formsByName } from '../../isa/table';
import { builtinHeaderText } from '../../gas/headers/index';
import { legend } from '../../server/features/semantic';

const seed = readFileSync(seedPath, 'latin1');
const example = readFileSync(examplePath, 'latin1');
const lines = (t: string) => t.split('\n');

let client: TestClient;
let gnuSeed: GnuObject | undefined;
let gnuExample: GnuObject | undefined;
let seedDiagnostics: any[];
let exampleDiagnostics: any[];

function oracle(): void {
  if (!haveGnu()) {
    if (process.env.CI) throw new Error('gcc/as/objcopy are required in CI');
    return;
  }
  gnuSeed = gnuObject(seedPath);
  gnuExample = gnuObject(examplePath);
}

async function hoverText(path: string, text: string, lineNeedle: string | number, tokenNeedle: string, offset = 1): Promise<string> {
  const line = typeof lineNeedle === 'number' ? lineNeedle : lineOf(text, lineNeedle);
  const h = await client.at('textDocument/hover', path, line, colOf(text, line, tokenNeedle) + offset);
  return h?.contents?.value ?? '';
}

before(async () => {
  oracle();
  client = new TestClient();
  await client.initialize(`${__dirname}/../..`);
  [seedDiagnostics, exampleDiagnostics] = await Promise.all([client.open(seedPath), client.open(examplePath)]);
});
after(async () => {
  await client.close();
});

describe('diagnostics', () => {
  it('has no errors or warnings on the seed and on the example', () => {
    assert.deepEqual(seedDiagnostics.filter((d) => d.severity <= 2).map((d) => d.message), []);
    assert.deepEqual(exampleDiagnostics.filter((d) => d.severity <= 2).map((d) => d.message), []);
  });
  it('marks the unused label of the seed as unnecessary (trampoline_stack_bsp is never referenced)', () => {
    assert.equal(seed.match(/\btrampoline_stack_bsp\b/g)!.length, 1);
    const d = seedDiagnostics.find((x) => x.code === 'unused-label');
    assert.ok(d, 'unused label hint');
    assert.equal(d.severity, 4);
    assert.deepEqual(d.tags, [1]);
    assert.equal(d.range.start.line, lineOf(seed, /^trampoline_stack_bsp:/));
  });
});

describe('hover', () => {
  it('%cr4 lists every CR4 bit with its name', async () => {
    const v = await hoverText(examplePath, example, 'movl    %eax, %cr4', '%cr4');
    for (const name of ['PAE', 'PGE', 'LA57', 'PSE', 'SMEP', 'OSFXSR']) assert.match(v, new RegExp(`\\| ${name} \\|`));
    assert.match(v, /\| 5 \| PAE \|/);
    assert.match(v, /\| 12 \| LA57 \|/);
  });
  it('%cr0 lists PE and PG at bits 0 and 31', async () => {
    const v = await hoverText(seedPath, seed, ' movl %eax, %cr0', '%cr0');
    assert.match(v, /\| 0 \| PE \|/);
    assert.match(v, /\| 31 \| PG \|/);
  });
  it('a segment register loaded with a selector names the GDT descriptor it picks', async () => {
    const l = lineOf(example, 'movl    %eax, %ds', lineOf(example, /^startup_32:/));
    const v = await hoverText(examplePath, example, l, '%ds');
    // __KERNEL_DS = 0x18 = entry 3 of gdt: .quad 0x00cf93000000ffff (flat 32-bit data, 4 KiB granular).
    assert.match(v, /Loaded here with selector 0x18 → gdt\[3\]: 32-bit data segment, base 0x0, limit 0xffffffff/);
  });
  it('selector constants name the descriptor of the GDT loaded before them', async () => {
    // pushl $__KERNEL_CS before lret runs under gdt_bsp_64 (lgdt in startup_32_bsp): 0x10 is its 64-bit code entry.
    const v = await hoverText(seedPath, seed, ' pushl $__KERNEL_CS', '__KERNEL_CS');
    assert.match(v, /As a selector: selector 0x10 → gdt_bsp_64\[2\]: 64-bit code segment/);
  });
  it('segment registers are explained for the mode of the line', async () => {
    assert.match(await hoverText(seedPath, seed, ' mov %cs, %ax # Code', '%cs'), /real mode the segment base is selector × 16/);
    const l = lineOf(seed, ' movl %eax, %ds', lineOf(seed, 'startup_32_bsp:'));
    assert.match(await hoverText(seedPath, seed, l, '%ds'), /protected mode/);
  });
  it('instruction bytes are the ones GNU as emits at the same offset', async (t) => {
    if (!gnuSeed || !gnuExample) return t.skip('GNU toolchain missing');
    const cases: [string, string, string, GnuObject, string][] = [
      [seedPath, seed, ' movzx %ax, %esi', gnuSeed, '.x86_trampoline_bsp'],
      [seedPath, seed, ' lgdtl tgdt_bsp - bsp_base', gnuSeed, '.x86_trampoline_bsp'],
      [seedPath, seed, ' ljmpl *(startup_32_vector_bsp - bsp_base)', gnuSeed, '.x86_trampoline_bsp'],
      [seedPath, seed, ' orl $(X86_CR4_PAE), %eax', gnuSeed, '.x86_trampoline_bsp'],
      [seedPath, seed, ' rep stosl', gnuSeed, '.x86_trampoline_bsp'],
      [seedPath, seed, ' movq (kernel_phys_addr - bsp_base)(%rsi), %r14', gnuSeed, '.x86_trampoline_bsp'],
      [seedPath, seed, ' movq $0xffffffffc0000000, %r12', gnuSeed, '.x86_trampoline_bsp'],
      [seedPath, seed, ' leaq (pgtable_extra_bsp - bsp_base + 0x7)(%rsi), %rax', gnuSeed, '.x86_trampoline_bsp'],
      [examplePath, example, 'movl    %eax, %cr4', gnuExample, '.text'],
      [examplePath, example, 'ljmpl   $__KERNEL32_CS', gnuExample, '.text'],
      [examplePath, example, 'movw    $(stack_end - tramp_base), %sp', gnuExample, '.text'],
    ];
    for (const [path, text, needle, gnu, section] of cases) {
      const line = lineOf(text, needle);
      const mnemonic = needle.trim().split(/\s+/)[0];
      const v = await hoverText(path, text, line, mnemonic.startsWith('rep') ? 'stosl' : mnemonic);
      const m = /Encodes in \.code\d+ as `([0-9a-f ]+)` \(\d+ bytes? at (\S+)\+0x([0-9a-f]+)\)/.exec(v);
      assert.ok(m, `bytes in hover for ${needle}: ${v}`);
      assert.equal(m[2], section);
      const off = parseInt(m[3], 16);
      const ours = m[1].split(' ');
      const theirs = [...gnu.sections.get(section)!.subarray(off, off + ours.length)].map((b) => b.toString(16).padStart(2, '0'));
      assert.deepEqual(ours, theirs, needle);
    }
  });
  it('instruction hover has the summary, flags and valid modes from isa/', async () => {
    const v = await hoverText(seedPath, seed, ' decl %ecx', 'decl');
    assert.match(v, /\*\*decl\*\* — Decrement/);
    assert.match(v, /Flags: writes OF SF ZF AF PF/);
    assert.match(v, /Valid in: 16-bit, 32-bit, 64-bit code/);
  });
  it('macro call shows the parameters and only the taken .if branch of this call', async () => {
    const v = await hoverText(examplePath, example, 'TAKE_STACK_LOCK lock_rip=1', 'TAKE_STACK_LOCK');
    assert.match(v, /\.macro TAKE_STACK_LOCK lock_pa=0, lock_rip=0/);
    assert.ok(v.includes('lock btsl $0, stack_lock(%rip)'), v);
    assert.ok(!v.includes('pa_stack_lock'), v);
    assert.ok(!v.includes('stack_lock - tramp_base'), v);
    const pa = await hoverText(examplePath, example, 'TAKE_STACK_LOCK lock_pa=1', 'TAKE_STACK_LOCK');
    assert.ok(pa.includes('lock btsl $0, pa_stack_lock') && !pa.includes('stack_lock(%rip)'), pa);
  });
  it('macro expansion size matches GNU (labels around the call)', async (t) => {
    if (!gnuExample) return t.skip('GNU toolchain missing');
    // TAKE_STACK_LOCK lock_rip=1 is the first statement of trampoline_start64 and ends before stack_end's lea.
    const v = await hoverText(examplePath, example, 'TAKE_STACK_LOCK lock_rip=1', 'TAKE_STACK_LOCK');
    const size = Number(/Expansion here \((\d+) bytes/.exec(v)![1]);
    const start = gnuExample.symbols.get('trampoline_start64')!.value;
    const text = gnuExample.sections.get('.text')!;
    // leaq stack_end(%rip), %rsp = 48 8d 25 <rel32>: find it right after the expansion.
    assert.deepEqual([...text.subarray(start + size, start + size + 3)], [0x48, 0x8d, 0x25]);
  });
  it('cpp macro hover: definition, value and the CR4 bit it sets', async () => {
    const v = await hoverText(seedPath, seed, ' orl $(X86_CR4_PAE), %eax', 'X86_CR4_PAE');
    assert.match(v, /#define X86_CR4_PAE/);
    assert.match(v, /Value `0x20`/);
    assert.match(v, /CR4 bits \(%eax → %cr4\): \*\*PAE\*\* \(bit 5\)/);
  });
  it('a mask moved to CR0 through %eax names PE and PG', async () => {
    const v = await hoverText(seedPath, seed, ' movl $(X86_CR0_PG | X86_CR0_PE), %eax', 'X86_CR0_PG');
    assert.match(v, /Value `0x80000001`/);
    assert.match(v, /\*\*PE\*\* \(bit 0\)/);
    assert.match(v, /\*\*PG\*\* \(bit 31\)/);
  });
  it('MSR numbers and EFER bits', async () => {
    const msr = await hoverText(seedPath, seed, ' movl $MSR_EFER, %ecx', 'MSR_EFER');
    assert.match(msr, /MSR `0xc0000080` \*\*MSR_EFER\*\* \(IA32_EFER\)/);
    assert.match(msr, /Fields: SCE \(0\), LME \(8\), LMA \(10\), NXE \(11\)/);
    assert.match(await hoverText(seedPath, seed, ' btsl $_EFER_LME, %eax', '_EFER_LME'), /EFER bits .*\*\*LME\*\* \(bit 8\)/);
  });
  it('register names and REG.FIELD in comments', async () => {
    const efer = await hoverText(seedPath, seed, 'Enable Long mode in EFER', 'EFER');
    assert.match(efer, /\| 8 \| LME \|/);
    const l = lineOf(seed, 'EFER.LME = 1');
    const v = (await client.at('textDocument/hover', seedPath, l, colOf(seed, l, 'EFER.LME') + 6)).contents.value;
    assert.match(v, /\*\*EFER\.LME\*\* \(bit 8\)/);
  });
  it('numbers in hex, decimal and binary', async () => {
    const v = await hoverText(seedPath, seed, ' movl $0x00000183, %eax', '0x00000183');
    assert.match(v, /`0x183` = `387` = `0b110000011`/);
    // 0x183 = P | RW | PS | G (SDM table 4-18: bits 0, 1, 7, 8): the 2 MiB identity map entry.
    assert.match(v, /As a paging entry \(PDE \(2 MiB page\)\): P RW PS G/);
    const kern = await hoverText(examplePath, example, 'leal    (PAGE_SIZE + _KERNPG_TABLE)(%edi), %eax', '_KERNPG_TABLE');
    assert.match(kern, /#define _KERNPG_TABLE/);
  });
  it('symbols: where defined, section and the address GNU gives', async (t) => {
    const line = lineOf(seed, ' leal (startup_32_bsp - bsp_base)(%esi), %eax');
    const v = await hoverText(seedPath, seed, line, 'startup_32_bsp');
    assert.match(v, new RegExp(`Defined at trampoline_64_bsp.S:${lineOf(seed, /^startup_32_bsp:/) + 1}`));
    if (!gnuSeed) return t.skip('GNU toolchain missing');
    const g = gnuSeed.symbols.get('startup_32_bsp')!;
    assert.match(v, new RegExp(`section \`${g.section.replace(/\./g, '\\.')}\` \\+ \`0x${g.value.toString(16)}\``));
  });
  it('numeric label reference hover names the line', async () => {
    const line = lineOf(example, 'loop    1b');
    const v = await hoverText(examplePath, example, line, '1b', 0);
    assert.match(v, new RegExp(`trampoline.S:${lineOf(example, /^1:\s+movl\s+%eax, 0\(%edi\)/) + 1}`));
  });
});

describe('navigation', () => {
  it('every Nb/Nf in the seed and the example goes to the right N: (nearest in assembly order)', async () => {
    for (const [path, text] of [[seedPath, seed], [examplePath, example]] as const) {
      const ls = lines(text);
      let checked = 0;
      for (let i = 0; i < ls.length; i++) {
        const m = /\b(\d)([bf])\b/.exec(ls[i].replace(/#.*$/, ''));
        if (!m || /^\s*\/?\*/.test(ls[i])) continue;
        const [, digit, dir] = m;
        const re = new RegExp(`^\\s*${digit}:`);
        let expected = -1;
        if (dir === 'b') for (let j = i; j >= 0; j--) { if (re.test(ls[j])) { expected = j; break; } }
        else for (let j = i + 1; j < ls.length; j++) { if (re.test(ls[j])) { expected = j; break; } }
        const defs = await client.at('textDocument/definition', path, i, m.index);
        assert.equal(defs.length, 1, `${path}:${i + 1} ${ls[i]}`);
        assert.equal(defs[0].uri, fileUri(path));
        assert.equal(defs[0].range.start.line, expected, `${path}:${i + 1} ${ls[i]}`);
        checked++;
      }
      assert.ok(checked >= (path === seedPath ? 4 : 3), `checked ${checked}`);
    }
  });
  it('a symbol goes to its label; a macro call to its .macro line; a cpp macro into a built-in header', async () => {
    let line = lineOf(example, 'leaq    stack_end(%rip), %rsp');
    let d = await client.at('textDocument/definition', examplePath, line, colOf(example, line, 'stack_end') + 2);
    assert.equal(d[0].range.start.line, lineOf(example, /^stack_end:/));
    line = lineOf(example, 'TAKE_STACK_LOCK lock_rip=1');
    d = await client.at('textDocument/definition', examplePath, line, colOf(example, line, 'TAKE') + 2);
    assert.equal(d[0].range.start.line, lineOf(example, /^\.macro TAKE_STACK_LOCK/));
    line = lineOf(seed, 'SYM_CODE_START(trampoline_data_bsp)');
    d = await client.at('textDocument/definition', seedPath, line, 3);
    assert.equal(d[0].uri, 'x86-trampoline-header:/linux/linkage.h');
    const header = await client.conn.sendRequest('x86Trampoline/headerText', { uri: d[0].uri }) as { text: string };
    assert.match(lines(header.text)[d[0].range.start.line], /#define\s+SYM_CODE_START\b/);
    // The same text through LSP 3.18's workspace/textDocumentContent (what vscode-languageclient uses).
    const content = await client.conn.sendRequest('workspace/textDocumentContent', { uri: d[0].uri }) as { text: string };
    assert.equal(content.text, header.text);
  });
  it('.L locals made with \\@ inside a macro resolve to the label line in the body', async () => {
    const line = lineOf(example, 'jmp     .Lretry_lock\\@');
    const d = await client.at('textDocument/definition', examplePath, line, colOf(example, line, '.Lretry') + 2);
    assert.equal(d[0].range.start.line, lineOf(example, /^\.Lretry_lock\\@:/));
  });
  it('references, highlights and rename of stack_end cover every occurrence in the text', async () => {
    const expected = lines(example).flatMap((l, i) => [...l.matchAll(/\bstack_end\b/g)].map((m) => `${i}:${m.index}`)).sort();
    const line = lineOf(example, 'leaq    stack_end(%rip), %rsp');
    const col = colOf(example, line, 'stack_end');
    const refs = await client.at('textDocument/references', examplePath, line, col, { context: { includeDeclaration: true } });
    assert.deepEqual(refs.map((r: any) => `${r.range.start.line}:${r.range.start.character}`).sort(), expected);
    const hl = await client.at('textDocument/documentHighlight', examplePath, line, col);
    assert.equal(hl.length, expected.length);
    const edit = await client.at('textDocument/rename', examplePath, line, col, { newName: 'stack_top' });
    const edits = edit.changes[fileUri(examplePath)];
    assert.deepEqual(edits.map((e: any) => `${e.range.start.line}:${e.range.start.character}`).sort(), expected);
    assert.ok(edits.every((e: any) => e.newText === 'stack_top' && e.range.end.character - e.range.start.character === 'stack_end'.length));
  });
  it('rename refuses names GNU as would not accept', async () => {
    const line = lineOf(example, 'leaq    stack_end(%rip), %rsp');
    await assert.rejects(client.at('textDocument/rename', examplePath, line, colOf(example, line, 'stack_end'), { newName: '9lives' }), /not a valid symbol name/);
  });
  it('macro parameters: references and rename stay inside the macro', async () => {
    const line = lineOf(example, 'lea     \\msg, \\reg');
    const col = colOf(example, line, '\\reg') + 1;
    const refs = await client.at('textDocument/references', examplePath, line, col, { context: { includeDeclaration: true } });
    const header = lineOf(example, /^\.macro PUTS/);
    const expected = lines(example).flatMap((l, i) => (i === header ? [...l.matchAll(/\breg\b/g)] : i > header && i < lineOf(example, /^\.endm/, header) ? [...l.matchAll(/\\reg\b/g)].map((m) => ({ index: m.index + 1 })) : []).map((m) => `${i}:${m.index}`));
    assert.deepEqual(refs.map((r: any) => `${r.range.start.line}:${r.range.start.character}`).sort(), expected.sort());
    const edit = await client.at('textDocument/rename', examplePath, line, col, { newName: 'index_reg' });
    assert.equal(edit.changes[fileUri(examplePath)].length, expected.length);
  });
  it('rename of a macro edits the definition and each call', async () => {
    const line = lineOf(example, 'PUTS    msg_long(%rip), %rsi');
    const edit = await client.at('textDocument/rename', examplePath, line, colOf(example, line, 'PUTS'), { newName: 'DEBUG_PUTS' });
    const got = edit.changes[fileUri(examplePath)].map((e: any) => e.range.start.line).sort((a: number, b: number) => a - b);
    const expected = lines(example).flatMap((l, i) => (/^\s*(\.macro\s+)?PUTS\b/.test(l) ? [i] : []));
    assert.deepEqual(got, expected);
  });
  it('document links: every #include resolves', async () => {
    const links = await client.request('textDocument/documentLink', seedPath);
    const includes = lines(seed).filter((l) => /^#include/.test(l)).length;
    assert.equal(links.length, includes);
    assert.ok(links.some((l: any) => l.target === 'x86-trampoline-header:/asm/segment.h'));
  });
});

describe('symbols', () => {
  it('outline: SYM_CODE_START block with its extent, labels, SYM_DATA, the section, and the macros', async () => {
    const syms = await client.request('textDocument/documentSymbol', seedPath);
    const flat: any[] = [];
    const walk = (l: any[]) => l.forEach((s) => { flat.push(s); walk(s.children ?? []); });
    walk(syms);
    const block = flat.find((s) => s.name === 'trampoline_data_bsp');
    assert.ok(block);
    assert.equal(block.range.start.line, lineOf(seed, 'SYM_CODE_START(trampoline_data_bsp)'));
    assert.equal(block.range.end.line, lineOf(seed, 'SYM_CODE_END(trampoline_data_bsp)'));
    for (const n of ['startup_32_bsp', 'startup_64_bsp', 'tgdt_bsp', 'kernel_phys_addr', 'trampoline_status_bsp', 'pgtable_bsp']) assert.ok(flat.some((s) => s.name === n), n);
    assert.ok(flat.some((s) => s.name === '.x86_trampoline_bsp' && s.kind === 3));
    const ex = await client.request('textDocument/documentSymbol', examplePath);
    assert.ok(ex.some((s: any) => s.name === 'TAKE_STACK_LOCK') && ex.some((s: any) => s.name === 'PUTS'));
  });
  it('workspace symbols find labels of open documents', async () => {
    const r = await client.conn.sendRequest('workspace/symbol', { query: 'trampoline_data' }) as any[];
    assert.ok(r.some((s) => s.name === 'trampoline_data_bsp' && s.location.uri === fileUri(seedPath)));
  });
});

describe('completion and signature help', () => {
  it('registers follow the .code mode of the line', async () => {
    const l16 = lineOf(seed, ' mov %cs, %ax # Code');
    const c16 = await client.at('textDocument/completion', seedPath, l16, colOf(seed, l16, '%cs') + 1);
    const names16 = c16.map((c: any) => c.label);
    assert.ok(names16.includes('%eax') && names16.includes('%cr0'));
    assert.ok(!names16.includes('%r8') && !names16.includes('%rax'));
    const l64 = lineOf(seed, ' movq %r14, %r13');
    const c64 = await client.at('textDocument/completion', seedPath, l64, colOf(seed, l64, '%r14') + 2);
    const r8 = c64.find((c: any) => c.label === '%r8');
    // The edit replaces the typed `%r` including its '%'.
    assert.deepEqual([r8.textEdit.newText, r8.textEdit.range.start.character, r8.textEdit.range.end.character], ['%r8', colOf(seed, l64, '%r14'), colOf(seed, l64, '%r14') + 2]);
  });
  it('mnemonics valid in the mode, with suffixes, and macros as snippets', async () => {
    const l32 = lineOf(seed, ' decl %ecx');
    const c32 = (await client.at('textDocument/completion', seedPath, l32, 1)).map((c: any) => c.label);
    assert.ok(c32.includes('movl') && c32.includes('lgdtl') && c32.includes('pusha'));
    assert.equal(formsByName.get('swapgs')![0].only64, true);
    assert.ok(!c32.includes('swapgs'));
    const l64 = lineOf(seed, ' decq %rcx');
    const c64 = await client.at('textDocument/completion', seedPath, l64, 1);
    const labels = c64.map((c: any) => c.label);
    assert.ok(labels.includes('swapgs') && !labels.includes('pusha'));
    const ex = await client.at('textDocument/completion', examplePath, lineOf(example, 'movl    $LOAD_ADDR, %esi'), 8);
    const take = ex.find((c: any) => c.label === 'TAKE_STACK_LOCK');
    assert.equal(take.textEdit.newText, 'TAKE_STACK_LOCK lock_pa=${1:0}, lock_rip=${2:0}');
    assert.equal(take.insertTextFormat, 2);
  });
  it('operands complete symbols and cpp macros', async () => {
    const line = lineOf(example, 'leaq    stack_end(%rip), %rsp');
    const c = await client.at('textDocument/completion', examplePath, line, colOf(example, line, 'stack_end') + 3);
    const labels = c.map((x: any) => x.label);
    for (const n of ['stack_end', 'gdt', 'startup_64', 'X86_CR4_PAE', 'MSR_EFER', 'LOAD_ADDR']) assert.ok(labels.includes(n), n);
    assert.ok(!labels.some((l: string) => /^\.L|^\d/.test(l)), 'no temporary labels');
  });
  it('include paths after #include <', async () => {
    const line = lineOf(seed, '#include <asm/segment.h>');
    const c = await client.at('textDocument/completion', seedPath, line, colOf(seed, line, 'segment'));
    assert.ok(c.some((x: any) => x.label === 'asm/segment.h'), JSON.stringify(c.slice(0, 5)));
  });
  it('signature help for a macro call and for an instruction', async () => {
    const line = lineOf(example, 'TAKE_STACK_LOCK lock_pa=1');
    const s = await client.at('textDocument/signatureHelp', examplePath, line, colOf(example, line, 'lock_pa') + 2);
    assert.equal(s.signatures[0].label, 'TAKE_STACK_LOCK lock_pa=0, lock_rip=0');
    const sd = lineOf(seed, 'SYM_DATA(kernel_phys_addr, .quad 0)');
    const cpp = await client.at('textDocument/signatureHelp', seedPath, sd, colOf(seed, sd, '.quad'));
    // The parameters as the header declares them.
    const decl = /#define\s+SYM_DATA\(([^)]*)\)/.exec(builtinHeaderText('linux/linkage.h')!)![1].split(',').map((x) => x.trim().replace(/\.\.\.$/, ''));
    assert.equal(cpp.signatures[0].label, `SYM_DATA(${decl.join(', ')})`);
    assert.equal(cpp.activeParameter, 1);
    const l2 = lineOf(seed, ' shll $4, %esi');
    const i = await client.at('textDocument/signatureHelp', seedPath, l2, colOf(seed, l2, '%esi'));
    assert.ok(i.signatures.length > 0);
    assert.equal(i.activeParameter, 1);
  });
});

describe('presentation', () => {
  it('semantic tokens: macro call, cpp macro, label, control register', async () => {
    const data: number[] = (await client.request('textDocument/semanticTokens/full', examplePath)).data;
    const toks: { line: number; col: number; len: number; type: string; mods: string[] }[] = [];
    let line = 0;
    let col = 0;
    for (let i = 0; i < data.length; i += 5) {
      line += data[i];
      col = data[i] === 0 ? col + data[i + 1] : data[i + 1];
      toks.push({ line, col, len: data[i + 2], type: legend.tokenTypes[data[i + 3]], mods: legend.tokenModifiers.filter((_, b) => data[i + 4] & (1 << b)) });
    }
    const at = (needle: string, tok: string) => {
      const l = lineOf(example, needle);
      const c = colOf(example, l, tok);
      return toks.find((t) => t.line === l && t.col === c);
    };
    assert.equal(at('TAKE_STACK_LOCK lock_rip=1', 'TAKE_STACK_LOCK')?.type, 'function');
    assert.equal(at('SYM_CODE_START(trampoline_start64)', 'SYM_CODE_START')?.type, 'macro');
    assert.deepEqual(at('movl    %eax, %cr4', '%cr4')?.mods, ['control']);
    assert.equal(at('startup_32:', 'startup_32')?.type, 'label');
    assert.equal(at('lea     \\msg, \\reg', '\\msg')?.type, 'parameter');
    // Instructions and directives must not share a token type (themes would paint them alike): directives are
    // left to the grammar.
    assert.equal(at('movl    %eax, %cr4', 'movl')?.type, 'keyword');
    assert.equal(at('        .code32', '.code32'), undefined);
    // A range request returns the same tokens for its lines only.
    const l = lineOf(example, 'TAKE_STACK_LOCK lock_rip=1');
    const part: number[] = (await client.request('textDocument/semanticTokens/range', examplePath, { range: { start: { line: l, character: 0 }, end: { line: l + 2, character: 0 } } })).data;
    const inRange = toks.filter((t) => t.line >= l && t.line <= l + 2);
    assert.equal(part.length / 5, inRange.length);
    assert.equal(part[0], l);
  });
  it('folding: macros, SYM blocks, #ifndef and comment blocks', async () => {
    const f = await client.request('textDocument/foldingRange', examplePath);
    const has = (a: number, b: number) => f.some((x: any) => x.startLine === a && x.endLine === b);
    assert.ok(has(lineOf(example, /^\.macro TAKE_STACK_LOCK/), lineOf(example, /^\.endm/)));
    assert.ok(has(lineOf(example, 'SYM_CODE_START(trampoline_start32)'), lineOf(example, 'SYM_CODE_END(trampoline_start32)')));
    assert.ok(has(lineOf(example, '#ifndef LOAD_ADDR'), lineOf(example, '#endif')));
    assert.ok(has(lineOf(example, /^\.if \\lock_pa/), lineOf(example, /^\.endif/)));
    assert.ok(f.some((x: any) => x.startLine === 0 && x.kind === 'comment'));
  });
  it('inlay hints: modes at .codeNN, label addresses as GNU lays them out, expansion sizes', async (t) => {
    const hints = await client.request('textDocument/inlayHint', seedPath, { range: { start: { line: 0, character: 0 }, end: { line: 9999, character: 0 } } });
    const on = (l: number) => hints.filter((h: any) => h.position.line === l).map((h: any) => h.label);
    assert.deepEqual(on(lineOf(seed, /^ \.code16/)), ['16-bit']);
    assert.deepEqual(on(lineOf(seed, /^ \.code32/)), ['32-bit']);
    assert.deepEqual(on(lineOf(seed, /^ \.code64/)), ['64-bit']);
    const ex = await client.request('textDocument/inlayHint', examplePath, { range: { start: { line: 0, character: 0 }, end: { line: 9999, character: 0 } } });
    assert.ok(ex.some((h: any) => h.position.line === lineOf(example, 'TAKE_STACK_LOCK lock_rip=1') && /^\d+ bytes$/.test(h.label)));
    // startup_32 is the target of the direct far jump in trampoline_start32.
    assert.ok(ex.some((h: any) => h.position.line === lineOf(example, /^startup_32:/) && /32-bit · far-jump target: selector 0x8/.test(h.label)));
    // The seed enters startup_32_bsp through the far pointer startup_32_vector_bsp (.long target, .word __KERNEL32_CS).
    assert.ok(hints.some((h: any) => h.position.line === lineOf(seed, /^startup_32_bsp:/) && /32-bit · far-jump target: selector 0x8 via startup_32_vector_bsp/.test(h.label)));
    // ... and startup_64_bsp through `pushl $__KERNEL_CS; pushl %eax; lret` (selector 0x10 = GDT entry 2).
    assert.ok(hints.some((h: any) => h.position.line === lineOf(seed, /^startup_64_bsp:/) && /64-bit · far-jump target: selector 0x10 \(lret\)/.test(h.label)));
    if (!gnuSeed) return t.skip('GNU toolchain missing');
    for (const name of ['startup_32_bsp', 'startup_64_bsp', 'tgdt_bsp', 'pgtable_bsp']) {
      const g: { section: string; value: number } = gnuSeed.symbols.get(name)!;
      assert.equal(on(lineOf(seed, new RegExp(`^${name}:`)))[0].split(' · ')[0], `${g.section}+0x${g.value.toString(16)}`, name);
    }
  });
  it('code lens "Debug from here" on SYM_CODE_START with the start mode of its code', async () => {
    const lenses = await client.request('textDocument/codeLens', examplePath);
    const byName = new Map(lenses.map((l: any) => [l.command.arguments[0].symbol, l]));
    const rm = byName.get('trampoline_start') as any;
    assert.equal(rm.command.command, 'x86Trampoline.debugFromHere');
    assert.deepEqual(rm.command.arguments[0], { uri: fileUri(examplePath), symbol: 'trampoline_start', start: 'ap', mode: 16 });
    assert.equal((byName.get('trampoline_start64') as any).command.arguments[0].start, 'long64');
    assert.equal((byName.get('trampoline_start32') as any).command.arguments[0].mode, 32);
    // Every start a lens sends is one the adapter's launch schema accepts; 32-bit code sends none (run to it).
    const schemaStarts: string[] = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8'))
      .contributes.debuggers[0].configurationAttributes.launch.properties.start.enum;
    const seedLenses = await client.request('textDocument/codeLens', seedPath);
    for (const l of [...lenses, ...seedLenses] as any[]) {
      const a = l.command.arguments[0];
      if (a.mode === 32) assert.equal('start' in a, false, `${a.symbol}: no start for 32-bit code`);
      else assert.ok(schemaStarts.includes(a.start), `${a.symbol}: start ${a.start} is in the launch schema`);
    }
  });
});

describe('commands', () => {
  it('expandMacro returns the expansion of this call only', async () => {
    const line = lineOf(example, 'TAKE_STACK_LOCK lock_rip=1');
    const text = await client.conn.sendRequest('workspace/executeCommand', { command: 'x86Trampoline.expandMacro', arguments: [{ uri: fileUri(examplePath), position: { line, character: 10 } }] }) as string;
    assert.ok(text.includes('lock btsl $0, stack_lock(%rip)'));
    assert.ok(!text.includes('pa_stack_lock') && !text.includes('stack_lock - tramp_base'));
    assert.match(text, /jnc\s+2f/);
  });
  it('the same views as virtual documents (workspace/textDocumentContent)', async () => {
    const line = lineOf(example, 'TAKE_STACK_LOCK lock_rip=1');
    const exp = await client.conn.sendRequest('workspace/textDocumentContent', { uri: `x86-trampoline-expansion:${examplePath}?line=${line}` }) as { text: string };
    assert.ok(exp.text.includes('lock btsl $0, stack_lock(%rip)') && !exp.text.includes('pa_stack_lock'));
    const pre = await client.conn.sendRequest('workspace/textDocumentContent', { uri: `x86-trampoline-preprocessed:${examplePath}` }) as { text: string };
    assert.ok(pre.text.includes('lock btsl $0, stack_lock(%rip)') && !pre.text.includes('X86_CR4_PAE'));
  });
  it('showPreprocessed lists the assembled statements with their origins', async () => {
    const v = await client.conn.sendRequest('workspace/executeCommand', { command: 'x86Trampoline.showPreprocessed', arguments: [{ uri: fileUri(examplePath) }] }) as { text: string; origins: any[] };
    const out = lines(v.text);
    const i = out.findIndex((l) => l.includes('lock btsl $0, stack_lock(%rip)'));
    assert.ok(i >= 0);
    assert.equal(v.origins[i].line, lineOf(example, '        lock btsl $0, stack_lock(%rip)'));
    assert.equal(v.origins[i].expansion[0].name, 'TAKE_STACK_LOCK');
    assert.equal(v.origins[i].expansion[0].line, lineOf(example, 'TAKE_STACK_LOCK lock_rip=1'));
    assert.ok(!v.text.includes('X86_CR4_PAE'), 'cpp macros are expanded');
  });
});

describe('descriptors and far jumps', () => {
  it('a .quad in a GDT is described as a segment descriptor (SDM layout: L bit 53, D/B bit 54, G bit 55)', async () => {
    assert.match(await hoverText(seedPath, seed, ' .quad 0x00cf9b000000ffff # __KERNEL32_CS', '0x00cf'), /32-bit code segment, base 0x0, limit 0xffffffff \(4 KiB granular\), DPL 0/);
    assert.match(await hoverText(seedPath, seed, ' .quad 0x00af9a000000ffff /* __KERNEL_CS */', '0x00af'), /64-bit code segment/);
    assert.match(await hoverText(seedPath, seed, ' .quad 0x00cf92000000ffff /* __KERNEL_DS */', '0x00cf'), /32-bit data segment/);
  });
  it('warns when a direct far jump enters code through a selector of the wrong width', async () => {
    const bad = example.replace('ljmpl   $__KERNEL32_CS, $(LOAD_ADDR', 'ljmpl   $__KERNEL_CS, $(LOAD_ADDR');
    const path = `${__dirname}/far-jump-fixture.S`;
    const d = await client.open(path, bad);
    const w = d.filter((x) => x.code === 'far-jump-selector');
    assert.equal(w.length, 1);
    // The seed's indirect jump through startup_32_vector_bsp is checked against tgdt_bsp and fits.
    assert.deepEqual(seedDiagnostics.filter((x) => x.code === 'far-jump-selector'), []);
    const badSeed = seed.replace(' .word __KERNEL32_CS, 0', ' .word __KERNEL_DS, 0');
    const sd = await client.open(`${__dirname}/far-jump-seed-fixture.S`, badSeed);
    const sw = sd.filter((x) => x.code === 'far-jump-selector');
    assert.equal(sw.length, 1);
    assert.equal(sw[0].range.start.line, lineOf(badSeed, ' ljmpl *(startup_32_vector_bsp - bsp_base)'));
    assert.match(sw[0].message, /selector 0x18 selects a 32-bit data segment in tgdt_bsp, not a code segment/);
    // Entering startup_64_bsp with lret through the 32-bit code selector is caught against gdt_bsp_64.
    const badLret = seed.replace(' pushl $__KERNEL_CS\n', ' pushl $__KERNEL32_CS\n');
    assert.notEqual(badLret, seed);
    const ld = await client.open(`${__dirname}/far-jump-lret-fixture.S`, badLret);
    const lw = ld.filter((x) => x.code === 'far-jump-selector');
    assert.equal(lw.length, 1, JSON.stringify(lw));
    assert.equal(lw[0].range.start.line, lineOf(badLret, /^ lret/));
    assert.equal(w[0].range.start.line, lineOf(bad, 'ljmpl   $__KERNEL_CS'));
    assert.match(w[0].message, /selector 0x10 is a 64-bit code segment in gdt but startup_32 is assembled as \.code32/);
    const wrmsr = await hoverText(seedPath, seed, ' wrmsr', 'wrmsr');
    assert.match(wrmsr, /ECX = `0xc0000080`: \*\*MSR_EFER\*\* \(IA32_EFER\)/);
    assert.match(wrmsr, /\| 8 \| LME \|/);
  });
});

describe('rename through macro arguments', () => {
  it('renaming msg_long edits the call-site argument and the label, never the macro body', async () => {
    const expected = lines(example).flatMap((l, i) => [...l.matchAll(/\bmsg_long\b/g)].map((m) => `${i}:${m.index}`)).sort();
    const line = lineOf(example, /^msg_long:/);
    const edit = await client.at('textDocument/rename', examplePath, line, 2, { newName: 'banner' });
    const got = edit.changes[fileUri(examplePath)].map((e: any) => `${e.range.start.line}:${e.range.start.character}`).sort();
    assert.deepEqual(got, expected);
  });
  it('every reference range of every label names the label in the text', async () => {
    for (const [path, text] of [[seedPath, seed], [examplePath, example]] as const) {
      const ls = lines(text);
      for (let i = 0; i < ls.length; i++) {
        const m = /^([A-Za-z_][\w]*):/.exec(ls[i]);
        if (!m) continue;
        const refs = await client.at('textDocument/references', path, i, 1, { context: { includeDeclaration: true } });
        for (const r of refs) if (r.uri === fileUri(path)) assert.equal(ls[r.range.start.line].slice(r.range.start.character, r.range.end.character), m[1], `${m[1]} at ${r.range.start.line}`);
      }
    }
  });
});

describe('the mailing-list macro (seed 000)', () => {
  it('LOCK_AND_LOAD_REALMODE_ESP lock_rip=1 expands to the RIP-relative lock only', async () => {
    // Rebuild the patched macro from the diff in the seed: '+' and context lines up to its .endif.
    const patch = readFileSync(`${__dirname}/../../../shared/seeds/000_fa25b6e958d7b9ed.txt`, 'latin1').split('\n');
    const start = patch.findIndex((l) => l.startsWith('> +.macro LOCK_AND_LOAD_REALMODE_ESP'));
    const end = patch.findIndex((l, i) => i > start && /^> \s*\.endif/.test(l));
    assert.ok(start > 0 && end > start);
    const body = patch.slice(start, end + 1).map((l) => l.slice(2)).filter((l) => !l.startsWith('-')).map((l) => l.replace(/^[+ ]/, ''));
    const src = [...body, '.endm', '.code64', 'tr_lock: .long 0', 'pa_tr_lock = 0x1000', 'entry:', '  LOCK_AND_LOAD_REALMODE_ESP lock_rip=1', ''].join('\n');
    const path = `${__dirname}/seed-macro-fixture.S`;
    const d = await client.open(path, src);
    assert.deepEqual(d.filter((x) => x.severity === 1), []);
    const line = lineOf(src, '  LOCK_AND_LOAD_REALMODE_ESP lock_rip=1');
    const h = (await client.at('textDocument/hover', path, line, 4)).contents.value as string;
    const expansion = h.slice(h.indexOf('Expansion here'));
    assert.ok(expansion.includes('lock btsl $0, tr_lock(%rip)'), h);
    assert.ok(!expansion.includes('pa_tr_lock') && !/lock btsl \$0, tr_lock\n/.test(expansion), h);
    const text = await client.conn.sendRequest('workspace/executeCommand', { command: 'x86Trampoline.expandMacro', arguments: [{ uri: fileUri(path), position: { line, character: 4 } }] }) as string;
    assert.ok(text.includes('lock btsl $0, tr_lock(%rip)') && !text.includes('pa_tr_lock'));
  });
});

