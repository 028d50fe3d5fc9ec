// The end-to-end step runner's bookkeeping (no browser): what counts as passed, failed, pending or blocked, since
// CI reads its closing "N passed, N failed" line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSteps, withTimeout, StepTimeout, type Step } from './steps';

async function run(steps: Step[]): Promise<{ summary: Awaited<ReturnType<typeof runSteps>>; lines: string[] }> {
  const lines: string[] = [];
  const summary = await runSteps(steps, (l) => lines.push(l));
  return { summary, lines };
}

const ok = async (): Promise<string> => 'fine';
const boom = async (): Promise<never> => {
  throw new Error('boom');
};

test('passes, failures and pending steps are counted apart; pending steps never run', async () => {
  let ranPending = false;
  const { summary, lines } = await run([
    { name: 'a', run: ok },
    { name: 'b', run: boom },
    {
      name: 'c',
      pending: 'not built',
      run: async () => {
        ranPending = true;
      },
    },
    { name: 'd', run: ok },
  ]);
  assert.deepEqual(summary, { passed: 2, failed: 1, pending: 1 });
  assert.equal(ranPending, false);
  assert.match(lines.join('\n'), /FAIL\s+02 b[\s\S]*boom/);
  assert.match(lines.join('\n'), /pending\s+03 c\s+\(TODO: not built\)/);
});

test('a failed required step blocks the rest, which count as failed', async () => {
  let ranAfter = false;
  const { summary, lines } = await run([
    { name: 'setup', required: true, run: boom },
    {
      name: 'later',
      run: async () => {
        ranAfter = true;
      },
    },
    { name: 'todo', pending: 'x' },
  ]);
  assert.deepEqual(summary, { passed: 0, failed: 2, pending: 1 });
  assert.equal(ranAfter, false);
  assert.match(lines.join('\n'), /blocked\s+02 later\s+\(after "setup" failed\)/);
});

test('a known issue that still fails is pending; one that passes is counted and flagged', async () => {
  const { summary, lines } = await run([
    { name: 'still broken', knownIssue: 'bug 1', run: boom },
    { name: 'fixed', knownIssue: 'bug 2', run: ok },
  ]);
  assert.deepEqual(summary, { passed: 1, failed: 0, pending: 1 });
  assert.match(lines.join('\n'), /known\s+01 still broken/);
  assert.match(lines.join('\n'), /passes now: remove knownIssue \("bug 2"\)/);
});

test('a step that outlives its time limit fails with a timeout', async () => {
  // withTimeout's timer is unref'd (a hung step must not keep the runner alive), and so is the slow step's: hold
  // the event loop open here, or the test ends as cancelled before the time limit fires.
  const keepAlive = setTimeout(() => undefined, 5000);
  try {
    const { summary, lines } = await run([{ name: 'slow', timeoutMs: 50, run: () => new Promise((r) => setTimeout(r, 2000).unref()) }]);
    assert.deepEqual(summary, { passed: 0, failed: 1, pending: 0 });
    assert.match(lines.join('\n'), /slow: timed out after 50 ms/);
    await assert.rejects(withTimeout('w', 10, new Promise(() => undefined)), StepTimeout);
  } finally {
    clearTimeout(keepAlive);
  }
});
