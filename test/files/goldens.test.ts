// grayscaleFile's pixels against Pillow's, from the committed goldens
// (scripts/make-image-fixtures.py): every input of every kind, async and
// sync, from a path, a file: URL and a Buffer; luma where it applies; and
// Pillow's verdict on truncated and damaged files.
import { pathToFileURL } from 'node:url';

import { describe, expect, it } from 'vitest';

import { grayscaleFile, grayscaleFileSync, isOffloopError } from '../../lib/index.js';
import { firstDifference, fixture, fnv1a64, manifest, readFixture } from './helpers.js';

const CODEC_ERRORS = ['ERR_OFFLOOP_EMPTY_INPUT', 'ERR_OFFLOOP_TRUNCATED_IMAGE', 'ERR_OFFLOOP_CORRUPT_IMAGE'];

// Where offloop and Pillow part, as native/codecs/README.md documents.
const KNOWN_DIFFERENCES: Record<string, string> = {
  'corrupt/png-plte-not-multiple-of-3.png':
    'libpng refuses a PLTE whose length is not a multiple of 3; Pillow drops the partial entry',
};

describe('exact mode equals Pillow 9.4 convert("L")', () => {
  it.each(manifest.decode.map((c) => [c.file, c] as const))('%s', async (_, c) => {
    const expected = readFixture(c.exact);
    const bytes = readFixture(c.file);
    const results = [
      await grayscaleFile(fixture(c.file)),
      await grayscaleFile(pathToFileURL(fixture(c.file))),
      await grayscaleFile(bytes),
      grayscaleFileSync(fixture(c.file)),
      grayscaleFileSync(bytes, { mode: 'exact' }),
    ];
    for (const result of results) {
      expect(firstDifference(result.data, expected)).toBeUndefined();
      expect(result).toMatchObject({
        width: c.width,
        height: c.height,
        format: c.format,
        inputFormat: c.format,
        mode: 'exact',
      });
      expect(result).toMatchObject({
        orientation: 0,
        oriented: false,
        bytesIn: bytes.length,
        extensionMismatch: false,
      });
      expect(result.data.length).toBe(c.width * c.height);
      expect(result.data.buffer).toBeInstanceOf(ArrayBuffer);
    }
  });
});

describe('luma mode', () => {
  it.each(manifest.decode.map((c) => [c.file, c] as const))(
    '%s: the luma golden (draft("L")) where defined, exact elsewhere',
    async (_, c) => {
      const expected = readFixture(c.luma ?? c.exact);
      const async = await grayscaleFile(fixture(c.file), { mode: 'luma' });
      const sync = grayscaleFileSync(readFixture(c.file), { mode: 'luma' });
      for (const result of [async, sync]) {
        expect(firstDifference(result.data, expected)).toBeUndefined();
        // Only YCbCr and gray JPEGs have a luma path; PNG, RGB, CMYK and YCCK JPEGs decode exactly.
        expect(result.mode).toBe(c.luma === null ? 'exact' : 'luma');
        expect(result).toMatchObject({ width: c.width, height: c.height, inputFormat: c.format });
      }
    },
  );

  it('differs from exact on colour JPEGs, by less than one level on average', async () => {
    // Saturated edges differ most (exact clamps R, G and B; luma never
    // computes them): up to 32 levels on these fixtures, 0.7 on average.
    let sum = 0;
    let count = 0;
    let differing = 0;
    for (const c of manifest.decode.filter((d) => d.luma !== null && d.kind.includes('ycbcr'))) {
      const exact = readFixture(c.exact);
      const { data } = await grayscaleFile(fixture(c.file), { mode: 'luma' });
      for (let i = 0; i < data.length; i++) sum += Math.abs(data[i]! - exact[i]!);
      count += data.length;
      if (firstDifference(data, exact) !== undefined) differing++;
    }
    expect(differing).toBeGreaterThan(10);
    expect(sum / count).toBeLessThan(1);
  });
});

describe("truncated files: Pillow's verdict on every cut", () => {
  it.each(manifest.decode.map((c) => [c.file, c] as const))('%s', async (_, c) => {
    const bytes = readFixture(c.file);
    const outcomes = await Promise.all(
      c.truncated.map(([length]) =>
        grayscaleFile(bytes.subarray(0, length)).then(
          (result) => ({ ok: true as const, hash: fnv1a64(result.data) }),
          (error: unknown) => ({ ok: false as const, error }),
        ),
      ),
    );
    c.truncated.forEach(([length, verdict], k) => {
      const outcome = outcomes[k]!;
      if (verdict === 'err') {
        expect(outcome.ok, `${c.file} cut at ${length}: Pillow refuses it`).toBe(false);
        const error = (outcome as { error: { code: string; message: string } }).error;
        expect(isOffloopError(error)).toBe(true);
        expect(CODEC_ERRORS).toContain(error.code);
        // Even a cut inside the signature (8 bytes for PNG, SOI and a
        // marker's first byte for JPEG) is a truncated file, not an unknown format.
        const signature = c.format === 'png' ? 8 : 3;
        if (length === 0) expect(error.code).toBe('ERR_OFFLOOP_EMPTY_INPUT');
        else if (length < signature) expect(error.code).toBe('ERR_OFFLOOP_TRUNCATED_IMAGE');
        expect(error.message).toMatch(/^offloop: input buffer: ./);
      } else {
        expect(outcome, `${c.file} cut at ${length}: Pillow decodes it`).toEqual({ ok: true, hash: verdict });
      }
    });
  });
});

/**
 * The codes a damaged file may be refused with: a codec error, or for the
 * GIF/BMP/TIFF variants Pillow refuses to open (unknown depths, compressions,
 * header sizes, bitfields, TIFF tags damaged into another layout) unsupported.
 */
function refusalCodes(c: { corrupt: string; kind: string }): string[] {
  if (/^corrupt\/(gif|bmp|tiff)-/.test(c.corrupt)) return [...CODEC_ERRORS, 'ERR_OFFLOOP_UNSUPPORTED_FORMAT'];
  return CODEC_ERRORS;
}

describe("damaged files: Pillow's verdict", () => {
  it.each(manifest.corrupt.map((c) => [c.corrupt, c] as const))('%s', async (_, c) => {
    if (KNOWN_DIFFERENCES[c.corrupt] !== undefined) {
      // Still a clear error, never a crash.
      await expect(grayscaleFile(fixture(c.corrupt))).rejects.toMatchObject({
        code: expect.stringMatching(/^ERR_OFFLOOP_/),
      });
      return;
    }
    const outcome = await grayscaleFile(fixture(c.corrupt)).then(
      (result) => fnv1a64(result.data),
      (error: { code: string; message: string }) => {
        expect(refusalCodes(c)).toContain(error.code);
        expect(error.message.startsWith(`offloop: ${fixture(c.corrupt)}: `)).toBe(true);
        return 'err';
      },
    );
    expect(outcome, c.kind).toBe(c.verdict);
  });
});
