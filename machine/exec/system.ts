// System instructions: descriptor-table registers, control/debug registers, MSRs, TSC, CPUID, SYSCALL/SYSRET,
// SYSENTER/SYSEXIT, LAR/LSL/VERR/VERW, XGETBV/XSETBV, cache/TLB maintenance, and the minimal x87/SSE state
// management boot code performs (FNINIT, FNSTSW/FNSTCW/FLDCW, FXSAVE/FXRSTOR, LDMXCSR/STMXCSR, XSAVE family).
import * as Mbits from '../../isa/bits/control';
import * as Mmsr from '../../isa/bits/msr';
import type { Cpu } from '../cpu/cpu';
import * as Mcontrol from '../cpu/control';
import * as Mfault from '../cpu/fault';
import * as Msegments from '../cpu/segments';
import * as Msegment from '../cpu/segment';
import * as Mcontext from './context';
import * as Mflags from './flags';
import type { Handler } from './integer';
// Imported bindings copied into locals: tsx/CommonJS turns each use of an import into a getter call, which
// dominated the hot path.
const { CR0_EM, CR0_MP, CR0_TS, CR4_DE, CR4_FSGSBASE, CR4_OSFXSR, CR4_OSXSAVE, CR4_PCE, CR4_TSD, CR4_UMIP, EFER_LMA, EFL_AC, EFL_IF, EFL_RF, EFL_VM } = Mbits;
const { MSR_SYSENTER_CS, MSR_SYSENTER_EIP, MSR_SYSENTER_ESP, MSR_TSC_AUX } = Mmsr;
const { clts, executeCpuid, lmsw, loadGdtr, loadIdtr, readMsr, writeCr0, writeCr2, writeCr3, writeCr4, writeCr8, writeMsr, xsetbv } = Mcontrol;
const { DB, GP, NM, UD } = Mfault;
const { desc, loadLdtr, loadTr, readDescriptor, swapgs, syscall, sysret } = Msegments;
const { ATTR_ACCESSED, ATTR_CE, ATTR_CODE, ATTR_DB, ATTR_G, ATTR_L, ATTR_P, ATTR_RW, ATTR_S, CS, FS, GS, SS } = Msegment;
const { X, eaPlus, getReg, readMem, readRm, setReg, writeMem, writeRm, formDst, K_RM } = Mcontext;
const { ZF, setFlags } = Mflags;

export const systemHandlers: Record<string, Handler> = {};
const H = systemHandlers;

/** Number of CPUs in the machine, for CPUID topology leaves (set by the executor's owner). */
export const systemConfig = { cpuCount: 1 };

function cpl0(cpu: Cpu, what: string): void {
  if (cpu.mode !== 'real' && cpu.cpl !== 0) cpu.raise(GP, 0, `${what} needs CPL 0`);
}
function protectedOnly(cpu: Cpu, what: string): void {
  if (cpu.mode === 'real' || cpu.mode === 'v86') cpu.raise(UD, 0, `${what} is not recognized in real/V86 mode`);
}
function umip(cpu: Cpu, what: string): void {
  if (cpu.cr4 & CR4_UMIP && cpu.mode !== 'real' && cpu.cpl > 0) cpu.raise(GP, 0, `${what} at CPL > 0 with CR4.UMIP`);
}

// ---- descriptor-table registers ---------------------------------------------------------------------------------

function loadTable(idt: boolean): Handler {
  return (cpu, d) => {
    cpl0(cpu, idt ? 'LIDT' : 'LGDT');
    const limit = readMem(cpu, 16);
    eaPlus(2);
    let lo: number, hi = 0;
    if (cpu.mode === 'long') {
      lo = readMem(cpu, 64);
      hi = X.hi;
    } else {
      lo = readMem(cpu, 32);
      if (d.opSize === 16) lo &= 0xffffff;
    }
    (idt ? loadIdtr : loadGdtr)(cpu, lo, hi, limit);
  };
}
H.lgdt = loadTable(false);
H.lidt = loadTable(true);

function storeTable(idt: boolean): Handler {
  return (cpu) => {
    umip(cpu, idt ? 'SIDT' : 'SGDT');
    writeMem(cpu, 16, idt ? cpu.idtLimit : cpu.gdtLimit);
    eaPlus(2);
    const lo = idt ? cpu.idtBase : cpu.gdtBase, hi = idt ? cpu.idtBaseHi : cpu.gdtBaseHi;
    if (cpu.mode === 'long') writeMem(cpu, 64, lo, hi);
    else writeMem(cpu, 32, lo); // QEMU (and current CPUs) store all 32 base bits even with a 16-bit operand
  };
}
H.sgdt = storeTable(false);
H.sidt = storeTable(true);

function storeSelector(which: 'ldtr' | 'tr'): Handler {
  return (cpu, d) => {
    protectedOnly(cpu, which === 'tr' ? 'STR' : 'SLDT');
    umip(cpu, which === 'tr' ? 'STR' : 'SLDT');
    const sel = cpu[which].selector;
    if (d.hasMem) writeMem(cpu, 16, sel);
    else setReg(cpu, d.rmReg, d.opSize === 16 ? 16 : d.opSize === 64 ? 64 : 32, sel, 0);
  };
}
H.sldt = storeSelector('ldtr');
H.str = storeSelector('tr');
H.lldt = (cpu) => {
  protectedOnly(cpu, 'LLDT');
  loadLdtr(cpu, readRm(cpu, 16));
};
H.ltr = (cpu) => {
  protectedOnly(cpu, 'LTR');
  loadTr(cpu, readRm(cpu, 16));
};
H.lmsw = (cpu) => {
  cpl0(cpu, 'LMSW');
  lmsw(cpu, readRm(cpu, 16));
};
H.smsw = (cpu, d) => {
  umip(cpu, 'SMSW');
  if (d.hasMem) writeMem(cpu, 16, cpu.cr0 & 0xffff);
  else setReg(cpu, d.rmReg, d.opSize, d.opSize === 16 ? cpu.cr0 & 0xffff : cpu.cr0, 0);
};
H.clts = (cpu) => {
  cpl0(cpu, 'CLTS');
  clts(cpu);
};

// ---- control and debug registers ----------------------------------------------------------------------------------

H.mov_cr = (cpu, d) => {
  cpl0(cpu, 'MOV CR');
  const n = d.reg;
  const wide = cpu.mode === 'long';
  if (n !== 0 && n !== 2 && n !== 3 && n !== 4 && n !== 8) cpu.raise(UD, 0, `no control register CR${n}`);
  if (n === 8 && !wide && !d.lockCr8) cpu.raise(UD, 0, 'CR8 outside 64-bit mode');
  const size = wide ? 64 : 32;
  if (formDst[d.formIndex] === K_RM) {
    // read CRn into the register
    let lo = 0, hi = 0;
    switch (n) {
      case 0: lo = cpu.cr0; break;
      case 2: lo = cpu.cr2Lo; hi = cpu.cr2Hi; break;
      case 3: lo = cpu.cr3Lo; hi = cpu.cr3Hi; break;
      case 4: lo = cpu.cr4; break;
      default: lo = cpu.cr8;
    }
    setReg(cpu, d.rmReg, size, lo, wide ? hi : 0);
    return;
  }
  const lo = getReg(cpu, d.rmReg, size), hi = wide ? X.hi : 0;
  switch (n) {
    case 0: writeCr0(cpu, lo, hi); break;
    case 2: writeCr2(cpu, lo, hi); break;
    case 3: writeCr3(cpu, lo, hi); break;
    case 4: writeCr4(cpu, lo, hi); break;
    default: writeCr8(cpu, lo, hi);
  }
};

H.mov_dr = (cpu, d) => {
  cpl0(cpu, 'MOV DR');
  let n = d.reg;
  if (cpu.dr[14] & 0x2000) {
    // DR7.GD: general detect. The access raises #DB (a fault) with DR6.BD set, and GD clears for the handler.
    cpu.dr[12] = (cpu.dr[12] | 0x2000) >>> 0;
    cpu.dr[14] = (cpu.dr[14] & ~0x2000) >>> 0;
    cpu.raise(DB, 0, 'MOV DR with DR7.GD set');
  }
  if (n > 7) cpu.raise(UD, 0, `no debug register DR${n}`);
  if (n === 4 || n === 5) {
    if (cpu.cr4 & CR4_DE) cpu.raise(UD, 0, `DR${n} with CR4.DE=1`);
    n += 2;
  }
  const wide = cpu.mode === 'long';
  const size = wide ? 64 : 32;
  if (formDst[d.formIndex] === K_RM) {
    setReg(cpu, d.rmReg, size, cpu.dr[2 * n], wide ? cpu.dr[2 * n + 1] : 0);
    return;
  }
  const lo = getReg(cpu, d.rmReg, size), hi = wide ? X.hi : 0;
  if ((n === 6 || n === 7) && hi !== 0) cpu.raise(GP, 0, `MOV DR${n}: bits 63:32 must be zero`);
  if (n === 6) cpu.dr[12] = ((lo | 0xffff0ff0) & ~0x1000) >>> 0;
  else if (n === 7) cpu.dr[14] = ((lo | 0x400) & ~0xd800) >>> 0;
  else {
    cpu.dr[2 * n] = lo;
    cpu.dr[2 * n + 1] = hi;
  }
};

// ---- TLB and caches --------------------------------------------------------------------------------------------

H.invlpg = (cpu) => {
  cpl0(cpu, 'INVLPG');
  const s = cpu.seg[X.eaSeg];
  if (cpu.mode === 'long') {
    let lo = X.eaLo, hi = X.eaHi;
    if (X.eaSeg >= FS) {
      const sum = lo + s.base;
      lo = sum >>> 0;
      hi = (hi + s.baseHi + (sum >= 0x100000000 ? 1 : 0)) >>> 0;
    }
    cpu.mmu.invalidatePage(lo, hi);
  } else cpu.mmu.invalidatePage((s.base + X.eaLo) >>> 0, 0);
};
H.invpcid = (cpu, d) => {
  if (!cpu.model.features.pcid) cpu.raise(UD, 0, 'INVPCID not supported by this CPU model');
  protectedOnly(cpu, 'INVPCID');
  cpl0(cpu, 'INVPCID');
  const type = getReg(cpu, d.reg, cpu.mode === 'long' ? 64 : 32);
  if ((cpu.mode === 'long' && X.hi !== 0) || type > 3) cpu.raise(GP, 0, 'INVPCID: invalid type');
  readMem(cpu, 64); // the descriptor must be readable
  if (type === 2) cpu.mmu.flushAll();
  else cpu.mmu.flushNonGlobal(); // individual-address and single-context flushes are done conservatively
};
const privilegedNop: Handler = (cpu, d) => cpl0(cpu, d.form!.names[0].toUpperCase());
H.wbinvd = privilegedNop;
H.invd = privilegedNop;
H.wbnoinvd = privilegedNop;
const touch: Handler = (cpu) => void readMem(cpu, 8);
H.clflush = touch;
H.clflushopt = touch;
H.clwb = touch;
const nop: Handler = () => {};
for (const n of ['nop', 'pause', 'prefetch', 'prefetchwt1', 'cldemote', 'lfence', 'mfence', 'sfence', 'endbr64', 'endbr32', 'serialize', 'prefetchnta', 'prefetcht0', 'prefetcht1', 'prefetcht2', 'prefetchw']) H[n] = nop;

// ---- MSRs, TSC, CPUID ---------------------------------------------------------------------------------------------

H.rdmsr = (cpu) => {
  cpl0(cpu, 'RDMSR');
  const lo = readMsr(cpu, cpu.gprLo[1]);
  setReg(cpu, 0, 32, lo);
  setReg(cpu, 2, 32, cpu.mmu.hi);
};
H.wrmsr = (cpu) => {
  cpl0(cpu, 'WRMSR');
  writeMsr(cpu, cpu.gprLo[1], cpu.gprLo[0], cpu.gprLo[2]);
};
function tsc(cpu: Cpu): void {
  const t = cpu.instructionsRetired + cpu.tscOffset;
  setReg(cpu, 0, 32, t >>> 0);
  setReg(cpu, 2, 32, Math.floor(t / 0x100000000) >>> 0);
}
H.rdtsc = (cpu) => {
  if (cpu.cr4 & CR4_TSD && cpu.cpl > 0 && cpu.mode !== 'real') cpu.raise(GP, 0, 'RDTSC at CPL > 0 with CR4.TSD');
  tsc(cpu);
};
H.rdtscp = (cpu) => {
  if (!cpu.model.features.rdtscp) cpu.raise(UD, 0, 'RDTSCP not supported');
  if (cpu.cr4 & CR4_TSD && cpu.cpl > 0 && cpu.mode !== 'real') cpu.raise(GP, 0, 'RDTSCP at CPL > 0 with CR4.TSD');
  tsc(cpu);
  setReg(cpu, 1, 32, cpu.msr.get(MSR_TSC_AUX)?.[0] ?? 0);
};
H.rdpid = (cpu, d) => {
  if (!cpu.model.features.rdtscp) cpu.raise(UD, 0, 'RDPID not supported');
  setReg(cpu, d.rmReg, cpu.mode === 'long' ? 64 : 32, cpu.msr.get(MSR_TSC_AUX)?.[0] ?? 0, 0);
};
H.rdpmc = (cpu) => {
  if (!(cpu.cr4 & CR4_PCE) && cpu.cpl > 0 && cpu.mode !== 'real') cpu.raise(GP, 0, 'RDPMC at CPL > 0 without CR4.PCE');
  const c = cpu.gprLo[1];
  if (c > 3) cpu.raise(GP, 0, `RDPMC: no counter ${c}`);
  setReg(cpu, 0, 32, 0);
  setReg(cpu, 2, 32, 0);
};
H.cpuid = (cpu) => {
  executeCpuid(cpu, cpu.gprLo[0], cpu.gprLo[1], systemConfig.cpuCount);
  const o = cpu.cpuidOut;
  setReg(cpu, 0, 32, o[0]);
  setReg(cpu, 3, 32, o[1]);
  setReg(cpu, 1, 32, o[2]);
  setReg(cpu, 2, 32, o[3]);
};

// ---- fast system calls ------------------------------------------------------------------------------------------

H.swapgs = (cpu) => swapgs(cpu);
H.syscall = (cpu) => {
  syscall(cpu, X.nextLo, X.nextHi);
  X.jumped = true;
};
H.sysret = (cpu, d) => {
  sysret(cpu, d.opSize === 64);
  X.jumped = true;
};

H.sysenter = (cpu) => {
  if (cpu.mode === 'real') cpu.raise(GP, 0, 'SYSENTER in real mode');
  const cs = (cpu.msr.get(MSR_SYSENTER_CS)?.[0] ?? 0) & 0xfffc;
  if (cs === 0) cpu.raise(GP, 0, 'SYSENTER with IA32_SYSENTER_CS = 0');
  const lma = (cpu.efer & EFER_LMA) !== 0;
  const esp = cpu.msr.get(MSR_SYSENTER_ESP) ?? [0, 0], eip = cpu.msr.get(MSR_SYSENTER_EIP) ?? [0, 0];
  cpu.setEflags(cpu.getEflags() & ~(EFL_VM | EFL_IF | EFL_RF));
  cpu.seg[CS].set(cs, 0, 0xffffffff, ATTR_P | ATTR_S | ATTR_CODE | ATTR_RW | ATTR_ACCESSED | ATTR_G | (lma ? ATTR_L : ATTR_DB));
  cpu.seg[SS].set(cs + 8, 0, 0xffffffff, ATTR_P | ATTR_S | ATTR_RW | ATTR_ACCESSED | ATTR_G | ATTR_DB);
  cpu.cpl = 0;
  cpu.gprLo[4] = esp[0];
  cpu.gprHi[4] = lma ? esp[1] : 0;
  cpu.ripLo = eip[0];
  cpu.ripHi = lma ? eip[1] : 0;
  cpu.modeChanged();
  X.jumped = true;
};
H.sysexit = (cpu, d) => {
  if (cpu.mode === 'real' || cpu.mode === 'v86') cpu.raise(GP, 0, 'SYSEXIT outside protected mode');
  if (cpu.cpl !== 0) cpu.raise(GP, 0, 'SYSEXIT needs CPL 0');
  const base = (cpu.msr.get(MSR_SYSENTER_CS)?.[0] ?? 0) & 0xfffc;
  if (base === 0) cpu.raise(GP, 0, 'SYSEXIT with IA32_SYSENTER_CS = 0');
  const to64 = d.opSize === 64;
  const cs = ((to64 ? base + 32 : base + 16) | 3) & 0xffff, ss = ((to64 ? base + 40 : base + 24) | 3) & 0xffff;
  cpu.seg[CS].set(cs, 0, 0xffffffff, ATTR_P | ATTR_S | ATTR_CODE | ATTR_RW | ATTR_ACCESSED | ATTR_G | (3 << 5) | (to64 ? ATTR_L : ATTR_DB));
  cpu.seg[SS].set(ss, 0, 0xffffffff, ATTR_P | ATTR_S | ATTR_RW | ATTR_ACCESSED | ATTR_G | ATTR_DB | (3 << 5));
  cpu.cpl = 3;
  cpu.gprLo[4] = cpu.gprLo[1];
  cpu.gprHi[4] = to64 ? cpu.gprHi[1] : 0;
  cpu.ripLo = cpu.gprLo[2];
  cpu.ripHi = to64 ? cpu.gprHi[2] : 0;
  cpu.modeChanged();
  X.jumped = true;
};

// ---- descriptor queries -------------------------------------------------------------------------------------------

/** Reads the descriptor of `sel` for LAR/LSL/VERR/VERW; false when the selector is null or outside the table. */
function probeDescriptor(cpu: Cpu, sel: number): boolean {
  if ((sel & 0xfffc) === 0) return false;
  const limit = sel & 4 ? (cpu.ldtr.usable && cpu.ldtr.selector !== 0 ? cpu.ldtr.limit : -1) : cpu.gdtLimit;
  if ((sel & 0xfff8) + 7 > limit) return false;
  readDescriptor(cpu, sel);
  return true;
}
/** Privilege check shared by LAR/LSL/VERR/VERW (conforming code skips it). */
function visible(cpu: Cpu, sel: number): boolean {
  const dpl = (desc.hi >>> 13) & 3;
  const conforming = (desc.hi & 0x1c00) === 0x1c00;
  return conforming || (dpl >= cpu.cpl && dpl >= (sel & 3));
}
function systemTypeOk(type: number, forLsl: boolean, long: boolean): boolean {
  const ok = long ? [2, 9, 11] : forLsl ? [1, 2, 3, 9, 11] : [1, 2, 3, 4, 5, 9, 11, 12];
  if (long && !forLsl) ok.push(12);
  return ok.includes(type);
}
function larLsl(isLsl: boolean): Handler {
  return (cpu, d) => {
    protectedOnly(cpu, isLsl ? 'LSL' : 'LAR');
    const sel = readRm(cpu, 16);
    let ok = probeDescriptor(cpu, sel) && visible(cpu, sel);
    if (ok && !(desc.hi & 0x1000)) ok = systemTypeOk((desc.hi >>> 8) & 0xf, isLsl, (cpu.efer & EFER_LMA) !== 0);
    if (!ok) {
      setFlags(cpu, 0, ZF);
      return;
    }
    const size = d.opSize;
    let v: number;
    if (isLsl) {
      const raw = (desc.lo & 0xffff) | (desc.hi & 0xf0000);
      v = desc.hi & 0x800000 ? ((raw << 12) | 0xfff) >>> 0 : raw;
    } else v = (desc.hi & 0x00f0ff00) >>> 0;
    setReg(cpu, d.reg, size, size === 16 ? v & 0xffff : v, 0);
    setFlags(cpu, ZF, ZF);
  };
}
H.lar = larLsl(false);
H.lsl = larLsl(true);
function verify(write: boolean): Handler {
  return (cpu) => {
    protectedOnly(cpu, write ? 'VERW' : 'VERR');
    const sel = readRm(cpu, 16);
    let ok = probeDescriptor(cpu, sel) && (desc.hi & 0x1000) !== 0;
    if (ok) {
      const code = (desc.hi & 0x800) !== 0, rw = (desc.hi & 0x200) !== 0;
      ok = write ? !code && rw : !code || rw;
      if (ok) ok = visible(cpu, sel);
    }
    setFlags(cpu, ok ? ZF : 0, ZF);
  };
}
H.verr = verify(false);
H.verw = verify(true);

// ---- extended control registers, monitor/mwait, SMAP ---------------------------------------------------------------

H.xgetbv = (cpu) => {
  if (!(cpu.cr4 & CR4_OSXSAVE)) cpu.raise(UD, 0, 'XGETBV needs CR4.OSXSAVE');
  if (cpu.gprLo[1] !== 0) cpu.raise(GP, 0, `XGETBV: no XCR${cpu.gprLo[1]}`);
  setReg(cpu, 0, 32, cpu.xcr0Lo);
  setReg(cpu, 2, 32, cpu.xcr0Hi);
};
H.xsetbv = (cpu) => {
  if (cpu.mode !== 'real' && cpu.cpl !== 0 && cpu.cr4 & CR4_OSXSAVE) cpu.raise(GP, 0, 'XSETBV needs CPL 0');
  xsetbv(cpu, cpu.gprLo[1], cpu.gprLo[0], cpu.gprLo[2]);
};
// MONITOR/MWAIT: no-ops at CPL 0 (no address monitoring is modelled; MWAIT returns at once, as after any
// wake-up event); #UD at CPL > 0 where they are not enabled for user code.
const monitorWait: Handler = (cpu, d) => {
  if (cpu.mode !== 'real' && cpu.cpl !== 0) cpu.raise(UD, 0, `${d.form!.names[0].toUpperCase()} at CPL > 0`);
};
H.monitor = monitorWait;
H.mwait = monitorWait;
function acFlag(set: boolean): Handler {
  return (cpu) => {
    if (!cpu.model.features.smap) cpu.raise(UD, 0, 'CLAC/STAC need SMAP');
    if (cpu.mode === 'real' || cpu.mode === 'v86' || cpu.cpl > 0) cpu.raise(UD, 0, 'CLAC/STAC need CPL 0');
    setFlags(cpu, set ? EFL_AC : 0, EFL_AC);
  };
}
H.clac = acFlag(false);
H.stac = acFlag(true);
H.rsm = (cpu) => cpu.raise(UD, 0, 'RSM outside system-management mode');
const noFeature: Handler = (cpu, d) => cpu.raise(UD, 0, `${d.form!.names[0]} is not supported by this CPU model`);
for (const n of ['rdpkru', 'wrpkru', 'rdrand', 'rdseed']) H[n] = noFeature;

function fsgsBase(read: boolean, seg: number): Handler {
  return (cpu, d) => {
    if (cpu.mode !== 'long' || !(cpu.cr4 & CR4_FSGSBASE)) cpu.raise(UD, 0, 'RD/WR FS/GS BASE needs 64-bit mode and CR4.FSGSBASE');
    const s = cpu.seg[seg];
    const size = d.opSize === 64 ? 64 : 32;
    if (read) {
      setReg(cpu, d.rmReg, size, s.base, size === 64 ? s.baseHi : 0);
      return;
    }
    const lo = getReg(cpu, d.rmReg, size), hi = size === 64 ? X.hi : 0;
    const top = cpu.cr4 & 0x1000 ? (hi | 0) >> 24 : (hi | 0) >> 15;
    if (top !== 0 && top !== -1) cpu.raise(GP, 0, 'WRFSBASE/WRGSBASE: non-canonical base');
    s.base = lo;
    s.baseHi = hi;
  };
}
H.rdfsbase = fsgsBase(true, FS);
H.rdgsbase = fsgsBase(true, GS);
H.wrfsbase = fsgsBase(false, FS);
H.wrgsbase = fsgsBase(false, GS);

// ---- x87 / SSE control state (no arithmetic: only what boot code saves, restores and initializes) ----------------

interface FpuState {
  fcw: number;
  fsw: number;
  ftw: number;
  mxcsr: number;
}
const fpuStates = new WeakMap<Cpu, FpuState>();
function fpu(cpu: Cpu): FpuState {
  let s = fpuStates.get(cpu);
  if (s === undefined) {
    s = { fcw: 0x37f, fsw: 0, ftw: 0, mxcsr: 0x1f80 };
    fpuStates.set(cpu, s);
  }
  return s;
}
/** #NM/#UD rules for x87 instructions (CR0.EM, CR0.TS). */
function x87Check(cpu: Cpu): void {
  if (cpu.cr0 & (CR0_EM | CR0_TS)) cpu.raise(NM, 0, 'x87 instruction with CR0.EM or CR0.TS set');
}
/** #UD/#NM rules for SSE state instructions (CR0.EM, CR4.OSFXSR, CR0.TS). */
function sseCheck(cpu: Cpu, needOsfxsr: boolean): void {
  if (cpu.cr0 & CR0_EM || (needOsfxsr && !(cpu.cr4 & CR4_OSFXSR))) cpu.raise(UD, 0, 'SSE state instruction with CR0.EM=1 or CR4.OSFXSR=0');
  if (cpu.cr0 & CR0_TS) cpu.raise(NM, 0, 'SSE state instruction with CR0.TS=1');
}

const fninit: Handler = (cpu) => {
  x87Check(cpu);
  const s = fpu(cpu);
  s.fcw = 0x37f;
  s.fsw = 0;
  s.ftw = 0;
};
H.fninit = fninit;
H.finit = fninit;
const fnclex: Handler = (cpu) => {
  x87Check(cpu);
  fpu(cpu).fsw &= 0x7f00;
};
H.fnclex = fnclex;
H.fclex = fnclex;
const fnstsw: Handler = (cpu, d) => {
  x87Check(cpu);
  if (d.hasMem) writeMem(cpu, 16, fpu(cpu).fsw);
  else setReg(cpu, 0, 16, fpu(cpu).fsw);
};
H.fnstsw = fnstsw;
H.fstsw = fnstsw;
const fnstcw: Handler = (cpu) => {
  x87Check(cpu);
  writeMem(cpu, 16, fpu(cpu).fcw);
};
H.fnstcw = fnstcw;
H.fstcw = fnstcw;
H.fldcw = (cpu) => {
  x87Check(cpu);
  fpu(cpu).fcw = readMem(cpu, 16) | 0x40;
};
H.fwait = (cpu) => {
  if ((cpu.cr0 & (CR0_MP | CR0_TS)) === (CR0_MP | CR0_TS)) cpu.raise(NM, 0, 'WAIT with CR0.MP and CR0.TS set');
};
H.emms = (cpu) => {
  x87Check(cpu);
  fpu(cpu).ftw = 0;
};

H.ldmxcsr = (cpu) => {
  sseCheck(cpu, true);
  const v = readMem(cpu, 32);
  if (v & 0xffff0000) cpu.raise(GP, 0, 'LDMXCSR: reserved bits set');
  fpu(cpu).mxcsr = v;
};
H.stmxcsr = (cpu) => {
  sseCheck(cpu, true);
  writeMem(cpu, 32, fpu(cpu).mxcsr);
};

/** The legacy 512-byte FXSAVE image: control words, MXCSR; register contents are zero (no x87/SSE data kept). */
function saveLegacy(cpu: Cpu, save: boolean): void {
  const s = fpu(cpu);
  if (X.eaLo & 15) cpu.raise(GP, 0, 'FXSAVE/FXRSTOR area not 16-byte aligned');
  // Translate the whole area first so a fault leaves memory untouched.
  const lo0 = X.eaLo, hi0 = X.eaHi;
  eaPlus(511);
  readMem(cpu, 8);
  X.eaLo = lo0;
  X.eaHi = hi0;
  if (!save) {
    eaPlus(24);
    const mx = readMem(cpu, 32);
    if (mx & 0xffff0000) cpu.raise(GP, 0, 'FXRSTOR: reserved MXCSR bits');
    X.eaLo = lo0;
    X.eaHi = hi0;
    s.fcw = readMem(cpu, 16);
    eaPlus(2);
    s.fsw = readMem(cpu, 16);
    eaPlus(2);
    s.ftw = readMem(cpu, 8);
    s.mxcsr = mx;
    return;
  }
  for (let i = 0; i < 512; i += 4) {
    let v = 0;
    if (i === 0) v = s.fcw | (s.fsw << 16);
    else if (i === 4) v = s.ftw & 0xff;
    else if (i === 24) v = s.mxcsr;
    else if (i === 28) v = 0xffff; // MXCSR_MASK
    writeMem(cpu, 32, v);
    eaPlus(4);
  }
  X.eaLo = lo0;
  X.eaHi = hi0;
}
function fxsave(save: boolean): Handler {
  return (cpu) => {
    sseCheck(cpu, false);
    saveLegacy(cpu, save);
  };
}
H.fxsave = fxsave(true);
H.fxsave64 = fxsave(true);
H.fxrstor = fxsave(false);
H.fxrstor64 = fxsave(false);
function xsave(save: boolean): Handler {
  return (cpu) => {
    if (!(cpu.cr4 & CR4_OSXSAVE)) cpu.raise(UD, 0, 'XSAVE family needs CR4.OSXSAVE');
    if (cpu.cr0 & CR0_TS) cpu.raise(NM, 0, 'XSAVE with CR0.TS=1');
    if (X.eaLo & 63) cpu.raise(GP, 0, 'XSAVE area not 64-byte aligned');
    saveLegacy(cpu, save);
    if (save) {
      const lo0 = X.eaLo, hi0 = X.eaHi;
      eaPlus(512);
      writeMem(cpu, 64, cpu.xcr0Lo & cpu.gprLo[0] & 3, 0); // XSTATE_BV: x87 and SSE components
      X.eaLo = lo0;
      X.eaHi = hi0;
    }
  };
}
for (const n of ['xsave', 'xsave64', 'xsaveopt', 'xsaveopt64', 'xsavec', 'xsavec64', 'xsaves', 'xsaves64']) H[n] = xsave(true);
for (const n of ['xrstor', 'xrstor64', 'xrstors', 'xrstors64']) H[n] = xsave(false);
void ATTR_CE;
void writeRm;

// ---- features this CPU model does not have: #UD as on a processor without them -----------------------------------
for (const n of ['xend', 'xtest', 'xabort']) H[n] = noFeature; // no RTM/HLE in the CPUID model
for (const n of ['vmcall', 'vmlaunch', 'vmresume', 'vmxoff']) H[n] = (cpu) => cpu.raise(UD, 0, 'VMX instruction outside VMX operation');
H.vmmcall = (cpu) => cpu.raise(UD, 0, 'VMMCALL without SVM');
/** x87 arithmetic is not emulated: #NM when CR0.EM/TS say so (as hardware), otherwise #UD naming the gap. */
H.x87 = (cpu, d) => {
  x87Check(cpu);
  cpu.raise(UD, 0, `x87 arithmetic (${d.form!.names[0]}) is not emulated`);
};
