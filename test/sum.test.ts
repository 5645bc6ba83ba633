// sumOfSquares against the pure-JS reference, bit for bit, on every path:
// the JS kernel, the native kernel on the calling thread, and on the pool.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { binding } from '../lib/binding.js';
import { getConcurrency, setConcurrency, sumOfSquares, sumOfSquaresSync } from '../lib/index.js';
import { SUM_BLOCK } from '../lib/js/sum.js';
import * as reference from '../lib/reference.js';
import { NUMBER_ARRAY_TYPES, randomArray, rng } from './helpers.js';
import { PATHS, resetPaths, usePath } from './paths.js';

const initialThreads = getConcurrency();
afterAll(() => setConcurrency(initialThreads));

// Several native chunks (65536 summed elements each) and a tail: an input
// read at the wrong stride after the first chunk cannot go unnoticed.
const MULTI_CHUNK = 400_003;

it('lib and the native side cut sums into the same blocks', () => {
  expect(SUM_BLOCK).toBe(binding.constants().sumBlock);
});

describe.each(PATHS)('sumOfSquares on the %s path', (path) => {
  beforeAll(() => usePath(path));
  afterAll(resetPaths);

  it(`${path} path: 1..n is n(n+1)(2n+1)/6 while that is exact in a double`, async () => {
    for (const n of [1, 10, 1000, 65_536, 65_537, 200_000]) {
      const exact = (n * (n + 1) * (2 * n + 1)) / 6;
      expect(Number.isSafeInteger(exact)).toBe(true);
      expect(await sumOfSquares({ from: 1, to: n })).toBe(exact);
      const array = new Float64Array(n).map((_, i) => i + 1);
      expect(await sumOfSquares(array)).toBe(exact);
      expect(sumOfSquaresSync(array)).toBe(exact);
    }
  });

  it(`${path} path: 1..1,000,000 is the double nearest to the exact sum`, async () => {
    const exact = (1_000_000n * 1_000_001n * 2_000_001n) / 6n;
    expect(await sumOfSquares({ from: 1, to: 1_000_000 })).toBe(Number(exact));
  });

  it(`${path} path: is more accurate than naive summation where it errs`, async () => {
    // 2^27 followed by many ones: a naive float sum loses every 1.
    const input = new Float64Array(300_001).fill(1);
    input[0] = 2 ** 27;
    expect(await sumOfSquares(input)).toBe(2 ** 54 + 300_000);
  });

  it(`${path} path: follows the NaN and Infinity rules`, async () => {
    const input = new Float64Array(200_000).fill(1);
    input[150_000] = Infinity;
    expect(await sumOfSquares(input)).toBe(Infinity);
    input[10] = NaN;
    expect(await sumOfSquares(input)).toBeNaN();
    const huge = new Float64Array(100_000).fill(1e300);
    expect(await sumOfSquares(huge)).toBe(Infinity);
    expect(await sumOfSquares(new Float64Array(0))).toBe(0);
  });

  for (const Type of NUMBER_ARRAY_TYPES) {
    it(`${path} path: ${Type.name}, lengths around blocks and chunks and ${MULTI_CHUNK}, bit for bit as the reference`, async () => {
      for (const length of [0, 1, 16_383, 16_385, 65_536, 65_537, 131_073, MULTI_CHUNK]) {
        const input = randomArray(Type, length, length * 7 + 1);
        const expected = reference.sumOfSquaresSync(input);
        expect(await sumOfSquares(input)).toBe(expected);
        expect(sumOfSquaresSync(input)).toBe(expected);
      }
      // At an offset into its buffer too.
      const whole = randomArray(Type, MULTI_CHUNK + 5, 3);
      const offset = new (Type as typeof Float64Array)(whole.buffer, Type.BYTES_PER_ELEMENT * 5, MULTI_CHUNK);
      expect(await sumOfSquares(offset)).toBe(reference.sumOfSquaresSync(offset));
    });
  }

  for (const Type of [BigInt64Array, BigUint64Array]) {
    it(`${path} path: ${Type.name}, ${MULTI_CHUNK} elements (several chunks), exact, as the reference`, async () => {
      const next = rng(29);
      // |v| < 4.8e6 keeps 400,003 squares below 2^63.
      const input = new Type(MULTI_CHUNK);
      for (let i = 0; i < MULTI_CHUNK; i++)
        input[i] = BigInt(Math.floor((Type === BigInt64Array ? next() * 2 - 1 : next()) * 4.8e6));
      const expected = reference.sumOfSquaresSync(input);
      expect(await sumOfSquares(input)).toBe(expected);
      expect(sumOfSquaresSync(input)).toBe(expected);
    });
  }

  it(`${path} path: ranges, as the reference`, async () => {
    for (const [from, to] of [
      [-3, 3],
      [1, 3_000_000],
      [-(2 ** 31), -(2 ** 31) + 500_000],
    ]) {
      expect(await sumOfSquares({ from, to })).toBe(reference.sumOfSquaresSync({ from, to }));
      expect(sumOfSquaresSync({ from, to })).toBe(reference.sumOfSquaresSync({ from, to }));
    }
  });

  it(`${path} path: BigInt sums are exact`, async () => {
    const input = new BigInt64Array(100_000).fill(3n);
    expect(await sumOfSquares(input)).toBe(900_000n);
    expect(sumOfSquaresSync(new BigUint64Array([4294967295n]))).toBe(18446744065119617025n);
  });

  it(`${path} path: a BigInt sum that does not fit 64 bits rejects, at the caller`, async () => {
    const input = new BigInt64Array(300_000).fill(3037000499n);
    const error = (await sumOfSquares(input).catch((e: unknown) => e)) as Error;
    expect(error).toMatchObject({ name: 'RangeError', code: 'ERR_OUT_OF_RANGE' });
    expect(error.stack?.split('\n')[1]).toContain('sum.test.ts');
    expect(() => sumOfSquaresSync(input)).toThrow(RangeError);
    expect(() => sumOfSquaresSync(new BigUint64Array([4294967295n, 4294967295n]))).toThrow(RangeError);
    expect(() => sumOfSquaresSync(new BigInt64Array([3037000500n]))).toThrow(RangeError);
  });
});

describe('sumOfSquares whatever the pool size (pool path)', () => {
  beforeAll(() => usePath('pool'));
  afterAll(resetPaths);

  it('pool path: gives the identical result at every pool size, many calls at once', async () => {
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
