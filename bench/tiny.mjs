// The cost of a tiny call (16 elements): per sequential await, and for
// 10,000 calls in flight at once, offloop versus a piscina round trip of the
// same task. Timed with tinybench: thousands of microsecond-scale samples,
// with its timer-overhead correction, give a steady median per await.
import * as offloop from 'offloop';
import * as reference from 'offloop/reference';
import { Bench } from 'tinybench';

import { summarize } from './stats.mjs';
import { expectSameBytes } from './verify.mjs';

const TINY_LENGTH = 16;

function tinyInput() {
  const input = new Float64Array(TINY_LENGTH);
  for (let i = 0; i < TINY_LENGTH; i++) input[i] = i * 1.5 - 7;
  return input;
}

async function timeTask({ name, fn, iterations, warmupIterations, perCallDivisor = 1 }) {
  const bench = new Bench({
    name,
    iterations,
    time: 0, // exactly `iterations` samples: no time budget
    warmupIterations,
    warmupTime: 0,
    retainSamples: true,
    subtractTimerOverhead: perCallDivisor === 1,
    throws: true,
  });
  bench.add(name, fn, { async: true });
  await bench.run();
  const task = bench.tasks[0];
  const samplesMs = [...task.result.latency.samples];
  return { id: name, samplesMs, ...summarize(samplesMs), calls: perCallDivisor };
}

export async function runTinyCalls({ pools, threads, options, log }) {
  const input = tinyInput();
  const expected = reference.computeSquaresSync(input);
  const pool = pools.get(threads);
  offloop.setConcurrency(threads);

  // One verified call of each before timing.
  expectSameBytes(await offloop.computeSquares(input), expected, 'tiny offloop');
  expectSameBytes(await pool.run({ op: 'tinySquares', input }), expected, 'tiny piscina');

  const offloopCall = () => offloop.computeSquares(input);
  const piscinaCall = () => pool.run({ op: 'tinySquares', input });
  const concurrently = (call) => () => {
    const calls = new Array(options.tinyConcurrentCalls);
    for (let i = 0; i < calls.length; i++) calls[i] = call();
    return Promise.all(calls);
  };

  const results = {};
  log('  tiny: offloop sequential awaits ...');
  results.offloopSequential = await timeTask({
    name: 'offloop await',
    fn: offloopCall,
    iterations: options.tinySequentialIterations,
    warmupIterations: 2000,
  });
  log('  tiny: piscina sequential round trips ...');
  results.piscinaSequential = await timeTask({
    name: `piscina@${threads} await`,
    fn: piscinaCall,
    iterations: options.tinyPiscinaIterations,
    warmupIterations: 200,
  });
  log(`  tiny: offloop ${options.tinyConcurrentCalls} concurrent calls ...`);
  results.offloopConcurrent = await timeTask({
    name: `offloop ${options.tinyConcurrentCalls} concurrent`,
    fn: concurrently(offloopCall),
    iterations: options.tinyConcurrentRuns,
    warmupIterations: 2,
    perCallDivisor: options.tinyConcurrentCalls,
  });
  log(`  tiny: piscina ${options.tinyConcurrentCalls} concurrent calls ...`);
  results.piscinaConcurrent = await timeTask({
    name: `piscina@${threads} ${options.tinyConcurrentCalls} concurrent`,
    fn: concurrently(piscinaCall),
    iterations: options.tinyConcurrentRuns,
    warmupIterations: 2,
    perCallDivisor: options.tinyConcurrentCalls,
  });
  return { length: TINY_LENGTH, threads, ...results };
}
