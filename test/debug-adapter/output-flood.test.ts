import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { launch, startClient } from './session-helpers';

// A guest that prints without end: the adapter passes a bounded amount per slice, says how much it dropped, and
// keeps answering requests.
test('endless guest console output is throttled, its drops reported, and the session stays responsive', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'da-flood-'));
  const file = join(dir, 'flood.S');
  writeFileSync(file, ['        .code16', '        movb $0x58, %al', '1:      outb %al, $0xe9', '        jmp 1b', ''].join('\n'));
  const dc = await startClient();
  let stdoutBytes = 0;
  let dropNotes = 0;
  let dropped: () => void = () => {};
  const firstDrop = new Promise<void>((r) => (dropped = r));
  dc.on('output', (e: DebugProtocol.OutputEvent) => {
    if (e.body.category === 'stdout') stdoutBytes += e.body.output.length;
    else if (/bytes of guest output dropped/.test(e.body.output)) {
      dropNotes++;
      // Per-slice drops come first (the guest prints faster than 16 KiB a slice); wait for the session budget.
      if (/MiB of console output is used up/.test(e.body.output)) dropped();
    }
  });
  try {
    // Stop on entry, then continue into the flood.
    await launch(dc, { program: file, start: 'ap', load: '0x8000' }, async () => {
      await dc.setExceptionBreakpointsRequest({ filters: [] });
    });
    await dc.continueRequest({ threadId: 1 });
    // Run until the session's console budget (4 MiB) is used up and the adapter says it drops the rest.
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([firstDrop, new Promise((_, no) => (timer = setTimeout(() => no(new Error('no drop reported within 60 s')), 60_000)))]);
    clearTimeout(timer);
    await new Promise((r) => setTimeout(r, 300));
    const ran = (Date.now() - started) / 1000;
    await Promise.all([dc.pauseRequest({ threadId: 1 }), dc.waitForEvent('stopped', 2000)]);
    const evaluated = await dc.evaluateRequest({ expression: 'al', context: 'watch' });
    assert.equal(evaluated.body.result, '0x58');
    assert.ok(stdoutBytes > 0, 'some output arrives');
    assert.ok(dropNotes > 0, 'drops are reported');
    assert.equal(stdoutBytes, 4 * 1024 * 1024, `exactly the session budget arrives (${stdoutBytes} bytes in ${ran.toFixed(1)} s)`);
  } finally {
    await dc.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
