// The page-table map webview: created on first use, refreshed on every stop of the current session, with range
// walks and "Translate address…" going through the adapter's x86Trampoline.pageTables / translate requests.
import * as vscode from 'vscode';
import { LEGEND, mapModel, parseAddress, walkModel } from './logic/page-map';
import { REQUEST, type PageTablesBody, type TranslateBody } from './logic/protocol-types';
import { focusedThread, type SessionState } from './session-state';

export const PAGE_TABLE_COMMANDS = {
  open: 'x86Trampoline.openPageTableMap',
  translate: 'x86Trampoline.translateAddress',
} as const;

function nonce(): string {
  let s = '';
  for (let i = 0; i < 32; i++) s += 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'.charAt(Math.floor(Math.random() * 62));
  return s;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

class PageTablePanel {
  private panel: vscode.WebviewPanel | undefined;
  private ready = false;
  private pendingWalk: string | undefined;

  constructor(private readonly context: vscode.ExtensionContext, private readonly state: SessionState) {}

  get isOpen(): boolean {
    return !!this.panel;
  }

  show(): void {
    if (this.panel) {
      this.panel.reveal(undefined, true);
      return;
    }
    const media = vscode.Uri.joinPath(this.context.extensionUri, 'media');
    this.panel = vscode.window.createWebviewPanel('x86Trampoline.pageTables', 'Page-Table Map', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
      enableScripts: true,
      localResourceRoots: [media],
      retainContextWhenHidden: false,
    });
    this.ready = false;
    const w = this.panel.webview;
    const n = nonce();
    const css = w.asWebviewUri(vscode.Uri.joinPath(media, 'page-tables.css'));
    const js = w.asWebviewUri(vscode.Uri.joinPath(media, 'page-tables.js'));
    w.html = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${w.cspSource}; script-src 'nonce-${n}';">
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="stylesheet" href="${css}"><title>Page-Table Map</title></head>
<body><h1 id="title">Page tables</h1><div class="sub" id="total"></div>
<form class="toolbar" id="translate"><input id="address" placeholder="Translate linear address, e.g. 0xffffffff81000000" aria-label="Linear address"><button type="submit">Translate</button><button type="button" id="refresh">Refresh</button></form>
<div class="legend" id="legend"></div><div class="strip" id="strip"></div><div class="empty" id="empty"></div>
<table id="table"><thead><tr><th>Linear</th><th>Last byte</th><th>Physical</th><th>Size</th><th>Page</th><th>Flags</th></tr></thead><tbody id="rows"></tbody></table>
<div class="walk" id="walk" hidden></div><script nonce="${n}" src="${js}"></script></body></html>`;
    w.onDidReceiveMessage((m: { type: string; address?: string }) => this.onMessage(m));
    this.panel.onDidDispose(() => {
      this.panel = undefined;
      this.ready = false;
    });
  }

  private async onMessage(m: { type: string; address?: string }): Promise<void> {
    switch (m.type) {
      case 'ready':
        this.ready = true;
        void this.post({ type: 'legend', legend: LEGEND });
        await this.refresh();
        if (this.pendingWalk) {
          const a = this.pendingWalk;
          this.pendingWalk = undefined;
          await this.translate(a);
        }
        break;
      case 'refresh':
        await this.refresh();
        break;
      case 'walk':
      case 'translate':
        if (m.address !== undefined) await this.translate(m.address);
        break;
    }
  }

  private post(message: unknown): Thenable<boolean> | undefined {
    return this.ready ? this.panel?.webview.postMessage(message) : undefined;
  }

  async refresh(): Promise<void> {
    if (!this.panel || !this.ready) return;
    const session = this.state.current();
    if (!session || !this.state.isStopped(session)) {
      void this.post({ type: 'idle', message: session ? 'The program is running; the map refreshes at the next stop.' : 'Start an x86 Trampoline debug session; the map shows the address space at every stop.' });
      return;
    }
    try {
      const body = (await session.customRequest(REQUEST.pageTables, { threadId: focusedThread(this.state, session) })) as PageTablesBody;
      void this.post({ type: 'model', model: mapModel(body) });
      this.panel.title = `Page-Table Map (${body.paging === 'none' ? 'paging off' : body.paging})`;
    } catch (e) {
      void this.post({ type: 'idle', message: `Cannot read the page tables: ${errorText(e)}` });
    }
  }

  /** Shows the walk of `text` (an address as typed); returns the result for the command's message too. */
  async translate(text: string): Promise<TranslateBody | undefined> {
    const address = parseAddress(text);
    if (!address) {
      void this.post({ type: 'error', message: `'${text}' is not an address (use 0x…, …h or decimal)` });
      return undefined;
    }
    if (this.panel && !this.ready) {
      this.pendingWalk = address;
      return undefined;
    }
    const session = this.state.current();
    if (!session) {
      void this.post({ type: 'error', message: 'No x86 Trampoline debug session.' });
      return undefined;
    }
    try {
      const body = (await session.customRequest(REQUEST.translate, { address, threadId: focusedThread(this.state, session) })) as TranslateBody;
      void this.post({ type: 'walk', walk: walkModel(body) });
      return body;
    } catch (e) {
      void this.post({ type: 'error', message: errorText(e) });
      return undefined;
    }
  }
}

export function registerPageTablePanel(context: vscode.ExtensionContext, state: SessionState): void {
  let panel: PageTablePanel | undefined;
  const get = (): PageTablePanel => (panel ??= new PageTablePanel(context, state));
  context.subscriptions.push(
    vscode.commands.registerCommand(PAGE_TABLE_COMMANDS.open, () => get().show()),
    vscode.commands.registerCommand(PAGE_TABLE_COMMANDS.translate, async (given?: string) => {
      const session = state.current();
      if (!session) {
        void vscode.window.showInformationMessage('x86 Trampoline: start a debug session to translate addresses.');
        return;
      }
      const text = typeof given === 'string' ? given : await vscode.window.showInputBox({
        title: 'Translate linear address',
        prompt: 'Linear address to walk through the current CPU\'s page tables',
        placeHolder: '0xffffffff81000000',
        validateInput: (v) => (parseAddress(v) ? undefined : 'Enter an address: 0x…, …h or decimal'),
      });
      if (!text) return;
      const p = get();
      const address = parseAddress(text)!;
      if (!p.isOpen) p.show();
      let body: TranslateBody | undefined;
      try {
        body = (await session.customRequest(REQUEST.translate, { address, threadId: focusedThread(state, session) })) as TranslateBody;
      } catch (e) {
        void vscode.window.showErrorMessage(`x86 Trampoline: ${errorText(e)}`);
        return;
      }
      void p.translate(address);
      const w = walkModel(body);
      void vscode.window.showInformationMessage(`${w.summary}${w.levels.length ? ` — ${w.levels.map((l) => `${l.name} ${l.value}`).join(', ')}` : ''}`);
    }),
    state.onStatus.event(() => void panel?.refresh()),
    state.onEnded.event(() => void panel?.refresh()),
  );
}
