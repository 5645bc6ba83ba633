/** grayscaleFile / grayscaleFileSync: one image file turned gray on the pool. */
import { captureCallSite, pointAtCaller } from '../errors.js';
import { reasonOf } from '../intrinsics.js';
import { runFileJob, runFileJobSync } from './job.js';
import { prepareFileCall, type FileCall } from './settings.js';
import type { GrayscaleFile, GrayscaleFileSync } from './types.js';

/**
 * Reads a JPEG or PNG file (a path, a file: URL or its bytes), turns it
 * gray and, with `options.output`, encodes and writes it atomically: every
 * stage on offloop's pool. Never throws: bad arguments reject.
 */
export const grayscaleFile = function grayscaleFile(input: unknown, options?: unknown) {
  let call: FileCall;
  try {
    call = prepareFileCall(input, options);
  } catch (error) {
    return Promise.reject(pointAtCaller(error, grayscaleFile));
  }
  const { job, control } = call;
  if (control.abortedAtCall) return Promise.reject(reasonOf(control.signal!));
  try {
    return runFileJob(job, control, captureCallSite(grayscaleFile));
  } catch (error) {
    return Promise.reject(pointAtCaller(error, grayscaleFile));
  }
} as GrayscaleFile;

/** grayscaleFile, blocking the calling thread until a pool thread is done with the file. */
export const grayscaleFileSync = function grayscaleFileSync(input: unknown, options?: unknown) {
  let call: FileCall;
  try {
    call = prepareFileCall(input, options);
  } catch (error) {
    throw pointAtCaller(error, grayscaleFileSync);
  }
  return runFileJobSync(call.job, call.control, grayscaleFileSync);
} as GrayscaleFileSync;
