// The raw native functions re-check everything: lying lengths, wrong types
// and overlapping buffers throw instead of reading or writing out of bounds.
import { describe, expect, it } from 'vitest';

import { binding } from '../lib/binding.js';
import { SUM_BLOCK } from '../lib/js/sum.js';

const typeError = (code: string) => expect.objectContaining({ name: 'TypeError', code });
const rangeError = (code: string) => expect.objectContaining({ name: 'RangeError', code });

describe('native squares re-validates', () => {
  it('rejects lying counts and short outputs', () => {
    const input = new Float64Array(10);
    expect(() => binding.squaresSync(input, 0, 11, new Float64Array(11))).toThrow(rangeError('ERR_OUT_OF_RANGE'));
    expect(() => binding.squaresSync(input, 0, 10, new Float64Array(9))).toThrow(rangeError('ERR_OUT_OF_RANGE'));
    expect(() => binding.squaresSync(undefined, 0, 100, new Float64Array(99))).toThrow(rangeError('ERR_OUT_OF_RANGE'));
    expect(() => binding.squaresSync(undefined, 2 ** 53 - 5, 10, new Float64Array(10))).toThrow(
      rangeError('ERR_OUT_OF_RANGE'),
    );
    expect(() => binding.squaresSync(undefined, 0.5, 1, new Float64Array(1))).toThrow(rangeError('ERR_OUT_OF_RANGE'));
    expect(() => binding.squaresSync(undefined, 0, -1, new Float64Array(0))).toThrow(rangeError('ERR_OUT_OF_RANGE'));
  });

  it('rejects wrong types', () => {
    const bad = [null, 1, 'x', {}, [1, 2], new DataView(new ArrayBuffer(8))];
    for (const value of bad) {
      expect(() => binding.squaresSync(value as never, 0, 1, new Float64Array(1))).toThrow(
        typeError('ERR_INVALID_ARG_TYPE'),
      );
      expect(() => binding.squaresSync(new Float64Array(1), 0, 1, value as never)).toThrow(
        typeError('ERR_INVALID_ARG_TYPE'),
      );
    }
    expect(() => binding.squaresSync(new Float64Array(1), 0, 1, new Float32Array(1))).toThrow(
      typeError('ERR_INVALID_ARG_TYPE'),
    );
    expect(() => binding.squaresSync(new BigInt64Array(1), 0, 1, new Float64Array(1))).toThrow(
      typeError('ERR_INVALID_ARG_TYPE'),
    );
    expect(() => binding.squaresSync(new Float64Array(1), '0' as never, 1, new Float64Array(1))).not.toThrow(); // first is unused for arrays
    expect(() => binding.squaresSync(new Float64Array(1), 0, '1' as never, new Float64Array(1))).toThrow(
      typeError('ERR_INVALID_ARG_TYPE'),
    );
  });

  it('rejects partial overlap but allows in place', () => {
    const buffer = new ArrayBuffer(8 * 11);
    expect(() => binding.squaresSync(new Float64Array(buffer, 0, 10), 0, 10, new Float64Array(buffer, 8, 10))).toThrow(
      typeError('ERR_INVALID_ARG_VALUE'),
    );
    expect(() => binding.squaresSync(new Float32Array(buffer, 0, 10), 0, 10, new Float64Array(buffer, 0, 10))).toThrow(
      typeError('ERR_INVALID_ARG_VALUE'),
    );
    const same = new Float64Array([3]);
    expect(binding.squaresSync(same, 0, 1, same)).toBe(-1);
    expect(same[0]).toBe(9);
  });

  it('rejects resizable and detached buffers', () => {
    const resizable = new Float64Array(new ArrayBuffer(8, { maxByteLength: 64 }));
    expect(() => binding.squaresSync(resizable, 0, 1, new Float64Array(1))).toThrow(typeError('ERR_INVALID_ARG_VALUE'));
    const buffer = new ArrayBuffer(8);
    const view = new Float64Array(buffer);
    structuredClone(buffer, { transfer: [buffer] });
    expect(() => binding.squaresSync(new Float64Array(1), 0, 1, view)).toThrow(TypeError);
  });
});

describe('native sum and grayscale re-validate', () => {
  it('sum: lying counts', () => {
    expect(() => binding.sumOfSquaresSync(new Float64Array(4), 0, 5)).toThrow(rangeError('ERR_OUT_OF_RANGE'));
    expect(() => binding.sumOfSquaresSync(undefined, 2 ** 53, 1)).toThrow(rangeError('ERR_OUT_OF_RANGE'));
  });

  it('sum blocks: ranges past the safe integers or the part limit, bad types', () => {
    expect(() => binding.sumOfSquaresBlocks(2 ** 53 - 2, 4, false)).toThrow(rangeError('ERR_OUT_OF_RANGE'));
    expect(() => binding.sumOfSquaresBlocks(0, SUM_BLOCK * 2 ** 22 + 1, false)).toThrow(rangeError('ERR_OUT_OF_RANGE'));
    expect(() => binding.sumOfSquaresBlocks(0, -1, false)).toThrow(rangeError('ERR_OUT_OF_RANGE'));
    expect(() => binding.sumOfSquaresBlocks(0.5, 1, false)).toThrow(RangeError);
    expect(() => binding.sumOfSquaresBlocks('0' as unknown as number, 1, false)).toThrow(TypeError);
    expect(() => binding.sumOfSquaresBlocks(0, 1, 'yes' as unknown as boolean)).toThrow(TypeError);
  });

  it('grayscale: images larger than their data, bad layouts, short or overlapping outputs', () => {
    const data = new Uint8Array(12);
    const out = new Uint8Array(4);
    const call =
      (args: Partial<{ data: Uint8Array; w: number; h: number; c: number; stride: number; out: Uint8Array }>) => () =>
        binding.grayscaleSync(
          args.data ?? data,
          args.w ?? 2,
          args.h ?? 2,
          args.c ?? 3,
          args.stride ?? 6,
          false,
          false,
          args.out ?? out,
        );
    expect(call({})).not.toThrow();
    expect(call({ h: 3 })).toThrow(rangeError('ERR_OUT_OF_RANGE'));
    expect(call({ c: 4, stride: 8 })).toThrow(rangeError('ERR_OUT_OF_RANGE'));
    expect(call({ stride: 5 })).toThrow(rangeError('ERR_OUT_OF_RANGE'));
    expect(call({ c: 5 })).toThrow(rangeError('ERR_OUT_OF_RANGE'));
    expect(call({ w: 2 ** 53, h: 2 ** 20, stride: 2 ** 53 })).toThrow(RangeError);
    expect(call({ out: new Uint8Array(3) })).toThrow(rangeError('ERR_OUT_OF_RANGE'));
    expect(call({ out: data.subarray(0, 4) })).toThrow(typeError('ERR_INVALID_ARG_VALUE'));
    expect(call({ data: new Uint16Array(6) as never })).toThrow(typeError('ERR_INVALID_ARG_TYPE'));
    expect(call({ out: new Uint8ClampedArray(4) as never })).toThrow(typeError('ERR_INVALID_ARG_TYPE'));
  });

  it('cancel of an unknown job is a no-op', () => {
    expect(binding.cancel(123456)).toBe(false);
    expect(() => binding.cancel(-1)).toThrow(RangeError);
  });
});

describe('random arguments', () => {
  it('never crash the process: each call works or throws a TypeError or RangeError', async () => {
    const { runFixture } = await import('./helpers.js');
    for (const seed of [1, 2, 3]) {
      const run = runFixture('binding-fuzz.mjs', [String(seed)]);
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      const { calls, threw } = JSON.parse(run.stdout);
      expect(calls).toBe(20000);
      expect(threw).toBeGreaterThan(10000);
    }
  });
});

describe('native grayscaleFile re-validates', () => {
  type Request = Parameters<typeof binding.grayscaleFileSync>[0];
  const good: Request = {
    input: new Uint8Array(8),
    output: undefined,
    mode: 0,
    format: 0,
    quality: 75,
    compressionLevel: 6,
    lossless: false,
    autoOrient: false,
    limitInputPixels: 0,
    limitInputBytes: 0,
    durable: false,
  };
  const keys = Object.keys(good) as (keyof Request)[];
  const sync = binding.grayscaleFileSync as (...a: unknown[]) => unknown;
  // `at` a key of the request, or 'progress' for the argument after it.
  const call = (at: keyof Request | 'progress', value: unknown) => () =>
    at === 'progress' ? sync(good, value) : sync({ ...good, [at]: value });

  it('rejects inputs that are neither a path nor bytes, and paths with null bytes', () => {
    for (const value of [
      undefined,
      null,
      1,
      {},
      new Float64Array(1),
      new Uint16Array(4),
      new DataView(new ArrayBuffer(4)),
    ]) {
      expect(call('input', value)).toThrow(typeError('ERR_INVALID_ARG_TYPE'));
    }
    expect(call('input', new Uint8Array(new ArrayBuffer(8, { maxByteLength: 16 })))).toThrow(
      typeError('ERR_INVALID_ARG_VALUE'),
    );
    expect(call('input', '')).toThrow(typeError('ERR_INVALID_ARG_VALUE'));
    // Cut at the NUL, this would name another file: refused, never opened.
    expect(call('input', 'test/fixtures/images/manifest.json\0.jpg')).toThrow(typeError('ERR_INVALID_ARG_VALUE'));
    expect(call('output', 'out.png\0')).toThrow(typeError('ERR_INVALID_ARG_VALUE'));
  });

  it('rejects a request that is not an object, and requests missing a key', () => {
    for (const value of [undefined, null, 1, 'a.jpg', [], () => good]) {
      expect(() => sync(value)).toThrow(typeError('ERR_INVALID_ARG_TYPE'));
    }
    for (const key of keys.filter((name) => name !== 'output')) {
      const { [key]: _dropped, ...missing } = good;
      expect(() => sync(missing), key).toThrow(typeError('ERR_INVALID_ARG_TYPE'));
    }
  });

  it('reads every key once, all before checking any: a getter cannot swap a checked buffer', () => {
    const reads: string[] = [];
    const input = new Uint8Array(8);
    const request = Object.fromEntries(keys.map((key) => [key, undefined]));
    for (const key of keys) {
      Object.defineProperty(request, key, {
        enumerable: true,
        get() {
          reads.push(key);
          // The last key read detaches the input: the check must see it.
          if (key === 'durable') structuredClone(input.buffer, { transfer: [input.buffer] });
          return key === 'input' ? input : good[key];
        },
      });
    }
    expect(() => sync(request)).toThrow(typeError('ERR_INVALID_ARG_VALUE'));
    expect(reads.sort()).toEqual([...keys].sort());
  });

  it('rejects outputs other than undefined, true or a path', () => {
    for (const value of [false, null, 0, {}, new Uint8Array(1)])
      expect(call('output', value)).toThrow(typeError('ERR_INVALID_ARG_TYPE'));
  });

  it('rejects options out of range or of the wrong type', () => {
    expect(call('mode', 3)).toThrow(rangeError('ERR_OUT_OF_RANGE'));
    expect(call('format', 4)).toThrow(rangeError('ERR_OUT_OF_RANGE'));
    expect(call('quality', -1)).toThrow(rangeError('ERR_OUT_OF_RANGE'));
    expect(call('quality', 101)).toThrow(rangeError('ERR_OUT_OF_RANGE'));
    expect(call('compressionLevel', 10)).toThrow(rangeError('ERR_OUT_OF_RANGE'));
    expect(call('limitInputPixels', -1)).toThrow(rangeError('ERR_OUT_OF_RANGE'));
    expect(call('limitInputPixels', 2 ** 53)).toThrow(rangeError('ERR_OUT_OF_RANGE'));
    expect(call('autoOrient', 1)).toThrow(typeError('ERR_INVALID_ARG_TYPE'));
    expect(call('mode', '0')).toThrow(typeError('ERR_INVALID_ARG_TYPE'));
    expect(call('limitInputBytes', -1)).toThrow(rangeError('ERR_OUT_OF_RANGE'));
    expect(call('limitInputBytes', 2 ** 53)).toThrow(rangeError('ERR_OUT_OF_RANGE'));
    expect(call('durable', 1)).toThrow(typeError('ERR_INVALID_ARG_TYPE'));
    expect(call('progress', 1)).toThrow(typeError('ERR_INVALID_ARG_TYPE'));
  });

  it('gives the job failure of valid arguments as an Error with a code', () => {
    expect(call('input', new Uint8Array(0))).toThrow(expect.objectContaining({ code: 'ERR_OFFLOOP_EMPTY_INPUT' }));
    expect(call('input', new Uint8Array(8))).toThrow(
      expect.objectContaining({ code: 'ERR_OFFLOOP_UNSUPPORTED_FORMAT' }),
    );
    expect(call('input', '/nonexistent/offloop.jpg')).toThrow(
      expect.objectContaining({ code: 'ERR_OFFLOOP_SYSTEM', errno: 2, syscall: 'open', target: 'input' }),
    );
  });
});
