// A real LSP client for tests: spawns `node dist/server.js --stdio` and talks JSON-RPC over its pipes.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import type { Diagnostic, PublishDiagnosticsParams } from 'vscode-languageserver-protocol';

export const repoRoot = resolve(__dirname, '../..');
export const seedPath = resolve(repoRoot, '../shared/seeds/trampoline_64_bsp.S');
export const examplePath = resolve(repoRoot, 'examples/ap-trampoline/trampoline.S');

export function fileUri(path: string): string {
  return pathToFileURL(path).href;
}

export class TestClient {
  readonly conn: MessageConnection;
  private readonly proc: ChildProcess;
  private readonly versions = new Map<string, number>();
  private readonly diagnostics = new Map<string, PublishDiagnosticsParams>();
  private readonly waiters: { uri: string; version?: number; resolve: (d: any[]) => void }[] = [];
  readonly logs: string[] = [];
  exited: number | null = null;

  /** `nodeArgs` go to node itself (e.g. `--cpu-prof` for profiling the server), `extraArgs` to the server. */
  constructor(extraArgs: string[] = [], nodeArgs: string[] = []) {
    // X86T_SERVER runs another build of the server (the benchmark compares an older one side by side).
    const server = process.env.X86T_SERVER ?? resolve(repoRoot, 'dist/server.js');
    this.proc = spawn(process.execPath, [...nodeArgs, server, '--stdio', ...extraArgs], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.on('exit', (code) => (this.exited = code ?? -1));
    this.proc.stderr!.on('data', (d) => this.logs.push(String(d)));
    this.conn = createMessageConnection(new StreamMessageReader(this.proc.stdout!), new StreamMessageWriter(this.proc.stdin!));
    this.conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      this.diagnostics.set(p.uri, p);
      for (let i = this.waiters.length - 1; i >= 0; i--) {
        const w = this.waiters[i];
        if (w.uri === p.uri && (w.version === undefined || p.version === w.version)) {
          this.waiters.splice(i, 1);
          w.resolve(p.diagnostics);
        }
      }
    });
    this.conn.onNotification('window/logMessage', (p: { message: string }) => { this.logs.push(p.message); });
    this.conn.onRequest('workspace/configuration', (p: { items: { section?: string }[] }) => p.items.map(() => this.settings));
    this.conn.onRequest('client/registerCapability', () => null);
    this.conn.listen();
  }

  settings: Record<string, unknown> = {};

  async initialize(rootPath?: string, initializationOptions: Record<string, unknown> = {}): Promise<unknown> {
    const r = await this.conn.sendRequest('initialize', {
      processId: process.pid,
      rootUri: rootPath ? fileUri(rootPath) : null,
      workspaceFolders: rootPath ? [{ uri: fileUri(rootPath), name: 'root' }] : null,
      capabilities: { workspace: { configuration: true }, textDocument: { hover: { contentFormat: ['markdown'] } } },
      initializationOptions,
    });
    await this.conn.sendNotification('initialized', {});
    return r;
  }

  /** Opens a document and resolves with its first diagnostics. */
  open(path: string, text = readFileSync(path, 'latin1')): Promise<any[]> {
    const uri = fileUri(path);
    this.versions.set(uri, 1);
    const p = this.waitDiagnostics(uri, 1);
    void this.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'gas-x86', version: 1, text } });
    return p;
  }

  /** Replaces a range (or everything) and resolves with the diagnostics of the new version. */
  edit(path: string, change: { range?: { start: { line: number; character: number }; end: { line: number; character: number } }; text: string }): Promise<any[]> {
    const uri = fileUri(path);
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    const p = this.waitDiagnostics(uri, version);
    void this.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [change] });
    return p;
  }

  /** Sends an edit without waiting for diagnostics. */
  editNoWait(path: string, change: { range?: { start: { line: number; character: number }; end: { line: number; character: number } }; text: string }): number {
    const uri = fileUri(path);
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    void this.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [change] });
    return version;
  }

  waitDiagnostics(uri: string, version?: number): Promise<any[]> {
    return new Promise((resolve) => this.waiters.push({ uri, version, resolve }));
  }

  lastDiagnostics(path: string): Diagnostic[] | undefined {
    return this.diagnostics.get(fileUri(path))?.diagnostics;
  }

  request<T = any>(method: string, path: string, extra: Record<string, unknown> = {}): Promise<T> {
    return this.conn.sendRequest(method, { textDocument: { uri: fileUri(path) }, ...extra }) as Promise<T>;
  }

  at<T = any>(method: string, path: string, line: number, character: number, extra: Record<string, unknown> = {}): Promise<T> {
    return this.request<T>(method, path, { position: { line, character }, ...extra });
  }

  async close(): Promise<void> {
    try {
      await Promise.race([this.conn.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 2000))]);
      void this.conn.sendNotification('exit');
    } catch {
      /* already gone */
    }
    await new Promise((r) => setTimeout(r, 50));
    this.conn.dispose();
    if (this.exited === null) this.proc.kill();
  }
}

/** 0-based line of the first line matching `re` (after `from`). */
export function lineOf(text: string, re: RegExp | string, from = 0): number {
  const lines = text.split('\n');
  for (let i = from; i < lines.length; i++) if (typeof re === 'string' ? lines[i].includes(re) : re.test(lines[i])) return i;
  throw new Error(`no line matches ${re}`);
}

/** Column of `needle` in line `line` of `text`. */
export function colOf(text: string, line: number, needle: string): number {
  const c = text.split('\n')[line].indexOf(needle);
  if (c < 0) throw new Error(`'${needle}' not on line ${line}`);
  return c;
}
