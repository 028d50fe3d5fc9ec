// One small program per preprocessor feature, each run through gcc -E (assembler-with-cpp) and through ours:
// the outputs must agree line by line (whitespace runs collapsed), and both must agree on whether it is an error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareWithGcc, errorsOf, requireGcc } from './oracle';

interface Case {
  name: string;
  src: string;
  files?: Record<string, string>;
  include?: string[];
  defines?: Record<string, string>;
  undefines?: string[];
}

const cases: Case[] = [
  {
    name: 'object-like macros, nested and in GAS operands',
    src: `#define BASE 0x1000
#define OFF (BASE + 8)
#define REG %eax
 movl $OFF, REG
 leal OFF(%esi), REG
 .long BASE, OFF ; .word BASE
`,
  },
  {
    name: 'function-like macros with nested calls and arguments that are macros',
    src: `#define ADD(a, b) ((a) + (b))
#define TWICE(x) ADD(x, x)
#define K 3
 .long TWICE(K), ADD(TWICE(1), K), ADD((1,2), 3)
 .long ADD(  K  ,  4  )
`,
  },
  {
    name: 'a function-like name without parentheses is not a call',
    src: `#define F(x) [x]
F + F(1) F
nope
F
(2)
`,
  },
  {
    name: 'arguments spanning lines, with the tail on the first line',
    src: `#define PAIR(a, b) .long a ; .long b
PAIR(1,
  2) ; nop
 after
PAIR(
 3
 ,
 4
)
`,
  },
  {
    name: 'stringizing',
    src: `#define S(x) #x
#define XS(x) S(x)
#define V 42
 .ascii S(hello   world), S("q\\n"), S('c'), S(), XS(V), S(V)
 .ascii S( a + b ), S(a+b)
`,
  },
  {
    name: 'token pasting, including failed pastes (allowed in assembler mode)',
    src: `#define CAT(a, b) a ## b
#define CAT3(a, b, c) a ## b ## c
#define LBL(n) .L ## n
CAT(mov, l) $1, %eax
CAT3(x, y, z): CAT(1, f) CAT(.L, foo): LBL(done):
CAT(x, .) CAT(-, -) CAT(<, <=) CAT(, y) CAT(x, ) CAT(,)
`,
  },
  {
    name: 'variadic macros: __VA_ARGS__, named GNU varargs, omitted and empty variadic parts',
    src: `#define V(fmt, ...) <fmt|__VA_ARGS__>
#define N(fmt, args...) <fmt|args>
#define C(fmt, ...) <fmt , ## __VA_ARGS__>
#define D(fmt, args...) <fmt , ## args>
#define ONLY(...) <x , ## __VA_ARGS__>
V(1) V(1,) V(1,2,3) N(1) N(1,2, 3)
C(1) C(1,) C(1,2) D(1) D(1,2) ONLY() ONLY(a)
`,
  },
  {
    name: '__VA_OPT__',
    src: `#define H(a, ...) <a|__VA_ARGS__|__VA_OPT__(x y)>
H(1) H(1,2) H(1,)
`,
  },
  {
    name: 'recursion guard (blue paint) as gcc does it',
    src: `#define foo foo
#define a b
#define b a
#define f(x) x f
#define g f
#define h(x) x(1)
foo a b f(1)(2) g(3)(4) h(h)
#define AA BB
#define BB(x) AA x
BB(1)(2)
`,
  },
  {
    name: '#undef and identical redefinition',
    src: `#define X 1
 .long X
#undef X
 .long X
#define X 2
#define X 2
 .long X
`,
  },
  {
    name: '#ifdef / #ifndef / #else / #elif chains and nesting',
    src: `#define ON
#ifdef ON
 yes1
#else
 no1
#endif
#ifndef ON
 no2
#elif 1
 yes2
#else
 no2b
#endif
#if 0
 #if garbage ((( 
  no3
 #else
  no4
 #endif
#elif defined(ON) && !defined OFF
 yes3
#endif
`,
  },
  {
    name: '#if arithmetic: all operators, precedence, unsigned, suffixes, characters',
    src: `#if (1 + 2 * 3 == 7) && (10 / 3 == 3) && (10 % 3 == 1) && (-7 / 2 == -3)
 ok1
#endif
#if (1 << 4 == 16) && (256 >> 4 == 16) && (5 & 3) == 1 && (5 | 3) == 7 && (5 ^ 3) == 6 && ~0 == -1
 ok2
#endif
#if -1 < 0 && !(-1 < 0u) && 0xffffffffffffffff == -1 && 18446744073709551615u > 0
 ok3
#endif
#if (1 ? 2 : 3) == 2 && (0 ? 2 : 3) == 3 && (1, 5) == 5 && 010 == 8 && 0x10 == 16 && 0b101 == 5
 ok4
#endif
#if 'A' == 65 && '\\n' == 10 && '\\377' < 0 && 'ab' == 24930 && 10UL == 10 && 10ll == 10
 ok5
#endif
#if 0 && (1 / 0) || 1 || (1 % 0)
 ok6
#endif
#if UNDEFINED_THING == 0 && !UNDEFINED_THING
 ok7
#endif
#if 2 >= 2 && 2 <= 2 && 3 > 2 && 2 != 3 && !0 && +1 == 1
 ok8
#endif
`,
  },
  {
    name: 'defined through a macro and defined without parentheses',
    src: `#define HAVE(x) defined(x)
#define FEATURE
#if HAVE(FEATURE) && defined FEATURE && !defined(NOPE)
 yes
#endif
`,
  },
  {
    name: 'comments: block, line, multi-line in text and in directives; splices',
    src: `#define A 1 /* comment */ + 2 // tail
 .long A /* inline */ , 3 // c++ style
 mov /* a comment
 spanning */ %eax, %ebx
#define LONG(x) \\
  .long x ; \\
  .long x + 1
LONG(5)
 .long 1 + \\
 2
`,
  },
  {
    name: 'assembler-mode lexing: # comments, apostrophes, $ and \\ in text',
    src: `#define stack STACK
#define X 5
 cli # We're safe X
 # write marker for master knows we're running X
# Setup stack
# 33 "not a line marker" X
 movb $'a, %al ; X
 movl $X, %eax ; movq %r\\reg, X
 .macro M arg
 mov \\arg, %eax
 .endm
`,
  },
  {
    name: '# not followed by a parameter is a literal # in assembler mode',
    src: `#define IMM(x) #x
#define LIT(x) # 1 + x
IMM(3) LIT(2)
`,
  },
  {
    name: 'macro bodies with ; and GAS directives (kernel style)',
    src: `#define ENTRY(name) .globl name ; .balign 16, 0x90 ; name:
#define END(name) .size name, .-name
ENTRY(start)
 ret
END(start)
`,
  },
  {
    name: '#include "…" from the including directory, <…> through -I, include guards and #pragma once',
    src: `#include "local.h"
#include "local.h"
#include <sub/deep.h>
#include <once.h>
#include <once.h>
 .long LOCAL, DEEP, ONCE
`,
    files: {
      'local.h': '#ifndef LOCAL_H\n#define LOCAL_H\n#define LOCAL 1\n local_text\n#endif\n',
      'inc/sub/deep.h': '#define DEEP 2\n#include "sibling.h"\n',
      'inc/sub/sibling.h': ' sibling_text SIB\n#define SIB 3\n',
      'inc/once.h': '#pragma once\n#define ONCE 4\n once_text\n',
    },
    include: ['inc'],
  },
  {
    name: 'computed #include and #include_next',
    src: `#define HDR <a.h>
#define QHDR "b.h"
#include HDR
#include QHDR
`,
    files: {
      'one/a.h': ' one_a\n#include_next <a.h>\n#include "c.h"\n',
      'one/c.h': ' one_c\n#include_next <c.h>\n',
      'two/a.h': ' two_a\n',
      'two/c.h': ' two_c\n',
      'b.h': ' b_here\n',
    },
    include: ['one', 'two'],
  },
  {
    name: '__LINE__, __COUNTER__, __INCLUDE_LEVEL__ and -D/-U style defines',
    src: `#define HERE __LINE__
 .long __LINE__, HERE
 .long __COUNTER__, __COUNTER__, __INCLUDE_LEVEL__
 .long FROM_CMDLINE, FN(3)
`,
    defines: { FROM_CMDLINE: '0x77', 'FN(x)': '((x)*2)' },
  },
  {
    name: '#line renumbers __LINE__ and renames __FILE__',
    src: `#define L __LINE__
 .long __LINE__
#line 100
 .long __LINE__, L
#define N 7
#line N "renamed.S"
 .long __LINE__
 .ascii __FILE__
`,
  },
  {
    name: 'non-ASCII characters are not part of names in assembler mode',
    src: '#define caf\u00e9 1\n caf\u00e9 x\u00e9y \u00e9\n .ascii "\u00e9\u20ac"\n#define \u00e9t\u00e9 2\n',
  },
  {
    name: 'directives inside macro arguments are obeyed',
    src: `#define F(x,y) [x|y]
F(a,
#define Q 7
Q) t2
F(b,
#ifdef Q
yes
#else
no
#endif
) t3
`,
  },
  {
    name: 'a # comment line inside macro arguments separates them (as gcc does)',
    src: `#define F(x,y,z) [x|y|z]
F(1,
# a comment line
2) tail
`,
  },
  {
    name: 'a byte-order mark and CRLF line ends',
    src: '\ufeff#define X 1\r\n .long X\r\n#if X\r\n yes\r\n#endif\r\n',
  },
  {
    name: 'null directive and unknown # lines in skipped groups',
    src: `#
#if 0
#bogus directive
# We're skipped
#endif
 kept
`,
  },
  {
    name: 'an empty argument and parenthesised commas',
    src: `#define F(a, b) [a|b]
#define G(x) <x>
F(,) F((1,2),3) G() G(()) F([1,2],3)
`,
  },
  {
    name: 'spacing that keeps tokens apart at expansion boundaries',
    src: `#define EMPTY
#define MINUS -
#define NEG(x) -x
-EMPTY- MINUS-1 NEG(-1) x EMPTY y +MINUS 1 .EMPTY. NEG(NEG(1))
#define ID(x) x
ID(a)ID(b) ID(1)ID(2) ID(+)ID(+)
`,
  },
  {
    name: 'pragmas (once, push_macro/pop_macro, GCC warning, others dropped) and #ident',
    src: `#define M 1
#pragma push_macro("M")
#undef M
#define M 2
 .long M
#pragma pop_macro("M")
 .long M
#pragma GCC warning "careful"
#pragma weak something
#pragma GCC push_options
#ident "version 1"
 .long 3
`,
  },
  {
    name: '__has_include and __has_include_next',
    src: `#if __has_include("here.h") && !__has_include(<missing.h>) && __has_include(<asm/msr.h>)
 has
#endif
#if defined(__has_include)
 defined_too
#endif
#include <next.h>
`,
    files: { 'here.h': '\n', 'a/next.h': '#if __has_include_next(<next.h>)\n next_found\n#endif\n', 'b/next.h': '\n' },
    include: ['a', 'b'],
  },
  {
    name: '-U removes predefined and -D macros',
    src: ` .long linux, unix, __linux__, FOO
`,
    defines: { FOO: '7' },
    undefines: ['linux', 'FOO'],
  },
  {
    name: 'string and character literal prefixes, stringized',
    src: `#define STR(x) #x
 .ascii STR(L"q"), STR(u8"x"), STR('\\''), STR("a\\b")
 R"(raw)" u8"x" L'a' U"y"
`,
  },
  {
    name: 'the C standard\'s macro replacement examples (6.10.3.5)',
    src: `#define x 3
#define f(a) f(x * (a))
#undef x
#define x 2
#define g f
#define z z[0]
#define h g(~
#define m(a) a(w)
#define w 0,1
#define t(a) a
#define p() int
#define q(x) x
#define r(x,y) x ## y
#define str(s) # s
#define xstr(s) str(s)
f(y+1) + f(f(z)) % t(t(g)(0) + t)(1);
g(x+(3,4)-w) | h 5) & m
(f)^m(m);
p() i[q()] = { q(1), r(2,3), r(4,), r(,5), r(,) };
#define INCFILE(n) vers ## n
 xstr(INCFILE(2).h) str(strncmp("abc\\0d", "abc", '\\4') == 0)
#define hash_hash # ## #
#define mkstr(a) # a
#define in_between(a) mkstr(a)
#define join(c, d) in_between(c hash_hash d)
 join(x, y)
#define t3(x,y,z) x ## y ## z
 t3(1,2,3) t3(,4,5) t3(6,,7) t3(8,9,) t3(10,,) t3(,11,) t3(,,12) t3(,,)
#define OBJ_LIKE (1-1)
#define OBJ_LIKE /* white space */ (1-1) /* other */
#define FUNC_LIKE(a) ( a )
#define FUNC_LIKE( a )( /* note the white space */ \\
 a /* other stuff on this line
 */ )
 OBJ_LIKE FUNC_LIKE(3)
#define debug(...) fprintf(stderr, __VA_ARGS__)
#define showlist(...) puts(#__VA_ARGS__)
#define report(test, ...) ((test)?puts(#test): printf(__VA_ARGS__))
debug("X = %d\\n", x);
showlist(The first, second, and third items.);
report(x>y, "x is %d but y is %d", x, y);
`,
  },
];

for (const c of cases) {
  test(`cpp agrees with gcc -E: ${c.name}`, (t) => {
    if (!requireGcc(t)) return;
    const r = compareWithGcc(c.src, c.files, c.include ?? [], c.defines, c.undefines);
    assert.deepEqual(r.ours, r.gcc);
    assert.equal(errorsOf(r.result).length > 0, r.gccResult.status !== 0, `ours: ${errorsOf(r.result).join('; ')}\ngcc: ${r.gccResult.stderr}`);
  });
}

test('the include cases resolve as gcc does and are recorded', (t) => {
  if (!requireGcc(t)) return;
  const c = cases.find((x) => x.name.startsWith('#include "…"'))!;
  const r = compareWithGcc(c.src, c.files, c.include ?? []);
  const spelled = r.result.includes.map((i) => i.spelled);
  assert.deepEqual(spelled, ['local.h', 'local.h', 'sub/deep.h', 'sibling.h', 'once.h', 'once.h']);
  assert.ok(r.result.includes.every((i) => i.resolved !== undefined));
  assert.match(r.result.includes[3].resolved!, /inc\/sub\/sibling\.h$/);
});

test('_Pragma runs its string as a #pragma and leaves the rest of the line (gcc also breaks the line there)', (t) => {
  if (!requireGcc(t)) return;
  const src = `#define M 1
#define P _Pragma("push_macro(\\"M\\")") x
 a P b
#undef M
 .long M
 _Pragma("pop_macro(\\"M\\")") .long M
 _Pragma("GCC warning \\"hey\\"") c
 d _Pragma
`;
  const r = compareWithGcc(src);
  // gcc prints the (dropped) pragma on a line of its own, so compare the token streams.
  assert.deepEqual(r.ours.join(' ').split(' '), r.gcc.join(' ').split(' '));
  assert.equal(r.gccResult.status !== 0, errorsOf(r.result).length > 0);
  assert.match(r.gccResult.stderr, /warning: hey/);
  assert.ok(r.result.diagnostics.some((d) => d.severity === 'warning' && d.message === 'hey' && d.origin.range.line === 6));
  assert.ok(errorsOf(r.result).some((e) => e.startsWith('8: _Pragma takes a parenthesized string literal')));
});
