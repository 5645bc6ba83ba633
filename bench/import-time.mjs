// How long `await import('offloop')` takes in a fresh process:
//
//   node bench/import-time.mjs [--runs N] [root ...]     (default: 20 runs of this checkout)
//
// Each run is a new Node process whose working directory is a package root
// (this checkout, or another checkout to compare with), so 'offloop'
// resolves to that root's dist/ by the package's self-reference; its loader
// takes the binary PREBUILDS_ONLY and OFFLOOP_PREBUILD point it at, as in CI.
// With several roots the runs alternate between them (a, b, a, b, ...), so a
// busy neighbour slows them alike. Prints each root's median, quartiles and
// range in milliseconds, and the other processes' CPU use meanwhile.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { loadSince, loadSnapshot } from './load.mjs';

const { values, positionals } = parseArgs({
  options: { runs: { type: 'string' } },
  allowPositionals: true,
  strict: true,
});
const runs = Number(values.runs ?? 20);
const roots = (positionals.length ? positionals : [fileURLToPath(new URL('..', import.meta.url))]).map((root) =>
  resolve(root),
);
const child =
  "const start = performance.now(); await import('offloop'); console.log(JSON.stringify(performance.now() - start));";

const times = roots.map(() => []);
const load = loadSnapshot();
for (let run = 0; run < runs; run++) {
  roots.forEach((root, i) => {
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', child], { cwd: root, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`import-time: ${root} failed:\n${result.stderr}`);
    times[i].push(JSON.parse(result.stdout));
  });
}
const { otherCpuPct } = loadSince(load);

const quantile = (sorted, q) => {
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  return sorted[low] + (sorted[Math.ceil(at)] - sorted[low]) * (at - low);
};
const ms = (value) => value.toFixed(1);
roots.forEach((root, i) => {
  const sorted = times[i].toSorted((a, b) => a - b);
  console.log(
    `${root}: median ${ms(quantile(sorted, 0.5))} ms (quartiles ${ms(quantile(sorted, 0.25))}-${ms(quantile(sorted, 0.75))}, ` +
      `range ${ms(sorted[0])}-${ms(sorted.at(-1))}) over ${runs} processes`,
  );
});
console.log(`other processes' CPU meanwhile: ${otherCpuPct ?? 'unknown'}% of one CPU (Node ${process.versions.node})`);
