// URIs ⇄ the '/'-separated absolute paths the analysis core uses. Built-in kernel headers have no file on disk:
// they are served as virtual documents under their own scheme.
import { URI } from './uri-parse';

export const HEADER_SCHEME = 'x86-trampoline-header';
const BUILTIN_PREFIX = '<builtin>';

export function isBuiltinPath(path: string): boolean {
  return path.startsWith(BUILTIN_PREFIX);
}

export function pathToUri(path: string): string {
  if (isBuiltinPath(path)) return `${HEADER_SCHEME}:${path.slice(BUILTIN_PREFIX.length) || '/'}`;
  return URI.fromPath(path);
}

/** The analysis path for a URI (file: URIs → absolute path; header URIs → `<builtin>/…`; others kept as is). */
export function uriToPath(uri: string): string {
  if (uri.startsWith(HEADER_SCHEME + ':')) return BUILTIN_PREFIX + uri.slice(HEADER_SCHEME.length + 1);
  return URI.toPath(uri);
}
