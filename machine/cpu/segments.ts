// Segment-register loads and far control transfers with the protected-mode descriptor checks of the SDM (vol. 3A
// 5.x; vol. 2 MOV, POP, LLDT, LTR, JMP, CALL, RET, SYSCALL, SYSRET). Faults carry selector error codes.
import { EFER_LMA, EFER_SCE, EFL_RF, EFL_VM } from '../../isa/bits/control';
import { SYS_LDT, SYS_TSS16_AVAIL, SYS_TSS_AVAIL } from '../../isa/bits/descriptors';
import { MSR_CSTAR, MSR_LSTAR, MSR_SFMASK, MSR_STAR } from '../../isa/bits/msr';
import type { Cpu } from './cpu';
import { GP, NP, SS as SS_FAULT, TS, UD } from './fault';
import { taskSwitch } from './tasks';
import {
  ATTR_ACCESSED, ATTR_CE, ATTR_CODE, ATTR_DB, ATTR_G, ATTR_L, ATTR_P, ATTR_RW, ATTR_S, CS, DS, ES, FS, GS, SS,
  SEG_NAMES,
} from './segment';
import { RCX, RSP } from './state';

/** The descriptor last read by readDescriptor (two 32-bit halves) and where it lives. */
export const desc = { lo: 0, hi: 0, addrLo: 0, addrHi: 0, upperLo: 0 };

const TWO32 = 0x1_0000_0000;

/**
 * Reads the 8-byte descriptor `sel` refers to (GDT or LDT). Raises `vector`(sel) when the index lies beyond the
 * table limit or TI=1 with no LDT loaded. `wide` also reads the upper 8 bytes of a 16-byte system descriptor.
 */
export function readDescriptor(cpu: Cpu, sel: number, vector = GP, wide = false): void {
  const ti = sel & 4;
  const index = sel & 0xfff8;
  let baseLo: number, baseHi: number, limit: number;
  if (ti) {
    if (!cpu.ldtr.usable || cpu.ldtr.selector === 0) cpu.raise(vector, sel & 0xfffc, 'TI=1 but no LDT is loaded');
    baseLo = cpu.ldtr.base;
    baseHi = cpu.ldtr.baseHi;
    limit = cpu.ldtr.limit;
  } else {
    baseLo = cpu.gdtBase;
    baseHi = cpu.gdtBaseHi;
    limit = cpu.gdtLimit;
  }
  if (index + (wide ? 15 : 7) > limit) cpu.raise(vector, sel & 0xfffc, `selector 0x${sel.toString(16)} beyond the ${ti ? 'LDT' : 'GDT'} limit 0x${limit.toString(16)}`);
  if (!(cpu.efer & EFER_LMA)) baseHi = 0;
  const sum = baseLo + index;
  const lo = sum >>> 0;
  const hi = cpu.efer & EFER_LMA ? (baseHi + (sum >= TWO32 ? 1 : 0)) >>> 0 : 0;
  desc.addrLo = cpu.efer & EFER_LMA ? lo : lo >>> 0;
  desc.addrHi = hi;
  desc.lo = cpu.readSys32(lo, hi);
  desc.hi = cpu.readSys32((lo + 4) >>> 0, hi + (lo + 4 >= TWO32 ? 1 : 0));
  if (wide) desc.upperLo = cpu.readSys32((lo + 8) >>> 0, hi + (lo + 8 >= TWO32 ? 1 : 0));
}

/** Sets the accessed bit of the descriptor just read, as the CPU does on a load. */
function markAccessed(cpu: Cpu): void {
  if (desc.hi & 0x100) return;
  desc.hi |= 0x100;
  cpu.writeSys8((desc.addrLo + 5) >>> 0, desc.addrHi, (desc.hi >>> 8) & 0xff);
}

const attrOf = (hi: number): number => (hi >>> 8) & 0xf0ff;

/** MOV/POP to DS, ES, FS, GS or SS (and the data-segment part of LDS/LSS…). */
export function loadSegment(cpu: Cpu, seg: number, sel: number): void {
  sel &= 0xffff;
  const sr = cpu.seg[seg];
  if (cpu.mode === 'real' || cpu.mode === 'v86') {
    sr.loadReal(sel);
    if (cpu.mode === 'v86') {
      sr.limit = 0xffff;
      sr.attr = ATTR_P | ATTR_S | ATTR_RW | ATTR_ACCESSED | (3 << 5);
    }
    return;
  }
  const rpl = sel & 3;
  if ((sel & 0xfffc) === 0) {
    if (seg === SS && !(cpu.mode === 'long' && cpu.cpl !== 3 && rpl === cpu.cpl)) cpu.raise(GP, 0, 'null selector loaded into SS');
    sr.loadNull(sel);
    if (seg === SS) sr.attr |= (cpu.cpl << 5) | ATTR_DB; // 64-bit null SS keeps the stack usable at CPL
    return;
  }
  readDescriptor(cpu, sel);
  const a = attrOf(desc.hi);
  const dpl = (a >>> 5) & 3;
  const name = SEG_NAMES[seg].toUpperCase();
  if (seg === SS) {
    if (rpl !== cpu.cpl) cpu.raise(GP, sel & 0xfffc, `SS selector RPL ${rpl} differs from CPL ${cpu.cpl}`);
    if ((a & (ATTR_S | ATTR_CODE | ATTR_RW)) !== (ATTR_S | ATTR_RW)) cpu.raise(GP, sel & 0xfffc, 'SS needs a writable data segment');
    if (dpl !== cpu.cpl) cpu.raise(GP, sel & 0xfffc, `SS descriptor DPL ${dpl} differs from CPL ${cpu.cpl}`);
    if (!(a & ATTR_P)) cpu.raise(SS_FAULT, sel & 0xfffc, 'stack segment not present');
  } else {
    if (!(a & ATTR_S)) cpu.raise(GP, sel & 0xfffc, `${name} cannot hold a system descriptor`);
    if ((a & (ATTR_CODE | ATTR_RW)) === ATTR_CODE) cpu.raise(GP, sel & 0xfffc, `${name} cannot hold an execute-only code segment`);
    if (!(a & ATTR_CODE) || !(a & ATTR_CE)) {
      if (rpl > dpl || cpu.cpl > dpl) cpu.raise(GP, sel & 0xfffc, `${name}: RPL ${rpl} / CPL ${cpu.cpl} above DPL ${dpl}`);
    }
    if (!(a & ATTR_P)) cpu.raise(NP, sel & 0xfffc, `${name} segment not present`);
  }
  markAccessed(cpu);
  sr.loadDescriptor(sel, desc.lo, desc.hi);
}

/** LLDT. */
export function loadLdtr(cpu: Cpu, sel: number): void {
  sel &= 0xffff;
  if (cpu.mode === 'real' || cpu.mode === 'v86') cpu.raise(UD, 0, 'LLDT is not recognized in real/V86 mode');
  if (cpu.cpl !== 0) cpu.raise(GP, 0, 'LLDT needs CPL 0');
  const long = (cpu.efer & EFER_LMA) !== 0;
  if ((sel & 0xfffc) === 0) {
    cpu.ldtr.loadNull(sel);
  } else {
    if (sel & 4) cpu.raise(GP, sel & 0xfffc, 'LDT selector must reference the GDT');
    readDescriptor(cpu, sel, GP, long);
    const a = attrOf(desc.hi);
    if (a & ATTR_S || (a & 0xf) !== SYS_LDT) cpu.raise(GP, sel & 0xfffc, 'descriptor is not an LDT');
    if (!(a & ATTR_P)) cpu.raise(NP, sel & 0xfffc, 'LDT not present');
    cpu.ldtr.loadDescriptor(sel, desc.lo, desc.hi);
    if (long) cpu.ldtr.baseHi = desc.upperLo >>> 0;
  }
  if (cpu.hooks !== null) cpu.hooks.tableLoad(cpu.id, 'ldtr', sel, cpu.ldtr.base, cpu.ldtr.baseHi, cpu.ldtr.limit);
}

/** LTR: loads an available TSS and marks it busy. */
export function loadTr(cpu: Cpu, sel: number): void {
  sel &= 0xffff;
  if (cpu.mode === 'real' || cpu.mode === 'v86') cpu.raise(UD, 0, 'LTR is not recognized in real/V86 mode');
  if (cpu.cpl !== 0) cpu.raise(GP, 0, 'LTR needs CPL 0');
  if ((sel & 0xfffc) === 0) cpu.raise(GP, 0, 'LTR with a null selector');
  if (sel & 4) cpu.raise(GP, sel & 0xfffc, 'TSS selector must reference the GDT');
  const long = (cpu.efer & EFER_LMA) !== 0;
  readDescriptor(cpu, sel, GP, long);
  const a = attrOf(desc.hi);
  const type = a & 0xf;
  const ok = !(a & ATTR_S) && (type === SYS_TSS_AVAIL || (!long && type === SYS_TSS16_AVAIL));
  if (!ok) cpu.raise(GP, sel & 0xfffc, 'descriptor is not an available TSS');
  if (!(a & ATTR_P)) cpu.raise(NP, sel & 0xfffc, 'TSS not present');
  desc.hi |= 0x200; // busy
  cpu.writeSys8((desc.addrLo + 5) >>> 0, desc.addrHi, (desc.hi >>> 8) & 0xff);
  cpu.tr.loadDescriptor(sel, desc.lo, desc.hi);
  if (long) cpu.tr.baseHi = desc.upperLo >>> 0;
  if (cpu.hooks !== null) cpu.hooks.tableLoad(cpu.id, 'tr', sel, cpu.tr.base, cpu.tr.baseHi, cpu.tr.limit);
}

/**
 * Checks a code-segment target of a far JMP/CALL (direct, not through a gate) and loads CS with RPL = CPL.
 * Sets RIP to the offset (already truncated to the operand size by the caller).
 */
export function farJump(cpu: Cpu, sel: number, offLo: number, offHi = 0, nextLo = cpu.ripLo): void {
  sel &= 0xffff;
  if (cpu.mode === 'real' || cpu.mode === 'v86') {
    cpu.seg[CS].loadReal(sel);
    cpu.ripLo = offLo >>> 0;
    cpu.ripHi = 0;
    cpu.modeChanged();
    return;
  }
  if (isGate(cpu, sel)) {
    callGate(cpu, sel, false, 4, nextLo, 0);
    return;
  }
  checkCodeTarget(cpu, sel, 'far JMP/CALL');
  commitCs(cpu, (sel & 0xfffc) | cpu.cpl, offLo, offHi);
}

/** True when `sel` names a system descriptor (a gate or TSS) rather than a code segment. */
function isGate(cpu: Cpu, sel: number): boolean {
  if ((sel & 0xfffc) === 0) return false;
  readDescriptor(cpu, sel);
  return (desc.hi & 0x1000) === 0;
}

/**
 * Far JMP/CALL through a call gate (SDM vol. 3A 5.8.4-5.8.6): gate and target checks, CALL to a more privileged
 * nonconforming segment switches to the TSS stack of that level (copying the gate's parameter count of stack
 * words in legacy mode), pushes the caller's SS:rSP and CS:rIP. Task gates and TSS targets switch tasks
 * (tasks.ts); for those `retLo` is the EIP saved in the outgoing task.
 */
function callGate(cpu: Cpu, gateSel: number, isCall: boolean, opBytes: number, retLo: number, retHi: number): void {
  void opBytes;
  const long = (cpu.efer & EFER_LMA) !== 0;
  readDescriptor(cpu, gateSel, GP, long);
  const type = (desc.hi >>> 8) & 0xf;
  const gErr = gateSel & 0xfffc;
  if (type === 5 || type === 1 || type === 9 || type === 3 || type === 11) {
    // Task switch: through a task gate or directly to a TSS (SDM 7.3). Not in IA-32e mode.
    if (long) cpu.raise(GP, gErr, 'task switches do not exist in IA-32e mode');
    const dplT = (desc.hi >>> 13) & 3;
    if (dplT < cpu.cpl || dplT < (gateSel & 3)) cpu.raise(GP, gErr, `task gate/TSS DPL ${dplT} below CPL/RPL`);
    if (!(desc.hi & 0x8000)) cpu.raise(NP, gErr, 'task gate/TSS not present');
    const tss = type === 5 ? (desc.lo >>> 16) & 0xffff : gateSel;
    taskSwitch(cpu, tss, isCall ? 'call' : 'jmp', retLo);
    return;
  }
  const is32 = type === 0xc, is16 = type === 4 && !long;
  if (!is32 && !is16) cpu.raise(GP, gErr, `far ${isCall ? 'CALL' : 'JMP'}: selector 0x${gateSel.toString(16)} is not a call gate`);
  if (long && (desc.upperLo === undefined || ((desc.hi >>> 8) & 0x1f) !== 0xc)) cpu.raise(GP, gErr, 'not a 64-bit call gate');
  const gdpl = (desc.hi >>> 13) & 3;
  if (gdpl < cpu.cpl || gdpl < (gateSel & 3)) cpu.raise(GP, gErr, `call gate DPL ${gdpl} below CPL/RPL`);
  if (!(desc.hi & 0x8000)) cpu.raise(NP, gErr, 'call gate not present');
  const gLo = desc.lo, gHi = desc.hi;
  let upper = 0;
  if (long) {
    // The upper half's type field must be 0 (SDM 5.8.3.1).
    const hiAddrLo = (desc.addrLo + 12) >>> 0;
    const upperHi = cpu.readSys32(hiAddrLo, desc.addrHi + (desc.addrLo + 12 >= TWO32 ? 1 : 0));
    if ((upperHi >>> 8) & 0x1f) cpu.raise(GP, gErr, 'call gate upper type field is not zero');
    upper = desc.upperLo >>> 0;
  }
  const codeSel = (gLo >>> 16) & 0xffff;
  const offLo = is16 ? gLo & 0xffff : ((gLo & 0xffff) | (gHi & 0xffff0000)) >>> 0;
  const offHi = long ? upper : 0;
  const params = long ? 0 : gHi & 0x1f;
  if ((codeSel & 0xfffc) === 0) cpu.raise(GP, 0, 'call gate names a null code selector');
  readDescriptor(cpu, codeSel);
  const a = attrOf(desc.hi);
  const dpl = (a >>> 5) & 3;
  const cErr = codeSel & 0xfffc;
  if ((a & (ATTR_S | ATTR_CODE)) !== (ATTR_S | ATTR_CODE) || dpl > cpu.cpl) cpu.raise(GP, cErr, 'call gate target is not a code segment at or above CPL');
  if (!isCall && !(a & ATTR_CE) && dpl !== cpu.cpl) cpu.raise(GP, cErr, 'JMP through a call gate cannot change privilege');
  if (!(a & ATTR_P)) cpu.raise(NP, cErr, 'call gate target not present');
  if (long && (!(a & ATTR_L) || a & ATTR_DB)) cpu.raise(GP, cErr, 'IA-32e call gates need a 64-bit code segment');
  const csLo = desc.lo, csHi = desc.hi;
  const bytes: 2 | 4 | 8 = long ? 8 : is16 ? 2 : 4;
  const oldCs = cpu.seg[CS].selector, oldSs = cpu.seg[SS].selector;
  const oldSpLo = cpu.gprLo[RSP], oldSpHi = cpu.gprHi[RSP];
  const oldCpl = cpu.cpl;
  const inner = isCall && !(a & ATTR_CE) && dpl < cpu.cpl;
  const ssSave = { sel: 0, base: 0, baseHi: 0, limit: 0, attr: 0 };
  const ssr = cpu.seg[SS];
  Object.assign(ssSave, { sel: ssr.selector, base: ssr.base, baseHi: ssr.baseHi, limit: ssr.limit, attr: ssr.attr });
  try {
    if (inner) {
      // Parameters are read from the caller's stack before switching.
      const copied: number[] = [];
      for (let i = params - 1; i >= 0; i--) {
        const off = cpu.stackSize === 16 ? (oldSpLo + i * bytes) & 0xffff : (oldSpLo + i * bytes) >>> 0;
        copied.push(bytes === 2 ? cpu.read16(SS, off) : cpu.read32(SS, off));
      }
      let spLo: number, spHi = 0, ssSel: number;
      if (long) {
        const base = cpu.tr.base + 4 + dpl * 8;
        const bLo = base >>> 0, bHi = (cpu.tr.baseHi + (base >= TWO32 ? 1 : 0)) >>> 0;
        spLo = cpu.readSys32(bLo, bHi);
        spHi = cpu.readSys32((bLo + 4) >>> 0, bHi);
        ssSel = dpl;
      } else {
        const tss32 = (cpu.tr.attr & 0x8) !== 0;
        const o = tss32 ? 4 + dpl * 8 : 2 + dpl * 4;
        spLo = tss32 ? cpu.readSys32((cpu.tr.base + o) >>> 0, 0) : cpu.readSys16((cpu.tr.base + o) >>> 0, 0);
        ssSel = cpu.readSys16((cpu.tr.base + o + (tss32 ? 4 : 2)) >>> 0, 0);
      }
      cpu.cpl = dpl;
      if (long) ssr.set(ssSel, 0, 0xffffffff, ATTR_P | ATTR_S | ATTR_RW | ATTR_DB | (dpl << 5));
      else {
        try {
          loadSegment(cpu, SS, ssSel);
        } catch (e) {
          if (e instanceof Object && (e as { vector?: number }).vector !== undefined) cpu.raise(TS, ssSel & 0xfffc, 'invalid stack segment in the TSS for the call gate');
          throw e;
        }
      }
      cpu.gprLo[RSP] = spLo;
      cpu.gprHi[RSP] = spHi;
      if (long) {
        // The 64-bit stack is entered in 64-bit mode terms; CS must be the new one for push widths.
        cpu.seg[CS].loadDescriptor((codeSel & 0xfffc) | dpl, csLo, csHi);
        cpu.updateMode();
      }
      cpu.push(bytes, oldSs);
      cpu.push(bytes, oldSpLo, long ? oldSpHi : 0);
      for (const v of copied) cpu.push(bytes, v);
    } else if (long && isCall) {
      cpu.seg[CS].loadDescriptor((codeSel & 0xfffc) | cpu.cpl, csLo, csHi);
      cpu.updateMode();
    }
    if (isCall) {
      cpu.push(bytes, oldCs);
      cpu.push(bytes, retLo, retHi);
    }
  } catch (e) {
    cpu.cpl = oldCpl;
    ssr.set(ssSave.sel, ssSave.base, ssSave.limit, ssSave.attr, ssSave.baseHi);
    cpu.gprLo[RSP] = oldSpLo;
    cpu.gprHi[RSP] = oldSpHi;
    readDescriptor(cpu, oldCs);
    cpu.seg[CS].loadDescriptor(oldCs, desc.lo, desc.hi);
    cpu.updateMode();
    throw e;
  }
  desc.lo = csLo;
  desc.hi = csHi;
  commitCs(cpu, (codeSel & 0xfffc) | cpu.cpl, offLo, offHi);
}

/** Far CALL: checks the target first, then pushes CS and the return offset (operand size 2/4/8), then loads CS. */
export function farCall(cpu: Cpu, sel: number, offLo: number, offHi: number, opBytes: 2 | 4 | 8, retLo: number, retHi: number): void {
  sel &= 0xffff;
  const oldCs = cpu.seg[CS].selector;
  if (cpu.mode !== 'real' && cpu.mode !== 'v86' && isGate(cpu, sel)) {
    callGate(cpu, sel, true, opBytes, retLo, retHi);
    return;
  }
  if (cpu.mode !== 'real' && cpu.mode !== 'v86') checkCodeTarget(cpu, sel, 'far CALL');
  const spLo = cpu.gprLo[RSP], spHi = cpu.gprHi[RSP];
  try {
    cpu.push(opBytes, oldCs);
    cpu.push(opBytes, retLo, retHi);
  } catch (e) {
    cpu.gprLo[RSP] = spLo;
    cpu.gprHi[RSP] = spHi;
    throw e;
  }
  if (cpu.mode === 'real' || cpu.mode === 'v86') {
    cpu.seg[CS].loadReal(sel);
    cpu.ripLo = offLo >>> 0;
    cpu.ripHi = 0;
    return;
  }
  readDescriptor(cpu, sel); // re-read: the pushes may not change it, but desc is shared scratch
  commitCs(cpu, (sel & 0xfffc) | cpu.cpl, offLo, offHi);
}

function checkCodeTarget(cpu: Cpu, sel: number, what: string): void {
  if ((sel & 0xfffc) === 0) cpu.raise(GP, 0, `${what} to a null selector`);
  readDescriptor(cpu, sel);
  const a = attrOf(desc.hi);
  const rpl = sel & 3, dpl = (a >>> 5) & 3;
  if (!(a & ATTR_S)) cpu.raise(GP, sel & 0xfffc, `${what} through a gate or TSS is not supported (selector 0x${sel.toString(16)})`);
  if (!(a & ATTR_CODE)) cpu.raise(GP, sel & 0xfffc, `${what}: selector 0x${sel.toString(16)} is not a code segment`);
  if (a & ATTR_CE) {
    if (dpl > cpu.cpl) cpu.raise(GP, sel & 0xfffc, `${what}: conforming DPL ${dpl} above CPL ${cpu.cpl}`);
  } else if (rpl > cpu.cpl || dpl !== cpu.cpl) cpu.raise(GP, sel & 0xfffc, `${what}: nonconforming DPL ${dpl} / RPL ${rpl} vs CPL ${cpu.cpl}`);
  if (!(a & ATTR_P)) cpu.raise(NP, sel & 0xfffc, `${what}: code segment not present`);
  if (cpu.efer & EFER_LMA && a & ATTR_L && a & ATTR_DB) cpu.raise(GP, sel & 0xfffc, `${what}: code segment has both L and D set`);
}

/** Loads CS from `desc` with the given selector, checks the new offset (limit or canonical) and sets RIP. */
function commitCs(cpu: Cpu, sel: number, offLo: number, offHi: number): void {
  const a = attrOf(desc.hi);
  const to64 = (cpu.efer & EFER_LMA) !== 0 && (a & ATTR_L) !== 0;
  if (to64) {
    const top = cpu.cr4 & 0x1000 ? offHi >> 24 : offHi >> 15;
    if (top !== 0 && top !== -1) cpu.raise(GP, 0, 'far transfer to a non-canonical address');
  } else {
    const rawLimit = (desc.lo & 0xffff) | (desc.hi & 0xf0000);
    const limit = a & ATTR_G ? ((rawLimit << 12) | 0xfff) >>> 0 : rawLimit;
    if (offLo >>> 0 > limit) cpu.raise(GP, 0, `far transfer offset 0x${(offLo >>> 0).toString(16)} beyond CS limit 0x${limit.toString(16)}`);
  }
  markAccessed(cpu);
  cpu.seg[CS].loadDescriptor(sel, desc.lo, desc.hi);
  cpu.cpl = sel & 3;
  cpu.ripLo = offLo >>> 0;
  cpu.ripHi = to64 ? offHi >>> 0 : 0;
  cpu.modeChanged();
}

/**
 * Far RET (and RET imm): pops offset and CS with operand size `opBytes`, releases `imm` bytes, and on a return to
 * an outer privilege level pops SS:rSP and nulls data segments the new CPL may not use.
 */
export function farReturn(cpu: Cpu, opBytes: 2 | 4 | 8, imm = 0): void {
  const spLo = cpu.gprLo[RSP], spHi = cpu.gprHi[RSP];
  try {
    const offLo = cpu.pop(opBytes);
    const offHi = opBytes === 8 ? cpu.mmu.hi : 0;
    const sel = cpu.pop(opBytes) & 0xffff;
    if (cpu.mode === 'real' || cpu.mode === 'v86') {
      cpu.seg[CS].loadReal(sel);
      cpu.ripLo = offLo;
      cpu.ripHi = 0;
      adjustSp(cpu, imm);
      return;
    }
    const rpl = sel & 3;
    if ((sel & 0xfffc) === 0) cpu.raise(GP, 0, 'far RET to a null selector');
    if (rpl < cpu.cpl) cpu.raise(GP, sel & 0xfffc, 'far RET to a more privileged level');
    readDescriptor(cpu, sel);
    const a = attrOf(desc.hi);
    const dpl = (a >>> 5) & 3;
    if (!(a & ATTR_S) || !(a & ATTR_CODE)) cpu.raise(GP, sel & 0xfffc, 'far RET: not a code segment');
    if (a & ATTR_CE ? dpl > rpl : dpl !== rpl) cpu.raise(GP, sel & 0xfffc, 'far RET: DPL does not match RPL');
    if (!(a & ATTR_P)) cpu.raise(NP, sel & 0xfffc, 'far RET: code segment not present');
    if (rpl === cpu.cpl) {
      commitCs(cpu, sel, offLo, offHi);
      adjustSp(cpu, imm);
      return;
    }
    // Return to an outer level: the caller's SS:rSP follow the immediate-released parameters.
    adjustSp(cpu, imm);
    const newSpLo = cpu.pop(opBytes);
    const newSpHi = opBytes === 8 ? cpu.mmu.hi : 0;
    const ssSel = cpu.pop(opBytes) & 0xffff;
    const savedDesc = { lo: desc.lo, hi: desc.hi, addrLo: desc.addrLo, addrHi: desc.addrHi };
    const oldCpl = cpu.cpl;
    cpu.cpl = rpl; // SS checks are against the new CPL
    try {
      loadSegment(cpu, SS, ssSel);
    } catch (e) {
      cpu.cpl = oldCpl;
      throw e;
    }
    Object.assign(desc, savedDesc);
    cpu.cpl = oldCpl;
    commitCs(cpu, sel, offLo, offHi);
    cpu.gprLo[RSP] = newSpLo;
    cpu.gprHi[RSP] = newSpHi;
    adjustSp(cpu, imm);
    nullInaccessibleDataSegments(cpu);
  } catch (e) {
    cpu.gprLo[RSP] = spLo;
    cpu.gprHi[RSP] = spHi;
    throw e;
  }
}

function adjustSp(cpu: Cpu, n: number): void {
  if (n === 0) return;
  const w = cpu.stackSize;
  const lo = cpu.gprLo[RSP];
  if (w === 16) cpu.gprLo[RSP] = ((lo & 0xffff0000) | ((lo + n) & 0xffff)) >>> 0;
  else if (w === 32) cpu.gprLo[RSP] = (lo + n) >>> 0;
  else {
    const s = lo + n;
    cpu.gprLo[RSP] = s >>> 0;
    if (s >= TWO32) cpu.gprHi[RSP] = (cpu.gprHi[RSP] + 1) >>> 0;
  }
}

/** After a return to an outer level: DS/ES/FS/GS whose DPL is below the new CPL become null (SDM RET/IRET). */
export function nullInaccessibleDataSegments(cpu: Cpu): void {
  for (const seg of [ES, DS, FS, GS]) {
    const s = cpu.seg[seg];
    if (!s.usable) continue;
    const a = s.attr;
    const conformingCode = (a & (ATTR_CODE | ATTR_CE)) === (ATTR_CODE | ATTR_CE);
    if (!conformingCode && s.dpl < cpu.cpl) s.loadNull(0);
  }
}

/** SYSCALL (SDM vol. 2B): flat CPL-0 CS/SS from STAR, RIP from LSTAR (CSTAR from compatibility mode on AMD). */
export function syscall(cpu: Cpu, nextLo: number, nextHi: number): void {
  const amd = cpu.model.vendor === 'AuthenticAMD';
  if (!(cpu.efer & EFER_SCE)) cpu.raise(UD, 0, 'SYSCALL with EFER.SCE=0');
  if (!(cpu.efer & EFER_LMA) || (cpu.mode !== 'long' && !amd)) cpu.raise(UD, 0, 'SYSCALL outside 64-bit mode');
  const star = cpu.msr.get(MSR_STAR) ?? [0, 0];
  const target = cpu.msr.get(cpu.mode === 'long' ? MSR_LSTAR : MSR_CSTAR) ?? [0, 0];
  const mask = cpu.msr.get(MSR_SFMASK) ?? [0, 0];
  const fl = cpu.getEflags();
  cpu.gprLo[RCX] = nextLo >>> 0;
  cpu.gprHi[RCX] = nextHi >>> 0;
  cpu.gprLo[11] = (fl & ~EFL_RF) >>> 0;
  cpu.gprHi[11] = 0;
  const csSel = star[1] & 0xfffc;
  cpu.seg[CS].set(csSel, 0, 0xffffffff, ATTR_P | ATTR_S | ATTR_CODE | ATTR_RW | ATTR_ACCESSED | ATTR_L | ATTR_G);
  cpu.seg[SS].set((csSel + 8) & 0xffff, 0, 0xffffffff, ATTR_P | ATTR_S | ATTR_RW | ATTR_ACCESSED | ATTR_DB | ATTR_G);
  cpu.cpl = 0;
  cpu.setEflags(fl & ~(mask[0] | EFL_RF | EFL_VM));
  cpu.ripLo = target[0];
  cpu.ripHi = target[1];
  cpu.modeChanged();
}

/** SYSRET: to 64-bit (REX.W) or compatibility mode at CPL 3 with selectors from STAR[63:48]. */
export function sysret(cpu: Cpu, to64: boolean): void {
  if (!(cpu.efer & EFER_SCE)) cpu.raise(UD, 0, 'SYSRET with EFER.SCE=0');
  if (cpu.mode !== 'long') cpu.raise(UD, 0, 'SYSRET outside 64-bit mode');
  if (cpu.cpl !== 0) cpu.raise(GP, 0, 'SYSRET needs CPL 0');
  const star = cpu.msr.get(MSR_STAR) ?? [0, 0];
  const base = star[1] >>> 16;
  if (to64) {
    const top = cpu.cr4 & 0x1000 ? cpu.gprHi[RCX] >> 24 : cpu.gprHi[RCX] >> 15;
    if (top !== 0 && top !== -1) cpu.raise(GP, 0, 'SYSRET to a non-canonical RCX');
  }
  const csSel = ((to64 ? base + 16 : base) | 3) & 0xffff;
  cpu.seg[CS].set(csSel, 0, 0xffffffff, ATTR_P | ATTR_S | ATTR_CODE | ATTR_RW | ATTR_ACCESSED | ATTR_G | (3 << 5) | (to64 ? ATTR_L : ATTR_DB));
  cpu.seg[SS].set(((base + 8) | 3) & 0xffff, 0, 0xffffffff, ATTR_P | ATTR_S | ATTR_RW | ATTR_ACCESSED | ATTR_DB | ATTR_G | (3 << 5));
  cpu.cpl = 3;
  cpu.setEflags((cpu.gprLo[11] & 0x3c7fd7) | 2);
  cpu.ripLo = cpu.gprLo[RCX];
  cpu.ripHi = to64 ? cpu.gprHi[RCX] : 0;
  cpu.modeChanged();
}

/** SWAPGS: exchanges GS base and IA32_KERNEL_GS_BASE (64-bit mode, CPL 0). */
export function swapgs(cpu: Cpu): void {
  if (cpu.mode !== 'long') cpu.raise(UD, 0, 'SWAPGS outside 64-bit mode');
  if (cpu.cpl !== 0) cpu.raise(GP, 0, 'SWAPGS needs CPL 0');
  const k = cpu.msr.get(0xc0000102);
  if (k === undefined) cpu.raise(UD, 0, 'no KERNEL_GS_BASE');
  const gs = cpu.seg[GS];
  const lo = gs.base, hi = gs.baseHi;
  gs.base = k[0];
  gs.baseHi = k[1];
  k[0] = lo;
  k[1] = hi;
}
