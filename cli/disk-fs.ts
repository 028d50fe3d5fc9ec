// The CLI's FileSystem: files on disk (the front end itself never touches the disk).
import { readFileSync, statSync } from 'node:fs';
import type { FileSystem } from '../gas/fs';

export class DiskFileSystem implements FileSystem {
  readText(path: string): string | undefined {
    const b = this.readBytes(path);
    return b === undefined ? undefined : Buffer.from(b).toString('latin1');
  }
  readBytes(path: string): Uint8Array | undefined {
    try {
      if (!statSync(path).isFile()) return undefined;
      return new Uint8Array(readFileSync(path));
    } catch {
      return undefined;
    }
  }
}
