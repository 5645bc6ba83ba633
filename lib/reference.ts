/**
 * offloop/reference: the same API and semantics as offloop, in plain
 * JavaScript on the calling thread, loading no native code: the tests'
 * oracle, the benchmarks' pure-JS baseline, and a fallback where no binary
 * fits.
 *
 * Results are bit-for-bit identical to the native kernels (the sum of
 * squares follows the same blocked, compensated arithmetic; see
 * ./js/sum.ts). Arguments are validated by the same code and fail with the
 * same errors; cancellation and progress follow the same rules (./runner.ts).
 */
import { grayscaleInJs } from './js/grayscale.js';
import { squaresInJs } from './js/squares.js';
import { sumInJs } from './js/sum.js';
import { runAsync, runSync } from './runner.js';
import type {
  ComputeSquares,
  ComputeSquaresSync,
  Grayscale,
  GrayscaleSync,
  SumOfSquares,
  SumOfSquaresSync,
} from './types.js';

export type * from './types.js';

/** Squares every element (or every integer of a range); see offloop's computeSquares. */
export const computeSquares = function computeSquares(input: unknown, options?: unknown) {
  return runAsync(squaresInJs, input, options, computeSquares);
} as ComputeSquares;

/** Squares every element (or every integer of a range), returning the result. */
export const computeSquaresSync = function computeSquaresSync(input: unknown, options?: unknown) {
  return runSync(squaresInJs, input, options, computeSquaresSync);
} as ComputeSquaresSync;

/** The sum of the squares: a number, or a bigint for BigInt arrays. */
export const sumOfSquares = function sumOfSquares(input: unknown, options?: unknown) {
  return runAsync(sumInJs, input, options, sumOfSquares);
} as SumOfSquares;

/** The sum of the squares, returning it. */
export const sumOfSquaresSync = function sumOfSquaresSync(input: unknown, options?: unknown) {
  return runSync(sumInJs, input, options, sumOfSquaresSync);
} as SumOfSquaresSync;

/** The 8-bit gray image (width * height bytes). */
export const grayscale = function grayscale(image: unknown, options?: unknown) {
  return runAsync(grayscaleInJs, image, options, grayscale);
} as Grayscale;

/** The 8-bit gray image (width * height bytes), returning it. */
export const grayscaleSync = function grayscaleSync(image: unknown, options?: unknown) {
  return runSync(grayscaleInJs, image, options, grayscaleSync);
} as GrayscaleSync;

// The default export is this module's own namespace, as in offloop's main
// entry: `import reference from 'offloop/reference'` works from ESM and CJS.
export * as default from './reference.js';
