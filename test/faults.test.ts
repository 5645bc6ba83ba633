// Native failures, injected (binding.injectFault): a pool thread that cannot
// start, memory that cannot be had for a job or a chunk, a failed wake-up of
// the JS thread. Each fails only its own call, with an ERR_OFFLOOP_* code and
// a stack that starts at the caller; the pool and the process stay healthy.
import { afterEach, describe, expect, it } from 'vitest';

import { binding } from '../lib/binding.js';
import {
  computeSquares,
  computeSquaresSync,
  getConcurrency,
  grayscale,
  isOffloopError,
  poolStats,
  setConcurrency,
  sumOfSquares,
  sumOfSquaresSync,
} from '../lib/index.js';
import { runFixture } from './helpers.js';

const RANGE = { from: 1, to: 1_000_000 }; // several chunks: the pool works on it
const SUM = 333333833333500000;

afterEach(() => binding.injectFault('reset', 0));

function expectNativeError(error: unknown, code: string): void {
  expect(error).toBeInstanceOf(Error);
  expect(error).toMatchObject({ code });
  expect(isOffloopError(error)).toBe(true);
  const lines = (error as Error).stack!.split('\n');
  expect(lines[0]).toBe(`Error [${code}]: ${(error as Error).message}`);
  expect(lines[1]).toContain('faults.test.ts');
}

describe('a chunk that runs out of memory', () => {
  it('rejects that async call with ERR_OFFLOOP_OUT_OF_MEMORY (dispatch status Failed), at the caller', async () => {
    const before = poolStats();
    binding.injectFault('chunk', 1);
    const error = await sumOfSquares(RANGE).catch((e: unknown) => e);
    expectNativeError(error, 'ERR_OFFLOOP_OUT_OF_MEMORY');
    expect(poolStats().failedJobs).toBe(before.failedJobs + 1);
    expect(await sumOfSquares(RANGE)).toBe(SUM);
  });

  it('throws from the sync call, at the caller', () => {
    binding.injectFault('chunk', 1);
    let error: unknown;
    try {
      computeSquaresSync(RANGE);
    } catch (caught) {
      error = caught;
    }
    expectNativeError(error, 'ERR_OFFLOOP_OUT_OF_MEMORY');
    expect(sumOfSquaresSync(RANGE)).toBe(SUM);
  });

  it('fails only its own job among several', async () => {
    binding.injectFault('chunk', 1);
    const results = await Promise.allSettled([sumOfSquares(RANGE), sumOfSquares(RANGE), sumOfSquares(RANGE)]);
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1);
    expect(
      results.filter((r) => r.status === 'fulfilled').map((r) => (r as PromiseFulfilledResult<number>).value),
    ).toEqual([SUM, SUM]);
  });
});

describe('a job that cannot be registered', () => {
  it('rejects (never throws) with ERR_OFFLOOP_OUT_OF_MEMORY, at the caller', async () => {
    binding.injectFault('submit', 1);
    let promise: Promise<unknown> | undefined;
    expect(() => {
      promise = grayscale({ data: new Uint8Array(1000 * 1000 * 3), width: 1000, height: 1000 });
    }).not.toThrow();
    expectNativeError(await promise!.catch((e: unknown) => e), 'ERR_OFFLOOP_OUT_OF_MEMORY');
    expect((await computeSquares(RANGE)).length).toBe(1_000_000);
  });
});

describe('a pool thread that cannot start', () => {
  it('setConcurrency throws ERR_OFFLOOP_THREAD_START at the caller', () => {
    const threads = getConcurrency();
    binding.injectFault('threadStart', 1);
    let error: unknown;
    try {
      setConcurrency(threads + 2);
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ code: 'ERR_OFFLOOP_THREAD_START' });
    expect(isOffloopError(error)).toBe(true);
    expect((error as Error).stack!.split('\n')[1]).toContain('faults.test.ts');
    setConcurrency(threads);
  });

  for (const mode of ['async', 'sync']) {
    it(`the first ${mode} job of a process fails with ERR_OFFLOOP_THREAD_START; the next works; the process exits when idle`, () => {
      const run = runFixture('faults.mjs', [`threadStart-${mode}`], [], 20_000);
      expect(run.error).toBeUndefined();
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(JSON.parse(run.stdout)).toEqual({
        failed: { name: 'Error', code: 'ERR_OFFLOOP_THREAD_START', top: true },
        after: SUM,
      });
    });
  }
});

describe('in a fresh process', () => {
  for (const [fault, code] of [
    ['submit', 'ERR_OFFLOOP_OUT_OF_MEMORY'],
    ['chunk', 'ERR_OFFLOOP_OUT_OF_MEMORY'],
  ]) {
    it(`a ${fault} failure leaves nothing behind: the process exits by itself when idle`, () => {
      const run = runFixture('faults.mjs', [fault], [], 20_000);
      expect(run.error).toBeUndefined(); // not killed by the timeout
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(JSON.parse(run.stdout)).toEqual({ failed: { name: 'Error', code, top: true }, after: SUM });
    });
  }
});

describe('a failed wake-up of the JS thread', () => {
  it('still delivers every result (by retrying)', async () => {
    binding.injectFault('wake', 1);
    expect(await Promise.all([sumOfSquares(RANGE), sumOfSquares(RANGE)])).toEqual([SUM, SUM]);
  });
});
