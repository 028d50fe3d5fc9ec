// The language client (dist/server.js in its own process) and what the extension adds around it: the built-in
// kernel headers as virtual documents, "Expand macro at cursor", "Show preprocessed file" and the code lens
// "Debug from here".
import * as vscode from 'vscode';
import type { LanguageClient, LanguageClientOptions, ServerOptions } from 'vscode-languageclient/node';
import { expansionPath, preprocessedLinks, preprocessedPath, VIEW_SCHEME, type PreprocessedView } from './logic/virtual-docs';
import { debugFromHere, withDefaults, type DebugFromHereArgs } from './logic/debug-config';
import { LANGUAGE_ID } from './logic/protocol-types';
import { inferFor, machineDefaults, pickStart } from './debugging';

/** Names shared with server/ (server/uri.ts, server/server.ts, server/features/commands.ts, lens.ts). */
export const SERVER = {
  headerScheme: 'x86-trampoline-header',
  headerText: 'x86Trampoline/headerText',
  expandMacro: 'x86Trampoline.expandMacro',
  showPreprocessed: 'x86Trampoline.showPreprocessed',
  debugFromHere: 'x86Trampoline.debugFromHere',
} as const;

export const EDITOR_COMMANDS = {
  expandMacro: 'x86Trampoline.expandMacroAtCursor',
  showPreprocessed: 'x86Trampoline.showPreprocessedFile',
} as const;

let client: LanguageClient | undefined;
let settle: (c: LanguageClient | undefined) => void = () => {};
/** Resolves once the client has started (undefined if it failed): commands issued during activation wait here. */
const started = new Promise<LanguageClient | undefined>((r) => (settle = r));

function ready(): Promise<LanguageClient | undefined> {
  return started;
}

class ViewDocuments implements vscode.TextDocumentContentProvider, vscode.DocumentLinkProvider {
  private readonly texts = new Map<string, string>();
  private readonly views = new Map<string, PreprocessedView>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  set(uri: vscode.Uri, text: string, view?: PreprocessedView): void {
    this.texts.set(uri.toString(), text);
    if (view) this.views.set(uri.toString(), view);
    this.changed.fire(uri);
  }
  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? '';
  }
  provideDocumentLinks(document: vscode.TextDocument): vscode.DocumentLink[] {
    const view = this.views.get(document.uri.toString());
    if (!view) return [];
    return preprocessedLinks(view).map((l) => {
      const target = vscode.Uri.parse(l.target.uri).with({ fragment: `L${l.target.line + 1},${l.target.character + 1}` });
      const link = new vscode.DocumentLink(new vscode.Range(l.line, l.start, l.line, l.end), target);
      link.tooltip = 'Go to the source line';
      return link;
    });
  }
}

class HeaderDocuments implements vscode.TextDocumentContentProvider {
  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const c = await ready();
    if (!c) return `/* x86 Trampoline: the language server is not running; ${uri.toString()} is unavailable. */\n`;
    const r = (await c.sendRequest(SERVER.headerText, { uri: uri.toString() })) as { text: string | null };
    return r.text ?? `/* x86 Trampoline: no built-in header ${uri.path} */\n`;
  }
}

function activeGasEditor(): vscode.TextEditor | undefined {
  const e = vscode.window.activeTextEditor;
  if (e && e.document.languageId === LANGUAGE_ID) return e;
  void vscode.window.showInformationMessage('x86 Trampoline: open a GNU as (.S) file first.');
  return undefined;
}

/** The settings the server reads (server/config.ts), as plain JSON. */
function serverSettings(): Record<string, unknown> {
  const c = vscode.workspace.getConfiguration('x86Trampoline');
  return { includePaths: c.get('includePaths', []), defines: c.get('defines', {}), externalSymbols: c.get('externalSymbols', []) };
}

export async function startLanguageClient(context: vscode.ExtensionContext): Promise<void> {
  // Loaded here, not at the top: the client library is most of the bundle, and activation should not wait for it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const lc = require('vscode-languageclient/node') as typeof import('vscode-languageclient/node');
  const { TransportKind } = lc;
  const module = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ language: LANGUAGE_ID }, { scheme: SERVER.headerScheme }],
    synchronize: { configurationSection: 'x86Trampoline' },
    initializationOptions: { settings: serverSettings() },
  };
  client = new lc.LanguageClient('x86Trampoline', 'x86 Trampoline Language Server', serverOptions, clientOptions);
  try {
    await client.start();
    settle(client);
  } catch (e) {
    settle(undefined);
    throw e;
  }
}

export function registerLanguageFeatures(context: vscode.ExtensionContext): void {
  const views = new ViewDocuments();
  context.subscriptions.push(
    vscode.workspace.registerTextDocumentContentProvider(SERVER.headerScheme, new HeaderDocuments()),
    vscode.workspace.registerTextDocumentContentProvider(VIEW_SCHEME, views),
    vscode.languages.registerDocumentLinkProvider({ scheme: VIEW_SCHEME }, views),
    vscode.commands.registerCommand(EDITOR_COMMANDS.expandMacro, async () => {
      const editor = activeGasEditor();
      const c = editor && (await ready());
      if (!editor || !c) return;
      const position = editor.selection.active;
      const text = (await c.sendRequest('workspace/executeCommand', {
        command: SERVER.expandMacro,
        arguments: [{ uri: editor.document.uri.toString(), position: { line: position.line, character: position.character } }],
      })) as string | null;
      if (!text) {
        void vscode.window.showInformationMessage('x86 Trampoline: no macro call on this line.');
        return;
      }
      const uri = vscode.Uri.from({ scheme: VIEW_SCHEME, path: expansionPath(editor.document.uri.fsPath, position.line) });
      views.set(uri, text);
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.languages.setTextDocumentLanguage(doc, LANGUAGE_ID);
      await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true, preserveFocus: true });
    }),
    vscode.commands.registerCommand(EDITOR_COMMANDS.showPreprocessed, async () => {
      const editor = activeGasEditor();
      const c = editor && (await ready());
      if (!editor || !c) return;
      const view = (await c.sendRequest('workspace/executeCommand', {
        command: SERVER.showPreprocessed,
        arguments: [{ uri: editor.document.uri.toString() }],
      })) as PreprocessedView | null;
      if (!view) {
        void vscode.window.showInformationMessage('x86 Trampoline: the file has not been analysed yet; try again in a moment.');
        return;
      }
      const uri = vscode.Uri.from({ scheme: VIEW_SCHEME, path: preprocessedPath(editor.document.uri.fsPath) });
      views.set(uri, view.text, view);
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.languages.setTextDocumentLanguage(doc, LANGUAGE_ID);
      await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true });
    }),
    vscode.commands.registerCommand(SERVER.debugFromHere, async (args?: DebugFromHereArgs) => {
      if (!vscode.workspace.isTrusted) {
        void vscode.window.showWarningMessage('x86 Trampoline: debugging is disabled in Restricted Mode.');
        return;
      }
      const uri = args?.uri ? vscode.Uri.parse(args.uri) : vscode.window.activeTextEditor?.document.uri;
      if (!uri || uri.scheme !== 'file' || !args?.symbol) return;
      const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
      if (doc?.isDirty) await doc.save();
      const inference = await inferFor(uri.fsPath);
      if (!inference) return;
      const plan = debugFromHere(uri.fsPath, args, inference);
      if (plan.needsStart) {
        const picked = await pickStart(uri.fsPath, inference);
        if (!picked) return;
        plan.config.start = picked.start;
      }
      const folder = vscode.workspace.getWorkspaceFolder(uri);
      const config = withDefaults(plan.config, machineDefaults(), folder?.uri.fsPath, inference);
      let bp: vscode.FunctionBreakpoint | undefined;
      if (plan.runTo && !vscode.debug.breakpoints.some((b) => b instanceof vscode.FunctionBreakpoint && b.functionName === plan.runTo)) {
        // Run to the symbol: a function breakpoint for this session only.
        bp = new vscode.FunctionBreakpoint(plan.runTo);
        vscode.debug.addBreakpoints([bp]);
      }
      const started = await vscode.debug.startDebugging(folder, config as vscode.DebugConfiguration);
      if (bp) {
        const remove = (): void => {
          vscode.debug.removeBreakpoints([bp!]);
          sub.dispose();
        };
        const sub = vscode.debug.onDidTerminateDebugSession(remove);
        if (!started) remove();
      }
    }),
  );
}

export async function stopLanguageClient(): Promise<void> {
  await client?.stop();
  client = undefined;
}
