/**
 * A range's sum of squares in parts that can be computed anywhere (other
 * threads, processes or machines) and folded to the very bits of
 * `sumOfSquares({ from, to })`: each part yields its blocks' (hi, lo)
 * pairs, and {@link foldSumBlocks} folds every block in index order, as the
 * local call does. Internal: offloop/queue builds on it.
 */
import { binding } from '../binding.js';
import {
  captureCallSite,
  invalidArgTypeError,
  nativeFailureError,
  outOfRangeError,
  unexpectedOverflowError,
  withCallSite,
} from '../errors.js';
import { SUM_BLOCK } from '../js/sum.js';
import { runOnPool } from '../job-table.js';
import { prepareSum } from '../validate-squares.js';

export { foldSumBlocks, foldSumBlocksParts, SUM_BLOCK } from '../js/sum.js';

/** The most integers one part may have: 2^22 blocks, 64 MiB of pairs. */
export const MAX_BLOCKS_PART = SUM_BLOCK * 2 ** 22;

/**
 * The (hi, lo) pair of every 16,384-integer block of the range, counted
 * from `from`, two numbers a block, on the pool. A part of a larger range
 * must start on one of the whole range's block boundaries.
 */
export function sumOfSquaresBlocks(range: unknown, options?: unknown): Promise<Float64Array> {
  const site = captureCallSite(sumOfSquaresBlocks);
  try {
    const { plan, control } = prepareSum(range, options, 0);
    if (plan.kind !== 'range') {
      throw invalidArgTypeError('range', 'a { from, to } range', range);
    }
    if (plan.count > MAX_BLOCKS_PART) {
      throw outOfRangeError('range', `span at most ${MAX_BLOCKS_PART} integers`, `${plan.count} integers`);
    }
    return runOnPool(binding, {
      control,
      submit: (wantsProgress) => binding.sumOfSquaresBlocks(plan.from, plan.count, wantsProgress),
      result: (value) => value as Float64Array,
      overflow: unexpectedOverflowError,
      failure: (value) => nativeFailureError(value),
    });
  } catch (error) {
    return Promise.reject(withCallSite(error, site));
  }
}
