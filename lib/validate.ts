/**
 * Pure validation and normalisation of every public argument, shared by the
 * native entry point and the pure-JS reference. Nothing here computes a
 * result; everything here throws the errors of ./errors.js.
 */
import { constants as bufferConstants } from 'node:buffer';

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

// %TypedArray%.prototype[@@toStringTag] returns the kind of a genuine
// TypedArray (from any realm; 'Uint8Array' for a Buffer) and undefined for
// anything else, whatever its prototype chain claims.
const typedArrayTagGetter = Object.getOwnPropertyDescriptor(
  Object.getPrototypeOf(Uint8Array.prototype) as object,
  Symbol.toStringTag,
)!.get as (this: unknown) => string | undefined;

/** The TypedArray kind of `value` ('Float64Array', ...), or undefined. */
function typedArrayTag(value: unknown): string | undefined {
  return typedArrayTagGetter.call(value);
}

type AnyBuffer = ArrayBuffer | SharedArrayBuffer;

function isSharedArrayBuffer(buffer: AnyBuffer): boolean {
  return typeof SharedArrayBuffer === 'function' && Object.prototype.toString.call(buffer) === '[object SharedArrayBuffer]';
}

function isDetached(buffer: AnyBuffer): boolean {
  const detached = (buffer as { detached?: unknown }).detached; // Node 22+
  if (typeof detached === 'boolean') return detached;
  if (buffer.byteLength !== 0 || isSharedArrayBuffer(buffer)) return false;
  try {
    (buffer as ArrayBuffer).slice(0, 0);
    return false;
  } catch {
    return true;
  }
}

/**
 * Rejects views whose length could change (or has) while a native thread
 * works on them: detached buffers, resizable ArrayBuffers and growable
 * SharedArrayBuffers.
 */
function checkFixedBuffer(view: ArrayBufferView, name: string): void {
  const buffer = view.buffer as AnyBuffer;
  if (isDetached(buffer)) {
    throw invalidArgValueError(name, view, 'is backed by a detached ArrayBuffer (it was transferred), so it has no data');
  }
  if ((buffer as { resizable?: unknown }).resizable === true) {
    throw invalidArgValueError(
      name,
      view,
      'is backed by a resizable ArrayBuffer, whose length could change while a native thread uses it; ' +
        'copy it into a fixed-length ArrayBuffer first',
    );
  }
  if ((buffer as { growable?: unknown }).growable === true) {
    throw invalidArgValueError(
      name,
      view,
      'is backed by a growable SharedArrayBuffer, whose length could change while a native thread uses it; ' +
        'copy it into a fixed-length buffer first',
    );
  }
}

/** True when the two views' byte ranges intersect (an empty view overlaps nothing). */
function overlaps(a: ArrayBufferView, b: ArrayBufferView): boolean {
  if (a.buffer !== b.buffer) return false;
  const aStart = a.byteOffset;
  const bStart = b.byteOffset;
  return aStart < bStart + b.byteLength && bStart < aStart + a.byteLength;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function checkSafeInteger(value: unknown, name: string, min: number): number {
  if (typeof value !== 'number') throw invalidArgTypeError(name, 'of type number', value);
  if (!Number.isSafeInteger(value) || value < min) {
    const range = min === -Number.MAX_SAFE_INTEGER ? 'be a safe integer' : `be a safe integer >= ${min}`;
    throw outOfRangeError(name, range, value);
  }
  return value;
}

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

/** The validated, normalised arguments of `grayscale`. */
export interface GrayPlan {
  /** A Uint8Array view over the caller's bytes (no copy). */
  data: Uint8Array;
  width: number;
  height: number;
  channels: 3 | 4;
  /** Bytes from one row to the next (>= width * channels). */
  stride: number;
  /** True for B,G,R(,A) byte order. */
  bgr: boolean;
  weights: 'bt601' | 'bt709';
  /** width * height: the length of the result. */
  pixels: number;
}

function readEnum<T extends string>(value: unknown, name: string, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value !== 'string') throw invalidArgTypeError(name, 'of type string', value);
  if (!(allowed as readonly string[]).includes(value)) {
    throw invalidArgValueError(name, value, `must be one of: ${allowed.map((a) => `'${a}'`).join(', ')}`);
  }
  return value as T;
}

/**
 * Validates a `grayscale` image and its options (`order`, `weights`; `out`
 * is checked by {@link checkGrayOut}). See {@link ImageInput} for the rules.
 */
export function planGrayscale(image: unknown, options: unknown): GrayPlan {
  if (!isObject(image)) throw invalidArgTypeError('image', 'of type object', image);

  const data: unknown = image.data;
  const tag = typedArrayTag(data);
  if (tag !== 'Uint8Array' && tag !== 'Uint8ClampedArray') {
    throw invalidArgTypeError('image.data', 'an instance of Uint8Array, Uint8ClampedArray or Buffer', data);
  }
  const bytes = data as Uint8Array | Uint8ClampedArray;
  checkFixedBuffer(bytes, 'image.data');

  const width = checkSafeInteger(image.width, 'image.width', 0);
  const height = checkSafeInteger(image.height, 'image.height', 0);
  const pixels = width * height;
  if (pixels > Number.MAX_SAFE_INTEGER) {
    throw outOfRangeError('image.width * image.height', `be <= ${Number.MAX_SAFE_INTEGER}`, `${width} * ${height}`);
  }

  const rawChannels: unknown = image.channels;
  const rawStride: unknown = image.stride;
  let channels: 3 | 4;
  if (rawChannels === undefined) {
    if (rawStride !== undefined) {
      throw invalidArgValueError('image.channels', rawChannels, 'must be given (3 or 4) when image.stride is given');
    }
    if (bytes.length === pixels * 4) channels = 4;
    else if (bytes.length === pixels * 3) channels = 3;
    else {
      throw invalidArgValueError(
        'image.channels',
        rawChannels,
        `must be given (3 or 4): it cannot be inferred, as image.data.length (${bytes.length}) is neither ` +
          `width * height * 4 (${pixels * 4}) nor width * height * 3 (${pixels * 3})`,
      );
    }
  } else {
    if (typeof rawChannels !== 'number') throw invalidArgTypeError('image.channels', 'of type number', rawChannels);
    if (rawChannels !== 3 && rawChannels !== 4) throw invalidArgValueError('image.channels', rawChannels, 'must be 3 or 4');
    channels = rawChannels;
  }

  const rowBytes = width * channels;
  let stride: number;
  if (rawStride === undefined) {
    stride = rowBytes;
  } else {
    if (typeof rawStride !== 'number') throw invalidArgTypeError('image.stride', 'of type number', rawStride);
    if (!Number.isSafeInteger(rawStride) || rawStride < rowBytes) {
      throw outOfRangeError('image.stride', `be an integer >= image.width * image.channels (${rowBytes})`, rawStride);
    }
    stride = rawStride;
  }
  if (stride * height > Number.MAX_SAFE_INTEGER) {
    throw outOfRangeError('image.stride * image.height', `be <= ${Number.MAX_SAFE_INTEGER}`, `${stride} * ${height}`);
  }

  const needed = pixels === 0 ? 0 : (height - 1) * stride + rowBytes;
  if (bytes.length < needed) {
    throw outOfRangeError(
      'image.data.length',
      `be >= ${needed} for a ${width}x${height} image with ${channels} channels and a stride of ${stride} bytes ` +
        '((height - 1) * stride + width * channels)',
      bytes.length,
    );
  }

  const opts = readOptions(options);
  const order = readEnum(opts.order, 'options.order', ['rgb', 'bgr'] as const, 'rgb');
  const weights = readEnum(opts.weights, 'options.weights', ['bt601', 'bt709'] as const, 'bt601');

  const view =
    Object.getPrototypeOf(bytes) === Uint8Array.prototype
      ? (bytes as Uint8Array)
      : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { data: view, width, height, channels, stride, bgr: order === 'bgr', weights, pixels };
}

/**
 * Validates `options.out` of `grayscale`: undefined -> undefined; otherwise
 * a Uint8Array (a Buffer is one) of exactly `width * height` bytes, not
 * detached/resizable/growable, not overlapping `image.data` at all.
 *
 * @param name The argument's name in messages (default `'options.out'`).
 */
export function checkGrayOut(plan: GrayPlan, out: unknown, name = 'options.out'): Uint8Array | undefined {
  if (out === undefined) return undefined;
  if (typedArrayTag(out) !== 'Uint8Array') throw invalidArgTypeError(name, 'an instance of Uint8Array', out);
  const view = out as Uint8Array;
  checkFixedBuffer(view, name);
  if (view.length !== plan.pixels) throw outOfRangeError(name, `have length ${plan.pixels}`, `length ${view.length}`);
  if (overlaps(view, plan.data)) {
    throw invalidArgValueError(name, out, 'overlaps image.data; the result must go to memory that does not overlap the image');
  }
  return view;
}

/** The cancellation and progress options of an asynchronous call. */
export interface AsyncControl {
  signal: AbortSignal | undefined;
  onProgress: ((done: number, total: number) => void) | undefined;
}

/**
 * Validates an options argument: undefined -> `{}`; otherwise it must be a
 * non-null, non-array object, returned as is (unknown keys are ignored).
 *
 * @param name The argument's name in messages (default `'options'`).
 */
const NO_OPTIONS: Readonly<Record<string, unknown>> = Object.freeze({});
const NO_CONTROL: Readonly<AsyncControl> = Object.freeze({ signal: undefined, onProgress: undefined });

export function readOptions(options: unknown, name = 'options'): Record<string, unknown> {
  // One shared empty object: the common call has no options, and tiny calls
  // should not pay for allocating one.
  if (options === undefined) return NO_OPTIONS;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw invalidArgTypeError(name, 'of type object', options);
  }
  return options as Record<string, unknown>;
}

/**
 * Reads `signal` (undefined or an AbortSignal) and `onProgress` (undefined
 * or a function) from options already checked by {@link readOptions}.
 *
 * @param name The options argument's name in messages (default `'options'`).
 */
export function readAsyncControl(options: Record<string, unknown>, name = 'options'): AsyncControl {
  if (options === NO_OPTIONS) return NO_CONTROL;
  const signal = options.signal;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw invalidArgTypeError(`${name}.signal`, 'an instance of AbortSignal', signal);
  }
  const onProgress = options.onProgress;
  if (onProgress !== undefined && typeof onProgress !== 'function') {
    throw invalidArgTypeError(`${name}.onProgress`, 'of type function', onProgress);
  }
  return {
    signal: signal as AbortSignal | undefined,
    onProgress: onProgress as ((done: number, total: number) => void) | undefined,
  };
}

/** The largest thread count `setConcurrency` accepts. */
export const MAX_CONCURRENCY = 1024;

/**
 * Validates a thread count: an integer from 1 to 1024. A non-number throws
 * ERR_INVALID_ARG_TYPE (TypeError), anything else out of range (including
 * NaN and fractions) ERR_OUT_OF_RANGE (RangeError).
 *
 * @param name The argument's name in messages (default `'concurrency'`).
 */
export function checkConcurrency(value: unknown, name = 'concurrency'): number {
  if (typeof value !== 'number') throw invalidArgTypeError(name, 'of type number', value);
  if (!Number.isInteger(value) || value < 1 || value > MAX_CONCURRENCY) {
    throw outOfRangeError(name, `be an integer >= 1 and <= ${MAX_CONCURRENCY}`, value);
  }
  return value;
}
