import { describe, expect, it } from 'vitest';

import { grayscale, grayscaleSync } from '../lib/index.js';
import * as reference from '../lib/reference.js';
import { expectSameValues, randomBytes } from './helpers.js';

function pixel(rgb: [number, number, number], options: { order?: 'rgb' | 'bgr'; weights?: 'bt601' | 'bt709' } = {}) {
  return grayscaleSync({ data: new Uint8Array(rgb), width: 1, height: 1, channels: 3 }, options)[0];
}

describe('grayscale known values', () => {
  it("matches Pillow's convert('L')", () => {
    expect(pixel([255, 0, 0])).toBe(76);
    expect(pixel([0, 255, 0])).toBe(150);
    expect(pixel([0, 0, 255])).toBe(29);
    expect(pixel([255, 255, 255])).toBe(255);
    expect(pixel([0, 0, 0])).toBe(0);
    // (12*19595 + 200*38470 + 99*7471 + 32768) >> 16
    expect(pixel([12, 200, 99])).toBe((12 * 19595 + 200 * 38470 + 99 * 7471 + 32768) >> 16);
  });

  it('bt709 weights and bgr order', () => {
    expect(pixel([255, 0, 0], { weights: 'bt709' })).toBe((255 * 13933 + 32768) >> 16);
    expect(pixel([0, 0, 255], { order: 'bgr' })).toBe(76);
    expect(pixel([255, 0, 0], { order: 'bgr' })).toBe(29);
  });
});

describe('grayscale against the reference', () => {
  const cases = [
    { width: 1, height: 1 },
    { width: 67, height: 3 },
    { width: 1920, height: 1080 },
    { width: 333, height: 517 },
  ];
  for (const { width, height } of cases) {
    for (const channels of [3, 4] as const) {
      it(`${width}x${height}, ${channels} channels, every option`, async () => {
        for (const stride of [width * channels, width * channels + 5]) {
          const data = randomBytes(stride * height, width * 31 + channels);
          const image = { data, width, height, channels, stride };
          for (const order of ['rgb', 'bgr'] as const) {
            for (const weights of ['bt601', 'bt709'] as const) {
              const expected = reference.grayscaleSync(image, { order, weights });
              expectSameValues(await grayscale(image, { order, weights }), expected);
              expectSameValues(grayscaleSync(image, { order, weights }), expected);
            }
          }
        }
      });
    }
  }

  it('every RGB value (2^24 pixels) matches the formula', async () => {
    const data = new Uint8Array(3 * 2 ** 24);
    for (let v = 0, i = 0; v < 2 ** 24; v++, i += 3) {
      data[i] = v >> 16;
      data[i + 1] = (v >> 8) & 255;
      data[i + 2] = v & 255;
    }
    const gray = await grayscale({ data, width: 4096, height: 4096, channels: 3 });
    const expected = reference.grayscaleSync({ data, width: 4096, height: 4096, channels: 3 });
    expectSameValues(gray, expected);
  });
});

describe('grayscale inputs', () => {
  it('accepts an ImageData-like object and infers channels', async () => {
    const data = new Uint8ClampedArray(randomBytes(400 * 300 * 4, 3));
    const imageData = { data, width: 400, height: 300, colorSpace: 'srgb' };
    expectSameValues(await grayscale(imageData), reference.grayscaleSync({ data: new Uint8Array(data.buffer), width: 400, height: 300, channels: 4 }));
  });

  it('accepts a Buffer and writes into options.out', async () => {
    const data = Buffer.from(randomBytes(500 * 500 * 3, 8));
    const out = new Uint8Array(500 * 500);
    expect(await grayscale({ data, width: 500, height: 500 }, { out })).toBe(out);
    expectSameValues(out, reference.grayscaleSync({ data, width: 500, height: 500 }));
  });

  it('empty images give empty results', async () => {
    expect((await grayscale({ data: new Uint8Array(0), width: 0, height: 10, channels: 3 })).length).toBe(0);
    expect(grayscaleSync({ data: new Uint8Array(0), width: 10, height: 0, channels: 4 }).length).toBe(0);
  });

  it('rejects an out that overlaps the data', async () => {
    const data = new Uint8Array(300 * 300 * 4);
    const out = data.subarray(0, 300 * 300);
    await expect(grayscale({ data, width: 300, height: 300 }, { out })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' });
  });
});
