// Segment descriptors, gate descriptors and TSS layouts (Intel SDM vol. 3A ch. 3.4.5, 6.11, 6.14, 7.2, 7.7).
import { field, flag, type BitsDef, type LayoutDef } from './types';

/** Type field (bits 43:40) of a code/data descriptor (S = 1). Bit 0 is the accessed bit. */
export const CODE_DATA_TYPES: Readonly<Record<number, string>> = {
  0x0: 'data read-only',
  0x1: 'data read-only, accessed',
  0x2: 'data read/write',
  0x3: 'data read/write, accessed',
  0x4: 'data read-only, expand-down',
  0x5: 'data read-only, expand-down, accessed',
  0x6: 'data read/write, expand-down',
  0x7: 'data read/write, expand-down, accessed',
  0x8: 'code execute-only',
  0x9: 'code execute-only, accessed',
  0xa: 'code execute/read',
  0xb: 'code execute/read, accessed',
  0xc: 'code execute-only, conforming',
  0xd: 'code execute-only, conforming, accessed',
  0xe: 'code execute/read, conforming',
  0xf: 'code execute/read, conforming, accessed',
};

/** Type field of a system descriptor (S = 0) in legacy (16/32-bit) tables. */
export const SYSTEM_TYPES_32: Readonly<Record<number, string>> = {
  0x1: '16-bit TSS (available)',
  0x2: 'LDT',
  0x3: '16-bit TSS (busy)',
  0x4: '16-bit call gate',
  0x5: 'task gate',
  0x6: '16-bit interrupt gate',
  0x7: '16-bit trap gate',
  0x9: '32-bit TSS (available)',
  0xb: '32-bit TSS (busy)',
  0xc: '32-bit call gate',
  0xe: '32-bit interrupt gate',
  0xf: '32-bit trap gate',
};

/** Type field of a system descriptor in IA-32e mode; every other value is reserved there. */
export const SYSTEM_TYPES_64: Readonly<Record<number, string>> = {
  0x2: 'LDT',
  0x9: '64-bit TSS (available)',
  0xb: '64-bit TSS (busy)',
  0xc: '64-bit call gate',
  0xe: '64-bit interrupt gate',
  0xf: '64-bit trap gate',
};

export const SYS_TSS16_AVAIL = 0x1, SYS_LDT = 0x2, SYS_TSS16_BUSY = 0x3, SYS_CALL_GATE16 = 0x4, SYS_TASK_GATE = 0x5;
export const SYS_INT_GATE16 = 0x6, SYS_TRAP_GATE16 = 0x7, SYS_TSS_AVAIL = 0x9, SYS_TSS_BUSY = 0xb;
export const SYS_CALL_GATE = 0xc, SYS_INT_GATE = 0xe, SYS_TRAP_GATE = 0xf;

const commonAccess = [
  flag('S', 44, 'Descriptor kind: 1 = code or data segment, 0 = system segment or gate.'),
  field('DPL', 45, 2, 'Descriptor Privilege Level (0 = most privileged).'),
  flag('P', 47, 'Present: loading a not-present descriptor raises #NP (or #SS for SS).'),
];

/** An 8-byte segment descriptor in the GDT or LDT (code, data or 32-bit system segment). */
export const SEGMENT_DESCRIPTOR: BitsDef = {
  name: 'Segment descriptor',
  width: 64,
  meaning: 'GDT/LDT entry: base, limit, type and attributes loaded into a segment register\'s hidden cache.',
  fields: [
    field('LIMIT_LOW', 0, 16, 'Segment limit bits 15:0.'),
    field('BASE_LOW', 16, 24, 'Base address bits 23:0.'),
    field('TYPE', 40, 4, 'Segment type (code/data or system, see S).', CODE_DATA_TYPES),
    flag('A', 40, 'Accessed: set by the CPU when the descriptor is loaded (code/data).'),
    flag('RW', 41, 'Readable (code) / writable (data).'),
    flag('CE', 42, 'Conforming (code) / expand-down (data).'),
    flag('CODE', 43, 'Executable: 1 = code segment, 0 = data segment (when S = 1).'),
    ...commonAccess,
    field('LIMIT_HIGH', 48, 4, 'Segment limit bits 19:16.'),
    flag('AVL', 52, 'Available for system software.'),
    flag('L', 53, '64-bit code segment (IA-32e mode only; D must then be 0).'),
    flag('DB', 54, 'Default size: 1 = 32-bit code/stack, 0 = 16-bit; upper bound of expand-down data.'),
    flag('G', 55, 'Granularity: the limit counts 4 KiB units (limit << 12 | 0xFFF) instead of bytes.'),
    field('BASE_HIGH', 56, 8, 'Base address bits 31:24.'),
  ],
};

/** A 16-byte system-segment descriptor in IA-32e mode (LDT and TSS). */
export const SYSTEM_DESCRIPTOR_64: BitsDef = {
  name: 'System descriptor (64-bit)',
  width: 128,
  meaning: 'IA-32e LDT or TSS descriptor: a legacy descriptor extended with base bits 63:32.',
  fields: [
    field('LIMIT_LOW', 0, 16, 'Segment limit bits 15:0.'),
    field('BASE_LOW', 16, 24, 'Base address bits 23:0.'),
    field('TYPE', 40, 4, 'System type (LDT = 2, TSS available = 9, busy = 0xB).', SYSTEM_TYPES_64),
    ...commonAccess,
    field('LIMIT_HIGH', 48, 4, 'Segment limit bits 19:16.'),
    flag('AVL', 52, 'Available for system software.'),
    flag('G', 55, 'Granularity of the limit.'),
    field('BASE_HIGH', 56, 8, 'Base address bits 31:24.'),
    field('BASE_UPPER', 64, 32, 'Base address bits 63:32.'),
    field('ZERO', 104, 5, 'Must be zero (type field of the upper half).'),
  ],
};

/** Legacy gate (interrupt, trap, call, task) in the IDT, GDT or LDT. */
export const GATE_32: BitsDef = {
  name: 'Gate descriptor (16/32-bit)',
  width: 64,
  meaning: 'Protected-mode gate: where an interrupt, trap, far call or task switch enters.',
  fields: [
    field('OFFSET_LOW', 0, 16, 'Entry point offset bits 15:0 (unused for task gates).'),
    field('SELECTOR', 16, 16, 'Code segment selector of the handler (TSS selector for task gates).'),
    field('PARAMS', 32, 5, 'Call gates: number of stack parameters copied on a privilege change.'),
    field('TYPE', 40, 4, 'Gate type.', SYSTEM_TYPES_32),
    ...commonAccess,
    field('OFFSET_HIGH', 48, 16, 'Entry point offset bits 31:16 (32-bit gates).'),
  ],
};

/** 16-byte gate in IA-32e mode (interrupt, trap or call gate). */
export const GATE_64: BitsDef = {
  name: 'Gate descriptor (64-bit)',
  width: 128,
  meaning: 'IA-32e gate: 64-bit handler address, selector, and for IDT gates an optional IST stack.',
  fields: [
    field('OFFSET_LOW', 0, 16, 'Entry point bits 15:0.'),
    field('SELECTOR', 16, 16, 'Code segment selector of the handler (must be a 64-bit code segment).'),
    field('IST', 32, 3, 'Interrupt Stack Table index 1-7 (0 = normal stack switching rules).'),
    field('TYPE', 40, 4, 'Gate type.', SYSTEM_TYPES_64),
    ...commonAccess,
    field('OFFSET_MID', 48, 16, 'Entry point bits 31:16.'),
    field('OFFSET_HIGH', 64, 32, 'Entry point bits 63:32.'),
  ],
};

/** A segment selector. */
export const SELECTOR: BitsDef = {
  name: 'Segment selector',
  width: 16,
  meaning: 'Value of a segment register: index into the GDT or LDT plus requested privilege.',
  fields: [
    field('RPL', 0, 2, 'Requested Privilege Level.'),
    flag('TI', 2, 'Table Indicator: 0 = GDT, 1 = LDT.'),
    field('INDEX', 3, 13, 'Descriptor index (byte offset = index * 8).'),
  ],
};

/** Error code pushed for selector-related faults (#TS, #NP, #SS, #GP) and for IDT faults. */
export const SELECTOR_ERROR_CODE: BitsDef = {
  name: 'Selector error code',
  width: 32,
  meaning: 'Error code of a segment fault: which descriptor caused it.',
  fields: [
    flag('EXT', 0, 'External event: the fault happened while delivering an interrupt or earlier exception.'),
    flag('IDT', 1, 'The index refers to an IDT gate.'),
    flag('TI', 2, 'With IDT = 0: 1 = LDT, 0 = GDT.'),
    field('INDEX', 3, 13, 'Descriptor index (the vector number when IDT = 1).'),
  ],
};

/** 32-bit TSS (SDM vol. 3A fig. 7-2). */
export const TSS32: LayoutDef = {
  name: 'TSS (32-bit)',
  size: 104,
  meaning: 'Legacy task-state segment: privilege stacks, saved task registers and the I/O bitmap offset.',
  fields: [
    { name: 'LINK', offset: 0x00, size: 2, meaning: 'Selector of the previous task (nested tasks).' },
    { name: 'ESP0', offset: 0x04, size: 4, meaning: 'Stack pointer loaded on a switch to CPL 0.' },
    { name: 'SS0', offset: 0x08, size: 2, meaning: 'Stack segment loaded on a switch to CPL 0.' },
    { name: 'ESP1', offset: 0x0c, size: 4, meaning: 'Stack pointer for CPL 1.' },
    { name: 'SS1', offset: 0x10, size: 2, meaning: 'Stack segment for CPL 1.' },
    { name: 'ESP2', offset: 0x14, size: 4, meaning: 'Stack pointer for CPL 2.' },
    { name: 'SS2', offset: 0x18, size: 2, meaning: 'Stack segment for CPL 2.' },
    { name: 'CR3', offset: 0x1c, size: 4, meaning: 'Page-table root of the task.' },
    { name: 'EIP', offset: 0x20, size: 4, meaning: 'Saved instruction pointer.' },
    { name: 'EFLAGS', offset: 0x24, size: 4, meaning: 'Saved flags.' },
    { name: 'EAX', offset: 0x28, size: 4, meaning: 'Saved EAX.' },
    { name: 'ECX', offset: 0x2c, size: 4, meaning: 'Saved ECX.' },
    { name: 'EDX', offset: 0x30, size: 4, meaning: 'Saved EDX.' },
    { name: 'EBX', offset: 0x34, size: 4, meaning: 'Saved EBX.' },
    { name: 'ESP', offset: 0x38, size: 4, meaning: 'Saved ESP.' },
    { name: 'EBP', offset: 0x3c, size: 4, meaning: 'Saved EBP.' },
    { name: 'ESI', offset: 0x40, size: 4, meaning: 'Saved ESI.' },
    { name: 'EDI', offset: 0x44, size: 4, meaning: 'Saved EDI.' },
    { name: 'ES', offset: 0x48, size: 2, meaning: 'Saved ES selector.' },
    { name: 'CS', offset: 0x4c, size: 2, meaning: 'Saved CS selector.' },
    { name: 'SS', offset: 0x50, size: 2, meaning: 'Saved SS selector.' },
    { name: 'DS', offset: 0x54, size: 2, meaning: 'Saved DS selector.' },
    { name: 'FS', offset: 0x58, size: 2, meaning: 'Saved FS selector.' },
    { name: 'GS', offset: 0x5c, size: 2, meaning: 'Saved GS selector.' },
    { name: 'LDT', offset: 0x60, size: 2, meaning: 'LDT selector of the task.' },
    { name: 'T', offset: 0x64, size: 2, meaning: 'Bit 0: raise #DB when switching to this task.' },
    { name: 'IOMAP', offset: 0x66, size: 2, meaning: 'Offset from the TSS base to the I/O permission bitmap.' },
  ],
};

/** 64-bit TSS (SDM vol. 3A fig. 7-11). */
export const TSS64: LayoutDef = {
  name: 'TSS (64-bit)',
  size: 104,
  meaning: 'IA-32e task-state segment: stacks for privilege changes, the Interrupt Stack Table and the I/O bitmap offset.',
  fields: [
    { name: 'RSP0', offset: 0x04, size: 8, meaning: 'Stack pointer loaded on an interrupt or call into CPL 0.' },
    { name: 'RSP1', offset: 0x0c, size: 8, meaning: 'Stack pointer for CPL 1.' },
    { name: 'RSP2', offset: 0x14, size: 8, meaning: 'Stack pointer for CPL 2.' },
    ...[1, 2, 3, 4, 5, 6, 7].map((i) => ({
      name: `IST${i}`,
      offset: 0x24 + (i - 1) * 8,
      size: 8 as const,
      meaning: `Interrupt Stack Table entry ${i}: stack used by IDT gates whose IST field is ${i}.`,
    })),
    { name: 'IOMAP', offset: 0x66, size: 2, meaning: 'Offset from the TSS base to the I/O permission bitmap.' },
  ],
};

/** Descriptor-table register (GDTR/IDTR) as stored by SGDT/SIDT and loaded by LGDT/LIDT. */
export const DESCRIPTOR_TABLE_REGISTER: LayoutDef = {
  name: 'Pseudo-descriptor',
  size: 10,
  meaning: 'Operand of LGDT/LIDT: 16-bit limit then the table base (24, 32 or 64 bits used by operand size/mode).',
  fields: [
    { name: 'LIMIT', offset: 0, size: 2, meaning: 'Table size in bytes minus one.' },
    { name: 'BASE', offset: 2, size: 8, meaning: 'Linear address of the table.' },
  ],
};
