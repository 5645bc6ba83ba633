// The files benchmark (`npm run bench:files`): a folder of photos turned
// gray by offloop (exact, luma, and luma-lossless for JPEG to JPEG, with
// `jpegtran -grayscale` beside it), sharp, the pure-JS pipeline on one
// thread and on piscina, and Pillow in a multiprocessing.Pool, with the
// same thread count and output format, side by side in one run. Cases:
// JPEG to JPEG, PNG to PNG, JPEG to PNG, TIFF to PNG (LZW TIFFs), WebP to WebP
// (lossy WebPs made from the JPEGs). Each contender runs in a process
// of its own; medians of several runs. Writes bench/results/files.{md,json,svg}.
//   --quick        6 JPEGs, 3 PNGs, 3 TIFFs, 3 WebPs, one run (a smoke test)
//   --runs N       rounds per case, every contender once a round (default 3)
//   --threads N    threads for every contender (default: available parallelism)
//   --generated    the generated corpus even where apt works
//   --case NAME    only this case (repeatable; e.g. --case 'TIFF to PNG')
//   --out DIR      write the report there instead of bench/results/
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import sharp from 'sharp';

import { features } from '../../dist/esm/index.js';
import { describeMachine, machineLines } from '../machine.mjs';
import { renderSvg } from '../report.mjs';
import { loadCorpus, loadWebps } from './corpus.mjs';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean' },
    runs: { type: 'string' },
    threads: { type: 'string' },
    generated: { type: 'boolean' },
    out: { type: 'string' },
    case: { type: 'string', multiple: true },
  },
  strict: true,
});
const quick = values.quick ?? false;
const runs = Number(values.runs ?? (quick ? 1 : 3));
const threads = Number(values.threads ?? availableParallelism());
const resultsDir = values.out ?? fileURLToPath(new URL('../results/', import.meta.url));
const here = fileURLToPath(new URL('.', import.meta.url));

const PILLOW_PYTHON = '/usr/bin/python3';
const hasPillow = spawnSync(PILLOW_PYTHON, ['-c', 'import PIL'], { stdio: 'ignore' }).status === 0;

const corpus = await loadCorpus({ forceGenerated: values.generated });
const jpegs = quick ? corpus.jpegs.slice(0, 6) : corpus.jpegs;
const pngs = quick ? corpus.pngs.slice(0, 3) : corpus.pngs;
const tiffs = quick ? corpus.tiffs.slice(0, 3) : corpus.tiffs;
const webpCorpus = await loadWebps(corpus);
const webps = quick ? webpCorpus.webps.slice(0, 3) : webpCorpus.webps;
// The pure-JS pipeline takes seconds a file: it gets a few files and one run
// (rates per file compare all the same).
const jsShare = (list) => list.slice(0, Math.min(list.length, Math.max(2, threads * 2)));

const CASES = [
  { name: 'JPEG to JPEG', inputs: jpegs, format: 'jpeg' },
  { name: 'PNG to PNG', inputs: pngs, format: 'png' },
  { name: 'JPEG to PNG', inputs: jpegs, format: 'png' },
  { name: 'TIFF to PNG', inputs: tiffs, format: 'png' },
  { name: 'WebP to WebP', inputs: webps, format: 'webp' },
];
const CASE_NAMES = CASES.map((testCase) => testCase.name);
for (const name of values.case ?? []) {
  if (!CASE_NAMES.includes(name)) throw new RangeError(`--case ${name}: not one of ${CASE_NAMES.join(', ')}`);
}
const chosenCases = values.case ? CASES.filter((testCase) => values.case.includes(testCase.name)) : CASES;
// jpeg-js and pngjs read no TIFF and no WebP.
const JS_CASES = ['JPEG to JPEG', 'PNG to PNG', 'JPEG to PNG'];
const PNG_CASES = CASES.filter((testCase) => testCase.format === 'png').map((testCase) => testCase.name);
// Pillow's default WebP quality, and offloop's.
const WEBP_QUALITY = 80;
const hasJpegtran = spawnSync('jpegtran', ['-version'], { stdio: 'ignore' }).status === 0;

// `cases`: the cases a contender takes part in (default: all).
const CONTENDERS = [
  { name: 'offloop exact', id: 'offloop-exact' },
  { name: 'offloop luma', id: 'offloop-luma' },
  { name: 'offloop luma-lossless', id: 'offloop-luma-lossless', cases: ['JPEG to JPEG'] },
  // The same pixels as exact at zlib level 1 (libdeflate 2): still smaller
  // files than sharp's level 6 without filters, so speed at a size no worse.
  { name: 'offloop exact, compressionLevel 1', id: 'offloop-level1', cases: PNG_CASES },
  {
    name: `jpegtran -grayscale (${threads} processes)`,
    id: 'jpegtran',
    cases: ['JPEG to JPEG'],
    skip: hasJpegtran ? undefined : 'no jpegtran (Debian: apt-get install libjpeg-turbo-progs)',
  },
  { name: 'sharp', id: 'sharp' },
  {
    name: 'Pillow Pool',
    id: 'pillow',
    skip: hasPillow ? undefined : `no Pillow in ${PILLOW_PYTHON} (Debian: apt-get install python3-pil)`,
  },
  { name: `piscina (${threads} workers, jpeg-js/pngjs)`, id: 'piscina', js: true, cases: JS_CASES },
  { name: 'pure JS, main thread (jpeg-js/pngjs)', id: 'js', js: true, cases: JS_CASES },
];

function runContender(contender, inputs, format, outDir) {
  mkdirSync(outDir, { recursive: true });
  let run;
  if (contender.id === 'pillow') {
    const listing = join(outDir, '..', `${basename(outDir)}.json`);
    writeFileSync(listing, JSON.stringify(inputs));
    const args = [join(here, 'pillow_pool.py'), listing, outDir, format, String(threads), String(WEBP_QUALITY)];
    run = spawnSync(PILLOW_PYTHON, args, {
      encoding: 'utf8',
    });
  } else {
    const env = { ...process.env, UV_THREADPOOL_SIZE: String(threads) };
    run = spawnSync(
      process.execPath,
      [
        join(here, 'contender.mjs'),
        JSON.stringify({ contender: contender.id, inputs, outDir, format, threads, webpQuality: WEBP_QUALITY }),
      ],
      { encoding: 'utf8', env },
    );
  }
  if (run.status !== 0) throw new Error(`${contender.name}: exited ${run.status}: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').at(-1));
}

const median = (list) => [...list].sort((a, b) => a - b)[list.length >> 1];

/** Every output is an image of the input's size (read from its header); returns the outputs by name. */
async function verifyOutputs(outDir, inputs, sizes) {
  const names = readdirSync(outDir).sort();
  if (names.length !== inputs.length) throw new Error(`${outDir}: ${names.length} outputs for ${inputs.length} inputs`);
  for (const name of names) {
    const { width, height } = await sharp(join(outDir, name)).metadata();
    const expected = sizes.get(name.replace(/\.\w+$/, ''));
    if (width !== expected.width || height !== expected.height)
      throw new Error(`${outDir}/${name}: ${width}x${height}, not ${expected.width}x${expected.height}`);
  }
  return names;
}

const work = mkdtempSync(join(tmpdir(), 'offloop-bench-files-'));
const startedAt = new Date();
const machine = describeMachine(features());
console.error(machineLines(machine).join('\n'));
console.error(
  `corpus: ${corpus.kind}: ${corpus.description}; ${jpegs.length} JPEGs, ${pngs.length} PNGs, ${tiffs.length} TIFFs; ${threads} threads; ${runs} runs`,
);
const sizes = new Map();
for (const input of [...jpegs, ...pngs, ...tiffs, ...webps]) {
  const { width, height } = await sharp(input).metadata();
  sizes.set(basename(input).replace(/\.\w+$/, ''), { width, height });
}

// The report names the options it ran with, quoted as a shell would need.
const commandLine =
  process.argv.length > 2
    ? ` -- ${process.argv
        .slice(2)
        .map((arg) => (/^[\w./=-]+$/.test(arg) ? arg : `'${arg}'`))
        .join(' ')}`
    : '';
const cases = [];
try {
  for (const [caseIndex, testCase] of chosenCases.entries()) {
    const rows = [];
    const outputsOf = {};
    const taking = CONTENDERS.filter((contender) => !contender.cases || contender.cases.includes(testCase.name));
    const samplesOf = new Map(taking.map((contender) => [contender, []]));
    // Rounds: every contender once per round, so a drift of the machine's
    // speed during the case (a shared VM's memory bandwidth moves by tens of
    // percent within minutes here) touches every contender alike, where
    // three runs in a row of one contender would give it one period's speed.
    for (let r = 0; r < runs; r++) {
      for (const contender of taking) {
        if (contender.skip || (contender.js && r > 0)) continue;
        const inputs = contender.js ? jsShare(testCase.inputs) : testCase.inputs;
        const outDir = join(work, `case${caseIndex}-${contender.id}-${r}`);
        samplesOf.get(contender).push(runContender(contender, inputs, testCase.format, outDir));
        await verifyOutputs(outDir, inputs, sizes);
        if (r > 0) rmSync(outDir, { recursive: true, force: true });
        else outputsOf[contender.id] = outDir;
      }
    }
    for (const contender of taking) {
      if (contender.skip) {
        rows.push({ contender: contender.name, skipped: contender.skip });
        continue;
      }
      const inputs = contender.js ? jsShare(testCase.inputs) : testCase.inputs;
      const samples = samplesOf.get(contender);
      const seconds = median(samples.map((s) => s.seconds));
      const pixels =
        samples[0].pixels ??
        inputs.reduce((sum, input) => {
          const { width, height } = sizes.get(basename(input).replace(/\.\w+$/, ''));
          return sum + width * height;
        }, 0);
      const outputBytes = readdirSync(outputsOf[contender.id]).reduce(
        (sum, name) => sum + statSync(join(outputsOf[contender.id], name)).size,
        0,
      );
      const inputBytes = inputs.reduce((sum, input) => sum + statSync(input).size, 0);
      const row = {
        contender: contender.name,
        id: contender.id,
        files: inputs.length,
        runs: samples.length,
        filesPerSecond: inputs.length / seconds,
        megapixelsPerSecond: pixels / 1e6 / seconds,
        seconds,
        stagesMs: samples[0].stages,
        eventLoopP99Ms: samples[0].eventLoopP99Ms === null ? null : median(samples.map((s) => s.eventLoopP99Ms)),
        peakRssMiB: Math.max(...samples.map((s) => s.maxRssMiB)),
        outputBytes,
        inputBytes,
      };
      rows.push(row);
      console.error(
        `${testCase.name}: ${contender.name}: ${row.filesPerSecond.toFixed(2)} files/s, ${row.megapixelsPerSecond.toFixed(1)} MP/s, p99 ${row.eventLoopP99Ms?.toFixed(1) ?? 'n/a'} ms, ${row.peakRssMiB.toFixed(0)} MiB`,
      );
    }
    // offloop exact writes Pillow's JPEG bytes (the same encoder and settings).
    let pillowIdentical = null;
    if (testCase.format === 'jpeg' && outputsOf.pillow && outputsOf['offloop-exact']) {
      const names = readdirSync(outputsOf.pillow);
      pillowIdentical = `${
        names.filter((name) =>
          readFileSync(join(outputsOf.pillow, name)).equals(readFileSync(join(outputsOf['offloop-exact'], name))),
        ).length
      } of ${names.length}`;
    }
    cases.push({ name: testCase.name, format: testCase.format, rows, pillowIdentical });
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

const json = {
  startedAt: startedAt.toISOString(),
  machine,
  threads,
  runs,
  corpus: {
    kind: corpus.kind,
    description: corpus.description,
    sources: corpus.sources,
    jpegs: jpegs.length,
    pngs: pngs.length,
    tiffs: tiffs.length,
  },
  cases,
};

const fmt = (value, digits = 1) => (value === null || value === undefined ? 'n/a' : value.toFixed(digits));
function stagesText(stages) {
  if (!stages) return 'n/a (one fused pipeline)';
  return Object.entries(stages)
    .filter(([, ms]) => ms > 0.05)
    .map(([stage, ms]) => `${stage} ${ms.toFixed(ms < 10 ? 1 : 0)}`)
    .join(', ');
}
const lines = [
  '# Files benchmark',
  '',
  `Run ${startedAt.toISOString()} with \`npm run bench:files${commandLine}\`; ${threads} threads for every contender, ${runs} rounds (every contender once a round; medians), the pure-JS pipeline on ${jsShare(jpegs).length} JPEGs / ${jsShare(pngs).length} PNGs once.`,
  '',
  ...machineLines(machine).map((line) => `- ${line}`),
  `- Corpus (${corpus.kind}): ${corpus.description}: ${jpegs.length} JPEGs, ${pngs.length} PNGs, ${tiffs.length} TIFFs.${corpus.sources.length ? ` Sources: ${corpus.sources.join('; ')}.` : ''}`,
  '- Every contender in a process of its own; outputs verified to decode to the input size. Inputs come from the page cache after the first run.',
  '- sharp: `sharp(f).greyscale().jpeg({ quality: 75 })` or `.png({ compressionLevel: 6 })`, all files in flight, `sharp.concurrency(1)` and `UV_THREADPOOL_SIZE` = threads (one libvips thread per file, threads files at once). Pillow: `Image.open(p).convert("L").save(out, quality=75 | compress_level=6)` in `multiprocessing.Pool(threads)`.',
  "- offloop exact, compressionLevel 1: the same pixels as offloop exact, deflated at zlib's level 1 (libdeflate's 2) instead of Pillow's 6: files about 10% larger than Pillow's, smaller than sharp's (compare the output column).",
  `- WebP to WebP: ${webps.length} inputs, ${webpCorpus.description}; every contender writes lossy WebP at quality ${WEBP_QUALITY}: offloop \`format: 'webp'\`, sharp \`.webp({ quality: ${WEBP_QUALITY} })\`, Pillow \`save(out, 'WEBP', quality=${WEBP_QUALITY})\` (method 4 in all three, each one's default).`,
  '',
];
for (const c of cases) {
  const base = c.rows.find((row) => row.id === 'offloop-exact');
  lines.push(
    `## ${c.name}`,
    '',
    '| contender | files/s | MP/s | speed vs offloop exact | event-loop p99 (ms) | peak RSS (MiB) | output MiB (vs input) | per file (ms) |',
    '|---|---:|---:|---:|---:|---:|---:|---|',
  );
  for (const row of c.rows) {
    if (row.skipped) {
      lines.push(`| ${row.contender} | skipped: ${row.skipped} | | | | | | |`);
      continue;
    }
    const ratio =
      row.id === 'offloop-exact' ? '1' : `${(row.megapixelsPerSecond / base.megapixelsPerSecond).toFixed(2)}x`;
    const output = `${fmt(row.outputBytes / 2 ** 20)} (${fmt((100 * row.outputBytes) / row.inputBytes, 0)}%)`;
    lines.push(
      `| ${row.contender} | ${fmt(row.filesPerSecond, 2)} | ${fmt(row.megapixelsPerSecond)} | ${ratio} | ${fmt(row.eventLoopP99Ms)} | ${fmt(row.peakRssMiB, 0)} | ${output} | ${stagesText(row.stagesMs)} |`,
    );
  }
  if (c.pillowIdentical !== null)
    lines.push('', `offloop exact's JPEG files equal Pillow's byte for byte: ${c.pillowIdentical}.`);
  lines.push('');
}
lines.push(
  "Peak RSS is the contender process's peak resident set (VmHWM) (Pillow: the parent plus threads times the largest worker's peak). The event-loop p99 is the 99th percentile of the delay of the contender process's event loop while its batch ran, sampled every 1 ms as in `npm run bench` (each sample includes that 1 ms) (the pure-JS main-thread pipeline yields to the loop between files; Pillow has no event loop).",
  '',
  'Per-file stages are the mean over the files of each stage on the thread that ran it (offloop: its pool thread, decode includes the fused gray; Pillow: read+decode, gray, encode+write in the worker process). With several threads they overlap, so they add up to more than the wall time per file.',
);
const markdown = `${lines.join('\n')}\n`;

const spec = {
  $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
  title: `Gray a folder of photos: megapixels per second, ${threads} threads (${corpus.kind})`,
  data: {
    values: cases.flatMap((c) =>
      c.rows
        .filter((row) => !row.skipped)
        .map((row) => ({ case: c.name, contender: row.contender, mps: Number(row.megapixelsPerSecond.toFixed(2)) })),
    ),
  },
  mark: 'bar',
  encoding: {
    row: { field: 'case', type: 'nominal', title: null },
    y: { field: 'contender', type: 'nominal', sort: null, title: null },
    x: { field: 'mps', type: 'quantitative', title: 'MP/s (higher is better)' },
    color: { field: 'contender', type: 'nominal', legend: null },
  },
  width: 420,
  config: { font: 'sans-serif', view: { stroke: null } },
};
const svg = await renderSvg(spec);
mkdirSync(resultsDir, { recursive: true });
writeFileSync(join(resultsDir, 'files.md'), markdown);
writeFileSync(join(resultsDir, 'files.json'), `${JSON.stringify(json, null, 1)}\n`);
writeFileSync(join(resultsDir, 'files.svg'), svg);
process.stdout.write(markdown);
