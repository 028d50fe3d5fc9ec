// CPU exceptions raised inside the emulator. One preallocated object per CPU is thrown (no allocation on the hot
// path); the run loop catches it and delivers the vector through the IVT/IDT.

/** Exception vectors (SDM vol. 3A table 6-1). */
export const DE = 0, DB = 1, NMI = 2, BP = 3, OF = 4, BR = 5, UD = 6, NM = 7, DF = 8;
export const TS = 10, NP = 11, SS = 12, GP = 13, PF = 14, MF = 16, AC = 17, MC = 18, XM = 19, VE = 20, CP = 21;

export const EXCEPTION_NAMES: readonly string[] = [
  '#DE divide error', '#DB debug', 'NMI', '#BP breakpoint', '#OF overflow', '#BR bound range', '#UD invalid opcode',
  '#NM device not available', '#DF double fault', 'coprocessor segment overrun', '#TS invalid TSS',
  '#NP segment not present', '#SS stack fault', '#GP general protection', '#PF page fault', 'reserved (15)',
  '#MF x87 error', '#AC alignment check', '#MC machine check', '#XM SIMD error', '#VE virtualization',
  '#CP control protection',
];

/** Vectors that push an error code in protected/long mode. */
export function hasErrorCode(vector: number): boolean {
  return vector === DF || (vector >= TS && vector <= PF) || vector === AC || vector === CP;
}

/** Exception class for the double-fault rules (SDM vol. 3A table 6-4/6-5). */
export function faultClass(vector: number): 'benign' | 'contributory' | 'page-fault' {
  if (vector === PF) return 'page-fault';
  if (vector === DE || (vector >= TS && vector <= GP)) return 'contributory';
  return 'benign';
}

export class CpuFault {
  vector = 0;
  /** Error code, or -1 when the vector pushes none. */
  errorCode = -1;
  /** Words for the debugger ("segment limit exceeded", "CR4.LA57 changed in IA-32e mode"). Not architectural. */
  detail = '';

  set(vector: number, errorCode: number, detail: string): this {
    this.vector = vector;
    this.errorCode = hasErrorCode(vector) ? errorCode : -1;
    this.detail = detail;
    return this;
  }
}
