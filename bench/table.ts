/** One measured figure, with the peer measured in the same run where one exists. */
export interface BenchRow {
  group: string;
  name: string;
  ours: number;
  unit: string;
  peer?: { name: string; value: number };
  /** 'lower' when smaller numbers are better (times), 'higher' for rates. */
  better?: 'lower' | 'higher';
  note?: string;
  /** The bench file that produced the row (set by run.ts; a filtered run replaces only its files' rows). */
  source?: string;
}

/** ours/peer expressed so that > 1 always means "we are better". */
export function advantage(row: BenchRow): number | undefined {
  if (!row.peer || !Number.isFinite(row.ours) || !row.peer.value) return undefined;
  return row.better === 'higher' ? row.ours / row.peer.value : row.peer.value / row.ours;
}

function fmt(n: number): string {
  if (!Number.isFinite(n)) return '—';
  if (Math.abs(n) >= 1000) return n.toFixed(0);
  if (Math.abs(n) >= 10) return n.toFixed(1);
  return n.toPrecision(3);
}

export function formatTable(rows: BenchRow[]): string {
  const header = ['group', 'measure', 'ours', 'peer', 'peer value', 'advantage', 'note'];
  const body = rows.map((r) => {
    const a = advantage(r);
    return [r.group, r.name, `${fmt(r.ours)} ${r.unit}`, r.peer?.name ?? '', r.peer ? `${fmt(r.peer.value)} ${r.unit}` : '', a === undefined ? "" : `${a < 0.1 ? a.toPrecision(2) : a.toFixed(2)}×`, r.note ?? ''];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => '| ' + cells.map((c, i) => c.padEnd(widths[i])).join(' | ') + ' |\n';
  return line(header) + '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|\n' + body.map(line).join('');
}

/** Median and 99th percentile of a sample, for latency figures. */
export function percentiles(samples: number[]): { median: number; p99: number } {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return { median: at(0.5), p99: at(0.99) };
}
