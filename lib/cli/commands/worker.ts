/** `offloop worker --redis <address> --root <dir>`: this machine's pool as a worker of an offloop/queue queue. */
import type { Command } from '../command.js';
import { parseFlags, type CommandLine, type FlagTable } from '../flags.js';
import { decodeFailure, GRAY_FILE } from '../../queue/job-data.js';
import { escapeText, reasonOf } from '../text.js';
import { redisFlag, redisShown } from '../redis.js';
import { UsageError } from '../usage.js';

// A connection error repeats with each of ioredis's retries: one line, then at most one a minute.
const ERROR_EVERY_MS = 60_000;

const FLAGS = {
  redis: {
    type: 'string',
    value: '<address>',
    help: 'the Redis server: redis://[user:password@]host[:port], rediss://... or host:port (required)',
  },
  root: {
    type: 'string',
    value: '<dir>',
    multiple: true,
    help: 'a folder jobs may read and write (required, repeatable): a job naming a path elsewhere fails',
  },
  queue: { type: 'string', value: '<name>', help: "the queue's name (default offloop)" },
  threads: {
    type: 'integer',
    min: 1,
    max: 1024,
    value: '<n>',
    help: 'pool threads (default: the CPUs this process may use)',
  },
  concurrency: { type: 'integer', min: 1, max: 1024, value: '<n>', help: 'files in flight (default: threads + 2)' },
  'limit-input-pixels': {
    type: 'integer',
    min: 0,
    max: Number.MAX_SAFE_INTEGER,
    value: '<n>',
    help: "refuse larger images, whatever a job asks (default 268402689, as gray's; 0: the jobs' own limits only)",
  },
  'limit-input-bytes': {
    type: 'integer',
    min: 0,
    max: Number.MAX_SAFE_INTEGER,
    value: '<n>',
    help: "refuse larger files, whatever a job asks (default 1073741824, 1 GiB; 0: the jobs' own limits only)",
  },
  fsync: { type: 'boolean', help: 'fsync every output and its folder, whatever a job asks' },
  json: { type: 'boolean', help: 'a JSON object per file on stdout (a failure with its code) instead of the lines' },
} as const satisfies FlagTable;

const LINE: CommandLine<typeof FLAGS> = {
  name: 'worker',
  usage: 'worker --redis <address> --root <dir> [options]',
  description: `Runs this machine's pool as a worker of an offloop/queue queue until
SIGINT or SIGTERM, which let the files in flight finish; a second signal
aborts them (they go back to the queue). Jobs read and write only under the
--root folders, symlinks followed. A job's size limits and fsync come with
it (offloop gray --redis --limit-input-bytes, --fsync); the worker's own
--limit-input-* bound them. While Redis cannot be reached the worker says so
(at most once a minute) and keeps trying.`,
  flags: FLAGS,
};

export const worker: Command = {
  line: LINE,
  summary: "run this machine's pool as a worker of a Redis queue (offloop/queue)",
  async run(argv, io) {
    const { values } = parseFlags(LINE, argv);
    const redis = redisFlag(values.redis);
    const roots = values.root ?? [];
    if (roots.length === 0) {
      throw new UsageError(
        '--root <dir> is required (repeatable): the folders this worker may read and write; anyone who can write to Redis can add jobs, and a job naming a path elsewhere fails',
      );
    }
    const { threads, concurrency } = values;
    const limitInputPixels = values['limit-input-pixels'];
    const limitInputBytes = values['limit-input-bytes'];
    const { createWorker } = await import('../../queue/index.js');
    let created: Awaited<ReturnType<typeof createWorker>>;
    try {
      created = createWorker({
        connection: redis,
        roots,
        ...(values.queue ? { queue: values.queue } : {}),
        ...(threads ? { threads } : {}),
        ...(concurrency ? { concurrency } : {}),
        ...(limitInputPixels === undefined ? {} : { limitInputPixels }),
        ...(limitInputBytes === undefined ? {} : { limitInputBytes }),
        ...(values.fsync ? { durable: true } : {}),
      });
    } catch (error) {
      // A root that is not there, or not a folder: said as such, no stack.
      const { code, message } = error as { code?: string; message: string };
      if (code !== 'ENOENT' && code !== 'ENOTDIR' && code !== 'EACCES' && code !== 'ERR_INVALID_ARG_VALUE') throw error;
      io.stderr.write(`offloop worker: --root: ${message}\n`);
      return 1;
    }
    const { worker: bull, close } = created;
    // A signal before Redis answers ends the wait too.
    let stoppedBy: NodeJS.Signals | undefined;
    const stopped = new Promise<NodeJS.Signals>((resolve) => {
      const stop = (signal: NodeJS.Signals) => {
        stoppedBy ??= signal;
        resolve(stoppedBy);
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    });
    let completed = 0;
    let failed = 0;
    // The same lines as `offloop gray`: processed: on stdout, failed: on stderr, one line per file.
    bull.on('completed', (job) => {
      completed++;
      if (job.name !== GRAY_FILE) return;
      if (values.json)
        io.stdout.write(
          `${JSON.stringify({ type: 'file', status: 'processed', input: job.data.input, output: job.data.output })}\n`,
        );
      else io.stdout.write(`processed: ${escapeText(String(job.data.output))}\n`);
    });
    bull.on('failed', (job, error) => {
      const input = String(job?.data?.input ?? job?.id);
      // The job's failure travels as JSON ({ code, message }): the line shows its message.
      const decoded = decodeFailure(error.message);
      const reason = reasonOf(decoded, input);
      const attempts = job?.opts.attempts ?? 1;
      const retried = job !== undefined && job.attemptsMade < attempts && error.name !== 'UnrecoverableError';
      if (!retried) failed++;
      if (values.json) {
        const line = {
          type: 'file',
          status: retried ? 'retried' : 'failed',
          input,
          error: { code: decoded.code ?? null, message: reason },
          ...(retried ? { attempt: job!.attemptsMade, attempts } : {}),
        };
        io.stdout.write(`${JSON.stringify(line)}\n`);
      } else
        io.stderr.write(
          `failed: ${escapeText(input)}: ${escapeText(reason)}${retried ? ` (attempt ${job!.attemptsMade} of ${attempts}; retried)` : ''}\n`,
        );
    });
    // ioredis retries a lost connection without end; each try is an 'error' here: one line, then at most one a minute.
    let lastErrorAt = 0;
    let quiet = 0;
    bull.on('error', (error) => {
      const now = Date.now();
      if (now - lastErrorAt < ERROR_EVERY_MS) {
        quiet++;
        return;
      }
      io.stderr.write(
        `offloop worker: Redis at ${redisShown(redis)}: ${escapeText(error.message)}${quiet > 0 ? ` (${quiet} more errors since the last line)` : ''}; retrying\n`,
      );
      lastErrorAt = now;
      quiet = 0;
    });
    if ((await Promise.race([bull.waitUntilReady().then(() => 'ready' as const), stopped])) === 'ready') {
      io.stderr.write(
        `offloop worker: waiting for jobs on queue '${values.queue ?? 'offloop'}' at ${redisShown(redis)}; reading and writing only under ${roots.map((text) => escapeText(text)).join(', ')}\n`,
      );
    }
    const signal = await stopped;
    // Finish the files in flight (a second signal aborts them: they go back to the queue).
    const abort = () => void close({ abort: true });
    process.once('SIGINT', abort);
    process.once('SIGTERM', abort);
    await close();
    io.stderr.write(`offloop worker: stopped by ${signal} after ${completed} jobs done, ${failed} failed\n`);
    return 0;
  },
};
