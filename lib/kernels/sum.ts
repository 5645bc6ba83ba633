/** sumOfSquares / sumOfSquaresSync: the native kernel, on the pool or inline. */
import { binding } from '../binding.js';
import { sumOverflowError, unexpectedOverflowError } from '../errors.js';
import { sumInJs } from '../js/sum.js';
import { runAsync, runSync, sizeThresholds, type Kernel } from '../runner.js';
import type { SumOfSquares, SumOfSquaresSync } from '../types.js';
import { nativeSquaresInput, type SumCall } from '../validate-squares.js';

function overflow({ plan }: SumCall): Error {
  if (plan.kind !== 'array' || plan.bigint === false) return unexpectedOverflowError();
  return sumOverflowError(plan.bigint);
}

const sum: Kernel<SumCall, number | bigint> = {
  ...sumInJs,
  native: {
    binding,
    inlineItems: () => sizeThresholds.inlineSum,
    runSync(call, progress) {
      const [input, first, count] = nativeSquaresInput(call.plan);
      const value = binding.sumOfSquaresSync(input, first, count, progress);
      if (value === null) throw overflow(call);
      return value;
    },
    submit(call, wantsProgress) {
      const [input, first, count] = nativeSquaresInput(call.plan);
      return binding.sumOfSquares(input, first, count, wantsProgress);
    },
    result: (_call, value) => value as number | bigint,
    overflow,
  },
};

/**
 * The sum of the squares of `input` (same inputs as computeSquares). The
 * result is identical whatever the pool size: the work is cut into fixed
 * blocks, each summed with compensated arithmetic and folded in order, at
 * least as accurate as pairwise summation. BigInt inputs give a bigint
 * (RangeError when the sum does not fit 64 bits).
 */
export const sumOfSquares = function sumOfSquares(input: unknown, options?: unknown) {
  return runAsync(sum, input, options, sumOfSquares);
} as SumOfSquares;

/** sumOfSquares, blocking the calling thread until the pool is done. */
export const sumOfSquaresSync = function sumOfSquaresSync(input: unknown, options?: unknown) {
  return runSync(sum, input, options, sumOfSquaresSync);
} as SumOfSquaresSync;
