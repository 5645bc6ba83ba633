/** computeSquares / computeSquaresSync: the native kernel, on the pool or inline. */
import { OutputType, binding, nativeConstants } from '../binding.js';
import { squareOverflowError, unexpectedOverflowError } from '../errors.js';
import { squaresInJs } from '../js/squares.js';
import { runAsync, runSync, sizeThresholds, type Kernel } from '../runner.js';
import type { ComputeSquares, ComputeSquaresSync, SquaresOutput } from '../types.js';
import {
  allocateSquaresOut,
  nativeSquaresInput,
  planLength,
  prepareSquares,
  type SquaresCall,
  type SquaresPlan,
} from '../validate-squares.js';

/** A new result array, on fresh pages the pool threads first-touch when large. */
function newSquaresOut(plan: SquaresPlan): SquaresOutput {
  const length = planLength(plan);
  if (length * 8 < nativeConstants.nativeOutputBytes) return allocateSquaresOut(plan);
  const type =
    plan.kind === 'array' && plan.bigint !== false
      ? plan.bigint === 'BigInt64Array'
        ? OutputType.BigInt64
        : OutputType.BigUint64
      : OutputType.Float64;
  return (binding.allocateOutput(type, length) as SquaresOutput | undefined) ?? allocateSquaresOut(plan);
}

function overflow({ plan, out }: SquaresCall, index: number): Error {
  if (plan.kind !== 'array' || plan.bigint === false) return unexpectedOverflowError();
  // Squaring in place may already have overwritten the element.
  const value = out === plan.array ? undefined : (plan.array as BigInt64Array | BigUint64Array)[index];
  return squareOverflowError(index, value, plan.bigint);
}

const squares: Kernel<SquaresCall, SquaresOutput> = {
  ...squaresInJs,
  prepare: (input, options, copyAtOnce) => prepareSquares(input, options, copyAtOnce, newSquaresOut),
  native: {
    binding,
    inlineItems: () => sizeThresholds.inlineSquares,
    runSync(call, progress) {
      const [input, first, count] = nativeSquaresInput(call.plan);
      const index = binding.squaresSync(input, first, count, call.out, progress);
      if (index >= 0) throw overflow(call, index);
      return call.out;
    },
    submit(call, wantsProgress) {
      const [input, first, count] = nativeSquaresInput(call.plan);
      return binding.squares(input, first, count, call.out, wantsProgress);
    },
    result: (call) => call.out,
    overflow,
  },
};

/**
 * Squares every element of `input` (`number[]`, any TypedArray, or an
 * inclusive integer range `{ from, to }`) on offloop's pool.
 *
 * Resolves to a Float64Array, or for BigInt64Array/BigUint64Array inputs an
 * array of the same type (rejecting with a RangeError when a square does not
 * fit). With `options.out` the squares are written there (it may be the
 * input itself). On abort the promise rejects with `signal.reason` and
 * `out` may hold partial results.
 */
export const computeSquares = function computeSquares(input: unknown, options?: unknown) {
  return runAsync(squares, input, options, computeSquares);
} as ComputeSquares;

/** computeSquares on the calling thread's behalf: blocks it until the pool is done. */
export const computeSquaresSync = function computeSquaresSync(input: unknown, options?: unknown) {
  return runSync(squares, input, options, computeSquaresSync);
} as ComputeSquaresSync;
