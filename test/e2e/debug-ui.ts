// The Run and Debug side of the workbench as Playwright calls: F5 (with an optional debugger pick), wait for a
// stop and read which line it is on, continue, read the Variables view, read the debug hover, stop. Checked
// against VS Code's own JavaScript debugger by test/e2e/harness-check.ts, so the x86 steps can rely on them.
import type { Locator, Page } from 'playwright-core';
import { activeEditor, hoverUntil, type TokenRef } from './workbench';

interface DomNode {
  textContent: string | null;
  getBoundingClientRect(): { top: number };
  querySelectorAll(sel: string): ArrayLike<DomNode>;
}

/** F5 in the editor. If VS Code asks which debugger to use and `pick` is given, that entry is chosen. */
export async function startDebugging(page: Page, timeoutMs: number, pick?: string): Promise<void> {
  await activeEditor(page).locator('.view-lines').click({ timeout: timeoutMs });
  await page.keyboard.press('F5');
  if (pick === undefined) return;
  const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: pick }).first();
  await row.waitFor({ state: 'visible', timeout: timeoutMs });
  await row.click({ timeout: timeoutMs });
}

/** The debug toolbar shows while a session runs. */
export function debugToolbar(page: Page): Locator {
  return page.locator('.debug-toolbar');
}

/**
 * Waits until the session is paused and returns the 1-based line of the top stack frame: from the current-line
 * decoration when that line is on screen, else from the Call Stack's first frame ("..., line 81, file").
 * `notOnLine` waits for a stop on a different line (after a continue).
 */
export async function waitForStop(page: Page, timeoutMs: number, notOnLine?: number): Promise<number> {
  await debugToolbar(page).waitFor({ state: 'visible', timeout: timeoutMs });
  const deadline = Date.now() + timeoutMs;
  for (let round = 0; ; round++) {
    const paused = await debugToolbar(page).locator('.codicon-debug-continue').isVisible();
    const line = paused ? ((await topFrameLine(page)) ?? (round >= 3 ? await callStackLine(page) : undefined)) : undefined;
    if (line !== undefined && line !== notOnLine) return line;
    if (Date.now() > deadline) {
      throw new Error(`no stop${notOnLine ? ` other than line ${notOnLine}` : ''} within ${timeoutMs} ms`);
    }
    await page.waitForTimeout(200);
  }
}

async function topFrameLine(page: Page): Promise<number | undefined> {
  // The editor that shows the stop, which need not be the active group (a webview may have focus).
  const editor = page
    .locator('.monaco-editor')
    .filter({ has: page.locator('.debug-top-stack-frame-line, .debug-top-stack-frame-range') })
    .first();
  if ((await editor.count()) === 0) return undefined;
  const line = await editor.evaluate((root: unknown) => {
    const el = root as DomNode;
    const marker = el.querySelectorAll('.debug-top-stack-frame-line, .debug-top-stack-frame-range');
    if (marker.length === 0) return -1;
    const top = marker[0].getBoundingClientRect().top;
    const gutter = Array.from(el.querySelectorAll('.margin-view-overlays .line-numbers')).find(
      (n) => Math.abs(n.getBoundingClientRect().top - top) < 2,
    );
    return gutter ? Number(gutter.textContent) : -1;
  });
  return line > 0 ? line : undefined;
}

/** The top frame's line from the Call Stack view (opened and expanded if need be). */
async function callStackLine(page: Page): Promise<number | undefined> {
  const frames = page.locator('.debug-call-stack .monaco-list-row[aria-label^="Stack Frame"]');
  if (!(await frames.first().isVisible())) {
    await page.keyboard.press('Control+Shift+D');
    const header = page.locator('.pane-header[aria-expanded="false"]', { hasText: /^\s*Call Stack/i }).first();
    if (await header.isVisible()) await header.click({ timeout: 2000 }).catch(() => undefined);
    await frames.first().waitFor({ state: 'visible', timeout: 2000 }).catch(() => undefined);
  }
  const label = (await frames.first().getAttribute('aria-label', { timeout: 1000 }).catch(() => null)) ?? '';
  const m = /, line (\d+),/.exec(label);
  return m ? Number(m[1]) : undefined;
}

/** Continue, by the debug toolbar's button (keyboard focus may be in a webview that keeps F5 to itself). */
export async function continueExecution(page: Page): Promise<void> {
  await debugToolbar(page).locator('.codicon-debug-continue').click({ timeout: 5000 });
}

/** Shift+F5 and wait for the toolbar to go. */
export async function stopDebugging(page: Page, timeoutMs: number): Promise<void> {
  if (!(await debugToolbar(page).isVisible())) return;
  await page.keyboard.press('Shift+F5');
  await debugToolbar(page).waitFor({ state: 'hidden', timeout: timeoutMs });
}

/**
 * Opens the Run and Debug view (Ctrl+Shift+D) and returns the Variables tree, given room: the other panes
 * (Watch, Call Stack, Breakpoints, ...) and the expanded scopes are collapsed, since the tree only renders the
 * rows that fit.
 */
export async function variablesView(page: Page, timeoutMs: number): Promise<Locator> {
  await page.keyboard.press('Control+Shift+D');
  const tree = page.locator('.debug-variables');
  await tree.waitFor({ state: 'visible', timeout: timeoutMs });
  const headers = page.locator('.debug-pane .pane-header[aria-expanded="true"], .pane-header[aria-expanded="true"]');
  for (let i = (await headers.count()) - 1; i >= 0; i--) {
    const header = headers.nth(i);
    const title = (await header.innerText({ timeout: 2000 }).catch(() => '')).trim();
    if (/^variables/i.test(title) || title === '') continue;
    await header.click({ timeout: 2000 }).catch(() => undefined);
  }
  const expandedScopes = tree.locator('.monaco-list-row[aria-level="1"][aria-expanded="true"]');
  for (let n = await expandedScopes.count(); n > 0; n--) {
    await expandedScopes.first().click({ timeout: 2000 }).catch(() => undefined);
    await page.waitForTimeout(150);
  }
  return tree;
}

/** Expands the scope or variable row labelled `name` (if collapsed). The tree re-renders as values arrive, so
 * a row can move under the click: it clicks again until the row says it is expanded. */
export async function expandVariable(tree: Locator, name: string, timeoutMs: number): Promise<void> {
  const row = variableRow(tree, name);
  const deadline = Date.now() + timeoutMs;
  await row.waitFor({ state: 'visible', timeout: timeoutMs });
  while ((await row.getAttribute('aria-expanded', { timeout: 2000 }).catch(() => 'false')) !== 'true') {
    if (Date.now() > deadline) throw new Error(`could not expand "${name}" in the Variables view`);
    await row.click({ timeout: 2000 }).catch(() => undefined);
    await tree.page().waitForTimeout(300);
  }
}

/** The row for `name` in the Variables tree; VS Code 1.100 renders "name = value" (older ones "name: value"). */
export function variableRow(tree: Locator, name: string): Locator {
  const exact = new RegExp(`^\\s*${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\s*[:=]|\\s*$)`, 'i');
  return tree.locator('.monaco-list-row', { hasText: exact }).first();
}

export async function variableValue(tree: Locator, name: string, timeoutMs: number): Promise<string> {
  const row = variableRow(tree, name);
  await row.waitFor({ state: 'visible', timeout: timeoutMs });
  return (await row.locator('.value').first().innerText({ timeout: timeoutMs })).trim();
}

/** Hovers a token while paused and returns the debug hover's text (the evaluated value) once it matches. */
export function debugHoverText(page: Page, token: TokenRef, expect: RegExp, timeoutMs: number): Promise<string> {
  return hoverUntil(page, token, page.locator('.debug-hover-widget'), expect, timeoutMs);
}
