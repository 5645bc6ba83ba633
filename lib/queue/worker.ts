/**
 * createWorker: this machine's pool as a BullMQ worker. Files are turned
 * gray on the pool, as many in flight as the local batch allows; range-sum
 * parts return their blocks. A corrupt file fails for good (no retry); a
 * transient failure (EIO, ENOSPC, ...) is thrown for BullMQ to retry. A
 * job's paths must lead inside the worker's roots.
 */
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import type { Job, Worker, WorkerOptions } from 'bullmq';

import { readBoolean } from '../checks.js';
import { invalidArgTypeError } from '../errors.js';
import { grayscaleFile } from '../files/grayscale-file.js';
import { DEFAULT_BYTE_LIMIT, DEFAULT_PIXEL_LIMIT, readLimit } from '../files/settings.js';
import { isTemporaryOf } from '../files/temporary.js';
import { sumOfSquaresBlocks } from '../kernels/sum-blocks.js';
import { getConcurrency, setConcurrency } from '../pool.js';
import { checkConcurrency } from '../options.js';
import { connectionOptions, loadBullmq, readQueueName, type RedisConnection } from './bullmq.js';
import { checkAllowed, checkNotInput, realRoots } from './roots.js';
import {
  encodeFailure,
  encodeFloat64,
  GRAY_FILE,
  isPermanent,
  queuedSettings,
  SUM_PART,
  type GrayFileData,
  type GrayFileDone,
  type QueuedFileOptions,
  type SumPartData,
} from './job-data.js';

export interface CreateWorkerOptions {
  /** Redis: a redis:// URL or ioredis options. */
  connection: RedisConnection;
  /**
   * The folders jobs may read from and write to (required): a job whose
   * input or output leads elsewhere, symlinks followed, fails for good with
   * ERR_OFFLOOP_PATH_NOT_ALLOWED and writes nothing. Anyone who can write to
   * Redis can add jobs; the roots bound what they can touch.
   */
  roots: readonly string[];
  /** The queue's name (default 'offloop'). */
  queue?: string;
  /** Sets the pool's threads (setConcurrency) for this process. */
  threads?: number;
  /** Jobs in flight at most (default: the pool's threads + 2, as the local batch). */
  concurrency?: number;
  /**
   * The largest image this worker decodes, in pixels (default grayscaleFile's,
   * 268,402,689; 0 or false: no limit of its own). A job may ask for a smaller
   * limit, never a larger one: the smaller of the two applies.
   */
  limitInputPixels?: number | boolean;
  /** The largest input file this worker reads, in bytes (default 1 GiB), as `limitInputPixels`. */
  limitInputBytes?: number | boolean;
  /** fsync every output and its folder, whatever the job asks (default false: as each job asks). */
  durable?: boolean;
  /** More BullMQ worker options (lockDuration, stalledInterval, ...). */
  workerOptions?: Partial<WorkerOptions>;
}

/** What this worker allows any job, whatever its data says (0: no limit). */
interface WorkerLimits {
  limitInputPixels: number;
  limitInputBytes: number;
  durable: boolean;
}

function readWorkerLimits(options: CreateWorkerOptions): WorkerLimits {
  return {
    limitInputPixels: readLimit(options.limitInputPixels, 'options.limitInputPixels', DEFAULT_PIXEL_LIMIT),
    limitInputBytes: readLimit(options.limitInputBytes, 'options.limitInputBytes', DEFAULT_BYTE_LIMIT),
    durable: readBoolean(options.durable, 'options.durable', false),
  };
}

/** The smaller of two limits, 0 being none. */
const tighter = (a: number, b: number) => (a === 0 ? b : b === 0 ? a : Math.min(a, b));

/**
 * A job's settings as this worker applies them: only the queued keys (a job
 * put in Redis by anything but offloop's producer may carry others, such as
 * `encode`), its limits bounded by the worker's. Bad values fail for good.
 */
function jobSettings(options: unknown, limits: WorkerLimits): QueuedFileOptions {
  if (typeof options !== 'object' || options === null)
    throw invalidArgTypeError('job.data.options', 'of type object', options);
  const asked = queuedSettings(options as Record<string, unknown>);
  const { limitInputPixels, limitInputBytes } = asked;
  return {
    ...asked,
    limitInputPixels: tighter(
      readLimit(limitInputPixels, 'job.data.options.limitInputPixels', DEFAULT_PIXEL_LIMIT),
      limits.limitInputPixels,
    ),
    limitInputBytes: tighter(
      readLimit(limitInputBytes, 'job.data.options.limitInputBytes', DEFAULT_BYTE_LIMIT),
      limits.limitInputBytes,
    ),
    ...(limits.durable ? { durable: true } : {}),
  };
}

export interface OffloopWorker {
  /** The BullMQ worker, for its events. */
  readonly worker: Worker;
  /**
   * Stops taking jobs. By default the files in flight finish; with
   * `{ abort: true }` they stop at once, leaving no output and no temporary
   * file, and go back to the queue for another worker without spending an
   * attempt.
   */
  close(options?: { abort?: boolean }): Promise<void>;
}

// The abort reason of a closing worker's jobs: they go back to the queue (retried), unlike a cancelled job.
const CLOSING = 'offloop worker closing';

/** Removes temporary files a killed writer of `output` left (its job ran again here). */
async function removeStaleTemporaries(output: string, before: number): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dirname(output));
  } catch {
    return;
  }
  for (const name of names) {
    if (!isTemporaryOf(output, name)) continue;
    const path = join(dirname(output), name);
    try {
      if ((await stat(path)).mtimeMs < before) await rm(path, { force: true });
    } catch {
      // gone already
    }
  }
}

async function grayFile(
  job: Job<GrayFileData>,
  signal: AbortSignal | undefined,
  roots: readonly string[],
  limits: WorkerLimits,
): Promise<GrayFileDone> {
  const { input, output } = job.data;
  const settings = jobSettings(job.data.options, limits);
  const started = Date.now();
  let lastProgress = started;
  // Both before anything is created: `mkdir -p` alone could make folders outside the roots.
  const realInput = await checkAllowed(input, roots, 'input');
  const realOutput = await checkAllowed(output, roots, 'output');
  await checkNotInput({ path: input, real: realInput }, { path: output, real: realOutput });
  await mkdir(dirname(output), { recursive: true });
  const result = await grayscaleFile(input, {
    ...settings,
    output,
    signal,
    // Each update is a Redis write and an event every listener reads: a few a second per file is enough.
    onProgress: (done: number, total: number) => {
      const now = Date.now();
      if (now - lastProgress < 250 || total === 0) return;
      lastProgress = now;
      job.updateProgress(Math.round((100 * done) / total)).catch(() => {});
    },
  });
  // A job that ran before (a worker killed mid-file) may have left its temporary file.
  if (job.attemptsStarted > 1 || job.stalledCounter > 0) await removeStaleTemporaries(output, started);
  return {
    width: result.width,
    height: result.height,
    format: result.format,
    bytesIn: result.bytesIn,
    bytesOut: result.bytes,
    ms: Date.now() - started,
    timings: result.timings,
  };
}

async function sumPart(job: Job<SumPartData>, signal: AbortSignal | undefined): Promise<string> {
  return encodeFloat64(await sumOfSquaresBlocks({ from: job.data.from, to: job.data.to }, { signal }));
}

export function createWorker(options: CreateWorkerOptions): OffloopWorker {
  const { Worker: BullWorker, UnrecoverableError, WaitingError } = loadBullmq();
  const roots = realRoots(options?.roots);
  const limits = readWorkerLimits(options);
  if (options.threads !== undefined) setConcurrency(options.threads);
  const processor = async (job: Job, token: string | undefined, signal: AbortSignal | undefined) => {
    try {
      if (job.name === GRAY_FILE) return await grayFile(job as Job<GrayFileData>, signal, roots, limits);
      if (job.name === SUM_PART) return await sumPart(job as Job<SumPartData>, signal);
      throw Object.assign(new Error(`offloop: unknown job '${job.name}'`), { code: 'ERR_INVALID_ARG_VALUE' });
    } catch (error) {
      if (signal?.aborted && signal.reason === CLOSING && token !== undefined) {
        // Back to the queue as it was, its attempts untouched: closing is this worker's doing, not the file's.
        await job.moveToWait(token);
        throw new WaitingError();
      }
      if (signal?.aborted) {
        // Cancelled through BullMQ (worker.cancelJob): stopped for good, not retried.
        throw new UnrecoverableError(
          encodeFailure({ code: 'ABORT_ERR', message: `cancelled: ${String(signal.reason)}` }),
        );
      }
      if (isPermanent(error)) throw new UnrecoverableError(encodeFailure(error));
      throw new Error(encodeFailure(error));
    }
  };
  const connection = connectionOptions(options.connection);
  const { concurrency: asked } = options;
  const concurrency = asked === undefined ? getConcurrency() + 2 : checkConcurrency(asked, 'options.concurrency');
  const worker = new BullWorker(readQueueName(options.queue), processor, {
    connection,
    concurrency,
    ...options.workerOptions,
  });
  // Connection trouble is retried by ioredis; BullMQ reports it here, and an
  // 'error' event without a listener would throw.
  worker.on('error', () => {});
  return {
    worker,
    async close({ abort = false } = {}) {
      // Aborted files are moved back to the queue by their processors, so the close waits for them (a moment).
      if (abort) worker.cancelAllJobs(CLOSING);
      await worker.close();
    },
  };
}
