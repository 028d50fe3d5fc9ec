// Preprocessing a file again after an edit without reading it all again: one session per edited main file keeps
// the last run's record (see checkpoints.ts). The next run restarts at the last line before the edit whose state
// is known, reads the changed lines, and takes over the old run's output for the unchanged rest when the state
// there is the same. The result is always what a full run gives; whenever that cannot be shown cheaply (a
// directive was edited, an included file changed, the options changed, __LINE__ below an edit that moved lines,
// `_Pragma`, lexer problems) the session runs the whole file.
//
//   const session = new IncrementalPreprocessor();
//   const r1 = session.preprocess(fs, '/src/a.S', options);   // full run, recorded
//   const r2 = session.preprocess(fs, '/src/a.S', options);   // after an edit: only the changed lines are read
import type { FileSystem } from '../fs';
import type { RunRecord } from './checkpoints';
import type { LexedFile, LogicalLine } from './lexer';
import { lexFile, relexFile } from './lexer';
import { isDirectiveLine, Preprocessor, type ResumePlan } from './preprocessor';
import type { PreprocessOptions, PreprocessResult } from './types';

/** What the last run did (tests and benchmarks look at this). */
export interface IncrementalStats {
  mode: 'full' | 'resumed';
  /** Why a full run was needed. */
  reason?: string;
  /** Main-file logical lines read by this run, and in the file. */
  linesRead: number;
  lines: number;
  /** Resumed runs: the boundary restarted at, and whether the old tail was taken over. */
  from?: number;
  tookTail?: boolean;
  /** The result equals the previous run's in every field (the edit was in a comment or a skipped group). */
  sameOutput?: boolean;
}

interface Last {
  key: string;
  record: RunRecord;
  /** Every other file the runs read, with what it held (undefined: missing). */
  reads: Map<string, string | undefined>;
}

export class IncrementalPreprocessor {
  private last: Last | undefined;
  stats: IncrementalStats | undefined;

  /** Same contract as `preprocess` (never throws); reuses the previous run of the same path where it can. */
  preprocess(fs: FileSystem, path: string, options: PreprocessOptions): PreprocessResult {
    const key = JSON.stringify([path, options.includePaths ?? [], options.defines ?? {}, options.undefines ?? [], options.builtinHeaders !== false]);
    const reads = new Map<string, string | undefined>();
    // The main file read by an #include of itself: its old text would live on in the kept output.
    let selfIncluded = false;
    let mainReads = 0;
    const recording: FileSystem = {
      readText: (p) => {
        const t = fs.readText(p);
        if (p !== path) reads.set(p, t);
        else if (++mainReads > (typeof plan === 'string' ? 1 : 0)) selfIncluded = true;
        return t;
      },
      readBytes: (p) => fs.readBytes(p),
    };
    let plan: ResumePlan | string;
    try {
      plan = this.plan(fs, path, key);
    } catch (e) {
      plan = `planning failed: ${e instanceof Error ? e.message : String(e)}`;
    }
    const pp = new Preprocessor(recording, options);
    let result: PreprocessResult;
    if (typeof plan === 'string') {
      result = pp.run(path, true);
      this.stats = { mode: 'full', reason: plan, linesRead: pp.stats().linesRead, lines: pp.runRecord()?.lexed.lines.length ?? 0 };
    } else {
      result = pp.resume(plan);
      for (const [p, t] of this.last!.reads) if (!reads.has(p)) reads.set(p, t);
      const s = pp.stats();
      this.stats = { mode: 'resumed', linesRead: s.linesRead, lines: plan.lexed.lines.length, from: plan.from, tookTail: s.tookTail, sameOutput: s.sameOutput };
    }
    const record = pp.runRecord();
    this.last = record && !selfIncluded ? { key, record, reads } : undefined;
    return result;
  }

  /** Forgets the last run (the next one reads everything). */
  reset(): void {
    this.last = undefined;
  }

  /** Where to restart and where the old tail may take over, or why everything must be read again. */
  private plan(fs: FileSystem, path: string, key: string): ResumePlan | string {
    const last = this.last;
    if (!last) return 'first run';
    if (last.key !== key) return 'options changed';
    const old = last.record;
    if (old.unrepeatable || old.budgetReported || old.lexed.problems.length > 0) return 'previous run not resumable';
    if (old.diagnostics.some((d) => d.code === 'cpp-internal' || d.code === 'cpp-limit' || d.code === 'cpp-file-not-found')) return 'previous run failed';
    for (const [p, t] of last.reads) {
      let now: string | undefined;
      try {
        now = fs.readText(p);
      } catch {
        now = undefined;
      }
      if (now !== t) return `${p} changed`;
    }
    const text = fs.readText(path);
    if (text === undefined) return 'main file missing';
    const lexed = relexFile(old.lexed, text) ?? lexFile(path, text, false);
    if (lexed.problems.length > 0) return 'lexer problems';
    const O = old.lexed.lines;
    const N = lexed.lines;
    let p = 0;
    while (p < O.length && p < N.length && sameLine(O[p], N[p], 0)) p++;
    const delta = lexed.physicalLines - old.lexed.physicalLines;
    let s = 0;
    while (s < O.length - p && s < N.length - p && sameLine(O[O.length - 1 - s], N[N.length - 1 - s], delta)) s++;
    if (changedDirective(old.lexed, p, O.length - s) || changedDirective(lexed, p, N.length - s)) return 'a directive changed';
    // The last known boundary at or before the edit whose reading never looked at the changed lines.
    let b = p;
    while (b > 0 && (old.outLen[b] < 0 || old.snap[b] < 0 || old.peek[b] >= p)) b--;
    if (old.outLen[b] < 0 || old.snap[b] < 0) return 'no restart point';
    return { old, lexed, from: b, tailAt: N.length - s, oldTailAt: O.length - s, delta };
  }
}

/** The same logical line, `delta` physical lines further down. */
function sameLine(a: LogicalLine, b: LogicalLine, delta: number): boolean {
  // relexFile hands back the old line objects wherever nothing moved.
  if (a === b && delta === 0) return true;
  if (a.text !== b.text || a.first + delta !== b.first || a.last + delta !== b.last || a.verbatim !== b.verbatim) return false;
  const pa = a.pieces;
  const pb = b.pieces;
  if (!pa || !pb) return !pa && !pb;
  if (pa.length !== pb.length) return false;
  for (let k = 0; k < pa.length; k++) if (pa[k].off !== pb[k].off || pa[k].line + delta !== pb[k].line) return false;
  return true;
}

function changedDirective(lexed: LexedFile, from: number, to: number): boolean {
  const lines = lexed.lines;
  for (let k = from; k < to; k++) {
    const L = lines[k];
    if (!L.hash) continue;
    const had = L.tokens;
    const d = isDirectiveLine(lexed, L);
    L.tokens = had;
    if (d) return true;
  }
  return false;
}
