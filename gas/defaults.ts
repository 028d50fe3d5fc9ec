// What analyze/assemble use when the host does not inject its own preprocessor or instruction backend.
import type { FileSystem } from './fs';
import type { PreprocessOptions, PreprocessResult } from './cpp/types';
import type { InstructionBackend } from './backend';
import { preprocess } from './cpp/index';
import { isaBackend } from './isa-backend';

export function defaultPreprocessor(): (fs: FileSystem, path: string, options: PreprocessOptions) => PreprocessResult {
  return preprocess;
}

export function defaultBackend(): InstructionBackend {
  return isaBackend;
}
