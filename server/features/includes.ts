// Include resolution for `.include` (gas) and listing candidates for `#include <…>` completion.
import { readdirSync, statSync } from 'node:fs';
import { builtinHeaderNames } from '../../gas/headers/index';
import type { DocAnalysis } from '../workspace';

export function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

let searchPaths: () => string[] = () => [];
export function setSearchPaths(fn: () => string[]): void {
  searchPaths = fn;
}

/** Where `.include "name"` / `#include "name"` lands: the document's directory first, then the include paths. */
export function resolveInclude(r: DocAnalysis, name: string, angle: boolean): string | undefined {
  const dirs = angle ? searchPaths() : [dirOf(r.path), ...searchPaths()];
  for (const d of dirs) {
    const p = name.startsWith('/') ? name : `${d}/${name}`.replace(/\/+/g, '/');
    try {
      if (statSync(p).isFile()) return p;
    } catch {
      /* keep looking */
    }
  }
  return undefined;
}

/** Header names under the include paths and built in, completing `partial` (e.g. `asm/seg`). */
export function headerCandidates(r: DocAnalysis, partial: string, angle: boolean): { name: string; dir: boolean; builtin: boolean }[] {
  const slash = partial.lastIndexOf('/');
  const sub = slash >= 0 ? partial.slice(0, slash + 1) : '';
  const out = new Map<string, { name: string; dir: boolean; builtin: boolean }>();
  const dirs = angle ? searchPaths() : [dirOf(r.path), ...searchPaths()];
  for (const d of dirs) {
    let entries: string[] = [];
    try {
      entries = readdirSync(`${d}/${sub}`);
    } catch {
      continue;
    }
    for (const e of entries.slice(0, 2000)) {
      let isDir = false;
      try {
        isDir = statSync(`${d}/${sub}${e}`).isDirectory();
      } catch {
        continue;
      }
      if (!isDir && !/\.(h|S|s|inc)$/.test(e)) continue;
      const name = sub + e + (isDir ? '/' : '');
      if (!out.has(name)) out.set(name, { name, dir: isDir, builtin: false });
    }
  }
  for (const h of builtinHeaderNames()) {
    if (!h.startsWith(sub)) continue;
    const rest = h.slice(sub.length);
    const i = rest.indexOf('/');
    const name = i >= 0 ? sub + rest.slice(0, i + 1) : h;
    if (!out.has(name)) out.set(name, { name, dir: i >= 0, builtin: true });
  }
  return [...out.values()];
}
