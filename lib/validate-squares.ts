/**
 * Validation of computeSquares / sumOfSquares inputs and outputs, shared by
 * the native entry point and the pure-JS reference.
 */
import { constants as bufferConstants } from 'node:buffer';

import { checkFixedBuffer, overlaps, typedArrayTag } from './buffers.js';
import { checkSafeInteger } from './checks.js';
import { invalidArgTypeError, invalidArgValueError, outOfRangeError } from './errors.js';
import { byteOffsetOf, lengthOf } from './intrinsics.js';
import { readControl, readOptions, type Control } from './options.js';
import type { SquaresOutput, SquaresTypedArray } from './types.js';

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
      /** A number[] not copied into `array` yet (see planSquares' `copyAtOnce`). */
      pendingCopy?: PendingCopy;
    }
  | {
      kind: 'range';
      /** The first integer. */
      from: number;
      /** How many integers (to - from + 1), at most Number.MAX_SAFE_INTEGER. */
      count: number;
    };

/** A number[] whose elements are still to be copied into a Float64Array. */
export interface PendingCopy {
  source: readonly unknown[];
  into: Float64Array;
}

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
 * Validates a `computeSquares` / `sumOfSquares` input, reading each of its
 * properties once.
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
 * @param copyAtOnce The longest number[] copied here; a longer one is
 *   returned with a `pendingCopy`, to be copied with {@link copyNumbers}.
 */
export function planSquares(
  input: unknown,
  name = 'input',
  purpose: 'squares' | 'sum' = 'squares',
  copyAtOnce = Infinity,
): SquaresPlan {
  const tag = typedArrayTag(input);
  if (tag !== undefined) {
    if (!SQUARES_TAGS.has(tag)) throw invalidArgTypeError(name, SQUARES_INPUT_EXPECTED, input);
    const array = input as SquaresTypedArray;
    checkFixedBuffer(array, name);
    const bigint = tag === 'BigInt64Array' || tag === 'BigUint64Array' ? tag : false;
    return { kind: 'array', array, length: lengthOf(array), bigint };
  }

  if (Array.isArray(input)) {
    const source = input as readonly unknown[];
    const n = source.length;
    const array = new Float64Array(n);
    if (n <= copyAtOnce) {
      copyNumbers(source, array, 0, n, name);
      return { kind: 'array', array, length: n, bigint: false };
    }
    return { kind: 'array', array, length: n, bigint: false, pendingCopy: { source, into: array } };
  }

  if (typeof input === 'object' && input !== null && !ArrayBuffer.isView(input)) {
    const range = input as { from?: unknown; to?: unknown };
    const rawFrom = range.from;
    const rawTo = range.to;
    if (rawFrom === undefined && rawTo === undefined) throw invalidArgTypeError(name, SQUARES_INPUT_EXPECTED, input);
    const from = checkSafeInteger(rawFrom, `${name}.from`, -Number.MAX_SAFE_INTEGER);
    const to = checkSafeInteger(rawTo, `${name}.to`, -Number.MAX_SAFE_INTEGER);
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
 * array unless it is longer than asked, so that large arrays can be copied
 * in slices between turns of the event loop.
 */
export function copyNumbers(
  input: readonly unknown[],
  into: Float64Array,
  start: number,
  end: number,
  name = 'input',
): void {
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
  const outLength = lengthOf(view);
  if (outLength !== length) throw outOfRangeError(name, `have length ${length}`, `length ${outLength}`);
  if (plan.kind === 'array' && overlaps(view, plan.array)) {
    const inPlace = byteOffsetOf(view) === byteOffsetOf(plan.array) && typedArrayTag(plan.array) === tag;
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

/** A validated `computeSquares` call: what to square, where to, and its controls. */
/** The input of a native squares or sum call: (array, 0, length), or (undefined, from, count) for a range. */
export function nativeSquaresInput(plan: SquaresPlan): [ArrayBufferView | undefined, number, number] {
  return plan.kind === 'range' ? [undefined, plan.from, plan.count] : [plan.array, 0, plan.length];
}

export interface SquaresCall {
  plan: SquaresPlan;
  out: SquaresOutput;
  control: Control;
  /** The number of squares. */
  total: number;
  /** A number[] input still to be copied into the plan's array. */
  pendingCopy: PendingCopy | undefined;
}

/** A validated `sumOfSquares` call. */
export interface SumCall {
  plan: SquaresPlan;
  control: Control;
  /** The number of elements summed. */
  total: number;
  /** A number[] input still to be copied into the plan's array. */
  pendingCopy: PendingCopy | undefined;
}

const SQUARES_OPTIONS = ['out', 'signal', 'onProgress'] as const;
const SUM_OPTIONS = ['signal', 'onProgress'] as const;

/**
 * Reads and validates the arguments of `computeSquares` / `computeSquaresSync`:
 * every option and input property is read once, before any buffer is
 * checked, so that no user code runs between the checks and the work.
 *
 * @param copyAtOnce See {@link planSquares}.
 * @param allocate Makes the result array when `options.out` is not given.
 */
export function prepareSquares(
  input: unknown,
  options: unknown,
  copyAtOnce: number,
  allocate: (plan: SquaresPlan) => SquaresOutput,
): SquaresCall {
  const snapshot = readOptions(options, SQUARES_OPTIONS);
  const control = readControl(snapshot);
  const plan = planSquares(input, 'input', 'squares', copyAtOnce);
  const out = checkSquaresOut(plan, snapshot.out) ?? allocate(plan);
  return {
    plan,
    out,
    control,
    total: planLength(plan),
    pendingCopy: plan.kind === 'array' ? plan.pendingCopy : undefined,
  };
}

/** Reads and validates the arguments of `sumOfSquares` / `sumOfSquaresSync` (see {@link prepareSquares}). */
export function prepareSum(input: unknown, options: unknown, copyAtOnce: number): SumCall {
  const control = readControl(readOptions(options, SUM_OPTIONS));
  const plan = planSquares(input, 'input', 'sum', copyAtOnce);
  return { plan, control, total: planLength(plan), pendingCopy: plan.kind === 'array' ? plan.pendingCopy : undefined };
}
