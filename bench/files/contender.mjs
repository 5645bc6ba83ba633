// One contender of the files benchmark, in a process of its own (its own
// thread settings, its own peak RSS): grays a list of files into a folder
// and prints one JSON object: files, pixels, seconds, mean per-file stage
// times, the event loop's p99 delay meanwhile, and the process's peak RSS.
//   node contender.mjs '{"contender":"offloop-exact","inputs":[...],"outDir":"...","format":"jpeg","threads":2}'
import { readFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const { contender, inputs, outDir, format, threads, webpQuality } = JSON.parse(process.argv[2]);
const EXTENSIONS = { jpeg: '.jpg', png: '.png', webp: '.webp' };
const outputOf = (input) => join(outDir, basename(input, extname(input)) + EXTENSIONS[format]);

function meanStages(list) {
  const sums = {};
  for (const timings of list) for (const [stage, ms] of Object.entries(timings)) sums[stage] = (sums[stage] ?? 0) + ms;
  return Object.fromEntries(Object.entries(sums).map(([stage, ms]) => [stage, ms / list.length]));
}

const runners = {
  async 'offloop-exact'() {
    return offloop('exact');
  },
  async 'offloop-luma'() {
    return offloop('luma');
  },
  async 'offloop-luma-lossless'() {
    return offloop('luma-lossless');
  },
  async 'offloop-level1'() {
    return offloop('exact', { compressionLevel: 1 });
  },
  // `jpegtran -grayscale` (Debian's libjpeg-turbo-progs), `threads` processes
  // at a time: the same lossless luma copy as offloop's luma-lossless.
  async jpegtran() {
    const { spawn } = await import('node:child_process');
    let next = 0;
    const one = (input) =>
      new Promise((resolve, reject) => {
        const child = spawn('jpegtran', ['-grayscale', '-outfile', outputOf(input), input], { stdio: 'ignore' });
        child.on('error', reject);
        child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`jpegtran exited ${code} on ${input}`))));
      });
    await Promise.all(
      Array.from({ length: threads }, async () => {
        while (next < inputs.length) await one(inputs[next++]);
      }),
    );
    return { pixels: null, stages: null };
  },
  async sharp() {
    const sharp = modules.sharp;
    // Each file one libvips thread; UV_THREADPOOL_SIZE (set by the parent) files at once.
    sharp.concurrency(1);
    sharp.cache(false);
    const infos = await Promise.all(
      inputs.map((input) => {
        const image = sharp(input).greyscale();
        const encoded = {
          png: () => image.png({ compressionLevel: 6 }),
          jpeg: () => image.jpeg({ quality: 75 }),
          webp: () => image.webp({ quality: webpQuality }),
        }[format]();
        return encoded.toFile(outputOf(input));
      }),
    );
    return { pixels: infos.reduce((sum, info) => sum + info.width * info.height, 0), stages: null };
  },
  async js() {
    const { grayFileInJs } = modules.js;
    // One file per turn of the event loop, as a server would interleave
    // them: the delay monitor sees each file's stall.
    const done = [];
    for (const input of inputs) {
      done.push(grayFileInJs(input, outputOf(input), format));
      await new Promise((resolve) => setImmediate(resolve));
    }
    return {
      pixels: done.reduce((sum, d) => sum + d.width * d.height, 0),
      stages: meanStages(done.map((d) => d.timings)),
    };
  },
  async piscina() {
    const { Piscina } = modules.piscina;
    const pool = new Piscina({
      filename: fileURLToPath(new URL('./piscina-worker.mjs', import.meta.url)),
      minThreads: threads,
      maxThreads: threads,
    });
    try {
      const done = await Promise.all(inputs.map((input) => pool.run({ input, output: outputOf(input), format })));
      return {
        pixels: done.reduce((sum, d) => sum + d.width * d.height, 0),
        stages: meanStages(done.map((d) => d.timings)),
      };
    } finally {
      await pool.destroy();
    }
  },
};

async function offloop(mode, extra = {}) {
  const { grayscaleFiles } = modules.offloop;
  let pixels = 0;
  const timings = [];
  for await (const result of grayscaleFiles(
    inputs.map((input) => ({ input, output: outputOf(input) })),
    format === 'webp' ? { mode, format, quality: webpQuality, ...extra } : { mode, format, ...extra },
  )) {
    if (result.error) throw result.error;
    pixels += result.width * result.height;
    timings.push(result.timings);
  }
  return { pixels, stages: meanStages(timings) };
}

// The peak resident set of this process: VmHWM belongs to the address
// space exec made (getrusage's maxRSS would carry the parent's over exec).
function peakRssMiB() {
  const line = readFileSync('/proc/self/status', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmHWM:'));
  return line ? Number(line.split(/\s+/)[1]) / 1024 : process.resourceUsage().maxRSS / 1024;
}

// Resolution 1, as the kernel cases' (bench/measure.mjs): the histogram
// records each interval whole, sampling interval included, so at 5 an idle
// loop already reads 5.1-6 ms, and the files cases' p99 (5.5-6.0 ms in the
// 2026-11-22 run) was mostly the interval, not comparable with the kernels'.
// Each contender's modules load (and offloop's pool starts) before the loop
// is watched: loading an addon or a library stalls the loop once per
// process, which is start-up, not the batch. A JPEG batch lasts under a
// second (about 700 samples), so a few such stalls alone made its p99.
const modules = {
  offloop: contender.startsWith('offloop-') ? await import('../../dist/esm/index.js') : null,
  sharp: contender === 'sharp' ? (await import('sharp')).default : null,
  piscina: contender === 'piscina' ? await import('piscina') : null,
  js: contender === 'js' ? await import('./js-pipeline.mjs') : null,
};
modules.offloop?.setConcurrency(threads);

const delay = monitorEventLoopDelay({ resolution: 1 });
await new Promise((resolve) => setTimeout(resolve, 10));
delay.enable();
const start = performance.now();
const { pixels, stages } = await runners[contender]();
const seconds = (performance.now() - start) / 1000;
// One more turn of the loop, so a stall at the very end is recorded too.
await new Promise((resolve) => setTimeout(resolve, 10));
delay.disable();
process.stdout.write(
  `${JSON.stringify({
    files: inputs.length,
    pixels,
    seconds,
    stages,
    eventLoopP99Ms: delay.percentile(99) / 1e6,
    maxRssMiB: peakRssMiB(),
  })}\n`,
);
