// V8 options the `trampoline` command runs with (its shebang line), shared by the build and the benchmarks.
// - A batch assembly keeps most of what it allocates to the end of the run (statements, symbols, frags), so every
//   young-generation collection copies a lot; a larger young generation means fewer of them (about a tenth of a
//   warm 100 000-line assembly).
// - Allocation-site pretenuring decides, while the run warms up, to allocate those objects in the old generation,
//   and each decision throws away the optimized code that depended on the old one: a one-shot run (the command's
//   only kind) spends longer recompiling than the decision saves (first run 0.9 -> 0.78 s on the bench, warm runs
//   unchanged).
// - The old generation starts with room for 256 MB: with V8's small starting limit a one-shot run of a large file
//   stopped for a full mark-compact part way through, collecting almost nothing (the command's 100 000-line
//   bench, end to end: 0.97 -> 0.89 s; small files unchanged).
// The language server and the debug adapter keep V8's defaults.
export const CLI_NODE_OPTIONS = ['--max-semi-space-size=64', '--no-allocation-site-pretenuring', '--initial-old-space-size=256'];
