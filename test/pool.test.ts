import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

import { afterAll, describe, expect, it } from 'vitest';

import { binding } from '../lib/binding.js';
import {
  computeSquares,
  computeSquaresSync,
  features,
  getConcurrency,
  grayscale,
  grayscaleSync,
  poolStats,
  setConcurrency,
  sumOfSquares,
  sumOfSquaresSync,
} from '../lib/index.js';
import { MAX_CONCURRENCY } from '../lib/options.js';
import * as reference from '../lib/reference.js';
import { ROOT, expectSameValues, randomArray } from './helpers.js';

/** Polls `read` until `done` holds or `ms` pass; returns the last value read. */
async function waitFor<T>(read: () => T, done: (value: T) => boolean, ms = 5000): Promise<T> {
  const deadline = performance.now() + ms;
  let value = read();
  while (!done(value) && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    value = read();
  }
  return value;
}

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

  it('accepts up to the native maximum', () => {
    expect(MAX_CONCURRENCY).toBe(binding.constants().maxThreads);
  });

  it('rejects invalid sizes', () => {
    for (const bad of [0, 1025, -1, 1.5, NaN, Infinity]) {
      expect(() => setConcurrency(bad)).toThrow(
        expect.objectContaining({ name: 'RangeError', code: 'ERR_OUT_OF_RANGE' }),
      );
    }
    expect(() => setConcurrency('2' as unknown as number)).toThrow(
      expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' }),
    );
    // The stack starts at the caller's line.
    let error: Error | undefined;
    try {
      setConcurrency(0);
    } catch (caught) {
      error = caught as Error;
    }
    expect(error?.stack?.split('\n')[1]).toContain('pool.test.ts');
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

  it('surplus threads retire shortly after the pool shrinks', async () => {
    setConcurrency(6);
    await sumOfSquares({ from: 1, to: 2_000_000 }); // threads start with work
    expect((await waitFor(poolStats, (stats) => stats.liveThreads === 6)).liveThreads).toBe(6);
    setConcurrency(2);
    expect(poolStats().threads).toBe(2);
    expect((await waitFor(poolStats, (stats) => stats.liveThreads === 2)).liveThreads).toBe(2);
    // And the smaller pool still works.
    expect(await sumOfSquares({ from: 1, to: 1_000_000 })).toBe(reference.sumOfSquaresSync({ from: 1, to: 1_000_000 }));
    setConcurrency(initialThreads);
  });
});

describe('busyThreads', () => {
  it('is 0 when the pool is idle and above 0 while a long job runs', async () => {
    setConcurrency(2);
    expect((await waitFor(poolStats, (stats) => stats.busyThreads === 0)).busyThreads).toBe(0);
    const controller = new AbortController();
    const busy: number[] = [];
    const job = sumOfSquares(
      { from: 1, to: 1e13 },
      {
        signal: controller.signal,
        onProgress: () => {
          busy.push(poolStats().busyThreads);
          if (busy.length === 3) controller.abort();
        },
      },
    );
    await expect(job).rejects.toMatchObject({ name: 'AbortError' });
    expect(busy).toHaveLength(3);
    for (const count of busy) {
      expect(count).toBeGreaterThan(0);
      expect(count).toBeLessThanOrEqual(2);
    }
    expect((await waitFor(poolStats, (stats) => stats.busyThreads === 0)).busyThreads).toBe(0);
    setConcurrency(initialThreads);
  });
});

describe('small calls', () => {
  it('stay off the pool: completedJobs does not move', async () => {
    const before = poolStats().completedJobs;
    const image = { data: new Uint8Array(100 * 100 * 4), width: 100, height: 100 };
    await Promise.all([
      computeSquares([1, 2, 3]),
      computeSquares(new Float64Array(30_000)),
      sumOfSquares({ from: 1, to: 60_000 }),
      grayscale(image),
    ]);
    // Sync calls of one native chunk (131072 squares, 65536 summed elements) run on the caller.
    computeSquaresSync(new Float64Array(131_072));
    sumOfSquaresSync(new Float64Array(65_536));
    grayscaleSync(image);
    expect(poolStats().completedJobs).toBe(before);
    // A large one does go through the pool.
    await sumOfSquares({ from: 1, to: 1_000_000 });
    expect(poolStats().completedJobs).toBe(before + 1);
  });
});

describe('OFFLOOP_SIMD', () => {
  const simdIn = (level: string) =>
    spawnSync(process.execPath, ['-e', "process.stdout.write(require('./dist/cjs/index.js').features().simd)"], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, OFFLOOP_SIMD: level },
    });

  it('scalar caps the kernels at plain C++', () => {
    const run = simdIn('scalar');
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('scalar');
  });

  // The detection reads CPUID and XGETBV itself; the kernel's view of the
  // same CPU (flags it lists only where it saves the registers) must agree.
  it.skipIf(process.platform !== 'linux' || process.arch !== 'x64')(
    "unset, picks the widest level /proc/cpuinfo's flags allow",
    () => {
      const flags = new Set(/^flags\s*:(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1].trim().split(/\s+/));
      const expected = ['avx512f', 'avx512bw', 'avx512vl'].every((flag) => flags.has(flag))
        ? 'avx512bw'
        : flags.has('avx2')
          ? 'avx2'
          : 'sse2';
      const run = simdIn('');
      expect(run.stderr).toBe('');
      expect(run.stdout).toBe(expected);
    },
  );

  it.skipIf(process.arch !== 'x64' && process.arch !== 'ia32')('sse2 caps an x86 CPU at SSE2', () => {
    const run = simdIn('sse2');
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('sse2');
  });
});

describe('many calls', () => {
  it('1,000 concurrent calls all settle with correct results', async () => {
    setConcurrency(initialThreads);
    const inputs = Array.from({ length: 1000 }, (_, i) => randomArray(Float64Array, i % 3 === 0 ? 70_000 : 50 + i, i));
    const results = await Promise.all(inputs.map((input) => computeSquares(input)));
    results.forEach((result, i) => {
      expectSameValues(result, reference.computeSquaresSync(inputs[i]));
    });
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
    const aborted = grayscale(
      { data: new Uint8Array(7680 * 4320 * 3), width: 7680, height: 4320 },
      { signal: controller.signal },
    );
    controller.abort();
    await aborted.catch(() => undefined);
    const after = poolStats();
    expect(after.completedJobs).toBeGreaterThanOrEqual(before.completedJobs + 1);
    expect(after.failedJobs).toBe(before.failedJobs + 1);
    expect(after.cancelledJobs).toBe(before.cancelledJobs + 1);
    expect(after).toMatchObject({ queuedJobs: 0, runningJobs: 0 });
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

  it('aborting from onProgress during the work rejects with the reason and stops the chunks', async () => {
    setConcurrency(1);
    const controller = new AbortController();
    const reason = new Error('enough');
    const out = new Float64Array(50_000_000);
    let reportedDone = -1;
    const promise = computeSquares(
      { from: 1, to: 50_000_000 },
      {
        out,
        signal: controller.signal,
        onProgress: (done) => {
          reportedDone = done;
          controller.abort(reason);
        },
      },
    );
    await expect(promise).rejects.toBe(reason);
    // Aborted part-way: one thread claims chunks in order, so the tail of
    // out was never written.
    expect(reportedDone).toBeGreaterThan(0);
    expect(reportedDone).toBeLessThan(50_000_000);
    expect(out[49_999_999]).toBe(0);
    // The pool is healthy afterwards.
    expect(await sumOfSquares({ from: 1, to: 100_000 })).toBe((100_000 * 100_001 * 200_001) / 6);
    setConcurrency(initialThreads);
  });

  it('a throwing onProgress stops its job and rejects with the error; the pool carries on', async () => {
    const failure = new Error('callback failed');
    const before = poolStats().cancelledJobs;
    const promise = sumOfSquares(
      { from: 1, to: 1e13 },
      {
        onProgress: () => {
          throw failure;
        },
      },
    );
    await expect(promise).rejects.toBe(failure);
    expect(poolStats().cancelledJobs).toBe(before + 1);
    expect(await sumOfSquares({ from: 1, to: 100_000 })).toBe((100_000 * 100_001 * 200_001) / 6);
  });
});

describe('sync calls on the pool', () => {
  it('report rising progress and honour an abort made from onProgress', () => {
    const controller = new AbortController();
    const reason = new Error('enough');
    const calls: number[][] = [];
    expect(() =>
      sumOfSquaresSync(
        { from: 1, to: 1e13 },
        {
          signal: controller.signal,
          onProgress: (done, total) => {
            calls.push([done, total]);
            if (calls.length === 3) controller.abort(reason);
          },
        },
      ),
    ).toThrow(reason);
    expect(calls).toHaveLength(3);
    for (const [done, total] of calls) {
      expect(total).toBe(1e13);
      expect(done).toBeGreaterThan(0);
      expect(done).toBeLessThan(total);
    }
    expect(calls[1][0]).toBeGreaterThan(calls[0][0]);
    expect(calls[2][0]).toBeGreaterThan(calls[1][0]);
  });

  it('throw what onProgress throws, and the pool carries on', () => {
    const failure = new Error('callback failed');
    expect(() =>
      computeSquaresSync(
        { from: 1, to: 50_000_000 },
        {
          onProgress: () => {
            throw failure;
          },
        },
      ),
    ).toThrow(failure);
    expect(sumOfSquaresSync({ from: 1, to: 1_000_000 })).toBe(reference.sumOfSquaresSync({ from: 1, to: 1_000_000 }));
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
