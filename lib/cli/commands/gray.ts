/**
 * `offloop gray <files or dirs...> -o <dir>`: the folder job. A thin shell
 * over grayscaleFiles: arguments become its options, its results go to a
 * reporter, signals abort it.
 */
import { parseArgs } from 'node:util';

import { grayscaleFiles, setConcurrency } from '../../index.js';
import { preparedInputs } from '../../files/batch-inputs.js';
import type { GrayscaleFilesResult } from '../../files/batch-types.js';
import type { Command, CommandIo } from '../command.js';
import { allFiles, cliEntries, countEntries, type OutputFormat } from '../inputs.js';
import { createReporter } from '../reporters.js';
import { Tally } from '../tally.js';
import { UsageError } from '../usage.js';

const OPTIONS = {
  'out-dir': { type: 'string', short: 'o' },
  format: { type: 'string' },
  quality: { type: 'string' },
  compression: { type: 'string' },
  mode: { type: 'string' },
  'auto-orient': { type: 'boolean' },
  'limit-input-pixels': { type: 'string' },
  threads: { type: 'string' },
  concurrency: { type: 'string' },
  recursive: { type: 'boolean', short: 'r' },
  'skip-existing': { type: 'boolean' },
  ordered: { type: 'boolean' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  redis: { type: 'string' },
  queue: { type: 'string' },
} as const;

function choice<T extends string>(flag: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`--${flag} must be one of ${allowed.join(', ')}; got '${value}'`);
  return value as T;
}

function integer(flag: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const number = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(number) || number < min || number > max) throw new UsageError(`--${flag} must be an integer from ${min} to ${max}; got '${value}'`);
  return number;
}

/** Exit codes of a batch stopped by a signal: 128 + the signal's number, as shells report. */
const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143, SIGPIPE: 141 } as const;
type StopReason = keyof typeof SIGNAL_EXIT;

export const gray: Command = {
  name: 'gray',
  summary: 'turn JPEG/PNG photos gray, into an output folder',
  async run(argv, io) {
    const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: true });
    if (positionals.length === 0) throw new UsageError('give at least one file or directory');
    const outDir = values['out-dir'];
    if (outDir === undefined || outDir === '') throw new UsageError('-o <dir> (--out-dir) is required');
    const format = choice<OutputFormat>('format', values.format, ['same', 'jpeg', 'png'], 'same');
    const mode = choice('mode', values.mode, ['exact', 'luma'] as const, 'exact');
    const quality = integer('quality', values.quality, 1, 100);
    const compressionLevel = integer('compression', values.compression, 0, 9);
    const limitInputPixels = integer('limit-input-pixels', values['limit-input-pixels'], 0, Number.MAX_SAFE_INTEGER);
    const threads = integer('threads', values.threads, 1, 1024);
    const concurrency = integer('concurrency', values.concurrency, 1, 1024);
    if (values.json && values.quiet) throw new UsageError('--json and --quiet do not go together');
    const redis = values.redis;
    if (redis === undefined && values.queue !== undefined) throw new UsageError('--queue goes with --redis');
    if (redis !== undefined) {
      for (const local of ['threads', 'concurrency', 'skip-existing', 'ordered'] as const) {
        if (values[local] !== undefined) throw new UsageError(`--${local} applies to a local run, not with --redis (workers set their own threads)`);
      }
      if (!/^rediss?:\/\//.test(redis)) throw new UsageError(`--redis must be a redis:// URL; got '${redis}'`);
    }
    if (threads !== undefined) setConcurrency(threads);

    return runBatch(io, {
      positionals,
      outDir,
      format,
      recursive: values.recursive ?? false,
      kind: values.json ? 'json' : io.interactive ? 'bar' : 'lines',
      redis: redis === undefined ? undefined : { url: redis, queue: values.queue },
      quiet: values.quiet ?? false,
      options: {
        mode,
        format,
        ...(quality === undefined ? {} : { quality }),
        ...(compressionLevel === undefined ? {} : { compressionLevel }),
        ...(limitInputPixels === undefined ? {} : { limitInputPixels }),
        ...(concurrency === undefined ? {} : { concurrency }),
        autoOrient: values['auto-orient'] ?? false,
        skipExisting: values['skip-existing'] ?? false,
        ordered: values.ordered ?? false,
      },
    });
  },
};

interface BatchRun {
  positionals: string[];
  outDir: string;
  format: OutputFormat;
  recursive: boolean;
  kind: 'bar' | 'lines' | 'json';
  quiet: boolean;
  /** Submit to this Redis queue instead of running here. */
  redis: { url: string; queue: string | undefined } | undefined;
  options: Parameters<typeof grayscaleFiles>[1];
}

/** The results: from this machine's pool, or from the queue's workers (offloop/queue, loaded only then). */
async function resultsOf(run: BatchRun, signal: AbortSignal): Promise<AsyncIterable<GrayscaleFilesResult>> {
  const entries = preparedInputs(cliEntries(run.positionals, run.outDir, run.recursive, run.format));
  if (run.redis === undefined) return grayscaleFiles(entries, { ...run.options, outDir: run.outDir, signal });
  const { submitFiles } = await import('../../queue/index.js');
  const { mode, format, quality, compressionLevel, limitInputPixels, autoOrient } = run.options ?? {};
  return submitFiles(entries, {
    connection: run.redis.url,
    ...(run.redis.queue === undefined ? {} : { queue: run.redis.queue }),
    outDir: run.outDir,
    mode,
    format,
    quality,
    compressionLevel,
    limitInputPixels: limitInputPixels as number | undefined,
    autoOrient,
    signal,
  });
}

async function runBatch(io: CommandIo, run: BatchRun): Promise<number> {
  const controller = new AbortController();
  let stoppedBy: StopReason | undefined;
  const stop = (reason: StopReason) => {
    // A second signal: leave now, as the user asked twice.
    if (stoppedBy !== undefined && reason !== 'SIGPIPE') process.exit(SIGNAL_EXIT[reason]);
    stoppedBy ??= reason;
    controller.abort(new Error(`interrupted by ${reason}`));
  };
  const onSigint = () => stop('SIGINT');
  const onSigterm = () => stop('SIGTERM');
  // `offloop gray ... | head`: the reader left; stop as a SIGPIPE would, cleanly.
  const onStdoutError = (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') stop('SIGPIPE');
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  io.stdout.on('error', onStdoutError);

  const tally = new Tally();
  const reporter = createReporter(run.kind, io, run.quiet);
  const counting = new AbortController();
  try {
    if (run.kind === 'bar') {
      if (await allFiles(run.positionals)) reporter.setTotal(run.positionals.length);
      else {
        countEntries(run.positionals, run.outDir, run.recursive, counting.signal).then(
          (count) => !counting.signal.aborted && reporter.setTotal(count),
          () => {},
        );
      }
    }
    try {
      for await (const result of await resultsOf(run, controller.signal)) {
        tally.add(result);
        if (stoppedBy !== 'SIGPIPE') reporter.file(result, tally);
      }
    } catch (error) {
      if (!controller.signal.aborted) {
        reporter.end(tally);
        throw error;
      }
    }
    if (stoppedBy === 'SIGPIPE') return SIGNAL_EXIT.SIGPIPE;
    reporter.end(tally, stoppedBy);
    if (stoppedBy !== undefined) return SIGNAL_EXIT[stoppedBy];
    return tally.failed > 0 ? 1 : 0;
  } finally {
    counting.abort();
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
    io.stdout.off('error', onStdoutError);
  }
}
