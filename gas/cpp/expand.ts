// The macro expander, modelled on gcc's libcpp so that results (including the spacing hints gcc's printer uses)
// match `gcc -E`: a stack of token contexts, a macro is disabled while its own expansion is being read and a name
// met in that state is painted NO_EXPAND for good; arguments are collected unexpanded (possibly across lines),
// fully expanded in isolation before substitution unless they are operands of # or ##; padding tokens mark
// expansion boundaries so the printer can avoid accidental token pastes.
import type { SourceRange } from '../source';
import type { MacroDef } from './macro';
import type { Frame, Token } from './token';
import * as tok from './token';
import { copyToken, makeToken, paddingFor, paddingToken, spanRange, tokenRange } from './token';
// Local copies: module imports are live bindings (getters once compiled), and these are read per token.
const BOL = tok.BOL;
const FROM_BODY = tok.FROM_BODY;
const NO_EXPAND = tok.NO_EXPAND;
const PASTE_LEFT = tok.PASTE_LEFT;
const PREV_WHITE = tok.PREV_WHITE;
const STRINGIFY_ARG = tok.STRINGIFY_ARG;
import { lexFragment } from './fragment';

/** Where tokens come from when no macro context is active: the current text line or directive. */
export interface BaseReader {
  /**
   * Next token, or an 'eof' token (repeatable). `parsingArgs` is 1 while looking for a '(' after a function-like
   * macro name and 2 while collecting arguments: a text line may then continue onto following lines.
   */
  next(parsingArgs: number): Token;
  /** Un-reads the last token returned (never called after an eof). */
  backup(): void;
}

export interface ExpanderHost {
  macros: Map<string, MacroDef>;
  error(message: string, range: SourceRange, severity?: 'error' | 'warning'): void;
  /** Computes a built-in macro (__LINE__, …) for the given name token; undefined when it cannot expand here. */
  builtin(macro: MacroDef, nameTok: Token): Token | undefined;
  /** A macro named in the text (not inside another macro's body) was expanded. */
  used(macro: MacroDef, nameTok: Token): void;
  /** Runs `_Pragma("…")` (the string literal as written). */
  pragmaOperator(text: string, at: Token): void;
}

interface Context {
  tokens: Token[];
  pos: number;
  macro: MacroDef | null;
  /** The expansion this context belongs to (tokens made here, by ## or #, carry it). */
  frame: Frame | null;
}

interface MacroArg {
  /** Tokens as written (padding trimmed at both ends). */
  raw: Token[];
  /** False when a variadic argument was omitted entirely (GNU `, ## args` then swallows the comma). */
  present: boolean;
  expanded?: Token[];
  stringified?: Token;
}

/** Tokens one line may expand into: runaway expansions (exponential macro towers) stop with a diagnostic. */
const TOKEN_BUDGET = 200_000;
/** Macro calls nested inside arguments (each level is a few host stack frames). */
const MAX_ARG_NESTING = 300;

export class Expander {
  private contexts: Context[] = [];
  private base!: BaseReader;
  /** Set when the last token came from the base reader rather than a context. */
  private lastFromBase = false;
  preventExpansion = 0;
  parsingArgs = 0;
  inDirective = false;
  private tokensMade = 0;
  /** Since the last reset a # or ## spelled tokens anew (the result depends on the operands' spelling). */
  respelled = false;
  private budgetExceeded = false;
  private argNesting = 0;
  private readonly avoidPaste: Token = paddingToken(null);
  private readonly eofToken: Token = makeToken('eof', '', null);

  constructor(private readonly host: ExpanderHost) {}

  /** Starts reading a new line or directive. */
  reset(base: BaseReader, inDirective: boolean): void {
    for (const c of this.contexts) if (c.macro) c.macro.disabled = 0;
    this.contexts.length = 0;
    this.base = base;
    this.inDirective = inDirective;
    this.preventExpansion = 0;
    this.parsingArgs = 0;
    this.argNesting = 0;
    this.tokensMade = 0;
    this.budgetExceeded = false;
    this.respelled = false;
  }

  private push(tokens: Token[], macro: MacroDef | null, frame: Frame | null = null): void {
    this.contexts.push({ tokens, pos: 0, macro, frame });
  }

  private pop(): void {
    const c = this.contexts.pop();
    if (!c || !c.macro) return;
    // Contiguous contexts of one expansion re-enable the macro only when the last of them ends.
    const below = this.contexts.length > 0 ? this.contexts[this.contexts.length - 1].macro : null;
    if (below !== c.macro && c.macro.disabled > 0) c.macro.disabled--;
  }

  private backupLast(): void {
    if (this.lastFromBase) this.base.backup();
    else if (this.contexts.length > 0) this.contexts[this.contexts.length - 1].pos--;
  }

  /** The next fully macro-expanded token (gcc's cpp_get_token). */
  getToken(): Token {
    for (;;) {
      let tok: Token;
      const ctx = this.contexts.length > 0 ? this.contexts[this.contexts.length - 1] : undefined;
      if (!ctx) {
        tok = this.base.next(this.parsingArgs);
        this.lastFromBase = true;
        if (tok.kind === 'eof') return tok;
      } else if (ctx.pos < ctx.tokens.length) {
        tok = ctx.tokens[ctx.pos++];
        this.lastFromBase = false;
        if (tok.flags & PASTE_LEFT) {
          this.pasteAll(tok);
          if (this.inDirective) continue;
          return paddingFor(tok);
        }
      } else {
        this.pop();
        if (this.inDirective) continue;
        return this.avoidPaste;
      }
      if (tok.kind !== 'ident' || tok.flags & NO_EXPAND) return tok;
      const m = this.host.macros.get(tok.text);
      if (!m) return tok;
      if (m.disabled > 0) {
        const t = copyToken(tok);
        t.flags |= NO_EXPAND;
        return t;
      }
      if (this.preventExpansion > 0 || this.budgetExceeded) return tok;
      if (m.special === '_Pragma') {
        if (this.pragmaOperator(tok)) {
          if (this.inDirective) continue;
          return paddingFor(tok);
        }
        return tok;
      }
      if (m.special) {
        const value = this.host.builtin(m, tok);
        if (!value) return tok;
        value.frame = { name: m.name, macro: m, site: tokenRange(tok), parent: tok.frame };
        value.flags |= FROM_BODY;
        if (!tok.frame && !(tok.flags & FROM_BODY)) this.host.used(m, tok);
        this.push([value], null);
        if (this.inDirective) continue;
        return paddingFor(tok);
      }
      if (this.enterMacro(tok, m)) {
        if (this.inDirective) continue;
        return paddingFor(tok);
      }
      return tok;
    }
  }

  /** `_Pragma ( "string" )` is consumed and run; anything else is an error and `_Pragma` stays as text. */
  private pragmaOperator(at: Token): boolean {
    this.preventExpansion++;
    const next = (): Token => {
      let t = this.getToken();
      while (t.kind === 'padding') t = this.getToken();
      return t;
    };
    try {
      const open = next();
      if (open.kind === 'punct' && open.text === '(') {
        const str = next();
        if (str.kind === 'string') {
          const close = next();
          if (close.kind === 'punct' && close.text === ')') {
            this.host.pragmaOperator(str.text, at);
            return true;
          }
        }
      }
      this.host.error('_Pragma takes a parenthesized string literal', tokenRange(at));
      // Leave the tokens after _Pragma in place when the operand is missing entirely.
      if (!(open.kind === 'eof' && this.lastFromBase) && !(open.kind === 'punct' && open.text === '(')) this.backupLast();
      return false;
    } finally {
      this.preventExpansion--;
    }
  }

  private enterMacro(nameTok: Token, m: MacroDef): boolean {
    let args: MacroArg[] | null = null;
    let site: SourceRange = tokenRange(nameTok);
    if (m.funLike) {
      this.preventExpansion++;
      this.parsingArgs = 1;
      const collected = this.funlikeInvocation(nameTok, m);
      this.parsingArgs = 0;
      this.preventExpansion--;
      if (!collected) return false;
      args = collected.args;
      site = spanRange(nameTok, collected.close);
    }
    const frame: Frame = { name: m.name, macro: m, site, parent: nameTok.frame };
    let tokens: Token[];
    if (args && m.params.length > 0) tokens = this.replaceArgs(m, args, frame);
    else tokens = m.body.map((b) => bodyToken(b, frame));
    if (!nameTok.frame && !(nameTok.flags & FROM_BODY)) this.host.used(m, nameTok);
    this.charge(tokens.length, nameTok);
    m.disabled++;
    this.push(tokens, m, frame);
    return true;
  }

  private charge(n: number, at: Token): void {
    this.tokensMade += n;
    if (this.tokensMade > TOKEN_BUDGET && !this.budgetExceeded) {
      this.budgetExceeded = true;
      this.host.error(`macro expansion of this line produced more than ${TOKEN_BUDGET} tokens; further expansion stopped`, tokenRange(at));
    }
  }

  private funlikeInvocation(nameTok: Token, m: MacroDef): { args: MacroArg[]; close: Token } | null {
    let padding: Token | null = null;
    let tok: Token;
    for (;;) {
      tok = this.getToken();
      if (tok.kind !== 'padding') break;
      if (padding === null || tok.source === null) padding = tok;
    }
    if (tok.kind === 'punct' && tok.text === '(') {
      this.parsingArgs = 2;
      return this.collectArgs(nameTok, m);
    }
    if (tok.kind !== 'eof' || !this.lastFromBase) {
      this.backupLast();
      if (padding) this.push([padding], null);
    }
    return null;
  }

  private collectArgs(nameTok: Token, m: MacroDef): { args: MacroArg[]; close: Token } | null {
    const args: MacroArg[] = [];
    const paramc = m.params.length;
    let tok: Token;
    let argc = 0;
    do {
      argc++;
      const raw: Token[] = [];
      let depth = 0;
      for (;;) {
        tok = this.getToken();
        if (tok.kind === 'padding') {
          if (raw.length === 0) continue;
        } else if (tok.kind === 'punct') {
          if (tok.text === '(') depth++;
          else if (tok.text === ')') {
            if (depth-- === 0) break;
          } else if (tok.text === ',') {
            if (depth === 0 && !(m.variadic && argc === paramc)) break;
          } else if (tok.text === '#' && tok.flags & BOL) break;
        } else if (tok.kind === 'eof') break;
        raw.push(tok);
      }
      while (raw.length > 0 && raw[raw.length - 1].kind === 'padding') raw.pop();
      args.push({ raw, present: true });
    } while (!(tok.kind === 'punct' && tok.text === ')') && tok.kind !== 'eof');

    if (tok.kind === 'eof') {
      if (!this.lastFromBase) this.backupLast();
      this.host.error(`unterminated argument list invoking macro "${m.name}"`, tokenRange(nameTok));
      return null;
    }
    if (argc === 1 && paramc === 0 && args[0].raw.length === 0) argc = 0;
    if (argc !== paramc) {
      if (argc + 1 === paramc && m.variadic) {
        args.push({ raw: [], present: false });
      } else {
        const message =
          argc < paramc
            ? `macro "${m.name}" requires ${paramc} arguments, but only ${argc} given`
            : `macro "${m.name}" passed ${argc} arguments, but takes just ${paramc}`;
        this.host.error(message, spanRange(nameTok, tok));
        return null;
      }
    } else if (m.variadic && argc === 1 && args[0].raw.length === 0) {
      // A lone empty variadic argument counts as omitted for `, ## __VA_ARGS__` (GNU mode).
      args[0].present = false;
    }
    return { args, close: tok };
  }

  /** Fully expands one argument in isolation (gcc's expand_arg). */
  private expandArg(arg: MacroArg): Token[] {
    if (this.argNesting >= MAX_ARG_NESTING) {
      if (arg.raw.length > 0) this.host.error('macro arguments nested too deeply; left unexpanded', tokenRange(arg.raw[0]));
      return arg.raw;
    }
    this.argNesting++;
    const savedPrevent = this.preventExpansion;
    const savedParsing = this.parsingArgs;
    this.preventExpansion = 0;
    this.parsingArgs = 0;
    const mark = this.contexts.length;
    this.push(arg.raw.concat(this.eofToken), null);
    const out: Token[] = [];
    for (;;) {
      const t = this.getToken();
      if (t.kind === 'eof') break;
      out.push(t);
    }
    // Drop the argument's context (and anything a malformed expansion left above it).
    while (this.contexts.length > mark) this.pop();
    this.preventExpansion = savedPrevent;
    this.parsingArgs = savedParsing;
    this.argNesting--;
    return out;
  }

  /** Substitutes arguments into a function-like macro's replacement list (gcc's replace_args). */
  private replaceArgs(m: MacroDef, args: MacroArg[], frame: Frame): Token[] {
    const body = m.body;
    // Expand or stringize each argument once, before substitution.
    for (let k = 0; k < body.length; k++) {
      const src = body[k];
      if (src.kind !== 'arg') continue;
      const arg = args[src.argNo];
      if (src.flags & STRINGIFY_ARG) {
        this.respelled = true;
        if (!arg.stringified) arg.stringified = this.stringify(arg.raw, src, frame);
      } else if (!(src.flags & PASTE_LEFT) && !(k > 0 && body[k - 1].flags & PASTE_LEFT)) {
        if (!arg.expanded) arg.expanded = this.expandArg(arg);
      }
    }
    const skip = m.variadic ? this.vaOptSkips(m, args) : null;
    const out: Token[] = [];
    for (let k = 0; k < body.length; k++) {
      if (skip && skip.has(k)) continue;
      const src = body[k];
      if (src.kind !== 'arg') {
        out.push(bodyToken(src, frame));
        continue;
      }
      const arg = args[src.argNo];
      let from: Token[];
      let pasteFlagIndex = -1;
      const afterPaste = k > 0 && (body[k - 1].flags & PASTE_LEFT) !== 0;
      if (src.flags & STRINGIFY_ARG) {
        from = [arg.stringified!];
      } else if (src.flags & PASTE_LEFT) {
        from = arg.raw;
      } else if (afterPaste) {
        from = arg.raw;
        if (out.length > 0) {
          const last = out[out.length - 1];
          if (last.kind === 'punct' && last.text === ',' && m.variadic && src.argNo === m.params.length - 1) {
            // GNU `, ## __VA_ARGS__`: drop the comma when the variadic argument was omitted.
            if (!arg.present) out.pop();
            else pasteFlagIndex = out.length - 1;
          } else if (from.length === 0) {
            // Pasting with an empty argument (a placemarker) leaves the left operand alone.
            pasteFlagIndex = out.length - 1;
          }
        }
      } else {
        from = arg.expanded!;
      }
      // Padding on the left of an argument (unless it is the right operand of ##).
      if (!this.inDirective && k > 0 && !afterPaste) out.push(paddingFor(src));
      if (from.length > 0) {
        for (const t of from) out.push(t);
        if (src.flags & PASTE_LEFT) pasteFlagIndex = out.length - 1;
      }
      // Avoid paste on the right (even when the argument is empty).
      if (!this.inDirective && !(src.flags & PASTE_LEFT)) out.push(this.avoidPaste);
      if (pasteFlagIndex >= 0) {
        const t = copyToken(out[pasteFlagIndex]);
        t.flags = (t.flags & ~PASTE_LEFT) | (src.flags & PASTE_LEFT);
        out[pasteFlagIndex] = t;
      }
    }
    return out;
  }

  /**
   * `__VA_OPT__(…)`: the parenthesised tokens stay when the variadic argument expands to something, otherwise the
   * whole group goes. Returns the replacement-list indices to leave out.
   */
  private vaOptSkips(m: MacroDef, args: MacroArg[]): Set<number> | null {
    const body = m.body;
    let skip: Set<number> | null = null;
    for (let k = 0; k < body.length; k++) {
      const t = body[k];
      if (t.kind !== 'ident' || t.text !== '__VA_OPT__') continue;
      const open = body[k + 1];
      if (!open || open.kind !== 'punct' || open.text !== '(') continue;
      let depth = 0;
      let close = -1;
      for (let j = k + 1; j < body.length; j++) {
        const b = body[j];
        if (b.kind !== 'punct') continue;
        if (b.text === '(') depth++;
        else if (b.text === ')' && --depth === 0) {
          close = j;
          break;
        }
      }
      if (close < 0) continue;
      const va = args[m.params.length - 1];
      if (!va.expanded) va.expanded = this.expandArg(va);
      const keep = va.expanded.some((x) => x.kind !== 'padding');
      skip ??= new Set<number>();
      if (keep) {
        skip.add(k);
        skip.add(k + 1);
        skip.add(close);
      } else for (let j = k; j <= close; j++) skip.add(j);
      k = close;
    }
    return skip;
  }

  /** `#arg`: the argument's spelling as a string literal (gcc's stringify_arg). */
  private stringify(tokens: Token[], at: Token, frame: Frame): Token {
    let s = '';
    let source: Token | null = null;
    let backslashes = 0;
    let first = true;
    for (const t of tokens) {
      if (t.kind === 'padding') {
        if (source === null || (!(source.flags & PREV_WHITE) && t.source === null)) source = t.source;
        continue;
      }
      if (!first) {
        const src = source ?? t;
        if (src.flags & PREV_WHITE) s += ' ';
      }
      source = null;
      first = false;
      if (t.kind === 'string' || t.kind === 'char') s += t.text.replace(/[\\"]/g, (c) => '\\' + c).replace(/\n/g, '\\n');
      else s += t.text;
      backslashes = t.kind === 'other' && t.text[0] === '\\' ? backslashes + 1 : 0;
    }
    if (backslashes & 1) {
      this.host.error("invalid string literal, ignoring final '\\'", tokenRange(at), 'warning');
      s = s.slice(0, -1);
    }
    const r = bodyToken(at, frame);
    r.kind = 'string';
    r.text = '"' + s + '"';
    r.argNo = -1;
    // Spacing before it comes from the padding in front of the parameter, as in gcc.
    r.flags = FROM_BODY;
    return r;
  }

  /** Pastes `lhs ## rhs [## …]` from the current context and pushes the result in its own context. */
  private pasteAll(first: Token): void {
    this.respelled = true;
    const ctx = this.contexts[this.contexts.length - 1];
    let lhs = first;
    for (;;) {
      // A well-formed replacement list always has a right operand; padding there ends the paste (as in gcc).
      if (ctx.pos >= ctx.tokens.length) break;
      const rhs = ctx.tokens[ctx.pos++];
      if (rhs.kind === 'padding') break;
      const pasted = pasteTokens(lhs, rhs, ctx.frame ?? lhs.frame);
      if (!pasted) {
        // Assembler mode: no error, the two tokens simply stay apart (rhs is read again next).
        ctx.pos--;
        break;
      }
      lhs = pasted;
      if (!(rhs.flags & PASTE_LEFT)) break;
    }
    if (lhs.flags & PASTE_LEFT) {
      lhs = copyToken(lhs);
      lhs.flags &= ~PASTE_LEFT;
    }
    this.push([lhs], null);
  }
}

/** A replacement-list token as it appears in one expansion. */
function bodyToken(b: Token, frame: Frame): Token {
  const t = copyToken(b);
  t.frame = frame;
  t.flags |= FROM_BODY;
  return t;
}

/** The single token `lhs ## rhs` spells, or null when the spelling is not one preprocessing token. */
function pasteTokens(lhs: Token, rhs: Token, frame: Frame | null): Token | null {
  // Avoid accidentally forming a comment.
  const sep = lhs.kind === 'punct' && lhs.text === '/' && rhs.text !== '=' ? ' ' : '';
  const spelled = lhs.text + sep + rhs.text;
  const toks = lexFragment(spelled);
  if (toks.length !== 1 || toks[0].text.length !== spelled.length) return null;
  const t = copyToken(lhs);
  t.kind = toks[0].kind;
  t.text = spelled;
  t.flags = (lhs.flags & PREV_WHITE) | FROM_BODY;
  t.frame = frame;
  // A pasted token is a fresh spelling: it may expand even if an operand was painted.
  return t;
}
