// Random macro programs against gcc: small sets of object-like and function-like macros (variadic, #, ##,
// macros naming each other and themselves) and a line using them. Hundreds of programs go through one gcc run;
// for each one gcc accepts without error, our output must equal gcc's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import fc from 'fast-check';
import { preprocess, preprocessedText } from '../../../gas/cpp/index';
import { defaultOptions, diskFs, gccPreprocess, requireGcc, withFiles } from './oracle';

interface Def {
  name: string;
  params?: string[];
  variadic?: boolean;
  body: string[];
}

const OBJECT_NAMES = ['A', 'B', 'C'];
const FUNC_NAMES = ['F', 'G', 'H'];
const LITERALS = ['1', 'x', 'y', '+', '-', '.', ',', '(', ')', '%r', '$', ';', '"s"', '0x10'];

const bodyTokenArb = (params: string[]): fc.Arbitrary<string[]> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...LITERALS).map((t) => [t]) },
    { weight: 3, arbitrary: fc.constantFrom(...OBJECT_NAMES, ...FUNC_NAMES).map((t) => [t]) },
    ...(params.length
      ? [
          { weight: 4, arbitrary: fc.constantFrom(...params).map((p) => [p]) },
          { weight: 1, arbitrary: fc.constantFrom(...params).map((p) => ['#', p]) },
          { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...params, 'x', '1'), fc.constantFrom(...params, 'x', '1', '_z')).map(([a, b]) => [a, '##', b]) },
          ...(params.includes('__VA_ARGS__')
            ? [
                { weight: 1, arbitrary: fc.constant<string[]>([',', '##', '__VA_ARGS__']) },
                { weight: 1, arbitrary: fc.constantFrom('x', ',', 'a').map((t) => ['__VA_OPT__', '(', t, ')']) },
              ]
            : []),
        ]
      : [{ weight: 1, arbitrary: fc.tuple(fc.constantFrom('x', '1', '.'), fc.constantFrom('y', '2', 'L')).map(([a, b]) => [a, '##', b]) }]),
  );

const defArb: fc.Arbitrary<Def> = fc.oneof(
  fc.tuple(fc.constantFrom(...OBJECT_NAMES), fc.array(bodyTokenArb([]), { maxLength: 5 })).map(([name, body]) => ({ name, body: body.flat() })),
  fc
    .tuple(fc.constantFrom(...FUNC_NAMES), fc.integer({ min: 0, max: 2 }), fc.boolean())
    .chain(([name, n, variadic]) => {
      const params = ['a', 'b'].slice(0, n);
      const all = variadic ? [...params, '__VA_ARGS__'] : params;
      return fc.array(bodyTokenArb(all), { maxLength: 6 }).map((body) => ({ name, params, variadic, body: body.flat() }));
    }),
);

const useTokenArb = fc.constantFrom(...OBJECT_NAMES, ...FUNC_NAMES, 'F(', 'G(', 'H(', '(', ')', ',', '1', 'x', '()', '(1)', '(1,2)', '(,)', ' ', '\n');
const useArb = fc.array(useTokenArb, { minLength: 1, maxLength: 12 }).map((ts) => {
  // Balance parentheses so most calls complete.
  let depth = 0;
  let s = '';
  for (const t of ts) {
    for (const ch of t) depth += ch === '(' ? 1 : ch === ')' ? -1 : 0;
    if (depth < 0) {
      depth = 0;
      continue;
    }
    s += t + ' ';
  }
  return s + ')'.repeat(depth);
});

const programArb = fc.tuple(fc.uniqueArray(defArb, { selector: (d) => d.name, maxLength: 5 }), useArb);

function defineLine(d: Def): string {
  const head = d.params ? `${d.name}(${[...d.params, ...(d.variadic ? ['...'] : [])].join(', ')})` : d.name;
  return `#define ${head} ${d.body.join(' ')}`;
}

test('random macro programs expand exactly as in gcc', (t) => {
  if (!requireGcc(t)) return;
  const programs = fc.sample(programArb, { numRuns: 500, seed: 4242 });
  const lines: string[] = [];
  const firstLine: number[] = [];
  programs.forEach(([defs, use], i) => {
    firstLine.push(lines.length + 1);
    lines.push(`@@${i}`);
    for (const d of defs) lines.push(defineLine(d));
    lines.push(use);
    for (const d of defs) lines.push(`#undef ${d.name}`);
  });
  firstLine.push(lines.length + 1);
  const src = lines.join('\n') + '\n';
  withFiles({ 'm.S': src }, (dir) => {
    const g = gccPreprocess(join(dir, 'm.S'));
    const r = preprocess(diskFs, join(dir, 'm.S'), defaultOptions());
    // Programs gcc complained about (by line) are left out: error recovery is not the point here.
    const bad = new Set<number>();
    for (const m of g.stderr.matchAll(/m\.S:(\d+):\d+: error:/g)) {
      const line = Number(m[1]);
      bad.add(firstLine.findIndex((f, i) => line >= f && line < firstLine[i + 1]));
    }
    const split = (text: string): Map<number, string> => {
      const out = new Map<number, string>();
      let cur = -1;
      for (const l of text.split('\n')) {
        const m = /^\s*@@(\d+)\s*$/.exec(l);
        if (m) {
          cur = Number(m[1]);
          out.set(cur, '');
        } else if (cur >= 0 && l.trim()) out.set(cur, (out.get(cur)! + ' ' + l.replace(/\s+/g, ' ').trim()).trim());
      }
      return out;
    };
    const theirs = split(g.stdout);
    const mine = split(preprocessedText(r));
    let compared = 0;
    for (let i = 0; i < programs.length; i++) {
      if (bad.has(i)) continue;
      const [defs, use] = programs[i];
      assert.equal(mine.get(i), theirs.get(i), `program ${i}:\n${defs.map(defineLine).join('\n')}\n${use}`);
      compared++;
    }
    assert.ok(compared > 300, `only ${compared} programs compared`);
  });
});
