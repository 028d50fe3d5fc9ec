// Builds syntaxes/gas-x86.tmLanguage.json from readable regex pieces (JSON-escaped regexes are unreviewable).
// Run: node --import tsx scripts/gen-grammar.ts   (test/syntaxes/generated.test.ts checks the JSON is up to date)
// No mnemonic list on purpose: isa/ is the one instruction table; the grammar recognises instructions by position.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

type Captures = Record<string, { name?: string; patterns?: Rule[] }>;
export interface Rule {
  name?: string;
  contentName?: string;
  comment?: string;
  match?: string;
  begin?: string;
  end?: string;
  captures?: Captures;
  beginCaptures?: Captures;
  endCaptures?: Captures;
  patterns?: Rule[];
  include?: string;
}

const S = '.gas'; // every scope ends with the language suffix, as TextMate convention asks
const inc = (name: string): Rule => ({ include: `#${name}` });

// ---- shared regex fragments -------------------------------------------------------------------------------
// A macro argument reference inside a word: \name, \@ (expansion counter) or \() (empty separator).
const MACRO_REF = String.raw`\\(?>\(\)|@|[A-Za-z_]\w*)`; // atomic: no backtracking into the name
// A symbol name; may be glued to macro argument references (.Ldone_\@, foo\()bar).
const SYMBOL = String.raw`(?:[A-Za-z_.]|${MACRO_REF})(?:[\w.]|${MACRO_REF})*`;
// Where a statement (instruction/directive operand list) stops: separator, comment, end of line.
const STATEMENT_END = String.raw`(?=;|#|//|$)`;
// Register names by class (GNU as 2.40, AT&T syntax, case-insensitive); test/syntaxes/registers.test.ts checks
// each name against GNU as. %eiz/%riz, %ip and %r8l are rejected by as 2.40, so they are not here.
const GPR_N = String.raw`(?:[89]|1[0-5])`;
const REGISTER_CLASSES: Array<[string, string]> = [
  [
    'general',
    String.raw`r[abcd]x|e[abcd]x|[abcd]x|[abcd][lh]|[re]?(?:si|di|sp|bp)|(?:si|di|sp|bp)l|r${GPR_N}[dwb]?`,
  ],
  ['instruction-pointer', String.raw`[re]ip`],
  ['segment', String.raw`[cdefgs]s`],
  ['control', String.raw`cr(?:1[0-5]|[0-9])`],
  ['debug', String.raw`d[br](?:1[0-5]|[0-9])`],
  ['test', String.raw`tr[0-7]`], // 386/486 test registers (GNU as wants .arch i386),
  ['x87', String.raw`st(?:\s*\(\s*[0-7]\s*\)|(?!\s*\())`], // %st, %st(0)..%st(7), never %st(8)
  ['mmx', String.raw`mm[0-7]`],
  ['sse', String.raw`xmm(?:3[01]|[12][0-9]|[0-9])`],
  ['avx', String.raw`ymm(?:3[01]|[12][0-9]|[0-9])`],
  ['avx512', String.raw`zmm(?:3[01]|[12][0-9]|[0-9])`],
  ['mask', String.raw`k[0-7]`],
  ['bound', String.raw`bnd[0-3]`],
  ['amx', String.raw`tmm[0-7]`],
];

// Directive categories, so themes (and tests) can tell mode switches from data from control flow.
const DIRECTIVE_CLASSES: Array<[string, string]> = [
  ['conditional', String.raw`if(?:n?def|n?c|n?eqs?|eq|ne|lt|le|gt|ge|n?b)?|elseif|else|endif`],
  ['macro', String.raw`macro|endm|exitm|purgem|rept|irpc?|endr|altmacro|noaltmacro`],
  ['mode', String.raw`code16gcc|code16|code32|code64|arch|intel_syntax|att_syntax|intel_mnemonic|att_mnemonic`],
  ['section', String.raw`section|pushsection|popsection|previous|subsection|text|data|bss`],
  ['align', String.raw`p2align[wl]?|balign[wl]?|align|org`],
  [
    'data',
    String.raw`byte|short|word|hword|value|int|long|quad|octa|[248]byte|ascii|asciz|string(?:8|16|32|64)?|fill|space|skip|zero|float|single|double|tfloat|dc(?:\.[bwlsdx])?|ds(?:\.[bwlsdpx])?|uleb128|sleb128|incbin`,
  ],
  [
    'symbol',
    String.raw`globl|global|local|weak|weakref|hidden|protected|internal|type|size|set|equ|equiv|eqv|comm|lcomm|extern`,
  ],
  ['include', String.raw`include`],
];

// ---- rules ---------------------------------------------------------------------------------------------
function macroReference(): Rule {
  return {
    patterns: [
      { name: `variable.language.macro.counter${S}`, match: String.raw`\\@` },
      { name: `keyword.operator.macro.concatenation${S}`, match: String.raw`\\\(\)` },
      {
        name: `variable.parameter.macro${S}`,
        match: String.raw`(\\)[A-Za-z_]\w*`,
        captures: { '1': { name: `punctuation.definition.variable${S}` } },
      },
    ],
  };
}

function comments(): Rule {
  return {
    patterns: [
      {
        name: `comment.block${S}`,
        begin: String.raw`/\*`,
        end: String.raw`\*/`,
        beginCaptures: { '0': { name: `punctuation.definition.comment.begin${S}` } },
        endCaptures: { '0': { name: `punctuation.definition.comment.end${S}` } },
      },
      {
        name: `comment.line.double-slash${S}`,
        match: String.raw`(//).*$`,
        captures: { '1': { name: `punctuation.definition.comment${S}` } },
      },
      {
        comment: 'A # that does not start a C preprocessor directive is a GNU as comment to end of line.',
        name: `comment.line.number-sign${S}`,
        match: String.raw`(#).*$`,
        captures: { '1': { name: `punctuation.definition.comment${S}` } },
      },
    ],
  };
}

function strings(): Rule {
  return {
    patterns: [
      {
        name: `string.quoted.double${S}`,
        begin: '"',
        end: String.raw`"|(?<!\\)$`,
        beginCaptures: { '0': { name: `punctuation.definition.string.begin${S}` } },
        endCaptures: { '0': { name: `punctuation.definition.string.end${S}` } },
        patterns: [
          {
            name: `constant.character.escape${S}`,
            match: String.raw`\\(?:[0-7]{1,3}|x[0-9A-Fa-f]+|.)`,
          },
        ],
      },
      {
        comment: "GNU as character constant: 'c (the closing quote is optional).",
        name: `constant.character${S}`,
        match: String.raw`(')(?:\\(?:[0-7]{1,3}|x[0-9A-Fa-f]+|.)|[^\\\n])(')?`,
        captures: {
          '1': { name: `punctuation.definition.character.begin${S}` },
          '2': { name: `punctuation.definition.character.end${S}` },
        },
      },
    ],
  };
}

function numbers(): Rule {
  const notAfterWord = String.raw`(?<![\w.\\])`;
  const notBeforeWord = String.raw`(?![\w.])`;
  return {
    patterns: [
      {
        name: `constant.numeric.float${S}`,
        match: String.raw`${notAfterWord}0[dDfFeErRsSxXpP][+-]?[0-9]+\.[0-9]*(?:[eE][+-]?[0-9]+)?${notBeforeWord}`,
      },
      { name: `constant.numeric.integer.hexadecimal${S}`, match: String.raw`${notAfterWord}0[xX][0-9A-Fa-f]+${notBeforeWord}` },
      { name: `constant.numeric.integer.binary${S}`, match: String.raw`${notAfterWord}0[bB][01]+${notBeforeWord}` },
      {
        comment: 'Local label references: 1b (nearest 1: backwards), 1f (forwards).',
        name: `constant.numeric.label-reference.local${S}`,
        match: String.raw`${notAfterWord}[0-9]+[bf]${notBeforeWord}`,
      },
      { name: `constant.numeric.integer.octal${S}`, match: String.raw`${notAfterWord}0[0-7]+${notBeforeWord}` },
      { name: `constant.numeric.integer.decimal${S}`, match: String.raw`${notAfterWord}[0-9]+${notBeforeWord}` },
      { name: `invalid.illegal.numeric${S}`, match: String.raw`${notAfterWord}[0-9][\w.]*` },
    ],
  };
}

function registers(): Rule {
  const patterns: Rule[] = [
    {
      comment: 'A register name built from macro arguments, e.g. %r\\scratch_reg.',
      name: `variable.other.register.composed${S}`,
      match: String.raw`(%)((?:[A-Za-z0-9_]*${MACRO_REF})+[A-Za-z0-9_]*)`,
      captures: {
        '1': { name: `punctuation.definition.variable.register${S}` },
        '2': { patterns: [inc('macro-reference')] },
      },
    },
  ];
  for (const [cls, names] of REGISTER_CLASSES) {
    patterns.push({
      name: `variable.other.register.${cls}${S}`,
      match: String.raw`(%)(?i:${names})(?![\w\\])`,
      captures: { '1': { name: `punctuation.definition.variable.register${S}` } },
    });
  }
  patterns.push({
    comment: 'Anything else after % is not a register GNU as knows.',
    name: `invalid.illegal.register${S}`,
    match: String.raw`%[A-Za-z_]\w*`,
  });
  return { patterns };
}

function symbols(): Rule {
  return {
    patterns: [
      { name: `variable.language.location-counter${S}`, match: String.raw`(?<![\w.\\])\.(?![\w.\\])` },
      {
        comment: 'Type tags in .type/.section: @function, @object, @progbits, @nobits...',
        name: `support.constant.type${S}`,
        match: String.raw`(?<![\w\\])@(?:function|object|progbits|nobits|note|init_array|fini_array|tls_object|common|notype|gnu_indirect_function|gnu_unique_object)\b`,
      },
      {
        comment: 'ALL_CAPS names are C preprocessor constants in kernel sources (X86_CR0_PE, __KERNEL_CS).',
        name: `variable.other.constant${S}`,
        match: String.raw`(?<![\w.\\])(?=[A-Z0-9_]*[A-Z])[A-Z_][A-Z0-9_]*(?![\w.\\])`,
      },
      {
        name: `meta.symbol.reference.local${S}`,
        match: String.raw`(?<![\w.\\])\.L(?:[\w.]|${MACRO_REF})*`,
        captures: { '0': { patterns: [inc('macro-reference')] } },
      },
      {
        name: `meta.symbol.reference${S}`,
        match: String.raw`(?<![\w.\\])[A-Za-z_.](?:[\w.]|${MACRO_REF})*`,
        captures: { '0': { patterns: [inc('macro-reference')] } },
      },
    ],
  };
}

function operators(): Rule {
  return {
    patterns: [
      { name: `keyword.operator.logical${S}`, match: String.raw`&&|\|\||!(?!=)` },
      { name: `keyword.operator.comparison${S}`, match: String.raw`==|!=|<>|<=|>=|<(?!<)|>(?!>)` },
      { name: `keyword.operator.bitwise.shift${S}`, match: String.raw`<<|>>` },
      { name: `keyword.operator.bitwise${S}`, match: String.raw`[&|^~]` },
      { name: `keyword.operator.arithmetic${S}`, match: String.raw`[-+*/%]` },
      { name: `keyword.operator.assignment${S}`, match: '=' },
    ],
  };
}

function expression(): Rule {
  return {
    patterns: [
      inc('comments-inline'),
      inc('strings'),
      inc('registers'),
      inc('numbers'),
      inc('macro-reference'),
      inc('symbols'),
      inc('group'),
      inc('operators'),
      { name: `punctuation.separator.comma${S}`, match: ',' },
      inc('line-continuation'),
    ],
  };
}

function group(): Rule {
  return {
    name: `meta.group${S}`,
    begin: String.raw`\(`,
    end: String.raw`\)|${STATEMENT_END}`,
    beginCaptures: { '0': { name: `punctuation.section.parens.begin${S}` } },
    endCaptures: { '0': { name: `punctuation.section.parens.end${S}` } },
    patterns: [inc('expression')],
  };
}

function memoryOperand(): Rule {
  return {
    comment: 'disp(%base,%index,scale): a parenthesis opening on a register or a comma is an address.',
    name: `meta.memory-operand${S}`,
    begin: String.raw`\((?=\s*(?:%|,))`,
    end: String.raw`\)|${STATEMENT_END}`,
    beginCaptures: { '0': { name: `punctuation.definition.memory.begin${S}` } },
    endCaptures: { '0': { name: `punctuation.definition.memory.end${S}` } },
    patterns: [
      inc('comments-inline'),
      inc('registers'),
      inc('numbers'),
      inc('macro-reference'),
      inc('symbols'),
      inc('operators'),
      { name: `punctuation.separator.memory${S}`, match: ',' },
    ],
  };
}

function operands(): Rule {
  return {
    patterns: [
      inc('comments-inline'),
      inc('strings'),
      {
        comment: 'jmp *%rax, ljmpl *(vector): * before the first operand marks an indirect target.',
        match: String.raw`(?:\G|(?<=,))\s*(\*)`,
        captures: { '1': { name: `keyword.operator.indirect${S}` } },
      },
      { name: `keyword.operator.immediate${S}`, match: String.raw`\$` },
      inc('registers'),
      {
        match: String.raw`(?<=[sS])\s*(:)`,
        captures: { '1': { name: `punctuation.separator.segment-override${S}` } },
      },
      inc('memory-operand'),
      inc('numbers'),
      inc('macro-reference'),
      inc('symbols'),
      inc('group'),
      inc('operators'),
      { name: `punctuation.separator.comma${S}`, match: ',' },
      inc('line-continuation'),
    ],
  };
}

function preprocessor(): Rule {
  const HASH = String.raw`^\s*(#)\s*`;
  // vscode-textmate feeds each line with its "\n"; a continuation line ends only at a newline not preceded by \.
  const LINE_END = String.raw`(?<!\\)(?=\n)`;
  const hashCaps = (keyword: string): Captures => ({
    '1': { name: `punctuation.definition.directive${S}` },
    '2': { name: `keyword.control.directive.${keyword}${S}` },
  });
  const cppBody: Rule[] = [inc('comments-inline'), inc('line-continuation')];
  return {
    patterns: [
      {
        name: `meta.preprocessor.include${S}`,
        begin: String.raw`${HASH}(include|include_next)\b`,
        end: LINE_END,
        beginCaptures: hashCaps('include'),
        patterns: [
          ...cppBody,
          {
            name: `string.quoted.other.lt-gt.include${S}`,
            begin: '<',
            end: '>|$',
            beginCaptures: { '0': { name: `punctuation.definition.string.begin${S}` } },
            endCaptures: { '0': { name: `punctuation.definition.string.end${S}` } },
          },
          inc('strings'),
          inc('symbols'),
        ],
      },
      {
        name: `meta.preprocessor.macro${S}`,
        begin: String.raw`${HASH}(define)\s+([A-Za-z_]\w*)(?:(\()([^)]*)(\)))?`,
        end: LINE_END,
        beginCaptures: {
          ...hashCaps('define'),
          '3': { name: `entity.name.function.preprocessor${S}` },
          '4': { name: `punctuation.definition.parameters.begin${S}` },
          '5': {
            patterns: [
              { name: `variable.parameter.preprocessor${S}`, match: String.raw`[A-Za-z_]\w*|\.\.\.` },
              { name: `punctuation.separator.parameters${S}`, match: ',' },
            ],
          },
          '6': { name: `punctuation.definition.parameters.end${S}` },
        },
        patterns: [
          ...cppBody,
          { name: `keyword.operator.token-paste${S}`, match: '##' },
          { name: `keyword.operator.stringify${S}`, match: String.raw`#\s*[A-Za-z_]\w*` },
          inc('statement'),
          inc('expression'),
        ],
      },
      {
        name: `meta.preprocessor.conditional${S}`,
        begin: String.raw`${HASH}(if|ifdef|ifndef|elif|elifdef|elifndef|else|endif)\b`,
        end: LINE_END,
        beginCaptures: hashCaps('conditional'),
        patterns: [
          ...cppBody,
          { name: `keyword.other.defined${S}`, match: String.raw`\bdefined\b` },
          inc('expression'),
        ],
      },
      {
        name: `meta.preprocessor.diagnostic${S}`,
        begin: String.raw`${HASH}(error|warning)\b`,
        end: LINE_END,
        beginCaptures: hashCaps('diagnostic'),
        contentName: `string.unquoted.diagnostic${S}`,
        patterns: cppBody,
      },
      {
        name: `meta.preprocessor${S}`,
        begin: String.raw`${HASH}(undef|pragma|line|ident|sccs|assert|unassert)\b`,
        end: LINE_END,
        beginCaptures: hashCaps('other'),
        patterns: [...cppBody, inc('expression')],
      },
      {
        comment: 'cpp output line markers: # 12 "file.S" 2',
        name: `meta.preprocessor.line-marker${S}`,
        match: String.raw`^\s*(#)\s*([0-9]+)\s+("[^"]*")(.*)$`,
        captures: {
          '1': { name: `punctuation.definition.directive${S}` },
          '2': { name: `constant.numeric.integer.decimal${S}` },
          '3': { name: `string.quoted.double${S}` },
          '4': { patterns: [inc('numbers')] },
        },
      },
    ],
  };
}

function labels(): Rule {
  const colon = { name: `punctuation.separator.label${S}` };
  return {
    patterns: [
      {
        name: `entity.name.function.label.numeric${S}`,
        match: String.raw`(?<![\w.\\])([0-9]+)(:)(?!:)`,
        captures: { '2': colon },
      },
      {
        name: `entity.name.function.label.local${S}`,
        match: String.raw`(?<![\w.\\])(\.L(?:[\w.]|${MACRO_REF})*)(:)(?!:)`,
        captures: { '1': { patterns: [inc('macro-reference')] }, '2': colon },
      },
      {
        name: `entity.name.function.label${S}`,
        match: String.raw`(?<![\w.\\])(${SYMBOL})(:)(?!:)`,
        captures: { '1': { patterns: [inc('macro-reference')] }, '2': colon },
      },
    ],
  };
}

function assignment(): Rule {
  return {
    comment: 'sym = expr (and . = expr): defines a symbol like .set.',
    name: `meta.assignment${S}`,
    begin: String.raw`(?<![\w.\\])(${SYMBOL})\s*(=)(?!=)`,
    end: STATEMENT_END,
    beginCaptures: {
      '1': {
        patterns: [
          { name: `variable.language.location-counter${S}`, match: String.raw`^\.$` },
          { name: `variable.other.constant.definition${S}`, match: '.+' },
        ],
      },
      '2': { name: `keyword.operator.assignment${S}` },
    },
    patterns: [inc('expression')],
  };
}

function directives(): Rule {
  const word = String.raw`(?![\w.])`;
  const dot = (names: string): string => String.raw`(?<![\w.\\])(\.(?:${names}))${word}`;
  const patterns: Rule[] = [
    {
      comment: '.macro NAME arg1 arg2:req arg3=default',
      name: `meta.macro.definition${S}`,
      begin: String.raw`(?<![\w.\\])(\.macro)${word}\s*([A-Za-z_.][\w.]*)?`,
      end: STATEMENT_END,
      beginCaptures: {
        '1': { name: `keyword.control.directive.macro${S}` },
        '2': { name: `entity.name.function.macro.definition${S}` },
      },
      patterns: [
        inc('comments-inline'),
        {
          match: String.raw`([A-Za-z_]\w*)(?:\s*(:)\s*(req|vararg))?(?:\s*(=)\s*("(?:[^"\\]|\\.)*"|[^\s,;#]*))?`,
          captures: {
            '1': { name: `variable.parameter.macro${S}` },
            '2': { name: `punctuation.separator.qualifier${S}` },
            '3': { name: `storage.modifier.macro-qualifier${S}` },
            '4': { name: `keyword.operator.assignment${S}` },
            '5': { patterns: [inc('expression')] },
          },
        },
        { name: `punctuation.separator.comma${S}`, match: ',' },
      ],
    },
    {
      name: `meta.directive.section${S}`,
      begin: String.raw`(?<![\w.\\])(\.(?:section|pushsection))${word}\s*("(?:[^"\\]|\\.)*"|[^\s,;#]+)?`,
      end: STATEMENT_END,
      beginCaptures: {
        '1': { name: `keyword.control.directive.section${S}` },
        '2': { name: `entity.name.section${S}`, patterns: [inc('strings')] },
      },
      patterns: [inc('expression')],
    },
    {
      name: `meta.directive.symbol-definition${S}`,
      begin: String.raw`(?<![\w.\\])(\.(?:set|equ|equiv|eqv))${word}\s*(${SYMBOL})?`,
      end: STATEMENT_END,
      beginCaptures: {
        '1': { name: `keyword.control.directive.symbol${S}` },
        '2': { name: `variable.other.constant.definition${S}`, patterns: [inc('macro-reference')] },
      },
      patterns: [inc('expression')],
    },
  ];
  for (const [cls, names] of DIRECTIVE_CLASSES) {
    patterns.push({
      name: `meta.directive.${cls}${S}`,
      begin: dot(names),
      end: STATEMENT_END,
      beginCaptures: { '1': { name: `keyword.control.directive.${cls}${S}` } },
      patterns: [inc('expression')],
    });
  }
  patterns.push({
    comment: 'Any other directive (.cfi_*, .file, .ident, ...).',
    name: `meta.directive${S}`,
    begin: String.raw`(?<![\w.\\])(\.[A-Za-z_][\w.]*)`,
    end: STATEMENT_END,
    beginCaptures: { '1': { name: `keyword.control.directive${S}` } },
    patterns: [inc('expression')],
  });
  return { patterns };
}

function directiveNames(): Rule {
  // Name-only variant for directives nested in a bracketed context (SYM_DATA(x, .quad 0)) that must not run to EOL.
  const patterns: Rule[] = DIRECTIVE_CLASSES.map(([cls, names]) => ({
    name: `keyword.control.directive.${cls}${S}`,
    match: String.raw`(?<![\w.\\])\.(?:${names})(?![\w.])`,
  }));
  patterns.push({ name: `keyword.control.directive${S}`, match: String.raw`(?<![\w.\\])\.[A-Za-z_][\w.]*` });
  return { patterns };
}

function kernelMacros(): Rule {
  const linkage = (macros: string, nameScope: string): Rule => ({
    name: `meta.kernel-macro${S}`,
    begin: String.raw`(?<![\w.\\])(${macros})\s*(\()\s*(${SYMBOL})?`,
    end: String.raw`\)|${STATEMENT_END}`,
    beginCaptures: {
      '1': { name: `support.function.kernel-macro${S}` },
      '2': { name: `punctuation.section.parens.begin${S}` },
      '3': { name: nameScope, patterns: [inc('macro-reference')] },
    },
    endCaptures: { '0': { name: `punctuation.section.parens.end${S}` } },
    patterns: [
      { name: `punctuation.separator.comma${S}`, match: ',' },
      inc('directive-names'),
      inc('expression'),
    ],
  });
  return {
    comment: 'Linux linkage macros: SYM_CODE_START(name), SYM_DATA(name, .quad 0), ENTRY(name)...',
    patterns: [
      linkage(String.raw`SYM_[A-Z0-9_]*DATA[A-Z0-9_]*`, `entity.name.variable.data${S}`),
      linkage(String.raw`SYM_[A-Z0-9_]+|ENTRY|END|ENDPROC|GLOBAL|WEAK`, `entity.name.function${S}`),
    ],
  };
}

function prefixes(): Rule {
  return {
    patterns: [
      {
        name: `keyword.mnemonic.prefix${S}`,
        match: String.raw`(?<![\w.\\])(?i:lock|rep|repe|repz|repne|repnz|data16|data32|addr16|addr32|rex64|rex(?:\.[wrxb]+)?|notrack|bnd|xacquire|xrelease)(?![\w.\\:=])`,
      },
      {
        comment: 'A segment-override prefix written as a word (cs lgdt ...); only when an instruction follows.',
        name: `keyword.mnemonic.prefix.segment${S}`,
        match: String.raw`(?<![\w.\\])(?i:cs|ds|es|fs|gs|ss)(?=\s+[A-Za-z_{])`,
      },
      {
        name: `keyword.mnemonic.prefix.pseudo${S}`,
        match: String.raw`\{(?:disp8|disp16|disp32|load|store|vex|vex2|vex3|evex|rex|rex2|nooptimize)\}`,
      },
    ],
  };
}

function macroCall(): Rule {
  return {
    comment: 'A statement starting with a name that has capitals (SWAPGS, LOCK_AND_LOAD_REALMODE_ESP lock_rip=1) is a macro.',
    name: `meta.macro.call${S}`,
    begin: String.raw`(?<![\w.\\])(?=[A-Za-z0-9_]*[A-Z])([A-Za-z_][A-Za-z0-9_]*)(?![\w.\\])`,
    end: STATEMENT_END,
    beginCaptures: { '1': { name: `entity.name.function.macro.call${S}` } },
    patterns: [
      {
        match: String.raw`(?<![\w.\\%])([A-Za-z_]\w*)\s*(=)(?!=)`,
        captures: {
          '1': { name: `variable.parameter.macro.keyword-argument${S}` },
          '2': { name: `keyword.operator.assignment${S}` },
        },
      },
      inc('operands'),
    ],
  };
}

function instruction(): Rule {
  return {
    comment: 'Any other word at the start of a statement is an instruction mnemonic (size suffix included).',
    name: `meta.instruction${S}`,
    begin: String.raw`(?<![\w.\\])((?:[A-Za-z_]|${MACRO_REF})(?:[\w]|${MACRO_REF})*(?:\.[A-Za-z0-9]+)?)(?![\w.\\])`,
    end: STATEMENT_END,
    beginCaptures: { '1': { name: `keyword.mnemonic${S}`, patterns: [inc('macro-reference')] } },
    patterns: [inc('operands')],
  };
}

export function buildGrammar(): Record<string, unknown> {
  const repository: Record<string, Rule> = {
    statement: {
      patterns: [
        inc('comments'),
        { name: `punctuation.separator.statement${S}`, match: ';' },
        inc('labels'),
        inc('assignment'),
        inc('kernel-macros'),
        inc('directives'),
        inc('prefixes'),
        inc('macro-call'),
        inc('instruction'),
        inc('line-continuation'),
      ],
    },
    preprocessor: preprocessor(),
    comments: comments(),
    'comments-inline': {
      comment: 'Inside operands only block comments and // (a # ends the statement and is handled outside).',
      patterns: [
        {
          name: `comment.block${S}`,
          begin: String.raw`/\*`,
          end: String.raw`\*/`,
          beginCaptures: { '0': { name: `punctuation.definition.comment.begin${S}` } },
          endCaptures: { '0': { name: `punctuation.definition.comment.end${S}` } },
        },
      ],
    },
    'line-continuation': { name: `constant.character.escape.line-continuation${S}`, match: String.raw`\\$` },
    strings: strings(),
    numbers: numbers(),
    registers: registers(),
    'macro-reference': macroReference(),
    symbols: symbols(),
    operators: operators(),
    expression: expression(),
    group: group(),
    'memory-operand': memoryOperand(),
    operands: operands(),
    labels: labels(),
    assignment: assignment(),
    directives: directives(),
    'directive-names': directiveNames(),
    'kernel-macros': kernelMacros(),
    prefixes: prefixes(),
    'macro-call': macroCall(),
    instruction: instruction(),
  };
  return {
    $schema: 'https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json',
    name: 'x86 Assembly (GAS)',
    scopeName: 'source.gas-x86',
    comment: 'Generated by scripts/gen-grammar.ts; edit that file, not this one.',
    fileTypes: ['S', 's'],
    patterns: [inc('preprocessor'), inc('statement')],
    repository,
  };
}

export const GRAMMAR_PATH = join(__dirname, '..', 'syntaxes', 'gas-x86.tmLanguage.json');

export function grammarJson(): string {
  return JSON.stringify(buildGrammar(), null, 2) + '\n';
}

if (require.main === module) {
  writeFileSync(GRAMMAR_PATH, grammarJson());
  console.log(`wrote ${GRAMMAR_PATH}`);
}
