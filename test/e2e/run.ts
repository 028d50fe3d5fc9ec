// End-to-end test in a real VS Code: the freshly built .vsix in code-server 4.100.3 (VS Code 1.100.3's web build),
// shown in Debian's Chromium and driven by playwright-core. Run with `npm run test:e2e` (packages, sets up the
// cached code-server, then runs this file). Screenshots of each step go to test/e2e/screenshots/ (gitignored).
// The last line is "N passed, N failed"; the exit code is non-zero when anything failed.
// Environment: E2E_CACHE (code-server cache, as for scripts/e2e-setup.sh), E2E_VSIX (default x86-trampoline.vsix),
// E2E_CHROMIUM (default /usr/bin/chromium).
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CodeServer, installExtension, listExtensions, makeProfile, updateSettings, type Profile } from './code-server';
import {
  continueExecution,
  debugHoverText,
  expandVariable,
  startDebugging,
  stopDebugging,
  variableValue,
  variablesView,
  waitForStop,
} from './debug-ui';
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
  type RenderedToken,
  tokenRef,
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

// Lines of the example the steps look at, found by content so an edit to the example moves them along.
const SOURCE_LINES = readFileSync(join(EXAMPLE, SOURCE), 'utf8').split('\n');
/** 1-based number (as the gutter shows it) of the first line of the example that matches. */
function lineOf(re: RegExp): number {
  const i = SOURCE_LINES.findIndex((l) => re.test(l));
  if (i < 0) throw new Error(`examples/ap-trampoline/${SOURCE} has no line matching ${re}`);
  return i + 1;
}
const LINE = {
  code16: lineOf(/^\s*\.code16\b/),
  cli: lineOf(/^\s*cli\b/), // the first instruction of trampoline_start: where "stop on entry" stops
  movCs: lineOf(/^\s*mov\s+%cs,\s*%ax/),
  movlEax: lineOf(/^\s*movl\s+%eax,\s*\(gdt_pointer/),
  lockCall: lineOf(/^\s*TAKE_STACK_LOCK\s*$/), // a macro call with default arguments
  lmsw: lineOf(/^\s*lmsw\b/), // sets CR0.PE: the real -> protected mode switch
  code32: lineOf(/^\s*\.code32\b/),
  readCr4: lineOf(/^\s*movl\s+%cr4,\s*%eax/),
  writeCr0: lineOf(/^\s*movl\s+%eax,\s*%cr0/),
};
/** The tokens whose colours are compared: [label (kind first), line, word]. */
const COLOURED: Array<[string, number, string]> = [
  ['directive .code16', LINE.code16, '.code16'],
  ['instruction cli', LINE.cli, 'cli'],
  ['register %cs', LINE.movCs, '%cs'],
  ['instruction movl', LINE.movlEax, 'movl'],
  ['register %eax', LINE.movlEax, '%eax'],
  ['directive .code32', LINE.code32, '.code32'],
  ['register %cr4', LINE.readCr4, '%cr4'],
];

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

/** Goes to each compared token's line and reads its rendered colour. */
async function readColours(p: Page): Promise<Record<string, RenderedToken & { lineNumber: number }>> {
  const out: Record<string, RenderedToken & { lineNumber: number }> = {};
  for (const [label, line, word] of COLOURED) {
    await goToLine(p, line, UI_TIMEOUT_MS);
    out[label] = tokenAt(await renderedLines(p), line, word);
  }
  return out;
}

const steps: Step[] = [
  {
    name: 'install the freshly built .vsix into code-server',
    required: true,
    timeoutMs: 120_000,
    run: async () => {
      if (!existsSync(VSIX)) throw new Error(`${VSIX} does not exist: run npm run package first`);
      profile = makeProfile(join(work, 'profile'));
      // Grammar colours first, on their own; a later step turns the language server's semantic tokens on.
      updateSettings(profile, { 'editor.semanticHighlighting.enabled': false });
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
    required: true,
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
    required: true,
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
    required: true,
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
    name: 'the grammar colours instructions, registers and directives differently (semantic highlighting off)',
    run: async () => {
      const p = requirePage();
      // Tokenizing is asynchronous: wait until the visible text has more than the default colour.
      // (Soft wait: with no colours at all the assertion below says which token is plain.)
      await p
        .locator('.monaco-editor .view-lines span[class*="mtk"]:not(.mtk1)')
        .first()
        .waitFor({ timeout: 10_000 })
        .catch(() => undefined);
      const tokens = await readColours(p);
      const shot = await screenshot('grammar-colours');
      return `${assertDistinctColours(tokens, await defaultForeground(p))}\n${shot}`;
    },
  },
  {
    name: 'with the language server\'s semantic tokens they still differ',
    timeoutMs: 90_000,
    run: async () => {
      const p = requirePage();
      if (!profile) throw new Error('no profile');
      const before = await readColours(p);
      // The web workbench reads user settings when it loads (it does not watch the file): change, then reload.
      updateSettings(profile, { 'editor.semanticHighlighting.enabled': true });
      await p.reload({ waitUntil: 'domcontentloaded', timeout: 30_000 });
      await waitForWorkbench(p, 30_000);
      const restored = p.locator('.tabs-container .tab.active', { hasText: SOURCE });
      if (!(await restored.isVisible())) await quickOpen(p, SOURCE, UI_TIMEOUT_MS);
      // Semantic tokens arrive a few seconds later; wait until some colour moves (or give up and compare).
      let after = await readColours(p);
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline && COLOURED.every(([label]) => after[label].cls === before[label].cls)) {
        await p.waitForTimeout(500);
        after = await readColours(p);
      }
      const shot = await screenshot('semantic-colours');
      return `${assertDistinctColours(after, await defaultForeground(p))}\n${shot}`;
    },
  },
  {
    name: 'hover %cr4 shows the CR4 bit list (language server)',
    run: async () => {
      const p = requirePage();
      await goToLine(p, LINE.readCr4, UI_TIMEOUT_MS);
      // The CR4 bit list: a few bits from the start, middle and end of the register.
      const text = await hoverText(p, tokenRef(p, LINE.readCr4, '%cr4'), /PAE[\s\S]*PGE[\s\S]*OSFXSR[\s\S]*LA57/, 30_000);
      return `${text.split('\n')[0]}\n${await screenshot('hover-cr4')}`;
    },
  },
  {
    name: 'hover a macro call (TAKE_STACK_LOCK) shows its expansion',
    run: async () => {
      const p = requirePage();
      await goToLine(p, LINE.lockCall, UI_TIMEOUT_MS);
      // The default arguments take the .else branch: the expansion locks stack_lock - tramp_base.
      const text = await hoverText(
        p,
        tokenRef(p, LINE.lockCall, 'TAKE_STACK_LOCK'),
        /lock\s+btsl\s+\$0,\s*stack_lock - tramp_base/,
        30_000,
      );
      return `${text.split('\n').slice(0, 4).join(' | ')}\n${await screenshot('hover-macro')}`;
    },
  },
  // The debug steps use helpers from debug-ui.ts that test/e2e/harness-check.ts also proves against VS Code's own
  // JavaScript debugger, so a failure here points at the extension rather than at the harness. A step for a
  // feature not built yet gets `pending: 'why'` (reported, not run, not counted).
  {
    name: 'F5 with no launch.json stops on entry',
    required: true,
    timeoutMs: 60_000,
    run: async () => {
      const p = requirePage();
      if (existsSync(join(EXAMPLE, '.vscode', 'launch.json'))) throw new Error('the example has a launch.json');
      await goToLine(p, LINE.cli, UI_TIMEOUT_MS);
      // The only debugger for gas-x86 is ours, so VS Code asks nothing; start "ap" is inferred from the file.
      await startDebugging(p, UI_TIMEOUT_MS);
      const line = await waitForStop(p, 45_000);
      if (line !== LINE.cli) throw new Error(`stopped on line ${line}, expected the entry (cli) on line ${LINE.cli}`);
      return `stopped on entry, line ${line}\n${await screenshot('stop-on-entry')}`;
    },
  },
  {
    name: 'continue to the mode-switch stop (real -> protected)',
    run: async () => {
      const p = requirePage();
      await continueExecution(p);
      const line = await waitForStop(p, UI_TIMEOUT_MS, LINE.cli);
      // lmsw sets CR0.PE; the stop is reported on it or on the far jump after it.
      if (line !== LINE.lmsw && line !== LINE.lmsw + 1) {
        throw new Error(`stopped on line ${line}, expected the mode switch (lmsw) on line ${LINE.lmsw} or the next`);
      }
      return `stopped on line ${line}\n${await screenshot('mode-switch-stop')}`;
    },
  },
  {
    // lmsw sets PE but CS keeps its 16-bit attributes until the far jump: protected mode, 16-bit code.
    name: 'the status bar shows the CPU mode (Protected 16)',
    run: async () => {
      const p = requirePage();
      const item = p.locator('.statusbar-item', { hasText: /Protected 16/ }).first();
      await item.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS }).catch(() => undefined);
      const status = (await p.locator('.statusbar').innerText()).replace(/\s+/g, ' ');
      if (!/Protected 16/.test(status)) throw new Error(`status bar does not say "Protected 16": ${status}`);
      return (await item.innerText()).replace(/\s+/g, ' ');
    },
  },
  {
    name: 'hover %cr0 shows its live value with PE=1',
    run: async () => {
      const p = requirePage();
      await goToLine(p, LINE.writeCr0, UI_TIMEOUT_MS);
      const text = await debugHoverText(p, tokenRef(p, LINE.writeCr0, '%cr0'), /\bPE\s*[=:]\s*1\b/, UI_TIMEOUT_MS);
      return `${text.split('\n').slice(0, 3).join(' | ')}\n${await screenshot('hover-cr0-live')}`;
    },
  },
  {
    name: 'Variables view shows CR0.PE = 1',
    run: async () => {
      const p = requirePage();
      const tree = await variablesView(p, UI_TIMEOUT_MS);
      // Scope and variable names as debug-adapter/runtime/variables.ts gives them (matched case-insensitively).
      await expandVariable(tree, 'Control registers', UI_TIMEOUT_MS);
      await expandVariable(tree, 'cr0', UI_TIMEOUT_MS);
      const pe = await variableValue(tree, 'PE', UI_TIMEOUT_MS);
      if (!/^(1|true)\b/.test(pe)) throw new Error(`CR0.PE = ${pe}`);
      return `CR0.PE = ${pe}\n${await screenshot('variables-cr0')}`;
    },
  },
  {
    name: 'the page-table map opens',
    run: async () => {
      const p = requirePage();
      await runCommand(p, 'x86 Trampoline: Open Page-Table Map', UI_TIMEOUT_MS);
      // Webviews live in an iframe; its tab is enough to know the panel opened, the picture is in the screenshot.
      await p.locator('.tabs-container .tab', { hasText: /Page.?Table/i }).waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
      await p.locator('iframe.webview').first().waitFor({ state: 'attached', timeout: UI_TIMEOUT_MS });
      await p.waitForTimeout(1000); // let the webview paint before the screenshot
      return await screenshot('page-table-map');
    },
  },
  {
    name: 'continuing to paging on, the map shows the identity-mapped first GiB',
    run: async () => {
      const p = requirePage();
      const tab = p.locator('.tabs-container .tab', { hasText: /Page-Table Map/ }).first();
      // Each continue stops at the next mode switch; paging comes on with CR0.PG (IA-32e, 4-level).
      let line = await waitForStop(p, UI_TIMEOUT_MS);
      for (let i = 0; i < 4 && /paging off/.test(await tab.innerText()); i++) {
        await continueExecution(p);
        line = await waitForStop(p, UI_TIMEOUT_MS, line);
      }
      const title = (await tab.innerText()).trim();
      if (/paging off/.test(title)) throw new Error(`paging still off after 4 continues (tab "${title}", line ${line})`);
      // The webview is an iframe inside an iframe; its total line says how much is mapped.
      const view = p.frameLocator('iframe.webview').first().frameLocator('#active-frame');
      const total = view.locator('#total');
      await total.filter({ hasText: /mapped/ }).waitFor({ timeout: UI_TIMEOUT_MS });
      const text = (await total.innerText()).trim();
      if (!/^1 GiB mapped/.test(text)) throw new Error(`map says "${text}", expected the identity-mapped first GiB`);
      await p.waitForTimeout(500);
      const shot = await screenshot('page-table-map-paging');
      await stopDebugging(p, UI_TIMEOUT_MS);
      return `${title}: ${text} (stopped on line ${line})\n${shot}`;
    },
  },
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
        await screenshot(step.knownIssue ? 'known-issue' : 'FAILED').catch(() => undefined);
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
