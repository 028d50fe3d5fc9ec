// Comment stripping and statement splitting for GNU as x86 sources run through cpp, just enough for the
// editor-side heuristics (start inference, hover and inline-value extraction). Column positions are preserved:
// comments become spaces so ranges found in the stripped text are ranges in the original line.

const CPP_DIRECTIVE = /^\s*#\s*(include|include_next|define|undef|if|ifdef|ifndef|elif|else|endif|error|warning|pragma|line)\b/;

/** Blanks out comments (`/* … *\/` across lines, `//`, and `#` outside strings and cpp directives). */
export function stripComments(lines: readonly string[]): string[] {
  const out: string[] = [];
  let inBlock = false;
  for (const line of lines) {
    let s = '';
    let inString = false;
    const isCpp = !inBlock && CPP_DIRECTIVE.test(line);
    for (let i = 0; i < line.length; i++) {
      const c = line[i];
      if (inBlock) {
        if (c === '*' && line[i + 1] === '/') {
          inBlock = false;
          s += '  ';
          i++;
        } else s += ' ';
        continue;
      }
      if (inString) {
        s += c;
        if (c === '\\' && i + 1 < line.length) s += line[++i];
        else if (c === '"') inString = false;
        continue;
      }
      if (c === '"') {
        inString = true;
        s += c;
        continue;
      }
      if (c === '/' && line[i + 1] === '*') {
        inBlock = true;
        s += '  ';
        i++;
        continue;
      }
      if ((c === '/' && line[i + 1] === '/') || (c === '#' && !(isCpp && line.slice(0, i).trim() === ''))) {
        s += ' '.repeat(line.length - i);
        break;
      }
      s += c;
    }
    out.push(s);
  }
  return out;
}

export interface Statement {
  /** 0-based line. */
  line: number;
  /** Column of the statement's first character. */
  start: number;
  text: string;
}

/** Statements of one stripped line (`;` separates statements in GNU as), with their columns. */
export function statementsOf(stripped: string, line: number): Statement[] {
  const out: Statement[] = [];
  let begin = 0;
  let inString = false;
  for (let i = 0; i <= stripped.length; i++) {
    const c = stripped[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === ';' || i === stripped.length) {
      const text = stripped.slice(begin, i);
      const lead = text.length - text.trimStart().length;
      if (text.trim()) out.push({ line, start: begin + lead, text: text.trim() });
      begin = i + 1;
    }
  }
  return out;
}

/** Every statement of a source, in order, labels split off (`foo: mov …` gives `foo:` and `mov …`). */
export function statements(text: string): Statement[] {
  const lines = stripComments(text.split(/\r?\n/));
  const out: Statement[] = [];
  lines.forEach((l, i) => {
    for (const st of statementsOf(l, i)) {
      let rest = st;
      for (;;) {
        const m = /^([A-Za-z_.$][\w.$]*|\d+)\s*:(?!:)\s*/.exec(rest.text);
        if (!m || CPP_DIRECTIVE.test(rest.text)) break;
        out.push({ line: i, start: rest.start, text: rest.text.slice(0, m[1].length + 1) });
        rest = { line: i, start: rest.start + m[0].length, text: rest.text.slice(m[0].length) };
        if (!rest.text) break;
      }
      if (rest.text) out.push(rest);
    }
  });
  return out;
}
