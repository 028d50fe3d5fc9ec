// A guest that faults with an empty IDT escalates (SDM 6.15, table 6-5): #UD cannot be delivered, the #GP that
// raises cannot be delivered either, two contributory faults make #DF, and a fault delivering #DF is a triple fault
// (QEMU -no-reboot exits with status 0 there). Through the protocol: the triple-fault stop names the first fault
// and the #DF, and the exception filter stops on the first fault instead of losing it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, lineOf, startClient, topFrame, until } from './session-helpers';

const SOURCE = `\t.code16
\t.globl _start
_start:
\tcli
\tlidt %cs:empty_idt
\tud2
\thlt
empty_idt:
\t.word 0
\t.long 0
\t.org 510
\t.word 0xaa55
`;
const file = join(mkdtempSync(join(tmpdir(), 'da-triple-')), 'triple.S');
writeFileSync(file, SOURCE);
const UD2_LINE = lineOf(SOURCE, 'ud2');

async function runToStop(filters: string[]) {
  const dc = await startClient();
  await launch(dc, { program: file, start: 'boot-sector' }, async () => {
    await dc.setExceptionBreakpointsRequest({ filters });
  });
  const stop = await until(dc, () => dc.continueRequest({ threadId: 1 }));
  const info = await dc.customRequest('exceptionInfo', { threadId: 1 });
  return { dc, stop, info };
}

test('triple fault stop: the description names the first fault and the #DF, exceptionInfo lists the escalation', async () => {
  const { dc, stop, info } = await runToStop(['triple-fault']);
  try {
    assert.equal(stop.body.reason, 'exception');
    assert.match(stop.body.description ?? '', /^Triple fault after #UD → #DF: triple fault on CPU 0/);
    assert.equal(info.body.exceptionId, 'triple-fault');
    const details: string = info.body.details.message;
    assert.match(details, /^First fault: Exception #UD/);
    assert.match(details, /\nThen: Exception #DF double fault \(error code 0x0\): double fault: #GP general protection during #GP general protection/);
    assert.equal((await topFrame(dc)).line, UD2_LINE, 'stopped at the ud2');
  } finally {
    await dc.stop();
  }
});

test('exception filter: the first fault of a triple fault stops the session (with the escalation in its details)', async () => {
  const { dc, stop, info } = await runToStop(['exception', 'triple-fault']);
  try {
    assert.match(stop.body.description ?? '', /^Exception #UD.*\(it escalated into a triple fault\)$/);
    assert.equal(info.body.exceptionId, 'exception');
    assert.match(info.body.details.message, /Triple fault after #UD → #DF/);
    assert.equal((await topFrame(dc)).line, UD2_LINE);
  } finally {
    await dc.stop();
  }
});
