// autoOrient: equal to Pillow's ImageOps.exif_transpose(Image.open(p)).convert('L')
// for EXIF orientations 1..8 in JPEG (APP1) and PNG (eXIf), both byte
// orders; off by default, as Pillow's convert('L'), which ignores it.
import { describe, expect, it } from 'vitest';

import { grayscaleFile, grayscaleFileSync } from '../../lib/index.js';
import {
  encodeRgbPng,
  firstDifference,
  fixture,
  orientManifest,
  orientSourcesManifest,
  photoLikeRgb,
  pillowL,
  readFixture,
} from './helpers.js';

const CASES = orientManifest.orient.map((c) => [c.file, c] as const);

describe('orientation fixtures', () => {
  it('cover orientations 1..8 for JPEG and PNG, plus no tag and an invalid value', () => {
    const seen = new Set(
      CASES.map(([, c]) => `${c.format}:${c.orientation}:${c.file.includes('notag') ? 'none' : 'tag'}`),
    );
    for (const format of ['jpeg', 'png'])
      for (let o = 1; o <= 8; o++) expect(seen.has(`${format}:${o}:tag`)).toBe(true);
    expect(seen.has('jpeg:0:none')).toBe(true);
    expect(CASES.some(([file]) => file.includes('-o9-'))).toBe(true);
  });
});

describe('autoOrient: false (the default) ignores the orientation, as convert("L") does', () => {
  it.each(CASES)('%s', async (_, c) => {
    const expected = readFixture(c.exact);
    for (const result of [
      await grayscaleFile(fixture(c.file)),
      grayscaleFileSync(readFixture(c.file), { autoOrient: false }),
    ]) {
      expect(firstDifference(result.data, expected)).toBeUndefined();
      expect(result).toMatchObject({ width: c.width, height: c.height, oriented: false, inputFormat: c.format });
      // The tag is reported all the same (0 when absent or not 1..8).
      expect(result.orientation).toBe(c.orientation >= 1 && c.orientation <= 8 ? c.orientation : 0);
    }
  });
});

describe('autoOrient: true equals exif_transpose', () => {
  it.each(CASES)('%s', async (_, c) => {
    const expected = readFixture(c.oriented);
    const turned = c.orientation >= 2 && c.orientation <= 8;
    for (const result of [
      await grayscaleFile(fixture(c.file), { autoOrient: true }),
      grayscaleFileSync(readFixture(c.file), { autoOrient: true }),
    ]) {
      expect(firstDifference(result.data, expected)).toBeUndefined();
      expect(result).toMatchObject({ width: c.orientedWidth, height: c.orientedHeight, oriented: turned });
      if (!turned) expect(result.timings.orient).toBe(0);
    }
    if (c.lumaOriented !== undefined) {
      const luma = await grayscaleFile(fixture(c.file), { autoOrient: true, mode: 'luma' });
      expect(luma.mode).toBe('luma');
      expect(firstDifference(luma.data, readFixture(c.lumaOriented))).toBeUndefined();
      const lumaAsStored = grayscaleFileSync(fixture(c.file), { mode: 'luma' });
      expect(firstDifference(lumaAsStored.data, readFixture(c.luma!))).toBeUndefined();
    }
  });

  it.each(CASES.filter(([, c]) => c.orientation >= 2 && c.orientation <= 8))(
    '%s: encoded upright, with no orientation left in the output',
    async (_, c) => {
      for (const format of ['png', 'jpeg'] as const) {
        const encoded = await grayscaleFile(fixture(c.file), { autoOrient: true, encode: true, format });
        expect(encoded).toMatchObject({ width: c.orientedWidth, height: c.orientedHeight, oriented: true, format });
        const back = grayscaleFileSync(encoded.data, { autoOrient: true });
        // A viewer must not turn it again.
        expect(back).toMatchObject({
          orientation: 0,
          oriented: false,
          width: c.orientedWidth,
          height: c.orientedHeight,
        });
        if (format === 'png') expect(firstDifference(back.data, readFixture(c.oriented))).toBeUndefined();
      }
    },
  );
});

describe('a large oriented image', () => {
  it("turns every row: the pixels of a quarter turn of Pillow's L", async () => {
    const width = 1200;
    const height = 700;
    const rgb = photoLikeRgb(width, height, 9);
    const gray = pillowL(rgb);
    // Orientation 6: the stored image is turned 90 degrees clockwise for display.
    const result = await grayscaleFile(encodeRgbPng(rgb, width, height, 6), { autoOrient: true });
    expect(result).toMatchObject({ width: height, height: width, orientation: 6, oriented: true });
    const expected = new Uint8Array(width * height);
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) expected[x * height + (height - 1 - y)] = gray[y * width + x]!;
    expect(firstDifference(result.data, expected)).toBeUndefined();
  });

  it('progress counts the stored rows decoded, then the turned rows encoded', async () => {
    const width = 3000;
    const height = 1000;
    const png = encodeRgbPng(photoLikeRgb(width, height, 4), width, height, 6);
    const total = height + width; // 1000 rows decoded, then 3000 rows of the turned image encoded
    const reports: Array<[number, number]> = [];
    const result = await grayscaleFile(png, {
      autoOrient: true,
      encode: true,
      format: 'png',
      onProgress: (done, all) => void reports.push([done, all]),
    });
    expect(result).toMatchObject({ width: height, height: width, oriented: true });
    expect(reports.at(-1)).toEqual([total, total]);
    for (const [done, all] of reports) {
      expect(all).toBe(total);
      expect(done).toBeLessThanOrEqual(total);
    }
    const sync: Array<[number, number]> = [];
    grayscaleFileSync(png, {
      autoOrient: true,
      encode: true,
      format: 'png',
      onProgress: (done, all) => void sync.push([done, all]),
    });
    expect(sync.at(-1)).toEqual([total, total]);
  });
});

// Where exif_transpose finds the orientation (scripts/make-image-fixtures.py,
// make_orientation_sources): the tag stored as LONG, signed, rational, BYTE,
// twice or with two values; a PNG eXIf after IDAT (read only when none came
// before it); XMP tiff:Orientation in PNG tEXt, zTXt and iTXt, attribute and
// element forms, used only when the EXIF has no Orientation tag; no XMP
// from a JPEG (Pillow 9.4 reads none there); ImageMagick's hex EXIF in a PNG
// text chunk ("Raw profile type exif", read when there is no eXIf) and a tEXt
// keyed "exif" (which Pillow takes for the eXIf).
describe('the orientation is found where Pillow 9.4 finds it', () => {
  const SOURCES = orientSourcesManifest.sources.map((c) => [c.file.split('/')[1]!, c] as const);

  it('covers each source', () => {
    const names = SOURCES.map(([name]) => name).join(' ');
    for (const part of [
      'long-6',
      'long-8-be',
      'sshort',
      'slong',
      'rational',
      'byte',
      'count2',
      'twice',
      'after-idat',
      'before-3-after-6',
      'tEXt',
      'zTXt',
      'iTXt-attr',
      'iTXt-z',
      'element',
      'exif-no-tag-xmp',
      'exif-3-xmp',
      'jpeg-xmp-only',
      'rawexif-tEXt',
      'rawexif-zTXt',
      'rawexif-iTXt',
      'rawexif-no-exif-header',
      'rawexif-spaced',
      'rawexif-after-idat',
      'rawexif-twice',
      'exif-3-rawexif',
      'rawexif-no-tag-xmp',
      'rawexif-empty-xmp',
      'text-exif',
    ]) {
      expect(names).toContain(part);
    }
  });

  it.each(SOURCES)('%s', async (_, c) => {
    const expected = readFixture(c.oriented);
    const turned = c.orientation >= 2 && c.orientation <= 8;
    for (const result of [
      await grayscaleFile(fixture(c.file), { autoOrient: true }),
      grayscaleFileSync(readFixture(c.file), { autoOrient: true }),
    ]) {
      expect(result.orientation, `Pillow: ${c.pillowValue}`).toBe(c.orientation);
      expect(result).toMatchObject({ width: c.orientedWidth, height: c.orientedHeight, oriented: turned });
      expect(firstDifference(result.data, expected)).toBeUndefined();
    }
  });
});
