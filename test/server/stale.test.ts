// While an analysis is pending, the views the editor re-requests after each edit (semantic tokens, folding,
// symbols, inlay hints, code lenses, completion) are answered from the last analysis over the current text, and
// the server asks the client to refresh them when the new analysis lands.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestClient, fileUri } from './lsp-client';

it('answers from the last analysis, then asks for a refresh', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'server-stale-'));
  const client = new TestClient();
  const refreshes: string[] = [];
  for (const m of ['workspace/semanticTokens/refresh', 'workspace/inlayHint/refresh', 'workspace/codeLens/refresh'])
    client.conn.onRequest(m, () => { refreshes.push(m); return null; });
  try {
    await client.conn.sendRequest('initialize', {
      processId: process.pid,
      rootUri: fileUri(dir),
      capabilities: { workspace: { semanticTokens: { refreshSupport: true }, inlayHint: { refreshSupport: true }, codeLens: { refreshSupport: true } } },
      // Every pending analysis counts as slow, and the debounce is long enough to ask in between.
      initializationOptions: { debounceMs: 2000, staleThresholdMs: 0 },
    });
    await client.conn.sendNotification('initialized', {});
    const p = join(dir, 'stale.S');
    writeFileSync(p, '.macro M\n  nop\n.endm\n.code32\nstart:\n  M\n  jmp start\n');
    await client.open(p);
    const version = client.editNoWait(p, { range: { start: { line: 6, character: 0 }, end: { line: 6, character: 0 } }, text: '  M\n' });
    const fresh = client.waitDiagnostics(fileUri(p), version);
    const t0 = Date.now();
    const tokens = await client.request('textDocument/semanticTokens/full', p);
    // The answer came before the debounced analysis ran: it is built over the new text (8 lines) from the old analysis.
    assert.ok(Date.now() - t0 < 1500);
    const lines = new Set<number>();
    let line = 0;
    for (let i = 0; i < tokens.data.length; i += 5) lines.add((line += tokens.data[i]));
    assert.ok(lines.has(6) && lines.has(7), `tokens on lines ${[...lines]}`);
    await fresh;
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(refreshes.includes('workspace/semanticTokens/refresh'), JSON.stringify(refreshes));
  } finally {
    await client.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
