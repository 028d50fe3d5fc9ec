// The seed trampoline (../shared/seeds/trampoline_64_bsp.S) tokenized with VS Code's engine: every register,
// every statement-initial mnemonic and every other code character gets a real scope. The code/comment split and
// the statement starts come from a small independent scanner here, and GNU as confirms the mnemonics.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTools } from '../gas/toolchain';
import { REPO_ROOT, tokenize, type Token } from './tokenize';

const SEED = join(REPO_ROOT, '..', 'shared', 'seeds', 'trampoline_64_bsp.S');
const FIXTURES = join(REPO_ROOT, 'test', 'syntaxes', 'fixtures');
const CPP_DIRECTIVE = /^\s*#\s*(?:include|define|undef|if|ifdef|ifndef|elif|else|endif|error|warning|pragma)\b/;
const PREFIXES = new Set(['lock', 'rep', 'repe', 'repz', 'repne', 'repnz', 'data16', 'data32', 'addr16', 'addr32', 'rex64']);

function readSeed(t: TestContext): string | undefined {
  if (existsSync(SEED)) return readFileSync(SEED, 'utf8');
  if (process.env.CI) assert.fail(`seed missing: ${SEED}`);
  t.skip('seed file not present');
  return undefined;
}

/** Per line, a mask of which characters are code (not comment), by a hand scanner independent of the grammar. */
function codeMask(text: string): boolean[][] {
  let inBlock = false;
  return text.split('\n').map((line) => {
    const mask = new Array<boolean>(line.length).fill(false);
    const cpp = CPP_DIRECTIVE.test(line);
    let inString = false;
    for (let i = 0; i < line.length; i++) {
      if (inBlock) {
        if (line.startsWith('*/', i)) {
          inBlock = false;
          i++;
        }
        continue;
      }
      if (!inString && line.startsWith('/*', i)) {
        inBlock = true;
        i++;
        continue;
      }
      if (!inString && !cpp && (line[i] === '#' || line.startsWith('//', i))) break;
      if (line[i] === '"') inString = !inString;
      mask[i] = true;
    }
    return mask;
  });
}

function tokenAt(tokens: Token[], col: number): Token {
  const tok = tokens.find((t) => t.start <= col && col < t.end);
  assert.ok(tok, `no token at column ${col}`);
  return tok;
}

const where = (tok: Token) => `line ${tok.line + 1} ${JSON.stringify(tok.text)}: ${tok.scopes.join(' ')}`;

/** Statement-initial words that are not labels, directives, assignments or capitalised macro names. */
function expectedMnemonics(text: string, mask: boolean[][]): Array<{ line: number; col: number; word: string }> {
  const out: Array<{ line: number; col: number; word: string }> = [];
  text.split('\n').forEach((line, n) => {
    if (CPP_DIRECTIVE.test(line)) return;
    const code = [...line].map((c, i) => (mask[n]![i] ? c : ' ')).join('');
    let offset = 0;
    for (const stmt of code.split(';')) {
      let rest = stmt;
      let col = offset;
      for (;;) {
        const label = /^(\s*)([A-Za-z_.][\w.]*|\d+):/.exec(rest);
        if (!label) break;
        col += label[0].length;
        rest = rest.slice(label[0].length);
      }
      for (;;) {
        const m = /^(\s*)([a-z][a-z0-9]*)(?=\s|$)(?!\s*=)/.exec(rest);
        if (!m) break;
        out.push({ line: n, col: col + m[1]!.length, word: m[2]! });
        if (!PREFIXES.has(m[2]!)) break;
        col += m[0].length;
        rest = rest.slice(m[0].length);
      }
      offset += stmt.length + 1;
    }
  });
  return out;
}

test('seed: registers, mnemonics and all code text get meaningful scopes; nothing invalid', async (t) => {
  const text = readSeed(t);
  if (text === undefined) return;
  const lines = await tokenize(text);
  const mask = codeMask(text);

  let registers = 0;
  text.split('\n').forEach((line, n) => {
    for (const m of line.matchAll(/%[A-Za-z][A-Za-z0-9]*/g)) {
      if (!mask[n]![m.index!]) continue;
      const tok = tokenAt(lines[n]!, m.index! + 1);
      assert.ok(
        tok.scopes.some((s) => /^variable\.other\.register\.(general|segment|control|instruction-pointer)\.gas$/.test(s)),
        where(tok),
      );
      registers++;
    }
  });
  assert.ok(registers >= 100, `${registers} registers checked`);

  const mnemonics = expectedMnemonics(text, mask);
  assert.ok(mnemonics.length >= 90, `${mnemonics.length} mnemonics checked`);
  for (const { line, col, word } of mnemonics) {
    const tok = tokenAt(lines[line]!, col);
    assert.equal(tok.text, word, where(tok));
    const scope = PREFIXES.has(word) ? 'keyword.mnemonic.prefix.gas' : 'keyword.mnemonic.gas';
    assert.ok(tok.scopes.includes(scope), where(tok));
  }

  for (const toks of lines) {
    for (const tok of toks) {
      assert.ok(!tok.scopes.some((s) => s.startsWith('invalid.')), where(tok));
      const isCode = [...tok.text].some((c, i) => c.trim() && mask[tok.line]![tok.start + i]);
      if (!isCode) continue;
      const meaningful = tok.scopes.filter((s) => (s !== 'source.gas-x86' && !s.startsWith('meta.')) || s.startsWith('meta.symbol.'));
      assert.ok(meaningful.length > 0, `unscoped code text at ${where(tok)}`);
      assert.ok(!tok.scopes.some((s) => s.startsWith('comment.')), `code scoped as comment at ${where(tok)}`);
    }
  }
  // And the converse: every comment character is scoped as a comment.
  lines.forEach((toks, n) => {
    for (const tok of toks) {
      const inComment = [...tok.text].some((c, i) => c.trim() && !mask[n]![tok.start + i]);
      if (inComment) assert.ok(tok.scopes.some((s) => s.startsWith('comment.')), `comment text not a comment: ${where(tok)}`);
    }
  });
});

test('every word the grammar scopes as a mnemonic (seed and fixtures) is an instruction to GNU as', async (t) => {
  const sources = readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.S'))
    .map((f) => readFileSync(join(FIXTURES, f), 'utf8'));
  if (existsSync(SEED)) sources.push(readFileSync(SEED, 'utf8'));
  else if (process.env.CI) assert.fail(`seed missing: ${SEED}`);
  const words = new Set<string>();
  for (const src of sources) {
    for (const toks of await tokenize(src)) {
      // A mnemonic glued from macro pieces (mov\()l) is several adjacent tokens; rebuild the word, skip it if composed.
      let word = '';
      let end = -1;
      for (const tok of [...toks, undefined]) {
        const isMnemonic = tok?.scopes.includes('keyword.mnemonic.gas') ?? false;
        if (isMnemonic && tok!.start === end) word += tok!.text;
        else {
          if (word && !word.includes('\\')) words.add(word);
          word = isMnemonic ? tok!.text : '';
        }
        end = tok?.end ?? -1;
      }
    }
  }
  assert.ok(words.size >= 50, `${words.size} distinct mnemonics`);
  if (!requireTools(t, ['as'])) return;
  const list = [...words].sort();
  // Control: a made-up word must be reported, so a silent `as` cannot pass this test.
  const probe = [...list, 'frobnicatel'];
  const dir = mkdtempSync(join(tmpdir(), 'gas-mnemonics-'));
  try {
    const src = join(dir, 'm.s');
    writeFileSync(src, probe.map((w) => ` ${w}`).join('\n') + '\n');
    const r = spawnSync('as', ['--64', '-o', join(dir, 'm.o'), src], { encoding: 'utf8' });
    const unknown = [...r.stderr.matchAll(/:(\d+): Error: no such instruction: `([^']*)'/g)].map((m) => probe[Number(m[1]) - 1]);
    assert.deepEqual(unknown, ['frobnicatel'], r.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
