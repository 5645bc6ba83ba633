/** `offloop queue status --redis <address>`: the queue's job counts and workers. */
import type { Command } from '../command.js';
import { parseFlags, type CommandLine, type FlagTable } from '../flags.js';
import { redisFlag } from '../redis.js';
import { UsageError } from '../usage.js';

const FLAGS = {
  redis: {
    type: 'string',
    value: '<address>',
    help: 'the Redis server: redis://[user:password@]host[:port], rediss://... or host:port (required)',
  },
  queue: { type: 'string', value: '<name>', help: "the queue's name (default offloop)" },
  json: { type: 'boolean', help: 'one JSON object' },
} as const satisfies FlagTable;

const LINE: CommandLine<typeof FLAGS> = {
  name: 'queue',
  usage: 'queue status --redis <address> [--queue <name>] [--json]',
  description: `The job counts of an offloop/queue queue (waiting, active, delayed,
completed, failed) and the workers connected to it. Fails within seconds
(exit 1) when Redis cannot be reached.`,
  flags: FLAGS,
  positionals: { min: 0, max: 1 },
};

export const queue: Command = {
  line: LINE,
  summary: 'the job counts and workers of a Redis queue (offloop queue status --redis <address>)',
  async run(argv, io) {
    const { values, positionals } = parseFlags(LINE, argv);
    if (positionals.length !== 1 || positionals[0] !== 'status')
      throw new UsageError(
        positionals.length === 0
          ? 'which? the queue command is: offloop queue status'
          : `unknown queue command '${positionals[0]}' (the one there is: status)`,
      );
    const redis = redisFlag(values.redis);
    const { queueStatus } = await import('../../queue/index.js');
    const counts = await queueStatus({ connection: redis, ...(values.queue ? { queue: values.queue } : {}) });
    if (values.json) io.stdout.write(`${JSON.stringify(counts)}\n`);
    else
      io.stdout.write(
        `${Object.entries(counts)
          .map(([state, n]) => `${state}: ${n}`)
          .join('\n')}\n`,
      );
    return 0;
  },
};
