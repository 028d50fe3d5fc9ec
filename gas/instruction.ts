// Instruction statements: the operand parser and encoder are injected (see backend.ts). Each instruction is
// encoded once, when it is read, with the values known at that moment; unknown values become fixups, and
// branches that can relax become variable frags sized later (layout.ts), as in GNU as.
import type { InstructionInput, Value } from '../isa/operand';
import type { CodeMode } from '../isa/mode';
import type { Assembler, StatementContext } from './assembler';
import type { ByteSpan } from './frags';
import { evaluate, parseExpression, symbolsOf, type Expr, type ParseHooks, type SymExpr } from './expr';
import type { InstructionBackend, OperandContext } from './backend';
import { charConstantsToDecimal } from './macros';

const STACK_OPS = new Set(['push', 'pop', 'call', 'ret', 'pushf', 'popf', 'leave', 'enter', 'lret']);
const SEGMENT_REGS = new Set(['es', 'cs', 'ss', 'ds', 'fs', 'gs']);

/**
 * The expression callback the operand parser calls. One per assembler, re-aimed at each instruction, so the hot
 * path allocates no closures.
 */
class OperandEvaluator implements OperandContext {
  ctx!: StatementContext;
  pos = 0;
  /** Each Value handed to the encoder → the expression it came from (for fixups). */
  readonly exprOf = new Map<Value, Expr>();
  readonly hooks: ParseHooks;
  /**
   * Every operand so far was a constant that names no symbol, `.` or local label and gave no diagnostic: the
   * parse and the encoding depend on the text and the mode alone.
   */
  pure = true;
  // Scratch lists reused by every operand (emptied after each use).
  private readonly refs: SymExpr[] = [];
  private readonly problems: { message: string; s: number; e: number }[] = [];

  constructor(private readonly asm: Assembler) {
    this.hooks = {
      localLabel: (n, dir) => {
        this.pure = false;
        return dir === 'b' && asm.backwardLocalMissing(n) ? { error: `backward ref to unknown label "${n}:"` } : { name: asm.localLabelName(n, dir) };
      },
      dot: () => {
        this.pure = false;
        return asm.dotPlace();
      },
    };
    this.evaluate = this.evaluate.bind(this);
  }

  evaluate(text: string, column: number): Value {
    const asm = this.asm;
    const ctx = this.ctx;
    // Positions in the parsed text are relative to the operand's expression; `start` places them in the line.
    const start = this.pos + column;
    if (PLAIN_NUMBER.test(text)) {
      // A bare literal (`$0x183`, `8(%esp)`): what the parser and evaluator would give, without the tree.
      const value = BigInt(text);
      const v: Value = { known: true, value };
      this.exprOf.set(v, { t: 'num', v: value, s: 0, e: 0 });
      return v;
    }
    const r = parseExpression(text, 0, this.hooks);
    if (r.warnings || r.errors || r.error || !r.expr) this.pure = false;
    if (r.errors) {
      for (const e of r.errors) asm.error(e.message, asm.at(ctx, start + e.s, start + e.e), 'bad-expression');
      const rest = text.slice(r.end).trim();
      if (rest) asm.error(`junk \`${rest}' after expression`, asm.at(ctx, start + r.end, start + text.length), 'junk');
    }
    if (r.warnings) for (const w of r.warnings) asm.warn(w.message, asm.at(ctx, start + w.s, start + w.e), 'missing-operand');
    if (r.error || !r.expr) {
      const e = r.error ?? { message: 'bad expression', s: 0, e: text.length };
      asm.error(e.message, asm.at(ctx, start + e.s, start + e.e), 'bad-expression');
      return { known: true, value: 0n };
    }
    const refs = symbolsOf(r.expr, this.refs);
    for (let i = 0; i < refs.length; i++) {
      const s = refs[i];
      this.pure = false;
      asm.bindReference(s, asm.at(ctx, start + s.s, start + s.e));
    }
    refs.length = 0;
    const problems = this.problems;
    const val = evaluate(r.expr, asm.nowEnv, problems);
    if (problems.length || val.k !== 'abs') this.pure = false;
    for (const p of problems) asm.warn(p.message, asm.at(ctx, start + p.s, start + p.e), 'division-by-zero');
    problems.length = 0;
    const v: Value = { known: val.k === 'abs', value: val.k === 'abs' ? val.v : 0n };
    // A constant needs no tree; anything else keeps its (parse-time bound) expression for the fixup.
    this.exprOf.set(v, val.k === 'abs' ? { t: 'num', v: val.v, s: 0, e: 0 } : asm.freezeExpr(r.expr));
    return v;
  }
}

/** Hex, or decimal without a leading zero (octal and binary literals take the parser's path). */
const PLAIN_NUMBER = /^(?:0[xX][0-9a-fA-F]+|[1-9][0-9]*|0)$/;

const evaluators = new WeakMap<Assembler, OperandEvaluator>();

/**
 * Instructions whose operands are plain constants, by backend, mode and statement text: their parse and bytes
 * depend on nothing else, and sources repeat them (register-only ALU ops, macro bodies, re-analysis of an edited
 * file in the language server). A hit skips the operand parser and the encoder. The parsed input is shared by
 * every statement with that text (readers never modify it).
 */
interface KnownInstruction {
  input: InstructionInput;
  bytes: Uint8Array;
}
const knownByBackend = new WeakMap<InstructionBackend, Map<string, KnownInstruction>[]>();
const MAX_KNOWN = 50_000;

function knownInstructions(backend: InstructionBackend, mode: CodeMode): Map<string, KnownInstruction> {
  let perMode = knownByBackend.get(backend);
  if (!perMode) knownByBackend.set(backend, (perMode = [new Map(), new Map(), new Map()]));
  return perMode[mode === 16 ? 0 : mode === 32 ? 1 : 2];
}

function operandExpr(input: InstructionInput, exprOf: Map<Value, Expr>, i: number): Expr | undefined {
  const op = input.operands[i];
  if (!op) return undefined;
  const v = op.kind === 'imm' ? op.value : op.kind === 'mem' ? op.disp : undefined;
  return v ? exprOf.get(v) : undefined;
}

export function assembleInstruction(asm: Assembler, ctx: StatementContext, pos: number): void {
  const backend = asm.options.backend;
  if (!backend) return;
  // As GNU's scrubber does, character constants become numbers before the operand parser sees them.
  const stmtText = charConstantsToDecimal(ctx.text.slice(pos), true);
  // .code16gcc rewrites stack operations after parsing: those take the full path.
  const known = asm.code16gcc ? undefined : knownInstructions(backend, asm.mode);
  const hit = known?.get(stmtText);
  if (hit) {
    asm.statements[ctx.statement].instruction = hit.input;
    asm.emit(hit.bytes, ctx);
    return;
  }
  let opCtx = evaluators.get(asm);
  if (!opCtx) evaluators.set(asm, (opCtx = new OperandEvaluator(asm)));
  opCtx.ctx = ctx;
  opCtx.pos = pos;
  opCtx.exprOf.clear();
  opCtx.pure = true;
  const exprOf = opCtx.exprOf;
  const parsed = backend.parse(stmtText, asm.mode, opCtx);
  if (!parsed.ok) {
    const s = pos + (parsed.column ?? 0);
    const e = parsed.endColumn !== undefined ? pos + parsed.endColumn : ctx.text.length;
    asm.error(parsed.message, asm.at(ctx, s, e), 'instruction');
    return;
  }
  if (asm.code16gcc) stackOpsAs32(asm, parsed.input, ctx);
  asm.statements[ctx.statement].instruction = parsed.input;
  const res = backend.encode(parsed.input, asm.mode);
  if (!res.ok) {
    // Point at the operand the encoder blames when the parser told us where it is.
    const r = res.operand !== undefined ? parsed.operandRanges?.[res.operand] : undefined;
    asm.error(res.message, r ? asm.at(ctx, pos + r.start, pos + r.end) : ctx.origin, 'instruction');
    return;
  }
  // GNU's encoding warnings (a value shortened to its field, prefixes skipped), as `Warning:` on the statement.
  if (res.warnings) for (const w of res.warnings) asm.warn(w, ctx.origin, 'encoding');
  if (res.relax) {
    const fx = res.relax.short.fixups[0] ?? res.relax.near.fixups[0];
    const operand = fx ? fx.operand : 0;
    const target = operandExpr(parsed.input, exprOf, operand);
    if (!asm.budget(res.relax.near.bytes.length, ctx)) return;
    const chain = asm.current.section.chain(asm.current.sub);
    const span: ByteSpan = { offset: chain.current.size, length: 0, origin: ctx.origin, statement: ctx.statement };
    chain.closeWith(
      { kind: 'relax', short: res.relax.short, near: res.relax.near, target, operand, forceNear: false, isNear: false, text: ctx.text },
      span,
    );
    return;
  }
  const enc = res.encoding;
  if (known && opCtx.pure && !res.warnings && enc.fixups.length === 0) {
    if (known.size >= MAX_KNOWN) known.clear();
    known.set(stmtText, { input: parsed.input, bytes: enc.bytes });
  }
  const f = asm.frag;
  const at = asm.emit(enc.bytes, ctx);
  for (const fx of enc.fixups) {
    const expr = operandExpr(parsed.input, exprOf, fx.operand) ?? ({ t: 'num', v: 0n, s: 0, e: 0 } as Expr);
    f.fixups.push({
      offset: at + fx.offset,
      size: fx.size,
      expr,
      pcRelative: fx.pcRelative,
      pcBase: at + enc.bytes.length,
      range: fx.range,
      origin: ctx.origin,
      text: ctx.text,
    });
  }
}

/**
 * GNU's .code16gcc: a stack operation whose size no register operand decides gets the `l` suffix (push $1 →
 * pushl, call → calll, ret → retl…); segment-register pushes and pops become 32-bit too, with GNU's warning.
 */
function stackOpsAs32(asm: Assembler, input: InstructionInput, ctx: StatementContext): void {
  const m = input.mnemonic;
  if (m === 'iret') {
    asm.warn("generating 16-bit `iret' for .code16gcc directive", ctx.origin, 'code16gcc');
    return;
  }
  if (!STACK_OPS.has(m)) return;
  const regs = input.operands.filter((o) => o.kind === 'reg');
  if (regs.some((o) => o.kind === 'reg' && !SEGMENT_REGS.has(o.reg))) return;
  if (regs.length && (m === 'push' || m === 'pop')) asm.warn(`generating 32-bit \`${m}', unlike earlier gas versions`, ctx.origin, 'code16gcc');
  input.mnemonic = m + 'l';
}
