// Compares our encoder with GNU as over the generated corpus for one mode. Shared by the test and by
// `npx tsx test/isa/differential.ts MODE` (prints mismatches while developing).
import { parseInstruction } from '../../isa/att-syntax';
import { encodeInstruction } from '../../isa/encoder';
import { evaluateNumeric } from './numeric-eval';
import type { Fixup } from '../../isa/operand';
import { gnuAssemble } from './gnu-oracle';
import { generateCorpus } from './corpus';

export interface Mismatch {
  line: string;
  ours: string;
  gnu: string;
}

const hex = (b: ArrayLike<number>): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

export function ourEncode(line: string, mode: 16 | 32 | 64): { bytes?: Uint8Array; mask?: boolean[]; fixups?: Fixup[]; error?: string; warning?: string } {
  const p = parseInstruction(line, 0, (t) => evaluateNumeric(t));
  if (!p.ok) return { error: p.message };
  const r = encodeInstruction(p.instruction, mode);
  if (!r.ok) return { error: r.message };
  const mask = Array.from(r.encoding.bytes, () => false);
  for (const f of r.encoding.fixups) for (let i = 0; i < f.size; i++) mask[f.offset + i] = true;
  return { bytes: r.encoding.bytes, mask, fixups: r.encoding.fixups, warning: r.warnings?.[0] };
}

export function runDifferential(mode: 16 | 32 | 64, lines = generateCorpus(mode)): { passed: number; failed: Mismatch[]; total: number; rejected: number; sameMessage: number; accepted: number; warningsAgree: number } {
  const gnu = gnuAssemble(lines, mode);
  const failed: Mismatch[] = [];
  let passed = 0;
  let rejected = 0;
  let sameMessage = 0;
  let warningsAgree = 0;
  let accepted = 0;
  lines.forEach((line, i) => {
    const g = gnu[i];
    const o = ourEncode(line, mode);
    const gnuText = g.error ? `ERROR ${g.error}` : hex(g.bytes);
    let ok: boolean;
    if (g.error && o.error) {
      rejected++;
      if (g.error === o.error) sameMessage++;
    }
    if (g.error || o.error) ok = !!g.error && !!o.error;
    else {
      const b = o.bytes!;
      ok = b.length === g.bytes.length && Array.from(b).every((x, k) => o.mask![k] || x === g.bytes[k]);
    }
    if (ok && !g.error) {
      accepted++;
      if ((g.warning ?? '') === (o.warning ?? '')) warningsAgree++;
    }
    if (ok) passed++;
    else failed.push({ line, ours: o.error ? `ERROR ${o.error}` : hex(o.bytes!), gnu: gnuText });
  });
  return { passed, failed, total: lines.length, rejected, sameMessage, accepted, warningsAgree };
}

if (process.argv[1]?.endsWith('/differential.ts')) {
  const mode = Number(process.argv[2] ?? 32) as 16 | 32 | 64;
  const r = runDifferential(mode);
  if (process.argv[3] === 'warnings') {
    const gnu = gnuAssemble(generateCorpus(mode), mode);
    generateCorpus(mode).forEach((l, i) => {
      const o = ourEncode(l, mode);
      if (!gnu[i].error && !o.error && (gnu[i].warning ?? '') !== (o.warning ?? '')) process.stdout.write(`W ${l.padEnd(40)} ours=${o.warning ?? '-'} gnu=${gnu[i].warning ?? '-'}\n`);
    });
  }
  for (const f of r.failed) process.stdout.write(`${f.line.padEnd(44)} ours=${f.ours}  gnu=${f.gnu}\n`);
  process.stdout.write(`.code${mode}: ${r.passed} passed, ${r.failed.length} failed of ${r.total}; ${r.rejected} rejected by both, ${r.sameMessage} with GNU's exact message; warnings agree on ${r.warningsAgree}/${r.accepted}\n`);
}
