// `npm run bench`: runs every bench/*.bench.ts side by side with its peers in one process run, prints one table
// and writes bench/results/latest.json. Ratios, not absolute times, are what to compare across machines.
import { existsSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { formatTable, type BenchRow } from './table';

// npm scripts run from the repository root.
const here = join(process.cwd(), 'bench');
const only = process.argv.slice(2);

function previousRows(path: string): BenchRow[] {
  if (!existsSync(path)) return [];
  try {
    const rows = (JSON.parse(readFileSync(path, 'utf8')) as { rows?: BenchRow[] }).rows;
    return Array.isArray(rows) ? rows : [];
  } catch {
    return [];
  }
}

async function main(): Promise<void> {
  const files = readdirSync(here).filter((f) => f.endsWith('.bench.ts') && (only.length === 0 || only.some((o) => f.includes(o)))).sort();
  const rows: BenchRow[] = [];
  for (const f of files) {
    const mod = (await import(pathToFileURL(join(here, f)).href)) as { run(): Promise<BenchRow[]> };
    try {
      rows.push(...(await mod.run()).map((r) => ({ ...r, source: f })));
    } catch (e) {
      rows.push({ group: f, name: 'failed', ours: NaN, unit: '', note: e instanceof Error ? e.message : String(e), source: f });
    }
  }
  process.stdout.write(formatTable(rows));
  mkdirSync(join(here, 'results'), { recursive: true });
  const out = join(here, 'results', 'latest.json');
  // A filtered run (`npm run bench -- machine`) replaces only its own files' rows in the report.
  const kept = only.length > 0 ? previousRows(out).filter((r) => !files.includes(r.source ?? '')) : [];
  const all = [...kept, ...rows].sort((a, b) => (a.source ?? '').localeCompare(b.source ?? ''));
  writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), node: process.version, rows: all }, null, 2) + '\n');
}

main().catch((e) => {
  process.stderr.write(String(e instanceof Error ? e.stack : e) + '\n');
  process.exit(1);
});
