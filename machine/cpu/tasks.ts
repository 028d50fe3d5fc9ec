// Hardware task switching for legacy protected mode (SDM vol. 3A 7.3): far JMP/CALL to a TSS or task gate, INT and
// exceptions through a task gate, IRET with NT=1. 32-bit TSSs only (a 16-bit TSS raises #GP with a detail); in
// IA-32e mode task switches do not exist and the callers raise #GP before getting here.
import { CR0_TS, EFL_NT, EFL_VM } from '../../isa/bits/control';
import type { Cpu } from './cpu';
import { GP, NP, TS } from './fault';
import { CS, DS, ES, FS, GS, SS } from './segment';
import { desc, loadLdtr, loadSegment, readDescriptor } from './segments';

export type TaskSwitchReason = 'jmp' | 'call' | 'int' | 'iret';

/** GPR order in the 32-bit TSS: EAX ECX EDX EBX ESP EBP ESI EDI at 0x28.. */
const GPR_OFFSET = 0x28;
const SEG_OFFSETS = [0x48, 0x4c, 0x50, 0x54, 0x58, 0x5c]; // ES CS SS DS FS GS

/**
 * Switches to the task whose TSS selector is `sel`. `nextLo` is the EIP saved in the old task (the next
 * instruction for JMP/CALL/INT/IRET, the faulting one for faults). `errorCode` >= 0 is pushed on the new task's
 * stack (exceptions through task gates).
 */
export function taskSwitch(cpu: Cpu, sel: number, reason: TaskSwitchReason, nextLo: number, errorCode = -1): void {
  sel &= 0xffff;
  if (sel & 4) cpu.raise(GP, sel & 0xfffc, 'TSS selector must reference the GDT');
  readDescriptor(cpu, sel, GP);
  const type = (desc.hi >>> 8) & 0x1f;
  const busy = (type & 2) !== 0;
  if (type !== 0x09 && type !== 0x0b) {
    if (type === 0x01 || type === 0x03) cpu.raise(GP, sel & 0xfffc, '16-bit TSS task switches are not emulated');
    cpu.raise(GP, sel & 0xfffc, 'task switch target is not a 32-bit TSS');
  }
  if (reason === 'iret' ? !busy : busy) cpu.raise(GP, sel & 0xfffc, reason === 'iret' ? 'IRET to a task that is not busy' : 'task switch to a busy TSS');
  if (!(desc.hi & 0x8000)) cpu.raise(NP, sel & 0xfffc, 'TSS not present');
  const rawLimit = (desc.lo & 0xffff) | (desc.hi & 0xf0000);
  const limit = desc.hi & 0x800000 ? ((rawLimit << 12) | 0xfff) >>> 0 : rawLimit;
  if (limit < 0x67) cpu.raise(TS, sel & 0xfffc, 'TSS limit below 0x67');
  const newLo = desc.lo, newHi = desc.hi, newDescAddr = desc.addrLo;
  const newBase = ((newLo >>> 16) | ((newHi & 0xff) << 16) | (newHi & 0xff000000)) >>> 0;

  // Save the outgoing task's state into its TSS.
  const old = cpu.tr;
  if ((old.selector & 0xfffc) === 0 || !old.usable) cpu.raise(GP, sel & 0xfffc, 'task switch without a current task (TR not loaded)');
  const oldBase = old.base;
  let flags = cpu.getEflags();
  if (reason === 'jmp' || reason === 'iret') flags &= ~EFL_NT;
  const w32 = (off: number, v: number): void => cpu.memory.write32(cpu.mmu.translateSystem((oldBase + off) >>> 0, 0, 1), v >>> 0);
  w32(0x20, nextLo);
  w32(0x24, flags);
  for (let r = 0; r < 8; r++) w32(GPR_OFFSET + r * 4, cpu.gprLo[r]);
  for (let s = 0; s < 6; s++) w32(SEG_OFFSETS[s], cpu.seg[s].selector);
  // Busy bits: the old task stays busy only when it is nested (CALL/INT).
  if (reason === 'jmp' || reason === 'iret') {
    readDescriptor(cpu, old.selector, GP);
    cpu.writeSys8((desc.addrLo + 5) >>> 0, 0, (desc.hi >>> 8) & 0xfd);
  }
  const r32 = (off: number): number => cpu.memory.read32(cpu.mmu.translateSystem((newBase + off) >>> 0, 0, 0));
  if (reason === 'call' || reason === 'int') cpu.memory.write16(cpu.mmu.translateSystem(newBase, 0, 1), old.selector);
  if (reason !== 'iret') cpu.writeSys8((newDescAddr + 5) >>> 0, 0, ((newHi >>> 8) & 0xff) | 0x02);

  // Load the incoming task.
  const cr3 = r32(0x1c), eip = r32(0x20);
  let eflags = r32(0x24);
  const gprs = [0, 1, 2, 3, 4, 5, 6, 7].map((r) => r32(GPR_OFFSET + r * 4));
  const sels = SEG_OFFSETS.map((o) => r32(o) & 0xffff);
  const ldt = r32(0x60) & 0xffff;
  if (reason === 'call' || reason === 'int') eflags |= EFL_NT;
  cpu.tr.loadDescriptor(sel, newLo, newHi | 0x200);
  cpu.cr0 = (cpu.cr0 | CR0_TS) >>> 0;
  if (cpu.paging !== 'none' && (cr3 >>> 0) !== cpu.cr3Lo) {
    cpu.cr3Lo = cr3 >>> 0;
    if (cpu.paging === 'pae') cpu.mmu.loadPdptes();
    cpu.mmu.flushNonGlobal();
  }
  cpu.ripLo = eip >>> 0;
  cpu.ripHi = 0;
  cpu.setEflags(eflags & ~EFL_VM);
  for (let r = 0; r < 8; r++) cpu.gprLo[r] = gprs[r] >>> 0;
  // Segment loads happen in the new task: faults are reported as #TS with the selector (SDM 7.3 step 12).
  try {
    cpu.ldtr.loadNull(0);
    if ((ldt & 0xfffc) !== 0) loadLdtr(cpu, ldt);
    const cpl = sels[1] & 3;
    readDescriptor(cpu, sels[1], TS);
    if (((desc.hi >>> 8) & 0x18) !== 0x18) cpu.raise(TS, sels[1] & 0xfffc, 'new task CS is not a code segment');
    cpu.seg[CS].loadDescriptor(sels[1], desc.lo, desc.hi);
    cpu.cpl = cpl;
    loadSegment(cpu, SS, sels[2]);
    for (const s of [ES, DS, FS, GS]) loadSegment(cpu, s, sels[s]);
  } catch (e) {
    cpu.modeChanged();
    const f = e as { vector?: number; errorCode?: number };
    if (f.vector === GP || f.vector === NP) cpu.raise(TS, (f.errorCode ?? 0) & 0xfffc, 'invalid segment in the new task');
    throw e;
  }
  cpu.modeChanged();
  if (cpu.hooks !== null) cpu.hooks.tableLoad(cpu.id, 'tr', sel, cpu.tr.base, 0, cpu.tr.limit);
  if (errorCode >= 0) cpu.push(4, errorCode);
}
