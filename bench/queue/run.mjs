// The queue benchmark (`npm run bench:queue`, opt-in): what BullMQ on Redis
// costs per file and per job on this machine. A real redis-server on
// 127.0.0.1 (Debian's redis-server) on a free port.
//   files/s: the local batch vs 1 and 2 `offloop worker` processes fed by
//            submitFiles, on the files benchmark's 9 MP JPEGs (JPEG to JPEG);
//   jobs/s:  tiny jobs (range-sum parts of one 16,384-integer block) through
//            one Redis: enqueue, dispatch, complete, result back.
// Writes bench/results/queue.md and queue.json.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { features, getConcurrency, grayscaleFiles } from '../../dist/esm/index.js';
import { submitFiles, sumOfSquares } from '../../dist/esm/queue.js';
import { loadCorpus } from '../files/corpus.mjs';
import { describeMachine, machineLines } from '../machine.mjs';

const { values } = parseArgs({ options: { runs: { type: 'string' }, quick: { type: 'boolean' } }, strict: true });
const runs = Number(values.runs ?? (values.quick ? 1 : 3));
const root = fileURLToPath(new URL('../../', import.meta.url));
const cli = join(root, 'dist/cjs/cli/main.js');
const redisServer = ['redis-server', '/usr/bin/redis-server'].find(
  (path) => spawnSync(path, ['--version'], { stdio: 'ignore' }).status === 0,
);
if (!redisServer) {
  console.error('bench:queue needs redis-server (Debian/Ubuntu: apt-get install redis-server)');
  process.exit(1);
}

const port = await new Promise((resolve) => {
  const server = createServer().listen(0, '127.0.0.1', () => {
    const { port: free } = server.address();
    server.close(() => resolve(free));
  });
});
const dir = mkdtempSync(join(tmpdir(), 'offloop-bench-queue-'));
const redis = spawn(
  redisServer,
  ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
await new Promise((resolve) =>
  redis.stdout.on('data', (chunk) => String(chunk).includes('Ready to accept') && resolve()),
);
const url = `redis://127.0.0.1:${port}`;

async function startWorkers(count, queue) {
  const children = [];
  for (let i = 0; i < count; i++) {
    // The workers read the corpus and write under the bench's folder, nowhere else.
    const roots = [dir, ...new Set(inputs.map((input) => dirname(input)))].flatMap((root) => ['--root', root]);
    const child = spawn(process.execPath, [cli, 'worker', '--redis', url, '--queue', queue, ...roots], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    await new Promise((resolve) => {
      let err = '';
      child.stderr.on('data', (chunk) => (err += chunk).includes('waiting for jobs') && resolve());
    });
    children.push(child);
  }
  return async () => {
    await Promise.all(
      children.map(
        (child) =>
          new Promise((resolve) => {
            child.once('exit', resolve);
            child.kill('SIGTERM');
          }),
      ),
    );
  };
}

const median = (list) => [...list].sort((a, b) => a - b)[list.length >> 1];
const corpus = await loadCorpus();
const inputs = values.quick ? corpus.jpegs.slice(0, 8) : corpus.jpegs;
const pixels = [];

async function timeLocal() {
  const out = mkdtempSync(join(dir, 'local-'));
  const start = performance.now();
  let px = 0;
  for await (const result of grayscaleFiles(
    inputs.map((input) => ({ input, output: join(out, input.split('/').at(-1)) })),
  )) {
    if (result.error) throw result.error;
    px += result.width * result.height;
  }
  pixels.push(px);
  return (performance.now() - start) / 1000;
}

let queueRun = 0;
async function timeQueue(workers) {
  const queue = `bench-${++queueRun}`;
  const stop = await startWorkers(workers, queue);
  const out = mkdtempSync(join(dir, 'queue-'));
  const start = performance.now();
  for await (const result of submitFiles(inputs, { connection: url, queue, outDir: out }))
    if (result.error) throw result.error;
  const seconds = (performance.now() - start) / 1000;
  await stop();
  return seconds;
}

const machine = describeMachine(features());
console.error(machineLines(machine).join('\n'));
const rows = [];
for (const [name, run] of [
  ['local batch (this process)', timeLocal],
  ['1 worker process via Redis', () => timeQueue(1)],
  ['2 worker processes via Redis', () => timeQueue(2)],
]) {
  const samples = [];
  for (let r = 0; r < runs; r++) samples.push(await run());
  const seconds = median(samples);
  rows.push({ name, seconds, filesPerSecond: inputs.length / seconds });
  console.error(`${name}: ${(inputs.length / seconds).toFixed(2)} files/s`);
}

// Tiny jobs: one block each, the work itself microseconds.
const stopTiny = await startWorkers(1, 'tiny');
const tiny = [];
const tinyJobs = values.quick ? 500 : 3000;
for (let r = 0; r < runs; r++) {
  const start = performance.now();
  await sumOfSquares(
    { from: 1 + r * tinyJobs * 16384, to: (r + 1) * tinyJobs * 16384 },
    { connection: url, queue: 'tiny', partSize: 16384 },
  );
  tiny.push(tinyJobs / ((performance.now() - start) / 1000));
}
await stopTiny();
const jobsPerSecond = median(tiny);
console.error(`tiny jobs: ${jobsPerSecond.toFixed(0)} jobs/s`);
redis.kill('SIGTERM');
rmSync(dir, { recursive: true, force: true });

const local = rows[0];
const lines = [
  '# Queue benchmark',
  '',
  `Run ${new Date().toISOString()} with \`npm run bench:queue\`; medians of ${runs} runs; Redis ${spawnSync(redisServer, ['--version'], { encoding: 'utf8' }).stdout.trim().split(' ')[2] ?? ''} on 127.0.0.1, every process on this machine.`,
  '',
  ...machineLines(machine).map((line) => `- ${line}`),
  `- Files: ${inputs.length} JPEGs of about 9 MP (${corpus.kind} corpus), JPEG to JPEG, exact; each worker process has a pool of ${getConcurrency()} threads (on this machine's ${machine.availableParallelism} CPUs).`,
  '',
  '| how | files/s | vs local |',
  '|---|---:|---:|',
  ...rows.map(
    (row) =>
      `| ${row.name} | ${row.filesPerSecond.toFixed(2)} | ${(row.filesPerSecond / local.filesPerSecond).toFixed(2)}x |`,
  ),
  '',
  `Tiny jobs through one Redis (a worker process with its default concurrency, ${tinyJobs} jobs enqueued in bulk, each one 16,384-integer block of a range sum, results back to the producer): **${jobsPerSecond.toFixed(0)} jobs/s**.`,
  '',
];
writeFileSync(join(root, 'bench/results/queue.md'), `${lines.join('\n')}\n`);
writeFileSync(
  join(root, 'bench/results/queue.json'),
  `${JSON.stringify({ machine, runs, files: inputs.length, rows, tinyJobs, jobsPerSecond }, null, 1)}\n`,
);
process.stdout.write(`${lines.join('\n')}\n`);
