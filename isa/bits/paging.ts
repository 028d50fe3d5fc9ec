// Paging-structure entries for every format (Intel SDM vol. 3A ch. 4.3-4.5, tables 4-4 to 4-20).
import { field, flag, type BitField, type BitsDef } from './types';

const P = flag('P', 0, 'Present: the entry maps something; 0 means any access faults (#PF).');
const RW = flag('RW', 1, 'Read/write: 0 makes the region read-only (for supervisor too when CR0.WP = 1).');
const US = flag('US', 2, 'User/supervisor: 1 lets CPL 3 access the region.');
const PWT = flag('PWT', 3, 'Page-level write-through caching.');
const PCD = flag('PCD', 4, 'Page-level cache disable.');
const A = flag('A', 5, 'Accessed: set by the CPU when the entry is used for a translation.');
const D = flag('D', 6, 'Dirty: set by the CPU on the first write to the page.');
const PS_TABLE = flag('PS', 7, 'Page size: 0 here, the entry points to a lower-level table.');
const PS_LARGE = flag('PS', 7, 'Page size: 1 here, the entry maps a large page directly.');
const G = flag('G', 8, 'Global: the translation survives CR3 writes when CR4.PGE = 1.');
const XD = flag('XD', 63, 'Execute-disable: no instruction fetches from the region (when EFER.NXE = 1).');
const PK = field('PK', 59, 4, 'Protection key (with CR4.PKE/PKS): index into PKRU/IA32_PKRS.');

function def(name: string, width: 32 | 64, meaning: string, fields: BitField[]): BitsDef {
  return { name, width, meaning, fields };
}

// 32-bit paging (CR4.PAE = 0).
export const PDE32_TABLE = def('PDE (32-bit, page table)', 32, 'Page-directory entry pointing to a page table of 1024 PTEs.', [
  P, RW, US, PWT, PCD, A, PS_TABLE, field('ADDR', 12, 20, 'Physical frame of the page table (address >> 12).'),
]);
export const PDE32_4M = def('PDE (32-bit, 4 MiB page)', 32, 'Page-directory entry mapping a 4 MiB page (CR4.PSE = 1).', [
  P, RW, US, PWT, PCD, A, D, PS_LARGE, G,
  flag('PAT', 12, 'Page Attribute Table index bit for the page.'),
  field('ADDR_HIGH', 13, 8, 'Physical address bits 39:32 (PSE-36/40).'),
  field('ADDR', 22, 10, 'Physical address bits 31:22 of the 4 MiB page.'),
]);
export const PTE32 = def('PTE (32-bit)', 32, 'Page-table entry mapping a 4 KiB page.', [
  P, RW, US, PWT, PCD, A, D, flag('PAT', 7, 'Page Attribute Table index bit.'), G,
  field('ADDR', 12, 20, 'Physical frame of the page (address >> 12).'),
]);

// PAE paging (CR4.PAE = 1, IA-32e off).
export const PDPTE_PAE = def('PDPTE (PAE)', 64, 'One of four PAE page-directory-pointer entries, loaded when CR3 is written.', [
  P, PWT, PCD, field('ADDR', 12, 40, 'Physical frame of the page directory.'),
]);

// Shared by PAE and IA-32e paging.
export const PDE_TABLE = def('PDE (page table)', 64, 'Page-directory entry pointing to a page table of 512 PTEs.', [
  P, RW, US, PWT, PCD, A, PS_TABLE, field('ADDR', 12, 40, 'Physical frame of the page table.'), XD,
]);
export const PDE_2M = def('PDE (2 MiB page)', 64, 'Page-directory entry mapping a 2 MiB page.', [
  P, RW, US, PWT, PCD, A, D, PS_LARGE, G, flag('PAT', 12, 'Page Attribute Table index bit.'),
  field('ADDR', 21, 31, 'Physical address bits 51:21 of the 2 MiB page.'), PK, XD,
]);
export const PTE = def('PTE (4 KiB page)', 64, 'Page-table entry mapping a 4 KiB page.', [
  P, RW, US, PWT, PCD, A, D, flag('PAT', 7, 'Page Attribute Table index bit.'), G,
  field('ADDR', 12, 40, 'Physical frame of the page.'), PK, XD,
]);

// IA-32e (4- and 5-level) upper levels.
export const PML5E = def('PML5E', 64, 'Level-5 entry (LA57): points to a PML4 table; covers 256 TiB.', [
  P, RW, US, PWT, PCD, A, flag('PS', 7, 'Reserved (must be 0).'), field('ADDR', 12, 40, 'Physical frame of the PML4 table.'), XD,
]);
export const PML4E = def('PML4E', 64, 'Level-4 entry: points to a page-directory-pointer table; covers 512 GiB.', [
  P, RW, US, PWT, PCD, A, flag('PS', 7, 'Reserved (must be 0).'), field('ADDR', 12, 40, 'Physical frame of the PDPT.'), XD,
]);
export const PDPTE_TABLE = def('PDPTE (page directory)', 64, 'Level-3 entry pointing to a page directory; covers 1 GiB.', [
  P, RW, US, PWT, PCD, A, PS_TABLE, field('ADDR', 12, 40, 'Physical frame of the page directory.'), XD,
]);
export const PDPTE_1G = def('PDPTE (1 GiB page)', 64, 'Level-3 entry mapping a 1 GiB page (CPUID 1GB pages).', [
  P, RW, US, PWT, PCD, A, D, PS_LARGE, G, flag('PAT', 12, 'Page Attribute Table index bit.'),
  field('ADDR', 30, 22, 'Physical address bits 51:30 of the 1 GiB page.'), PK, XD,
]);

/** Error code pushed with #PF (SDM vol. 3A fig. 4-12). */
export const PAGE_FAULT_ERROR_CODE: BitsDef = def('#PF error code', 32, 'Why a page fault happened; CR2 holds the faulting linear address.', [
  flag('P', 0, '0 = the page was not present; 1 = a protection violation on a present page.'),
  flag('W', 1, 'The access was a write.'),
  flag('U', 2, 'The access was a user-mode (CPL 3) access.'),
  flag('RSVD', 3, 'A reserved bit was set in a paging-structure entry.'),
  flag('I', 4, 'The access was an instruction fetch (with NX or SMEP).'),
  flag('PK', 5, 'Protection-key violation.'),
  flag('SS', 6, 'Shadow-stack access.'),
  flag('SGX', 15, 'SGX access-control violation.'),
]);

export const PTE_P = 1 << 0, PTE_RW = 1 << 1, PTE_US = 1 << 2, PTE_PWT = 1 << 3, PTE_PCD = 1 << 4;
export const PTE_A = 1 << 5, PTE_D = 1 << 6, PTE_PS = 1 << 7, PTE_G = 1 << 8;
/** XD as a bit of the entry's high 32-bit half. */
export const PTE_XD_HI = 1 << 31;
export const PF_P = 1, PF_W = 2, PF_U = 4, PF_RSVD = 8, PF_I = 16, PF_PK = 32;
