// A small lexer for one line of GAS source as the editor shows it (before cpp): enough to know what is under the
// cursor and to colour it. The assembler proper lives in gas/; this only finds token boundaries.

export type TokenKind =
  | 'ident' // names, directives (with their dot), mnemonics
  | 'register' // %eax (text without '%' in `name`)
  | 'number'
  | 'numlabel' // 1b / 2f
  | 'string'
  | 'comment'
  | 'param' // \name or \@ inside a macro body
  | 'cpp' // # directive at line start (#include, #define…)
  | 'punct';

export interface LineToken {
  kind: TokenKind;
  start: number;
  end: number;
  text: string;
}

// `$` may continue a name but starts an immediate in AT&T syntax.
const nameStart = /[A-Za-z_.]/;
const nameChar = /[A-Za-z0-9_.$]/;

export interface ScanState {
  inBlockComment: boolean;
}

/** Tokens of one line; `state` carries an open C comment from line to line. */
export function scanLine(text: string, state: ScanState = { inBlockComment: false }): LineToken[] {
  const out: LineToken[] = [];
  let i = 0;
  const n = text.length;
  const push = (kind: TokenKind, start: number, end: number) => out.push({ kind, start, end, text: text.slice(start, end) });
  if (!state.inBlockComment) {
    const m = /^\s*#\s*(include|define|undef|if|ifdef|ifndef|elif|else|endif|error|warning|pragma|line)\b/.exec(text);
    if (m) {
      const s = text.indexOf('#');
      push('cpp', s, m[0].length);
      i = m[0].length;
    }
  }
  while (i < n) {
    if (state.inBlockComment) {
      const e = text.indexOf('*/', i);
      const end = e < 0 ? n : e + 2;
      push('comment', i, end);
      i = end;
      if (e >= 0) state.inBlockComment = false;
      continue;
    }
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\r') { i++; continue; }
    if (c === '/' && text[i + 1] === '*') {
      const e = text.indexOf('*/', i + 2);
      const end = e < 0 ? n : e + 2;
      push('comment', i, end);
      if (e < 0) state.inBlockComment = true;
      i = end;
      continue;
    }
    if (c === '#' || (c === '/' && text[i + 1] === '/')) { push('comment', i, n); break; }
    if (c === '"') {
      let j = i + 1;
      while (j < n && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      push('string', i, Math.min(n, j + 1));
      i = j + 1;
      continue;
    }
    if (c === '%') {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9]/.test(text[j])) j++;
      if (text.slice(i + 1, j) === 'st' && text[j] === '(') { const k = text.indexOf(')', j); if (k > 0) j = k + 1; }
      push(j > i + 1 ? 'register' : 'punct', i, j > i + 1 ? j : i + 1);
      i = Math.max(j, i + 1);
      continue;
    }
    if (c === '\\') {
      let j = i + 1;
      if (text[j] === '@' || text[j] === '(' || text[j] === ')') j++;
      else while (j < n && nameChar.test(text[j])) j++;
      push('param', i, Math.max(j, i + 1));
      i = Math.max(j, i + 1);
      continue;
    }
    if (/[0-9]/.test(c)) {
      let j = i;
      if (c === '0' && /[xX]/.test(text[i + 1] ?? '')) { j = i + 2; while (j < n && /[0-9a-fA-F]/.test(text[j])) j++; }
      else if (c === '0' && /[bB]/.test(text[i + 1] ?? '') && /[01]/.test(text[i + 2] ?? '')) { j = i + 2; while (j < n && /[01]/.test(text[j])) j++; }
      else {
        while (j < n && /[0-9]/.test(text[j])) j++;
        if (/[bf]/.test(text[j] ?? '') && !nameChar.test(text[j + 1] ?? '')) { push('numlabel', i, j + 1); i = j + 1; continue; }
      }
      while (j < n && /[uUlL]/.test(text[j])) j++;
      push('number', i, j);
      i = j;
      continue;
    }
    if (nameStart.test(c)) {
      let j = i + 1;
      while (j < n && (nameChar.test(text[j]) || (text[j] === '\\' && text[j + 1] === '@'))) j += text[j] === '\\' ? 2 : 1;
      push('ident', i, j);
      i = j;
      continue;
    }
    push('punct', i, i + 1);
    i++;
  }
  return out;
}

/** The token under (or just before) a column. */
export function tokenAt(text: string, column: number, state?: ScanState): LineToken | undefined {
  const toks = scanLine(text, state ?? { inBlockComment: false });
  return toks.find((t) => column >= t.start && column < t.end) ?? toks.find((t) => column === t.end && t.kind !== 'punct');
}

/**
 * Per-line starting comment state of a whole document (index = line): whether the line begins inside a C comment.
 * A plain indexOf walk, since it runs over every line of large files.
 */
export function blockCommentStates(lines: string[]): boolean[] {
  const states = new Array<boolean>(lines.length);
  let inBlock = false;
  for (let l = 0; l < lines.length; l++) {
    states[l] = inBlock;
    const text = lines[l];
    let i = 0;
    for (;;) {
      if (inBlock) {
        const e = text.indexOf('*/', i);
        if (e < 0) break;
        inBlock = false;
        i = e + 2;
        continue;
      }
      const open = text.indexOf('/*', i);
      if (open < 0) break;
      // A '#' comment or a string before the '/*' hides it.
      const hash = text.indexOf('#', i);
      const quote = text.indexOf('"', i);
      if (hash >= 0 && hash < open && !/^\s*#\s*[a-z]/.test(text.slice(0, hash + 3)) ) break;
      if (quote >= 0 && quote < open) {
        let j = quote + 1;
        while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
        i = j + 1;
        continue;
      }
      inBlock = true;
      i = open + 2;
    }
  }
  return states;
}
