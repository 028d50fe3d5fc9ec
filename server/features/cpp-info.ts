// cpp macros as the preprocessor saw them: lookup and a readable expansion of object-like bodies.
import type { CppMacroDefinition } from '../../gas/cpp/types';
import type { DocAnalysis } from '../workspace';

export function findCppMacro(r: DocAnalysis, name: string): CppMacroDefinition | undefined {
  return r.analysis.preprocessed?.macros.get(name);
}

/** Replaces object-like macro names in `text` recursively (function-like calls with simple arguments too). */
export function expandCppText(r: DocAnalysis, text: string, depth = 0, active: Set<string> = new Set()): string {
  if (depth > 16) return text;
  const macros = r.analysis.preprocessed?.macros;
  if (!macros) return text;
  return text.replace(/\b([A-Za-z_]\w*)\b(\s*\(([^()]*(?:\([^()]*\)[^()]*)*)\))?/g, (whole, name: string, call: string | undefined, args: string | undefined) => {
    const m = macros.get(name);
    if (!m || active.has(name)) return whole;
    const inner = new Set(active).add(name);
    if (!m.params) return expandCppText(r, m.body, depth + 1, inner) + (call ? expandCppText(r, call, depth + 1, active) : '');
    if (call === undefined) return whole;
    const values = splitArgs(args ?? '');
    let body = m.body;
    m.params.forEach((p, i) => {
      const v = p === '__VA_ARGS__' ? values.slice(i).join(',') : (values[i] ?? '').trim();
      body = body.replace(new RegExp(`##\\s*\\b${p}\\b|\\b${p}\\b\\s*##`, 'g'), (x) => x.replace(p, v).replace(/\s*##\s*/, '\u0001'));
      body = body.replace(new RegExp(`#\\s*\\b${p}\\b`, 'g'), JSON.stringify(v));
      body = body.replace(new RegExp(`\\b${p}\\b`, 'g'), v);
    });
    body = body.replace(/\s*\u0001\s*/g, '');
    return expandCppText(r, body, depth + 1, inner);
  });
}

function splitArgs(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const c of s) {
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (c === ',' && depth === 0) { out.push(cur); cur = ''; continue; }
    cur += c;
  }
  out.push(cur);
  return out;
}
