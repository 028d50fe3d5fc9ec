// Emulator speed: guest instructions per second on three boot-sector workloads (bench/workloads/*.S), ours beside
// qemu-system-x86_64 (TCG) and Bochs running the same bytes in the same run.
// Instruction counts: our machine counts exactly; the guest is deterministic, so instructions(loops) =
// fixed + perLoop * loops, with both terms measured on ours (and checked at a third point). The peers run a
// larger loop count; their rate is (instructions(N) - instructions(1)) / (wall(N) - wall(1)), the N = 1 run being
// the empty-boot baseline (firmware, process start-up) measured the same way.
// Ours runs from an esbuild bundle of machine/ built here with scripts/build.mjs's options (what the extension,
// debug adapter and CLI ship), not from tsx's module graph, whose import getters slow the hot path. The rows compare
// wall-clock rates (the peers are timed by wall clock); the note adds ours by CPU time, which other load on the
// machine does not inflate.
import { buildSync } from 'esbuild';
import { createRequire } from 'node:module';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as MachineApi from '../machine/index';
import type { BenchRow } from './table';
import { assembleWorkload, DONE_MARKER, withLoops, WORKLOADS, type Workload } from './workloads/images';
import { bochsProblem, haveQemu, runBochs, runQemu, type PeerRun } from './workloads/peers';

/** How long each measured run should take, roughly. */
const OURS_TARGET_MS = 2500;
const PEER_TARGET_MS = 3000;

/** machine/index.ts bundled as the product bundles it (scripts/build.mjs: cjs, node18, minified, names kept). */
function bundledMachine(): typeof MachineApi {
  const out = join(mkdtempSync(join(tmpdir(), 'bench-machine-')), 'machine.js');
  buildSync({ entryPoints: [join(__dirname, '..', 'machine', 'index.ts')], outfile: out, bundle: true, platform: 'node', target: 'node18', format: 'cjs', minify: true, keepNames: true, logLevel: 'warning' });
  return createRequire(__filename)(out) as typeof MachineApi;
}
let machineApi: typeof MachineApi | undefined;

interface OurRun {
  instructions: number;
  ms: number;
  /** This process's CPU time (user + system) for the run: unlike wall time, not inflated by other load. */
  cpuMs: number;
}

function runOurs(image: Uint8Array, maxInstructions = 5e9): OurRun {
  const { Machine, X86Executor } = (machineApi ??= bundledMachine());
  let out = '';
  const m = new Machine({ memoryMiB: 256, executor: new X86Executor(), output: (b) => (out += out.length < 4096 ? String.fromCharCode(b) : '') });
  m.start({ kind: 'boot-sector', image });
  m.maxInstructions = maxInstructions;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  let stop = m.run({ sliceInstructions: 50_000_000 });
  while (stop.kind === 'slice-end') stop = m.run({ sliceInstructions: 50_000_000 });
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  if (stop.kind !== 'exit-port' || !out.includes(DONE_MARKER)) throw new Error(`our machine stopped with ${stop.kind}: ${stop.message} (output ${JSON.stringify(out.slice(0, 80))})`);
  return { instructions: m.totalInstructions, ms, cpuMs: (c.user + c.system) / 1000 };
}

/** instructions(loops) = fixed + perLoop * loops, measured on our machine. */
function countModel(image: Uint8Array): { fixed: number; perLoop: number } {
  const a = runOurs(withLoops(image, 1)).instructions;
  const b = runOurs(withLoops(image, 2)).instructions;
  const perLoop = b - a;
  const fixed = a - perLoop;
  const c = runOurs(withLoops(image, 5)).instructions;
  if (c !== fixed + 5 * perLoop) throw new Error(`instruction count is not linear in the loop count (${a}, ${b}, ${c})`);
  return { fixed, perLoop };
}

/** Loops so that a run of `rate` instructions/ms lasts about targetMs. */
function loopsFor(rate: number, perLoop: number, targetMs: number): number {
  return Math.max(2, Math.min(0xffff_ffff, Math.round((rate * targetMs) / perLoop)));
}

async function peerRate(
  name: string,
  runner: (img: Uint8Array) => Promise<PeerRun>,
  image: Uint8Array,
  model: { fixed: number; perLoop: number },
  guessRate: number,
): Promise<{ rate: number; note: string }> {
  const instr = (n: number) => model.fixed + model.perLoop * n;
  const base: number[] = [];
  for (let i = 0; i < 3; i++) {
    const r = await runner(withLoops(image, 1));
    if (!r.ok) return { rate: NaN, note: `${name}: ${r.why}` };
    base.push(r.ms);
  }
  const baseline = Math.min(...base);
  // A probe sized from a guess, then two runs sized from what the probe showed; the faster one counts.
  const net = async (loops: number): Promise<number | string> => {
    const r = await runner(withLoops(image, loops));
    return r.ok ? (instr(loops) - instr(1)) / Math.max(r.ms - baseline, 1) : String(r.why);
  };
  const probe = await net(loopsFor(guessRate, model.perLoop, 500));
  if (typeof probe === 'string') return { rate: NaN, note: `${name}: ${probe}` };
  const loops = loopsFor(probe, model.perLoop, PEER_TARGET_MS);
  let best = 0;
  for (let i = 0; i < 2; i++) {
    const r = await net(loops);
    if (typeof r === 'string') return { rate: NaN, note: `${name}: ${r}` };
    best = Math.max(best, r);
  }
  return { rate: best * 1000, note: `${name}: ${loops} loops, baseline ${baseline.toFixed(0)} ms` };
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const qemu = haveQemu();
  const bochsWhy = bochsProblem();
  for (const w of WORKLOADS) rows.push(...(await measure(w, qemu, bochsWhy)));
  return rows;
}

async function measure(w: Workload, qemu: boolean, bochsWhy: string | null): Promise<BenchRow[]> {
  const group = `machine: ${w.title}`;
  const image = assembleWorkload(w.file);
  const model = countModel(image);
  // Ours: a probe for the rate, then the best of three runs sized to the target time.
  const probeLoops = Math.max(2, Math.round(2_000_000 / model.perLoop));
  const probe = runOurs(withLoops(image, probeLoops));
  const loops = loopsFor(probe.instructions / probe.ms, model.perLoop, OURS_TARGET_MS);
  let ours = 0;
  let oursCpu = 0;
  let instructions = 0;
  for (let i = 0; i < 3; i++) {
    const r = runOurs(withLoops(image, loops));
    if (r.instructions !== model.fixed + model.perLoop * loops) throw new Error(`${w.file}: count ${r.instructions} differs from the model`);
    instructions = r.instructions;
    ours = Math.max(ours, (r.instructions / r.ms) * 1000);
    oursCpu = Math.max(oursCpu, (r.instructions / r.cpuMs) * 1000);
  }
  const oursMips = ours / 1e6;
  const countNote = `${model.perLoop} instr/loop + ${model.fixed}; ours (esbuild bundle) ${loops} loops = ${(instructions / 1e6).toFixed(1)} M instr, ${(oursCpu / 1e6).toFixed(1)} MIPS by CPU time`;
  const rows: BenchRow[] = [];
  if (qemu) {
    const q = await peerRate('qemu', runQemu, image, model, 200_000);
    rows.push({ group, name: 'guest MIPS vs QEMU TCG', ours: oursMips, unit: 'MIPS', better: 'higher', peer: { name: 'qemu-system-x86_64 -accel tcg', value: q.rate / 1e6 }, note: `${countNote}; ${q.note}` });
  } else {
    rows.push({ group, name: 'guest MIPS vs QEMU TCG', ours: oursMips, unit: 'MIPS', better: 'higher', note: `${countNote}; qemu-system-x86_64 not installed` });
  }
  if (bochsWhy === null) {
    const b = await peerRate('bochs', runBochs, image, model, 50_000);
    rows.push({ group, name: 'guest MIPS vs Bochs', ours: oursMips, unit: 'MIPS', better: 'higher', peer: { name: 'bochs 2.7 (Debian)', value: b.rate / 1e6 }, note: b.note });
  } else {
    rows.push({ group, name: 'guest MIPS vs Bochs', ours: oursMips, unit: 'MIPS', better: 'higher', note: `Bochs not run: ${bochsWhy}` });
  }
  return rows;
}
