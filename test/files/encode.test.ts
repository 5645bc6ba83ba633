// Encoding: JPEG output decodes to what Pillow's save() of the same gray
// image decodes to; PNG output is 8-bit gray and lossless; the format comes
// from the bytes, never from a name; `format` converts; the output may be
// the input itself.
import { copyFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { grayscaleFile, grayscaleFileSync } from '../../lib/index.js';
import {
  encodeGrayPng,
  entries,
  firstDifference,
  fixture,
  jpegHeader,
  manifest,
  pngHeader,
  readFixture,
  tempFolder,
} from './helpers.js';

let temp: ReturnType<typeof tempFolder>;
beforeAll(() => (temp = tempFolder()));
afterAll(() => temp.cleanup());

/** A gray PNG holding the encode case's source pixels: offloop decodes it to exactly them. */
function sourcePng(c: (typeof manifest.encode)[number]): Buffer {
  return encodeGrayPng(readFixture(c.source), c.width, c.height);
}

describe("JPEG output: the same pixels as Pillow's save() at the same quality", () => {
  it.each(manifest.encode.filter((c) => c.format === 'jpeg').map((c) => [c.file, c] as const))('%s', async (_, c) => {
    const pillowDecoded = readFixture(c.decoded);
    const encoded = await grayscaleFile(sourcePng(c), { encode: true, format: 'jpeg', quality: c.quality });
    expect(encoded).toMatchObject({
      width: c.width,
      height: c.height,
      format: 'jpeg',
      inputFormat: 'png',
      bytes: encoded.data.length,
    });
    expect(jpegHeader(encoded.data)).toEqual({ width: c.width, height: c.height, components: 1, progressive: false });
    // Decoded with offloop itself, whose decoder equals Pillow's (goldens.test.ts).
    const back = grayscaleFileSync(encoded.data);
    expect(back).toMatchObject({ width: c.width, height: c.height, inputFormat: 'jpeg' });
    expect(firstDifference(back.data, pillowDecoded)).toBeUndefined();
    // Same encoder, same settings: even the bytes are Pillow's.
    expect(firstDifference(encoded.data, readFixture(c.file))).toBeUndefined();
    // Written to a file, the same bytes.
    const out = join(temp.dir, `q${c.quality}-${c.width}.jpg`);
    const written = grayscaleFileSync(sourcePng(c), { output: out, format: 'jpeg', quality: c.quality });
    expect(written).toMatchObject({ output: out, format: 'jpeg', bytes: encoded.data.length });
    expect(firstDifference(readFileSync(out), encoded.data)).toBeUndefined();
  });

  it('a lower quality gives a smaller file; the default quality is 75', async () => {
    const c = manifest.encode.find((e) => e.format === 'jpeg' && e.quality === 75)!;
    const byDefault = await grayscaleFile(sourcePng(c), { encode: true, format: 'jpeg' });
    const at75 = await grayscaleFile(sourcePng(c), { encode: true, format: 'jpeg', quality: 75 });
    const at10 = await grayscaleFile(sourcePng(c), { encode: true, format: 'jpeg', quality: 10 });
    expect(firstDifference(byDefault.data, at75.data)).toBeUndefined();
    expect(at10.bytes).toBeLessThan(at75.bytes);
  });
});

describe('PNG output: 8-bit gray, lossless', () => {
  it.each(manifest.encode.filter((c) => c.format === 'png').map((c) => [c.file, c] as const))('%s', async (_, c) => {
    const source = readFixture(c.source);
    for (const compressionLevel of [0, 1, 6, 9]) {
      const encoded = await grayscaleFile(sourcePng(c), { encode: true, format: 'png', compressionLevel });
      expect(encoded).toMatchObject({ width: c.width, height: c.height, format: 'png', bytes: encoded.data.length });
      expect(pngHeader(encoded.data)).toEqual({
        width: c.width,
        height: c.height,
        bitDepth: 8,
        colorType: 0,
        interlace: 0,
      });
      const back = grayscaleFileSync(encoded.data);
      expect(firstDifference(back.data, source)).toBeUndefined();
    }
    // Level 6 (the default) against Pillow's own file at compress_level 6: within a few percent.
    const pillowBytes = statSync(fixture(c.file)).size;
    const ours = (await grayscaleFile(sourcePng(c), { encode: true, format: 'png' })).bytes;
    expect(ours).toBeLessThanOrEqual(Math.ceil(pillowBytes * 1.03) + 64);
  });

  it('every decoded fixture re-encodes losslessly to PNG', async () => {
    for (const c of manifest.decode) {
      const gray = readFixture(c.exact);
      const encoded = await grayscaleFile(fixture(c.file), { encode: true, format: 'png' });
      expect(pngHeader(encoded.data), c.file).toMatchObject({ bitDepth: 8, colorType: 0 });
      expect(firstDifference(grayscaleFileSync(encoded.data).data, gray), c.file).toBeUndefined();
    }
  });
});

describe('format', () => {
  const png = 'png/rgb8-61x37.png';
  const jpeg = 'jpeg/ycc-420-base-61x37.jpg';

  it('is detected from the bytes, not the name: a PNG named .jpg decodes, and the result says so', async () => {
    const misnamed = join(temp.dir, 'really-a-png.jpg');
    copyFileSync(fixture(png), misnamed);
    const result = await grayscaleFile(misnamed);
    expect(result).toMatchObject({ inputFormat: 'png', format: 'png', extensionMismatch: true });
    expect(
      firstDifference(result.data, readFixture(manifest.decode.find((c) => c.file === png)!.exact)),
    ).toBeUndefined();
    const jpegAsPng = join(temp.dir, 'really-a-jpeg.PNG');
    copyFileSync(fixture(jpeg), jpegAsPng);
    expect(grayscaleFileSync(jpegAsPng)).toMatchObject({ inputFormat: 'jpeg', extensionMismatch: true });
    // Names that claim no format, and bytes in memory, never mismatch.
    const noName = join(temp.dir, 'picture.bin');
    copyFileSync(fixture(png), noName);
    expect(grayscaleFileSync(noName).extensionMismatch).toBe(false);
    expect(grayscaleFileSync(readFixture(png)).extensionMismatch).toBe(false);
    expect(grayscaleFileSync(fixture(jpeg)).extensionMismatch).toBe(false);
  });

  it("'same' (the default) writes the format the output's name says, else the input's (output-name.test.ts has the rest)", async () => {
    const out = join(temp.dir, 'named.png');
    const result = await grayscaleFile(fixture(jpeg), { output: out });
    expect(result).toMatchObject({ output: out, format: 'png', inputFormat: 'jpeg' });
    expect(pngHeader(readFileSync(out))).toMatchObject({ bitDepth: 8, colorType: 0 });
    const unnamed = join(temp.dir, 'named.gray');
    expect(await grayscaleFile(fixture(jpeg), { output: unnamed })).toMatchObject({ format: 'jpeg' });
    expect(jpegHeader(readFileSync(unnamed)).components).toBe(1);
    expect((await grayscaleFile(fixture(png), { encode: true })).format).toBe('png');
  });

  it('jpeg to png is lossless: the decoded pixels', async () => {
    const out = join(temp.dir, 'from-jpeg.png');
    const result = await grayscaleFile(fixture(jpeg), { output: out, format: 'png' });
    expect(result).toMatchObject({
      output: out,
      format: 'png',
      inputFormat: 'jpeg',
      width: 61,
      height: 37,
      bytes: statSync(out).size,
    });
    expect(
      firstDifference(grayscaleFileSync(out).data, readFixture(manifest.decode.find((c) => c.file === jpeg)!.exact)),
    ).toBeUndefined();
  });

  it('png to jpeg: a 1-component JPEG of the gray pixels, as Pillow would write it', async () => {
    const c = manifest.encode.find((e) => e.format === 'jpeg' && e.quality === 90 && e.width === 64)!;
    const input = join(temp.dir, 'source.png');
    writeFileSync(input, sourcePng(c));
    const out = join(temp.dir, 'from-png.jpg');
    const result = grayscaleFileSync(input, { output: pathToFileURL(out), format: 'jpeg', quality: 90 });
    expect(result).toMatchObject({ output: out, format: 'jpeg', inputFormat: 'png', extensionMismatch: false });
    expect(jpegHeader(readFileSync(out))).toMatchObject({ components: 1, width: 64, height: 48 });
    expect(firstDifference(grayscaleFileSync(out).data, readFixture(c.decoded))).toBeUndefined();
  });

  it('an output equal to the input replaces it with its gray version', async () => {
    for (const [name, rel] of [
      ['same.jpg', jpeg],
      ['same.png', png],
    ] as const) {
      const path = join(temp.dir, name);
      copyFileSync(fixture(rel), path);
      const before = statSync(path).size;
      const result = await grayscaleFile(path, { output: path });
      expect(result).toMatchObject({ output: path, bytesIn: before, bytes: statSync(path).size });
      const expected = readFixture(manifest.decode.find((c) => c.file === rel)!.exact);
      const again = grayscaleFileSync(path);
      if (rel === png) expect(firstDifference(again.data, expected)).toBeUndefined();
      else expect(again).toMatchObject({ width: 61, height: 37, inputFormat: 'jpeg' });
      // And once more, synchronously, from the gray file itself.
      grayscaleFileSync(path, { output: path });
    }
    expect(entries(temp.dir).filter((name) => name.includes('offloop-tmp'))).toEqual([]);
  });
});
