import { describe, expect, it } from 'vitest';

import { computeSquares, computeSquaresSync, getConcurrency, setConcurrency, sumOfSquares } from '../lib/index.js';
import * as reference from '../lib/reference.js';
import { NUMBER_ARRAY_TYPES, expectSameValues, randomArray } from './helpers.js';

// Around the inline limit and the chunk size (32768), and a multi-chunk size.
const LENGTHS = [0, 1, 7, 32767, 32768, 32769, 100_003];

const expectSameFloats = expectSameValues;

describe('computeSquares against the reference', () => {
  for (const Type of NUMBER_ARRAY_TYPES) {
    it(`${Type.name}, every length around the chunk limits`, async () => {
      for (const length of LENGTHS) {
        const input = randomArray(Type, length, length + 1);
        const expected = reference.computeSquaresSync(input) as Float64Array;
        expectSameFloats(await computeSquares(input), expected);
        expectSameFloats(computeSquaresSync(input), expected);
      }
    });
  }

  it('number[] inputs', async () => {
    const input = Array.from(randomArray(Float64Array, 50_000, 9));
    expectSameFloats(await computeSquares(input), reference.computeSquaresSync(input) as Float64Array);
  });

  it('ranges, including negative ones and ones past the chunk size', async () => {
    for (const [from, to] of [[1, 1], [-5, 5], [1, 1_000_000], [-40_000, 40_000], [2 ** 40, 2 ** 40 + 70_000]]) {
      const expected = reference.computeSquaresSync({ from, to }) as Float64Array;
      expectSameFloats(await computeSquares({ from, to }), expected);
      expectSameFloats(computeSquaresSync({ from, to }), expected);
    }
  });
});

describe('computeSquares known values', () => {
  it('squares 1..10', async () => {
    expect(Array.from(await computeSquares({ from: 1, to: 10 }))).toEqual([1, 4, 9, 16, 25, 36, 49, 64, 81, 100]);
  });

  it('keeps IEEE semantics on every path', async () => {
    const input = new Float64Array(100_000);
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
  });

  it('returns a Float64Array for every number-valued input', async () => {
    expect(await computeSquares(new Int8Array([-128]))).toEqual(new Float64Array([16384]));
    expect(await computeSquares(new Uint32Array([4294967295]))).toEqual(new Float64Array([4294967295 ** 2]));
    expect(await computeSquares(new Float32Array([1.5]))).toEqual(new Float64Array([2.25]));
  });
});

describe('computeSquares with options.out', () => {
  it('writes into out and returns it', async () => {
    const input = randomArray(Int32Array, 70_000, 3);
    const out = new Float64Array(70_000);
    const result = await computeSquares(input, { out });
    expect(result).toBe(out);
    expectSameFloats(out, reference.computeSquaresSync(input) as Float64Array);
  });

  it('squares in place', async () => {
    for (const length of [10, 100_000]) {
      const input = randomArray(Float64Array, length, 5) as Float64Array;
      const expected = reference.computeSquaresSync(input) as Float64Array;
      expect(await computeSquares(input, { out: input })).toBe(input);
      expectSameFloats(input, expected);
    }
  });

  it('rejects a partly overlapping out, asynchronously', async () => {
    const buffer = new ArrayBuffer(8 * 100_001);
    const input = new Float64Array(buffer, 0, 100_000);
    const out = new Float64Array(buffer, 8, 100_000);
    const promise = computeSquares(input, { out });
    await expect(promise).rejects.toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' });
  });
});

describe('BigInt inputs', () => {
  it('gives the same BigInt type back', async () => {
    const signed = new BigInt64Array([-3037000499n, 0n, 7n]);
    expect(await computeSquares(signed)).toEqual(new BigInt64Array([9223372030926249001n, 0n, 49n]));
    const unsigned = new BigUint64Array([4294967295n, 2n]);
    expect(computeSquaresSync(unsigned)).toEqual(new BigUint64Array([18446744065119617025n, 4n]));
  });

  it('rejects with a RangeError naming the first element whose square does not fit', async () => {
    const input = new BigInt64Array(200_000);
    input[150_000] = 3037000500n;
    input[190_000] = -3037000500n;
    const error = (await computeSquares(input).catch((e: unknown) => e)) as Error & { code: string };
    expect(error).toBeInstanceOf(RangeError);
    expect(error.code).toBe('ERR_OUT_OF_RANGE');
    expect(error.message).toContain('input[150000]');
    // The stack points at this test, the caller, not at internals.
    expect(error.stack).toContain('squares.test.ts');
    expect(() => computeSquaresSync(input)).toThrow(/input\[150000\]/);
    const unsigned = new BigUint64Array(10);
    unsigned[3] = 4294967296n;
    expect(() => computeSquaresSync(unsigned)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
  });
});

describe('whatever the pool size', () => {
  it('gives the same squares at 1, 2 and 5 threads', async () => {
    const before = getConcurrency();
    const input = randomArray(Float64Array, 300_000, 11);
    const expected = reference.computeSquaresSync(input) as Float64Array;
    try {
      for (const threads of [1, 2, 5]) {
        setConcurrency(threads);
        expectSameFloats(await computeSquares(input), expected);
      }
    } finally {
      setConcurrency(before);
    }
  });
});

describe('BigInt in place', () => {
  it('reports the overflowing index without a stale value', async () => {
    const input = new BigInt64Array(100_000).fill(2n);
    input[70_000] = -4_000_000_000n;
    const error = (await computeSquares(input, { out: input }).catch((e: unknown) => e)) as Error;
    expect(error).toMatchObject({ name: 'RangeError', code: 'ERR_OUT_OF_RANGE' });
    expect(error.message).toContain('input[70000]');
    expect(error.message).not.toContain('Received');
  });
});

describe('large number[] inputs', () => {
  it('are copied in slices and give exact results', async () => {
    const input = Array.from({ length: 300_001 }, (_, i) => i - 150_000);
    const expected = reference.computeSquaresSync(input) as Float64Array;
    expectSameValues(await computeSquares(input), expected);
    expect(await sumOfSquares(input)).toBe(reference.sumOfSquaresSync(input));
  });

  it('reject on a non-number element past the first slice, naming it, with the caller in the stack', async () => {
    const input: unknown[] = Array.from({ length: 200_000 }, () => 1);
    input[150_000] = '2';
    const error = (await computeSquares(input as number[]).catch((e: unknown) => e)) as Error;
    expect(error).toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
    expect(error.message).toContain('input[150000]');
    expect(error.stack).toContain('squares.test.ts');
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
