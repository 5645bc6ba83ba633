import { availableParallelism } from 'node:os';

import { afterAll, describe, expect, it } from 'vitest';

import { computeSquares, features, getConcurrency, grayscale, poolStats, setConcurrency, sumOfSquares } from '../lib/index.js';
import * as reference from '../lib/reference.js';
import { expectSameValues, randomArray } from './helpers.js';

const initialThreads = getConcurrency();
afterAll(() => setConcurrency(initialThreads));

describe('pool size', () => {
  it("defaults to the machine's available parallelism", () => {
    expect(initialThreads).toBe(availableParallelism());
    expect(features().defaultConcurrency).toBe(availableParallelism());
  });

  it('can be set and read back', () => {
    setConcurrency(3);
    expect(getConcurrency()).toBe(3);
    expect(poolStats().threads).toBe(3);
    setConcurrency(1);
    expect(getConcurrency()).toBe(1);
  });

  it('rejects invalid sizes', () => {
    for (const bad of [0, 1025, -1, 1.5, NaN, Infinity]) {
      expect(() => setConcurrency(bad)).toThrow(expect.objectContaining({ name: 'RangeError', code: 'ERR_OUT_OF_RANGE' }));
    }
    expect(() => setConcurrency('2' as unknown as number)).toThrow(expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' }));
    expect(getConcurrency()).toBe(1);
  });

  it('resizes while jobs run, without losing or corrupting any', async () => {
    setConcurrency(2);
    const input = randomArray(Float64Array, 400_000, 4);
    const expected = reference.sumOfSquaresSync(input);
    const jobs = Array.from({ length: 40 }, () => sumOfSquares(input));
    for (const threads of [8, 1, 4, 2, 16, 1, 2]) {
      setConcurrency(threads);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await Promise.all(jobs)).toEqual(Array(40).fill(expected));
  });
});

describe('many calls', () => {
  it('1,000 concurrent calls all settle with correct results', async () => {
    setConcurrency(initialThreads);
    const inputs = Array.from({ length: 1000 }, (_, i) => randomArray(Float64Array, i % 3 === 0 ? 70_000 : 50 + i, i));
    const results = await Promise.all(inputs.map((input) => computeSquares(input)));
    results.forEach((result, i) => expectSameValues(result, reference.computeSquaresSync(inputs[i])));
  });

  it('a small call is not stuck behind a huge one', async () => {
    setConcurrency(1);
    const huge = grayscale({ data: new Uint8Array(7680 * 4320 * 4), width: 7680, height: 4320 });
    let hugeDone = false;
    void huge.then(() => (hugeDone = true));
    // Larger than the inline limit, so it goes through the (one-thread) pool.
    const small = await sumOfSquares({ from: 1, to: 200_000 });
    expect(small).toBe((200_000 * 200_001 * 400_001) / 6);
    expect(hugeDone).toBe(false);
    await huge;
    setConcurrency(initialThreads);
  });

  it('counts jobs in poolStats', async () => {
    const before = poolStats();
    await computeSquares({ from: 1, to: 100_000 });
    await computeSquares(new BigInt64Array(100_000).fill(4_000_000_000n)).catch(() => undefined);
    const controller = new AbortController();
    const aborted = grayscale({ data: new Uint8Array(7680 * 4320 * 3), width: 7680, height: 4320 }, { signal: controller.signal });
    controller.abort();
    await aborted.catch(() => undefined);
    const after = poolStats();
    expect(after.completedJobs).toBeGreaterThanOrEqual(before.completedJobs + 1);
    expect(after.failedJobs).toBe(before.failedJobs + 1);
    expect(after.cancelledJobs).toBe(before.cancelledJobs + 1);
    expect(after).toMatchObject({ busyThreads: expect.any(Number), queuedJobs: 0, runningJobs: 0 });
  });
});

describe('cancellation', () => {
  it('an already-aborted signal rejects at once with its reason, and nothing runs', async () => {
    const controller = new AbortController();
    const reason = new Error('stop');
    controller.abort(reason);
    const before = poolStats();
    await expect(computeSquares({ from: 1, to: 10_000_000 }, { signal: controller.signal })).rejects.toBe(reason);
    await expect(sumOfSquares({ from: 1, to: 10 }, { signal: controller.signal })).rejects.toBe(reason);
    expect(poolStats().completedJobs).toBe(before.completedJobs);
  });

  it('aborting during the work rejects with the reason and stops the chunks', async () => {
    setConcurrency(1);
    const controller = new AbortController();
    const out = new Float64Array(50_000_000);
    const promise = computeSquares({ from: 1, to: 50_000_000 }, { out, signal: controller.signal });
    setTimeout(() => controller.abort(), 5);
    const started = performance.now();
    await expect(promise).rejects.toMatchObject({ name: 'AbortError' });
    // Stopped early: the tail of out was never written.
    expect(out[49_999_999]).toBe(0);
    expect(performance.now() - started).toBeLessThan(5000);
    // The pool is healthy afterwards.
    expect(await sumOfSquares({ from: 1, to: 100_000 })).toBe((100_000 * 100_001 * 200_001) / 6);
    setConcurrency(initialThreads);
  });
});

describe('progress', () => {
  it('reports rising counts while a long job runs, throttled', async () => {
    // A range so long it would run for hours: watch a few reports, then abort.
    const total = 1e13;
    const controller = new AbortController();
    const calls: Array<[number, number]> = [];
    const started = performance.now();
    const promise = sumOfSquares(
      { from: 1, to: total },
      {
        signal: controller.signal,
        onProgress: (done, all) => {
          calls.push([done, all]);
          if (calls.length === 4) controller.abort();
        },
      },
    );
    await expect(promise).rejects.toMatchObject({ name: 'AbortError' });
    expect(calls.length).toBe(4);
    for (const [done, all] of calls) {
      expect(all).toBe(total);
      expect(done).toBeGreaterThan(0);
      expect(done).toBeLessThan(total);
    }
    for (let i = 1; i < calls.length; i++) expect(calls[i][0]).toBeGreaterThan(calls[i - 1][0]);
    // At most one report per 16 ms: four reports take at least ~48 ms.
    expect(performance.now() - started).toBeGreaterThan(40);
  });

  it('ends with (total, total) just before the promise resolves', async () => {
    const calls: Array<[number, number]> = [];
    const total = 7680 * 4320;
    const gray = await grayscale(
      { data: new Uint8Array(total * 4), width: 7680, height: 4320 },
      { onProgress: (done, all) => calls.push([done, all]) },
    );
    expect(gray.length).toBe(total);
    expect(calls.at(-1)).toEqual([total, total]);
    expect(calls.filter(([done]) => done === total)).toHaveLength(1);
  });

  it('inline calls report (total, total) once', async () => {
    const calls: number[][] = [];
    await computeSquares([1, 2, 3], { onProgress: (done, total) => calls.push([done, total]) });
    expect(calls).toEqual([[3, 3]]);
  });
});

describe('the event loop', () => {
  it('keeps turning while a long kernel runs', async () => {
    setConcurrency(1);
    const image = { data: new Uint8Array(7680 * 4320 * 4), width: 7680, height: 4320 };
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const started = performance.now();
    for (let i = 0; i < 20; i++) await grayscale(image);
    const elapsed = performance.now() - started;
    clearInterval(timer);
    // Generous: a blocked loop would tick about once in total.
    expect(elapsed).toBeGreaterThan(50);
    expect(ticks).toBeGreaterThan(elapsed / 20);
    setConcurrency(initialThreads);
  });
});
