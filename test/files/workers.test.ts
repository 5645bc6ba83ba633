// grayscaleFile inside worker_threads, several at once and next to the main
// thread: the same pixels, outputs and errors as on the main thread.
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { grayscaleFile } from '../../lib/index.js';
import { entries, fixture, firstDifference, manifest, readFixture, tempFolder } from './helpers.js';

let temp: ReturnType<typeof tempFolder>;
beforeAll(() => (temp = tempFolder()));
afterAll(() => temp.cleanup());

interface WorkerResult {
  file: string;
  width: number;
  height: number;
  pixels: string;
  sameSync: boolean;
  output: string;
  bytes: number;
  error: { code: string; message: string };
}

function runWorker(files: string[], tag: string): Promise<WorkerResult[]> {
  const worker = new Worker(new URL('./file-worker.mjs', import.meta.url), {
    workerData: { files, outDir: temp.dir, tag },
  });
  return new Promise((resolve, reject) => {
    worker.once('message', (message: WorkerResult[]) => {
      void worker.terminate();
      resolve(message);
    });
    worker.once('error', reject);
  });
}

describe('worker_threads', () => {
  it("four workers and the main thread turn files gray at the same time, each getting Pillow's pixels", async () => {
    const cases = manifest.decode.filter((_, k) => k % 6 === 0);
    const files = cases.map((c) => fixture(c.file));
    const [main, ...workers] = await Promise.all([
      Promise.all(files.map((file) => grayscaleFile(file))),
      ...[0, 1, 2, 3].map((k) => runWorker(files, `w${k}`)),
    ]);
    cases.forEach((c, k) => {
      expect(firstDifference(main[k]!.data, readFixture(c.exact)), c.file).toBeUndefined();
    });
    for (const results of workers) {
      expect(results).toHaveLength(cases.length);
      results.forEach((result, k) => {
        const c = cases[k]!;
        expect(result).toMatchObject({ file: fixture(c.file), width: c.width, height: c.height, sameSync: true });
        expect(firstDifference(Buffer.from(result.pixels, 'base64'), readFixture(c.exact)), c.file).toBeUndefined();
        expect(readFileSync(result.output).length).toBe(result.bytes);
        expect(result.error.code).toBe('ENOENT');
        expect(result.error.message).toContain('missing.jpg');
      });
    }
    // Four workers' outputs, nothing else (no temporary file).
    expect(entries(temp.dir)).toHaveLength(4 * cases.length);
  });
});
