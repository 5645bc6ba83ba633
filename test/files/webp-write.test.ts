// WebP output (issue 19): format 'webp' (lossy with quality, or lossless)
// writes the bytes Pillow 9.4's save(p, 'WEBP') writes for the same gray
// image with the same libwebp (1.2.4): Pillow converts L to RGB and encodes
// with quality 80 and method 4 by default (webp/encode.json, made by
// scripts/make-image-fixtures.py --only webp). 'same' writes WebP for a WebP
// input; bad options are refused with stable codes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { binding } from '../../lib/binding.js';
import { outputUnder } from '../../lib/files/batch-inputs.js';
import { grayscaleFile, grayscaleFileSync } from '../../lib/index.js';
import { firstDifference, fixture, IMAGES, manifest, readFixture, tempFolder } from './helpers.js';

const temp = tempFolder('offloop-webp-write-');
afterAll(() => temp.cleanup());

interface EncodeCase {
  source: string;
  options: { quality?: number; lossless?: boolean };
  file: string;
}
const encodeCases = (JSON.parse(readFileSync(join(IMAGES, 'webp/encode.json'), 'utf8')) as { cases: EncodeCase[] })
  .cases;

describe("format 'webp' writes Pillow's bytes", () => {
  it.each(encodeCases.map((c) => [c.file, c] as const))('%s', async (_, c) => {
    const expected = readFixture(c.file);
    const encoded = await grayscaleFile(fixture(c.source), { encode: true, format: 'webp', ...c.options });
    expect(encoded).toMatchObject({ format: 'webp', inputFormat: 'png' });
    expect(
      Buffer.from(encoded.data!).equals(expected),
      `${c.file}: ${encoded.bytes} bytes, Pillow's ${expected.length}`,
    ).toBe(true);
    // The sync call, and a written file, are the same bytes.
    const sync = grayscaleFileSync(fixture(c.source), { encode: true, format: 'webp', ...c.options });
    expect(Buffer.from(sync.data!).equals(expected)).toBe(true);
    const output = join(temp.dir, `${c.file.replace('/', '-')}`);
    expect(await grayscaleFile(fixture(c.source), { output, ...c.options })).toMatchObject({ format: 'webp', output });
    expect(readFileSync(output).equals(expected)).toBe(true);
  });

  it('a lossless WebP decodes back to the very pixels', async () => {
    const source = encodeCases[0]!.source;
    const encoded = await grayscaleFile(fixture(source), { encode: true, format: 'webp', lossless: true });
    const back = await grayscaleFile(encoded.data!);
    expect(back.inputFormat).toBe('webp');
    expect(firstDifference(back.data!, (await grayscaleFile(fixture(source))).data!)).toBeUndefined();
  });
});

describe("format 'same' for a WebP input writes WebP", () => {
  const file = 'webp/lossy-rgb-61x37.webp';
  const golden = () => readFixture(manifest.decode.find((c) => c.file === file)!.exact);

  it('encoded, written, and named .webp in a batch', async () => {
    const encoded = await grayscaleFile(fixture(file), { encode: true });
    expect(encoded).toMatchObject({ format: 'webp', inputFormat: 'webp', width: 61, height: 37 });
    expect(Buffer.from(encoded.data!).toString('latin1', 0, 4)).toBe('RIFF');
    // Its pixels: WebP's lossy coding of the golden gray, close to it.
    const back = grayscaleFileSync(encoded.data!).data;
    const expected = golden();
    let worst = 0;
    for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(back[i]! - expected[i]!));
    expect(worst).toBeLessThan(64);
    const output = join(temp.dir, 'same.out');
    expect(await grayscaleFile(fixture(file), { output })).toMatchObject({ format: 'webp', output });
    expect(readFileSync(output).equals(Buffer.from(encoded.data!))).toBe(true);
    expect(outputUnder('/out', '/in/e.WEBP', undefined, 'same')).toBe(join('/out', 'e.WEBP'));
    expect(outputUnder('/out', '/in/f.jpg', undefined, 'webp')).toBe(join('/out', 'f.webp'));
    expect(outputUnder('/out', '/in/g.webp', undefined, 'png')).toBe(join('/out', 'g.png'));
  });

  it("an output named .webp gets WebP with 'same'; an explicit other format that the name contradicts is refused", async () => {
    const output = join(temp.dir, 'from-jpeg.webp');
    expect(await grayscaleFile(fixture('jpeg/ycc-420-base-61x37.jpg'), { output })).toMatchObject({ format: 'webp' });
    expect(() => grayscaleFileSync(fixture(file), { output: join(temp.dir, 'x.png'), format: 'webp' })).toThrow(
      expect.objectContaining({ code: 'ERR_OFFLOOP_EXTENSION_MISMATCH' }),
    );
  });
});

describe("mode 'luma-lossless' and WebP", () => {
  it('a JPEG written as WebP is encoded from its luma, never given the JPEG copy', async () => {
    const jpeg = fixture('jpeg/ycc-420-base-61x37.jpg');
    const encoded = await grayscaleFile(jpeg, { encode: true, format: 'webp', mode: 'luma-lossless' });
    expect(encoded).toMatchObject({ format: 'webp', mode: 'luma' });
    expect(Buffer.from(encoded.data!).toString('latin1', 0, 4)).toBe('RIFF');
    const luma = await grayscaleFile(jpeg, { encode: true, format: 'webp', mode: 'luma' });
    expect(Buffer.from(encoded.data!).equals(Buffer.from(luma.data!))).toBe(true);
  });
});

describe('bad WebP options', () => {
  it.each([
    [{ format: 'WEBP' }, TypeError, 'ERR_INVALID_ARG_VALUE'],
    [{ format: 'webp', lossless: 'yes' }, TypeError, 'ERR_INVALID_ARG_TYPE'],
    [{ format: 'webp', lossless: 1 }, TypeError, 'ERR_INVALID_ARG_TYPE'],
    [{ format: 'webp', quality: 0 }, RangeError, 'ERR_OUT_OF_RANGE'],
    [{ format: 'webp', quality: 101 }, RangeError, 'ERR_OUT_OF_RANGE'],
    [{ format: 'webp', quality: 80.5 }, RangeError, 'ERR_OUT_OF_RANGE'],
  ])('%j', async (options, type, code) => {
    const call = () => grayscaleFile(fixture('webp/lossy-rgb-61x37.webp'), { encode: true, ...(options as object) });
    await expect(call()).rejects.toBeInstanceOf(type);
    await expect(call()).rejects.toMatchObject({ code });
    expect(() =>
      grayscaleFileSync(fixture('webp/lossy-rgb-61x37.webp'), { encode: true, ...(options as object) }),
    ).toThrow(expect.objectContaining({ code }));
  });

  it('the binding checks the format number, quality and lossless again', () => {
    const request: Parameters<typeof binding.grayscaleFileSync>[0] = {
      input: fixture('webp/lossy-rgb-61x37.webp'),
      output: true,
      mode: 0,
      format: 3,
      quality: 0,
      compressionLevel: 6,
      lossless: false,
      autoOrient: false,
      limitInputPixels: 0,
      limitInputBytes: 0,
      durable: false,
    };
    expect(binding.grayscaleFileSync(request, undefined)).toMatchObject({ width: 61 });
    const sync = binding.grayscaleFileSync as (...a: unknown[]) => unknown;
    for (const bad of [{ format: 4 }, { quality: 101 }, { quality: -1 }, { lossless: 1 }]) {
      expect(() => sync({ ...request, ...bad }, undefined)).toThrow();
    }
  });
});

describe('skipExisting and WebP outputs', () => {
  it('a whole WebP output counts as done; one cut short, or with a RIFF size past its end, does not', () => {
    const whole = readFixture('webp/encode-default.webp');
    const tail = (bytes: Uint8Array) => bytes.subarray(Math.max(0, bytes.length - 12));
    expect(binding.inspectWholeFile(whole, tail(whole), whole.length)).toMatchObject({ width: 97, height: 61 });
    const cut = whole.subarray(0, whole.length - 10);
    expect(binding.inspectWholeFile(cut, tail(cut), cut.length)).toMatchObject({ code: 'ERR_OFFLOOP_TRUNCATED_IMAGE' });
    // Only the head read: the RIFF size alone says where the file ends.
    expect(binding.inspectWholeFile(whole.subarray(0, 64), tail(whole), whole.length)).toMatchObject({ width: 97 });
  });
});
