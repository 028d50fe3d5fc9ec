// Where an #include finds its file, as gcc searches: the includer's own directory for "…" (not for <…>), then
// the include paths in order, and only then the built-in kernel headers. #include_next resumes the search after
// the directory the current file came from.
import type { FileSystem } from '../fs';
import { builtinHeaderPath, builtinHeaderText, BUILTIN_HEADER_ROOT } from '../headers/index';
import { dirname, joinPath, normalizePath } from './paths';

/** Where the including file itself was found. */
export interface Includer {
  path: string;
  /** Index in the include paths (-1: the main file, or found relative to its includer). */
  dirIndex: number;
  builtin: boolean;
}

export interface FoundHeader {
  path: string;
  text: string;
  dirIndex: number;
  builtin: boolean;
}

export class IncludeSearch {
  readonly paths: string[];

  constructor(
    private readonly fs: FileSystem,
    includePaths: string[],
    private readonly builtins: boolean,
  ) {
    this.paths = includePaths.map((p) => normalizePath(p) || '.');
  }

  /** File text, or undefined when missing (a host file system that throws counts as missing). */
  read(path: string): string | undefined {
    if (path.startsWith(BUILTIN_HEADER_ROOT + '/')) return builtinHeaderText(path);
    try {
      return this.fs.readText(path);
    } catch {
      return undefined;
    }
  }

  /** Results of `#include <…>` and `#include "…"` searches in this run (files do not change during a run). */
  private readonly found = new Map<string, FoundHeader | undefined>();

  find(spelled: string, angled: boolean, from: Includer, next: boolean): FoundHeader | undefined {
    if (next) return this.search(spelled, angled, from, true);
    // The same header is included again and again (every copy of a file's prologue): search once.
    const key = angled ? '<' + spelled : dirname(from.path) + '\0' + (from.builtin ? 'b' : '') + spelled;
    if (this.found.has(key)) return this.found.get(key);
    const r = this.search(spelled, angled, from, false);
    this.found.set(key, r);
    return r;
  }

  private search(spelled: string, angled: boolean, from: Includer, next: boolean): FoundHeader | undefined {
    if (spelled.startsWith('/')) {
      const p = normalizePath(spelled);
      const text = this.read(p);
      return text === undefined ? undefined : { path: p, text, dirIndex: -1, builtin: false };
    }
    let start = 0;
    if (next) start = from.builtin ? this.paths.length : from.dirIndex + 1;
    else if (!angled) {
      const p = joinPath(dirname(from.path), spelled);
      const text = this.read(p);
      // As in gcc, a file found beside its includer continues #include_next from the first include path.
      if (text !== undefined) return { path: p, text, dirIndex: -1, builtin: from.builtin };
    }
    for (let i = start; i < this.paths.length; i++) {
      const p = joinPath(this.paths[i], spelled);
      const text = this.read(p);
      if (text !== undefined) return { path: p, text, dirIndex: i, builtin: false };
    }
    if (this.builtins && !(next && from.builtin)) {
      const key = normalizePath(spelled);
      const text = builtinHeaderText(key);
      if (text !== undefined) return { path: builtinHeaderPath(key), text, dirIndex: this.paths.length, builtin: true };
    }
    return undefined;
  }
}
