/** `offloop worker --redis <url>`: this machine's pool as a worker of an offloop/queue queue. */
import { parseArgs } from 'node:util';

import type { Command } from '../command.js';
import { UsageError } from '../usage.js';

export const worker: Command = {
  name: 'worker',
  summary: 'run this machine\'s pool as a worker of a Redis queue (offloop/queue)',
  async run(argv, io) {
    const { values } = parseArgs({ args: argv, options: { redis: { type: 'string' }, queue: { type: 'string' }, threads: { type: 'string' }, concurrency: { type: 'string' } }, strict: true, allowPositionals: false });
    if (values.redis === undefined || !/^rediss?:\/\//.test(values.redis)) throw new UsageError('--redis <redis://host:port> is required');
    const number = (flag: string, value: string | undefined) => {
      if (value === undefined) return undefined;
      const n = /^\d+$/.test(value) ? Number(value) : NaN;
      if (!(n >= 1 && n <= 1024)) throw new UsageError(`--${flag} must be an integer from 1 to 1024; got '${value}'`);
      return n;
    };
    const threads = number('threads', values.threads);
    const concurrency = number('concurrency', values.concurrency);
    const { createWorker } = await import('../../queue/index.js');
    const { worker: bull, close } = createWorker({ connection: values.redis, ...(values.queue ? { queue: values.queue } : {}), ...(threads ? { threads } : {}), ...(concurrency ? { concurrency } : {}) });
    let completed = 0;
    let failed = 0;
    bull.on('completed', () => completed++);
    bull.on('failed', (job, error) => {
      failed++;
      io.stderr.write(`failed: ${String(job?.data?.input ?? job?.id)}: ${error.message}\n`);
    });
    await bull.waitUntilReady();
    io.stderr.write(`offloop worker: waiting for jobs on queue '${values.queue ?? 'offloop'}' at ${values.redis}\n`);
    const signal = await new Promise<NodeJS.Signals>((resolve) => {
      process.once('SIGINT', () => resolve('SIGINT'));
      process.once('SIGTERM', () => resolve('SIGTERM'));
    });
    // Finish the files in flight (a second signal aborts them: they go back to the queue).
    const abort = () => void close({ abort: true });
    process.once('SIGINT', abort);
    process.once('SIGTERM', abort);
    await close();
    io.stderr.write(`offloop worker: stopped by ${signal} after ${completed} jobs done, ${failed} failed\n`);
    return 0;
  },
};
