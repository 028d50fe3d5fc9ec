// Extension packaging figures: the .vsix users download and the bundles inside it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchRow } from './table';

export async function run(): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-vsix-'));
  try {
    const out = join(dir, 'x.vsix');
    const r = spawnSync('node_modules/.bin/vsce', ['package', '--no-dependencies', '--out', out], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`vsce package failed: ${r.stderr || r.stdout}`);
    const rows: BenchRow[] = [{ group: 'extension', name: '.vsix size', ours: statSync(out).size / 1024, unit: 'KiB', better: 'lower' }];
    for (const b of ['extension', 'server', 'debugAdapter', 'cli']) {
      rows.push({ group: 'extension', name: `dist/${b}.js`, ours: statSync(`dist/${b}.js`).size / 1024, unit: 'KiB', better: 'lower' });
    }
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
