// Minimal file-URI encoding compatible with what VS Code sends (percent-encoded, lowercase drive letters kept).
import { fileURLToPath, pathToFileURL } from 'node:url';

export const URI = {
  fromPath(path: string): string {
    try {
      return pathToFileURL(path).href;
    } catch {
      return 'file://' + encodeURI(path);
    }
  },
  toPath(uri: string): string {
    if (!uri.startsWith('file:')) return uri;
    try {
      return fileURLToPath(uri).replace(/\\/g, '/');
    } catch {
      return decodeURIComponent(uri.replace(/^file:\/\//, ''));
    }
  },
};
