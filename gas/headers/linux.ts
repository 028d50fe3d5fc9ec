// Built-in stand-ins for generic kernel headers under include/linux (assembly side). The macro names and what
// they expand to are the kernel's interface; the text is written for this project.

export const linuxHeaders: Record<string, string> = {
  'linux/const.h': String.raw`/* Constants that work in both C and assembly: in assembly the C type suffix is dropped. */
#ifndef _LINUX_CONST_H
#define _LINUX_CONST_H

#ifdef __ASSEMBLY__
#define _AC(X, Y) X
#define _AT(T, X) X
#else
#define __AC(X, Y) (X##Y)
#define _AC(X, Y) __AC(X, Y)
#define _AT(T, X) ((T)(X))
#endif

#define _UL(x) (_AC(x, UL))
#define _ULL(x) (_AC(x, ULL))
#define _BITUL(x) (_UL(1) << (x))
#define _BITULL(x) (_ULL(1) << (x))

#define UL(x) (_UL(x))
#define ULL(x) (_ULL(x))

#define __ALIGN_KERNEL_MASK(x, mask) (((x) + (mask)) & ~(mask))
#define __ALIGN_KERNEL(x, a) __ALIGN_KERNEL_MASK(x, (a) - 1)

#endif /* _LINUX_CONST_H */
`,
  'uapi/linux/const.h': String.raw`#include <linux/const.h>
`,
  'vdso/const.h': String.raw`#include <linux/const.h>
`,
  'linux/bits.h': String.raw`/* Single bits and contiguous masks (BIT(), GENMASK()) usable from assembly. */
#ifndef _LINUX_BITS_H
#define _LINUX_BITS_H

#include <linux/const.h>

#define BITS_PER_LONG 64
#define BITS_PER_LONG_LONG 64
#define BITS_PER_BYTE 8

#define BIT(nr) (UL(1) << (nr))
#define BIT_ULL(nr) (ULL(1) << (nr))
#define BIT_MASK(nr) (UL(1) << ((nr) % BITS_PER_LONG))
#define BIT_WORD(nr) ((nr) / BITS_PER_LONG)

/* Bits l..h set, counted from 0. */
#define GENMASK(h, l) (((~UL(0)) - (UL(1) << (l)) + 1) & (~UL(0) >> (BITS_PER_LONG - 1 - (h))))
#define GENMASK_ULL(h, l) (((~ULL(0)) - (ULL(1) << (l)) + 1) & (~ULL(0) >> (BITS_PER_LONG_LONG - 1 - (h))))

#endif /* _LINUX_BITS_H */
`,
  'vdso/bits.h': String.raw`#include <linux/bits.h>
`,
  'linux/stringify.h': String.raw`/* Turn macro arguments into a string after expanding them. */
#ifndef __LINUX_STRINGIFY_H
#define __LINUX_STRINGIFY_H

#define __stringify_1(x...) #x
#define __stringify(x...) __stringify_1(x)

#endif /* __LINUX_STRINGIFY_H */
`,
  'linux/linkage.h': String.raw`/*
 * Symbol annotations for assembly: SYM_CODE_*, SYM_FUNC_*, SYM_DATA_* and the older ENTRY/END/ENDPROC/GLOBAL.
 * SYM_*_START gives a symbol its binding and alignment and places the label; SYM_*_END sets its type and size.
 */
#ifndef _LINUX_LINKAGE_H
#define _LINUX_LINKAGE_H

#include <linux/stringify.h>
#include <asm/linkage.h>

/* Output sections for page-aligned variables. */
#define __PAGE_ALIGNED_DATA .section ".data..page_aligned", "aw"
#define __PAGE_ALIGNED_BSS .section ".bss..page_aligned", "aw"

#ifdef __ASSEMBLY__

/* Statement separator inside one macro expansion. */
#ifndef ASM_NL
#define ASM_NL ;
#endif

#ifndef __ALIGN
#define __ALIGN .balign 4, 0x90
#define __ALIGN_STR __stringify(__ALIGN)
#endif

#ifndef ALIGN
#define ALIGN __ALIGN
#define ALIGN_STR __ALIGN_STR
#endif

/* Symbol types (for .type). */
#define SYM_T_FUNC STT_FUNC
#define SYM_T_OBJECT STT_OBJECT
#define SYM_T_NONE STT_NOTYPE

/* Alignment in front of a symbol: function alignment, or none. */
#define SYM_A_ALIGN ALIGN
#define SYM_A_NONE /* none */

/* Binding: each takes the symbol name; local symbols need no directive. */
#define SYM_L_GLOBAL(name) .globl name
#define SYM_L_WEAK(name) .weak name
#define SYM_L_LOCAL(name) /* local */

/* Older annotations, kept because lots of code still uses them. */
#ifndef GLOBAL
#define GLOBAL(name) .globl name ASM_NL name:
#endif

#ifndef ENTRY
#define ENTRY(name) .globl name ASM_NL ALIGN ASM_NL name:
#endif

#ifndef WEAK
#define WEAK(name) .weak name ASM_NL ALIGN ASM_NL name:
#endif

#ifndef END
#define END(name) .size name, .-name
#endif

#ifndef ENDPROC
#define ENDPROC(name) .type name, @function ASM_NL END(name)
#endif

/* The building blocks. */
#ifndef SYM_ENTRY
#define SYM_ENTRY(name, linkage, align...) linkage(name) ASM_NL align ASM_NL name:
#endif

#ifndef SYM_START
#define SYM_START(name, linkage, align...) SYM_ENTRY(name, linkage, align)
#endif

#ifndef SYM_END
#define SYM_END(name, sym_type) .type name sym_type ASM_NL .size name, .-name
#endif

/* A label inside another symbol's range. */
#ifndef SYM_INNER_LABEL_ALIGN
#define SYM_INNER_LABEL_ALIGN(name, linkage) .type name SYM_T_NONE ASM_NL SYM_ENTRY(name, linkage, SYM_A_ALIGN)
#endif

#ifndef SYM_INNER_LABEL
#define SYM_INNER_LABEL(name, linkage) .type name SYM_T_NONE ASM_NL SYM_ENTRY(name, linkage, SYM_A_NONE)
#endif

/* Functions that follow the C calling convention. */
#ifndef SYM_FUNC_START
#define SYM_FUNC_START(name) SYM_START(name, SYM_L_GLOBAL, SYM_A_ALIGN)
#endif

#ifndef SYM_FUNC_START_NOALIGN
#define SYM_FUNC_START_NOALIGN(name) SYM_START(name, SYM_L_GLOBAL, SYM_A_NONE)
#endif

#ifndef SYM_FUNC_START_LOCAL
#define SYM_FUNC_START_LOCAL(name) SYM_START(name, SYM_L_LOCAL, SYM_A_ALIGN)
#endif

#ifndef SYM_FUNC_START_LOCAL_NOALIGN
#define SYM_FUNC_START_LOCAL_NOALIGN(name) SYM_START(name, SYM_L_LOCAL, SYM_A_NONE)
#endif

#ifndef SYM_FUNC_START_WEAK
#define SYM_FUNC_START_WEAK(name) SYM_START(name, SYM_L_WEAK, SYM_A_ALIGN)
#endif

#ifndef SYM_FUNC_START_WEAK_NOALIGN
#define SYM_FUNC_START_WEAK_NOALIGN(name) SYM_START(name, SYM_L_WEAK, SYM_A_NONE)
#endif

#ifndef SYM_FUNC_END
#define SYM_FUNC_END(name) SYM_END(name, SYM_T_FUNC)
#endif

/* Control-flow-integrity type hashes are not emitted: a typed function is a plain one. */
#ifndef SYM_TYPED_FUNC_START
#define SYM_TYPED_FUNC_START(name) SYM_FUNC_START(name)
#endif

/* Another name for an existing symbol, with its own binding. */
#ifndef SYM_ALIAS
#define SYM_ALIAS(alias, name, linkage) linkage(alias) ASM_NL .set alias, name ASM_NL
#endif

#ifndef SYM_FUNC_ALIAS
#define SYM_FUNC_ALIAS(alias, name) SYM_ALIAS(alias, name, SYM_L_GLOBAL)
#endif

#ifndef SYM_FUNC_ALIAS_LOCAL
#define SYM_FUNC_ALIAS_LOCAL(alias, name) SYM_ALIAS(alias, name, SYM_L_LOCAL)
#endif

#ifndef SYM_FUNC_ALIAS_WEAK
#define SYM_FUNC_ALIAS_WEAK(alias, name) SYM_ALIAS(alias, name, SYM_L_WEAK)
#endif

/* Code with its own conventions (entry points, trampolines): no function type. */
#ifndef SYM_CODE_START
#define SYM_CODE_START(name) SYM_START(name, SYM_L_GLOBAL, SYM_A_ALIGN)
#endif

#ifndef SYM_CODE_START_NOALIGN
#define SYM_CODE_START_NOALIGN(name) SYM_START(name, SYM_L_GLOBAL, SYM_A_NONE)
#endif

#ifndef SYM_CODE_START_LOCAL
#define SYM_CODE_START_LOCAL(name) SYM_START(name, SYM_L_LOCAL, SYM_A_ALIGN)
#endif

#ifndef SYM_CODE_START_LOCAL_NOALIGN
#define SYM_CODE_START_LOCAL_NOALIGN(name) SYM_START(name, SYM_L_LOCAL, SYM_A_NONE)
#endif

#ifndef SYM_CODE_END
#define SYM_CODE_END(name) SYM_END(name, SYM_T_NONE)
#endif

/* Data objects. */
#ifndef SYM_DATA_START
#define SYM_DATA_START(name) SYM_START(name, SYM_L_GLOBAL, SYM_A_NONE)
#endif

#ifndef SYM_DATA_START_LOCAL
#define SYM_DATA_START_LOCAL(name) SYM_START(name, SYM_L_LOCAL, SYM_A_NONE)
#endif

#ifndef SYM_DATA_END
#define SYM_DATA_END(name) SYM_END(name, SYM_T_OBJECT)
#endif

/* Ends object name and places another object label at its end. */
#ifndef SYM_DATA_END_LABEL
#define SYM_DATA_END_LABEL(name, linkage, label) linkage(label) ASM_NL .type label SYM_T_OBJECT ASM_NL label: ASM_NL SYM_DATA_END(name)
#endif

/* A whole object in one line; the data may be omitted (just a label with a type and size). */
#ifndef SYM_DATA
#define SYM_DATA(name, data...) SYM_DATA_START(name) ASM_NL data ASM_NL SYM_DATA_END(name)
#endif

#ifndef SYM_DATA_LOCAL
#define SYM_DATA_LOCAL(name, data...) SYM_DATA_START_LOCAL(name) ASM_NL data ASM_NL SYM_DATA_END(name)
#endif

#endif /* __ASSEMBLY__ */

#endif /* _LINUX_LINKAGE_H */
`,
  'linux/init.h': String.raw`/* Section switches for code and data that is only needed during boot (freed afterwards) and friends. */
#ifndef _LINUX_INIT_H
#define _LINUX_INIT_H

#ifdef __ASSEMBLY__

#define __HEAD .section ".head.text","ax"
#define __INIT .section ".init.text","ax"
#define __FINIT .previous

#define __INITDATA .section ".init.data","aw",%progbits
#define __INITRODATA .section ".init.rodata","a",%progbits
#define __FINITDATA .previous

#define __MEMINIT .section ".meminit.text", "ax"
#define __MEMINITDATA .section ".meminit.data", "aw"
#define __MEMINITRODATA .section ".meminit.rodata", "a"

#define __REF .section ".ref.text", "ax"
#define __REFDATA .section ".ref.data", "aw"
#define __REFCONST .section ".ref.rodata", "a"

#endif /* __ASSEMBLY__ */

#endif /* _LINUX_INIT_H */
`,
  'linux/export.h': String.raw`/* Symbol exports are a module-loader concern: nothing to emit in a stand-alone image. */
#ifndef _LINUX_EXPORT_H
#define _LINUX_EXPORT_H

#define EXPORT_SYMBOL(sym)
#define EXPORT_SYMBOL_GPL(sym)
#define EXPORT_SYMBOL_NS(sym, ns)
#define EXPORT_SYMBOL_NS_GPL(sym, ns)

#endif /* _LINUX_EXPORT_H */
`,
  'linux/errno.h': String.raw`#include <asm-generic/errno-base.h>
`,
  'asm-generic/errno-base.h': String.raw`/* The classic errno values (Linux numbering). */
#ifndef _ASM_GENERIC_ERRNO_BASE_H
#define _ASM_GENERIC_ERRNO_BASE_H

#define EPERM 1
#define ENOENT 2
#define ESRCH 3
#define EINTR 4
#define EIO 5
#define ENXIO 6
#define E2BIG 7
#define ENOEXEC 8
#define EBADF 9
#define ECHILD 10
#define EAGAIN 11
#define ENOMEM 12
#define EACCES 13
#define EFAULT 14
#define ENOTBLK 15
#define EBUSY 16
#define EEXIST 17
#define EXDEV 18
#define ENODEV 19
#define ENOTDIR 20
#define EISDIR 21
#define EINVAL 22
#define ENFILE 23
#define EMFILE 24
#define ENOTTY 25
#define ETXTBSY 26
#define EFBIG 27
#define ENOSPC 28
#define ESPIPE 29
#define EROFS 30
#define EMLINK 31
#define EPIPE 32
#define EDOM 33
#define ERANGE 34

#endif /* _ASM_GENERIC_ERRNO_BASE_H */
`,
};
