// What a person does in the VS Code workbench, as Playwright calls: open a file through Quick Open, go to a line,
// read the rendered tokens and their colours, hover a token. Every wait is bounded.
// The page functions run in the browser; the repo's tsconfig has no DOM lib, so they use the small types below.
import type { Locator, Page } from 'playwright-core';

export interface RenderedToken {
  text: string;
  /** Monaco's colour-map class (mtk1 is the default foreground). */
  cls: string;
  /** getComputedStyle(span).color, e.g. "rgb(86, 156, 214)". */
  color: string;
}

export interface RenderedLine {
  /** 1-based line number taken from the gutter at the same vertical position. */
  lineNumber: number;
  text: string;
  tokens: RenderedToken[];
}

interface DomNode {
  textContent: string | null;
  parentElement: DomNode | null;
  style: { top: string };
  className: string;
  getBoundingClientRect(): { top: number; bottom: number; left: number; right: number; width: number; height: number };
  querySelectorAll(sel: string): ArrayLike<DomNode>;
  closest(sel: string): DomNode | null;
}
interface DomWindow {
  document: { querySelectorAll(sel: string): ArrayLike<DomNode>; querySelector(sel: string): DomNode | null };
  getComputedStyle(el: DomNode): { color: string };
}

const NBSP = /\u00a0/g;

export async function waitForWorkbench(page: Page, timeoutMs: number): Promise<void> {
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: timeoutMs });
  // The explorer shows the folder once the remote file system is connected.
  await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ state: 'visible', timeout: timeoutMs });
  // The configured colour theme arrives after a first paint in the built-in light theme; its id becomes a class
  // of the workbench once applied, so screenshots show the real theme.
  await page.locator('.monaco-workbench[class*="vscode-theme-"]').waitFor({ state: 'attached', timeout: timeoutMs });
}

/** Runs a command from the Command Palette by its full title, as a person would (F1, type, Enter). */
export async function runCommand(page: Page, title: string, timeoutMs: number): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input.input');
  await input.waitFor({ state: 'visible', timeout: timeoutMs });
  await input.fill(`>${title}`);
  await page
    .locator('.quick-input-list .monaco-list-row', { hasText: title })
    .first()
    .waitFor({ state: 'visible', timeout: timeoutMs });
  await page.keyboard.press('Enter');
  await input.waitFor({ state: 'hidden', timeout: timeoutMs });
}

/** The editor group that has focus (the one Quick Open and Go to Line act on). */
export function activeEditor(page: Page): Locator {
  return page.locator('.editor-group-container.active .monaco-editor').first();
}

/** Opens a workspace file the way a person does: Ctrl+P, type the name, Enter. */
export async function quickOpen(page: Page, fileName: string, timeoutMs: number): Promise<void> {
  await page.locator('.monaco-workbench').click({ position: { x: 5, y: 5 }, timeout: timeoutMs }).catch(() => undefined);
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input.input');
  await input.waitFor({ state: 'visible', timeout: timeoutMs });
  await input.fill(fileName);
  // Wait for the file to be listed (the file search runs on the server), then pick that row: the highlighted
  // one may still be a recently opened file.
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: fileName }).first();
  await row.waitFor({ state: 'visible', timeout: timeoutMs });
  await row.click({ timeout: timeoutMs });
  await page.locator('.tabs-container .tab.active', { hasText: fileName }).waitFor({ state: 'visible', timeout: timeoutMs });
  await activeEditor(page).locator('.view-lines .view-line').first().waitFor({ state: 'visible', timeout: timeoutMs });
}

/** Ctrl+G, line number, Enter: the line is revealed (centred) and the cursor placed on it. */
export async function goToLine(page: Page, line: number, timeoutMs: number): Promise<void> {
  await activeEditor(page).locator('.view-lines').click({ timeout: timeoutMs });
  await page.keyboard.press('Control+G');
  const input = page.locator('.quick-input-widget input.input');
  await input.waitFor({ state: 'visible', timeout: timeoutMs });
  await input.fill(`:${line}`); // Go to Line is Quick Open with the ":" prefix
  await page.keyboard.press('Enter');
  await input.waitFor({ state: 'hidden', timeout: timeoutMs });
  await activeEditor(page)
    .locator('.margin-view-overlays .line-numbers', { hasText: new RegExp(`^${line}$`) })
    .waitFor({ state: 'visible', timeout: timeoutMs });
}

/** Every rendered line of the active editor with its tokens and their computed colours. */
export async function renderedLines(page: Page): Promise<RenderedLine[]> {
  const lines = await activeEditor(page).evaluate((editor: unknown) => {
    const root = editor as DomNode;
    const win = globalThis as unknown as DomWindow;
    const numbers = Array.from(root.querySelectorAll('.margin-view-overlays .line-numbers')).map((n) => ({
      top: n.getBoundingClientRect().top,
      num: Number(n.textContent),
    }));
    return Array.from(root.querySelectorAll('.view-lines .view-line')).map((line) => {
      const top = line.getBoundingClientRect().top;
      const gutter = numbers.find((n) => Math.abs(n.top - top) < 2);
      // Inlay hints are injected text (dyn-rule-* classes): not part of the source line.
      const spans = Array.from(line.querySelectorAll('span[class*="mtk"]:not([class*="dyn-rule"])'));
      return {
        lineNumber: gutter ? gutter.num : -1,
        text: spans.map((s) => s.textContent ?? '').join(''),
        tokens: spans.map((s) => ({ text: s.textContent ?? '', cls: s.className, color: win.getComputedStyle(s).color })),
      };
    });
  });
  for (const l of lines) {
    l.text = l.text.replace(NBSP, ' ');
    for (const t of l.tokens) t.text = t.text.replace(NBSP, ' ');
  }
  return lines.sort((a, b) => a.lineNumber - b.lineNumber);
}

/** The colour of the editor's plain text (Monaco's mtk1), read from the theme's foreground. */
export async function defaultForeground(page: Page): Promise<string> {
  return activeEditor(page).evaluate((editor: unknown) => {
    const win = globalThis as unknown as DomWindow;
    // Only a bare mtk1: bracket-pair colouring adds classes (and colours) to some mtk1 spans.
    const plain = (editor as DomNode).querySelectorAll('.view-lines span[class="mtk1"]');
    const probe = plain.length ? plain[0] : (editor as DomNode);
    return win.getComputedStyle(probe).color;
  });
}

/**
 * The token that colours `word` on rendered line `lineNumber`: the span covering the word's first letter or
 * digit (so a sigil such as `%` or `.` scoped as punctuation does not decide the colour).
 */
export function tokenAt(lines: RenderedLine[], lineNumber: number, word: string): RenderedToken & { lineNumber: number } {
  const found = lines.find((l) => l.lineNumber === lineNumber);
  if (!found) throw new Error(`line ${lineNumber} is not rendered; rendered: ${lines.map((l) => l.lineNumber).join(',')}`);
  const start = found.text.indexOf(word);
  if (start < 0) throw new Error(`line ${found.lineNumber} "${found.text}" has no "${word}"`);
  const offset = start + word.search(/[A-Za-z0-9]/);
  let pos = 0;
  for (const t of found.tokens) {
    if (offset < pos + t.text.length) return { ...t, lineNumber: found.lineNumber };
    pos += t.text.length;
  }
  throw new Error(`no token covers "${word}" on line ${found.lineNumber}`);
}

/** Finds a token's span anew each time it is called: the editor re-renders (and re-positions) lines at will. */
export type TokenRef = () => Promise<Locator>;

/**
 * The span holding `word` on line `lineNumber` (which must be rendered: go to it first). The line is found by
 * its gutter number, whose row shares its `top` style with the text row.
 */
export function tokenRef(page: Page, lineNumber: number, word: string): TokenRef {
  return async () => {
    const editor = activeEditor(page);
    const top = await editor.evaluate((root: unknown, n: number) => {
      const gutter = Array.from((root as DomNode).querySelectorAll('.margin-view-overlays .line-numbers')).find(
        (el) => Number(el.textContent) === n,
      );
      const row = gutter?.parentElement;
      return row ? row.style.top : '';
    }, lineNumber);
    if (!top) throw new Error(`line ${lineNumber} is not rendered`);
    return editor
      .locator(`.view-lines .view-line[style*="top:${top};"]`)
      .first()
      .locator('span[class*="mtk"]:not([class*="dyn-rule"])', { hasText: word.replace(/^[%.]/, '') })
      .first();
  };
}

/**
 * Moves the mouse onto a token the way a hand does: away first, then in small steps, so the editor sees it
 * enter and rest there (one jump onto the spot does not always start a hover).
 */
export async function pointAt(page: Page, ref: TokenRef, timeoutMs: number): Promise<void> {
  const token = await ref();
  const box = await token.boundingBox({ timeout: timeoutMs });
  if (!box) throw new Error('token is not rendered');
  const x = box.x + box.width / 2;
  const y = box.y + box.height / 2;
  await page.mouse.move(x, y + 60);
  await page.mouse.move(x, y, { steps: 6 });
}

/**
 * Points at a token until `widget` shows text matching `expect` and returns that text. A hover can come too early
 * (language server still starting, debugger not yet settled on the new frame), so it tries again until the
 * deadline, alternating the mouse with the keyboard (cursor on the token, Ctrl+K Ctrl+I: "Show Hover", which is
 * also "Debug: Show Hover" while paused); the error quotes the last text seen.
 */
export async function hoverUntil(page: Page, token: TokenRef, widget: Locator, expect: RegExp, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '(no hover)';
  for (let round = 0; Date.now() < deadline; round++) {
    const budget = Math.min(5000, Math.max(1000, deadline - Date.now()));
    const byKeyboard = round % 2 === 1;
    // The editor re-renders lines while it tokenizes; a span that went away is found again next round.
    const pointed = await (byKeyboard ? cursorOn(page, token, budget) : pointAt(page, token, budget)).then(
      () => true,
      (err: Error) => ((last = `(could not reach the token: ${err.message.split('\n')[0]})`), false),
    );
    if (pointed) {
      if (byKeyboard) {
        await page.keyboard.press('Control+K');
        await page.keyboard.press('Control+I');
      }
      const shown = widget.filter({ visible: true }).first();
      // Watch the widget for a while: it may first say "Loading..." or show a stale value.
      const until = Math.min(deadline, Date.now() + 4000);
      while (Date.now() < until) {
        if (await shown.isVisible().catch(() => false)) {
          const text = (await shown.innerText({ timeout: 1000 }).catch(() => '')).trim();
          if (text) last = text;
          if (expect.test(text)) {
            await page.waitForTimeout(400); // let the fade-in finish, for the screenshot
            return text;
          }
        }
        await page.waitForTimeout(200);
      }
    }
    await page.keyboard.press('Escape');
    await page.mouse.move(1, 1);
    await page.waitForTimeout(300);
  }
  throw new Error(`hover never matched ${expect}; last seen:\n${last}`);
}

/** Puts the text cursor inside a token (a click on its middle). */
export async function cursorOn(page: Page, ref: TokenRef, timeoutMs: number): Promise<void> {
  await (await ref()).click({ timeout: timeoutMs });
}

/** The language hover (documentation from the language server) over a token. */
export function hoverText(page: Page, token: TokenRef, expect: RegExp, timeoutMs: number): Promise<string> {
  return hoverUntil(page, token, page.locator('.monaco-editor .monaco-hover-content'), expect, timeoutMs);
}

/** Text of the language-mode entry in the status bar ("Plain Text", "x86 Assembly (GAS)", ...). */
export async function languageMode(page: Page, expected: string, timeoutMs: number): Promise<string> {
  const item = page.locator('[id="status.editor.mode"]');
  await item.filter({ hasText: expected }).waitFor({ state: 'visible', timeout: timeoutMs }).catch(() => undefined);
  return (await item.innerText({ timeout: timeoutMs })).trim();
}
