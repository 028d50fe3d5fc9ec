import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { legend } from '../../server/features/semantic';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));

// VS Code 1.100.3 is what the end-to-end test runs; the extension must install there.
test('engines.vscode admits VS Code 1.100.3', () => {
  const m = /^\^(\d+)\.(\d+)\.(\d+)$/.exec(pkg.engines.vscode);
  assert.ok(m, `unexpected engines.vscode ${pkg.engines.vscode}`);
  assert.equal(Number(m[1]), 1);
  assert.ok(Number(m[2]) <= 100);
  assert.equal(pkg.devDependencies['@types/vscode'].replace(/^\^/, ''), pkg.engines.vscode.replace(/^\^/, ''));
});

test('the gas-x86 language covers .S and .s with a grammar and configuration that exist', () => {
  const lang = pkg.contributes.languages.find((l: { id: string }) => l.id === 'gas-x86');
  assert.ok(lang);
  assert.deepEqual([...lang.extensions].sort(), ['.S', '.s']);
  assert.ok(lang.aliases.includes('x86 Assembly (GAS)'));
  assert.ok(existsSync(lang.configuration));
  const grammar = pkg.contributes.grammars.find((g: { language: string }) => g.language === 'gas-x86');
  assert.ok(existsSync(grammar.path));
  assert.deepEqual(pkg.contributes.breakpoints, [{ language: 'gas-x86' }]);
});

test('semantic token scopes map server token types to scopes the grammar itself uses', () => {
  const grammarText = readFileSync(pkg.contributes.grammars[0].path, 'utf8');
  for (const entry of pkg.contributes.semanticTokenScopes) {
    assert.equal(entry.language, 'gas-x86');
    for (const [selector, scopes] of Object.entries(entry.scopes as Record<string, string[]>)) {
      assert.ok(legend.tokenTypes.includes(selector.split('.')[0]), `${selector} is a token type the server sends`);
      // Instructions take the grammar's mnemonic colour, not the keyword.control default (the directives' colour).
      for (const scope of scopes) assert.ok(grammarText.includes(`"${scope}"`), `${scope} is a grammar scope`);
    }
  }
});

test('the debugger documents every launch attribute and offers a snippet per start mode', () => {
  const dbg = pkg.contributes.debuggers.find((d: { type: string }) => d.type === 'x86-trampoline');
  assert.ok(dbg);
  const props = dbg.configurationAttributes.launch.properties;
  const expected = ['program', 'start', 'load', 'entry', 'cpus', 'memory', 'includePath', 'defines', 'symbols',
    'sectionStart', 'linkerScript', 'cpuid', 'registers', 'stopOnEntry'];
  for (const name of expected) {
    assert.ok(props[name], `missing launch attribute ${name}`);
    assert.ok(typeof props[name].description === 'string' && props[name].description.length > 20, `${name} needs a description`);
  }
  assert.deepEqual(props.start.enum, ['reset', 'boot-sector', 'ap', 'long64']);
  const starts = dbg.configurationSnippets.map((s: { body: { start: string } }) => s.body.start).sort();
  assert.deepEqual(starts, ['ap', 'boot-sector', 'long64', 'reset']);
  assert.ok(dbg.initialConfigurations.length >= 1);
});

test('activation, bin, scripts and marketplace fields are in place', () => {
  assert.ok(pkg.activationEvents.includes('onLanguage:gas-x86'));
  assert.ok(pkg.activationEvents.some((e: string) => e.startsWith('onDebug') && e.endsWith('x86-trampoline')));
  assert.equal(pkg.bin.trampoline, 'dist/cli.js');
  for (const s of ['build', 'watch', 'test', 'bench', 'demo', 'package', 'lint']) assert.ok(pkg.scripts[s], `script ${s}`);
  assert.deepEqual(pkg.categories, ['Programming Languages', 'Debuggers']);
  for (const k of ['x86', 'assembly', 'GAS', 'real mode', 'long mode', 'paging', 'bootloader', 'trampoline', 'debugger', 'emulator']) {
    assert.ok(pkg.keywords.includes(k), `keyword ${k}`);
  }
  assert.equal(pkg.license, 'MIT');
  assert.ok(pkg.repository.url);
  for (const dep of ['vscode-languageclient', 'vscode-languageserver', 'vscode-languageserver-textdocument', '@vscode/debugadapter', '@vscode/debugprotocol']) {
    assert.ok(pkg.dependencies[dep], dep);
  }
  assert.ok(!pkg.dependencies['vscode-debugadapter'], 'the deprecated vscode-debugadapter must not be used');
});
