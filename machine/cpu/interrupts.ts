// Exception and interrupt delivery (SDM vol. 3A ch. 6; vol. 2 INT n/INTO/INT3, IRET): the IVT in real mode, IDT
// interrupt/trap gates in protected and IA-32e mode, error codes, the TSS stack switch, IST, the #DF rules and the
// triple fault that stops the machine.
import { EFER_LMA, EFL_AC, EFL_IF, EFL_IOPL, EFL_NT, EFL_RF, EFL_TF, EFL_VIF, EFL_VIP, EFL_VM } from '../../isa/bits/control';
import { SYS_INT_GATE, SYS_INT_GATE16, SYS_TRAP_GATE, SYS_TRAP_GATE16, SYS_TASK_GATE } from '../../isa/bits/descriptors';
import { MachineStop } from '../stop';
import type { Cpu } from './cpu';
import { CpuFault, DF, EXCEPTION_NAMES, GP, NP, SS as SS_FAULT, TS, faultClass } from './fault';
import { desc, loadSegment, nullInaccessibleDataSegments, readDescriptor } from './segments';
import { taskSwitch } from './tasks';
import { ATTR_CE, ATTR_CODE, ATTR_DB, ATTR_L, ATTR_P, ATTR_RW, ATTR_S, CS, SS, SegmentRegister } from './segment';
import { RSP } from './state';

/** Why a vector is being delivered; decides EXT in error codes and the gate DPL check. */
export const EVENT_EXCEPTION = 0, EVENT_EXTERNAL = 1, EVENT_SOFTWARE = 2, EVENT_NMI = 3;

const TWO32 = 0x1_0000_0000;
const savedSs = new SegmentRegister();

/**
 * Delivers an exception raised while executing (RIP = the faulting instruction, or the next one for traps) and
 * applies the double-fault rules. A fault while delivering #DF shuts the CPU down: MachineStop('triple-fault').
 */
export function deliverException(cpu: Cpu, vector: number, errorCode: number, detail = ''): void {
  if (cpu.hooks !== null) cpu.hooks.exception(cpu.id, vector, errorCode, detail);
  deliverWithRules(cpu, vector, errorCode, EVENT_EXCEPTION, cpu.ripLo, cpu.ripHi, detail);
}

/** External (APIC/PIC) interrupt or NMI. RIP is the next instruction to run. */
export function deliverExternal(cpu: Cpu, vector: number, nmi = false): void {
  if (cpu.runState === 'halted') cpu.runState = 'running';
  deliverWithRules(cpu, vector, -1, nmi ? EVENT_NMI : EVENT_EXTERNAL, cpu.ripLo, cpu.ripHi, '');
  if (nmi) cpu.nmiBlocked = true;
}

/** INT n / INT3 / INTO from the executor: `nextLo/Hi` is the return address (the following instruction). */
export function deliverSoftwareInterrupt(cpu: Cpu, vector: number, nextLo: number, nextHi: number): void {
  deliverWithRules(cpu, vector, -1, EVENT_SOFTWARE, nextLo, nextHi, '');
}

function deliverWithRules(cpu: Cpu, vector: number, errorCode: number, kind: number, retLo: number, retHi: number, detail: string): void {
  const first = cpu.deliveringVector;
  if (first !== -1) {
    // A fault while delivering `first` (SDM table 6-5).
    if (first === DF) {
      cpu.runState = 'shutdown';
      cpu.deliveringVector = -1;
      throw new MachineStop({ kind: 'triple-fault', cpu: cpu.id, message: `triple fault on CPU ${cpu.id}: ${EXCEPTION_NAMES[vector] ?? `vector ${vector}`} while delivering #DF${detail ? ` (${detail})` : ''}` });
    }
    const a = faultClass(first), b = faultClass(vector);
    if ((a === 'contributory' && b === 'contributory') || (a === 'page-fault' && b !== 'benign')) {
      // Name the second fault before `vector` becomes #DF.
      if (cpu.hooks !== null) cpu.hooks.exception(cpu.id, DF, 0, `double fault: ${EXCEPTION_NAMES[vector]} during ${EXCEPTION_NAMES[first]}`);
      vector = DF;
      errorCode = 0;
      kind = EVENT_EXCEPTION;
    }
  }
  const saveRsp = cpu.gprLo[RSP], saveRspHi = cpu.gprHi[RSP];
  cpu.deliveringVector = kind === EVENT_SOFTWARE ? -1 : vector;
  try {
    if (cpu.mode === 'real') deliverReal(cpu, vector, retLo);
    else if (cpu.efer & EFER_LMA) deliverLong(cpu, vector, errorCode, kind, retLo, retHi);
    else deliverProtected(cpu, vector, errorCode, kind, retLo);
  } catch (e) {
    if (!(e instanceof CpuFault)) throw e;
    cpu.gprLo[RSP] = saveRsp;
    cpu.gprHi[RSP] = saveRspHi;
    if (kind === EVENT_SOFTWARE) {
      // A fault during INT n delivery is an ordinary fault of the INT instruction.
      cpu.deliveringVector = -1;
      throw e;
    }
    cpu.deliveringVector = vector;
    deliverWithRules(cpu, e.vector, e.errorCode, EVENT_EXCEPTION, cpu.ripLo, cpu.ripHi, e.detail);
    return;
  }
  cpu.deliveringVector = -1;
}

function ext(kind: number): number {
  return kind === EVENT_SOFTWARE ? 0 : 1;
}

function deliverReal(cpu: Cpu, vector: number, retLo: number): void {
  if (vector * 4 + 3 > cpu.idtLimit) cpu.raise(GP, 0, `IVT limit 0x${cpu.idtLimit.toString(16)} too small for vector ${vector}`);
  const entry = (cpu.idtBase + vector * 4) >>> 0;
  const ip = cpu.readSys16(entry, 0);
  const cs = cpu.readSys16((entry + 2) >>> 0, 0);
  const fl = cpu.getEflags();
  cpu.push(2, fl & 0xffff);
  cpu.push(2, cpu.seg[CS].selector);
  cpu.push(2, retLo & 0xffff);
  cpu.setEflags(fl & ~(EFL_IF | EFL_TF | EFL_AC | EFL_RF));
  cpu.seg[CS].loadReal(cs);
  cpu.ripLo = ip;
  cpu.ripHi = 0;
}

/** Reads the IDT gate for `vector` (8 or 16 bytes) into desc; checks limit, type, software DPL and presence. */
function readGate(cpu: Cpu, vector: number, kind: number, long: boolean): number {
  const size = long ? 16 : 8;
  const err = vector * 8 + 2 + ext(kind);
  if (vector * size + size - 1 > cpu.idtLimit) cpu.raise(GP, err, `vector ${vector} beyond the IDT limit 0x${cpu.idtLimit.toString(16)}`);
  const lo = cpu.idtBase + vector * size;
  const addrLo = lo >>> 0;
  const addrHi = long ? (cpu.idtBaseHi + (lo >= TWO32 ? 1 : 0)) >>> 0 : 0;
  desc.lo = cpu.readSys32(addrLo, addrHi);
  desc.hi = cpu.readSys32((addrLo + 4) >>> 0, addrHi);
  if (long) desc.upperLo = cpu.readSys32((addrLo + 8) >>> 0, addrHi);
  const type = (desc.hi >>> 8) & 0x1f; // includes S
  const ok = long ? type === SYS_INT_GATE || type === SYS_TRAP_GATE
    : type === SYS_INT_GATE || type === SYS_TRAP_GATE || type === SYS_INT_GATE16 || type === SYS_TRAP_GATE16;
  if (!ok && !(!long && type === SYS_TASK_GATE)) {
    cpu.raise(GP, err, `vector ${vector}: IDT entry is not an interrupt, trap or task gate (type 0x${type.toString(16)})`);
  }
  const dpl = (desc.hi >>> 13) & 3;
  if (kind === EVENT_SOFTWARE && dpl < cpu.cpl) cpu.raise(GP, vector * 8 + 2, `INT ${vector}: gate DPL ${dpl} below CPL ${cpu.cpl}`);
  if (!(desc.hi & 0x8000)) cpu.raise(NP, err, `vector ${vector}: gate not present`);
  return type;
}

/** Checks the handler's code segment; returns its attribute word (desc holds the descriptor). */
function handlerCs(cpu: Cpu, sel: number, kind: number, long: boolean): number {
  const e = ext(kind);
  if ((sel & 0xfffc) === 0) cpu.raise(GP, e, 'interrupt gate selects a null code segment');
  readDescriptor(cpu, sel, GP, false);
  const a = (desc.hi >>> 8) & 0xf0ff;
  const dpl = (a >>> 5) & 3;
  if ((a & (ATTR_S | ATTR_CODE)) !== (ATTR_S | ATTR_CODE)) cpu.raise(GP, (sel & 0xfffc) | e, 'interrupt handler selector is not a code segment');
  if (dpl > cpu.cpl) cpu.raise(GP, (sel & 0xfffc) | e, `handler code DPL ${dpl} above CPL ${cpu.cpl}`);
  if (!(a & ATTR_P)) cpu.raise(NP, (sel & 0xfffc) | e, 'handler code segment not present');
  if (long && (!(a & ATTR_L) || a & ATTR_DB)) cpu.raise(GP, (sel & 0xfffc) | e, 'IA-32e handlers need a 64-bit code segment');
  return a;
}

function deliverProtected(cpu: Cpu, vector: number, errorCode: number, kind: number, retLo: number): void {
  if (cpu.mode === 'v86') cpu.raise(GP, 0, 'interrupts from virtual-8086 mode are not supported');
  const type = readGate(cpu, vector, kind, false);
  if (type === SYS_TASK_GATE) {
    taskSwitch(cpu, (desc.lo >>> 16) & 0xffff, 'int', retLo, errorCode);
    return;
  }
  const gateLo = desc.lo, gateHi = desc.hi;
  const sel = (gateLo >>> 16) & 0xffff;
  const offset = type & 8 ? ((gateLo & 0xffff) | (gateHi & 0xffff0000)) >>> 0 : gateLo & 0xffff;
  const a = handlerCs(cpu, sel, kind, false);
  const csLo = desc.lo, csHi = desc.hi;
  const dpl = (a >>> 5) & 3;
  const bytes: 2 | 4 = type & 8 ? 4 : 2;
  const fl = cpu.getEflags();
  const oldCs = cpu.seg[CS].selector, oldSs = cpu.seg[SS].selector, oldEsp = cpu.gprLo[RSP];
  const inner = !(a & ATTR_CE) && dpl < cpu.cpl;
  const oldCpl = cpu.cpl;
  savedSs.copyFrom(cpu.seg[SS]);
  try {
    if (inner) {
      // Stack for the new privilege level from the TSS (32-bit or 16-bit TSS).
      const tss32 = (cpu.tr.attr & 0x8) !== 0;
      const off = tss32 ? 4 + dpl * 8 : 2 + dpl * 4;
      const need = tss32 ? off + 5 : off + 3;
      if (need > cpu.tr.limit) cpu.raise(TS, cpu.tr.selector & 0xfffc, 'TSS too small for the stack of the new privilege level');
      const base = cpu.tr.base;
      const newSp = tss32 ? cpu.readSys32((base + off) >>> 0, 0) : cpu.readSys16((base + off) >>> 0, 0);
      const newSs = cpu.readSys16((base + off + (tss32 ? 4 : 2)) >>> 0, 0);
      cpu.cpl = dpl;
      try {
        loadSegment(cpu, SS, newSs);
      } catch (e) {
        if (e instanceof CpuFault && (e.vector === GP || e.vector === SS_FAULT)) cpu.raise(TS, newSs & 0xfffc | ext(kind), `invalid stack segment 0x${newSs.toString(16)} in the TSS`);
        throw e;
      }
      cpu.gprLo[RSP] = newSp;
      cpu.push(bytes, oldSs);
      cpu.push(bytes, oldEsp);
    }
    cpu.push(bytes, fl);
    cpu.push(bytes, oldCs);
    cpu.push(bytes, retLo);
    if (errorCode >= 0) cpu.push(bytes, errorCode);
  } catch (e) {
    cpu.cpl = oldCpl;
    cpu.seg[SS].copyFrom(savedSs);
    if (e instanceof CpuFault && e.vector === GP && inner) e.vector = SS_FAULT;
    throw e;
  }
  desc.lo = csLo;
  desc.hi = csHi;
  cpu.seg[CS].loadDescriptor((sel & 0xfffc) | dpl, csLo, csHi);
  cpu.cpl = inner ? dpl : cpu.cpl;
  if (!inner) cpu.seg[CS].selector = (sel & 0xfffc) | cpu.cpl;
  let nf = fl & ~(EFL_TF | EFL_NT | EFL_VM | EFL_RF);
  if ((type & 7) === 6) nf &= ~EFL_IF; // interrupt gate
  cpu.setEflags(nf);
  cpu.ripLo = offset;
  cpu.ripHi = 0;
  cpu.modeChanged();
}

function deliverLong(cpu: Cpu, vector: number, errorCode: number, kind: number, retLo: number, retHi: number): void {
  const type = readGate(cpu, vector, kind, true);
  const gateLo = desc.lo, gateHi = desc.hi, gateUpper = desc.upperLo;
  const sel = (gateLo >>> 16) & 0xffff;
  const offLo = ((gateLo & 0xffff) | (gateHi & 0xffff0000)) >>> 0;
  const offHi = gateUpper >>> 0;
  const ist = gateHi & 7;
  const a = handlerCs(cpu, sel, kind, true);
  const csLo = desc.lo, csHi = desc.hi;
  const dpl = (a >>> 5) & 3;
  const inner = !(a & ATTR_CE) && dpl < cpu.cpl;
  const fl = cpu.getEflags();
  const oldCs = cpu.seg[CS].selector, oldSs = cpu.seg[SS].selector;
  const oldSpLo = cpu.gprLo[RSP], oldSpHi = cpu.gprHi[RSP];
  const oldCpl = cpu.cpl, oldMode = cpu.mode, oldCodeSize = cpu.codeSize;
  savedSs.copyFrom(cpu.seg[SS]);
  let spLo = oldSpLo, spHi = oldSpHi;
  if (inner || ist !== 0) {
    const off = ist !== 0 ? 0x24 + (ist - 1) * 8 : 4 + dpl * 8;
    if (off + 7 > cpu.tr.limit) cpu.raise(TS, cpu.tr.selector & 0xfffc | ext(kind), `TSS too small for ${ist ? `IST${ist}` : `RSP${dpl}`}`);
    const base = cpu.tr.base + off;
    const bLo = base >>> 0, bHi = (cpu.tr.baseHi + (base >= TWO32 ? 1 : 0)) >>> 0;
    spLo = cpu.readSys32(bLo, bHi);
    spHi = cpu.readSys32((bLo + 4) >>> 0, bHi);
  }
  if (oldMode !== 'long') spHi = 0; // from compatibility mode without a stack switch the stack is 32-bit
  spLo = (spLo & ~0xf) >>> 0; // 16-byte alignment of the frame
  const top = cpu.cr4 & 0x1000 ? spHi >> 24 : spHi >> 15;
  if (top !== 0 && top !== -1) cpu.raise(SS_FAULT, ext(kind), 'interrupt stack pointer is not canonical');
  // Switch to the 64-bit handler context first so the frame is pushed with 64-bit stack semantics.
  cpu.cpl = inner ? dpl : cpu.cpl;
  if (inner) cpu.seg[SS].set(dpl, 0, 0xffffffff, ATTR_P | ATTR_S | ATTR_RW | ATTR_DB | (dpl << 5) | 0x10000);
  const csSave = new SegmentRegister();
  csSave.copyFrom(cpu.seg[CS]);
  cpu.seg[CS].loadDescriptor((sel & 0xfffc) | cpu.cpl, csLo, csHi);
  cpu.updateMode();
  cpu.gprLo[RSP] = spLo;
  cpu.gprHi[RSP] = spHi;
  try {
    cpu.push(8, oldSs);
    cpu.push(8, oldSpLo, oldMode === 'long' ? oldSpHi : 0);
    cpu.push(8, fl);
    cpu.push(8, oldCs);
    cpu.push(8, retLo, retHi);
    if (errorCode >= 0) cpu.push(8, errorCode);
  } catch (e) {
    cpu.cpl = oldCpl;
    cpu.seg[SS].copyFrom(savedSs);
    cpu.seg[CS].copyFrom(csSave);
    cpu.updateMode();
    cpu.gprLo[RSP] = oldSpLo;
    cpu.gprHi[RSP] = oldSpHi;
    throw e;
  }
  if (inner) cpu.seg[SS].attr &= ~0x10000; // null SS selector at the new CPL, but usable as a 64-bit stack
  let nf = fl & ~(EFL_TF | EFL_NT | EFL_VM | EFL_RF);
  if (type === SYS_INT_GATE) nf &= ~EFL_IF;
  cpu.setEflags(nf);
  cpu.ripLo = offLo;
  cpu.ripHi = offHi;
  cpu.mode = oldMode; // let modeChanged report the transition (compatibility → 64-bit handler)
  cpu.codeSize = oldCodeSize;
  cpu.modeChanged();
}

/**
 * IRET / IRETD / IRETQ with operand size `opBytes`. `nextLo` (the instruction after the IRET) is only used by a
 * task return (NT=1 in legacy protected mode), which saves it in the outgoing task.
 */
export function iret(cpu: Cpu, opBytes: 2 | 4 | 8, nextLo = cpu.ripLo): void {
  const spLo = cpu.gprLo[RSP], spHi = cpu.gprHi[RSP];
  const oldCpl = cpu.cpl;
  savedSs.copyFrom(cpu.seg[SS]);
  try {
    iretInner(cpu, opBytes, nextLo);
  } catch (e) {
    cpu.gprLo[RSP] = spLo;
    cpu.gprHi[RSP] = spHi;
    cpu.cpl = oldCpl;
    cpu.seg[SS].copyFrom(savedSs);
    throw e;
  }
  cpu.nmiBlocked = false;
}

function newFlags(cpu: Cpu, cur: number, popped: number, opBytes: number, cpl: number): number {
  let changeable = 0x3f7fd5 & ~(EFL_VM | EFL_VIF | EFL_VIP); // ID AC RF NT IOPL OF DF IF TF SF ZF AF PF CF (+VM etc. at CPL 0 only)
  if (cpl === 0) changeable |= EFL_VIF | EFL_VIP;
  if (cpl > 0) changeable &= ~EFL_IOPL;
  if (cpl > ((cur & EFL_IOPL) >>> 12)) changeable &= ~EFL_IF;
  if (opBytes === 2) changeable &= 0xffff;
  return (cur & ~changeable) | (popped & changeable);
}

function iretInner(cpu: Cpu, opBytes: 2 | 4 | 8, nextLo: number): void {
  const cur = cpu.getEflags();
  if (cpu.mode === 'real') {
    const ip = cpu.pop(opBytes === 8 ? 4 : opBytes);
    const cs = cpu.pop(opBytes === 8 ? 4 : opBytes) & 0xffff;
    const fl = cpu.pop(opBytes === 8 ? 4 : opBytes);
    cpu.seg[CS].loadReal(cs);
    cpu.ripLo = opBytes === 2 ? ip & 0xffff : ip;
    cpu.ripHi = 0;
    const mask = opBytes === 2 ? 0x7fd5 : 0x257fd5; // VM, VIP, VIF unchanged in real mode
    cpu.setEflags((cur & ~mask) | (fl & mask));
    return;
  }
  if (cpu.mode === 'v86') cpu.raise(GP, 0, 'IRET in virtual-8086 mode is not supported');
  if (cur & EFL_NT) {
    if (cpu.efer & EFER_LMA) cpu.raise(GP, 0, 'IRET with NT=1 in IA-32e mode');
    // Task return: back to the task named by the current TSS's link field.
    const link = cpu.readSys16(cpu.tr.base, 0);
    taskSwitch(cpu, link, 'iret', nextLo);
    return;
  }
  const ipLo = cpu.pop(opBytes);
  const ipHi = opBytes === 8 ? cpu.mmu.hi : 0;
  const sel = cpu.pop(opBytes) & 0xffff;
  const fl = cpu.pop(opBytes);
  if (fl & EFL_VM && cpu.cpl === 0 && !(cpu.efer & EFER_LMA) && opBytes === 4) cpu.raise(GP, 0, 'IRET to virtual-8086 mode is not supported');
  const rpl = sel & 3;
  if ((sel & 0xfffc) === 0) cpu.raise(GP, 0, 'IRET to a null code selector');
  if (rpl < cpu.cpl) cpu.raise(GP, sel & 0xfffc, 'IRET to a more privileged level');
  readDescriptor(cpu, sel);
  const a = (desc.hi >>> 8) & 0xf0ff;
  const dpl = (a >>> 5) & 3;
  if ((a & (ATTR_S | ATTR_CODE)) !== (ATTR_S | ATTR_CODE)) cpu.raise(GP, sel & 0xfffc, 'IRET: not a code segment');
  if (a & ATTR_CE ? dpl > rpl : dpl !== rpl) cpu.raise(GP, sel & 0xfffc, 'IRET: code DPL does not match RPL');
  if (!(a & ATTR_P)) cpu.raise(NP, sel & 0xfffc, 'IRET: code segment not present');
  const lma = (cpu.efer & EFER_LMA) !== 0;
  const to64 = lma && (a & ATTR_L) !== 0;
  if (lma && a & ATTR_L && a & ATTR_DB) cpu.raise(GP, sel & 0xfffc, 'IRET: code segment has both L and D');
  const csLo = desc.lo, csHi = desc.hi;
  const outer = rpl > cpu.cpl;
  // 64-bit mode always pops SS:RSP; otherwise only on a return to an outer level.
  if (outer || cpu.mode === 'long') {
    const newSpLo = cpu.pop(opBytes);
    const newSpHi = opBytes === 8 ? cpu.mmu.hi : 0;
    const ssSel = cpu.pop(opBytes) & 0xffff;
    const oldCpl = cpu.cpl;
    cpu.cpl = rpl;
    if ((ssSel & 0xfffc) === 0 && to64 && rpl !== 3) {
      cpu.seg[SS].loadNull(ssSel);
      cpu.seg[SS].attr = ATTR_P | ATTR_S | ATTR_RW | ATTR_DB | (rpl << 5) ;
    } else {
      try {
        loadSegment(cpu, SS, ssSel);
      } catch (e) {
        cpu.cpl = oldCpl;
        throw e;
      }
    }
    cpu.cpl = oldCpl;
    cpu.gprLo[RSP] = opBytes === 2 ? ((cpu.gprLo[RSP] & 0xffff0000) | (newSpLo & 0xffff)) >>> 0 : newSpLo;
    cpu.gprHi[RSP] = to64 ? newSpHi : 0;
  }
  // Offset check against the new CS.
  if (to64) {
    const top = cpu.cr4 & 0x1000 ? ipHi >> 24 : ipHi >> 15;
    if (top !== 0 && top !== -1) cpu.raise(GP, 0, 'IRET to a non-canonical RIP');
  } else {
    const rawLimit = (csLo & 0xffff) | (csHi & 0xf0000);
    const limit = a & 0x8000 ? ((rawLimit << 12) | 0xfff) >>> 0 : rawLimit;
    if ((opBytes === 2 ? ipLo & 0xffff : ipLo) > limit) cpu.raise(GP, 0, 'IRET offset beyond the CS limit');
  }
  const flags = newFlags(cpu, cur, fl, opBytes, cpu.cpl);
  cpu.seg[CS].loadDescriptor(sel, csLo, csHi);
  cpu.cpl = rpl;
  cpu.setEflags(flags);
  cpu.ripLo = opBytes === 2 ? ipLo & 0xffff : ipLo;
  cpu.ripHi = to64 ? ipHi : 0;
  if (outer) nullInaccessibleDataSegments(cpu);
  cpu.modeChanged();
}
