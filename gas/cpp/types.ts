// The contract between the C preprocessor (gas/cpp) and the GAS stage that reads its output.
import type { Diagnostic, Origin, SourceRange } from '../source';

export interface PreprocessOptions {
  /** Directories searched for `#include "…"` (after the including file's directory) and `<…>`, in order. */
  includePaths: string[];
  /** `-D NAME[=VALUE]`: value '1' when omitted. Applied after the predefined macros. */
  defines: Record<string, string>;
  /** `-U NAME`, applied after defines. */
  undefines: string[];
  /** Use the built-in kernel headers when an include is not found on includePaths (default true). */
  builtinHeaders?: boolean;
}

/** A run of output text and where it came from. Segments cover the line's text left to right. */
export interface OriginSegment {
  /** Column range in the output line, [start, end). */
  start: number;
  end: number;
  origin: Origin;
}

export interface PreprocessedLine {
  text: string;
  segments: OriginSegment[];
}

export interface CppMacroDefinition {
  name: string;
  /** Parameter names for function-like macros (`...` as '__VA_ARGS__'), undefined for object-like. */
  params?: string[];
  /** Replacement text as written (whitespace normalised). */
  body: string;
  /** Where `#define` names it; file is a built-in header path such as `<builtin>/asm/segment.h` when built in. */
  location: SourceRange;
  builtin: boolean;
}

export interface IncludeRecord {
  /** The `#include` line in the including file. */
  site: SourceRange;
  /** As written between quotes or angle brackets. */
  spelled: string;
  /** Resolved path, or undefined when not found (a diagnostic is reported). */
  resolved?: string;
}

export interface CppMacroUse {
  name: string;
  range: SourceRange;
}

export interface PreprocessResult {
  lines: PreprocessedLine[];
  diagnostics: Diagnostic[];
  /** Every macro defined during the run (last definition wins per name), including built-in header macros. */
  macros: Map<string, CppMacroDefinition>;
  includes: IncludeRecord[];
  /** Each place a cpp macro was expanded in the source files (for hover, go to definition, references). */
  macroUses: CppMacroUse[];
}
