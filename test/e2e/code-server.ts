// Drives code-server (VS Code 1.100.3's web build) from the cache that scripts/e2e-setup.sh fills: installs a
// .vsix into throw-away extension/user-data folders, serves a workspace on a free loopback port, and kills the
// whole process group on the way out so no extension host or language server outlives the test.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';

export function cacheDir(): string {
  return process.env.E2E_CACHE || join(homedir(), '.cache', 'x86-trampoline-e2e');
}

export function entryScript(): string {
  const entry = join(cacheDir(), 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  if (!existsSync(entry)) throw new Error(`code-server is not installed at ${entry}: run bash scripts/e2e-setup.sh`);
  return entry;
}

export interface Profile {
  extensionsDir: string;
  userDataDir: string;
}

/** Settings that keep the first start quiet and deterministic: no welcome page, no update or gallery checks. */
const USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.colorTheme': 'Default Dark Modern',
  'telemetry.telemetryLevel': 'off',
  'security.workspace.trust.enabled': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'window.restoreWindows': 'none',
  'chat.commandCenter.enabled': false,
  'editor.hover.delay': 200,
};

/** Rewrites the user settings; a running code-server notices the file change and applies it. */
export function updateSettings(profile: Profile, patch: Record<string, unknown>): void {
  const file = join(profile.userDataDir, 'User', 'settings.json');
  const current = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  writeFileSync(file, JSON.stringify({ ...current, ...patch }, null, 2));
}

export function makeProfile(root: string): Profile {
  const profile = { extensionsDir: join(root, 'extensions'), userDataDir: join(root, 'user-data') };
  mkdirSync(join(profile.userDataDir, 'User'), { recursive: true });
  mkdirSync(profile.extensionsDir, { recursive: true });
  writeFileSync(join(profile.userDataDir, 'User', 'settings.json'), JSON.stringify(USER_SETTINGS, null, 2));
  return profile;
}

/** Installs the .vsix with code-server's own CLI; returns what it printed. */
export function installExtension(vsix: string, profile: Profile, timeoutMs: number): string {
  const r = spawnSync(
    process.execPath,
    [entryScript(), '--install-extension', vsix, '--extensions-dir', profile.extensionsDir, '--user-data-dir', profile.userDataDir],
    { encoding: 'utf8', timeout: timeoutMs },
  );
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
  if (r.error) throw new Error(`code-server --install-extension: ${r.error.message}\n${out}`);
  if (r.status !== 0 || !/successfully installed/i.test(out)) {
    throw new Error(`code-server --install-extension exited ${r.status}:\n${out}`);
  }
  return out;
}

export function listExtensions(profile: Profile, timeoutMs: number): string[] {
  const r = spawnSync(
    process.execPath,
    [entryScript(), '--list-extensions', '--show-versions', '--extensions-dir', profile.extensionsDir, '--user-data-dir', profile.userDataDir],
    { encoding: 'utf8', timeout: timeoutMs },
  );
  return (r.stdout ?? '').split('\n').map((l) => l.trim()).filter(Boolean);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export class CodeServer {
  private exited: string | undefined;

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    readonly logFile: string,
  ) {
    child.on('exit', (code, signal) => {
      this.exited = `code-server exited (code ${code}, signal ${signal})`;
    });
  }

  static async start(profile: Profile, folder: string, logFile: string): Promise<CodeServer> {
    const port = await freePort();
    // Its own config file, so code-server never creates ~/.config/code-server/config.yaml with a password.
    const config = join(profile.userDataDir, 'code-server.yaml');
    writeFileSync(config, 'auth: none\n');
    const log = createWriteStream(logFile);
    const child = spawn(
      process.execPath,
      [
        entryScript(),
        '--config', config,
        '--auth', 'none',
        '--bind-addr', `127.0.0.1:${port}`,
        '--disable-workspace-trust',
        '--disable-telemetry',
        '--disable-update-check',
        '--disable-getting-started-override',
        '--extensions-dir', profile.extensionsDir,
        '--user-data-dir', profile.userDataDir,
        folder,
      ],
      // Its own process group, so stop() can end the extension host and language server with it.
      { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } },
    );
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    return new CodeServer(child, `http://127.0.0.1:${port}`, logFile);
  }

  /** Polls /healthz until the server answers (or has died, or the deadline passes). */
  async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.exited) throw new Error(`${this.exited}\n${this.logTail()}`);
      try {
        const res = await fetch(`${this.url}/healthz`, { signal: AbortSignal.timeout(2000) });
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`code-server did not answer on ${this.url} within ${timeoutMs} ms\n${this.logTail()}`);
  }

  logTail(lines = 30): string {
    try {
      return readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  /** SIGTERM to the whole group, SIGKILL after a grace period; resolves once the main process is gone. */
  async stop(graceMs = 3000): Promise<void> {
    const pid = this.child.pid;
    if (pid === undefined) return;
    const gone = new Promise<void>((resolve) => {
      if (this.exited || this.child.exitCode !== null) resolve();
      else this.child.once('exit', () => resolve());
    });
    const signalGroup = (sig: NodeJS.Signals): void => {
      try {
        process.kill(-pid, sig);
      } catch {
        // group already gone
      }
    };
    signalGroup('SIGTERM');
    const timer = setTimeout(() => signalGroup('SIGKILL'), graceMs);
    await Promise.race([gone, new Promise((r) => setTimeout(r, graceMs + 1000))]);
    clearTimeout(timer);
    // Children that ignored SIGTERM (extension host, language server) go with the group either way.
    signalGroup('SIGKILL');
  }
}
