// grayscaleFiles' flow: jobs in flight bounded (poolStats), results as
// completed vs in order, break with large files in flight leaves nothing
// behind, and a long generator runs in bounded memory.
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { grayscaleFiles, poolStats } from '../../lib/index.js';
import { fixture, tempFolder, writeLargePng } from './helpers.js';

let temp: ReturnType<typeof tempFolder>;
let big: string;
let small: string;

function folder(name: string): string {
  const dir = join(temp.dir, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

beforeAll(() => {
  temp = tempFolder('offloop-batch-flow-');
  big = join(temp.dir, 'big.png');
  writeLargePng(big, 3000, 2000, 3);
  small = join(temp.dir, 'small.jpg');
  copyFileSync(fixture('jpeg/ycc-444-base-61x37.jpg'), small);
});
afterAll(() => temp.cleanup());

describe('grayscaleFiles flow', () => {
  it('keeps at most concurrency files in flight', async () => {
    // Started: output() is called as a file starts; done: yielded. The pool
    // sees at most 2 jobs per file (a PNG's encode runs as a job of its own).
    const out = folder('bounded');
    const inputs = Array.from({ length: 8 }, () => big);
    let started = 0;
    let yielded = 0;
    let most = 0;
    let mostJobs = 0;
    const timer = setInterval(() => {
      const stats = poolStats();
      mostJobs = Math.max(mostJobs, stats.queuedJobs + stats.runningJobs);
      most = Math.max(most, started - yielded);
    }, 2);
    try {
      const output = (input: string) => join(out, `${started++}.png`) + (input === big ? '' : 'x');
      for await (const result of grayscaleFiles(inputs, { concurrency: 2, compressionLevel: 1, output })) {
        expect(result.error).toBeUndefined();
        most = Math.max(most, started - yielded);
        yielded++;
      }
    } finally {
      clearInterval(timer);
    }
    expect(yielded).toBe(8);
    expect(most).toBe(2);
    expect(mostJobs).toBeGreaterThan(0);
    expect(mostJobs).toBeLessThanOrEqual(4);
  });

  it('yields as files complete by default, in input order with ordered', async () => {
    const out = folder('order');
    const inputs = [
      { input: big, output: join(out, 'big.png') },
      { input: small, output: join(out, 'small.jpg') },
    ];
    const unordered: string[] = [];
    for await (const r of grayscaleFiles(inputs, { concurrency: 2, compressionLevel: 1 }))
      unordered.push(String(r.input));
    expect(unordered).toEqual([small, big]);
    const ordered: string[] = [];
    for await (const r of grayscaleFiles(inputs, { concurrency: 2, ordered: true, compressionLevel: 1 }))
      ordered.push(String(r.input));
    expect(ordered).toEqual([big, small]);
  });

  it('break with large files in flight: they are aborted, no temporary file, the generator closed', async () => {
    const out = folder('break');
    let closed = false;
    let pulled = 0;
    function* inputs() {
      try {
        yield { input: small, output: join(out, 'small.jpg') };
        for (let i = 0; i < 10; i++) {
          pulled++;
          yield { input: big, output: join(out, `big${i}.png`) };
        }
      } finally {
        closed = true;
      }
    }
    const cancelledBefore = poolStats().cancelledJobs;
    for await (const r of grayscaleFiles(inputs(), { concurrency: 3, ordered: true })) {
      expect(r.input).toBe(small);
      break;
    }
    expect(closed).toBe(true);
    expect(pulled).toBeLessThanOrEqual(3);
    expect(poolStats().runningJobs + poolStats().queuedJobs).toBe(0);
    // A big file renamed into place before the break stays (it is complete);
    // no temporary file is left.
    const names = readdirSync(out);
    expect(names).toContain('small.jpg');
    expect(names.every((name) => /^(small\.jpg|big\d\.png)$/.test(name))).toBe(true);
    // The big files pulled and not written were cancelled on the pool.
    if (names.length < 1 + pulled) expect(poolStats().cancelledJobs).toBeGreaterThan(cancelledBefore);
  });

  it('runs a long generator in bounded memory', async () => {
    const out = folder('long');
    const N = 3000;
    let pulled = 0;
    async function* inputs() {
      for (let i = 0; i < N; i++) {
        pulled++;
        yield { input: small, output: join(out, `${i}.jpg`) };
      }
    }
    let seen = 0;
    let rssAt500 = 0;
    for await (const r of grayscaleFiles(inputs(), { concurrency: 4 })) {
      expect(r.error).toBeUndefined();
      seen++;
      expect(pulled - seen).toBeLessThanOrEqual(4);
      if (seen === 500) rssAt500 = process.memoryUsage().rss;
    }
    expect(seen).toBe(N);
    expect(process.memoryUsage().rss - rssAt500).toBeLessThan(64 * 1024 * 1024);
    expect(readdirSync(out)).toHaveLength(N);
  });
});
