// A `#define` turned into the form the expander uses: parameters become 'arg' tokens, `#param` becomes a
// STRINGIFY_ARG flag and `##` becomes PASTE_LEFT on its left operand, as gcc stores replacement lists.
import type { SourceRange } from '../source';
import type { Token } from './token';
import { copyToken, PASTE_LEFT, PREV_WHITE, STRINGIFY_ARG, tokenRange } from './token';

export type BuiltinMacroKind =
  | '__LINE__'
  | '__FILE__'
  | '__BASE_FILE__'
  | '__COUNTER__'
  | '__INCLUDE_LEVEL__'
  | '__DATE__'
  | '__TIME__'
  | '__has_include'
  | '__has_include_next'
  | '_Pragma';

export interface MacroDef {
  name: string;
  funLike: boolean;
  /** Parameter names; the variadic one is '__VA_ARGS__' for `...` or its own name for GNU `args...`. */
  params: string[];
  variadic: boolean;
  body: Token[];
  /** Replacement list as written, whitespace normalised to single spaces. */
  bodyText: string;
  /** The macro name in the `#define` (or a synthetic place for predefined and command-line macros). */
  location: SourceRange;
  /** Defined by a built-in kernel header, a predefined macro or the command line rather than user files. */
  builtin: boolean;
  /** Computed at expansion time (__LINE__, __FILE__, …). */
  special?: BuiltinMacroKind;
  /** Non-zero while its own expansion is being read (gcc's NODE_DISABLED). */
  disabled: number;
}

export interface DefineProblem {
  severity: 'error' | 'warning';
  message: string;
  at: Token;
}

export interface DefineResult {
  macro?: MacroDef;
  problems: DefineProblem[];
}

/** Joins token spellings with one space wherever the source had whitespace. */
export function spellTokens(tokens: Token[]): string {
  let s = '';
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (i > 0 && t.flags & PREV_WHITE) s += ' ';
    s += t.text;
  }
  return s;
}

/**
 * Parses the tokens after `#define` (tokens[0] is the macro name). `asm` relaxes `#` to a literal when it is not
 * followed by a parameter, as gcc does for assembler-with-cpp.
 */
export function parseDefine(tokens: Token[], dirToken: Token, builtin: boolean): DefineResult {
  const problems: DefineProblem[] = [];
  const fail = (message: string, at: Token): DefineResult => {
    problems.push({ severity: 'error', message, at });
    return { problems };
  };
  const nameTok = tokens[0];
  if (!nameTok) return fail('no macro name given in #define directive', dirToken);
  if (nameTok.kind !== 'ident') return fail('macro names must be identifiers', nameTok);
  if (nameTok.text === 'defined') return fail('"defined" cannot be used as a macro name', nameTok);
  if (nameTok.text === '__VA_ARGS__' || nameTok.text === '__VA_OPT__') {
    problems.push({ severity: 'warning', message: `${nameTok.text} can only appear in the expansion of a C99 variadic macro`, at: nameTok });
  }
  let i = 1;
  let funLike = false;
  const params: string[] = [];
  let variadic = false;
  if (tokens[1] && tokens[1].text === '(' && tokens[1].kind === 'punct' && !(tokens[1].flags & PREV_WHITE)) {
    funLike = true;
    i = 2;
    let expectParam = true;
    let closed = false;
    while (i < tokens.length) {
      const t = tokens[i++];
      if (expectParam) {
        if (t.kind === 'punct' && t.text === ')' && params.length === 0) {
          closed = true;
          break;
        }
        if (t.kind === 'punct' && t.text === '...') {
          variadic = true;
          params.push('__VA_ARGS__');
          const c = tokens[i++];
          if (!c || c.text !== ')') return fail(c ? `expected ')' after "..."` : `expected ')' before end of line`, c ?? t);
          closed = true;
          break;
        }
        if (t.kind !== 'ident') return fail(`expected parameter name, found "${t.text}"`, t);
        if (t.text === '__VA_ARGS__') {
          problems.push({ severity: 'warning', message: '__VA_ARGS__ can only appear in the expansion of a C99 variadic macro', at: t });
        }
        if (params.includes(t.text)) return fail(`duplicate macro parameter "${t.text}"`, t);
        params.push(t.text);
        expectParam = false;
      } else {
        if (t.kind === 'punct' && t.text === ')') {
          closed = true;
          break;
        }
        if (t.kind === 'punct' && t.text === ',') {
          expectParam = true;
          continue;
        }
        if (t.kind === 'punct' && t.text === '...') {
          // GNU named variadic parameter: `args...`.
          variadic = true;
          const c = tokens[i++];
          if (!c || c.text !== ')') return fail(c ? `expected ')' after "..."` : `expected ')' before end of line`, c ?? t);
          closed = true;
          break;
        }
        return fail(`expected ',' or ')', found "${t.text}"`, t);
      }
    }
    if (!closed) {
      const last = tokens[tokens.length - 1];
      return fail(expectParam ? 'expected parameter name before end of line' : "expected ')' before end of line", last);
    }
  } else if (tokens[1] && !(tokens[1].flags & PREV_WHITE)) {
    problems.push({ severity: 'warning', message: 'missing whitespace after the macro name', at: tokens[1] });
  }

  const written = tokens.slice(i);
  const body: Token[] = [];
  let followingPaste = false;
  for (let k = 0; k < written.length; k++) {
    const src = written[k];
    const t = copyToken(src);
    t.frame = null;
    if (funLike && t.kind === 'ident') {
      const idx = params.indexOf(t.text);
      const isVaArgs = t.text === '__VA_ARGS__';
      if (idx >= 0 && (!isVaArgs || (variadic && idx === params.length - 1))) {
        t.kind = 'arg';
        t.argNo = idx;
      } else if (isVaArgs) {
        problems.push({ severity: 'warning', message: '__VA_ARGS__ can only appear in the expansion of a C99 variadic macro', at: src });
      }
    }
    // In assembler mode a `#` not followed by a parameter stays a literal `#` (gcc: "let assembler get away with murder").
    if (t.kind === 'arg' && body.length > 0) {
      const prev = body[body.length - 1];
      if (prev.kind === 'punct' && prev.text === '#') {
        // `#param`: drop the `#`, mark the parameter for stringizing (it takes the `#`'s spacing).
        body.pop();
        t.flags = (t.flags & ~PREV_WHITE) | STRINGIFY_ARG | (prev.flags & PREV_WHITE);
      }
    }
    if (t.kind === 'punct' && t.text === '##') {
      if (body.length === 0) {
        return fail("'##' cannot appear at either end of a macro expansion", src);
      }
      if (!followingPaste) body[body.length - 1].flags |= PASTE_LEFT;
      followingPaste = true;
      continue;
    }
    followingPaste = false;
    body.push(t);
  }
  if (followingPaste) return fail("'##' cannot appear at either end of a macro expansion", written[written.length - 1]);
  if (body.length > 0) body[0].flags &= ~PREV_WHITE;

  const macro: MacroDef = {
    name: nameTok.text,
    funLike,
    params,
    variadic,
    body,
    bodyText: spellTokens(written),
    location: tokenRange(nameTok),
    builtin,
    disabled: 0,
  };
  return { macro, problems };
}

/** Whether a redefinition is the same macro (gcc only warns when they differ). */
export function sameDefinition(a: MacroDef, b: MacroDef): boolean {
  if (a.funLike !== b.funLike || a.variadic !== b.variadic || a.params.length !== b.params.length) return false;
  for (let i = 0; i < a.params.length; i++) if (a.params[i] !== b.params[i]) return false;
  if (a.body.length !== b.body.length) return false;
  const mask = PREV_WHITE | PASTE_LEFT | STRINGIFY_ARG;
  for (let i = 0; i < a.body.length; i++) {
    const x = a.body[i];
    const y = b.body[i];
    if (x.kind !== y.kind || x.text !== y.text || x.argNo !== y.argNo || (x.flags & mask) !== (y.flags & mask)) return false;
  }
  return true;
}
