// The built-in kernel headers: used for `#include` only when a header is not found on the real include path,
// so a file lifted from the Linux tree preprocesses with zero set-up. Keys are include paths ('asm/segment.h');
// in origins and diagnostics a built-in header's file is `<builtin>/asm/segment.h`.
import { linuxHeaders } from './linux';
import { x86AsmHeaders } from './x86-asm';
import { x86CpuHeaders } from './x86-cpu';
import { x86MmHeaders } from './x86-mm';

export const BUILTIN_HEADER_ROOT = '<builtin>';

export const builtinHeaders: Readonly<Record<string, string>> = Object.freeze({
  ...linuxHeaders,
  ...x86CpuHeaders,
  ...x86MmHeaders,
  ...x86AsmHeaders,
});

/** The path a built-in header has in origins, e.g. `<builtin>/asm/segment.h`. */
export function builtinHeaderPath(name: string): string {
  return `${BUILTIN_HEADER_ROOT}/${name}`;
}

/** Text of a built-in header given its include name ('asm/msr.h') or its `<builtin>/…` path. */
export function builtinHeaderText(nameOrPath: string): string | undefined {
  const name = nameOrPath.startsWith(BUILTIN_HEADER_ROOT + '/') ? nameOrPath.slice(BUILTIN_HEADER_ROOT.length + 1) : nameOrPath;
  return Object.prototype.hasOwnProperty.call(builtinHeaders, name) ? builtinHeaders[name] : undefined;
}

/** Include names of every built-in header, sorted. */
export function builtinHeaderNames(): string[] {
  return Object.keys(builtinHeaders).sort();
}
