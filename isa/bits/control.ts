// Control registers, EFLAGS, EFER and XCR0 (Intel SDM vol. 3A ch. 2.5, 2.3; vol. 1 ch. 3.4.3, 13.3).
import { field, flag, type BitsDef } from './types';

export const CR0: BitsDef = {
  name: 'CR0',
  width: 64,
  meaning: 'System control flags: protection, paging and FPU behaviour.',
  fields: [
    flag('PE', 0, 'Protection Enable: 1 = protected mode (segment descriptors), 0 = real mode.'),
    flag('MP', 1, 'Monitor Coprocessor: WAIT/FWAIT raise #NM when TS is also set.'),
    flag('EM', 2, 'Emulation: x87 instructions raise #NM so software can emulate the FPU.'),
    flag('TS', 3, 'Task Switched: set on task switch; the next x87/SSE use raises #NM (lazy FPU save).'),
    flag('ET', 4, 'Extension Type: hard-wired to 1 on modern CPUs (387-compatible FPU).'),
    flag('NE', 5, 'Numeric Error: report x87 errors as #MF instead of the legacy external IRQ 13.'),
    flag('WP', 16, 'Write Protect: read-only pages stay read-only for supervisor code too.'),
    flag('AM', 18, 'Alignment Mask: with EFLAGS.AC allows #AC for misaligned user-mode accesses.'),
    flag('NW', 29, 'Not Write-through: with CD, legacy cache write policy control.'),
    flag('CD', 30, 'Cache Disable: stops filling the caches with new lines.'),
    flag('PG', 31, 'Paging: translate linear addresses through page tables (requires PE).'),
  ],
};

export const CR3: BitsDef = {
  name: 'CR3',
  width: 64,
  meaning: 'Page-table root: physical address of the top-level paging structure, plus cache/PCID bits.',
  fields: [
    field('PCID', 0, 12, 'Process-context identifier tagging TLB entries (only when CR4.PCIDE = 1; overlaps PWT/PCD).'),
    flag('PWT', 3, 'Page-level Write-Through for the top-level table (when CR4.PCIDE = 0).'),
    flag('PCD', 4, 'Page-level Cache Disable for the top-level table (when CR4.PCIDE = 0).'),
    field('BASE', 12, 40, 'Physical page frame (address >> 12) of the PML5/PML4/PDPT/page directory.'),
    flag('LAM_U57', 61, 'Linear Address Masking for user pointers, 57-bit form (bits 62:57 ignored).'),
    flag('LAM_U48', 62, 'Linear Address Masking for user pointers, 48-bit form (bits 62:48 ignored).'),
    flag('NOFLUSH', 63, 'On a MOV to CR3 with PCIDE = 1: keep TLB entries of the new PCID (never stored).'),
  ],
};

export const CR4: BitsDef = {
  name: 'CR4',
  width: 64,
  meaning: 'Architecture extension enables: paging formats, OS support for SSE/XSAVE, protection features.',
  fields: [
    flag('VME', 0, 'Virtual-8086 Mode Extensions: virtual interrupt flag and redirection in V86 mode.'),
    flag('PVI', 1, 'Protected-mode Virtual Interrupts: VIF/VIP for CPL 3 protected-mode code.'),
    flag('TSD', 2, 'Time Stamp Disable: RDTSC/RDTSCP only at CPL 0.'),
    flag('DE', 3, 'Debugging Extensions: DR4/DR5 references fault; enables I/O breakpoints.'),
    flag('PSE', 4, 'Page Size Extensions: 4 MiB pages in 32-bit paging (PS bit in the PDE).'),
    flag('PAE', 5, 'Physical Address Extension: 64-bit page-table entries; required for IA-32e paging.'),
    flag('MCE', 6, 'Machine-Check Enable: machine-check exception (#MC) delivery.'),
    flag('PGE', 7, 'Page Global Enable: global (G) translations survive CR3 writes.'),
    flag('PCE', 8, 'Performance-Monitoring Counter Enable: RDPMC allowed at any privilege level.'),
    flag('OSFXSR', 9, 'OS supports FXSAVE/FXRSTOR: enables SSE instructions.'),
    flag('OSXMMEXCPT', 10, 'OS handles unmasked SIMD floating-point exceptions (#XM).'),
    flag('UMIP', 11, 'User-Mode Instruction Prevention: SGDT/SIDT/SLDT/SMSW/STR fault at CPL > 0.'),
    flag('LA57', 12, '57-bit linear addresses: 5-level paging in IA-32e mode (cannot change while LMA = 1).'),
    flag('VMXE', 13, 'VMX Enable: VMXON allowed (Intel virtualization).'),
    flag('SMXE', 14, 'SMX Enable: GETSEC allowed (Safer Mode Extensions).'),
    flag('FSGSBASE', 16, 'Enables RDFSBASE/RDGSBASE/WRFSBASE/WRGSBASE.'),
    flag('PCIDE', 17, 'Process-Context Identifiers: CR3[11:0] tags TLB entries (IA-32e mode only).'),
    flag('OSXSAVE', 18, 'OS supports XSAVE and extended states: enables XGETBV/XSETBV and AVX.'),
    flag('KL', 19, 'Key Locker enable: LOADIWKEY allowed.'),
    flag('SMEP', 20, 'Supervisor-Mode Execution Prevention: no kernel fetches from user pages.'),
    flag('SMAP', 21, 'Supervisor-Mode Access Prevention: no kernel data access to user pages unless EFLAGS.AC.'),
    flag('PKE', 22, 'Protection Keys for user-mode pages (PKRU register).'),
    flag('CET', 23, 'Control-flow Enforcement Technology: shadow stacks and indirect-branch tracking.'),
    flag('PKS', 24, 'Protection Keys for supervisor-mode pages (IA32_PKRS MSR).'),
    flag('UINTR', 25, 'User Interrupts enable (SENDUIPI, UIRET).'),
    flag('LAM_SUP', 28, 'Linear Address Masking for supervisor pointers.'),
  ],
};

export const CR8: BitsDef = {
  name: 'CR8',
  width: 64,
  meaning: 'Task Priority Register (64-bit mode): interrupts at or below this priority class are held off.',
  fields: [field('TPR', 0, 4, 'Priority threshold; mirrors local APIC TPR[7:4].')],
};

export const EFLAGS: BitsDef = {
  name: 'EFLAGS',
  width: 64,
  meaning: 'Arithmetic status flags, the direction flag and system flags.',
  fields: [
    flag('CF', 0, 'Carry: unsigned overflow out of the top bit, or a borrow.'),
    flag('R1', 1, 'Reserved, always reads 1.'),
    flag('PF', 2, 'Parity: the low byte of the result has an even number of 1 bits.'),
    flag('AF', 4, 'Auxiliary carry: carry or borrow out of bit 3 (for BCD arithmetic).'),
    flag('ZF', 6, 'Zero: the result is zero.'),
    flag('SF', 7, 'Sign: copy of the result\'s top bit.'),
    flag('TF', 8, 'Trap: single-step, raises #DB after each instruction.'),
    flag('IF', 9, 'Interrupt enable: maskable hardware interrupts are accepted.'),
    flag('DF', 10, 'Direction: string instructions decrement (1) or increment (0) their pointers.'),
    flag('OF', 11, 'Overflow: the signed result does not fit.'),
    field('IOPL', 12, 2, 'I/O privilege level: the highest CPL allowed to use IN/OUT/CLI/STI without the I/O bitmap.'),
    flag('NT', 14, 'Nested Task: the current task was entered by CALL or interrupt; IRET returns through the link.'),
    flag('RF', 16, 'Resume: suppresses instruction breakpoints for the next instruction.'),
    flag('VM', 17, 'Virtual-8086 mode.'),
    flag('AC', 18, 'Alignment check (user mode with CR0.AM) / allows supervisor access to user pages under SMAP.'),
    flag('VIF', 19, 'Virtual interrupt flag (VME/PVI).'),
    flag('VIP', 20, 'Virtual interrupt pending (VME/PVI).'),
    flag('ID', 21, 'CPUID available: software can toggle this bit only if the CPU supports CPUID.'),
  ],
};

export const EFER: BitsDef = {
  name: 'EFER',
  width: 64,
  meaning: 'Extended Feature Enable Register (MSR 0xC0000080): long mode, SYSCALL and no-execute.',
  fields: [
    flag('SCE', 0, 'System Call Extensions: enables SYSCALL/SYSRET.'),
    flag('LME', 8, 'Long Mode Enable: IA-32e mode activates when paging is turned on.'),
    flag('LMA', 10, 'Long Mode Active (read-only): set by the CPU when LME = 1 and CR0.PG = 1.'),
    flag('NXE', 11, 'No-Execute Enable: bit 63 of PAE/IA-32e page entries marks pages non-executable.'),
    flag('SVME', 12, 'Secure Virtual Machine Enable (AMD SVM).'),
    flag('LMSLE', 13, 'Long Mode Segment Limit Enable (AMD, legacy).'),
    flag('FFXSR', 14, 'Fast FXSAVE/FXRSTOR: skips XMM state in 64-bit CPL 0 (AMD).'),
    flag('TCE', 15, 'Translation Cache Extension: INVLPG flushes only the needed upper-level entries (AMD).'),
  ],
};

export const XCR0: BitsDef = {
  name: 'XCR0',
  width: 64,
  meaning: 'Extended Control Register 0 (XSETBV index 0): which state components XSAVE manages and the OS enabled.',
  fields: [
    flag('X87', 0, 'x87 FPU state; must always be 1.'),
    flag('SSE', 1, 'SSE state: XMM registers and MXCSR.'),
    flag('AVX', 2, 'AVX state: upper halves of YMM registers (requires SSE).'),
    flag('BNDREGS', 3, 'MPX bound registers BND0-3.'),
    flag('BNDCSR', 4, 'MPX configuration and status registers.'),
    flag('OPMASK', 5, 'AVX-512 opmask registers k0-k7.'),
    flag('ZMM_HI256', 6, 'AVX-512 upper 256 bits of ZMM0-15.'),
    flag('HI16_ZMM', 7, 'AVX-512 registers ZMM16-31.'),
    flag('PKRU', 9, 'Protection-key rights register for user pages.'),
    flag('TILECFG', 17, 'AMX tile configuration.'),
    flag('TILEDATA', 18, 'AMX tile data registers.'),
  ],
};

/** Bit masks (low 32 bits) for the emulator; derived by name from the definitions above. */
export const CR0_PE = 1 << 0, CR0_MP = 1 << 1, CR0_EM = 1 << 2, CR0_TS = 1 << 3, CR0_ET = 1 << 4, CR0_NE = 1 << 5;
export const CR0_WP = 1 << 16, CR0_AM = 1 << 18, CR0_NW = 1 << 29, CR0_CD = 1 << 30, CR0_PG = 1 << 31;
export const CR4_VME = 1 << 0, CR4_PVI = 1 << 1, CR4_TSD = 1 << 2, CR4_DE = 1 << 3, CR4_PSE = 1 << 4;
export const CR4_PAE = 1 << 5, CR4_MCE = 1 << 6, CR4_PGE = 1 << 7, CR4_PCE = 1 << 8, CR4_OSFXSR = 1 << 9;
export const CR4_OSXMMEXCPT = 1 << 10, CR4_UMIP = 1 << 11, CR4_LA57 = 1 << 12, CR4_VMXE = 1 << 13;
export const CR4_SMXE = 1 << 14, CR4_FSGSBASE = 1 << 16, CR4_PCIDE = 1 << 17, CR4_OSXSAVE = 1 << 18;
export const CR4_KL = 1 << 19, CR4_SMEP = 1 << 20, CR4_SMAP = 1 << 21, CR4_PKE = 1 << 22, CR4_CET = 1 << 23;
export const CR4_PKS = 1 << 24, CR4_UINTR = 1 << 25, CR4_LAM_SUP = 1 << 28;
export const EFL_CF = 1 << 0, EFL_R1 = 1 << 1, EFL_PF = 1 << 2, EFL_AF = 1 << 4, EFL_ZF = 1 << 6, EFL_SF = 1 << 7;
export const EFL_TF = 1 << 8, EFL_IF = 1 << 9, EFL_DF = 1 << 10, EFL_OF = 1 << 11, EFL_IOPL = 3 << 12;
export const EFL_NT = 1 << 14, EFL_RF = 1 << 16, EFL_VM = 1 << 17, EFL_AC = 1 << 18, EFL_VIF = 1 << 19;
export const EFL_VIP = 1 << 20, EFL_ID = 1 << 21;
export const EFER_SCE = 1 << 0, EFER_LME = 1 << 8, EFER_LMA = 1 << 10, EFER_NXE = 1 << 11, EFER_SVME = 1 << 12;
export const EFER_LMSLE = 1 << 13, EFER_FFXSR = 1 << 14, EFER_TCE = 1 << 15;
