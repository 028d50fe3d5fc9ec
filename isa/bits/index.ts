// Bit-level definitions of x86 registers and structures, plus helpers to name a value's fields.
export * from './types';
export * from './describe';
export * from './control';
export * from './descriptors';
export * from './paging';
export * from './msr';
export * from './debug';
export * from './apic';
