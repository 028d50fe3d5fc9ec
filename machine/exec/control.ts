// Control transfer, stack and flag-control instructions: Jcc/JMP/CALL/RET near and far, LOOP/JrCXZ, PUSH/POP
// (incl. segment registers, PUSHA/POPA, PUSHF/POPF with the IOPL/VM rules), ENTER/LEAVE, INT/INT3/INTO/IRET, HLT,
// CLI/STI and the single-flag instructions.
import * as Mbits from '../../isa/bits/control';
import type { DecodedInstruction } from '../../isa/decoder';
import type { Cpu } from '../cpu/cpu';
import * as Mfault from '../cpu/fault';
import * as Minterrupts from '../cpu/interrupts';
import * as Msegments from '../cpu/segments';
import * as Msegment from '../cpu/segment';
import * as Mstate from '../cpu/state';
import * as Mcontext from './context';
import * as Mflags from './flags';
import type { Handler } from './integer';
// Imported bindings copied into locals: tsx/CommonJS turns each use of an import into a getter call, which
// dominated the hot path.
const { EFL_AC, EFL_DF, EFL_ID, EFL_IF, EFL_IOPL, EFL_NT, EFL_RF, EFL_VM } = Mbits;
const { GP, UD } = Mfault;
const { deliverSoftwareInterrupt, iret } = Minterrupts;
const { farCall, farJump, farReturn, loadSegment } = Msegments;
const { CS, SS } = Msegment;
const { RSP } = Mstate;
const { X, addReg, computeEa, eaPlus, getReg, nearTarget, readMem, readRm, regAtAs, relTarget, setReg, writeRm, formDst, K_RM } = Mcontext;
const { CF, OF, ZF, condition, setFlags } = Mflags;

export const controlHandlers: Record<string, Handler> = {};
const H = controlHandlers;
const TWO32 = 0x1_0000_0000;

/** Operand size of a near branch: the form's, else the mode default (0x66 gives 16 bits, AMD-style in 64-bit mode). */
export function branchSize(cpu: Cpu, d: DecodedInstruction): number {
  if (d.opSize !== 0) return d.opSize;
  const p66 = (d.prefixes & 8) !== 0;
  if (cpu.codeSize === 64) return p66 ? 16 : 64;
  return (cpu.codeSize === 16) !== p66 ? 16 : 32;
}

H.jcc = (cpu, d) => {
  if (condition(cpu, d.form!.cc!)) relTarget(cpu, d.rel, branchSize(cpu, d));
};
H.jmp = (cpu, d) => relTarget(cpu, d.rel, branchSize(cpu, d));
H.jmp_indirect = (cpu, d) => {
  const size = d.opSize;
  const lo = readRm(cpu, size);
  nearTarget(cpu, lo, size === 64 ? X.hi : 0, size);
};

H.call = (cpu, d) => {
  const size = d.opSize;
  const retLo = X.nextLo, retHi = X.nextHi;
  relTarget(cpu, d.rel, size);
  cpu.push((size >> 3) as 2 | 4 | 8, retLo, retHi);
};
H.call_indirect = (cpu, d) => {
  const size = d.opSize;
  const retLo = X.nextLo, retHi = X.nextHi;
  const lo = readRm(cpu, size);
  nearTarget(cpu, lo, size === 64 ? X.hi : 0, size);
  cpu.push((size >> 3) as 2 | 4 | 8, retLo, retHi);
};

H.ret = (cpu, d) => {
  const size = d.opSize;
  const sp = cpu.gprLo[RSP], sph = cpu.gprHi[RSP];
  const lo = cpu.pop((size >> 3) as 2 | 4 | 8);
  const hi = size === 64 ? cpu.mmu.hi : 0;
  try {
    nearTarget(cpu, lo, hi, size);
  } catch (e) {
    cpu.gprLo[RSP] = sp;
    cpu.gprHi[RSP] = sph;
    throw e;
  }
  if (d.form!.operands.length) adjustSp(cpu, d.imm & 0xffff);
};

/** RSP += n at the stack width. */
export function adjustSp(cpu: Cpu, n: number): void {
  const w = cpu.stackSize;
  if (w === 16) cpu.gprLo[RSP] = (cpu.gprLo[RSP] & 0xffff0000) | ((cpu.gprLo[RSP] + n) & 0xffff);
  else if (w === 32) cpu.gprLo[RSP] = (cpu.gprLo[RSP] + n) >>> 0;
  else addReg(cpu, RSP, 64, n);
}

H.jmp_far = (cpu, d) => {
  farJump(cpu, d.imm2 & 0xffff, d.opSize === 16 ? d.imm & 0xffff : d.imm >>> 0, 0, X.nextLo);
  X.jumped = true;
};
H.call_far = (cpu, d) => {
  const bytes = (d.opSize >> 3) as 2 | 4;
  farCall(cpu, d.imm2 & 0xffff, d.opSize === 16 ? d.imm & 0xffff : d.imm >>> 0, 0, bytes, X.nextLo, X.nextHi);
  X.jumped = true;
};
let farOff = 0, farOffHi = 0;
/** Reads an m16:16/32/64 far pointer at the effective address: offset into farOff(Hi), returns the selector. */
function farPointer(cpu: Cpu, size: number): number {
  farOff = readMem(cpu, size);
  farOffHi = size === 64 ? X.hi : 0;
  eaPlus(size >> 3);
  return readMem(cpu, 16);
}
H.jmp_far_indirect = (cpu, d) => {
  const sel = farPointer(cpu, d.opSize);
  farJump(cpu, sel, farOff, farOffHi, X.nextLo);
  X.jumped = true;
};
H.call_far_indirect = (cpu, d) => {
  const sel = farPointer(cpu, d.opSize);
  farCall(cpu, sel, farOff, farOffHi, (d.opSize >> 3) as 2 | 4 | 8, X.nextLo, X.nextHi);
  X.jumped = true;
};
H.lret = (cpu, d) => {
  farReturn(cpu, (d.opSize >> 3) as 2 | 4 | 8, d.form!.operands.length ? d.imm & 0xffff : 0);
  X.jumped = true;
};
H.iret = (cpu, d) => {
  if (cpu.mode === 'v86' && ((cpu.eflags & EFL_IOPL) >>> 12) < 3) cpu.raise(GP, 0, 'IRET in V86 mode with IOPL < 3');
  iret(cpu, (d.opSize >> 3) as 2 | 4 | 8, X.nextLo);
  X.jumped = true;
};

function loopOp(kind: number): Handler {
  // 0 loop, 1 loope, 2 loopne
  return (cpu, d) => {
    const as = d.addrSize;
    addReg(cpu, 1, as, -1);
    const c = regAtAs(cpu, 1, as);
    let take = (c | X.hi) !== 0;
    if (take && kind !== 0) {
      const z = condition(cpu, 4);
      take = kind === 1 ? z : !z;
    }
    if (take) relTarget(cpu, d.rel, branchSize(cpu, d));
  };
}
H.loop = loopOp(0);
H.loope = loopOp(1);
H.loopne = loopOp(2);
H.jrcxz = (cpu, d) => {
  const c = regAtAs(cpu, 1, d.addrSize);
  if ((c | X.hi) === 0) relTarget(cpu, d.rel, branchSize(cpu, d));
};

// ---- stack ----------------------------------------------------------------------------------------------------

H.push = (cpu, d) => {
  const size = d.opSize;
  const k = formDst[d.formIndex];
  let lo: number, hi = 0;
  if (k === K_RM || k === 3 /* ro */) {
    lo = k === K_RM ? readRm(cpu, size) : getReg(cpu, d.rmReg, size);
    if (size === 64) hi = X.hi;
  } else {
    lo = size === 16 ? d.imm & 0xffff : d.imm >>> 0;
    hi = d.immHigh >>> 0;
  }
  cpu.push((size >> 3) as 2 | 4 | 8, lo, hi);
};

H.pop = (cpu, d) => {
  const size = d.opSize;
  const sp = cpu.gprLo[RSP], sph = cpu.gprHi[RSP];
  const lo = cpu.pop((size >> 3) as 2 | 4 | 8);
  const hi = size === 64 ? cpu.mmu.hi : 0;
  if (formDst[d.formIndex] !== K_RM || !d.hasMem) {
    setReg(cpu, formDst[d.formIndex] === K_RM ? d.rmReg : d.rmReg, size, lo, hi);
    return;
  }
  // POP to memory computes an RSP-based address after the increment; a faulting store restores RSP.
  try {
    computeEa(cpu, d, false);
    writeRm(cpu, size, lo, hi);
  } catch (e) {
    cpu.gprLo[RSP] = sp;
    cpu.gprHi[RSP] = sph;
    throw e;
  }
};

/** Segment register named by a push/pop %sreg form's opcode. */
function sregOf(d: DecodedInstruction): number {
  const op = d.opcode;
  if (d.map === 1) return op === 0xa0 || op === 0xa1 ? 4 : 5;
  return (op >> 3) & 3;
}

H.push_sreg = (cpu, d) => {
  // Like QEMU, a 32/64-bit push stores the zero-extended selector.
  cpu.push((d.opSize >> 3) as 2 | 4 | 8, cpu.seg[sregOf(d)].selector, 0);
};
H.pop_sreg = (cpu, d) => {
  const seg = sregOf(d);
  const sp = cpu.gprLo[RSP], sph = cpu.gprHi[RSP];
  const sel = cpu.pop((d.opSize >> 3) as 2 | 4 | 8) & 0xffff;
  try {
    loadSegment(cpu, seg, sel);
  } catch (e) {
    cpu.gprLo[RSP] = sp;
    cpu.gprHi[RSP] = sph;
    throw e;
  }
  if (seg === SS) cpu.interruptShadow = true;
};

const saved = new Uint32Array(8);
H.pusha = (cpu, d) => {
  const size = d.opSize, bytes = (size >> 3) as 2 | 4;
  const sp = cpu.gprLo[RSP];
  try {
    for (let r = 0; r < 8; r++) cpu.push(bytes, r === RSP ? (size === 16 ? sp & 0xffff : sp) : size === 16 ? cpu.gprLo[r] & 0xffff : cpu.gprLo[r]);
  } catch (e) {
    cpu.gprLo[RSP] = sp;
    throw e;
  }
};
H.popa = (cpu, d) => {
  const size = d.opSize, bytes = (size >> 3) as 2 | 4;
  const sp = cpu.gprLo[RSP];
  try {
    for (let r = 7; r >= 0; r--) saved[r] = cpu.pop(bytes);
  } catch (e) {
    cpu.gprLo[RSP] = sp;
    throw e;
  }
  for (let r = 0; r < 8; r++) if (r !== RSP) setReg(cpu, r, size, saved[r]);
};

H.pushf = (cpu, d) => {
  if (cpu.mode === 'v86' && ((cpu.eflags & EFL_IOPL) >>> 12) < 3) cpu.raise(GP, 0, 'PUSHF in V86 mode with IOPL < 3');
  const f = cpu.getEflags() & ~(EFL_RF | EFL_VM);
  cpu.push((d.opSize >> 3) as 2 | 4 | 8, d.opSize === 16 ? f & 0xffff : f, 0);
};
H.popf = (cpu, d) => {
  const iopl = (cpu.eflags & EFL_IOPL) >>> 12;
  if (cpu.mode === 'v86' && iopl < 3) cpu.raise(GP, 0, 'POPF in V86 mode with IOPL < 3');
  const v = cpu.pop((d.opSize >> 3) as 2 | 4 | 8);
  // Changeable: CF PF AF ZF SF TF IF DF OF IOPL NT AC ID; RF is cleared, VM/VIP/VIF stay.
  let m = 0x7fd5 | EFL_NT | EFL_AC | EFL_ID;
  if (cpu.cpl > 0) m &= ~EFL_IOPL;
  if (cpu.cpl > iopl) m &= ~EFL_IF;
  if (d.opSize === 16) m &= 0xffff;
  const cur = cpu.getEflags();
  cpu.setEflags(((cur & ~m & ~EFL_RF) | (v & m)) >>> 0);
};

H.enter = (cpu, d) => {
  const size = d.opSize, bytes = (size >> 3) as 2 | 4 | 8;
  const alloc = d.imm & 0xffff, level = d.imm2 & 31;
  const sw = cpu.stackSize;
  const sp0 = cpu.gprLo[RSP], sp0h = cpu.gprHi[RSP], bp0 = cpu.gprLo[5], bp0h = cpu.gprHi[5];
  try {
    cpu.push(bytes, bp0, bp0h);
    const frameLo = cpu.gprLo[RSP], frameHi = cpu.gprHi[RSP];
    if (level > 0) {
      let bpLo = bp0, bpHi = bp0h;
      for (let i = 1; i < level; i++) {
        // Copy the enclosing frame pointers from the old frame (addressed with the stack width).
        const dec = i * (size >> 3);
        let aLo: number, aHi = 0;
        if (sw === 16) aLo = (bpLo - dec) & 0xffff;
        else if (sw === 32) aLo = (bpLo - dec) >>> 0;
        else { const s = bpLo - dec; aLo = s >>> 0; aHi = (bpHi + Math.floor(s / TWO32)) >>> 0; }
        const v = bytes === 2 ? cpu.read16(SS, aLo, aHi) : bytes === 4 ? cpu.read32(SS, aLo, aHi) : cpu.read64(SS, aLo, aHi);
        cpu.push(bytes, v, bytes === 8 ? cpu.mmu.hi : 0);
        void bpHi;
        bpLo = bp0;
      }
      cpu.push(bytes, size === 16 ? frameLo & 0xffff : frameLo, frameHi);
    }
    // rBP <- frame temp (at operand size), rSP -= alloc
    if (size === 16) cpu.gprLo[5] = (cpu.gprLo[5] & 0xffff0000) | (frameLo & 0xffff);
    else if (size === 32) { cpu.gprLo[5] = frameLo; cpu.gprHi[5] = 0; }
    else { cpu.gprLo[5] = frameLo; cpu.gprHi[5] = frameHi; }
    // The new stack top must be writable (hardware probes it); adjust first, then check by a probe read.
    adjustSp(cpu, -alloc);
    if (alloc !== 0 && cpu.mode !== 'long') {
      const top = sw === 16 ? cpu.gprLo[RSP] & 0xffff : cpu.gprLo[RSP];
      cpu.mmu.linearize(SS, top, 0, 1, 1);
    }
  } catch (e) {
    cpu.gprLo[RSP] = sp0;
    cpu.gprHi[RSP] = sp0h;
    cpu.gprLo[5] = bp0;
    cpu.gprHi[5] = bp0h;
    throw e;
  }
};

H.leave = (cpu, d) => {
  const sw = cpu.stackSize;
  const sp = cpu.gprLo[RSP], sph = cpu.gprHi[RSP];
  if (sw === 16) cpu.gprLo[RSP] = (sp & 0xffff0000) | (cpu.gprLo[5] & 0xffff);
  else if (sw === 32) cpu.gprLo[RSP] = cpu.gprLo[5];
  else { cpu.gprLo[RSP] = cpu.gprLo[5]; cpu.gprHi[RSP] = cpu.gprHi[5]; }
  try {
    const v = cpu.pop((d.opSize >> 3) as 2 | 4 | 8);
    setReg(cpu, 5, d.opSize, v, d.opSize === 64 ? cpu.mmu.hi : 0);
  } catch (e) {
    cpu.gprLo[RSP] = sp;
    cpu.gprHi[RSP] = sph;
    throw e;
  }
};

// ---- interrupts --------------------------------------------------------------------------------------------------

function softInt(cpu: Cpu, vector: number): void {
  deliverSoftwareInterrupt(cpu, vector, X.nextLo, X.nextHi);
  X.jumped = true;
}
H.int = (cpu, d) => {
  if (cpu.mode === 'v86' && ((cpu.eflags & EFL_IOPL) >>> 12) < 3) cpu.raise(GP, 0, 'INT n in V86 mode with IOPL < 3');
  softInt(cpu, d.imm & 0xff);
};
H.int3 = (cpu) => softInt(cpu, 3);
H.int1 = (cpu) => softInt(cpu, 1);
H.into = (cpu) => {
  if (condition(cpu, 0)) softInt(cpu, 4);
};
const undefinedOpcode: Handler = (cpu, d) => cpu.raise(UD, 0, `${d.form!.names[0]} is an undefined opcode`);
H.ud2 = undefinedOpcode;
H.ud1 = undefinedOpcode;
H.ud0 = undefinedOpcode;

H.hlt = (cpu) => {
  if (cpu.cpl !== 0) cpu.raise(GP, 0, 'HLT needs CPL 0');
  cpu.runState = 'halted';
};

function iopl(cpu: Cpu): number {
  return (cpu.eflags & EFL_IOPL) >>> 12;
}
H.cli = (cpu) => {
  if (cpu.mode !== 'real' && cpu.cpl > iopl(cpu)) cpu.raise(GP, 0, 'CLI with CPL above IOPL');
  setFlags(cpu, 0, EFL_IF);
};
H.sti = (cpu) => {
  if (cpu.mode !== 'real' && cpu.cpl > iopl(cpu)) cpu.raise(GP, 0, 'STI with CPL above IOPL');
  if (!(cpu.eflags & EFL_IF)) cpu.interruptShadow = true;
  setFlags(cpu, EFL_IF, EFL_IF);
};
H.clc = (cpu) => setFlags(cpu, 0, CF);
H.stc = (cpu) => setFlags(cpu, CF, CF);
H.cmc = (cpu) => setFlags(cpu, (cpu.getEflags() & CF) ^ CF, CF);
H.cld = (cpu) => setFlags(cpu, 0, EFL_DF);
H.std = (cpu) => setFlags(cpu, EFL_DF, EFL_DF);
void ZF;
void OF;
