// Drives the built adapter (dist/debugAdapter.js, its own process) over the real protocol with DebugClient.
import { join } from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';

export const REPO = join(__dirname, '..', '..');
export const ADAPTER = join(REPO, 'dist', 'debugAdapter.js');
export const SEED = join(REPO, '..', 'shared', 'seeds', 'trampoline_64_bsp.S');
export const example = (p: string): string => join(REPO, 'examples', p);

export async function startClient(): Promise<DebugClient> {
  const dc = new DebugClient('node', ADAPTER, 'x86-trampoline', undefined, true);
  dc.defaultTimeout = 20_000;
  await dc.start();
  await dc.initializeRequest({ adapterID: 'x86-trampoline', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path', supportsMemoryReferences: true });
  return dc;
}

/** Launches, runs `configure` after `initialized` (breakpoints, filters), and returns the first stop. */
export async function launch(dc: DebugClient, args: Record<string, unknown>, configure?: () => Promise<void>): Promise<DebugProtocol.StoppedEvent> {
  const initialized = dc.waitForEvent('initialized');
  const stopped = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
  const launched = dc.launchRequest(args as DebugProtocol.LaunchRequestArguments);
  await initialized;
  if (configure) await configure();
  await dc.configurationDoneRequest();
  await launched;
  return stopped;
}

/** Sends a request that starts execution and returns the next stop. */
export async function until(dc: DebugClient, start: () => Promise<unknown>): Promise<DebugProtocol.StoppedEvent> {
  const stopped = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
  await start();
  return stopped;
}

export async function topFrame(dc: DebugClient, threadId = 1): Promise<DebugProtocol.StackFrame> {
  const st = await dc.stackTraceRequest({ threadId });
  return st.body.stackFrames[0];
}

export async function evaluate(dc: DebugClient, expression: string, context = 'watch', frameId?: number): Promise<string> {
  const r = await dc.evaluateRequest({ expression, context, frameId });
  return r.body.result;
}

/** Every variable of a scope by name (one level). */
export async function scopeVariables(dc: DebugClient, scopeName: string, threadId = 1): Promise<Map<string, DebugProtocol.Variable>> {
  const frame = await topFrame(dc, threadId);
  const scopes = await dc.scopesRequest({ frameId: frame.id });
  const scope = scopes.body.scopes.find((s) => s.name === scopeName);
  if (!scope) throw new Error(`no scope ${scopeName}`);
  const vars = await dc.variablesRequest({ variablesReference: scope.variablesReference });
  return new Map(vars.body.variables.map((v) => [v.name, v]));
}

export async function children(dc: DebugClient, v: DebugProtocol.Variable): Promise<Map<string, DebugProtocol.Variable>> {
  const vars = await dc.variablesRequest({ variablesReference: v.variablesReference });
  return new Map(vars.body.variables.map((x) => [x.name, x]));
}

/** The seed entered as an AP at 0x10000 (its section placed there; kernel headers built in). */
export const SEED_LAUNCH = {
  program: SEED,
  start: 'ap',
  load: '0x10000',
  sectionStart: { '.x86_trampoline_bsp': '0x10000' },
  stopOnEntry: true,
};

/** The 1-based line of the nth line of `text` that starts with `needle` (leading blanks and labels ignored). */
export function lineOf(text: string, needle: string, nth = 0): number {
  const lines = text.split('\n');
  let seen = 0;
  const want = needle.trim();
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i].trim().replace(/^[0-9]+:\s*/, '');
    if (l.startsWith(want) && seen++ === nth) return i + 1;
  }
  throw new Error(`'${needle}' not found`);
}
