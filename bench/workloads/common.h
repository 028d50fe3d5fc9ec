/* Shared definitions for the benchmark boot sectors (preprocessed by gcc -E). Each workload is one 512-byte boot
 * sector loaded at 0x7C00. The host patches the 32-bit loop count at LOOPS_OFFSET (after the "LOOP" magic) so
 * one assembled image serves every run; the guest prints "BENCH-DONE\n" on port 0xE9, writes 0 to port 0xF4
 * (QEMU's isa-debug-exit, ours) and then triple-faults (how Bochs, which has no exit port, ends). */
#define DEBUGCON        0xe9
#define EXIT_PORT       0xf4
#define LOOPS_OFFSET    0x1f0
#define CR0_PE          0x00000001
#define CR0_PG          0x80000000
#define CR4_PAE         0x00000020
#define MSR_EFER        0xc0000080
#define EFER_LME        0x00000100
#define PML4            0x1000
#define PDPT            0x2000
#define PD              0x3000
#define SEL_CODE32      0x08
#define SEL_DATA32      0x10
#define SEL_CODE64      0x18
#define SEL_CODE16      0x20
#define SEL_DATA16      0x28
