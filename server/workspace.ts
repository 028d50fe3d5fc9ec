// Keeps one analysis per open document: debounced after edits, superseded (never published) when the text moved
// on, re-run when a file it includes changes, and run at once when a request needs a fresh one.
import { analyze, AnalysisRun, AnalysisSession, type Analysis, type SessionStats } from '../gas/index';
import { IncrementalPreprocessor, type IncrementalStats } from '../gas/cpp/index';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { AnalysisIndex } from './analysis-index';
import { OverlayFileSystem } from './overlay-fs';
import { defaultSettings, linuxIncludePaths, resolveIncludePaths, type Settings } from './config';
import { uriToPath } from './uri';

export interface DocAnalysis {
  uri: string;
  path: string;
  version: number;
  text: string;
  /** The text's lines (split on first use). */
  readonly lines: string[];
  analysis: Analysis;
  /** Lookup tables for requests: built on first use (publishing diagnostics does not need them). */
  readonly index: AnalysisIndex;
  /** Files read while analysing (the document's dependencies). */
  reads: Set<string>;
  millis: number;
  /** What the next analysis is expected to cost: the last one that ran the assembler (scheduling uses this). */
  costMillis: number;
  /** CPU time of the analysis (the wall time above includes whatever else the machine was doing). */
  cpuMillis?: number;
  /** How the preprocessor run went: resumed from the last one, or full (and why). */
  cpp?: IncrementalStats;
  /** How the GAS stage went: read from the start, or resumed from a checkpoint (and whether it converged). */
  gas?: SessionStats;
  /** True when this result was reused for identical text and unchanged dependencies (undo, redo, revert). */
  cached?: boolean;
}

interface RecentResult {
  result: DocAnalysis;
  /** Content of every dependency when it was analysed (undefined: did not exist). */
  deps: Map<string, string | undefined>;
}

/** An analysis started in the background: read in slices, so requests for other documents are answered between them. */
interface PendingRun {
  uri: string;
  path: string;
  version: number;
  text: string;
  run: AnalysisRun;
  reads: Set<string>;
  t0: number;
  cpuMillis: number;
}

/** Longest stretch a background analysis reads before letting other requests in. */
const SLICE_MS = 8;

const RECENT_PER_DOCUMENT = 4;
/** An analysis costs roughly 75 bytes of heap per source character (52 MB for a 700 KB file): cap the cache. */
const RECENT_TEXT_BUDGET = 1_500_000;

export interface WorkspaceHost {
  getDocument(uri: string): TextDocument | undefined;
  allDocuments(): TextDocument[];
  log(message: string): void;
  /** Called after each completed analysis (diagnostics are published from here). */
  analysed(result: DocAnalysis): void;
}

export class Workspace {
  readonly fs = new OverlayFileSystem();
  settings: Settings = defaultSettings;
  roots: string[] = [];
  includePaths: string[] = [];
  /** A workspace root is a Linux source tree (kernel build conventions apply). */
  linuxTree = false;
  debounceMs = 150;
  /** Analyses faster than this are simply re-run for typing-time requests instead of answering from the last one. */
  staleThresholdMs = 50;
  private readonly results = new Map<string, DocAnalysis>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Documents whose last analysis no longer matches their text or their includes. */
  private readonly dirty = new Set<string>();
  /** The last few analyses of each document, reused when the text and its dependencies come back unchanged. */
  private readonly recent = new Map<string, RecentResult[]>();
  /** Per document: the preprocessor run of its last analysis, continued after each edit instead of redone. */
  private readonly cpp = new Map<string, IncrementalPreprocessor>();
  /** Per document: the analysis built on its session's last preprocessed result, with what it read. */
  private readonly cppBase = new Map<string, RecentResult>();
  /** Per document: its GAS-stage session, which resumes the last read after an edit instead of reading it all. */
  private readonly gas = new Map<string, AnalysisSession>();
  /** Per document: its analysis being read in the background, if any. */
  private readonly running = new Map<string, PendingRun>();

  constructor(private readonly host: WorkspaceHost) {}

  configure(settings: Settings, roots: string[]): void {
    this.settings = settings;
    this.roots = roots;
    this.includePaths = resolveIncludePaths(settings, roots);
    this.linuxTree = roots.some((r) => linuxIncludePaths(r).length > 0);
    this.results.clear();
    this.recent.clear();
    this.cpp.clear();
    this.cppBase.clear();
    this.gas.clear();
    this.running.clear();
    for (const d of this.host.allDocuments()) this.schedule(d.uri, 0);
  }

  opened(doc: TextDocument): void {
    this.fs.setBuffer(uriToPath(doc.uri), doc.getText());
    this.schedule(doc.uri, 0);
  }

  changed(doc: TextDocument): void {
    const path = uriToPath(doc.uri);
    this.fs.setBuffer(path, doc.getText());
    this.schedule(doc.uri, this.typingDelay(doc.uri));
    // Documents that include this file see the unsaved text too.
    for (const r of this.results.values()) if (r.uri !== doc.uri && r.reads.has(path)) this.schedule(r.uri, this.debounceMs);
  }

  closed(uri: string): void {
    const path = uriToPath(uri);
    this.fs.deleteBuffer(path);
    clearTimeout(this.timers.get(uri));
    this.timers.delete(uri);
    this.results.delete(uri);
    this.recent.delete(uri);
    this.cpp.delete(uri);
    this.cppBase.delete(uri);
    this.gas.delete(uri);
    this.running.delete(uri);
    this.dirty.delete(uri);
    for (const r of this.results.values()) if (r.reads.has(path)) this.schedule(r.uri, this.debounceMs);
  }

  /** A file changed on disk (watched-files notification). */
  diskChanged(path: string): void {
    for (const r of this.results.values()) if (r.reads.has(path)) this.schedule(r.uri, this.debounceMs);
  }

  schedule(uri: string, delay: number): void {
    this.dirty.add(uri);
    clearTimeout(this.timers.get(uri));
    this.timers.set(
      uri,
      setTimeout(() => {
        this.timers.delete(uri);
        // A request may already have analysed this text (and published it): only run when still due.
        if (this.dirty.has(uri)) this.background(uri);
      }, delay),
    );
  }

  /**
   * Starts analysing a document in slices (between them other requests are answered). A run already going for it
   * finishes first; it reschedules the document if it was edited meanwhile.
   */
  private background(uri: string): void {
    if (this.running.has(uri)) return;
    const doc = this.host.getDocument(uri);
    if (!doc) return;
    const started = this.begin(doc);
    if (!('run' in started)) return;
    const pump = (): void => {
      if (this.running.get(uri) !== started) return; // a request finished it
      const t = performance.now();
      if (!this.stepRun(started, () => performance.now() - t > SLICE_MS)) setImmediate(pump);
    };
    pump();
  }

  /** Finishes the document's background analysis now (its results are about to be read). */
  private settle(uri: string): void {
    const p = this.running.get(uri);
    if (p) this.stepRun(p);
  }

  /** The analysis of the document's current text, computed now if the last one is stale. */
  fresh(uri: string): DocAnalysis | undefined {
    this.settle(uri);
    const doc = this.host.getDocument(uri);
    if (!doc) return this.results.get(uri);
    const have = this.results.get(uri);
    if (have && have.version === doc.version && !this.dirty.has(uri)) return have;
    return this.run(doc);
  }

  /**
   * Debounce after an edit: the configured delay, stretched for files whose analysis is slow so that a large file
   * is re-analysed when the typist pauses rather than between two keystrokes.
   */
  typingDelay(uri: string): number {
    if (this.debounceMs === 0) return 0;
    const last = this.results.get(uri)?.costMillis ?? 0;
    return Math.max(this.debounceMs, Math.min(1000, last / 2));
  }

  /**
   * For requests made while typing (completion, signature help): the last analysis over the current text when a
   * newer one is still pending, instead of running a slow analysis between keystrokes.
   */
  forTyping(uri: string): DocAnalysis | undefined {
    this.settle(uri);
    const doc = this.host.getDocument(uri);
    const have = this.results.get(uri);
    if (!doc || !have || have.version === doc.version || have.costMillis < this.staleThresholdMs) return this.fresh(uri);
    const text = doc.getText();
    return { ...have, text, lines: text.split(/\r?\n/) };
  }

  /** Whatever analysis exists (possibly of older text), without waiting. */
  last(uri: string): DocAnalysis | undefined {
    // A run in progress changes the assembler the last analysis shares: it finishes before anything reads it.
    this.settle(uri);
    return this.results.get(uri);
  }

  /** Whether `r` is still the document's latest analysis (without finishing a run in progress). */
  isLatest(r: DocAnalysis): boolean {
    return this.results.get(r.uri) === r && !this.running.has(r.uri);
  }

  all(): DocAnalysis[] {
    for (const uri of [...this.running.keys()]) this.settle(uri);
    return [...this.results.values()];
  }

  options(path = ''): Parameters<typeof analyze>[2] {
    // Everything but `.s` goes through cpp, like gcc does for .S; untitled buffers are usually kernel-style .S.
    // Kernel builds pass -D__KERNEL__ to every .S (as they pass -D__ASSEMBLY__, which the preprocessor predefines).
    const defines = this.linuxTree ? { __KERNEL__: '1', ...this.settings.defines } : this.settings.defines;
    return { includePaths: this.includePaths, defines, builtinHeaders: true, preprocess: !/\.s$/.test(path) };
  }

  /**
   * Preprocesses through the document's incremental session, then assembles; when the preprocessed result is
   * the same as the one the session gave last time (an edit in a comment or a skipped #if group) and nothing
   * the assembler read changed, the analysis built on it is the answer and the assembler does not run.
   */
  private analyse(uri: string, path: string): Analysis | AnalysisRun {
    const options = this.options(path);
    if (options?.preprocess === false) return analyze(this.fs, path, options);
    let session = this.cpp.get(uri);
    if (!session) this.cpp.set(uri, (session = new IncrementalPreprocessor()));
    const pre = session.preprocess(this.fs, path, {
      includePaths: options?.includePaths ?? [],
      defines: options?.defines ?? {},
      undefines: options?.undefines ?? [],
      builtinHeaders: options?.builtinHeaders,
    });
    const base = this.cppBase.get(uri);
    const depsUnchanged = !!base && this.depsUnchanged(base);
    if (session.stats?.sameOutput && base && depsUnchanged) {
      for (const p of base.result.reads) this.fs.readText(p);
      return base.result.analysis;
    }
    let gas = this.gas.get(uri);
    if (!gas) this.gas.set(uri, (gas = new AnalysisSession()));
    const run = gas.start(this.fs, path, options ?? {}, pre);
    // A resumed read re-reads only part of the file: what the rest read (its includes) still counts as read.
    if (run.resumed && base) for (const p of base.result.reads) this.fs.readText(p);
    return run;
  }

  private depsUnchanged(e: RecentResult): boolean {
    for (const [p, content] of e.deps) if (this.fs.readText(p) !== content) return false;
    return true;
  }

  /** Analyses the document now. */
  run(doc: TextDocument): DocAnalysis {
    this.settle(doc.uri);
    const started = this.begin(doc);
    return 'run' in started ? this.stepRun(started)! : started;
  }

  /** Reads a background analysis on (to the end without `shouldPause`); the result once complete. */
  private stepRun(p: PendingRun, shouldPause?: () => boolean): DocAnalysis | undefined {
    const c0 = process.cpuUsage();
    const { result: analysis, reads } = this.fs.recording(() => p.run.step(shouldPause));
    const cpu = process.cpuUsage(c0);
    p.cpuMillis += (cpu.user + cpu.system) / 1000;
    for (const r of reads) p.reads.add(r);
    if (!analysis) return undefined;
    this.running.delete(p.uri);
    return this.complete(p, analysis);
  }

  /** Preprocesses and starts the GAS stage; an analysis when it needed no reading (reused, kept, or a `.s`). */
  private begin(doc: TextDocument): DocAnalysis | PendingRun {
    const uri = doc.uri;
    clearTimeout(this.timers.get(uri));
    this.timers.delete(uri);
    this.dirty.delete(uri);
    const path = uriToPath(uri);
    const text = doc.getText();
    this.fs.setBuffer(path, text);
    const reuse = this.reusable(uri, path, text);
    if (reuse) {
      const r: DocAnalysis = { ...reuse, version: doc.version, cached: true };
      this.results.set(uri, r);
      this.host.analysed(r);
      return r;
    }
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const { result, reads } = this.fs.recording(() => this.analyse(uri, path));
    const cpu = process.cpuUsage(c0);
    const started: PendingRun = { uri, path, version: doc.version, text, run: undefined as unknown as AnalysisRun, reads, t0, cpuMillis: (cpu.user + cpu.system) / 1000 };
    if (!(result instanceof AnalysisRun)) return this.complete(started, result);
    started.run = result;
    this.running.set(uri, started);
    return started;
  }

  /** Records a finished analysis as the document's, remembers it and publishes it. */
  private complete(p: PendingRun, analysis: Analysis): DocAnalysis {
    const { uri, path, text } = p;
    const millis = performance.now() - p.t0;
    const kept = this.cppBase.get(uri)?.result;
    const r: DocAnalysis = {
      uri,
      path,
      version: p.version,
      text,
      lines: undefined as unknown as string[],
      analysis,
      index: undefined as unknown as AnalysisIndex,
      reads: p.reads,
      millis,
      costMillis: kept?.analysis === analysis ? kept.costMillis : millis,
      cpuMillis: p.cpuMillis,
      cpp: this.cpp.get(uri)?.stats,
      gas: kept?.analysis === analysis ? kept.gas : this.gas.get(uri)?.stats,
    };
    const keptIndex = kept?.analysis === analysis ? kept : undefined;
    let index: AnalysisIndex | undefined;
    let lines: string[] | undefined;
    Object.defineProperty(r, 'index', { enumerable: true, get: () => (index ??= keptIndex ? keptIndex.index : new AnalysisIndex(analysis)) });
    Object.defineProperty(r, 'lines', { enumerable: true, get: () => (lines ??= text.split(/\r?\n/)) });
    this.results.set(uri, r);
    const entry = this.remember(uri, path, r);
    const base = this.cppBase.get(uri);
    // A new analysis on a new preprocessed result becomes the base; a kept one leaves it as it was.
    if (!base || base.result.analysis !== analysis) this.cppBase.set(uri, entry);
    // Every analysis of an open document is published, whether a timer or a request asked for it.
    this.host.analysed(r);
    // Edited while it was being read: the newer text is due.
    if (this.dirty.has(uri) && !this.timers.has(uri)) this.schedule(uri, this.typingDelay(uri));
    return r;
  }

  private remember(uri: string, path: string, r: DocAnalysis): RecentResult {
    const deps = new Map<string, string | undefined>();
    for (const p of r.reads) if (p !== path) deps.set(p, this.fs.readText(p));
    // Analyses made by the same GAS session share its (resumed, hence changed) assembler: only the newest holds.
    const list = (this.recent.get(uri) ?? []).filter((e) => e.result.analysis === r.analysis || e.result.analysis.assembler !== r.analysis.assembler);
    const entry = { result: r, deps };
    list.unshift(entry);
    let chars = 0;
    const keep = list.findIndex((e, i) => (chars += e.result.text.length) > RECENT_TEXT_BUDGET && i > 0);
    if (keep > 0) list.length = keep;
    if (list.length > RECENT_PER_DOCUMENT) list.length = RECENT_PER_DOCUMENT;
    this.recent.set(uri, list);
    return entry;
  }

  private reusable(uri: string, path: string, text: string): DocAnalysis | undefined {
    for (const e of this.recent.get(uri) ?? []) {
      if (e.result.text !== text) continue;
      let same = true;
      for (const [p, content] of e.deps) if (p !== path && this.fs.readText(p) !== content) { same = false; break; }
      if (same) return e.result;
    }
    return undefined;
  }
}
