// offloop/queue against a real Redis: worker processes on this machine, a
// producer here, outputs compared with the local batch's; a worker killed
// mid-file, Redis restarted mid-batch, a corrupt file, a resubmission, and
// range sums bit-identical to the local call.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { grayscaleFiles, sumOfSquares as localSum, type GrayscaleFilesResult } from '../../lib/index.js';
import { createWorker, queueStatus, submitFiles, sumOfSquares } from '../../lib/queue.js';
import { fixture, tempFolder, writeLargePng } from '../files/helpers.js';
import { ROOT } from '../helpers.js';
import { NO_REDIS, redisServer, startRedis, type Redis } from './redis.js';

if (!redisServer) console.warn(`queue.test.ts: ${NO_REDIS}`);

const WORKER = join(ROOT, 'test/fixtures/queue-worker.mjs');
const SMALL = ['jpeg/ycc-444-base-61x37.jpg', 'jpeg/gray-base-61x37.jpg', 'jpeg/ycc-420-prog-61x37.jpg', 'png/gray1-61x37.png', 'png/rgba8-61x37.png', 'png/gray8-trns-61x37.png'];

let redis: Redis;
let temp: ReturnType<typeof tempFolder>;
const workers: ChildProcess[] = [];
let queueCount = 0;

/** Starts a worker process; resolves once it is connected. Its stdout lines are collected in `lines`. */
async function startWorker(queue: string, lockMs = 30_000): Promise<{ child: ChildProcess; lines: string[]; activeSeen: Promise<void> }> {
  const child = spawn(process.execPath, [WORKER, redis.url, queue, String(lockMs)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  workers.push(child);
  const lines: string[] = [];
  let onActive: () => void;
  const activeSeen = new Promise<void>((resolve) => (onActive = resolve));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('worker not ready in 20 s')), 20_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      for (const line of String(chunk).split('\n').filter(Boolean)) {
        lines.push(line);
        if (line === 'ready') {
          clearTimeout(timer);
          resolve();
        }
        if (line.startsWith('active ')) onActive();
      }
    });
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
  });
  return { child, lines, activeSeen };
}

async function stopWorkers(): Promise<void> {
  await Promise.all(
    workers.splice(0).map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    ),
  );
}

async function collect(iterable: AsyncIterable<GrayscaleFilesResult>): Promise<GrayscaleFilesResult[]> {
  const results: GrayscaleFilesResult[] = [];
  for await (const result of iterable) results.push(result);
  return results;
}

function newQueue(): string {
  return `test-${process.pid}-${++queueCount}`;
}

/** Every file under `dir`, relative, sorted. */
function listAll(dir: string): string[] {
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name).slice(dir.length + 1))
    .sort();
}

describe.skipIf(!redisServer)('offloop/queue with a real Redis', () => {
  let small: string;
  let localOut: string;

  beforeAll(async () => {
    redis = await startRedis();
    temp = tempFolder('offloop-queue-');
    small = join(temp.dir, 'small');
    mkdirSync(small);
    for (const rel of SMALL) copyFileSync(fixture(rel), join(small, rel.split('/')[1]!));
    localOut = join(temp.dir, 'local');
    for await (const result of grayscaleFiles(small, { outDir: localOut })) if (result.error) throw result.error;
  }, 60_000);

  afterAll(async () => {
    await stopWorkers();
    await redis?.stop();
    temp?.cleanup();
  }, 60_000);

  it('three worker processes and a producer: every output as the local batch writes it; a resubmission does no work', async () => {
    const queue = newQueue();
    await Promise.all([startWorker(queue), startWorker(queue), startWorker(queue)]);
    const out = join(temp.dir, 'three');
    const results = await collect(submitFiles(small, { connection: redis.url, queue, outDir: out }));
    expect(results.filter((r) => r.error)).toEqual([]);
    expect(results.map((r) => r.input).sort()).toEqual(SMALL.map((rel) => join(small, rel.split('/')[1]!)).sort());
    for (const result of results) if (!result.error && !result.skipped) expect(result.timings.decode + result.timings.encode).toBeGreaterThan(0);
    expect(listAll(out)).toEqual(listAll(localOut));
    for (const name of listAll(out)) expect(readFileSync(join(out, name)).equals(readFileSync(join(localOut, name))), name).toBe(true);
    const mtimes = listAll(out).map((name) => statSync(join(out, name)).mtimeMs);
    const again = await collect(submitFiles(small, { connection: redis.url, queue, outDir: out }));
    expect(again.filter((r) => r.error)).toEqual([]);
    expect(again).toHaveLength(SMALL.length);
    expect(listAll(out).map((name) => statSync(join(out, name)).mtimeMs)).toEqual(mtimes);
    expect(await queueStatus({ connection: redis.url, queue })).toMatchObject({ completed: SMALL.length, failed: 0, waiting: 0, active: 0 });
    await stopWorkers();
  }, 60_000);

  it('a corrupt file fails once, with its reason; a missing one too', async () => {
    const queue = newQueue();
    await startWorker(queue);
    const out = join(temp.dir, 'corrupt');
    const inputs = [fixture('corrupt/png-bad-gama-crc.png'), join(temp.dir, 'missing.jpg'), join(small, 'gray-base-61x37.jpg')];
    const results = await collect(submitFiles(inputs, { connection: redis.url, queue, outDir: out, attempts: 5 }));
    const byInput = Object.fromEntries(results.map((r) => [r.input, r.error ? (r.error as { code?: string }).code : 'done']));
    expect(byInput).toEqual({ [inputs[0]!]: 'ERR_OFFLOOP_CORRUPT_IMAGE', [inputs[1]!]: 'ENOENT', [inputs[2]!]: 'done' });
    expect(results.find((r) => r.input === inputs[0])!.error!.message).toContain('PNG chunk gAMA has a bad CRC');
    expect(await queueStatus({ connection: redis.url, queue })).toMatchObject({ failed: 2, completed: 1, delayed: 0 });
    await stopWorkers();
  }, 60_000);

  it('range sums: bit-identical to the local call, on one or three workers, whatever order parts finish in', async () => {
    const queue = newQueue();
    await startWorker(queue);
    const ranges = [
      { from: 1, to: 1_000_000 },
      { from: 2 ** 32 - 100_000, to: 2 ** 32 + 3_000_017 },
      { from: 2 ** 40, to: 2 ** 40 + 2_500_000 },
    ];
    for (const range of ranges) expect(await sumOfSquares(range, { connection: redis.url, queue, partSize: 16384 * 7 })).toBe(await localSum(range));
    await Promise.all([startWorker(queue), startWorker(queue)]);
    for (const range of ranges) expect(await sumOfSquares(range, { connection: redis.url, queue: queue, partSize: 16384 })).toBe(await localSum(range));
    await stopWorkers();
  }, 120_000);

  it('the command line: offloop worker, offloop gray --redis (same lines and summary), offloop queue status', async () => {
    const queue = newQueue();
    const cli = join(ROOT, 'dist/cjs/cli/main.js');
    const worker = spawn(process.execPath, [cli, 'worker', '--redis', redis.url, '--queue', queue], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let workerErr = '';
    let workerOut = '';
    worker.stdout!.on('data', (chunk: Buffer) => (workerOut += chunk));
    const started = new Promise<void>((resolve) => worker.stderr!.on('data', (chunk: Buffer) => (workerErr += chunk).includes('waiting for jobs') && resolve()));
    await started;
    const out = join(temp.dir, 'cli');
    const submit = spawnSync(process.execPath, [cli, 'gray', small, fixture('corrupt/png-bad-gama-crc.png'), '-o', out, '--redis', redis.url, '--queue', queue], { encoding: 'utf8', timeout: 60_000 });
    expect(submit.status).toBe(1);
    const lines = submit.stdout.trim().split('\n');
    expect(lines.filter((line) => line.startsWith('processed: ')).map((line) => line.slice(11)).sort()).toEqual(listAll(localOut).map((name) => join(out, name)));
    expect(submit.stderr.trim().split('\n')).toEqual([`failed: ${fixture('corrupt/png-bad-gama-crc.png')}: PNG chunk gAMA has a bad CRC`]);
    expect(lines.at(-1)).toMatch(new RegExp(`^${SMALL.length + 1} files in [\\d.]+ s: ${SMALL.length} processed, 1 failed`));
    for (const name of listAll(out)) expect(readFileSync(join(out, name)).equals(readFileSync(join(localOut, name))), name).toBe(true);
    const status = spawnSync(process.execPath, [cli, 'queue', 'status', '--redis', redis.url, '--queue', queue, '--json'], { encoding: 'utf8', timeout: 30_000 });
    expect(JSON.parse(status.stdout)).toMatchObject({ completed: SMALL.length, failed: 1 });
    const exited = new Promise<number | null>((resolve) => worker.once('exit', (code) => resolve(code)));
    worker.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(workerErr).toMatch(/stopped by SIGTERM after \d+ jobs done, 1 failed/);
    // The worker's log: one line per file, the path once, no JSON.
    expect(workerOut.trim().split('\n').sort()).toEqual(listAll(localOut).map((name) => `processed: ${join(out, name)}`));
    expect(workerErr).toContain(`\nfailed: ${fixture('corrupt/png-bad-gama-crc.png')}: PNG chunk gAMA has a bad CRC\n`);
    expect(workerErr).not.toContain('{"code"');
    expect(spawnSync(process.execPath, [cli, 'gray', small, '-o', out, '--redis', redis.url, '--threads', '2'], { encoding: 'utf8' }).status).toBe(2);
  }, 60_000);

  describe('faults', () => {
    let large: string;
    let largeLocal: string;
    const LARGE = 8;

    beforeAll(async () => {
      large = join(temp.dir, 'large');
      mkdirSync(large);
      writeLargePng(join(large, 'p0.png'), 2000, 1500, 5);
      for (let i = 1; i < LARGE; i++) copyFileSync(join(large, 'p0.png'), join(large, `p${i}.png`));
      largeLocal = join(temp.dir, 'large-local');
      for await (const result of grayscaleFiles(large, { outDir: largeLocal })) if (result.error) throw result.error;
    }, 60_000);

    function expectAllComplete(out: string, results: GrayscaleFilesResult[]): void {
      expect(results.filter((r) => r.error)).toEqual([]);
      expect(new Set(results.map((r) => r.input)).size).toBe(LARGE);
      expect(results).toHaveLength(LARGE);
      expect(listAll(out)).toEqual(listAll(largeLocal));
      for (const name of listAll(out)) expect(readFileSync(join(out, name)).equals(readFileSync(join(largeLocal, name))), name).toBe(true);
    }

    it('kill -9 of a worker mid-file: another worker takes its files over; each output complete, once, no temporary file left', async () => {
      const queue = newQueue();
      const first = await startWorker(queue, 1000);
      const out = join(temp.dir, 'killed');
      const batch = collect(submitFiles(large, { connection: redis.url, queue, outDir: out }));
      await first.activeSeen;
      first.child.kill('SIGKILL');
      const second = await startWorker(queue, 1000);
      const results = await batch;
      expectAllComplete(out, results);
      expect(second.lines.some((line) => line.startsWith('active '))).toBe(true);
      await stopWorkers();
    }, 120_000);

    it("BullMQ's cancellation stops a file for good (no output, no temporary file, no retry); close({ abort }) hands files back to the queue", async () => {
      const queue = newQueue();
      const local = createWorker({ connection: redis.url, queue });
      // A file big enough to be mid-way when the cancel lands; BullMQ tracks
      // a job for cancellation just after it reports it active, so keep trying.
      const big = join(temp.dir, 'big.png');
      writeLargePng(big, 4000, 3000, 9);
      let cancelled = false;
      local.worker.on('active', (job) => {
        if (job.data.input !== big) return;
        const attempt = setInterval(() => {
          cancelled = local.worker.cancelJob(job.id!, 'user said stop');
          if (cancelled) clearInterval(attempt);
        }, 2);
        setTimeout(() => clearInterval(attempt), 5000);
      });
      const out = join(temp.dir, 'cancelled');
      const results = await collect(submitFiles([big, join(large, 'p1.png')], { connection: redis.url, queue, outDir: out }));
      expect(cancelled).toBe(true);
      await local.close();
      const failedResult = results.find((r) => r.error);
      expect(failedResult?.input).toBe(big);
      expect(failedResult?.error).toMatchObject({ code: 'ABORT_ERR', message: 'cancelled: user said stop' });
      expect(results.filter((r) => !r.error)).toHaveLength(1);
      expect(listAll(out)).toEqual([results.find((r) => !r.error)!.input.toString().split('/').at(-1)]);
      expect(await queueStatus({ connection: redis.url, queue })).toMatchObject({ failed: 1, completed: 1, delayed: 0, waiting: 0 });

      const queue2 = newQueue();
      const closing = createWorker({ connection: redis.url, queue: queue2 });
      const out2 = join(temp.dir, 'handed-back');
      const batch = collect(submitFiles(large, { connection: redis.url, queue: queue2, outDir: out2 }));
      await new Promise<void>((resolve) => closing.worker.once('active', () => resolve()));
      await closing.close({ abort: true });
      await startWorker(queue2);
      expectAllComplete(out2, await batch);
      await stopWorkers();
    }, 120_000);

    it('Redis stopped for two seconds mid-batch: workers and producer reconnect and the batch completes', async () => {
      const queue = newQueue();
      const worker = await startWorker(queue);
      const out = join(temp.dir, 'restart');
      const batch = collect(submitFiles(large, { connection: redis.url, queue, outDir: out }));
      await worker.activeSeen;
      await redis.restart(2000);
      expectAllComplete(out, await batch);
      await stopWorkers();
    }, 120_000);
  });
});

describe('offloop/queue without BullMQ installed', () => {
  it('fails at first use with a message naming the package to install', () => {
    // A preload that hides bullmq from require(), as in a project without it.
    const hide = "const M = require('module'); const r = M._resolveFilename; M._resolveFilename = function (id, ...a) { if (id === 'bullmq') { const e = new Error(\"Cannot find module 'bullmq'\"); e.code = 'MODULE_NOT_FOUND'; throw e; } return r.call(this, id, ...a); };";
    const script = "require('offloop/queue').queueStatus({ connection: 'redis://127.0.0.1:1' }).catch((e) => console.log(e.code + ': ' + e.message));";
    const run = spawnSync(process.execPath, ['-e', `${hide}\n${script}`], { cwd: ROOT, encoding: 'utf8' });
    expect(run.stdout.trim()).toBe('ERR_OFFLOOP_MISSING_PEER: offloop/queue needs BullMQ (with its Redis client, ioredis), an optional peer dependency of offloop: npm install bullmq');
  });
});
