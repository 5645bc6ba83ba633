/**
 * grayscaleFiles: many image files through the pool, a bounded number in
 * flight, results yielded as files complete (or in input order).
 */
import { dirname } from 'node:path';

import {
  captureCallSite,
  invalidArgTypeError,
  invalidArgValueError,
  pointAtCaller,
  withCallSite,
  type CallSite,
} from '../errors.js';
import { readBoolean } from '../checks.js';
import { isAborted } from '../intrinsics.js';
import { checkConcurrency, inCallersContext, readControl, readOptions, type Control } from '../options.js';
import { failingGenerator, mapConcurrently } from '../concurrency.js';
import { getConcurrency } from '../pool.js';
import { batchEntries, outputUnder, type BatchEntry } from './batch-inputs.js';
import { BatchOutputs } from './batch-outputs.js';
import { isCompleteImage } from './complete.js';
import type {
  GrayscaleFiles,
  GrayscaleFilesOptions,
  GrayscaleFilesProgress,
  GrayscaleFilesResult,
} from './batch-types.js';
import { checkFileInput, checkFileOutput } from './input.js';
import { runFileJob } from './job.js';
import { FILE_SETTING_KEYS, readFileSettings, settingsForOutput, type FileSettings } from './settings.js';

const BATCH_OPTION_KEYS = [
  ...FILE_SETTING_KEYS,
  'outDir',
  'output',
  'inPlace',
  'recursive',
  'ordered',
  'skipExisting',
  'concurrency',
  'signal',
  'onProgress',
] as const;

interface BatchPlan {
  settings: FileSettings;
  outDir: string | undefined;
  output: ((input: string) => unknown) | undefined;
  inPlace: boolean;
  recursive: boolean;
  ordered: boolean;
  skipExisting: boolean;
  concurrency: number | undefined;
  signal: AbortSignal | undefined;
  onProgress: ((progress: GrayscaleFilesProgress) => void) | undefined;
}

/** Validates every option of grayscaleFiles once, before any input is pulled. */
function readBatchOptions(inputs: unknown, options: unknown): BatchPlan {
  const snapshot = readOptions(options, BATCH_OPTION_KEYS);
  const control = readControl({ signal: snapshot.signal, onProgress: snapshot.onProgress });
  const settings = readFileSettings(snapshot);
  const outDir = checkFileOutput(snapshot.outDir, 'options.outDir');
  const output = snapshot.output;
  if (output !== undefined && typeof output !== 'function')
    throw invalidArgTypeError('options.output', 'of type function', output);
  const inPlace = readBoolean(snapshot.inPlace, 'options.inPlace', false);
  if (inPlace && (outDir !== undefined || output !== undefined)) {
    throw invalidArgValueError(
      'options.inPlace',
      inPlace,
      `cannot be combined with options.${outDir !== undefined ? 'outDir' : 'output'} (in place, each output is its input)`,
    );
  }
  const concurrency =
    snapshot.concurrency === undefined ? undefined : checkConcurrency(snapshot.concurrency, 'options.concurrency');
  const iterable =
    typeof inputs === 'string' ||
    inputs instanceof URL ||
    (typeof inputs === 'object' && inputs !== null && (Symbol.iterator in inputs || Symbol.asyncIterator in inputs));
  if (!iterable) throw invalidArgTypeError('inputs', 'a directory path, a file: URL, or an iterable of paths', inputs);
  if (typeof inputs === 'string' || inputs instanceof URL) checkFileOutput(inputs, 'inputs');
  return {
    settings,
    outDir,
    output: inCallersContext(output as BatchPlan['output']),
    inPlace,
    recursive: readBoolean(snapshot.recursive, 'options.recursive', false),
    ordered: readBoolean(snapshot.ordered, 'options.ordered', false),
    skipExisting: readBoolean(snapshot.skipExisting, 'options.skipExisting', false),
    concurrency,
    signal: control.signal,
    onProgress: control.onProgress as BatchPlan['onProgress'],
  };
}

/**
 * What one file settled as; `aborted`: stopped by the batch's end, not a
 * result; `own`: a file this batch writes, listed: not an input, no result.
 */
type Outcome = { result: GrayscaleFilesResult; pixels: number } | { aborted: true } | { own: true };

/**
 * Names, checks and runs one entry; never rejects. The output is claimed
 * before the first await, so claims follow the order entries are pulled.
 */
async function runEntry(
  entry: BatchEntry,
  plan: BatchPlan,
  outputs: BatchOutputs,
  control: Control,
  site: CallSite,
): Promise<Outcome> {
  const { item } = entry;
  if (entry.listingError !== undefined)
    return { result: { input: item as string, error: entry.listingError }, pixels: 0 };
  const started = performance.now();
  let input: unknown = item;
  try {
    let rawOutput: unknown;
    if (typeof item === 'object' && item !== null && !(item instanceof URL)) {
      const pair = item as { input?: unknown; output?: unknown };
      input = pair.input;
      rawOutput = pair.output;
    }
    const source = checkFileInput(input, 'input');
    if (source.kind !== 'path') throw invalidArgTypeError('input', 'of type string or an instance of URL', input);
    input = source.path;
    if (rawOutput === undefined) {
      if (plan.output !== undefined) rawOutput = plan.output(source.path);
      else if (plan.outDir !== undefined)
        rawOutput = outputUnder(plan.outDir, source.path, entry.relativePath, plan.settings.format);
      else if (plan.inPlace)
        rawOutput = outputUnder(dirname(source.path), source.path, undefined, plan.settings.format);
      else
        throw invalidArgTypeError(
          'options.outDir',
          'a path (or options.output a function, or the input a pair, or options.inPlace true) to name the output',
          undefined,
        );
    }
    const output = checkFileOutput(rawOutput, 'output')!;
    // Before the claim: a file refused for its name claims nothing.
    const settings = settingsForOutput(plan.settings, output, { format: 'options.format', output: 'output' });
    const claim = await outputs.claim(source.path, output, entry.relativePath !== undefined);
    if (claim.verdict === 'own') return { own: true };
    if (claim.verdict === 'refuse') throw withCallSite(claim.error, site);
    if (plan.skipExisting && (await isCompleteImage(output)))
      return { result: { input: source.path, output, skipped: true }, pixels: 0 };
    // The output's missing folders are made by the pool thread once the
    // image is ready to be written (as for grayscaleFile): a mkdir here cost
    // the JS thread two fs round trips a file (mkdir, then stat on EEXIST).
    if (isAborted(control.signal)) return { aborted: true };
    const done = await runFileJob({ input: source, output, encode: false, settings }, control, site);
    await outputs.written(output, source.path);
    return {
      result: {
        input: source.path,
        output,
        width: done.width,
        height: done.height,
        format: done.format,
        bytesIn: done.bytesIn,
        bytesOut: done.bytes ?? 0,
        ms: performance.now() - started,
        timings: done.timings,
      },
      pixels: done.width * done.height,
    };
  } catch (error) {
    if (isAborted(control.signal)) return { aborted: true };
    return { result: { input, error: error instanceof Error ? error : new Error(String(error)) }, pixels: 0 };
  }
}

async function* runBatch(
  entries: AsyncIterable<BatchEntry>,
  outputs: BatchOutputs,
  plan: BatchPlan,
  total: number | undefined,
  site: CallSite,
): AsyncGenerator<GrayscaleFilesResult, void, undefined> {
  const progress: GrayscaleFilesProgress = {
    done: 0,
    failed: 0,
    ...(total === undefined ? {} : { total }),
    bytesIn: 0,
    pixels: 0,
  };
  // Entries pulled that will give a result: once the source ends, that is
  // the total (a directory's or an iterable's, known with the last files in flight).
  let counted = 0;
  let exhausted = false;
  let totalReported = false;
  async function* counting(): AsyncGenerator<BatchEntry> {
    for await (const entry of entries) {
      counted++;
      yield entry;
    }
    exhausted = true;
    progress.total ??= counted;
  }
  let control: Control | undefined;
  const run = (entry: BatchEntry, signal: AbortSignal) => {
    control ??= { signal, onProgress: undefined, abortedAtCall: false };
    return runEntry(entry, plan, outputs, control, site);
  };
  const limit = plan.concurrency ?? getConcurrency() + 2;
  const { ordered, signal } = plan;
  const scheduled = mapConcurrently(counting(), run, { concurrency: limit, ordered, signal });
  for await (const outcome of scheduled) {
    if ('own' in outcome) {
      // One of this batch's own outputs, listed: no result, so not in the total.
      counted--;
      if (exhausted && total === undefined) progress.total = counted;
    }
    if ('aborted' in outcome || 'own' in outcome) continue;
    const { result } = outcome;
    if (result.error !== undefined) progress.failed++;
    else progress.done++;
    if (result.error === undefined && result.skipped === undefined) {
      progress.bytesIn += result.bytesIn;
      progress.pixels += outcome.pixels;
    }
    if (progress.total !== undefined) totalReported = true;
    plan.onProgress?.({ ...progress });
    yield result;
  }
  // The source's end was seen only after the last result: one more report, with the total.
  if (progress.done + progress.failed > 0 && total === undefined && !totalReported) plan.onProgress?.({ ...progress });
}

/**
 * Turns many image files gray: `inputs` is a directory or an (async)
 * iterable of paths or `{ input, output }` pairs. Yields one result per
 * file; a failing file is a result. Bad options reject the first next().
 */
export const grayscaleFiles = function grayscaleFiles(inputs: unknown, options?: unknown) {
  let plan: BatchPlan;
  try {
    plan = readBatchOptions(inputs, options);
  } catch (error) {
    return failingGenerator<GrayscaleFilesResult>(pointAtCaller(error, grayscaleFiles));
  }
  const outputs = new BatchOutputs({ inPlace: plan.inPlace, outDir: plan.outDir });
  const total = Array.isArray(inputs) ? inputs.length : undefined;
  return runBatch(batchEntries(inputs, plan.recursive, outputs), outputs, plan, total, captureCallSite(grayscaleFiles));
} as GrayscaleFiles;

/**
 * grayscaleFiles over entries already made and checked with `outputs` (the
 * command line gathers several arguments, files and folders, into one
 * batch). Internal: offloop's own entry point for its CLI, not exported by
 * the package. Bad options throw.
 */
export function grayscaleEntries(
  entries: AsyncIterable<BatchEntry>,
  outputs: BatchOutputs,
  options: GrayscaleFilesOptions,
): AsyncGenerator<GrayscaleFilesResult, void, undefined> {
  const plan = readBatchOptions(entries, options);
  return runBatch(entries, outputs, plan, undefined, captureCallSite(grayscaleEntries));
}
