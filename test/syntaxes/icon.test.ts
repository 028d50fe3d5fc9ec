// icon.png (the marketplace icon) is a valid 128x128 RGBA PNG and is exactly what scripts/make-icon.mjs draws.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, inflateSync } from 'node:zlib';
import { REPO_ROOT } from './tokenize';

interface Png {
  width: number;
  height: number;
  colourType: number;
  pixels: Buffer;
}

/** Reads a PNG, checking each chunk CRC with node's own zlib.crc32 (independent of the generator's table). */
function readPng(bytes: Buffer): Png {
  assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  let pos = 8;
  let width = 0, height = 0, colourType = -1;
  const idat: Buffer[] = [];
  let sawEnd = false;
  while (pos < bytes.length) {
    const len = bytes.readUInt32BE(pos);
    const type = bytes.toString('ascii', pos + 4, pos + 8);
    const body = bytes.subarray(pos + 8, pos + 8 + len);
    assert.equal(bytes.readUInt32BE(pos + 8 + len), crc32(bytes.subarray(pos + 4, pos + 8 + len)), `CRC of ${type}`);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      assert.equal(body[8], 8, 'bit depth');
      colourType = body[9]!;
    } else if (type === 'IDAT') idat.push(body);
    else if (type === 'IEND') sawEnd = true;
    pos += 12 + len;
  }
  assert.ok(sawEnd, 'IEND present');
  return { width, height, colourType, pixels: inflateSync(Buffer.concat(idat)) };
}

test('icon.png is a 128x128 RGBA PNG with a transparent corner and an opaque middle', () => {
  const png = readPng(readFileSync(join(REPO_ROOT, 'icon.png')));
  assert.equal(png.width, 128);
  assert.equal(png.height, 128);
  assert.equal(png.colourType, 6);
  assert.equal(png.pixels.length, 128 * (128 * 4 + 1));
  const alpha = (x: number, y: number) => png.pixels[y * (128 * 4 + 1) + 1 + x * 4 + 3];
  assert.equal(alpha(0, 0), 0, 'rounded corner is transparent');
  assert.equal(alpha(64, 64), 255, 'centre is opaque');
});

test('icon.png is reproducible from scripts/make-icon.mjs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'icon-'));
  try {
    const out = join(dir, 'icon.png');
    const r = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts', 'make-icon.mjs'), out], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const fresh = readPng(readFileSync(out));
    const committed = readPng(readFileSync(join(REPO_ROOT, 'icon.png')));
    assert.ok(fresh.pixels.equals(committed.pixels), 'run: node scripts/make-icon.mjs');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
