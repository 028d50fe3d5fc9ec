// Built-in stand-ins for arch/x86/include/asm headers about the CPU: EFLAGS/CR bits, MSRs, segments, traps,
// the local APIC. Values are architectural (Intel SDM / AMD APM) and the kernel's own numbering; text is ours.

export const x86CpuHeaders: Record<string, string> = {
  'asm/processor-flags.h': String.raw`/* EFLAGS and control-register bits, as bit numbers (X86_*_BIT) and masks. */
#ifndef _ASM_X86_PROCESSOR_FLAGS_H
#define _ASM_X86_PROCESSOR_FLAGS_H

#include <linux/const.h>

/* EFLAGS */
#define X86_EFLAGS_CF_BIT 0 /* carry */
#define X86_EFLAGS_CF _BITUL(X86_EFLAGS_CF_BIT)
#define X86_EFLAGS_FIXED_BIT 1 /* always reads as 1 */
#define X86_EFLAGS_FIXED _BITUL(X86_EFLAGS_FIXED_BIT)
#define X86_EFLAGS_PF_BIT 2 /* parity */
#define X86_EFLAGS_PF _BITUL(X86_EFLAGS_PF_BIT)
#define X86_EFLAGS_AF_BIT 4 /* auxiliary carry */
#define X86_EFLAGS_AF _BITUL(X86_EFLAGS_AF_BIT)
#define X86_EFLAGS_ZF_BIT 6 /* zero */
#define X86_EFLAGS_ZF _BITUL(X86_EFLAGS_ZF_BIT)
#define X86_EFLAGS_SF_BIT 7 /* sign */
#define X86_EFLAGS_SF _BITUL(X86_EFLAGS_SF_BIT)
#define X86_EFLAGS_TF_BIT 8 /* trap (single step) */
#define X86_EFLAGS_TF _BITUL(X86_EFLAGS_TF_BIT)
#define X86_EFLAGS_IF_BIT 9 /* interrupt enable */
#define X86_EFLAGS_IF _BITUL(X86_EFLAGS_IF_BIT)
#define X86_EFLAGS_DF_BIT 10 /* direction */
#define X86_EFLAGS_DF _BITUL(X86_EFLAGS_DF_BIT)
#define X86_EFLAGS_OF_BIT 11 /* overflow */
#define X86_EFLAGS_OF _BITUL(X86_EFLAGS_OF_BIT)
#define X86_EFLAGS_IOPL_BIT 12 /* I/O privilege level, two bits */
#define X86_EFLAGS_IOPL (_AC(3,UL) << X86_EFLAGS_IOPL_BIT)
#define X86_EFLAGS_NT_BIT 14 /* nested task */
#define X86_EFLAGS_NT _BITUL(X86_EFLAGS_NT_BIT)
#define X86_EFLAGS_RF_BIT 16 /* resume */
#define X86_EFLAGS_RF _BITUL(X86_EFLAGS_RF_BIT)
#define X86_EFLAGS_VM_BIT 17 /* virtual-8086 mode */
#define X86_EFLAGS_VM _BITUL(X86_EFLAGS_VM_BIT)
#define X86_EFLAGS_AC_BIT 18 /* alignment check / SMAP access */
#define X86_EFLAGS_AC _BITUL(X86_EFLAGS_AC_BIT)
#define X86_EFLAGS_VIF_BIT 19 /* virtual interrupt flag */
#define X86_EFLAGS_VIF _BITUL(X86_EFLAGS_VIF_BIT)
#define X86_EFLAGS_VIP_BIT 20 /* virtual interrupt pending */
#define X86_EFLAGS_VIP _BITUL(X86_EFLAGS_VIP_BIT)
#define X86_EFLAGS_ID_BIT 21 /* CPUID is available when this bit can be toggled */
#define X86_EFLAGS_ID _BITUL(X86_EFLAGS_ID_BIT)

/* CR0 */
#define X86_CR0_PE_BIT 0 /* protection enable */
#define X86_CR0_PE _BITUL(X86_CR0_PE_BIT)
#define X86_CR0_MP_BIT 1 /* monitor coprocessor */
#define X86_CR0_MP _BITUL(X86_CR0_MP_BIT)
#define X86_CR0_EM_BIT 2 /* x87 emulation */
#define X86_CR0_EM _BITUL(X86_CR0_EM_BIT)
#define X86_CR0_TS_BIT 3 /* task switched */
#define X86_CR0_TS _BITUL(X86_CR0_TS_BIT)
#define X86_CR0_ET_BIT 4 /* extension type (always 1) */
#define X86_CR0_ET _BITUL(X86_CR0_ET_BIT)
#define X86_CR0_NE_BIT 5 /* native x87 error reporting */
#define X86_CR0_NE _BITUL(X86_CR0_NE_BIT)
#define X86_CR0_WP_BIT 16 /* supervisor write protect */
#define X86_CR0_WP _BITUL(X86_CR0_WP_BIT)
#define X86_CR0_AM_BIT 18 /* alignment mask */
#define X86_CR0_AM _BITUL(X86_CR0_AM_BIT)
#define X86_CR0_NW_BIT 29 /* not write-through */
#define X86_CR0_NW _BITUL(X86_CR0_NW_BIT)
#define X86_CR0_CD_BIT 30 /* cache disable */
#define X86_CR0_CD _BITUL(X86_CR0_CD_BIT)
#define X86_CR0_PG_BIT 31 /* paging */
#define X86_CR0_PG _BITUL(X86_CR0_PG_BIT)

/* CR3 */
#define X86_CR3_PWT_BIT 3 /* page-level write-through for the top table */
#define X86_CR3_PWT _BITUL(X86_CR3_PWT_BIT)
#define X86_CR3_PCD_BIT 4 /* page-level cache disable for the top table */
#define X86_CR3_PCD _BITUL(X86_CR3_PCD_BIT)
#define X86_CR3_PCID_BITS 12 /* PCID in bits 0..11 when CR4.PCIDE = 1 */
#define X86_CR3_PCID_MASK ((_AC(1,UL) << X86_CR3_PCID_BITS) - 1)
#define X86_CR3_LAM_U57_BIT 61 /* linear address masking, user, 57-bit */
#define X86_CR3_LAM_U57 _BITULL(X86_CR3_LAM_U57_BIT)
#define X86_CR3_LAM_U48_BIT 62 /* linear address masking, user, 48-bit */
#define X86_CR3_LAM_U48 _BITULL(X86_CR3_LAM_U48_BIT)
#define X86_CR3_PCID_NOFLUSH_BIT 63 /* keep this PCID's TLB entries on the write */
#define X86_CR3_PCID_NOFLUSH _BITULL(X86_CR3_PCID_NOFLUSH_BIT)

/* CR4 */
#define X86_CR4_VME_BIT 0 /* virtual-8086 mode extensions */
#define X86_CR4_VME _BITUL(X86_CR4_VME_BIT)
#define X86_CR4_PVI_BIT 1 /* protected-mode virtual interrupts */
#define X86_CR4_PVI _BITUL(X86_CR4_PVI_BIT)
#define X86_CR4_TSD_BIT 2 /* RDTSC only at CPL 0 */
#define X86_CR4_TSD _BITUL(X86_CR4_TSD_BIT)
#define X86_CR4_DE_BIT 3 /* debugging extensions */
#define X86_CR4_DE _BITUL(X86_CR4_DE_BIT)
#define X86_CR4_PSE_BIT 4 /* 4 MiB pages without PAE */
#define X86_CR4_PSE _BITUL(X86_CR4_PSE_BIT)
#define X86_CR4_PAE_BIT 5 /* physical address extension */
#define X86_CR4_PAE _BITUL(X86_CR4_PAE_BIT)
#define X86_CR4_MCE_BIT 6 /* machine check enable */
#define X86_CR4_MCE _BITUL(X86_CR4_MCE_BIT)
#define X86_CR4_PGE_BIT 7 /* global pages */
#define X86_CR4_PGE _BITUL(X86_CR4_PGE_BIT)
#define X86_CR4_PCE_BIT 8 /* RDPMC at any CPL */
#define X86_CR4_PCE _BITUL(X86_CR4_PCE_BIT)
#define X86_CR4_OSFXSR_BIT 9 /* FXSAVE/FXRSTOR and SSE */
#define X86_CR4_OSFXSR _BITUL(X86_CR4_OSFXSR_BIT)
#define X86_CR4_OSXMMEXCPT_BIT 10 /* unmasked SIMD floating-point exceptions */
#define X86_CR4_OSXMMEXCPT _BITUL(X86_CR4_OSXMMEXCPT_BIT)
#define X86_CR4_UMIP_BIT 11 /* user-mode instruction prevention */
#define X86_CR4_UMIP _BITUL(X86_CR4_UMIP_BIT)
#define X86_CR4_LA57_BIT 12 /* 5-level paging (57-bit linear addresses) */
#define X86_CR4_LA57 _BITUL(X86_CR4_LA57_BIT)
#define X86_CR4_VMXE_BIT 13 /* VMX enable */
#define X86_CR4_VMXE _BITUL(X86_CR4_VMXE_BIT)
#define X86_CR4_SMXE_BIT 14 /* SMX enable */
#define X86_CR4_SMXE _BITUL(X86_CR4_SMXE_BIT)
#define X86_CR4_FSGSBASE_BIT 16 /* RDFSBASE and friends */
#define X86_CR4_FSGSBASE _BITUL(X86_CR4_FSGSBASE_BIT)
#define X86_CR4_PCIDE_BIT 17 /* process-context identifiers */
#define X86_CR4_PCIDE _BITUL(X86_CR4_PCIDE_BIT)
#define X86_CR4_OSXSAVE_BIT 18 /* XSAVE and processor extended states */
#define X86_CR4_OSXSAVE _BITUL(X86_CR4_OSXSAVE_BIT)
#define X86_CR4_KL_BIT 19 /* Key Locker */
#define X86_CR4_KL _BITUL(X86_CR4_KL_BIT)
#define X86_CR4_SMEP_BIT 20 /* supervisor-mode execution prevention */
#define X86_CR4_SMEP _BITUL(X86_CR4_SMEP_BIT)
#define X86_CR4_SMAP_BIT 21 /* supervisor-mode access prevention */
#define X86_CR4_SMAP _BITUL(X86_CR4_SMAP_BIT)
#define X86_CR4_PKE_BIT 22 /* protection keys for user pages */
#define X86_CR4_PKE _BITUL(X86_CR4_PKE_BIT)
#define X86_CR4_CET_BIT 23 /* control-flow enforcement */
#define X86_CR4_CET _BITUL(X86_CR4_CET_BIT)
#define X86_CR4_PKS_BIT 24 /* protection keys for supervisor pages */
#define X86_CR4_PKS _BITUL(X86_CR4_PKS_BIT)
#define X86_CR4_LAM_SUP_BIT 28 /* linear address masking for supervisor pointers */
#define X86_CR4_LAM_SUP _BITUL(X86_CR4_LAM_SUP_BIT)
#define X86_CR4_FRED_BIT 32 /* flexible return and event delivery */
#define X86_CR4_FRED _BITUL(X86_CR4_FRED_BIT)

/* CR8: task priority */
#define X86_CR8_TPR _AC(0x0000000f,UL)

/* Virtual-8086 mode does not exist in a 64-bit kernel. */
#define X86_VM_MASK 0

/* CR0 bits a running 64-bit kernel keeps set. */
#define CR0_STATE (X86_CR0_PE | X86_CR0_MP | X86_CR0_ET | X86_CR0_NE | X86_CR0_WP | X86_CR0_AM | X86_CR0_PG)

/* CR3 layout with PCIDs. */
#define CR3_PCID_MASK 0xFFF
#define CR3_NOFLUSH _BITULL(63)

#endif /* _ASM_X86_PROCESSOR_FLAGS_H */
`,
  'uapi/asm/processor-flags.h': String.raw`#include <asm/processor-flags.h>
`,
  'asm/msr-index.h': String.raw`/* Model-specific register numbers and bit fields. */
#ifndef _ASM_X86_MSR_INDEX_H
#define _ASM_X86_MSR_INDEX_H

#include <linux/bits.h>

/* AMD64 / Intel 64 architectural MSRs */
#define MSR_EFER 0xc0000080 /* extended feature enable */
#define MSR_STAR 0xc0000081 /* legacy-mode SYSCALL target and segment selectors */
#define MSR_LSTAR 0xc0000082 /* 64-bit SYSCALL target */
#define MSR_CSTAR 0xc0000083 /* compatibility-mode SYSCALL target */
#define MSR_SYSCALL_MASK 0xc0000084 /* RFLAGS bits cleared by SYSCALL */
#define MSR_FS_BASE 0xc0000100
#define MSR_GS_BASE 0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102 /* swapped with GS base by SWAPGS */
#define MSR_TSC_AUX 0xc0000103 /* read by RDTSCP and RDPID */

/* EFER bits */
#define _EFER_SCE 0 /* SYSCALL/SYSRET enable */
#define _EFER_LME 8 /* long mode enable */
#define _EFER_LMA 10 /* long mode active (read-only) */
#define _EFER_NX 11 /* no-execute enable */
#define _EFER_SVME 12 /* AMD secure virtual machine enable */
#define _EFER_LMSLE 13 /* long mode segment limit enable */
#define _EFER_FFXSR 14 /* fast FXSAVE/FXRSTOR */
#define _EFER_TCE 15 /* translation cache extension */
#define _EFER_AUTOIBRS 21 /* automatic IBRS */

#define EFER_SCE (1<<_EFER_SCE)
#define EFER_LME (1<<_EFER_LME)
#define EFER_LMA (1<<_EFER_LMA)
#define EFER_NX (1<<_EFER_NX)
#define EFER_SVME (1<<_EFER_SVME)
#define EFER_LMSLE (1<<_EFER_LMSLE)
#define EFER_FFXSR (1<<_EFER_FFXSR)
#define EFER_TCE (1<<_EFER_TCE)
#define EFER_AUTOIBRS (1<<_EFER_AUTOIBRS)

/* Intel architectural MSRs */
#define MSR_IA32_TSC 0x00000010
#define MSR_IA32_PLATFORM_ID 0x00000017
#define MSR_IA32_APICBASE 0x0000001b
#define MSR_IA32_APICBASE_BSP (1<<8) /* this CPU is the bootstrap processor */
#define MSR_IA32_APICBASE_ENABLE (1<<11) /* xAPIC global enable */
#define MSR_IA32_APICBASE_BASE (0xfffff<<12) /* APIC base physical address */
#define MSR_IA32_FEAT_CTL 0x0000003a
#define MSR_IA32_FEATURE_CONTROL MSR_IA32_FEAT_CTL
#define FEAT_CTL_LOCKED BIT(0)
#define FEAT_CTL_VMX_ENABLED_INSIDE_SMX BIT(1)
#define FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX BIT(2)
#define MSR_IA32_TSC_ADJUST 0x0000003b
#define MSR_IA32_SPEC_CTRL 0x00000048
#define MSR_IA32_PRED_CMD 0x00000049
#define MSR_IA32_BIOS_SIGN_ID 0x0000008b
#define MSR_IA32_UCODE_REV 0x0000008b
#define MSR_PLATFORM_INFO 0x000000ce
#define MSR_MTRRcap 0x000000fe

#define MSR_IA32_SYSENTER_CS 0x00000174
#define MSR_IA32_SYSENTER_ESP 0x00000175
#define MSR_IA32_SYSENTER_EIP 0x00000176

#define MSR_IA32_MCG_CAP 0x00000179
#define MSR_IA32_MCG_STATUS 0x0000017a
#define MSR_IA32_MCG_CTL 0x0000017b

#define MSR_IA32_PERF_STATUS 0x00000198
#define MSR_IA32_PERF_CTL 0x00000199
#define MSR_IA32_THERM_STATUS 0x0000019c

#define MSR_IA32_MISC_ENABLE 0x000001a0
#define MSR_IA32_MISC_ENABLE_FAST_STRING_BIT 0
#define MSR_IA32_MISC_ENABLE_FAST_STRING _BITULL(MSR_IA32_MISC_ENABLE_FAST_STRING_BIT)
#define MSR_IA32_MISC_ENABLE_TCC_BIT 1
#define MSR_IA32_MISC_ENABLE_TCC _BITULL(MSR_IA32_MISC_ENABLE_TCC_BIT)
#define MSR_IA32_MISC_ENABLE_EMON_BIT 7
#define MSR_IA32_MISC_ENABLE_EMON _BITULL(MSR_IA32_MISC_ENABLE_EMON_BIT)
#define MSR_IA32_MISC_ENABLE_BTS_UNAVAIL_BIT 11
#define MSR_IA32_MISC_ENABLE_BTS_UNAVAIL _BITULL(MSR_IA32_MISC_ENABLE_BTS_UNAVAIL_BIT)
#define MSR_IA32_MISC_ENABLE_PEBS_UNAVAIL_BIT 12
#define MSR_IA32_MISC_ENABLE_PEBS_UNAVAIL _BITULL(MSR_IA32_MISC_ENABLE_PEBS_UNAVAIL_BIT)
#define MSR_IA32_MISC_ENABLE_ENHANCED_SPEEDSTEP_BIT 16
#define MSR_IA32_MISC_ENABLE_ENHANCED_SPEEDSTEP _BITULL(MSR_IA32_MISC_ENABLE_ENHANCED_SPEEDSTEP_BIT)
#define MSR_IA32_MISC_ENABLE_MWAIT_BIT 18
#define MSR_IA32_MISC_ENABLE_MWAIT _BITULL(MSR_IA32_MISC_ENABLE_MWAIT_BIT)
#define MSR_IA32_MISC_ENABLE_LIMIT_CPUID_BIT 22
#define MSR_IA32_MISC_ENABLE_LIMIT_CPUID _BITULL(MSR_IA32_MISC_ENABLE_LIMIT_CPUID_BIT)
#define MSR_IA32_MISC_ENABLE_XTPR_DISABLE_BIT 23
#define MSR_IA32_MISC_ENABLE_XTPR_DISABLE _BITULL(MSR_IA32_MISC_ENABLE_XTPR_DISABLE_BIT)
#define MSR_IA32_MISC_ENABLE_XD_DISABLE_BIT 34
#define MSR_IA32_MISC_ENABLE_XD_DISABLE _BITULL(MSR_IA32_MISC_ENABLE_XD_DISABLE_BIT)

#define MSR_IA32_DEBUGCTLMSR 0x000001d9

/* Memory type range registers */
#define MSR_MTRRfix64K_00000 0x00000250
#define MSR_MTRRfix16K_80000 0x00000258
#define MSR_MTRRfix16K_A0000 0x00000259
#define MSR_MTRRfix4K_C0000 0x00000268
#define MSR_MTRRfix4K_C8000 0x00000269
#define MSR_MTRRfix4K_D0000 0x0000026a
#define MSR_MTRRfix4K_D8000 0x0000026b
#define MSR_MTRRfix4K_E0000 0x0000026c
#define MSR_MTRRfix4K_E8000 0x0000026d
#define MSR_MTRRfix4K_F0000 0x0000026e
#define MSR_MTRRfix4K_F8000 0x0000026f
#define MSR_MTRRdefType 0x000002ff

#define MSR_IA32_CR_PAT 0x00000277 /* page attribute table */

/* Control-flow enforcement */
#define MSR_IA32_U_CET 0x000006a0
#define MSR_IA32_S_CET 0x000006a2
#define MSR_IA32_PL0_SSP 0x000006a4
#define MSR_IA32_PL1_SSP 0x000006a5
#define MSR_IA32_PL2_SSP 0x000006a6
#define MSR_IA32_PL3_SSP 0x000006a7
#define MSR_IA32_INT_SSP_TAB 0x000006a8

#define MSR_IA32_TSC_DEADLINE 0x000006e0
#define MSR_IA32_PKRS 0x000006e1
#define MSR_IA32_XSS 0x00000da0

#define MSR_IA32_VMX_BASIC 0x00000480

/* AMD */
#define MSR_K7_EVNTSEL0 0xc0010000
#define MSR_K7_PERFCTR0 0xc0010004
#define MSR_AMD64_SYSCFG 0xc0010010
#define MSR_AMD64_SYSCFG_MEM_ENCRYPT_BIT 23
#define MSR_AMD64_SYSCFG_MEM_ENCRYPT BIT_ULL(MSR_AMD64_SYSCFG_MEM_ENCRYPT_BIT)
#define MSR_K8_SYSCFG MSR_AMD64_SYSCFG
#define MSR_K7_HWCR 0xc0010015
#define MSR_K8_TOP_MEM1 0xc001001a
#define MSR_K8_TOP_MEM2 0xc001001d
#define MSR_AMD64_PATCH_LEVEL 0x0000008b
#define MSR_VM_CR 0xc0010114
#define MSR_VM_HSAVE_PA 0xc0010117
#define MSR_AMD64_SEV_ES_GHCB 0xc0010130
#define MSR_AMD64_SEV 0xc0010131

#endif /* _ASM_X86_MSR_INDEX_H */
`,
  'asm/msr.h': String.raw`/* MSR access: for assembly only the register numbers matter. */
#ifndef _ASM_X86_MSR_H
#define _ASM_X86_MSR_H

#include <asm/msr-index.h>

#endif /* _ASM_X86_MSR_H */
`,
  'asm/mtrr.h': String.raw`/* Variable-range MTRR MSR pairs and memory types. */
#ifndef _ASM_X86_MTRR_H
#define _ASM_X86_MTRR_H

#define MTRRphysBase_MSR(reg) (0x200 + 2 * (reg))
#define MTRRphysMask_MSR(reg) (0x200 + 2 * (reg) + 1)

#define MTRR_TYPE_UNCACHABLE 0
#define MTRR_TYPE_WRCOMB 1
#define MTRR_TYPE_WRTHROUGH 4
#define MTRR_TYPE_WRPROT 5
#define MTRR_TYPE_WRBACK 6

#endif /* _ASM_X86_MTRR_H */
`,
  'asm/segment.h': String.raw`/*
 * The 64-bit kernel's GDT layout. A selector is the descriptor index times 8 (each descriptor is 8 bytes),
 * plus the requested privilege level (3 for user segments).
 */
#ifndef _ASM_X86_SEGMENT_H
#define _ASM_X86_SEGMENT_H

#include <linux/const.h>

/* Selector fields */
#define SEGMENT_RPL_MASK 0x3
#define SEGMENT_TI_MASK 0x4
#define SEGMENT_LDT 0x4
#define SEGMENT_GDT 0x0
#define USER_RPL 0x3

/* Descriptor indices */
#define GDT_ENTRY_KERNEL32_CS 1
#define GDT_ENTRY_KERNEL_CS 2
#define GDT_ENTRY_KERNEL_DS 3

/* The user segments are ordered for SYSCALL/SYSRET: 32-bit code, data, 64-bit code. */
#define GDT_ENTRY_DEFAULT_USER32_CS 4
#define GDT_ENTRY_DEFAULT_USER_DS 5
#define GDT_ENTRY_DEFAULT_USER_CS 6

/* The TSS and LDT descriptors take two slots each in long mode. */
#define GDT_ENTRY_TSS 8
#define GDT_ENTRY_LDT 10

#define GDT_ENTRY_TLS_MIN 12
#define GDT_ENTRY_TLS_MAX 14
#define GDT_ENTRY_TLS_ENTRIES 3
#define TLS_SIZE (GDT_ENTRY_TLS_ENTRIES * 8)

#define GDT_ENTRY_CPUNODE 15

#define GDT_ENTRIES 16
#define GDT_SIZE (GDT_ENTRIES * 8)

/* Selectors */
#define __KERNEL32_CS (GDT_ENTRY_KERNEL32_CS*8)
#define __KERNEL_CS (GDT_ENTRY_KERNEL_CS*8)
#define __KERNEL_DS (GDT_ENTRY_KERNEL_DS*8)
#define __USER32_CS (GDT_ENTRY_DEFAULT_USER32_CS*8 + 3)
#define __USER_DS (GDT_ENTRY_DEFAULT_USER_DS*8 + 3)
#define __USER32_DS __USER_DS
#define __USER_CS (GDT_ENTRY_DEFAULT_USER_CS*8 + 3)
#define __CPUNODE_SEG (GDT_ENTRY_CPUNODE*8 + 3)

/* The boot GDT used by the decompressor and the early boot code. */
#define GDT_ENTRY_BOOT_CS 2
#define GDT_ENTRY_BOOT_DS 3
#define GDT_ENTRY_BOOT_TSS 4
#define __BOOT_CS (GDT_ENTRY_BOOT_CS*8)
#define __BOOT_DS (GDT_ENTRY_BOOT_DS*8)
#define __BOOT_TSS (GDT_ENTRY_BOOT_TSS*8)

#define IDT_ENTRIES 256
#define NUM_EXCEPTION_VECTORS 32

#endif /* _ASM_X86_SEGMENT_H */
`,
  'asm/trapnr.h': String.raw`/* Exception vector numbers. */
#ifndef _ASM_X86_TRAPNR_H
#define _ASM_X86_TRAPNR_H

#define X86_TRAP_DE 0 /* divide error */
#define X86_TRAP_DB 1 /* debug */
#define X86_TRAP_NMI 2 /* non-maskable interrupt */
#define X86_TRAP_BP 3 /* breakpoint (int3) */
#define X86_TRAP_OF 4 /* overflow (into) */
#define X86_TRAP_BR 5 /* bound range exceeded */
#define X86_TRAP_UD 6 /* invalid opcode */
#define X86_TRAP_NM 7 /* device not available */
#define X86_TRAP_DF 8 /* double fault */
#define X86_TRAP_OLD_MF 9 /* coprocessor segment overrun */
#define X86_TRAP_TS 10 /* invalid TSS */
#define X86_TRAP_NP 11 /* segment not present */
#define X86_TRAP_SS 12 /* stack-segment fault */
#define X86_TRAP_GP 13 /* general protection */
#define X86_TRAP_PF 14 /* page fault */
#define X86_TRAP_SPURIOUS 15 /* spurious interrupt */
#define X86_TRAP_MF 16 /* x87 floating-point error */
#define X86_TRAP_AC 17 /* alignment check */
#define X86_TRAP_MC 18 /* machine check */
#define X86_TRAP_XF 19 /* SIMD floating-point exception */
#define X86_TRAP_VE 20 /* virtualization exception */
#define X86_TRAP_CP 21 /* control protection */
#define X86_TRAP_VC 29 /* VMM communication */
#define X86_TRAP_IRET 32 /* IRET exception */

#endif /* _ASM_X86_TRAPNR_H */
`,
  'asm/apicdef.h': String.raw`/* Local APIC register offsets (from the APIC base, default 0xfee00000) and ICR fields. */
#ifndef _ASM_X86_APICDEF_H
#define _ASM_X86_APICDEF_H

#include <linux/const.h>

#define APIC_DEFAULT_PHYS_BASE 0xfee00000

#define APIC_ID 0x20
#define APIC_LVR 0x30
#define APIC_TASKPRI 0x80
#define APIC_ARBPRI 0x90
#define APIC_PROCPRI 0xA0
#define APIC_EOI 0xB0
#define APIC_RRR 0xC0
#define APIC_LDR 0xD0
#define APIC_DFR 0xE0
#define APIC_SPIV 0xF0
#define APIC_SPIV_FOCUS_DISABLED (1 << 9)
#define APIC_SPIV_APIC_ENABLED (1 << 8)
#define APIC_ISR 0x100
#define APIC_TMR 0x180
#define APIC_IRR 0x200
#define APIC_ESR 0x280
#define APIC_ICR 0x300
#define APIC_DEST_SELF 0x40000
#define APIC_DEST_ALLINC 0x80000
#define APIC_DEST_ALLBUT 0xC0000
#define APIC_ICR_RR_MASK 0x30000
#define APIC_INT_LEVELTRIG 0x08000
#define APIC_INT_ASSERT 0x04000
#define APIC_ICR_BUSY 0x01000
#define APIC_DEST_LOGICAL 0x00800
#define APIC_DEST_PHYSICAL 0x00000
#define APIC_DM_FIXED 0x00000
#define APIC_DM_LOWEST 0x00100
#define APIC_DM_SMI 0x00200
#define APIC_DM_REMRD 0x00300
#define APIC_DM_NMI 0x00400
#define APIC_DM_INIT 0x00500
#define APIC_DM_STARTUP 0x00600
#define APIC_DM_EXTINT 0x00700
#define APIC_VECTOR_MASK 0x000FF
#define APIC_ICR2 0x310
#define APIC_LVTT 0x320
#define APIC_LVTTHMR 0x330
#define APIC_LVTPC 0x340
#define APIC_LVT0 0x350
#define APIC_LVT1 0x360
#define APIC_LVTERR 0x370
#define APIC_LVT_MASKED (1 << 16)
#define APIC_TMICT 0x380
#define APIC_TMCCT 0x390
#define APIC_TDCR 0x3E0
#define APIC_SELF_IPI 0x3F0

/* x2APIC: registers are MSRs 0x800 + offset / 16 */
#define APIC_BASE_MSR 0x800
#define X2APIC_ENABLE _BITUL(10)

#endif /* _ASM_X86_APICDEF_H */
`,
  'asm/cpufeatures.h': String.raw`/*
 * CPU feature numbers as word*32 + bit, the kernel's layout of its capability words (a subset: the CPUID bits
 * boot and trampoline code tests). Word 0: CPUID 1 EDX; word 1: CPUID 0x80000001 EDX; word 4: CPUID 1 ECX;
 * word 9: CPUID 7.0 EBX; word 16: CPUID 7.0 ECX.
 */
#ifndef _ASM_X86_CPUFEATURES_H
#define _ASM_X86_CPUFEATURES_H

#define X86_FEATURE_FPU (0*32+ 0) /* x87 FPU */
#define X86_FEATURE_VME (0*32+ 1) /* virtual-8086 mode extensions */
#define X86_FEATURE_DE (0*32+ 2) /* debugging extensions */
#define X86_FEATURE_PSE (0*32+ 3) /* 4 MiB pages */
#define X86_FEATURE_TSC (0*32+ 4) /* time stamp counter */
#define X86_FEATURE_MSR (0*32+ 5) /* RDMSR/WRMSR */
#define X86_FEATURE_PAE (0*32+ 6) /* physical address extension */
#define X86_FEATURE_MCE (0*32+ 7) /* machine check exception */
#define X86_FEATURE_CX8 (0*32+ 8) /* CMPXCHG8B */
#define X86_FEATURE_APIC (0*32+ 9) /* on-chip local APIC */
#define X86_FEATURE_SEP (0*32+11) /* SYSENTER/SYSEXIT */
#define X86_FEATURE_MTRR (0*32+12) /* memory type range registers */
#define X86_FEATURE_PGE (0*32+13) /* global pages */
#define X86_FEATURE_MCA (0*32+14) /* machine check architecture */
#define X86_FEATURE_CMOV (0*32+15) /* CMOVcc */
#define X86_FEATURE_PAT (0*32+16) /* page attribute table */
#define X86_FEATURE_PSE36 (0*32+17) /* 36-bit PSE */
#define X86_FEATURE_CLFLUSH (0*32+19) /* CLFLUSH */
#define X86_FEATURE_MMX (0*32+23) /* MMX */
#define X86_FEATURE_FXSR (0*32+24) /* FXSAVE/FXRSTOR */
#define X86_FEATURE_XMM (0*32+25) /* SSE */
#define X86_FEATURE_XMM2 (0*32+26) /* SSE2 */
#define X86_FEATURE_HT (0*32+28) /* hyper-threading */

#define X86_FEATURE_SYSCALL (1*32+11) /* SYSCALL/SYSRET */
#define X86_FEATURE_NX (1*32+20) /* no-execute */
#define X86_FEATURE_GBPAGES (1*32+26) /* 1 GiB pages */
#define X86_FEATURE_RDTSCP (1*32+27) /* RDTSCP */
#define X86_FEATURE_LM (1*32+29) /* long mode */

#define X86_FEATURE_XMM3 (4*32+ 0) /* SSE3 */
#define X86_FEATURE_X2APIC (4*32+21) /* x2APIC */
#define X86_FEATURE_XSAVE (4*32+26) /* XSAVE */
#define X86_FEATURE_OSXSAVE (4*32+27) /* XSAVE enabled by the OS */
#define X86_FEATURE_AVX (4*32+28) /* AVX */
#define X86_FEATURE_HYPERVISOR (4*32+31) /* running under a hypervisor */

#define X86_FEATURE_FSGSBASE (9*32+ 0) /* RDFSBASE and friends */
#define X86_FEATURE_SMEP (9*32+ 7) /* supervisor-mode execution prevention */
#define X86_FEATURE_SMAP (9*32+20) /* supervisor-mode access prevention */

#define X86_FEATURE_UMIP (16*32+ 2) /* user-mode instruction prevention */
#define X86_FEATURE_PKU (16*32+ 3) /* protection keys for user pages */
#define X86_FEATURE_LA57 (16*32+16) /* 5-level paging */

#endif /* _ASM_X86_CPUFEATURES_H */
`,
};
