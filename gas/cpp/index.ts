// The C preprocessor of the GAS front end: `gcc -E -x assembler-with-cpp` semantics with a source map.
//
//   preprocess(fs, '/src/trampoline.S', { includePaths: [], defines: {}, undefines: [] })
//
// returns the preprocessed lines (each with origin segments back to file/line/column, through macro expansions
// and includes), diagnostics, the macro table, the include records and every macro use.
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
export { builtinHeaders, builtinHeaderNames, builtinHeaderPath, builtinHeaderText, BUILTIN_HEADER_ROOT } from '../headers/index';

/** Preprocesses `path` (read through `fs`). Never throws: problems are returned as diagnostics. */
export function preprocess(fs: FileSystem, path: string, options: PreprocessOptions): PreprocessResult {
  return new Preprocessor(fs, options).run(path);
}

/** The preprocessed text, lines joined with '\n' (what `gcc -E -P` would print, modulo spacing). */
export function preprocessedText(result: PreprocessResult): string {
  return result.lines.map((l) => l.text).join('\n');
}
