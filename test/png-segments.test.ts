// Large PNG outputs are deflated in segments of rows on several pool threads
// and joined into one stream (native/codecs/png_segments.h). What must hold:
// one valid PNG, lossless, and the same bytes whatever the pool's size and
// whichever thread took which segment.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { getConcurrency, grayscaleFile, poolStats, setConcurrency } from '../lib/index.js';

// 2400 x 1800: 4.3 MP, five segments of about 1 MiB of pixels each.
const WIDTH = 2400;
const HEIGHT = 1800;
let folder: string;
let input: string;

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'offloop-png-segments-'));
  const rgb = Buffer.alloc(WIDTH * HEIGHT * 3);
  let seed = 11;
  for (let y = 0; y < HEIGHT; y++) {
    for (let x = 0; x < WIDTH; x++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      const noise = seed >>> 28;
      const i = (y * WIDTH + x) * 3;
      rgb[i] = (x * 255) / WIDTH + noise;
      rgb[i + 1] = (y * 255) / HEIGHT;
      rgb[i + 2] = ((x ^ y) & 0xff) >> 1;
    }
  }
  input = join(folder, 'photo.jpg');
  writeFileSync(
    input,
    await sharp(rgb, { raw: { width: WIDTH, height: HEIGHT, channels: 3 } })
      .jpeg({ quality: 90 })
      .toBuffer(),
  );
});

afterAll(() => {
  setConcurrency(getConcurrency());
  rmSync(folder, { recursive: true, force: true });
});

describe('PNG output deflated in parallel segments', () => {
  it('decodes to the gray pixels, with the same bytes on 1, 2 and 3 threads', async () => {
    const threads = getConcurrency();
    const { data: pixels } = await grayscaleFile(input);
    const outputs: Uint8Array[] = [];
    for (const size of [1, 2, 3]) {
      setConcurrency(size);
      outputs.push((await grayscaleFile(input, { format: 'png', encode: true })).data);
    }
    setConcurrency(threads);
    for (const png of outputs.slice(1)) expect(Buffer.compare(Buffer.from(png), Buffer.from(outputs[0]!))).toBe(0);
    const back = await grayscaleFile(outputs[0]!);
    expect(back.format).toBe('png');
    expect(Buffer.compare(Buffer.from(back.data), Buffer.from(pixels))).toBe(0);
    // Another decoder (libvips/libspng in sharp) reads the joined stream too.
    const { data, info } = await sharp(outputs[0]).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([WIDTH, HEIGHT, 1]);
    expect(Buffer.compare(data, Buffer.from(pixels))).toBe(0);
  });

  it('leaves no job behind and counts the file once', async () => {
    const before = poolStats();
    await grayscaleFile(input, { format: 'png', encode: true, compressionLevel: 1 });
    const after = poolStats();
    expect(after.completedJobs - before.completedJobs).toBe(1);
    expect([after.queuedJobs, after.runningJobs]).toEqual([0, 0]);
  });

  it("is read by Pillow (Debian's python3-pil) when installed", async (context) => {
    const probe = spawnSync('/usr/bin/python3', ['-c', 'import PIL'], { encoding: 'utf8' });
    if (probe.status !== 0) context.skip('Pillow is not installed (Debian/Ubuntu: apt-get install python3-pil)');
    const output = join(folder, 'gray.png');
    const { data: pixels } = await grayscaleFile(input);
    await grayscaleFile(input, { output, format: 'png' });
    const script =
      'import sys\nfrom PIL import Image\nim = Image.open(sys.argv[1]); im.load()\nsys.stdout.buffer.write(im.mode.encode() + b"\\n" + im.tobytes())';
    const run = spawnSync('/usr/bin/python3', ['-c', script, output], { maxBuffer: 64 << 20 });
    expect(run.status).toBe(0);
    const newline = run.stdout.indexOf(10);
    expect(run.stdout.subarray(0, newline).toString()).toBe('L');
    expect(Buffer.compare(run.stdout.subarray(newline + 1), Buffer.from(pixels))).toBe(0);
  });
});
