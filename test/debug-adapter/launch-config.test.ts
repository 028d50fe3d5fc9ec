// Bad launch configurations and malformed or out-of-order requests: every one gets an error response the user
// can act on, and the adapter process keeps serving afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import { evaluate, example, launch, SEED_LAUNCH, startClient, topFrame, until } from './session-helpers';
import { seededUint32 } from '../seeded-random';

const dir = mkdtempSync(join(tmpdir(), 'da-launch-'));

/** A failed launch leaves the session unlaunched, so one adapter process serves every case. */
async function launchError(args: Record<string, unknown>, shared?: DebugClient): Promise<{ message: string; events: unknown[] }> {
  const dc = shared ?? (await startClient());
  const events: unknown[] = [];
  const onErrors = (e: DebugProtocol.Event): number => events.push(e.body);
  dc.on('x86Trampoline.assemblyErrors', onErrors);
  try {
    await dc.launchRequest(args as DebugProtocol.LaunchRequestArguments);
    throw new Error('launch succeeded');
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (message === 'launch succeeded') throw e;
    // The adapter is still alive and answers.
    const threads = await dc.threadsRequest();
    assert.deepEqual(threads.body.threads, []);
    return { message, events };
  } finally {
    dc.off('x86Trampoline.assemblyErrors', onErrors);
    if (!shared) await dc.stop();
  }
}

test('launch: each configuration mistake returns its own actionable error', async () => {
  const boot = example('boot-sector/long-mode-boot.S');
  const cases: [Record<string, unknown>, RegExp][] = [
    [{}, /'program' is missing/],
    [{ program: join(dir, 'nope.S') }, /Cannot open the program .*nope\.S.*no such file/],
    [{ program: boot, start: 'warp-speed' }, /unknown start mode "warp-speed"; use one of "reset", "boot-sector", "ap", "long64"/],
    [{ program: boot, start: 'ap', load: 'zz' }, /'load' must be a number such as 0x8000/],
    [{ program: boot, start: 'ap', load: '0x8010' }, /'load' must be 4 KiB aligned and below 1 MiB/],
    [{ program: boot, cpus: 'many' }, /'cpus' must be a number/],
    [{ program: boot, start: 'boot-sector', entry: 'no_such_label' }, /unknown entry symbol 'no_such_label'.*boot/],
    [{ program: boot, registers: { eaxx: 1 } }, /unknown register 'eaxx'/],
    [{ program: boot, registers: { eax: 'x1' } }, /'registers\.eax' must be a number/],
    [{ program: boot, cpuid: { warp: true } }, /'cpuid': unknown CPUID model setting 'warp'/],
    [{ program: boot, symbols: { foo: 'bar' } }, /'symbols\.foo' must be a number/],
    [{ program: boot, linkerScript: join(dir, 'missing.ld') }, /Cannot open the linker script/],
  ];
  const dc = await startClient();
  try {
    for (const [args, want] of cases) {
      const { message } = await launchError(args, dc);
      assert.match(message, want, JSON.stringify(args));
    }
  } finally {
    await dc.stop();
  }
});

test('launch: assembly errors name file:line like GNU as and reach the Problems view as an event', async () => {
  const file = join(dir, 'broken.S');
  writeFileSync(file, ['        .code16', 'start:  mov %ax, %bx', '        bogus_insn %eax', '        .byte 1', '        movl $1, %cr9', '        jmp start', ''].join('\n'));
  const { message, events } = await launchError({ program: file, start: 'ap', load: '0x8000' });
  const as = spawnSync('as', ['--32', '-o', join(dir, 'broken.o'), file], { encoding: 'utf8' });
  if (as.error) {
    if (process.env.CI) throw as.error;
    return;
  }
  const gnuLines = [...as.stderr.matchAll(/broken\.S:(\d+): Error/g)].map((m) => Number(m[1]));
  assert.ok(gnuLines.length >= 2);
  assert.match(message, /Assembly of .*broken\.S failed with \d+ error\(s\)/);
  for (const l of gnuLines) assert.match(message, new RegExp(`broken\\.S:${l}:\\d+: error:`));
  assert.equal(events.length, 1);
  const diags = (events[0] as { diagnostics: { file: string; line: number; severity: string; message: string }[] }).diagnostics;
  assert.deepEqual([...new Set(diags.map((d) => d.line))].sort(), [...new Set(gnuLines)].sort());
  assert.ok(diags.every((d) => d.file === file && d.severity === 'error' && d.message.length > 0));
});

test('protocol: out-of-order, stale and garbage requests get error responses; launching twice is refused', async () => {
  const dc = await startClient();
  try {
    await assert.rejects(dc.stackTraceRequest({ threadId: 1 }), /no program|unknown thread/);
    await assert.rejects(dc.evaluateRequest({ expression: 'eax', context: 'watch' }), /no program/);
    await assert.rejects(dc.continueRequest({ threadId: 1 }), /no program/);
    await assert.rejects(dc.variablesRequest({ variablesReference: 12345 }), /no longer valid/);
    await launch(dc, SEED_LAUNCH);
    await assert.rejects(dc.launchRequest(SEED_LAUNCH as DebugProtocol.LaunchRequestArguments), /already launched/);
    const frame = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames[0];
    const scopes = await dc.scopesRequest({ frameId: frame.id });
    const ref = scopes.body.scopes[0].variablesReference;
    await dc.variablesRequest({ variablesReference: ref });
    await assert.rejects(dc.scopesRequest({ frameId: 999_999 }), /unknown stack frame/);
    await assert.rejects(dc.stackTraceRequest({ threadId: 7 }), /unknown thread 7/);
    await assert.rejects(dc.customRequest('x86Trampoline.translate', { address: 'banana' }), /'address' must be a number/);
    await assert.rejects(dc.customRequest('x86Trampoline.noSuchThing'), /unknown request/);
    await assert.rejects(dc.customRequest('disassemble', { memoryReference: 'xyz', instructionCount: 3 }), /not an address/);
    await assert.rejects(dc.setVariableRequest({ variablesReference: ref, name: 'ax', value: 'lots' }), /not a number/);
    await assert.rejects(dc.gotoTargetsRequest({ source: { path: SEED_LAUNCH.program }, line: 1 }), /no instructions/);
    // Stepping makes the old variable references stale.
    const stopped = dc.waitForEvent('stopped');
    await dc.stepInRequest({ threadId: 1 });
    await stopped;
    await assert.rejects(dc.variablesRequest({ variablesReference: ref }), /no longer valid/);
    // Still alive.
    assert.equal((await dc.threadsRequest()).body.threads.length, 1);
    // Terminate ends the session; execution requests are refused afterwards, inspection still answers.
    const terminated = dc.waitForEvent('terminated');
    await dc.terminateRequest();
    await terminated;
    await assert.rejects(dc.continueRequest({ threadId: 1 }), /terminated/);
    assert.equal((await dc.threadsRequest()).body.threads.length, 1);
  } finally {
    await dc.stop();
  }
});

test('launch options: includePath, defines, symbols, linkerScript, registers, cpuid, numeric entry; flat images', async () => {
  const inc = join(dir, 'inc');
  mkdirSync(inc, { recursive: true });
  writeFileSync(join(inc, 'consts.h'), '#define FAST_VALUE 0x55\n');
  const file = join(dir, 'options.S');
  writeFileSync(file, [
    '#include "consts.h"',
    '        .code16',
    '        .text',
    '        .globl start',
    'start:',
    '#ifdef FAST',
    '        movw $FAST_VALUE, %ax',
    '#endif',
    '        movw $ext_symbol, %bx',
    '        movl %esi, %edx',
    '        movl $7, %eax',
    '        xorl %ecx, %ecx',
    '        cpuid',
    'spin:   jmp spin',
    '',
  ].join('\n'));
  const script = join(dir, 'options.ld');
  writeFileSync(script, 'SECTIONS { . = 0x8000; .text : { *(.text) } }\n');
  const common = { program: file, start: 'ap', load: '0x8000', includePath: [inc], defines: { FAST: null }, symbols: { ext_symbol: '0x1234' }, linkerScript: script, registers: { esi: '0x90000' } };
  for (const [cpuid, la57] of [[{ la57: false }, '0'], [undefined, '1']] as const) {
    const dc = await startClient();
    try {
      await launch(dc, { ...common, cpuid });
      assert.equal(await evaluate(dc, 'start'), '0x8000 (32768) <start>');
      assert.equal(await evaluate(dc, 'esi'), '0x00090000');
      for (let i = 0; i < 3; i++) await until(dc, () => dc.stepInRequest({ threadId: 1, granularity: 'instruction' }));
      assert.equal(await evaluate(dc, 'ax'), '0x0055');
      assert.equal(await evaluate(dc, 'bx'), '0x1234');
      assert.equal(await evaluate(dc, 'edx'), '0x00090000');
      for (let i = 0; i < 3; i++) await until(dc, () => dc.stepInRequest({ threadId: 1, granularity: 'instruction' }));
      // CPUID.(EAX=7,ECX=0):ECX bit 16 is LA57; the default model (like QEMU -cpu max, see cpu-features.S) has it.
      assert.equal(await evaluate(dc, '(ecx >> 16) & 1'), la57, JSON.stringify(cpuid));
    } finally {
      await dc.stop();
    }
  }
  // Defines really steer the preprocessor: without FAST the first instruction is the movw to %bx.
  const dc = await startClient();
  try {
    await launch(dc, { ...common, defines: {}, entry: '0x8000' });
    const dis = await dc.customRequest('disassemble', { memoryReference: '0x8000', instructionCount: 1 });
    assert.equal(dis.body.instructions[0].instruction, 'mov $0x1234,%bx');
  } finally {
    await dc.stop();
  }
  // A flat image: no source, so source breakpoints are unverified with the reason; disassembly still works.
  const bin = join(dir, 'loop.bin');
  writeFileSync(bin, Buffer.from([0x40, 0xeb, 0xfd]));
  const dc2 = await startClient();
  try {
    await launch(dc2, { program: bin, start: 'ap', load: '0x9000' });
    const frame = await topFrame(dc2);
    assert.equal(frame.source, undefined);
    assert.equal(frame.instructionPointerReference, '0x9000');
    const bp = await dc2.setBreakpointsRequest({ source: { path: file }, breakpoints: [{ line: 3 }] });
    assert.match(bp.body.breakpoints[0].message ?? '', /flat image/);
    const dis = await dc2.customRequest('disassemble', { memoryReference: '0x9000', instructionCount: 2 });
    assert.deepEqual(dis.body.instructions.map((i: { instruction: string }) => i.instruction), ['inc %ax', 'jmp 0x9000']);
  } finally {
    await dc2.stop();
  }
});

test('breakpoints set before launch bind once the program is assembled (changed events keep their ids)', async () => {
  const file = example('boot-sector/long-mode-boot.S');
  const dc = await startClient();
  try {
    const early = await dc.setBreakpointsRequest({ source: { path: file }, breakpoints: [{ line: 31 }] });
    assert.equal(early.body.breakpoints[0].verified, false);
    const changed = dc.waitForEvent('breakpoint');
    await launch(dc, { program: file, start: 'boot-sector', stopOnEntry: false }, async () => {
      await dc.setExceptionBreakpointsRequest({ filters: [] });
    });
    const ev = await changed;
    assert.equal(ev.body.reason, 'changed');
    assert.equal(ev.body.breakpoint.id, early.body.breakpoints[0].id);
    assert.equal(ev.body.breakpoint.verified, true);
    assert.equal((await topFrame(dc)).line, 31);
  } finally {
    await dc.stop();
  }
});

test('garbage requests of every kind get answers and never kill the adapter', async () => {
  const commands = ['launch', 'setBreakpoints', 'setFunctionBreakpoints', 'setExceptionBreakpoints', 'setInstructionBreakpoints', 'dataBreakpointInfo', 'setDataBreakpoints', 'continue', 'next', 'stepIn', 'stepOut', 'stepBack', 'reverseContinue', 'goto', 'gotoTargets', 'pause', 'stackTrace', 'scopes', 'variables', 'setVariable', 'evaluate', 'completions', 'exceptionInfo', 'disassemble', 'readMemory', 'writeMemory', 'loadedSources', 'threads', 'x86Trampoline.modeTimeline', 'x86Trampoline.status', 'x86Trampoline.pageTables', 'x86Trampoline.translate', 'x86Trampoline.runBackTo', 'restart'];
  const next = seededUint32(12345);
  const rand = (n: number): number => next() % n;
  const junk = (depth = 0): unknown => {
    switch (rand(depth > 1 ? 6 : 8)) {
      case 0: return null;
      case 1: return rand(2) ? -rand(1000) : rand(1 << 30);
      case 2: return ['', 'eax', '0x9000', '%cr0', '}{', 'info gdt', '*(u32*)', 'x /99999wx 0'][rand(8)];
      case 3: return rand(2) === 1;
      case 4: return 1.5;
      case 5: return undefined;
      case 6: return [junk(depth + 1), junk(depth + 1)];
      default: {
        const keys = ['threadId', 'frameId', 'variablesReference', 'expression', 'memoryReference', 'count', 'offset', 'source', 'breakpoints', 'name', 'value', 'data', 'instructionCount', 'filters', 'address', 'position', 'targetId', 'text', 'column', 'line'];
        const o: Record<string, unknown> = {};
        for (let i = 0; i < 4; i++) o[keys[rand(keys.length)]] = junk(depth + 1);
        return o;
      }
    }
  };
  const dc = await startClient();
  try {
    await launch(dc, SEED_LAUNCH);
    let answered = 0;
    for (let i = 0; i < 300; i++) {
      const command = commands[rand(commands.length)];
      const args = junk(0);
      const reply = await Promise.race([
        dc.send(command, args).then(() => 'ok', () => 'error'),
        new Promise((r) => setTimeout(() => r('timeout'), 5000)),
      ]);
      assert.notEqual(reply, 'timeout', `${command} ${JSON.stringify(args)} got no answer`);
      answered++;
      // Keep the machine stoppable: a garbage continue may have started it.
      if (rand(4) === 0) await dc.send('pause', { threadId: 1 }).catch(() => undefined);
    }
    assert.equal(answered, 300);
    await dc.send('pause', { threadId: 1 }).catch(() => undefined);
    const threads = await dc.threadsRequest();
    assert.ok(threads.body.threads.length >= 1);
  } finally {
    await dc.stop();
  }
});
