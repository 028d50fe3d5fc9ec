// The assembler benchmark's timed part, run in a node process of its own so that it gets the V8 options the product
// runs with: `node [options] assemble-runs.cjs FILE RUNS OUT [shared]` assembles FILE RUNS times, writes the last
// image to OUT and prints {"wall": [...], "cpu": [...], "error": "..."} (milliseconds). Each run gets an instruction
// backend of its own, so its encodings and known instructions start empty, as in one `trampoline asm`; with
// `shared` the runs share the default backend, as the language server's re-analyses do.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { MemoryFileSystem, assemble, createIsaBackend } from '../../gas/index';
import { ownCpu } from '../cpu-time';

const [file, runsText, out, sharing] = process.argv.slice(2);
const path = resolve(file);
const src = readFileSync(path, 'utf8');
const wall: number[] = [];
const cpu: number[] = [];
let error = '';
let image: Uint8Array = new Uint8Array(0);
for (let i = 0; i < Number(runsText); i++) {
  const fs = new MemoryFileSystem({ [path]: src });
  const backend = sharing === 'shared' ? undefined : createIsaBackend();
  const c0 = ownCpu();
  const t0 = performance.now();
  const r = assemble(fs, path, { textAddress: 0n, backend });
  wall.push(performance.now() - t0);
  cpu.push(ownCpu() - c0);
  image = r.image;
  const err = r.diagnostics.find((d) => d.severity === 'error');
  if (err) error = `line ${err.origin.range.line + 1}: ${err.message}`;
}
writeFileSync(out, image);
process.stdout.write(JSON.stringify({ wall, cpu, error }) + '\n');
