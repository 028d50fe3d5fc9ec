// The seeds' trampoline_64_bsp.S entered as an AP, driven over DAP: mode events in order, stepping across the
// PE switch and back, scopes checked against architectural facts and the source's own .quad values, breakpoints
// of every kind, the event filters the seed triggers, evaluate, disassembly against objdump, memory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import { children, evaluate, launch, lineOf, scopeVariables, SEED, SEED_LAUNCH, startClient, topFrame, until } from './session-helpers';

const seedText = readFileSync(SEED, 'latin1');
const LINE = {
  lmsw: lineOf(seedText, 'lmsw %ax'),
  ljmpl: lineOf(seedText, 'ljmpl *(startup_32_vector_bsp'),
  startup32Cli: lineOf(seedText, 'cli', 1),
  cr4Write: lineOf(seedText, 'movl %eax, %cr4'),
  cr3Write: lineOf(seedText, 'movl %eax, %cr3'),
  wrmsr: lineOf(seedText, 'wrmsr'),
  cr0Write: lineOf(seedText, 'movl %eax, %cr0'),
  lret: lineOf(seedText, ' lret'),
  lidtl: lineOf(seedText, 'lidtl tidt_bsp'),
  marker: lineOf(seedText, 'movl $0xA5A5A5A5'),
  decLoop: lineOf(seedText, 'decl %ecx'),
  comment: lineOf(seedText, '# Setup stack'),
  quad: lineOf(seedText, '.quad 0x00cf9b000000ffff'),
};

async function withSeed(f: (dc: DebugClient) => Promise<void>, configure?: (dc: DebugClient) => Promise<void>): Promise<void> {
  const dc = await startClient();
  try {
    const s = await launch(dc, SEED_LAUNCH, configure ? () => configure(dc) : undefined);
    assert.equal(s.body.reason, 'entry');
    await f(dc);
  } finally {
    await dc.stop();
  }
}

test('seed: every mode event from real mode to 64-bit mode, in order, at the instructions that cause them', async () => {
  await withSeed(async (dc) => {
    const statusEvents: { mode: string; newModeEvents: unknown[] }[] = [];
    dc.on('x86Trampoline.status', (e) => statusEvents.push(e.body));
    const seen: { description: string; line: number }[] = [];
    for (let i = 0; i < 4; i++) {
      const s = await until(dc, () => dc.continueRequest({ threadId: 1 }));
      assert.equal(s.body.reason, 'exception');
      const info = await dc.customRequest('exceptionInfo', { threadId: 1 });
      assert.equal(info.body.exceptionId, 'mode');
      seen.push({ description: s.body.description ?? '', line: 0 });
    }
    // SDM facts: LMSW sets PE (16-bit protected), the far jump through __KERNEL32_CS (D=1) gives 32-bit code,
    // CR0.PG with EFER.LME activates IA-32e (compatibility) mode, LRET to __KERNEL_CS (L=1) enters 64-bit mode.
    assert.match(seen[0].description, /^Mode switch: real → protected \(16-bit\): CR0\.PE 0→1/);
    assert.match(seen[1].description, /^Mode switch: protected \(16-bit\) → protected: ljmpl \*0x[0-9a-f]+ loaded CS 0x8 \(32-bit code, D=1\)/);
    assert.match(seen[2].description, /^Mode switch: protected → long \(compatibility\): .*CR0\.PG 0→1.* with EFER\.LME=1/);
    assert.match(seen[3].description, /^Mode switch: long \(compatibility\) → long \(64-bit\): lret loaded CS 0x10 \(64-bit code, L=1\)/);
    // The custom event after each stop carries the new mode events (one per stop here) and the current mode.
    assert.deepEqual(statusEvents.slice(-4).map((e) => [e.mode, e.newModeEvents.length]), [['protected', 1], ['protected', 1], ['compat', 1], ['long', 1]]);
    const timeline = await dc.customRequest('x86Trampoline.modeTimeline');
    const entries = timeline.body.entries as { from: string; to: string; source?: { line: number }; instructionCount: number; cpu: number }[];
    assert.deepEqual(entries.map((e) => `${e.from} → ${e.to}`), ['real → protected (16-bit)', 'protected (16-bit) → protected', 'protected → long (compatibility)', 'long (compatibility) → long (64-bit)']);
    assert.deepEqual(entries.map((e) => (e.source ? e.source.line + 1 : -1)), [LINE.lmsw, LINE.ljmpl, LINE.cr0Write, LINE.lret]);
    for (let i = 1; i < entries.length; i++) assert.ok(entries[i].instructionCount > entries[i - 1].instructionCount);
    const status = await dc.customRequest('x86Trampoline.status');
    assert.equal(status.body.mode, 'long');
    assert.equal(status.body.paging, '4-level');
    // The page-table view: the seed's 4 GiB identity map of 2 MiB pages, coalesced.
    const pt = await dc.customRequest('x86Trampoline.pageTables');
    assert.equal(pt.body.paging, '4-level');
    const total = (pt.body.ranges as { size: number; linear: string; physical: string; pageSize: number }[]).reduce((a, r) => a + r.size, 0);
    assert.equal(total, 4 * 2 ** 30);
    assert.ok(pt.body.ranges.every((r: { linear: string; physical: string; pageSize: number }) => r.linear === r.physical && r.pageSize === 2 ** 21));
    const tr = await dc.customRequest('x86Trampoline.translate', { address: '0xfee00123' });
    assert.equal(tr.body.physical, '0xfee00123');
    assert.deepEqual(tr.body.levels.map((l: { name: string }) => l.name), ['PML4E', 'PDPTE', 'PDE']);
    // Triple fault (on by default): the seed jumps to kernel_phys_addr = 0 with an empty IDT.
    const tf = await until(dc, () => dc.continueRequest({ threadId: 1 }));
    assert.match(tf.body.description ?? '', /^Triple fault/);
  }, async (dc) => {
    await dc.setExceptionBreakpointsRequest({ filters: ['mode', 'triple-fault'] });
  });
});

test('seed: step across the PE switch and back with stepBack; CR0 and the GDT checked against the source', async () => {
  await withSeed(async (dc) => {
    const bp = await until(dc, () => dc.continueRequest({ threadId: 1 }));
    assert.equal(bp.body.reason, 'breakpoint');
    assert.equal((await topFrame(dc)).line, LINE.lmsw);
    assert.equal(await evaluate(dc, 'cr0.pe'), '0');
    const status0 = await dc.customRequest('x86Trampoline.status');
    assert.equal(status0.body.mode, 'real');

    let s = await until(dc, () => dc.stepInRequest({ threadId: 1 }));
    assert.equal(s.body.reason, 'step');
    assert.equal((await topFrame(dc)).line, LINE.ljmpl);
    assert.equal(await evaluate(dc, 'cr0.pe'), '1');
    const control = await scopeVariables(dc, 'Control registers');
    const cr0 = control.get('cr0')!;
    assert.equal((await children(dc, cr0)).get('PE')!.value, '1');
    // After LGDT the GDT entries decode to the .quad values written in the source.
    const tables = await scopeVariables(dc, 'Descriptor tables');
    const gdt = await children(dc, tables.get('GDT entries')!);
    const quads = seedText.slice(seedText.indexOf('tgdt_bsp:'), seedText.indexOf('tgdt_bsp_end:')).match(/\.quad\s+0x[0-9a-f]+/g)!.map((q) => BigInt(q.split(/\s+/)[1]));
    const raws = [...gdt.values()].map((v) => BigInt(v.value.split(' ')[0]));
    assert.deepEqual(raws.slice(1, 1 + quads.length), quads);
    assert.match([...gdt.values()][1].value, /code.*32-bit/);
    assert.match([...gdt.values()][2].value, /code.*64-bit/);

    s = await until(dc, () => dc.nextRequest({ threadId: 1 }));
    assert.equal((await topFrame(dc)).line, LINE.startup32Cli);
    assert.equal((await dc.customRequest('x86Trampoline.status')).body.bits, 32);
    const segs = await scopeVariables(dc, 'Segments');
    assert.match(segs.get('CS')!.value, /^0x0008/);
    const csFields = await children(dc, segs.get('CS')!);
    assert.equal(csFields.get('D/B')!.value, '1');
    assert.equal(csFields.get('base')!.value, '0x0');

    s = await until(dc, () => dc.stepBackRequest({ threadId: 1 }));
    assert.equal((await topFrame(dc)).line, LINE.ljmpl);
    assert.equal((await dc.customRequest('x86Trampoline.status')).body.bits, 16);
    s = await until(dc, () => dc.stepBackRequest({ threadId: 1 }));
    assert.equal((await topFrame(dc)).line, LINE.lmsw);
    assert.equal(await evaluate(dc, 'cr0.pe'), '0');
    assert.equal((await dc.customRequest('x86Trampoline.status')).body.mode, 'real');
    // Forward again over the same instructions gives the same state.
    s = await until(dc, () => dc.stepInRequest({ threadId: 1, granularity: 'instruction' }));
    assert.equal(await evaluate(dc, 'cr0.pe'), '1');
    // reverseContinue goes back to the breakpoint on the lmsw line.
    s = await until(dc, () => dc.reverseContinueRequest({ threadId: 1 }));
    assert.equal(s.body.reason, 'breakpoint');
    assert.equal((await topFrame(dc)).line, LINE.lmsw);
    // Flip CR0.PE from the Variables view, then read it back.
    const control2 = await scopeVariables(dc, 'Control registers');
    const bits = await dc.variablesRequest({ variablesReference: control2.get('cr0')!.variablesReference });
    const set = await dc.setVariableRequest({ variablesReference: control2.get('cr0')!.variablesReference, name: 'PE', value: '1' });
    assert.equal(set.body.value, '1');
    assert.equal(await evaluate(dc, 'cr0.pe'), '1');
    assert.equal((await dc.customRequest('x86Trampoline.status')).body.mode, 'protected');
    void bits;
    const gen = await scopeVariables(dc, 'General');
    await dc.setVariableRequest({ variablesReference: (await dc.scopesRequest({ frameId: (await topFrame(dc)).id })).body.scopes[0].variablesReference, name: 'ax', value: '0x1234' });
    assert.equal(await evaluate(dc, 'ax'), '0x1234');
    assert.ok(gen.has('ip') && gen.has('sp'), '16-bit names in real mode');
  }, async (dc) => {
    await dc.setExceptionBreakpointsRequest({ filters: [] });
    await dc.setBreakpointsRequest({ source: { path: SEED }, breakpoints: [{ line: LINE.lmsw }] });
  });
});

test('seed: breakpoints of every kind, unverified lines, data breakpoints, logpoints', async () => {
  await withSeed(async (dc) => {
    const outputs: string[] = [];
    dc.on('output', (e) => outputs.push(e.body.output));
    // Function breakpoint on startup_32_bsp; instruction breakpoint on startup_64_bsp's address.
    const addr64 = BigInt((await evaluate(dc, 'startup_64_bsp')).split(' ')[0]);
    const fn = await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'startup_32_bsp' }, { name: 'no_such_symbol' }] });
    assert.equal(fn.body.breakpoints[0].verified, true);
    assert.equal(fn.body.breakpoints[1].verified, false);
    const ib = await dc.customRequest('setInstructionBreakpoints', { breakpoints: [{ instructionReference: `0x${addr64.toString(16)}` }] });
    assert.equal(ib.body.breakpoints[0].verified, true);
    // Data breakpoint on the status marker the trampoline writes first.
    const info = await dc.dataBreakpointInfoRequest({ name: 'trampoline_status_bsp' });
    assert.ok(info.body.dataId);
    const db = await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.body.dataId!, accessType: 'write' }] });
    assert.equal(db.body.breakpoints[0].verified, true);

    let s = await until(dc, () => dc.continueRequest({ threadId: 1 }));
    assert.equal(s.body.reason, 'data breakpoint');
    // It stops after the writing instruction: at the next one, the stack setup.
    assert.equal((await topFrame(dc)).line, lineOf(seedText, 'movw $(trampoline_stack_bsp_end'));
    assert.equal(await evaluate(dc, '*(u32*)trampoline_status_bsp'), '0xa5a5a5a5');
    await dc.setDataBreakpointsRequest({ breakpoints: [] });

    s = await until(dc, () => dc.continueRequest({ threadId: 1 }));
    assert.equal(s.body.reason, 'function breakpoint');
    assert.equal((await topFrame(dc)).line, LINE.startup32Cli);

    // startup_32 patches the GDT pointer at gdt_bsp_64 (a write) and then LGDT reads it.
    const gdtPtr = await dc.dataBreakpointInfoRequest({ name: 'gdt_bsp_64' });
    await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: gdtPtr.body.dataId!, accessType: 'readWrite' }] });
    s = await until(dc, () => dc.continueRequest({ threadId: 1 }));
    assert.equal(s.body.reason, 'data breakpoint');
    assert.match(s.body.description ?? '', /write of 4 byte/);
    assert.equal((await topFrame(dc)).line, lineOf(seedText, 'lgdt (gdt_bsp_64'));
    await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: gdtPtr.body.dataId!, accessType: 'read' }] });
    s = await until(dc, () => dc.continueRequest({ threadId: 1 }));
    assert.equal(s.body.reason, 'data breakpoint');
    assert.match(s.body.description ?? '', /read of/);
    assert.equal((await topFrame(dc)).line, lineOf(seedText, 'movl %cr4, %eax'));
    await dc.setDataBreakpointsRequest({ breakpoints: [] });

    // Conditional + hit count on the PD-building loop (2048 iterations): stop when ecx == 2040, then on the 3rd hit after.
    const bps = await dc.setBreakpointsRequest({ source: { path: SEED }, breakpoints: [
      { line: lineOf(seedText, 'decl %ecx', 1), condition: 'ecx == 2040' },
      { line: LINE.comment },
      { line: LINE.quad },
      { line: LINE.cr3Write, logMessage: 'cr3 <- {eax} mode {cr0.pg}' },
    ] });
    assert.equal(bps.body.breakpoints[0].verified, true);
    assert.equal(bps.body.breakpoints[1].verified, false);
    assert.match(bps.body.breakpoints[1].message ?? '', /no code/);
    assert.equal(bps.body.breakpoints[2].verified, false);
    assert.match(bps.body.breakpoints[2].message ?? '', /data/);
    s = await until(dc, () => dc.continueRequest({ threadId: 1 }));
    assert.equal(s.body.reason, 'breakpoint');
    assert.equal(await evaluate(dc, 'ecx'), '0x000007f8');
    await dc.setBreakpointsRequest({ source: { path: SEED }, breakpoints: [{ line: lineOf(seedText, 'decl %ecx', 1), hitCondition: '3' }, { line: LINE.cr3Write, logMessage: 'cr3 <- {eax} pg {cr0.pg}' }] });
    s = await until(dc, () => dc.continueRequest({ threadId: 1 }));
    assert.equal(await evaluate(dc, 'ecx'), '0x000007f5', 'third hit after the condition stop: 2040 - 3');
    await dc.setBreakpointsRequest({ source: { path: SEED }, breakpoints: [{ line: LINE.cr3Write, logMessage: 'cr3 <- {eax} pg {cr0.pg}' }] });

    s = await until(dc, () => dc.continueRequest({ threadId: 1 }));
    assert.equal(s.body.reason, 'instruction breakpoint');
    assert.equal((await topFrame(dc)).instructionPointerReference, `0x${addr64.toString(16)}`);
    const pgtable = BigInt((await evaluate(dc, 'pgtable_bsp')).split(' ')[0]);
    assert.ok(outputs.some((o) => o === `cr3 <- 0x${pgtable.toString(16).padStart(8, '0')} pg 0\n`), `logpoint output: ${outputs.join('|')}`);
  }, async (dc) => {
    await dc.setExceptionBreakpointsRequest({ filters: [] });
  });
});

test('seed: exception filters paging, cr3, cr, msr and descriptor-tables stop at their instructions', async () => {
  const cases: [string, number, RegExp][] = [
    ['descriptor-tables', LINE.lidtl, /^Descriptor table load: IDTR/],
    ['cr', LINE.lmsw, /^Control register write: CR0\.PE 0→1/],
    ['cr', LINE.cr4Write, /CR4\.PAE 0→1/],
    ['cr3', LINE.cr3Write, /^Control register write: CR3/],
    ['msr', LINE.wrmsr, /^MSR write: .*EFER\.LME 0→1/],
    ['paging', LINE.cr0Write, /paging off → 4-level paging/],
  ];
  await withSeed(async (dc) => {
    for (const [filter, line, text] of cases) {
      await dc.setExceptionBreakpointsRequest({ filters: [filter] });
      const s = await until(dc, () => dc.continueRequest({ threadId: 1 }));
      assert.equal(s.body.reason, 'exception', filter);
      assert.match(s.body.description ?? '', text);
      const info = await dc.customRequest('exceptionInfo', { threadId: 1 });
      assert.equal(info.body.exceptionId, filter);
      // The stop is after the instruction: the instruction pointer is at the next line, the event names the line.
      assert.match(info.body.details.message, new RegExp(`trampoline_64_bsp\\.S:${line}\\.`));
    }
  }, async (dc) => {
    await dc.setExceptionBreakpointsRequest({ filters: [] });
  });
});

test('seed: evaluate registers, bits, symbols, arithmetic, memory and console commands', async () => {
  await withSeed(async (dc) => {
    const s = await until(dc, () => dc.continueRequest({ threadId: 1 }));
    assert.equal(s.body.reason, 'breakpoint');
    // At the lret: 32-bit compatibility mode, paging on, ESI = the trampoline base 0x10000.
    assert.equal(await evaluate(dc, 'esi'), '0x00010000');
    assert.equal(await evaluate(dc, '%esi'), '0x00010000');
    assert.equal(await evaluate(dc, 'efer.lma'), '1');
    assert.equal(await evaluate(dc, 'cr0.pg'), '1');
    assert.equal(await evaluate(dc, 'eflags.if'), '0');
    assert.match(await evaluate(dc, '%cr4'), /PAE=1/);
    assert.equal(await evaluate(dc, 'startup_64_bsp - bsp_base'), '0x104 (260)');
    assert.equal(await evaluate(dc, '(1 << 4) | 3'), '0x13 (19)');
    // The two words lret pops: the 64-bit entry point and __KERNEL_CS (0x10 in the seed's GDT).
    assert.equal(await evaluate(dc, '*(u32*)esp'), '0x00010104');
    assert.equal(await evaluate(dc, '4(%esp)'), '0x00000010');
    assert.equal(await evaluate(dc, '[ss:esp+4]'), '0x00000010');
    assert.equal(await evaluate(dc, '(%esp)'), '0x00010104');
    assert.equal(await evaluate(dc, '%ss:4(%esp)'), '0x00000010');
    assert.equal(await evaluate(dc, '4(%esp,%ebx,4)'), '0x00000010', 'EBX is 0 from reset: the seed never touches it');
    assert.equal(await evaluate(dc, '(startup_64_bsp - bsp_base)(%esi)'), await evaluate(dc, '*(u32*)startup_64_bsp'));
    assert.equal(await evaluate(dc, '(%esi + 4) - 4'), '0x10000 (65536)');
    assert.equal(await evaluate(dc, 'phys(0x12345)'), '0x12345 (74565)');
    const cr3 = await evaluate(dc, 'cr3');
    assert.equal(await evaluate(dc, 'cr3 == pgtable_bsp'), '1', cr3);
    // Every scope, checked against what the seed (and QEMU, test/machine/qemu SEED_RUNS) leaves behind.
    const general = await scopeVariables(dc, 'General');
    assert.deepEqual([...general.keys()].slice(0, 9), ['eax', 'ebx', 'ecx', 'edx', 'esi', 'edi', 'ebp', 'esp', 'eip'], '32-bit names in compatibility mode');
    assert.equal(general.get('esi')!.value, '0x00010000');
    const flags = await scopeVariables(dc, 'Flags');
    assert.equal(flags.get('IF')!.value, '0', 'cli');
    assert.match(flags.get('IF')!.type ?? '', /Interrupt/i);
    const stackScope = await scopeVariables(dc, 'Stack');
    assert.match(stackScope.get('[sp+0x0]')!.value, /^0x00010104 <startup_64_bsp\+0x0>/);
    assert.equal(stackScope.get('[sp+0x4]')!.value, '0x00000010');
    const msrs = await scopeVariables(dc, 'MSRs');
    assert.match(msrs.get('EFER')!.value, /^0x0000000000000500 \[LME LMA\]/);
    const ctl = await scopeVariables(dc, 'Control registers');
    assert.match(ctl.get('cr0')!.value, /^0x80000011/);
    assert.match(ctl.get('cr4')!.value, /^0x00000020 \[PAE\]/);
    const cr3Kids = await children(dc, ctl.get('cr3')!);
    assert.equal(cr3Kids.get('table base')!.value, (await evaluate(dc, 'pgtable_bsp')).split(' ')[0]);
    const paging = await scopeVariables(dc, 'Paging');
    assert.equal(paging.get('mode')!.value, '4-level');
    const tablesTree = await children(dc, paging.get('tables')!);
    const pml4 = [...tablesTree.values()];
    assert.equal(pml4.length, 1);
    assert.match(pml4[0].name, /^PML4\[0\] 0x0$/);
    const pdpt = await children(dc, pml4[0]);
    assert.equal(pdpt.size, 4, 'four PDPT entries: 4 GiB');
    const ranges = await children(dc, paging.get('mapped ranges')!);
    assert.deepEqual([...ranges.keys()], ['0x0–0xffffffff']);
    const segs = await scopeVariables(dc, 'Segments');
    const cs = await children(dc, segs.get('CS')!);
    assert.equal(cs.get('L')!.value, '0');
    assert.equal(cs.get('D/B')!.value, '1');
    const symbolsScope = await scopeVariables(dc, 'Symbols');
    assert.equal(symbolsScope.get('trampoline_data_bsp')!.value, '0x10000');
    assert.equal(symbolsScope.get('trampoline_data_bsp')!.memoryReference, '0x10000');
    // Reads stop at the end of the 4 GiB identity map.
    const edge = await dc.customRequest('readMemory', { memoryReference: '0xfffffffe', count: 4 });
    assert.equal(Buffer.from(edge.body.data, 'base64').length, 2);
    assert.equal(edge.body.unreadableBytes, 2);
    const repl = async (e: string): Promise<string> => evaluate(dc, e, 'repl');
    // gdt_bsp_64: the pointer in slot 0, the null descriptor, then __KERNEL_CS at selector 0x10.
    assert.match(await repl('info gdt'), /GDT\[0x02\]=0x00af9a000000ffff sel=0x0010 code XR, base=0x0, limit=0xffffffff, DPL=0, 64-bit/);
    assert.match(await repl('creg'), /CR0=0x80000011: PE ET PG/);
    assert.match(await repl('sreg'), /cs:0x0008, base=0x0/);
    assert.match(await repl('xp /4bx 0x101f8'), /0x000101f8 <trampoline_status_bsp\+0>:\t0xa5\t0xa5\t0xa5\t0xa5/);
    assert.match(await repl('x /2wx esp'), /\t0x00010104\t0x00000010/);
    assert.match(await repl('page 0x200000'), /PDE .*\n.*physical 0x200000/);
    assert.match(await repl('info tab'), /0x0000000000000000-0x00000000ffffffff -> 0x000000000000-0x0000ffffffff RW/);
    assert.match(await repl('info idt'), /Interrupt Descriptor Table \(base=0x0, limit=0\)/);
    const comp = async (text: string): Promise<string[]> => (await dc.customRequest('completions', { text, column: text.length + 1 })).body.targets.map((t: { label: string }) => t.label);
    assert.deepEqual(await comp('info g'), ['info gdt']);
    assert.ok((await comp('startup_6')).includes('startup_64_bsp'));
    for (const bad of ['', 'eax +', 'nosuchsymbol', '*(u32*)0xffffffffff000000', '1/0', ')(']) {
      await assert.rejects(dc.evaluateRequest({ expression: bad, context: 'watch' }), `garbage '${bad}' must give an error response`);
    }
  }, async (dc) => {
    await dc.setExceptionBreakpointsRequest({ filters: [] });
    await dc.setBreakpointsRequest({ source: { path: SEED }, breakpoints: [{ line: LINE.lret }] });
  });
});

test('seed: disassembly of 16-, 32- and 64-bit code matches objdump on the same bytes; memory read and write', async () => {
  await withSeed(async (dc) => {
    const sym = async (n: string): Promise<number> => Number((await evaluate(dc, n)).split(' ')[0]);
    const [b16, b32, b64, end] = [await sym('trampoline_data_bsp'), await sym('startup_32_bsp'), await sym('startup_64_bsp'), await sym('boot_params_phys_addr')];
    const mem = await dc.customRequest('readMemory', { memoryReference: `0x${b16.toString(16)}`, count: end - b16 });
    const bytes = Buffer.from(mem.body.data, 'base64');
    assert.equal(bytes.length, end - b16);
    const dir = mkdtempSync(join(tmpdir(), 'da-objdump-'));
    const file = join(dir, 'code.bin');
    writeFileSync(file, bytes);
    const objdump = (machine: string, from: number, to: number): string[] => {
      const out = execFileSync('objdump', ['-D', '-b', 'binary', '-m', machine, `--adjust-vma=0x${b16.toString(16)}`, `--start-address=0x${from.toString(16)}`, `--stop-address=0x${to.toString(16)}`, file], { encoding: 'utf8' });
      // objdump prints branch targets of raw binaries as 0x…; with symbols (as we disassemble) it prints bare hex.
      return out.split('\n').filter((l) => /^\s+[0-9a-f]+:\t/.test(l)).map((l) => (l.split('\t')[2] ?? '').replace(/\s+/g, ' ').trim().replace(/^((j|call|loop)\S* )0x([0-9a-f]+)$/, '$1$3')).filter(Boolean);
    };
    const ours = async (from: number, to: number): Promise<string[]> => {
      const r = await dc.customRequest('disassemble', { memoryReference: `0x${from.toString(16)}`, instructionCount: 200 });
      const list: { address: string; instruction: string }[] = r.body.instructions;
      return list.filter((i) => Number(i.address) < to).map((i) => i.instruction.replace(/\s+;\s*\d+-bit$/, '').replace(/ <[^>]+>/g, '').replace(/\s+/g, ' ').trim());
    };
    const pad = (b32 - b16) - 0x5c; // alignment before startup_32 (none in the seed)
    void pad;
    for (const [machine, from, to] of [['i8086', b16, b32], ['i386', b32, b64], ['i386:x86-64', b64, end]] as const) {
      const theirs = objdump(machine, from, to);
      const mine = await ours(from, to);
      assert.ok(theirs.length > 10);
      assert.deepEqual(mine.slice(0, theirs.length), theirs, `${machine} disassembly`);
    }
    // Source locations in the disassembly.
    const r = await dc.customRequest('disassemble', { memoryReference: `0x${b32.toString(16)}`, instructionCount: 2 });
    assert.equal(r.body.instructions[0].line, LINE.startup32Cli);
    assert.equal(r.body.instructions[0].symbol, 'startup_32_bsp');
    // Negative instruction offsets walk back through the source map.
    const back = await dc.customRequest('disassemble', { memoryReference: `0x${b32.toString(16)}`, instructionOffset: -2, instructionCount: 3 });
    assert.equal(Number(back.body.instructions[2].address), b32);
    // Write memory, read it back through evaluate.
    const w = await dc.customRequest('writeMemory', { memoryReference: '0x9000', data: Buffer.from([0x78, 0x56, 0x34, 0x12]).toString('base64') });
    assert.equal(w.body.bytesWritten, 4);
    assert.equal(await evaluate(dc, '*(u32*)0x9000'), '0x12345678');
    const loaded = await dc.customRequest('loadedSources');
    assert.ok(loaded.body.sources.some((s: { path: string }) => s.path === SEED));
  });
});
