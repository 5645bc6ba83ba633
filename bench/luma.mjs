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
import { loadSince, loadSnapshot } from './load.mjs';
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
log('| fixture | kind | size | luma ran | max \\|luma - exact\\| | mean | pixels differing |');
log('|:---|:---|---:|:---|---:|---:|---:|');
const manifest = JSON.parse(readFileSync(new URL('manifest.json', images), 'utf8'));
let total = { pixels: 0, sum: 0, max: 0 };
for (const entry of manifest.decode.filter((e) => e.format === 'jpeg')) {
  const bytes = readFileSync(new URL(entry.file, images));
  const exact = grayscaleFileSync(bytes, { mode: 'exact' });
  const luma = grayscaleFileSync(bytes, { mode: 'luma' });
  const name = entry.file.replace(/^jpeg\//, '');
  const size = `${entry.width}x${entry.height}`;
  if (luma.mode !== 'luma') {
    log(`| ${name} | ${entry.kind} | ${size} | no (decoded as exact) | | | |`);
    continue;
  }
  const d = difference(luma.data, exact.data);
  total = { pixels: total.pixels + exact.data.length, sum: total.sum + d.mean * exact.data.length, max: Math.max(total.max, d.max) };
  log(`| ${name} | ${entry.kind} | ${size} | yes | ${d.max} | ${d.mean.toFixed(3)} | ${d.differingPct.toFixed(1)}% |`);
}
log();
log(`Over every fixture luma applies to: max ${total.max}, mean ${(total.sum / total.pixels).toFixed(3)} (per pixel, on 0..255).`);
log('Why they differ: exact computes L from the decoded R, G, B, each rounded and clipped to 0..255; luma is the');
log("decoded Y. Pillow's L weights (19595, 38470, 7471)/65536 are JPEG's Y weights (0.299, 0.587, 0.114), so the");
log('chroma terms cancel and the two agree but for rounding, except where a channel clips (saturated colours).');
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
log('Made by bench/luma.mjs: examples/sample-photos.mjs\'s generator (gradients, soft discs, blotches, grain), encoded');
log('with sharp (baseline: standard Huffman tables; progressive: optimised tables, libjpeg\'s default scan script).');
log(`Each time is the median of ${RUNS} runs (after ${WARMUP} warm-ups) of \`grayscaleFileSync(bytes, { mode })\`: bytes in`);
log('memory, gray pixels out; exact and luma alternate within each run. "decode" is the native decode stage alone');
log('(`result.timings.decode`), "call" the whole call as the caller waits for it. "other CPU" is what other');
log('processes used meanwhile (% of one CPU): high values mean contended figures.');
log();
for (const file of files) {
  const exact = grayscaleFileSync(file.bytes, { mode: 'exact' });
  const luma = grayscaleFileSync(file.bytes, { mode: 'luma' });
  const d = difference(luma.data, exact.data);
  log(`- ${file.name} (${(file.bytes.length / 2 ** 20).toFixed(1)} MiB): max |luma - exact| ${d.max}, mean ${d.mean.toFixed(3)}, ${d.differingPct.toFixed(1)}% of pixels differ`);
}
log();
log('| file | pool threads | exact decode ms | luma decode ms | decode speed-up | exact call ms (p25–p75) | luma call ms (p25–p75) | call speed-up | other CPU |');
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
    for (let i = 0; i < WARMUP; i++) for (const mode of ['exact', 'luma']) once(mode, false);
    const load = loadSnapshot();
    for (let i = 0; i < RUNS; i++) for (const mode of i % 2 ? ['luma', 'exact'] : ['exact', 'luma']) once(mode, true);
    const other = loadSince(load).otherCpuPct;
    const [e, l] = [samples.exact, samples.luma];
    const range = (values) => quartiles(values).map((v) => v.toFixed(1)).join('–');
    log(
      `| ${file.name} | ${threads} | ${median(e.decode).toFixed(1)} | ${median(l.decode).toFixed(1)} | ${(median(e.decode) / median(l.decode)).toFixed(2)}x ` +
        `| ${median(e.call).toFixed(1)} (${range(e.call)}) | ${median(l.call).toFixed(1)} (${range(l.call)}) | ${(median(e.call) / median(l.call)).toFixed(2)}x | ${other ?? 'n/a'}% |`,
    );
  }
}
log();
log(`Took ${((Date.now() - started.getTime()) / 1000).toFixed(0)} s.`);

const path = new URL('results/luma.md', import.meta.url);
writeFileSync(path, `${out.join('\n')}\n`);
console.log(`\nwritten to bench/results/luma.md`);
