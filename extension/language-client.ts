import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';

let client: LanguageClient | undefined;

export async function startLanguageClient(context: vscode.ExtensionContext): Promise<void> {
  const module = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ language: 'gas-x86' }],
    synchronize: { configurationSection: 'x86Trampoline' },
  };
  client = new LanguageClient('x86Trampoline', 'x86 Trampoline Language Server', serverOptions, clientOptions);
  await client.start();
}

export async function stopLanguageClient(): Promise<void> {
  await client?.stop();
  client = undefined;
}
