// offloop/queue against a real Redis: worker processes on this machine, a
// producer here, outputs compared with the local batch's; a worker killed
// mid-file, Redis restarted mid-batch, a corrupt file, a resubmission, and
// range sums bit-identical to the local call.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { delimiter, dirname, join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { grayscaleFiles, sumOfSquares as localSum, type GrayscaleFilesResult } from '../../lib/index.js';
import { createWorker, queueStatus, queueSumOfSquares, submitFiles } from '../../lib/queue.js';
import { collect, fixture, listAll, tempFolder, writeLargePng } from '../files/helpers.js';
import { ROOT } from '../helpers.js';
import { freePort, NO_REDIS, redisServer, startRedis, type Redis } from './redis.js';

if (!redisServer) console.warn(`queue.test.ts: ${NO_REDIS}`);

const WORKER = join(ROOT, 'test/fixtures/queue-worker.mjs');
const HAS_STRACE = spawnSync('strace', ['-qq', '-e', 'trace=none', 'true']).status === 0;
const CLI = join(ROOT, 'dist/cjs/cli/main.js');
const SMALL = [
  'jpeg/ycc-444-base-61x37.jpg',
  'jpeg/gray-base-61x37.jpg',
  'jpeg/ycc-420-prog-61x37.jpg',
  'png/gray1-61x37.png',
  'png/rgba8-61x37.png',
  'png/gray8-trns-61x37.png',
];

let redis: Redis;
let temp: ReturnType<typeof tempFolder>;
const workers: ChildProcess[] = [];
let queueCount = 0;

/** The folders the tests' workers may read and write: the test's temporary folder and the image fixtures. */
function roots(): string[] {
  return [temp.dir, dirname(fixture('jpeg'))];
}

/** Starts a worker process; resolves once it is connected. Its stdout lines are collected in `lines`. */
async function startWorker(
  queue: string,
  lockMs = 30_000,
  url = redis.url,
): Promise<{ child: ChildProcess; lines: string[]; activeSeen: Promise<void> }> {
  const child = spawn(process.execPath, [WORKER, url, queue, String(lockMs), roots().join(delimiter)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
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

/** Polls `condition` every 50 ms until it holds; fails after `ms`. */
async function waitFor(condition: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function newQueue(): string {
  return `test-${process.pid}-${++queueCount}`;
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
    for (const result of results)
      if (!result.error && !result.skipped) expect(result.timings.decode + result.timings.encode).toBeGreaterThan(0);
    expect(listAll(out)).toEqual(listAll(localOut));
    for (const name of listAll(out))
      expect(readFileSync(join(out, name)).equals(readFileSync(join(localOut, name))), name).toBe(true);
    const mtimes = listAll(out).map((name) => statSync(join(out, name)).mtimeMs);
    const again = await collect(submitFiles(small, { connection: redis.url, queue, outDir: out }));
    expect(again.filter((r) => r.error)).toEqual([]);
    expect(again).toHaveLength(SMALL.length);
    expect(listAll(out).map((name) => statSync(join(out, name)).mtimeMs)).toEqual(mtimes);
    expect(await queueStatus({ connection: redis.url, queue })).toMatchObject({
      completed: SMALL.length,
      failed: 0,
      waiting: 0,
      active: 0,
    });
    await stopWorkers();
  }, 60_000);

  it('a corrupt file fails once, with its reason; a missing one too', async () => {
    const queue = newQueue();
    await startWorker(queue);
    const out = join(temp.dir, 'corrupt');
    const inputs = [
      fixture('corrupt/png-bad-gama-crc.png'),
      join(temp.dir, 'missing.jpg'),
      join(small, 'gray-base-61x37.jpg'),
    ];
    const results = await collect(submitFiles(inputs, { connection: redis.url, queue, outDir: out, attempts: 5 }));
    const byInput = Object.fromEntries(
      results.map((r) => [r.input, r.error ? (r.error as { code?: string }).code : 'done']),
    );
    expect(byInput).toEqual({
      [inputs[0]!]: 'ERR_OFFLOOP_CORRUPT_IMAGE',
      [inputs[1]!]: 'ENOENT',
      [inputs[2]!]: 'done',
    });
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
    for (const range of ranges)
      expect(await queueSumOfSquares(range, { connection: redis.url, queue, partSize: 16384 * 7 })).toBe(
        await localSum(range),
      );
    await Promise.all([startWorker(queue), startWorker(queue)]);
    for (const range of ranges)
      expect(await queueSumOfSquares(range, { connection: redis.url, queue: queue, partSize: 16384 })).toBe(
        await localSum(range),
      );
    await stopWorkers();
  }, 120_000);

  it('the command line: offloop worker, offloop gray --redis (same lines and summary), offloop queue status', async () => {
    const queue = newQueue();
    const cli = join(ROOT, 'dist/cjs/cli/main.js');
    const worker = spawn(
      process.execPath,
      [cli, 'worker', '--redis', redis.url, '--queue', queue, ...roots().flatMap((root) => ['--root', root])],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let workerErr = '';
    let workerOut = '';
    worker.stdout!.on('data', (chunk: Buffer) => (workerOut += chunk));
    const started = new Promise<void>((resolve) =>
      worker.stderr!.on('data', (chunk: Buffer) => (workerErr += chunk).includes('waiting for jobs') && resolve()),
    );
    await started;
    const out = join(temp.dir, 'cli');
    const submit = spawnSync(
      process.execPath,
      [cli, 'gray', small, fixture('corrupt/png-bad-gama-crc.png'), '-o', out, '--redis', redis.url, '--queue', queue],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(submit.status).toBe(1);
    const lines = submit.stdout.trim().split('\n');
    expect(
      lines
        .filter((line) => line.startsWith('processed: '))
        .map((line) => line.slice(11))
        .sort(),
    ).toEqual(listAll(localOut).map((name) => join(out, name)));
    expect(submit.stderr.trim().split('\n')).toEqual([
      `failed: ${fixture('corrupt/png-bad-gama-crc.png')}: PNG chunk gAMA has a bad CRC`,
    ]);
    expect(lines.at(-1)).toMatch(
      new RegExp(`^${SMALL.length + 1} files in [\\d.]+ s: ${SMALL.length} processed, 1 failed`),
    );
    for (const name of listAll(out))
      expect(readFileSync(join(out, name)).equals(readFileSync(join(localOut, name))), name).toBe(true);
    const status = spawnSync(
      process.execPath,
      [cli, 'queue', 'status', '--redis', redis.url.replace('redis://', ''), '--queue', queue, '--json'],
      { encoding: 'utf8', timeout: 30_000 },
    );
    expect(JSON.parse(status.stdout)).toMatchObject({ completed: SMALL.length, failed: 1, workers: 1 });
    // 'close', not 'exit': the last lines of stderr may still be on their way at exit.
    const exited = new Promise<number | null>((resolve) => worker.once('close', (code) => resolve(code)));
    worker.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(workerErr).toMatch(/stopped by SIGTERM after \d+ jobs done, 1 failed/);
    // The worker's log: one line per file, the path once, no JSON.
    expect(workerOut.trim().split('\n').sort()).toEqual(
      listAll(localOut).map((name) => `processed: ${join(out, name)}`),
    );
    expect(workerErr).toContain(`\nfailed: ${fixture('corrupt/png-bad-gama-crc.png')}: PNG chunk gAMA has a bad CRC\n`);
    expect(workerErr).not.toContain('{"code"');
    expect(
      spawnSync(process.execPath, [cli, 'gray', small, '-o', out, '--redis', redis.url, '--threads', '2'], {
        encoding: 'utf8',
      }).status,
    ).toBe(2);
  }, 60_000);

  it('offloop worker --json: one JSON object per file on stdout, a failure with its code', async () => {
    const queue = newQueue();
    const worker = spawn(
      process.execPath,
      [CLI, 'worker', '--redis', redis.url, '--queue', queue, '--json', ...roots().flatMap((root) => ['--root', root])],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    workers.push(worker);
    let out = '';
    let err = '';
    worker.stdout!.on('data', (chunk: Buffer) => (out += chunk));
    await new Promise<void>((resolve) =>
      worker.stderr!.on('data', (chunk: Buffer) => (err += chunk).includes('waiting for jobs') && resolve()),
    );
    const good = join(small, 'gray-base-61x37.jpg');
    const bad = fixture('corrupt/png-bad-gama-crc.png');
    const outDir = join(temp.dir, 'worker-json');
    await collect(submitFiles([good, bad], { connection: redis.url, queue, outDir }));
    const closed = new Promise<void>((resolve) => worker.once('close', () => resolve()));
    worker.kill('SIGTERM');
    await closed;
    const lines = out
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toContainEqual({
      type: 'file',
      status: 'processed',
      input: good,
      output: join(outDir, 'gray-base-61x37.jpg'),
    });
    expect(lines).toContainEqual({
      type: 'file',
      status: 'failed',
      input: bad,
      error: { code: 'ERR_OFFLOOP_CORRUPT_IMAGE', message: 'PNG chunk gAMA has a bad CRC' },
    });
    expect(lines).toHaveLength(2);
    expect(err).not.toContain('failed:');
  }, 60_000);

  describe('what a worker may touch', () => {
    /**
     * Adds `jobs` (name -> input and output) straight through BullMQ, as
     * anyone who can write to Redis could, runs them on a worker with `root`,
     * and returns the ones completed and how each other one failed.
     */
    async function runDirectJobs(
      root: string,
      jobs: Record<string, { input: string; output: string; options?: unknown }>,
      workerOptions: Partial<Parameters<typeof createWorker>[0]> = {},
    ) {
      const queue = newQueue();
      const worker = createWorker({ connection: redis.url, queue, roots: [root], ...workerOptions });
      const failures = new Map<string, { code?: string; attempts: number }>();
      const completed: string[] = [];
      worker.worker.on('failed', (job, error) =>
        failures.set(job!.id!, {
          code: (JSON.parse(error.message) as { code?: string }).code,
          attempts: job!.attemptsMade,
        }),
      );
      worker.worker.on('completed', (job) => completed.push(job.id!));
      const { Queue } = await import('bullmq');
      const bull = new Queue(queue, { connection: { host: '127.0.0.1', port: redis.port } });
      await bull.addBulk(
        Object.entries(jobs).map(([name, data]) => ({
          name: 'gray-file',
          data: { options: {}, ...data },
          opts: { jobId: name, attempts: 5 },
        })),
      );
      await waitFor(() => failures.size + completed.length === Object.keys(jobs).length, 60_000);
      await worker.close();
      await bull.close();
      return { completed, failures };
    }

    it('a job added straight through BullMQ with a path outside the roots fails for good and writes nothing, symlinks followed', async () => {
      const root = join(temp.dir, 'root');
      const outside = join(temp.dir, 'outside');
      mkdirSync(join(root, 'in'), { recursive: true });
      mkdirSync(outside);
      copyFileSync(join(small, 'gray-base-61x37.jpg'), join(root, 'in', 'a.jpg'));
      copyFileSync(join(small, 'gray-base-61x37.jpg'), join(outside, 'secret.jpg'));
      symlinkSync(outside, join(root, 'escape'));
      symlinkSync(join(outside, 'secret.jpg'), join(root, 'in', 'linked.jpg'));
      symlinkSync(join(outside, 'not-yet'), join(root, 'dangling'));
      const a = join(root, 'in', 'a.jpg');
      const jobs = {
        outsideOutput: { input: a, output: join(outside, 'new', 'deep', 'a.jpg') },
        outsideInput: { input: join(outside, 'secret.jpg'), output: join(root, 'out', 'secret.jpg') },
        throughLinkedFolder: { input: a, output: join(root, 'escape', 'a.jpg') },
        throughNewFolderInLink: { input: a, output: join(root, 'escape', 'made', 'a.jpg') },
        throughDanglingLink: { input: a, output: join(root, 'dangling', 'a.jpg') },
        linkedInput: { input: join(root, 'in', 'linked.jpg'), output: join(root, 'out', 'linked.jpg') },
        dotDot: { input: a, output: `${root}/in/../../outside/dots.jpg` },
        relative: { input: a, output: 'relative.jpg' },
        allowed: { input: a, output: join(root, 'out', 'sub', 'a.jpg') },
      };
      const { completed, failures } = await runDirectJobs(root, jobs);
      expect(completed).toEqual(['allowed']);
      for (const name of Object.keys(jobs).filter((name) => name !== 'allowed'))
        expect(failures.get(name), name).toEqual({ code: 'ERR_OFFLOOP_PATH_NOT_ALLOWED', attempts: 1 });
      // Nothing created outside the root, not even a folder.
      expect(listAll(outside)).toEqual(['secret.jpg']);
      expect(readdirSync(outside)).toEqual(['secret.jpg']);
      expect(existsSync(join(outside, 'not-yet'))).toBe(false);
      expect(existsSync(join(root, 'out', 'sub', 'a.jpg'))).toBe(true);
      expect(existsSync(join(root, 'out', 'secret.jpg'))).toBe(false);
    }, 90_000);

    it('a job added straight through BullMQ whose output is its input (the same path, a symlink, a hard link) fails for good and leaves the input as it was', async () => {
      const root = join(temp.dir, 'root-same');
      mkdirSync(join(root, 'in'), { recursive: true });
      const a = join(root, 'in', 'a.jpg');
      copyFileSync(join(small, 'gray-base-61x37.jpg'), a);
      const original = readFileSync(a);
      symlinkSync(a, join(root, 'in', 'link-to-a.jpg'));
      symlinkSync(join(root, 'in'), join(root, 'in-again'));
      linkSync(a, join(root, 'hard-a.jpg'));
      const jobs = {
        samePath: { input: a, output: a },
        symlinkToInput: { input: a, output: join(root, 'in', 'link-to-a.jpg') },
        throughLinkedFolder: { input: a, output: join(root, 'in-again', 'a.jpg') },
        hardLink: { input: a, output: join(root, 'hard-a.jpg') },
        inputIsTheLink: { input: join(root, 'in', 'link-to-a.jpg'), output: a },
        allowed: { input: a, output: join(root, 'out', 'a.jpg') },
      };
      const { completed, failures } = await runDirectJobs(root, jobs);
      expect(completed).toEqual(['allowed']);
      for (const name of Object.keys(jobs).filter((name) => name !== 'allowed'))
        expect(failures.get(name), name).toEqual({ code: 'ERR_OFFLOOP_OUTPUT_IS_INPUT', attempts: 1 });
      expect(readFileSync(a).equals(original)).toBe(true);
      expect(lstatSync(join(root, 'in', 'link-to-a.jpg')).isSymbolicLink()).toBe(true);
      // No temporary file left beside any of them.
      expect(readdirSync(join(root, 'in')).sort()).toEqual(['a.jpg', 'link-to-a.jpg']);
      expect(readdirSync(root).sort()).toEqual(['hard-a.jpg', 'in', 'in-again', 'out']);
    }, 90_000);

    it("a job's limits cannot pass the worker's, and a job's data gives no setting but grayscaleFile's", async () => {
      const root = join(temp.dir, 'root-limits');
      mkdirSync(join(root, 'in'), { recursive: true });
      const a = join(root, 'in', 'a.jpg'); // 61 x 37
      const big = join(root, 'in', 'big.png');
      copyFileSync(join(small, 'gray-base-61x37.jpg'), a);
      copyFileSync(fixture('png/rgba8-61x37.png'), big);
      const limit = statSync(a).size + 1;
      expect(statSync(big).size).toBeGreaterThan(limit);
      const out = (name: string) => join(root, 'out', `${name}.png`);
      const jobs = {
        allowed: { input: a, output: out('allowed') },
        bytesUnlimited: { input: big, output: out('bytesUnlimited'), options: { limitInputBytes: false } },
        bytesZero: { input: big, output: out('bytesZero'), options: { limitInputBytes: 0 } },
        bytesHigher: { input: big, output: out('bytesHigher'), options: { limitInputBytes: 2 ** 40 } },
        pixelsLower: { input: a, output: out('pixelsLower'), options: { limitInputPixels: 61 * 37 - 1 } },
        pixelsAtLimit: { input: a, output: out('pixelsAtLimit'), options: { limitInputPixels: 61 * 37 } },
        badLimit: { input: a, output: out('badLimit'), options: { limitInputBytes: '1e9' } },
        notAnObject: { input: a, output: out('notAnObject'), options: null },
        // Not a setting a job may give: dropped (grayscaleFile would refuse encode: false with an output).
        otherKey: { input: a, output: out('otherKey'), options: { encode: false } },
      };
      const { completed, failures } = await runDirectJobs(root, jobs, { limitInputBytes: limit });
      expect(completed.sort()).toEqual(['allowed', 'otherKey', 'pixelsAtLimit']);
      for (const name of ['bytesUnlimited', 'bytesZero', 'bytesHigher', 'pixelsLower'])
        expect(failures.get(name), name).toEqual({ code: 'ERR_OFFLOOP_INPUT_TOO_LARGE', attempts: 1 });
      expect(failures.get('badLimit')).toEqual({ code: 'ERR_INVALID_ARG_TYPE', attempts: 1 });
      expect(failures.get('notAnObject')).toEqual({ code: 'ERR_INVALID_ARG_TYPE', attempts: 1 });
      expect(readdirSync(join(root, 'out')).sort()).toEqual(['allowed.png', 'otherKey.png', 'pixelsAtLimit.png']);
    }, 90_000);

    it('offloop gray --redis --limit-input-bytes and --fsync go with the jobs; offloop worker bounds them', async () => {
      const queue = newQueue();
      const root = join(temp.dir, 'root-cli-limits');
      mkdirSync(join(root, 'in'), { recursive: true });
      const a = join(root, 'in', 'a.jpg');
      const big = join(root, 'in', 'big.png');
      copyFileSync(join(small, 'gray-base-61x37.jpg'), a);
      copyFileSync(fixture('png/rgba8-61x37.png'), big);
      const wide = join(root, 'in', 'wide.png'); // 62 x 37: one column past the worker's limit
      writeLargePng(wide, 62, 37);
      const worker = spawn(
        process.execPath,
        [
          CLI,
          'worker',
          '--redis',
          redis.url,
          '--queue',
          queue,
          '--root',
          root,
          '--json',
          '--limit-input-pixels',
          '2257',
        ],
        { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      workers.push(worker);
      let err = '';
      await new Promise<void>((resolve) =>
        worker.stderr!.on('data', (chunk: Buffer) => (err += chunk).includes('waiting for jobs') && resolve()),
      );
      const gray = (args: string[]) =>
        new Promise<{ status: number | null; stdout: string }>((resolve) => {
          const child = spawn(
            process.execPath,
            [CLI, 'gray', '--redis', redis.url, '--queue', queue, '--json', ...args],
            {
              cwd: ROOT,
              stdio: ['ignore', 'pipe', 'pipe'],
            },
          );
          let stdout = '';
          child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk));
          child.once('close', (status) => resolve({ status, stdout }));
        });
      const fileLines = (stdout: string) =>
        stdout
          .trim()
          .split('\n')
          .map(
            (line) => JSON.parse(line) as { type: string; input?: string; status?: string; error?: { code: string } },
          )
          .filter((line) => line.type === 'file');
      // The job's byte limit: the PNG is refused, the small JPEG written, fsynced as asked.
      const limited = await gray([
        a,
        big,
        '-o',
        join(root, 'out'),
        '--limit-input-bytes',
        String(statSync(a).size),
        '--fsync',
      ]);
      expect(limited.status).toBe(1);
      const lines = fileLines(limited.stdout);
      expect(lines.find((line) => line.input === big)?.error?.code).toBe('ERR_OFFLOOP_INPUT_TOO_LARGE');
      expect(lines.find((line) => line.input === a)?.status).toBe('processed');
      // What the job carried through Redis.
      const { Queue } = await import('bullmq');
      const bull = new Queue(queue, { connection: { host: '127.0.0.1', port: redis.port } });
      const done = await bull.getJobs(['completed']);
      await bull.close();
      expect(done.map((job) => job.data.options)).toEqual([
        expect.objectContaining({ limitInputBytes: statSync(a).size, durable: true }),
      ]);
      // The worker's pixel limit (61 x 37) holds against a job asking for none.
      const unlimited = await gray([wide, '-o', join(root, 'out2'), '--limit-input-pixels', '0']);
      expect(unlimited.status).toBe(1);
      expect(fileLines(unlimited.stdout)[0]?.error?.code).toBe('ERR_OFFLOOP_INPUT_TOO_LARGE');
      const closed = new Promise<void>((resolve) => worker.once('close', () => resolve()));
      worker.kill('SIGTERM');
      await closed;
    }, 90_000);

    it.skipIf(!HAS_STRACE)(
      "a job's durable and offloop worker --fsync each make the worker fsync the output and its folder",
      async () => {
        const root = join(temp.dir, 'root-fsync');
        mkdirSync(join(root, 'in'), { recursive: true });
        const input = join(root, 'in', 'a.jpg');
        copyFileSync(join(small, 'gray-base-61x37.jpg'), input);
        // A worker under strace (its own process group: one signal stops both) runs one file.
        const fsyncs = async (workerFlags: string[], durable: boolean) => {
          const queue = newQueue();
          const log = join(temp.dir, `${queue}.strace`);
          const traced = spawn(
            'strace',
            ['-f', '-qq', '-e', 'trace=fsync', '-o', log, process.execPath, CLI, 'worker', '--redis', redis.url].concat(
              ['--queue', queue, '--root', root, ...workerFlags],
            ),
            { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], detached: true },
          );
          let err = '';
          await new Promise<void>((resolve) =>
            traced.stderr!.on('data', (chunk: Buffer) => (err += chunk).includes('waiting for jobs') && resolve()),
          );
          const outDir = join(root, queue);
          const results = await collect(
            submitFiles([input], { connection: redis.url, queue, outDir, ...(durable ? { durable } : {}) }),
          );
          expect(results.map((result) => result.error)).toEqual([undefined]);
          const closed = new Promise<void>((resolve) => traced.once('close', () => resolve()));
          process.kill(-traced.pid!, 'SIGTERM');
          await closed;
          return readFileSync(log, 'utf8')
            .split('\n')
            .filter((line) => /fsync\(\d+/.test(line)).length;
        };
        expect(await fsyncs([], false)).toBe(0);
        expect(await fsyncs([], true)).toBeGreaterThanOrEqual(2); // the file, then its folder
        expect(await fsyncs(['--fsync'], false)).toBeGreaterThanOrEqual(2);
      },
      90_000,
    );

    it('a worker without roots refuses to start, naming --root', () => {
      expect(() => createWorker({ connection: redis.url } as never)).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE', message: expect.stringContaining('--root') }),
      );
      const run = spawnSync(process.execPath, [CLI, 'worker', '--redis', redis.url], {
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(run.status).toBe(2);
      expect(run.stderr).toContain('--root <dir> is required');
    });
  });

  describe('a batch that cannot be trusted to end on its own', () => {
    it('Ctrl-C on offloop gray --redis with no worker: the hint after a few seconds, then its waiting jobs removed and counted', async () => {
      const queue = newQueue();
      const out = join(temp.dir, 'interrupted');
      const child = spawn(process.execPath, [CLI, 'gray', small, '-o', out, '--redis', redis.url, '--queue', queue], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      workers.push(child);
      let stderr = '';
      child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      await waitFor(() => stderr.includes('no worker has taken a job yet'), 30_000);
      expect(stderr).toContain(`start one with \`offloop worker --redis 127.0.0.1:${redis.port} --root <dir>\``);
      expect(await queueStatus({ connection: redis.url, queue })).toMatchObject({ waiting: SMALL.length, workers: 0 });
      child.kill('SIGINT');
      expect(await exited).toBe(130);
      expect(stderr).toContain(`removed ${SMALL.length} waiting jobs of this batch from the queue`);
      expect(await queueStatus({ connection: redis.url, queue })).toMatchObject({ waiting: 0, active: 0, delayed: 0 });
    }, 60_000);

    it('submitFiles: past idleTimeout with no progress, each file fails saying why it is stuck; its jobs leave the queue', async () => {
      const queue = newQueue();
      const results = await collect(
        submitFiles(small, { connection: redis.url, queue, outDir: join(temp.dir, 'idle'), idleTimeout: 1500 }),
      );
      expect(results).toHaveLength(SMALL.length);
      for (const result of results)
        expect(result.error).toMatchObject({
          code: 'ERR_OFFLOOP_QUEUE_STALLED',
          message: `stuck: no worker took it in 2 s (0 workers connected to queue '${queue}')`,
        });
      expect(await queueStatus({ connection: redis.url, queue })).toMatchObject({ waiting: 0 });
    }, 60_000);

    it('an unreachable Redis: queue status and gray --redis fail within seconds (exit 1, the address and the reason); SIGTERM stops the wait', async () => {
      const closed = `127.0.0.1:${await freePort()}`;
      for (const args of [
        ['queue', 'status', '--redis', closed],
        ['gray', small, '-o', join(temp.dir, 'never'), '--redis', `redis://${closed}`],
      ]) {
        const started = Date.now();
        const run = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 30_000 });
        expect(run.status, args[0]).toBe(1);
        expect(run.stderr).toContain(`offloop: cannot reach Redis at ${closed}: connect ECONNREFUSED`);
        expect(Date.now() - started).toBeLessThan(20_000);
      }
      expect(existsSync(join(temp.dir, 'never'))).toBe(false);
      await expect(
        queueSumOfSquares({ from: 1, to: 10 }, { connection: closed, connectTimeout: 1000 }),
      ).rejects.toMatchObject({ code: 'ERR_OFFLOOP_REDIS_UNREACHABLE' });
      // SIGTERM while it waits for Redis: it stops (143, or killed outright if it came before the handlers), not exit 1 at the timeout.
      const child = spawn(process.execPath, [CLI, 'gray', small, '-o', join(temp.dir, 'never'), '--redis', closed], {
        cwd: ROOT,
        stdio: 'ignore',
      });
      workers.push(child);
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const exited = new Promise<[number | null, string | null]>((resolve) =>
        child.once('exit', (code, signal) => resolve([code, signal])),
      );
      child.kill('SIGTERM');
      expect([
        [143, null],
        [null, 'SIGTERM'],
      ]).toContainEqual(await exited);
    }, 90_000);
  });

  it('a resubmission runs again the files whose output was deleted or cut, or whose input changed', async () => {
    const queue = newQueue();
    await startWorker(queue);
    const inputs = join(temp.dir, 'resubmit-in');
    mkdirSync(inputs);
    for (const name of readdirSync(small)) copyFileSync(join(small, name), join(inputs, name));
    const out = join(temp.dir, 'resubmit');
    expect(
      (await collect(submitFiles(inputs, { connection: redis.url, queue, outDir: out }))).filter((r) => r.error),
    ).toEqual([]);
    const [deleted, cut, changed] = listAll(out);
    rmSync(join(out, deleted!));
    writeFileSync(join(out, cut!), readFileSync(join(out, cut!)).subarray(0, 10));
    // Same bytes, a new modification time: a different input as far as the queue knows.
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(inputs, changed!), later, later);
    const mtimes = new Map(listAll(out).map((name) => [name, statSync(join(out, name)).mtimeMs]));
    const again = await collect(submitFiles(inputs, { connection: redis.url, queue, outDir: out }));
    expect(again.filter((r) => r.error)).toEqual([]);
    expect(again).toHaveLength(SMALL.length);
    expect(listAll(out)).toEqual(listAll(localOut));
    for (const name of listAll(out))
      expect(readFileSync(join(out, name)).equals(readFileSync(join(localOut, name))), name).toBe(true);
    const rewritten = listAll(out)
      .filter((name) => statSync(join(out, name)).mtimeMs !== mtimes.get(name))
      .sort();
    expect(rewritten).toEqual([deleted, cut, changed].sort());
    await stopWorkers();
  }, 60_000);

  it('a password-protected Redis (requirepass): workers and producer with the password; a wrong one fails at once', async () => {
    const guarded = await startRedis({ password: 'p@ss word' });
    try {
      const queue = newQueue();
      await startWorker(queue, 30_000, guarded.url);
      const results = await collect(
        submitFiles(small, { connection: guarded.url, queue, outDir: join(temp.dir, 'guarded') }),
      );
      expect(results.filter((r) => r.error)).toEqual([]);
      expect(results).toHaveLength(SMALL.length);
      const wrong = `redis://:wrong@127.0.0.1:${guarded.port}`;
      await expect(queueStatus({ connection: wrong, connectTimeout: 20_000 })).rejects.toMatchObject({
        code: 'ERR_OFFLOOP_REDIS_UNREACHABLE',
        message: expect.stringContaining('WRONGPASS'),
      });
      const none = spawnSync(process.execPath, [CLI, 'queue', 'status', '--redis', `127.0.0.1:${guarded.port}`], {
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(none.status).toBe(1);
      expect(none.stderr).toMatch(/cannot reach Redis at 127\.0\.0\.1:\d+: NOAUTH/);
      await stopWorkers();
    } finally {
      await guarded.stop();
    }
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
      for (const name of listAll(out))
        expect(readFileSync(join(out, name)).equals(readFileSync(join(largeLocal, name))), name).toBe(true);
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
      const local = createWorker({ connection: redis.url, queue, roots: roots() });
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
      const results = await collect(
        submitFiles([big, join(large, 'p1.png')], { connection: redis.url, queue, outDir: out }),
      );
      expect(cancelled).toBe(true);
      await local.close();
      const failedResult = results.find((r) => r.error);
      expect(failedResult?.input).toBe(big);
      expect(failedResult?.error).toMatchObject({ code: 'ABORT_ERR', message: 'cancelled: user said stop' });
      expect(results.filter((r) => !r.error)).toHaveLength(1);
      expect(listAll(out)).toEqual([
        results
          .find((r) => !r.error)!
          .input.toString()
          .split('/')
          .at(-1),
      ]);
      expect(await queueStatus({ connection: redis.url, queue })).toMatchObject({
        failed: 1,
        completed: 1,
        delayed: 0,
        waiting: 0,
      });

      const queue2 = newQueue();
      const closing = createWorker({ connection: redis.url, queue: queue2, roots: roots() });
      const out2 = join(temp.dir, 'handed-back');
      const batch = collect(submitFiles(large, { connection: redis.url, queue: queue2, outDir: out2 }));
      await new Promise<void>((resolve) => closing.worker.once('active', () => resolve()));
      await closing.close({ abort: true });
      await startWorker(queue2);
      expectAllComplete(out2, await batch);
      await stopWorkers();
    }, 120_000);

    it('Redis restarted WITHOUT persistence mid-batch: the producer adds the lost jobs again (same ids) and the batch completes', async () => {
      const forgetful = await startRedis({ persistent: false });
      try {
        const queue = newQueue();
        const worker = await startWorker(queue, 30_000, forgetful.url);
        const out = join(temp.dir, 'forgotten');
        const notices: string[] = [];
        const batch = collect(
          submitFiles(large, {
            connection: forgetful.url,
            queue,
            outDir: out,
            onNotice: (notice) => notices.push(notice.type),
          }),
        );
        await worker.activeSeen;
        await forgetful.restart(500);
        expectAllComplete(out, await batch);
        expect(notices).toContain('lost-jobs');
      } finally {
        await stopWorkers();
        await forgetful.stop();
      }
    }, 120_000);

    it('close({ abort: true }) hands files back without spending an attempt (attempts: 1)', async () => {
      const queue = newQueue();
      const closing = createWorker({ connection: redis.url, queue, roots: roots() });
      const out = join(temp.dir, 'attempts-kept');
      const batch = collect(submitFiles(large, { connection: redis.url, queue, outDir: out, attempts: 1 }));
      await new Promise<void>((resolve) => closing.worker.once('active', () => resolve()));
      await closing.close({ abort: true });
      // Back in the waiting list at once, not left active until BullMQ's stalled check (which counts stalls against the job).
      expect(await queueStatus({ connection: redis.url, queue })).toMatchObject({ active: 0, failed: 0, delayed: 0 });
      await startWorker(queue);
      expectAllComplete(out, await batch);
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
    const hide =
      "const M = require('module'); const r = M._resolveFilename; M._resolveFilename = function (id, ...a) { if (id === 'bullmq') { const e = new Error(\"Cannot find module 'bullmq'\"); e.code = 'MODULE_NOT_FOUND'; throw e; } return r.call(this, id, ...a); };";
    const script =
      "require('offloop/queue').queueStatus({ connection: 'redis://127.0.0.1:1' }).catch((e) => console.log(e.code + ': ' + e.message));";
    const run = spawnSync(process.execPath, ['-e', `${hide}\n${script}`], { cwd: ROOT, encoding: 'utf8' });
    expect(run.stdout.trim()).toBe(
      'ERR_OFFLOOP_MISSING_PEER: offloop/queue needs BullMQ (with its Redis client, ioredis), an optional peer dependency of offloop: npm install bullmq',
    );
  });
});
