// Model-specific registers that boot, trampoline and entry code touch (SDM vol. 4; AMD APM vol. 2 app. A).
import { EFER } from './control';
import { field, flag, type BitsDef } from './types';

export interface MsrDef {
  address: number;
  /** Linux-style name (`MSR_EFER`, `MSR_IA32_APICBASE`…) and the SDM name. */
  name: string;
  sdmName: string;
  meaning: string;
  /** Bit fields when the MSR has structure; plain 64-bit values have none. */
  bits?: BitsDef;
}

const MEMTYPES: Record<number, string> = { 0: 'UC', 1: 'WC', 4: 'WT', 5: 'WP', 6: 'WB', 7: 'UC-' };

function plain(name: string, meaning: string, fields: BitsDef['fields']): BitsDef {
  return { name, width: 64, meaning, fields };
}

export const MSR_EFER = 0xc0000080, MSR_STAR = 0xc0000081, MSR_LSTAR = 0xc0000082, MSR_CSTAR = 0xc0000083;
export const MSR_SFMASK = 0xc0000084, MSR_FS_BASE = 0xc0000100, MSR_GS_BASE = 0xc0000101;
export const MSR_KERNEL_GS_BASE = 0xc0000102, MSR_TSC_AUX = 0xc0000103;
export const MSR_TSC = 0x10, MSR_APIC_BASE = 0x1b, MSR_FEATURE_CONTROL = 0x3a, MSR_UCODE_REV = 0x8b;
export const MSR_MTRRCAP = 0xfe, MSR_SYSENTER_CS = 0x174, MSR_SYSENTER_ESP = 0x175, MSR_SYSENTER_EIP = 0x176;
export const MSR_MISC_ENABLE = 0x1a0, MSR_PAT = 0x277, MSR_MTRR_DEF_TYPE = 0x2ff;
export const MSR_MTRR_PHYSBASE0 = 0x200, MSR_MTRR_FIX64K_00000 = 0x250, MSR_MTRR_FIX16K_80000 = 0x258;
export const MSR_MTRR_FIX16K_A0000 = 0x259, MSR_MTRR_FIX4K_C0000 = 0x268;
export const MSR_AMD64_SYSCFG = 0xc0010010, MSR_K7_HWCR = 0xc0010015;

const list: MsrDef[] = [
  { address: MSR_TSC, name: 'MSR_IA32_TSC', sdmName: 'IA32_TIME_STAMP_COUNTER', meaning: 'Time-stamp counter read by RDTSC; writing sets it.' },
  {
    address: MSR_APIC_BASE, name: 'MSR_IA32_APICBASE', sdmName: 'IA32_APIC_BASE', meaning: 'Local APIC base address and enables.',
    bits: plain('IA32_APIC_BASE', 'Local APIC location and mode.', [
      flag('BSP', 8, 'Bootstrap processor (read-only): set on the CPU chosen at reset.'),
      flag('EXTD', 10, 'x2APIC mode: APIC registers are MSRs 0x800+ instead of MMIO.'),
      flag('EN', 11, 'xAPIC global enable: 0 turns the local APIC off.'),
      field('BASE', 12, 40, 'Physical frame of the APIC register page (default 0xFEE00).'),
    ]),
  },
  {
    address: MSR_FEATURE_CONTROL, name: 'MSR_IA32_FEAT_CTL', sdmName: 'IA32_FEATURE_CONTROL', meaning: 'Firmware lock for VMX/SMX enables.',
    bits: plain('IA32_FEATURE_CONTROL', 'Virtualization enables set by firmware, then locked.', [
      flag('LOCK', 0, 'Lock: further writes raise #GP until reset.'),
      flag('VMX_IN_SMX', 1, 'Allow VMXON inside SMX operation.'),
      flag('VMX_OUTSIDE_SMX', 2, 'Allow VMXON outside SMX operation.'),
    ]),
  },
  { address: MSR_UCODE_REV, name: 'MSR_IA32_UCODE_REV', sdmName: 'IA32_BIOS_SIGN_ID', meaning: 'Microcode revision (high half), updated after CPUID leaf 1.' },
  {
    address: MSR_MTRRCAP, name: 'MSR_MTRRcap', sdmName: 'IA32_MTRRCAP', meaning: 'Memory type range register capabilities (read-only).',
    bits: plain('IA32_MTRRCAP', 'What MTRR features exist.', [
      field('VCNT', 0, 8, 'Number of variable-range MTRR pairs.'),
      flag('FIX', 8, 'Fixed-range MTRRs are supported.'),
      flag('WC', 10, 'Write-combining memory type is supported.'),
      flag('SMRR', 11, 'System-management range registers are supported.'),
    ]),
  },
  { address: MSR_SYSENTER_CS, name: 'MSR_IA32_SYSENTER_CS', sdmName: 'IA32_SYSENTER_CS', meaning: 'Kernel CS selector for SYSENTER (SS = CS + 8).' },
  { address: MSR_SYSENTER_ESP, name: 'MSR_IA32_SYSENTER_ESP', sdmName: 'IA32_SYSENTER_ESP', meaning: 'Kernel stack pointer loaded by SYSENTER.' },
  { address: MSR_SYSENTER_EIP, name: 'MSR_IA32_SYSENTER_EIP', sdmName: 'IA32_SYSENTER_EIP', meaning: 'Kernel entry point jumped to by SYSENTER.' },
  {
    address: MSR_MISC_ENABLE, name: 'MSR_IA32_MISC_ENABLE', sdmName: 'IA32_MISC_ENABLE', meaning: 'Miscellaneous processor feature enables.',
    bits: plain('IA32_MISC_ENABLE', 'Processor feature switches (Intel).', [
      flag('FAST_STRING', 0, 'Fast-string operation for REP MOVS/STOS.'),
      flag('TCC', 3, 'Automatic thermal control circuit.'),
      flag('PERF_MON', 7, 'Performance monitoring available (read-only).'),
      flag('BTS_UNAVAIL', 11, 'Branch trace store unavailable (read-only).'),
      flag('PEBS_UNAVAIL', 12, 'Precise event-based sampling unavailable (read-only).'),
      flag('EIST', 16, 'Enhanced SpeedStep enable.'),
      flag('MWAIT', 18, 'MONITOR/MWAIT enable (reflected in CPUID).'),
      flag('LIMIT_CPUID', 22, 'Limit CPUID maximum basic leaf to 2 (for old OSes).'),
      flag('XTPR_DISABLE', 23, 'Disable xTPR messages.'),
      flag('XD_DISABLE', 34, 'Hide and disable execute-disable (NX); verify_cpu clears it.'),
    ]),
  },
  {
    address: MSR_PAT, name: 'MSR_IA32_CR_PAT', sdmName: 'IA32_PAT', meaning: 'Page Attribute Table: eight memory types selected by PAT/PCD/PWT.',
    bits: plain('IA32_PAT', 'Memory type of each PAT index (reset value 0x0007040600070406).',
      [0, 1, 2, 3, 4, 5, 6, 7].map((i) => field(`PA${i}`, i * 8, 3, `Memory type for PAT index ${i}.`, MEMTYPES))),
  },
  {
    address: MSR_MTRR_DEF_TYPE, name: 'MSR_MTRRdefType', sdmName: 'IA32_MTRR_DEF_TYPE', meaning: 'Default memory type and MTRR enables.',
    bits: plain('IA32_MTRR_DEF_TYPE', 'Memory type outside every MTRR range.', [
      field('TYPE', 0, 8, 'Default memory type.', MEMTYPES),
      flag('FE', 10, 'Fixed-range MTRRs enabled.'),
      flag('E', 11, 'MTRRs enabled.'),
    ]),
  },
  { address: MSR_MTRR_FIX64K_00000, name: 'MSR_MTRRfix64K_00000', sdmName: 'IA32_MTRR_FIX64K_00000', meaning: 'Memory types of 0x00000-0x7FFFF, eight 64 KiB ranges, one byte each.' },
  { address: MSR_MTRR_FIX16K_80000, name: 'MSR_MTRRfix16K_80000', sdmName: 'IA32_MTRR_FIX16K_80000', meaning: 'Memory types of 0x80000-0x9FFFF in 16 KiB ranges.' },
  { address: MSR_MTRR_FIX16K_A0000, name: 'MSR_MTRRfix16K_A0000', sdmName: 'IA32_MTRR_FIX16K_A0000', meaning: 'Memory types of 0xA0000-0xBFFFF in 16 KiB ranges.' },
  ...[0, 1, 2, 3, 4, 5, 6, 7].map((i) => ({
    address: MSR_MTRR_FIX4K_C0000 + i,
    name: `MSR_MTRRfix4K_${(0xc0000 + i * 0x8000).toString(16).toUpperCase()}`,
    sdmName: `IA32_MTRR_FIX4K_${(0xc0000 + i * 0x8000).toString(16).toUpperCase()}`,
    meaning: `Memory types of 0x${(0xc0000 + i * 0x8000).toString(16)}-0x${(0xc7fff + i * 0x8000).toString(16)} in 4 KiB ranges.`,
  })),
  ...[0, 1, 2, 3, 4, 5, 6, 7].flatMap((i) => [
    {
      address: MSR_MTRR_PHYSBASE0 + 2 * i, name: `MSR_MTRRphysBase${i}`, sdmName: `IA32_MTRR_PHYSBASE${i}`,
      meaning: `Variable-range MTRR ${i}: base address and memory type.`,
      bits: plain(`IA32_MTRR_PHYSBASE${i}`, 'Start of the range and its type.', [
        field('TYPE', 0, 8, 'Memory type of the range.', MEMTYPES),
        field('BASE', 12, 40, 'Physical frame of the range base.'),
      ]),
    },
    {
      address: MSR_MTRR_PHYSBASE0 + 2 * i + 1, name: `MSR_MTRRphysMask${i}`, sdmName: `IA32_MTRR_PHYSMASK${i}`,
      meaning: `Variable-range MTRR ${i}: address mask and valid bit.`,
      bits: plain(`IA32_MTRR_PHYSMASK${i}`, 'Which address bits must match the base.', [
        flag('V', 11, 'Valid: the range is in use.'),
        field('MASK', 12, 40, 'Address mask (frame bits compared with the base).'),
      ]),
    },
  ]),
  { address: MSR_EFER, name: 'MSR_EFER', sdmName: 'IA32_EFER', meaning: EFER.meaning, bits: EFER },
  {
    address: MSR_STAR, name: 'MSR_STAR', sdmName: 'IA32_STAR', meaning: 'SYSCALL/SYSRET segment selectors (and the legacy SYSCALL EIP).',
    bits: plain('IA32_STAR', 'Selectors used by SYSCALL and SYSRET.', [
      field('EIP32', 0, 32, 'Legacy-mode SYSCALL target EIP (AMD).'),
      field('SYSCALL_CS', 32, 16, 'SYSCALL loads CS from this and SS from this + 8.'),
      field('SYSRET_CS', 48, 16, 'SYSRET loads CS from this (+16 for 64-bit) and SS from this + 8, with RPL 3.'),
    ]),
  },
  { address: MSR_LSTAR, name: 'MSR_LSTAR', sdmName: 'IA32_LSTAR', meaning: 'RIP loaded by SYSCALL from 64-bit mode (the kernel entry point).' },
  { address: MSR_CSTAR, name: 'MSR_CSTAR', sdmName: 'IA32_CSTAR', meaning: 'RIP loaded by SYSCALL from compatibility mode (AMD; unused on Intel).' },
  { address: MSR_SFMASK, name: 'MSR_SYSCALL_MASK', sdmName: 'IA32_FMASK', meaning: 'RFLAGS bits cleared by SYSCALL (set bits are masked off).' },
  { address: MSR_FS_BASE, name: 'MSR_FS_BASE', sdmName: 'IA32_FS_BASE', meaning: 'FS segment base in 64-bit mode.' },
  { address: MSR_GS_BASE, name: 'MSR_GS_BASE', sdmName: 'IA32_GS_BASE', meaning: 'GS segment base in 64-bit mode.' },
  { address: MSR_KERNEL_GS_BASE, name: 'MSR_KERNEL_GS_BASE', sdmName: 'IA32_KERNEL_GS_BASE', meaning: 'Value exchanged with GS base by SWAPGS.' },
  { address: MSR_TSC_AUX, name: 'MSR_TSC_AUX', sdmName: 'IA32_TSC_AUX', meaning: 'Value returned in ECX by RDTSCP and in RDPID (usually the CPU number).' },
  {
    address: MSR_AMD64_SYSCFG, name: 'MSR_AMD64_SYSCFG', sdmName: 'SYSCFG (AMD)', meaning: 'AMD system configuration: MTRR extensions and memory encryption.',
    bits: plain('SYSCFG', 'AMD memory configuration.', [
      flag('MFDE', 18, 'MtrrFixDramEn: fixed MTRR RdMem/WrMem attributes enabled.'),
      flag('MFDM', 19, 'MtrrFixDramModEn: RdMem/WrMem bits writable.'),
      flag('MVDM', 20, 'MtrrVarDramEn: TOP_MEM and I/O range registers enabled.'),
      flag('TOM2', 21, 'MtrrTom2En: TOP_MEM2 enabled.'),
      flag('TOM2WB', 22, 'Tom2ForceMemTypeWB: memory between 4 GiB and TOP_MEM2 is write-back.'),
      flag('SMEE', 23, 'Secure Memory Encryption enable (SME).'),
      flag('SNPEN', 24, 'SEV-SNP enable.'),
    ]),
  },
  {
    address: MSR_K7_HWCR, name: 'MSR_K7_HWCR', sdmName: 'HWCR (AMD)', meaning: 'AMD hardware configuration.',
    bits: plain('HWCR', 'AMD hardware configuration bits.', [
      flag('SMMLOCK', 0, 'SMM configuration lock.'),
      flag('TLBCACHEDIS', 3, 'Page-table walks do not use the caches.'),
      flag('SSEDIS', 15, 'SSE instructions disabled (verify_cpu clears it).'),
      flag('TSCFREQSEL', 24, 'TSC counts at the P0 frequency.'),
    ]),
  },
];

/** Every known MSR, by address. */
export const MSRS: ReadonlyMap<number, MsrDef> = new Map(list.map((m) => [m.address, m]));

/** Looks up by address or by either name (case-insensitive; `efer` finds MSR_EFER). */
export function findMsr(key: number | string): MsrDef | undefined {
  if (typeof key === 'number') return MSRS.get(key >>> 0);
  const k = key.toLowerCase();
  for (const m of list) {
    const n = m.name.toLowerCase();
    if (n === k || m.sdmName.toLowerCase() === k || n === `msr_${k}` || n === `msr_ia32_${k}`) return m;
  }
  return undefined;
}
