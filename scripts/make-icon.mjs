// Draws icon.png (128x128): a chip whose "16" springs off a trampoline up to "64".
// No image libraries: shapes are inside-tests, 4x4 supersampling gives anti-aliasing, the PNG is written by hand
// (zlib from node, CRC32 computed here). Run: node scripts/make-icon.mjs [out.png]
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const SIZE = 128;
const SUB = 4; // samples per axis per pixel

// ---- geometry: every shape is a predicate on a point ------------------------------------------------------
const segDist = (px, py, ax, ay, bx, by) => {
  const dx = bx - ax, dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy || 1)));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
};
/** A thick polyline with round caps and joins. */
const stroke = (points, width) => {
  const xs = points.map((p) => p[0]), ys = points.map((p) => p[1]), h = width / 2;
  const [x0, x1, y0, y1] = [Math.min(...xs) - h, Math.max(...xs) + h, Math.min(...ys) - h, Math.max(...ys) + h];
  return (x, y) => x >= x0 && x <= x1 && y >= y0 && y <= y1 && onPolyline(points, h, x, y);
};
const onPolyline = (points, h, x, y) => {
  for (let i = 1; i < points.length; i++) {
    const [ax, ay] = points[i - 1], [bx, by] = points[i];
    if (segDist(x, y, ax, ay, bx, by) <= h) return true;
  }
  return false;
};
const roundRect = (x0, y0, x1, y1, r) => (x, y) => {
  const cx = Math.max(x0 + r, Math.min(x1 - r, x)), cy = Math.max(y0 + r, Math.min(y1 - r, y));
  return x >= x0 && x <= x1 && y >= y0 && y <= y1 && Math.hypot(x - cx, y - cy) <= r;
};
const ringRect = (x0, y0, x1, y1, r, w) => {
  const outer = roundRect(x0, y0, x1, y1, r), inner = roundRect(x0 + w, y0 + w, x1 - w, y1 - w, Math.max(0, r - w));
  return (x, y) => outer(x, y) && !inner(x, y);
};
const triangle = (a, b, c) => (x, y) => {
  const side = (p, q) => (q[0] - p[0]) * (y - p[1]) - (q[1] - p[1]) * (x - p[0]);
  const s1 = side(a, b), s2 = side(b, c), s3 = side(c, a);
  return (s1 >= 0 && s2 >= 0 && s3 >= 0) || (s1 <= 0 && s2 <= 0 && s3 <= 0);
};
const quad = (p0, p1, p2, n = 24) =>
  Array.from({ length: n + 1 }, (_, i) => {
    const t = i / n, u = 1 - t;
    return [u * u * p0[0] + 2 * u * t * p1[0] + t * t * p2[0], u * u * p0[1] + 2 * u * t * p1[1] + t * t * p2[1]];
  });
const ellipse = (cx, cy, rx, ry, n = 40) =>
  Array.from({ length: n + 1 }, (_, i) => [cx + rx * Math.cos((2 * Math.PI * i) / n), cy + ry * Math.sin((2 * Math.PI * i) / n)]);
const any = (...shapes) => (x, y) => shapes.some((s) => s(x, y));

// ---- a tiny stroke font for the two numbers (unit box: x 0..1, y 0..1 downwards) ----------------------------
const GLYPHS = {
  1: [[[0.2, 0.22], [0.55, 0], [0.55, 1]]],
  4: [[[0.72, 1], [0.72, 0], [0.02, 0.68], [0.98, 0.68]]],
  6: [quad([0.86, 0.06], [0.3, -0.06], [0.1, 0.66]), ellipse(0.5, 0.7, 0.4, 0.3)],
};
function text(str, x, y, w, h, gap, width) {
  const shapes = [];
  [...str].forEach((ch, i) => {
    for (const line of GLYPHS[ch]) shapes.push(stroke(line.map(([u, v]) => [x + i * (w + gap) + u * w, y + v * h]), width));
  });
  return any(...shapes);
}

// ---- the picture, back to front --------------------------------------------------------------------------
const BG = [30, 42, 58, 255]; // matches the gallery banner
const CHIP = [143, 179, 217, 255];
const INK = [236, 243, 251, 255];
const SPRING = [245, 166, 35, 255];
const DIM = [118, 141, 168, 255];

const pins = [];
for (let i = 0; i < 4; i++) {
  const c = 38 + i * 17;
  pins.push(roundRect(c - 3, 10, c + 3, 24, 1.5), roundRect(c - 3, 104, c + 3, 118, 1.5));
  pins.push(roundRect(10, c - 3, 24, c + 3, 1.5), roundRect(104, c - 3, 118, c + 3, 1.5));
}
const arrowPath = quad([60, 87], [94, 90], [90, 66], 32);
const layers = [
  [roundRect(0, 0, 127.99, 127.99, 22), BG],
  [any(...pins), DIM],
  [roundRect(22, 22, 106, 106, 9), [39, 55, 76, 255]],
  [ringRect(22, 22, 106, 106, 9, 3), CHIP],
  // trampoline: a sagging bed on two legs
  [stroke(quad([30, 86], [45, 94], [60, 86]), 3.2), SPRING],
  [stroke([[31, 87], [28, 99]], 2.6), DIM],
  [stroke([[59, 87], [62, 99]], 2.6), DIM],
  [text('16', 33, 62, 9, 16, 3, 3.2), INK],
  // the bounce: from the bed up to the 64
  [stroke(arrowPath, 3.6), SPRING],
  [triangle([90, 54], [82.5, 67], [97.5, 67]), SPRING],
  [text('64', 50, 28, 13, 22, 4, 4), INK],
];

// ---- rasterise ---------------------------------------------------------------------------------------------
const rgba = new Uint8Array(SIZE * SIZE * 4);
for (let py = 0; py < SIZE; py++) {
  for (let px = 0; px < SIZE; px++) {
    let r = 0, g = 0, b = 0, a = 0; // premultiplied accumulation
    for (const [shape, [cr, cg, cb, ca]] of layers) {
      // Fast path: strokes are wider than a pixel, so corners and centre agreeing means full or no coverage.
      const probes = [shape(px, py), shape(px + 1, py), shape(px, py + 1), shape(px + 1, py + 1), shape(px + 0.5, py + 0.5)];
      let hits = probes.every(Boolean) ? SUB * SUB : 0;
      if (probes.some(Boolean) && !probes.every(Boolean)) {
        for (let sy = 0; sy < SUB; sy++) for (let sx = 0; sx < SUB; sx++) if (shape(px + (sx + 0.5) / SUB, py + (sy + 0.5) / SUB)) hits++;
      }
      if (!hits) continue;
      const alpha = (hits / (SUB * SUB)) * (ca / 255);
      r = cr * alpha + r * (1 - alpha);
      g = cg * alpha + g * (1 - alpha);
      b = cb * alpha + b * (1 - alpha);
      a = alpha + a * (1 - alpha);
    }
    const o = (py * SIZE + px) * 4;
    rgba[o] = a ? Math.round(r / a) : 0;
    rgba[o + 1] = a ? Math.round(g / a) : 0;
    rgba[o + 2] = a ? Math.round(b / a) : 0;
    rgba[o + 3] = Math.round(a * 255);
  }
}

// ---- PNG encoding ------------------------------------------------------------------------------------------
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes) {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  Buffer.from(data).copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(SIZE, 0);
ihdr.writeUInt32BE(SIZE, 4);
ihdr[8] = 8; // bit depth
ihdr[9] = 6; // RGBA
const raw = Buffer.alloc(SIZE * (SIZE * 4 + 1));
for (let y = 0; y < SIZE; y++) {
  raw[y * (SIZE * 4 + 1)] = 0; // filter: none
  Buffer.from(rgba.buffer, y * SIZE * 4, SIZE * 4).copy(raw, y * (SIZE * 4 + 1) + 1);
}
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', ihdr),
  chunk('IDAT', deflateSync(raw, { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
const out = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'icon.png');
writeFileSync(out, png);
console.log(`wrote ${out} (${png.length} bytes)`);
