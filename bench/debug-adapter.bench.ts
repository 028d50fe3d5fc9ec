// Debug adapter latencies over the real protocol (adapter in its own process, as VS Code runs it): launch to the
// first stop, one step, pause during a tight guest loop (the issue asks for < 50 ms), stepBack, run to a mode switch.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { BenchRow } from './table';
import { launch, SEED_LAUNCH, startClient, until } from '../test/debug-adapter/session-helpers';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const group = 'debug adapter';
  // Launch to first stop (seed: cpp + assemble + machine start), then steps and a run to the mode switches.
  const launches: number[] = [];
  for (let i = 0; i < 3; i++) {
    const dc = await startClient();
    const t0 = performance.now();
    await launch(dc, SEED_LAUNCH);
    launches.push(performance.now() - t0);
    if (i === 2) {
      const steps: number[] = [];
      for (let k = 0; k < 20; k++) {
        const t = performance.now();
        await until(dc, () => dc.stepInRequest({ threadId: 1, granularity: 'instruction' }));
        steps.push(performance.now() - t);
      }
      rows.push({ group, name: 'step (one instruction), median of 20', ours: median(steps), unit: 'ms', better: 'lower' });
      const lines: number[] = [];
      for (let k = 0; k < 10; k++) {
        const t = performance.now();
        await until(dc, () => dc.nextRequest({ threadId: 1 }));
        lines.push(performance.now() - t);
      }
      rows.push({ group, name: 'step over (one source line), median of 10', ours: median(lines), unit: 'ms', better: 'lower' });
      const t = performance.now();
      for (let k = 0; k < 4; k++) await until(dc, () => dc.continueRequest({ threadId: 1 }));
      rows.push({ group, name: 'continue through the seed’s 4 mode switches', ours: performance.now() - t, unit: 'ms', better: 'lower' });
      const backs: number[] = [];
      for (let k = 0; k < 10; k++) {
        const tb = performance.now();
        await until(dc, () => dc.stepBackRequest({ threadId: 1, granularity: 'instruction' }));
        backs.push(performance.now() - tb);
      }
      rows.push({ group, name: 'stepBack (one instruction), median of 10', ours: median(backs), unit: 'ms', better: 'lower' });
    }
    await dc.stop();
  }
  rows.unshift({ group, name: 'launch to first stop (seed), median of 3', ours: median(launches), unit: 'ms', better: 'lower' });
  // Pause latency during a tight loop.
  const dir = mkdtempSync(join(tmpdir(), 'bench-da-'));
  const file = join(dir, 'loop.S');
  writeFileSync(file, '        .code16\nspin:   incw %ax\n        jmp spin\n');
  const dc = await startClient();
  await launch(dc, { program: file, start: 'ap', load: '0x8000' });
  const pauses: number[] = [];
  for (let k = 0; k < 10; k++) {
    await dc.continueRequest({ threadId: 1 });
    await new Promise((r) => setTimeout(r, 100 + k * 7));
    const t = performance.now();
    const stopped = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
    await dc.pauseRequest({ threadId: 1 });
    await stopped;
    pauses.push(performance.now() - t);
  }
  const status = await dc.customRequest('x86Trampoline.status');
  await dc.stop();
  rows.push({ group, name: 'pause in a tight loop → stopped, median of 10', ours: median(pauses), unit: 'ms', better: 'lower', note: `max ${Math.max(...pauses).toFixed(1)} ms; target < 50 ms` });
  rows.push({ group, name: 'guest instructions run during the pause test', ours: status.body.instructionCount / 1e6, unit: 'M', note: 'about 1.1 s of running' });
  return rows;
}
