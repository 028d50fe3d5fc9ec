// String instructions (MOVS CMPS SCAS LODS STOS INS OUTS) with REP/REPE/REPNE, and IN/OUT with the I/O
// permission check (IOPL, then the TSS I/O bitmap). A long REP runs in bounded chunks: RIP stays on the
// instruction until RCX reaches zero, so interrupts and the run loop's slices can intervene between chunks.
import * as Mbits from '../../isa/bits/control';
import type { Cpu } from '../cpu/cpu';
import * as Mfault from '../cpu/fault';
import * as Msegment from '../cpu/segment';
import * as Mcontext from './context';
import * as Mflags from './flags';
import type { Handler } from './integer';
// Imported bindings copied into locals: tsx/CommonJS turns each use of an import into a getter call, which
// dominated the hot path.
const { EFL_DF, EFL_IOPL } = Mbits;
const { GP } = Mfault;
const { DS, ES } = Msegment;
const { X, addReg, regAtAs, getReg, setReg, formDst, formSrc, K_IMM } = Mcontext;
const { L_SUB, setLazy, condition } = Mflags;

export const stringHandlers: Record<string, Handler> = {};
const H = stringHandlers;
const CHUNK = 4096;

function readAt(cpu: Cpu, seg: number, reg: number, as: number, size: number): number {
  const lo = regAtAs(cpu, reg, as), hi = X.hi;
  switch (size) {
    case 8: return cpu.read8(seg, lo, hi);
    case 16: return cpu.read16(seg, lo, hi);
    case 32: return cpu.read32(seg, lo, hi);
    default: { const v = cpu.read64(seg, lo, hi); X.hi = cpu.mmu.hi; return v; }
  }
}
function writeAt(cpu: Cpu, seg: number, reg: number, as: number, size: number, v: number, vh: number): void {
  const lo = regAtAs(cpu, reg, as), hi = X.hi;
  switch (size) {
    case 8: cpu.write8(seg, lo, hi, v); return;
    case 16: cpu.write16(seg, lo, hi, v); return;
    case 32: cpu.write32(seg, lo, hi, v); return;
    default: cpu.write64(seg, lo, hi, v, vh);
  }
}

/** I/O permission for `size` bytes at `port`: CPL <= IOPL outside V86, else the TSS bitmap must allow it. */
export function checkIo(cpu: Cpu, port: number, size: number): void {
  if (cpu.mode === 'real') return;
  if (cpu.mode !== 'v86' && cpu.cpl <= (cpu.eflags & EFL_IOPL) >>> 12) return;
  const tr = cpu.tr;
  const type = tr.attr & 0xf;
  if (!tr.usable || (type !== 9 && type !== 11) || tr.limit < 0x67) cpu.raise(GP, 0, `I/O to port 0x${port.toString(16)} denied (no 32-bit TSS bitmap)`);
  const base = cpu.readSys16((tr.base + 0x66) >>> 0, tr.baseHi);
  const at = base + (port >>> 3);
  if (at + 1 > tr.limit) cpu.raise(GP, 0, `I/O to port 0x${port.toString(16)} beyond the TSS I/O bitmap`);
  const bits = cpu.readSys16((tr.base + at) >>> 0, tr.baseHi);
  if ((bits >>> (port & 7)) & ((1 << size) - 1)) cpu.raise(GP, 0, `I/O to port 0x${port.toString(16)} denied by the TSS I/O bitmap`);
}

/** REP prefix handling: returns false when RCX is already zero (nothing to do). */
function repCount(cpu: Cpu, as: number): boolean {
  const c = regAtAs(cpu, 1, as);
  return (c | X.hi) !== 0;
}

/** Runs `once` under REP (Rep/Repne bits mean REPE/REPNE for CMPS/SCAS when `cond`). */
function repeat(cpu: Cpu, cond: boolean, once: () => void): void {
  const d = X.d;
  const rep = d.prefixes & 6;
  if (rep === 0) {
    once();
    return;
  }
  const as = d.addrSize;
  for (let i = 0; i < CHUNK; i++) {
    if (!repCount(cpu, as)) return;
    once();
    addReg(cpu, 1, as, -1);
    if (cond) {
      const z = condition(cpu, 4);
      if ((rep & 2) !== 0 ? !z : z) return; // REPE stops on ZF=0, REPNE on ZF=1
    }
  }
  if (repCount(cpu, as)) X.jumped = true; // more to do: run this instruction again
}

function step(cpu: Cpu, size: number): number {
  const n = size >> 3;
  return cpu.eflags & EFL_DF ? -n : n;
}

function srcSeg(): number {
  return X.d.segment >= 0 ? X.d.segment : DS;
}

let opSize = 0;
const movsOnce = (): void => {
  const cpu = X.cpu, as = X.d.addrSize;
  const v = readAt(cpu, srcSeg(), 6, as, opSize), vh = X.hi;
  writeAt(cpu, ES, 7, as, opSize, v, vh);
  const s = step(cpu, opSize);
  addReg(cpu, 6, as, s);
  addReg(cpu, 7, as, s);
};
const cmpsOnce = (): void => {
  const cpu = X.cpu, as = X.d.addrSize;
  const a = readAt(cpu, srcSeg(), 6, as, opSize), ah = opSize === 64 ? X.hi : 0;
  const b = readAt(cpu, ES, 7, as, opSize), bh = opSize === 64 ? X.hi : 0;
  subLazy(cpu, a, ah, b, bh);
  const s = step(cpu, opSize);
  addReg(cpu, 6, as, s);
  addReg(cpu, 7, as, s);
};
const scasOnce = (): void => {
  const cpu = X.cpu, as = X.d.addrSize;
  const a = getReg(cpu, 0, opSize), ah = opSize === 64 ? X.hi : 0;
  const b = readAt(cpu, ES, 7, as, opSize), bh = opSize === 64 ? X.hi : 0;
  subLazy(cpu, a, ah, b, bh);
  addReg(cpu, 7, as, step(cpu, opSize));
};
const lodsOnce = (): void => {
  const cpu = X.cpu, as = X.d.addrSize;
  const v = readAt(cpu, srcSeg(), 6, as, opSize), vh = X.hi;
  setReg(cpu, 0, opSize, v, vh);
  addReg(cpu, 6, as, step(cpu, opSize));
};
const stosOnce = (): void => {
  const cpu = X.cpu, as = X.d.addrSize;
  const v = getReg(cpu, 0, opSize), vh = opSize === 64 ? X.hi : 0;
  writeAt(cpu, ES, 7, as, opSize, v, vh);
  addReg(cpu, 7, as, step(cpu, opSize));
};
const insOnce = (): void => {
  const cpu = X.cpu, as = X.d.addrSize;
  const port = cpu.gprLo[2] & 0xffff;
  // Probe the destination before reading the port (a fault must not consume device data).
  const lo = regAtAs(cpu, 7, as);
  cpu.mmu.linearize(ES, lo, X.hi, opSize >> 3, 1);
  cpu.mmu.translate(cpu.mmu.linLo, cpu.mmu.linHi, 1);
  const v = cpu.portIn(port, (opSize >> 3) as 1 | 2 | 4);
  writeAt(cpu, ES, 7, as, opSize, v, 0);
  addReg(cpu, 7, as, step(cpu, opSize));
};
const outsOnce = (): void => {
  const cpu = X.cpu, as = X.d.addrSize;
  const v = readAt(cpu, srcSeg(), 6, as, opSize);
  cpu.portOut(cpu.gprLo[2] & 0xffff, (opSize >> 3) as 1 | 2 | 4, v);
  addReg(cpu, 6, as, step(cpu, opSize));
};

function subLazy(cpu: Cpu, a: number, ah: number, b: number, bh: number): void {
  let r: number, rh = 0;
  if (opSize === 64) {
    const l = a - b;
    r = l >>> 0;
    rh = (ah - bh - (l < 0 ? 1 : 0)) >>> 0;
  } else r = opSize === 32 ? (a - b) >>> 0 : (a - b) & (opSize === 8 ? 0xff : 0xffff);
  setLazy(cpu, L_SUB, opSize >> 3, a, ah, b, bh, r, rh);
}

H.movs = (cpu, d) => { opSize = d.opSize; repeat(cpu, false, movsOnce); };
H.cmps = (cpu, d) => { opSize = d.opSize; repeat(cpu, true, cmpsOnce); };
H.scas = (cpu, d) => { opSize = d.opSize; repeat(cpu, true, scasOnce); };
H.lods = (cpu, d) => { opSize = d.opSize; repeat(cpu, false, lodsOnce); };
H.stos = (cpu, d) => { opSize = d.opSize; repeat(cpu, false, stosOnce); };
H.ins = (cpu, d) => {
  opSize = d.opSize;
  checkIo(cpu, cpu.gprLo[2] & 0xffff, opSize >> 3);
  repeat(cpu, false, insOnce);
};
H.outs = (cpu, d) => {
  opSize = d.opSize;
  checkIo(cpu, cpu.gprLo[2] & 0xffff, opSize >> 3);
  repeat(cpu, false, outsOnce);
};

H.in = (cpu, d) => {
  const size = d.opSize;
  const port = formSrc[d.formIndex] === K_IMM ? d.imm & 0xff : cpu.gprLo[2] & 0xffff;
  checkIo(cpu, port, size >> 3);
  setReg(cpu, 0, size, cpu.portIn(port, (size >> 3) as 1 | 2 | 4));
};
H.out = (cpu, d) => {
  const size = d.opSize;
  const port = formDst[d.formIndex] === K_IMM ? d.imm & 0xff : cpu.gprLo[2] & 0xffff;
  checkIo(cpu, port, size >> 3);
  cpu.portOut(port, (size >> 3) as 1 | 2 | 4, getReg(cpu, 0, size));
};
