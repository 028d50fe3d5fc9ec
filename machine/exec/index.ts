// Instruction semantics for the machine: `new X86Executor()` implements machine/cpu/executor.ts.
export { X86Executor, execute, operationHandlers, unimplementedOperations, type X86ExecutorOptions } from './executor';
