/** `offloop worker --redis <url>`: this machine's pool as a worker of an offloop/queue queue. */
import type { Command } from '../command.js';
import { parseFlags, type CommandLine, type FlagTable } from '../flags.js';
import { decodeFailure, GRAY_FILE } from '../../queue/jobs.js';
import { escapeText, reasonOf } from '../text.js';
import { UsageError } from '../usage.js';

const FLAGS = {
  redis: { type: 'string', value: '<url>', help: 'the Redis server: redis://host:port (required)' },
  queue: { type: 'string', value: '<name>', help: "the queue's name (default offloop)" },
  threads: { type: 'integer', min: 1, max: 1024, value: '<n>', help: 'pool threads (default: the CPUs this process may use)' },
  concurrency: { type: 'integer', min: 1, max: 1024, value: '<n>', help: 'files in flight (default: threads + 2)' },
} as const satisfies FlagTable;

const LINE: CommandLine<typeof FLAGS> = {
  name: 'worker',
  usage: 'worker --redis <url> [options]',
  description: `Runs this machine's pool as a worker of an offloop/queue queue until
SIGINT or SIGTERM, which let the files in flight finish; a second signal
aborts them (they are retried elsewhere).`,
  flags: FLAGS,
};

export const worker: Command = {
  line: LINE,
  summary: 'run this machine\'s pool as a worker of a Redis queue (offloop/queue)',
  async run(argv, io) {
    const { values } = parseFlags(LINE, argv);
    if (values.redis === undefined || !/^rediss?:\/\//.test(values.redis)) throw new UsageError('--redis <redis://host:port> is required');
    const { threads, concurrency } = values;
    const { createWorker } = await import('../../queue/index.js');
    const { worker: bull, close } = createWorker({ connection: values.redis, ...(values.queue ? { queue: values.queue } : {}), ...(threads ? { threads } : {}), ...(concurrency ? { concurrency } : {}) });
    let completed = 0;
    let failed = 0;
    // The same lines as `offloop gray`: processed: on stdout, failed: on stderr, one line per file.
    bull.on('completed', (job) => {
      completed++;
      if (job.name === GRAY_FILE) io.stdout.write(`processed: ${escapeText(String(job.data.output))}\n`);
    });
    bull.on('failed', (job, error) => {
      failed++;
      const input = String(job?.data?.input ?? job?.id);
      // The job's failure travels as JSON ({ code, message }): the line shows its message.
      const reason = reasonOf(decodeFailure(error.message), input);
      const attempts = job?.opts.attempts ?? 1;
      const retry = job !== undefined && job.attemptsMade < attempts && error.name !== 'UnrecoverableError' ? ` (attempt ${job.attemptsMade} of ${attempts}; retried)` : '';
      io.stderr.write(`failed: ${escapeText(input)}: ${escapeText(reason)}${retry}\n`);
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
