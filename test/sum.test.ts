import { afterAll, describe, expect, it } from 'vitest';

import { getConcurrency, setConcurrency, sumOfSquares, sumOfSquaresSync } from '../lib/index.js';
import * as reference from '../lib/reference.js';
import { NUMBER_ARRAY_TYPES, randomArray } from './helpers.js';

const initialThreads = getConcurrency();
afterAll(() => setConcurrency(initialThreads));

describe('sumOfSquares known values', () => {
  it('1..n is n(n+1)(2n+1)/6 while that is exact in a double', async () => {
    for (const n of [1, 10, 1000, 65_536, 65_537, 200_000]) {
      const exact = (n * (n + 1) * (2 * n + 1)) / 6;
      expect(Number.isSafeInteger(exact)).toBe(true);
      expect(await sumOfSquares({ from: 1, to: n })).toBe(exact);
      const array = new Float64Array(n).map((_, i) => i + 1);
      expect(await sumOfSquares(array)).toBe(exact);
      expect(sumOfSquaresSync(array)).toBe(exact);
    }
  });

  it('1..1,000,000 is the double nearest to the exact sum', async () => {
    const exact = (1_000_000n * 1_000_001n * 2_000_001n) / 6n;
    expect(await sumOfSquares({ from: 1, to: 1_000_000 })).toBe(Number(exact));
  });

  it('is more accurate than naive and pairwise summation where they err', async () => {
    // 2^27 followed by many ones: a naive float sum loses every 1.
    const input = new Float64Array(300_001).fill(1);
    input[0] = 2 ** 27;
    expect(await sumOfSquares(input)).toBe(2 ** 54 + 300_000);
  });

  it('follows the NaN and Infinity rules', async () => {
    const input = new Float64Array(200_000).fill(1);
    input[150_000] = Infinity;
    expect(await sumOfSquares(input)).toBe(Infinity);
    input[10] = NaN;
    expect(await sumOfSquares(input)).toBeNaN();
    const huge = new Float64Array(100_000).fill(1e300);
    expect(await sumOfSquares(huge)).toBe(Infinity);
    expect(await sumOfSquares(new Float64Array(0))).toBe(0);
  });
});

describe('sumOfSquares against the reference, bit for bit', () => {
  for (const Type of NUMBER_ARRAY_TYPES) {
    it(`${Type.name}`, async () => {
      for (const length of [0, 1, 16_383, 16_385, 65_536, 65_537, 250_001]) {
        const input = randomArray(Type, length, length * 7 + 1);
        const expected = reference.sumOfSquaresSync(input);
        expect(await sumOfSquares(input)).toBe(expected);
        expect(sumOfSquaresSync(input)).toBe(expected);
      }
    });
  }

  it('ranges', async () => {
    for (const [from, to] of [[-3, 3], [1, 3_000_000], [-(2 ** 31), -(2 ** 31) + 500_000]]) {
      expect(await sumOfSquares({ from, to })).toBe(reference.sumOfSquaresSync({ from, to }));
    }
  });

  it('gives the identical result at every pool size', async () => {
    const input = randomArray(Float64Array, 1_000_003, 99);
    const expected = reference.sumOfSquaresSync(input);
    for (const threads of [1, 2, 3, 7, 16]) {
      setConcurrency(threads);
      // Several at once, so chunks finish out of order.
      const results = await Promise.all([sumOfSquares(input), sumOfSquares(input), sumOfSquares(input)]);
      expect(results).toEqual([expected, expected, expected]);
      expect(sumOfSquaresSync(input)).toBe(expected);
    }
  });
});

describe('BigInt sums', () => {
  it('sums exactly', async () => {
    const input = new BigInt64Array(100_000).fill(3n);
    expect(await sumOfSquares(input)).toBe(900_000n);
    expect(sumOfSquaresSync(new BigUint64Array([4294967295n]))).toBe(18446744065119617025n);
  });

  it('rejects when the sum does not fit 64 bits', async () => {
    const input = new BigInt64Array(100_000).fill(3037000499n);
    await expect(sumOfSquares(input)).rejects.toMatchObject({ name: 'RangeError', code: 'ERR_OUT_OF_RANGE' });
    expect(() => sumOfSquaresSync(new BigUint64Array([4294967295n, 4294967295n]))).toThrow(RangeError);
    expect(() => sumOfSquaresSync(new BigInt64Array([3037000500n]))).toThrow(RangeError);
  });
});
