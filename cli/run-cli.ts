import { VERSION } from './version';
import { runAsm } from './asm-command';

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
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
      io.stderr(`trampoline ${command}: not implemented yet (see the issue tracker)\n`);
      return 2;
    case 'demo':
      io.stdout(
        'x86 Trampoline demo: will assemble examples/ap-trampoline/trampoline.S with the built-in assembler and run it\n' +
          'on the embedded machine from real mode to 64-bit mode, printing every mode switch.\n' +
          'The assembler and machine are being built; this demo grows with them.\n',
      );
      return 0;
    default:
      io.stderr(`trampoline: unknown command '${command}'\n${HELP}`);
      return 2;
  }
}
