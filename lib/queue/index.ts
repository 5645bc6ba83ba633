/**
 * offloop/queue: the folder job and range sums over BullMQ on Redis, each
 * machine's pool a worker. BullMQ and ioredis are optional peer
 * dependencies: npm install bullmq ioredis.
 */
export { createWorker } from './worker.js';
export type { CreateWorkerOptions, OffloopWorker } from './worker.js';
export { submitFiles } from './producer.js';
export type { QueueNotice, SubmitFilesOptions } from './producer.js';
export { queueSumOfSquares, sumOfSquares } from './sum.js';
export type { QueueSumOptions } from './sum.js';
export { queueStatus } from './status.js';
export type { QueueStatus } from './status.js';
export type { RedisConnection } from './bullmq.js';
export type { QueuedFileOptions } from './job-data.js';
export { DEFAULT_QUEUE } from './job-data.js';
