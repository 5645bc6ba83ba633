/**
 * One file as one native pool job: read, decode, gray, (orient,) encode,
 * write, all on a pool thread. The async runner is what grayscaleFile and a
 * call on many files both use: validate once, then one runFileJob per file.
 */
import { binding, nativeConstants, type NativeFileRequest, type NativeFileResult } from '../binding.js';
import type { AnyFunction, CallSite } from '../errors.js';
import { isAborted, reasonOf } from '../intrinsics.js';
import { runOnPool } from '../jobs.js';
import type { Control } from '../options.js';
import { fileErrorAtCallSite, fileErrorAtCaller, fileFailureError } from './errors.js';
import { fileResult, fileRows } from './result.js';
import type { FileJob } from './settings.js';
import type { GrayscaleFileResult } from './types.js';

/** What binding.grayscaleFile(Sync) reads, by name. */
function nativeRequest({ input, output, encode, settings }: FileJob): NativeFileRequest {
  return {
    input: input.kind === 'path' ? input.path : input.bytes,
    output: output ?? (encode ? true : undefined),
    mode: nativeConstants.fileModes[settings.mode],
    format: nativeConstants.fileFormats[settings.format],
    quality: settings.quality,
    compressionLevel: settings.compressionLevel,
    autoOrient: settings.autoOrient,
    limitInputPixels: settings.limitInputPixels,
    limitInputBytes: settings.limitInputBytes,
    durable: settings.durable,
  };
}

/**
 * Runs a validated file job on the pool. Settles once no pool thread works
 * on it any more: resolves with the result; rejects with the file's error
 * (stack from `site`), `signal.reason` when `control.signal` aborted first,
 * or what `control.onProgress` threw. An output file is never left half
 * written: an abort either stops the job before the rename (no file, the
 * call rejects) or comes too late (the file is complete, the call resolves). Throws synchronously only when the
 * native submit does (the pool could not take the job).
 */
export function runFileJob(job: FileJob, control: Control, site: CallSite): Promise<GrayscaleFileResult> {
  const request = nativeRequest(job);
  return runOnPool<GrayscaleFileResult>(binding, {
    control,
    submit: (wantsProgress) => binding.grayscaleFile(request, wantsProgress),
    result: (value) => fileResult(job, value as NativeFileResult),
    overflow: () => new RangeError('offloop: unexpected overflow'),
    failure: (failure) => fileErrorAtCallSite(fileFailureError(job, failure), site),
    // A file renamed into place stays: an abort too late to stop it does not
    // turn the call into a failure.
    committed: () => job.output !== undefined,
  });
}

/**
 * Runs a validated file job while the calling thread waits (the work still
 * runs on a pool thread), reporting progress every ~16 ms and once with
 * `(total, total)` before returning. `caller` is the public function, left
 * out of error stacks.
 */
export function runFileJobSync(job: FileJob, control: Control, caller: AnyFunction): GrayscaleFileResult {
  const { signal, onProgress } = control;
  if (control.abortedAtCall) throw reasonOf(signal!);
  // What the progress function throws (the callback's error, or the abort
  // reason) comes back out of the native call: pass it on untouched.
  let thrownByProgress: { value: unknown } | undefined;
  let lastDone = -1;
  let lastTotal = 0;
  const progress =
    onProgress === undefined
      ? undefined
      : (done: number, total: number): void => {
          try {
            if (total > 0) lastTotal = total;
            if (done > lastDone && done < total && !isAborted(signal)) {
              lastDone = done;
              onProgress(done, total);
            }
            if (isAborted(signal)) throw reasonOf(signal!);
          } catch (error) {
            thrownByProgress = { value: error };
            throw error;
          }
        };
  let value: NativeFileResult;
  try {
    value = binding.grayscaleFileSync(nativeRequest(job), progress);
  } catch (error) {
    if (thrownByProgress !== undefined && error === thrownByProgress.value) throw error;
    throw fileErrorAtCaller(fileFailureError(job, error), caller);
  }
  const result = fileResult(job, value);
  if (onProgress !== undefined) {
    const total = lastTotal > 0 ? lastTotal : fileRows(job, value);
    onProgress(total, total);
  }
  // As in runFileJob: a file written stays written, so its call succeeds.
  if (job.output === undefined && isAborted(signal)) throw reasonOf(signal!);
  return result;
}
