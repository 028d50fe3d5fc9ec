// The Variables view as a lazy tree: scopes (General, Flags, Segments, Control registers, MSRs, Descriptor
// tables, Paging, Stack, Symbols), widths following the CPU's mode, every named bit with its one-line meaning from
// isa/bits, memory references on addresses, and setters for registers and single bits.
import type { Cpu } from '../../machine/cpu/cpu';
import { readRegister, writeRegister } from '../../machine/registers';
import { decodeDescriptorTable, decodeIdt, mappedRanges, peekLinear, type DescriptorEntry } from '../../machine/inspect';
import { SEG_NAMES, ATTR_DB, ATTR_G, ATTR_L, ATTR_P, ATTR_S, ATTR_CODE, ATTR_UNUSABLE, type SegmentRegister } from '../../machine/cpu/segment';
import { CR0, CR3, CR4, CR8, EFER, EFLAGS, XCR0 } from '../../isa/bits/control';
import { describeBits } from '../../isa/bits/describe';
import type { BitsDef } from '../../isa/bits/types';
import { MSRS } from '../../isa/bits/msr';
import { CODE_DATA_TYPES } from '../../isa/bits/descriptors';
import { hex, memoryReference, parseNumber } from './numbers';
import type { TrampolineRuntime } from './runtime';
import type { EvalResult } from './evaluate';

export interface VarNode {
  name: string;
  value: string;
  /** Shown as the variable's type: the one-line meaning for bits. */
  type?: string;
  memoryReference?: string;
  evaluateName?: string;
  children?: () => VarNode[];
  /** Writes a new value (text typed by the user); returns the node's new display value. */
  set?: (text: string) => string;
}

export interface Scope {
  name: string;
  expensive: boolean;
  children: () => VarNode[];
}

const hexw = (v: bigint | number, bits: number): string => hex(v, Math.ceil(bits / 4));

function parseValue(text: string): bigint {
  const t = text.trim();
  const v = parseNumber(t) ?? (/^-\d+$/.test(t) ? BigInt.asUintN(64, BigInt(t)) : undefined);
  if (v === undefined) throw new Error(`'${text}' is not a number (use 0x…, decimal or 0b…)`);
  return v;
}

function setter(cpu: Cpu, name: string, bits: number): (text: string) => string {
  return (text) => {
    const err = writeRegister(cpu, name, parseValue(text));
    if (err) throw new Error(err);
    return hexw(readRegister(cpu, name) ?? 0n, bits);
  };
}

/** One node per field of a bit-structured register, each settable on its own. */
function bitNodes(cpu: Cpu | undefined, owner: string | undefined, def: BitsDef, value: bigint): VarNode[] {
  return describeBits(def, value)
    .filter((f) => !(f.name.startsWith('R') && /^R\d+$/.test(f.name)))
    .map((f) => {
      const name = `${f.name}`;
      const shown = f.width === 1 ? String(f.value) : `${hex(f.value)}${f.valueName ? ` (${f.valueName})` : ''}`;
      const node: VarNode = { name, value: shown, type: `bit${f.width > 1 ? `s ${f.lsb + f.width - 1}:${f.lsb}` : ` ${f.lsb}`} — ${f.meaning}` };
      if (cpu && owner) {
        node.evaluateName = `${owner}.${f.name.toLowerCase()}`;
        node.set = (text) => {
          const err = writeRegister(cpu, `${owner}.${f.name.toLowerCase()}`, parseValue(text));
          if (err) throw new Error(err);
          const v = readRegister(cpu, `${owner}.${f.name.toLowerCase()}`) ?? 0n;
          return f.width === 1 ? v.toString() : hex(v);
        };
      }
      return node;
    });
}

function setNames(def: BitsDef, value: bigint): string {
  const names = describeBits(def, value).filter((f) => f.width === 1 && f.value === 1 && !/^R\d+$/.test(f.name)).map((f) => f.name);
  return names.length ? ` [${names.join(' ')}]` : '';
}

function registerNode(cpu: Cpu, name: string, bits: number, def?: BitsDef, label = name): VarNode {
  const v = readRegister(cpu, name) ?? 0n;
  const node: VarNode = { name: label, value: `${hexw(v, bits)}${def ? setNames(def, v) : ''}`, evaluateName: `%${name}`, set: setter(cpu, name, bits) };
  if (def) {
    node.type = def.meaning;
    node.children = () => bitNodes(cpu, name, def, readRegister(cpu, name) ?? 0n);
  }
  return node;
}

const GPR64 = ['rax', 'rbx', 'rcx', 'rdx', 'rsi', 'rdi', 'rbp', 'rsp', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'];

function general(rt: TrampolineRuntime, cpu: Cpu): VarNode[] {
  const w = cpu.codeSize;
  const names = w === 64 ? GPR64 : GPR64.slice(0, 8).map((n) => (w === 32 ? 'e' : '') + n.slice(1));
  const out = names.map((n) => {
    const node = registerNode(cpu, n, w);
    const v = readRegister(cpu, n) ?? 0n;
    node.memoryReference = memoryReference(n.endsWith('sp') ? rt.stackPointer(cpu) : v);
    return node;
  });
  const ip = w === 64 ? 'rip' : w === 32 ? 'eip' : 'ip';
  const ipNode = registerNode(cpu, ip, w);
  ipNode.memoryReference = memoryReference(rt.linearRip(cpu));
  ipNode.type = `linear ${hex(rt.linearRip(cpu))} (CS base ${hex(cpu.seg[1].base)} + ${ip})`;
  out.push(ipNode);
  if (w !== 64) {
    // 32-bit registers stay reachable in 16-bit code (operand-size prefix).
    const wide = GPR64.slice(0, 8).map((n) => (w === 16 ? 'e' : 'r') + n.slice(1));
    out.push({ name: w === 16 ? '32-bit registers' : '64-bit registers', value: '', children: () => wide.map((n) => registerNode(cpu, n, w === 16 ? 32 : 64)) });
  }
  return out;
}

function segmentNode(cpu: Cpu, name: string, s: SegmentRegister, settable: boolean): VarNode {
  const unusable = (s.attr & ATTR_UNUSABLE) !== 0;
  const base = (BigInt(s.baseHi) << 32n) | BigInt(s.base);
  const summary = unusable ? 'unusable (null)' : `base ${hex(base)} limit ${hex(s.limit)}${s.attr & ATTR_S ? (s.attr & ATTR_CODE ? ' code' : ' data') : ' system'}${s.attr & ATTR_L ? ' L' : ''}${s.attr & ATTR_DB ? ' D/B' : ''}`;
  const node: VarNode = {
    name: name.toUpperCase(),
    value: `${hexw(s.selector, 16)} (${summary})`,
    evaluateName: `%${name}`,
    memoryReference: memoryReference(base),
    children: () => {
      const type = (s.attr & 0xf) | (s.attr & ATTR_S ? 0 : 0);
      return [
        { name: 'selector', value: hexw(s.selector, 16), type: `index ${s.selector >> 3}, TI ${(s.selector >> 2) & 1} (${s.selector & 4 ? 'LDT' : 'GDT'}), RPL ${s.selector & 3}`, set: settable ? setter(cpu, name, 16) : undefined },
        { name: 'base', value: hex(base), memoryReference: memoryReference(base), type: 'cached base: linear address of offset 0' },
        { name: 'limit', value: hex(s.limit), type: 'cached limit in bytes (G applied)' },
        { name: 'type', value: `${hex(type)}${s.attr & ATTR_S ? ` (${CODE_DATA_TYPES[type] ?? '?'})` : ' (system)'}`, type: 'descriptor type field' },
        { name: 'S', value: String((s.attr >> 4) & 1), type: '1 = code/data segment, 0 = system segment' },
        { name: 'DPL', value: String(s.dpl), type: 'descriptor privilege level' },
        { name: 'P', value: s.attr & ATTR_P ? '1' : '0', type: 'present' },
        { name: 'D/B', value: s.attr & ATTR_DB ? '1' : '0', type: 'default operand/stack size: 1 = 32-bit' },
        { name: 'L', value: s.attr & ATTR_L ? '1' : '0', type: '64-bit code segment (IA-32e mode)' },
        { name: 'G', value: s.attr & ATTR_G ? '1' : '0', type: 'granularity: limit in 4 KiB units' },
        { name: 'usable', value: unusable ? '0' : '1', type: 'a null selector loaded in protected mode makes the register unusable' },
      ];
    },
  };
  if (settable) node.set = (text) => setter(cpu, name, 16)(text);
  return node;
}

function segments(cpu: Cpu): VarNode[] {
  const order = ['cs', 'ds', 'es', 'fs', 'gs', 'ss'];
  const out = order.map((n) => segmentNode(cpu, n, cpu.seg[(SEG_NAMES as readonly string[]).indexOf(n)], true));
  out.push(segmentNode(cpu, 'ldtr', cpu.ldtr, false), segmentNode(cpu, 'tr', cpu.tr, false));
  return out;
}

function control(cpu: Cpu): VarNode[] {
  const w = cpu.mode === 'long' ? 64 : 32;
  const cr3v = readRegister(cpu, 'cr3') ?? 0n;
  const cr3: VarNode = registerNode(cpu, 'cr3', w, CR3);
  const base = cr3v & 0x000ffffffffff000n;
  cr3.memoryReference = memoryReference(base);
  cr3.value = `${hexw(cr3v, w)} (table base ${hex(base)}${cpu.cr4 & (1 << 17) ? `, PCID ${hex(cr3v & 0xfffn)}` : ''})`;
  const cr3Children = cr3.children!;
  cr3.children = () => [{ name: 'table base', value: hex(base), memoryReference: memoryReference(base), type: 'physical address of the top-level paging structure (CR3[51:12] << 12)' }, ...cr3Children()];
  const cr2 = registerNode(cpu, 'cr2', w);
  cr2.type = 'page-fault linear address';
  cr2.memoryReference = memoryReference(readRegister(cpu, 'cr2') ?? 0n);
  return [registerNode(cpu, 'cr0', w, CR0), cr2, cr3, registerNode(cpu, 'cr4', w, CR4), registerNode(cpu, 'cr8', 4, CR8), registerNode(cpu, 'xcr0', 64, XCR0)];
}

function msrs(cpu: Cpu): VarNode[] {
  const out: VarNode[] = [registerNode(cpu, 'efer', 64, EFER, 'EFER')];
  for (const [addr, [lo, hi]] of [...cpu.msr.entries()].sort((a, b) => a[0] - b[0])) {
    if (addr === 0xc0000080) continue;
    const def = MSRS.get(addr);
    const v = (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
    if (v === 0n && !def) continue;
    const name = def?.name ?? `MSR ${hex(addr)}`;
    const node: VarNode = { name, value: hexw(v, 64), type: def ? `${hex(addr)} — ${def.meaning}` : hex(addr) };
    node.set = (text) => {
      const c = cpu.msr.get(addr)!;
      const nv = parseValue(text);
      c[0] = Number(nv & 0xffffffffn) >>> 0;
      c[1] = Number((nv >> 32n) & 0xffffffffn) >>> 0;
      return hexw(nv, 64);
    };
    if (def?.bits) {
      const bits = def.bits;
      node.children = () => bitNodes(undefined, undefined, bits, (BigInt(cpu.msr.get(addr)![1] >>> 0) << 32n) | BigInt(cpu.msr.get(addr)![0] >>> 0));
    }
    out.push(node);
  }
  for (const [name, seg] of [['FS.base', 4], ['GS.base', 5]] as const) {
    const s = cpu.seg[seg];
    const v = (BigInt(s.baseHi) << 32n) | BigInt(s.base);
    out.push({ name: `IA32_${name.replace('.', '_').toUpperCase()}`, value: hexw(v, 64), memoryReference: memoryReference(v), type: `${name} (MSR ${seg === 4 ? '0xc0000100' : '0xc0000101'})` });
  }
  return out;
}

function descriptorNode(e: DescriptorEntry): VarNode {
  const raw = e.raw;
  const label = e.kind === 'null' ? 'null' : `${e.typeName}${e.kind === 'code' ? (e.long ? ' 64-bit' : e.db ? ' 32-bit' : ' 16-bit') : ''} DPL${e.dpl}${e.present ? '' : ' not present'}`;
  return {
    name: `[${hex(e.selector)}]`,
    value: `${hex(raw & 0xffffffffffffffffn, 16)} ${label}`,
    children: () => [
      { name: 'raw', value: raw > 0xffffffffffffffffn ? hex(raw, 32) : hex(raw, 16) },
      { name: 'base', value: hex(e.base), memoryReference: memoryReference(e.base) },
      { name: 'limit', value: hex(e.limit) },
      { name: 'type', value: `${hex(e.type)} (${e.typeName})` },
      { name: 'DPL', value: String(e.dpl) },
      { name: 'P', value: e.present ? '1' : '0' },
      { name: 'L', value: e.long ? '1' : '0', type: '64-bit code' },
      { name: 'D/B', value: e.db ? '1' : '0', type: 'default size 32-bit' },
      { name: 'G', value: e.granularity ? '1' : '0', type: 'limit in 4 KiB units' },
    ],
  };
}

function tables(cpu: Cpu): VarNode[] {
  const gdtBase = readRegister(cpu, 'gdtr.base') ?? 0n;
  const idtBase = readRegister(cpu, 'idtr.base') ?? 0n;
  return [
    { name: 'GDTR', value: `base ${hex(gdtBase)} limit ${hex(cpu.gdtLimit)}`, memoryReference: memoryReference(gdtBase), children: () => [
      { name: 'base', value: hex(gdtBase), memoryReference: memoryReference(gdtBase), set: setter(cpu, 'gdtr.base', 64) },
      { name: 'limit', value: hex(cpu.gdtLimit), set: setter(cpu, 'gdtr.limit', 16) },
    ] },
    { name: 'IDTR', value: `base ${hex(idtBase)} limit ${hex(cpu.idtLimit)}`, memoryReference: memoryReference(idtBase), children: () => [
      { name: 'base', value: hex(idtBase), memoryReference: memoryReference(idtBase), set: setter(cpu, 'idtr.base', 64) },
      { name: 'limit', value: hex(cpu.idtLimit), set: setter(cpu, 'idtr.limit', 16) },
    ] },
    { name: 'LDTR', value: `${hexw(cpu.ldtr.selector, 16)} base ${hex(cpu.ldtr.base)} limit ${hex(cpu.ldtr.limit)}` },
    { name: 'TR', value: `${hexw(cpu.tr.selector, 16)} base ${hex((BigInt(cpu.tr.baseHi) << 32n) | BigInt(cpu.tr.base))} limit ${hex(cpu.tr.limit)}` },
    { name: 'GDT entries', value: `${Math.floor((cpu.gdtLimit + 1) / 8)} slot(s)`, children: () => decodeDescriptorTable(cpu, 'gdt').slice(0, 512).map(descriptorNode) },
    { name: cpu.mode === 'real' ? 'IVT entries' : 'IDT gates', value: `${cpu.mode === 'real' ? Math.floor((cpu.idtLimit + 1) / 4) : cpu.idtLimit === 0 ? 0 : Math.floor((cpu.idtLimit + 1) / (cpu.efer & 0x400 ? 16 : 8))} entr(ies)`, children: () => decodeIdt(cpu).slice(0, 256).map((g) => ({
      name: `[${hex(g.vector)}]`,
      value: cpu.mode === 'real' ? `${hexw(g.selector, 16)}:${hexw(Number(g.offset), 16)}` : `${g.typeName} ${hexw(g.selector, 16)}:${hex(g.offset)} DPL${g.dpl}${g.present ? '' : ' not present'}${g.ist ? ` IST${g.ist}` : ''}`,
    })) },
  ];
}

const LEVEL_NAMES: Record<number, string> = { 5: 'PML5', 4: 'PML4', 3: 'PDPT', 2: 'PD', 1: 'PT' };

function entryFlags(e: bigint, leaf: boolean): string {
  const f: string[] = [];
  if (e & 2n) f.push('RW'); else f.push('RO');
  if (e & 4n) f.push('US');
  if (e & 0x20n) f.push('A');
  if (leaf && e & 0x40n) f.push('D');
  if (leaf && e & 0x100n) f.push('G');
  if (e >> 63n) f.push('NX');
  return f.join(' ');
}

/** The page-table tree from CR3 (4- or 5-level, PAE and 32-bit paging too), one level per expansion. */
function pageTree(cpu: Cpu): VarNode[] {
  if (cpu.paging === 'none') return [{ name: 'paging', value: 'off (CR0.PG = 0): linear = physical' }];
  const mem = cpu.memory;
  const read64 = (a: number): bigint => (BigInt(mem.read32(a + 4)) << 32n) | BigInt(mem.read32(a));
  const cr3 = Number((readRegister(cpu, 'cr3') ?? 0n) & 0x000ffffffffff000n);
  if (cpu.paging === '32-bit') {
    const level = (table: number, depth: number, prefix: number): VarNode[] => {
      const out: VarNode[] = [];
      for (let i = 0; i < 1024 && out.length < 1024; i++) {
        const e = mem.read32(table + i * 4);
        if (!(e & 1)) continue;
        const lin = prefix + i * (depth === 2 ? 0x400000 : 0x1000);
        const large = depth === 2 && (e & 0x80) !== 0;
        const leaf = depth === 1 || large;
        const addr = leaf && large ? e & 0xffc00000 : e & 0xfffff000;
        out.push({
          name: `${depth === 2 ? 'PDE' : 'PTE'}[${i}] ${hex(lin)}`,
          value: `${hex(e >>> 0, 8)} → ${hex(addr >>> 0)} ${entryFlags(BigInt(e >>> 0), leaf)}${large ? ' 4M' : ''}`,
          memoryReference: leaf ? memoryReference(lin) : undefined,
          children: leaf ? undefined : () => level(addr >>> 0, depth - 1, lin),
        });
      }
      return out;
    };
    return level(cr3 & 0xfffff000, 2, 0);
  }
  const top = cpu.paging === '5-level' ? 5 : cpu.paging === '4-level' ? 4 : 3;
  const level = (table: number, depth: number, prefix: bigint): VarNode[] => {
    const out: VarNode[] = [];
    const count = depth === 3 && top === 3 ? 4 : 512;
    for (let i = 0; i < count && out.length < 512; i++) {
      const e = depth === 3 && top === 3 ? (BigInt(cpu.mmu.pdpteHi[i]) << 32n) | BigInt(cpu.mmu.pdpteLo[i]) : read64(table + i * 8);
      if (!(e & 1n)) continue;
      const shift = BigInt(12 + 9 * (depth - 1));
      let lin = prefix | (BigInt(i) << shift);
      if (top >= 4 && depth === top && lin >> BigInt(top === 5 ? 56 : 47)) lin |= top === 5 ? 0xfe00000000000000n : 0xffff000000000000n;
      const large = (depth === 2 || depth === 3) && (e & 0x80n) !== 0n && !(top === 3 && depth === 3);
      const leaf = depth === 1 || large;
      const addr = Number(e & 0x000ffffffffff000n & (large ? ~((1n << shift) - 1n) : -1n));
      out.push({
        name: `${LEVEL_NAMES[depth]}[${i}] ${hex(lin)}`,
        value: `${hex(e, 16)} → ${hex(addr)} ${entryFlags(e, leaf)}${large ? (depth === 3 ? ' 1G' : ' 2M') : ''}`,
        memoryReference: leaf ? memoryReference(lin) : undefined,
        children: leaf ? undefined : () => level(addr, depth - 1, lin & 0x00ffffffffffffffn),
      });
    }
    return out;
  };
  return level(cr3, top, 0n);
}

function paging(rt: TrampolineRuntime, cpu: Cpu): VarNode[] {
  const rip = rt.linearRip(cpu);
  const walk = rt.translateRequest(cpu.id, BigInt(rip));
  return [
    { name: 'mode', value: cpu.paging },
    { name: `walk of RIP ${hex(rip)}`, value: walk.physical ? `→ ${walk.physical}` : walk.fault ?? 'not mapped', children: () => walk.levels.map((l) => ({ name: `${l.name} @${l.entryAddress}`, value: `${l.value}${l.leaf ? ' (leaf)' : ''}` })) },
    { name: 'tables', value: cpu.paging === 'none' ? 'paging off' : `from CR3`, children: () => pageTree(cpu) },
    { name: 'mapped ranges', value: cpu.paging === 'none' ? 'identity (paging off)' : '', children: () => mappedRanges(cpu, 1 << 16).slice(0, 512).map((r) => ({
      name: `${hex(r.linear)}–${hex(r.linear + BigInt(r.size) - 1n)}`,
      value: `→ ${hex(r.physical)} ${r.writable ? 'RW' : 'RO'}${r.user ? ' US' : ''}${r.executable ? '' : ' NX'}${r.global ? ' G' : ''} ${r.pageSize >= 1 << 30 ? '1G' : r.pageSize >= 1 << 21 ? (r.pageSize === 1 << 22 ? '4M' : '2M') : '4K'} pages`,
      memoryReference: memoryReference(r.linear),
    })) },
  ];
}

function stack(rt: TrampolineRuntime, cpu: Cpu): VarNode[] {
  const width = cpu.mode === 'long' ? 8 : cpu.seg[2].attr & ATTR_DB ? 4 : 2;
  const sp = rt.stackPointer(cpu);
  const out: VarNode[] = [];
  for (let i = 0; i < 16; i++) {
    const at = sp + i * width;
    const b = peekLinear(cpu, BigInt(at), width);
    let v = 0n;
    if (b) for (let k = width - 1; k >= 0; k--) v = (v << 8n) | BigInt(b[k]);
    const sym = b ? rt.program?.symbolFor(Number(v)) : undefined;
    out.push({ name: `[sp+${hex(i * width)}]`, value: b ? `${hexw(v, width * 8)}${sym && sym.offset < 0x1000 ? ` <${sym.name}+${hex(sym.offset)}>` : ''}` : 'not mapped', memoryReference: memoryReference(at), evaluateName: `*(u${width * 8}*)${hex(at)}` });
  }
  return out;
}

function symbols(rt: TrampolineRuntime): VarNode[] {
  return (rt.program?.symbols ?? [])
    .slice()
    .sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : a.name.localeCompare(b.name)))
    .slice(0, 2000)
    .map((s) => ({ name: s.name, value: hex(s.value), evaluateName: s.name, memoryReference: s.isAddress ? memoryReference(s.value) : undefined, type: s.isAddress ? 'label' : 'absolute' }));
}

export function scopesFor(rt: TrampolineRuntime, cpuIndex: number): Scope[] {
  const cpu = rt.requireInspectable().cpus[cpuIndex];
  if (!cpu) throw new Error(`there is no CPU ${cpuIndex}`);
  return [
    { name: 'General', expensive: false, children: () => general(rt, cpu) },
    { name: 'Flags', expensive: false, children: () => [registerNode(cpu, 'eflags', cpu.mode === 'long' ? 64 : 32, undefined, cpu.mode === 'long' ? 'RFLAGS' : 'EFLAGS'), ...bitNodes(cpu, 'eflags', EFLAGS, readRegister(cpu, 'eflags') ?? 0n)] },
    { name: 'Segments', expensive: false, children: () => segments(cpu) },
    { name: 'Control registers', expensive: false, children: () => control(cpu) },
    { name: 'MSRs', expensive: false, children: () => msrs(cpu) },
    { name: 'Descriptor tables', expensive: true, children: () => tables(cpu) },
    { name: 'Paging', expensive: true, children: () => paging(rt, cpu) },
    { name: 'Stack', expensive: false, children: () => stack(rt, cpu) },
    { name: 'Symbols', expensive: true, children: () => symbols(rt) },
  ];
}

/** The named bits of an evaluated register (hover / watch expansion), or undefined for plain values. */
export function resultChildren(r: EvalResult): (() => VarNode[]) | undefined {
  const bits = r.bits;
  if (!bits) return undefined;
  return () =>
    describeBits(bits, r.value)
      .filter((f) => !/^R\d+$/.test(f.name))
      .map((f) => ({ name: f.name, value: f.width === 1 ? String(f.value) : hex(f.value), type: f.meaning, evaluateName: r.register ? `${r.register}.${f.name.toLowerCase()}` : undefined }));
}
