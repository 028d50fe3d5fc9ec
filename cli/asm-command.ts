// `trampoline asm`: assemble a .S/.s file into a flat image, with GNU as/ld-style options.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CliIo } from './run-cli';
import { DiskFileSystem } from './disk-fs';
import { assemble, type AssembleOptions, type AssembleResult } from '../gas/index';
import { formatDiagnostic, type Diagnostic } from '../gas/source';

export interface AsmArguments {
  file: string;
  output?: string;
  includePaths: string[];
  defines: Record<string, string>;
  textAddress?: bigint;
  sectionStart: Record<string, bigint>;
  script?: string;
  defsym: Record<string, bigint>;
  listing?: string | true;
  symbols: boolean;
}

/** Parses a number the way ld does for addresses (0x…, decimal, leading-zero octal, K/M suffix). */
export function parseAddress(text: string): bigint | undefined {
  const m = /^(-)?(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)([kKmM]?)$/.exec(text.trim());
  if (!m) return undefined;
  let v = m[2].length > 1 && m[2][0] === '0' && !/[xX]/.test(m[2]) ? BigInt('0o' + m[2].slice(1)) : BigInt(m[2]);
  if (/[kK]/.test(m[3])) v *= 1024n;
  if (/[mM]/.test(m[3])) v *= 1024n * 1024n;
  return m[1] ? -v : v;
}

export function parseAsmArguments(argv: string[]): AsmArguments | { error: string } {
  const a: AsmArguments = { file: '', includePaths: [], defines: {}, sectionStart: {}, defsym: {}, symbols: false };
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (flag: string): string | undefined => {
      if (arg.length > flag.length) return arg.slice(flag.length).replace(/^=/, '');
      return argv[++i];
    };
    if (arg === '-o') {
      a.output = argv[++i];
      if (a.output === undefined) return { error: 'option -o needs a file name' };
    } else if (arg.startsWith('-I')) {
      const v = value('-I');
      if (!v) return { error: 'option -I needs a directory' };
      a.includePaths.push(v);
    } else if (arg.startsWith('-D')) {
      const v = value('-D');
      if (!v) return { error: 'option -D needs NAME[=VALUE]' };
      const eq = v.indexOf('=');
      if (eq < 0) a.defines[v] = '1';
      else a.defines[v.slice(0, eq)] = v.slice(eq + 1);
    } else if (arg.startsWith('-Ttext')) {
      const v = value('-Ttext');
      const n = v === undefined ? undefined : parseAddress(v);
      if (n === undefined) return { error: `invalid address for -Ttext: ${v ?? ''}` };
      a.textAddress = n;
    } else if (arg.startsWith('--section-start')) {
      const v = value('--section-start') ?? '';
      const eq = v.lastIndexOf('=');
      const n = eq > 0 ? parseAddress(v.slice(eq + 1)) : undefined;
      if (n === undefined) return { error: `invalid --section-start=${v} (expected NAME=ADDR)` };
      a.sectionStart[v.slice(0, eq)] = n;
    } else if (arg === '-T' || (arg.startsWith('-T') && !arg.startsWith('-Ttext'))) {
      const v = value('-T');
      if (!v) return { error: 'option -T needs a script file' };
      a.script = v;
    } else if (arg.startsWith('--defsym')) {
      const v = value('--defsym') ?? '';
      const eq = v.indexOf('=');
      const n = eq > 0 ? parseAddress(v.slice(eq + 1)) : undefined;
      if (n === undefined) return { error: `invalid --defsym ${v} (expected NAME=VALUE)` };
      a.defsym[v.slice(0, eq)] = n;
    } else if (arg === '--listing') {
      a.listing = true;
    } else if (arg.startsWith('--listing=')) {
      a.listing = arg.slice('--listing='.length);
    } else if (arg === '--symbols') {
      a.symbols = true;
    } else if (arg.startsWith('-') && arg !== '-') {
      return { error: `unknown option '${arg}'` };
    } else files.push(arg);
  }
  if (files.length !== 1) return { error: files.length ? 'only one input file may be given' : 'no input file' };
  a.file = files[0];
  return a;
}

export function defaultOutput(file: string): string {
  return /\.(S|s|sx|asm)$/.test(file) ? file.replace(/\.(S|s|sx|asm)$/, '.bin') : `${file}.bin`;
}

/** Path of a diagnostic relative to the working directory when it is inside it (as compilers print). */
function relativeDiagnostic(d: Diagnostic, cwd: string): string {
  const f = d.origin.range.file;
  const rel = f.startsWith(cwd + '/') ? f.slice(cwd.length + 1) : f;
  return formatDiagnostic({ ...d, origin: { ...d.origin, range: { ...d.origin.range, file: rel } } });
}

export function runAsm(argv: string[], io: CliIo): number {
  const parsed = parseAsmArguments(argv);
  if ('error' in parsed) {
    io.stderr(`trampoline asm: ${parsed.error}\n`);
    return 2;
  }
  const cwd = process.cwd();
  const fs = new DiskFileSystem();
  const file = resolve(parsed.file);
  if (fs.readText(file) === undefined) {
    io.stderr(`${parsed.file}:1:1: error: can't open ${parsed.file} for reading: No such file or directory\n`);
    return 1;
  }
  let script: AssembleOptions['script'];
  if (parsed.script) {
    const p = resolve(parsed.script);
    const text = fs.readText(p);
    if (text === undefined) {
      io.stderr(`${parsed.script}:1:1: error: cannot open linker script file ${parsed.script}: No such file or directory\n`);
      return 1;
    }
    script = { path: p, text };
  }
  const result = assemble(fs, file, {
    includePaths: parsed.includePaths.map((d) => resolve(d)),
    defines: parsed.defines,
    textAddress: parsed.textAddress,
    sectionStart: parsed.sectionStart,
    script,
    defsym: parsed.defsym,
  });
  for (const d of result.diagnostics) {
    if (d.severity === 'error' || d.severity === 'warning') {
      io.stderr(relativeDiagnostic(d, cwd) + '\n');
      // Like GNU's "macro invoked from here": where each enclosing expansion was written.
      for (const step of d.origin.expansion) {
        if (step.kind !== 'macro' && step.kind !== 'rept' && step.kind !== 'irp') continue;
        const what = step.kind === 'macro' ? `macro \`${step.name}'` : `\`${step.name}'`;
        io.stderr(relativeDiagnostic({ severity: 'info', message: `in expansion of ${what} invoked here`, origin: { range: step.site, expansion: [] } }, cwd).replace(': info: ', ': note: ') + '\n');
      }
    } else if (d.code === 'print') io.stdout(d.message + '\n');
  }
  if (!result.ok) return 1;
  const out = parsed.output ?? defaultOutput(parsed.file);
  try {
    writeFileSync(out, result.image);
  } catch (e) {
    io.stderr(`trampoline asm: cannot write ${out}: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
  if (parsed.symbols) io.stdout(symbolTable(result));
  if (parsed.listing) {
    const text = listing(result, (p) => fs.readText(p), file);
    if (parsed.listing === true) io.stdout(text);
    else writeFileSync(parsed.listing, text);
  }
  return 0;
}

/** `--symbols`: like `nm -n` on the linked image (address, section, binding, name). */
export function symbolTable(r: AssembleResult): string {
  const rows = [...r.link.symbols.values()]
    .filter((s) => !s.name.includes('\u0002') && !s.name.startsWith('.L'))
    .sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : a.name.localeCompare(b.name)));
  return rows
    .map((s) => `${BigInt.asUintN(64, s.address).toString(16).padStart(16, '0')} ${s.binding === 'global' ? 'G' : s.binding === 'weak' ? 'W' : 'l'} ${s.section.padEnd(12)} ${s.name}\n`)
    .join('');
}

/**
 * `--listing`: like `as -al` — each source line of the input with its line number, address and bytes (up to 4
 * per row, continuation rows for the rest) — plus the statements of each macro or repetition expansion indented
 * under the line that invoked it.
 */
export function listing(r: AssembleResult, sourceText: (file: string) => string | undefined, mainFile: string): string {
  const placed = new Map(r.link.sections.map((s) => [s.name, s.address]));
  const bytesOf = (section: string, offset: number, size: number) => {
    const sec = r.analysis.laidOut.find((s) => s.name === section);
    return sec ? sec.bytes.subarray(offset, offset + size) : new Uint8Array(0);
  };
  interface Row {
    address?: number;
    bytes: number[];
  }
  const direct = new Map<string, Row>();
  const expanded = new Map<string, { depth: number; address?: number; bytes: Uint8Array; text: string }[]>();
  for (const st of r.analysis.statements) {
    const steps = st.origin.expansion.filter((e) => e.kind === 'macro' || e.kind === 'rept' || e.kind === 'irp');
    const hasBytes = st.offset !== undefined && !!st.size;
    const address = hasBytes ? (placed.get(st.section) ?? 0) + st.offset! : undefined;
    const bytes = hasBytes ? bytesOf(st.section, st.offset!, st.size!) : new Uint8Array(0);
    if (steps.length === 0) {
      const key = `${st.origin.range.file}:${st.origin.range.line}`;
      let row = direct.get(key);
      if (!row) direct.set(key, (row = { bytes: [] }));
      if (address !== undefined && row.address === undefined) row.address = address;
      row.bytes.push(...bytes);
    } else {
      const site = steps[steps.length - 1].site;
      const key = `${site.file}:${site.line}`;
      let list = expanded.get(key);
      if (!list) expanded.set(key, (list = []));
      list.push({ depth: steps.length, address, bytes, text: st.text });
    }
  }
  const hexBytes = (b: ArrayLike<number>) => Array.from(b, (x) => x.toString(16).padStart(2, '0').toUpperCase()).join('');
  const out: string[] = [];
  const emit = (num: string, address: number | undefined, bytes: ArrayLike<number>, text: string) => {
    const addr = address === undefined ? '    ' : (address & 0xffff).toString(16).padStart(4, '0').toUpperCase();
    const first = Array.from(bytes).slice(0, 4);
    out.push(`${num} ${bytes.length ? addr : '    '} ${hexBytes(first).padEnd(8)} \t${text}`);
    for (let i = 4; i < bytes.length; i += 4) out.push(`${num}      ${hexBytes(Array.from(bytes).slice(i, i + 4))}`);
  };
  const text = sourceText(mainFile) ?? '';
  const lines = text.split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  lines.forEach((line, i) => {
    const key = `${mainFile}:${i}`;
    const row = direct.get(key);
    emit(String(i + 1).padStart(4), row?.address, row?.bytes ?? [], line);
    for (const e of expanded.get(key) ?? []) emit('    ', e.address, e.bytes, `${'  '.repeat(e.depth)}${e.text}`);
  });
  return out.join('\n') + '\n';
}
