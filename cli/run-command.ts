// `trampoline run`: assemble (or load) a program, start the machine in the requested state and run it headless.
// Exit statuses follow QEMU where it has one: isa-debug-exit → (value << 1) | 1; all CPUs halted with
// interrupts off → 0; triple fault → 2 (QEMU -no-reboot says 0; we say why); instruction limit → 3.
import { resolve } from 'node:path';
import type { CliIo } from './run-cli';
import { DiskFileSystem } from './disk-fs';
import { parseAsmArguments } from './asm-command';
import { bootMachine, planLaunch, LaunchError, type LaunchArguments, type LaunchPlan } from '../debug-adapter/runtime/launch';
import { describeEvent, type Machine, type MachineEvent, type StopReason } from '../machine/index';
import { readRegister } from '../machine/registers';
import { CS } from '../machine/cpu/segment';
import { formatDiagnostic } from '../gas/source';

export interface RunArguments {
  launch: LaunchArguments;
  maxInstructions?: number;
  traceModes: boolean;
  json: boolean;
}

const RUN_FLAGS_WITH_VALUE = new Set(['--start', '--load', '--cpus', '--memory', '--max-instructions', '--trace']);

export function parseRunArguments(argv: string[]): RunArguments | { error: string } {
  const rest: string[] = [];
  const launch: LaunchArguments = {};
  let maxInstructions: number | undefined;
  let traceModes = false;
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    if (!RUN_FLAGS_WITH_VALUE.has(flag)) {
      if (arg === '--json') json = true;
      else rest.push(arg);
      continue;
    }
    const value = eq > 0 && arg.startsWith('--') ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) return { error: `option ${flag} needs a value` };
    switch (flag) {
      case '--start': launch.start = value; break;
      case '--load': launch.load = value; break;
      case '--cpus': launch.cpus = value; break;
      case '--memory': launch.memory = value; break;
      case '--max-instructions': {
        const n = Number(value);
        if (!Number.isSafeInteger(n) || n <= 0) return { error: `--max-instructions needs a positive whole number (got '${value}')` };
        maxInstructions = n;
        break;
      }
      case '--trace':
        if (value !== 'modes') return { error: `--trace supports 'modes' (got '${value}')` };
        traceModes = true;
        break;
    }
  }
  // Everything else is the program and the assembler's own options.
  const asm = parseAsmArguments(rest);
  if ('error' in asm) return asm;
  launch.program = resolve(asm.file);
  if (asm.includePaths.length) launch.includePath = asm.includePaths.map((p) => resolve(p));
  if (Object.keys(asm.defines).length) launch.defines = asm.defines;
  if (Object.keys(asm.defsym).length) launch.symbols = Object.fromEntries(Object.entries(asm.defsym).map(([k, v]) => [k, `0x${v.toString(16)}`]));
  const sectionStart: Record<string, string> = Object.fromEntries(Object.entries(asm.sectionStart).map(([k, v]) => [k, `0x${v.toString(16)}`]));
  if (asm.textAddress !== undefined) sectionStart['.text'] = `0x${asm.textAddress.toString(16)}`;
  if (Object.keys(sectionStart).length) launch.sectionStart = sectionStart;
  if (asm.script) launch.linkerScript = resolve(asm.script);
  launch.stopOnEntry = false;
  return { launch, maxInstructions, traceModes, json };
}

function exitStatusOf(stop: StopReason): number {
  switch (stop.kind) {
    case 'exit-port': return stop.exitStatus ?? 1;
    case 'all-halted': return 0;
    case 'reset': return 0;
    case 'triple-fault': return 2;
    case 'instruction-limit': return 3;
    default: return 4;
  }
}

/** `CS:IP` in real and 16/32-bit modes, `RIP` in 64-bit mode, with the source line when the address is ours. */
function whereOf(e: MachineEvent, machine: Machine, plan: LaunchPlan): string {
  const hex = (v: bigint | number) => v.toString(16);
  const cpu = machine.cpus[e.cpu];
  const cs = cpu.seg[CS];
  let linear: number | undefined;
  if (e.kind === 'mode-change' && e.fromBits === 64) linear = Number(e.rip);
  else if (cs.selector === e.cs && (cpu.mode === 'real' || cpu.mode === 'protected' || cpu.mode === 'compat')) linear = cs.base + Number(e.rip);
  else if (e.kind === 'mode-change' && e.from === 'real') linear = e.cs * 16 + Number(e.rip);
  const at = linear === undefined ? undefined : plan.program.entryAt(linear);
  const where = e.kind === 'mode-change' && e.fromBits === 64 ? `rip=${hex(e.rip)}` : `${hex(e.cs).padStart(4, '0')}:${hex(e.rip)}`;
  if (!at) return where;
  const r = at.entry.origin.range;
  return `${where} ${r.file.startsWith(process.cwd() + '/') ? r.file.slice(process.cwd().length + 1) : r.file}:${r.line + 1}`;
}

export async function runRun(argv: string[], io: CliIo): Promise<number> {
  const args = parseRunArguments(argv);
  if ('error' in args) {
    io.stderr(`trampoline run: ${args.error}\n`);
    return 2;
  }
  const fs = new DiskFileSystem();
  let plan: LaunchPlan;
  let machine: Machine;
  let pending = '';
  try {
    plan = planLaunch(args.launch, fs);
    machine = bootMachine(plan, (b) => { pending += String.fromCharCode(b); });
  } catch (e) {
    if (e instanceof LaunchError) {
      if (e.diagnostics.length) for (const d of e.diagnostics) io.stderr(formatDiagnostic(d) + '\n');
      else io.stderr(`trampoline run: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  if (args.maxInstructions !== undefined) machine.maxInstructions = args.maxInstructions;
  if (args.traceModes) {
    machine.events.trace({ mode: true, paging: true, cr: true, msr: true, tables: true, ipi: true }, (e) => {
      io.stderr(`[${String(machine.totalInstructions).padStart(9)}] CPU ${e.cpu} ${whereOf(e, machine, plan)}: ${describeEvent(e)}\n`);
    });
  }
  const started = process.hrtime.bigint();
  let stop: StopReason;
  for (;;) {
    stop = machine.run({ sliceInstructions: 2_000_000, sliceMs: 50 });
    if (pending) {
      const bytes = Buffer.from(pending, 'latin1');
      if (io.guest) io.guest(bytes);
      else io.stdout(pending);
      pending = '';
    }
    if (stop.kind !== 'slice-end') break;
    // Let the host breathe (and Ctrl-C work) between slices.
    await new Promise((r) => setImmediate(r));
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const status = exitStatusOf(stop);
  if (stop.kind !== 'exit-port' && stop.kind !== 'all-halted') io.stderr(`trampoline run: ${stop.kind}: ${stop.message}\n`);
  if (args.json) {
    io.stdout(JSON.stringify({
      stop: { kind: stop.kind, message: stop.message, exitStatus: status },
      instructions: machine.totalInstructions,
      instructionsPerSecond: seconds > 0 ? Math.round(machine.totalInstructions / seconds) : null,
      cpus: machine.cpus.map((c) => ({ id: c.id, mode: c.mode, paging: c.paging, runState: c.runState, registers: registerDump(c) })),
    }, null, 2) + '\n');
  }
  return status;
}

const DUMPED = ['rax', 'rbx', 'rcx', 'rdx', 'rsi', 'rdi', 'rbp', 'rsp', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15',
  'rip', 'rflags', 'cs', 'ds', 'es', 'ss', 'fs', 'gs', 'cr0', 'cr2', 'cr3', 'cr4', 'efer'];

function registerDump(cpu: Machine['cpus'][number]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of DUMPED) {
    const v = readRegisterSafe(cpu, name);
    if (v !== undefined) out[name] = `0x${v.toString(16)}`;
  }
  return out;
}

function readRegisterSafe(cpu: Machine['cpus'][number], name: string): bigint | undefined {
  try {
    return readRegister(cpu, name);
  } catch {
    return undefined;
  }
}
