// Control-register, EFER, MSR and XCR0 writes with every fault and side effect the SDM lists (vol. 3A 2.5, 4.10.4,
// 9.8.5, 10.x; vol. 2 MOV CR, WRMSR, XSETBV, LMSW). Executors call these instead of touching the fields.
import {
  CR0_CD, CR0_EM, CR0_ET, CR0_MP, CR0_NW, CR0_PE, CR0_PG, CR0_TS, CR0_WP, CR0_AM, CR0_NE,
  CR4_DE, CR4_FSGSBASE, CR4_LA57, CR4_MCE, CR4_OSFXSR, CR4_OSXMMEXCPT, CR4_OSXSAVE, CR4_PAE, CR4_PCE, CR4_PCIDE,
  CR4_PGE, CR4_PSE, CR4_PVI, CR4_SMAP, CR4_SMEP, CR4_TSD, CR4_UMIP, CR4_VME,
  EFER_LMA, EFER_LME, EFER_NXE, EFER_SCE,
} from '../../isa/bits/control';
import {
  MSR_AMD64_SYSCFG, MSR_APIC_BASE, MSR_CSTAR, MSR_EFER, MSR_FEATURE_CONTROL, MSR_FS_BASE, MSR_GS_BASE, MSR_K7_HWCR,
  MSR_KERNEL_GS_BASE, MSR_LSTAR, MSR_MISC_ENABLE, MSR_MTRRCAP, MSR_MTRR_DEF_TYPE, MSR_MTRR_FIX16K_80000,
  MSR_MTRR_FIX16K_A0000, MSR_MTRR_FIX4K_C0000, MSR_MTRR_FIX64K_00000, MSR_MTRR_PHYSBASE0, MSR_PAT, MSR_SFMASK,
  MSR_STAR, MSR_SYSENTER_CS, MSR_SYSENTER_EIP, MSR_SYSENTER_ESP, MSR_TSC, MSR_TSC_AUX, MSR_UCODE_REV,
} from '../../isa/bits/msr';
import type { Cpu } from './cpu';
import { cpuid } from './cpuid';
import { GP, UD } from './fault';
import { ATTR_L, CS, FS, GS } from './segment';

const CR0_DEFINED = (CR0_PE | CR0_MP | CR0_EM | CR0_TS | CR0_ET | CR0_NE | CR0_WP | CR0_AM | CR0_NW | CR0_CD | CR0_PG) >>> 0;

/** CR4 bits this CPU model lets software set; any other bit raises #GP (SDM 2.5). */
export function cr4Supported(cpu: Cpu): number {
  const f = cpu.model.features;
  let m = CR4_TSD | CR4_DE | CR4_MCE | CR4_PCE;
  if (f.vme) m |= CR4_VME | CR4_PVI;
  if (f.pse) m |= CR4_PSE;
  if (f.pae) m |= CR4_PAE;
  if (f.pge) m |= CR4_PGE;
  if (f.fxsr) m |= CR4_OSFXSR;
  if (f.sse) m |= CR4_OSXMMEXCPT;
  if (f.umip) m |= CR4_UMIP;
  if (f.la57) m |= CR4_LA57;
  if (f.fsgsbase) m |= CR4_FSGSBASE;
  if (f.pcid) m |= CR4_PCIDE;
  if (f.xsave) m |= CR4_OSXSAVE;
  if (f.smep) m |= CR4_SMEP;
  if (f.smap) m |= CR4_SMAP;
  return m >>> 0;
}

/** MOV to CR0. */
export function writeCr0(cpu: Cpu, lo: number, hi = 0): void {
  if (hi !== 0) cpu.raise(GP, 0, 'MOV CR0: bits 63:32 must be zero');
  const v = ((lo & CR0_DEFINED) | CR0_ET) >>> 0; // reserved bits 31:0 are ignored, ET reads as 1
  const old = cpu.cr0;
  if (v & CR0_PG && !(v & CR0_PE)) cpu.raise(GP, 0, 'CR0.PG=1 requires CR0.PE=1');
  if (v & CR0_NW && !(v & CR0_CD)) cpu.raise(GP, 0, 'CR0.NW=1 requires CR0.CD=1');
  let efer = cpu.efer;
  const enablingPaging = (old & CR0_PG) === 0 && (v & CR0_PG) !== 0;
  const disablingPaging = (old & CR0_PG) !== 0 && (v & CR0_PG) === 0;
  if (enablingPaging && efer & EFER_LME) {
    if (!(cpu.cr4 & CR4_PAE)) cpu.raise(GP, 0, 'CR0.PG=1 with EFER.LME=1 requires CR4.PAE=1');
    if (cpu.seg[CS].attr & ATTR_L) cpu.raise(GP, 0, 'IA-32e mode cannot be activated while CS.L=1');
    efer |= EFER_LMA;
  }
  if (disablingPaging) {
    if (cpu.mode === 'long') cpu.raise(GP, 0, 'CR0.PG cannot be cleared in 64-bit mode (leave through compatibility mode)');
    if (cpu.cr4 & CR4_PCIDE) cpu.raise(GP, 0, 'CR0.PG cannot be cleared while CR4.PCIDE=1');
    efer &= ~EFER_LMA;
  }
  const pageBitsChanged = ((old ^ v) & (CR0_PG | CR0_CD | CR0_NW)) !== 0;
  if (v & CR0_PG && !(efer & EFER_LMA) && cpu.cr4 & CR4_PAE && pageBitsChanged) {
    // Legacy PAE paging loads the PDPTEs when PG/CD/NW change (SDM 4.4.1).
    const save = cpu.cr0, saveEfer = cpu.efer;
    cpu.cr0 = v;
    cpu.efer = efer;
    cpu.updateMode();
    const ok = cpu.mmu.loadPdptes();
    if (!ok) {
      cpu.cr0 = save;
      cpu.efer = saveEfer;
      cpu.updateMode();
      cpu.raise(GP, 0, 'PAE PDPTE has reserved bits set');
    }
  }
  cpu.cr0 = v;
  const oldEfer = cpu.efer;
  cpu.efer = efer;
  if ((old ^ v) & (CR0_PG | CR0_WP | CR0_PE)) cpu.mmu.flushAll();
  cpu.modeChanged();
  if (cpu.hooks !== null) {
    cpu.hooks.controlWrite(cpu.id, 'cr0', old, 0, v, 0);
    if (oldEfer !== efer) cpu.hooks.msrWrite(cpu.id, MSR_EFER, oldEfer, 0, efer, 0);
  }
}

/** LMSW: loads CR0 bits 3:0 (PE, MP, EM, TS); can set PE but never clear it. */
export function lmsw(cpu: Cpu, v: number): void {
  const keepPe = cpu.cr0 & CR0_PE;
  writeCr0(cpu, ((cpu.cr0 & ~0xe) | (v & 0xf) | keepPe) >>> 0);
}

/** CLTS: clears CR0.TS. */
export function clts(cpu: Cpu): void {
  writeCr0(cpu, (cpu.cr0 & ~CR0_TS) >>> 0);
}

/** MOV to CR3. In IA-32e mode all 64 bits count; elsewhere only the low 32 bits are written. */
export function writeCr3(cpu: Cpu, lo: number, hi = 0): void {
  const oldLo = cpu.cr3Lo, oldHi = cpu.cr3Hi;
  let noFlush = false;
  if (cpu.efer & EFER_LMA) {
    if (cpu.cr4 & CR4_PCIDE && hi & 0x80000000) {
      noFlush = true;
      hi &= 0x7fffffff;
    }
    const maxPhys = cpu.model.maxPhysAddr;
    const allowedHi = maxPhys >= 64 ? 0xffffffff : (1 << (maxPhys - 32)) - 1;
    if (hi & ~allowedHi) cpu.raise(GP, 0, `MOV CR3: bits beyond MAXPHYADDR (${maxPhys}) set`);
  } else hi = 0;
  cpu.cr3Lo = lo >>> 0;
  cpu.cr3Hi = hi >>> 0;
  if (cpu.paging === 'pae' && !cpu.mmu.loadPdptes()) {
    cpu.cr3Lo = oldLo;
    cpu.cr3Hi = oldHi;
    cpu.raise(GP, 0, 'PAE PDPTE has reserved bits set');
  }
  // The TLB is not tagged by PCID: a no-flush load that switches PCID drops the non-global entries anyway (a TLB may
  // always drop more than required), so one PCID's translations are never used under another (SDM 4.10.1).
  if (!noFlush || ((oldLo ^ cpu.cr3Lo) & 0xfff) !== 0) cpu.mmu.flushNonGlobal();
  if (cpu.hooks !== null) cpu.hooks.controlWrite(cpu.id, 'cr3', oldLo, oldHi, cpu.cr3Lo, cpu.cr3Hi);
}

/** MOV to CR4. */
export function writeCr4(cpu: Cpu, lo: number, hi = 0): void {
  const v = lo >>> 0;
  const old = cpu.cr4;
  if (hi !== 0 || v & ~cr4Supported(cpu)) cpu.raise(GP, 0, `MOV CR4: reserved or unsupported bit set (0x${(v & ~cr4Supported(cpu)) >>> 0 || hi})`);
  const lma = (cpu.efer & EFER_LMA) !== 0;
  if (lma && !(v & CR4_PAE)) cpu.raise(GP, 0, 'CR4.PAE cannot be cleared in IA-32e mode');
  if (lma && (old ^ v) & CR4_LA57) cpu.raise(GP, 0, 'CR4.LA57 cannot change while IA-32e mode is active');
  if (v & CR4_PCIDE && !(old & CR4_PCIDE)) {
    if (!lma) cpu.raise(GP, 0, 'CR4.PCIDE can only be set in IA-32e mode');
    if (cpu.cr3Lo & 0xfff) cpu.raise(GP, 0, 'CR4.PCIDE cannot be set while CR3[11:0] is not zero');
  }
  const changed = old ^ v;
  cpu.cr4 = v;
  cpu.updateMode();
  if (cpu.paging === 'pae' && changed & (CR4_PAE | CR4_PGE | CR4_PSE | CR4_SMEP) && !cpu.mmu.loadPdptes()) {
    cpu.cr4 = old;
    cpu.updateMode();
    cpu.raise(GP, 0, 'PAE PDPTE has reserved bits set');
  }
  if (changed & (CR4_PGE | CR4_PAE | CR4_PSE | CR4_PCIDE | CR4_SMEP | CR4_SMAP | CR4_LA57)) cpu.mmu.flushAll();
  cpu.modeChanged();
  if (cpu.hooks !== null) cpu.hooks.controlWrite(cpu.id, 'cr4', old, 0, v, 0);
}

/** MOV to CR8 (64-bit mode): the task priority class; bits 63:4 reserved. */
export function writeCr8(cpu: Cpu, lo: number, hi = 0): void {
  if (hi !== 0 || lo & ~0xf) cpu.raise(GP, 0, 'MOV CR8: reserved bits set');
  const old = cpu.cr8;
  cpu.cr8 = lo & 0xf;
  cpu.tprSink?.(cpu.cr8 << 4);
  if (cpu.hooks !== null) cpu.hooks.controlWrite(cpu.id, 'cr8', old, 0, cpu.cr8, 0);
}

export function writeCr2(cpu: Cpu, lo: number, hi = 0): void {
  const oldLo = cpu.cr2Lo, oldHi = cpu.cr2Hi;
  cpu.cr2Lo = lo >>> 0;
  cpu.cr2Hi = cpu.efer & EFER_LMA ? hi >>> 0 : 0;
  if (cpu.hooks !== null) cpu.hooks.controlWrite(cpu.id, 'cr2', oldLo, oldHi, cpu.cr2Lo, cpu.cr2Hi);
}

/** XSETBV: XCR0 only; x87 must stay set, AVX needs SSE, unsupported components fault. */
export function xsetbv(cpu: Cpu, index: number, lo: number, hi: number): void {
  if (!(cpu.cr4 & CR4_OSXSAVE)) cpu.raise(UD, 0, 'XSETBV needs CR4.OSXSAVE');
  if (cpu.cpl !== 0 || index !== 0) cpu.raise(GP, 0, 'XSETBV: CPL 0 and XCR index 0 required');
  if (hi !== 0 || lo & ~0x7 || !(lo & 1) || (lo & 6) === 4) cpu.raise(GP, 0, 'XSETBV: invalid XCR0 value');
  const oldLo = cpu.xcr0Lo;
  cpu.xcr0Lo = lo >>> 0;
  cpu.xcr0Hi = 0;
  if (cpu.hooks !== null) cpu.hooks.controlWrite(cpu.id, 'xcr0', oldLo, 0, cpu.xcr0Lo, 0);
}

/** CPUID with EAX = leaf, ECX = subleaf; results in cpu.cpuidOut (EAX, EBX, ECX, EDX). */
export function executeCpuid(cpu: Cpu, leaf: number, subleaf: number, cpuCount: number): void {
  cpuid(cpu.model, leaf, subleaf, cpu.apicId, cpuCount, (cpu.cr4 & CR4_OSXSAVE) !== 0, cpu.cpuidOut);
}

// ---- MSRs ---------------------------------------------------------------------------------------------------

/** Creates the MSRs this CPU model has, with their reset values (SDM vol. 4 and table 9-1). */
export function initMsrs(cpu: Cpu): void {
  const m = cpu.msr;
  m.clear();
  const set = (a: number, lo: number, hi = 0): void => void m.set(a, [lo >>> 0, hi >>> 0]);
  set(MSR_APIC_BASE, 0xfee00000 | 0x800 | (cpu.id === 0 ? 0x100 : 0));
  set(MSR_FEATURE_CONTROL, 0);
  set(MSR_UCODE_REV, 0, 1);
  set(MSR_MTRRCAP, 0x508);
  set(MSR_SYSENTER_CS, 0);
  set(MSR_SYSENTER_ESP, 0);
  set(MSR_SYSENTER_EIP, 0);
  set(MSR_MISC_ENABLE, 1);
  set(MSR_PAT, 0x00070406, 0x00070406);
  set(MSR_MTRR_DEF_TYPE, 0);
  set(MSR_MTRR_FIX64K_00000, 0);
  set(MSR_MTRR_FIX16K_80000, 0);
  set(MSR_MTRR_FIX16K_A0000, 0);
  for (let i = 0; i < 8; i++) set(MSR_MTRR_FIX4K_C0000 + i, 0);
  for (let i = 0; i < 16; i++) set(MSR_MTRR_PHYSBASE0 + i, 0);
  if (cpu.model.features.lm || cpu.model.features.syscall) {
    for (const a of [MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SFMASK, MSR_KERNEL_GS_BASE]) set(a, 0);
  }
  if (cpu.model.features.rdtscp) set(MSR_TSC_AUX, 0);
  if (cpu.model.vendor === 'AuthenticAMD') {
    set(MSR_AMD64_SYSCFG, 0);
    set(MSR_K7_HWCR, 0);
  }
}

/** Reads MSR `addr` (RDMSR): returns the low half, high half in cpu.mmu.hi; unknown MSRs raise #GP(0). */
export function readMsr(cpu: Cpu, addr: number): number {
  addr >>>= 0;
  if (cpu.cpl !== 0) cpu.raise(GP, 0, 'RDMSR needs CPL 0');
  switch (addr) {
    case MSR_EFER:
      cpu.mmu.hi = 0;
      return cpu.efer >>> 0;
    case MSR_TSC: {
      const t = cpu.instructionsRetired + cpu.tscOffset;
      cpu.mmu.hi = Math.floor(t / 0x1_0000_0000) >>> 0;
      return t >>> 0;
    }
    case MSR_FS_BASE:
    case MSR_GS_BASE:
      if (cpu.model.features.lm) {
        const s = cpu.seg[addr === MSR_FS_BASE ? FS : GS];
        cpu.mmu.hi = s.baseHi;
        return s.base;
      }
  }
  const v = cpu.msr.get(addr);
  if (v === undefined) cpu.raise(GP, 0, `RDMSR: no MSR 0x${addr.toString(16)}`);
  cpu.mmu.hi = v[1];
  return v[0];
}

function canonical(cpu: Cpu, hi: number): boolean {
  const top = cpu.cr4 & CR4_LA57 ? hi >> 24 : hi >> 15;
  return top === 0 || top === -1;
}

/** WRMSR with the checks of each MSR. */
export function writeMsr(cpu: Cpu, addr: number, lo: number, hi: number): void {
  addr >>>= 0;
  lo >>>= 0;
  hi >>>= 0;
  if (cpu.cpl !== 0) cpu.raise(GP, 0, 'WRMSR needs CPL 0');
  let oldLo = 0, oldHi = 0;
  const f = cpu.model.features;
  switch (addr) {
    case MSR_EFER: {
      const allowed = (f.syscall ? EFER_SCE : 0) | (f.lm ? EFER_LME | EFER_LMA : 0) | (f.nx ? EFER_NXE : 0);
      if (hi !== 0 || lo & ~allowed) cpu.raise(GP, 0, 'WRMSR EFER: reserved or unsupported bit set');
      oldLo = cpu.efer;
      if (cpu.cr0 & CR0_PG && (oldLo ^ lo) & EFER_LME) cpu.raise(GP, 0, 'EFER.LME cannot change while paging is enabled');
      const v = ((lo & ~EFER_LMA) | (oldLo & EFER_LMA)) >>> 0; // LMA is read-only
      cpu.efer = v;
      if ((oldLo ^ v) & EFER_NXE) cpu.mmu.flushAll();
      cpu.modeChanged();
      if (cpu.hooks !== null) cpu.hooks.msrWrite(cpu.id, addr, oldLo, 0, v, 0);
      return;
    }
    case MSR_TSC: {
      const now = cpu.instructionsRetired;
      oldLo = (now + cpu.tscOffset) >>> 0;
      cpu.tscOffset = hi * 0x1_0000_0000 + lo - now;
      break;
    }
    case MSR_FS_BASE:
    case MSR_GS_BASE:
      if (f.lm) {
        if (!canonical(cpu, hi)) cpu.raise(GP, 0, 'WRMSR: non-canonical segment base');
        const s = cpu.seg[addr === MSR_FS_BASE ? FS : GS];
        oldLo = s.base;
        oldHi = s.baseHi;
        s.base = lo;
        s.baseHi = hi;
        if (cpu.hooks !== null) cpu.hooks.msrWrite(cpu.id, addr, oldLo, oldHi, lo, hi);
        return;
      }
      break;
    case MSR_KERNEL_GS_BASE:
    case MSR_LSTAR:
    case MSR_CSTAR:
    case MSR_SYSENTER_ESP:
    case MSR_SYSENTER_EIP:
      if (!canonical(cpu, hi)) cpu.raise(GP, 0, 'WRMSR: non-canonical address');
      break;
    case MSR_MTRRCAP:
      cpu.raise(GP, 0, 'WRMSR: IA32_MTRRCAP is read-only');
      break;
    case MSR_PAT:
      for (let i = 0; i < 8; i++) {
        const t = (i < 4 ? lo >>> (8 * i) : hi >>> (8 * (i - 4))) & 0xff;
        if (t === 2 || t === 3 || t > 7) cpu.raise(GP, 0, 'WRMSR PAT: invalid memory type');
      }
      break;
    case MSR_MTRR_DEF_TYPE:
      if (hi !== 0 || lo & ~0xcff) cpu.raise(GP, 0, 'WRMSR MTRRdefType: reserved bits');
      break;
    case MSR_APIC_BASE:
      if (hi & ~((1 << (cpu.model.maxPhysAddr - 32)) - 1) || lo & 0x2ff) cpu.raise(GP, 0, 'WRMSR APIC_BASE: reserved bits');
      lo = (lo & ~0x100) | ((cpu.msr.get(MSR_APIC_BASE)?.[0] ?? 0) & 0x100); // BSP flag is read-only
      break;
    case MSR_TSC_AUX:
      if (hi !== 0) cpu.raise(GP, 0, 'WRMSR TSC_AUX: bits 63:32 reserved');
      break;
    case MSR_FEATURE_CONTROL:
      if ((cpu.msr.get(addr)?.[0] ?? 0) & 1) cpu.raise(GP, 0, 'IA32_FEATURE_CONTROL is locked');
      break;
  }
  const cur = cpu.msr.get(addr);
  if (cur === undefined && addr !== MSR_TSC) cpu.raise(GP, 0, `WRMSR: no MSR 0x${addr.toString(16)}`);
  if (cur !== undefined) {
    oldLo = cur[0];
    oldHi = cur[1];
    cur[0] = lo;
    cur[1] = hi;
  }
  if (cpu.hooks !== null) cpu.hooks.msrWrite(cpu.id, addr, oldLo, oldHi, lo, hi);
}

// ---- descriptor-table registers -------------------------------------------------------------------------------

/** LGDT: base is 24 bits with a 16-bit operand, 32 bits otherwise, 64 bits in 64-bit mode. */
export function loadGdtr(cpu: Cpu, baseLo: number, baseHi: number, limit: number): void {
  cpu.gdtBase = baseLo >>> 0;
  cpu.gdtBaseHi = baseHi >>> 0;
  cpu.gdtLimit = limit & 0xffff;
  if (cpu.hooks !== null) cpu.hooks.tableLoad(cpu.id, 'gdtr', 0, cpu.gdtBase, cpu.gdtBaseHi, cpu.gdtLimit);
}

export function loadIdtr(cpu: Cpu, baseLo: number, baseHi: number, limit: number): void {
  cpu.idtBase = baseLo >>> 0;
  cpu.idtBaseHi = baseHi >>> 0;
  cpu.idtLimit = limit & 0xffff;
  if (cpu.hooks !== null) cpu.hooks.tableLoad(cpu.id, 'idtr', 0, cpu.idtBase, cpu.idtBaseHi, cpu.idtLimit);
}
