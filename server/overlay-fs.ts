// The FileSystem the analysis sees: open editor buffers first (unsaved text wins), then the disk.
import { readFileSync, statSync } from 'node:fs';
import type { FileSystem } from '../gas/fs';

export class OverlayFileSystem implements FileSystem {
  private readonly buffers = new Map<string, string>();
  /** Every path read during the current analysis (to know which documents depend on which files). */
  private reads: Set<string> | undefined;

  /**
   * The editor's text is UTF-16; the front end reads files as bytes (one character per byte, like the disk
   * files below), so an unsaved buffer is handed over as the UTF-8 bytes the saved file would hold.
   */
  setBuffer(path: string, text: string): void {
    this.buffers.set(path, Buffer.from(text, 'utf8').toString('latin1'));
  }
  deleteBuffer(path: string): void {
    this.buffers.delete(path);
  }
  hasBuffer(path: string): boolean {
    return this.buffers.has(path);
  }

  /** Runs `fn` while recording every path it reads. */
  recording<T>(fn: () => T): { result: T; reads: Set<string> } {
    const reads = new Set<string>();
    const outer = this.reads;
    this.reads = reads;
    try {
      return { result: fn(), reads };
    } finally {
      this.reads = outer;
    }
  }

  readText(path: string): string | undefined {
    this.reads?.add(path);
    const b = this.buffers.get(path);
    if (b !== undefined) return b;
    const bytes = this.readDisk(path);
    return bytes === undefined ? undefined : Buffer.from(bytes).toString('latin1');
  }

  readBytes(path: string): Uint8Array | undefined {
    this.reads?.add(path);
    const b = this.buffers.get(path);
    if (b !== undefined) return new Uint8Array(Buffer.from(b, 'latin1'));
    return this.readDisk(path);
  }

  private readDisk(path: string): Uint8Array | undefined {
    if (path.startsWith('<')) return undefined;
    try {
      if (!statSync(path).isFile()) return undefined;
      return new Uint8Array(readFileSync(path));
    } catch {
      return undefined;
    }
  }
}
