// Flat-image linker: places the assembled sections at addresses (default order, GNU ld's -Ttext and
// --section-start, or a linker script), resolves the remaining fixups with range checks, and builds the final
// symbol table and address → source map.
import type { Diagnostic, Origin } from './source';
import type { LaidOutSection, Relocation } from './layout';
import type { SymExpr, Val } from './expr';
import { evaluate } from './expr';
import type { Frag } from './frags';
import type { Assembler } from './assembler';
import { displayName, littleEndian } from './assembler';
import { rangeProblem } from './layout';
import { SourceMap, type SourceMapEntry } from './source-map';
import { matchPattern, parseLinkerScript, type LinkerScript, type ScriptExpr } from './linker-script';

export interface LinkOptions {
  /** `-Ttext=ADDR`: address of .text (and of the image when nothing else is placed lower). Default 0. */
  textAddress?: bigint;
  /** `--section-start=NAME=ADDR`. */
  sectionStart?: Record<string, bigint>;
  /** `-T SCRIPT`: the script text and its path (for diagnostics). */
  script?: { path: string; text: string };
  /** `--defsym NAME=VALUE` (and the launch configuration's symbols). */
  defsym?: Record<string, bigint>;
  /** Names that may stay undefined (their value is 0); reported as warnings instead of errors. */
  allowUndefined?: boolean;
}

export interface PlacedSection {
  name: string;
  /** Output section (differs from name under a linker script). */
  output: string;
  address: number;
  size: number;
  flags: string;
  nobits: boolean;
}

export interface LinkedSymbol {
  name: string;
  address: bigint;
  section: string;
  binding: string;
  size?: bigint;
  definition?: Origin;
}

export interface LinkResult {
  image: Uint8Array;
  /** Address of image[0]. */
  base: number;
  sections: PlacedSection[];
  symbols: Map<string, LinkedSymbol>;
  sourceMap: SourceMap;
  diagnostics: Diagnostic[];
}

interface Chunk {
  address: number;
  bytes: Uint8Array;
  nobits: boolean;
  section?: LaidOutSection;
}

const scriptOrigin = (path: string, line: number): Origin => ({
  range: { file: path, line, column: 0, endLine: line, endColumn: 0 },
  expansion: [],
});

export function link(asm: Assembler, sections: LaidOutSection[], options: LinkOptions = {}): LinkResult {
  const diagnostics: Diagnostic[] = [];
  const addresses = new Map<string, number>();
  const placed: PlacedSection[] = [];
  const chunks: Chunk[] = [];
  const scriptSymbols = new Map<string, bigint>();
  const alloc = sections.filter((s) => s.flags.includes('a') || s.name === '.text' || s.name === '.data' || s.name === '.bss');
  const nonEmptyOrNamed = alloc.filter((s) => s.bytes.length > 0 || s.name === '.text');
  const align = (a: number, n: number) => (n <= 1 ? a : Math.ceil(a / n) * n);

  const place = (s: LaidOutSection, address: number, output: string) => {
    addresses.set(s.name, address);
    const nobits = s.type === 'nobits';
    placed.push({ name: s.name, output, address, size: s.bytes.length, flags: s.flags, nobits });
    chunks.push({ address, bytes: s.bytes, nobits, section: s });
  };

  if (options.script) {
    const parsed = parseLinkerScript(options.script.text);
    for (const e of parsed.errors)
      diagnostics.push({
        severity: 'error',
        message: e.message,
        origin: { range: { file: options.script.path, line: e.line, column: e.column, endLine: e.line, endColumn: e.column + 1 }, expansion: [] },
        code: 'linker-script',
      });
    if (parsed.script) runScript(parsed.script, options.script.path);
  } else {
    defaultLayout();
  }

  function defaultLayout(): void {
    const start = options.sectionStart ?? {};
    const rank = (s: LaidOutSection): number => {
      if (s.name === '.text') return 0;
      if (s.flags.includes('x')) return 1;
      if (s.name === '.rodata') return 2;
      if (s.type === 'nobits') return s.name === '.bss' ? 6 : 7;
      if (!s.flags.includes('w')) return 3;
      if (s.name === '.data') return 4;
      return 5;
    };
    const ordered = [...nonEmptyOrNamed].sort((a, b) => rank(a) - rank(b) || a.order - b.order);
    let addr = Number(options.textAddress ?? 0n);
    // Sections with an explicit address go there; the rest follow one another.
    for (const s of ordered) {
      const fixed = start[s.name];
      if (fixed !== undefined) {
        place(s, Number(fixed), s.name);
        continue;
      }
      addr = align(addr, s.alignment);
      place(s, addr, s.name);
      addr += s.bytes.length;
    }
  }

  function runScript(script: LinkerScript, path: string): void {
    let dot = 0n;
    const used = new Set<string>();
    const evalScript = (e: ScriptExpr, line: number): bigint => {
      switch (e.t) {
        case 'num': return e.v;
        case 'dot': return dot;
        case 'sym': {
          if (scriptSymbols.has(e.name)) return scriptSymbols.get(e.name)!;
          const d = options.defsym?.[e.name];
          if (d !== undefined) return d;
          diagnostics.push({ severity: 'error', message: `undefined symbol \`${e.name}' referenced in expression`, origin: scriptOrigin(path, line), code: 'linker-script' });
          return 0n;
        }
        case 'un': {
          const x = evalScript(e.x, line);
          return e.op === '-' ? -x : e.op === '~' ? ~x : x === 0n ? 1n : 0n;
        }
        case 'bin': {
          const a = evalScript(e.l, line);
          const b = evalScript(e.r, line);
          switch (e.op) {
            case '+': return a + b;
            case '-': return a - b;
            case '*': return a * b;
            case '/': return b === 0n ? 0n : a / b;
            case '&': return a & b;
            case '|': return a | b;
            case '<<': return a << b;
            case '>>': return a >> b;
            case '==': return a === b ? 1n : 0n;
            case '!=': return a !== b ? 1n : 0n;
            case '<': return a < b ? 1n : 0n;
            case '>': return a > b ? 1n : 0n;
            case '<=': return a <= b ? 1n : 0n;
            case '>=': return a >= b ? 1n : 0n;
            case '&&': return a && b ? 1n : 0n;
            case '||': return a || b ? 1n : 0n;
          }
          return 0n;
        }
        case 'call': {
          if ((e.fn === 'ADDR' || e.fn === 'SIZEOF' || e.fn === 'LOADADDR') && e.args[0]?.t === 'sym') {
            // Output sections laid out so far (an output name or an input section name).
            const name = e.args[0].name;
            const parts = placed.filter((p) => p.output === name || p.name === name);
            if (!parts.length) {
              diagnostics.push({ severity: 'error', message: `undefined section \`${name}' referenced in expression`, origin: scriptOrigin(path, line), code: 'linker-script' });
              return 0n;
            }
            const start = Math.min(...parts.map((p) => p.address));
            if (e.fn !== 'SIZEOF') return BigInt(start);
            return BigInt(Math.max(...parts.map((p) => p.address + p.size)) - start);
          }
          const args = e.args.map((a) => evalScript(a, line));
          if (e.fn === 'ALIGN') {
            const [base, n] = args.length === 1 ? [dot, args[0]] : [args[0], args[1]];
            return n <= 1n ? base : ((base + n - 1n) / n) * n;
          }
          if (e.fn === 'ABSOLUTE') return args[0] ?? 0n;
          if (e.fn === 'MAX') return args[0] > args[1] ? args[0] : args[1];
          if (e.fn === 'MIN') return args[0] < args[1] ? args[0] : args[1];
          diagnostics.push({ severity: 'error', message: `unsupported function ${e.fn} in linker script`, origin: scriptOrigin(path, line), code: 'linker-script' });
          return 0n;
        }
      }
    };
    for (const g of script.globals) scriptSymbols.set(g.name, evalScript(g.expr, g.line));
    for (const item of script.sections) {
      if (item.kind === 'assign') {
        const v = evalScript(item.expr, item.line);
        if (item.name === '.') dot = v;
        else scriptSymbols.set(item.name, v);
        continue;
      }
      const discard = item.name === '/DISCARD/';
      if (item.address) dot = evalScript(item.address, item.line);
      const fixedStart = options.sectionStart?.[item.name];
      if (fixedStart !== undefined) dot = fixedStart;
      for (const it of item.items) {
        if (it.kind === 'assign') {
          const v = evalScript(it.expr, it.line);
          if (it.name === '.') dot = v;
          else scriptSymbols.set(it.name, v);
        } else if (it.kind === 'data') {
          const v = evalScript(it.expr, it.line);
          if (!discard) chunks.push({ address: Number(dot), bytes: littleEndian(v, it.size), nobits: false });
          dot += BigInt(it.size);
        } else {
          for (const s of alloc) {
            if (used.has(s.name) || !it.patterns.some((p) => matchPattern(p, s.name))) continue;
            used.add(s.name);
            if (discard) continue;
            dot = BigInt(align(Number(dot), s.alignment));
            place(s, Number(dot), item.name);
            dot += BigInt(s.bytes.length);
          }
        }
      }
    }
    // Orphans (sections the script does not mention) follow the last placed byte.
    for (const s of nonEmptyOrNamed) {
      if (used.has(s.name) || s.bytes.length === 0) continue;
      const start = options.sectionStart?.[s.name];
      if (start !== undefined) dot = start;
      dot = BigInt(align(Number(dot), s.alignment));
      place(s, Number(dot), s.name);
      dot += BigInt(s.bytes.length);
    }
  }

  // Image extent: every loadable byte.
  const loadable = chunks.filter((c) => !c.nobits && c.bytes.length > 0);
  let base = loadable.length ? Math.min(...loadable.map((c) => c.address)) : Number(options.textAddress ?? 0n);
  const end = loadable.length ? Math.max(...loadable.map((c) => c.address + c.bytes.length)) : base;
  if (!loadable.length && placed.length) base = Math.min(...placed.map((p) => p.address));
  const MAX_IMAGE = 512 * 1024 * 1024;
  let image = new Uint8Array(0);
  if (end - base > MAX_IMAGE) {
    diagnostics.push({
      severity: 'error',
      message: `image would span ${end - base} bytes (sections at 0x${base.toString(16)}..0x${end.toString(16)})`,
      origin: { range: { file: '<link>', line: 0, column: 0, endLine: 0, endColumn: 0 }, expansion: [] },
      code: 'image-too-large',
    });
  } else {
    image = new Uint8Array(end - base);
    for (const c of loadable) image.set(c.bytes, c.address - base);
  }

  // Overlaps between loadable sections are errors, as in ld.
  const sorted = [...loadable].sort((a, b) => a.address - b.address);
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1];
    const b = sorted[i];
    if (a.address + a.bytes.length > b.address && a.section && b.section) {
      const first = b.section.spanData[2];
      const sp = first === undefined ? undefined : asm.statements[first];
      diagnostics.push({
        severity: 'error',
        message: `section ${b.section.name} LMA [0x${b.address.toString(16)}] overlaps section ${a.section.name}`,
        origin: sp?.origin ?? { range: { file: '<link>', line: 0, column: 0, endLine: 0, endColumn: 0 }, expansion: [] },
        code: 'overlap',
      });
    }
  }

  // Numeric evaluation: every place becomes an address.
  const resolving = new Set<string>();
  const toAddress = (v: Val, origin: Origin | undefined, report: boolean): bigint | undefined => {
    if (v.k === 'abs') return v.v;
    if (v.k === 'rel') {
      const sb = addresses.get(v.at.section);
      if (sb === undefined) return BigInt((v.at.frag as Frag).address + v.at.offset) + v.v;
      return BigInt(sb + (v.at.frag as Frag).address + v.at.offset) + v.v;
    }
    if (v.k === 'undef') {
      const s = symbolAddress(v.sym);
      if (s !== undefined) return s + v.v;
      // An undefined weak symbol is zero, as in ld.
      if (asm.symbols.get(v.sym)?.binding === 'weak') return v.v;
      if (report && origin) {
        const sev = options.allowUndefined ? 'warning' : 'error';
        diagnostics.push({ severity: sev, message: `undefined reference to \`${displayName(v.sym)}'`, origin, code: 'undefined-symbol' });
      }
      return undefined;
    }
    return undefined;
  };
  const symbolAddress = (name: string): bigint | undefined => {
    const d = options.defsym?.[name];
    if (d !== undefined) return d;
    if (scriptSymbols.has(name)) return scriptSymbols.get(name);
    const s = asm.symbols.get(name);
    if (!s?.definition || resolving.has(name)) return undefined;
    resolving.add(name);
    try {
      return toAddress(evaluate(numericExprSymbol(name), numericEnv), undefined, false);
    } finally {
      resolving.delete(name);
    }
  };
  const numericEnv = {
    symbol: (n: string, node?: SymExpr): Val => {
      const sym = asm.symbolFor(n, node);
      const d = options.defsym?.[n] ?? scriptSymbols.get(n);
      if (d !== undefined && !sym?.definition) return { k: 'abs', v: d };
      const v = asm.valueOf(sym, n, true, node);
      if (v.k === 'rel') {
        const a = toAddress(v, undefined, false);
        return a === undefined ? v : { k: 'abs', v: a };
      }
      if (v.k === 'undef') {
        const a = symbolAddress(v.sym);
        return a === undefined ? v : { k: 'abs', v: a + v.v };
      }
      return v;
    },
    dot: (at: unknown): Val => {
      const p = at as { section: string; frag: Frag; offset: number };
      const sb = addresses.get(p.section) ?? 0;
      return { k: 'abs', v: BigInt(sb + p.frag.address + p.offset) };
    },
    placeDifference: (a: { frag: unknown; offset: number }, b: { frag: unknown; offset: number }) =>
      BigInt((a.frag as Frag).address + a.offset - ((b.frag as Frag).address + b.offset)),
  };

  // Apply relocations.
  for (const c of chunks) {
    const s = c.section;
    if (!s) continue;
    for (const r of s.relocations) applyRelocation(r, s, c);
  }
  function applyRelocation(r: Relocation, _s: LaidOutSection, c: Chunk): void {
    const v = evaluate(r.expr, numericEnv);
    let value = toAddress(v, r.origin, true);
    if (value === undefined) {
      if (v.k === 'unknown') diagnostics.push({ severity: 'error', message: `can't resolve expression (${v.why})`, origin: r.origin, code: 'unresolvable' });
      return;
    }
    if (r.pcRelative) value -= BigInt(c.address + r.pcBase);
    const msg = rangeProblem(value, r.size, r.range, c.address + r.offset);
    if (msg) diagnostics.push({ severity: 'error', message: `relocation truncated to fit: ${msg}`, origin: r.origin, code: 'out-of-range' });
    // Only the image is patched: the analysis keeps object-level bytes, as GNU's .o does.
    if (!c.nobits && image.length) image.set(littleEndian(value, r.size), c.address - base + r.offset);
  }

  // Symbols with final addresses.
  const symbols = new Map<string, LinkedSymbol>();
  for (const s of asm.symbols.values()) {
    if (!s.definition) continue;
    // A label that nothing overrides is its place's address (what symbolAddress computes, without evaluating).
    const d = s.definition;
    const a =
      d.kind === 'label' && options.defsym?.[s.name] === undefined && !scriptSymbols.has(s.name)
        ? toAddress({ k: 'rel', at: d.place, v: 0n }, undefined, false)
        : symbolAddress(s.name);
    if (a === undefined) continue;
    symbols.set(s.name, {
      name: s.name,
      address: a,
      section: s.section ?? '*ABS*',
      binding: s.binding,
      size: s.size,
      definition: s.defined,
    });
  }
  for (const [n, v] of scriptSymbols) if (!symbols.has(n)) symbols.set(n, { name: n, address: v, section: '*ABS*', binding: 'global' });
  for (const [n, v] of Object.entries(options.defsym ?? {}))
    if (!symbols.has(n)) symbols.set(n, { name: n, address: v, section: '*ABS*', binding: 'global' });

  // Source map, made when first asked (an assembly written to a file never asks).
  const statements = asm.statements;
  const sourceMap = new SourceMap(() => {
    const entries: SourceMapEntry[] = [];
    for (const c of chunks) {
      if (!c.section) continue;
      const data = c.section.spanData;
      const section = c.section.name;
      for (let k = 0; k < data.length; k += 3) {
        const length = data[k + 1];
        if (length <= 0) continue;
        const statement = data[k + 2];
        entries.push({ address: c.address + data[k], length, origin: statements[statement].origin, statement, section });
      }
    }
    return entries;
  });
  return { image, base, sections: placed, symbols, sourceMap, diagnostics };

  function numericExprSymbol(name: string) {
    return { t: 'sym' as const, name, s: 0, e: 0 };
  }
}
