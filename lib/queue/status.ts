/** The queue's job counts and connected workers, for `offloop queue status`. */
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

export interface QueueStatus {
  waiting: number;
  active: number;
  delayed: number;
  completed: number;
  failed: number;
  /** Workers connected to the queue now (BullMQ's getWorkersCount). */
  workers: number;
}

/**
 * Fails with ERR_OFFLOOP_REDIS_UNREACHABLE when Redis does not answer
 * within `connectTimeout` (ms, default 5000) or refuses the password.
 */
export async function queueStatus(options: {
  connection: RedisConnection;
  queue?: string;
  connectTimeout?: number;
}): Promise<QueueStatus> {
  const { Queue: BullQueue } = loadBullmq();
  const connection = connectionOptions(options.connection);
  const name = readQueueName(options.queue);
  await reachRedis(connection, readTimeout(options.connectTimeout, 'options.connectTimeout', DEFAULT_CONNECT_TIMEOUT));
  const queue = new BullQueue(name, { connection });
  queue.on('error', () => {});
  try {
    const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed');
    return {
      waiting: 0,
      active: 0,
      delayed: 0,
      completed: 0,
      failed: 0,
      ...counts,
      workers: await queue.getWorkersCount(),
    };
  } finally {
    await closeWithin(queue, 3000);
  }
}
