/**
 * Validation of computeSquares / sumOfSquares inputs and outputs, shared by
 * the native entry point and the pure-JS reference.
 */
import { constants as bufferConstants } from 'node:buffer';

import { checkFixedBuffer, overlaps, typedArrayTag } from './buffers.js';
import { checkSafeInteger } from './checks.js';
import { invalidArgTypeError, invalidArgValueError, outOfRangeError } from './errors.js';
import type { SquaresTypedArray } from './types.js';

/**
 * The largest number of elements a squares result (a Float64Array) may have,
 * checked before allocating so that a huge range fails with a clear
 * ERR_OUT_OF_RANGE instead of V8's "Invalid typed array length".
 *
 * V8 caps every TypedArray at 2^32 elements on 64-bit Node 20 (measured on
 * 20.x: `new Float64Array(2 ** 32 + 1)` throws "Invalid typed array length",
 * `new Float64Array(2 ** 32)` only fails if 32 GiB cannot be allocated), and
 * Node 22+ allows more; offloop caps at 2^32 everywhere. On 32-bit builds,
 * where `buffer.constants.MAX_LENGTH` (the byte limit) is below 2^32, the cap
 * is that many bytes' worth of float64s.
 */
export const MAX_SQUARES_LENGTH: number =
  bufferConstants.MAX_LENGTH >= 2 ** 32 ? 2 ** 32 : Math.floor(bufferConstants.MAX_LENGTH / 8);

/** The validated, normalised input of `computeSquares` / `sumOfSquares`. */
export type SquaresPlan =
  | {
      kind: 'array';
      /** The caller's TypedArray (never copied), or a Float64Array copy of a number[]. */
      array: SquaresTypedArray;
      length: number;
      /** The BigInt array type, or false for every number-valued type. */
      bigint: false | 'BigInt64Array' | 'BigUint64Array';
    }
  | {
      kind: 'range';
      /** The first integer. */
      from: number;
      /** How many integers (to - from + 1), at most Number.MAX_SAFE_INTEGER. */
      count: number;
    };

type TypedArrayTag =
  | 'Int8Array'
  | 'Uint8Array'
  | 'Uint8ClampedArray'
  | 'Int16Array'
  | 'Uint16Array'
  | 'Int32Array'
  | 'Uint32Array'
  | 'Float32Array'
  | 'Float64Array'
  | 'BigInt64Array'
  | 'BigUint64Array';

const SQUARES_TAGS: ReadonlySet<string> = new Set<TypedArrayTag>([
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
]);

const SQUARES_INPUT_EXPECTED = 'an array of numbers, a TypedArray or a { from, to } range of integers';

/**
 * Validates a `computeSquares` / `sumOfSquares` input.
 *
 * - `number[]`: every element must be a number (holes count as undefined);
 *   copied into a new Float64Array.
 * - TypedArray (all 11 kinds): used in place; rejected if detached, resizable
 *   or growable.
 * - `{ from, to }`: safe integers, `from <= to`, at most
 *   `Number.MAX_SAFE_INTEGER` integers, and for `purpose: 'squares'` (the
 *   result is allocated) at most {@link MAX_SQUARES_LENGTH}.
 *
 * @param name The argument's name in messages (default `'input'`).
 * @param purpose `'squares'` (default) or `'sum'`.
 */
export function planSquares(
  input: unknown,
  name = 'input',
  purpose: 'squares' | 'sum' = 'squares',
  deferCopy = false,
): SquaresPlan {
  const tag = typedArrayTag(input);
  if (tag !== undefined) {
    if (!SQUARES_TAGS.has(tag)) throw invalidArgTypeError(name, SQUARES_INPUT_EXPECTED, input);
    const array = input as SquaresTypedArray;
    checkFixedBuffer(array, name);
    const bigint = tag === 'BigInt64Array' || tag === 'BigUint64Array' ? tag : false;
    return { kind: 'array', array, length: array.length, bigint };
  }

  if (Array.isArray(input)) {
    const n = input.length;
    const array = new Float64Array(n);
    if (!deferCopy) copyNumbers(input, array, 0, n, name);
    return { kind: 'array', array, length: n, bigint: false };
  }

  if (typeof input === 'object' && input !== null && !ArrayBuffer.isView(input) && ('from' in input || 'to' in input)) {
    const range = input as Record<string, unknown>;
    const from = checkSafeInteger(range.from, `${name}.from`, -Number.MAX_SAFE_INTEGER);
    const to = checkSafeInteger(range.to, `${name}.to`, -Number.MAX_SAFE_INTEGER);
    if (to < from) throw outOfRangeError(`${name}.to`, `be >= ${name}.from (${from})`, to);
    // Both are safe integers, so a rounded difference is still > 2^53 - 2
    // whenever the exact one is.
    const span = to - from;
    if (span > Number.MAX_SAFE_INTEGER - 1) {
      throw outOfRangeError(
        name,
        `describe at most ${Number.MAX_SAFE_INTEGER} integers (Number.MAX_SAFE_INTEGER)`,
        `{ from: ${from}, to: ${to} }`,
      );
    }
    const count = span + 1;
    if (purpose === 'squares' && count > MAX_SQUARES_LENGTH) {
      throw outOfRangeError(
        name,
        `describe at most ${MAX_SQUARES_LENGTH} integers (the largest Float64Array that can be allocated)`,
        `{ from: ${from}, to: ${to} } (${count} integers)`,
      );
    }
    return { kind: 'range', from, count };
  }

  throw invalidArgTypeError(name, SQUARES_INPUT_EXPECTED, input);
}

/**
 * Copies `input[start..end)` into `into`, checking that each element is a
 * number (a hole counts as undefined). planSquares does this for the whole
 * array unless asked to defer it, so that large arrays can be copied in
 * slices between turns of the event loop.
 */
export function copyNumbers(input: readonly unknown[], into: Float64Array, start: number, end: number, name = 'input'): void {
  for (let i = start; i < end; i++) {
    const v = input[i];
    if (typeof v !== 'number') throw invalidArgTypeError(`${name}[${i}]`, 'of type number', v);
    into[i] = v;
  }
}

/** The number of elements a squares plan describes. */
export function planLength(plan: SquaresPlan): number {
  return plan.kind === 'array' ? plan.length : plan.count;
}

function squaresOutTag(plan: SquaresPlan): 'Float64Array' | 'BigInt64Array' | 'BigUint64Array' {
  return plan.kind === 'array' && plan.bigint !== false ? plan.bigint : 'Float64Array';
}

/**
 * Validates `options.out` of `computeSquares`: undefined -> undefined;
 * otherwise a Float64Array (or the plan's BigInt array type) of exactly the
 * input's length, not detached/resizable/growable, and either the input
 * itself (same buffer, offset and type: squaring in place) or not
 * overlapping it at all.
 *
 * @param name The argument's name in messages (default `'options.out'`).
 */
export function checkSquaresOut(
  plan: SquaresPlan,
  out: unknown,
  name = 'options.out',
): Float64Array | BigInt64Array | BigUint64Array | undefined {
  if (out === undefined) return undefined;
  const expected = squaresOutTag(plan);
  const tag = typedArrayTag(out);
  if (tag !== expected) throw invalidArgTypeError(name, `an instance of ${expected}`, out);
  const view = out as Float64Array | BigInt64Array | BigUint64Array;
  checkFixedBuffer(view, name);
  const length = planLength(plan);
  if (view.length !== length) throw outOfRangeError(name, `have length ${length}`, `length ${view.length}`);
  if (plan.kind === 'array' && overlaps(view, plan.array)) {
    const inPlace = view.byteOffset === plan.array.byteOffset && typedArrayTag(plan.array) === tag;
    if (!inPlace) {
      throw invalidArgValueError(
        name,
        out,
        'overlaps the input without being the input itself; pass the input as out to square in place, ' +
          'or use memory that does not overlap it',
      );
    }
  }
  return view;
}

/** A new, zeroed result array for the plan: Float64Array or the plan's BigInt array type. */
export function allocateSquaresOut(plan: SquaresPlan): Float64Array | BigInt64Array | BigUint64Array {
  if (plan.kind === 'range') return new Float64Array(plan.count);
  if (plan.bigint === 'BigInt64Array') return new BigInt64Array(plan.length);
  if (plan.bigint === 'BigUint64Array') return new BigUint64Array(plan.length);
  return new Float64Array(plan.length);
}
