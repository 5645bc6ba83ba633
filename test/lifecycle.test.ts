import { describe, expect, it } from 'vitest';

import { runFixture } from './helpers.js';

describe('lifetimes', () => {
  it('buffers stay alive until their job settles, whatever the GC does', () => {
    const run = runFixture('gc.mjs', [], ['--expose-gc']);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^ok after \d+ collections/);
    // The collections must really happen while the jobs run.
    expect(Number(/after (\d+)/.exec(run.stdout)?.[1])).toBeGreaterThanOrEqual(5);
    expect(run.status).toBe(0);
  });

  it("a collection's worth of dropped large results stays cached for reuse, and recycled results are exact", () => {
    const run = runFixture('page-cycle.mjs', [], ['--expose-gc']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const { cached, max, count, exact } = JSON.parse(run.stdout) as {
      cached: number;
      max: number;
      count: number;
      exact: boolean;
    };
    // Where offloop maps no pages (no mmap), nothing is cached: nothing to check.
    // Otherwise all of them: `count` exceeds what V8 lets pile up between two collections.
    if (max > 0) expect(cached).toBe(count);
    expect(exact).toBe(true);
  });

  it('cached pages stay while results keep coming and go back to the OS when the process idles', () => {
    const run = runFixture('page-trim.mjs', [], ['--expose-gc'], 30_000);
    expect(run.error).toBeUndefined(); // exited by itself: the trimming thread keeps nothing alive
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const { max, cachedBusy, cachedIdle, exact } = JSON.parse(run.stdout) as Record<string, number | boolean>;
    // Where offloop maps no pages (no mmap), nothing is cached: nothing to check.
    if ((max as number) > 0) {
      expect(cachedBusy).toBeGreaterThan(0);
      expect(cachedIdle).toBe(0);
    }
    expect(exact).toBe(true);
  });

  it("a large input file's buffer goes back to the page cache, and the next large file reuses it", () => {
    const run = runFixture('input-pages.mjs');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const { max, cachedAfterFirst, cachedAfterSecond, exact } = JSON.parse(run.stdout) as Record<
      string,
      number | boolean
    >;
    // Where offloop maps no pages (no mmap), nothing is cached: nothing to check.
    if ((max as number) > 0) {
      expect(cachedAfterFirst).toBe(1);
      expect(cachedAfterSecond).toBe(1); // taken and given back, not a second mapping
    }
    expect(exact).toBe(true);
  });

  it('an idle process exits by itself; a pending job keeps it alive until it settles', () => {
    const run = runFixture('idle-exit.mjs', [], [], 20_000);
    expect(run.error).toBeUndefined(); // not killed by the timeout
    expect(run.stdout.trim()).toBe('settled true');
    expect(run.status).toBe(0);
  });

  it('process.exit() with jobs in flight exits cleanly', () => {
    const run = runFixture('exit-pending.mjs', [], [], 20_000);
    expect(run.signal).toBeNull();
    expect(run.status).toBe(7);
    expect(run.stderr).toBe('');
  });
});

describe('worker_threads', () => {
  it('several workers run kernels at once', () => {
    const run = runFixture('workers.mjs');
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('ok 0,1,2,3,4');
    expect(run.status).toBe(0);
  });

  it('workers terminated, exiting or throwing with jobs in flight leave the process healthy', () => {
    const run = runFixture('worker-terminate.mjs', [], [], 60_000);
    expect(run.signal).toBeNull();
    expect(run.stdout.trim()).toBe('ok');
    expect(run.status).toBe(0);
  });
});
