// Front-end and assembler diagnostics mapped onto the open document, plus the server's own checks: registers the
// current .code mode cannot name, undefined symbols, unused macros and labels.
import { DiagnosticSeverity, DiagnosticTag, type Diagnostic, type DiagnosticRelatedInformation } from 'vscode-languageserver';
import type { Diagnostic as GasDiagnostic, SourceRange } from '../../gas/source';
import type { Statement } from '../../gas/model';
import { lookupRegister, registerAvailable } from '../../isa/registers';
import type { Settings } from '../config';
import type { DocAnalysis } from '../workspace';
import { nameRangeAt, toLocation, toRange } from './common';
import { farJumpChecks } from './descriptors';
import { isBuiltinPath } from '../uri';

const severities: Record<GasDiagnostic['severity'], DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

const SOURCE = 'x86-trampoline';

export function computeDiagnostics(r: DocAnalysis, settings: Settings): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  const add = (d: Diagnostic) => {
    const k = `${d.range.start.line}:${d.range.start.character}:${d.range.end.line}:${d.range.end.character}:${d.severity}:${d.message}`;
    if (seen.has(k)) return;
    seen.add(k);
    out.push(d);
  };
  const errorLines = new Set<number>();
  for (const d of r.analysis.diagnostics) {
    const mapped = mapDiagnostic(r, d);
    if (!mapped) continue;
    if (d.severity === 'error') errorLines.add(mapped.range.start.line);
    add(mapped);
    // Like GNU's "macro invoked from here": the call that produced the failing line is marked too.
    const call = outermostCall(r, d);
    if (call && (call.site.line !== mapped.range.start.line || d.origin.range.file !== r.path))
      add({
        range: toRange(call.site),
        severity: DiagnosticSeverity.Information,
        source: SOURCE,
        code: 'in-expansion',
        message: `${d.severity} in expansion of ${call.name}: ${d.message}`,
        relatedInformation: [{ location: toLocation(d.origin.range), message: d.message }],
      });
  }
  for (const d of modeChecks(r, errorLines)) add(d);
  for (const d of symbolChecks(r, settings)) add(d);
  for (const d of farJumpChecks(r)) add(d);
  for (const d of descriptorTableWidth(r)) add(d);
  return out;
}

/** Places a core diagnostic in this document: where it is written, or else at the include/call line that led there. */
function mapDiagnostic(r: DocAnalysis, d: GasDiagnostic): Diagnostic | undefined {
  const range = d.origin.range;
  const related: DiagnosticRelatedInformation[] = [];
  if (range.file === r.path) {
    for (const step of d.origin.expansion)
      if (step.kind === 'macro' || step.kind === 'rept' || step.kind === 'irp')
        related.push({ location: toLocation(step.site), message: `in expansion of ${step.name}` });
    return make(toRange(range), d, d.message, related);
  }
  // Written in another file: report it on the line of this file that pulled it in.
  let site: SourceRange | undefined;
  for (const step of d.origin.expansion) if (step.site.file === r.path) { site = step.site; break; }
  if (!site) site = includeSiteFor(r, range.file);
  if (!site) return undefined;
  related.push({ location: toLocation(range), message: d.message });
  const where = `${range.file.replace(/^.*\//, '')}:${range.line + 1}`;
  return make(toRange(site), d, `${where}: ${d.message}`, related);
}

/** The outermost macro/.rept call written in this document that led to a diagnostic. */
function outermostCall(r: DocAnalysis, d: GasDiagnostic): { site: SourceRange; name: string } | undefined {
  const ex = d.origin.expansion;
  for (let i = ex.length - 1; i >= 0; i--) {
    const s = ex[i];
    if ((s.kind === 'macro' || s.kind === 'rept' || s.kind === 'irp') && s.site.file === r.path) return { site: s.site, name: s.name };
  }
  return undefined;
}

function includeSiteFor(r: DocAnalysis, file: string): SourceRange | undefined {
  const inc = r.analysis.preprocessed?.includes ?? [];
  const direct = inc.find((i) => i.resolved === file && i.site.file === r.path);
  if (direct) return direct.site;
  // Nested: walk up the include chain until a site in this document.
  let cur = file;
  for (let guard = 0; guard < 32; guard++) {
    const rec = inc.find((i) => i.resolved === cur);
    if (!rec) return undefined;
    if (rec.site.file === r.path) return rec.site;
    cur = rec.site.file;
  }
  return undefined;
}

function make(range: Diagnostic['range'], d: GasDiagnostic, message: string, related: DiagnosticRelatedInformation[]): Diagnostic {
  const out: Diagnostic = { range, severity: severities[d.severity] ?? DiagnosticSeverity.Error, message, source: SOURCE };
  if (d.code) out.code = d.code;
  if (related.length) out.relatedInformation = related;
  return out;
}

/** Registers a 16/32-bit mode cannot name, by mode and name (undefined: it can), computed once per name. */
const unavailable = [new Map<string, { rex?: boolean } | undefined>(), new Map<string, { rex?: boolean } | undefined>()];

function notInMode(name: string, mode: 16 | 32): { rex?: boolean } | undefined {
  const memo = unavailable[mode === 16 ? 0 : 1];
  if (memo.has(name)) return memo.get(name);
  const info = lookupRegister(name);
  const bad = info && !registerAvailable(info, mode) ? info : undefined;
  memo.set(name, bad);
  return bad;
}

/**
 * Per statement: the registers its mode cannot name (usually none). A resumed analysis keeps most statement objects
 * (their instruction and mode never change), so this is worked out once per statement, not once per edit.
 */
const modeRegisters = new WeakMap<Statement, string[]>();

function registersNotInMode(s: Statement): string[] {
  const hit = modeRegisters.get(s);
  if (hit) return hit;
  const names: string[] = [];
  const mode = s.mode as 16 | 32;
  for (const op of s.instruction!.operands) {
    if (op.kind === 'reg') {
      if (notInMode(op.reg, mode)) names.push(op.reg);
    } else if (op.kind === 'mem') {
      if (op.base && notInMode(op.base, mode)) names.push(op.base);
      if (op.index && notInMode(op.index, mode)) names.push(op.index);
    }
  }
  modeRegisters.set(s, names);
  return names;
}

/** A 64-bit-only register in .code16/.code32 code (the encoder may give a terser error, or none for REX bytes). */
function modeChecks(r: DocAnalysis, errorLines: Set<number>): Diagnostic[] {
  const out: Diagnostic[] = [];
  const st = r.index.statements;
  for (const i of r.index.scan.notIn64) {
    const s = st[i];
    if (!s.instruction) continue;
    const names = registersNotInMode(s);
    for (let k = 0; k < names.length; k++) modeRegister(r, s, names[k], errorLines, out);
  }
  return out;
}

function modeRegister(r: DocAnalysis, s: Statement, n: string, errorLines: Set<number>, out: Diagnostic[]): void {
  const mode = s.mode as 16 | 32;
  const info = notInMode(n, mode)!;
  const range = s.origin.range;
  if (range.file !== r.path || errorLines.has(range.line)) return;
  const col = (r.lines[range.line] ?? '').indexOf('%' + n, range.column);
  const rr = col >= 0 ? { start: { line: range.line, character: col }, end: { line: range.line, character: col + n.length + 1 } } : toRange(range);
  out.push({
    range: rr,
    severity: DiagnosticSeverity.Warning,
    code: 'mode-register',
    source: SOURCE,
    message: `%${n} cannot be used in .code${mode}: it needs 64-bit mode (${info.rex ? 'a REX prefix' : 'a 64-bit register'})`,
  });
}
function symbolChecks(r: DocAnalysis, settings: Settings): Diagnostic[] {
  const out: Diagnostic[] = [];
  const external = new Set(settings.externalSymbols);
  // Headers define macros and labels for their includers: "unused" means nothing there.
  const library = isBuiltinPath(r.path) || /\.(h|inc)$/.test(r.path);
  for (const sym of r.analysis.symbols.values()) {
    const undefinedSymbol = !sym.definition && (sym.section === undefined || sym.section === '*UND*');
    if (!undefinedSymbol) {
      // Defined: unused if it is a local label nobody refers to.
      const def = sym.defined;
      if (library || !def || def.range.file !== r.path || def.expansion.length) continue;
      if (sym.definition?.kind !== 'label' || sym.temporary || sym.binding !== 'local' || sym.type || sym.references.length) continue;
      out.push({
        range: toRange(def.range),
        severity: DiagnosticSeverity.Hint,
        tags: [DiagnosticTag.Unnecessary],
        code: 'unused-label',
        source: SOURCE,
        message: `label '${sym.name}' is never used`,
      });
      continue;
    }
    if (external.has(sym.name) || sym.binding === 'weak' || /^\d+$/.test(sym.name)) continue;
    if (!sym.references.length) continue;
    for (const ref of sym.references) {
      if (ref.range.file !== r.path) continue;
      out.push({
        range: toRange(ref.range),
        severity: DiagnosticSeverity.Warning,
        code: 'undefined-symbol',
        source: SOURCE,
        message: `undefined symbol '${sym.name}' (define it, or list it in x86Trampoline.externalSymbols if the linker provides it)`,
      });
    }
  }
  for (const m of r.analysis.macros.values()) {
    if (library || m.calls.length || m.purged || m.definition.range.file !== r.path || m.definition.expansion.length) continue;
    const d = m.definition.range;
    out.push({
      range: nameRangeAt(r, d.line, d.column + '.macro'.length, m.name) ?? toRange(d),
      severity: DiagnosticSeverity.Hint,
      tags: [DiagnosticTag.Unnecessary],
      code: 'unused-macro',
      source: SOURCE,
      message: `macro '${m.name}' is never used`,
    });
  }
  return out;
}

/**
 * `lgdt`/`lidt` in 16-bit code use a 16-bit operand size and load only 24 bits of the table base (SDM: LGDT);
 * kernel trampolines write `lgdtl` so a table above 16 MiB still works.
 */
function descriptorTableWidth(r: DocAnalysis): Diagnostic[] {
  const out: Diagnostic[] = [];
  const st = r.index.statements;
  for (const i of r.index.scan.startingWithL) {
    const s = st[i];
    const m = s.instruction?.mnemonic;
    if (s.mode !== 16 || (m !== 'lgdt' && m !== 'lidt') || s.origin.range.file !== r.path) continue;
    if (s.instruction!.prefixes.includes('data32')) continue;
    const range = toRange(s.origin.range);
    const col = (r.lines[range.start.line] ?? '').indexOf(m, range.start.character);
    out.push({
      range: col >= 0 ? { start: { line: range.start.line, character: col }, end: { line: range.start.line, character: col + m.length } } : range,
      severity: DiagnosticSeverity.Information,
      code: 'descriptor-table-24bit',
      source: SOURCE,
      message: `${m} in 16-bit code loads only a 24-bit base (operand size 16); write ${m}l if the table can lie above 16 MiB`,
    });
  }
  return out;
}
