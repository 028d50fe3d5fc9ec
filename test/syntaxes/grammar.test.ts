// Runs vscode-tmgrammar-test over the annotated fixtures (test/syntaxes/fixtures/*.S), proves the runner really
// fails on a wrong assertion, and checks the committed grammar JSON is what scripts/gen-grammar.ts produces.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { grammarJson } from '../../scripts/gen-grammar';
import { GRAMMAR_FILE, REPO_ROOT } from './tokenize';

const TOOL = join(REPO_ROOT, 'node_modules', '.bin', 'vscode-tmgrammar-test');
const FIXTURES = join(REPO_ROOT, 'test', 'syntaxes', 'fixtures');

function runTool(...testcases: string[]): { status: number | null; output: string } {
  // --config package.json: the runner finds the grammar through the manifest, as VS Code does.
  const r = spawnSync(TOOL, ['--config', 'package.json', ...testcases], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: r.status, output: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

function countAssertions(text: string): number {
  return text.split('\n').filter((l) => /^#\s*(\^|<-)/.test(l)).length;
}

test('every annotated fixture passes vscode-tmgrammar-test', () => {
  const fixtures = readdirSync(FIXTURES).filter((f) => f.endsWith('.S'));
  assert.ok(fixtures.length >= 3, 'fixtures present');
  const total = fixtures.reduce((n, f) => n + countAssertions(readFileSync(join(FIXTURES, f), 'utf8')), 0);
  assert.ok(total >= 300, `fixtures carry ${total} scope assertions`);
  const { status, output } = runTool('test/syntaxes/fixtures/*.S');
  assert.equal(status, 0, output);
  for (const f of fixtures) assert.match(output, new RegExp(`✓ .*${f.replace('.', '\\.')} run successfuly`), output);
});

test('fixture assertions only name scopes the grammar can produce (exclusions are exact, so a typo is vacuous)', () => {
  const grammarText = readFileSync(GRAMMAR_FILE, 'utf8');
  const known = new Set<string>();
  for (const m of grammarText.matchAll(/"(?:name|contentName)": "([^"]+)"/g)) for (const s of m[1]!.split(/\s+/)) known.add(s);
  known.add('source.gas-x86');
  const unknown: string[] = [];
  for (const f of readdirSync(FIXTURES).filter((x) => x.endsWith('.S'))) {
    for (const line of readFileSync(join(FIXTURES, f), 'utf8').split('\n')) {
      const m = /^#\s*(?:\^+|<~*-+)\s+(.*)$/.exec(line);
      if (!m) continue;
      for (const scope of m[1]!.split(/\s+/).filter((x) => x && x !== '-')) if (!known.has(scope)) unknown.push(`${f}: ${scope}`);
    }
  }
  assert.deepEqual(unknown, []);
});

test('the runner fails on a wrong required scope and on a violated exclusion (no vacuous pass)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gas-grammar-'));
  try {
    const wrongScope = join(dir, 'wrong-scope.S');
    writeFileSync(
      wrongScope,
      ['# SYNTAX TEST "source.gas-x86" "deliberately wrong"', ' movl %cr4, %eax', '#^^^^ keyword.control.directive.gas', ''].join('\n'),
    );
    const a = runTool(wrongScope);
    assert.notEqual(a.status, 0, a.output);
    assert.match(a.output, /missing required scopes: keyword\.control\.directive\.gas/);

    const wrongExclusion = join(dir, 'wrong-exclusion.S');
    writeFileSync(
      wrongExclusion,
      ['# SYNTAX TEST "source.gas-x86" "deliberately wrong"', ' movl %cr4, %eax', '#      ^^^ - variable.other.register.control.gas', ''].join('\n'),
    );
    const b = runTool(wrongExclusion);
    assert.notEqual(b.status, 0, b.output);
    assert.match(b.output, /prohibited/i);

    // The same two lines with true assertions pass, so the failures above come from the assertions alone.
    const right = join(dir, 'right.S');
    writeFileSync(
      right,
      [
        '# SYNTAX TEST "source.gas-x86" "control"',
        ' movl %cr4, %eax',
        '#^^^^ keyword.mnemonic.gas',
        '#      ^^^ variable.other.register.control.gas',
        '',
      ].join('\n'),
    );
    const c = runTool(right);
    assert.equal(c.status, 0, c.output);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the committed grammar JSON is the generator output and matches the manifest', () => {
  const committed = readFileSync(GRAMMAR_FILE, 'utf8');
  assert.equal(committed, grammarJson(), 'run: node --import tsx scripts/gen-grammar.ts');
  const grammar = JSON.parse(committed) as { scopeName: string; repository: Record<string, unknown> };
  const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
    contributes: { grammars: Array<{ language: string; scopeName: string; path: string }> };
  };
  const contribution = manifest.contributes.grammars.find((g) => g.language === 'gas-x86');
  assert.ok(contribution, 'package.json contributes the gas-x86 grammar');
  assert.equal(contribution.scopeName, grammar.scopeName);
  assert.equal(join(REPO_ROOT, contribution.path), GRAMMAR_FILE);
  // Every #include in the grammar names a repository rule that exists.
  const missing = [...committed.matchAll(/"include": "#([^"]+)"/g)].map((m) => m[1]).filter((k) => !(k! in grammar.repository));
  assert.deepEqual(missing, []);
});
