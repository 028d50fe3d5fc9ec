// CPUID from a configurable model, so code such as verify_cpu can be run on a CPU without long mode, NX or LA57.
// Leaf layouts from the SDM vol. 2A (CPUID) and AMD APM vol. 3 appendix E.

export interface CpuFeatures {
  fpu: boolean; vme: boolean; de: boolean; pse: boolean; tsc: boolean; msr: boolean; pae: boolean; mce: boolean;
  cx8: boolean; apic: boolean; sep: boolean; mtrr: boolean; pge: boolean; mca: boolean; cmov: boolean; pat: boolean;
  pse36: boolean; clflush: boolean; mmx: boolean; fxsr: boolean; sse: boolean; sse2: boolean; sse3: boolean;
  pcid: boolean; x2apic: boolean; xsave: boolean; fsgsbase: boolean; smep: boolean; smap: boolean; umip: boolean;
  la57: boolean; syscall: boolean; nx: boolean; pages1g: boolean; rdtscp: boolean; lm: boolean; lahf: boolean;
}

export interface CpuModel {
  /** 12-character vendor string: "GenuineIntel", "AuthenticAMD". */
  vendor: string;
  family: number;
  model: number;
  stepping: number;
  brand: string;
  features: CpuFeatures;
  /** Physical and linear address widths reported in leaf 0x80000008. */
  maxPhysAddr: number;
  maxLinAddr: number;
}

/**
 * A model close to QEMU 7.2's `-cpu max` under TCG: long mode, NX, 1 GiB pages, LA57, SMEP/SMAP, no PCID and no
 * x2APIC (as QEMU reports). x2APIC stays off also
 * because the local APIC here is xAPIC-only (MMIO); `{ x2apic: true }` only changes what CPUID reports.
 */
export function defaultCpuModel(): CpuModel {
  return {
    vendor: 'GenuineIntel',
    family: 6,
    model: 0x6a,
    stepping: 1,
    brand: 'x86 Trampoline virtual CPU',
    maxPhysAddr: 40,
    maxLinAddr: 57,
    features: {
      fpu: true, vme: true, de: true, pse: true, tsc: true, msr: true, pae: true, mce: true, cx8: true, apic: true,
      sep: true, mtrr: true, pge: true, mca: true, cmov: true, pat: true, pse36: true, clflush: true, mmx: true,
      fxsr: true, sse: true, sse2: true, sse3: true, pcid: false, x2apic: false, xsave: true, fsgsbase: true,
      smep: true, smap: true, umip: true, la57: true, syscall: true, nx: true, pages1g: true, rdtscp: true,
      lm: true, lahf: true,
    },
  };
}

/** Applies overrides such as {vendor: 'AuthenticAMD', la57: false, lm: false, family: 15}. Unknown keys throw. */
export function cpuModelWith(overrides: Record<string, boolean | string | number>): CpuModel {
  const m = defaultCpuModel();
  for (const [k, v] of Object.entries(overrides)) {
    const key = k.toLowerCase();
    if (key === 'vendor' && typeof v === 'string') m.vendor = v.padEnd(12, ' ').slice(0, 12);
    else if (key === 'brand' && typeof v === 'string') m.brand = v;
    else if ((key === 'family' || key === 'model' || key === 'stepping' || key === 'maxphysaddr' || key === 'maxlinaddr') && typeof v === 'number') {
      const prop = key === 'maxphysaddr' ? 'maxPhysAddr' : key === 'maxlinaddr' ? 'maxLinAddr' : key;
      (m as unknown as Record<string, number>)[prop] = v;
    } else if (key in m.features && typeof v === 'boolean') (m.features as unknown as Record<string, boolean>)[key] = v;
    else throw new Error(`unknown CPUID model setting '${k}' (or wrong type ${typeof v})`);
  }
  if (!m.features.la57) m.maxLinAddr = 48;
  return m;
}

function str4(s: string, at: number): number {
  let v = 0;
  for (let i = 3; i >= 0; i--) v = (v << 8) | (s.charCodeAt(at + i) & 0xff);
  return v >>> 0;
}

const bit = (on: boolean, n: number): number => (on ? (1 << n) >>> 0 : 0);

/**
 * Executes CPUID for `leaf`/`subleaf` into out[0..3] = EAX, EBX, ECX, EDX. `osxsave` reflects CR4.OSXSAVE,
 * `apicId` the calling CPU, `cpuCount` the logical processor count.
 */
export function cpuid(m: CpuModel, leaf: number, subleaf: number, apicId: number, cpuCount: number, osxsave: boolean, out: Uint32Array): void {
  const f = m.features;
  const maxBasic = 0xd, maxExt = 0x80000008;
  leaf >>>= 0;
  out[0] = out[1] = out[2] = out[3] = 0;
  // Intel answers leaves beyond the maximum with the highest basic leaf's data.
  if (leaf > maxBasic && leaf < 0x80000000) leaf = m.vendor === 'GenuineIntel' ? maxBasic : leaf;
  if (leaf > maxExt) leaf = m.vendor === 'GenuineIntel' ? maxBasic : leaf;
  const fam = m.family, extFam = fam > 15 ? fam - 15 : 0;
  const signature = ((extFam & 0xff) << 20) | (((m.model >> 4) & 0xf) << 16) | ((Math.min(fam, 15) & 0xf) << 8) | ((m.model & 0xf) << 4) | (m.stepping & 0xf);
  switch (leaf) {
    case 0:
      out[0] = maxBasic;
      out[1] = str4(m.vendor, 0);
      out[3] = str4(m.vendor, 4);
      out[2] = str4(m.vendor, 8);
      break;
    case 1:
      out[0] = signature;
      out[1] = ((apicId & 0xff) << 24) | ((cpuCount & 0xff) << 16) | (8 << 8);
      out[2] = bit(f.sse3, 0) | bit(f.pcid, 17) | bit(f.x2apic, 21) | bit(f.xsave, 26) | bit(f.xsave && osxsave, 27);
      out[3] =
        bit(f.fpu, 0) | bit(f.vme, 1) | bit(f.de, 2) | bit(f.pse, 3) | bit(f.tsc, 4) | bit(f.msr, 5) | bit(f.pae, 6) |
        bit(f.mce, 7) | bit(f.cx8, 8) | bit(f.apic, 9) | bit(f.sep, 11) | bit(f.mtrr, 12) | bit(f.pge, 13) |
        bit(f.mca, 14) | bit(f.cmov, 15) | bit(f.pat, 16) | bit(f.pse36, 17) | bit(f.clflush, 19) | bit(f.mmx, 23) |
        bit(f.fxsr, 24) | bit(f.sse, 25) | bit(f.sse2, 26) | bit(cpuCount > 1, 28);
      out[3] >>>= 0;
      break;
    case 7:
      if (subleaf === 0) {
        out[1] = bit(f.fsgsbase, 0) | bit(f.smep, 7) | bit(f.smap, 20);
        out[2] = bit(f.umip, 2) | bit(f.la57, 16);
      }
      break;
    case 0xb:
      out[0] = 0;
      out[1] = subleaf === 0 ? 1 : subleaf === 1 ? cpuCount : 0;
      out[2] = subleaf === 0 ? 0x100 | subleaf : subleaf === 1 ? 0x200 | subleaf : subleaf;
      out[3] = apicId;
      break;
    case 0xd:
      if (subleaf === 0 && f.xsave) {
        out[0] = 3;
        out[1] = out[2] = 576;
      }
      break;
    case 0x80000000:
      out[0] = maxExt;
      if (m.vendor !== 'GenuineIntel') {
        out[1] = str4(m.vendor, 0);
        out[3] = str4(m.vendor, 4);
        out[2] = str4(m.vendor, 8);
      }
      break;
    case 0x80000001:
      if (m.vendor !== 'GenuineIntel') out[0] = signature;
      out[2] = bit(f.lahf, 0);
      out[3] = (bit(f.syscall && f.lm, 11) | bit(f.nx, 20) | bit(f.pages1g, 26) | bit(f.rdtscp, 27) | bit(f.lm, 29)) >>> 0;
      if (m.vendor === 'AuthenticAMD') out[3] = (out[3] | bit(f.syscall, 11)) >>> 0;
      break;
    case 0x80000002:
    case 0x80000003:
    case 0x80000004: {
      const b = m.brand.padEnd(48, '\0').slice(0, 47) + '\0';
      const at = (leaf - 0x80000002) * 16;
      for (let i = 0; i < 4; i++) out[i] = str4(b, at + i * 4);
      break;
    }
    case 0x80000008:
      out[0] = (m.maxPhysAddr & 0xff) | ((m.maxLinAddr & 0xff) << 8);
      break;
  }
}
