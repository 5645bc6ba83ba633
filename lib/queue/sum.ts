/**
 * sumOfSquares over the queue: a range cut into parts on the fixed
 * 16,384-integer blocks, each part's blocks computed by any worker, folded
 * here in index order: the bits of the local sumOfSquares({ from, to }),
 * whatever the number of workers or the order parts finish in.
 */
import { foldSumBlocks, MAX_BLOCKS_PART, SUM_BLOCK } from '../kernels/sum-blocks.js';
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
import { decodeFailure, decodeFloat64, SUM_PART, sumPartJobId } from './job-data.js';

export interface QueueSumOptions {
  connection: RedisConnection;
  queue?: string;
  /** Integers per part, a multiple of 16,384 (default 2^24). */
  partSize?: number;
  /** How long to wait for Redis at the start before failing with ERR_OFFLOOP_REDIS_UNREACHABLE (ms, default 5000). */
  connectTimeout?: number;
}

/**
 * The sum of the squares of the integers `from` to `to` (inclusive), its
 * parts computed by the queue's workers: the bits of the local
 * `sumOfSquares({ from, to })`. A range only, and `options.connection`
 * required: hence its own name (the main entry's `sumOfSquares` takes
 * arrays too).
 */
export async function queueSumOfSquares(
  range: { from: number; to: number },
  options: QueueSumOptions,
): Promise<number> {
  const { from, to } = range;
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || to < from) {
    throw Object.assign(new RangeError('The range must be safe integers with from <= to'), {
      code: 'ERR_OUT_OF_RANGE',
    });
  }
  const partSize = options.partSize ?? 2 ** 24;
  if (!Number.isSafeInteger(partSize) || partSize <= 0 || partSize % SUM_BLOCK !== 0 || partSize > MAX_BLOCKS_PART) {
    throw Object.assign(
      new RangeError(`"partSize" must be a positive multiple of ${SUM_BLOCK}, at most ${MAX_BLOCKS_PART}`),
      { code: 'ERR_OUT_OF_RANGE' },
    );
  }
  const { Queue: BullQueue, QueueEvents: BullQueueEvents } = loadBullmq();
  const connection = connectionOptions(options.connection);
  const name = readQueueName(options.queue);
  // A bounded first connection: BullMQ's clients wait for Redis without end.
  await reachRedis(connection, readTimeout(options.connectTimeout, 'options.connectTimeout', DEFAULT_CONNECT_TIMEOUT));
  const queue = new BullQueue(name, { connection });
  const events = new BullQueueEvents(name, { connection });
  queue.on('error', () => {});
  events.on('error', () => {});
  try {
    await events.waitUntilReady();
    const parts = [];
    for (let start = from; start <= to; start += partSize)
      parts.push({ from: start, to: Math.min(to, start + partSize - 1) });
    const jobs = await queue.addBulk(
      parts.map((part) => ({
        name: SUM_PART,
        data: part,
        opts: { jobId: sumPartJobId(part), attempts: 5, backoff: { type: 'exponential', delay: 500 } },
      })),
    );
    // Woken by the queue's events, and polling each second besides: an
    // event can be missed (published before the events reader's first read,
    // or while Redis was away), a job's state cannot.
    const wakers = new Map<string, () => void>();
    const wake = ({ jobId }: { jobId: string }) => wakers.get(jobId)?.();
    events.on('completed', wake);
    events.on('failed', wake);
    const blocksOf = async (jobId: string): Promise<Float64Array> => {
      for (;;) {
        const state = await queue.getJobState(jobId);
        if (state === 'completed' || state === 'failed') {
          const job = await queue.getJob(jobId);
          if (job !== undefined && state === 'failed') throw decodeFailure(job.failedReason);
          if (job !== undefined && typeof job.returnvalue === 'string') return decodeFloat64(job.returnvalue);
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 1000);
          wakers.set(jobId, () => {
            clearTimeout(timer);
            resolve();
          });
        });
        wakers.delete(jobId);
      }
    };
    const blocks = await Promise.all(jobs.map((job) => blocksOf(job.id!)));
    return foldSumBlocks(blocks);
  } finally {
    await closeWithin(events, 3000);
    await closeWithin(queue, 3000);
  }
}

/**
 * The name queueSumOfSquares had, kept for existing callers.
 *
 * @deprecated Use `queueSumOfSquares`: the main entry's `sumOfSquares` takes
 * other arguments (arrays, options without a connection).
 */
export const sumOfSquares = queueSumOfSquares;
