// `npm run bench:luma`: what mode 'luma' costs in accuracy and gains in
// speed against mode 'exact' (issue 8).
//   1. On every JPEG fixture of test/fixtures/images: max and mean
//      |luma - exact| over the pixels (luma applies to YCbCr and gray JPEGs;
//      the others decode as exact and say so).
//   2. On a large photo-like JPEG made here (4000x3000, quality 90, 4:2:0,
//      baseline and progressive, encoded with sharp): the same differences,
//      and the decode time of each mode (grayscaleFileSync on the bytes in
//      memory, pixels out), medians of interleaved runs at the same pool size.
// Prints the tables and writes them, with the machine, to bench/results/luma.md.
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

import { features, grayscaleFileSync, setConcurrency } from 'offloop';
import sharp from 'sharp';

import { makePhoto } from '../examples/sample-photos.mjs';
import { loadSince, loadSnapshot, waitForQuiet } from './load.mjs';
import { describeMachine, machineLines } from './machine.mjs';

const WIDTH = 4000;
const HEIGHT = 3000;
const QUALITY = 90;
const WARMUP = 3;
const RUNS = Number(process.env.RUNS ?? 15);
const images = new URL('../test/fixtures/images/', import.meta.url);
const out = [];
const log = (line = '') => {
  console.log(line);
  out.push(line);
};

/**
 * Of the pixels where luma and exact differ, how many have a decoded R, G or B at 0 or 255 (clipped). The RGB
 * comes from sharp's decoder (libjpeg's defaults, as exact's): used only when its L equals exact's everywhere.
 */
async function clippedShare(bytes, exact, luma) {
  const { data, info } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) return 'n/a';
  let differing = 0;
  let clipped = 0;
  for (let i = 0; i < exact.length; i++) {
    const [r, g, b] = [data[3 * i], data[3 * i + 1], data[3 * i + 2]];
    if ((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16 !== exact[i]) return 'n/a';
    if (exact[i] === luma[i]) continue;
    differing++;
    if (r === 0 || r === 255 || g === 0 || g === 255 || b === 0 || b === 255) clipped++;
  }
  return differing === 0 ? '' : `${clipped} of ${differing}`;
}

function difference(a, b) {
  let max = 0;
  let sum = 0;
  let differing = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (d > max) max = d;
    sum += d;
    if (d !== 0) differing++;
  }
  return { max, mean: sum / a.length, differingPct: (100 * differing) / a.length };
}

const median = (values) => [...values].sort((x, y) => x - y)[values.length >> 1];
const quartiles = (values) => {
  const s = [...values].sort((x, y) => x - y);
  return [s[Math.floor((s.length - 1) / 4)], s[Math.ceil(((s.length - 1) * 3) / 4)]];
};

const started = new Date();
log('# Luma vs exact: accuracy and decode speed');
log();
log(`Run ${started.toISOString()}: \`npm run bench:luma\` (bench/luma.mjs).`);
log();
for (const line of machineLines(describeMachine(features()))) log(`- ${line}`);
const { jpeg } = features().codecs;
log(`- codecs: ${jpeg.library} ${jpeg.version} (${jpeg.linkage})`);
log();

// --- 1. the fixtures --------------------------------------------------------------
log('## On the JPEG fixtures (test/fixtures/images/jpeg)');
log();
log('| fixture | kind | size | luma ran | max \\|luma - exact\\| | mean | pixels differing | of which clipped |');
log('|:---|:---|---:|:---|---:|---:|---:|---:|');
const manifest = JSON.parse(readFileSync(new URL('manifest.json', images), 'utf8'));
let total = { pixels: 0, sum: 0, max: 0 };
for (const entry of manifest.decode.filter((e) => e.format === 'jpeg')) {
  const bytes = readFileSync(new URL(entry.file, images));
  const exact = grayscaleFileSync(bytes, { mode: 'exact' });
  const luma = grayscaleFileSync(bytes, { mode: 'luma' });
  const name = entry.file.replace(/^jpeg\//, '');
  const size = `${entry.width}x${entry.height}`;
  if (luma.mode !== 'luma') {
    log(`| ${name} | ${entry.kind} | ${size} | no (decoded as exact) | | | | |`);
    continue;
  }
  const d = difference(luma.data, exact.data);
  total = {
    pixels: total.pixels + exact.data.length,
    sum: total.sum + d.mean * exact.data.length,
    max: Math.max(total.max, d.max),
  };
  log(
    `| ${name} | ${entry.kind} | ${size} | yes | ${d.max} | ${d.mean.toFixed(3)} | ${d.differingPct.toFixed(1)}% | ${await clippedShare(bytes, exact.data, luma.data)} |`,
  );
}
log();
log(
  `Over every fixture luma applies to: max ${total.max}, mean ${(total.sum / total.pixels).toFixed(3)} (per pixel, on 0..255).`,
);
log('Why they differ: exact computes L from the decoded R, G, B, each clipped to 0..255; luma is the decoded Y.');
log("Pillow's L weights (19595, 38470, 7471)/65536 are JPEG's Y weights (0.299, 0.587, 0.114): the chroma terms");
log('cancel, and what remains is clipping (saturated colours) and rounding. "of which clipped" counts, of the pixels');
log("that differ, those with a channel at 0 or 255 in the RGB sharp decodes (whose L equals exact's everywhere).");
log('The fixtures are small, noisy and saturated on purpose (they test decoders): a worst case for luma.');
log();

// --- 2. a large photo-like JPEG ----------------------------------------------------------
const rgba = makePhoto(WIDTH, HEIGHT, 4242);
const raw = { raw: { width: WIDTH, height: HEIGHT, channels: 4 } };
const files = [];
for (const progressive of [false, true]) {
  const bytes = await sharp(rgba, raw)
    .removeAlpha()
    .jpeg({ quality: QUALITY, chromaSubsampling: '4:2:0', progressive, optimiseCoding: progressive })
    .toBuffer();
  files.push({ name: progressive ? 'progressive' : 'baseline', bytes });
}

log(`## On a ${WIDTH}x${HEIGHT} photo-like JPEG (${((WIDTH * HEIGHT) / 1e6).toFixed(0)} MP, q${QUALITY}, 4:2:0)`);
log();
log("Made by bench/luma.mjs: examples/sample-photos.mjs's generator (gradients, soft discs, blotches, grain), encoded");
log("with sharp (baseline: standard Huffman tables; progressive: optimised tables, libjpeg's default scan script).");
log(
  `Each time is the median of ${RUNS} runs (after ${WARMUP} warm-ups) of \`grayscaleFileSync(bytes, { mode })\`: bytes in`,
);
log('memory, gray pixels out; exact and luma alternate within each run. "decode" is the native decode stage alone');
log('(`result.timings.decode`), "call" the whole call as the caller waits for it. "other CPU" is what other');
log('processes used meanwhile, "steal" what the hypervisor took (% of one CPU; each row waits up to a minute for');
log('a quiet machine first): high values mean contended figures. A JPEG decode runs on one pool thread (only PNG');
log('compression is shared with idle pool threads), so the two pool sizes differ only by run-to-run variation.');
log();
for (const file of files) {
  const exact = grayscaleFileSync(file.bytes, { mode: 'exact' });
  const luma = grayscaleFileSync(file.bytes, { mode: 'luma' });
  const d = difference(luma.data, exact.data);
  const clipped = await clippedShare(file.bytes, exact.data, luma.data);
  log(
    `- ${file.name} (${(file.bytes.length / 2 ** 20).toFixed(1)} MiB): max |luma - exact| ${d.max}, mean ${d.mean.toFixed(3)}, ` +
      `${d.differingPct.toFixed(2)}% of pixels differ (${clipped} with a clipped channel)`,
  );
}
log();
log(
  '| file | pool threads | exact decode ms | luma decode ms | decode speed-up | exact call ms (p25–p75) | luma call ms (p25–p75) | call speed-up | other CPU, steal |',
);
log('|:---|---:|---:|---:|---:|---:|---:|---:|---:|');
const threadCounts = availableParallelism() >= 2 ? [1, 2] : [1];
for (const threads of threadCounts) {
  setConcurrency(threads);
  for (const file of files) {
    const samples = { exact: { call: [], decode: [] }, luma: { call: [], decode: [] } };
    const once = (mode, record) => {
      const t0 = performance.now();
      const result = grayscaleFileSync(file.bytes, { mode });
      const ms = performance.now() - t0;
      if (result.mode !== mode) throw new Error(`${file.name}: asked for ${mode}, ${result.mode} ran`);
      if (record) {
        samples[mode].call.push(ms);
        samples[mode].decode.push(result.timings.decode);
      }
    };
    // Other processes on the machine: wait (up to a minute) for them to calm down.
    await waitForQuiet({ maxWaitS: 60 });
    for (let i = 0; i < WARMUP; i++) for (const mode of ['exact', 'luma']) once(mode, false);
    const load = loadSnapshot();
    for (let i = 0; i < RUNS; i++) for (const mode of i % 2 ? ['luma', 'exact'] : ['exact', 'luma']) once(mode, true);
    const { otherCpuPct, stealPct } = loadSince(load);
    const [e, l] = [samples.exact, samples.luma];
    const range = (values) =>
      quartiles(values)
        .map((v) => v.toFixed(1))
        .join('–');
    log(
      `| ${file.name} | ${threads} | ${median(e.decode).toFixed(1)} | ${median(l.decode).toFixed(1)} | ${(median(e.decode) / median(l.decode)).toFixed(2)}x ` +
        `| ${median(e.call).toFixed(1)} (${range(e.call)}) | ${median(l.call).toFixed(1)} (${range(l.call)}) | ${(median(e.call) / median(l.call)).toFixed(2)}x | ${otherCpuPct ?? 'n/a'}%, ${stealPct ?? 'n/a'}% |`,
    );
  }
}
log();
log(`Took ${((Date.now() - started.getTime()) / 1000).toFixed(0)} s.`);

const path = new URL('results/luma.md', import.meta.url);
writeFileSync(path, `${out.join('\n')}\n`);
console.log(`\nwritten to bench/results/luma.md`);
