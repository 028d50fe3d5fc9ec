// Disassembler vs objdump: our encodings of the corpus (and random bytes) are fed to both; each instruction
// boundary must give the same text after whitespace normalisation.
import { disassemble } from '../../isa/disassembler';
import { gnuDisassemble } from './gnu-oracle';
import { ourEncode } from './differential';
import { generateCorpus } from './corpus';

export interface DisasmMismatch {
  offset: number;
  bytes: string;
  ours: string;
  gnu: string;
  source?: string;
}

/**
 * objdump spellings we knowingly do not copy: in -M i8086 it names FSGSBASE registers as 16-bit although the
 * instruction always uses 32/64-bit ones.
 */
const knownQuirks: RegExp[] = [/^(rd|wr)[fg]sbase %[a-d]x$|^(rd|wr)[fg]sbase %[sb]p$|^(rd|wr)[fg]sbase %[sd]i$/];

export function normalise(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/ ?, ?/g, ',').trim();
}

/** Compares at every offset where both sides start an instruction. */
export function compareDisassembly(bytes: Uint8Array, mode: 16 | 32 | 64, sources?: Map<number, string>): { passed: number; failed: DisasmMismatch[] } {
  const gnu = gnuDisassemble(bytes, mode);
  const ours = disassemble(bytes, mode);
  const oursAt = new Map(ours.map((l) => [l.address, l]));
  let passed = 0;
  const failed: DisasmMismatch[] = [];
  for (let k = 0; k < gnu.length; k++) {
    const g = gnu[k];
    const o = oursAt.get(g.offset);
    const next = k + 1 < gnu.length ? gnu[k + 1].offset : bytes.length;
    const gt = normalise(g.text);
    const ot = o ? normalise(o.text) : '(no instruction boundary here)';
    if (o && ot === gt && o.length === next - g.offset) passed++;
    else if (mode === 16 && knownQuirks.some((q) => q.test(gt))) continue;
    else if (o || sources?.has(g.offset)) {
      failed.push({
        offset: g.offset,
        bytes: Array.from(bytes.subarray(g.offset, next), (x) => x.toString(16).padStart(2, '0')).join(' '),
        ours: ot + (o ? ` [${o.length}]` : ''),
        gnu: gt,
        source: sources?.get(g.offset),
      });
    }
  }
  return { passed, failed };
}

/** Concatenated bytes of every corpus line we encode, with the source line at each offset. */
export function corpusStream(mode: 16 | 32 | 64): { bytes: Uint8Array; sources: Map<number, string> } {
  const chunks: number[] = [];
  const sources = new Map<number, string>();
  for (const line of generateCorpus(mode)) {
    const r = ourEncode(line, mode);
    if (!r.bytes) continue;
    sources.set(chunks.length, line);
    chunks.push(...r.bytes);
  }
  return { bytes: Uint8Array.from(chunks), sources };
}

if (process.argv[1]?.endsWith('disasm-differential.ts')) {
  const mode = Number(process.argv[2] ?? 32) as 16 | 32 | 64;
  const { bytes, sources } = corpusStream(mode);
  const r = compareDisassembly(bytes, mode, sources);
  for (const f of r.failed) process.stdout.write(`${(f.source ?? '').padEnd(40)} ${f.bytes.padEnd(30)} ours=${f.ours}  gnu=${f.gnu}\n`);
  process.stdout.write(`.code${mode}: ${r.passed} passed, ${r.failed.length} failed\n`);
}
