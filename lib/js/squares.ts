/**
 * The squares kernel in JS: bit-for-bit what the native kernel computes
 * (`v * v` in double arithmetic; exact for BigInt arrays).
 */
import { outOfRangeError, squareOverflowError } from '../errors.js';
import { lengthOf } from '../intrinsics.js';
import type { Kernel } from '../runner.js';
import type { SquaresOutput } from '../types.js';
import {
  allocateSquaresOut,
  checkSquaresOut,
  planLength,
  prepareSquares,
  type SquaresCall,
  type SquaresPlan,
} from '../validate-squares.js';

const INT64_SQUARE_LIMIT = 3037000499n; // floor(sqrt(2^63 - 1))
const UINT64_SQUARE_LIMIT = 4294967295n; // 2^32 - 1

function squaresOfNumbers(a: ArrayLike<number>, out: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const v = a[i];
    out[i] = v * v;
  }
}

function squaresOfRange(from: number, out: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const v = from + i;
    out[i] = v * v;
  }
}

function squaresOfInt64(a: BigInt64Array, out: BigInt64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const v = a[i];
    if (v > INT64_SQUARE_LIMIT || v < -INT64_SQUARE_LIMIT) throw squareOverflowError(i, v, 'BigInt64Array');
    out[i] = v * v;
  }
}

function squaresOfUint64(a: BigUint64Array, out: BigUint64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const v = a[i];
    if (v > UINT64_SQUARE_LIMIT) throw squareOverflowError(i, v, 'BigUint64Array');
    out[i] = v * v;
  }
}

/**
 * Writes the squares of a validated input into `out` (from
 * `checkSquaresOut` or `allocateSquaresOut`): `out[i] = v * v` in double
 * arithmetic (IEEE: NaN stays NaN, overflow gives Infinity, -0 gives +0;
 * Float32 values are squared as doubles), exactly for BigInt arrays.
 *
 * @throws RangeError ERR_OUT_OF_RANGE (squareOverflowError) when a BigInt
 *   square does not fit; `out` then holds the squares of the elements before
 *   the offending one.
 */
export function squaresInto(plan: SquaresPlan, out: SquaresOutput): void {
  const n = planLength(plan);
  const outLength = lengthOf(out);
  if (outLength !== n) throw outOfRangeError('out', `have length ${n}`, `length ${outLength}`);
  if (plan.kind === 'range') {
    squaresOfRange(plan.from, out as Float64Array, n);
  } else if (plan.bigint === 'BigInt64Array') {
    squaresOfInt64(plan.array as BigInt64Array, out as BigInt64Array, n);
  } else if (plan.bigint === 'BigUint64Array') {
    squaresOfUint64(plan.array as BigUint64Array, out as BigUint64Array, n);
  } else {
    squaresOfNumbers(plan.array as Exclude<typeof plan.array, BigInt64Array | BigUint64Array>, out as Float64Array, n);
  }
}

/** `computeSquares` in JS on the calling thread: what offloop/reference runs. */
export const squaresInJs: Kernel<SquaresCall, SquaresOutput> = {
  prepare: (input, options, copyAtOnce) => prepareSquares(input, options, copyAtOnce, allocateSquaresOut),
  recheck: (call) => void checkSquaresOut(call.plan, call.out),
  js: (call) => {
    squaresInto(call.plan, call.out);
    return call.out;
  },
};
