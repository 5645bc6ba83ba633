/** `offloop queue status --redis <url>`: the queue's job counts. */
import { parseArgs } from 'node:util';

import type { Command } from '../command.js';
import { UsageError } from '../usage.js';

export const queue: Command = {
  name: 'queue',
  summary: 'the job counts of a Redis queue (offloop queue status --redis <url>)',
  async run(argv, io) {
    const { values, positionals } = parseArgs({ args: argv, options: { redis: { type: 'string' }, queue: { type: 'string' }, json: { type: 'boolean' } }, strict: true, allowPositionals: true });
    if (positionals.length !== 1 || positionals[0] !== 'status') throw new UsageError('the queue command is: offloop queue status --redis <url> [--queue name] [--json]');
    if (values.redis === undefined || !/^rediss?:\/\//.test(values.redis)) throw new UsageError('--redis <redis://host:port> is required');
    const { queueStatus } = await import('../../queue/index.js');
    const counts = await queueStatus({ connection: values.redis, ...(values.queue ? { queue: values.queue } : {}) });
    if (values.json) io.stdout.write(`${JSON.stringify(counts)}\n`);
    else io.stdout.write(`${Object.entries(counts).map(([state, n]) => `${state}: ${n}`).join('\n')}\n`);
    return 0;
  },
};
