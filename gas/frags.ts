// GNU as's frag model: a section is a chain of frags; each frag has a fixed part (bytes known in size now) and
// at most one variable tail (alignment, .org, a relaxable branch, a .space of unknown size). Two places are a
// constant distance apart while parsing only when every frag between them has a fixed size (frag_offset_fixed_p).
import type { Origin } from './source';
import type { Encoding, Fixup } from '../isa/operand';
import type { CodeMode } from '../isa/mode';
import type { Expr } from './expr';

/** A patch of `size` bytes at `offset` in its frag, from an expression not known when the bytes were emitted. */
export interface FragFixup {
  offset: number;
  size: number;
  expr: Expr;
  /** Subtract the address of `pcBase` (frag-relative offset of the instruction end) when true. */
  pcRelative: boolean;
  pcBase: number;
  range: Fixup['range'];
  origin: Origin;
  /** The text the expression offsets refer to (for precise diagnostics). */
  text?: string;
  /** From a relaxed branch (GNU resolves those itself even against global symbols). */
  relaxed?: boolean;
}

/** A run of bytes in a frag and the statement it came from (the source map's raw material). */
export interface ByteSpan {
  offset: number;
  length: number;
  origin: Origin;
  /** Index of the statement in Assembly.statements. */
  statement: number;
}

export type VarPart =
  | { kind: 'none' }
  | {
      kind: 'align';
      alignment: number;
      /** Explicit fill bytes (pattern), or 'nop' for code-section padding in `mode`. */
      fill: number[] | 'nop';
      mode: CodeMode;
      maxSkip: number;
    }
  | { kind: 'org'; target: Expr; fill: number; text: string }
  /** `.nops count[, limit]`: NOP instructions of at most `limit` bytes each, generated in the final mode. */
  | { kind: 'nops'; count: number; limit: number }
  | { kind: 'space'; count: Expr; fill: number; text: string }
  | {
      kind: 'relax';
      short: Encoding;
      near: Encoding;
      /** The branch target expression (operand value) and whether it must use the near form from the start. */
      target: Expr | undefined;
      operand: number;
      forceNear: boolean;
      isNear: boolean;
      text: string;
    };

/** A frag's bytes before its first append: frags that only hold a branch or padding never allocate. */
const NO_BYTES = new Uint8Array(0);
/**
 * Frags hold a dozen bytes or so: a chain writes them one after another into shared blocks of this size, each frag's
 * `bytes` a view from its first byte (a buffer per frag, grown by doubling, was a typed array or two per frag).
 */
const BLOCK = 4096;

export class Frag {
  /** The fixed part is bytes[0, size); the rest of the view is room to grow (the chain's block after it). */
  bytes: Uint8Array;
  /** Length of the fixed part. */
  size = 0;
  varPart: VarPart = { kind: 'none' };
  /** Current size of the variable tail (recomputed during layout). */
  varSize = 0;
  /** Offset of the frag in its section, valid after layout. */
  address = 0;
  /** Relaxation bookkeeping (GNU's region and relax_marker): frags after an alignment or .org start a region. */
  region = 0;
  visit = -1;
  fixups: FragFixup[] = [];
  /**
   * Where the fixed bytes came from, as flat [offset, length, statement index] triples (one object per run of
   * bytes would be most of what a frag retains); the origin is the statement's.
   */
  spans: number[] = [];
  /** Span for the variable tail (the statement that created it). */
  varSpan?: ByteSpan;
  next: Frag | undefined;
  /** `chunk`: the read chunk (gas/read-journal.ts) that created the frag; 0 when nothing is journaled. */
  constructor(
    readonly section: string,
    readonly index: number,
    readonly chunk = 0,
    /** Unwritten room where the frag may write (the rest of the previous frag's block). */
    room: Uint8Array = NO_BYTES,
  ) {
    this.bytes = room;
  }

  /** A fixed-size frag: nothing variable in it, so distances across it are known while parsing. */
  get isFixed(): boolean {
    return this.varPart.kind === 'none';
  }

  append(data: ArrayLike<number>): number {
    const at = this.size;
    this.reserve(data.length);
    this.bytes.set(data as ArrayLike<number>, at);
    this.size += data.length;
    return at;
  }

  appendFill(count: number, pattern: number[]): number {
    const at = this.size;
    this.reserve(count * pattern.length);
    if (pattern.every((b) => b === 0)) {
      this.size += count * pattern.length;
      return at;
    }
    for (let i = 0; i < count; i++) {
      this.bytes.set(pattern, this.size);
      this.size += pattern.length;
    }
    return at;
  }

  private reserve(n: number): void {
    if (this.size + n <= this.bytes.length) return;
    // A new block, zero-filled (appendFill relies on it), with the bytes so far copied to its start.
    const b = new Uint8Array(Math.max(BLOCK, 2 * (this.size + n)));
    b.set(this.bytes.subarray(0, this.size));
    this.bytes = b;
  }

  /** Room after the fixed part, for the frag that follows in the chain. */
  roomAfter(): Uint8Array {
    return this.bytes.length - this.size >= 16 ? this.bytes.subarray(this.size) : NO_BYTES;
  }

  fixedBytes(): Uint8Array {
    return this.bytes.subarray(0, this.size);
  }
}

/** One subsection's frag chain. */
export class FragChain {
  frags: Frag[] = [];
  constructor(readonly section: string, private counter: FragCounter) {
    this.frags.push(new Frag(section, counter.n++, counter.chunk));
  }
  get current(): Frag {
    return this.frags[this.frags.length - 1];
  }
  /** Closes the current frag with a variable tail and starts a new one (GNU frag_var). */
  closeWith(v: VarPart, span?: ByteSpan): Frag {
    const f = this.current;
    this.close(f, v, span);
    const n = new Frag(this.section, this.counter.n++, this.counter.chunk, f.roomAfter());
    f.next = n;
    this.frags.push(n);
    return f;
  }

  private close(f: Frag, v: VarPart, span?: ByteSpan): void {
    f.varPart = v;
    f.varSpan = span;
    // The frag is complete: keep its lists at their length (growth by push leaves up to half again as slack).
    if (f.spans.length) f.spans = f.spans.slice();
    if (f.fixups.length) f.fixups = f.fixups.slice();
  }

  /** Back to the first `length` frags and a new empty one after them (a read resumed from a checkpoint). */
  restart(length: number): void {
    this.frags.length = length;
    const n = new Frag(this.section, this.counter.n++, this.counter.chunk);
    if (length > 0) this.frags[length - 1].next = n;
    this.frags.push(n);
  }

  /** Ends the current frag with no variable part and continues with frags read earlier (a converged resume). */
  continueWith(rest: Frag[]): void {
    const f = this.current;
    this.close(f, { kind: 'none' });
    f.next = rest[0];
    for (const r of rest) this.frags.push(r);
  }
}

/** Numbers frags as they are made, and tags them with the read chunk being read. */
export interface FragCounter {
  n: number;
  chunk: number;
}

export type SectionType = 'progbits' | 'nobits' | 'note' | 'other';

export class Section {
  readonly subsections = new Map<number, FragChain>();
  /** Largest alignment requested inside (bytes); the linker aligns the section start to it. */
  alignment = 1;
  /** Set once the section's flags were given explicitly (later .section lines may not change them). */
  flagsGiven = false;
  constructor(
    readonly name: string,
    public flags: string,
    public type: SectionType,
    readonly order: number,
    private readonly fragCounter: FragCounter,
  ) {}
  get isCode(): boolean {
    return this.flags.includes('x');
  }
  get isAlloc(): boolean {
    return this.flags.includes('a');
  }
  get isWritable(): boolean {
    return this.flags.includes('w');
  }
  chain(sub: number): FragChain {
    let c = this.subsections.get(sub);
    if (!c) {
      c = new FragChain(this.name, this.fragCounter);
      this.subsections.set(sub, c);
    }
    return c;
  }
  /** Frags in output order: subsections ascending, each chain in order. */
  orderedFrags(): Frag[] {
    const keys = [...this.subsections.keys()].sort((a, b) => a - b);
    const out: Frag[] = [];
    for (const k of keys) out.push(...this.subsections.get(k)!.frags);
    return out;
  }
}

/** Offset a - b when it is fixed while parsing: GNU's frag_offset_fixed_p (walk fixed frags in either direction). */
export function fixedDifference(fa: Frag, oa: number, fb: Frag, ob: number): number | undefined {
  if (fa === fb) return oa - ob;
  // Maybe fb is after fa.
  let off = 0;
  let f: Frag | undefined = fa;
  while (f && f.isFixed) {
    off += f.size;
    f = f.next;
    if (f === fb) return ob === undefined ? undefined : -(off + ob - oa);
  }
  off = 0;
  f = fb;
  while (f && f.isFixed) {
    off += f.size;
    f = f.next;
    if (f === fa) return off + oa - ob;
  }
  return undefined;
}

/** Bytes of GNU as's NOP padding for x86, as `as` 2.40 emits for `.balign` in code sections. */
const NOPS_16: number[][] = [[0x90], [0x66, 0x90], [0x8d, 0x74, 0x00], [0x8d, 0xb4, 0x00, 0x00]];
const NOPS_32: number[][] = [
  [0x90],
  [0x66, 0x90],
  [0x0f, 0x1f, 0x00],
  [0x0f, 0x1f, 0x40, 0x00],
  [0x0f, 0x1f, 0x44, 0x00, 0x00],
  [0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00],
  [0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00],
  [0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00],
  [0x66, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00],
  [0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00],
  [0x66, 0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00],
];

/**
 * NOP padding of `count` bytes: the longest NOP repeated then one shorter one; past a limit (count / longest >
 * 2 in 16-bit code, > 7 otherwise) a jump over the padding comes first.
 */
export function nopPadding(count: number, mode: CodeMode, limit = 0): Uint8Array {
  const table = mode === 16 ? NOPS_16 : NOPS_32;
  const longest = limit > 0 ? Math.min(limit, table.length) : table.length;
  const maxNops = mode === 16 ? 2 : 7;
  const out: number[] = [];
  let n = count;
  // GNU counts against the mode's longest NOP, whatever limit `.nops` set (`.nops 11, 1` is eleven 0x90s).
  if (Math.floor(n / table.length) > maxNops) {
    const disp = n - 2;
    if (disp <= 127) {
      out.push(0xeb, disp);
      n = disp;
    } else {
      const jump = mode === 16 ? [0x66, 0xe9] : [0xe9];
      n -= jump.length + 4;
      out.push(...jump, n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff);
    }
  }
  while (n >= longest) {
    out.push(...table[longest - 1]);
    n -= longest;
  }
  if (n > 0) out.push(...table[n - 1]);
  return Uint8Array.from(out);
}
