// Files on disk for the assembler (the cores never touch the disk themselves).
export { DiskFileSystem } from '../../cli/disk-fs';
