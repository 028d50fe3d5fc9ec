// One document's analyses over time (the language server keeps one per open document): the first reads the whole
// file with a journal (read-journal.ts); after an edit the read resumes from the last checkpoint before the first
// changed line and keeps the earlier read's remainder once the state agrees again. Layout always runs whole.
import type { FileSystem } from './fs';
import type { PreprocessedLine, PreprocessResult } from './cpp/types';
import type { Assembler } from './assembler';
import { ReadJournal } from './read-journal';
import { analyzeWith, finishAnalysis, newAssembler, type Analysis, type AnalyzeOptions } from './index';

export interface SessionStats {
  /** `full`: read from the start; `resumed`: read from a checkpoint. */
  mode: 'full' | 'resumed';
  /** Why the read started from the beginning. */
  reason?: string;
  /** Main-file lines (0-based, of the preprocessed output) read again, and whether the earlier remainder was kept. */
  fromLine?: number;
  toLine?: number;
  converged?: boolean;
  /** When it did not converge: the last check that differed. */
  diverged?: string;
}

interface LastRead {
  asm: Assembler;
  fs: FileSystem;
  path: string;
  key: string;
  lines: PreprocessedLine[];
}

export class AnalysisSession {
  private last: LastRead | undefined;
  stats: SessionStats | undefined;

  /** `checkpointEvery`: main-file lines per chunk (smaller: less to re-read, more checkpoints to keep). */
  constructor(private readonly checkpointEvery = 256) {}

  /**
   * Analyses `path` from its preprocessed text (files the preprocessor included are in it: only what the GAS stage
   * read itself, `.include` and `.incbin`, must be unchanged for the last read to be resumed).
   */
  analyze(fs: FileSystem, path: string, options: AnalyzeOptions, pre: PreprocessResult): Analysis {
    const key = optionsKey(options);
    const last = this.last;
    let why: string | undefined;
    if (!last) why = 'first analysis';
    else if (last.fs !== fs || last.path !== path || last.key !== key) why = 'other file or options';
    else if (!sameFiles(fs, last.asm.fileReads)) why = 'a file .include or .incbin read changed';
    else if (last.asm.stopped) why = 'the last read hit a limit';
    if (last && why === undefined) {
      try {
        const analysis = this.resume(last, path, pre);
        if (analysis) return analysis;
        why = 'no checkpoint to resume from';
      } catch (e) {
        // The journal must never make an analysis wrong: read everything again.
        why = `resume failed: ${e instanceof Error ? e.message : String(e)}`;
      }
    }
    const asm = newAssembler(fs, options);
    asm.journal = new ReadJournal(this.checkpointEvery);
    const analysis = analyzeWith(asm, fs, path, { ...options, preprocessor: () => pre });
    this.last = analysis.diagnostics.some((d) => d.code === 'internal') ? undefined : { asm, fs, path, key, lines: pre.lines };
    this.stats = { mode: 'full', reason: why };
    return analysis;
  }

  /** Forgets the last read (the next analysis reads everything). */
  reset(): void {
    this.last = undefined;
  }

  private resume(last: LastRead, path: string, pre: PreprocessResult): Analysis | undefined {
    const asm = last.asm;
    const journal = asm.journal!;
    undoLayout(asm);
    this.last = undefined;
    if (!journal.resume(asm, path, last.lines, pre.lines)) return undefined;
    if (asm.read()) {
      journal.finish(asm);
      asm.finishRead();
    }
    asm.diagnostics.length = asm.readDiagnostics;
    const analysis = finishAnalysis(asm, path, [...pre.diagnostics], pre);
    if (!analysis.diagnostics.some((d) => d.code === 'internal')) this.last = { ...last, lines: pre.lines };
    const s = journal.stats!;
    this.stats = { mode: 'resumed', fromLine: s.fromLine, toLine: s.toLine, converged: s.converged, diverged: s.diverged };
    return analysis;
  }
}

/** Clears what layout added to the read (a resumed read is laid out again from scratch). */
function undoLayout(asm: Assembler): void {
  for (const s of asm.typesCopied) s.type = undefined;
  asm.typesCopied.length = 0;
  for (const s of asm.symbols.values()) {
    s.section = undefined;
    s.value = undefined;
    s.size = undefined;
  }
  for (const st of asm.statements) {
    st.offset = undefined;
    st.size = undefined;
  }
  asm.diagnostics.length = asm.readDiagnostics;
}

function optionsKey(o: AnalyzeOptions): string {
  return JSON.stringify([o.includePaths, o.defines, o.undefines, o.preprocess, o.builtinHeaders, o.backend === null, o.initialMode, o.maxExpandedLines, o.maxOutputBytes]);
}

function sameFiles(fs: FileSystem, reads: Map<string, string | Uint8Array | undefined>): boolean {
  for (const [p, was] of reads) {
    if (was === undefined || typeof was === 'string') {
      if (fs.readText(p) !== was) return false;
      continue;
    }
    const now = fs.readBytes(p);
    if (!now || now.length !== was.length) return false;
    for (let i = 0; i < now.length; i++) if (now[i] !== was[i]) return false;
  }
  return true;
}
