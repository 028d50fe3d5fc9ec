// Bundled at build time, so `trampoline --version` needs no package.json beside it.
import pkg from '../package.json';

export const VERSION: string = pkg.version;
