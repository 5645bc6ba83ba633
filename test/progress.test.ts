// Progress in an environment whose first and only job asks for it: the
// native side reserves room for a report of every pending job, so reports
// flow from the first job on (they used to be dropped until other jobs had
// grown the event queue). A fresh child process, so no earlier test has.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

const entry = fileURLToPath(new URL('../dist/esm/index.js', import.meta.url));

function firstJobReports(call: string): number {
  const script = `
    const offloop = await import(${JSON.stringify(entry)});
    const reports = [];
    const onProgress = (done, total) => reports.push(done);
    await ${call};
    console.log(reports.length);`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return Number(run.stdout.trim());
}

describe('progress from the first job of a fresh environment', () => {
  it('a kernel reports while it runs', () => {
    // 32 Mi squares on one thread: 256 MiB of fresh pages, over 50 ms anywhere.
    expect(
      firstJobReports('(offloop.setConcurrency(1), offloop.computeSquares({ from: 1, to: 2 ** 25 }, { onProgress }))'),
    ).toBeGreaterThan(1);
  });

  it('a file job reports rows while it runs', () => {
    const fixture = fileURLToPath(new URL('./fixtures/images/png/rgb8-61x37.png', import.meta.url));
    // A small file finishes within one report interval: only the final report.
    expect(firstJobReports(`offloop.grayscaleFile(${JSON.stringify(fixture)}, { onProgress })`)).toBe(1);
    // A generated 6000x4000 PNG takes long enough for several (at 3000x2000
    // the PNG path's SIMD rows and reused pages finished it in two reports).
    const big = `(async () => {
      const { default: sharp } = await import('sharp');
      const bytes = await sharp({ create: { width: 6000, height: 4000, channels: 3, noise: { type: 'gaussian', mean: 128, sigma: 40 } } }).png({ compressionLevel: 1 }).toBuffer();
      return offloop.grayscaleFile(bytes, { encode: true, format: 'png', onProgress });
    })()`;
    expect(firstJobReports(big)).toBeGreaterThan(2);
  });
});
