// Built-in stand-ins for the x86-64 paging headers: page sizes, page-table geometry and entry bits.
// Values are architectural (4-level paging unless noted) and the kernel's own names; text is ours.

export const x86MmHeaders: Record<string, string> = {
  'asm/page_types.h': String.raw`/* Page sizes and masks. */
#ifndef _ASM_X86_PAGE_DEFS_H
#define _ASM_X86_PAGE_DEFS_H

#include <linux/const.h>
#include <asm/page_64_types.h>
#include <asm/pgtable_64_types.h>

#define PAGE_SHIFT 12
#define PAGE_SIZE (_AC(1,UL) << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE-1))

#define __VIRTUAL_MASK ((_AC(1,UL) << __VIRTUAL_MASK_SHIFT) - 1)

/* Large pages: 2 MiB (PMD) and 1 GiB (PUD). */
#define PMD_PAGE_SIZE (_AC(1, UL) << PMD_SHIFT)
#define PMD_PAGE_MASK (~(PMD_PAGE_SIZE-1))
#define PUD_PAGE_SIZE (_AC(1, UL) << PUD_SHIFT)
#define PUD_PAGE_MASK (~(PUD_PAGE_SIZE-1))

#define HPAGE_SHIFT PMD_SHIFT
#define HPAGE_SIZE (_AC(1,UL) << HPAGE_SHIFT)
#define HPAGE_MASK (~(HPAGE_SIZE - 1))
#define HUGETLB_PAGE_ORDER (HPAGE_SHIFT - PAGE_SHIFT)
#define HUGE_MAX_HSTATE 2

#endif /* _ASM_X86_PAGE_DEFS_H */
`,
  'asm/page_64_types.h': String.raw`/* The 64-bit kernel's address-space layout constants. */
#ifndef _ASM_X86_PAGE_64_DEFS_H
#define _ASM_X86_PAGE_64_DEFS_H

#include <linux/const.h>
#include <asm/page_types.h>

#define THREAD_SIZE_ORDER 2
#define THREAD_SIZE (PAGE_SIZE << THREAD_SIZE_ORDER)

/* Start of the direct map of all physical memory (4-level and 5-level layouts). */
#define __PAGE_OFFSET_BASE_L5 _AC(0xff11000000000000, UL)
#define __PAGE_OFFSET_BASE_L4 _AC(0xffff888000000000, UL)
#define __PAGE_OFFSET __PAGE_OFFSET_BASE_L4

/* Where the kernel image is mapped. */
#define __START_KERNEL_map _AC(0xffffffff80000000, UL)

#define __PHYSICAL_MASK_SHIFT 52
#define __VIRTUAL_MASK_SHIFT 47

#define KERNEL_IMAGE_SIZE (512 * 1024 * 1024)

#endif /* _ASM_X86_PAGE_64_DEFS_H */
`,
  'asm/pgtable_64_types.h': String.raw`/* Page-table geometry for 4-level paging: each table has 512 eight-byte entries. */
#ifndef _ASM_X86_PGTABLE_64_DEFS_H
#define _ASM_X86_PGTABLE_64_DEFS_H

#include <linux/const.h>

/* Top level: each PGD entry maps 512 GiB (256 TiB with 5-level paging, where PGDIR_SHIFT is 48). */
#define PGDIR_SHIFT 39
#define PTRS_PER_PGD 512

/* With 4-level paging the P4D level is folded into the PGD. */
#define P4D_SHIFT 39
#define PTRS_PER_P4D 1

/* Each PUD entry maps 1 GiB. */
#define PUD_SHIFT 30
#define PTRS_PER_PUD 512

/* Each PMD entry maps 2 MiB. */
#define PMD_SHIFT 21
#define PTRS_PER_PMD 512

/* Each PTE maps 4 KiB. */
#define PTRS_PER_PTE 512

#define PMD_SIZE (_AC(1, UL) << PMD_SHIFT)
#define PMD_MASK (~(PMD_SIZE - 1))
#define PUD_SIZE (_AC(1, UL) << PUD_SHIFT)
#define PUD_MASK (~(PUD_SIZE - 1))
#define PGDIR_SIZE (_AC(1, UL) << PGDIR_SHIFT)
#define PGDIR_MASK (~(PGDIR_SIZE - 1))

#endif /* _ASM_X86_PGTABLE_64_DEFS_H */
`,
  'asm/pgtable_types.h': String.raw`/* Page-table entry bits and the kernel's usual combinations of them. */
#ifndef _ASM_X86_PGTABLE_DEFS_H
#define _ASM_X86_PGTABLE_DEFS_H

#include <linux/const.h>
#include <asm/page_types.h>
#include <asm/pgtable_64_types.h>

#define _PAGE_BIT_PRESENT 0 /* is present */
#define _PAGE_BIT_RW 1 /* writeable */
#define _PAGE_BIT_USER 2 /* user accessible */
#define _PAGE_BIT_PWT 3 /* page write-through */
#define _PAGE_BIT_PCD 4 /* page cache disabled */
#define _PAGE_BIT_ACCESSED 5 /* set by the CPU on access */
#define _PAGE_BIT_DIRTY 6 /* set by the CPU on write */
#define _PAGE_BIT_PSE 7 /* large page (in PMD/PUD entries) */
#define _PAGE_BIT_PAT 7 /* PAT index bit in 4 KiB PTEs */
#define _PAGE_BIT_GLOBAL 8 /* global TLB entry */
#define _PAGE_BIT_SOFTW1 9 /* available to software */
#define _PAGE_BIT_SOFTW2 10
#define _PAGE_BIT_SOFTW3 11
#define _PAGE_BIT_PAT_LARGE 12 /* PAT index bit in large pages */
#define _PAGE_BIT_SOFTW5 57
#define _PAGE_BIT_SOFTW4 58
#define _PAGE_BIT_PKEY_BIT0 59 /* protection keys, 4 bits */
#define _PAGE_BIT_PKEY_BIT1 60
#define _PAGE_BIT_PKEY_BIT2 61
#define _PAGE_BIT_PKEY_BIT3 62
#define _PAGE_BIT_NX 63 /* no execute */

#define _PAGE_BIT_SPECIAL _PAGE_BIT_SOFTW1
#define _PAGE_BIT_CPA_TEST _PAGE_BIT_SOFTW1
#define _PAGE_BIT_UFFD_WP _PAGE_BIT_SOFTW2
#define _PAGE_BIT_SOFT_DIRTY _PAGE_BIT_SOFTW3
#define _PAGE_BIT_DEVMAP _PAGE_BIT_SOFTW4
#define _PAGE_BIT_PROTNONE _PAGE_BIT_GLOBAL

#define _PAGE_PRESENT (_AT(pteval_t, 1) << _PAGE_BIT_PRESENT)
#define _PAGE_RW (_AT(pteval_t, 1) << _PAGE_BIT_RW)
#define _PAGE_USER (_AT(pteval_t, 1) << _PAGE_BIT_USER)
#define _PAGE_PWT (_AT(pteval_t, 1) << _PAGE_BIT_PWT)
#define _PAGE_PCD (_AT(pteval_t, 1) << _PAGE_BIT_PCD)
#define _PAGE_ACCESSED (_AT(pteval_t, 1) << _PAGE_BIT_ACCESSED)
#define _PAGE_DIRTY (_AT(pteval_t, 1) << _PAGE_BIT_DIRTY)
#define _PAGE_PSE (_AT(pteval_t, 1) << _PAGE_BIT_PSE)
#define _PAGE_GLOBAL (_AT(pteval_t, 1) << _PAGE_BIT_GLOBAL)
#define _PAGE_SOFTW1 (_AT(pteval_t, 1) << _PAGE_BIT_SOFTW1)
#define _PAGE_SOFTW2 (_AT(pteval_t, 1) << _PAGE_BIT_SOFTW2)
#define _PAGE_SOFTW3 (_AT(pteval_t, 1) << _PAGE_BIT_SOFTW3)
#define _PAGE_PAT (_AT(pteval_t, 1) << _PAGE_BIT_PAT)
#define _PAGE_PAT_LARGE (_AT(pteval_t, 1) << _PAGE_BIT_PAT_LARGE)
#define _PAGE_SPECIAL (_AT(pteval_t, 1) << _PAGE_BIT_SPECIAL)
#define _PAGE_CPA_TEST (_AT(pteval_t, 1) << _PAGE_BIT_CPA_TEST)
#define _PAGE_PROTNONE (_AT(pteval_t, 1) << _PAGE_BIT_PROTNONE)
#define _PAGE_NX (_AT(pteval_t, 1) << _PAGE_BIT_NX)
#define _PAGE_DEVMAP (_AT(u64, 1) << _PAGE_BIT_DEVMAP)

#define _PAGE_PKEY_BIT0 (_AT(pteval_t, 1) << _PAGE_BIT_PKEY_BIT0)
#define _PAGE_PKEY_BIT1 (_AT(pteval_t, 1) << _PAGE_BIT_PKEY_BIT1)
#define _PAGE_PKEY_BIT2 (_AT(pteval_t, 1) << _PAGE_BIT_PKEY_BIT2)
#define _PAGE_PKEY_BIT3 (_AT(pteval_t, 1) << _PAGE_BIT_PKEY_BIT3)

#define _PAGE_CACHE_MASK (_PAGE_PWT | _PAGE_PCD | _PAGE_PAT)
#define _PAGE_LARGE_CACHE_MASK (_PAGE_PWT | _PAGE_PCD | _PAGE_PAT_LARGE)

/* Memory encryption (AMD SME) is not modelled: the encryption bit contributes nothing. */
#define _PAGE_ENC 0

/* Short names for building the combinations below. */
#define __PP _PAGE_PRESENT
#define __RW _PAGE_RW
#define _USR _PAGE_USER
#define ___A _PAGE_ACCESSED
#define ___D _PAGE_DIRTY
#define ___G _PAGE_GLOBAL
#define __NX _PAGE_NX
#define _ENC _PAGE_ENC
#define _PSE _PAGE_PSE

/* Entries pointing at lower-level tables. */
#define _PAGE_TABLE_NOENC (__PP|__RW|_USR|___A| 0|___D| 0| 0)
#define _PAGE_TABLE (__PP|__RW|_USR|___A| 0|___D| 0| 0| _ENC)
#define _KERNPG_TABLE_NOENC (__PP|__RW| 0|___A| 0|___D| 0| 0)
#define _KERNPG_TABLE (__PP|__RW| 0|___A| 0|___D| 0| 0| _ENC)

/* Kernel mappings. */
#define __PAGE_KERNEL (__PP|__RW| 0|___A|__NX|___D| 0|___G)
#define __PAGE_KERNEL_EXEC (__PP|__RW| 0|___A| 0|___D| 0|___G)
#define __PAGE_KERNEL_RO (__PP| 0| 0|___A|__NX|___D| 0|___G)
#define __PAGE_KERNEL_ROX (__PP| 0| 0|___A| 0|___D| 0|___G)
#define __PAGE_KERNEL_VVAR (__PP| 0|_USR|___A|__NX|___D| 0|___G)
#define __PAGE_KERNEL_LARGE (__PP|__RW| 0|___A|__NX|___D|_PSE|___G)
#define __PAGE_KERNEL_LARGE_EXEC (__PP|__RW| 0|___A| 0|___D|_PSE|___G)

#define __PAGE_KERNEL_IDENT_LARGE_EXEC __PAGE_KERNEL_LARGE_EXEC

#endif /* _ASM_X86_PGTABLE_DEFS_H */
`,
  'asm/page.h': String.raw`#include <asm/page_types.h>
`,
  'asm/cache.h': String.raw`/* Cache line size (64 bytes on every x86-64 CPU the kernel targets by default). */
#ifndef _ASM_X86_CACHE_H
#define _ASM_X86_CACHE_H

#define L1_CACHE_SHIFT 6
#define L1_CACHE_BYTES (1 << L1_CACHE_SHIFT)
#define INTERNODE_CACHE_SHIFT L1_CACHE_SHIFT
#define INTERNODE_CACHE_BYTES (1 << INTERNODE_CACHE_SHIFT)

#endif /* _ASM_X86_CACHE_H */
`,
};
