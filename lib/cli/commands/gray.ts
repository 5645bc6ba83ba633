/**
 * `offloop gray <files or dirs...> -o <dir>` (or `--in-place`): the folder job. A thin shell
 * over grayscaleFiles: arguments become its options, its results go to a
 * reporter, signals abort it.
 */
import type { GrayscaleFilesOptions, GrayscaleFilesResult } from '../../files/batch-types.js';
import type { Command, CommandIo } from '../command.js';
import { allFiles, cliEntries, cliOutputs, countEntries, type CliTarget, type OutputFormat } from '../inputs.js';
import { createReporter, type Reporter } from '../reporters.js';
import { Tally } from '../tally.js';
import { parseFlags, type CommandLine, type FlagTable } from '../flags.js';
import { redisFlag, redisShown } from '../redis.js';
import { UsageError } from '../usage.js';

const FLAGS = {
  'out-dir': { type: 'string', short: 'o', value: '<dir>', help: 'where outputs go (required, unless --in-place)' },
  'in-place': { type: 'boolean', help: 'write each output over its input (a new format: beside it, the input kept)' },
  format: {
    type: 'choice',
    choices: ['same', 'jpeg', 'png', 'webp'],
    help: "output format (default same: the input's; PNG for TIFF, GIF and BMP)",
  },
  quality: {
    type: 'integer',
    min: 1,
    max: 100,
    help: "JPEG or WebP quality (default 75 for JPEG, 80 for WebP: Pillow's)",
  },
  lossless: { type: 'boolean', help: 'WebP: lossless (default lossy, as Pillow)' },
  compression: { type: 'integer', min: 0, max: 9, help: "PNG compression level (default 6, Pillow's)" },
  mode: {
    type: 'choice',
    choices: ['exact', 'luma', 'luma-lossless'],
    help: "exact: Pillow's pixels; luma: a JPEG's Y plane, faster; luma-lossless: JPEG to JPEG keeping the input's own luma (no re-encode, no quality loss), else as luma",
  },
  'auto-orient': { type: 'boolean', help: 'apply the EXIF orientation' },
  'limit-input-pixels': {
    type: 'integer',
    min: 0,
    max: Number.MAX_SAFE_INTEGER,
    value: '<n>',
    help: 'refuse larger images (0: no limit)',
  },
  'limit-input-bytes': {
    type: 'integer',
    min: 0,
    max: Number.MAX_SAFE_INTEGER,
    value: '<n>',
    help: 'refuse larger files (default 1073741824, 1 GiB; 0: no limit)',
  },
  fsync: { type: 'boolean', help: 'fsync each output and its folder, so it survives a power loss' },
  threads: {
    type: 'integer',
    min: 1,
    max: 1024,
    value: '<n>',
    help: 'pool threads (default: the CPUs this process may use)',
  },
  concurrency: { type: 'integer', min: 1, max: 1024, value: '<n>', help: 'files in flight (default: threads + 2)' },
  recursive: { type: 'boolean', short: 'r', help: 'include subfolders of directories' },
  'skip-existing': { type: 'boolean', help: 'skip inputs whose output exists whole (resume a batch)' },
  ordered: { type: 'boolean', help: 'report in input order (default: as files complete)' },
  json: { type: 'boolean', help: 'one JSON object per file, then a summary object' },
  quiet: { type: 'boolean', short: 'q', help: 'print only failures and the summary' },
  redis: {
    type: 'string',
    value: '<address>',
    section: 'on a Redis queue (offloop/queue; paths must be on storage every worker sees)',
    help: "submit to the queue's workers instead of running here",
  },
  queue: { type: 'string', value: '<name>', help: "the queue's name (default offloop)" },
} as const satisfies FlagTable;

const LINE: CommandLine<typeof FLAGS> = {
  name: 'gray',
  usage: 'gray <files or dirs...> -o <dir> [options]',
  description: `Turns photos gray (Pillow's convert('L'), bit for bit) and writes
them under <dir>. JPEG, PNG, WebP, TIFF, GIF and BMP are read, each known by
its content. A directory's files keep their path relative to it,
a file given by name keeps its base name. An output is never an input (nor
two inputs' output the same file): such a file fails, the rest goes on.

On a terminal a progress bar; otherwise one line per file (processed: on
stdout, failed: on stderr); --json: JSON lines on stdout.`,
  flags: FLAGS,
  positionals: { min: 0, max: Infinity },
};

/** Exit codes of a batch stopped by a signal: 128 + the signal's number, as shells report. */
const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143, SIGPIPE: 141 } as const;
type StopReason = keyof typeof SIGNAL_EXIT;

export const gray: Command = {
  line: LINE,
  summary: 'turn photos (JPEG, PNG, WebP, TIFF, GIF, BMP) gray, into an output folder',
  async run(argv, io) {
    const { values, positionals } = parseFlags(LINE, argv);
    if (positionals.length === 0) throw new UsageError('give at least one file or directory');
    const outDir = values['out-dir'];
    const inPlace = values['in-place'] ?? false;
    if (inPlace && outDir !== undefined)
      throw new UsageError('--in-place writes each output over its input: it does not go with -o');
    if (!inPlace && (outDir === undefined || outDir === ''))
      throw new UsageError('-o <dir> (--out-dir) is required (or --in-place to write over the inputs)');
    const format: OutputFormat = values.format ?? 'same';
    const mode = values.mode ?? 'exact';
    const { quality, compression: compressionLevel, threads, concurrency } = values;
    const limitInputPixels = values['limit-input-pixels'];
    const limitInputBytes = values['limit-input-bytes'];
    if (values.json && values.quiet) throw new UsageError('--json and --quiet do not go together');
    const redis = values.redis;
    if (redis === undefined && values.queue !== undefined) throw new UsageError('--queue goes with --redis');
    if (redis !== undefined) {
      for (const local of ['threads', 'concurrency', 'skip-existing', 'ordered'] as const) {
        if (values[local] !== undefined)
          throw new UsageError(`--${local} applies to a local run, not with --redis (workers set their own threads)`);
      }
      if (inPlace) throw new UsageError('--in-place applies to a local run, not with --redis');
      redisFlag(redis);
    }
    // The library is loaded here, not at the top: --help and usage errors need no native binary.
    if (threads !== undefined) (await import('../../index.js')).setConcurrency(threads);

    return runBatch(io, {
      positionals,
      target: { outDir: inPlace ? undefined : outDir, recursive: values.recursive ?? false, format },
      kind: values.json ? 'json' : io.interactive ? 'bar' : 'lines',
      redis: redis === undefined ? undefined : { url: redis, queue: values.queue },
      quiet: values.quiet ?? false,
      options: {
        mode,
        format,
        ...(quality === undefined ? {} : { quality }),
        ...(compressionLevel === undefined ? {} : { compressionLevel }),
        ...(values.lossless === undefined ? {} : { lossless: values.lossless }),
        ...(limitInputPixels === undefined ? {} : { limitInputPixels }),
        ...(limitInputBytes === undefined ? {} : { limitInputBytes }),
        ...(values.fsync ? { durable: true } : {}),
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
  /** Where outputs go (no output folder: in place). */
  target: CliTarget;
  kind: 'bar' | 'lines' | 'json';
  quiet: boolean;
  /** Submit to this Redis queue instead of running here. */
  redis: { url: string; queue: string | undefined } | undefined;
  options: GrayscaleFilesOptions;
}

/** The results: from this machine's pool, or from the queue's workers (offloop/queue, loaded only then). */
async function resultsOf(
  run: BatchRun,
  reporter: Reporter,
  signal: AbortSignal,
): Promise<AsyncIterable<GrayscaleFilesResult>> {
  const { target } = run;
  const outputs = cliOutputs(target);
  const onEmpty = (dir: string) =>
    reporter.warning(`${dir}: no JPEG or PNG file${target.recursive ? '' : ' (-r includes subfolders)'}`);
  const entries = cliEntries(run.positionals, target, outputs, onEmpty);
  if (run.redis === undefined) {
    const { grayscaleEntries } = await import('../../files/batch.js');
    const where = target.outDir === undefined ? { inPlace: true } : { outDir: target.outDir };
    return grayscaleEntries(entries, outputs, { ...run.options, ...where, signal });
  }
  const { submitEntries } = await import('../../queue/producer.js');
  const { queuedSettings } = await import('../../queue/job-data.js');
  return submitEntries(entries, outputs, {
    connection: run.redis.url,
    ...(run.redis.queue === undefined ? {} : { queue: run.redis.queue }),
    outDir: target.outDir!,
    ...queuedSettings(run.options),
    signal,
    // No worker yet, jobs Redis lost, jobs removed on Ctrl-C: said apart from the files' lines.
    onNotice: (notice) => {
      const hint =
        notice.type === 'no-worker' && notice.workers === 0
          ? `; start one with \`offloop worker --redis ${redisShown(run.redis!.url)} --root <dir>\``
          : '';
      reporter.warning(`${notice.message}${hint}`);
    },
  });
}

/** After an interrupted run: how to do the rest without redoing what is done. */
function resumeHint(run: BatchRun): string {
  // The queue's job ids already skip finished files; --skip-existing is for local runs.
  if (run.redis !== undefined) return 'the same command again does the rest (files done are not redone)';
  return 'the same command with --skip-existing does the rest (outputs are complete or absent)';
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
        countEntries(run.positionals, run.target, counting.signal).then(
          (count) => !counting.signal.aborted && reporter.setTotal(count),
          () => {},
        );
      }
    }
    try {
      for await (const result of await resultsOf(run, reporter, controller.signal)) {
        tally.add(result);
        if (stoppedBy !== 'SIGPIPE') reporter.file(result, tally);
      }
    } catch (error) {
      if (!controller.signal.aborted) {
        // The summary of what completed, if anything did; main.ts then says why the batch stopped.
        if (tally.files > 0) reporter.end(tally);
        else reporter.abandon();
        throw error;
      }
    }
    if (stoppedBy === 'SIGPIPE') return SIGNAL_EXIT.SIGPIPE;
    reporter.end(tally, stoppedBy);
    if (stoppedBy !== undefined) {
      if (run.kind !== 'json') reporter.warning(resumeHint(run));
      return SIGNAL_EXIT[stoppedBy];
    }
    return tally.failed > 0 ? 1 : 0;
  } finally {
    counting.abort();
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
    io.stdout.off('error', onStdoutError);
  }
}
