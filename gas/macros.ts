// The GAS macro language: `.macro` headers, call-site argument binding and body substitution, following GNU as's
// macro.c in its default (non-alternate, non-MRI) mode.
import type { MacroParam } from './model';
import type { OriginSegment, PreprocessedLine } from './cpp/types';
import type { ExpansionStep, Origin } from './source';
import { charEscapeValue, isNameChar, isSpace } from './scan';

export interface MacroHeader {
  name: string;
  params: MacroParam[];
  errors: string[];
}

const isSep = (c: string) =>
  c === ' ' || c === '\t' || c === ',' || c === '"' || c === ';' || c === ')' || c === '(' || c === '<' || c === '>';

function skipWhite(t: string, i: number): number {
  while (i < t.length && isSpace(t[i])) i++;
  return i;
}

function skipComma(t: string, i: number): number {
  i = skipWhite(t, i);
  if (t[i] === ',') i = skipWhite(t, i + 1);
  return i;
}

function getToken(t: string, i: number): { token: string; end: number } {
  const s = i;
  while (i < t.length && (isNameChar(t[i]) || t[i] === '$')) i++;
  return { token: t.slice(s, i), end: i };
}

/** GNU getstring: a quoted argument without its quotes (`""` inside stands for one quote). */
function getString(t: string, i: number): { value: string; end: number } {
  let out = '';
  while (i < t.length && t[i] === '"') {
    i++;
    let escaped = false;
    while (i < t.length) {
      escaped = t[i - 1] === '\\' ? !escaped : false;
      if (!escaped && t[i] === '"') {
        i++;
        if (i >= t.length || t[i] !== '"') break;
      }
      out += t[i];
      i++;
    }
  }
  return { value: out, end: i };
}

/** GNU get_any_string: one argument, ending at a blank or comma outside brackets. */
export function getAnyString(t: string, i: number): { value: string; end: number } {
  i = skipWhite(t, i);
  if (i >= t.length) return { value: '', end: i };
  if (t[i] === '"') return getString(t, i);
  let out = '';
  const brackets: string[] = [];
  while (i < t.length && (brackets.length > 0 || !isSpace(t[i])) && t[i] !== ',') {
    const c = t[i];
    if (c === '"' || c === "'") {
      out += c;
      i++;
      while (i < t.length && t[i] !== c) out += t[i++];
      if (i >= t.length) return { value: out, end: i };
    } else if (c === '(' || c === '[') {
      brackets.push(c);
    } else if (c === ')' && brackets[brackets.length - 1] === '(') {
      brackets.pop();
    } else if (c === ']' && brackets[brackets.length - 1] === '[') {
      brackets.pop();
    }
    out += t[i];
    i++;
  }
  return { value: out, end: i };
}

/** Parses `name [param[:req|:vararg][=default]]...` (params separated by blanks or commas). */
export function parseMacroHeader(text: string): MacroHeader {
  const errors: string[] = [];
  let i = skipWhite(text, 0);
  const nameTok = getToken(text, i);
  const name = nameTok.token;
  if (!name) return { name: '', params: [], errors: ['Missing macro name'] };
  i = skipComma(text, nameTok.end);
  const params: MacroParam[] = [];
  while (i < text.length) {
    const tok = getToken(text, i);
    if (!tok.token) {
      errors.push(`bad macro parameter list for \`${name}'`);
      break;
    }
    i = tok.end;
    const p: MacroParam = { name: tok.token, required: false, vararg: false };
    if (text[i] === ':') {
      const q = getToken(text, i + 1);
      if (q.token === 'req') p.required = true;
      else if (q.token === 'vararg') p.vararg = true;
      else errors.push(`\`${q.token}' is not a valid parameter qualifier for \`${p.name}' in macro \`${name}'`);
      i = q.end;
    }
    i = skipWhite(text, i);
    if (text[i] === '=') {
      const d = getAnyString(text, i + 1);
      p.defaultValue = d.value;
      i = d.end;
      if (p.required) errors.push(`Pointless default value for required parameter \`${p.name}' in macro \`${name}'`);
    }
    if (params.some((q) => q.name === p.name)) errors.push(`A parameter named \`${p.name}' already exists for macro \`${name}'`);
    else if (params.length && params[params.length - 1].vararg)
      errors.push(`Only the last parameter of macro \`${name}' may be vararg`);
    params.push(p);
    i = skipComma(text, i);
  }
  return { name, params, errors };
}

export interface BoundArguments {
  values: Map<string, string>;
  /** Problems that stop the expansion (GNU returns an error). */
  errors: string[];
  /** Problems GNU reports but still expands the macro after (missing :req values, unknown keyword names). */
  softErrors: string[];
  warnings: string[];
}

/** Binds the text after a macro name to its parameters (positional, `name=value`, vararg). */
export function bindArguments(macroName: string, params: MacroParam[], text: string): BoundArguments {
  text = scrubBlanks(charConstantsToDecimal(text));
  const errors: string[] = [];
  const softErrors: string[] = [];
  const warnings: string[] = [];
  const actual = new Map<string, string>();
  let i = skipWhite(text, 0);
  let positional = 0;
  let keywordSeen = false;
  while (i < text.length) {
    let scan = i;
    while (scan < text.length && !isSep(text[scan]) && text[scan] !== '=') scan++;
    if (scan < text.length && text[scan] === '=') {
      keywordSeen = true;
      const tok = getToken(text, i);
      if (text[tok.end] !== '=') {
        errors.push('confusion in formal parameters');
        break;
      }
      const p = params.find((q) => q.name === tok.token);
      const v = getAnyString(text, tok.end + 1);
      i = v.end;
      if (!p) softErrors.push(`Parameter named \`${tok.token}' does not exist for macro \`${macroName}'`);
      else {
        if (actual.has(p.name)) warnings.push(`Value for parameter \`${p.name}' of macro \`${macroName}' was already specified`);
        actual.set(p.name, p.vararg ? text.slice(tok.end + 1).trim() : v.value);
        if (p.vararg) i = text.length;
      }
    } else {
      if (keywordSeen) {
        errors.push("can't mix positional and keyword arguments");
        break;
      }
      const p = params[positional];
      if (!p) {
        errors.push('too many positional arguments');
        break;
      }
      if (p.vararg) {
        actual.set(p.name, text.slice(i));
        i = text.length;
      } else {
        const v = getAnyString(text, i);
        i = v.end;
        actual.set(p.name, v.value);
      }
      positional++;
    }
    i = skipComma(text, i);
  }
  const values = new Map<string, string>();
  for (const p of params) {
    const a = actual.get(p.name);
    if (p.required && (a === undefined || a === '') && !errors.length)
      softErrors.push(`Missing value for required parameter \`${p.name}' of macro \`${macroName}'`);
    values.set(p.name, a !== undefined && a !== '' ? a : p.defaultValue ?? '');
  }
  return { values, errors, softErrors, warnings };
}

/** A piece of output text mapped to a column range of the body line it came from. */
interface Piece {
  text: string;
  from: number;
  to: number;
}

/**
 * Substitutes `\param`, `\@`, `\()` and `\(text)` in one body line. `values` undefined means no parameters (.rept);
 * `number` undefined leaves `\@` alone (GNU does not substitute it in .rept).
 */
export function substituteLine(
  line: PreprocessedLine,
  values: Map<string, string> | undefined,
  number: number | undefined,
  step: ExpansionStep,
  outer: Origin['expansion'],
): PreprocessedLine {
  const t = line.text;
  // The expansion stack every output segment gets (cpp-macro steps of the body text are kept in front); one
  // array per expansion, shared by all its lines.
  const base = expansionBase(step, outer);
  if (!t.includes('\\')) {
    // Nothing to substitute: same text, same segments, one more expansion step.
    return { text: t, segments: line.segments.map((sg) => ({ start: sg.start, end: sg.end, origin: withExpansion(sg.origin, base) })) };
  }
  const pieces: Piece[] = [];
  let lit = 0;
  let i = 0;
  while (i < t.length) {
    if (t[i] !== '\\') {
      i++;
      continue;
    }
    const s = i;
    const n = t[i + 1];
    if (s > lit) pieces.push({ text: t.slice(lit, s), from: lit, to: s });
    lit = s;
    if (n === '(') {
      const close = t.indexOf(')', i + 2);
      const end = close < 0 ? t.length : close + 1;
      pieces.push({ text: t.slice(i + 2, close < 0 ? t.length : close), from: s, to: end });
      i = lit = end;
      continue;
    }
    if (n === '@' && number !== undefined) {
      pieces.push({ text: String(number), from: s, to: s + 2 });
      i = lit = s + 2;
      continue;
    }
    if (values) {
      const tok = getToken(t, i + 1);
      if (tok.token && values.has(tok.token)) {
        pieces.push({ text: values.get(tok.token)!, from: s, to: tok.end });
        i = lit = tok.end;
        continue;
      }
      i = Math.max(tok.end, i + 1);
      continue;
    }
    i++;
  }
  if (t.length > lit) pieces.push({ text: t.slice(lit), from: lit, to: t.length });
  // Build the new text and segments, each piece mapped into the body line's own segments.
  let text = '';
  const segments: OriginSegment[] = [];
  // (withExpansion is called directly: a named closure here is renamed on every call in the shipped bundle.)
  for (const p of pieces) {
    const start = text.length;
    text += p.text;
    if (p.text.length === 0) continue;
    const verbatim = p.to - p.from === p.text.length && t.slice(p.from, p.to) === p.text;
    for (const seg of line.segments) {
      const a = Math.max(seg.start, p.from);
      const b = Math.min(seg.end, p.to);
      if (a >= b && !(p.from === p.to)) continue;
      if (verbatim) {
        const r = seg.origin.range;
        const oneToOne = r.line === r.endLine && r.endColumn - r.column === seg.end - seg.start;
        const range = oneToOne
          ? { ...r, column: r.column + (a - seg.start), endColumn: r.column + (b - seg.start) }
          : r;
        segments.push({ start: start + (a - p.from), end: start + (b - p.from), origin: withExpansion({ range, expansion: seg.origin.expansion }, base) });
      } else {
        // A substituted argument maps to the `\name` that it replaced.
        const r = seg.origin.range;
        const oneToOne = r.line === r.endLine && r.endColumn - r.column === seg.end - seg.start;
        const range = oneToOne ? { ...r, column: r.column + (a - seg.start), endColumn: r.column + (b - seg.start) } : r;
        segments.push({ start, end: start + p.text.length, origin: withExpansion({ range, expansion: seg.origin.expansion }, base) });
        break;
      }
    }
  }
  if (segments.length === 0 && line.segments.length > 0) {
    const o = line.segments[0].origin;
    segments.push({ start: 0, end: text.length, origin: withExpansion(o, base) });
  }
  return { text, segments };
}

let lastStep: ExpansionStep | undefined;
let lastOuter: Origin['expansion'] | undefined;
let lastBase: ExpansionStep[] = [];
/** Body-origin stack → stack inside the current expansion (cleared when the expansion changes). */
const mergedStacks = new Map<ExpansionStep[], ExpansionStep[]>();

function expansionBase(step: ExpansionStep, outer: Origin['expansion']): ExpansionStep[] {
  if (step !== lastStep || outer !== lastOuter) {
    lastStep = step;
    lastOuter = outer;
    lastBase = [step, ...outer];
    mergedStacks.clear();
  }
  return lastBase;
}

/** The origin inside one more expansion: cpp-macro steps of the text stay innermost, include steps give way. */
function withExpansion(o: Origin, base: ExpansionStep[]): Origin {
  if (o.expansion.length === 0) return { range: o.range, expansion: base };
  if (base !== lastBase) return { range: o.range, expansion: mergeStacks(o.expansion, base) };
  let merged = mergedStacks.get(o.expansion);
  if (!merged) mergedStacks.set(o.expansion, (merged = mergeStacks(o.expansion, base)));
  return { range: o.range, expansion: merged };
}

function mergeStacks(inner: ExpansionStep[], base: ExpansionStep[]): ExpansionStep[] {
  const cpp = inner.filter((e) => e.kind === 'cpp-macro');
  return cpp.length ? [...cpp, ...base] : base;
}

/** Whether a body line opens or closes a nesting level: returns the directive word (lowercase) or undefined. */
export function leadingDirective(text: string): string | undefined {
  let i = skipWhite(text, 0);
  // Skip labels (`name:`) before the directive.
  for (;;) {
    const m = /^([A-Za-z_.$][\w.$]*|[0-9]+)\s*:(?!=)/.exec(text.slice(i));
    if (!m) break;
    i = skipWhite(text, i + m[0].length);
  }
  if (text[i] !== '.') return undefined;
  const tok = getToken(text, i + 1);
  return '.' + tok.token.toLowerCase();
}

// Characters next to which GNU's scrubber keeps a blank: symbol characters plus x86's extra_symbol_chars.
const KEEPS_BLANK = /[A-Za-z0-9_.$*%\-(\[{}"\\]/;

/**
 * GNU's scrubber drops a run of blanks in an operand field unless the character before it and the one after it
 * both belong to symbols (x86 counts `*%-([{}` as such): `1 + 2` becomes `1+2`, `(1) 2` becomes `(1)2`, while
 * `1 -2`, `x y` and `( 1` keep their blank. Macro arguments are split after this.
 */
export function scrubBlanks(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    if (isSpace(c)) {
      let j = i;
      while (j < text.length && isSpace(text[j])) j++;
      const prev = out[out.length - 1];
      const next = text[j];
      if (prev !== undefined && next !== undefined && KEEPS_BLANK.test(prev) && KEEPS_BLANK.test(next)) out += ' ';
      i = j;
      continue;
    }
    out += c;
    i++;
  }
  return out;
}

/**
 * GNU's input scrubber turns `'c` (and `'c'`) character constants into decimal numbers before anything else reads
 * the statement. With `keepColumns`, each number is padded with blanks to the constant's width when it fits.
 */
export function charConstantsToDecimal(text: string, keepColumns = false): string {
  if (!text.includes("'")) return text;
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    if (c === "'" && i + 1 < text.length) {
      const start = i;
      let v: string;
      if (text[i + 1] === '\\' && i + 2 < text.length) {
        v = String(charEscapeValue(text[i + 2]));
        i += 3;
      } else {
        v = String(text.charCodeAt(i + 1) & 0xff);
        i += 2;
      }
      if (text[i] === "'") i++;
      if (keepColumns) out += v.padEnd(i - start, ' ');
      else {
        // GNU's scrubber drops the blanks after a character constant: `'a 'b` is 9798, `m 'c x` passes 99x.
        out += v;
        while (text[i] === ' ' || text[i] === '\t') i++;
      }
      continue;
    }
    out += c;
    i++;
  }
  return out;
}
