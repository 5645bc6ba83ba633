// The first calls of a process (issue 18, item 5): `node bench/first-calls.mjs [--runs N] [--calls N]`.
// Runs N fresh child processes; each times its first `calls`
// computeSquares({ from: 1, to: 1e6 }) calls (a new 8 MB result each, which
// the caller drops), back to back, with the longest event-loop stall meanwhile.
// Prints, per call index, the median over the processes, the steady-state
// median (calls 21 on), and how each of the first ten compares with it.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { runs: { type: 'string' }, calls: { type: 'string' }, child: { type: 'boolean' } },
  strict: true,
});
const CALLS = Number(values.calls ?? 40);

if (values.child) {
  const { monitorEventLoopDelay, performance } = await import('node:perf_hooks');
  const { computeSquares } = await import('../dist/esm/index.js');
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const times = [];
  for (let i = 0; i < CALLS; i++) {
    const start = performance.now();
    await computeSquares({ from: 1, to: 1e6 });
    times.push(performance.now() - start);
  }
  delay.disable();
  process.stdout.write(`${JSON.stringify({ times, maxStallMs: delay.max / 1e6 })}\n`);
  process.exit(0);
}

const RUNS = Number(values.runs ?? 5);
const median = (list) => {
  const sorted = [...list].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const runs = [];
for (let run = 0; run < RUNS; run++) {
  const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', '--calls', String(CALLS)], {
    encoding: 'utf8',
  });
  if (child.status !== 0) throw new Error(`child ${run} failed: ${child.stderr}`);
  runs.push(JSON.parse(child.stdout));
}
const perCall = Array.from({ length: CALLS }, (_, i) => median(runs.map((r) => r.times[i])));
const steady = median(runs.flatMap((r) => r.times.slice(20)));
const firstTen = perCall.slice(0, 10);
console.log(
  `computeSquares({ from: 1, to: 1e6 }), ${CALLS} calls in each of ${RUNS} fresh processes (medians over them):`,
);
console.log(`  first ten calls (ms):   ${firstTen.map((ms) => ms.toFixed(2)).join(' ')}`);
console.log(
  `  calls 11-20 (ms):       ${perCall
    .slice(10, 20)
    .map((ms) => ms.toFixed(2))
    .join(' ')}`,
);
console.log(`  steady state (calls 21 on): ${steady.toFixed(2)} ms`);
console.log(`  first ten within 2x the steady state: ${firstTen.filter((ms) => ms <= 2 * steady).length} of 10`);
console.log(
  `  longest event-loop stall per process (ms): ${runs.map((r) => r.maxStallMs.toFixed(1)).join(' ')} (median ${median(runs.map((r) => r.maxStallMs)).toFixed(1)})`,
);
console.log(
  `  slowest call after the tenth, per process (ms): ${runs.map((r) => Math.max(...r.times.slice(10)).toFixed(1)).join(' ')}`,
);
