// Launch configuration → a checked plan (program image, start state, machine settings). Every mistake becomes a
// LaunchError whose message says what to change; assembly errors carry the diagnostics for the Problems view.
import { dirname, isAbsolute, resolve } from 'node:path';
import { assemble, type AssembleOptions, type FileSystem } from '../../gas/index';
import { formatDiagnostic, type Diagnostic } from '../../gas/source';
import { Machine, type StartState } from '../../machine/machine';
import { X86Executor } from '../../machine/exec/index';
import { CS } from '../../machine/cpu/segment';
import { cpuModelWith } from '../../machine/cpu/cpuid';
import { REGISTER_NAMES, writeRegister } from '../../machine/registers';
import { findMsr } from '../../isa/bits/msr';
import { BIT_OWNERS } from '../../machine/registers';
import { hex, parseNumber } from './numbers';
import { Program, type Placement, type ProgramSymbol } from './program';

export type StartMode = 'reset' | 'boot-sector' | 'ap' | 'long64';
export const START_MODES: readonly StartMode[] = ['reset', 'boot-sector', 'ap', 'long64'];

export interface LaunchArguments {
  program?: unknown;
  start?: unknown;
  load?: unknown;
  entry?: unknown;
  cpus?: unknown;
  memory?: unknown;
  includePath?: unknown;
  defines?: unknown;
  symbols?: unknown;
  sectionStart?: unknown;
  linkerScript?: unknown;
  cpuid?: unknown;
  registers?: unknown;
  stopOnEntry?: unknown;
  /** Directory relative paths are resolved against (default: the program's directory for includes, cwd else). */
  cwd?: unknown;
}

export class LaunchError extends Error {
  constructor(message: string, readonly diagnostics: Diagnostic[] = []) {
    super(message);
  }
}

export interface LaunchPlan {
  program: Program;
  start: StartMode;
  state: StartState;
  cpus: number;
  memoryMiB: number;
  cpuid?: Record<string, boolean | string | number>;
  /** Linear address to begin at instead of the start mode's default. */
  entry?: number;
  registers: [string, bigint][];
  stopOnEntry: boolean;
  /** Warnings from the assembler (shown in the Debug Console). */
  warnings: Diagnostic[];
}

const IMAGE_EXT = /\.(bin|img|rom|raw)$/i;

function num(field: string, value: unknown, max = 2n ** 64n - 1n): bigint {
  const v = parseNumber(value);
  if (v === undefined) throw new LaunchError(`Launch configuration: '${field}' must be a number such as 0x8000 or 32768 (got ${JSON.stringify(value)}).`);
  if (v > max) throw new LaunchError(`Launch configuration: '${field}' is ${hex(v)}, above the largest allowed value ${hex(max)}.`);
  return v;
}

function stringMap(field: string, value: unknown): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new LaunchError(`Launch configuration: '${field}' must be an object of NAME: value pairs (got ${JSON.stringify(value)}).`);
  return value as Record<string, unknown>;
}

/** Builds the plan; throws LaunchError for every problem the user can fix. */
export function planLaunch(given: LaunchArguments | undefined, fs: FileSystem): LaunchPlan {
  const args: LaunchArguments = given && typeof given === 'object' ? given : {};
  if (typeof args.program !== 'string' || args.program.trim() === '') {
    throw new LaunchError(`Launch configuration: 'program' is missing; set it to a .S file or a flat image (.bin/.img/.rom), e.g. "\${file}".`);
  }
  const cwd = typeof args.cwd === 'string' ? args.cwd : process.cwd();
  const path = isAbsolute(args.program) ? args.program : resolve(cwd, args.program);
  const isImage = IMAGE_EXT.test(path);
  const bytes = fs.readBytes(path);
  if (bytes === undefined) throw new LaunchError(`Cannot open the program '${args.program}' (${path}): no such file. Check 'program' in the launch configuration.`);

  let start: StartMode | undefined;
  if (args.start !== undefined) {
    if (typeof args.start !== 'string' || !(START_MODES as readonly string[]).includes(args.start)) {
      throw new LaunchError(`Launch configuration: unknown start mode ${JSON.stringify(args.start)}; use one of ${START_MODES.map((s) => `"${s}"`).join(', ')}.`);
    }
    start = args.start as StartMode;
  }
  const cpus = args.cpus === undefined ? 1 : Number(num('cpus', args.cpus, 64n));
  if (cpus < 1) throw new LaunchError(`Launch configuration: 'cpus' must be between 1 and 64 (got ${cpus}).`);
  const memoryMiB = args.memory === undefined ? 256 : Number(num('memory', args.memory, 65536n));
  if (memoryMiB < 1) throw new LaunchError(`Launch configuration: 'memory' is in MiB and must be at least 1.`);
  let load = args.load === undefined ? undefined : Number(num('load', args.load, 0xffffffffn));
  const cpuid = args.cpuid === undefined ? undefined : (stringMap('cpuid', args.cpuid) as Record<string, boolean | string | number>);
  if (cpuid) {
    try {
      cpuModelWith(cpuid);
    } catch (e) {
      throw new LaunchError(`Launch configuration: 'cpuid': ${e instanceof Error ? e.message : String(e)}.`);
    }
  }
  const registers: [string, bigint][] = [];
  for (const [name, value] of Object.entries(stringMap('registers', args.registers))) {
    if (!isRegisterName(name)) throw new LaunchError(`Launch configuration: 'registers' names an unknown register '${name}' (use names like eax, rsp, cr4, efer, cr0.pe).`);
    registers.push([name, num(`registers.${name}`, value)]);
  }
  const stopOnEntry = args.stopOnEntry === undefined ? true : args.stopOnEntry === true;

  // Assemble (or take the flat image).
  let program: Program;
  let warnings: Diagnostic[] = [];
  const userSymbols: Record<string, bigint> = {};
  for (const [name, value] of Object.entries(stringMap('symbols', args.symbols))) userSymbols[name] = num(`symbols.${name}`, value);
  if (!start) start = inferStart(path, bytes, load);
  const defaultLink = start === 'reset' ? 0 : start === 'boot-sector' ? 0x7c00 : load ?? (start === 'long64' ? 0x200000 : 0x8000);
  if (isImage) {
    const syms: ProgramSymbol[] = Object.entries(userSymbols).map(([name, value]) => ({ name, value, isAddress: true }));
    program = new Program(path, bytes, defaultLink, placementsFor(start, bytes.length, load ?? defaultLink), syms, undefined, [], []);
  } else {
    const sectionStart: Record<string, bigint> = {};
    for (const [name, value] of Object.entries(stringMap('sectionStart', args.sectionStart))) sectionStart[name] = num(`sectionStart.${name}`, value);
    const includePath = args.includePath === undefined ? [] : args.includePath;
    if (!Array.isArray(includePath) || includePath.some((p) => typeof p !== 'string')) throw new LaunchError(`Launch configuration: 'includePath' must be a list of directories.`);
    const defines: Record<string, string> = {};
    for (const [name, value] of Object.entries(stringMap('defines', args.defines))) defines[name] = value === null || value === undefined ? '1' : String(value);
    const options: AssembleOptions = {
      includePaths: [dirname(path), ...(includePath as string[]).map((p) => (isAbsolute(p) ? p : resolve(cwd, p)))],
      defines,
      defsym: userSymbols,
      sectionStart,
    };
    const explicitLayout = Object.keys(sectionStart).length > 0 || args.linkerScript !== undefined;
    if (!explicitLayout) options.textAddress = BigInt(defaultLink);
    if (args.linkerScript !== undefined) {
      if (typeof args.linkerScript !== 'string') throw new LaunchError(`Launch configuration: 'linkerScript' must be a path.`);
      const scriptPath = isAbsolute(args.linkerScript) ? args.linkerScript : resolve(cwd, args.linkerScript);
      const text = fs.readText(scriptPath);
      if (text === undefined) throw new LaunchError(`Cannot open the linker script '${args.linkerScript}' (${scriptPath}): no such file.`);
      options.script = { path: scriptPath, text };
    }
    const result = assemble(fs, path, options);
    const errors = result.diagnostics.filter((d) => d.severity === 'error');
    warnings = result.diagnostics.filter((d) => d.severity === 'warning');
    if (!result.ok || errors.length > 0) {
      const shown = errors.slice(0, 5).map(formatDiagnostic).join('\n');
      throw new LaunchError(`Assembly of ${args.program} failed with ${errors.length} error(s):\n${shown}${errors.length > 5 ? `\n… and ${errors.length - 5} more (see the Problems view)` : ''}`, errors);
    }
    const base = result.base;
    if (load === undefined) load = start === 'ap' || start === 'long64' ? (explicitLayout ? base : defaultLink) : undefined;
    const placements = placementsFor(start, result.image.length, load ?? base);
    const delta = (link: bigint): bigint => {
      const lin = placements.length ? BigInt(placements[placements.length - 1].linear - placements[placements.length - 1].imageOffset) + (link - BigInt(base)) : link;
      return lin;
    };
    const symbols: ProgramSymbol[] = [];
    for (const s of result.link.symbols.values()) {
      if (/^[0-9]+$/.test(s.name) || s.name.includes('\u0002') || s.name.startsWith('.L')) continue;
      const isAddress = s.section !== '*ABS*' && s.section !== '*UND*';
      symbols.push({ name: s.name, value: isAddress ? delta(s.address) : s.address, isAddress });
    }
    const files = new Set<string>([path]);
    for (const e of result.link.sourceMap.entries) {
      files.add(e.origin.range.file);
      for (const st of e.origin.expansion) files.add(st.site.file);
    }
    program = new Program(path, result.image, base, placements, symbols, result.link.sourceMap, result.analysis.statements, [...files].filter((f) => f.startsWith('/')));
  }

  // Start state.
  const image = program.image;
  let state: StartState;
  switch (start) {
    case 'reset':
      if (image.length > 0x1000000) throw new LaunchError(`A reset ROM must be at most 16 MiB (this image is ${image.length} bytes).`);
      state = { kind: 'reset', rom: image };
      break;
    case 'boot-sector':
      if (image.length > 0x70000) throw new LaunchError(`A boot-sector image must fit below 0x77C00 (this one is ${image.length} bytes).`);
      state = { kind: 'boot-sector', image };
      break;
    case 'ap': {
      const at = load ?? 0x8000;
      if (at % 4096 !== 0 || at >= 0x100000) throw new LaunchError(`Launch configuration: 'load' must be 4 KiB aligned and below 1 MiB for start "ap" (CS = load >> 4, IP = 0); got ${hex(at)}.`);
      state = { kind: 'ap', image, load: at };
      break;
    }
    case 'long64':
      state = { kind: 'long64', image, load: load ?? 0x200000 };
      break;
  }
  let entry: number | undefined;
  if (args.entry !== undefined) {
    if (typeof args.entry !== 'string' && typeof args.entry !== 'number') throw new LaunchError(`Launch configuration: 'entry' must be a symbol name or an address.`);
    const asNumber = parseNumber(args.entry);
    if (asNumber !== undefined) entry = Number(asNumber);
    else {
      const sym = program.symbol(String(args.entry));
      if (!sym) {
        const near = program.symbols.filter((s) => s.isAddress).map((s) => s.name).slice(0, 12);
        throw new LaunchError(`Launch configuration: unknown entry symbol '${args.entry}'. Symbols in ${args.program}: ${near.join(', ') || '(none)'}.`);
      }
      entry = Number(sym.value);
    }
    if (state.kind === 'long64') state.entry = entry;
  }
  return { program, start, state, cpus, memoryMiB, cpuid, entry, registers, stopOnEntry, warnings };
}

function isRegisterName(name: string): boolean {
  const n = name.toLowerCase().replace(/^%/, '');
  if (REGISTER_NAMES.includes(n) || findMsr(n)) return true;
  const dot = n.indexOf('.');
  return dot > 0 && BIT_OWNERS[n.slice(0, dot)] !== undefined;
}

/** Where the image bytes are visible in the linear address space right after the start. */
function placementsFor(start: StartMode, size: number, load: number): Placement[] {
  if (start === 'reset') {
    const romSize = Math.ceil(size / 4096) * 4096;
    const pad = romSize - size;
    const alias = Math.min(romSize, 128 * 1024);
    const aliasFirst = Math.max(0, romSize - alias - pad);
    return [
      { linear: 0x1_0000_0000 - romSize + pad, imageOffset: 0, size },
      { linear: 0x100000 - romSize + pad + aliasFirst, imageOffset: aliasFirst, size: size - aliasFirst },
    ];
  }
  if (start === 'boot-sector') return [{ linear: 0x7c00, imageOffset: 0, size }];
  return [{ linear: load, imageOffset: 0, size }];
}

/** The start mode when the configuration does not say (the extension infers it more carefully). */
function inferStart(path: string, bytes: Uint8Array, load: number | undefined): StartMode {
  if (IMAGE_EXT.test(path)) {
    if (bytes.length === 512 && bytes[510] === 0x55 && bytes[511] === 0xaa) return 'boot-sector';
    if (bytes.length >= 0x10000 && bytes.length % 0x10000 === 0) return 'reset';
    return 'ap';
  }
  const text = new TextDecoder('latin1').decode(bytes);
  if (/\.org\s+0xfff0/i.test(text)) return 'reset';
  if (/0x55\s*,\s*0xaa|0xaa55/i.test(text)) return 'boot-sector';
  if (load === undefined && /^\s*\.code64/m.test(text) && !/^\s*\.code16/m.test(text)) return 'long64';
  return 'ap';
}

/**
 * Creates the machine for a plan, starts it in the plan's state and applies the entry point and initial
 * registers. Shared by the debugger and `trampoline run`, so both start a program identically.
 */
export function bootMachine(plan: LaunchPlan, output: (byte: number) => void): Machine {
  const machine = new Machine({
    memoryMiB: plan.memoryMiB,
    cpus: plan.cpus,
    cpu: plan.cpuid,
    executor: new X86Executor({ cpuCount: plan.cpus }),
    output,
  });
  try {
    machine.start(plan.state);
  } catch (e) {
    throw new LaunchError(`Cannot start the machine: ${e instanceof Error ? e.message : String(e)}`);
  }
  const bsp = machine.cpus[0];
  if (plan.entry !== undefined && plan.state.kind !== 'long64') {
    const off = plan.entry - bsp.seg[CS].base;
    if (off >= 0 && off <= 0xffff) writeRegister(bsp, 'ip', BigInt(off));
    else {
      writeRegister(bsp, 'cs', BigInt((plan.entry >>> 4) & 0xffff));
      writeRegister(bsp, 'ip', BigInt(plan.entry & 0xf));
    }
  }
  for (const [name, value] of plan.registers) {
    const err = writeRegister(bsp, name, value);
    if (err) throw new LaunchError(`Launch configuration: registers.${name}: ${err}.`);
  }
  return machine;
}
