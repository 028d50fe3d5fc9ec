// Random edits to the real files (fixed seed, bounded): the server must stay alive, answer every request with a
// well-formed result, and publish diagnostics for the final text.
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { TestClient, examplePath, fileUri, seedPath } from './lsp-client';

const snippets = [
  '.macro', '.endm', '.if 1', '.else', '.endif', '.rept 3', '.endr', '#if 0', '#endif', '#include <asm/msr.h>', '#define X 1',
  '1:', '1b', '2f', '%rax', '%cr4', '.code16', '.code32', '.code64', 'ljmpl $0x8, $1f', 'TAKE_STACK_LOCK lock_rip=1', '\\@',
  '(', ')', ',', '"', '/*', '*/', '#', ';', '\n', '\n\n', 'SYM_CODE_START(x)', 'SYM_CODE_END(x)', '$X86_CR4_PAE', 'movl %eax, %cr0',
  'lock btsl $0, stack_lock(%rip)', '.balign 4096', '.fill 1 << 20, 1, 0', 'label:', ' ', '\t', 'é', '\u0000',
];

let client: TestClient;
before(async () => {
  client = new TestClient();
  await client.initialize(`${__dirname}/../..`, { debounceMs: 5 });
});
after(async () => {
  await client.close();
});

type Edit = { kind: 'insert' | 'delete' | 'replace'; at: number; len: number; text: string };

const editArb: fc.Arbitrary<Edit> = fc.record({
  kind: fc.constantFrom('insert', 'delete', 'replace'),
  at: fc.nat(),
  len: fc.nat({ max: 40 }),
  text: fc.array(fc.constantFrom(...snippets), { minLength: 1, maxLength: 4 }).map((a) => a.join(' ')),
});

const requests = ['textDocument/hover', 'textDocument/definition', 'textDocument/completion', 'textDocument/references', 'textDocument/signatureHelp', 'textDocument/documentHighlight', 'textDocument/prepareRename'];

it('random edits keep the server alive and answering', async () => {
  for (const path of [examplePath, seedPath]) {
    const original = readFileSync(path, 'latin1');
    let doc = TextDocument.create(fileUri(path), 'gas-x86', 1, original);
    await client.open(path, original);
    await fc.assert(
      fc.asyncProperty(fc.array(editArb, { minLength: 1, maxLength: 6 }), fc.nat(), async (edits, probe) => {
        for (const e of edits) {
          const len = doc.getText().length;
          const start = e.at % (len + 1);
          const end = e.kind === 'insert' ? start : Math.min(len, start + e.len);
          const range = { start: doc.positionAt(start), end: doc.positionAt(end) };
          const text = e.kind === 'delete' ? '' : e.text;
          client.editNoWait(path, { range, text });
          doc = TextDocument.update(doc, [{ range, text }], doc.version + 1);
          const pos = doc.positionAt(probe % (doc.getText().length + 1));
          const method = requests[probe % requests.length];
          const extra = method === 'textDocument/references' ? { context: { includeDeclaration: true } } : {};
          const r = await client.at(method, path, pos.line, pos.character, extra);
          assert.ok(r === null || typeof r === 'object');
        }
        const tokens = await client.request('textDocument/semanticTokens/full', path);
        assert.ok(Array.isArray(tokens.data) && tokens.data.length % 5 === 0);
        const symbols = await client.request('textDocument/documentSymbol', path);
        assert.ok(Array.isArray(symbols));
        const folds = await client.request('textDocument/foldingRange', path);
        assert.ok(folds.every((f: any) => f.endLine >= f.startLine && f.endLine < doc.lineCount));
        const whole = { start: { line: 0, character: 0 }, end: { line: doc.lineCount, character: 0 } };
        assert.ok(Array.isArray(await client.request('textDocument/inlayHint', path, { range: whole })));
        assert.ok(Array.isArray(await client.request('textDocument/codeLens', path)));
        assert.ok(Array.isArray(await client.request('textDocument/documentLink', path)));
        const p = doc.positionAt(probe % (doc.getText().length + 1));
        const expanded = await client.conn.sendRequest('workspace/executeCommand', { command: 'x86Trampoline.expandMacro', arguments: [{ uri: fileUri(path), position: p }] });
        assert.ok(expanded === null || typeof expanded === 'string');
      }),
      { seed: 0x7a3b, numRuns: 25, endOnFailure: true },
    );
    // The server converges on the final text: its diagnostics are for the last version.
    const final = await client.edit(path, { text: doc.getText() });
    assert.ok(Array.isArray(final));
    assert.equal(client.exited, null);
    // Handlers never threw (each failure would be logged by the server's guard).
    assert.deepEqual(client.logs.filter((l) => /failed|uncaught|unhandled/.test(l)).slice(0, 3), []);
    // Restore the file's own text and check the server still analyses it cleanly.
    const clean = await client.edit(path, { text: original });
    doc = TextDocument.create(fileUri(path), 'gas-x86', 1, original);
    assert.deepEqual(clean.filter((d) => d.severity === 1), []);
  }
});
