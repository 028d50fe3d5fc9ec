// The extension starts the server over Node IPC (TransportKind.ipc passes --node-ipc): the same server must
// answer there as over --stdio.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createMessageConnection, IPCMessageReader, IPCMessageWriter } from 'vscode-jsonrpc/node';
import { examplePath, fileUri, repoRoot } from './lsp-client';

it('initializes, analyses and answers hover over --node-ipc', async () => {
  const child = fork(resolve(repoRoot, 'dist/server.js'), ['--node-ipc'], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  const conn = createMessageConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
  try {
    const diagnostics = new Promise<any>((res) => conn.onNotification('textDocument/publishDiagnostics', res));
    conn.listen();
    const init = (await conn.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {} })) as any;
    assert.equal(init.serverInfo.name, 'x86-trampoline-language-server');
    assert.ok(init.capabilities.hoverProvider && init.capabilities.semanticTokensProvider && init.capabilities.inlayHintProvider);
    await conn.sendNotification('initialized', {});
    const text = readFileSync(examplePath, 'latin1');
    await conn.sendNotification('textDocument/didOpen', { textDocument: { uri: fileUri(examplePath), languageId: 'gas-x86', version: 1, text } });
    const d = await diagnostics;
    assert.equal(d.uri, fileUri(examplePath));
    const line = text.split('\n').findIndex((l) => l.includes('movl    %eax, %cr4'));
    const h = (await conn.sendRequest('textDocument/hover', { textDocument: { uri: fileUri(examplePath) }, position: { line, character: text.split('\n')[line].indexOf('%cr4') + 1 } })) as any;
    assert.match(h.contents.value, /\| 5 \| PAE \|/);
    await conn.sendRequest('shutdown');
    await conn.sendNotification('exit');
  } finally {
    conn.dispose();
    child.kill();
  }
});
