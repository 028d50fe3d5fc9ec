// Checks the harness itself against a debugger that already works: VS Code's built-in JavaScript debugger in the
// same code-server. It proves the debug helpers (F5 with no launch.json, stop line, continue, Variables view,
// debug hover) read the real UI, so the x86 steps in run.ts only have to swap in the x86 file and expectations.
// Run: bash scripts/e2e-setup.sh && node --import tsx test/e2e/harness-check.ts   (not part of CI)
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CodeServer, makeProfile } from './code-server';
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
import { hoverText, quickOpen, tokenRef, waitForWorkbench } from './workbench';

const UI_TIMEOUT_MS = 20_000;
const PROGRAM = ['const answer = 6 * 7;', 'const flags = { pe: 1 };', 'debugger;', 'flags.pe = 0;', 'debugger;', ''].join('\n');

const work = mkdtempSync(join(tmpdir(), 'x86-trampoline-e2e-check-'));
let server: CodeServer | undefined;
let browser: Browser | undefined;
let page: Page | undefined;

function p(): Page {
  if (!page) throw new Error('no page');
  return page;
}

const steps: Step[] = [
  {
    name: 'serve a JavaScript workspace and open main.js',
    timeoutMs: 120_000,
    run: async () => {
      const folder = join(work, 'js');
      mkdirSync(folder);
      writeFileSync(join(folder, 'main.js'), PROGRAM);
      writeFileSync(join(folder, 'style.css'), 'body {\n  color: red;\n}\n');
      server = await CodeServer.start(makeProfile(join(work, 'profile')), folder, join(work, 'code-server.log'));
      await server.waitReady(60_000);
      browser = await chromium.launch({
        executablePath: '/usr/bin/chromium',
        args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
      });
      page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
      page.setDefaultTimeout(UI_TIMEOUT_MS);
      await page.goto(server.url, { timeout: 30_000 });
      await waitForWorkbench(page, 45_000);
      await quickOpen(page, 'main.js', UI_TIMEOUT_MS);
    },
  },
  {
    // (The TypeScript service is not shipped in code-server's npm package; the CSS server is.)
    name: 'language hover (CSS language server) documents a property',
    timeoutMs: 45_000,
    run: async () => {
      await quickOpen(p(), 'style.css', UI_TIMEOUT_MS);
      // The first hover may come before the server is up; hoverText points again until it answers.
      const text = await hoverText(p(), tokenRef(p(), 2, 'color'), /Sets the color/, 40_000);
      await p().keyboard.press('Escape');
      await quickOpen(p(), 'main.js', UI_TIMEOUT_MS);
      return text.split('\n')[0];
    },
  },
  {
    name: 'F5 with no launch.json (pick Node.js) stops at the first debugger statement',
    timeoutMs: 60_000,
    run: async () => {
      await startDebugging(p(), UI_TIMEOUT_MS, 'Node.js');
      const line = await waitForStop(p(), 45_000);
      if (line !== 3) throw new Error(`stopped on line ${line}, expected 3`);
      return `stopped on line ${line}`;
    },
  },
  {
    name: 'debug hover shows a live value',
    run: async () => {
      const text = await debugHoverText(p(), tokenRef(p(), 1, 'answer'), /\b42\b/, UI_TIMEOUT_MS);
      return text;
    },
  },
  {
    name: 'Variables view lists a nested value',
    run: async () => {
      const tree = await variablesView(p(), UI_TIMEOUT_MS);
      await expandVariable(tree, 'Local', UI_TIMEOUT_MS);
      const answer = await variableValue(tree, 'answer', UI_TIMEOUT_MS);
      await expandVariable(tree, 'flags', UI_TIMEOUT_MS);
      const pe = await variableValue(tree, 'pe', UI_TIMEOUT_MS);
      if (answer !== '42' || pe !== '1') throw new Error(`answer=${answer} pe=${pe}`);
      return `answer = ${answer}, flags.pe = ${pe}`;
    },
  },
  {
    name: 'continue stops at the next debugger statement; Shift+F5 ends the session',
    run: async () => {
      await continueExecution(p());
      const line = await waitForStop(p(), UI_TIMEOUT_MS, 3);
      if (line !== 5) throw new Error(`stopped on line ${line}, expected 5`);
      await stopDebugging(p(), UI_TIMEOUT_MS);
      return `stopped on line ${line}`;
    },
  },
];

async function main(): Promise<number> {
  for (const step of steps) {
    const run = step.run;
    if (!run) continue;
    step.run = () =>
      run().catch(async (err) => {
        await page?.screenshot({ path: join(work, 'failed.png'), timeout: 5000 }).catch(() => undefined);
        throw err;
      });
  }
  let summary;
  try {
    summary = await runSteps(steps);
  } finally {
    await withTimeout('close Chromium', 10_000, browser?.close() ?? Promise.resolve()).catch(() => undefined);
    await withTimeout('stop code-server', 10_000, server?.stop() ?? Promise.resolve()).catch(() => undefined);
  }
  if (summary.failed && server) console.log(`${server.logTail()}\nkept ${work} (failed.png shows the page)`);
  else rmSync(work, { recursive: true, force: true });
  console.log(`${summary.passed} passed, ${summary.failed} failed`);
  return summary.failed ? 1 : 0;
}

const watchdog = setTimeout(() => {
  console.log('harness check exceeded 4 minutes');
  process.exit(1);
}, 240_000);
watchdog.unref();
main().then((code) => process.exit(code), (err) => {
  console.error(err);
  process.exit(1);
});
