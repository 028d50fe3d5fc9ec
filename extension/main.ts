// Extension entry: wires VS Code to the language server (server/) and the debug adapter (debug-adapter/), both in
// their own processes. Activation only registers providers; views and panels are created when first shown.
import * as vscode from 'vscode';
import { registerLanguageFeatures, startLanguageClient, stopLanguageClient } from './language-client';
import { registerDebugging } from './debugging';
import { SessionState } from './session-state';
import { registerEditorProviders } from './editor-providers';
import { registerSessionViews } from './session-views';
import { registerPageTablePanel } from './page-table-panel';
import { registerControlRegisters } from './control-registers-view';
import { registerWalkthrough } from './walkthrough';

export function activate(context: vscode.ExtensionContext): void {
  const state = new SessionState();
  context.subscriptions.push(state);
  registerDebugging(context);
  registerLanguageFeatures(context);
  registerEditorProviders(context);
  registerSessionViews(context, state);
  registerPageTablePanel(context, state);
  registerControlRegisters(context, state);
  registerWalkthrough(context, state);
  // The server starts in the background: activation returns at once, requests wait for it.
  setImmediate(() => {
    startLanguageClient(context).catch((e) => {
      void vscode.window.showErrorMessage(`x86 Trampoline: the language server did not start: ${e instanceof Error ? e.message : String(e)}`);
    });
  });
}

export async function deactivate(): Promise<void> {
  await stopLanguageClient();
}
