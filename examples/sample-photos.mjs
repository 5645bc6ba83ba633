// Sample photos for the main job: colourful, photo-like RGB images (a sky
// and ground gradient, soft shapes, blotches and grain), written as JPEG
// with jpeg-js and as PNG with pngjs. Deterministic; files already there
// are kept, so only the first run pays for the (pure-JS) encoding.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';

/** mulberry32: the same images on every machine. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** RGBA pixels (alpha 255) of one photo-like image. */
export function makePhoto(width, height, seed) {
  const random = rng(seed);
  const rgba = new Uint8Array(width * height * 4).fill(255);
  const rgb = new Float32Array(width * height * 3);
  // Sky and ground: two vertical gradients meeting at the horizon.
  const sky = [60 + random() * 80, 110 + random() * 80, 200 + random() * 55];
  const ground = [40 + random() * 120, 70 + random() * 100, 20 + random() * 50];
  const horizon = Math.floor(height * (0.45 + random() * 0.2));
  for (let y = 0; y < height; y++) {
    const t = y < horizon ? y / horizon : (y - horizon) / (height - horizon);
    const base = y < horizon ? sky.map((v) => v + 50 * t) : ground.map((v) => v * (1.2 - 0.5 * t));
    for (let x = 0, i = y * width * 3; x < width; x++, i += 3) rgb.set(base, i);
  }
  // Soft-edged discs of random colours, each painted over its bounding box only.
  for (let n = 0; n < 12; n++) {
    const cx = random() * width;
    const cy = random() * height;
    const r = (0.03 + random() * 0.15) * Math.min(width, height);
    const colour = [random() * 255, random() * 255, random() * 255];
    for (let y = Math.max(0, Math.floor(cy - r)); y < Math.min(height, cy + r); y++) {
      for (let x = Math.max(0, Math.floor(cx - r)); x < Math.min(width, cx + r); x++) {
        const d = Math.hypot(x - cx, y - cy) / r;
        if (d >= 1) continue;
        const k = Math.min(1, (1 - d) * 4) * 0.8;
        const i = (y * width + x) * 3;
        for (let ch = 0; ch < 3; ch++) rgb[i + ch] += (colour[ch] - rgb[i + ch]) * k;
      }
    }
  }
  // Blotches (a coarse random grid, interpolated) and grain.
  const cell = 64;
  const gw = Math.ceil(width / cell) + 2;
  const grid = Float32Array.from({ length: gw * (Math.ceil(height / cell) + 2) }, () => random() * 40 - 20);
  for (let y = 0; y < height; y++) {
    const y0 = Math.floor(y / cell);
    const fy = y / cell - y0;
    for (let x = 0; x < width; x++) {
      const x0 = Math.floor(x / cell);
      const fx = x / cell - x0;
      const g = y0 * gw + x0;
      const blotch =
        (grid[g] * (1 - fx) + grid[g + 1] * fx) * (1 - fy) + (grid[g + gw] * (1 - fx) + grid[g + gw + 1] * fx) * fy;
      const grain = random() * 24 - 12;
      const i = y * width + x;
      rgba[i * 4] = rgb[i * 3] + blotch + grain;
      rgba[i * 4 + 1] = rgb[i * 3 + 1] + blotch + grain;
      rgba[i * 4 + 2] = rgb[i * 3 + 2] + blotch * 0.5 + grain;
    }
  }
  return rgba;
}

// 6.3 MP in all: four JPEGs (one portrait) and two PNGs.
const PHOTOS = [
  { name: 'harbour.jpg', width: 1600, height: 1200 },
  { name: 'meadow.jpg', width: 1000, height: 1500 },
  { name: 'market.jpg', width: 1024, height: 768 },
  { name: 'dunes.jpg', width: 1280, height: 720 },
  { name: 'alps.png', width: 1200, height: 675 },
  { name: 'garden.png', width: 640, height: 640 },
];

/** Writes the sample photos missing from `dir`; returns all their paths, and how many were written now. */
export function samplePhotos(dir) {
  mkdirSync(dir, { recursive: true });
  let written = 0;
  const paths = PHOTOS.map(({ name, width, height }, i) => {
    const path = join(dir, name);
    if (existsSync(path)) return path;
    const data = makePhoto(width, height, 1000 + i);
    if (name.endsWith('.jpg')) {
      writeFileSync(path, jpeg.encode({ data, width, height }, 90).data);
    } else {
      const png = new PNG({ width, height });
      png.data = Buffer.from(data.buffer);
      writeFileSync(path, PNG.sync.write(png, { colorType: 2 }));
    }
    written++;
    return path;
  });
  return { paths, written };
}
