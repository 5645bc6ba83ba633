#!/usr/bin/env node
// The soak (issue 7), `npm run test:soak`: not part of `npm test` (it takes
// a minute or two). Runs itself in a child process (node --expose-gc) and
// checks that the child
//   - makes 1,000,000 small calls and 10,000 large ones (async and sync,
//     with and without `out`, some aborted), every result equal to
//     offloop/reference's;
//   - keeps its RSS flat after a warm-up (figures printed; bound below);
//   - survives an abort storm: 1,000 large calls aborted at random points
//     (before the call, right after it, on a timer, from onProgress), after
//     which poolStats() shows no queued or running job and the pool works;
//   - leaves no handle open: process.getActiveResourcesInfo() is empty but
//     for its stdio (offloop's own handle is not listed there, so what
//     counts is that the process exits by itself: no process.exit()).
//
//   node test/soak.mjs [--small N] [--large N] [--storm N]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    child: { type: 'boolean', default: false },
    small: { type: 'string', default: '1000000' },
    large: { type: 'string', default: '10000' },
    storm: { type: 'string', default: '1000' },
  },
});
const SMALL = Number(values.small);
const LARGE = Number(values.large);
const STORM = Number(values.storm);
// RSS at the end may exceed RSS after the warm-up (both after a full GC) by
// this much. Generous: a leak of one large input or result (>= 80 KiB) per
// large call, or of 100 bytes per small call, is well above it.
const RSS_GROWTH_LIMIT_MIB = 96;
const MiB = 1024 * 1024;

if (!values.child) {
  const started = performance.now();
  const script = fileURLToPath(import.meta.url);
  const result = spawnSync(
    process.execPath,
    ['--expose-gc', script, '--child', '--small', values.small, '--large', values.large, '--storm', values.storm],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      timeout: 15 * 60_000,
    },
  );
  process.stdout.write(result.stdout ?? '');
  const problems = [];
  if (result.error?.code === 'ETIMEDOUT') problems.push('the child did not exit by itself within 15 minutes');
  else if (result.error) problems.push(`spawn: ${result.error.message}`);
  if (result.signal) problems.push(`the child was killed by ${result.signal}`);
  else if (result.status !== 0) problems.push(`the child exited with ${result.status}`);
  const line = (result.stdout ?? '').split('\n').find((text) => text.startsWith('soak figures '));
  if (line) {
    const figures = JSON.parse(line.slice('soak figures '.length));
    if (figures.rssEndMiB - figures.rssWarmMiB > RSS_GROWTH_LIMIT_MIB) {
      problems.push(
        `RSS grew from ${figures.rssWarmMiB} MiB after the warm-up to ${figures.rssEndMiB} MiB (limit: +${RSS_GROWTH_LIMIT_MIB} MiB)`,
      );
    }
  } else if (problems.length === 0) {
    problems.push('the child printed no figures');
  }
  const took = ((performance.now() - started) / 1000).toFixed(0);
  if (problems.length > 0) {
    console.error(`soak: FAILED after ${took} s:\n  ${problems.join('\n  ')}`);
    process.exitCode = 1;
  } else {
    console.log(`soak: ok in ${took} s`);
  }
} else {
  await child();
}

async function child() {
  const offloop = await import('offloop');
  const reference = await import('offloop/reference');
  const started = performance.now();

  const sameBytes = (a, b) =>
    a.length === b.length &&
    Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
  function expectSame(label, actual, expected) {
    if (typeof expected === 'object' ? !sameBytes(actual, expected) : !Object.is(actual, expected)) {
      throw new Error(`${label}: result differs from offloop/reference`);
    }
  }
  const isAbort = (error, reason) => error === reason || error?.name === 'AbortError' || error?.name === 'TimeoutError';

  // --- inputs, with the reference's results computed once ----------------------
  let seed = 12345;
  const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const floats = (n) => Float64Array.from({ length: n }, () => (random() - 0.5) * 1e6);
  const bytes = (n) => Uint8Array.from({ length: n }, () => random() * 256);

  // Small: computed inline (JS kernels below 256 items, native on the calling thread above).
  const tiny = floats(16);
  const small = floats(1500);
  const smallInts = new Int32Array(small.length).map((_, i) => ((i * 7919) % 65536) - 32768);
  const smallImage = { data: bytes(40 * 30 * 4), width: 40, height: 30 };
  const expectSmall = {
    tiny: reference.computeSquaresSync(tiny),
    small: reference.computeSquaresSync(small),
    ints: reference.computeSquaresSync(smallInts),
    sum: reference.sumOfSquaresSync(small),
    range: reference.sumOfSquaresSync({ from: 1, to: 3000 }),
    gray: reference.grayscaleSync(smallImage),
  };
  const smallOut = new Float64Array(small.length);
  const grayOut = new Uint8Array(40 * 30);

  // Large: on the pool; `mapped` has results of 4 MiB and up (natively mapped pages).
  const large = floats(200_000);
  const mapped = floats(600_000);
  const largeImage = { data: bytes(1024 * 768 * 4), width: 1024, height: 768 };
  const expectLarge = {
    large: reference.computeSquaresSync(large),
    mapped: reference.computeSquaresSync(mapped),
    sum: reference.sumOfSquaresSync(large),
    range: reference.sumOfSquaresSync({ from: -300_000, to: 300_000 }),
    gray: reference.grayscaleSync(largeImage),
  };
  const largeOut = new Float64Array(large.length);
  const largeGrayOut = new Uint8Array(1024 * 768);

  const aborted = AbortSignal.abort();
  let rejectedByAbort = 0;

  // --- one small call; `i` picks the kind -------------------------------------
  async function smallCall(i) {
    switch (i % 10) {
      case 0:
        return expectSame('squares of 16', offloop.computeSquaresSync(tiny)[15], expectSmall.tiny[15]);
      case 1:
        return expectSame('squares into out', offloop.computeSquaresSync(small, { out: smallOut }), expectSmall.small);
      case 2:
        return expectSame('squares of Int32', offloop.computeSquaresSync(smallInts), expectSmall.ints);
      case 3:
        return expectSame('sum', offloop.sumOfSquaresSync(small), expectSmall.sum);
      case 4:
        return expectSame('gray into out', offloop.grayscaleSync(smallImage, { out: grayOut }), expectSmall.gray);
      case 5:
        return expectSame('async squares', await offloop.computeSquares(small), expectSmall.small);
      case 6:
        return expectSame('async sum of a range', await offloop.sumOfSquares({ from: 1, to: 3000 }), expectSmall.range);
      case 7:
        return expectSame('async gray', await offloop.grayscale(smallImage), expectSmall.gray);
      case 8:
        // Already aborted: rejects with the reason, computes nothing.
        try {
          await offloop.computeSquares(small, { signal: aborted });
        } catch (error) {
          if (!isAbort(error, aborted.reason)) throw error;
          rejectedByAbort++;
          return undefined;
        }
        throw new Error('an aborted small call resolved');
      default: {
        // Aborted right after the call: either outcome, never a wrong result.
        const controller = new AbortController();
        const promise = offloop.sumOfSquares(small, { signal: controller.signal });
        controller.abort();
        try {
          return expectSame('aborted async sum', await promise, expectSmall.sum);
        } catch (error) {
          if (!isAbort(error, controller.signal.reason)) throw error;
          rejectedByAbort++;
          return undefined;
        }
      }
    }
  }

  // --- one large call -------------------------------------------------------------
  async function largeCall(i) {
    switch (i % 9) {
      case 0:
        return expectSame('large squares', await offloop.computeSquares(large), expectLarge.large);
      case 1:
        return expectSame(
          'large squares into out',
          await offloop.computeSquares(large, { out: largeOut }),
          expectLarge.large,
        );
      case 2:
        return expectSame('mapped squares', await offloop.computeSquares(mapped), expectLarge.mapped);
      case 3:
        return expectSame('mapped squares, sync', offloop.computeSquaresSync(mapped), expectLarge.mapped);
      case 4:
        return expectSame('large sum', await offloop.sumOfSquares(large), expectLarge.sum);
      case 5:
        return expectSame(
          'large range sum, sync',
          offloop.sumOfSquaresSync({ from: -300_000, to: 300_000 }),
          expectLarge.range,
        );
      case 6:
        return expectSame('large gray', await offloop.grayscale(largeImage), expectLarge.gray);
      case 7:
        return expectSame(
          'large gray into out, sync',
          offloop.grayscaleSync(largeImage, { out: largeGrayOut }),
          expectLarge.gray,
        );
      default:
        return abortedCall(i);
    }
  }

  // A large call aborted at a random point; what it resolves with is checked.
  async function abortedCall(i) {
    const controller = new AbortController();
    const when = i % 5;
    const options = { signal: controller.signal };
    if (when === 3) options.onProgress = () => controller.abort();
    if (when === 0) controller.abort();
    const kind = Math.floor(i / 5) % 3;
    const promise =
      kind === 0
        ? offloop.computeSquares(mapped, options)
        : kind === 1
          ? offloop.grayscale(largeImage, options)
          : offloop.sumOfSquares(large, options);
    if (when === 1) controller.abort();
    if (when === 2) setTimeout(() => controller.abort(), Math.floor(random() * 3));
    if (when === 4) setImmediate(() => controller.abort());
    try {
      const value = await promise;
      expectSame(
        'a large call that was not aborted in time',
        value,
        kind === 0 ? expectLarge.mapped : kind === 1 ? expectLarge.gray : expectLarge.sum,
      );
    } catch (error) {
      if (!isAbort(error, controller.signal.reason)) throw error;
      rejectedByAbort++;
    }
  }

  async function inBatches(count, call, batch) {
    for (let i = 0; i < count; i += batch) {
      const calls = [];
      for (let j = i; j < Math.min(count, i + batch); j++) calls.push(call(j));
      await Promise.all(calls);
    }
  }

  const rssNow = () => {
    globalThis.gc();
    return process.memoryUsage().rss;
  };
  let rssMax = 0;
  const sample = () => (rssMax = Math.max(rssMax, process.memoryUsage().rss));

  // Warm-up: a tenth of each, then the RSS baseline.
  const warmSmall = Math.floor(SMALL / 10);
  const warmLarge = Math.floor(LARGE / 10);
  await inBatches(warmSmall, smallCall, 100);
  await inBatches(warmLarge, largeCall, 4);
  const rssWarm = rssNow();

  // The rest, interleaved: a slice of small calls, then a slice of large ones.
  const slices = 20;
  for (let s = 0; s < slices; s++) {
    const smallFrom = warmSmall + Math.floor(((SMALL - warmSmall) * s) / slices);
    const smallTo = warmSmall + Math.floor(((SMALL - warmSmall) * (s + 1)) / slices);
    await inBatches(smallTo - smallFrom, (j) => smallCall(smallFrom + j), 100);
    const largeFrom = warmLarge + Math.floor(((LARGE - warmLarge) * s) / slices);
    const largeTo = warmLarge + Math.floor(((LARGE - warmLarge) * (s + 1)) / slices);
    await inBatches(largeTo - largeFrom, (j) => largeCall(largeFrom + j), 4);
    sample();
  }
  const rssEnd = rssNow();
  const callsDone = performance.now();

  // --- the abort storm ----------------------------------------------------------------
  const before = offloop.poolStats();
  let stormAborted = 0;
  const storm = [];
  for (let i = 0; i < STORM; i++) {
    // In waves of 100 calls in flight.
    if (storm.length === 100) await Promise.all(storm.splice(0));
    const controller = new AbortController();
    const options = { signal: controller.signal };
    const when = Math.floor(random() * 4);
    if (when === 3) options.onProgress = () => controller.abort();
    const kind = i % 3;
    const promise =
      kind === 0
        ? offloop.computeSquares(mapped, options)
        : kind === 1
          ? offloop.grayscale(largeImage, options)
          : offloop.sumOfSquares({ from: 1, to: 50_000_000 }, options);
    if (when === 0) controller.abort();
    else if (when === 1) setTimeout(() => controller.abort(), Math.floor(random() * 20));
    else if (when === 2) queueMicrotask(() => controller.abort());
    storm.push(
      promise.then(
        () => {},
        (error) => {
          if (!isAbort(error, controller.signal.reason)) throw error;
          stormAborted++;
        },
      ),
    );
  }
  await Promise.all(storm);
  const deadline = Date.now() + 30_000;
  let stats = offloop.poolStats();
  while (stats.queuedJobs !== 0 || stats.runningJobs !== 0) {
    if (Date.now() > deadline)
      throw new Error(`after the abort storm the pool still has jobs: ${JSON.stringify(stats)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
    stats = offloop.poolStats();
  }
  if (stormAborted === 0 || stats.cancelledJobs <= before.cancelledJobs) {
    throw new Error(`the abort storm cancelled nothing (${stormAborted} rejected; ${JSON.stringify(stats)})`);
  }
  // ...and the pool works.
  expectSame('squares after the storm', await offloop.computeSquares(mapped), expectLarge.mapped);
  expectSame('gray after the storm', await offloop.grayscale(largeImage), expectLarge.gray);
  expectSame('sum after the storm', offloop.sumOfSquaresSync(large), expectLarge.sum);

  // --- nothing left open ------------------------------------------------------------------
  await new Promise((resolve) => setImmediate(resolve));
  const open = process
    .getActiveResourcesInfo()
    .filter((name) => !/^(TTYWrap|PipeWrap|FSReqCallback|CloseReq)$/.test(name));
  if (open.length > 0) throw new Error(`handles left open after the soak: ${open.join(', ')}`);

  const mib = (n) => Math.round(n / MiB);
  const figures = {
    smallCalls: SMALL,
    largeCalls: LARGE,
    rejectedByAbort,
    stormCalls: STORM,
    stormAborted,
    cancelledJobs: stats.cancelledJobs,
    completedJobs: stats.completedJobs,
    rssWarmMiB: mib(rssWarm),
    rssEndMiB: mib(rssEnd),
    rssMaxMiB: mib(Math.max(rssMax, rssEnd)),
    callsSeconds: Math.round((callsDone - started) / 1000),
    stormSeconds: Math.round((performance.now() - callsDone) / 1000),
  };
  console.log(`soak figures ${JSON.stringify(figures)}`);
  // No process.exit(): the parent checks that this process ends by itself.
}
