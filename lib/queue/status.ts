/** The queue's job counts, for `offloop queue status`. */
import { connectionOptions, loadBullmq, type RedisConnection } from './bullmq.js';
import { DEFAULT_QUEUE } from './jobs.js';

export async function queueStatus(options: { connection: RedisConnection; queue?: string }): Promise<Record<string, number>> {
  const { Queue: BullQueue } = loadBullmq();
  const queue = new BullQueue(options.queue ?? DEFAULT_QUEUE, { connection: connectionOptions(options.connection) });
  queue.on('error', () => {});
  try {
    return await queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed');
  } finally {
    await queue.close();
  }
}
