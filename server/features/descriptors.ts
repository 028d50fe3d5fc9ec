// GDT awareness: descriptors read from the laid-out bytes of the table an `lgdt` loads, to describe `.quad`
// descriptors on hover and to check direct far jumps (selector present, a code segment, and of the width the
// target label is assembled for).
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver';
import type { Statement } from '../../gas/index';
import { describeBits, SEGMENT_DESCRIPTOR, SYSTEM_TYPES_32, SYSTEM_TYPES_64 } from '../../isa/bits/index';
import { lookupRegister } from '../../isa/registers';
import type { DocAnalysis } from '../workspace';
import { hex, toRange } from './common';

export interface DescriptorInfo {
  present: boolean;
  code: boolean;
  system: boolean;
  /** 16, 32 or 64 for code segments. */
  width?: 16 | 32 | 64;
  summary: string;
}

/** Decodes an 8-byte descriptor; `mode` picks the system-type names (64-bit GDTs hold 64-bit TSS/gates). */
export function decodeDescriptor(value: bigint, mode = 32): DescriptorInfo {
  if (value === 0n) return { present: false, code: false, system: false, summary: 'null descriptor' };
  const f = Object.fromEntries(describeBits(SEGMENT_DESCRIPTOR, value).map((d) => [d.name, d]));
  const system = f.S.value === 0;
  const code = !system && f.CODE.value === 1;
  const width = code ? (f.L.value ? 64 : f.DB.value ? 32 : 16) : undefined;
  const base = f.BASE_LOW.value | (f.BASE_HIGH.value * 2 ** 24);
  const rawLimit = f.LIMIT_LOW.value | (f.LIMIT_HIGH.value << 16);
  const limit = f.G.value ? rawLimit * 4096 + 4095 : rawLimit;
  const kind = system ? 'system descriptor' : code ? `${width}-bit code segment` : `${f.DB.value ? 32 : 16}-bit data segment`;
  const typeName = system ? (mode === 64 ? SYSTEM_TYPES_64 : SYSTEM_TYPES_32)[f.TYPE.value] : f.TYPE.valueName;
  const summary = `${kind}, base ${hex(base)}, limit ${hex(limit)}${f.G.value ? ' (4 KiB granular)' : ''}, DPL ${f.DPL.value}${f.P.value ? '' : ', not present'}${typeName ? `, type ${typeName}` : ''}`;
  return { present: f.P.value === 1, code, system, width, summary };
}

function labelsIn(text: string, r: DocAnalysis): string[] {
  return (text.match(/[A-Za-z_.][\w.$]*/g) ?? []).filter((n) => r.analysis.symbols.get(n)?.definition?.kind === 'label');
}

function readLE(bytes: Uint8Array, off: number, n: number): bigint {
  let v = 0n;
  for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[off + i] ?? 0);
  return v;
}

interface Table { name: string; section: string; offset: number; entries: number }

/** The descriptor table an lgdt statement loads: its pointer's `.word limit` names the table label. */
function tableLoadedBy(r: DocAnalysis, s: Statement): Table | undefined {
  const operand = s.text.replace(/^\s*\S+\s*/, '');
  const ptrName = labelsIn(operand, r)[0];
  const ptr = ptrName ? r.analysis.symbols.get(ptrName) : undefined;
  if (!ptr || ptr.value === undefined || !ptr.section) return undefined;
  const st = r.index.statements;
  const at = r.index.labelStatement(ptrName) ?? -1;
  if (at < 0) return undefined;
  const limitStmt = st.slice(at + 1, at + 4).find((x) => x.kind === 'directive');
  if (!limitStmt || !/^\.(word|short|hword|value|2byte)$/.test(limitStmt.name)) return undefined;
  // `.word gdt_end - gdt - 1` names the table; a bare number leaves it unknown.
  const tableName = labelsIn(limitStmt.text.replace(/^\s*\S+/, ''), r).find((n) => !/_end$/.test(n));
  if (!tableName) return undefined;
  const table = r.analysis.symbols.get(tableName);
  const sec = r.analysis.sections.find((x) => x.name === ptr.section);
  if (!table || table.value === undefined || table.section !== ptr.section || !sec) return undefined;
  const limit = Number(readLE(sec.bytes, Number(ptr.value), 2));
  return { name: tableName, section: sec.name, offset: Number(table.value), entries: Math.floor((limit + 1) / 8) };
}

function descriptorAt(r: DocAnalysis, t: Table, index: number): bigint {
  const sec = r.analysis.sections.find((x) => x.name === t.section)!;
  return readLE(sec.bytes, t.offset + index * 8, 8);
}

export interface FarJump {
  index: number;
  /** Selector when known at assembly time. */
  selector?: number;
  /** Label the jump lands on, when the text names one. */
  target?: string;
  /** For `ljmp *vector`: the far pointer's label. */
  vector?: string;
}

/** Far jumps and calls: direct (`ljmp $sel, $target`) and through a far pointer written in the file (`ljmpl *vec`). */
export function farJumps(r: DocAnalysis): FarJump[] {
  const out: FarJump[] = [];
  const st = r.index.statements;
  const codeLabel = (text: string) => labelsIn(text, r).find((n) => r.index.modeAtLabel(n) !== undefined);
  // Every far transfer starts with 'l' (ljmp, lcall, lret): the index lists those statements.
  for (const index of r.index.scan.startingWithL) {
    const s = st[index];
    const m = s.instruction!.mnemonic;
    if (/^lret[lwq]?$/.test(m)) {
      const j = lretJump(r, index);
      if (j) out.push(j);
      continue;
    }
    if (!/^l(jmp|call)[lwq]?$/.test(m)) continue;
    const ops = s.instruction!.operands;
    if (ops.length === 2 && ops[0].kind === 'imm') {
      out.push({ index, selector: ops[0].value.known ? Number(ops[0].value.value & 0xffffn) : undefined, target: codeLabel(s.text.slice(s.text.indexOf(',') + 1)) });
      continue;
    }
    if (ops.length !== 1 || ops[0].kind !== 'mem' || !ops[0].indirect) continue;
    const vector = labelsIn(s.text.replace(/^\s*\S+/, ''), r).find((n) => r.index.labelStatement(n) !== undefined);
    const vsym = vector ? r.analysis.symbols.get(vector) : undefined;
    if (!vector || !vsym || vsym.value === undefined) continue;
    const at = r.index.labelStatement(vector)!;
    const data = st.slice(at + 1, at + 3).find((x) => x.kind === 'directive');
    const offsetSize = m.endsWith('w') ? 2 : m.endsWith('q') ? 8 : m.endsWith('l') ? 4 : s.mode === 16 ? 2 : 4;
    const sec = r.analysis.sections.find((x) => x.name === vsym.section);
    const selector = sec ? Number(readLE(sec.bytes, Number(vsym.value) + offsetSize, 2)) : undefined;
    out.push({ index, selector, target: data ? codeLabel(data.text.replace(/^\s*\S+/, '')) : undefined, vector });
  }
  return out;
}

/**
 * `push $sel; push <target>; lret` — the usual way into 64-bit code from compatibility mode. The target is the
 * label named by the pushed immediate or by the lea/mov that last loaded the pushed register.
 */
function lretJump(r: DocAnalysis, index: number): FarJump | undefined {
  const st = r.index.statements;
  const pushes: number[] = [];
  for (let i = index - 1, seen = 0; i >= 0 && seen < 8 && pushes.length < 2; i--) {
    const s = st[i];
    if (s.kind !== 'instruction') continue;
    seen++;
    if (/^push[lwq]?$/.test(s.instruction?.mnemonic ?? '')) pushes.push(i);
  }
  if (pushes.length < 2) return undefined;
  const [offPush, selPush] = pushes;
  const selOp = st[selPush].instruction!.operands[0];
  if (selOp?.kind !== 'imm' || !selOp.value.known) return undefined;
  const offOp = st[offPush].instruction!.operands[0];
  let text: string | undefined;
  if (offOp?.kind === 'imm') text = st[offPush].text;
  else if (offOp?.kind === 'reg') {
    for (let i = offPush - 1; i > selPush - 4 && i >= 0; i--) {
      const ops = st[i].instruction?.operands ?? [];
      const dst = ops[ops.length - 1];
      if (dst?.kind === 'reg' && dst.reg === offOp.reg) { text = st[i].text.replace(/^\s*\S+/, ''); break; }
    }
  }
  const target = text ? labelsIn(text, r).find((n) => r.index.modeAtLabel(n) !== undefined) : undefined;
  return { index, selector: Number(selOp.value.value & 0xffffn), target, vector: 'lret' };
}

/** Warnings for far jumps whose selector does not fit the GDT loaded before them. */
export function farJumpChecks(r: DocAnalysis): Diagnostic[] {
  const out: Diagnostic[] = [];
  const jumps = new Map(farJumps(r).map((j) => [j.index, j]));
  let table: Table | undefined;
  const st = r.index.statements;
  // lgdt and the far transfers all start with 'l'.
  for (const i of r.index.scan.startingWithL) {
    const s = st[i];
    const m = s.instruction!.mnemonic;
    if (/^lgdt[lwq]?$/.test(m)) {
      table = tableLoadedBy(r, s);
      continue;
    }
    const j = jumps.get(i);
    if (!j || !table || j.selector === undefined || s.origin.range.file !== r.path) continue;
    const sel = j.selector;
    const index = sel >> 3;
    if (sel & 4) continue; // LDT selector: not checked
    const range = toRange(s.origin.range);
    const warn = (message: string) => out.push({ range, severity: DiagnosticSeverity.Warning, code: 'far-jump-selector', source: 'x86-trampoline', message });
    if (index === 0 || index >= table.entries) {
      warn(`selector ${hex(sel)} is ${index === 0 ? 'the null selector' : `beyond the limit of ${table.name} (${table.entries} entries)`}`);
      continue;
    }
    const d = decodeDescriptor(descriptorAt(r, table, index));
    if (!d.code) {
      warn(`selector ${hex(sel)} selects a ${d.summary.split(',')[0]} in ${table.name}, not a code segment`);
      continue;
    }
    const mode = j.target ? r.index.modeAtLabel(j.target) : undefined;
    if (j.target && mode !== undefined && d.width !== undefined && mode !== d.width)
      warn(`selector ${hex(sel)} is a ${d.width}-bit code segment in ${table.name} but ${j.target} is assembled as .code${mode}`);
  }
  return out;
}

/** What a selector selects in the GDT loaded (by the last lgdt in assembly order) before statement `at`. */
export function selectorDescription(r: DocAnalysis, at: number, selector: number): string | undefined {
  let table: Table | undefined;
  for (let i = at; i >= 0 && !table; i--) {
    const s = r.index.statements[i];
    if (/^lgdt[lwq]?$/.test(s.instruction?.mnemonic ?? '')) table = tableLoadedBy(r, s);
  }
  if (!table) return undefined;
  const index = selector >> 3;
  if (selector & 4) return `selector ${hex(selector)}: LDT entry ${index}`;
  if (index >= table.entries) return `selector ${hex(selector)} is beyond the limit of ${table.name}`;
  return `selector ${hex(selector)} → ${table.name}[${index}]: ${decodeDescriptor(descriptorAt(r, table, index)).summary}`;
}

/** The immediate last moved into general register number `num` before statement `at` (within a few instructions). */
export function immediateInRegister(r: DocAnalysis, at: number, num: number): number | undefined {
  for (let i = at - 1, seen = 0; i >= 0 && seen < 8; i--) {
    const s = r.index.statements[i];
    if (s.kind !== 'instruction' || !s.instruction) continue;
    seen++;
    const ops = s.instruction.operands;
    const dst = ops[ops.length - 1];
    if (dst?.kind !== 'reg' || lookupRegister(dst.reg)?.num !== num || !lookupRegister(dst.reg)?.cls.startsWith('gpr')) continue;
    if (/^mov/.test(s.instruction.mnemonic) && ops[0]?.kind === 'imm' && ops[0].value.known) return Number(ops[0].value.value & 0xffffn);
    return undefined;
  }
  return undefined;
}
