// Expression evaluation against GNU as: thousands of random expressions over GAS's operators and number
// syntaxes, assembled as `.quad` in one `as` run, must give the same 64-bit values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { analyze, MemoryFileSystem } from '../../gas/index';
import { gnuAssemble, requireTools } from './toolchain';
import { evaluate, parseExpression } from '../../gas/expr';

const BINARY = ['*', '/', '%', '<<', '>>', '|', '&', '^', '!', '+', '-', '==', '!=', '<>', '<', '<=', '>', '>=', '&&', '||'];

function randomExpression(rng: () => number, depth: number): string {
  if (depth <= 0 || rng() < 0.25) {
    const k = Math.floor(rng() * 7);
    const n = Math.floor(rng() * 300) - 20;
    switch (k) {
      case 0: return `0x${Math.abs(n).toString(16)}`;
      case 1: return `0${Math.abs(n).toString(8)}`;
      case 2: return `0b${Math.abs(n).toString(2)}`;
      case 3: return `'${String.fromCharCode(97 + (Math.abs(n) % 26))}`;
      case 4: return 'sym_a';
      case 5: return String(Math.abs(n) % 70);
      default: return String(Math.abs(n));
    }
  }
  const r = rng();
  if (r < 0.15) return `${['-', '~', '!', '+'][Math.floor(rng() * 4)]}${randomExpression(rng, depth - 1)}`;
  if (r < 0.3) return `(${randomExpression(rng, depth - 1)})`;
  let op = BINARY[Math.floor(rng() * BINARY.length)];
  const rhs = randomExpression(rng, depth - 1);
  // GNU as aborts on x / 0 and x % 0 (and on INT64_MIN / -1): keep divisors safe and positive.
  if (op === '/' || op === '%') return `${randomExpression(rng, depth - 1)} ${op} (((${rhs}) & 7) + 1)`;
  if (op === '<<' || op === '>>') return `${randomExpression(rng, depth - 1)} ${op} ((${rhs}) & 63)`;
  return `${randomExpression(rng, depth - 1)} ${op} ${rhs}`;
}

function seededRng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

test('2000 random expressions evaluate like GNU as (64-bit, signed comparisons, operator ranks)', (t) => {
  if (!requireTools(t, ['as'])) return;
  const rng = seededRng(Number(process.env.GAS_RANDOM_SEED ?? 20240601));
  const exprs: string[] = [];
  for (let i = 0; i < 2000; i++) exprs.push(randomExpression(rng, 4));
  const src = `\tsym_a = 37\n\t.data\n${exprs.map((e) => `\t.quad ${e}\n`).join('')}`;
  const gnu = gnuAssemble(src);
  assert.ok(gnu.ok, gnu.messages.slice(0, 5).join('\n'));
  const theirs = gnu.sections.get('.data')!;
  const a = analyze(new MemoryFileSystem({ '/e.s': src }), '/e.s', { preprocess: false });
  assert.deepEqual(a.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), []);
  const mine = a.sections.find((s) => s.name === '.data')!.bytes;
  let same = 0;
  const bad: string[] = [];
  for (let i = 0; i < exprs.length; i++) {
    const x = Buffer.from(mine.subarray(i * 8, i * 8 + 8)).toString('hex');
    const y = Buffer.from(theirs.subarray(i * 8, i * 8 + 8)).toString('hex');
    if (x === y) same++;
    else if (bad.length < 5) bad.push(`${exprs[i]}: ours ${x}, GNU ${y}`);
  }
  console.log(`gas expressions: ${same}/${exprs.length} random expressions identical to GNU as`);
  assert.deepEqual(bad, []);
});

test('parse errors carry the offending range and never throw', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 40 }), (s) => {
      const r = parseExpression(s, 0, { localLabel: (n, d) => ({ name: `${n}${d}` }), dot: () => null });
      if (r.error) {
        assert.ok(r.error.s >= 0 && r.error.e >= r.error.s && r.error.s <= s.length);
      } else if (r.expr) {
        evaluate(r.expr, {
          symbol: (n) => ({ k: 'undef', sym: n, v: 0n }),
          dot: () => ({ k: 'abs', v: 0n }),
          placeDifference: () => undefined,
        });
      }
    }),
    { numRuns: 2000 },
  );
});
