// The timing loop of the large cases.
//
// Why not tinybench here (it times the tiny calls, see ./tiny.mjs): tinybench
// runs one task's iterations back to back, then the next task's. On this
// kind of machine (a shared VM) memory bandwidth drifts by 2x within seconds,
// so back-to-back blocks would turn drift into fake ratios between
// contenders. Instead every round runs each contender once, rotating the
// starting contender from round to round, so all contenders see the same
// conditions; the median over rounds is then robust to the remaining noise.
// The calls take milliseconds to hundreds of milliseconds, so
// performance.now() around each call is precise enough.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setImmediate as nextMacrotask, setTimeout as sleep } from 'node:timers/promises';

import { summarize } from './stats.mjs';

const NS_PER_MS = 1e6;

/**
 * Runs `warmup` untimed rounds and `runs` timed rounds of every contender,
 * then measures each contender's event-loop delay (see measureLoopDelay).
 * Each contender: { id, family, threads, before?(), run() -> result | Promise,
 * verify(result), after?() } (before/after are untimed set-up and clean-up).
 * `scrub()` (optional) poisons shared outputs before each contender's first,
 * verified call, so that a contender cannot pass on a predecessor's result.
 */
export async function measureContenders(contenders, { warmup, runs, scrub, onRound }) {
  const samples = contenders.map(() => []);
  for (let round = 0; round < warmup + runs; round++) {
    const timed = round >= warmup;
    for (let k = 0; k < contenders.length; k++) {
      const index = (k + round) % contenders.length;
      const contender = contenders[index];
      contender.before?.();
      if (round === 0) scrub?.();
      await nextMacrotask(); // start each call from a fresh event-loop turn
      const start = performance.now();
      const result = await contender.run();
      const elapsed = performance.now() - start;
      if (timed) samples[index].push(elapsed);
      if (round === 0) contender.verify(result);
      await contender.after?.(); // untimed clean-up (piscina workers' heaps)
    }
    onRound?.(round, timed);
  }
  const rows = [];
  for (const [index, contender] of contenders.entries()) {
    const summary = summarize(samples[index]);
    rows.push({
      id: contender.id,
      family: contender.family,
      ...(contender.yardstick ? { yardstick: contender.yardstick } : {}),
      threads: contender.threads,
      samplesMs: samples[index],
      ...summary,
      eventLoopDelay: contender.family === 'ceiling' ? null : await measureLoopDelay(contender, summary.median),
    });
  }
  return rows;
}

/**
 * Event-loop delay while one contender runs the case over and over (at least
 * 5 calls and 250 ms): a monitorEventLoopDelay({ resolution: 1 }) histogram
 * enabled once for the whole stretch. (Enabling one histogram around each
 * timed call instead would not work: on re-enable, Node records the whole
 * gap since its last sample as one delay.) Between calls we yield through
 * the timers phase, so that the monitor's timer observes each blocking call
 * as one stall, as an application's timers would.
 */
async function measureLoopDelay(contender, medianMs) {
  const calls = Math.min(50, Math.max(5, Math.ceil(250 / medianMs)));
  contender.before?.();
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  await sleep(1);
  for (let i = 0; i < calls; i++) {
    await contender.run();
    await contender.after?.();
    await sleep(0);
  }
  await sleep(2);
  histogram.disable();
  return { ...histogramSummary(histogram), calls };
}

function histogramSummary(histogram) {
  return {
    p50Ms: histogram.percentile(50) / NS_PER_MS,
    p99Ms: histogram.percentile(99) / NS_PER_MS,
    maxMs: histogram.max / NS_PER_MS,
    count: histogram.count,
  };
}

/** The event loop's delay with nothing running: what the monitor reads at rest (it includes the 1 ms interval). */
export async function idleEventLoopDelay(ms = 500) {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  await sleep(ms);
  histogram.disable();
  return histogramSummary(histogram);
}
