/**
 * `offloop/queue`: the folder job and range sums spread over many machines
 * through BullMQ on Redis (optional peer dependencies: npm install bullmq
 * ioredis). See lib/queue/.
 */
export * from './queue/index.js';

// The default export is this module's own namespace, as in offloop's main entry.
export * as default from './queue.js';
