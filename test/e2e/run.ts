// End-to-end test in a real VS Code: the freshly built .vsix in code-server 4.100.3 (VS Code 1.100.3's web build),
// shown in Debian's Chromium and driven by playwright-core. Run with `npm run test:e2e` (packages, sets up the
// cached code-server, then runs this file). Screenshots of each step go to test/e2e/screenshots/ (gitignored).
// The last line is "N passed, N failed"; the exit code is non-zero when anything failed.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CodeServer, installExtension, listExtensions, makeProfile, type Profile } from './code-server';
import { runSteps, withTimeout, type Step } from './steps';
import {
  defaultForeground,
  goToLine,
  hoverText,
  languageMode,
  quickOpen,
  runCommand,
  renderedLines,
  tokenAt,
  tokenLocator,
  waitForWorkbench,
} from './workbench';

const REPO_ROOT = join(__dirname, '..', '..');
const VSIX = process.env.E2E_VSIX || join(REPO_ROOT, 'x86-trampoline.vsix');
const EXAMPLE = join(REPO_ROOT, 'examples', 'ap-trampoline');
const SOURCE = 'trampoline.S';
const SCREENSHOTS = join(REPO_ROOT, 'test', 'e2e', 'screenshots');
const CHROMIUM = process.env.E2E_CHROMIUM || '/usr/bin/chromium';
const EXTENSION_ID = 'x86-trampoline.x86-trampoline';
const LANGUAGE_NAME = 'x86 Assembly (GAS)';
/** The whole run (after setup) must finish within this; a watchdog ends it otherwise. */
const RUN_LIMIT_MS = 5 * 60_000;
const UI_TIMEOUT_MS = 20_000;

const work = mkdtempSync(join(tmpdir(), 'x86-trampoline-e2e-'));
let server: CodeServer | undefined;
let browser: Browser | undefined;
let page: Page | undefined;
let profile: Profile | undefined;
let shotIndex = 0;

async function screenshot(name: string): Promise<string> {
  if (!page) return '';
  shotIndex++;
  const file = join(SCREENSHOTS, `${String(shotIndex).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file, timeout: 10_000 });
  return relative(REPO_ROOT, file);
}

function requirePage(): Page {
  if (!page) throw new Error('no browser page (an earlier step did not open the workbench)');
  return page;
}

/** Instructions, registers and directives must each get their own colour, none the plain-text colour. */
function assertDistinctColours(tokens: Record<string, { color: string; cls: string; lineNumber: number }>, plain: string): string {
  const names = Object.keys(tokens);
  const report = names.map((n) => `${n.padEnd(10)} line ${tokens[n].lineNumber}: ${tokens[n].color} (${tokens[n].cls})`);
  report.push(`plain text: ${plain}`);
  const problems: string[] = [];
  for (const n of names) if (tokens[n].color === plain) problems.push(`${n} has the plain-text colour`);
  const kinds = [
    ['instruction', 'register'],
    ['instruction', 'directive'],
    ['register', 'directive'],
  ];
  for (const [a, b] of kinds) {
    for (const x of names.filter((n) => n.startsWith(a))) {
      for (const y of names.filter((n) => n.startsWith(b))) {
        if (tokens[x].color === tokens[y].color) problems.push(`${x} and ${y} share ${tokens[x].color}`);
      }
    }
  }
  if (problems.length) throw new Error(`${problems.join('\n')}\n${report.join('\n')}`);
  return report.join('\n');
}

const steps: Step[] = [
  {
    name: 'install the freshly built .vsix into code-server',
    timeoutMs: 120_000,
    run: async () => {
      if (!existsSync(VSIX)) throw new Error(`${VSIX} does not exist: run npm run package first`);
      profile = makeProfile(join(work, 'profile'));
      installExtension(VSIX, profile, 110_000);
      const installed = listExtensions(profile, 60_000);
      if (!installed.some((e) => e.startsWith(`${EXTENSION_ID}@`))) {
        throw new Error(`${EXTENSION_ID} not listed after install: ${installed.join(', ') || '(none)'}`);
      }
      const age = Math.round((Date.now() - statSync(VSIX).mtimeMs) / 1000);
      return `${installed.join(', ')} from ${relative(REPO_ROOT, VSIX)} (built ${age} s ago)`;
    },
  },
  {
    name: 'serve a copy of examples/ap-trampoline with code-server',
    timeoutMs: 90_000,
    run: async () => {
      if (!profile) throw new Error('no profile');
      const folder = join(work, 'ap-trampoline');
      cpSync(EXAMPLE, folder, { recursive: true });
      server = await CodeServer.start(profile, folder, join(work, 'code-server.log'));
      await server.waitReady(80_000);
      return `${server.url} serving ${folder}`;
    },
  },
  {
    name: 'open the workbench in Chromium',
    timeoutMs: 90_000,
    run: async () => {
      if (!server) throw new Error('no server');
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        timeout: 30_000,
        args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
      });
      const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      page = await context.newPage();
      page.setDefaultTimeout(UI_TIMEOUT_MS);
      await page.goto(server.url, { waitUntil: 'domcontentloaded', timeout: 30_000 });
      await waitForWorkbench(page, 45_000);
      return `Chromium ${browser.version()}; ${await screenshot('workbench')}`;
    },
  },
  {
    name: `Quick Open ${SOURCE}`,
    run: async () => {
      const p = requirePage();
      await quickOpen(p, SOURCE, UI_TIMEOUT_MS);
      return await screenshot('trampoline-open');
    },
  },
  {
    name: 'the extension is running in the extension host',
    run: async () => {
      const p = requirePage();
      await runCommand(p, 'Developer: Show Running Extensions', UI_TIMEOUT_MS);
      const row = p.locator('.runtime-extensions-editor .monaco-list-row', { hasText: 'x86 Trampoline' }).first();
      await row.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
      // The activation time appears once activate() has returned; an error marker if it threw.
      await row.locator('.activation-time').waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
      const text = (await row.innerText()).replace(/\s+/g, ' ').trim();
      if (/error|failed/i.test(text)) throw new Error(`running extensions: ${text}`);
      const shot = await screenshot('running-extensions');
      await p.keyboard.press('Control+W');
      return `${text}\n${shot}`;
    },
  },
  {
    name: `status bar shows the language mode "${LANGUAGE_NAME}"`,
    run: async () => {
      const p = requirePage();
      const mode = await languageMode(p, LANGUAGE_NAME, UI_TIMEOUT_MS);
      if (mode !== LANGUAGE_NAME) throw new Error(`language mode is "${mode}"`);
      return `status bar: ${mode}`;
    },
  },
  {
    name: 'the grammar colours instructions, registers and directives differently',
    run: async () => {
      const p = requirePage();
      // Tokenizing is asynchronous: wait until the visible text has more than the default colour.
      // (Soft wait: with no colours at all the assertion below says which token is plain.)
      await p
        .locator('.monaco-editor .view-lines span[class*="mtk"]:not(.mtk1)')
        .first()
        .waitFor({ timeout: 10_000 })
        .catch(() => undefined);
      await goToLine(p, 60, UI_TIMEOUT_MS);
      const top = await renderedLines(p);
      const plain = await defaultForeground(p);
      const tokens = {
        'directive .code16': tokenAt(top, /^\s*\.code16\s*$/, '.code16'),
        'instruction movl': tokenAt(top, /^\s*movl\s+%eax,/, 'movl'),
        'register %eax': tokenAt(top, /^\s*movl\s+%eax,/, '%eax'),
        'instruction cli': tokenAt(top, /^\s*cli\s*$/, 'cli'),
        'register %cs': tokenAt(top, /^\s*mov\s+%cs,\s*%ax/, '%cs'),
      };
      const shotTop = await screenshot('grammar-code16');
      await goToLine(p, 95, UI_TIMEOUT_MS);
      const cr = await renderedLines(p);
      Object.assign(tokens, {
        'register %cr4': tokenAt(cr, /^\s*movl\s+%cr4,\s*%eax/, '%cr4'),
        'directive .code32': tokenAt(cr, /^\s*\.code32\s*$/, '.code32'),
      });
      const shotCr = await screenshot('grammar-cr4');
      return `${assertDistinctColours(tokens, plain)}\n${shotTop}, ${shotCr}`;
    },
  },
  {
    name: 'hover %cr4 shows the CR4 bit list (language server)',
    pending: 'the language server has no hover yet (server/ answers only textDocumentSync); remove this line when it does',
    run: async () => {
      const p = requirePage();
      await goToLine(p, 103, UI_TIMEOUT_MS);
      const text = await hoverText(p, tokenLocator(p, /movl\s+%cr4,\s*%eax/, '%cr4'), UI_TIMEOUT_MS);
      for (const bit of ['PAE', 'PGE', 'OSFXSR', 'LA57']) if (!text.includes(bit)) throw new Error(`hover lacks ${bit}:\n${text}`);
      return `${text.split('\n')[0]}\n${await screenshot('hover-cr4')}`;
    },
  },
  {
    name: 'hover a macro call (TAKE_STACK_LOCK) shows its expansion',
    pending: 'macro expansion hover is not built yet (language server over gas/ macros)',
    run: async () => {
      const p = requirePage();
      await goToLine(p, 65, UI_TIMEOUT_MS);
      const text = await hoverText(p, tokenLocator(p, /^\s*TAKE_STACK_LOCK\s*$/, 'TAKE_STACK_LOCK'), UI_TIMEOUT_MS);
      if (!/lock\s+btsl/.test(text)) throw new Error(`hover shows no expansion (lock btsl ...):\n${text}`);
      return `${await screenshot('hover-macro')}`;
    },
  },
  // TODO (issue 8, debug adapter + extension): press F5 in trampoline.S with no .vscode/launch.json; the
  // DebugConfigurationProvider infers start "ap"; expect the debug toolbar and the top-stack-frame decoration on
  // the first instruction (cli) with the Call Stack paused "on entry". Screenshot "stop-on-entry".
  { name: 'F5 with no launch.json stops on entry', pending: 'DebugConfigurationProvider and debug adapter not built yet' },
  // TODO: set a breakpoint after `lmsw %ax` (or run "Run to next mode switch") and continue (F5); expect the stop
  // on the mode switch (Real 16 -> Protected) with the status bar mode entry. Screenshot "mode-switch-stop".
  { name: 'continue to the mode-switch stop', pending: 'debug adapter and machine not built yet' },
  // TODO: during the session hover `%cr0` (EvaluatableExpressionProvider) and expect its live value with PE=1.
  { name: 'hover %cr0 shows its live value with PE=1', pending: 'EvaluatableExpressionProvider not built yet' },
  // TODO: open the Run and Debug view, expand the control-register scope and find CR0 with PE = 1.
  { name: 'Variables view shows CR0.PE', pending: 'debug adapter scopes not built yet' },
  // TODO: run "x86 Trampoline: Open page-table map" from the command palette; expect the webview panel with the
  // mapped ranges from CR3. Screenshot "page-table-map".
  { name: 'the page-table map opens', pending: 'page-table webview not built yet' },
];

async function cleanup(): Promise<void> {
  await withTimeout('close Chromium', 10_000, browser?.close() ?? Promise.resolve()).catch(() => undefined);
  browser = undefined;
  await withTimeout('stop code-server', 10_000, server?.stop() ?? Promise.resolve()).catch(() => undefined);
}

async function main(): Promise<number> {
  const started = Date.now();
  mkdirSync(SCREENSHOTS, { recursive: true });
  for (const f of readdirSync(SCREENSHOTS)) if (f.endsWith('.png')) rmSync(join(SCREENSHOTS, f));
  console.log(`e2e: ${relative(REPO_ROOT, VSIX)} in code-server, Chromium ${CHROMIUM}; work dir ${work}`);

  // Each real step takes a screenshot of whatever the page shows when it fails, to see why.
  for (const step of steps) {
    const run = step.run;
    if (!run || step.pending !== undefined) continue;
    step.run = async () => {
      try {
        return await run();
      } catch (err) {
        await screenshot('FAILED').catch(() => undefined);
        throw err;
      }
    };
  }

  let summary;
  try {
    summary = await runSteps(steps);
  } finally {
    await cleanup();
  }
  const failed = summary.failed > 0;
  if (failed && server) console.log(`code-server log (${server.logFile}), last lines:\n${server.logTail()}`);
  if (failed) console.log(`kept ${work} for inspection`);
  else rmSync(work, { recursive: true, force: true });
  console.log(`e2e: ${summary.pending} pending (not counted), ${((Date.now() - started) / 1000).toFixed(1)} s, screenshots in ${relative(REPO_ROOT, SCREENSHOTS)}/`);
  console.log(`${summary.passed} passed, ${summary.failed} failed`);
  return failed ? 1 : 0;
}

// Bounded time even if something hangs outside a step's own timeout; always end the server and browser.
const watchdog = setTimeout(() => {
  console.log(`e2e: the whole run exceeded ${RUN_LIMIT_MS / 1000} s; stopping`);
  void cleanup().finally(() => {
    console.log('0 passed, 1 failed');
    process.exit(1);
  });
}, RUN_LIMIT_MS);
watchdog.unref();
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    void cleanup().finally(() => process.exit(130));
  });
}

main().then(
  (code) => {
    clearTimeout(watchdog);
    process.exit(code);
  },
  async (err) => {
    console.error(err);
    await cleanup();
    console.log('0 passed, 1 failed');
    process.exit(1);
  },
);
