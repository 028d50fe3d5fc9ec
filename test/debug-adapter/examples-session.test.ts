// Our examples over DAP: console output and exit statuses (checked on QEMU by test/machine/qemu), stepping over
// and out of calls, macro expansion frames and breakpoints in .macro bodies, SMP wake-up with CPUs appearing as
// threads, the exception/halt/sipi filters, pause during a tight loop, restart and disconnect mid-run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import { EXAMPLES, SEED_RUNS } from '../machine/qemu/examples';
import { evaluate, example, launch, lineOf, REPO, scopeVariables as scopeVariablesOf, startClient, topFrame, until } from './session-helpers';

const fixture = (path: string, start: string) => EXAMPLES.find((e) => e.path === path && e.start === start)!;

/** Continues until the program exits; returns the console output and exit code. */
async function runToExit(dc: DebugClient): Promise<{ output: string; exitCode: number }> {
  let output = '';
  dc.on('output', (e) => {
    if (e.body.category === 'stdout') output += e.body.output;
  });
  const exited = dc.waitForEvent('exited');
  await dc.continueRequest({ threadId: 1 });
  const e = await exited;
  return { output, exitCode: e.body.exitCode };
}

test('boot sector: runs to its QEMU exit status; step over and into a call, step out of it, return frames', async () => {
  const path = 'examples/boot-sector/long-mode-boot.S';
  const file = example('boot-sector/long-mode-boot.S');
  const text = readFileSync(file, 'latin1');
  const callLine = lineOf(text, 'call    print16');
  const afterCall = lineOf(text, 'lgdtl   gdt_pointer');
  const dc = await startClient();
  try {
    let s = await launch(dc, { program: file, start: 'boot-sector' }, async () => {
      await dc.setExceptionBreakpointsRequest({ filters: [] });
      await dc.setBreakpointsRequest({ source: { path: file }, breakpoints: [{ line: callLine }] });
    });
    assert.equal(s.body.reason, 'entry');
    assert.equal(s.body.description, 'Entry: boot-sector start, CPU 0 (BSP) · real mode');
    assert.equal((await dc.threadsRequest()).body.threads[0].name, 'CPU 0 (BSP) · real mode');
    s = await until(dc, () => dc.continueRequest({ threadId: 1 }));
    assert.equal((await topFrame(dc)).line, callLine);
    let out = '';
    dc.on('output', (e) => {
      if (e.body.category === 'stdout') out += e.body.output;
    });
    // Step over the call: the whole print16 runs, we land on the next line.
    s = await until(dc, () => dc.nextRequest({ threadId: 1 }));
    assert.equal(s.body.reason, 'step');
    assert.equal((await topFrame(dc)).line, afterCall);
    assert.equal(out, 'real mode\n');
    // Back before the call, then step into it and out again.
    s = await until(dc, () => dc.stepBackRequest({ threadId: 1 }));
    assert.equal((await topFrame(dc)).line, callLine);
    s = await until(dc, () => dc.stepInRequest({ threadId: 1 }));
    const inside = await dc.stackTraceRequest({ threadId: 1 });
    assert.equal(inside.body.stackFrames[0].line, lineOf(text, 'lodsb'));
    assert.match(inside.body.stackFrames[0].name, /^print16/);
    // The return address on the stack follows the known call: a frame at the line after the call.
    const ret = inside.body.stackFrames.find((f) => f.name.startsWith('return to'));
    assert.ok(ret, 'return frame');
    assert.equal(ret.line, afterCall);
    s = await until(dc, () => dc.stepOutRequest({ threadId: 1 }));
    assert.equal((await topFrame(dc)).line, afterCall);
    assert.equal(await evaluate(dc, 'sp'), '0x7c00');
    const fx = fixture(path, 'boot-sector');
    await dc.setBreakpointsRequest({ source: { path: file }, breakpoints: [] });
    const r = await runToExit(dc);
    assert.equal(r.exitCode, fx.status);
    for (const m of fx.mustPrint.slice(1)) assert.ok(r.output.includes(m), `output has ${JSON.stringify(m)}`);
  } finally {
    await dc.stop();
  }
});

test('AP trampoline: macro frames, a .macro body line binds every expansion, step over/into a macro call', async () => {
  const file = example('ap-trampoline/trampoline.S');
  const text = readFileSync(file, 'latin1');
  const bodyLine = lineOf(text, 'jnc     2f');
  const callSite = lineOf(text, 'TAKE_STACK_LOCK');
  const afterCall = lineOf(text, 'movw    $(stack_end - tramp_base), %sp');
  const dc = await startClient();
  try {
    let s = await launch(dc, { program: file, start: 'ap', load: '0x8000' }, async () => {
      await dc.setExceptionBreakpointsRequest({ filters: [] });
      const bp = await dc.setBreakpointsRequest({ source: { path: file }, breakpoints: [{ line: bodyLine }] });
      assert.equal(bp.body.breakpoints[0].verified, true);
    });
    // Three TAKE_STACK_LOCK expansions (16-, 32- and 64-bit entries) each emit the jnc.
    const targets = await dc.gotoTargetsRequest({ source: { path: file }, line: bodyLine });
    assert.equal(targets.body.targets.length, 3);
    s = await until(dc, () => dc.continueRequest({ threadId: 1 }));
    assert.equal(s.body.reason, 'breakpoint');
    const st = await dc.stackTraceRequest({ threadId: 1 });
    assert.equal(st.body.stackFrames[0].line, bodyLine);
    assert.equal(st.body.stackFrames[1].name, 'macro TAKE_STACK_LOCK');
    assert.equal(st.body.stackFrames[1].line, callSite);
    // Jump to Cursor back to the call line, then step over the whole macro expansion.
    const callTargets = await dc.gotoTargetsRequest({ source: { path: file }, line: callSite });
    await dc.setBreakpointsRequest({ source: { path: file }, breakpoints: [] });
    // The lock is already taken (we ran the bts once): clear it so the expansion falls through.
    const lockAddr = (await evaluate(dc, 'stack_lock')).split(' ')[0];
    const unlock = () => dc.customRequest('writeMemory', { memoryReference: lockAddr, data: Buffer.alloc(4).toString('base64') });
    s = await until(dc, () => dc.gotoRequest({ threadId: 1, targetId: callTargets.body.targets[0].id }));
    assert.equal(s.body.reason, 'goto');
    assert.equal((await topFrame(dc)).line, lineOf(text, 'lock btsl $0, stack_lock - tramp_base'));
    // Step in walks the macro body; step out finishes the expansion.
    await unlock();
    s = await until(dc, () => dc.stepInRequest({ threadId: 1 }));
    assert.equal((await topFrame(dc)).line, bodyLine);
    s = await until(dc, () => dc.stepOutRequest({ threadId: 1 }));
    assert.equal((await topFrame(dc)).line, afterCall);
    // Step over the macro call line runs the whole expansion.
    s = await until(dc, () => dc.gotoRequest({ threadId: 1, targetId: callTargets.body.targets[0].id }));
    await unlock();
    s = await until(dc, () => dc.nextRequest({ threadId: 1 }));
    assert.equal((await topFrame(dc)).line, afterCall);
    await unlock();
    const fx = fixture('examples/ap-trampoline/trampoline.S', 'ap');
    const r = await runToExit(dc);
    assert.equal(r.exitCode, fx.status);
    assert.ok(r.output.includes(fx.mustPrint[0]));
  } finally {
    await dc.stop();
  }
});

test('AP trampoline entered at trampoline_start64 in 64-bit mode (long64 start, entry symbol)', async () => {
  const dc = await startClient();
  try {
    const s = await launch(dc, { program: example('ap-trampoline/trampoline.S'), start: 'long64', load: '0x8000', entry: 'trampoline_start64' });
    assert.match((await topFrame(dc)).name, /^trampoline_start64 · 64-bit/);
    assert.equal(s.body.reason, 'entry');
    // RIP-relative operands as the hover shows them: the lock word the 64-bit entry takes.
    assert.equal(await evaluate(dc, 'stack_lock(%rip)'), await evaluate(dc, '*(u64*)stack_lock'));
    assert.equal((await scopeVariablesOf(dc, 'General')).has('r15'), true);
    const r = await runToExit(dc);
    assert.equal(r.exitCode, fixture('examples/ap-trampoline/trampoline.S', 'long64').status);
  } finally {
    await dc.stop();
  }
});

test('SMP wake-up: APs appear as threads after SIPI; sipi and halt filters', async () => {
  const dc = await startClient();
  try {
    const started: number[] = [];
    dc.on('thread', (e) => {
      if (e.body.reason === 'started') started.push(e.body.threadId);
    });
    await launch(dc, { program: example('smp-rom/smp-wakeup.S'), start: 'reset', cpus: 4 }, async () => {
      await dc.setExceptionBreakpointsRequest({ filters: ['sipi'] });
    });
    const names = (await dc.threadsRequest()).body.threads.map((t) => t.name);
    assert.deepEqual(names, ['CPU 0 (BSP) · real mode', 'CPU 1 · real mode · wait-for-SIPI', 'CPU 2 · real mode · wait-for-SIPI', 'CPU 3 · real mode · wait-for-SIPI']);
    let s = await until(dc, () => dc.continueRequest({ threadId: 1 }));
    assert.match(s.body.description ?? '', /^INIT arrived at CPU 1/);
    assert.equal(s.body.threadId, 2);
    s = await until(dc, () => dc.continueRequest({ threadId: 1 }));
    assert.match(s.body.description ?? '', /^SIPI arrived at CPU 1 \(vector 0x[0-9a-f]+: starts at 0x[0-9a-f]+000\)/);
    assert.ok(started.includes(2));
    const t = (await dc.threadsRequest()).body.threads;
    assert.equal(t[1].name, 'CPU 1 · real mode');
    const frame = await topFrame(dc, 2);
    assert.equal(Number(frame.instructionPointerReference) % 4096, 0, 'an AP starts at the SIPI page');
    await dc.setExceptionBreakpointsRequest({ filters: ['halt'] });
    s = await until(dc, () => dc.continueRequest({ threadId: 1 }));
    assert.match(s.body.description ?? '', /^HLT on CPU [1-3]/);
    await dc.setExceptionBreakpointsRequest({ filters: [] });
    const r = await runToExit(dc);
    assert.equal(r.exitCode, fixture('examples/smp-rom/smp-wakeup.S', 'reset').status);
  } finally {
    await dc.stop();
  }
});

test('exception filter with a vector list stops at #GP with its error code; all exceptions: #DE first', async () => {
  const file = example('exceptions/faults.S');
  const dc = await startClient();
  try {
    await launch(dc, { program: file, start: 'reset' }, async () => {
      const r = await dc.setExceptionBreakpointsRequest({ filters: [], filterOptions: [{ filterId: 'exception', condition: 'banana' }] });
      assert.match(r.body?.breakpoints?.[0].message ?? '', /must list vectors/);
      await dc.setExceptionBreakpointsRequest({ filters: [], filterOptions: [{ filterId: 'exception', condition: '#GP' }] });
    });
    const s = await until(dc, () => dc.continueRequest({ threadId: 1 }));
    // faults.S prints "vector 0xd error 0x1234" on QEMU: the #GP it provokes carries error code 0x1234.
    assert.match(s.body.description ?? '', /^Exception #GP.*\(error code 0x1234\)/);
    const info = await dc.customRequest('exceptionInfo', { threadId: 1 });
    assert.equal(info.body.exceptionId, 'exception');
    await dc.customRequest('restart', {});
  } finally {
    await dc.stop();
  }
  const dc2 = await startClient();
  try {
    await launch(dc2, { program: file, start: 'reset' }, async () => {
      await dc2.setExceptionBreakpointsRequest({ filters: ['exception'] });
    });
    const s = await until(dc2, () => dc2.continueRequest({ threadId: 1 }));
    assert.match(s.body.description ?? '', /^Exception #DE/);
  } finally {
    await dc2.stop();
  }
});

test('pause answers quickly during a tight guest loop; requests while running are refused; restart and disconnect mid-run', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'da-loop-'));
  const file = join(dir, 'loop.S');
  writeFileSync(file, '        .code16\nspin:   incw %ax\n        jmp spin\n');
  const dc = await startClient();
  try {
    await launch(dc, { program: file, start: 'ap', load: '0x8000' });
    await dc.continueRequest({ threadId: 1 });
    await new Promise((r) => setTimeout(r, 300));
    await assert.rejects(dc.stackTraceRequest({ threadId: 1 }), /running; pause it first/);
    await assert.rejects(dc.evaluateRequest({ expression: 'ax', context: 'watch' }), /running/);
    const t0 = performance.now();
    const stopped = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
    await dc.pauseRequest({ threadId: 1 });
    const s = await stopped;
    const ms = performance.now() - t0;
    assert.equal(s.body.reason, 'pause');
    assert.ok(ms < 500, `pause took ${ms.toFixed(1)} ms`);
    const status = await dc.customRequest('x86Trampoline.status');
    assert.ok(status.body.instructionCount > 10_000, `the loop ran: ${status.body.instructionCount}`);
    // Restart while running: back at the entry with a fresh machine.
    await dc.continueRequest({ threadId: 1 });
    const again = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
    await dc.restartRequest({});
    assert.equal((await again).body.reason, 'entry');
    assert.equal(await evaluate(dc, 'ax'), '0x0000');
    await dc.continueRequest({ threadId: 1 });
    await dc.disconnectRequest({});
  } finally {
    await dc.stop();
  }
});

test('the seed inside the QEMU harness wrapper (includePath to the seeds) runs to the status and output QEMU gives', async () => {
  const fx = SEED_RUNS[0];
  const dc = await startClient();
  try {
    await launch(dc, {
      program: join(REPO, fx.path),
      start: 'ap',
      load: fx.load,
      includePath: (fx.includeDirs ?? []).map((d) => join(REPO, d)),
      sectionStart: { [fx.section!]: fx.load },
    }, async () => {
      await dc.setExceptionBreakpointsRequest({ filters: [] });
    });
    const r = await runToExit(dc);
    assert.equal(r.exitCode, fx.status);
    for (const m of fx.mustPrint) assert.ok(r.output.includes(m), `output has ${JSON.stringify(m)}:\n${r.output}`);
  } finally {
    await dc.stop();
  }
});

test('console output from port 0xE9 and COM1 arrives as output events', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'da-console-'));
  const file = join(dir, 'console.S');
  writeFileSync(file, ['        .code16', '        movb $0x41, %al', '        outb %al, $0xe9', '        movw $0x3f8, %dx', '        movb $0x42, %al', '        outb %al, %dx', '        movb $0x43, %al', '        outb %al, $0xe9', '        movb $0, %al', '        outb %al, $0xf4', ''].join('\n'));
  const dc = await startClient();
  try {
    await launch(dc, { program: file, start: 'ap', load: '0x8000' });
    const r = await runToExit(dc);
    assert.equal(r.output, 'ABC');
    assert.equal(r.exitCode, 1);
  } finally {
    await dc.stop();
  }
});

test('step over INT 13h runs the BIOS service; step into it leaves the source, step out returns after the int', async () => {
  const file = example('boot-sector/disk-read.S');
  const text = readFileSync(file, 'latin1');
  const edd = lineOf(text, 'int     $0x13');
  const lba = lineOf(text, 'int     $0x13', 1);
  const dc = await startClient();
  try {
    await launch(dc, { program: file, start: 'boot-sector', stopOnEntry: false }, async () => {
      await dc.setExceptionBreakpointsRequest({ filters: [] });
      await dc.setBreakpointsRequest({ source: { path: file }, breakpoints: [{ line: edd }, { line: lba }] });
    });
    assert.equal((await topFrame(dc)).line, edd);
    await until(dc, () => dc.nextRequest({ threadId: 1 }));
    assert.equal((await topFrame(dc)).line, edd + 1);
    // INT 13h AH=41h: BX = 0xAA55 when the EDD extensions are present (the example checks it on QEMU too).
    assert.equal(await evaluate(dc, 'bx'), '0xaa55');
    await until(dc, () => dc.continueRequest({ threadId: 1 }));
    assert.equal((await topFrame(dc)).line, lba);
    await until(dc, () => dc.stepInRequest({ threadId: 1 }));
    const inBios = await topFrame(dc);
    assert.equal(inBios.source, undefined, 'the BIOS has no source');
    await until(dc, () => dc.stepOutRequest({ threadId: 1 }));
    assert.equal((await topFrame(dc)).line, lba + 1);
    assert.equal(await evaluate(dc, 'eflags.cf'), '0', 'the LBA read succeeded');
  } finally {
    await dc.stop();
  }
});

test('5-level paging: the paging filter sees 4 → 5-level; page tables, translate and the Paging scope start at PML5', async () => {
  const dc = await startClient();
  try {
    await launch(dc, { program: example('paging/five-level.S'), start: 'reset', stopOnEntry: false }, async () => {
      await dc.setExceptionBreakpointsRequest({ filters: ['paging'] });
    });
    const seen: string[] = [];
    for (let i = 0; i < 8; i++) {
      const st = await dc.customRequest('x86Trampoline.status');
      seen.push(st.body.paging);
      if (st.body.paging === '5-level') break;
      await until(dc, () => dc.continueRequest({ threadId: 1 }));
    }
    assert.equal(seen[seen.length - 1], '5-level', seen.join(' → '));
    assert.ok(seen.includes('4-level'));
    // The example maps 1 << 48 only under PML5[1] (QEMU reads its planted value there).
    const tr = await dc.customRequest('x86Trampoline.translate', { address: '0x1000000000000' });
    assert.equal(tr.body.levels[0].name, 'PML5E');
    assert.ok(tr.body.physical, 'mapped under 5-level paging');
    const pt = await dc.customRequest('x86Trampoline.pageTables');
    assert.equal(pt.body.paging, '5-level');
    assert.ok(pt.body.ranges.some((r: { linear: string }) => BigInt(r.linear) === 1n << 48n));
    const paging = await scopeVariablesOf(dc, 'Paging');
    const tables = await dc.variablesRequest({ variablesReference: paging.get('tables')!.variablesReference });
    assert.deepEqual(tables.body.variables.map((v) => v.name.split(' ')[0]), ['PML5[0]', 'PML5[1]']);
  } finally {
    await dc.stop();
  }
});
