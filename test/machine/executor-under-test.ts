// The executor the machine's integration and differential tests run: machine/exec/ (THE executor, see
// machine/EXECUTOR-NOTE.md). These tests pass with it; they no longer depend on machine/cpu/exec/.
export { X86Executor as ExecutorUnderTest } from '../../machine/exec';
