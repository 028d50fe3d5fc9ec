// Bundles the four entry points with esbuild; everything they import is inlined so the .vsix ships no node_modules.
import * as esbuild from 'esbuild';
import { CLI_NODE_OPTIONS } from './cli-node-options.mjs';

const watch = process.argv.includes('--watch');
const common = {
  bundle: true,
  platform: 'node',
  target: 'node18',
  format: 'cjs',
  sourcemap: true,
  // Smaller .vsix and faster activation; names are kept so stack traces and errors stay readable.
  minify: !watch,
  keepNames: true,
  logLevel: 'warning',
  external: ['vscode'],
};
const entries = [
  { in: 'extension/main.ts', out: 'dist/extension.js' },
  { in: 'server/main.ts', out: 'dist/server.js' },
  { in: 'debug-adapter/main.ts', out: 'dist/debugAdapter.js' },
  // `env -S` splits the options off (npm's Windows shims read the same line).
  { in: 'cli/main.ts', out: 'dist/cli.js', banner: { js: `#!/usr/bin/env -S node ${CLI_NODE_OPTIONS.join(' ')}` } },
];
const contexts = await Promise.all(entries.map((e) => esbuild.context({ ...common, entryPoints: [e.in], outfile: e.out, banner: e.banner })));
if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
}
