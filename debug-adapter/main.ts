// Debug adapter process entry: speaks DAP over stdin/stdout so any DAP client can use it. A stray exception must
// not kill the session: it is reported on stderr and the adapter keeps serving requests.
import { TrampolineDebugSession } from './session';

process.on('uncaughtException', (e) => {
  process.stderr.write(`x86 Trampoline debug adapter: uncaught ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
});
process.on('unhandledRejection', (e) => {
  process.stderr.write(`x86 Trampoline debug adapter: unhandled rejection ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
});

TrampolineDebugSession.run(TrampolineDebugSession);
