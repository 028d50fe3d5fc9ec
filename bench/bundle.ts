// Benchmarks time our code as users run it: an esbuild bundle built here with scripts/build.mjs's options (under
// tsx every import is a getter call, which would make us look slower than we ship).
import { createRequire } from 'node:module';
import { join } from 'node:path';
import * as esbuild from 'esbuild';

/** scripts/build.mjs's options for the shipped bundles (minified, names kept). */
const BUNDLE_OPTIONS: esbuild.BuildOptions = {
  bundle: true,
  platform: 'node',
  target: 'node18',
  format: 'cjs',
  sourcemap: true,
  minify: true,
  keepNames: true,
  logLevel: 'warning',
};

/** Bundles `entry` into `dir` and returns the bundle's path (to run in a process of its own). */
export async function bundleTo(entry: string, dir: string, name: string): Promise<string> {
  const outfile = join(dir, `${name}.cjs`);
  await esbuild.build({ ...BUNDLE_OPTIONS, entryPoints: [entry], outfile });
  return outfile;
}

/** Bundles `entry` into `dir` and loads it. */
export async function bundled<T>(entry: string, dir: string, name: string): Promise<T> {
  const outfile = await bundleTo(entry, dir, name);
  return createRequire(outfile)(outfile) as T;
}
