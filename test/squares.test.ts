// computeSquares against the pure-JS reference, on every path: the JS kernel,
// the native kernel on the calling thread, and the native kernel on the pool
// (forced through the runner's thresholds, whatever the input's size).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { computeSquares, computeSquaresSync, getConcurrency, setConcurrency, sumOfSquares } from '../lib/index.js';
import * as reference from '../lib/reference.js';
import { NUMBER_ARRAY_TYPES, expectSameValues, randomArray, rng } from './helpers.js';
import { PATHS, resetPaths, usePath } from './paths.js';

// Around the native chunk size (131072 squares), and a multi-chunk size.
const LENGTHS = [0, 1, 7, 32767, 32768, 32769, 131071, 131072, 131073, 200_003];
// At least three chunks and a tail: an input read at the wrong stride after
// the first chunk cannot go unnoticed.
const MULTI_CHUNK = 400_003;

function randomBigInts(
  Type: typeof BigInt64Array | typeof BigUint64Array,
  length: number,
  seed: number,
  limit: number,
) {
  const next = rng(seed);
  const array = new Type(length);
  const signed = Type === BigInt64Array;
  for (let i = 0; i < length; i++) array[i] = BigInt(Math.floor((signed ? next() * 2 - 1 : next()) * limit));
  return array;
}

describe.each(PATHS)('computeSquares on the %s path', (path) => {
  beforeAll(() => usePath(path));
  afterAll(resetPaths);

  for (const Type of NUMBER_ARRAY_TYPES) {
    it(`${path} path: ${Type.name}, every length around the chunk limits, as the reference`, async () => {
      for (const length of LENGTHS) {
        const input = randomArray(Type, length, length + 1);
        const expected = reference.computeSquaresSync(input);
        expectSameValues(await computeSquares(input), expected);
        expectSameValues(computeSquaresSync(input), expected);
      }
    });

    it(`${path} path: ${Type.name}, ${MULTI_CHUNK} elements (several chunks), as the reference`, async () => {
      const input = randomArray(Type, MULTI_CHUNK, 17);
      const expected = reference.computeSquaresSync(input);
      expectSameValues(await computeSquares(input), expected);
      expectSameValues(computeSquaresSync(input), expected);
      // At an offset into its buffer too.
      const offset = new Type(input.buffer, Type.BYTES_PER_ELEMENT * 3, MULTI_CHUNK - 3);
      expectSameValues(await computeSquares(offset), reference.computeSquaresSync(offset));
    });
  }

  for (const Type of [BigInt64Array, BigUint64Array]) {
    it(`${path} path: ${Type.name}, ${MULTI_CHUNK} elements (several chunks), exact, as the reference`, async () => {
      const input = randomBigInts(Type, MULTI_CHUNK, 23, 3e9);
      const expected = reference.computeSquaresSync(input);
      expectSameValues(await computeSquares(input), expected);
      expectSameValues(computeSquaresSync(input), expected);
    });
  }

  it(`${path} path: number[] inputs, short and long (copied in slices), as the reference`, async () => {
    for (const length of [1000, 300_001]) {
      const input = Array.from(randomArray(Float64Array, length, 9));
      const expected = reference.computeSquaresSync(input);
      expectSameValues(await computeSquares(input), expected);
      expectSameValues(computeSquaresSync(input), expected);
    }
  });

  it(`${path} path: ranges, negative, near 2^40, past several chunks, as the reference`, async () => {
    for (const [from, to] of [
      [1, 1],
      [-5, 5],
      [1, 1_000_000],
      [-40_000, 40_000],
      [2 ** 40, 2 ** 40 + 400_000],
    ]) {
      const expected = reference.computeSquaresSync({ from, to });
      expectSameValues(await computeSquares({ from, to }), expected);
      expectSameValues(computeSquaresSync({ from, to }), expected);
    }
  });

  it(`${path} path: squares 1..10`, async () => {
    expect(Array.from(await computeSquares({ from: 1, to: 10 }))).toEqual([1, 4, 9, 16, 25, 36, 49, 64, 81, 100]);
    expect(Array.from(computeSquaresSync([1, 2, 3]))).toEqual([1, 4, 9]);
  });

  it(`${path} path: keeps IEEE semantics`, async () => {
    for (const length of [7, 200_000]) {
      const input = new Float64Array(length);
      input.set([NaN, Infinity, -Infinity, -0, 1e200, -1e200, 3]);
      for (const squares of [await computeSquares(input), computeSquaresSync(input)]) {
        expect(squares[0]).toBeNaN();
        expect(squares[1]).toBe(Infinity);
        expect(squares[2]).toBe(Infinity);
        expect(Object.is(squares[3], 0)).toBe(true);
        expect(squares[4]).toBe(Infinity);
        expect(squares[5]).toBe(Infinity);
        expect(squares[6]).toBe(9);
      }
    }
  });

  it(`${path} path: returns a Float64Array for every number-valued input`, async () => {
    expect(await computeSquares(new Int8Array([-128]))).toEqual(new Float64Array([16384]));
    expect(await computeSquares(new Uint32Array([4294967295]))).toEqual(new Float64Array([4294967295 ** 2]));
    expect(await computeSquares(new Float32Array([1.5]))).toEqual(new Float64Array([2.25]));
  });

  it(`${path} path: writes into out and returns it`, async () => {
    const input = randomArray(Int32Array, 70_000, 3);
    const out = new Float64Array(70_000);
    expect(await computeSquares(input, { out })).toBe(out);
    expectSameValues(out, reference.computeSquaresSync(input));
    const syncOut = new Float64Array(70_000);
    expect(computeSquaresSync(input, { out: syncOut })).toBe(syncOut);
    expectSameValues(syncOut, out);
  });

  it(`${path} path: squares in place`, async () => {
    for (const length of [10, 300_000]) {
      const input = randomArray(Float64Array, length, 5) as Float64Array;
      const expected = reference.computeSquaresSync(input);
      expect(await computeSquares(input, { out: input })).toBe(input);
      expectSameValues(input, expected);
    }
  });

  it(`${path} path: rejects a partly overlapping out, asynchronously`, async () => {
    const buffer = new ArrayBuffer(8 * 100_001);
    const input = new Float64Array(buffer, 0, 100_000);
    const out = new Float64Array(buffer, 8, 100_000);
    await expect(computeSquares(input, { out })).rejects.toMatchObject({
      name: 'TypeError',
      code: 'ERR_INVALID_ARG_VALUE',
    });
  });

  it(`${path} path: BigInt inputs give the same BigInt type back`, async () => {
    const signed = new BigInt64Array([-3037000499n, 0n, 7n]);
    expect(await computeSquares(signed)).toEqual(new BigInt64Array([9223372030926249001n, 0n, 49n]));
    const unsigned = new BigUint64Array([4294967295n, 2n]);
    expect(computeSquaresSync(unsigned)).toEqual(new BigUint64Array([18446744065119617025n, 4n]));
  });

  it(`${path} path: a BigInt square that does not fit rejects, naming the first such element, at the caller`, async () => {
    const input = new BigInt64Array(400_000);
    input[350_000] = 3037000500n;
    input[390_000] = -3037000500n;
    const error = (await computeSquares(input).catch((e: unknown) => e)) as Error & { code: string };
    expect(error).toBeInstanceOf(RangeError);
    expect(error.code).toBe('ERR_OUT_OF_RANGE');
    expect(error.message).toContain('input[350000]');
    expect(error.message).toContain('Received 3037000500n');
    expect(error.stack?.split('\n')[1]).toContain('squares.test.ts');
    expect(() => computeSquaresSync(input)).toThrow(/input\[350000\]/);
    const unsigned = new BigUint64Array(10);
    unsigned[3] = 4294967296n;
    expect(() => computeSquaresSync(unsigned)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
  });

  it(`${path} path: squaring BigInts in place reports the overflowing index, never a stale value`, async () => {
    const input = new BigInt64Array(300_000).fill(2n);
    input[270_000] = -4_000_000_000n;
    const error = (await computeSquares(input, { out: input }).catch((e: unknown) => e)) as Error;
    expect(error).toMatchObject({ name: 'RangeError', code: 'ERR_OUT_OF_RANGE' });
    expect(error.message).toContain('input[270000]');
    // The JS kernel still knows the value; after native threads squared in
    // place it may be gone, and then no value is named.
    if (path === 'js') expect(error.message).toContain('Received -4000000000n');
    else expect(error.message).not.toContain('Received');
  });
});

describe('computeSquares whatever the pool size (pool path)', () => {
  beforeAll(() => usePath('pool'));
  afterAll(resetPaths);

  it('pool path: the same squares at 1, 2 and 5 threads', async () => {
    const before = getConcurrency();
    const input = randomArray(Float64Array, 300_000, 11);
    const expected = reference.computeSquaresSync(input);
    try {
      for (const threads of [1, 2, 5]) {
        setConcurrency(threads);
        expectSameValues(await computeSquares(input), expected);
      }
    } finally {
      setConcurrency(before);
    }
  });
});

describe('large number[] inputs (default paths)', () => {
  it('are copied in slices and give exact results', async () => {
    const input = Array.from({ length: 300_001 }, (_, i) => i - 150_000);
    const expected = reference.computeSquaresSync(input);
    expectSameValues(await computeSquares(input), expected);
    expect(await sumOfSquares(input)).toBe(reference.sumOfSquaresSync(input));
  });

  it('reject on a non-number element past the first slice, naming it, at the caller', async () => {
    const input: unknown[] = Array.from({ length: 200_000 }, () => 1);
    input[150_000] = '2';
    const error = (await computeSquares(input as number[]).catch((e: unknown) => e)) as Error;
    expect(error).toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
    expect(error.message).toContain('input[150000]');
    expect(error.stack?.split('\n')[1]).toContain('squares.test.ts');
    await expect(sumOfSquares(input as number[])).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
    expect(() => computeSquaresSync(input as number[])).toThrow(/input\[150000\]/);
  });

  it('stop copying when aborted', async () => {
    const controller = new AbortController();
    const reason = new Error('enough');
    const promise = sumOfSquares(new Array(1_000_000).fill(2), { signal: controller.signal });
    controller.abort(reason);
    await expect(promise).rejects.toBe(reason);
  });
});
