import { describe, expect, it, vi } from 'vitest';

import { squaresInto } from '../lib/js/squares.js';
import {
  SUM_BLOCK,
  sumOfSquaresOf,
  sumSquaresOfArray,
  sumSquaresOfRange,
  sumSquaresPartsOfArray,
  sumSquaresPartsOfRange,
} from '../lib/js/sum.js';
import {
  computeSquares,
  computeSquaresSync,
  grayscale,
  grayscaleSync,
  sumOfSquares,
  sumOfSquaresSync,
} from '../lib/reference.js';
import { allocateSquaresOut, planSquares } from '../lib/validate.js';
import { NUMBER_ARRAY_TYPES } from './helpers.js';

// ---------------------------------------------------------------------------
// Independent oracles, written plainly from the specification (no unrolling).

function twoSum(a: number, b: number): [number, number] {
  const s = a + b;
  const bb = s - a;
  return [s, a - (s - bb) + (b - bb)];
}

/** The sum-of-squares arithmetic exactly as specified, value(j) giving element j. */
function specSum(n: number, value: (j: number) => number): number {
  const { hi, lo } = specSumParts(n, value);
  return Number.isFinite(hi) ? hi + lo : hi;
}

/** The specified (total.hi, total.lo) before the final addition. */
function specSumParts(n: number, value: (j: number) => number): { hi: number; lo: number } {
  let totalHi = 0;
  let totalLo = 0;
  for (let start = 0; start < n; start += 16384) {
    const end = Math.min(n, start + 16384);
    const s = new Array<number>(8).fill(0);
    const c = new Array<number>(8).fill(0);
    for (let j = 0; j < end - start; j++) {
      const l = j % 8;
      const v = value(start + j);
      const x = v * v;
      const y = x - c[l];
      const t = s[l] + y;
      c[l] = t - s[l] - y;
      s[l] = t;
    }
    let hi = 0;
    let lo = 0;
    for (let l = 0; l < 8; l++) {
      const [h, e] = twoSum(hi, s[l]);
      hi = h;
      lo = lo + (e - c[l]);
    }
    if (!Number.isFinite(hi + lo)) {
      let nan = false;
      for (let j = start; j < end; j++) if (Number.isNaN(value(j))) nan = true;
      hi = nan ? NaN : Infinity;
      lo = 0;
    }
    if (!Number.isFinite(totalHi) || !Number.isFinite(hi)) {
      totalHi = totalHi + hi;
      totalLo = 0;
    } else {
      const [h, e] = twoSum(totalHi, hi);
      totalLo = totalLo + (e + lo);
      totalHi = h;
    }
  }
  return { hi: totalHi, lo: totalLo };
}

function naiveSum(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return s;
}

function pairwiseSum(a: ArrayLike<number>, lo = 0, hi = a.length): number {
  if (hi - lo === 1) return a[lo] * a[lo];
  if (hi - lo === 0) return 0;
  const mid = (lo + hi) >>> 1;
  return pairwiseSum(a, lo, mid) + pairwiseSum(a, mid, hi);
}

function exactSumOfIntegerSquares(a: ArrayLike<number>): bigint {
  let s = 0n;
  for (let i = 0; i < a.length; i++) s += BigInt(a[i]) * BigInt(a[i]);
  return s;
}

/** Deterministic pseudo-random numbers in [0, 1). */
function rng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function gray(r: number, g: number, b: number, w: readonly number[] = [19595, 38470, 7471]): number {
  return Math.floor((r * w[0] + g * w[1] + b * w[2] + 32768) / 65536);
}

const SQUARES_1_TO_10 = [1, 4, 9, 16, 25, 36, 49, 64, 81, 100];

// ---------------------------------------------------------------------------

describe('computeSquaresSync', () => {
  it('squares 1..10 from every kind of input', () => {
    const inputs = [
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
      Float64Array.from(SQUARES_1_TO_10, (_, i) => i + 1),
      Float32Array.from(SQUARES_1_TO_10, (_, i) => i + 1),
      Int8Array.from(SQUARES_1_TO_10, (_, i) => i + 1),
      Uint8Array.from(SQUARES_1_TO_10, (_, i) => i + 1),
      Uint8ClampedArray.from(SQUARES_1_TO_10, (_, i) => i + 1),
      Int16Array.from(SQUARES_1_TO_10, (_, i) => i + 1),
      Uint16Array.from(SQUARES_1_TO_10, (_, i) => i + 1),
      Int32Array.from(SQUARES_1_TO_10, (_, i) => i + 1),
      Uint32Array.from(SQUARES_1_TO_10, (_, i) => i + 1),
      { from: 1, to: 10 },
    ];
    for (const input of inputs) {
      const out = computeSquaresSync(input);
      expect(out).toBeInstanceOf(Float64Array);
      expect(Array.from(out)).toEqual(SQUARES_1_TO_10);
    }
  });

  it('keeps BigInt array types and squares exactly', () => {
    const out = computeSquaresSync(new BigInt64Array([-3n, 0n, 3037000499n, -3037000499n]));
    expect(out).toBeInstanceOf(BigInt64Array);
    expect(Array.from(out)).toEqual([9n, 0n, 9223372030926249001n, 9223372030926249001n]);
    const u = computeSquaresSync(new BigUint64Array([7n, 4294967295n]));
    expect(u).toBeInstanceOf(BigUint64Array);
    expect(Array.from(u)).toEqual([49n, 18446744065119617025n]);
  });

  it('follows IEEE semantics for special values', () => {
    const out = computeSquaresSync([NaN, Infinity, -Infinity, -0, 0, 1e200, -1e200, 1e-200, 1.5, -2.5]);
    expect(Number.isNaN(out[0])).toBe(true);
    expect(out[1]).toBe(Infinity);
    expect(out[2]).toBe(Infinity);
    expect(Object.is(out[3], 0)).toBe(true); // -0 squared is +0
    expect(Object.is(out[4], 0)).toBe(true);
    expect(out[5]).toBe(Infinity);
    expect(out[6]).toBe(Infinity);
    expect(Object.is(out[7], 0)).toBe(true);
    expect(out[8]).toBe(2.25);
    expect(out[9]).toBe(6.25);
  });

  it('squares Float32 values in double precision (no rounding back to float)', () => {
    const f = Math.fround(0.1);
    const out = computeSquaresSync(new Float32Array([0.1]));
    expect(out[0]).toBe(f * f);
    expect(out[0]).not.toBe(Math.fround(f * f));
  });

  it('handles the extremes of the integer types', () => {
    expect(Array.from(computeSquaresSync(new Int8Array([-128, 127])))).toEqual([16384, 16129]);
    expect(Array.from(computeSquaresSync(new Int32Array([-2147483648])))).toEqual([2 ** 62]);
    expect(computeSquaresSync(new Uint32Array([4294967295]))[0]).toBe(4294967295 * 4294967295);
  });

  it('handles empty inputs', () => {
    expect(computeSquaresSync([])).toEqual(new Float64Array(0));
    expect(computeSquaresSync(new Int16Array(0))).toEqual(new Float64Array(0));
    const big = computeSquaresSync(new BigInt64Array(0));
    expect(big).toBeInstanceOf(BigInt64Array);
    expect(big.length).toBe(0);
  });

  it('handles ranges of one element, negative ranges and ranges near 2^53', () => {
    expect(Array.from(computeSquaresSync({ from: 5, to: 5 }))).toEqual([25]);
    expect(Array.from(computeSquaresSync({ from: -3, to: 3 }))).toEqual([9, 4, 1, 0, 1, 4, 9]);
    expect(Array.from(computeSquaresSync({ from: -7, to: -5 }))).toEqual([49, 36, 25]);
    const zero = computeSquaresSync({ from: -0, to: 0 });
    expect(Object.is(zero[0], 0)).toBe(true);
    const top = Number.MAX_SAFE_INTEGER;
    const out = computeSquaresSync({ from: top - 1, to: top });
    expect(out[0]).toBe((top - 1) * (top - 1));
    expect(out[1]).toBe(top * top);
  });

  it('writes into options.out, including in place', () => {
    const input = new Float64Array([1, -2, 3]);
    const out = new Float64Array(3);
    expect(computeSquaresSync(input, { out })).toBe(out);
    expect(Array.from(out)).toEqual([1, 4, 9]);
    expect(Array.from(input)).toEqual([1, -2, 3]);

    expect(computeSquaresSync(input, { out: input })).toBe(input);
    expect(Array.from(input)).toEqual([1, 4, 9]);

    const big = new BigInt64Array([-5n, 6n]);
    expect(computeSquaresSync(big, { out: big })).toBe(big);
    expect(Array.from(big)).toEqual([25n, 36n]);

    const range = new Float64Array(4);
    computeSquaresSync({ from: 2, to: 5 }, { out: range });
    expect(Array.from(range)).toEqual([4, 9, 16, 25]);
  });

  it('throws a RangeError naming the element whose BigInt square does not fit', () => {
    expect(() => computeSquaresSync(new BigInt64Array([1n, 3037000500n]))).toThrow(
      expect.objectContaining({
        name: 'RangeError',
        code: 'ERR_OUT_OF_RANGE',
        message: expect.stringMatching(/"input\[1\]".*3037000500n/),
      }),
    );
    expect(() => computeSquaresSync(new BigInt64Array([-3037000500n]))).toThrow(
      expect.objectContaining({
        code: 'ERR_OUT_OF_RANGE',
        message: expect.stringMatching(/"input\[0\]".*BigInt64Array/),
      }),
    );
    expect(() => computeSquaresSync(new BigInt64Array([0n, 0n, -(2n ** 63n)]))).toThrow(/"input\[2\]"/);
    expect(() => computeSquaresSync(new BigUint64Array([4294967296n]))).toThrow(
      expect.objectContaining({
        name: 'RangeError',
        code: 'ERR_OUT_OF_RANGE',
        message: expect.stringMatching(/"input\[0\]".*BigUint64Array/),
      }),
    );
    expect(() => computeSquaresSync(new BigUint64Array([2n ** 64n - 1n]))).toThrow(RangeError);
  });

  it('squaresInto agrees with a plain loop on random data of every type', () => {
    const next = rng(7);
    const types = NUMBER_ARRAY_TYPES;
    for (const T of types) {
      const a = new T(1000);
      for (let i = 0; i < a.length; i++) a[i] = (next() - 0.5) * 2 ** 34 * (i % 3 === 0 ? 1e-9 : 1);
      const plan = planSquares(a);
      const out = allocateSquaresOut(plan) as Float64Array;
      squaresInto(plan, out);
      for (let i = 0; i < a.length; i++) expect(out[i]).toBe(a[i] * a[i]);
    }
  });
});

describe('sumOfSquaresSync', () => {
  it('sums the squares of 1..1e6 exactly (correctly rounded) from a range and from a Float64Array', () => {
    const n = 1_000_000n;
    const exact = Number((n * (n + 1n) * (2n * n + 1n)) / 6n);
    const array = Float64Array.from({ length: 1_000_000 }, (_, i) => i + 1);
    expect(naiveSum(array)).not.toBe(exact); // the data set is one where plain summation errs
    expect(sumOfSquaresSync({ from: 1, to: 1_000_000 })).toBe(exact);
    expect(sumOfSquaresSync(array)).toBe(exact);
    expect(sumOfSquaresSync(Int32Array.from(array))).toBe(exact);
  });

  it('sums small inputs', () => {
    expect(sumOfSquaresSync([1, 2, 3])).toBe(14);
    expect(sumOfSquaresSync({ from: -3, to: 3 })).toBe(28);
    expect(sumOfSquaresSync({ from: 4, to: 4 })).toBe(16);
    expect(sumOfSquaresSync([-0.5])).toBe(0.25);
  });

  it('returns +0 / 0n for empty inputs', () => {
    expect(Object.is(sumOfSquaresSync([]), 0)).toBe(true);
    expect(Object.is(sumOfSquaresSync([-0]), 0)).toBe(true);
    expect(sumOfSquaresSync(new BigInt64Array(0))).toBe(0n);
    expect(sumOfSquaresSync(new BigUint64Array(0))).toBe(0n);
  });

  it('follows the NaN / Infinity rules', () => {
    expect(sumOfSquaresSync([1, NaN, 2])).toBeNaN();
    expect(sumOfSquaresSync([Infinity, 1])).toBe(Infinity);
    expect(sumOfSquaresSync([-Infinity])).toBe(Infinity);
    expect(sumOfSquaresSync([NaN, Infinity])).toBeNaN();
    expect(sumOfSquaresSync([1e200, 1])).toBe(Infinity);
    // Each square is finite, only their sum overflows: the lane fold gives
    // hi = Infinity, lo = NaN; the block must become +Infinity, not NaN.
    expect(sumOfSquaresSync([1e154, 1e154])).toBe(Infinity);
    expect(sumOfSquaresSync(new Float32Array([1, NaN]))).toBeNaN();
    expect(sumOfSquaresSync(new Float32Array([Infinity, 2]))).toBe(Infinity);
  });

  it('follows the NaN / Infinity rules across blocks', () => {
    const twoBlocks = new Float64Array(SUM_BLOCK + 1);
    twoBlocks[0] = 1e154;
    twoBlocks[SUM_BLOCK] = 1e154; // the block sums are finite, their total overflows
    expect(sumOfSquaresSync(twoBlocks)).toBe(Infinity);

    const nanLater = new Float64Array(SUM_BLOCK * 2);
    nanLater[0] = Infinity;
    nanLater[SUM_BLOCK + 5] = NaN;
    expect(sumOfSquaresSync(nanLater)).toBeNaN();

    const infLater = new Float64Array(SUM_BLOCK * 3).fill(1);
    infLater[SUM_BLOCK * 2 + 1] = -Infinity;
    expect(sumOfSquaresSync(infLater)).toBe(Infinity);
  });

  it('is more accurate than naive and pairwise summation', () => {
    // 2^104 followed by 31 copies of 2^48 = ulp(2^104) / 16: each small
    // square alone is below half an ulp of the big one.
    const a = new Float64Array(32).fill(2 ** 24);
    a[0] = 2 ** 52;
    const exact = Number(exactSumOfIntegerSquares(a)); // 2^104 + 2 ulp after rounding
    expect(exact).toBe(2 ** 104 + 2 * 2 ** 52);
    expect(naiveSum(a)).not.toBe(exact);
    expect(pairwiseSum(a)).not.toBe(exact);
    expect(sumOfSquaresSync(a)).toBe(exact);
  });

  it('is correctly rounded on random integers over many blocks', () => {
    const next = rng(12345);
    const a = new Float64Array(SUM_BLOCK * 5 + 13);
    for (let i = 0; i < a.length; i++) a[i] = Math.floor(next() * 2 ** 26) * (i % 2 ? 1 : -1);
    const exact = Number(exactSumOfIntegerSquares(a));
    expect(naiveSum(a)).not.toBe(exact);
    expect(sumOfSquaresSync(a)).toBe(exact);
  });

  it('matches the specified arithmetic bit for bit (unrolled lanes, tails, blocks)', () => {
    const next = rng(99);
    for (const n of [0, 1, 7, 8, 9, 15, 17, 100, SUM_BLOCK - 1, SUM_BLOCK, SUM_BLOCK + 1, SUM_BLOCK * 3 + 5]) {
      const a = new Float64Array(n);
      for (let i = 0; i < n; i++) a[i] = (next() - 0.5) * 10 ** Math.floor(next() * 20 - 10);
      expect(sumSquaresOfArray(a)).toBe(specSum(n, (j) => a[j]));
      // The unrounded (hi, lo) pair exposes any change in the order of operations.
      expect(sumSquaresPartsOfArray(a)).toEqual(specSumParts(n, (j) => a[j]));
      const f = Float32Array.from(a);
      expect(sumOfSquaresSync(f)).toBe(specSum(n, (j) => f[j]));
      expect(sumSquaresPartsOfArray(f)).toEqual(specSumParts(n, (j) => f[j]));
    }
    for (const [from, count] of [
      [1, 1],
      [-5, 11],
      [2 ** 40, SUM_BLOCK * 2 + 3],
      [Number.MAX_SAFE_INTEGER - 20_000, 20_001],
      [-Number.MAX_SAFE_INTEGER, 9],
    ]) {
      const spec = specSum(count, (j) => from + j);
      expect(sumSquaresOfRange(from, count)).toBe(spec);
      expect(sumSquaresPartsOfRange(from, count)).toEqual(specSumParts(count, (j) => from + j));
      expect(sumOfSquaresSync({ from, to: from + count - 1 })).toBe(spec);
    }
  });

  it('sums BigInt arrays exactly, up to the 64-bit limits', () => {
    expect(sumOfSquaresSync(new BigInt64Array([3n, -4n]))).toBe(25n);
    // 3037000499^2 + 76996^2 = 2^63 - 1 - 142790
    expect(sumOfSquaresSync(new BigInt64Array([3037000499n, 76996n]))).toBe(9223372036854633017n);
    expect(() => sumOfSquaresSync(new BigInt64Array([3037000499n, 76997n]))).toThrow(
      expect.objectContaining({
        name: 'RangeError',
        code: 'ERR_OUT_OF_RANGE',
        message: expect.stringMatching(/"input".*BigInt64Array/),
      }),
    );
    expect(() => sumOfSquaresSync(new BigInt64Array([-(2n ** 63n)]))).toThrow(RangeError);

    expect(sumOfSquaresSync(new BigUint64Array([4294967295n, 92681n]))).toBe(18446744065119617025n + 8589767761n);
    expect(() => sumOfSquaresSync(new BigUint64Array([4294967295n, 92682n]))).toThrow(
      expect.objectContaining({
        name: 'RangeError',
        code: 'ERR_OUT_OF_RANGE',
        message: expect.stringMatching(/BigUint64Array/),
      }),
    );
    // Signed and unsigned limits differ: 2^63 fits a BigUint64 sum only.
    const half = new BigUint64Array(2).fill(2n ** 31n); // 2 * 2^62 = 2^63
    expect(sumOfSquaresSync(half)).toBe(2n ** 63n);
    expect(() => sumOfSquaresSync(new BigInt64Array(2).fill(2n ** 31n))).toThrow(RangeError);
  });

  it('sumOfSquaresOf works on plans', () => {
    expect(sumOfSquaresOf(planSquares({ from: 1, to: 3 }, 'input', 'sum'))).toBe(14);
    expect(sumOfSquaresOf(planSquares(new BigUint64Array([2n])))).toBe(4n);
  });
});

describe('grayscaleSync', () => {
  const rgb = (...px: number[]) => ({ data: Uint8Array.from(px), width: px.length / 3, height: 1 });

  it('gives Pillow convert("L") values with bt601', () => {
    const out = grayscaleSync(rgb(255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255, 0, 0, 0));
    expect(Array.from(out)).toEqual([76, 150, 29, 255, 0]);
  });

  it('gives hand-computed values for mixed colours', () => {
    // (100*19595 + 150*38470 + 200*7471 + 32768) >> 16 = 9256968 >> 16 = 141
    // (12*19595 + 34*38470 + 56*7471 + 32768) >> 16 = 1994264 >> 16 = 30
    // (200*19595 + 100*38470 + 50*7471 + 32768) >> 16 = 8172318 >> 16 = 124
    const out = grayscaleSync(rgb(100, 150, 200, 12, 34, 56, 200, 100, 50));
    expect(Array.from(out)).toEqual([141, 30, 124]);
  });

  it('supports bt709 weights', () => {
    // red 3585683 >> 16 = 54, green 11984873 >> 16 = 182, blue 1239428 >> 16 = 18,
    // (100,150,200): 9403118 >> 16 = 143
    const out = grayscaleSync(rgb(255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255, 100, 150, 200), { weights: 'bt709' });
    expect(Array.from(out)).toEqual([54, 182, 18, 255, 143]);
  });

  it('swaps red and blue with order bgr', () => {
    const image = rgb(0, 0, 255, 255, 0, 0, 200, 150, 100);
    expect(Array.from(grayscaleSync(image, { order: 'bgr' }))).toEqual([76, 29, 141]);
    expect(Array.from(grayscaleSync(image, { order: 'rgb' }))).toEqual([29, 76, gray(200, 150, 100)]);
    expect(Array.from(grayscaleSync(image, { order: 'bgr', weights: 'bt709' }))).toEqual([54, 18, 143]);
  });

  it('ignores alpha', () => {
    const opaque = { data: Uint8Array.from([255, 0, 0, 255, 0, 255, 0, 255]), width: 2, height: 1 };
    const clear = { data: Uint8Array.from([255, 0, 0, 0, 0, 255, 0, 17]), width: 2, height: 1 };
    expect(Array.from(grayscaleSync(opaque))).toEqual([76, 150]);
    expect(Array.from(grayscaleSync(clear))).toEqual([76, 150]);
    expect(Array.from(grayscaleSync(clear, { order: 'bgr' }))).toEqual([29, 150]);
  });

  it('skips the padding bytes of a stride, the last row unpadded', () => {
    // 2x2 RGB, stride 8: 2 padding bytes (0xFF) after the first row only.
    const data = Uint8Array.from([255, 0, 0, 0, 255, 0, 255, 255, 0, 0, 255, 255, 255, 255]);
    const out = grayscaleSync({ data, width: 2, height: 2, channels: 3, stride: 8 });
    expect(Array.from(out)).toEqual([76, 150, 29, 255]);
    // RGBA rows with stride 12 (4 padding bytes)
    const rgba = Uint8Array.from([0, 0, 255, 255, 9, 9, 9, 9, 9, 9, 9, 9, 255, 255, 255, 0]);
    expect(Array.from(grayscaleSync({ data: rgba, width: 1, height: 2, channels: 4, stride: 12 }))).toEqual([29, 255]);
  });

  it('accepts ImageData-like objects, Buffers and Uint8ClampedArrays, and infers channels', () => {
    const imageData = {
      data: new Uint8ClampedArray([255, 0, 0, 255, 0, 0, 255, 128]),
      width: 1,
      height: 2,
      colorSpace: 'srgb',
    };
    expect(Array.from(grayscaleSync(imageData))).toEqual([76, 29]);
    const buffer = Buffer.from([0, 255, 0, 255, 255, 255]);
    expect(Array.from(grayscaleSync({ data: buffer, width: 2, height: 1 }))).toEqual([150, 255]);
  });

  it('reads a Buffer view at its byte offset', () => {
    const backing = new Uint8Array([1, 2, 3, 255, 0, 0, 7, 7, 7]);
    const view = new Uint8Array(backing.buffer, 3, 3);
    expect(Array.from(grayscaleSync({ data: view, width: 1, height: 1 }))).toEqual([76]);
  });

  it('writes into options.out and returns it', () => {
    const out = new Uint8Array(2);
    expect(grayscaleSync(rgb(255, 0, 0, 0, 0, 255), { out })).toBe(out);
    expect(Array.from(out)).toEqual([76, 29]);
  });

  it('returns an empty result for a zero width or height', () => {
    expect(grayscaleSync({ data: new Uint8Array(0), width: 0, height: 5 }).length).toBe(0);
    expect(grayscaleSync({ data: new Uint8Array(0), width: 5, height: 0 }).length).toBe(0);
    expect(grayscaleSync({ data: new Uint8Array(0), width: 0, height: 0, channels: 3 }).length).toBe(0);
  });

  it('agrees with the formula on random images of every layout', () => {
    const next = rng(3);
    for (const channels of [3, 4] as const) {
      for (const order of ['rgb', 'bgr'] as const) {
        for (const weights of ['bt601', 'bt709'] as const) {
          const width = 13;
          const height = 7;
          const stride = width * channels + 5;
          const data = new Uint8Array((height - 1) * stride + width * channels);
          for (let i = 0; i < data.length; i++) data[i] = Math.floor(next() * 256);
          const out = grayscaleSync({ data, width, height, channels, stride }, { order, weights });
          const w = weights === 'bt601' ? [19595, 38470, 7471] : [13933, 46871, 4732];
          for (let y = 0; y < height; y++) {
            for (let x = 0; x < width; x++) {
              const p = y * stride + x * channels;
              const [r, b] = order === 'rgb' ? [data[p], data[p + 2]] : [data[p + 2], data[p]];
              expect(out[y * width + x]).toBe(gray(r, data[p + 1], b, w));
            }
          }
        }
      }
    }
  });
});

describe('async functions', () => {
  it('resolve to the same results as the sync ones and report progress once', async () => {
    const onProgress = vi.fn();
    const squares = await computeSquares([1, 2, 3], { onProgress });
    expect(Array.from(squares)).toEqual([1, 4, 9]);
    expect(onProgress.mock.calls).toEqual([[3, 3]]);

    const sumProgress = vi.fn();
    expect(await sumOfSquares({ from: 1, to: 1000 }, { onProgress: sumProgress })).toBe(333_833_500);
    expect(sumProgress.mock.calls).toEqual([[1000, 1000]]);
    expect(await sumOfSquares(new BigInt64Array([5n]))).toBe(5n * 5n);

    const grayProgress = vi.fn();
    const image = { data: new Uint8Array(2 * 3 * 4).fill(255), width: 2, height: 3 };
    const out = await grayscale(image, { onProgress: grayProgress });
    expect(Array.from(out)).toEqual([255, 255, 255, 255, 255, 255]);
    expect(grayProgress.mock.calls).toEqual([[6, 6]]);
  });

  it('call onProgress before resolving, never synchronously', async () => {
    const events: string[] = [];
    const promise = computeSquares(new Float64Array(4), {
      onProgress: (done, total) => events.push(`progress ${done}/${total}`),
    });
    events.push('returned');
    await promise.then(() => events.push('resolved'));
    expect(events).toEqual(['returned', 'progress 4/4', 'resolved']);
  });

  it('reject at once with the reason of an already aborted signal', async () => {
    const reason = new Error('stop');
    const signal = AbortSignal.abort(reason);
    const onProgress = vi.fn();
    await expect(computeSquares([1], { signal, onProgress })).rejects.toBe(reason);
    await expect(sumOfSquares([1], { signal })).rejects.toBe(reason);
    await expect(grayscale({ data: new Uint8Array(3), width: 1, height: 1 }, { signal })).rejects.toBe(reason);
    expect(onProgress).not.toHaveBeenCalled();
  });

  it('reject with the reason when aborted right after the call', async () => {
    const controller = new AbortController();
    const promise = computeSquares([3, 4], { signal: controller.signal });
    controller.abort('changed my mind');
    await expect(promise).rejects.toBe('changed my mind');
  });

  it('never throw synchronously: bad arguments give rejected promises', async () => {
    let p: Promise<unknown> | undefined;
    expect(() => {
      p = computeSquares('nope' as never);
    }).not.toThrow();
    await expect(p).rejects.toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });

    expect(() => {
      p = sumOfSquares([1], { signal: 'x' } as never);
    }).not.toThrow();
    await expect(p).rejects.toMatchObject({
      name: 'TypeError',
      code: 'ERR_INVALID_ARG_TYPE',
      message: expect.stringMatching(/options\.signal/),
    });

    expect(() => {
      p = grayscale({ data: new Uint8Array(3), width: -1, height: 1 });
    }).not.toThrow();
    await expect(p).rejects.toMatchObject({
      name: 'RangeError',
      code: 'ERR_OUT_OF_RANGE',
      message: expect.stringMatching(/image\.width/),
    });

    expect(() => {
      p = computeSquares(new BigInt64Array([2n ** 40n]));
    }).not.toThrow();
    await expect(p).rejects.toMatchObject({ name: 'RangeError', code: 'ERR_OUT_OF_RANGE' });

    expect(() => {
      p = grayscale({ data: new Uint8Array(3), width: 1, height: 1 }, { onProgress: 5 } as never);
    }).not.toThrow();
    await expect(p).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG_TYPE',
      message: expect.stringMatching(/options\.onProgress/),
    });
  });

  it('export only the public API', async () => {
    const reference = await import('../lib/reference.js');
    const api = [
      'computeSquares',
      'computeSquaresSync',
      'grayscale',
      'grayscaleSync',
      'sumOfSquares',
      'sumOfSquaresSync',
    ];
    expect(Object.keys(reference).sort()).toEqual([...api.slice(0, 2), 'default', ...api.slice(2)]);
    // The default export is the same public API, nothing more.
    expect(Object.keys(reference.default).sort()).toEqual(Object.keys(reference).sort());
  });
});
