// Reverse execution over DAP: reverseContinue back to the last mode switch, running back 100 000 instructions in
// a loop whose register counts them, and the checkpoint before the last mode switch surviving a long run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { evaluate, example, launch, SEED_LAUNCH, startClient, topFrame, until } from './session-helpers';

test('seed: reverseContinue from the triple fault returns to the switch into 64-bit mode', async () => {
  const dc = await startClient();
  try {
    await launch(dc, SEED_LAUNCH, async () => {
      await dc.setExceptionBreakpointsRequest({ filters: ['triple-fault'] });
    });
    let s = await until(dc, () => dc.continueRequest({ threadId: 1 }));
    assert.match(s.body.description ?? '', /^Triple fault/);
    await dc.setExceptionBreakpointsRequest({ filters: ['mode'] });
    s = await until(dc, () => dc.reverseContinueRequest({ threadId: 1 }));
    assert.equal(s.body.reason, 'exception');
    assert.match(s.body.description ?? '', /^Mode switch: long \(compatibility\) → long \(64-bit\).*\(reverse\)$/);
    assert.match((await topFrame(dc)).name, /^startup_64_bsp · 64-bit/);
    const timeline = await dc.customRequest('x86Trampoline.modeTimeline');
    assert.equal(timeline.body.entries.length, 4, 'we stand just after the fourth switch');
    // Once more: back to the switch into compatibility mode (paging on).
    s = await until(dc, () => dc.reverseContinueRequest({ threadId: 1 }));
    assert.match(s.body.description ?? '', /^Mode switch: protected → long \(compatibility\)/);
    assert.equal(await evaluate(dc, 'cr0.pg'), '1');
    assert.equal((await dc.customRequest('x86Trampoline.modeTimeline')).body.entries.length, 3, 'later switches are undone');
    // Forward again reaches the same 64-bit switch.
    s = await until(dc, () => dc.continueRequest({ threadId: 1 }));
    assert.match(s.body.description ?? '', /^Mode switch: long \(compatibility\) → long \(64-bit\)/);
  } finally {
    await dc.stop();
  }
});

test('run back 100 000 instructions in a counting loop; the last mode switch stays reachable after a long run', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'da-reverse-'));
  const file = join(dir, 'count.S');
  // One mode switch (PE on: 16-bit protected mode with real-mode caches), then a loop of two instructions per count.
  writeFileSync(file, ['        .code16', 'start:  movl %cr0, %eax', '        orb $1, %al', '        movl %eax, %cr0', '        xorw %bx, %bx', 'spin:   incw %bx', '        jmp spin', ''].join('\n'));
  const dc = await startClient();
  try {
    await launch(dc, { program: file, start: 'ap', load: '0x8000' }, async () => {
      await dc.setExceptionBreakpointsRequest({ filters: [] });
    });
    await dc.continueRequest({ threadId: 1 });
    // Run well past the 150 000-unit window.
    for (;;) {
      await new Promise((r) => setTimeout(r, 250));
      const stopped = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
      await dc.pauseRequest({ threadId: 1 });
      await stopped;
      const st = await dc.customRequest('x86Trampoline.status');
      if (st.body.position > 400_000) break;
      await dc.continueRequest({ threadId: 1 });
    }
    const status = await dc.customRequest('x86Trampoline.status');
    const p = status.body.position as number;
    // Keep the loop phase: land on an incw (even distance from a point after incw or jmp alike).
    const bx = Number((await evaluate(dc, 'bx')).split(' ')[0]);
    await until(dc, () => dc.customRequest('x86Trampoline.runBackTo', { position: p - 100_000 }));
    assert.equal(Number((await evaluate(dc, 'bx')).split(' ')[0]), (bx - 50_000 + 0x10000) & 0xffff);
    assert.equal((await dc.customRequest('x86Trampoline.status')).body.position, p - 100_000);
    // The mode switch happened at position 2 (before the third instruction); far outside the window, still reachable.
    const timeline = await dc.customRequest('x86Trampoline.modeTimeline');
    const sw = timeline.body.entries[0];
    assert.equal(sw.to, 'protected (16-bit)');
    await until(dc, () => dc.customRequest('x86Trampoline.runBackTo', { position: sw.position }));
    assert.equal((await dc.customRequest('x86Trampoline.status')).body.mode, 'real');
    assert.equal(await evaluate(dc, 'cr0.pe'), '0');
    await until(dc, () => dc.stepInRequest({ threadId: 1, granularity: 'instruction' }));
    assert.equal(await evaluate(dc, 'cr0.pe'), '1');
  } finally {
    await dc.stop();
  }
});

test('edits from the debugger are part of the history: stepBack returns to the edited state, then before it', async () => {
  const dc = await startClient();
  try {
    await launch(dc, SEED_LAUNCH, async () => {
      await dc.setExceptionBreakpointsRequest({ filters: [] });
    });
    // cli; wbinvd; mov %cs, %ax (AX = 0x1000 for CS = load >> 4); then mov %ax, %ds.
    for (let i = 0; i < 3; i++) await until(dc, () => dc.stepInRequest({ threadId: 1, granularity: 'instruction' }));
    assert.equal(await evaluate(dc, 'ax'), '0x1000');
    const frame = await topFrame(dc);
    const general = (await dc.scopesRequest({ frameId: frame.id })).body.scopes.find((s) => s.name === 'General')!;
    await dc.setVariableRequest({ variablesReference: general.variablesReference, name: 'ax', value: '0x4242' });
    await until(dc, () => dc.stepInRequest({ threadId: 1, granularity: 'instruction' }));
    assert.equal(await evaluate(dc, 'ds'), '0x4242');
    await until(dc, () => dc.stepBackRequest({ threadId: 1, granularity: 'instruction' }));
    assert.equal(await evaluate(dc, 'ax'), '0x4242', 'back to the edited state');
    assert.equal(await evaluate(dc, 'ds'), '0x0000');
    await until(dc, () => dc.stepBackRequest({ threadId: 1, granularity: 'instruction' }));
    assert.equal(await evaluate(dc, 'ax'), '0x0000', 'before mov %cs, %ax');
    await until(dc, () => dc.stepInRequest({ threadId: 1, granularity: 'instruction' }));
    assert.equal(await evaluate(dc, 'ax'), '0x1000', 're-executed without the edit');
  } finally {
    await dc.stop();
  }
});

test('four CPUs: stepBack moves back one instruction at a time and forward execution meets the same HLT again', async () => {
  const dc = await startClient();
  try {
    await launch(dc, { program: example('smp-rom/smp-wakeup.S'), start: 'reset', cpus: 4 }, async () => {
      await dc.setExceptionBreakpointsRequest({ filters: ['halt'] });
    });
    const first = await until(dc, () => dc.continueRequest({ threadId: 1 }));
    const at = (await dc.customRequest('x86Trampoline.status')).body.position as number;
    const eipThere = await evaluate(dc, 'eip', 'watch', (await topFrame(dc, first.body.threadId)).id);
    for (let i = 1; i <= 3; i++) {
      await until(dc, () => dc.stepBackRequest({ threadId: first.body.threadId ?? 1, granularity: 'instruction' }));
      assert.equal((await dc.customRequest('x86Trampoline.status')).body.position, at - i);
    }
    const again = await until(dc, () => dc.continueRequest({ threadId: 1 }));
    assert.equal(again.body.description, first.body.description);
    assert.equal((await dc.customRequest('x86Trampoline.status')).body.position, at);
    assert.equal(await evaluate(dc, 'eip', 'watch', (await topFrame(dc, again.body.threadId)).id), eipThere);
  } finally {
    await dc.stop();
  }
});

test('seed: after running back, the re-run mode switch and its timeline entry say each cause once', async () => {
  const dc = await startClient();
  try {
    await launch(dc, SEED_LAUNCH, async () => {
      await dc.setExceptionBreakpointsRequest({ filters: ['mode'] });
    });
    const first = await until(dc, () => dc.continueRequest({ threadId: 1 }));
    // The seed's first switch: `movl %eax, %cr0` with PE set (real → protected), one cause.
    assert.equal(first.body.description, 'Mode switch: real → protected (16-bit): CR0.PE 0→1');
    const before = (await dc.customRequest('x86Trampoline.modeTimeline')).body.entries.map((e: { description: string }) => e.description);
    for (let round = 0; round < 2; round++) {
      await until(dc, () => dc.stepBackRequest({ threadId: 1 }));
      await until(dc, () => dc.stepBackRequest({ threadId: 1 }));
      const again = await until(dc, () => dc.continueRequest({ threadId: 1 }));
      assert.equal(again.body.description, first.body.description, `round ${round}: no repeated causes`);
      const entries = (await dc.customRequest('x86Trampoline.modeTimeline')).body.entries.map((e: { description: string }) => e.description);
      assert.deepEqual(entries, before);
    }
  } finally {
    await dc.stop();
  }
});
