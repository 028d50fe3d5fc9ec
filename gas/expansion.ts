// The GAS macro language at work: collecting `.macro`/`.rept`/`.irp`/`.irpc` bodies (with nesting, GNU's
// buffer_and_nest), defining macros, expanding calls (`\@` counts expansions), repeating bodies, and `.exitm`.
// Expanded text is pushed as new input, so it is read exactly like the file itself.
import type { PreprocessedLine } from './cpp/types';
import type { ExpansionStep } from './source';
import type { MacroInfo } from './model';
import type { Assembler, StatementContext } from './assembler';
import { bindArguments, charConstantsToDecimal, getAnyString, leadingDirective, parseMacroHeader, scrubBlanks, substituteLine } from './macros';
import { lineOrigin } from './lines';
import { isSpace, splitStatements } from './scan';

const MAX_MACRO_NEST = 100;

/** Collects lines up to the matching end directive (GNU buffer_and_nest). */
export function collectBody(asm: Assembler, ctx: StatementContext, open: (d: string) => boolean, close: string, what: string): PreprocessedLine[] | undefined {
  const body: PreprocessedLine[] = [];
  let depth = 1;
  for (;;) {
    const f = asm.frames[asm.frames.length - 1];
    if (!f) {
      asm.error(what, ctx.origin, 'unterminated');
      return undefined;
    }
    if (f.pos >= f.lines.length) {
      // Keep reading from the enclosing input, as GNU does.
      asm.popFrame();
      continue;
    }
    const line = f.lines[f.pos++];
    const d = leadingDirective(stripComment(line.text));
    if (d && open(d)) depth++;
    else if (d === close || (close === '.endm' && d === '.endmacro')) {
      depth--;
      if (depth === 0) {
        asm.lastBlockEnd = lineOrigin(line);
        return body;
      }
    }
    body.push(line);
  }
}

export function defineMacro(asm: Assembler, ctx: StatementContext): void {
  const header = parseMacroHeader(ctx.text.slice(ctx.argsStart));
  const body = collectBody(asm, ctx, (d) => d === '.macro', '.endm', `unexpected end of file in macro \`${header.name}' definition`);
  for (const e of header.errors) asm.error(e, ctx.origin, 'macro-definition');
  if (!header.name || !body) return;
  const key = header.name.toLowerCase();
  const existing = asm.macros.get(key);
  if (existing && !existing.purged) {
    asm.error(`Macro \`${header.name}' was already defined`, ctx.origin, 'macro-redefined');
    return;
  }
  asm.statements[ctx.statement].name = '.macro';
  const info: MacroInfo & { lines: PreprocessedLine[] } = {
    name: header.name,
    params: header.params,
    definition: asm.at(ctx, 0, ctx.text.length),
    body: body.map((l) => l.text),
    calls: [],
    end: asm.lastBlockEnd,
    lines: body,
  };
  // A resumed read defining the macro exactly as before keeps the object the rest of the earlier read calls.
  asm.macros.set(key, asm.journal?.reviveMacro(key, info) ?? info);
}

export function expandMacro(asm: Assembler, macro: MacroInfo, ctx: StatementContext): void {
  asm.touchMacro(macro);
  macro.calls.push(ctx.origin);
  if (asm.macroDepth >= MAX_MACRO_NEST) {
    asm.error('macros nested too deeply', ctx.origin, 'macro-recursion');
    asm.stopped = true;
    return;
  }
  const bound = bindArguments(macro.name.toLowerCase(), macro.params, ctx.text.slice(ctx.argsStart));
  for (const w of bound.warnings) asm.warn(w, ctx.origin, 'macro-argument');
  for (const e of bound.softErrors) asm.error(e, ctx.origin, 'macro-argument');
  if (bound.errors.length) {
    for (const e of bound.errors) asm.error(e, ctx.origin, 'macro-argument');
    return;
  }
  const step: ExpansionStep = { kind: 'macro', name: macro.name, site: ctx.origin.range };
  const number = asm.macroNumber++;
  const lines = (macro as MacroInfo & { lines: PreprocessedLine[] }).lines.map((l) =>
    substituteLine(l, bound.values, number, step, ctx.origin.expansion),
  );
  asm.pushLines(lines, 'macro', undefined, macro.name);
}

export function repeat(asm: Assembler, kind: '.rept' | '.irp' | '.irpc', ctx: StatementContext): void {
  const args = ctx.text.slice(ctx.argsStart);
  const body = collectBody(asm, 
    ctx,
    (d) => d === '.rept' || d === '.irp' || d === '.irpc' || d === '.rep',
    '.endr',
    `${kind.slice(1).toUpperCase()} without ENDR`,
  );
  if (!body) return;
  const step: ExpansionStep = { kind: kind === '.rept' ? 'rept' : 'irp', name: kind, site: ctx.origin.range };
  const out: PreprocessedLine[] = [];
  const add = (values: Map<string, string> | undefined, number: number | undefined) => {
    for (const l of body) {
      out.push(substituteLine(l, values, number, step, ctx.origin.expansion));
      if (out.length > asm.maxExpandedLines) return false;
    }
    return true;
  };
  const tooBig = () => {
    asm.error(`macro or repetition expansion too large (more than ${asm.maxExpandedLines} lines)`, ctx.origin, 'expansion-limit');
    asm.stopped = true;
  };
  if (kind === '.rept') {
    const v = asm.absolute(ctx, { text: args, column: ctx.argsStart });
    if (v === undefined) return;
    if (v < 0n) {
      asm.error('negative count for REPT - ignored', ctx.origin, 'rept-count');
      return;
    }
    if (v * BigInt(Math.max(1, body.length)) > BigInt(asm.maxExpandedLines)) return tooBig();
    // Without parameters every repetition is the same text: substitute once, repeat the lines.
    const once = body.map((l) => substituteLine(l, undefined, undefined, step, ctx.origin.expansion));
    for (let i = 0n; i < v; i++) for (const l of once) out.push(l);
  } else {
    const m = /^\s*([A-Za-z_.$][\w.$]*)\s*,?/.exec(args);
    if (!m) {
      asm.error('missing model parameter', ctx.origin, 'irp');
      return;
    }
    const param = m[1];
    const rest = args.slice(m[0].length).trim();
    const items: string[] = [];
    if (kind === '.irp') {
      // Items are read like macro arguments, after GNU's scrubber has dropped blanks around operators.
      const list = scrubBlanks(charConstantsToDecimal(rest));
      if (list.trim() === '') items.push('');
      else {
        let i = 0;
        while (i < list.length) {
          const r = getAnyString(list, i);
          items.push(r.value);
          i = r.end;
          while (i < list.length && isSpace(list[i])) i++;
          if (list[i] === ',') i++;
          while (i < list.length && isSpace(list[i])) i++;
        }
      }
    } else {
      // GNU's scrubber has made character constants numbers before .irpc reads its characters (`'c` is 9, 9).
      let s = charConstantsToDecimal(rest).trim();
      const quoted = s.startsWith('"') && s.endsWith('"') && s.length >= 2;
      if (quoted) s = s.slice(1, -1);
      if (s === '') items.push('');
      for (const ch of s) if (quoted || !isSpace(ch)) items.push(ch);
    }
    for (const it of items) {
      if (!add(new Map([[param, it]]), asm.macroNumber)) return tooBig();
    }
  }
  if (out.length) asm.pushLines(out, 'repeat');
}

export function exitMacro(asm: Assembler, ctx: StatementContext): void {
  let i = asm.frames.length - 1;
  while (i >= 0 && asm.frames[i].kind !== 'macro') i--;
  if (i < 0) {
    asm.warn('ignoring macro exit outside a macro definition.', ctx.origin, 'exitm');
    return;
  }
  const f = asm.frames[i];
  asm.conds.length = Math.min(asm.conds.length, f.condDepth);
  while (asm.frames.length > i) asm.popFrame();
}

function stripComment(text: string): string {
  return splitStatements(text).statements[0]?.text ?? '';
}
