/** grayscaleFile / grayscaleFileSync: one image file turned gray on the pool. */
import { runAsync, runSync } from '../runner.js';
import { fileKernel } from './job.js';
import type { GrayscaleFile, GrayscaleFileSync } from './types.js';

/**
 * Reads a JPEG or PNG file (a path, a file: URL or its bytes), turns it
 * gray and, with `options.output`, encodes and writes it atomically: every
 * stage on offloop's pool. Never throws: bad arguments reject.
 */
export const grayscaleFile = function grayscaleFile(input: unknown, options?: unknown) {
  return runAsync(fileKernel, input, options, grayscaleFile);
} as GrayscaleFile;

/** grayscaleFile, blocking the calling thread until a pool thread is done with the file. */
export const grayscaleFileSync = function grayscaleFileSync(input: unknown, options?: unknown) {
  return runSync(fileKernel, input, options, grayscaleFileSync);
} as GrayscaleFileSync;
