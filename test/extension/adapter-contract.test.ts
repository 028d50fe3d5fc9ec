// The extension's logic fed with what the real debug adapter (dist/debugAdapter.js, its own process) sends:
// configurations built by the F5 provider launch and stop where the file starts; status, timeline, page-map,
// control-register and Problems conversions hold against the seed's architectural facts and GNU as's errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import { launch, startClient, topFrame, until } from '../debug-adapter/session-helpers';
import { EXAMPLES } from '../machine/qemu/examples';
import { configFor, debugFromHere, inferStart } from '../../extension/logic/debug-config';
import { formatStatus } from '../../extension/logic/status';
import { timelineItem } from '../../extension/logic/timeline';
import { mapModel, walkModel } from '../../extension/logic/page-map';
import { bitToggle, toggledValue, type DapVariable } from '../../extension/logic/control-regs';
import { launchOnlyProblems, problemsByFile } from '../../extension/logic/problems';
import { TestClient } from '../server/lsp-client';
import { hoverExpressionAt, stripLine } from '../../extension/logic/hover-expression';
import { inlineTargets } from '../../extension/logic/inline-values';
import type { ModeTimelineEntry, PageTablesBody, StatusEvent, TranslateBody } from '../../extension/logic/protocol-types';
import { example, lineIndex, read, SEED } from './helpers';
import { startFor } from '../../server/features/lens';

/** Launches the configuration the F5 provider builds for `path` (start inferred from the file). */
async function f5(dc: DebugClient, path: string, extra: Record<string, unknown> = {}) {
  const inference = inferStart(path, readFileSync(path));
  assert.ok(inference.start, `${path}: no start inferred`);
  const config = { ...configFor(path, inference.start), ...extra };
  return launch(dc, config);
}

test('F5 on the AP trampoline example: the inferred configuration stops on entry at its first instruction (cli)', async () => {
  const path = example('ap-trampoline/trampoline.S');
  const text = read(path);
  const dc = await startClient();
  try {
    const statuses: StatusEvent[] = [];
    dc.on('x86Trampoline.status', (e) => statuses.push(e.body));
    const s = await f5(dc, path);
    assert.equal(s.body.reason, 'entry');
    assert.equal((await topFrame(dc)).line, lineIndex(text, /^\s*cli\b/) + 1);
    await until(dc, () => dc.continueRequest({ threadId: 1 }));
    // Mode switch real → protected: on the lmsw line (or the jump after it), and the status says so.
    const line = (await topFrame(dc)).line;
    const lmsw = lineIndex(text, /^\s*lmsw\b/) + 1;
    assert.ok(line === lmsw || line === lmsw + 1, `stopped on ${line}, lmsw on ${lmsw}`);
    await new Promise((r) => setTimeout(r, 50));
    assert.match(formatStatus(statuses[statuses.length - 1]).text, /Protected 16/);
  } finally {
    await dc.stop();
  }
});

test('F5 on the boot-sector and long64 examples runs them to the exit status QEMU gives', async () => {
  for (const path of ['examples/boot-sector/long-mode-boot.S', 'examples/long64/entry-state.S']) {
    const fx = EXAMPLES.find((e) => e.path === path)!;
    const dc = await startClient();
    try {
      const inference = inferStart(path, readFileSync(join(__dirname, '..', '..', path)));
      const s = await launch(dc, configFor(join(__dirname, '..', '..', path), inference.start), () => dc.setExceptionBreakpointsRequest({ filters: [] }).then(() => undefined));
      assert.equal(s.body.reason, 'entry');
      const exited = dc.waitForEvent('exited', 60_000);
      await dc.continueRequest({ threadId: 1 });
      const e = await exited;
      assert.equal(e.body.exitCode, fx.status, path);
    } finally {
      await dc.stop();
    }
  }
});

test('seed: status texts, timeline items and the page-table map at each mode switch', async () => {
  const text = read(SEED);
  const dc = await startClient();
  try {
    const statuses: StatusEvent[] = [];
    dc.on('x86Trampoline.status', (e) => statuses.push(e.body));
    await launch(dc, { ...configFor(SEED, 'ap'), load: '0x10000', sectionStart: { '.x86_trampoline_bsp': '0x10000' } });
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(formatStatus(statuses[statuses.length - 1]).text, '$(chip) Real 16 · 0 instr');
    const texts: string[] = [];
    for (let i = 0; i < 4; i++) {
      await until(dc, () => dc.continueRequest({ threadId: 1 }));
      await new Promise((r) => setTimeout(r, 20));
      texts.push(formatStatus(statuses[statuses.length - 1]).text.replace(/ · [\d,]+ instr$/, ''));
    }
    // SDM: LMSW sets PE with CS still 16-bit; the far jump through a D=1 selector gives 32-bit code; CR0.PG with
    // EFER.LME gives compatibility mode with 4-level paging; LRET to an L=1 selector gives 64-bit mode.
    assert.deepEqual(texts, ['$(chip) Protected 16', '$(chip) Protected 32', '$(chip) Compat 32 · 4-level', '$(chip) Long 64 · 4-level']);
    const timeline = (await dc.customRequest('x86Trampoline.modeTimeline')).body.entries as ModeTimelineEntry[];
    const items = timeline.map(timelineItem);
    assert.deepEqual(items.map((i) => i.label), ['real → protected 16', 'protected 16 → protected', 'protected → compat (paging off → 4-level paging)', 'compat → long 64']);
    const lmsw = lineIndex(text, /^\s*lmsw %ax/);
    assert.equal(items[0].source?.line, lmsw);
    assert.match(items[0].description, new RegExp(`CPU 0 · trampoline_64_bsp\\.S:${lmsw + 1}$`));
    assert.match(items[0].tooltip, /^Mode switch: real → protected \(16-bit\): lmsw/);
    assert.ok(items[0].tooltip.endsWith(`trampoline_64_bsp.S:${lmsw + 1}`), items[0].tooltip);

    // The seed maps 4 GiB with 2 MiB pages from PDEs 0x183 (P RW PS G, no US, no NX), PML4E/PDPTE 0x…007. Its
    // CR4 has PAE but not PGE, so G is in the entry but the mappings are not global (SDM 4.10.2.4).
    const pt = (await dc.customRequest('x86Trampoline.pageTables')).body as PageTablesBody;
    const model = mapModel(pt);
    assert.match(model.title, /^4-level paging · CR3 0x/);
    assert.equal(model.total.replace(/ in .*/, ''), '4 GiB mapped');
    assert.ok(model.rows.length >= 1 && model.rows.every((r) => r.identity && r.pageSize === '2M' && r.classes.includes('rwx') && !r.classes.includes('global') && !r.classes.includes('user')), JSON.stringify(model.rows.slice(0, 2)));
    assert.equal(model.strip.filter((p) => p.kind === 'range').length, model.rows.length);
    const tr = (await dc.customRequest('x86Trampoline.translate', { address: '0xfee00123' })).body as TranslateBody;
    const walk = walkModel(tr);
    assert.equal(walk.summary, '0xfee00123 → 0xfee00123 (2M page, RW X S)');
    assert.deepEqual(walk.levels.map((l) => l.name), ['PML4E', 'PDPTE', 'PDE']);
    const pde = walk.levels[2].flags.split(' ');
    for (const f of ['P', 'RW', 'PS', 'G']) assert.ok(pde.includes(f), `PDE flags ${walk.levels[2].flags}`);
    assert.ok(!pde.includes('US') && !pde.includes('XD'));
    assert.ok(['P', 'RW', 'US'].every((f) => walk.levels[0].flags.split(' ').includes(f)), walk.levels[0].flags);
    const miss = walkModel((await dc.customRequest('x86Trampoline.translate', { address: '0x100000000' })).body as TranslateBody);
    assert.ok(miss.fault, 'above 4 GiB is not mapped');
  } finally {
    await dc.stop();
  }
});

test('seed at entry: control-register bits parse as toggles and a toggle writes through setVariable', async () => {
  const dc = await startClient();
  try {
    await launch(dc, { ...configFor(SEED, 'ap'), load: '0x10000', sectionStart: { '.x86_trampoline_bsp': '0x10000' } });
    const frame = await topFrame(dc);
    const scopes = (await dc.scopesRequest({ frameId: frame.id })).body.scopes;
    const cr = scopes.find((s) => s.name === 'Control registers')!;
    const regs = (await dc.variablesRequest({ variablesReference: cr.variablesReference })).body.variables as DapVariable[];
    const cr0 = regs.find((v) => v.name.toLowerCase() === 'cr0')!;
    const bits = (await dc.variablesRequest({ variablesReference: cr0.variablesReference })).body.variables.map((v) => bitToggle(v as DapVariable));
    const byName = new Map(bits.filter((b) => b).map((b) => [b!.name, b!]));
    // SDM: PE is bit 0, MP bit 1, PG bit 31; at an AP start CR0.PE = 0 and PG = 0.
    assert.equal(byName.get('PE')?.lsb, 0);
    assert.equal(byName.get('PG')?.lsb, 31);
    assert.equal(byName.get('PE')?.on, false);
    assert.equal(byName.get('PG')?.on, false);
    const mp = byName.get('MP')!;
    assert.equal(mp.writable, true);
    await dc.setVariableRequest({ variablesReference: cr0.variablesReference, name: 'MP', value: toggledValue(mp) });
    const after = await dc.evaluateRequest({ expression: 'cr0.mp', context: 'watch', frameId: frame.id });
    assert.equal(after.body.result, mp.on ? '0' : '1');
  } finally {
    await dc.stop();
  }
});

test('seed in 64-bit mode: every hover and inline-value expression of the lines before the stop evaluates', async () => {
  const text = read(SEED);
  const lines = text.split('\n');
  const dc = await startClient();
  try {
    await launch(dc, { ...configFor(SEED, 'ap'), load: '0x10000', sectionStart: { '.x86_trampoline_bsp': '0x10000' } });
    for (let i = 0; i < 4; i++) await until(dc, () => dc.continueRequest({ threadId: 1 }));
    const frame = await topFrame(dc);
    const stop = frame.line - 1;
    const targets = inlineTargets(lines, stop, 0, lines.length - 1, 30);
    assert.ok(targets.length > 0);
    // The CR4 value hovered where it is written: PAE (bit 5) set by then (SDM: required for long mode).
    const cr4 = lineIndex(text, /^\s*movl %eax, %cr4/);
    const e = hoverExpressionAt(lines[cr4], stripLine(lines.slice(0, cr4), lines[cr4]), lines[cr4].indexOf('%cr4'))!;
    const r = await dc.evaluateRequest({ expression: e.expression, context: 'hover', frameId: frame.id });
    assert.match(r.body.result, /\bPAE=1\b/);
    const cr0 = await dc.evaluateRequest({ expression: '%cr0', context: 'hover', frameId: frame.id });
    assert.match(cr0.body.result, /\bPE=1\b.*\bPG=1\b/);
    for (const t of targets) {
      const v = await dc.evaluateRequest({ expression: t.expression, context: 'hover', frameId: frame.id });
      assert.ok(v.success && v.body.result, `${t.expression} on line ${t.line + 1}`);
    }
  } finally {
    await dc.stop();
  }
});

test('Debug from here on trampoline_start64: direct 64-bit entry at the AP link address, exit status as on QEMU', async () => {
  const path = example('ap-trampoline/trampoline.S');
  const text = read(path);
  const plan = debugFromHere(path, { symbol: 'trampoline_start64', start: 'long64', mode: 64 }, inferStart(path, readFileSync(path)));
  assert.equal(plan.runTo, undefined);
  assert.equal(plan.config.start, 'long64');
  assert.equal(plan.config.entry, 'trampoline_start64');
  const fx = EXAMPLES.find((x) => x.path === 'examples/ap-trampoline/trampoline.S' && x.start === 'long64')!;
  assert.equal(Number(plan.config.load), fx.load);
  const dc = await startClient();
  try {
    await launch(dc, plan.config);
    // The first instruction of trampoline_start64 comes from its TAKE_STACK_LOCK macro call.
    const frames = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
    const call = lineIndex(text, /^\s*TAKE_STACK_LOCK lock_rip=1/) + 1;
    assert.ok(frames.some((f) => f.line === call), `frames at ${frames.map((f) => f.line)}`);
    const exited = dc.waitForEvent('exited', 30_000);
    await dc.setExceptionBreakpointsRequest({ filters: [] });
    await dc.continueRequest({ threadId: 1 });
    assert.equal((await exited).body.exitCode, fx.status);
  } finally {
    await dc.stop();
  }
  // 32-bit code has no start state of its own: the lens sends no start (server/features/lens.ts), the file
  // starts as usual and runs to the symbol.
  assert.equal(startFor(32), undefined);
  const to32 = debugFromHere(path, { symbol: 'trampoline_start32', mode: 32 }, inferStart(path, readFileSync(path)));
  assert.deepEqual([to32.config.start, to32.runTo, to32.config.stopOnEntry], ['ap', 'trampoline_start32', false]);
});

test('Problems: assembly errors of a failed launch land on the lines GNU as reports', async (t) => {
  if (spawnSync('which', ['as']).status !== 0) {
    if (process.env.CI) assert.fail('GNU as missing');
    t.skip('GNU as missing');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'x86t-problems-'));
  const file = join(dir, 'broken.S');
  writeFileSync(file, '\t.code16\n\t.balign 4096\nstart:\n\tmovw %ax, %bx\n\tmovq %rax, %cr9\n\tfrobnicate %ax\n\tjmp start\n');
  const gnu = spawnSync('as', ['--64', '-o', join(dir, 'x.o'), file], { encoding: 'utf8' });
  const gnuLines = [...gnu.stderr.matchAll(/:(\d+): Error:/g)].map((m) => Number(m[1]) - 1).sort();
  assert.ok(gnuLines.length >= 2, gnu.stderr);
  const dc = await startClient();
  try {
    const ev = dc.waitForEvent('x86Trampoline.assemblyErrors');
    await dc.launchRequest({ ...configFor(file, 'ap') } as never).then(() => assert.fail('launch should fail'), () => undefined);
    const problems = problemsByFile((await ev).body);
    assert.deepEqual([...problems.keys()], [file]);
    const list = problems.get(file)!;
    assert.deepEqual([...new Set(list.map((p) => p.line))].sort(), gnuLines);
    assert.ok(list.every((p) => p.severity === 'error' && p.message.length > 0 && (p.endLine > p.line || p.endColumn > p.column)));
    // The language server reports the same file too: Problems shows each GNU error line once, not once per source.
    const server = new TestClient();
    try {
      await server.initialize(dir);
      const serverDiags = (await server.open(file)) as { range: { start: { line: number } }; severity?: number }[];
      const reported = serverDiags.map((d) => ({ line: d.range.start.line, severity: (d.severity ?? 1) === 1 ? 'error' as const : 'warning' as const }));
      assert.deepEqual([...new Set(reported.filter((d) => d.severity === 'error').map((d) => d.line))].sort(), gnuLines, 'the server sees the same errors');
      const launchOnly = launchOnlyProblems(problems, (f) => (f === file ? reported : undefined));
      const shown = [...reported.filter((d) => d.severity === 'error').map((d) => d.line), ...(launchOnly.get(file) ?? []).map((p) => p.line)];
      assert.deepEqual(shown.sort(), gnuLines, 'each error line once in Problems');
      // A file the server has not analysed keeps every launch problem.
      assert.deepEqual(launchOnlyProblems(problems, () => undefined), problems);
    } finally {
      await server.close();
    }
  } finally {
    await dc.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
