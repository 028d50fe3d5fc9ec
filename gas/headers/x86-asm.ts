// Built-in stand-ins for x86 assembly helper headers. Where the kernel emits objtool annotations, retpoline or
// IBT glue, these stand-ins emit nothing: an emulated trampoline needs none of it.

export const x86AsmHeaders: Record<string, string> = {
  'asm/linkage.h': String.raw`/* x86 function alignment: 16 bytes, padded with NOPs. */
#ifndef _ASM_X86_LINKAGE_H
#define _ASM_X86_LINKAGE_H

#include <linux/stringify.h>

#ifdef __ASSEMBLY__
#define __ALIGN .balign 16, 0x90
#define __ALIGN_STR __stringify(__ALIGN)
#define RET ret
#endif /* __ASSEMBLY__ */

#endif /* _ASM_X86_LINKAGE_H */
`,
  'asm/asm.h': String.raw`/* Pick the 32- or 64-bit form of an instruction, register or data directive (this is always 64-bit). */
#ifndef _ASM_X86_ASM_H
#define _ASM_X86_ASM_H

#ifdef __ASSEMBLY__
#define __ASM_FORM(x, ...) x,## __VA_ARGS__
#define __ASM_FORM_RAW(x, ...) x,## __VA_ARGS__
#define __ASM_FORM_COMMA(x, ...) x,## __VA_ARGS__,
#else
#define __ASM_FORM(x, ...) " " __stringify(x,##__VA_ARGS__) " "
#define __ASM_FORM_RAW(x, ...) __stringify(x,##__VA_ARGS__)
#define __ASM_FORM_COMMA(x, ...) " " __stringify(x,##__VA_ARGS__) ","
#endif

#define __ASM_SEL(a,b) __ASM_FORM(b)
#define __ASM_SEL_RAW(a,b) __ASM_FORM_RAW(b)

#define __ASM_SIZE(inst, ...) __ASM_SEL(inst##l##__VA_ARGS__, inst##q##__VA_ARGS__)
#define __ASM_REG(reg) __ASM_SEL_RAW(e##reg, r##reg)

#define _ASM_PTR __ASM_SEL(.long, .quad)
#define _ASM_ALIGN __ASM_SEL(.balign 4, .balign 8)

#define _ASM_MOV __ASM_SIZE(mov)
#define _ASM_INC __ASM_SIZE(inc)
#define _ASM_DEC __ASM_SIZE(dec)
#define _ASM_ADD __ASM_SIZE(add)
#define _ASM_SUB __ASM_SIZE(sub)
#define _ASM_XADD __ASM_SIZE(xadd)
#define _ASM_MUL __ASM_SIZE(mul)

#define _ASM_AX __ASM_REG(ax)
#define _ASM_BX __ASM_REG(bx)
#define _ASM_CX __ASM_REG(cx)
#define _ASM_DX __ASM_REG(dx)
#define _ASM_SP __ASM_REG(sp)
#define _ASM_BP __ASM_REG(bp)
#define _ASM_SI __ASM_REG(si)
#define _ASM_DI __ASM_REG(di)

/* Exception table entries: relative addresses of the faulting instruction and its fixup. */
#define EX_TYPE_DEFAULT 1

#ifdef __ASSEMBLY__
#define _ASM_EXTABLE_TYPE(from, to, type) .pushsection "__ex_table","a" ; .balign 4 ; .long (from) - . ; .long (to) - . ; .long type ; .popsection
#define _ASM_EXTABLE(from, to) _ASM_EXTABLE_TYPE(from, to, EX_TYPE_DEFAULT)
#endif

#endif /* _ASM_X86_ASM_H */
`,
  'asm/nospec-branch.h': String.raw`/* Speculation-hardening glue: indirect branches are plain ones here and the annotations are empty. */
#ifndef _ASM_X86_NOSPEC_BRANCH_H
#define _ASM_X86_NOSPEC_BRANCH_H

#ifdef __ASSEMBLY__

#define ANNOTATE_RETPOLINE_SAFE
#define ANNOTATE_UNRET_SAFE
#define ANNOTATE_NOENDBR
#define ANNOTATE_INTRA_FUNCTION_CALL
#define UNTRAIN_RET
#define UNTRAIN_RET_VM
#define UNTRAIN_RET_FROM_CALL
#define CALL_DEPTH_ACCOUNT
#define RESET_CALL_DEPTH
#define CLEAR_CPU_BUFFERS

.macro JMP_NOSPEC reg:req
	jmp	*%\reg
.endm

.macro CALL_NOSPEC reg:req
	call	*%\reg
.endm

#endif /* __ASSEMBLY__ */

#endif /* _ASM_X86_NOSPEC_BRANCH_H */
`,
  'asm/unwind_hints.h': String.raw`/* objtool unwind hints: they only feed the kernel's stack validation, so each one expands to nothing. */
#ifndef _ASM_X86_UNWIND_HINTS_H
#define _ASM_X86_UNWIND_HINTS_H

#ifdef __ASSEMBLY__

.macro UNWIND_HINT_EMPTY
.endm
.macro UNWIND_HINT_UNDEFINED
.endm
.macro UNWIND_HINT_END_OF_STACK
.endm
.macro UNWIND_HINT_ENTRY
.endm
.macro UNWIND_HINT_FUNC
.endm
.macro UNWIND_HINT_SAVE
.endm
.macro UNWIND_HINT_RESTORE
.endm
.macro UNWIND_HINT_IRET_ENTRY args:vararg
.endm
.macro UNWIND_HINT_REGS args:vararg
.endm
.macro UNWIND_HINT_IRET_REGS args:vararg
.endm
.macro UNWIND_HINT type:req args:vararg
.endm

#endif /* __ASSEMBLY__ */

#endif /* _ASM_X86_UNWIND_HINTS_H */
`,
  'asm/frame.h': String.raw`/* Frame-pointer set-up around functions: frame pointers are off, so these are empty. */
#ifndef _ASM_X86_FRAME_H
#define _ASM_X86_FRAME_H

#ifdef __ASSEMBLY__
.macro FRAME_BEGIN
.endm
.macro FRAME_END
.endm
#endif

#define FRAME_OFFSET 0

#endif /* _ASM_X86_FRAME_H */
`,
  'asm/ibt.h': String.raw`/* Indirect branch tracking is off: no ENDBR64 landing pads. */
#ifndef _ASM_X86_IBT_H
#define _ASM_X86_IBT_H

#ifdef __ASSEMBLY__
#define ENDBR
#endif

#endif /* _ASM_X86_IBT_H */
`,
  'asm/export.h': String.raw`#include <linux/export.h>
`,
  'asm/realmode.h': String.raw`/* Real-mode trampoline helpers. */
#ifndef _ARCH_X86_REALMODE_H
#define _ARCH_X86_REALMODE_H

#include <linux/bits.h>

/* trampoline_header flags */
#define TH_FLAGS_SME_ACTIVE_BIT 0
#define TH_FLAGS_SME_ACTIVE BIT(TH_FLAGS_SME_ACTIVE_BIT)

#ifdef __ASSEMBLY__
#ifndef LJMPW_RM
/*
 * A 16-bit far jump into the real-mode blob's own segment. It is spelled out as bytes (opcode 0xEA, then the
 * offset word, then the segment word) because the segment is a symbol, which the assembler will not accept
 * as the segment part of ljmpw.
 */
#define LJMPW_RM(to) .byte 0xea ; .word (to), real_mode_seg
#endif
#endif /* __ASSEMBLY__ */

#endif /* _ARCH_X86_REALMODE_H */
`,
  /* Lifted trampolines include the real-mode directory's private header as "realmode.h". */
  'realmode.h': String.raw`/* Real-mode blob helpers (the arch/x86/realmode/rm private header). */
#ifndef ARCH_X86_REALMODE_RM_REALMODE_H
#define ARCH_X86_REALMODE_RM_REALMODE_H

#ifdef __ASSEMBLY__
#ifndef LJMPW_RM
/* 16-bit far jump into real_mode_seg, written as bytes: EA, offset word, segment word. */
#define LJMPW_RM(to) .byte 0xea ; .word (to), real_mode_seg
#endif
#endif /* __ASSEMBLY__ */

#endif /* ARCH_X86_REALMODE_RM_REALMODE_H */
`,
};
