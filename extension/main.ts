// Extension entry: starts the language client and registers the debugger. All logic lives in server/ and
// debug-adapter/; this layer only wires VS Code to them.
import * as vscode from 'vscode';
import { startLanguageClient, stopLanguageClient } from './language-client';
import { registerDebugging } from './debugging';

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  registerDebugging(context);
  await startLanguageClient(context);
}

export async function deactivate(): Promise<void> {
  await stopLanguageClient();
}
