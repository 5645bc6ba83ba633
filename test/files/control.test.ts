// Cancellation, progress and atomic writes on a large generated image: an
// abort before or during the work leaves no output and no temporary file;
// progress counts rows and ends at (total, total); an existing output is
// replaced only on success.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { grayscaleFile, grayscaleFileSync, poolStats } from '../../lib/index.js';
import { entries, fixture, tempFolder, writeLargePng } from './helpers.js';

const WIDTH = 6000;
const HEIGHT = 4000;

let temp: ReturnType<typeof tempFolder>;
let big: string;

beforeAll(() => {
  temp = tempFolder();
  // 24 MP: its rows take longer than the 16 ms between progress reports to
  // decode and to encode, and the deflate after them longer still. (At 6 MP,
  // once the PNG path had SIMD gray rows and page-cache buffers, most runs
  // on this busy machine saw no report before the last.)
  big = join(temp.dir, 'big.png');
  writeLargePng(big, WIDTH, HEIGHT, 3);
});
afterAll(() => temp.cleanup());

/** A folder of its own for one test's outputs, so that its listing is exact. */
function outputFolder(name: string): string {
  const dir = join(temp.dir, name);
  mkdirSync(dir);
  return dir;
}

describe('signal', () => {
  it('already aborted: rejects (sync: throws) with the reason at once; nothing is read or written', async () => {
    const dir = outputFolder('aborted-before');
    const reason = new Error('not now');
    const signal = AbortSignal.abort(reason);
    const before = poolStats();
    await expect(grayscaleFile(big, { output: join(dir, 'out.png'), signal })).rejects.toBe(reason);
    expect(() => grayscaleFileSync(big, { output: join(dir, 'out.png'), signal })).toThrow(reason);
    // A missing input is not even looked at.
    await expect(grayscaleFile(join(dir, 'missing.png'), { signal })).rejects.toBe(reason);
    expect(poolStats().completedJobs + poolStats().failedJobs).toBe(before.completedJobs + before.failedJobs);
    expect(entries(dir)).toEqual([]);
  });

  it('aborted while decoding or encoding: rejects with the reason, no output, no temporary file', async () => {
    const dir = outputFolder('aborted-during');
    for (const delay of [5, 60, 150, 250]) {
      const controller = new AbortController();
      const output = join(dir, `out-${delay}.png`);
      const promise = grayscaleFile(big, { output, signal: controller.signal });
      setTimeout(() => controller.abort(), delay);
      const outcome = await promise.then(
        () => 'written',
        (error: unknown) => error,
      );
      if (outcome === 'written') {
        // Only when the abort came after the file was complete and renamed.
        expect(existsSync(output)).toBe(true);
      } else {
        expect(outcome).toMatchObject({ name: 'AbortError' });
        expect(existsSync(output)).toBe(false);
      }
      expect(entries(dir).filter((name) => !name.startsWith('out-'))).toEqual([]);
    }
    // The early aborts at least stopped the job.
    expect(entries(dir).length).toBeLessThan(4);
  });

  it('aborted mid-way from onProgress, also in memory and for sync calls', async () => {
    const dir = outputFolder('aborted-progress');
    const reason = new Error('stop');
    for (const sync of [false, true]) {
      for (const output of [join(dir, 'out.jpg'), undefined]) {
        const controller = new AbortController();
        const reports: number[] = [];
        const options = {
          output,
          format: 'jpeg' as const,
          signal: controller.signal,
          onProgress: (done: number) => {
            reports.push(done);
            if (reports.length === 2) controller.abort(reason);
          },
        };
        if (sync) expect(() => grayscaleFileSync(big, options)).toThrow(reason);
        else await expect(grayscaleFile(big, options)).rejects.toBe(reason);
        expect(reports).toHaveLength(2);
        expect(entries(dir)).toEqual([]);
      }
    }
  });

  it('an abort too late to stop the write: the file is complete and the call resolves; in memory it rejects', async () => {
    const dir = outputFolder('aborted-too-late');
    const output = join(dir, 'out.png');
    const busyWait = (ms: number) => {
      for (const end = performance.now() + ms; performance.now() < end; );
    };
    const written = new AbortController();
    const promise = grayscaleFile(fixture('png/rgb8-61x37.png'), { output, signal: written.signal });
    // The pool thread finishes this small file while the main thread is busy;
    // the abort comes before the promise has settled, but after the rename.
    busyWait(200);
    written.abort();
    const result = await promise;
    expect(result.output).toBe(output);
    expect(readFileSync(output).length).toBe(result.bytes);
    expect(entries(dir)).toEqual(['out.png']);
    // Pixels in memory are simply dropped: the call rejects, as every kernel's does.
    const pixels = new AbortController();
    const inMemory = grayscaleFile(fixture('png/rgb8-61x37.png'), { signal: pixels.signal });
    busyWait(200);
    pixels.abort();
    await expect(inMemory).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('an abort after the call settled changes nothing', async () => {
    const dir = outputFolder('aborted-after');
    const controller = new AbortController();
    const output = join(dir, 'out.png');
    const result = await grayscaleFile(fixture('png/rgb8-61x37.png'), { output, signal: controller.signal });
    controller.abort();
    expect(result.output).toBe(output);
    expect(readFileSync(output).length).toBe(result.bytes);
  });
});

describe('onProgress', () => {
  it('reports rising rows, decoding then encoding, and ends once at (total, total)', async () => {
    for (const sync of [false, true]) {
      const dir = outputFolder(`progress-${sync ? 'sync' : 'async'}`);
      const reports: Array<[number, number]> = [];
      const onProgress = (done: number, total: number) => void reports.push([done, total]);
      const output = join(dir, 'out.png');
      const result = sync
        ? grayscaleFileSync(big, { output, onProgress })
        : await grayscaleFile(big, { output, onProgress });
      expect(result.output).toBe(output);
      // Rows decoded plus rows encoded.
      const total = 2 * HEIGHT;
      expect(reports.at(-1)).toEqual([total, total]);
      expect(reports.filter(([done]) => done === total)).toHaveLength(1);
      // At least one report before the last: reports come at most every 16 ms, and the
      // file's decode and encode take longer than that, but how many more is the machine's speed.
      expect(reports.length, 'reports while the work runs').toBeGreaterThan(1);
      for (let i = 0; i < reports.length; i++) {
        expect(reports[i]![1]).toBe(total);
        if (i > 0) expect(reports[i]![0]).toBeGreaterThan(reports[i - 1]![0]);
      }
    }
  });

  it('counts decoded rows only when nothing is encoded', async () => {
    const reports: Array<[number, number]> = [];
    const result = await grayscaleFile(big, { onProgress: (done, total) => void reports.push([done, total]) });
    expect(result.data.length).toBe(WIDTH * HEIGHT);
    expect(reports.at(-1)).toEqual([HEIGHT, HEIGHT]);
    const encoded: Array<[number, number]> = [];
    grayscaleFileSync(fixture('png/rgb8-61x37.png'), {
      encode: true,
      onProgress: (done, total) => void encoded.push([done, total]),
    });
    expect(encoded).toEqual([[74, 74]]);
  });

  it('a throwing onProgress stops the file and the call fails with its error; no output', async () => {
    const dir = outputFolder('throwing-progress');
    const failure = new Error('callback failed');
    const onProgress = () => {
      throw failure;
    };
    await expect(grayscaleFile(big, { output: join(dir, 'out.png'), onProgress })).rejects.toBe(failure);
    expect(() => grayscaleFileSync(big, { output: join(dir, 'out.png'), onProgress })).toThrow(failure);
    expect(entries(dir)).toEqual([]);
    // The pool carries on.
    expect((await grayscaleFile(fixture('png/rgb8-61x37.png'))).width).toBe(61);
  });
});

describe('atomic writes', () => {
  it('success: only the output in the folder; failure and abort: only what was there', async () => {
    const dir = outputFolder('atomic');
    const output = join(dir, 'out.png');
    await grayscaleFile(big, { output, format: 'png' });
    expect(entries(dir)).toEqual(['out.png']);
    const first = readFileSync(output);

    // A failing input: the previous output is untouched.
    const broken = join(temp.dir, 'broken.png');
    writeFileSync(broken, readFileSync(big).subarray(0, 100_000));
    await expect(grayscaleFile(broken, { output })).rejects.toMatchObject({ code: 'ERR_OFFLOOP_TRUNCATED_IMAGE' });
    expect(() => grayscaleFileSync(broken, { output })).toThrow(
      expect.objectContaining({ code: 'ERR_OFFLOOP_TRUNCATED_IMAGE' }),
    );
    expect(entries(dir)).toEqual(['out.png']);
    expect(readFileSync(output).equals(first)).toBe(true);

    // Aborted while it runs: untouched too. (At its first report, not once encoding has begun:
    // with PNG decoding inflated in one call the encode can end within one 16 ms report interval.)
    const controller = new AbortController();
    const promise = grayscaleFile(big, {
      output,
      compressionLevel: 9,
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    setTimeout(() => controller.abort(), 200);
    await expect(promise).rejects.toMatchObject({ name: 'AbortError' });
    expect(entries(dir)).toEqual(['out.png']);
    expect(readFileSync(output).equals(first)).toBe(true);

    // Success replaces it.
    const replaced = await grayscaleFile(fixture('jpeg/ycc-420-base-61x37.jpg'), { output, format: 'png' });
    expect(entries(dir)).toEqual(['out.png']);
    expect(readFileSync(output).length).toBe(replaced.bytes);
  });

  it('many files written at once into one folder: each complete, nothing else', async () => {
    const dir = outputFolder('concurrent');
    const inputs = [
      'png/rgb8-61x37.png',
      'jpeg/ycc-444-base-64x48.jpg',
      'png/pal8-61x37.png',
      'jpeg/gray-prog-61x37.jpg',
    ];
    const results = await Promise.all(
      Array.from({ length: 24 }, (_, k) =>
        grayscaleFile(fixture(inputs[k % 4]!), { output: join(dir, `out-${k}.png`), format: 'png' }),
      ),
    );
    expect(entries(dir)).toHaveLength(24);
    for (const result of results) expect(grayscaleFileSync(result.output).width).toBe(result.width);
  });
});
