// GIF and BMP input (issue 19): what grayscaleFile does with them beyond the
// goldens (goldens.test.ts checks every fixture's pixels and truncation
// verdicts against Pillow): headers claiming huge images refused before any
// pixel buffer, 'same' writing PNG (and batch outputs named .png), folders
// listing .gif and .bmp, detection by content, autoOrient and luma doing
// nothing to them.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { grayscaleFile, grayscaleFileSync, grayscaleFiles } from '../../lib/index.js';
import { outputUnder } from '../../lib/files/batch-inputs.js';
import { collect, firstDifference, fixture, listAll, manifest, pngHeader, readFixture, tempFolder } from './helpers.js';

const temp = tempFolder('offloop-gif-bmp-');
afterAll(() => temp.cleanup());

const GIF = 'gif/frame-offset-trns-61x37.gif';
const BMP = 'bmp/rle8-bottomup-61x37.bmp';
const golden = (file: string) => readFixture(manifest.decode.find((c) => c.file === file)!.exact);

/** A copy of a GIF whose logical screen says width x height (its frame stays 40x25 at 7,5). */
function gifWithScreen(width: number, height: number): Buffer {
  const bytes = Buffer.from(readFixture(GIF));
  bytes.writeUInt16LE(width, 6);
  bytes.writeUInt16LE(height, 8);
  return bytes;
}

/** A copy of a BMP whose info header says width x height. */
function bmpWithSize(file: string, width: number, height: number): Buffer {
  const bytes = Buffer.from(readFixture(file));
  bytes.writeUInt32LE(width, 18);
  bytes.writeInt32LE(height, 22);
  return bytes;
}

describe('GIF and BMP headers claiming huge images', () => {
  it.each([
    ['a GIF screen of 65535x65535', () => gifWithScreen(65535, 65535)],
    ['a BMP of 100000x100000 (8-bit, raw rows)', () => bmpWithSize('bmp/pal8-bottomup-61x37.bmp', 100000, 100000)],
    ['an RLE8 BMP of 100000x100000', () => bmpWithSize(BMP, 100000, 100000)],
    ['a top-down BMP 2^32-1 wide', () => bmpWithSize(BMP, 0xffffffff, -1)],
  ])('%s is refused from its header, before any pixel buffer', async (_, make) => {
    const bytes = make();
    const path = join(temp.dir, 'huge-header');
    writeFileSync(path, bytes);
    const before = process.memoryUsage().rss;
    await expect(grayscaleFile(bytes)).rejects.toMatchObject({ code: 'ERR_OFFLOOP_INPUT_TOO_LARGE' });
    await expect(grayscaleFile(path)).rejects.toMatchObject({ code: 'ERR_OFFLOOP_INPUT_TOO_LARGE' });
    expect(() => grayscaleFileSync(bytes)).toThrow(expect.objectContaining({ code: 'ERR_OFFLOOP_INPUT_TOO_LARGE' }));
    // Nothing near the claimed size was touched (10 GB for the BMPs, 4 GB for the GIF).
    expect(process.memoryUsage().rss - before).toBeLessThan(256 * 2 ** 20);
  });

  it('limitInputPixels counts the size Pillow gives: a frame past the screen grows it', async () => {
    // frame-past-screen-30x20.gif: a 40x25 frame at 10,8 makes it 50x33.
    const file = fixture('gif/frame-past-screen-30x20.gif');
    expect(await grayscaleFile(file, { limitInputPixels: 50 * 33 })).toMatchObject({ width: 50, height: 33 });
    await expect(grayscaleFile(file, { limitInputPixels: 50 * 33 - 1 })).rejects.toMatchObject({
      code: 'ERR_OFFLOOP_INPUT_TOO_LARGE',
    });
    await expect(grayscaleFile(fixture(BMP), { limitInputPixels: 61 * 37 - 1 })).rejects.toMatchObject({
      code: 'ERR_OFFLOOP_INPUT_TOO_LARGE',
    });
    expect(await grayscaleFile(fixture(BMP), { limitInputPixels: 61 * 37 })).toMatchObject({ width: 61, height: 37 });
  });
});

describe("format 'same' for GIF and BMP input writes PNG", () => {
  it.each([GIF, BMP])('%s: encoded, written, and named .png in a batch', async (file) => {
    const encoded = await grayscaleFile(fixture(file), { encode: true });
    expect(encoded).toMatchObject({ format: 'png', inputFormat: file.slice(0, 3) });
    expect(pngHeader(encoded.data)).toMatchObject({ width: 61, height: 37, bitDepth: 8, colorType: 0 });
    expect(firstDifference(grayscaleFileSync(encoded.data).data, golden(file))).toBeUndefined();
    const output = join(temp.dir, `written-${file.replace('/', '-')}.png`);
    expect(await grayscaleFile(fixture(file), { output })).toMatchObject({ format: 'png', output });
    expect(firstDifference(grayscaleFileSync(output).data, golden(file))).toBeUndefined();
    // An explicit JPEG is written as asked.
    expect((await grayscaleFile(fixture(file), { encode: true, format: 'jpeg' })).format).toBe('jpeg');
  });

  it("names a GIF's or BMP's output .png (any case), and leaves other names alone", () => {
    expect(outputUnder('/out', '/in/a.gif', undefined, 'same')).toBe(join('/out', 'a.png'));
    expect(outputUnder('/out', '/in/b.BMP', 'sub/b.BMP', 'same')).toBe(join('/out', 'sub/b.png'));
    expect(outputUnder('/out', '/in/c.Gif', undefined, 'jpeg')).toBe(join('/out', 'c.jpg'));
    expect(outputUnder('/out', '/in/d.jpg', undefined, 'same')).toBe(join('/out', 'd.jpg'));
    expect(outputUnder('/out', '/in/e.webp', undefined, 'same')).toBe(join('/out', 'e.webp'));
  });
});

describe('folders', () => {
  it('list .gif and .bmp files (any case) with the JPEGs and PNGs, and write them as PNG', async () => {
    const src = join(temp.dir, 'folder');
    const out = join(temp.dir, 'folder-out');
    mkdirSync(src, { recursive: true });
    copyFileSync(fixture(GIF), join(src, 'one.GIF'));
    copyFileSync(fixture(BMP), join(src, 'two.bmp'));
    copyFileSync(fixture('jpeg/ycc-420-base-61x37.jpg'), join(src, 'three.jpg'));
    writeFileSync(join(src, 'notes.txt'), 'not an image');
    const results = await collect(grayscaleFiles(src, { outDir: out }));
    expect(results.map((r) => ('error' in r && r.error ? r.error : undefined)).filter(Boolean)).toEqual([]);
    expect(listAll(out)).toEqual(['one.png', 'three.jpg', 'two.png']);
    expect(firstDifference(grayscaleFileSync(join(out, 'one.png')).data, golden(GIF))).toBeUndefined();
    expect(firstDifference(grayscaleFileSync(join(out, 'two.png')).data, golden(BMP))).toBeUndefined();
    // In place, the GIF and BMP stay and their PNGs go beside them.
    await collect(grayscaleFiles(src, { inPlace: true }));
    expect(listAll(src)).toEqual(['notes.txt', 'one.GIF', 'one.png', 'three.jpg', 'two.bmp', 'two.png']);
    expect(readFileSync(join(src, 'one.GIF')).equals(readFixture(GIF))).toBe(true);
  });
});

describe('detection by content', () => {
  it.each([
    [GIF, 'photo.png', 'gif'],
    [BMP, 'scan.jpg', 'bmp'],
  ])('%s named %s is read as %s', async (file, name, format) => {
    const path = join(temp.dir, name);
    copyFileSync(fixture(file), path);
    const result = await grayscaleFile(path);
    expect(result).toMatchObject({ inputFormat: format, width: 61, height: 37 });
    expect(firstDifference(result.data!, golden(file))).toBeUndefined();
  });
});

describe('options that do nothing to GIF and BMP', () => {
  it.each([GIF, BMP])('%s: autoOrient and luma give the exact pixels', async (file) => {
    const plain = await grayscaleFile(fixture(file));
    for (const options of [
      { autoOrient: true },
      { mode: 'luma' as const },
      { mode: 'luma-lossless' as const, encode: true },
    ]) {
      const result = await grayscaleFile(fixture(file), options);
      expect(result).toMatchObject({ orientation: 0, oriented: false, mode: 'exact', width: 61, height: 37 });
      const pixels = 'encode' in options ? grayscaleFileSync(result.data!).data : result.data!;
      expect(firstDifference(pixels, plain.data)).toBeUndefined();
    }
  });
});
