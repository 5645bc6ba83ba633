// WebP input (issue 19): what grayscaleFile does with it beyond the goldens
// (goldens.test.ts checks every fixture's pixels, truncation verdicts and
// damaged files against Pillow 9.4 with libwebp 1.2.4): headers claiming huge
// images refused before any pixel buffer, limitInputPixels on the canvas,
// autoOrient from the EXIF chunk as exif_transpose reads it, folders listing
// .webp, detection by content.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { features, grayscaleFile, grayscaleFileSync, grayscaleFiles } from '../../lib/index.js';
import { collect, firstDifference, fixture, IMAGES, listAll, manifest, readFixture, tempFolder } from './helpers.js';

const temp = tempFolder('offloop-webp-');
afterAll(() => temp.cleanup());

const LOSSY = 'webp/lossy-rgb-61x37.webp';
const ALPHA = 'webp/lossy-rgba-61x37.webp'; // VP8X: the canvas size is at bytes 24..29
const LOSSLESS = 'webp/lossless-rgb-61x37.webp';
const ANIMATED = 'webp/animated-lossy-61x37.webp';
const golden = (file: string) => readFixture(manifest.decode.find((c) => c.file === file)!.exact);

interface WebpOrientCase {
  file: string;
  orientation: number;
  width: number;
  height: number;
  oriented: string;
}
const orientCases = (JSON.parse(readFileSync(join(IMAGES, 'webp/orient.json'), 'utf8')) as { cases: WebpOrientCase[] })
  .cases;

/** A copy of a VP8X WebP whose canvas says width x height (24-bit fields of size - 1). */
function withCanvas(file: string, width: number, height: number): Buffer {
  const bytes = Buffer.from(readFixture(file));
  bytes.writeUIntLE(width - 1, 24, 3);
  bytes.writeUIntLE(height - 1, 27, 3);
  return bytes;
}

/** A copy of a lossy (VP8) WebP whose frame header says width x height (14 bits each). */
function withVp8Size(file: string, width: number, height: number): Buffer {
  const bytes = Buffer.from(readFixture(file));
  expect(bytes.toString('latin1', 12, 16)).toBe('VP8 ');
  bytes.writeUInt16LE(width, 26);
  bytes.writeUInt16LE(height, 28);
  return bytes;
}

describe('WebP headers claiming huge images', () => {
  // A still image's canvas must equal its frame (14-bit sizes, at most
  // 16383x16383: the default limit exactly); an animation's canvas may be
  // anything under libwebp's 2^32 pixels.
  it.each([
    ['an animation canvas of 20000x20000', () => withCanvas(ANIMATED, 20000, 20000), 'ERR_OFFLOOP_INPUT_TOO_LARGE'],
    ['an animation canvas of 65535x65535', () => withCanvas(ANIMATED, 65535, 65535), 'ERR_OFFLOOP_INPUT_TOO_LARGE'],
    // libwebp refuses 2^32 pixels and more itself, as Pillow does (a damaged file).
    ['an animation canvas of 2^24x2^24', () => withCanvas(ANIMATED, 2 ** 24, 2 ** 24), 'ERR_OFFLOOP_CORRUPT_IMAGE'],
    ['a still VP8X canvas bigger than its frame', () => withCanvas(ALPHA, 20000, 20000), 'ERR_OFFLOOP_CORRUPT_IMAGE'],
  ])('%s is refused from its header, before any pixel buffer', async (_, make, code) => {
    const bytes = make();
    const path = join(temp.dir, 'huge-header.webp');
    writeFileSync(path, bytes);
    const before = process.memoryUsage().rss;
    await expect(grayscaleFile(bytes)).rejects.toMatchObject({ code });
    await expect(grayscaleFile(path)).rejects.toMatchObject({ code });
    expect(() => grayscaleFileSync(bytes)).toThrow(expect.objectContaining({ code }));
    expect(process.memoryUsage().rss - before).toBeLessThan(256 * 2 ** 20);
  });

  it('limitInputPixels counts the canvas (lossy, lossless, alpha, animated) and the VP8 frame header', async () => {
    for (const file of [LOSSY, LOSSLESS, ALPHA, ANIMATED]) {
      await expect(grayscaleFile(fixture(file), { limitInputPixels: 61 * 37 - 1 })).rejects.toMatchObject({
        code: 'ERR_OFFLOOP_INPUT_TOO_LARGE',
      });
      expect(await grayscaleFile(fixture(file), { limitInputPixels: 61 * 37 })).toMatchObject({
        width: 61,
        height: 37,
      });
    }
    // A lossy frame header of 16383x16383 (the most VP8 holds) is over a 10,000 pixel limit.
    await expect(grayscaleFile(withVp8Size(LOSSY, 16383, 16383), { limitInputPixels: 10000 })).rejects.toMatchObject({
      code: 'ERR_OFFLOOP_INPUT_TOO_LARGE',
    });
  });
});

describe('WebP detection and results', () => {
  it('is detected by content: a WebP named .jpg is read as WebP, a JPEG named .webp as JPEG', async () => {
    const path = join(temp.dir, 'photo.jpg');
    copyFileSync(fixture(LOSSY), path);
    const result = await grayscaleFile(path);
    expect(result).toMatchObject({ inputFormat: 'webp', format: 'webp', width: 61, height: 37 });
    expect(firstDifference(result.data!, golden(LOSSY))).toBeUndefined();
    const jpeg = join(temp.dir, 'photo.webp');
    copyFileSync(fixture('jpeg/ycc-420-base-61x37.jpg'), jpeg);
    expect(await grayscaleFile(jpeg)).toMatchObject({ inputFormat: 'jpeg' });
  });

  it('a RIFF file that is not WebP stays unsupported; a cut RIFF header is a truncated file', async () => {
    const wave = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WAVEfmt '), Buffer.alloc(24)]);
    await expect(grayscaleFile(wave)).rejects.toMatchObject({ code: 'ERR_OFFLOOP_UNSUPPORTED_FORMAT' });
    await expect(grayscaleFile(readFixture(LOSSY).subarray(0, 10))).rejects.toMatchObject({
      code: 'ERR_OFFLOOP_TRUNCATED_IMAGE',
    });
  });

  it('features().codecs.webp names libwebp 1.2.4, the version the goldens were made with', () => {
    expect(features().codecs.webp).toMatchObject({ library: 'libwebp', version: '1.2.4' });
  });
});

describe('autoOrient reads the EXIF chunk as Pillow 9.4 exif_transpose does', () => {
  it.each(orientCases.map((c) => [c.file, c] as const))('%s', async (_, c) => {
    const plain = await grayscaleFile(fixture(c.file));
    expect(plain).toMatchObject({ orientation: c.orientation, oriented: false, width: 61, height: 37 });
    const oriented = await grayscaleFile(fixture(c.file), { autoOrient: true });
    expect(oriented).toMatchObject({ orientation: c.orientation, width: c.width, height: c.height });
    expect(firstDifference(oriented.data!, readFixture(c.oriented))).toBeUndefined();
  });

  it('a WebP with no EXIF chunk has orientation 0 and is left as it is', async () => {
    const result = await grayscaleFile(fixture(ALPHA), { autoOrient: true });
    expect(result).toMatchObject({ orientation: 0, oriented: false });
    expect(firstDifference(result.data!, golden(ALPHA))).toBeUndefined();
  });
});

describe('folders', () => {
  it('list .webp files (any case) with the JPEGs and PNGs', async () => {
    const src = join(temp.dir, 'folder');
    const out = join(temp.dir, 'folder-out');
    mkdirSync(src, { recursive: true });
    copyFileSync(fixture(LOSSY), join(src, 'one.WEBP'));
    copyFileSync(fixture(ANIMATED), join(src, 'two.webp'));
    copyFileSync(fixture('jpeg/ycc-420-base-61x37.jpg'), join(src, 'three.jpg'));
    writeFileSync(join(src, 'notes.txt'), 'not an image');
    const results = await collect(grayscaleFiles(src, { outDir: out, format: 'png' }));
    expect(results.map((r) => ('error' in r && r.error ? r.error : undefined)).filter(Boolean)).toEqual([]);
    expect(listAll(out)).toEqual(['one.png', 'three.png', 'two.png']);
    expect(firstDifference(grayscaleFileSync(join(out, 'one.png')).data, golden(LOSSY))).toBeUndefined();
    expect(firstDifference(grayscaleFileSync(join(out, 'two.png')).data, golden(ANIMATED))).toBeUndefined();
  });
});
