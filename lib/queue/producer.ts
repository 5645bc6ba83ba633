/**
 * submitFiles: the folder job through the queue. Inputs are listed lazily
 * and scheduled as the local batch schedules its files (mapConcurrently),
 * at most `window` files outstanding, each added to the queue (the adds of
 * one turn of the event loop in one addBulk) and settled by its result; results come back
 * from BullMQ's queue events, with a poll that reads what events missed
 * (Redis or this process away) and adds again the jobs Redis lost, in the
 * shape grayscaleFiles yields. The batch never waits without end: past
 * `idleTimeout` without progress its unsettled files fail with the reason.
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';

import type { ConnectionOptions, Job, JobsOptions, Queue, QueueEvents } from 'bullmq';

import { batchEntries, outputUnder, type BatchEntry } from '../files/batch-inputs.js';
import { BatchOutputs } from '../files/batch-outputs.js';
import type { GrayscaleFilesInputs, GrayscaleFilesResult } from '../files/batch-types.js';
import { checkFileOutput } from '../files/input.js';
import { readFileSettings, type FILE_SETTING_KEYS, type FileSettings } from '../files/settings.js';
import { checkSafeInteger, readBoolean } from '../checks.js';
import { failingGenerator, mapConcurrently } from '../concurrency.js';
import { invalidArgTypeError, pointAtCaller } from '../errors.js';
import { inCallersContext, readControl, readOptions, type OptionsSnapshot } from '../options.js';
import {
  closeWithin,
  connectionOptions,
  DEFAULT_CONNECT_TIMEOUT,
  loadBullmq,
  reachRedis,
  readQueueName,
  readTimeout,
  type RedisConnection,
} from './bullmq.js';
import {
  decodeFailure,
  GRAY_FILE,
  grayFileJobId,
  QUEUED_SETTING_KEYS,
  queuedSettings,
  type GrayFileData,
  type GrayFileDone,
  type InputVersion,
  type QueuedFileOptions,
} from './job-data.js';

/** What the producer has to say besides results (the CLI prints these on stderr). */
export type QueueNotice =
  /** No job of this batch was taken by a worker within a few seconds; `workers` are connected to the queue. */
  | { type: 'no-worker'; workers: number; message: string }
  /** Redis no longer knew `count` jobs of this batch (restarted without persistence, evicted): they were added again. */
  | { type: 'lost-jobs'; count: number; message: string }
  /** The batch was aborted or gave up: its `count` waiting jobs were removed from the queue (`running` were left to finish). */
  | { type: 'removed-jobs'; count: number; running: number; message: string };

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
  /** How long to wait for Redis at the start before failing with ERR_OFFLOOP_REDIS_UNREACHABLE (ms, default 5000). */
  connectTimeout?: number;
  /**
   * How long the batch waits with no file of it starting, progressing or
   * settling before it gives up: each unsettled file is a failed result
   * (ERR_OFFLOOP_QUEUE_STALLED, saying why it is stuck) and its waiting jobs
   * are removed (ms, default 300,000).
   */
  idleTimeout?: number;
  /** Aborting removes this batch's waiting jobs from the queue (a `removed-jobs` notice says how many). */
  signal?: AbortSignal;
  onProgress?: (progress: { done: number; failed: number }) => void;
  onNotice?: (notice: QueueNotice) => void;
}

interface Pending {
  input: string;
  output: string;
  /** The job as added, to add it again should Redis lose it. */
  job: { name: string; data: GrayFileData; opts: JobsOptions & { jobId: string } };
  /** Settles the file's result. */
  resolve: (result: GrayscaleFilesResult) => void;
}

const POLL_MS = 1000;
// Jobs looked up per poll: a full window of 1,000 is read in five seconds.
const POLL_BATCH = 200;
const NO_WORKER_MS = 5000;
const DEFAULT_IDLE_MS = 300_000;
// Removing waiting jobs on abort, and closing, wait at most this long for Redis.
const CLEANUP_MS = 3000;
// The reason the scheduler stops with when the batch gives up (idle): not an error to the caller.
const GAVE_UP = Symbol('offloop.queue.gaveUp');
const WAITING_STATES = new Set(['waiting', 'delayed', 'prioritized', 'paused', 'waiting-children']);

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
async function settledOutcome(
  queue: Queue,
  jobId: string,
): Promise<{ done?: GrayFileDone; error?: Error } | undefined> {
  const state = await queue.getJobState(jobId);
  if (state !== 'completed' && state !== 'failed') return undefined;
  const job = await queue.getJob(jobId);
  if (job === undefined) return undefined;
  if (state === 'failed') return { error: decodeFailure(job.failedReason) };
  const done = job.returnvalue as GrayFileDone | null;
  return done === null || typeof done !== 'object' ? undefined : { done };
}

async function inputVersion(input: string): Promise<InputVersion> {
  try {
    const { size, mtimeMs } = await stat(input);
    return { size, mtimeMs };
  } catch {
    // The worker reports why it cannot be read.
    return null;
  }
}

/** True when `output` is still there with the size its job reported. */
async function outputStands(output: string, done: GrayFileDone): Promise<boolean> {
  try {
    return (await stat(output)).size === done.bytesOut;
  } catch {
    return false;
  }
}

const SUBMIT_OPTION_KEYS = [
  ...QUEUED_SETTING_KEYS,
  'connection',
  'queue',
  'outDir',
  'recursive',
  'window',
  'attempts',
  'connectTimeout',
  'idleTimeout',
  'signal',
  'onProgress',
  'onNotice',
] as const;

/** submitFiles' options, validated once, before Redis is reached or an input pulled. */
interface SubmitPlan {
  connection: ConnectionOptions;
  queue: string;
  outDir: string;
  recursive: boolean;
  /** The queued settings as given (a job's id hashes them). */
  fileOptions: QueuedFileOptions;
  format: FileSettings['format'];
  window: number;
  attempts: number;
  connectTimeout: number;
  idleTimeout: number;
  signal: AbortSignal | undefined;
  onProgress: ((progress: { done: number; failed: number }) => void) | undefined;
  onNotice: ((notice: QueueNotice) => void) | undefined;
}

/** Validates submitFiles' options as grayscaleFiles validates its own (same errors, same codes). */
function readSubmitOptions(options: unknown): SubmitPlan {
  if (options === undefined) throw invalidArgTypeError('options', 'of type object', options);
  const snapshot = readOptions(options, SUBMIT_OPTION_KEYS);
  const control = readControl(snapshot);
  // The settings a job carries, checked as grayscaleFile checks them (the others read as undefined).
  const settings = readFileSettings(snapshot as OptionsSnapshot<(typeof FILE_SETTING_KEYS)[number]>);
  const outDir = checkFileOutput(snapshot.outDir, 'options.outDir');
  if (outDir === undefined) {
    throw invalidArgTypeError('options.outDir', 'of type string or an instance of URL', undefined);
  }
  const { onNotice } = snapshot;
  if (onNotice !== undefined && typeof onNotice !== 'function') {
    throw invalidArgTypeError('options.onNotice', 'of type function', onNotice);
  }
  return {
    connection: connectionOptions(snapshot.connection as RedisConnection | undefined),
    queue: readQueueName(snapshot.queue),
    outDir,
    recursive: readBoolean(snapshot.recursive, 'options.recursive', false),
    fileOptions: queuedSettings(snapshot),
    format: settings.format,
    window: snapshot.window === undefined ? 1000 : checkSafeInteger(snapshot.window, 'options.window', 1),
    attempts: snapshot.attempts === undefined ? 5 : checkSafeInteger(snapshot.attempts, 'options.attempts', 1),
    connectTimeout: readTimeout(snapshot.connectTimeout, 'options.connectTimeout', DEFAULT_CONNECT_TIMEOUT),
    idleTimeout: readTimeout(snapshot.idleTimeout, 'options.idleTimeout', DEFAULT_IDLE_MS),
    signal: control.signal,
    onProgress: control.onProgress as SubmitPlan['onProgress'],
    onNotice: inCallersContext(onNotice as SubmitPlan['onNotice']),
  };
}

/**
 * The folder job through the queue: `inputs` as grayscaleFiles takes them,
 * outputs under `options.outDir`. Bad options reject the first next().
 */
export const submitFiles = function submitFiles(inputs: unknown, options: SubmitFilesOptions) {
  let plan: SubmitPlan;
  try {
    plan = readSubmitOptions(options);
    if (typeof inputs === 'string' || inputs instanceof URL) checkFileOutput(inputs, 'inputs');
    else if (
      typeof inputs !== 'object' ||
      inputs === null ||
      !(Symbol.iterator in inputs || Symbol.asyncIterator in inputs)
    ) {
      throw invalidArgTypeError('inputs', 'a directory path, a file: URL, or an iterable of paths', inputs);
    }
  } catch (error) {
    return failingGenerator<GrayscaleFilesResult>(pointAtCaller(error, submitFiles));
  }
  const outputs = new BatchOutputs({ inPlace: false, outDir: plan.outDir });
  return submitBatch(batchEntries(inputs, plan.recursive, outputs), outputs, plan);
} as SubmitFiles;

type SubmitFiles = (
  inputs: GrayscaleFilesInputs,
  options: SubmitFilesOptions,
) => AsyncGenerator<GrayscaleFilesResult, void, undefined>;

/**
 * submitFiles over entries already made and checked with `outputs` (the
 * command line gathers several arguments into one batch). Internal:
 * offloop's own entry point for its CLI. Bad options throw.
 */
export function submitEntries(
  entries: AsyncIterable<BatchEntry>,
  outputs: BatchOutputs,
  options: SubmitFilesOptions,
): AsyncGenerator<GrayscaleFilesResult, void, undefined> {
  return submitBatch(entries, outputs, readSubmitOptions(options));
}

async function* submitBatch(
  entries: AsyncIterable<BatchEntry>,
  outputs: BatchOutputs,
  plan: SubmitPlan,
): AsyncGenerator<GrayscaleFilesResult, void, undefined> {
  const { Queue: BullQueue, QueueEvents: BullQueueEvents } = loadBullmq();
  const { connection, queue: name, fileOptions, format, window, connectTimeout, idleTimeout, signal } = plan;
  // First a connection of its own, bounded: BullMQ's clients wait for Redis without end.
  await reachRedis(connection, connectTimeout, signal);
  const queue: Queue = new BullQueue(name, { connection });
  const events: QueueEvents = new BullQueueEvents(name, { connection });
  queue.on('error', () => {});
  events.on('error', () => {});
  const pending = new Map<string, Pending>();
  // Anything a file of this batch does (taken, progressing, settled) or the batch itself adding jobs.
  let lastProgress = Date.now();
  let taken = false;
  const settle = (jobId: string, outcome: { done?: GrayFileDone | null; error?: Error }) => {
    const entry = pending.get(jobId);
    // A completion without its result (should not happen): the poll reads the job instead.
    if (
      entry === undefined ||
      (outcome.error === undefined && (outcome.done === null || typeof outcome.done !== 'object'))
    )
      return;
    pending.delete(jobId);
    lastProgress = Date.now();
    entry.resolve(
      outcome.error ? { input: entry.input, error: outcome.error } : doneResult(entry, outcome.done as GrayFileDone),
    );
  };
  const moved = ({ jobId }: { jobId: string }) => {
    if (!pending.has(jobId)) return;
    taken = true;
    lastProgress = Date.now();
  };
  events.on('active', moved);
  events.on('progress', moved);
  events.on('completed', ({ jobId, returnvalue }) => {
    moved({ jobId });
    settle(jobId, { done: returnvalue as unknown as GrayFileDone });
  });
  events.on('failed', ({ jobId }) => {
    moved({ jobId });
    // A failed attempt with attempts left is retried: only a final failure settles.
    if (pending.has(jobId))
      settledOutcome(queue, jobId).then(
        (outcome) => outcome && settle(jobId, outcome),
        () => {},
      );
  });
  // Events missed while Redis or this process was away, and jobs Redis lost: look the jobs up, a slice a tick.
  let cursor = 0;
  let polling = false;
  const poll = setInterval(() => {
    if (polling || pending.size === 0) return;
    polling = true;
    const all = [...pending.keys()];
    if (cursor >= all.length) cursor = 0;
    const slice = all.slice(cursor, cursor + POLL_BATCH);
    cursor += POLL_BATCH;
    Promise.all(
      slice.map(async (jobId) => {
        const state = await queue.getJobState(jobId);
        if (state === 'unknown') return pending.get(jobId)?.job;
        if (state === 'completed' || state === 'failed') {
          const outcome = await settledOutcome(queue, jobId);
          if (outcome) settle(jobId, outcome);
        }
        return undefined;
      }),
    )
      .then(async (found) => {
        const lost = found.filter((job) => job !== undefined);
        if (lost.length === 0) return;
        // Same ids: a job Redis knows again by then is not added twice.
        await queue.addBulk(lost);
        lastProgress = Date.now();
        plan.onNotice?.({
          type: 'lost-jobs',
          count: lost.length,
          message: `Redis no longer knew ${lost.length} ${lost.length === 1 ? 'job' : 'jobs'} of this batch (restarted without persistence, or evicted): added again`,
        });
      })
      .catch(() => {})
      .finally(() => (polling = false));
  }, POLL_MS);
  poll.unref();
  const noWorker = setTimeout(() => {
    if (taken || pending.size === 0) return;
    queue.getWorkersCount().then(
      (workers) => {
        if (taken || pending.size === 0 || signal?.aborted) return;
        const message =
          workers === 0
            ? `no worker has taken a job yet: no worker is connected to queue '${name}'`
            : `no worker has taken a job of this batch yet (${workers} connected to queue '${name}': busy with other jobs?)`;
        plan.onNotice?.({ type: 'no-worker', workers, message });
      },
      () => {},
    );
  }, NO_WORKER_MS);
  noWorker.unref();

  // Redis calls give way to an abort: with Redis away they would wait for its return.
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal!.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  aborted.catch(() => {});
  const orAbort = <T>(promise: Promise<T>): Promise<T> => Promise.race([promise, aborted]);

  /** Removes the waiting jobs of this batch (bounded: Redis may be away); the notice says how many. */
  const removeWaiting = async (): Promise<number> => {
    let count = 0;
    let running = 0;
    const ids = [...pending.keys()];
    const work = (async () => {
      for (let i = 0; i < ids.length; i += POLL_BATCH) {
        await Promise.all(
          ids.slice(i, i + POLL_BATCH).map(async (jobId) => {
            const state = await queue.getJobState(jobId);
            if (WAITING_STATES.has(state)) {
              // 0 when a worker took it meanwhile (locked): it runs to its end.
              if ((await queue.remove(jobId)) === 1) count++;
              else running++;
            } else if (state === 'active') running++;
          }),
        );
      }
    })();
    const late = new Promise<'late'>((r) => setTimeout(() => r('late'), CLEANUP_MS).unref());
    const finished = await Promise.race([
      work.then(
        () => 'done' as const,
        () => 'late' as const,
      ),
      late,
    ]);
    const left =
      finished === 'late'
        ? ` (Redis did not answer within ${CLEANUP_MS / 1000} s: other jobs of this batch may still be queued)`
        : '';
    plan.onNotice?.({
      type: 'removed-jobs',
      count,
      running,
      message: `removed ${count} waiting ${count === 1 ? 'job' : 'jobs'} of this batch from the queue${running > 0 ? `; ${running} already running on workers will finish` : ''}${left}`,
    });
    return count;
  };

  /** Why each unsettled file is stuck, as failed results. */
  const stuckResults = async (): Promise<Array<[string, GrayscaleFilesResult]>> => {
    const workers = await queue.getWorkersCount().catch(() => undefined);
    const seconds = Math.round(idleTimeout / 1000);
    return Promise.all(
      [...pending].map(async ([jobId, entry]) => {
        const state = await queue.getJobState(jobId).catch(() => 'unreachable');
        let why: string;
        if (state === 'active') why = `running on a worker with no progress for ${seconds} s`;
        else if (state === 'delayed') {
          const job = await queue.getJob(jobId).catch(() => undefined);
          why = `waiting to be retried after: ${decodeFailure(job?.failedReason).message}`;
        } else if (WAITING_STATES.has(state))
          why = `no worker took it in ${seconds} s (${workers ?? '?'} ${workers === 1 ? 'worker' : 'workers'} connected to queue '${name}')`;
        else if (state === 'unreachable') why = `Redis did not answer for ${seconds} s`;
        else why = `the job is ${state} in Redis`;
        const error = Object.assign(new Error(`stuck: ${why}`), { code: 'ERR_OFFLOOP_QUEUE_STALLED' });
        return [jobId, { input: entry.input, error }] as [string, GrayscaleFilesResult];
      }),
    );
  };

  // Stops the scheduler when the batch gives up (idle past idleTimeout) or the caller aborts.
  const giveUp = new AbortController();
  let givingUp = false;
  const stop = signal === undefined ? giveUp.signal : AbortSignal.any([signal, giveUp.signal]);
  const idle = setInterval(
    () => {
      if (pending.size === 0 || giveUp.signal.aborted || Date.now() - lastProgress < idleTimeout) return;
      // The rest of the inputs would wait the same way: the batch ends with why each file is stuck.
      givingUp = true;
      stuckResults()
        .then(async (stuck) => {
          await removeWaiting();
          for (const [jobId, result] of stuck) {
            pending.get(jobId)?.resolve(result);
            pending.delete(jobId);
          }
        })
        .catch(() => {})
        // Once the files' results are out: stop pulling inputs.
        .finally(() => setImmediate(() => giveUp.abort(GAVE_UP)));
    },
    Math.min(POLL_MS, idleTimeout),
  );
  idle.unref();

  /**
   * Jobs to add, gathered for one addBulk a turn of the event loop (the
   * files whose inputs were read in one turn go to Redis together).
   */
  let toAdd: Array<{ job: Pending['job']; added: (job: Job | Error) => void }> = [];
  const add = (job: Pending['job']): Promise<Job> =>
    new Promise((resolveAdd, rejectAdd) => {
      if (toAdd.length === 0) {
        setImmediate(() => {
          const gathered = toAdd;
          toAdd = [];
          queue.addBulk(gathered.map((item) => item.job)).then(
            (jobs) => {
              for (const [i, item] of gathered.entries()) item.added(jobs[i]!);
            },
            (error: Error) => {
              for (const item of gathered) item.added(error);
            },
          );
        });
      }
      toAdd.push({ job, added: (result) => (result instanceof Error ? rejectAdd(result) : resolveAdd(result)) });
    });

  /**
   * One entry through the queue: named, checked, added, then its result
   * once a worker settles it; undefined for one of this batch's own outputs,
   * and when the batch stops first.
   */
  let whenStopped: Promise<undefined> | undefined;
  let stoppedLate: Promise<undefined> | undefined;
  const submitOne = async (entry: BatchEntry, stopped: AbortSignal): Promise<GrayscaleFilesResult | undefined> => {
    if (entry.listingError !== undefined) return { input: entry.item as string, error: entry.listingError };
    // A pair names its own output (the command line's entries); a path is named under outDir.
    const item = entry.item as string | { input: string; output: string };
    const input = resolve(typeof item === 'string' ? item : item.input);
    const output = resolve(
      typeof item === 'string' ? outputUnder(plan.outDir, input, entry.relativePath, format) : item.output,
    );
    const claim = await outputs.claim(input, output, entry.relativePath !== undefined);
    if (claim.verdict === 'own') return undefined;
    if (claim.verdict === 'refuse') return { input, error: claim.error };
    const data: GrayFileData = { input, output, options: fileOptions };
    const jobId = grayFileJobId(data, await inputVersion(input));
    const job = {
      name: GRAY_FILE,
      data,
      opts: { jobId, attempts: plan.attempts, backoff: { type: 'exponential', delay: 1000 } },
    };
    // A file claimed is submitted, even when the consumer has stopped meanwhile; not after an abort.
    if (signal?.aborted || givingUp) return undefined;
    const result = new Promise<GrayscaleFilesResult>((settled) =>
      pending.set(jobId, { input, output, job, resolve: settled }),
    );
    // One listener for the whole batch (every file gets the same signal), not one per wait.
    whenStopped ??= stopped.aborted
      ? Promise.resolve(undefined)
      : new Promise((r) => stopped.addEventListener('abort', () => r(undefined), { once: true }));
    const orStop = <T>(promise: Promise<T>): Promise<T | undefined> => Promise.race([promise, whenStopped!]);
    // An add under way when the consumer stops still finishes, for a moment (its file was submitted);
    // an abort does not wait for it (Redis may be away).
    stoppedLate ??= whenStopped!.then(() =>
      signal?.aborted ? undefined : new Promise<undefined>((r) => setTimeout(() => r(undefined), CLEANUP_MS).unref()),
    );
    const added = await Promise.race([add(job), stoppedLate]);
    lastProgress = Date.now();
    if (added === undefined) return undefined;
    // A job with this id may be there already: done (its result counts while its output stands), or failed for good (run it again).
    const state = await orStop(added.getState());
    const again = { resetAttemptsMade: true, resetAttemptsStarted: true };
    if (state === 'completed') {
      // (addBulk's job objects carry no return value: read the stored job.)
      const outcome = await orStop(settledOutcome(queue, jobId));
      if (outcome?.done && !(await outputStands(output, outcome.done)))
        await orStop(added.retry('completed', again)).catch(() => {});
      else if (outcome) settle(jobId, outcome);
    } else if (state === 'failed') await orStop(added.retry('failed', again)).catch(() => {});
    return orStop(result);
  };

  let done = 0;
  let failed = 0;
  try {
    try {
      await orAbort(Promise.all([queue.waitUntilReady(), events.waitUntilReady()]));
      for await (const result of mapConcurrently(entries, submitOne, { concurrency: window, signal: stop })) {
        if (result === undefined) continue;
        if (result.error) failed++;
        else done++;
        plan.onProgress?.({ done, failed });
        yield result;
      }
    } catch (error) {
      if (error === GAVE_UP) return;
      if (signal?.aborted && pending.size > 0) await removeWaiting();
      throw error;
    }
  } finally {
    clearInterval(poll);
    clearInterval(idle);
    clearTimeout(noWorker);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
    await closeWithin(events, CLEANUP_MS);
    await closeWithin(queue, CLEANUP_MS);
  }
}
