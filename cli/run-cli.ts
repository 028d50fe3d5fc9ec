import { VERSION } from './version';
import { runRun } from './run-command';
import { runAsm } from './asm-command';
import { join } from 'node:path';
import { existsSync } from 'node:fs';

/** The bundled example, found next to dist/ (repository checkout) — the demo is for people who just cloned. */
async function runDemo(io: CliIo): Promise<number> {
  const example = [join(__dirname, '..', 'examples', 'ap-trampoline', 'trampoline.S'), join(process.cwd(), 'examples', 'ap-trampoline', 'trampoline.S')].find((p) => existsSync(p));
  if (!example) {
    io.stderr('trampoline demo: examples/ap-trampoline/trampoline.S not found (run it from a checkout of the repository)\n');
    return 1;
  }
  io.stdout(`x86 Trampoline demo: assembling ${example} with the built-in assembler and running it\n` +
    'as an application processor after SIPI (real mode, CS = 0x800, IP = 0), tracing every mode switch:\n\n');
  const status = await runRun([example, '--start', 'ap', '--load', '0x8000', '--trace', 'modes', '--max-instructions', '10000000'], {
    stdout: (s) => io.stdout(s),
    stderr: (s) => io.stdout(s),
    guest: (b) => (io.guest ? io.guest(b) : io.stdout(Buffer.from(b).toString('latin1'))),
  });
  io.stdout(`\nThe guest ended with exit status ${status} (isa-debug-exit, as QEMU reports it).\n`);
  return status === 67 ? 0 : 1;
}

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Guest console bytes, written unchanged (the guest's bytes are not text in any encoding we know). */
  guest?(bytes: Uint8Array): void;
}

const HELP = `trampoline ${VERSION} — GNU as compatible assembler and x86-64 machine for boot and trampoline code

Usage:
  trampoline asm FILE.S [-o OUT.bin] [-I DIR]... [-D NAME[=VALUE]]... [-Ttext=ADDR]
                 [--section-start=NAME=ADDR]... [-T SCRIPT.ld] [--defsym NAME=VALUE]...
                 [--listing[=FILE]] [--symbols]
  trampoline run IMAGE|FILE.S [--start reset|boot-sector|ap|long64] [--load ADDR] [--cpus N]
                 [--memory MIB] [--max-instructions N] [--trace modes] [--json] [asm options]
  trampoline demo          assemble and run the bundled example trampoline
  trampoline --help | --version
`;

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.stdout(HELP);
    return 0;
  }
  if (command === '--version' || command === '-V') {
    io.stdout(`${VERSION}\n`);
    return 0;
  }
  switch (command) {
    case 'asm':
      if (rest.includes('--help')) {
        io.stdout(HELP);
        return 0;
      }
      return runAsm(rest, io);
    case 'run':
      if (rest.includes('--help')) {
        io.stdout(HELP);
        return 0;
      }
      return runRun(rest, io);
    case 'demo':
      return runDemo(io);
    default:
      io.stderr(`trampoline: unknown command '${command}'\n${HELP}`);
      return 2;
  }
}
