// `npm run bench`: runs every bench/*.bench.ts side by side with its peers in one process run, prints one table
// and writes bench/results/latest.json. Ratios, not absolute times, are what to compare across machines.
import { readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { formatTable, type BenchRow } from './table';

// npm scripts run from the repository root.
const here = join(process.cwd(), 'bench');
const only = process.argv.slice(2);

async function main(): Promise<void> {
  const files = readdirSync(here).filter((f) => f.endsWith('.bench.ts') && (only.length === 0 || only.some((o) => f.includes(o)))).sort();
  const rows: BenchRow[] = [];
  for (const f of files) {
    const mod = (await import(pathToFileURL(join(here, f)).href)) as { run(): Promise<BenchRow[]> };
    try {
      rows.push(...(await mod.run()));
    } catch (e) {
      rows.push({ group: f, name: 'failed', ours: NaN, unit: '', note: e instanceof Error ? e.message : String(e) });
    }
  }
  process.stdout.write(formatTable(rows));
  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(join(here, 'results', 'latest.json'), JSON.stringify({ date: new Date().toISOString(), node: process.version, rows }, null, 2) + '\n');
}

main().catch((e) => {
  process.stderr.write(String(e instanceof Error ? e.stack : e) + '\n');
  process.exit(1);
});
