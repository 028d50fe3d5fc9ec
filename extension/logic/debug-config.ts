// Launch configurations the extension builds: F5 without launch.json, "Add configuration…"/dynamic entries per
// start mode, and "Debug from here" from the language server's code lens.
import { inferStartFromImage, inferStartFromSource, START_MODES, type StartInference, type StartMode } from './start-inference';
import { DEBUG_TYPE } from './protocol-types';

export interface LaunchConfig {
  type: string;
  request: string;
  name: string;
  program?: string;
  start?: string;
  load?: string | number;
  entry?: string;
  cpus?: number;
  memory?: number;
  stopOnEntry?: boolean;
  cwd?: string;
  [key: string]: unknown;
}

export interface MachineDefaults {
  cpus: number;
  memory: number;
  /** CPUID overrides (x86Trampoline.machine.cpuid). */
  cpuid?: Record<string, boolean | string | number>;
}

/** The adapter's default load (and link) address for start "ap". */
export const AP_LOAD = '0x8000';

const IMAGE = /\.(bin|img|rom|raw)$/i;

export function isImagePath(path: string): boolean {
  return IMAGE.test(path);
}

function basename(path: string): string {
  return path.replace(/^.*[\\/]/, '');
}

/** VS Code passes `{}` (or only `noDebug`) when F5 finds no launch.json. */
export function isEmptyConfig(c: Partial<LaunchConfig> | undefined): boolean {
  return !c || (!c.type && !c.request && !c.name);
}

/** Start-mode evidence for a program's contents (source text or image bytes by file name). */
export function inferStart(path: string, contents: Uint8Array): StartInference {
  return isImagePath(path) ? inferStartFromImage(contents) : inferStartFromSource(new TextDecoder('latin1').decode(contents));
}

export function configFor(program: string, start?: StartMode, extra: Partial<LaunchConfig> = {}): LaunchConfig {
  const c: LaunchConfig = {
    type: DEBUG_TYPE,
    request: 'launch',
    name: `Debug ${basename(program)}${start ? ` (${start})` : ''}`,
    program,
    stopOnEntry: true,
    ...extra,
  };
  if (start) c.start = start;
  return c;
}

/** CPUs for a program that wakes APs (INIT/SIPI) when the settings ask for only one: the BSP and three APs. */
export const SMP_CPUS = 4;

/** The CPU count a program needs when the configuration does not say: more than one if it sends INIT/SIPI. */
export function inferredCpus(inference: StartInference | undefined, defaults: MachineDefaults): number | undefined {
  if (!inference?.smp) return undefined;
  return defaults.cpus > 1 ? defaults.cpus : SMP_CPUS;
}

/**
 * Fills what the configuration leaves open: machine defaults from the settings (more CPUs when the program sends
 * INIT/SIPI) and the folder for relative paths.
 */
export function withDefaults(c: LaunchConfig, defaults: MachineDefaults, folder?: string, inference?: StartInference): LaunchConfig {
  const out = { ...c };
  const smpCpus = out.cpus === undefined ? inferredCpus(inference, defaults) : undefined;
  if (smpCpus !== undefined) out.cpus = smpCpus;
  if (out.cpus === undefined && defaults.cpus > 0 && defaults.cpus !== 1) out.cpus = defaults.cpus;
  if (out.memory === undefined && defaults.memory > 0 && defaults.memory !== 256) out.memory = defaults.memory;
  if (out.cpuid === undefined && defaults.cpuid && Object.keys(defaults.cpuid).length) out.cpuid = { ...defaults.cpuid };
  if (out.cwd === undefined && folder) out.cwd = folder;
  return out;
}

/** One configuration per start mode for the dynamic list ("x86 Trampoline…" in Run and Debug), the fitting one first. */
export function dynamicConfigurations(program: string, inference: StartInference): LaunchConfig[] {
  const order = inference.start ? [inference.start, ...START_MODES.filter((s) => s !== inference.start)] : inference.choices.map((c) => c.start);
  return order.map((start) => {
    const c = configFor('${file}', start);
    c.name = `${basename(program)}: ${start}${start === inference.start ? ' (inferred)' : ''}`;
    if (inference.smp) c.cpus = SMP_CPUS;
    if (start === 'long64') {
      const entry = inference.choices.find((x) => x.start === 'long64')?.entry;
      if (entry) c.entry = entry;
      if (inference.start === 'ap') c.load = AP_LOAD;
    }
    return c;
  });
}

export interface DebugFromHereArgs {
  uri?: string;
  symbol?: string;
  start?: string;
  mode?: number;
}

export interface DebugFromHerePlan {
  config: LaunchConfig;
  /** Set when the session starts the program normally and runs to the symbol (function breakpoint). */
  runTo?: string;
  /** The start mode still has to be chosen (quick pick) before launching. */
  needsStart: boolean;
}

/**
 * Direct entry when the symbol's code mode has a start state (16-bit → ap, 64-bit → long64) and the file is
 * itself such a program; otherwise (32-bit code, or code inside a reset ROM or boot sector that depends on the
 * set-up before it) the program starts the way it is meant to and runs to the symbol.
 */
export function debugFromHere(program: string, args: DebugFromHereArgs, inference: StartInference): DebugFromHerePlan {
  const symbol = args.symbol ?? '';
  const lensStart = args.start as StartMode | undefined;
  const direct = (lensStart === 'ap' || lensStart === 'long64') && inference.start !== 'reset' && inference.start !== 'boot-sector';
  if (direct) {
    const config = configFor(program, lensStart, { entry: symbol, stopOnEntry: true });
    // A 64-bit entry into an AP trampoline keeps the trampoline's link address (long64 would default elsewhere).
    if (lensStart === 'long64' && inference.start === 'ap') config.load = AP_LOAD;
    config.name = `Debug ${symbol} (${lensStart})`;
    return { config, needsStart: false };
  }
  const config = configFor(program, inference.start, { stopOnEntry: false });
  config.name = `Debug ${basename(program)} to ${symbol}`;
  return { config, runTo: symbol, needsStart: inference.start === undefined };
}
