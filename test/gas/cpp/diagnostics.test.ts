// Problems end in diagnostics with ranges, never in exceptions. Each broken program is also given to gcc -E:
// gcc must fail too, and our first error must be on the line of gcc's first error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryFileSystem } from '../../../gas/fs';
import { MAX_INCLUDE_DEPTH, preprocess } from '../../../gas/cpp/index';
import { compareWithGcc, defaultOptions, errorsOf, ours, requireGcc } from './oracle';

interface Broken {
  name: string;
  src: string;
  files?: Record<string, string>;
  /** A fragment our first error message must contain. */
  message: string;
}

const broken: Broken[] = [
  { name: 'unterminated comment', src: ' nop\n /* no end\n nop\n', message: 'unterminated comment' },
  { name: 'unterminated #if', src: '#if 1\n nop\n', message: 'unterminated #if' },
  { name: 'unterminated #ifdef in an include', src: '#include "h.h"\n nop\n', files: { 'h.h': '\n#ifdef X\n' }, message: 'unterminated #ifdef' },
  { name: '#else without #if', src: ' nop\n#else\n', message: '#else without #if' },
  { name: '#endif without #if', src: '\n\n#endif\n', message: '#endif without #if' },
  { name: '#elif after #else', src: '#if 0\n#else\n#elif 1\n#endif\n', message: '#elif after #else' },
  { name: '#else after #else', src: '#if 0\n#else\n#else\n#endif\n', message: '#else after #else' },
  { name: 'missing include', src: ' nop\n#include "nowhere.h"\n nop\n', message: 'nowhere.h: No such file or directory' },
  { name: 'missing <include>', src: '#include <linux/not-a-header.h>\n', message: 'linux/not-a-header.h: No such file or directory' },
  { name: '#error', src: '\n#error stop   here\n', message: '#error stop here' },
  { name: 'too many macro arguments', src: '#define F(x) x\n F(1, 2)\n', message: 'passed 2 arguments, but takes just 1' },
  { name: 'too few macro arguments', src: '#define F(x, y) x\n F(1)\n', message: 'requires 2 arguments, but only 1 given' },
  { name: 'unterminated argument list', src: '#define F(x) x\n nop\n F(1,\n', message: 'unterminated argument list invoking macro "F"' },
  { name: '## at the start of a replacement list', src: '#define P(x) ## x\n', message: "'##' cannot appear at either end" },
  { name: '## at the end of a replacement list', src: '#define P(x) x ##\n', message: "'##' cannot appear at either end" },
  { name: 'bad parameter list', src: '#define F(x,) x\n', message: 'expected parameter name' },
  { name: 'duplicate parameter', src: '#define F(x, x) x\n', message: 'duplicate macro parameter "x"' },
  { name: 'macro name must be an identifier', src: '#define 3 x\n', message: 'macro names must be identifiers' },
  { name: 'defining defined', src: '#define defined 1\n', message: '"defined" cannot be used as a macro name' },
  { name: '#if without expression', src: '#if\n#endif\n', message: '#if with no expression' },
  { name: '#if missing operator', src: '#if 1 2\n#endif\n', message: 'missing binary operator before token "2"' },
  { name: '#if missing )', src: '#if (1 + 2\n#endif\n', message: "missing ')' in expression" },
  { name: '#if string', src: '#if "x"\n#endif\n', message: 'is not valid in preprocessor expressions' },
  { name: '#if floating constant', src: '#if 1.5\n#endif\n', message: 'floating constant in preprocessor expression' },
  { name: '#if bad suffix', src: '#if 12abc\n#endif\n', message: 'invalid suffix "abc" on integer constant' },
  { name: '#if division by zero', src: '#if 1 / 0\n#endif\n', message: 'division by zero in #if' },
  { name: '#if defined without identifier', src: '#if defined(1)\n#endif\n', message: 'operator "defined" requires an identifier' },
  { name: '#ifdef without name', src: '#ifdef\n#endif\n', message: 'no macro name given in #ifdef directive' },
  { name: '#include without a name', src: '#include\n', message: '#include expects "FILENAME" or <FILENAME>' },
  { name: 'unterminated <header', src: '#include <foo.h\n', message: 'missing terminating > character' },
  { name: 'error after a long argument list', src: '#define F(a,b) a\nF(1,\n2,\n3)\n', message: 'passed 3 arguments' },
];

for (const b of broken) {
  test(`diagnostic: ${b.name}`, (t) => {
    if (!requireGcc(t)) return;
    const c = compareWithGcc(b.src, b.files);
    assert.notEqual(c.gccResult.status, 0, 'gcc accepts this program');
    const errors = c.result.diagnostics.filter((d) => d.severity === 'error');
    assert.ok(errors.length > 0, 'we report no error');
    assert.ok(errors[0].message.includes(b.message), `${errors[0].message} does not contain ${b.message}`);
    const gccLine = Number(/:(\d+):\d+: (?:fatal )?error:/.exec(c.gccResult.stderr)?.[1] ?? /:(\d+): (?:fatal )?error:/.exec(c.gccResult.stderr)?.[1]);
    const gccFile = /([^\s:/]+):\d+:(?:\d+:)? (?:fatal )?error:/.exec(c.gccResult.stderr)?.[1];
    const ourFile = errors[0].origin.range.file.split('/').pop();
    assert.equal(ourFile, gccFile, c.gccResult.stderr);
    // gcc points at the closing parenthesis of a bad call; we point at the call, which starts earlier.
    const r = errors[0].origin.range;
    assert.ok(gccLine >= r.line + 1 && gccLine <= r.endLine + 1 + (b.message.startsWith('passed') ? 3 : 0), `gcc line ${gccLine}, ours ${r.line + 1}-${r.endLine + 1}: ${errors[0].message}`);
  });
}

test('#warning is a warning with its text, and the program still preprocesses', (t) => {
  if (!requireGcc(t)) return;
  const c = compareWithGcc('#warning check   this\n nop\n');
  assert.equal(c.gccResult.status, 0);
  assert.match(c.gccResult.stderr, /warning: #warning check this/);
  assert.deepEqual(errorsOf(c.result), []);
  const w = c.result.diagnostics.find((d) => d.severity === 'warning');
  assert.equal(w?.message, '#warning check this');
  assert.deepEqual(c.ours, c.gcc);
});

test('an include cycle stops at the depth limit with one clear error', (t) => {
  if (!requireGcc(t)) return;
  const c = compareWithGcc('#include "a.h"\n done\n', { 'a.h': ' a\n#include "b.h"\n', 'b.h': ' b\n#include "a.h"\n' });
  assert.notEqual(c.gccResult.status, 0);
  assert.match(c.gccResult.stderr, new RegExp(`#include nested depth ${MAX_INCLUDE_DEPTH} exceeds maximum of ${MAX_INCLUDE_DEPTH}`));
  const errors = c.result.diagnostics.filter((d) => d.severity === 'error');
  assert.equal(errors.length, 1, errors.map((e) => e.message).join('\n'));
  assert.match(errors[0].message, /#include nested depth 200 exceeds maximum of 200 \(include cycle: \S*([ab])\.h -> \S*[ab]\.h -> \S*\1\.h\)$/);
  assert.equal(errors[0].origin.expansion.length, MAX_INCLUDE_DEPTH - 1);
  // gcc keeps going after the error as we do: the text after the cycle is there.
  assert.deepEqual(c.ours.slice(-1), ['done']);
});

test('a self-including header without a guard does not blow up', () => {
  const r = ours('#include "self.h"\n', { 'self.h': '#include "self.h"\n#include "self.h"\n x\n' });
  assert.equal(errorsOf(r).length, 1);
  assert.ok(r.lines.length < 10_000);
});

test('an exponential macro tower ends in a diagnostic', () => {
  let src = '#define A0 x x\n';
  for (let i = 1; i <= 40; i++) src += `#define A${i} A${i - 1} A${i - 1}\n`;
  src += 'A40\n';
  const r = ours(src);
  assert.match(errorsOf(r)[0], /produced more than \d+ tokens/);
});

test('deeply nested calls and parentheses end in diagnostics, not host stack overflows', () => {
  const deep = 'F('.repeat(1000) + '1' + ')'.repeat(1000);
  const r1 = ours(`#define F(x) x\n ${deep}\n`);
  assert.ok(errorsOf(r1).length >= 1);
  assert.ok(!errorsOf(r1).some((e) => e.includes('internal')), errorsOf(r1).join('\n'));
  const r2 = ours(`#if ${'('.repeat(5000)}1${')'.repeat(5000)}\n#endif\n`);
  assert.match(errorsOf(r2)[0], /nested too deeply/);
  const r3 = ours(`#if ${'1 ? '.repeat(5000)}1${' : 0'.repeat(5000)}\n#endif\n`);
  assert.match(errorsOf(r3)[0], /nested too deeply/);
});

test('a missing main file is a diagnostic', () => {
  const r = preprocess(new MemoryFileSystem({}), '/nope.S', defaultOptions());
  assert.equal(r.lines.length, 0);
  assert.match(errorsOf(r)[0], /nope\.S: No such file or directory/);
});

test('a file system that throws is treated as a missing file', () => {
  const fs = {
    readText(p: string): string | undefined {
      if (p === '/m.S') return '#include "x.h"\n nop\n';
      throw new Error('EACCES');
    },
    readBytes(): Uint8Array | undefined {
      return undefined;
    },
  };
  const r = preprocess(fs, '/m.S', defaultOptions());
  assert.match(errorsOf(r)[0], /x\.h: No such file or directory/);
  assert.ok(r.lines.some((l) => l.text.includes('nop')));
});

test('builtinHeaders: false turns the built-in kernel headers off; a real include path wins over them', () => {
  const off = ours('#include <asm/segment.h>\n', {}, { builtinHeaders: false });
  assert.match(errorsOf(off)[0], /asm\/segment\.h: No such file or directory/);
  const real = ours('#include <asm/segment.h>\n .word __KERNEL_CS\n', { 'kernel/asm/segment.h': '#define __KERNEL_CS 0x33\n' }, { includePaths: ['kernel'] });
  assert.deepEqual(errorsOf(real), []);
  assert.equal(real.includes[0].resolved, '/t/kernel/asm/segment.h');
  assert.ok(real.lines.some((l) => l.text.includes('.word 0x33')));
});
