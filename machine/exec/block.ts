// Decoded blocks: a straight-line run of instructions inside one physical code page, decoded once and kept with a
// fast op (fast-ops.ts) for the commonest register forms, so the executor can run the whole run in a tight loop
// (X86Executor.runBlock). A block ends at its first instruction that may change control flow, the mode, the
// interrupt state or anything else the machine must look at between instructions (it is still part of the block,
// as its last instruction), at an instruction that does not fit the page, or after MAX_BLOCK instructions.
import type { DecodedInstruction } from '../../isa/decoder';
import * as Mdecoder from '../../isa/decoder';
import type { CodeMode } from '../../isa/mode';
import type { Cpu } from '../cpu/cpu';
import * as Mfast from './fast-ops';
import * as Mflags from './flags';
import type { FastOp, RegisterNames } from './fast-ops';
// Imported bindings copied into locals (tsx turns each use of an import into a getter call).
const { decodeInstruction, newDecoded } = Mdecoder;
const { fastOpFor, fastOpFlags, fastOpRegister, fastOpSource, FLAGS_FULL, FLAGS_NONE, FLAGS_PARTIAL } = Mfast;
const { ARITH, CF, OF, PARITY } = Mflags;

/** Longest block, in instructions (bounds decoding work for code that is run once). */
export const MAX_BLOCK = 64;

/**
 * Operations that may appear before a block's last instruction: they never branch, never change the mode, CPL,
 * segment registers, EFLAGS.IF/TF/RF, debug or control registers, never halt and never touch ports. Their memory
 * accesses may still reach MMIO (Cpu.exitBlock) or the block's own page (checked by the executor).
 */
const BODY_OPS = new Set([
  'add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'cmp', 'test', 'not', 'neg', 'inc', 'dec',
  'rol', 'ror', 'rcl', 'rcr', 'shl', 'shr', 'sar', 'shld', 'shrd',
  'mul', 'imul', 'div', 'idiv',
  'mov', 'movzx', 'movsx', 'movsxd', 'lea', 'xchg', 'cmpxchg', 'xadd', 'bswap', 'movbe', 'movnti',
  'bt', 'bts', 'btr', 'btc', 'bsf', 'bsr', 'popcnt', 'lzcnt', 'tzcnt', 'crc32', 'adcx', 'adox',
  'setcc', 'cmovcc', 'cbw', 'cwd', 'lahf', 'sahf', 'clc', 'stc', 'cmc', 'cld', 'std',
  'push', 'pop', 'nop', 'pause', 'endbr64', 'endbr32', 'lfence', 'mfence', 'sfence', 'xlat',
]);

/** Last instructions after which the next block may follow at once: near branches (no mode or state change). */
const CHAIN_OPS = new Set(['jcc', 'jmp', 'call', 'ret', 'loop', 'loope', 'loopne', 'jrcxz', 'jmp_indirect', 'call_indirect']);

/**
 * A block of fast ops as one generated function: the ops' code inline (fast-ops.ts fastOpSource) with registers in
 * locals, where the executor's loop calls every op's closure from one megamorphic site.
 */
export type CompiledOps = (cpu: Cpu) => number;
/**
 * A compiled block whose final branch goes back to its own start, run as a loop inside one function with the
 * registers kept in locals across iterations: at most `max` iterations; returns how many ran, negated when the
 * last branch was taken (RIP goes back to the start) and positive when it fell through.
 */
export type CompiledLoop = (cpu: Cpu, max: number) => number;

/** Block.jccCc of a final JMP rel: taken whatever the flags. */
export const JMP_ALWAYS = -1;

export class Block {
  /** Times the block ran through the executor's loop (compiled once it reaches the executor's threshold). */
  runs = 0;
  compiled: CompiledOps | null = null;
  loop: CompiledLoop | null = null;
  /** The block ends in a near branch or mid-stream (not in an instruction the machine must look at). */
  chains = false;
  /**
   * Index of a final Jcc or near JMP rel the executor may run inline (operand size = the mode's: 32 or 64 bits),
   * else -1; its condition code (JMP_ALWAYS for JMP) and displacement.
   */
  jccAt = -1;
  jccCc = 0;
  jccRel = 0;
  /** Instructions, decoded for `mode`; ops[i] is the fast op of ds[i] or null (general handler). */
  readonly ds: DecodedInstruction[] = [];
  readonly ops: (FastOp | null)[] = [];
  /** Byte offset of each instruction from the block start, plus the end offset (length count + 1). */
  readonly offs: number[] = [0];
  /** The bytes the block was decoded from (checked again after the page was written). */
  bytes: Uint8Array = new Uint8Array(0);
  /** The host page and its write generation when the bytes were last known to match. */
  page: Uint8Array;
  gen: number;

  constructor(
    readonly mode: number,
    /** Offset of the first instruction in its page. */
    readonly start: number,
    page: Uint8Array,
    gen: number,
  ) {
    this.page = page;
    this.gen = gen;
  }

  get count(): number {
    return this.ds.length;
  }

  get byteLength(): number {
    return this.offs[this.ds.length];
  }

  /** The page still holds this block's bytes. */
  matches(page: Uint8Array): boolean {
    const b = this.bytes, base = this.start;
    for (let k = 0, n = b.length; k < n; k++) if (page[base + k] !== b[k]) return false;
    return true;
  }
}

/** Decodes the block starting at `start` in `page` (a block of 0 instructions when the first one cannot be). */
export function buildBlock(page: Uint8Array, start: number, mode: number, gen: number): Block {
  const b = new Block(mode, start, page, gen);
  let at = start;
  const read = (p: number): number => (p - at >= 15 || p >= page.length ? -1 : page[p]);
  while (b.ds.length < MAX_BLOCK) {
    const d = newDecoded();
    if (!decodeInstruction(read, at, mode as CodeMode, d) || d.form === null) break;
    b.ds.push(d);
    b.ops.push(fastOpFor(d));
    at += d.length;
    b.offs.push(at - start);
    if (!BODY_OPS.has(d.form.op)) break;
  }
  const lastD = b.ds.length > 0 ? b.ds[b.ds.length - 1] : null;
  const last = lastD !== null ? lastD.form!.op : '';
  if (lastD !== null && (last === 'jcc' || last === 'jmp') && (mode === 64 || mode === 32)) {
    // The near-branch operand size (control.ts branchSize): the mode's unless 0x66 or an explicit size says else.
    const p66 = (lastD.prefixes & 8) !== 0;
    const size = lastD.opSize !== 0 ? lastD.opSize : mode === 64 ? (p66 ? 16 : 64) : p66 ? 16 : 32;
    if (size === mode) {
      b.jccAt = b.ds.length - 1;
      b.jccCc = last === 'jmp' ? JMP_ALWAYS : lastD.form!.cc!;
      b.jccRel = lastD.rel;
    }
  }
  b.chains = CHAIN_OPS.has(last) || BODY_OPS.has(last);
  b.bytes = page.slice(start, at);
  return b;
}

/**
 * Compiles the block when all its instructions have fast ops, except perhaps a final inline Jcc whose condition
 * the function then returns (1 taken, 0 not; 0 without a Jcc). Returns false (the block stays interpreted)
 * otherwise. Such a block touches only registers and flags: it cannot fault, write memory or change the mode.
 * Each op's flag work is cut to what is live: a flag is dead where a later op of the block writes it before
 * anything reads it (all flags are live at the block's end, where the Jcc or the next code may read them).
 */
export function compileBlock(b: Block, condition: (cpu: Cpu, cc: number) => boolean): boolean {
  const n = b.jccAt >= 0 ? b.jccAt : b.ds.length;
  if (n < 1 || (n < 2 && b.jccAt < 0)) return false;
  for (let k = 0; k < n; k++) if (b.ops[k] === null) return false;
  const modes: number[] = [];
  let live = ARITH;
  for (let k = n - 1; k >= 0; k--) {
    const f = fastOpFlags(b.ds[k]);
    let mode = FLAGS_FULL;
    if (f.kind === 'alu') {
      if ((live & ARITH) === 0) mode = FLAGS_NONE;
      live &= ~ARITH;
    } else if (f.kind === 'incdec') {
      // Writes all but CF; the full form keeps CF, i.e. reads it.
      if ((live & f.def) === 0) mode = FLAGS_NONE;
      else if ((live & CF) === 0) {
        mode = FLAGS_PARTIAL;
        live &= ~f.def;
      } else live = (live & ~f.def) | CF;
    } else if (f.kind === 'rotate') {
      // Writes CF and OF; the full form also makes the other flags exact (from the op before).
      if ((live & (CF | OF)) === 0) mode = FLAGS_NONE;
      else {
        if ((live & ARITH & ~(CF | OF)) === 0) mode = FLAGS_PARTIAL;
        live &= ~(CF | OF);
      }
    }
    modes[k] = mode;
  }
  // The ops as inline source (fastOpSource) on registers kept in locals, loaded once and stored back at the end; an
  // op without source is called from its own call site, with its register stored before and reloaded after.
  const used = new Set<number>();
  const names: RegisterNames = {
    lo: (r) => (used.add(r), `l${r}`),
    hi: (r) => (used.add(r), `h${r}`),
  };
  const lines: string[] = [];
  const ops: FastOp[] = [];
  const sources = b.ds.slice(0, n).map((d, k) => fastOpSource(d, modes[k], names));
  const all = () => [...used].map((r) => `g[${r}] = l${r}; gh[${r}] = h${r};`).join(' ');
  for (let k = 0; k < n; k++) {
    const src = sources[k];
    if (src !== null) {
      lines.push(`  ${src}`);
      continue;
    }
    const r = fastOpRegister(b.ds[k]);
    const call = `o[${ops.length}](cpu);`;
    ops.push(fastOpFor(b.ds[k], modes[k])!);
    if (r >= 0 && !used.has(r)) lines.push(`  ${call}`);
    else if (r >= 0) lines.push(`  g[${r}] = l${r}; gh[${r}] = h${r}; ${call} l${r} = g[${r}]; h${r} = gh[${r}];`);
    else lines.push(`  ${all()} ${call} ${[...used].map((x) => `l${x} = g[${x}]; h${x} = gh[${x}];`).join(' ')}`);
  }
  const load = [...used].map((r) => `let l${r} = g[${r}], h${r} = gh[${r}];`).join(' ');
  const ret = b.jccAt < 0 ? '  return 0;' : b.jccCc === JMP_ALWAYS ? '  return 1;' : `  return condition(cpu, ${b.jccCc}) ? 1 : 0;`;
  const body = `"use strict";\nreturn function block(cpu) {\n  const g = cpu.gprLo, gh = cpu.gprHi;\n  ${load}\n${lines.join('\n')}\n  ${all()}\n${ret}\n};`;
  // A block branching back to its own start also gets a loop form (registers stay in locals between iterations).
  const selfLoop = b.jccAt >= 0 && b.offs[b.ds.length] + b.jccRel === 0;
  const test = b.jccCc === JMP_ALWAYS ? 'true' : `condition(cpu, ${b.jccCc})`;
  const loopBody = `"use strict";\nreturn function loop(cpu, $max) {\n  const g = cpu.gprLo, gh = cpu.gprHi;\n  ${load}\n  let $it = 0, $taken = false;\n  do {\n${lines.join('\n')}\n    $it++;\n    $taken = ${test};\n  } while ($taken && $it < $max);\n  ${all()}\n  return $taken ? -$it : $it;\n};`;
  try {
    b.compiled = new Function('o', 'condition', 'PARITY', body)(ops, condition, PARITY) as CompiledOps;
    if (selfLoop) b.loop = new Function('o', 'condition', 'PARITY', loopBody)(ops, condition, PARITY) as CompiledLoop;
  } catch {
    return false; // code generation disallowed (node --disallow-code-generation-from-strings): stay interpreted
  }
  return true;
}
