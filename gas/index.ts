// Public API of the GNU-as-compatible front end: `analyze` for the language server (statements, symbols,
// macros, modes, diagnostics) and `assemble` for the CLI and the debugger (flat image, symbols, source map).
import type { FileSystem } from './fs';
import type { Diagnostic } from './source';
import type { CodeMode } from '../isa/mode';
import type { PreprocessOptions, PreprocessResult } from './cpp/types';
import type { InstructionBackend } from './backend';
import type { FrontEndResult, SectionInfo } from './model';
import { Assembler } from './assembler';
import { layout, type LaidOutSection } from './layout';
import { link, type LinkOptions, type LinkResult } from './linker';
import { rawLines } from './lines';
import { SourceMap } from './source-map';
import { defaultPreprocessor, defaultBackend } from './defaults';

export type { FileSystem } from './fs';
export { MemoryFileSystem } from './fs';
export type { InstructionBackend } from './backend';
export { createIsaBackend } from './isa-backend';
export type { LinkOptions, LinkResult, LinkedSymbol, PlacedSection } from './linker';
export type { SourceMapEntry } from './source-map';
export { SourceMap } from './source-map';
export type * from './model';

export type Preprocessor = (fs: FileSystem, path: string, options: PreprocessOptions) => PreprocessResult;

export interface AnalyzeOptions {
  /** `-I`: directories for #include and .include. */
  includePaths?: string[];
  /** `-D NAME[=VALUE]` (value '1' when empty). */
  defines?: Record<string, string>;
  undefines?: string[];
  /** Run the C preprocessor first: default for `.S` (and `.sx`), not for `.s`. */
  preprocess?: boolean;
  /** Use the built-in kernel headers when an include is not found (default true). */
  builtinHeaders?: boolean;
  /** Instruction parser + encoder; defaults to isa/ when present. `null` analyses without encoding. */
  backend?: InstructionBackend | null;
  /** Replaces the C preprocessor (tests). */
  preprocessor?: Preprocessor;
  initialMode?: CodeMode;
  maxExpandedLines?: number;
  maxOutputBytes?: number;
}

export interface Analysis extends FrontEndResult {
  /** Sections laid out (bytes with fixups that need no section addresses applied). */
  laidOut: LaidOutSection[];
  /** The preprocessor's result (cpp macros, includes) when it ran. */
  preprocessed?: PreprocessResult;
  /** The assembler state, for the linker. */
  assembler: Assembler;
}

export interface AssembleOptions extends AnalyzeOptions, LinkOptions {}

export interface AssembleResult {
  /** Flat image (empty when there were errors). */
  image: Uint8Array;
  base: number;
  link: LinkResult;
  analysis: Analysis;
  diagnostics: Diagnostic[];
  ok: boolean;
}

function wantsCpp(path: string, options: AnalyzeOptions): boolean {
  if (options.preprocess !== undefined) return options.preprocess;
  return /\.(S|sx)$/.test(path);
}

/** Reads, preprocesses and assembles one file (no linking). Never throws. */
export function analyze(fs: FileSystem, path: string, options: AnalyzeOptions = {}): Analysis {
  return readAll(newAssembler(fs, options), fs, path, options);
}

/** The assembler `analyze` reads with. */
export function newAssembler(fs: FileSystem, options: AnalyzeOptions): Assembler {
  const backend = options.backend === null ? undefined : (options.backend ?? defaultBackend());
  return new Assembler(fs, {
    backend,
    includePaths: options.includePaths,
    initialMode: options.initialMode,
    maxExpandedLines: options.maxExpandedLines,
    maxOutputBytes: options.maxOutputBytes,
  });
}

/** Preprocesses, reads and lays out with a fresh assembler. */
function readAll(asm: Assembler, fs: FileSystem, path: string, options: AnalyzeOptions): Analysis {
  let preprocessed: PreprocessResult | undefined;
  const diagnostics: Diagnostic[] = [];
  try {
    let lines: import("./cpp/types").PreprocessedLine[];
    if (wantsCpp(path, options)) {
      const pp = options.preprocessor ?? defaultPreprocessor();
      preprocessed = pp(fs, path, {
        includePaths: options.includePaths ?? [],
        defines: options.defines ?? {},
        undefines: options.undefines ?? [],
        builtinHeaders: options.builtinHeaders,
      });
      diagnostics.push(...preprocessed.diagnostics);
      lines = preprocessed.lines;
    } else {
      const text = fs.readText(path);
      if (text === undefined) {
        diagnostics.push({
          severity: 'error',
          message: `can't open ${path} for reading: No such file or directory`,
          origin: { range: { file: path, line: 0, column: 0, endLine: 0, endColumn: 0 }, expansion: [] },
          code: 'file-not-found',
        });
        lines = [];
      } else lines = rawLines(path, text);
    }
    asm.run(path, lines);
  } catch (e) {
    diagnostics.push(internalError(path, e));
  }
  return finishAnalysis(asm, path, diagnostics, preprocessed);
}

/** Lays out what `asm` read and builds the analysis (`diagnostics`: the preprocessor's and any internal error). */
export function finishAnalysis(asm: Assembler, path: string, diagnostics: Diagnostic[], preprocessed: PreprocessResult | undefined): Analysis {
  let laidOut: LaidOutSection[] = [];
  try {
    laidOut = layout(asm);
  } catch (e) {
    diagnostics.push(internalError(path, e));
  }
  diagnostics.push(...asm.diagnostics);
  const sections: SectionInfo[] = laidOut.map((s) => ({
    name: s.name,
    flags: s.flags,
    type: s.type,
    alignment: s.alignment,
    size: s.bytes.length,
    bytes: s.bytes,
  }));
  return {
    statements: asm.statements,
    symbols: asm.symbols,
    macros: asm.macros,
    modeChanges: asm.modeChanges,
    skipped: asm.skipped,
    sections,
    diagnostics,
    laidOut,
    preprocessed,
    assembler: asm,
  };
}

/** Analyses and links into a flat image. Never throws. */
export function assemble(fs: FileSystem, path: string, options: AssembleOptions = {}): AssembleResult {
  const analysis = analyze(fs, path, options);
  let result: LinkResult;
  try {
    result = link(analysis.assembler, analysis.laidOut, options);
  } catch (e) {
    result = { image: new Uint8Array(0), base: 0, sections: [], symbols: new Map(), sourceMap: new SourceMap([]), diagnostics: [internalError(path, e)] };
  }
  const diagnostics = [...analysis.diagnostics, ...result.diagnostics];
  const ok = !diagnostics.some((d) => d.severity === 'error');
  return { image: ok ? result.image : new Uint8Array(0), base: result.base, link: result, analysis, diagnostics, ok };
}


/** The code mode in force on a 0-based source line (the last statement on or before it; 64 before any). */
export function modeAt(analysis: FrontEndResult, file: string, line: number): CodeMode {
  let best: CodeMode | undefined;
  let bestLine = -1;
  for (const s of analysis.statements) {
    const r = s.origin.range;
    if (r.file !== file || s.origin.expansion.some((e) => e.kind === 'macro' || e.kind === 'rept' || e.kind === 'irp')) continue;
    if (r.line <= line && r.line >= bestLine) {
      best = s.mode;
      bestLine = r.line;
    }
  }
  return best ?? 64;
}

/** The diagnostic for a bug of ours (an exception): the analysis goes on with what it has. */
export function internalError(path: string, e: unknown): Diagnostic {
  return {
    severity: 'error',
    message: `internal error: ${e instanceof Error ? e.message : String(e)}`,
    origin: { range: { file: path, line: 0, column: 0, endLine: 0, endColumn: 0 }, expansion: [] },
    code: 'internal',
  };
}

export { AnalysisSession, AnalysisRun, type SessionStats } from './analysis-session';
export { symbolAt, macroAt, statementsOnLine, statementsBySection, symbolOccurrences, type SymbolHit } from './queries';
