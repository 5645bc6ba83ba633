/** `offloop queue status --redis <url>`: the queue's job counts. */
import type { Command } from '../command.js';
import { parseFlags, type CommandLine, type FlagTable } from '../flags.js';
import { UsageError } from '../usage.js';

const FLAGS = {
  redis: { type: 'string', value: '<url>', help: 'the Redis server: redis://host:port (required)' },
  queue: { type: 'string', value: '<name>', help: "the queue's name (default offloop)" },
  json: { type: 'boolean', help: 'one JSON object' },
} as const satisfies FlagTable;

const LINE: CommandLine<typeof FLAGS> = {
  name: 'queue',
  usage: 'queue status --redis <url> [--queue <name>] [--json]',
  description: `The job counts of an offloop/queue queue: waiting, active, delayed,
completed and failed.`,
  flags: FLAGS,
  positionals: { min: 0, max: 1 },
};

export const queue: Command = {
  line: LINE,
  summary: 'the job counts of a Redis queue (offloop queue status --redis <url>)',
  async run(argv, io) {
    const { values, positionals } = parseFlags(LINE, argv);
    if (positionals.length !== 1 || positionals[0] !== 'status') throw new UsageError(positionals.length === 0 ? 'which? the queue command is: offloop queue status' : `unknown queue command '${positionals[0]}' (the one there is: status)`);
    if (values.redis === undefined || !/^rediss?:\/\//.test(values.redis)) throw new UsageError('--redis <redis://host:port> is required');
    const { queueStatus } = await import('../../queue/index.js');
    const counts = await queueStatus({ connection: values.redis, ...(values.queue ? { queue: values.queue } : {}) });
    if (values.json) io.stdout.write(`${JSON.stringify(counts)}\n`);
    else io.stdout.write(`${Object.entries(counts).map(([state, n]) => `${state}: ${n}`).join('\n')}\n`);
    return 0;
  },
};
