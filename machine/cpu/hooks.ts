// Notifications from a CPU to the machine's event system. `cpu.hooks` is null unless a debugger/tracer asked for
// events, so the hot path pays one null test at the few places that can fire.
import type { CpuMode, PagingMode } from './state';

export type ControlRegister = 'cr0' | 'cr2' | 'cr3' | 'cr4' | 'cr8' | 'xcr0';
export type TableRegister = 'gdtr' | 'idtr' | 'ldtr' | 'tr';

export interface CpuHooks {
  controlWrite(cpu: number, reg: ControlRegister, oldLo: number, oldHi: number, newLo: number, newHi: number): void;
  msrWrite(cpu: number, msr: number, oldLo: number, oldHi: number, newLo: number, newHi: number): void;
  modeChange(cpu: number, oldMode: CpuMode, newMode: CpuMode, oldPaging: PagingMode, newPaging: PagingMode, oldCodeSize: number, newCodeSize: number): void;
  tableLoad(cpu: number, table: TableRegister, selector: number, baseLo: number, baseHi: number, limit: number): void;
  exception(cpu: number, vector: number, errorCode: number, detail: string): void;
  halt(cpu: number): void;
  /** INIT/SIPI arriving at `cpu`, sent by CPU `from`. */
  ipi(cpu: number, kind: 'init' | 'sipi', vector: number, from?: number): void;
  io(cpu: number, port: number, size: number, write: boolean, value: number): void;
}
