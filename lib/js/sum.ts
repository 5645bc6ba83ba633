/**
 * The floating-point sum of squares, in exactly the arithmetic of the native
 * kernels (native/kernels/squares.h), so that results agree to the bit.
 *
 * The input is cut into blocks of {@link SUM_BLOCK} elements (block k holds
 * elements [k * SUM_BLOCK, min(n, (k + 1) * SUM_BLOCK))), whatever the thread
 * count. Within a block, element j goes to lane j % 8, each lane a
 * Kahan-compensated sum:
 *
 *     x = v * v; y = x - c[l]; t = s[l] + y; c[l] = (t - s[l]) - y; s[l] = t
 *
 * The lanes are folded in lane order into a (hi, lo) pair:
 *
 *     (hi, e) = TwoSum(hi, s[l]); lo = lo + (e - c[l])
 *
 * and a block whose hi + lo is not finite becomes (NaN, 0) if any of its
 * elements is NaN, otherwise (+Infinity, 0). Blocks are folded in index order:
 *
 *     if total.hi or block.hi is not finite: total.hi += block.hi; total.lo = 0
 *     else (hi, e) = TwoSum(total.hi, block.hi); total.lo += e + block.lo; total.hi = hi
 *
 * and the result is total.hi + total.lo (or total.hi when that is not finite).
 * TwoSum(a, b): s = a + b; bb = s - a; e = (a - (s - bb)) + (b - bb).
 *
 * The lane loops are unrolled by hand into locals; the arithmetic order per
 * lane is exactly the one above. Do not "simplify" any expression here: every
 * operation is rounded and the C++ must match it.
 *
 * The unrolled lanes below are laid out as a table, one lane a line, so that
 * each line can be read against the native kernel's: biome.json leaves this
 * file's layout alone (its lint still runs).
 */
import { sumOverflowError } from '../errors.js';
import type { Kernel } from '../runner.js';
import { prepareSum, type SquaresPlan, type SumCall } from '../validate-squares.js';

/** Elements per block of the sum of squares (kSumBlock in the C++). */
export const SUM_BLOCK = 16384;

// Outputs of the block functions (module state instead of an object per block).
let blockHi = 0;
let blockLo = 0;

function foldLanes(
  s0: number,
  s1: number,
  s2: number,
  s3: number,
  s4: number,
  s5: number,
  s6: number,
  s7: number,
  c0: number,
  c1: number,
  c2: number,
  c3: number,
  c4: number,
  c5: number,
  c6: number,
  c7: number,
): void {
  let hi = 0;
  let lo = 0;
  let s: number;
  let bb: number;
  let e: number;
  s = hi + s0; bb = s - hi; e = (hi - (s - bb)) + (s0 - bb); lo = lo + (e - c0); hi = s;
  s = hi + s1; bb = s - hi; e = (hi - (s - bb)) + (s1 - bb); lo = lo + (e - c1); hi = s;
  s = hi + s2; bb = s - hi; e = (hi - (s - bb)) + (s2 - bb); lo = lo + (e - c2); hi = s;
  s = hi + s3; bb = s - hi; e = (hi - (s - bb)) + (s3 - bb); lo = lo + (e - c3); hi = s;
  s = hi + s4; bb = s - hi; e = (hi - (s - bb)) + (s4 - bb); lo = lo + (e - c4); hi = s;
  s = hi + s5; bb = s - hi; e = (hi - (s - bb)) + (s5 - bb); lo = lo + (e - c5); hi = s;
  s = hi + s6; bb = s - hi; e = (hi - (s - bb)) + (s6 - bb); lo = lo + (e - c6); hi = s;
  s = hi + s7; bb = s - hi; e = (hi - (s - bb)) + (s7 - bb); lo = lo + (e - c7); hi = s;
  blockHi = hi;
  blockLo = lo;
}

/** One block of squares of a[start..end) (end - start <= SUM_BLOCK); sets blockHi/blockLo. */
function arrayBlock(a: ArrayLike<number>, start: number, end: number): void {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
  let c0 = 0, c1 = 0, c2 = 0, c3 = 0, c4 = 0, c5 = 0, c6 = 0, c7 = 0;
  let v: number;
  let x: number;
  let y: number;
  let t: number;
  const n = end - start;
  const end8 = start + (n - (n % 8));
  let i = start;
  for (; i < end8; i += 8) {
    v = a[i];     x = v * v; y = x - c0; t = s0 + y; c0 = (t - s0) - y; s0 = t;
    v = a[i + 1]; x = v * v; y = x - c1; t = s1 + y; c1 = (t - s1) - y; s1 = t;
    v = a[i + 2]; x = v * v; y = x - c2; t = s2 + y; c2 = (t - s2) - y; s2 = t;
    v = a[i + 3]; x = v * v; y = x - c3; t = s3 + y; c3 = (t - s3) - y; s3 = t;
    v = a[i + 4]; x = v * v; y = x - c4; t = s4 + y; c4 = (t - s4) - y; s4 = t;
    v = a[i + 5]; x = v * v; y = x - c5; t = s5 + y; c5 = (t - s5) - y; s5 = t;
    v = a[i + 6]; x = v * v; y = x - c6; t = s6 + y; c6 = (t - s6) - y; s6 = t;
    v = a[i + 7]; x = v * v; y = x - c7; t = s7 + y; c7 = (t - s7) - y; s7 = t;
  }
  // Tail: fewer than 8 elements, lanes 0.. in order.
  const r = end - i;
  if (r > 0) { v = a[i];     x = v * v; y = x - c0; t = s0 + y; c0 = (t - s0) - y; s0 = t; }
  if (r > 1) { v = a[i + 1]; x = v * v; y = x - c1; t = s1 + y; c1 = (t - s1) - y; s1 = t; }
  if (r > 2) { v = a[i + 2]; x = v * v; y = x - c2; t = s2 + y; c2 = (t - s2) - y; s2 = t; }
  if (r > 3) { v = a[i + 3]; x = v * v; y = x - c3; t = s3 + y; c3 = (t - s3) - y; s3 = t; }
  if (r > 4) { v = a[i + 4]; x = v * v; y = x - c4; t = s4 + y; c4 = (t - s4) - y; s4 = t; }
  if (r > 5) { v = a[i + 5]; x = v * v; y = x - c5; t = s5 + y; c5 = (t - s5) - y; s5 = t; }
  if (r > 6) { v = a[i + 6]; x = v * v; y = x - c6; t = s6 + y; c6 = (t - s6) - y; s6 = t; }
  foldLanes(s0, s1, s2, s3, s4, s5, s6, s7, c0, c1, c2, c3, c4, c5, c6, c7);
  if (!Number.isFinite(blockHi + blockLo)) {
    let nan = false;
    for (let k = start; k < end; k++) {
      if (Number.isNaN(a[k])) {
        nan = true;
        break;
      }
    }
    blockHi = nan ? NaN : Infinity;
    blockLo = 0;
  }
}

/**
 * One block of squares of from + start, ..., from + end - 1 (global indices;
 * every value is an exact safe integer, so how it is formed does not matter).
 */
function rangeBlock(from: number, start: number, end: number): void {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
  let c0 = 0, c1 = 0, c2 = 0, c3 = 0, c4 = 0, c5 = 0, c6 = 0, c7 = 0;
  let v: number;
  let x: number;
  let y: number;
  let t: number;
  const n = end - start;
  const end8 = start + (n - (n % 8));
  let i = start;
  for (; i < end8; i += 8) {
    v = from + i;       x = v * v; y = x - c0; t = s0 + y; c0 = (t - s0) - y; s0 = t;
    v = from + (i + 1); x = v * v; y = x - c1; t = s1 + y; c1 = (t - s1) - y; s1 = t;
    v = from + (i + 2); x = v * v; y = x - c2; t = s2 + y; c2 = (t - s2) - y; s2 = t;
    v = from + (i + 3); x = v * v; y = x - c3; t = s3 + y; c3 = (t - s3) - y; s3 = t;
    v = from + (i + 4); x = v * v; y = x - c4; t = s4 + y; c4 = (t - s4) - y; s4 = t;
    v = from + (i + 5); x = v * v; y = x - c5; t = s5 + y; c5 = (t - s5) - y; s5 = t;
    v = from + (i + 6); x = v * v; y = x - c6; t = s6 + y; c6 = (t - s6) - y; s6 = t;
    v = from + (i + 7); x = v * v; y = x - c7; t = s7 + y; c7 = (t - s7) - y; s7 = t;
  }
  const r = end - i;
  if (r > 0) { v = from + i;       x = v * v; y = x - c0; t = s0 + y; c0 = (t - s0) - y; s0 = t; }
  if (r > 1) { v = from + (i + 1); x = v * v; y = x - c1; t = s1 + y; c1 = (t - s1) - y; s1 = t; }
  if (r > 2) { v = from + (i + 2); x = v * v; y = x - c2; t = s2 + y; c2 = (t - s2) - y; s2 = t; }
  if (r > 3) { v = from + (i + 3); x = v * v; y = x - c3; t = s3 + y; c3 = (t - s3) - y; s3 = t; }
  if (r > 4) { v = from + (i + 4); x = v * v; y = x - c4; t = s4 + y; c4 = (t - s4) - y; s4 = t; }
  if (r > 5) { v = from + (i + 5); x = v * v; y = x - c5; t = s5 + y; c5 = (t - s5) - y; s5 = t; }
  if (r > 6) { v = from + (i + 6); x = v * v; y = x - c6; t = s6 + y; c6 = (t - s6) - y; s6 = t; }
  foldLanes(s0, s1, s2, s3, s4, s5, s6, s7, c0, c1, c2, c3, c4, c5, c6, c7);
  if (!Number.isFinite(blockHi + blockLo)) {
    // Integers are never NaN. (Unreachable in practice: 16384 squares of
    // safe integers stay far below the largest double.)
    blockHi = Infinity;
    blockLo = 0;
  }
}

// The running total of the block fold.
let totalHi = 0;
let totalLo = 0;

function addBlock(): void {
  const bh = blockHi;
  if (!Number.isFinite(totalHi) || !Number.isFinite(bh)) {
    totalHi = totalHi + bh;
    totalLo = 0;
  } else {
    const s = totalHi + bh;
    const bb = s - totalHi;
    const e = (totalHi - (s - bb)) + (bh - bb);
    totalLo = totalLo + (e + blockLo);
    totalHi = s;
  }
}

function finishSum(): number {
  return Number.isFinite(totalHi) ? totalHi + totalLo : totalHi;
}

function foldArray(a: ArrayLike<number>, length: number): void {
  totalHi = 0;
  totalLo = 0;
  for (let start = 0; start < length; start += SUM_BLOCK) {
    arrayBlock(a, start, Math.min(length, start + SUM_BLOCK));
    addBlock();
  }
}

function foldRange(from: number, count: number): void {
  totalHi = 0;
  totalLo = 0;
  for (let start = 0; start < count; start += SUM_BLOCK) {
    rangeBlock(from, start, Math.min(count, start + SUM_BLOCK));
    addBlock();
  }
}

/**
 * Sum of squares of `a[0..length)` (numbers; Float32 values are squared as
 * doubles), bit-identical to the native kernel.
 */
export function sumSquaresOfArray(a: ArrayLike<number>, length: number = a.length): number {
  foldArray(a, length);
  return finishSum();
}

/**
 * Sum of squares of the `count` integers `from, from + 1, ...` (the range
 * must consist of safe integers), bit-identical to the native kernel.
 */
export function sumSquaresOfRange(from: number, count: number): number {
  foldRange(from, count);
  return finishSum();
}

function foldBlockPairs(parts: Iterable<ArrayLike<number>>): void {
  totalHi = 0;
  totalLo = 0;
  for (const pairs of parts) {
    for (let i = 0; i + 1 < pairs.length; i += 2) {
      blockHi = pairs[i];
      blockLo = pairs[i + 1];
      addBlock();
    }
  }
}

/**
 * Folds blocks' (hi, lo) pairs (two numbers a block, as
 * `sumOfSquaresBlocks` gives them) in index order and finishes the sum:
 * the parts of a range, each computed anywhere, give the bits of the whole
 * range's sum, provided every part but the last is a whole number of
 * blocks.
 */
export function foldSumBlocks(parts: Iterable<ArrayLike<number>>): number {
  foldBlockPairs(parts);
  return finishSum();
}

/** The total (hi, lo) of {@link foldSumBlocks} before the final `hi + lo`. */
export function foldSumBlocksParts(parts: Iterable<ArrayLike<number>>): SumParts {
  foldBlockPairs(parts);
  return { hi: totalHi, lo: totalLo };
}

/** The (hi, lo) pair of a compensated sum before its final rounding. */
export interface SumParts {
  hi: number;
  lo: number;
}

/**
 * The total (hi, lo) of {@link sumSquaresOfArray} before the final
 * `hi + lo`: far more sensitive to the order of operations than the rounded
 * result, for testing that two implementations do the same arithmetic.
 */
export function sumSquaresPartsOfArray(a: ArrayLike<number>, length: number = a.length): SumParts {
  foldArray(a, length);
  return { hi: totalHi, lo: totalLo };
}

/** The total (hi, lo) of {@link sumSquaresOfRange} before the final `hi + lo`. */
export function sumSquaresPartsOfRange(from: number, count: number): SumParts {
  foldRange(from, count);
  return { hi: totalHi, lo: totalLo };
}

// ---------------------------------------------------------------------------
// The kernel over a validated input: the float arithmetic above for numbers,
// exact bigints for BigInt arrays.

const INT64_MAX = (1n << 63n) - 1n;
const UINT64_MAX = (1n << 64n) - 1n;

function sumOfBigInts(a: BigInt64Array | BigUint64Array, n: number, type: 'BigInt64Array' | 'BigUint64Array'): bigint {
  const max = type === 'BigInt64Array' ? INT64_MAX : UINT64_MAX;
  let sum = 0n;
  for (let i = 0; i < n; i++) {
    const v = a[i];
    sum += v * v;
    if (sum > max) throw sumOverflowError(type);
  }
  return sum;
}

/**
 * The sum of squares of a validated input: a number computed in the native
 * kernels' exact arithmetic, or an exact bigint for BigInt arrays.
 *
 * @throws RangeError ERR_OUT_OF_RANGE (sumOverflowError) when a BigInt sum
 *   exceeds 2^63 - 1 (BigInt64Array) or 2^64 - 1 (BigUint64Array).
 */
export function sumOfSquaresOf(plan: SquaresPlan): number | bigint {
  if (plan.kind === 'range') return sumSquaresOfRange(plan.from, plan.count);
  if (plan.bigint !== false) return sumOfBigInts(plan.array as BigInt64Array | BigUint64Array, plan.length, plan.bigint);
  return sumSquaresOfArray(plan.array as Exclude<typeof plan.array, BigInt64Array | BigUint64Array>, plan.length);
}

/** `sumOfSquares` in JS on the calling thread: what offloop/reference runs. */
export const sumInJs: Kernel<SumCall, number | bigint> = {
  prepare: prepareSum,
  js: (call) => sumOfSquaresOf(call.plan),
};
