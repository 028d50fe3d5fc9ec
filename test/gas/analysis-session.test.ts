// A resumed analysis (gas/analysis-session.ts, gas/read-journal.ts) must equal a full one: after random edits to
// real files (the seed, the examples, the fixtures, the server bench's generated trampoline), the session's
// analysis is compared with analyze() of the same text in everything the editor and the debugger read: bytes,
// statements and their places, symbols with values and references, diagnostics, mode changes, skipped lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { analyze, AnalysisSession, MemoryFileSystem, type Analysis } from '../../gas/index';
import { defaultPreprocessor } from '../../gas/defaults';
import type { Origin } from '../../gas/source';
import { generateMacroHeavy } from '../../bench/server.bench';

const root = resolve(__dirname, '../..');
const seed = resolve(root, '../shared/seeds/trampoline_64_bsp.S');

/** Lines inserted by the random edits: labels, equates, distances, sections, macros, conditionals, branches. */
const SNIPPETS = [
  'foo:', '1:', 'jmp 1b', 'jmp 1f', 'jnz 2f', '2:', 'jmp foo', 'bar = . + 4', '.set bar, . + 1', '.set cnt, cnt + 1', 'cnt = 0',
  '.equiv eq1, 3', 'lbl2 = foo', 'x = foo + 2', '.if . - foo > 4', '.endif', '.else', '.if 1', '.ifdef foo',
  '.long foo - .', '.byte . - foo', '.fill 4 - (. - foo), 1, 0x90', '.balign 8', '.org . + 2', '.skip 3',
  '.section .data', '.text', '.pushsection .rodata', '.popsection', '.previous', '.data 1', '.code16', '.code32',
  '.code64', '.globl foo', '.type foo, @function', '.size foo, . - foo', '.macro mm a=1', '.long \\a', '.endm',
  'mm 5', '.purgem mm', '.rept 2', '.endr', '.irp r, 1, 2', 'nop', 'movl $cnt, %eax', 'lea foo(%rip), %rax',
  'movw $(bar - foo), %ax', 'ljmpl $8, $foo', 'lock btsl $0, foo', 'undefined_sym_x', '.end', '/*', '*/', '#',
];

interface Doc {
  name: string;
  path: string;
  files: Record<string, string>;
}

function docs(): Doc[] {
  const out: Doc[] = [];
  if (existsSync(seed)) out.push({ name: 'seed', path: '/w/seed.S', files: { '/w/seed.S': readFileSync(seed, 'latin1') } });
  else if (process.env.CI) throw new Error(`seed missing: ${seed}`);
  out.push({ name: 'generated', path: '/w/gen.S', files: { '/w/gen.S': generateMacroHeavy(700) } });
  const fixtures = join(root, 'test/gas/fixtures');
  const fixtureFiles: Record<string, string> = {};
  for (const f of readdirSync(fixtures)) fixtureFiles[`/f/${f}`] = readFileSync(join(fixtures, f), 'latin1');
  for (const f of readdirSync(fixtures).filter((f) => f.endsWith('.S'))) out.push({ name: `fixture ${f}`, path: `/f/${f}`, files: fixtureFiles });
  const examples = join(root, 'examples');
  for (const d of readdirSync(examples)) {
    const dir = join(examples, d);
    if (!statSync(dir).isDirectory()) continue;
    for (const f of readdirSync(dir).filter((f) => f.endsWith('.S')))
      out.push({ name: `example ${d}/${f}`, path: `/e/${d}/${f}`, files: { [`/e/${d}/${f}`]: readFileSync(join(dir, f), 'latin1') } });
  }
  return out;
}

function origin(o: Origin | undefined): string {
  if (!o) return '-';
  const r = o.range;
  return `${r.file}:${r.line}:${r.column}-${r.endLine}:${r.endColumn}<${o.expansion.map((e) => `${e.kind} ${e.name}@${e.site.line}:${e.site.column}`).join('<')}`;
}

/** Everything a host reads from an analysis, as lines of text (so a failure shows the first difference). */
function describe(a: Analysis): string[] {
  const out: string[] = [];
  for (const s of a.sections) out.push(`section ${s.name} ${s.flags} ${s.type} ${s.alignment} ${Buffer.from(s.bytes).toString('hex')}`);
  for (const s of a.laidOut) out.push(`spans ${s.name} ${s.spanData.join(',')} relocs ${s.relocations.map((r) => `${r.offset}/${r.size}/${origin(r.origin)}`).join(',')}`);
  for (const s of a.statements) out.push(`stmt ${s.kind} ${s.name} ${JSON.stringify(s.text)} ${origin(s.origin)} ${s.section} ${s.mode} ${s.offset} ${s.size}`);
  for (const s of a.symbols.values())
    out.push(`sym ${s.name} ${s.section} ${s.value} ${s.binding} ${s.visibility} ${s.type} ${s.size} ${s.definition?.kind} ${origin(s.defined)} refs ${s.references.map(origin).join(' ')}`);
  for (const m of a.macros.values()) out.push(`macro ${m.name} ${!!m.purged} ${origin(m.definition)} calls ${m.calls.map(origin).join(' ')}`);
  for (const d of a.diagnostics) out.push(`diag ${d.severity} ${d.code} ${d.message} ${origin(d.origin)}`);
  for (const m of a.modeChanges) out.push(`mode ${m.mode} ${origin(m.origin)}`);
  for (const s of a.skipped) out.push(`skipped ${origin(s)}`);
  return out;
}

function firstDifference(a: string[], b: string[]): string | undefined {
  const cut = (x: string) => (x.length < 400 ? x : `${x.slice(0, 200)}…(${x.length} chars)`);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] === b[i]) continue;
    const x = a[i] ?? '';
    const y = b[i] ?? '';
    let at = 0;
    while (at < x.length && x[at] === y[at]) at++;
    return `line ${i}, first difference at character ${at}:\n  resumed: ${cut(x.slice(Math.max(0, at - 60)))}\n  full:    ${cut(y.slice(Math.max(0, at - 60)))}`;
  }
  return undefined;
}

type Edit = { kind: 'insert-line'; at: number; snippet: number } | { kind: 'delete-line'; at: number } | { kind: 'char'; at: number; ch: string } | { kind: 'delete-char'; at: number };

function applyEdit(text: string, e: Edit): string {
  const lines = text.split('\n');
  const n = lines.length;
  switch (e.kind) {
    case 'insert-line':
      lines.splice(e.at % (n + 1), 0, SNIPPETS[e.snippet % SNIPPETS.length]);
      return lines.join('\n');
    case 'delete-line':
      lines.splice(e.at % n, 1);
      return lines.join('\n');
    case 'char': {
      const at = e.at % (text.length + 1);
      return text.slice(0, at) + e.ch + text.slice(at);
    }
    case 'delete-char': {
      const at = e.at % Math.max(1, text.length);
      return text.slice(0, at) + text.slice(at + 1);
    }
  }
}

const editArb: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant('insert-line' as const), at: fc.nat(), snippet: fc.nat() }),
  fc.record({ kind: fc.constant('delete-line' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('char' as const), at: fc.nat(), ch: fc.constantFrom(' ', '1', 'x', ':', ',', '$', '%', '(', '\n', '#', '0') }),
  fc.record({ kind: fc.constant('delete-char' as const), at: fc.nat() }),
);

const preprocess = defaultPreprocessor();

/** Runs a session over a sequence of edits, comparing each resumed analysis with a full one. */
function check(doc: Doc, edits: Edit[], every: number): { resumed: number; converged: number; sameLines: number; convergedSameLines: number; why: Map<string, number> } {
  const fs = new MemoryFileSystem({ ...doc.files });
  const session = new AnalysisSession(every);
  const options = { includePaths: [], defines: {}, builtinHeaders: true };
  const ppOptions = { includePaths: [], defines: {}, undefines: [], builtinHeaders: true };
  let text = doc.files[doc.path];
  session.analyze(fs, doc.path, options, preprocess(fs, doc.path, ppOptions));
  let resumed = 0;
  let converged = 0;
  let sameLines = 0;
  let convergedSameLines = 0;
  const why = new Map<string, number>();
  for (const e of edits) {
    const before = text.split('\n').length;
    text = applyEdit(text, e);
    const same = text.split('\n').length === before;
    fs.set(doc.path, text);
    const got = session.analyze(fs, doc.path, options, preprocess(fs, doc.path, ppOptions));
    if (session.stats?.mode === 'resumed') resumed++;
    if (session.stats?.converged) converged++;
    if (same) sameLines++;
    if (same && session.stats?.converged) convergedSameLines++;
    if (same && !session.stats?.converged) {
      const w = session.stats?.diverged ?? session.stats?.reason ?? 'read to the end';
      why.set(w, (why.get(w) ?? 0) + 1);
    }
    const want = analyze(fs, doc.path, options);
    const diff = firstDifference(describe(got), describe(want));
    assert.equal(diff, undefined, `${doc.name} after ${JSON.stringify(e)} (${JSON.stringify(session.stats)}): ${diff}`);
  }
  return { resumed, converged, sameLines, convergedSameLines, why };
}

test('a resumed analysis equals a full one after random edits (every file, small chunks)', () => {
  let runs = 0;
  let resumed = 0;
  let converged = 0;
  let sameLines = 0;
  let convergedSameLines = 0;
  const why = new Map<string, number>();
  for (const doc of docs()) {
    fc.assert(
      fc.property(fc.array(editArb, { minLength: 1, maxLength: 6 }), fc.constantFrom(4, 16), (edits, every) => {
        const r = check(doc, edits, every);
        runs += edits.length;
        resumed += r.resumed;
        converged += r.converged;
        sameLines += r.sameLines;
        convergedSameLines += r.convergedSameLines;
        for (const [w, n] of r.why) why.set(w, (why.get(w) ?? 0) + n);
      }),
      { numRuns: doc.name === 'generated' || doc.name === 'seed' ? 25 : 6, seed: Number(process.env.SESSION_SEED ?? 42) },
    );
  }
  // The journal has to be doing something: most edits resume, and a good share keep the earlier remainder.
  assert.ok(resumed > runs * 0.8, `${resumed}/${runs} resumed`);
  assert.ok(converged > runs * 0.3, `${converged}/${runs} converged`);
  process.stdout.write(`# ${runs} edits: ${resumed} resumed, ${converged} kept the earlier read's remainder; ${convergedSameLines}/${sameLines} of the edits keeping the line count; the others: ${JSON.stringify([...why])}\n`);
});

test('typing a line character by character in the generated trampoline converges every time', () => {
  const doc: Doc = { name: 'generated', path: '/w/gen.S', files: { '/w/gen.S': generateMacroHeavy(2000) } };
  const lines = doc.files[doc.path].split('\n');
  const at = lines.findIndex((l, i) => i > 900 && /^\s+movl\s+%eax, %ds/.test(l));
  const offset = lines.slice(0, at).join('\n').length + 1;
  const typed = 'nop; ';
  const edits: Edit[] = [...typed].map((ch, i) => ({ kind: 'char', at: offset + i, ch }));
  const r = check(doc, edits, 64);
  assert.equal(r.resumed, edits.length);
  assert.equal(r.converged, edits.length);
});

test('an edit to a file .include or .incbin read, or a cpp header, is seen by the next analysis', () => {
  const fixtures = join(root, 'test/gas/fixtures');
  const files: Record<string, string | Uint8Array> = {};
  for (const f of readdirSync(fixtures)) files[`/f/${f}`] = f.endsWith('.bin') ? readFileSync(join(fixtures, f)) : readFileSync(join(fixtures, f), 'latin1');
  const fs = new MemoryFileSystem(files);
  const options = { includePaths: [], defines: {}, builtinHeaders: true };
  const ppOptions = { includePaths: [], defines: {}, undefines: [], builtinHeaders: true };
  for (const [main, dep, edit] of [
    ['/f/include.S', '/f/include-part.s', (t: string) => t.replace('0x22', '0x23')],
    ['/f/include.S', '/f/include-blob.bin', () => new Uint8Array([9, 8, 7, 6])],
    ['/f/cpp.S', '/f/cpp-helper.h', (t: string) => t + '\n#define ADDED 1\n'],
  ] as const) {
    const session = new AnalysisSession(2);
    session.analyze(fs, main, options, preprocess(fs, main, ppOptions));
    const before = fs.readText(dep)!;
    fs.set(dep, edit(before));
    const got = session.analyze(fs, main, options, preprocess(fs, main, ppOptions));
    assert.equal(firstDifference(describe(got), describe(analyze(fs, main, options))), undefined, `${main} after editing ${dep}`);
    if (dep.endsWith('.h')) assert.equal(session.stats?.mode, 'resumed', 'a cpp header is part of the preprocessed lines: the read resumes');
    else assert.equal(session.stats?.mode, 'full', 'a file the GAS stage read changed: read again');
    fs.set(dep, files[dep]);
  }
});

test('an analysis read in steps (paused at every checkpoint) equals one read at once', () => {
  const text = generateMacroHeavy(3000);
  const fs = new MemoryFileSystem({ '/w/gen.S': text });
  const options = { includePaths: [], defines: {}, builtinHeaders: true };
  const ppOptions = { includePaths: [], defines: {}, undefines: [], builtinHeaders: true };
  const session = new AnalysisSession(64);
  for (const edit of [undefined, (t: string) => t.replace('cli', 'cli; nop'), (t: string) => '\n' + t]) {
    const now = edit ? edit(fs.readText('/w/gen.S')!) : text;
    fs.set('/w/gen.S', now);
    const run = session.start(fs, '/w/gen.S', options, preprocess(fs, '/w/gen.S', ppOptions));
    let steps = 1;
    let got = run.step(() => true);
    while (!got) {
      steps++;
      got = run.step(() => true);
    }
    if (!edit || edit.toString().includes("'\\n'")) assert.ok(steps > 10, `${steps} steps`);
    assert.equal(firstDifference(describe(got), describe(analyze(fs, '/w/gen.S', options))), undefined);
  }
});
