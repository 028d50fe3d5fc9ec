// Public API of the emulated machine for hosts (CLI, debug adapter, benchmarks).
export { Machine, type MachineConfig, type MachineSnapshot, type OutputSource, type RunOptions, type StartState } from './machine';
export { MachineStop, type StopKind, type StopReason } from './stop';
export { MachineEvents, describeEvent, type EventFilter, type EventSite, type MachineEvent, type MachineEventKind } from './events';
// The instruction executor (machine/exec); the Machine installs one by default.
export { X86Executor, type X86ExecutorOptions } from './exec';
export type { Executor } from './cpu/executor';
export { Cpu, type InterruptSource } from './cpu/cpu';
export { CpuState, GPR_NAMES, type CpuMode, type PagingMode, type RunState } from './cpu/state';
export { SegmentRegister, SEG_NAMES } from './cpu/segment';
export { CpuFault, EXCEPTION_NAMES } from './cpu/fault';
export { Mmu, type WalkLevel, type WalkResult } from './cpu/mmu';
export { cpuModelWith, defaultCpuModel, type CpuFeatures, type CpuModel } from './cpu/cpuid';
export { PhysicalMemory, type MemorySnapshot, type MmioDevice } from './memory/physical';
export { decodeDescriptorTable, decodeIdt, mappedRanges, peekLinear, readTss, type DescriptorEntry, type GateEntry, type MappedRange } from './inspect';
export { readRegister, writeRegister, REGISTER_NAMES, BIT_OWNERS } from './registers';
export { StubBios } from './bios';
