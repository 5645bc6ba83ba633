// The pure-JS pipeline the files benchmark times: jpeg-js or pngjs to decode,
// offloop/reference's bt601 gray (the same arithmetic as Pillow's), jpeg-js
// or pngjs to encode; each stage timed. Runs on the main thread, or in a
// piscina worker (piscina-worker.mjs).
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';

const require = createRequire(import.meta.url);
const reference = require('../../dist/cjs/reference.js');

export function grayFileInJs(input, output, format, { quality = 75, compressionLevel = 6 } = {}) {
  const t0 = performance.now();
  const bytes = readFileSync(input);
  const t1 = performance.now();
  const isPng = bytes[0] === 0x89;
  const rgba = isPng
    ? PNG.sync.read(bytes)
    : jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 2048 });
  const { width, height } = rgba;
  const t2 = performance.now();
  const gray = reference.grayscaleSync({ data: rgba.data, width, height, channels: 4 });
  const t3 = performance.now();
  let encoded;
  if (format === 'png') {
    encoded = PNG.sync.write(
      { width, height, data: Buffer.from(gray.buffer, gray.byteOffset, gray.length) },
      { colorType: 0, inputColorType: 0, inputHasAlpha: false, deflateLevel: compressionLevel },
    );
  } else {
    // jpeg-js encodes RGBA only: the gray repeated in R, G and B.
    const expanded = Buffer.alloc(width * height * 4);
    for (let i = 0, j = 0; i < gray.length; i++, j += 4) {
      expanded[j] = expanded[j + 1] = expanded[j + 2] = gray[i];
      expanded[j + 3] = 255;
    }
    encoded = jpeg.encode({ data: expanded, width, height }, quality).data;
  }
  const t4 = performance.now();
  writeFileSync(output, encoded);
  const t5 = performance.now();
  return {
    width,
    height,
    bytesOut: encoded.length,
    timings: { read: t1 - t0, decode: t2 - t1, gray: t3 - t2, encode: t4 - t3, write: t5 - t4 },
  };
}
