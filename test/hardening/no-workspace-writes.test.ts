// The language server and the debug adapter never create or change files in the user's workspace: their sources
// contain no file-writing call at all (the CLI's `asm -o` is the one explicit command that writes, and it lives in
// cli/). A static check over every source file, so a new write anywhere in server/ or debug-adapter/ fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const WRITES = /\b(writeFile|writeFileSync|appendFile|appendFileSync|createWriteStream|mkdir|mkdirSync|mkdtemp|mkdtempSync|copyFile|copyFileSync|cp|cpSync|rename|renameSync|rm|rmSync|rmdir|rmdirSync|unlink|unlinkSync|truncate|truncateSync|symlink|symlinkSync|open|openSync|write|writeSync|utimes|utimesSync|chmod|chmodSync)\s*\(/;
const FS_IMPORT = /from\s+['"](node:)?fs(\/promises)?['"]|require\(\s*['"](node:)?fs(\/promises)?['"]\s*\)/;

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (/\.(ts|js|mjs)$/.test(name)) out.push(p);
  }
  return out;
}

test('server/ and debug-adapter/ contain no file-writing calls', () => {
  const offenders: string[] = [];
  let checked = 0;
  for (const dir of ['server', 'debug-adapter']) {
    for (const file of sources(join(ROOT, dir))) {
      const text = readFileSync(file, 'utf8');
      checked++;
      if (!FS_IMPORT.test(text)) continue;
      // Names imported from fs, and calls through an fs namespace (fs.writeFileSync, fsp.mkdir).
      const imported = new Set<string>();
      for (const m of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*['"](node:)?fs(\/promises)?['"]/g)) for (const n of m[1].split(',')) imported.add(n.trim().split(/\s+as\s+/).pop()!);
      text.split('\n').forEach((line, i) => {
        if (/^\s*(\/\/|\*)/.test(line)) return;
        const call = WRITES.exec(line);
        if (!call) return;
        const name = call[1];
        const viaNamespace = new RegExp(`\\b\\w+\\.${name}\\s*\\(`).test(line) && /\b(fs|fsp|promises)\.\w+\s*\(/.test(line);
        if (imported.has(name) || viaNamespace) offenders.push(`${file.slice(ROOT.length + 1)}:${i + 1}: ${line.trim()}`);
      });
    }
  }
  assert.ok(checked > 10, `only ${checked} source files found`);
  assert.deepEqual(offenders, []);
});
