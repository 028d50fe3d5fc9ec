// GNU as pseudo-ops: data, strings, space, alignment, .org, sections, symbols, modes, includes and messages.
// Conditionals live in the assembler itself because they must run even while input is being skipped.
import type { Assembler, StatementContext } from './assembler';
import type { SectionType } from './frags';
import type { StatementText } from './scan';
import { decodeString, isSpace } from './scan';
import type { Expr } from './expr';
import { defineMacro, exitMacro, repeat } from './expansion';
import { dcbDirective, dsDirective, floatDirective, lebDirective } from './data-encodings';

export type DirectiveHandler = (asm: Assembler, ctx: StatementContext) => void;

/** GNU reads a fixed number of arguments and then complains about the comma that starts one more. */
function tooMany(asm: Assembler, ctx: StatementContext, ps: StatementText[], max: number): boolean {
  if (ps.length <= max) return false;
  let c = ps[max].column - 1;
  while (c > 0 && ctx.text[c] !== ',') c--;
  asm.error("junk at end of line, first unrecognized character is `,'", asm.at(ctx, c, c + 1), 'junk');
  return true;
}

const data = (size: number): DirectiveHandler => (asm, ctx) => {
  for (const p of asm.pieces(ctx)) {
    if (p.text === '') {
      asm.warn('zero assumed for missing expression', asm.at(ctx, p.column, p.column), 'missing-expression');
      asm.emit(new Uint8Array(size), ctx);
      continue;
    }
    const e = asm.parseWholeExpr(ctx, p);
    // GNU still emits the field (as zero) after a bad expression, so later addresses stay where they were.
    if (!e) {
      asm.emit(new Uint8Array(size), ctx);
      continue;
    }
    if (size === 8 && e.t === 'num' && (e.v >= 1n << 64n || e.v < -(1n << 63n)))
      asm.warn('bignum truncated to 8 bytes', asm.at(ctx, p.column, p.column + p.text.length), 'truncated');
    asm.emitValue(e, asm.evalReporting(e, ctx), size, ctx, ctx.text, 0);
    // `.byte 1, 09, 2`: GNU stops at the junk after 0 and never reads the 2.
    if (asm.junkAfterExpr) break;
  }
};

/** `.ascii`/`.asciz`/`.string`, and `.string16` and wider: each byte of a string widened to `width` bytes. */
const strings = (terminator: boolean, width = 1): DirectiveHandler => (asm, ctx) => {
  // Strings may be separated by commas or just blanks.
  const t = ctx.text;
  let i = ctx.argsStart;
  while (i < t.length) {
    while (i < t.length && (isSpace(t[i]) || t[i] === ',')) i++;
    if (i >= t.length) break;
    if (t[i] !== '"') {
      asm.error(`junk at end of line, first unrecognized character is \`${t[i]}'`, asm.at(ctx, i, i + 1), 'junk');
      return;
    }
    const r = decodeString(t, i);
    if (!r.terminated) asm.warn('missing closing `"\'', asm.at(ctx, i, t.length), 'string');
    if (width === 1) asm.emit(terminator ? [...r.bytes, 0] : r.bytes, ctx);
    else {
      const out = new Uint8Array((r.bytes.length + (terminator ? 1 : 0)) * width);
      r.bytes.forEach((b, k) => (out[k * width] = b));
      asm.emit(out, ctx);
    }
    i = r.end;
  }
};

function space(asm: Assembler, ctx: StatementContext): void {
  const ps = asm.pieces(ctx);
  if (!ps.length) return; // GNU: nothing to skip
  if (tooMany(asm, ctx, ps, 2)) return;
  let fill = 0;
  if (ps[1] && ps[1].text) {
    const f = asm.absolute(ctx, ps[1]);
    if (f === undefined) return;
    asm.checkTruncation(f, 1, ctx, ps[1].column);
    fill = Number(BigInt.asUintN(8, f));
  }
  const e = asm.parseWholeExpr(ctx, ps[0]);
  if (!e) return;
  const v = asm.evalReporting(e, ctx);
  if (v.k === 'abs') {
    if (v.v <= 0n) {
      asm.warn('.space repeat count is zero, ignored', ctx.origin, 'zero-space');
      return;
    }
    if (v.v > BigInt(asm.maxOutputBytes)) {
      asm.error(`output too large (more than ${asm.maxOutputBytes} bytes)`, ctx.origin, 'too-large');
      return;
    }
    asm.emitFill(Number(v.v), [fill], ctx);
    return;
  }
  // A size not known yet: a variable frag sized during layout, as GNU's rs_space.
  closeVar(asm, ctx, { kind: 'space', count: asm.freezeExpr(e), fill, text: ctx.text });
}

function closeVar(asm: Assembler, ctx: StatementContext, v: Parameters<ReturnType<Assembler['current']['section']['chain']>['closeWith']>[0]): void {
  const chain = asm.current.section.chain(asm.current.sub);
  chain.closeWith(v, { offset: chain.current.size, length: 0, origin: ctx.origin, statement: ctx.statement });
}

function fill(asm: Assembler, ctx: StatementContext): void {
  const ps = asm.pieces(ctx);
  if (!ps.length) return asm.error('missing repeat count', ctx.origin, 'bad-expression');
  if (tooMany(asm, ctx, ps, 3)) return;
  const repeat = asm.absolute(ctx, ps[0], '.space, .nops or .fill specifies non-absolute value');
  if (repeat === undefined) return;
  let size = 1n;
  if (ps[1] && ps[1].text) {
    const s = asm.absolute(ctx, ps[1]);
    if (s === undefined) return;
    size = s;
  }
  let value = 0n;
  if (ps[2] && ps[2].text) {
    // GNU fills with zero after reporting a value it cannot use.
    value = asm.absolute(ctx, ps[2]) ?? 0n;
  }
  if (size > 8n) {
    asm.warn('.fill size clamped to 8', ctx.origin, 'fill-size');
    size = 8n;
  }
  if (repeat < 0n) {
    asm.warn('repeat < 0; .fill ignored', ctx.origin, 'fill-repeat');
    return;
  }
  if (size < 0n) {
    asm.warn('size negative; .fill ignored', ctx.origin, 'fill-size');
    return;
  }
  if (repeat === 0n || size === 0n) return;
  if (repeat * size > BigInt(asm.maxOutputBytes)) {
    asm.error(`output too large (more than ${asm.maxOutputBytes} bytes)`, ctx.origin, 'too-large');
    return;
  }
  // Each unit holds the low 4 bytes of the value; bytes beyond 4 are zero (GNU as documents this).
  const n = Number(size);
  const pattern: number[] = [];
  const low = BigInt.asUintN(32, value);
  for (let i = 0; i < n; i++) pattern.push(i < 4 ? Number((low >> BigInt(8 * i)) & 0xffn) : 0);
  asm.emitFill(Number(repeat), pattern, ctx);
}

type AlignKind = 'bytes' | 'pow2';

const align = (kind: AlignKind, fillSize: number): DirectiveHandler => (asm, ctx) => {
  const ps = asm.pieces(ctx);
  if (tooMany(asm, ctx, ps, 3)) return;
  let amount = 0n;
  if (ps[0] && ps[0].text) {
    const a = asm.absolute(ctx, ps[0]);
    if (a === undefined) return;
    amount = a;
  }
  let alignment: number;
  if (kind === 'pow2') {
    if (amount > 31n) {
      asm.error(`alignment too large: 31 assumed`, ctx.origin, 'alignment');
      amount = 31n;
    }
    alignment = 2 ** Number(amount < 0n ? 0n : amount);
  } else {
    if (amount === 0n) amount = 1n;
    if (amount < 0n || (amount & (amount - 1n)) !== 0n) {
      asm.error('alignment not a power of 2', asm.at(ctx, ps[0].column, ps[0].column + ps[0].text.length), 'alignment');
      return;
    }
    if (amount > 2n ** 31n) amount = 2n ** 31n;
    alignment = Number(amount);
  }
  let fillBytes: number[] | 'nop' = asm.current.section.isCode ? 'nop' : [0];
  if (ps[1] && ps[1].text) {
    const f = asm.absolute(ctx, ps[1]);
    if (f === undefined) return;
    fillBytes = [];
    for (let i = 0; i < fillSize; i++) fillBytes.push(Number((BigInt.asUintN(64, f) >> BigInt(8 * i)) & 0xffn));
    // GNU treats an explicit one-byte 0x90 fill in a code section as code padding (multi-byte NOPs).
    if (fillSize === 1 && fillBytes[0] === 0x90 && asm.current.section.isCode) fillBytes = 'nop';
  } else if (fillSize > 1 && !asm.current.section.isCode) {
    fillBytes = new Array(fillSize).fill(0);
  }
  let maxSkip = 0;
  if (ps[2] && ps[2].text) {
    const m = asm.absolute(ctx, ps[2]);
    if (m === undefined) return;
    // GNU 2.40: a maximum of 0 or less sets no limit.
    maxSkip = m > 0n ? Number(m) : 0;
  }
  if (alignment > asm.current.section.alignment) asm.current.section.alignment = alignment;
  if (alignment <= 1) return;
  closeVar(asm, ctx, { kind: 'align', alignment, fill: fillBytes, mode: asm.mode, maxSkip });
};

function org(asm: Assembler, ctx: StatementContext): void {
  const ps = asm.pieces(ctx);
  if (!ps.length) return asm.error('missing expression', ctx.origin, 'bad-expression');
  if (tooMany(asm, ctx, ps, 2)) return;
  const e = asm.parseWholeExpr(ctx, ps[0]);
  if (!e) return;
  let fillByte = 0;
  if (ps[1] && ps[1].text) {
    const f = asm.absolute(ctx, ps[1]);
    if (f === undefined) return;
    fillByte = Number(BigInt.asUintN(8, f));
  }
  const v = asm.evalNow(e);
  if (v.k === 'rel' && v.at.section !== asm.sectionName) {
    asm.error(`can't change section with .org`, ctx.origin, 'org');
    return;
  }
  let target = asm.freezeExpr(e);
  if (v.k === 'undef' && e.t === 'sym') {
    // GNU: an undefined symbol in .org counts as zero, with a warning.
    asm.warn(`symbol "${v.sym}" undefined; zero assumed`, ctx.origin, 'org-undefined');
    target = { t: 'num', v: 0n, s: e.s, e: e.e };
  }
  closeVar(asm, ctx, { kind: 'org', target, fill: fillByte, text: ctx.text });
}

function parseSectionName(asm: Assembler, ctx: StatementContext, p: StatementText | undefined): string | undefined {
  if (!p || !p.text) {
    asm.error('missing name', ctx.origin, 'section');
    return undefined;
  }
  if (p.text.startsWith('"')) return String.fromCharCode(...decodeString(p.text, 0).bytes);
  return p.text.split(/\s+/)[0];
}

function section(asm: Assembler, ctx: StatementContext, push: boolean): void {
  const ps = asm.pieces(ctx);
  const name = parseSectionName(asm, ctx, ps[0]);
  if (!name) return;
  let flags: string | undefined;
  let type: SectionType | undefined;
  let sub = 0;
  let k = 1;
  if (ps[k] && ps[k].text.startsWith('"')) {
    flags = String.fromCharCode(...decodeString(ps[k].text, 0).bytes);
    k++;
    if (ps[k] && /^[@%]/.test(ps[k].text)) {
      const t = ps[k].text.slice(1).toLowerCase();
      type = t === 'nobits' ? 'nobits' : t === 'progbits' ? 'progbits' : t === 'note' ? 'note' : 'other';
      k++;
    }
  } else if (ps[k] && ps[k].text) {
    const s = asm.absolute(ctx, ps[k]);
    if (s !== undefined) sub = Number(s);
  }
  if (flags !== undefined && /[^awxMSGTRoedl?]/.test(flags.replace(/[0-9]/g, ''))) {
    asm.error(`unknown section attribute in "${flags}"`, ctx.origin, 'section');
  }
  const existing = asm.sections.get(name);
  // GNU: ELF's special sections keep their own attributes (a warning says so), except that a new .rodata takes
  // "aw"; any other section keeps those it was first given, none if it came without (a change is an error).
  const special = SPECIAL_SECTION_FLAGS[name];
  const clean = (f: string) => norm(f.replace(/[0-9?]/g, ''));
  const writableRodata = name === '.rodata' && flags !== undefined && clean(flags) === 'aw';
  if (flags !== undefined) {
    const wanted = clean(flags);
    // .text, .data and .bss exist from the start in GNU as; the other special sections when first named.
    const exists = existing !== undefined || name === '.text' || name === '.data' || name === '.bss';
    const stored = existing?.flagsGiven ? existing.flags : special ?? '';
    if (!exists) {
      // A new .rodata GNU takes as writable, with a warning; the others are simply created with these flags.
      if (writableRodata) asm.warn('setting incorrect section attributes for .rodata', ctx.origin, 'section');
      else if (special !== undefined && wanted !== clean(special)) asm.warn(`ignoring changed section attributes for ${name}`, ctx.origin, 'section');
    } else if (wanted !== clean(stored)) {
      if (special !== undefined) asm.warn(`ignoring changed section attributes for ${name}`, ctx.origin, 'section');
      else asm.error(`changed section attributes for ${name}`, ctx.origin, 'section');
    }
  }
  if (push) asm.sectionStack.push({ cur: asm.current, prev: asm.previous });
  if (existing) asm.switchSection(name, sub);
  else asm.switchSection(name, sub, special !== undefined && !writableRodata && flags !== undefined ? special : flags, type);
}

const norm = (f: string) => [...f].sort().join('');

/** The ELF special sections and the attributes GNU gives them whatever `.section` says. */
const SPECIAL_SECTION_FLAGS: Record<string, string> = {
  '.text': 'ax', '.data': 'aw', '.bss': 'aw', '.rodata': 'a', '.data1': 'aw', '.rodata1': 'a', '.init': 'ax', '.fini': 'ax',
  '.tdata': 'awT', '.tbss': 'awT', '.init_array': 'aw', '.fini_array': 'aw', '.preinit_array': 'aw',
};

const simpleSection = (name: string): DirectiveHandler => (asm, ctx) => {
  const ps = asm.pieces(ctx);
  let sub = 0;
  if (ps[0] && ps[0].text) {
    const s = asm.absolute(ctx, ps[0]);
    if (s !== undefined) sub = Number(s);
  }
  asm.switchSection(name, sub);
};

function symbolList(asm: Assembler, ctx: StatementContext, f: (name: string, p: StatementText) => void): void {
  for (const p of asm.pieces(ctx)) {
    if (!/^[A-Za-z_.$][\w.$]*$/.test(p.text)) {
      asm.error(`expected symbol name`, asm.at(ctx, p.column, p.column + p.text.length), 'symbol-name');
      continue;
    }
    asm.symbol(p.text).references.push(asm.at(ctx, p.column, p.column + p.text.length));
    f(p.text, p);
  }
}

function setLike(how: 'set' | 'equiv' | 'eqv'): DirectiveHandler {
  return (asm, ctx) => {
    const ps = asm.pieces(ctx);
    if (ps.length < 2 || !/^[A-Za-z_.$][\w.$]*$/.test(ps[0].text)) {
      const named = ps.length > 0 && /^[A-Za-z_.$][\w.$]*$/.test(ps[0].text);
      asm.error(named ? `expected comma after "${ps[0].text}"` : 'expected symbol name', ctx.origin, 'set');
      return;
    }
    const rest: StatementText = { text: ctx.text.slice(ps[1].column), column: ps[1].column };
    const e = asm.parseWholeExpr(ctx, rest);
    if (!e) return;
    if (ps[0].text === '.') {
      DIRECTIVES['.org'](asm, ctx.withArgsAt(ps[1].column));
      return;
    }
    asm.assign(ps[0].text, e, rest.text.trim(), asm.at(ctx, ps[0].column, ps[0].column + ps[0].text.length), how);
  };
}

function message(kind: 'error' | 'warning' | 'print'): DirectiveHandler {
  return (asm, ctx) => {
    const args = ctx.text.slice(ctx.argsStart).trim();
    let msg: string;
    if (args.startsWith('"')) msg = String.fromCharCode(...decodeString(args, 0).bytes);
    else if (kind === 'print') {
      asm.error('expected quoted string', ctx.origin, 'expected-string');
      return;
    } else msg = kind === 'error' ? '.error directive invoked in source file' : '.warning directive invoked in source file';
    if (kind === 'print') asm.report('info', msg, ctx.origin, 'print');
    else asm.report(kind, msg, ctx.origin, kind === 'error' ? 'error-directive' : 'warning-directive');
  };
}

const accept: DirectiveHandler = () => {};

const globalSymbols: DirectiveHandler = (asm, ctx) => symbolList(asm, ctx, (n) => (asm.symbol(n).binding = 'global'));

function ignoredWithWarning(what: string): DirectiveHandler {
  return (asm, ctx) => asm.warn(`${what} is not supported and was ignored`, ctx.origin, 'unsupported-directive');
}

export const DIRECTIVES: Record<string, DirectiveHandler> = {
  '.byte': data(1),
  '.word': data(2),
  '.short': data(2),
  '.hword': data(2),
  '.value': data(2),
  '.2byte': data(2),
  '.long': data(4),
  '.int': data(4),
  '.4byte': data(4),
  '.quad': data(8),
  '.8byte': data(8),
  '.octa': octa,
  '.dc': data(2),
  '.dc.b': data(1),
  '.dc.w': data(2),
  '.dc.l': data(4),
  // An address: 8 bytes in the 64-bit ELF objects GNU as writes by default.
  '.dc.a': data(8),
  '.uleb128': lebDirective(false),
  '.sleb128': lebDirective(true),
  '.float': floatDirective(4),
  '.single': floatDirective(4),
  '.dc.s': floatDirective(4),
  '.double': floatDirective(8),
  '.dc.d': floatDirective(8),
  '.ds': dsDirective(2),
  '.ds.b': dsDirective(1),
  '.ds.w': dsDirective(2),
  '.ds.l': dsDirective(4),
  '.ds.s': dsDirective(4),
  '.ds.d': dsDirective(8),
  '.ds.x': dsDirective(10),
  '.ds.p': dsDirective(10),
  '.dcb': dcbDirective(2),
  '.dcb.b': dcbDirective(1),
  '.dcb.w': dcbDirective(2),
  '.dcb.l': dcbDirective(4),
  '.dcb.s': dcbDirective(4, true),
  '.dcb.d': dcbDirective(8, true),
  '.string8': strings(true),
  '.string16': strings(true, 2),
  '.string32': strings(true, 4),
  '.string64': strings(true, 8),
  '.ascii': strings(false),
  '.asciz': strings(true),
  '.string': strings(true),
  '.fill': fill,
  '.skip': space,
  '.space': space,
  '.zero': (asm, ctx) => {
    const ps = asm.pieces(ctx);
    if (ps.length !== 1) return asm.error('expected one size expression', ctx.origin, 'bad-expression');
    space(asm, ctx);
  },
  '.org': org,
  '.nops': (asm, ctx) => {
    const ps = asm.pieces(ctx);
    if (!ps.length) return asm.error('missing size expression', ctx.origin, 'bad-expression');
    const n = asm.absolute(ctx, ps[0], '.space, .nops or .fill specifies non-absolute value');
    if (n === undefined) return;
    let limit = 0n;
    if (ps[1] && ps[1].text) {
      const l = asm.absolute(ctx, ps[1]);
      if (l === undefined) return;
      limit = l;
    }
    if (n < 0n) return asm.warn('.space, .nops or .fill with negative value, ignored', ctx.origin, 'negative-space');
    if (n === 0n) return;
    if (n > BigInt(asm.maxOutputBytes)) return asm.error(`output too large (more than ${asm.maxOutputBytes} bytes)`, ctx.origin, 'too-large');
    closeVar(asm, ctx, { kind: 'nops', count: Number(n), limit: Number(limit) });
  },
  '.align': align('bytes', 1),
  '.balign': align('bytes', 1),
  '.balignw': align('bytes', 2),
  '.balignl': align('bytes', 4),
  '.p2align': align('pow2', 1),
  '.p2alignw': align('pow2', 2),
  '.p2alignl': align('pow2', 4),
  '.code16': (asm, ctx) => asm.setMode(16, ctx),
  '.code16gcc': (asm, ctx) => asm.setMode(16, ctx, true),
  '.code32': (asm, ctx) => asm.setMode(32, ctx),
  '.code64': (asm, ctx) => asm.setMode(64, ctx),
  '.text': simpleSection('.text'),
  '.data': simpleSection('.data'),
  '.bss': simpleSection('.bss'),
  '.section': (asm, ctx) => section(asm, ctx, false),
  '.pushsection': (asm, ctx) => section(asm, ctx, true),
  '.popsection': (asm, ctx) => {
    const top = asm.sectionStack.pop();
    if (!top) return asm.warn('.popsection without corresponding .pushsection; ignored', ctx.origin, 'section');
    asm.current = top.cur;
    asm.previous = top.prev;
  },
  '.previous': (asm, ctx) => {
    if (!asm.previous) return asm.warn('.previous without corresponding .section; ignored', ctx.origin, 'section');
    const p = asm.previous;
    asm.previous = asm.current;
    asm.current = p;
  },
  '.subsection': (asm, ctx) => {
    const ps = asm.pieces(ctx);
    const s = ps[0] ? asm.absolute(ctx, ps[0]) : 0n;
    if (s === undefined) return;
    asm.previous = asm.current;
    asm.current = { section: asm.current.section, sub: Number(s) };
  },
  '.set': setLike('set'),
  '.equ': setLike('set'),
  '.equiv': setLike('equiv'),
  '.eqv': setLike('eqv'),
  '.globl': globalSymbols,
  '.global': globalSymbols,
  '.local': (asm, ctx) => symbolList(asm, ctx, (n) => (asm.symbol(n).binding = 'local')),
  '.weak': (asm, ctx) => symbolList(asm, ctx, (n) => (asm.symbol(n).binding = 'weak')),
  '.hidden': (asm, ctx) => symbolList(asm, ctx, (n) => (asm.symbol(n).visibility = 'hidden')),
  '.internal': (asm, ctx) => symbolList(asm, ctx, (n) => (asm.symbol(n).visibility = 'internal')),
  '.protected': (asm, ctx) => symbolList(asm, ctx, (n) => (asm.symbol(n).visibility = 'protected')),
  '.type': (asm, ctx) => {
    // `.type name, @function`; the comma is optional and the type may be @x, %x, "x", x or STT_X.
    const m = /^([A-Za-z_.$][\w.$]*)(?:\s*,\s*|\s+)(\S+)\s*$/.exec(ctx.text.slice(ctx.argsStart));
    if (!m) {
      const name = /^[A-Za-z_.$][\w.$]*\s*$/.test(ctx.text.slice(ctx.argsStart));
      return asm.error(name ? 'unrecognized symbol type ""' : 'expected symbol name', ctx.origin, 'type');
    }
    const s = asm.symbol(m[1]);
    s.references.push(asm.at(ctx, ctx.argsStart, ctx.argsStart + m[1].length));
    const t = m[2].replace(/^[@%"]|"$/g, '').toLowerCase();
    const stt: Record<string, string> = { stt_func: 'function', stt_object: 'object', stt_notype: 'notype', stt_tls: 'tls_object', stt_common: 'common', stt_gnu_ifunc: 'gnu_indirect_function' };
    s.type = stt[t] ?? t;
  },
  '.size': (asm, ctx) => {
    const ps = asm.pieces(ctx);
    if (ps.length < 2) return asm.error(`expected comma after name \`${ps[0]?.text ?? ''}' in .size directive`, ctx.origin, 'size');
    const s = asm.symbol(ps[0].text);
    s.references.push(asm.at(ctx, ps[0].column, ps[0].column + ps[0].text.length));
    const rest: StatementText = { text: ctx.text.slice(ps[1].column), column: ps[1].column };
    const e = asm.parseWholeExpr(ctx, rest);
    if (!e) return;
    s.sizeExpr = { expr: asm.freezeExpr(e), origin: ctx.origin, text: rest.text };
  },
  '.include': (asm, ctx) => {
    const args = ctx.text.slice(ctx.argsStart).trim();
    const m = /^"([^"]*)"$/.exec(args) ?? /^<([^>]*)>$/.exec(args) ?? /^(\S+)$/.exec(args);
    if (!m) return asm.error('missing string', ctx.origin, 'include');
    const r = asm.readInclude(ctx, m[1], false);
    if (r && r.text !== undefined) asm.includeFile(ctx, r.path, r.text);
  },
  '.incbin': (asm, ctx) => {
    const ps = asm.pieces(ctx);
    if (!ps.length || !ps[0].text.startsWith('"')) return asm.error('missing string', ctx.origin, 'incbin');
    const quoted = decodeString(ps[0].text, 0);
    const name = String.fromCharCode(...quoted.bytes);
    // GNU reads the name, reports what follows it without a comma, and includes the file all the same.
    const junk = ps[0].text.slice(quoted.end).trim();
    if (junk) asm.error(`junk at end of line, first unrecognized character is \`${junk[0]}'`, ctx.origin, 'junk');
    let skip = 0n;
    let count: bigint | undefined;
    if (ps[1] && ps[1].text) {
      const s = asm.absolute(ctx, ps[1]);
      if (s === undefined) return;
      skip = s;
    }
    if (ps[2] && ps[2].text) {
      const c = asm.absolute(ctx, ps[2]);
      if (c === undefined) return;
      count = c;
    }
    const r = asm.readInclude(ctx, name, true);
    if (!r || !r.bytes) return;
    const size = BigInt(r.bytes.length);
    // GNU: an explicit count of zero means the rest of the file, with a warning; a range outside the file is an error.
    if (count === 0n) asm.warn(`.incbin count zero, ignoring \`${name}'`, ctx.origin, 'incbin');
    const n = count === undefined || count === 0n ? size - skip : count;
    if (skip < 0n || n < 0n || skip + n > size) return asm.error(`skip (${skip}) or count (${n}) invalid for file size (${size})`, ctx.origin, 'incbin');
    asm.emit(r.bytes.subarray(Number(skip), Number(skip + n)), ctx);
  },
  '.err': (asm, ctx) => asm.error('.err encountered', ctx.origin, 'err-directive'),
  '.error': message('error'),
  '.warning': message('warning'),
  '.print': message('print'),
  '.macro': (asm, ctx) => defineMacro(asm, ctx),
  '.endm': (asm, ctx) => asm.warn('.endm encountered without preceding .macro', ctx.origin, 'unbalanced-macro'),
  '.endmacro': (asm, ctx) => asm.warn('.endm encountered without preceding .macro', ctx.origin, 'unbalanced-macro'),
  '.exitm': (asm, ctx) => exitMacro(asm, ctx),
  '.purgem': (asm, ctx) => {
    for (const p of asm.pieces(ctx)) {
      const m = asm.macros.get(p.text.toLowerCase());
      if (!m || m.purged) asm.warn(`Attempt to purge non-existing macro \`${p.text}'`, ctx.origin, 'purgem');
      else m.purged = true;
    }
  },
  '.rept': (asm, ctx) => repeat(asm, '.rept', ctx),
  '.rep': (asm, ctx) => repeat(asm, '.rept', ctx),
  '.irp': (asm, ctx) => repeat(asm, '.irp', ctx),
  '.irpc': (asm, ctx) => repeat(asm, '.irpc', ctx),
  '.endr': (asm, ctx) => asm.warn('.endr encountered without preceding .rept, .irp, or .irpc', ctx.origin, 'unbalanced-rept'),
  '.end': (asm) => {
    asm.ended = true;
  },
  '.intel_syntax': (asm, ctx) => asm.error('.intel_syntax is not supported (only AT&T syntax is)', ctx.origin, 'intel-syntax'),
  '.att_syntax': accept,
  '.intel_mnemonic': (asm, ctx) => asm.error('.intel_mnemonic is not supported', ctx.origin, 'intel-syntax'),
  '.att_mnemonic': accept,
  '.altmacro': ignoredWithWarning('.altmacro'),
  '.noaltmacro': accept,
  '.file': accept,
  '.line': accept,
  '.loc': accept,
  '.loc_mark_labels': accept,
  '.ident': accept,
  '.arch': accept,
  '.cpu': accept,
  '.list': accept,
  '.nolist': accept,
  '.title': accept,
  '.sbttl': accept,
  '.psize': accept,
  '.eject': accept,
  '.version': accept,
  '.lflags': accept,
  '.addrsig': accept,
  '.addrsig_sym': accept,
  '.comm': ignoredWithWarning('.comm'),
  '.lcomm': ignoredWithWarning('.lcomm'),
  '.mexit': (asm, ctx) => exitMacro(asm, ctx),
  '.slong': data(4),
  '.nop': (asm, ctx) => asm.emit([0x90], ctx),
  '.xdef': globalSymbols,
  // Directives that only describe the object file (debug info, symbol versions, listing layout, x86 options):
  // nothing of theirs reaches a flat image.
  '.extern': accept,
  '.xref': accept,
  '.func': accept,
  '.endfunc': accept,
  '.linefile': accept,
  '.stabs': accept,
  '.stabn': accept,
  '.stabd': accept,
  '.symver': accept,
  '.gnu_attribute': accept,
  '.vtable_entry': accept,
  '.vtable_inherit': accept,
  '.linkonce': accept,
  '.attach_to_group': accept,
  '.lsym': accept,
  '.llen': accept,
  '.plen': accept,
  '.spc': accept,
  '.noformat': accept,
  '.nopage': accept,
  '.sse_check': accept,
  '.operand_check': accept,
  '.disallow_index_reg': accept,
  '.optim': accept,
  '.noopt': accept,
  '.this_gcc_requires_the_gnu_assembler': accept,
};

for (const d of [
  'startproc', 'endproc', 'def_cfa', 'def_cfa_offset', 'def_cfa_register', 'adjust_cfa_offset', 'offset', 'rel_offset',
  'register', 'restore', 'undefined', 'same_value', 'remember_state', 'restore_state', 'return_column', 'signal_frame',
  'window_save', 'escape', 'val_encoded_addr', 'personality', 'lsda', 'sections', 'undefined', 'val_offset',
  'fde_data', 'inline_lsda', 'label', 'negate_ra_state', 'personality_id',
]) {
  DIRECTIVES['.cfi_' + d] = accept;
}

/** `.octa`: 16-byte values (big constants keep all their bits). */
function octa(asm: Assembler, ctx: StatementContext): void {
  for (const p of asm.pieces(ctx)) {
    const e: Expr | undefined = asm.parseWholeExpr(ctx, p);
    if (!e) continue;
    const v = asm.evalReporting(e, ctx);
    if (v.k !== 'abs') {
      // GNU has no 16-byte relocation: it says so, and writes what it resolves into the low 8 bytes.
      asm.error('cannot do unsigned 16 byte relocation', asm.at(ctx, p.column, p.column + p.text.length), 'relocation');
      asm.emitValue(e, v, 8, ctx, ctx.text, 0);
      asm.emit(new Uint8Array(8), ctx);
      continue;
    }
    // A number (or a negated one) is a bignum to GNU, sign-extended; anything computed is a 64-bit value.
    const raw = e.t === 'num' ? e.v : e.t === 'un' && e.op === '-' && e.x.t === 'num' ? -e.x.v : BigInt.asUintN(64, v.v);
    const u = BigInt.asUintN(128, raw);
    const out = new Uint8Array(16);
    for (let i = 0; i < 16; i++) out[i] = Number((u >> BigInt(8 * i)) & 0xffn);
    asm.emit(out, ctx);
  }
}
