// The C preprocessor of the GAS front end: what `gcc -E -x assembler-with-cpp` does to a .S file, plus a source
// map.
//
//   const r = preprocess(fs, '/src/trampoline.S', { includePaths: ['/linux/arch/x86/include'], defines: {}, undefines: [] });
//
// Output lines: each source line of the file gives one output line (a directive or a skipped line gives an
// empty one); an `#include` line gives the included file's non-empty lines, or one empty line; a macro call
// whose arguments run over several lines is printed on its first line, followed by empty lines. So for a file
// whose headers only define things, output line N is source line N.
//
// Segments: each output line carries OriginSegments, left to right. A segment whose origin range is on one
// line and as long as the segment is a character-for-character copy of the source (columns map one to one).
// Text from a macro maps to the whole call in the text (its origin has 'cpp-macro' steps, innermost first,
// whose sites are where each macro was named; the definitions are in `macros`); macro arguments keep their own
// positions. Text from an included file maps into that file, with 'include' steps at the #include lines.
// Built-in kernel headers appear as `<builtin>/asm/segment.h` (builtinHeaderText gives their text).
//
// Never throws: every problem is a Diagnostic with a range (gcc's wording where gcc has one).
import type { FileSystem } from '../fs';
import { Preprocessor } from './preprocessor';
import type { PreprocessOptions, PreprocessResult } from './types';

export type {
  CppMacroDefinition,
  CppMacroUse,
  IncludeRecord,
  OriginSegment,
  PreprocessedLine,
  PreprocessOptions,
  PreprocessResult,
} from './types';
export { MAX_INCLUDE_DEPTH } from './preprocessor';
export { IncrementalPreprocessor, type IncrementalStats } from './incremental';
export { builtinHeaders, builtinHeaderNames, builtinHeaderPath, builtinHeaderText, BUILTIN_HEADER_ROOT } from '../headers/index';

/** Preprocesses `path` (read through `fs`). Never throws: problems are returned as diagnostics. */
export function preprocess(fs: FileSystem, path: string, options: PreprocessOptions): PreprocessResult {
  return new Preprocessor(fs, options).run(path);
}

/** The preprocessed text, lines joined with '\n' (what `gcc -E -P` prints, up to spacing and blank lines). */
export function preprocessedText(result: PreprocessResult): string {
  return result.lines.map((l) => l.text).join('\n');
}
