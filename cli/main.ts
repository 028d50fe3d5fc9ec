// `trampoline` command line: a thin host over gas/ and machine/ (argument parsing and file I/O live here only).
import { runCli } from './run-cli';

runCli(process.argv.slice(2), {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  guest: (b) => process.stdout.write(b),
})
  .then((code) => process.exit(code))
  .catch((e) => {
    process.stderr.write(`trampoline: internal error: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    process.exit(70);
  });
