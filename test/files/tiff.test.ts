// TIFF input (issue 19): what grayscaleFile does with it beyond the goldens
// (goldens.test.ts checks every fixture's pixels, truncation verdicts and
// damaged files against Pillow 9.4): the variants refused, headers claiming
// huge images refused before any pixel buffer, limitInputPixels, tiny strips
// and tiles bounded, the Orientation tag as Pillow 9.4 applies it (on load,
// and once more by exif_transpose), folders listing .tif/.tiff, 'same' writing
// PNG, detection by content.
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { features, grayscaleFile, grayscaleFileSync, grayscaleFiles } from '../../lib/index.js';
import { collect, firstDifference, fixture, IMAGES, listAll, manifest, readFixture, tempFolder } from './helpers.js';

const temp = tempFolder('offloop-tiff-');
afterAll(() => temp.cleanup());

const RAW = 'tiff/rgb-raw-61x37.tif'; // Pillow's: header, IFD at 8, strips after it
const LZW = 'tiff/rgb-lzw-61x37.tif';
const TILES = 'tiff/rgb-tiles16-lzw-61x37.tif';
const PAGES = 'tiff/pages-2-61x37.tif';
const golden = (file: string) => readFixture(manifest.decode.find((c) => c.file === file)!.exact);

interface TiffOrientCase {
  file: string;
  orientation: number;
  width: number;
  height: number;
  exact: string;
  orientedWidth: number;
  orientedHeight: number;
  oriented: string;
}
const orientCases = (JSON.parse(readFileSync(join(IMAGES, 'tiff/orient.json'), 'utf8')) as { cases: TiffOrientCase[] })
  .cases;
const refusedCases = (
  JSON.parse(readFileSync(join(IMAGES, 'tiff/refused.json'), 'utf8')) as {
    cases: Array<{ file: string; why: string; pillow: boolean }>;
  }
).cases;

/** A copy of a classic TIFF (either byte order) with IFD0's SHORT or LONG entries of `values`' tags set in place. */
function withTags(file: string | Buffer, values: Record<number, number>): Buffer {
  const bytes = Buffer.from(typeof file === 'string' ? readFixture(file) : file);
  const big = bytes.toString('latin1', 0, 2) === 'MM';
  const u16 = (at: number) => (big ? bytes.readUInt16BE(at) : bytes.readUInt16LE(at));
  const ifd = big ? bytes.readUInt32BE(4) : bytes.readUInt32LE(4);
  const seen = new Set<number>();
  for (let i = 0; i < u16(ifd); i++) {
    const at = ifd + 2 + 12 * i;
    const value = values[u16(at)];
    if (value === undefined) continue;
    seen.add(u16(at));
    if (u16(at + 2) === 3) big ? bytes.writeUInt16BE(value, at + 8) : bytes.writeUInt16LE(value, at + 8);
    else big ? bytes.writeUInt32BE(value, at + 8) : bytes.writeUInt32LE(value, at + 8);
  }
  expect([...seen].sort()).toEqual(Object.keys(values).map(Number).sort());
  return bytes;
}

/**
 * A copy of a classic little-endian TIFF whose IFD0 is followed by `pages - 1` copies of
 * itself (the same strips), chained; `loop`: the last one points back at the second.
 */
function withPages(file: string, pages: number, loop: boolean): Buffer {
  const bytes = readFixture(file);
  const ifd = bytes.readUInt32LE(4);
  const size = 2 + 12 * bytes.readUInt16LE(ifd) + 4;
  const start = bytes.length + (bytes.length % 2); // (IFDs start on a word boundary)
  const out = Buffer.alloc(start + (pages - 1) * size);
  bytes.copy(out);
  out.writeUInt32LE(start, ifd + size - 4);
  for (let k = 0; k < pages - 1; k++) {
    const at = start + k * size;
    bytes.copy(out, at, ifd, ifd + size);
    out.writeUInt32LE(k < pages - 2 ? at + size : loop ? start : 0, at + size - 4);
  }
  return out;
}

describe('TIFF variants offloop does not read', () => {
  it.each(refusedCases.map((c) => [c.file, c] as const))(
    '%s: ERR_OFFLOOP_UNSUPPORTED_FORMAT, naming it',
    async (_, c) => {
      for (const input of [fixture(c.file), readFixture(c.file)]) {
        await expect(grayscaleFile(input)).rejects.toMatchObject({
          code: 'ERR_OFFLOOP_UNSUPPORTED_FORMAT',
          message: expect.stringMatching(/unsupported TIFF variant/),
        });
      }
      expect(() => grayscaleFileSync(readFixture(c.file))).toThrow(
        expect.objectContaining({ code: 'ERR_OFFLOOP_UNSUPPORTED_FORMAT' }),
      );
    },
  );
});

describe('old-style JPEG (Compression 6)', () => {
  // Pillow 9.4 reads these through Debian's libtiff; the prebuilt libtiff has
  // no old-JPEG decoder, and a source build refuses them too, naming why.
  it.each(['tiff/ojpeg-ycbcr22-61x37.tif', 'tiff/ojpeg-ycbcr11-61x37.tif'])(
    '%s is refused the same way in every build',
    async (file) => {
      expect(refusedCases.find((c) => c.file === file)).toMatchObject({ pillow: true });
      await expect(grayscaleFile(fixture(file))).rejects.toMatchObject({
        code: 'ERR_OFFLOOP_UNSUPPORTED_FORMAT',
        message: expect.stringMatching(/old-style JPEG \(Compression 6: the prebuilt libtiff has no decoder for it\)/),
      });
    },
  );
});

describe('BitsPerSample against SamplesPerPixel, as Pillow 9.4 checks them', () => {
  it.each([
    ['tiff/rgb-bps2-61x37.tif', /BitsPerSample has 2 values for 3 samples/],
    ['tiff/rgba-bps3-61x37.tif', /BitsPerSample has 3 values for 4 samples/],
    ['tiff/rgb-bps-8-8-16-61x37.tif', /samples of 8 and 16 bits in one pixel/],
    ['tiff/rgb7-61x37.tif', /7 samples a pixel/],
    ['tiff/gray-bps0-61x37.tif', /BitsPerSample without values/],
  ])('%s is refused before libtiff reads the directory, saying why', async (file, why) => {
    await expect(grayscaleFile(fixture(file))).rejects.toMatchObject({
      code: 'ERR_OFFLOOP_UNSUPPORTED_FORMAT',
      message: expect.stringMatching(why),
    });
  });

  it('one value for every sample, or more values than samples, is read as Pillow reads it', async () => {
    for (const file of ['tiff/rgb-bps1-61x37.tif', 'tiff/rgba-bps5-61x37.tif', 'tiff/rgb-bps-8-8-8-16-61x37.tif']) {
      const result = await grayscaleFile(fixture(file));
      expect(firstDifference(result.data!, golden(file))).toBeUndefined();
    }
  });
});

describe('TIFF headers claiming huge images', () => {
  it.each([
    ['65535x65535', 65535, 65535, 'ERR_OFFLOOP_INPUT_TOO_LARGE'],
    ['2^32-1 x 2^32-1', 2 ** 32 - 1, 2 ** 32 - 1, 'ERR_OFFLOOP_INPUT_TOO_LARGE'],
    ['16384x16384', 16384, 16384, 'ERR_OFFLOOP_INPUT_TOO_LARGE'],
  ])('%s is refused from its header, before any pixel buffer', async (_, width, height, code) => {
    const huge = withTags(RAW, { 256: width, 257: height });
    const path = join(temp.dir, 'huge-header.tif');
    writeFileSync(path, huge);
    const before = process.memoryUsage().rss;
    await expect(grayscaleFile(huge)).rejects.toMatchObject({ code });
    await expect(grayscaleFile(path)).rejects.toMatchObject({ code });
    expect(() => grayscaleFileSync(huge)).toThrow(expect.objectContaining({ code }));
    expect(process.memoryUsage().rss - before).toBeLessThan(256 * 2 ** 20);
  });

  it('with no limit, a header far bigger than its data is a damaged file, not an allocation', async () => {
    const huge = withTags(LZW, { 256: 60000, 257: 60000 });
    const before = process.memoryUsage().rss;
    const error = await grayscaleFile(huge, { limitInputPixels: false }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: expect.stringMatching(/^ERR_OFFLOOP_(CORRUPT|TRUNCATED)_IMAGE$/) });
    expect(process.memoryUsage().rss - before).toBeLessThan(256 * 2 ** 20);
  });

  it('YCbCr read through RGBA blocks: a header far bigger than its data is refused before the block is filled', async () => {
    const ycc = 'tiff/ycbcr22-lzw-strips8-61x37.tif';
    await expect(grayscaleFile(withTags(ycc, { 256: 16384, 257: 16384 }))).rejects.toMatchObject({
      code: 'ERR_OFFLOOP_INPUT_TOO_LARGE',
    });
    const before = process.memoryUsage().rss;
    const headers: Array<Record<number, number>> = [
      { 256: 60000, 257: 60000 }, // 7,500 strips for a 5 kB file
      { 256: 60000, 257: 60000, 278: 60000 }, // one block past Pillow's int of bytes
      { 256: 4000, 257: 60000, 278: 60000 }, // one 960 MB block: libtiff refuses the 360 MB strip first
    ];
    for (const tags of headers) {
      const error = await grayscaleFile(withTags(ycc, tags), { limitInputPixels: false }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: expect.stringMatching(/^ERR_OFFLOOP_(CORRUPT|TRUNCATED)_IMAGE$/) });
    }
    expect(process.memoryUsage().rss - before).toBeLessThan(256 * 2 ** 20);
  });

  it('limitInputPixels counts the first page, strips and tiles alike', async () => {
    for (const file of [RAW, LZW, TILES, PAGES]) {
      await expect(grayscaleFile(fixture(file), { limitInputPixels: 61 * 37 - 1 })).rejects.toMatchObject({
        code: 'ERR_OFFLOOP_INPUT_TOO_LARGE',
      });
      expect(await grayscaleFile(fixture(file), { limitInputPixels: 61 * 37 })).toMatchObject({
        width: 61,
        height: 37,
      });
    }
  });

  it('tiny tiles or strips on a big image, more than the file can hold offsets for, are refused at once', async () => {
    // A 16x16-tiled image grown to 16000x16000: a million tiles, with the offsets of 12.
    const tiled = withTags(TILES, { 256: 16000, 257: 16000 });
    const started = Date.now();
    const error = await grayscaleFile(tiled).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: expect.stringMatching(/^ERR_OFFLOOP_(CORRUPT|TRUNCATED)_IMAGE$/) });
    // One strip per row of a 1x10,000,000 image: far more strips than the file has bytes.
    const rows = withTags(RAW, { 256: 1, 257: 10_000_000, 278: 1 });
    await expect(grayscaleFile(rows)).rejects.toMatchObject({
      code: expect.stringMatching(/^ERR_OFFLOOP_(CORRUPT|TRUNCATED)_IMAGE$/),
    });
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});

describe('TIFF pages, detection and results', () => {
  it('reads the first page of a multi-page file', async () => {
    const result = await grayscaleFile(fixture(PAGES));
    expect(result).toMatchObject({ inputFormat: 'tiff', format: 'tiff', width: 61, height: 37 });
    expect(firstDifference(result.data!, golden(PAGES))).toBeUndefined();
  });

  it('20,000 pages, or pages in a loop: the first is read, the chain is never walked (as Pillow 9.4 opens it)', async () => {
    for (const loop of [false, true]) {
      const many = withPages(RAW, 20_000, loop);
      expect(many.length).toBeGreaterThan(20_000 * 12 * 10);
      const result = await grayscaleFile(many, { limitInputPixels: 61 * 37 });
      expect(result).toMatchObject({ inputFormat: 'tiff', width: 61, height: 37 });
      expect(firstDifference(result.data!, golden(RAW))).toBeUndefined();
      expect(firstDifference(grayscaleFileSync(many).data, golden(RAW))).toBeUndefined();
    }
  });

  it('is detected by content: a TIFF named .jpg is read as TIFF', async () => {
    const path = join(temp.dir, 'scan.jpg');
    copyFileSync(fixture(LZW), path);
    const result = await grayscaleFile(path);
    expect(result).toMatchObject({ inputFormat: 'tiff', width: 61, height: 37 });
    expect(firstDifference(result.data!, golden(LZW))).toBeUndefined();
  });

  it('a TIFF cut inside its byte order or magic number is a truncated file', async () => {
    for (const length of [1, 2, 3]) {
      await expect(grayscaleFile(readFixture(LZW).subarray(0, length))).rejects.toMatchObject({
        code: 'ERR_OFFLOOP_TRUNCATED_IMAGE',
      });
    }
  });

  it('features().codecs.tiff names libtiff 4.5.0', () => {
    expect(features().codecs.tiff).toMatchObject({ library: 'libtiff', version: '4.5.0' });
  });
});

describe('the Orientation tag, as Pillow 9.4 applies it', () => {
  // Pillow 9.4's TIFF loader turns the image by tag 274 when it loads
  // (convert('L') of an orientation-6 TIFF is already turned), and
  // ImageOps.exif_transpose turns that loaded image once more.
  it.each(orientCases.map((c) => [c.file, c] as const))('%s', async (_, c) => {
    const plain = await grayscaleFile(fixture(c.file));
    expect(plain).toMatchObject({ orientation: c.orientation, oriented: false, width: c.width, height: c.height });
    expect(firstDifference(plain.data!, readFixture(c.exact))).toBeUndefined();
    const oriented = await grayscaleFile(fixture(c.file), { autoOrient: true });
    expect(oriented).toMatchObject({ orientation: c.orientation, width: c.orientedWidth, height: c.orientedHeight });
    expect(firstDifference(oriented.data!, readFixture(c.oriented))).toBeUndefined();
  });
});

describe('folders', () => {
  it("list .tif and .tiff files (any case); 'same' writes PNG for them", async () => {
    const src = join(temp.dir, 'folder');
    const out = join(temp.dir, 'folder-out');
    mkdirSync(src, { recursive: true });
    copyFileSync(fixture(LZW), join(src, 'one.TIF'));
    copyFileSync(fixture(TILES), join(src, 'two.tiff'));
    copyFileSync(fixture('jpeg/ycc-420-base-61x37.jpg'), join(src, 'three.jpg'));
    writeFileSync(join(src, 'notes.txt'), 'not an image');
    const results = await collect(grayscaleFiles(src, { outDir: out }));
    expect(results.map((r) => ('error' in r && r.error ? r.error : undefined)).filter(Boolean)).toEqual([]);
    expect(listAll(out)).toEqual(['one.png', 'three.jpg', 'two.png']);
    expect(firstDifference(grayscaleFileSync(join(out, 'one.png')).data, golden(LZW))).toBeUndefined();
    expect(firstDifference(grayscaleFileSync(join(out, 'two.png')).data, golden(TILES))).toBeUndefined();
    expect(existsSync(join(out, 'one.TIF'))).toBe(false);
  });
});
