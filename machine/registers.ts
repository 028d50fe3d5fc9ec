// Registers by name for debuggers and hosts: every class (general, RIP, flags, segments, control, debug, XCR0,
// EFER and named MSRs, descriptor-table registers) and single bits (`cr0.pg`, `eflags.if`, `efer.lma`). Writes
// here are the debugger's power, not instructions: they bypass the architectural checks but keep the derived
// state (mode, TLB, PAE PDPTEs) consistent.
import { CR0, CR3, CR4, EFER, EFLAGS, XCR0 } from '../isa/bits/control';
import { DR6, DR7 } from '../isa/bits/debug';
import { findField, fieldMask } from '../isa/bits/describe';
import type { BitsDef } from '../isa/bits/types';
import { findMsr } from '../isa/bits/msr';
import type { Cpu } from './cpu/cpu';
import { SEG_NAMES } from './cpu/segment';
import { GPR_NAMES } from './cpu/state';

const M64 = 0xffffffffffffffffn;
const big = (lo: number, hi: number): bigint => (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);

interface GprView { reg: number; shift: number; bits: number }

const GPRS = new Map<string, GprView>();
const LEGACY16 = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di'];
const LEGACY8 = ['al', 'cl', 'dl', 'bl'];
const HIGH8 = ['ah', 'ch', 'dh', 'bh'];
const LOW8 = ['spl', 'bpl', 'sil', 'dil'];
GPR_NAMES.forEach((n, i) => {
  GPRS.set(n, { reg: i, shift: 0, bits: 64 });
  if (i < 8) {
    GPRS.set(`e${LEGACY16[i]}`, { reg: i, shift: 0, bits: 32 });
    GPRS.set(LEGACY16[i], { reg: i, shift: 0, bits: 16 });
  } else {
    GPRS.set(`${n}d`, { reg: i, shift: 0, bits: 32 });
    GPRS.set(`${n}w`, { reg: i, shift: 0, bits: 16 });
    GPRS.set(`${n}b`, { reg: i, shift: 0, bits: 8 });
    GPRS.set(`${n}l`, { reg: i, shift: 0, bits: 8 });
  }
});
LEGACY8.forEach((n, i) => GPRS.set(n, { reg: i, shift: 0, bits: 8 }));
HIGH8.forEach((n, i) => GPRS.set(n, { reg: i, shift: 8, bits: 8 }));
LOW8.forEach((n, i) => GPRS.set(n, { reg: i + 4, shift: 0, bits: 8 }));

/** Names accepted by readRegister/writeRegister (without bit suffixes and MSR names). */
export const REGISTER_NAMES: readonly string[] = [
  ...GPRS.keys(), 'rip', 'eip', 'ip', 'rflags', 'eflags', 'flags', ...SEG_NAMES, 'cr0', 'cr2', 'cr3', 'cr4', 'cr8',
  'dr0', 'dr1', 'dr2', 'dr3', 'dr6', 'dr7', 'xcr0', 'efer', 'gdtr.base', 'gdtr.limit', 'idtr.base', 'idtr.limit', 'ldtr', 'tr', 'cpl',
];

/** The bit definitions behind `reg.bit` names. */
export const BIT_OWNERS: Readonly<Record<string, BitsDef>> = { cr0: CR0, cr3: CR3, cr4: CR4, eflags: EFLAGS, rflags: EFLAGS, efer: EFER, xcr0: XCR0, dr6: DR6, dr7: DR7 };

function norm(name: string): string {
  return name.trim().toLowerCase().replace(/^%/, '');
}

/** Reads a register, a register bit (`cr0.pg` → 0n/1n or the field value) or a named MSR; undefined if unknown. */
export function readRegister(cpu: Cpu, name: string): bigint | undefined {
  const n = norm(name);
  const dot = n.indexOf('.');
  if (dot > 0 && !n.startsWith('gdtr') && !n.startsWith('idtr')) {
    const owner = n.slice(0, dot);
    const def = BIT_OWNERS[owner];
    const f = def && findField(def, n.slice(dot + 1));
    const v = readRegister(cpu, owner);
    if (!f || v === undefined) return undefined;
    return (v >> BigInt(f.lsb)) & ((1n << BigInt(f.width)) - 1n);
  }
  const g = GPRS.get(n);
  if (g) return (big(cpu.gprLo[g.reg], cpu.gprHi[g.reg]) >> BigInt(g.shift)) & ((1n << BigInt(g.bits)) - 1n);
  switch (n) {
    case 'rip': return big(cpu.ripLo, cpu.ripHi);
    case 'eip': return BigInt(cpu.ripLo);
    case 'ip': return BigInt(cpu.ripLo & 0xffff);
    case 'rflags': case 'eflags': return BigInt(cpu.getEflags());
    case 'flags': return BigInt(cpu.getEflags() & 0xffff);
    case 'cr0': return BigInt(cpu.cr0 >>> 0);
    case 'cr2': return big(cpu.cr2Lo, cpu.cr2Hi);
    case 'cr3': return big(cpu.cr3Lo, cpu.cr3Hi);
    case 'cr4': return BigInt(cpu.cr4 >>> 0);
    case 'cr8': return BigInt(cpu.cr8);
    case 'xcr0': return big(cpu.xcr0Lo, cpu.xcr0Hi);
    case 'efer': return BigInt(cpu.efer >>> 0);
    case 'gdtr.base': return big(cpu.gdtBase, cpu.gdtBaseHi);
    case 'gdtr.limit': return BigInt(cpu.gdtLimit);
    case 'idtr.base': return big(cpu.idtBase, cpu.idtBaseHi);
    case 'idtr.limit': return BigInt(cpu.idtLimit);
    case 'ldtr': return BigInt(cpu.ldtr.selector);
    case 'tr': return BigInt(cpu.tr.selector);
    case 'cpl': return BigInt(cpu.cpl);
  }
  const seg = (SEG_NAMES as readonly string[]).indexOf(n);
  if (seg >= 0) return BigInt(cpu.seg[seg].selector);
  const dr = /^dr([0-7])$/.exec(n);
  if (dr) return big(cpu.dr[2 * Number(dr[1])], cpu.dr[2 * Number(dr[1]) + 1]);
  const msr = findMsr(n);
  if (msr) {
    if (msr.address === 0xc0000100 || msr.address === 0xc0000101) {
      const s = cpu.seg[msr.address === 0xc0000100 ? 4 : 5];
      return big(s.base, s.baseHi);
    }
    if (msr.address === 0xc0000080) return BigInt(cpu.efer >>> 0);
    const v = cpu.msr.get(msr.address);
    return v ? big(v[0], v[1]) : undefined;
  }
  return undefined;
}

/** Writes a register or bit field; returns an error message for unknown names or values that do not fit. */
export function writeRegister(cpu: Cpu, name: string, value: bigint): string | undefined {
  const n = norm(name);
  const dot = n.indexOf('.');
  if (dot > 0 && !n.startsWith('gdtr') && !n.startsWith('idtr')) {
    const owner = n.slice(0, dot);
    const def = BIT_OWNERS[owner];
    const f = def && findField(def, n.slice(dot + 1));
    const cur = readRegister(cpu, owner);
    if (!f || cur === undefined) return `unknown register bit '${name}'`;
    if (value < 0n || value >= 1n << BigInt(f.width)) return `${name} is ${f.width} bit(s) wide`;
    const m = fieldMask(f);
    const mask = big(m.lo, m.hi);
    return writeRegister(cpu, owner, (cur & ~mask) | (value << BigInt(f.lsb)));
  }
  value &= M64;
  const lo = Number(value & 0xffffffffn) >>> 0, hi = Number(value >> 32n) >>> 0;
  const g = GPRS.get(n);
  if (g) {
    const mask = ((1n << BigInt(g.bits)) - 1n) << BigInt(g.shift);
    let cur = big(cpu.gprLo[g.reg], cpu.gprHi[g.reg]);
    // Writing a 32-bit register in 64-bit terms zero-extends, as the instruction would.
    if (g.bits === 32) cur = 0n;
    cur = (cur & ~mask) | ((value << BigInt(g.shift)) & mask);
    cpu.gprLo[g.reg] = Number(cur & 0xffffffffn) >>> 0;
    cpu.gprHi[g.reg] = Number(cur >> 32n) >>> 0;
    return undefined;
  }
  const derived = (): void => {
    cpu.mmu.flushAll();
    cpu.modeChanged();
    if (cpu.paging === 'pae') cpu.mmu.loadPdptes();
  };
  switch (n) {
    case 'rip': cpu.ripLo = lo; cpu.ripHi = hi; return undefined;
    case 'eip': cpu.ripLo = lo; cpu.ripHi = 0; return undefined;
    case 'ip': cpu.ripLo = lo & 0xffff; cpu.ripHi = 0; return undefined;
    case 'rflags': case 'eflags': case 'flags': cpu.setEflags(lo); cpu.modeChanged(); return undefined;
    case 'cr0': cpu.cr0 = lo | 0x10; derived(); return undefined;
    case 'cr2': cpu.cr2Lo = lo; cpu.cr2Hi = hi; return undefined;
    case 'cr3': cpu.cr3Lo = lo; cpu.cr3Hi = hi; derived(); return undefined;
    case 'cr4': cpu.cr4 = lo; derived(); return undefined;
    case 'cr8': cpu.cr8 = lo & 0xf; return undefined;
    case 'xcr0': cpu.xcr0Lo = lo; cpu.xcr0Hi = hi; return undefined;
    case 'efer': cpu.efer = lo; derived(); return undefined;
    case 'gdtr.base': cpu.gdtBase = lo; cpu.gdtBaseHi = hi; return undefined;
    case 'gdtr.limit': cpu.gdtLimit = lo & 0xffff; return undefined;
    case 'idtr.base': cpu.idtBase = lo; cpu.idtBaseHi = hi; return undefined;
    case 'idtr.limit': cpu.idtLimit = lo & 0xffff; return undefined;
  }
  const seg = (SEG_NAMES as readonly string[]).indexOf(n);
  if (seg >= 0) {
    // Real/V86 mode: base follows the selector. Protected mode: only the selector changes (the cache stays) —
    // loading a descriptor is an instruction's job.
    if (cpu.mode === 'real' || cpu.mode === 'v86') cpu.seg[seg].loadReal(lo);
    else cpu.seg[seg].selector = lo & 0xffff;
    if (seg === 1) cpu.modeChanged();
    return undefined;
  }
  const dr = /^dr([0-7])$/.exec(n);
  if (dr) {
    cpu.dr[2 * Number(dr[1])] = lo;
    cpu.dr[2 * Number(dr[1]) + 1] = hi;
    return undefined;
  }
  const msr = findMsr(n);
  if (msr) {
    if (msr.address === 0xc0000100 || msr.address === 0xc0000101) {
      const s = cpu.seg[msr.address === 0xc0000100 ? 4 : 5];
      s.base = lo;
      s.baseHi = hi;
      return undefined;
    }
    if (msr.address === 0xc0000080) return writeRegister(cpu, 'efer', value);
    const v = cpu.msr.get(msr.address);
    if (!v) return `${msr.name} does not exist on this CPU model`;
    v[0] = lo;
    v[1] = hi;
    return undefined;
  }
  return `unknown register '${name}'`;
}
