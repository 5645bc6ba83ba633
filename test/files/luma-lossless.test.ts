// mode 'luma-lossless': a JPEG written from a YCbCr or gray JPEG carries the
// input's own luma coefficients (no decode, no re-encode), so it decodes to
// exactly the pixels 'luma' gives; every other case runs as 'luma'.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { grayscaleFile, grayscaleFileSync } from '../../lib/index.js';
import { firstDifference, fixture, manifest, orientManifest, readFixture } from './helpers.js';

const jpegs = manifest.decode.filter((c) => c.format === 'jpeg');
const dir = mkdtempSync(join(tmpdir(), 'offloop-luma-lossless-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The frame header of a JPEG: its component count and whether it is progressive. */
function frame(bytes: Uint8Array): { components: number; progressive: boolean } {
  for (let at = 2; at + 9 < bytes.length; ) {
    const marker = bytes[at + 1]!;
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { components: bytes[at + 9]!, progressive: marker === 0xc2 || marker === 0xc6 || marker === 0xca };
    }
    at += 2 + ((bytes[at + 2]! << 8) | bytes[at + 3]!);
  }
  throw new Error('no frame header');
}

describe("mode 'luma-lossless'", () => {
  it.each(jpegs.map((c) => [c.file, c] as const))(
    '%s: decodes to exactly the luma pixels, or runs as luma',
    async (_, c) => {
      const luma = await grayscaleFile(fixture(c.file), { mode: 'luma' });
      const copied = await grayscaleFile(fixture(c.file), { mode: 'luma-lossless', encode: true });
      const copiedSync = grayscaleFileSync(readFixture(c.file), { mode: 'luma-lossless', encode: true });
      expect(Buffer.from(copiedSync.data).equals(Buffer.from(copied.data))).toBe(true);
      expect(copied).toMatchObject({ format: 'jpeg', inputFormat: 'jpeg', width: c.width, height: c.height });
      // Decoding the output: the luma pixels, bit for bit.
      const decoded = await grayscaleFile(copied.data);
      if (c.luma === null) {
        // RGB, CMYK and YCCK JPEGs have no luma plane: re-encoded as luma (= exact) would be.
        expect(copied.mode).toBe('exact');
        expect(luma.mode).toBe('exact');
      } else {
        expect(copied.mode).toBe('luma-lossless');
        expect(frame(copied.data)).toEqual({ components: 1, progressive: false });
        expect(firstDifference(decoded.data, luma.data)).toBeUndefined();
        expect(firstDifference(decoded.data, readFixture(c.luma))).toBeUndefined();
      }
    },
  );

  it('needs no quality: the output is the same at every quality', async () => {
    const file = fixture('jpeg/ycc-420-base-61x37.jpg');
    const q1 = await grayscaleFile(file, { mode: 'luma-lossless', encode: true, quality: 1 });
    const q100 = await grayscaleFile(file, { mode: 'luma-lossless', encode: true, quality: 100 });
    expect(Buffer.from(q1.data).equals(Buffer.from(q100.data))).toBe(true);
    const reencoded = await grayscaleFile(file, { mode: 'luma', encode: true, quality: 1 });
    expect(Buffer.from(reencoded.data).equals(Buffer.from(q1.data))).toBe(false);
  });

  it('writes the copy to a file, atomically, as the other modes', async () => {
    const output = join(dir, 'out.jpg');
    const written = await grayscaleFile(fixture('jpeg/ycc-422-prog-61x37.jpg'), { mode: 'luma-lossless', output });
    expect(written).toMatchObject({
      mode: 'luma-lossless',
      format: 'jpeg',
      output,
      bytes: readFileSync(output).length,
    });
    const luma = await grayscaleFile(fixture('jpeg/ycc-422-prog-61x37.jpg'), { mode: 'luma' });
    expect(firstDifference((await grayscaleFile(output)).data, luma.data)).toBeUndefined();
  });

  it('runs as luma for pixels, PNG output and PNG input', async () => {
    const jpeg = fixture('jpeg/ycc-444-base-61x37.jpg');
    expect((await grayscaleFile(jpeg, { mode: 'luma-lossless' })).mode).toBe('luma');
    const png = await grayscaleFile(jpeg, { mode: 'luma-lossless', format: 'png', encode: true });
    expect(png).toMatchObject({ mode: 'luma', format: 'png' });
    const pngInput = manifest.decode.find((c) => c.format === 'png')!;
    expect((await grayscaleFile(fixture(pngInput.file), { mode: 'luma-lossless', encode: true })).mode).toBe('exact');
    // A PNG asked to become a JPEG is re-encoded: nothing to copy.
    const toJpeg = await grayscaleFile(fixture(pngInput.file), { mode: 'luma-lossless', format: 'jpeg', encode: true });
    expect(toJpeg).toMatchObject({ mode: 'exact', format: 'jpeg' });
  });

  it('truncated and damaged JPEGs get the luma verdict: the same error, or pixels equal to luma', async () => {
    const cases = [
      ...jpegs.flatMap((c) =>
        c.truncated.filter((_, i) => i % 4 === 0).map(([length]) => readFixture(c.file).subarray(0, length)),
      ),
    ];
    for (const c of manifest.corrupt.filter((d) => d.corrupt.endsWith('.jpg'))) cases.push(readFixture(c.corrupt));
    expect(cases.length).toBeGreaterThan(100);
    let copies = 0;
    for (const bytes of cases) {
      const luma = await grayscaleFile(bytes, { mode: 'luma' }).catch((error: { code: string }) => error.code);
      const copied = await grayscaleFile(bytes, { mode: 'luma-lossless', encode: true }).catch(
        (error: { code: string }) => error.code,
      );
      if (typeof luma === 'string' || typeof copied === 'string') {
        expect(copied).toBe(luma);
        continue;
      }
      if (copied.mode === 'luma-lossless') copies++;
      const decoded = copied.mode === 'luma-lossless' ? (await grayscaleFile(copied.data)).data : luma.data;
      expect(firstDifference(decoded, luma.data)).toBeUndefined();
    }
    expect(copies).toBeGreaterThan(0);
  });

  it('autoOrient: an upright image is copied, a turned or flipped one runs as luma (and is turned)', async () => {
    for (const c of orientManifest.orient.filter((o) => o.format === 'jpeg' && o.lumaOriented !== undefined)) {
      const result = await grayscaleFile(fixture(c.file), { mode: 'luma-lossless', autoOrient: true, encode: true });
      const turns = c.orientation >= 2 && c.orientation <= 8;
      expect(result.mode).toBe(turns ? 'luma' : 'luma-lossless');
      expect(result.oriented).toBe(turns);
      expect(result.orientation).toBe(c.orientation <= 8 ? c.orientation : 0);
      if (!turns) {
        expect(firstDifference((await grayscaleFile(result.data)).data, readFixture(c.lumaOriented!))).toBeUndefined();
      }
    }
  });

  it('is refused by name in no other place: an unknown mode is still a TypeError', () => {
    expect(() => grayscaleFileSync(readFixture('jpeg/ycc-420-base-61x37.jpg'), { mode: 'lossless' as never })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }),
    );
  });
});
