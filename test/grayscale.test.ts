// grayscale against Pillow's known values and the pure-JS reference, on every
// path: the JS kernel, the native kernel on the calling thread, and on the pool.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { grayscale, grayscaleSync } from '../lib/index.js';
import * as reference from '../lib/reference.js';
import { expectSameValues, randomBytes } from './helpers.js';
import { PATHS, resetPaths, usePath } from './paths.js';

describe.each(PATHS)('grayscale on the %s path', (path) => {
  beforeAll(() => usePath(path));
  afterAll(resetPaths);

  function pixel(rgb: [number, number, number], options: { order?: 'rgb' | 'bgr'; weights?: 'bt601' | 'bt709' } = {}) {
    const image = { data: new Uint8Array(rgb), width: 1, height: 1, channels: 3 as const };
    return grayscaleSync(image, options)[0];
  }

  it(`${path} path: matches Pillow's convert('L')`, async () => {
    expect(pixel([255, 0, 0])).toBe(76);
    expect(pixel([0, 255, 0])).toBe(150);
    expect(pixel([0, 0, 255])).toBe(29);
    expect(pixel([255, 255, 255])).toBe(255);
    expect(pixel([0, 0, 0])).toBe(0);
    expect(pixel([12, 200, 99])).toBe((12 * 19595 + 200 * 38470 + 99 * 7471 + 32768) >> 16);
    const [gray] = await grayscale({ data: new Uint8Array([255, 0, 0]), width: 1, height: 1 });
    expect(gray).toBe(76);
  });

  it(`${path} path: bt709 weights and bgr order`, () => {
    expect(pixel([255, 0, 0], { weights: 'bt709' })).toBe((255 * 13933 + 32768) >> 16);
    expect(pixel([0, 0, 255], { order: 'bgr' })).toBe(76);
    expect(pixel([255, 0, 0], { order: 'bgr' })).toBe(29);
  });

  const sizes = [
    { width: 1, height: 1 },
    { width: 67, height: 3 },
    { width: 333, height: 517 },
    { width: 1920, height: 1080 },
  ];
  for (const { width, height } of sizes) {
    for (const channels of [3, 4] as const) {
      it(`${path} path: ${width}x${height}, ${channels} channels, every stride, order and weights, as the reference`, async () => {
        for (const stride of [width * channels, width * channels + 5]) {
          const data = randomBytes((height - 1) * stride + width * channels, width * 31 + channels);
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

  it(`${path} path: an ImageData-like object, channels inferred`, async () => {
    const data = new Uint8ClampedArray(randomBytes(400 * 300 * 4, 3));
    const imageData = { data, width: 400, height: 300, colorSpace: 'srgb' };
    expectSameValues(
      await grayscale(imageData),
      reference.grayscaleSync({ data: new Uint8Array(data.buffer), width: 400, height: 300, channels: 4 }),
    );
  });

  it(`${path} path: a Buffer in, options.out written and returned`, async () => {
    const data = Buffer.from(randomBytes(500 * 500 * 3, 8));
    const out = new Uint8Array(500 * 500);
    expect(await grayscale({ data, width: 500, height: 500 }, { out })).toBe(out);
    expectSameValues(out, reference.grayscaleSync({ data, width: 500, height: 500 }));
  });

  it(`${path} path: empty images give empty results`, async () => {
    expect((await grayscale({ data: new Uint8Array(0), width: 0, height: 10, channels: 3 })).length).toBe(0);
    expect(grayscaleSync({ data: new Uint8Array(0), width: 10, height: 0, channels: 4 }).length).toBe(0);
  });

  it(`${path} path: rejects an out that overlaps the data`, async () => {
    const data = new Uint8Array(300 * 300 * 4);
    const out = data.subarray(0, 300 * 300);
    await expect(grayscale({ data, width: 300, height: 300 }, { out })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG_VALUE',
    });
  });
});

describe('grayscale of every RGB value', () => {
  it('native, on the pool (default paths): 2^24 pixels as the formula', async () => {
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
