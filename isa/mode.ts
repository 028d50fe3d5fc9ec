/** Code size of the instruction stream: `.code16`, `.code32`, `.code64` (and the CPU's matching modes). */
export type CodeMode = 16 | 32 | 64;
