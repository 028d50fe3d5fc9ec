// .incbin against GNU as on a real file: skip and count in and out of range, an explicit count of zero, a missing
// comma, a missing file. Bytes of .data and every message must be GNU's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { analyze } from '../../gas/index';
import { DiskFileSystem } from '../../cli/disk-fs';
import { hex, readElf, requireTools } from './toolchain';

test('.incbin includes, refuses and warns like GNU as', (t) => {
  if (!requireTools(t, ['as'])) return;
  const dir = mkdtempSync(join(tmpdir(), 'incbin-'));
  try {
    writeFileSync(join(dir, 'blob.bin'), Uint8Array.from({ length: 100 }, (_, i) => (i * 37 + 11) & 0xff));
    const lines = ['"blob.bin"', '"blob.bin", 10', '"blob.bin", 10, 5', '"blob.bin", 100', '"blob.bin", 101', '"blob.bin", 90, 20',
      '"blob.bin", -1', '"blob.bin", 0, 0', '"blob.bin", 0, -5', '"nofile.bin"', 'blob.bin', '"blob.bin" 5'];
    const src = '\t.data\n' + lines.map((l) => `\t.incbin ${l}\n`).join('');
    writeFileSync(join(dir, 'inc.s'), src);
    const r = spawnSync('as', ['--64', '-Z', 'inc.s', '-o', 'inc.o'], { cwd: dir, encoding: 'utf8' });
    const gnuMessages = r.stderr.split('\n').map((l) => /inc\.s:(\d+): (Error|Warning): (.*)$/.exec(l)).filter((m): m is RegExpExecArray => !!m).map((m) => `${m[1]}: ${m[2]}: ${m[3]}`);
    const gnuData = readElf(new Uint8Array(readFileSync(join(dir, 'inc.o')))).sections.find((s) => s.name === '.data')!.bytes;
    const a = analyze(new DiskFileSystem(), join(dir, 'inc.s'), { preprocess: false });
    assert.deepEqual(a.diagnostics.map((d) => `${d.origin.range.line + 1}: ${d.severity === 'error' ? 'Error' : 'Warning'}: ${d.message}`), gnuMessages);
    assert.equal(hex(a.sections.find((s) => s.name === '.data')?.bytes), hex(gnuData));
    assert.ok(gnuMessages.length >= 6 && gnuData.length > 300, 'the cases did not happen');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
