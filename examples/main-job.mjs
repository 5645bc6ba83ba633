// The main job (`npm start`): the two classic CPU-bound jobs, run by offloop
// on its native pool and by the pure-JS reference on the main thread, with
// the time each took and the longest the event loop was stalled meanwhile;
// then a folder of photos (generated on the first run, into tmp/) turned gray
// file by file on the pool, with the event loop free meanwhile, and once more
// through the `offloop` command line.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

import { computeSquares, features, getConcurrency, grayscale, grayscaleFile, sumOfSquares } from 'offloop';
import * as reference from 'offloop/reference';

import { samplePhotos } from './sample-photos.mjs';

const N = 1_000_000;
const WIDTH = 3840;
const HEIGHT = 2160;

function makeFrame(width, height) {
  // A deterministic gradient with some texture, so every gray level occurs.
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i += 4) {
      rgba[i] = (x * 255) / width;
      rgba[i + 1] = (y * 255) / height;
      rgba[i + 2] = (x ^ y) & 255;
      rgba[i + 3] = 255;
    }
  }
  return rgba;
}

const RUNS = 9;
// Enough for V8 to have collected the first results (it collects external
// memory, such as offloop's 8 MB results, once about 64 MiB more of it was
// made): from then on offloop's new results reuse the pages of collected
// ones, as in a long-running process. A fresh process's first results are
// fresh memory instead (`node bench/first-calls.mjs` times them).
const WARM_UPS = 12;

// Median time of RUNS runs, and the longest event-loop stall seen in any.
async function measure(run) {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  const times = [];
  let result;
  delay.enable();
  for (let i = 0; i < RUNS; i++) {
    // Let the monitor's timer arm before the work starts.
    await new Promise((resolve) => setTimeout(resolve, 2));
    const start = performance.now();
    result = await run();
    times.push(performance.now() - start);
  }
  delay.disable();
  times.sort((a, b) => a - b);
  return { result, ms: times[RUNS >> 1], stallMs: delay.max / 1e6 };
}

function same(a, b) {
  if (typeof a !== 'object') return Object.is(a, b);
  return a.length === b.length && a.every((value, i) => Object.is(value, b[i]));
}

const frame = { data: makeFrame(WIDTH, HEIGHT), width: WIDTH, height: HEIGHT, channels: 4 };
const squaresOut = new Float64Array(N);
const jobs = [
  { name: `squares of 1..${N.toLocaleString('en')}`, args: [{ from: 1, to: N }], kernel: 'computeSquares' },
  {
    name: `squares of 1..${N.toLocaleString('en')} into out`,
    args: [{ from: 1, to: N }, { out: squaresOut }],
    referenceArgs: [{ from: 1, to: N }, { out: new Float64Array(N) }],
    kernel: 'computeSquares',
  },
  { name: `sum of squares of 1..${N.toLocaleString('en')}`, args: [{ from: 1, to: N }], kernel: 'sumOfSquares' },
  { name: `grayscale of a ${WIDTH}x${HEIGHT} RGBA frame`, args: [frame], kernel: 'grayscale' },
];
const offloop = { computeSquares, sumOfSquares, grayscale };

const { simd, binary } = features();
console.log(`offloop: ${getConcurrency()} pool threads, SIMD path ${simd}, ${binary.source} binary`);

const rows = [];
for (const job of jobs) {
  // Warm-ups, so that neither side pays for first-call compilation and
  // offloop's result pages are recycled as a long-running process's are.
  for (let i = 0; i < WARM_UPS; i++) {
    await offloop[job.kernel](...job.args);
    await reference[job.kernel](...(job.referenceArgs ?? job.args));
  }
  const native = await measure(() => offloop[job.kernel](...job.args));
  const plain = await measure(() => reference[job.kernel](...(job.referenceArgs ?? job.args)));
  if (!same(native.result, plain.result)) throw new Error(`${job.name}: offloop and the reference disagree`);
  rows.push({
    job: job.name,
    'offloop ms': +native.ms.toFixed(2),
    'pure JS ms': +plain.ms.toFixed(2),
    speed: `${(plain.ms / native.ms).toFixed(1)}x`,
    'offloop stall ms': +native.stallMs.toFixed(2),
    'pure JS stall ms': +plain.stallMs.toFixed(2),
  });
}
console.table(rows);
console.log(`Times are medians of ${RUNS} runs; a stall is the longest the event loop waited (1 ms resolution).`);
console.log(
  'A new result is 8 MB that V8 counts as external memory: every ~64 MiB of them it collects (on the JS thread,\n' +
    "a few ms), and only then can offloop reuse the collected results' pages. With `out` there is no new memory,\n" +
    'no page to fault in and nothing to collect.',
);
const sum = await sumOfSquares({ from: 1, to: N });
const exact = (BigInt(N) * BigInt(N + 1) * BigInt(2 * N + 1)) / 6n;
console.log(`sum of squares of 1..${N}: ${sum} (exactly ${exact}; the nearest double is ${Number(exact)})`);

// A folder of photos turned gray: one grayscaleFile per file, all in flight,
// each read, decoded, turned gray, encoded and written on the pool.
const folder = fileURLToPath(new URL('../tmp/main-job/', import.meta.url));
const { paths, written } = samplePhotos(join(folder, 'photos'));
const outDir = join(folder, 'gray');
mkdirSync(outDir, { recursive: true });
console.log(
  `\nphotos: ${paths.length} in tmp/main-job/photos${written ? ` (${written} generated now with jpeg-js and pngjs)` : ''}, gray copies into tmp/main-job/gray`,
);
const kb = (bytes) => `${Math.round(bytes / 1024)} KB`.padStart(7);
const delay = monitorEventLoopDelay({ resolution: 1 });
delay.enable();
await new Promise((resolve) => setTimeout(resolve, 2));
let ticks = 0;
const ticker = setInterval(() => ticks++, 1);
const start = performance.now();
const results = await Promise.all(
  paths.map(async (path) => {
    const result = await grayscaleFile(path, { output: join(outDir, basename(path)) });
    const { width, height, inputFormat, bytesIn, bytes, timings } = result;
    console.log(
      `  ${basename(path).padEnd(12)} ${`${width}x${height}`.padStart(9)} ${inputFormat.padEnd(4)} ${kb(bytesIn)} -> ${kb(bytes)}` +
        `  decode ${timings.decode.toFixed(1)} ms, encode ${timings.encode.toFixed(1)} ms; done at ${(performance.now() - start).toFixed(0)} ms`,
    );
    return result;
  }),
);
const elapsedMs = performance.now() - start;
clearInterval(ticker);
delay.disable();
const megapixels = results.reduce((sum, { width, height }) => sum + width * height, 0) / 1e6;
console.log(
  `${results.length} files, ${megapixels.toFixed(1)} MP in ${elapsedMs.toFixed(0)} ms: ${(megapixels / (elapsedMs / 1000)).toFixed(0)} MP/s ` +
    `on ${getConcurrency()} pool threads. Meanwhile a 1 ms timer fired ${ticks} times; longest event-loop stall ${(delay.max / 1e6).toFixed(2)} ms.`,
);

// The same folder through the command line the package installs (`npx
// offloop gray ...`): a progress bar on a terminal, one line per file otherwise.
const cli = fileURLToPath(new URL('../dist/cjs/cli/main.js', import.meta.url));
const cliArgs = ['gray', join(folder, 'photos'), '-o', join(folder, 'gray-cli')];
console.log(`\n$ offloop ${cliArgs.map((arg) => relative(process.cwd(), arg) || '.').join(' ')}`);
const { status } = spawnSync(process.execPath, [cli, ...cliArgs], { stdio: 'inherit' });
if (status !== 0) process.exitCode = status ?? 1;
