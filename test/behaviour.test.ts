// One behaviour suite, run against offloop on each of its paths (JS kernel,
// native inline, pool) and against offloop/reference: the same results, the
// same errors (class, code, and a stack that starts at the caller), and the
// same rules for cancellation and progress.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import * as offloop from '../lib/index.js';
import * as reference from '../lib/reference.js';
import { expectSameValues } from './helpers.js';
import { resetPaths, usePath, type Path } from './paths.js';

type Api = Pick<
  typeof offloop,
  'computeSquares' | 'computeSquaresSync' | 'sumOfSquares' | 'sumOfSquaresSync' | 'grayscale' | 'grayscaleSync'
>;

const ENTRIES: Array<{ name: string; api: Api; path?: Path }> = [
  { name: 'offloop, js path', api: offloop, path: 'js' },
  { name: 'offloop, native inline path', api: offloop, path: 'inline' },
  { name: 'offloop, pool path', api: offloop, path: 'pool' },
  { name: 'offloop/reference', api: reference },
];

const N = 1000;
const W = 40;
const H = 25;

function floats(): Float64Array {
  return Float64Array.from({ length: N }, (_, i) => (i % 37) - 18.5);
}

function image() {
  return { data: Uint8Array.from({ length: W * H * 4 }, (_, i) => (i * 29) & 255), width: W, height: H };
}

const EXPECTED = {
  squares: Float64Array.from(floats(), (v) => v * v),
  sum: reference.sumOfSquaresSync(floats()),
  gray: reference.grayscaleSync(image()),
};

type Options = { signal?: AbortSignal; onProgress?: (done: number, total: number) => void };

/** Each kernel, sync and async, with a valid input of N items and a way to check its result. */
function kernels(api: Api) {
  return [
    {
      name: 'computeSquares',
      total: N,
      async: (options: Options) => api.computeSquares(floats(), options),
      sync: (options: Options) => api.computeSquaresSync(floats(), options),
      check: (value: unknown) => expectSameValues(value as Float64Array, EXPECTED.squares),
    },
    {
      name: 'sumOfSquares',
      total: N,
      async: (options: Options) => api.sumOfSquares(floats(), options),
      sync: (options: Options) => api.sumOfSquaresSync(floats(), options),
      check: (value: unknown) => expect(value).toBe(EXPECTED.sum),
    },
    {
      name: 'grayscale',
      total: W * H,
      async: (options: Options) => api.grayscale(image(), options),
      sync: (options: Options) => api.grayscaleSync(image(), options),
      check: (value: unknown) => expectSameValues(value as Uint8Array, EXPECTED.gray),
    },
  ];
}

/** Bad calls, sync and async, each with the error class and code both entry points give. */
function badCalls(api: Api) {
  const bigOverflow = () => {
    const input = new BigInt64Array(N);
    input[N - 3] = 3037000500n;
    return input;
  };
  const shared = new ArrayBuffer(8 * (N + 1));
  return [
    {
      what: 'a string input',
      run: (sync: boolean) => (sync ? api.computeSquaresSync('x' as never) : api.computeSquares('x' as never)),
      error: TypeError,
      code: 'ERR_INVALID_ARG_TYPE',
    },
    {
      what: 'a reversed range',
      run: (sync: boolean) => (sync ? api.sumOfSquaresSync({ from: 5, to: 3 }) : api.sumOfSquares({ from: 5, to: 3 })),
      error: RangeError,
      code: 'ERR_OUT_OF_RANGE',
    },
    {
      what: 'options that are a string',
      run: (sync: boolean) =>
        sync ? api.sumOfSquaresSync([1], 'abc' as never) : api.sumOfSquares([1], 'abc' as never),
      error: TypeError,
      code: 'ERR_INVALID_ARG_TYPE',
    },
    {
      what: 'a signal that is not an AbortSignal',
      run: (sync: boolean) =>
        sync ? api.computeSquaresSync([1], { signal: {} as never }) : api.computeSquares([1], { signal: {} as never }),
      error: TypeError,
      code: 'ERR_INVALID_ARG_TYPE',
    },
    {
      what: 'an onProgress that is not a function',
      run: (sync: boolean) =>
        sync
          ? api.grayscaleSync(image(), { onProgress: 5 as never })
          : api.grayscale(image(), { onProgress: 5 as never }),
      error: TypeError,
      code: 'ERR_INVALID_ARG_TYPE',
    },
    {
      what: 'an out overlapping the input',
      run: (sync: boolean) => {
        const input = new Float64Array(shared, 0, N);
        const out = new Float64Array(shared, 8, N);
        return sync ? api.computeSquaresSync(input, { out }) : api.computeSquares(input, { out });
      },
      error: TypeError,
      code: 'ERR_INVALID_ARG_VALUE',
    },
    {
      what: 'channels: 5',
      run: (sync: boolean) =>
        sync
          ? api.grayscaleSync({ ...image(), channels: 5 as never })
          : api.grayscale({ ...image(), channels: 5 as never }),
      error: TypeError,
      code: 'ERR_INVALID_ARG_VALUE',
    },
    {
      what: 'data too short, channels omitted',
      run: (sync: boolean) => {
        const short = { data: new Uint8Array(W * H * 3 - 1), width: W, height: H };
        return sync ? api.grayscaleSync(short) : api.grayscale(short);
      },
      error: RangeError,
      code: 'ERR_OUT_OF_RANGE',
      message: /"image\.data\.length"/,
    },
    {
      what: 'a BigInt square that does not fit',
      run: (sync: boolean) => (sync ? api.computeSquaresSync(bigOverflow()) : api.computeSquares(bigOverflow())),
      error: RangeError,
      code: 'ERR_OUT_OF_RANGE',
      message: /"input\[997\]"/,
    },
    {
      what: 'a BigInt sum that does not fit',
      run: (sync: boolean) => {
        const input = new BigInt64Array(N).fill(3037000499n);
        return sync ? api.sumOfSquaresSync(input) : api.sumOfSquares(input);
      },
      error: RangeError,
      code: 'ERR_OUT_OF_RANGE',
    },
  ];
}

describe.each(ENTRIES)('$name', ({ api, path }) => {
  beforeAll(() => {
    if (path !== undefined) usePath(path);
  });
  afterAll(resetPaths);

  describe('results', () => {
    for (const kernel of kernels(api)) {
      it(`${kernel.name}: sync and async agree with the expected values`, async () => {
        kernel.check(kernel.sync({}));
        kernel.check(await kernel.async({}));
      });
    }

    it('computeSquares: out is filled and returned, in place too', async () => {
      const out = new Float64Array(N);
      expect(await api.computeSquares(floats(), { out })).toBe(out);
      expectSameValues(out, EXPECTED.squares);
      const input = floats();
      expect(api.computeSquaresSync(input, { out: input })).toBe(input);
      expectSameValues(input, EXPECTED.squares);
    });
  });

  describe('errors', () => {
    for (const bad of badCalls(api)) {
      it(`${bad.what}: the same class and code, sync and async, starting at the caller's line`, async () => {
        let thrown: unknown;
        try {
          bad.run(true);
        } catch (error) {
          thrown = error;
        }
        expect(thrown).toBeInstanceOf(bad.error);
        expect(thrown).toMatchObject({ code: bad.code, message: expect.stringMatching(bad.message ?? /./) });
        expect((thrown as Error).stack?.split('\n')[1]).toContain('behaviour.test.ts');
        expect(offloop.isOffloopError(thrown)).toBe(true);

        let promise: unknown;
        expect(() => {
          promise = bad.run(false);
        }).not.toThrow();
        const rejected = await (promise as Promise<unknown>).then(
          () => undefined,
          (error: unknown) => error,
        );
        expect(rejected).toBeInstanceOf(bad.error);
        expect(rejected).toMatchObject({ code: bad.code, message: expect.stringMatching(bad.message ?? /./) });
        expect((rejected as Error).stack?.split('\n')[0]).toBe(
          `${bad.error.name} [${bad.code}]: ${(rejected as Error).message}`,
        );
        expect((rejected as Error).stack?.split('\n')[1]).toContain('behaviour.test.ts');
      });
    }
  });

  describe('cancellation', () => {
    for (const kernel of kernels(api)) {
      it(`${kernel.name}: a signal already aborted rejects (async) or throws (sync) with its reason, and nothing runs`, async () => {
        const reason = new Error('stop');
        const calls: number[][] = [];
        const options = {
          signal: AbortSignal.abort(reason),
          onProgress: (done: number, total: number) => void calls.push([done, total]),
        };
        await expect(kernel.async(options)).rejects.toBe(reason);
        expect(() => kernel.sync(options)).toThrow(reason);
        expect(calls).toEqual([]);
      });

      it(`${kernel.name}: aborting right after the call rejects with the reason`, async () => {
        const controller = new AbortController();
        const promise = kernel.async({ signal: controller.signal });
        controller.abort('changed my mind');
        await expect(promise).rejects.toBe('changed my mind');
      });

      it(`${kernel.name}: aborting from the last onProgress rejects (async) or throws (sync) with the reason`, async () => {
        for (const mode of ['async', 'sync'] as const) {
          const controller = new AbortController();
          const reason = new Error(`aborted in ${mode} progress`);
          const options = {
            signal: controller.signal,
            onProgress: (done: number, total: number) => {
              if (done === total) controller.abort(reason);
            },
          };
          if (mode === 'async') await expect(kernel.async(options)).rejects.toBe(reason);
          else expect(() => kernel.sync(options)).toThrow(reason);
        }
      });
    }
  });

  describe('progress', () => {
    for (const kernel of kernels(api)) {
      it(`${kernel.name}: ends with one (total, total) just before resolving or returning, never before the call returned`, async () => {
        const events: string[] = [];
        const onProgress = (done: number, total: number) => {
          expect(done).toBeLessThanOrEqual(total);
          events.push(done === total ? `done ${total}` : 'partial');
        };
        const promise = kernel.async({ onProgress });
        events.push('returned');
        kernel.check(await promise.then((value) => (events.push('resolved'), value)));
        expect(events.filter((e) => e !== 'partial')).toEqual(['returned', `done ${kernel.total}`, 'resolved']);

        events.length = 0;
        kernel.check(kernel.sync({ onProgress }));
        events.push('returned');
        expect(events.filter((e) => e !== 'partial')).toEqual([`done ${kernel.total}`, 'returned']);
      });

      it(`${kernel.name}: a throwing onProgress rejects (async) or throws (sync) with its error; other calls settle`, async () => {
        const failure = new Error('callback failed');
        const stack = failure.stack;
        const onProgress = () => {
          throw failure;
        };
        const [failed, fine] = await Promise.allSettled([kernel.async({ onProgress }), kernel.async({})]);
        expect(failed).toEqual({ status: 'rejected', reason: failure });
        expect(fine.status).toBe('fulfilled');
        kernel.check((fine as PromiseFulfilledResult<unknown>).value);
        expect(() => kernel.sync({ onProgress })).toThrow(failure);
        // The error is the callback's own: it is passed on untouched.
        expect(failure.stack).toBe(stack);
        expect(offloop.isOffloopError(failure)).toBe(false);
      });
    }
  });
});
