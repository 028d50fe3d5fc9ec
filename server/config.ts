// Settings (`x86Trampoline.*`) and the include paths they imply, plus Linux-tree detection for workspace roots.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export interface Settings {
  includePaths: string[];
  defines: Record<string, string>;
  externalSymbols: string[];
}

export const defaultSettings: Settings = { includePaths: [], defines: {}, externalSymbols: [] };

/** Accepts whatever the client sends and keeps only well-formed values. */
export function normalizeSettings(raw: unknown): Settings {
  const r = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  const defines: Record<string, string> = {};
  if (r.defines && typeof r.defines === 'object')
    for (const [k, v] of Object.entries(r.defines as Record<string, unknown>))
      defines[k] = v === null || v === undefined || v === '' ? '1' : String(v);
  return { includePaths: strings(r.includePaths), defines, externalSymbols: strings(r.externalSymbols) };
}

/** The kernel's own -I order for arch/x86 when `root` looks like a Linux source tree. */
export function linuxIncludePaths(root: string): string[] {
  if (!existsSync(join(root, 'arch/x86/include')) || !existsSync(join(root, 'include/linux'))) return [];
  return ['arch/x86/include', 'arch/x86/include/generated', 'include', 'arch/x86/include/uapi', 'include/uapi']
    .map((p) => join(root, p).replace(/\\/g, '/'));
}

/** Settings paths may be relative to the workspace root. */
export function resolveIncludePaths(settings: Settings, roots: string[]): string[] {
  const out: string[] = [];
  for (const raw of settings.includePaths) {
    // VS Code does not expand variables in extension settings; `${workspaceFolder}` is the usual spelling.
    for (const r of roots.length ? roots : [process.cwd()]) {
      const p = raw.replace(/\$\{workspaceFolder\}|\$\{workspaceRoot\}/g, r);
      out.push(p.startsWith('/') ? p : join(r, p).replace(/\\/g, '/'));
    }
  }
  for (const r of roots) out.push(...linuxIncludePaths(r));
  return [...new Set(out)];
}
