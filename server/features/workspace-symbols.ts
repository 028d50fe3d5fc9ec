// Workspace symbols: the outline of every analysed document plus a light scan of assembly files under the
// workspace roots (labels, macros and SYM_* names found by pattern, no analysis).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SymbolKind, type SymbolInformation } from 'vscode-languageserver';
import { pathToUri } from '../uri';

const MAX_FILES = 3000;
const MAX_BYTES = 2 << 20;

export function scanRoots(roots: string[]): SymbolInformation[] {
  const out: SymbolInformation[] = [];
  let files = 0;
  const walk = (dir: string, depth: number) => {
    if (depth > 12 || files >= MAX_FILES) return;
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.startsWith('.') || e === 'node_modules' || e === 'dist' || e === 'out') continue;
      const p = join(dir, e);
      let st;
      try {
        st = statSync(p);
      } catch {
        continue;
      }
      if (st.isDirectory()) walk(p, depth + 1);
      else if (/\.(S|s|inc)$/.test(e) && st.size < MAX_BYTES && files++ < MAX_FILES) out.push(...scanText(p.replace(/\\/g, '/'), readFileSync(p, 'latin1')));
    }
  };
  for (const r of roots) walk(r, 0);
  return out;
}

export function scanText(path: string, text: string): SymbolInformation[] {
  const out: SymbolInformation[] = [];
  const uri = pathToUri(path);
  text.split(/\r?\n/).forEach((line, i) => {
    let m = /^\s*([A-Za-z_.$][\w.$]*)\s*:(?!:)/.exec(line);
    if (m && !m[1].startsWith('.L')) { const c = line.indexOf(m[1]); out.push({ name: m[1], kind: SymbolKind.Field, location: { uri, range: { start: { line: i, character: c }, end: { line: i, character: c + m[1].length } } } }); return; }
    m = /^\s*\.macro\s+([\w.$]+)/i.exec(line);
    if (m) { const c = line.indexOf(m[1]); out.push({ name: m[1], kind: SymbolKind.Module, location: { uri, range: { start: { line: i, character: c }, end: { line: i, character: c + m[1].length } } } }); return; }
    m = /^\s*SYM_[A-Z_]*\(\s*([\w.$]+)/.exec(line);
    if (m && !/_END\b|_END\(/.test(line.slice(0, line.indexOf('(')))) { const c = line.indexOf(m[1], line.indexOf('(')); out.push({ name: m[1], kind: SymbolKind.Function, location: { uri, range: { start: { line: i, character: c }, end: { line: i, character: c + m[1].length } } } }); }
  });
  return out;
}
