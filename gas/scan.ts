// Character-level helpers shared by the statement splitter, the macro engine and the expression parser. They
// follow GNU as's scrubber for x86 ELF: `#` starts a comment, `;` separates statements, `/* */` is a comment,
// a `/` at the start of a line is a comment, and `'c` is a character constant (never a string delimiter).

export function isNameStart(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_' || c === '.';
}

export function isNameChar(c: string): boolean {
  return isNameStart(c) || (c >= '0' && c <= '9');
}

/** isNameStart by character code (no one-character strings on hot paths). */
export function isNameStartCode(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 46;
}

export function isNameCharCode(c: number): boolean {
  return isNameStartCode(c) || (c >= 48 && c <= 57);
}

export function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

export function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\f' || c === '\v' || c === '\r';
}

/** A statement's text and the column where it starts in its line. */
export interface StatementText {
  text: string;
  column: number;
}

/** Whether the line ends inside a `/* … *\/` comment, so the next line starts in one too. */
export interface SplitResult {
  statements: StatementText[];
  inComment: boolean;
  /** The line with its comments blanked: each statement is the slice of it at its column. */
  text: string;
}

/**
 * Splits one line into statements. Comments become spaces (so columns stay put); strings and character constants
 * are kept intact.
 */
const SPECIAL = /[#;/"']/;

export function splitStatements(line: string, startsInComment = false): SplitResult {
  // Most lines have nothing to split or blank out.
  if (!startsInComment && !SPECIAL.test(line)) return { statements: [{ text: line, column: 0 }], inComment: false, text: line };
  const n = line.length;
  let inComment = startsInComment;
  // Column ranges to turn into blanks (comments), and the positions of statement separators.
  const blanks: number[] = [];
  const cuts: number[] = [];
  let i = 0;
  let blankFrom = inComment ? 0 : -1;
  let lead = 0;
  while (lead < n && isSpace(line[lead])) lead++;
  if (!inComment && line[lead] === '/' && line[lead + 1] !== '*') {
    blanks.push(lead, n);
    i = n;
  }
  while (i < n) {
    const c = line[i];
    if (inComment) {
      if (c === '*' && line[i + 1] === '/') {
        blanks.push(blankFrom, i + 2);
        i += 2;
        inComment = false;
        continue;
      }
      i++;
      continue;
    }
    if (c === '/' && line[i + 1] === '*') {
      inComment = true;
      blankFrom = i;
      i += 2;
      continue;
    }
    if (c === '"') {
      i = endOfString(line, i);
      continue;
    }
    if (c === "'") {
      i += line[i + 1] === '\\' ? 3 : 2;
      if (line[i] === "'") i++;
      continue;
    }
    if (c === '#') {
      blanks.push(i, n);
      break;
    }
    if (c === ';') cuts.push(i);
    i++;
  }
  if (inComment) blanks.push(blankFrom, n);
  let text = line;
  if (blanks.length) {
    let b = '';
    let at = 0;
    for (let k = 0; k < blanks.length; k += 2) {
      b += line.slice(at, blanks[k]) + ' '.repeat(Math.max(0, Math.min(n, blanks[k + 1]) - blanks[k]));
      at = Math.min(n, blanks[k + 1]);
    }
    text = b + line.slice(at);
  }
  const out: StatementText[] = [];
  let start = 0;
  for (const cut of cuts) {
    out.push({ text: text.slice(start, cut), column: start });
    start = cut + 1;
  }
  out.push({ text: text.slice(start), column: start });
  return { statements: out, inComment, text };
}

/** Index just past the string literal starting at `i` (which holds `"`). */
export function endOfString(text: string, i: number): number {
  i++;
  while (i < text.length) {
    if (text[i] === '\\') {
      i += 2;
      continue;
    }
    if (text[i] === '"') return i + 1;
    i++;
  }
  return i;
}


/**
 * Decodes a GAS string literal body (escapes `\n \t \b \f \r \\ \" \ooo \xhh`). Returns byte values and whether
 * it was terminated.
 */
export function decodeString(text: string, openQuote: number): { bytes: number[]; end: number; terminated: boolean } {
  const bytes: number[] = [];
  let i = openQuote + 1;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') return { bytes, end: i + 1, terminated: true };
    if (c === '\\' && i + 1 < text.length) {
      const e = text[i + 1];
      i += 2;
      switch (e) {
        case 'n': bytes.push(10); break;
        case 't': bytes.push(9); break;
        case 'b': bytes.push(8); break;
        case 'f': bytes.push(12); break;
        case 'r': bytes.push(13); break;
        case 'v': bytes.push(11); break;
        case 'x':
        case 'X': {
          // GNU takes every hex digit that follows and keeps the low byte; none at all gives 0.
          let v = 0;
          while (i < text.length && /[0-9a-fA-F]/.test(text[i])) {
            v = (v * 16 + parseInt(text[i], 16)) & 0xff;
            i++;
          }
          bytes.push(v);
          break;
        }
        default:
          // GNU reads up to three digits in base 8, accepting 8 and 9 as digits too.
          if (e >= '0' && e <= '9') {
            let v = e.charCodeAt(0) - 48;
            let n = 1;
            while (n < 3 && i < text.length && text[i] >= '0' && text[i] <= '9') {
              v = v * 8 + (text.charCodeAt(i) - 48);
              i++;
              n++;
            }
            bytes.push(v & 0xff);
          } else {
            bytes.push(e.charCodeAt(0) & 0xff);
          }
      }
      continue;
    }
    bytes.push(c.charCodeAt(0) & 0xff);
    i++;
  }
  return { bytes, end: i, terminated: false };
}

/** Value of a character escape after `'\` as GNU computes it: only n t b f r are special (`'\0` is '0'). */
export function charEscapeValue(e: string): number {
  switch (e) {
    case 'n': return 10;
    case 't': return 9;
    case 'b': return 8;
    case 'f': return 12;
    case 'r': return 13;
    default: return e.charCodeAt(0) & 0xff;
  }
}

/**
 * Splits a directive's operand list at top-level commas (not inside strings, character constants or
 * parentheses). Returns each piece with its start offset.
 */
export function splitCommas(text: string, base = 0): StatementText[] {
  const out: StatementText[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      i = endOfString(text, i) - 1;
      continue;
    }
    if (c === "'") {
      i += text[i + 1] === '\\' ? 2 : 1;
      if (text[i + 1] === "'") i++;
      continue;
    }
    if (c === '(') depth++;
    else if (c === ')') depth = Math.max(0, depth - 1);
    else if (c === ',' && depth === 0) {
      out.push({ text: text.slice(start, i), column: base + start });
      start = i + 1;
    }
  }
  out.push({ text: text.slice(start), column: base + start });
  return out;
}

/** Trims a piece and moves its column to the first non-space character. */
export function trimPiece(p: StatementText): StatementText {
  const t = p.text;
  let s = 0;
  while (s < t.length && isSpaceCode(t.charCodeAt(s))) s++;
  let e = t.length;
  while (e > s && isSpaceCode(t.charCodeAt(e - 1))) e--;
  return { text: s === 0 && e === t.length ? t : t.slice(s, e), column: p.column + s };
}

/** isSpace by character code (no one-character strings on hot paths). */
export function isSpaceCode(c: number): boolean {
  return c === 32 || c === 9 || c === 12 || c === 11 || c === 13;
}
