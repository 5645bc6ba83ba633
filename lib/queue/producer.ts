/**
 * submitFiles: the folder job through the queue. Inputs are listed lazily
 * and enqueued in bulk, at most `window` jobs outstanding; results come back
 * from BullMQ's queue events (with a poll for events missed while Redis was
 * away), in the shape grayscaleFiles yields.
 */
import { resolve } from 'node:path';

import type { Queue, QueueEvents } from 'bullmq';

import { batchEntries, outputUnder, preparedOutputs, type BatchEntry } from '../files/batch-inputs.js';
import { BatchOutputs } from '../files/batch-outputs.js';
import type { GrayscaleFilesResult } from '../files/batch-types.js';
import { connectionOptions, loadBullmq, type RedisConnection } from './bullmq.js';
import { decodeFailure, DEFAULT_QUEUE, GRAY_FILE, grayFileJobId, type GrayFileData, type GrayFileDone, type QueuedFileOptions } from './jobs.js';

export interface SubmitFilesOptions extends QueuedFileOptions {
  connection: RedisConnection;
  queue?: string;
  /** Where outputs go, mirroring the inputs' paths as grayscaleFiles does (on storage every worker sees). */
  outDir: string;
  recursive?: boolean;
  /** Jobs enqueued and not yet settled, at most (default 1000). */
  window?: number;
  /** Attempts a file gets for transient failures (default 5, with exponential backoff from 1 s). */
  attempts?: number;
  signal?: AbortSignal;
  onProgress?: (progress: { done: number; failed: number }) => void;
}

interface Pending {
  input: string;
  output: string;
  submittedAt: number;
}

const POLL_MS = 1000;

function doneResult(pending: Pending, done: GrayFileDone): GrayscaleFilesResult {
  const { width, height, format, bytesIn, bytesOut, ms } = done;
  const timings = done.timings ?? { read: 0, decode: 0, orient: 0, encode: 0, write: 0 };
  return { input: pending.input, output: pending.output, width, height, format, bytesIn, bytesOut, ms, timings };
}

/**
 * The job's final outcome, if it has one (completed, or failed with no
 * attempt left). The state is read before the job, so a job that completes
 * in between is seen with its return value (or seen as still running).
 */
async function settledOutcome(queue: Queue, jobId: string): Promise<{ done?: GrayFileDone; error?: Error } | undefined> {
  const state = await queue.getJobState(jobId);
  if (state !== 'completed' && state !== 'failed') return undefined;
  const job = await queue.getJob(jobId);
  if (job === undefined) return undefined;
  if (state === 'failed') return { error: decodeFailure(job.failedReason) };
  const done = job.returnvalue as GrayFileDone | null;
  return done === null || typeof done !== 'object' ? undefined : { done };
}

export async function* submitFiles(inputs: unknown, options: SubmitFilesOptions): AsyncGenerator<GrayscaleFilesResult, void, undefined> {
  const { Queue: BullQueue, QueueEvents: BullQueueEvents } = loadBullmq();
  const connection = connectionOptions(options.connection);
  const name = options.queue ?? DEFAULT_QUEUE;
  const fileOptions: QueuedFileOptions = {};
  for (const key of ['mode', 'format', 'quality', 'compressionLevel', 'autoOrient', 'limitInputPixels'] as const) {
    if (options[key] !== undefined) (fileOptions as Record<string, unknown>)[key] = options[key];
  }
  const format = fileOptions.format ?? 'same';
  const window = options.window ?? 1000;
  const queue: Queue = new BullQueue(name, { connection });
  const events: QueueEvents = new BullQueueEvents(name, { connection });
  queue.on('error', () => {});
  events.on('error', () => {});
  const pending = new Map<string, Pending>();
  const ready: GrayscaleFilesResult[] = [];
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  const settle = (jobId: string, outcome: { done?: GrayFileDone | null; error?: Error }) => {
    const entry = pending.get(jobId);
    // A completion without its result (should not happen): the poll reads the job instead.
    if (entry === undefined || (outcome.error === undefined && (outcome.done === null || typeof outcome.done !== 'object'))) return;
    pending.delete(jobId);
    ready.push(outcome.error ? { input: entry.input, error: outcome.error } : doneResult(entry, outcome.done as GrayFileDone));
    notify();
  };
  events.on('completed', ({ jobId, returnvalue }) => settle(jobId, { done: returnvalue as unknown as GrayFileDone }));
  events.on('failed', ({ jobId }) => {
    // A failed attempt with attempts left is retried: only a final failure settles.
    if (pending.has(jobId)) settledOutcome(queue, jobId).then((outcome) => outcome && settle(jobId, outcome), () => {});
  });
  // Events missed while Redis or this process was away: look the oldest jobs up.
  const poll = setInterval(() => {
    const now = Date.now();
    for (const [jobId, entry] of [...pending].slice(0, 200)) {
      if (now - entry.submittedAt < POLL_MS) break;
      settledOutcome(queue, jobId).then((outcome) => outcome && settle(jobId, outcome), () => {});
    }
  }, POLL_MS);
  poll.unref();
  const aborted = new Promise<void>((resolveAbort) => options.signal?.addEventListener('abort', () => resolveAbort(), { once: true }));
  options.signal?.addEventListener('abort', notify, { once: true });

  // The local batch's checks: no output is an input, no two inputs write one output, no output is listed.
  const outputs = preparedOutputs(inputs) ?? new BatchOutputs({ inPlace: false, outDir: options.outDir });
  const entries = batchEntries(inputs, options.recursive ?? false, outputs);
  let exhausted = false;
  let done = 0;
  let failed = 0;
  try {
    await events.waitUntilReady();
    for (;;) {
      if (options.signal?.aborted) throw options.signal.reason;
      // Enqueue while the window has room, in bulk.
      if (!exhausted && pending.size < window) {
        const batch: Array<{ data: GrayFileData; entry: BatchEntry }> = [];
        while (batch.length < 100 && pending.size + batch.length < window) {
          const next = await entries.next();
          if (next.done) {
            exhausted = true;
            break;
          }
          const entry = next.value;
          if (entry.listingError !== undefined) {
            ready.push({ input: entry.item as string, error: entry.listingError });
            continue;
          }
          // A pair names its own output (the command line's entries); a path is named under outDir.
          const item = entry.item as string | { input: string; output: string };
          const input = resolve(typeof item === 'string' ? item : item.input);
          const output = resolve(typeof item === 'string' ? outputUnder(options.outDir, input, entry.relativePath, format) : item.output);
          const claim = await outputs.claim(input, output, entry.relativePath !== undefined);
          if (claim.verdict === 'own') continue;
          if (claim.verdict === 'refuse') {
            ready.push({ input, error: claim.error });
            continue;
          }
          batch.push({ data: { input, output, options: fileOptions }, entry });
        }
        if (batch.length > 0) {
          const now = Date.now();
          const jobs = batch.map(({ data }) => ({
            name: GRAY_FILE,
            data,
            opts: { jobId: grayFileJobId(data), attempts: options.attempts ?? 5, backoff: { type: 'exponential', delay: 1000 } },
          }));
          for (const job of jobs) pending.set(job.opts.jobId, { input: job.data.input, output: job.data.output, submittedAt: now });
          const added = await queue.addBulk(jobs);
          // A job with this id may be there already: done (its result counts), or failed for good (run it again).
          for (const job of added) {
            const state = await job.getState();
            // (addBulk's job objects carry no return value: read the stored job.)
            if (state === 'completed') {
              const outcome = await settledOutcome(queue, job.id!);
              if (outcome) settle(job.id!, outcome);
            }
            else if (state === 'failed') await job.retry('failed');
          }
        }
      }
      while (ready.length > 0) {
        const result = ready.shift()!;
        if (result.error) failed++;
        else done++;
        options.onProgress?.({ done, failed });
        yield result;
      }
      if (exhausted && pending.size === 0) break;
      if (exhausted || pending.size >= window) {
        await Promise.race([new Promise<void>((r) => (wake = r)), aborted]);
      }
    }
  } finally {
    clearInterval(poll);
    await entries.return(undefined);
    await events.close();
    await queue.close();
  }
}
