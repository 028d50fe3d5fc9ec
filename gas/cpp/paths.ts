// '/'-separated path helpers for include resolution (the core does no I/O and does not use node:path).

/** Directory part of a path ('' for a bare name). */
export function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  if (i < 0) return '';
  if (i === 0) return '/';
  return path.slice(0, i);
}

/** Joins and normalises `.` and `..` segments; an absolute `rel` replaces `dir`. */
export function joinPath(dir: string, rel: string): string {
  const raw = rel.startsWith('/') || dir === '' ? rel : dir.endsWith('/') ? dir + rel : dir + '/' + rel;
  return normalizePath(raw);
}

export function normalizePath(path: string): string {
  const absolute = path.startsWith('/');
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!absolute) out.push('..');
      continue;
    }
    out.push(part);
  }
  const joined = out.join('/');
  return absolute ? '/' + joined : joined;
}
