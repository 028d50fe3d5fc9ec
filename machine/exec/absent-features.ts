// Instructions of extensions the emulated CPU does not have (its CPUID model reports none of them: SGX, SVM,
// VMX, TDX, SEV-SNP, CET, RTM, WAITPKG, PadLock, …). Real hardware without the feature raises #UD for each
// (SDM: "#UD if CPUID.(...) = 0" in every one of them), so that is their semantics here, stated per operation
// rather than left to the catch-all for table forms without a handler. RDSSP is the exception: it lives in the
// hint-NOP space (0F 1E) and is a NOP while CET shadow stacks are off (SDM vol. 1 18.2).
import type { Cpu } from '../cpu/cpu';
import * as Mfault from '../cpu/fault';
import type { DecodedInstruction } from '../../isa/decoder';
import type { Handler } from './integer';

const { UD } = Mfault;

/** Operation name → the feature the CPU model lacks (for the #UD message). */
const ABSENT: Record<string, string> = {
  xbegin: 'RTM',
  getsec: 'SMX (CR4.SMXE)',
  mov_tr: 'test registers (removed after the i486)',
  invept: 'VMX',
  vmread: 'VMX',
  vmwrite: 'VMX',
  vmptrld: 'VMX',
  vmptrst: 'VMX',
  vmclear: 'VMX',
  vmxon: 'VMX (CR4.VMXE)',
  vmfunc: 'VMX',
  wrss: 'CET shadow stacks',
  cet: 'CET shadow stacks',
  ptwrite: 'PTWRITE',
  waitpkg: 'WAITPKG',
  senduipi: 'user interrupts',
  uintr: 'user interrupts',
  movdir64b: 'MOVDIR64B',
  movdiri: 'MOVDIRI',
  enqcmd: 'ENQCMD',
  rao: 'RAO-INT',
  sgx: 'SGX',
  pconfig: 'PCONFIG',
  wrmsrns: 'WRMSRNS',
  msrlist: 'MSRLIST',
  svm: 'SVM',
  monitorx: 'MONITORX',
  mwaitx: 'MONITORX',
  clzero: 'CLZERO',
  rdpru: 'RDPRU',
  invlpgb: 'INVLPGB',
  tlbsync: 'INVLPGB',
  tsxldtrk: 'TSXLDTRK',
  mcommit: 'MCOMMIT',
  tdx: 'TDX',
  snp: 'SEV-SNP',
  padlock: 'VIA PadLock',
};

export const absentFeatureHandlers: Record<string, Handler> = {};
for (const [op, feature] of Object.entries(ABSENT)) {
  absentFeatureHandlers[op] = (cpu: Cpu, d: DecodedInstruction) => {
    if (op === 'cet' && d.form!.names[0].startsWith('rdssp')) return; // hint NOP while CET is off
    cpu.raise(UD, 0, `${d.form!.names[0]} needs ${feature}, which this CPU model does not have`);
  };
}
