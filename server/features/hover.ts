// Hover: instructions (docs, flags, bytes here, modes), registers (bits of CR0/CR3/CR4/CR8, segment meaning per
// mode), macro calls (signature + this call's expansion), cpp macros, symbols, numbers and MSRs.
import { MarkupKind, type Hover, type Position } from 'vscode-languageserver';
import type { Statement, MacroInfo, SymbolInfo } from '../../gas/index';
import type { CppMacroDefinition } from '../../gas/cpp/types';
import { CR0, CR3, CR4, CR8, DESCRIPTOR_TABLE_REGISTER, EFER, EFLAGS, PDE_2M, PDE_TABLE, XCR0, describeBits, findField, type BitsDef } from '../../isa/bits/index';
import { lookupRegister, registerAvailable, type RegisterInfo } from '../../isa/registers';
import type { CodeMode } from '../../isa/mode';
import type { LineToken } from '../line-scan';
import type { DocAnalysis } from '../workspace';
import { atPattern } from './common';
import { hex, lineTokens, macroEnclosing, modeAtLine, modeName, tokenAtPosition } from './common';
import { expansionAt } from './expansion';
import { docForMnemonic, flagList, formsForMnemonic, isPrefix, validModes } from './instruction-info';
import { maskFields, msrInEcx, valueMeaning } from './value-context';
import { findMsr } from '../../isa/bits/index';
import { expandCppText, findCppMacro } from './cpp-info';
import { numericTarget } from './navigation';
import { decodeDescriptor, immediateInRegister, selectorDescription } from './descriptors';
import { resolveInclude } from './includes';
import { PREFIXES } from '../../isa/prefixes';

const crBits: Record<number, BitsDef> = { 0: CR0, 3: CR3, 4: CR4, 8: CR8 };

export function hover(r: DocAnalysis, pos: Position): Hover | null {
  const tok = tokenAtPosition(r, pos.line, pos.character);
  if (!tok || tok.kind === 'punct') return null;
  if (tok.kind === 'comment') return commentHover(r, pos);
  const md = hoverMarkdown(r, pos, tok);
  if (!md) return null;
  return {
    contents: { kind: MarkupKind.Markdown, value: md },
    range: { start: { line: pos.line, character: tok.start }, end: { line: pos.line, character: tok.end } },
  };
}

const namedRegisters: Record<string, BitsDef> = { cr0: CR0, cr3: CR3, cr4: CR4, cr8: CR8, eflags: EFLAGS, rflags: EFLAGS, efer: EFER, xcr0: XCR0 };

/** Register names and `REG.FIELD` written in comments ("Enable PAE in CR4", "EFER.LME = 1"). */
function commentHover(r: DocAnalysis, pos: Position): Hover | null {
  const text = r.lines[pos.line] ?? '';
  const re = /[A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)?/g;
  for (const m of text.matchAll(re)) {
    if (pos.character < m.index || pos.character > m.index + m[0].length) continue;
    const [reg, field] = m[0].toLowerCase().split('.');
    const def = namedRegisters[reg] ?? findMsr(reg)?.bits;
    if (!def) return null;
    const f = field ? findField(def, field) : undefined;
    const value = f
      ? `**${def.name}.${f.name}** (bit${f.width > 1 ? `s ${f.lsb + f.width - 1}:${f.lsb}` : ` ${f.lsb}`}) — ${f.meaning}`
      : bitsTable(def);
    return { contents: { kind: MarkupKind.Markdown, value }, range: { start: { line: pos.line, character: m.index }, end: { line: pos.line, character: m.index + m[0].length } } };
  }
  return null;
}

function hoverMarkdown(r: DocAnalysis, pos: Position, tok: LineToken): string | undefined {
  const line = pos.line;
  const stmtIdx = r.index.statementAt(r.path, line, tok.start);
  const stmt = stmtIdx === undefined ? undefined : r.index.statements[stmtIdx];
  switch (tok.kind) {
    case 'register': {
      const info = lookupRegister(tok.text.slice(1));
      if (!info) return undefined;
      const base = registerHover(info, stmt?.mode ?? modeAtLine(r, line));
      // A segment register loaded from a general register: name the descriptor the selector picks.
      if (info.cls === 'seg' && stmt?.instruction && stmtIdx !== undefined && stmt.mode !== 16) {
        const ops = stmt.instruction.operands;
        const src = ops[0];
        const dst = ops[ops.length - 1];
        if (ops.length === 2 && src.kind === 'reg' && dst.kind === 'reg' && dst.reg === info.name) {
          const sel = immediateInRegister(r, stmtIdx, lookupRegister(src.reg)?.num ?? -1);
          const desc = sel === undefined ? undefined : selectorDescription(r, stmtIdx, sel);
          if (desc) return `${base}\n\nLoaded here with ${desc}`;
        }
      }
      return base;
    }
    case 'number': {
      if (r.lines[line][tok.end] === ':' && /^\d+$/.test(tok.text)) {
        const own = r.index.onLine(r.path, line).map((i) => r.index.statements[i]).find((s) => s.kind === 'label' && s.name === tok.text);
        const next = own ? r.index.statements.slice(r.index.statements.indexOf(own) + 1).find((s) => s.offset !== undefined) : undefined;
        return `Local label \`${tok.text}:\` — referenced as \`${tok.text}b\` after it and \`${tok.text}f\` before it${next?.offset !== undefined ? `; at ${next.section}+${hex(next.offset)}` : ''}`;
      }
      const v = parseNumber(tok.text);
      if (v === undefined) return undefined;
      return numberHover(r, stmtIdx, v, tok, line);
    }
    case 'numlabel': {
      const t = numericTarget(r, line, tok);
      if (!t) return `Local label \`${tok.text}\`: no \`${tok.text.slice(0, -1)}:\` ${tok.text.endsWith('b') ? 'before' : 'after'} this point`;
      const s = r.index.statements[t];
      const where = `${shortFile(s.origin.range.file)}:${s.origin.range.line + 1}`;
      return `Local label \`${tok.text.slice(0, -1)}:\` (${tok.text.endsWith('b') ? 'backward' : 'forward'}) at ${where}${s.offset !== undefined ? `, ${s.section}+${hex(s.offset)}` : ''}`;
    }
    case 'param': {
      const m = macroEnclosing(r, line);
      const p = m?.params.find((x) => '\\' + x.name === tok.text);
      if (tok.text === '\\@') return 'Macro invocation counter: a number unique to each expansion (for local labels).';
      if (m && p) return `Parameter \`${p.name}\` of macro \`${m.name}\`${p.required ? ' (required)' : ''}${p.defaultValue !== undefined ? `, default \`${p.defaultValue}\`` : ''}${p.vararg ? ' (vararg)' : ''}`;
      return undefined;
    }
    case 'cpp': {
      const inc = r.analysis.preprocessed?.includes.find((i) => i.site.file === r.path && i.site.line === line);
      if (inc) return inc.resolved ? `Includes \`${inc.resolved}\`` : `\`${inc.spelled}\` not found`;
      return undefined;
    }
    case 'string': {
      const inc = r.analysis.preprocessed?.includes.find((i) => i.site.file === r.path && i.site.line === line);
      if (inc?.resolved) return `Includes \`${inc.resolved}\``;
      const gasInclude = /^\s*\.include\s+"([^"]+)"/.exec(r.lines[line] ?? '');
      if (gasInclude) {
        const path = resolveInclude(r, gasInclude[1], false);
        return path ? `Includes \`${path}\`` : `\`${gasInclude[1]}\` not found on the include path`;
      }
      return undefined;
    }
    case 'ident':
      return identHover(r, line, tok, stmt, stmtIdx);
  }
  return undefined;
}

function identHover(r: DocAnalysis, line: number, tok: LineToken, stmt: Statement | undefined, stmtIdx: number | undefined): string | undefined {
  const name = tok.text;
  const lower = name.toLowerCase();
  const toks = lineTokens(r, line);
  const first = toks.find((t) => t.kind === 'ident' && r.lines[line][t.end] !== ':');
  const isHead = first === tok;
  // Instruction mnemonic or prefix of the statement under the cursor.
  if (stmt?.kind === 'instruction' && stmt.instruction) {
    if (stmt.instruction.mnemonic === lower) return instructionHover(r, lower, stmt);
    if (stmt.instruction.prefixes.includes(lower)) return prefixHover(lower);
  }
  const macro = r.analysis.macros.get(lower);
  if (macro && (isHead || (stmt?.kind === 'macro-call' && stmt.name.toLowerCase() === lower))) return macroHover(r, macro, line);
  const cpp = findCppMacro(r, name);
  if (cpp) return cppHover(r, cpp, line, stmtIdx, tok);
  if (isHead && name.startsWith('.')) return directiveHover(r, lower, line, stmt);
  if (isHead && (formsForMnemonic(lower).length || isPrefix(lower))) return isPrefix(lower) ? prefixHover(lower) : instructionHover(r, lower, stmt);
  const sym = r.analysis.symbols.get(name) ?? (name.includes('\\@') ? matchAtSymbol(r, name) : undefined);
  if (sym) return symbolHover(r, sym);
  if (macro) return macroHover(r, macro, undefined);
  return undefined;
}

function matchAtSymbol(r: DocAnalysis, name: string): SymbolInfo | undefined {
  const re = atPattern(name);
  for (const s of r.analysis.symbols.values()) if (re.test(s.name)) return s;
  return undefined;
}

function shortFile(path: string): string {
  return path.startsWith('<builtin>') ? path : path.replace(/^.*\//, '');
}

export function instructionHover(r: DocAnalysis, mnemonic: string, stmt: Statement | undefined): string {
  const fs = formsForMnemonic(mnemonic);
  const doc = docForMnemonic(mnemonic) ?? (fs[0] ? docForMnemonic(fs[0].names[0]) : undefined);
  const out: string[] = [];
  out.push(`**${mnemonic}**${doc ? ` — ${doc.summary}` : ''}`);
  if (doc?.note) out.push(doc.note);
  if (doc) {
    const fl: string[] = [];
    if (doc.flagsWritten) fl.push(`writes ${flagList(doc.flagsWritten)}`);
    if (doc.flagsRead) fl.push(`reads ${flagList(doc.flagsRead)}`);
    if (doc.flagsUndefined) fl.push(`leaves ${flagList(doc.flagsUndefined)} undefined`);
    out.push(`Flags: ${fl.length ? fl.join('; ') : 'none affected'}`);
    if (/^(pushf|popf|iret|sysret|syscall)/.test(mnemonic)) out.push(bitsTable(EFLAGS));
  }
  if (/^[ls][gi]dt[lwq]?$/.test(mnemonic)) {
    const L = DESCRIPTOR_TABLE_REGISTER;
    out.push([`**${L.name}** — ${L.meaning}`, '', '| offset | size | field | meaning |', '|---|---|---|---|', ...L.fields.map((f) => `| ${f.offset} | ${f.size} | ${f.name} | ${f.meaning} |`)].join('\n'));
  }
  if (/^(rd|wr)msr$/.test(mnemonic) && stmt) {
    const at = r.index.statements.indexOf(stmt);
    const n = msrInEcx(r.index.statements, at);
    const msr = n === undefined ? undefined : findMsr(n);
    if (msr) out.push(`ECX = \`${hex(msr.address)}\`: **${msr.name}** (${msr.sdmName}) — ${msr.meaning}`, ...(msr.bits ? [bitsTable(msr.bits)] : []));
  }
  if (stmt?.kind === 'instruction') {
    const bytes = r.index.bytesOf(stmt);
    const prefix = stmt.instruction?.prefixes.length ? stmt.instruction.prefixes.join(' ') + ' ' : '';
    const exp = stmt.origin.expansion.find((e) => e.kind === 'macro' || e.kind === 'rept' || e.kind === 'irp');
    if (exp && stmt.origin.range.file === r.path && exp.site.file === r.path) out.push(`In the expansion at line ${exp.site.line + 1} (${exp.name}); each expansion encodes separately.`);
    if (bytes) {
      out.push(`Encodes in .code${stmt.mode} as \`${[...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ')}\` (${bytes.length} byte${bytes.length === 1 ? '' : 's'} at ${stmt.section}+${hex(stmt.offset ?? 0)})`);
    } else out.push(`\`${prefix}${stmt.text.trim()}\` in .code${stmt.mode}`);
  }
  const modes = validModes(fs);
  if (modes.length) out.push(`Valid in: ${modes.map((m) => `${m}-bit`).join(', ')} code`);
  return out.join('\n\n');
}

function prefixHover(p: string): string {
  const d = PREFIXES.get(p);
  return `**${p}** — instruction prefix${d ? ` (${d.byte}): ${d.doc}` : ''}`;
}

function bitsTable(def: BitsDef, highlight?: bigint): string {
  const rows = [...def.fields].sort((a, b) => a.lsb - b.lsb).map((f) => {
    const bits = f.width === 1 ? `${f.lsb}` : `${f.lsb + f.width - 1}:${f.lsb}`;
    const on = highlight !== undefined && ((highlight >> BigInt(f.lsb)) & ((1n << BigInt(f.width)) - 1n)) !== 0n;
    return `| ${bits} | ${on ? `**${f.name}**` : f.name} | ${f.meaning.replace(/\|/g, '\\|')} |`;
  });
  return [`**${def.name}** — ${def.meaning}`, '', '| bit | name | meaning |', '|---|---|---|', ...rows].join('\n');
}

const segmentMeaning: Record<CodeMode, string> = {
  16: 'In real mode the segment base is selector × 16 (limit 64 KiB); in 16-bit protected mode the selector picks a GDT/LDT descriptor.',
  32: 'In protected mode the selector (index, TI, RPL) picks a GDT/LDT descriptor that gives base, limit and access rights; CS.D selects 32-bit code.',
  64: 'In 64-bit mode CS only carries L/D/DPL, DS/ES/SS bases are treated as 0 and limits are not checked; FS/GS bases come from MSRs (FS_BASE, GS_BASE, swapgs).',
};

export function registerHover(info: RegisterInfo, mode: CodeMode): string {
  const out = [`**%${info.name}** — ${info.doc}${info.bits ? ` (${info.bits} bits)` : ''}`];
  if (!registerAvailable(info, mode)) out.push(`⚠ Not available in .code${mode}: it needs 64-bit mode.`);
  if (info.cls === 'cr' && crBits[info.num]) out.push(bitsTable(crBits[info.num]));
  if (info.cls === 'seg') out.push(segmentMeaning[mode]);
  if (info.cls === 'ip') out.push('Usable only as a base: `sym(%rip)` addresses relative to the next instruction.');
  return out.join('\n\n');
}

function parseNumber(text: string): bigint | undefined {
  const t = text.replace(/[uUlL]+$/, '');
  try {
    if (/^0[xX][0-9a-fA-F]+$/.test(t) || /^0[bB][01]+$/.test(t) || /^\d+$/.test(t)) {
      if (/^0\d+$/.test(t)) return BigInt('0o' + t.slice(1));
      return BigInt(t);
    }
  } catch {
    return undefined;
  }
  return undefined;
}

function formatNumber(v: bigint): string {
  const bin = v >= 0n ? v.toString(2) : undefined;
  return `\`${hex(v)}\` = \`${v.toString(10)}\`${bin && bin.length <= 64 ? ` = \`0b${bin}\`` : ''}`;
}

/**
 * Constants that look like paging entries (present + writable, flags in the low 12 bits) are read as one: a large
 * page when PS is set, otherwise a pointer to the next table. Only offered when nothing more specific applies.
 */
function pagingEntryText(v: bigint): string | undefined {
  if ((v & 3n) !== 3n || v > 0xfffffffffffffn) return undefined;
  const def = (v >> 7n) & 1n ? PDE_2M : PDE_TABLE;
  const flags = describeBits(def, v).filter((f) => f.width === 1 && f.value === 1).map((f) => f.name);
  const addrField = def.fields.find((f) => f.name === 'ADDR')!;
  const addr = (v >> BigInt(addrField.lsb)) << BigInt(addrField.lsb);
  return `As a paging entry (${def.name}): ${flags.join(' ')}${addr ? `, address ${hex(addr)}` : ''}`;
}

function meaningText(r: DocAnalysis, stmtIdx: number | undefined, v: bigint): string[] {
  const out: string[] = [];
  if (stmtIdx === undefined) return out;
  const m = valueMeaning(r.index.statements, stmtIdx, v);
  if (!m.bits && !m.msr) {
    const pe = pagingEntryText(v);
    if (pe) out.push(pe);
  }
  if (m.bits) {
    const fields = maskFields(m.bits.def, m.bits.mask);
    if (fields.length) out.push(`${m.bits.def.name} bits (${m.bits.via}): ${fields.map((f) => `**${f.name}** (bit ${f.lsb}${f.width > 1 ? `:${f.lsb + f.width - 1}` : ''}) — ${f.meaning}`).join('  \n')}`);
  }
  if (m.msr) {
    const fields = m.msr.bits ? ` Fields: ${[...m.msr.bits.fields].sort((a, b) => a.lsb - b.lsb).map((f) => `${f.name} (${f.width > 1 ? `${f.lsb + f.width - 1}:${f.lsb}` : f.lsb})`).join(', ')}.` : '';
    out.push(`MSR \`${hex(m.msr.address)}\` **${m.msr.name}** (${m.msr.sdmName}) — ${m.msr.meaning}${fields}`);
  }
  return out;
}

function numberHover(r: DocAnalysis, stmtIdx: number | undefined, v: bigint, tok: LineToken, line: number): string {
  const out = [formatNumber(v)];
  const text = r.lines[line];
  const isImm = /\$\(?\s*$/.test(text.slice(0, tok.start));
  if (isImm || stmtIdx !== undefined) out.push(...meaningText(r, stmtIdx, v));
  const s = stmtIdx === undefined ? undefined : r.index.statements[stmtIdx];
  if (s?.kind === 'directive' && s.name === '.quad' && (v === 0n || ((v >> 44n) & 1n) === 1n || ((v >> 47n) & 1n) === 1n)) out.push(`As a segment descriptor: ${decodeDescriptor(v, s.mode).summary}`);
  return out.join('\n\n');
}

function macroHover(r: DocAnalysis, m: MacroInfo, callLine: number | undefined): string {
  const params = m.params.map((p) => `${p.name}${p.required ? ':req' : ''}${p.vararg ? ':vararg' : ''}${p.defaultValue !== undefined ? `=${p.defaultValue}` : ''}`);
  const out = [code('gas', `.macro ${m.name} ${params.join(', ')}`.trimEnd())];
  out.push(`Defined at ${shortFile(m.definition.range.file)}:${m.definition.range.line + 1} · ${m.body.length} body lines · ${m.calls.length} call${m.calls.length === 1 ? '' : 's'}`);
  if (callLine !== undefined) {
    const e = expansionAt(r, callLine);
    if (e) out.push(`Expansion here (${e.bytes} bytes, .code${e.statements[0]?.mode ?? modeAtLine(r, callLine)}):`, code('gas', e.text));
  }
  return out.join('\n\n');
}

function cppHover(r: DocAnalysis, m: CppMacroDefinition, line: number, stmtIdx: number | undefined, tok: LineToken): string {
  const head = m.params ? `#define ${m.name}(${m.params.join(', ')}) ${m.body}` : `#define ${m.name} ${m.body}`;
  const out = [code('c', head), `Defined in ${m.builtin ? `built-in header ${m.location.file}` : `${shortFile(m.location.file)}:${m.location.line + 1}`}`];
  if (!m.params) {
    const expanded = expandCppText(r, m.body);
    if (expanded !== m.body) out.push(`Expands to \`${expanded}\``);
  }
  // The value the assembler saw for this operand.
  const s = stmtIdx === undefined ? undefined : r.index.statements[stmtIdx];
  const text = r.lines[line];
  if (s?.instruction && /\$\(?\s*$/.test(text.slice(0, tok.start))) {
    const imm = s.instruction.operands.find((o) => o.kind === 'imm');
    if (imm?.kind === 'imm' && imm.value.known) {
      out.push(`Value ${formatNumber(imm.value.value)}`);
      const isSelector = /_(CS|DS|SS|ES|FS|GS|TSS|LDT)$|SELECTOR|_SEG$/.test(m.name) || /^l(jmp|call)/.test(s.instruction.mnemonic);
      const sel = isSelector && stmtIdx !== undefined && imm.value.value < 0x10000n ? selectorDescription(r, stmtIdx, Number(imm.value.value)) : undefined;
      if (sel) out.push(`As a selector: ${sel}`);
      else out.push(...meaningText(r, stmtIdx, imm.value.value));
    }
  } else if (m.params) {
    const e = expansionAt(r, line, r.path, true);
    if (e) out.push('Expands here to:', code('gas', e.text));
  }
  return out.join('\n\n');
}

function directiveHover(r: DocAnalysis, name: string, line: number, stmt: Statement | undefined): string | undefined {
  const m = /^\.code(16|32|64)(gcc)?$/.exec(name);
  if (m) return `**${name}** — following instructions are encoded as ${modeName(Number(m[1]) as CodeMode)} code`;
  if (name === '.macro') return '**.macro** — defines a macro up to `.endm`';
  const e = /^\.(rept|irp|irpc)$/.test(name) ? expansionAt(r, line) : undefined;
  if (e) return [`**${name}**`, code('gas', e.text)].join('\n\n');
  if (stmt?.kind === 'directive' && stmt.size) return `**${name}** — ${stmt.size} bytes at ${stmt.section}+${hex(stmt.offset ?? 0)}`;
  return undefined;
}

export function symbolHover(r: DocAnalysis, sym: SymbolInfo): string {
  const out: string[] = [];
  const kind = sym.definition?.kind === 'label' ? 'label' : sym.definition ? 'symbol' : 'undefined symbol';
  out.push(`**${sym.name}** — ${kind}${sym.binding !== 'local' ? ` (${sym.binding})` : ''}${sym.type ? `, type ${sym.type}` : ''}`);
  if (sym.defined) {
    const d = sym.defined.range;
    out.push(`Defined at ${shortFile(d.file)}:${d.line + 1}${sym.defined.expansion.length ? ` (in expansion of ${sym.defined.expansion[0].name})` : ''}`);
  }
  if (sym.definition?.kind === 'absolute') out.push(`Value ${formatNumber(sym.definition.value)}`);
  else if (sym.definition?.kind === 'expression') out.push(`Value \`${sym.definition.text}\``);
  if (sym.section && sym.section !== '*UND*' && sym.value !== undefined) {
    if (sym.section === '*ABS*') out.push(`Absolute value \`${hex(sym.value)}\``);
    else out.push(`Address: section \`${sym.section}\` + \`${hex(sym.value)}\``);
  }
  if (sym.size !== undefined) out.push(`Size ${sym.size} bytes`);
  const modeStmt = sym.definition?.kind === 'label' ? labelStatement(r, sym) : undefined;
  if (modeStmt) out.push(`Code mode: .code${modeStmt.mode}`);
  out.push(`${sym.references.length} reference${sym.references.length === 1 ? '' : 's'}`);
  return out.join('\n\n');
}

function labelStatement(r: DocAnalysis, sym: SymbolInfo): Statement | undefined {
  const d = sym.defined?.range;
  if (!d) return undefined;
  for (const i of r.index.onLine(d.file, d.line)) if (r.index.statements[i].kind === 'label' && r.index.statements[i].name === sym.name) return r.index.statements[i];
  return undefined;
}

function code(lang: string, text: string): string {
  return '```' + lang + '\n' + text + '\n```';
}
