// What analyze/assemble use when the host does not inject its own preprocessor or instruction backend.
import type { FileSystem } from './fs';
import type { PreprocessOptions, PreprocessResult } from './cpp/types';
import type { InstructionBackend } from './backend';
import { rawLines } from './lines';
import { isaBackend } from './isa-backend';

/** Stand-in until gas/cpp lands: the file's lines as they are, one origin segment per line. */
function rawPreprocess(fs: FileSystem, path: string, _options: PreprocessOptions): PreprocessResult {
  const text = fs.readText(path);
  const diagnostics: PreprocessResult['diagnostics'] = [];
  if (text === undefined)
    diagnostics.push({
      severity: 'error',
      message: `${path}: No such file or directory`,
      origin: { range: { file: path, line: 0, column: 0, endLine: 0, endColumn: 0 }, expansion: [] },
      code: 'file-not-found',
    });
  return { lines: text === undefined ? [] : rawLines(path, text), diagnostics, macros: new Map(), includes: [], macroUses: [] };
}

export function defaultPreprocessor(): (fs: FileSystem, path: string, options: PreprocessOptions) => PreprocessResult {
  return rawPreprocess;
}

export function defaultBackend(): InstructionBackend {
  return isaBackend;
}
