// GNU conditional assembly: .if and its relatives, .elseif, .else, .endif. These run even while input is being
// skipped (only they can end the skipping), so the assembler hands them every conditional statement it meets.
import type { Assembler, StatementContext } from './assembler';
import type { StatementText } from './scan';
import { decodeString, endOfString, isSpace } from './scan';

export function conditional(asm: Assembler, name: string, ctx: StatementContext): void {
  const args = ctx.text.slice(ctx.argsStart);
  const piece = { text: args, column: ctx.argsStart };
  if (name === '.endif') {
    if (!asm.conds.length) asm.error('".endif" without ".if"', ctx.origin, 'unbalanced-conditional');
    else asm.conds.pop();
    return;
  }
  if (name === '.else') {
    const c = asm.conds[asm.conds.length - 1];
    if (!c) return asm.error('".else" without matching ".if"', ctx.origin, 'unbalanced-conditional');
    if (c.elseSeen) asm.error('duplicate ".else"', ctx.origin, 'unbalanced-conditional');
    c.elseSeen = true;
    c.ignoring = c.outerIgnoring || c.taken;
    c.taken = true;
    return;
  }
  if (name === '.elseif') {
    const c = asm.conds[asm.conds.length - 1];
    if (!c) return asm.error('".elseif" without matching ".if"', ctx.origin, 'unbalanced-conditional');
    if (c.elseSeen) asm.error('".elseif" after ".else"', ctx.origin, 'unbalanced-conditional');
    if (c.outerIgnoring || c.taken) {
      c.ignoring = true;
      return;
    }
    const v = ifValue(asm, ctx, piece);
    const t = v !== 0n;
    c.ignoring = !t;
    c.taken = t;
    return;
  }
  // An .if family directive opens a new level.
  const outer = asm.ignoring;
  let t: boolean | undefined = false;
  if (!outer) t = conditionTruth(asm, name, ctx, piece);
  // GNU opens no level for an .ifeqs/.ifnes it cannot read.
  if (t === undefined) return;
  asm.conds.push({ outerIgnoring: outer, taken: t, ignoring: outer || !t, elseSeen: false, origin: ctx.origin });
}

/**
 * The value an .if family directive tests, as GNU reads it: a symbol not defined yet compared with == or != to a
 * constant is taken as different from it (no error); any other value not known now is GNU's error, and the test
 * then uses the expression's constant part (`.if undefined_sym + 1` is true).
 */
function ifValue(asm: Assembler, ctx: StatementContext, piece: StatementText): bigint {
  const e = asm.parseWholeExpr(ctx, piece);
  if (!e) return 0n;
  const v = asm.evalNow(e);
  if (v.k === 'abs') return v.v;
  if (e.t === 'bin' && (e.op === '==' || e.op === '!=')) {
    const l = asm.evalNow(e.l);
    const r = asm.evalNow(e.r);
    if ((l.k === 'undef' && r.k === 'abs') || (l.k === 'abs' && r.k === 'undef')) return e.op === '==' ? 0n : -1n;
  }
  asm.error('non-constant expression in ".if" statement', asm.at(ctx, piece.column, piece.column + piece.text.length), 'non-constant');
  return v.k === 'undef' || v.k === 'rel' ? v.v : 0n;
}

function conditionTruth(asm: Assembler, name: string, ctx: StatementContext, piece: StatementText): boolean | undefined {
  const args = piece.text;
  switch (name) {
    case '.if':
    case '.ifne':
    case '.ifeq':
    case '.ifge':
    case '.ifgt':
    case '.ifle':
    case '.iflt': {
      if (args.trim() === '') {
        asm.error('non-constant expression in ".if" statement', ctx.origin, 'non-constant');
        return false;
      }
      const v = ifValue(asm, ctx, piece);
      if (name === '.if' || name === '.ifne') return v !== 0n;
      if (name === '.ifeq') return v === 0n;
      if (name === '.ifge') return v >= 0n;
      if (name === '.ifgt') return v > 0n;
      if (name === '.ifle') return v <= 0n;
      return v < 0n;
    }
    case '.ifdef':
    case '.ifndef':
    case '.ifnotdef': {
      const m = /^\s*([A-Za-z_.$][\w.$]*)\s*$/.exec(args);
      if (!m) {
        asm.error('invalid identifier for ".ifdef"', ctx.origin, 'bad-conditional');
        return false;
      }
      // Mentioning it does not define it: the same answer as looking it up first.
      const s = asm.symbol(m[1]);
      const def = !!s.definition;
      s.references.push(asm.at(ctx, piece.column, piece.column + args.length));
      return name === '.ifdef' ? def : !def;
    }
    case '.ifb':
    case '.ifnb': {
      const blank = args.trim() === '';
      return name === '.ifb' ? blank : !blank;
    }
    case '.ifc':
    case '.ifnc': {
      const r = parseIfcOperands(args);
      if (!r) {
        asm.error('bad format for ifc or ifnc', ctx.origin, 'bad-conditional');
        return false;
      }
      return (r[0] === r[1]) === (name === '.ifc');
    }
    case '.ifeqs':
    case '.ifnes': {
      const r = parseQuotedPair(args);
      if (!r) {
        asm.error(`${name} syntax error`, ctx.origin, 'bad-conditional');
        return undefined;
      }
      return (r[0] === r[1]) === (name === '.ifeqs');
    }
  }
  return false;
}

export function isConditionalDirective(name: string): boolean {
  return (
    name === '.if' || name === '.ifdef' || name === '.ifndef' || name === '.ifnotdef' || name === '.ifb' || name === '.ifnb' ||
    name === '.ifc' || name === '.ifnc' || name === '.ifeq' || name === '.ifne' || name === '.ifge' || name === '.ifgt' ||
    name === '.ifle' || name === '.iflt' || name === '.ifeqs' || name === '.ifnes' || name === '.elseif' || name === '.else' ||
    name === '.endif'
  );
}

/** `.ifc a,b`: each side either `'quoted'` or text up to the comma, blanks trimmed. */
function parseIfcOperands(args: string): [string, string] | undefined {
  let i = 0;
  const one = (stopAtComma: boolean): string | undefined => {
    while (i < args.length && isSpace(args[i])) i++;
    if (args[i] === "'") {
      let out = '';
      i++;
      while (i < args.length) {
        if (args[i] === "'") {
          if (args[i + 1] === "'") {
            out += "'";
            i += 2;
            continue;
          }
          i++;
          return out;
        }
        out += args[i++];
      }
      return undefined;
    }
    const s = i;
    while (i < args.length && !(stopAtComma && args[i] === ',')) i++;
    return args.slice(s, i).trim();
  };
  const a = one(true);
  if (a === undefined) return undefined;
  while (i < args.length && isSpace(args[i])) i++;
  if (args[i] !== ',') return undefined;
  i++;
  const b = one(false);
  if (b === undefined) return undefined;
  while (i < args.length && isSpace(args[i])) i++;
  if (i < args.length) return undefined;
  return [a, b];
}

function parseQuotedPair(args: string): [string, string] | undefined {
  const t = args.trim();
  if (!t.startsWith('"')) return undefined;
  const e1 = endOfString(t, 0);
  const a = decodeString(t, 0);
  let i = e1;
  while (i < t.length && isSpace(t[i])) i++;
  if (t[i] !== ',') return undefined;
  i++;
  while (i < t.length && isSpace(t[i])) i++;
  if (t[i] !== '"') return undefined;
  const b = decodeString(t, i);
  return [String.fromCharCode(...a.bytes), String.fromCharCode(...b.bytes)];
}
