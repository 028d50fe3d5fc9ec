// Requests never wait for unrelated work: a long analysis is read in slices (gas AnalysisRun.step between
// checkpoints), and requests about other documents are answered between the slices.
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestClient } from './lsp-client';
import { generateMacroHeavy } from '../../bench/server.bench';

let client: TestClient;
let dir: string;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'server-scheduling-'));
  client = new TestClient();
  await client.initialize(dir, { debounceMs: 0 });
});
after(async () => {
  await client.close();
  rmSync(dir, { recursive: true, force: true });
});

it('a hover on one document is answered while another, 20 000-line document is still being analysed', async () => {
  const small = join(dir, 'small.S');
  writeFileSync(small, '.code64\nstart:\n  jmp start\n');
  await client.open(small);
  const big = join(dir, 'big.S');
  const text = generateMacroHeavy(20_000);
  writeFileSync(big, text);
  let bigDone = false;
  const bigDiagnostics = client.open(big, text).then((d) => {
    bigDone = true;
    return d;
  });
  // Let the big document's analysis begin (its first slices run on the server's next turns).
  await new Promise((r) => setTimeout(r, 40));
  const hover = (await client.at('textDocument/hover', small, 2, 3)) as { contents: { value: string } } | null;
  assert.match(hover?.contents.value ?? '', /jmp/i);
  assert.equal(bigDone, false, 'the hover was answered only after the other document had been analysed');
  const diagnostics = await bigDiagnostics;
  assert.equal(diagnostics.filter((d) => d.severity === 1).length, 0);
});
