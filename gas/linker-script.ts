// The subset of GNU ld scripts that flat boot images need: SECTIONS with `. = ADDR;`, ALIGN, symbol
// assignments, output sections gathering input sections by pattern, and BYTE/SHORT/LONG/QUAD data.

export type ScriptExpr =
  | { t: 'num'; v: bigint }
  | { t: 'dot' }
  | { t: 'sym'; name: string }
  | { t: 'call'; fn: string; args: ScriptExpr[] }
  | { t: 'un'; op: string; x: ScriptExpr }
  | { t: 'bin'; op: string; l: ScriptExpr; r: ScriptExpr };

export type OutputItem =
  | { kind: 'input'; patterns: string[]; line: number }
  | { kind: 'data'; size: 1 | 2 | 4 | 8; expr: ScriptExpr; line: number }
  | { kind: 'assign'; name: string; expr: ScriptExpr; line: number };

export type SectionsItem =
  | { kind: 'assign'; name: string; expr: ScriptExpr; line: number }
  | { kind: 'output'; name: string; address?: ScriptExpr; items: OutputItem[]; line: number; fill?: ScriptExpr };

export interface LinkerScript {
  sections: SectionsItem[];
  /** Assignments outside SECTIONS (and PROVIDE), evaluated before layout. */
  globals: { name: string; expr: ScriptExpr; line: number }[];
  entry?: string;
}

export interface ScriptError {
  message: string;
  line: number;
  column: number;
}

interface Tok {
  v: string;
  line: number;
  column: number;
}

function tokenize(text: string): Tok[] {
  const out: Tok[] = [];
  let line = 0;
  let col = 0;
  let i = 0;
  const adv = (n: number) => {
    for (let k = 0; k < n; k++) {
      if (text[i] === '\n') {
        line++;
        col = 0;
      } else col++;
      i++;
    }
  };
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      adv(1);
      continue;
    }
    if (text.startsWith('/*', i)) {
      const e = text.indexOf('*/', i + 2);
      adv((e < 0 ? text.length : e + 2) - i);
      continue;
    }
    if (text.startsWith('#', i) || text.startsWith('//', i)) {
      const e = text.indexOf('\n', i);
      adv((e < 0 ? text.length : e) - i);
      continue;
    }
    const start = { line, column: col };
    const two = text.slice(i, i + 2);
    if (['<<', '>>', '==', '!=', '<=', '>=', '&&', '||', '+=', '-='].includes(two)) {
      out.push({ v: two, ...start });
      adv(2);
      continue;
    }
    if ('{}();:=,+-*/&|~!<>?'.includes(c)) {
      out.push({ v: c, ...start });
      adv(1);
      continue;
    }
    if (c === '"') {
      const e = text.indexOf('"', i + 1);
      const end = e < 0 ? text.length : e + 1;
      out.push({ v: text.slice(i, end), ...start });
      adv(end - i);
      continue;
    }
    // Names, numbers and file/section patterns (which may contain * ? [ ] . - etc.).
    let j = i;
    while (j < text.length && /[A-Za-z0-9_.$*?\[\]\-\\\/~]/.test(text[j])) {
      if (text[j] === '/' && text[j + 1] === '*') break;
      if ((text[j] === '-' || text[j] === '/' || text[j] === '~') && j === i) break;
      j++;
    }
    if (j === i) j = i + 1;
    out.push({ v: text.slice(i, j), ...start });
    adv(j - i);
  }
  return out;
}

export function parseLinkerScript(text: string): { script?: LinkerScript; errors: ScriptError[] } {
  const toks = tokenize(text);
  let p = 0;
  const errors: ScriptError[] = [];
  const script: LinkerScript = { sections: [], globals: [] };
  class Fail extends Error {}
  const peek = () => toks[p];
  const fail = (msg: string): never => {
    const t = toks[Math.min(p, toks.length - 1)] ?? { line: 0, column: 0 };
    errors.push({ message: msg, line: t.line, column: t.column });
    throw new Fail(msg);
  };
  const expect = (v: string) => {
    if (peek()?.v !== v) fail(`syntax error: expected \`${v}'${peek() ? ` before \`${peek().v}'` : ' at end of script'}`);
    p++;
  };
  const accept = (v: string) => {
    if (peek()?.v === v) {
      p++;
      return true;
    }
    return false;
  };

  const RANK: Record<string, number> = { '||': 1, '&&': 2, '|': 3, '&': 5, '==': 6, '!=': 6, '<': 7, '>': 7, '<=': 7, '>=': 7, '<<': 8, '>>': 8, '+': 9, '-': 9, '*': 10, '/': 10 };
  const expr = (min = 1): ScriptExpr => {
    let l = unary();
    for (;;) {
      const op = peek()?.v;
      if (!op || !(op in RANK) || RANK[op] < min) return l;
      p++;
      const r = expr(RANK[op] + 1);
      l = { t: 'bin', op, l, r };
    }
  };
  const unary = (): ScriptExpr => {
    const t = peek();
    if (!t) return fail('syntax error: expression expected');
    if (t.v === '-' || t.v === '~' || t.v === '!') {
      p++;
      return { t: 'un', op: t.v, x: unary() };
    }
    if (t.v === '(') {
      p++;
      const e = expr();
      expect(')');
      return e;
    }
    p++;
    if (t.v === '.') return { t: 'dot' };
    const num = /^(0[xX][0-9a-fA-F]+|[0-9]+)([KM]?)$/.exec(t.v);
    if (num) {
      let v = BigInt(num[1].startsWith('0x') || num[1].startsWith('0X') ? num[1] : num[1].replace(/^0+(?=\d)/, ''));
      if (num[2] === 'K') v *= 1024n;
      if (num[2] === 'M') v *= 1024n * 1024n;
      return { t: 'num', v };
    }
    if (/^[A-Za-z_.$][\w.$]*$/.test(t.v)) {
      if (peek()?.v === '(') {
        p++;
        const args: ScriptExpr[] = [];
        if (!accept(')')) {
          do args.push(expr());
          while (accept(','));
          expect(')');
        }
        return { t: 'call', fn: t.v.toUpperCase(), args };
      }
      return { t: 'sym', name: t.v };
    }
    return fail(`syntax error: unexpected \`${t.v}'`);
  };

  const outputSection = (name: string, line: number): SectionsItem => {
    let address: ScriptExpr | undefined;
    if (peek()?.v !== ':') address = expr();
    expect(':');
    // Ignore AT(...) and (NOLOAD)-style attributes.
    while (peek() && peek().v !== '{') {
      if (accept('AT') || accept('ALIGN') || accept('SUBALIGN')) {
        expect('(');
        expr();
        expect(')');
      } else p++;
    }
    expect('{');
    const items: OutputItem[] = [];
    while (peek() && peek().v !== '}') {
      const t = peek();
      const up = t.v.toUpperCase();
      if (['BYTE', 'SHORT', 'LONG', 'QUAD'].includes(t.v)) {
        p++;
        expect('(');
        const e = expr();
        expect(')');
        accept(';');
        const size = ({ BYTE: 1, SHORT: 2, LONG: 4, QUAD: 8 } as const)[t.v as 'BYTE' | 'SHORT' | 'LONG' | 'QUAD'];
        items.push({ kind: 'data', size, expr: e, line: t.line });
        continue;
      }
      if (up === 'KEEP' || up === 'SORT' || up === 'SORT_BY_NAME') {
        p++;
        expect('(');
        const inner = inputSpec(t.line);
        expect(')');
        items.push(inner);
        continue;
      }
      if (toks[p + 1]?.v === '=' || toks[p + 1]?.v === '+=') {
        const nameTok = t.v;
        p++;
        const op = peek().v;
        p++;
        let e = expr();
        if (op === '+=') e = { t: 'bin', op: '+', l: nameTok === '.' ? { t: 'dot' } : { t: 'sym', name: nameTok }, r: e };
        expect(';');
        items.push({ kind: 'assign', name: nameTok, expr: e, line: t.line });
        continue;
      }
      if (accept(';')) continue;
      items.push(inputSpec(t.line));
    }
    expect('}');
    let fill: ScriptExpr | undefined;
    if (accept('=')) fill = expr();
    accept(';');
    return { kind: 'output', name, address, items, line, fill };
  };

  const inputSpec = (line: number): OutputItem => {
    const file = peek();
    if (!file) return fail('syntax error: input section expected');
    p++;
    if (peek()?.v !== '(') {
      // A bare file name with no section list: all its sections.
      return { kind: 'input', patterns: ['*'], line };
    }
    expect('(');
    const patterns: string[] = [];
    while (peek() && peek().v !== ')') {
      const t = peek();
      if (t.v.toUpperCase() === 'EXCLUDE_FILE') {
        p++;
        expect('(');
        while (peek() && peek().v !== ')') p++;
        expect(')');
        continue;
      }
      patterns.push(t.v.replace(/^"|"$/g, ''));
      p++;
    }
    expect(')');
    return { kind: 'input', patterns, line };
  };

  try {
    while (p < toks.length) {
      const t = peek();
      const up = t.v.toUpperCase();
      if (t.v === 'SECTIONS') {
        p++;
        expect('{');
        while (peek() && peek().v !== '}') {
          const s = peek();
          if (accept(';')) continue;
          if (toks[p + 1]?.v === '=' || toks[p + 1]?.v === '+=') {
            p++;
            const op = peek().v;
            p++;
            let e = expr();
            if (op === '+=') e = { t: 'bin', op: '+', l: s.v === '.' ? { t: 'dot' } : { t: 'sym', name: s.v }, r: e };
            expect(';');
            script.sections.push({ kind: 'assign', name: s.v, expr: e, line: s.line });
            continue;
          }
          if (s.v === '/DISCARD/') {
            p++;
            const o = outputSection('/DISCARD/', s.line);
            script.sections.push(o);
            continue;
          }
          p++;
          script.sections.push(outputSection(s.v, s.line));
        }
        expect('}');
        continue;
      }
      if (up === 'ENTRY') {
        p++;
        expect('(');
        script.entry = peek()?.v;
        p++;
        expect(')');
        accept(';');
        continue;
      }
      if (['OUTPUT_FORMAT', 'OUTPUT_ARCH', 'TARGET', 'SEARCH_DIR', 'INPUT', 'GROUP', 'OUTPUT', 'STARTUP'].includes(up)) {
        p++;
        expect('(');
        let depth = 1;
        while (p < toks.length && depth > 0) {
          if (peek().v === '(') depth++;
          if (peek().v === ')') depth--;
          p++;
        }
        accept(';');
        continue;
      }
      if (up === 'PROVIDE' || up === 'PROVIDE_HIDDEN') {
        p++;
        expect('(');
        const name = peek().v;
        p++;
        expect('=');
        const e = expr();
        expect(')');
        accept(';');
        script.globals.push({ name, expr: e, line: t.line });
        continue;
      }
      if (toks[p + 1]?.v === '=') {
        p += 2;
        const e = expr();
        expect(';');
        script.globals.push({ name: t.v, expr: e, line: t.line });
        continue;
      }
      fail(`syntax error: unsupported command \`${t.v}'`);
    }
  } catch (e) {
    if (!(e instanceof Fail)) throw e;
    return { errors };
  }
  return { script, errors };
}

/** Glob match for section patterns (`*`, `?`, `[…]`). */
export function matchPattern(pattern: string, name: string): boolean {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const e = pattern.indexOf(']', i);
      if (e < 0) re += '\\[';
      else {
        re += pattern.slice(i, e + 1);
        i = e;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(re + '$').test(name);
}
