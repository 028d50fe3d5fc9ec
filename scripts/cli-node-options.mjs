// V8 options the `trampoline` command runs with (its shebang line), shared by the build and the benchmarks.
// A batch assembly keeps most of what it allocates to the end of the run (statements, symbols, frags), so every
// young-generation collection copies a lot; a larger young generation means fewer of them (about a tenth of a
// 100 000-line assembly). The language server and the debug adapter keep V8's defaults.
export const CLI_NODE_OPTIONS = ['--max-semi-space-size=64'];
