/**
 * The file call as a kernel of the one runner (lib/runner.ts): one file is
 * one native pool job (read, decode, gray, (orient,) encode, write, all on a
 * pool thread), sync or async. Where files differ from the other kernels:
 * no JS path and never inline, errors that name the file, a written output
 * that stays once renamed into place, and a progress total (rows) known only
 * once the file's header is read.
 */
import { binding, nativeConstants, type NativeFileRequest, type NativeFileResult } from '../binding.js';
import type { CallSite } from '../errors.js';
import type { Control } from '../options.js';
import { runPoolJob, type Call, type Kernel, type NativeKernel } from '../runner.js';
import { fileErrorAtCallSite, fileErrorAtCaller, fileFailureError } from './errors.js';
import { fileResult, fileRows } from './result.js';
import { prepareFileCall, type FileJob } from './settings.js';
import type { GrayscaleFileResult, GrayscaleFileWritten } from './types.js';

/** A validated file call; `total` is 0 until the job reads the file's header. */
export interface FileCall extends Call {
  job: FileJob;
}

/** What binding.grayscaleFile(Sync) reads, by name. */
function nativeRequest({ input, output, encode, settings }: FileJob): NativeFileRequest {
  return {
    input: input.kind === 'path' ? input.path : input.bytes,
    output: output ?? (encode ? true : undefined),
    mode: nativeConstants.fileModes[settings.mode],
    format: nativeConstants.fileFormats[settings.format],
    quality: settings.quality ?? 0,
    compressionLevel: settings.compressionLevel,
    lossless: settings.lossless,
    autoOrient: settings.autoOrient,
    limitInputPixels: settings.limitInputPixels,
    limitInputBytes: settings.limitInputBytes,
    durable: settings.durable,
  };
}

const nativeFile: NativeKernel<FileCall, GrayscaleFileResult> = {
  binding,
  runSync: ({ job }, progress) => fileResult(job, binding.grayscaleFileSync(nativeRequest(job), progress)),
  submit: ({ job }, wantsProgress) => binding.grayscaleFile(nativeRequest(job), wantsProgress),
  result: ({ job }, value) => fileResult(job, value as NativeFileResult),
  failure: {
    atCallSite: ({ job }, failure, site) => fileErrorAtCallSite(fileFailureError(job, failure), site),
    atCaller: ({ job }, thrown, caller) => fileErrorAtCaller(fileFailureError(job, thrown), caller),
  },
  // A file renamed into place stays: an abort too late to stop it does not
  // turn the call into a failure. An output is never left half written.
  committed: ({ job }) => job.output !== undefined,
  totalOf: ({ job }, result) => fileRows(job, result),
};

/** grayscaleFile and grayscaleFileSync as the runner drives them. */
export const fileKernel: Kernel<FileCall, GrayscaleFileResult> = {
  prepare: (input, options) => {
    const { job, control } = prepareFileCall(input, options);
    return { job, control, total: 0 };
  },
  native: nativeFile,
};

/**
 * Runs a file job validated once for many files (a batch) on the pool:
 * settles as {@link fileKernel}'s async calls do, errors with the frames of
 * `site`. Throws synchronously only when the native submit does.
 */
export function runFileJob(
  job: FileJob & { output: string },
  control: Control,
  site: CallSite,
): Promise<GrayscaleFileWritten>;
export function runFileJob(job: FileJob, control: Control, site: CallSite): Promise<GrayscaleFileResult>;
export function runFileJob(job: FileJob, control: Control, site: CallSite): Promise<GrayscaleFileResult> {
  return runPoolJob(nativeFile, { job, control, total: 0 }, site);
}
