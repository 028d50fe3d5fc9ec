// The expression a debug hover evaluates for the mouse position on a gas-x86 line: a register (`%cr4`), a
// memory operand (`tr_cr4(%rip)`, `4(%rsp)`), a symbol (`pa_tr_lock`) or a register bit (`cr0.pg`). Mnemonics,
// directives, numbers and macro parameters give nothing, so the language server's hover shows instead.
import { parseLine, tokenize, type Token } from './operands';
import { stripComments } from './source-text';

export interface HoverExpression {
  start: number;
  end: number;
  expression: string;
}

const BIT_OWNER = /^(cr0|cr3|cr4|cr8|efer|eflags|rflags|xcr0|dr6|dr7|mxcsr)\.[a-z][a-z0-9_]*$/i;

/** Strips comments from `line`, knowing whether a block comment is still open after `before` (the lines above). */
export function stripLine(before: readonly string[], line: string): string {
  const all = stripComments([...before, line]);
  return all[all.length - 1];
}

const within = (t: { start: number; end: number }, c: number): boolean => c >= t.start && c < t.end;

function fromToken(t: Token): HoverExpression | undefined {
  if (t.kind === 'reg') return { start: t.start, end: t.end, expression: t.text.toLowerCase() };
  if (t.kind === 'id' && !t.text.startsWith('.')) {
    if (BIT_OWNER.test(t.text)) return { start: t.start, end: t.end, expression: t.text.toLowerCase() };
    return { start: t.start, end: t.end, expression: t.text };
  }
  return undefined;
}

/** `stripped` is the line with comments blanked (stripLine); `original` the line as written. */
export function hoverExpressionAt(original: string, stripped: string, character: number): HoverExpression | undefined {
  const inComment = character < original.length && stripped[character] === ' ' && original[character] !== ' ';
  if (inComment) {
    // Inside a comment only register names and register bits are taken: `# sets %cr4.PAE` or `cr0.pg`.
    for (const t of tokenize(original, 0)) {
      if (!within(t, character)) continue;
      if (t.kind === 'reg' || (t.kind === 'id' && BIT_OWNER.test(t.text))) return { start: t.start, end: t.end, expression: t.text.toLowerCase() };
    }
    return undefined;
  }
  for (const st of parseLine(stripped)) {
    if (st.label && within(st.label, character) && st.label.kind === 'id') return fromToken(st.label);
    if (st.call) {
      const arg = st.call.args.find((a) => within(a, character));
      return arg ? fromToken(arg) : undefined;
    }
    if (st.mnemonic && within(st.mnemonic, character)) return undefined;
    for (const op of st.operands) {
      if (op.segment && within(op.segment, character)) return fromToken(op.segment);
      if (!(character >= op.start && character < op.end)) continue;
      const tok = op.tokens.find((t) => within(t, character));
      if (op.kind === 'memory' && !st.directive) {
        // A register inside the parentheses is itself; anything else in the operand is the memory it names.
        if (tok?.kind === 'reg') return fromToken(tok);
        return { start: op.start, end: op.end, expression: op.expression };
      }
      if (!tok || tok.kind === 'param' || tok.kind === 'num' || tok.kind === 'punct') return undefined;
      return fromToken(tok);
    }
  }
  return undefined;
}
