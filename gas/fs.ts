// The only way the front end sees files: the host (language server, CLI, debug adapter, tests) supplies this,
// so unsaved editor buffers, in-memory fixtures and real files all look the same to the analysis core.
export interface FileSystem {
  /** Text of a file, or undefined when it does not exist. Paths are absolute, '/'-separated. */
  readText(path: string): string | undefined;
  /** Bytes of a file (for .incbin), or undefined when it does not exist. */
  readBytes(path: string): Uint8Array | undefined;
}

/** A file system held in memory: used by tests and layered over the disk by hosts for unsaved buffers. */
export class MemoryFileSystem implements FileSystem {
  private readonly files = new Map<string, string | Uint8Array>();
  constructor(files: Record<string, string | Uint8Array> = {}, private readonly fallback?: FileSystem) {
    for (const [k, v] of Object.entries(files)) this.files.set(k, v);
  }
  set(path: string, content: string | Uint8Array): void {
    this.files.set(path, content);
  }
  delete(path: string): void {
    this.files.delete(path);
  }
  readText(path: string): string | undefined {
    const v = this.files.get(path);
    if (v === undefined) return this.fallback?.readText(path);
    return typeof v === 'string' ? v : new TextDecoder('latin1').decode(v);
  }
  readBytes(path: string): Uint8Array | undefined {
    const v = this.files.get(path);
    if (v === undefined) return this.fallback?.readBytes(path);
    return typeof v === 'string' ? new TextEncoder().encode(v) : v;
  }
}
