/**
 * Public types of offloop's API (shared by the native entry point and
 * `offloop/reference`).
 */

/**
 * Every TypedArray kind a squares / sum-of-squares input may be.
 * (DataView is not accepted, nor Float16Array where it exists.)
 */
export type SquaresTypedArray =
  | Int8Array
  | Uint8Array
  | Uint8ClampedArray
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array;

/** The BigInt TypedArray kinds, whose squares and sums are exact bigints. */
export type BigIntTypedArray = BigInt64Array | BigUint64Array;

/**
 * The integers `from, from + 1, ..., to` (both inclusive). Both must be safe
 * integers with `from <= to`; `{ from: 1, to: 3 }` means 1, 2, 3.
 */
export interface NumericRange {
  /** First integer of the range (inclusive); a safe integer. */
  from: number;
  /** Last integer of the range (inclusive); a safe integer `>= from`. */
  to: number;
}

/**
 * What `computeSquares` and `sumOfSquares` accept: an array of numbers
 * (copied into a Float64Array), any TypedArray (read in place, never copied),
 * or an inclusive integer range.
 */
export type SquaresInput = readonly number[] | SquaresTypedArray | NumericRange;

/** The array types a squares result can have. */
export type SquaresOutput = Float64Array | BigInt64Array | BigUint64Array;

/**
 * The result type of `computeSquares(input)` for an input of type `I`: the
 * same BigInt array type for BigInt64Array / BigUint64Array inputs (exact
 * squares), otherwise Float64Array.
 */
export type SquaresResult<I> = I extends BigInt64Array
  ? BigInt64Array
  : I extends BigUint64Array
    ? BigUint64Array
    : Float64Array;

/**
 * The result type of `sumOfSquares(input)` for an input of type `I`: an exact
 * `bigint` for BigInt arrays, otherwise a `number`.
 */
export type SumResult<I> = I extends BigIntTypedArray ? bigint : number;

/**
 * An image to convert to gray. A canvas `ImageData` fits as is.
 */
export interface ImageInput {
  /**
   * The pixel bytes, row after row: R,G,B(,A) or, with `order: 'bgr'`,
   * B,G,R(,A). Read in place, never copied. Must hold at least
   * `(height - 1) * stride + width * channels` bytes (the last row needs no
   * padding).
   */
  data: Uint8Array | Uint8ClampedArray;
  /** Pixels per row: a non-negative safe integer (0 gives an empty result). */
  width: number;
  /** Number of rows: a non-negative safe integer (0 gives an empty result). */
  height: number;
  /**
   * Bytes per pixel: 3 or 4 (a 4th byte, alpha, is ignored). When omitted
   * it is inferred from `data.length` (`width*height*4` -> 4,
   * `width*height*3` -> 3); it must be given together with `stride`.
   */
  channels?: 3 | 4;
  /**
   * Bytes from the start of one row to the start of the next, default
   * `width * channels`; must be `>= width * channels`. Padding bytes are
   * never read.
   */
  stride?: number;
}

/** Options every asynchronous function accepts. */
export interface AsyncOptions {
  /**
   * Cancels the call: the promise rejects with `signal.reason` (at once if
   * the signal is already aborted).
   */
  signal?: AbortSignal;
  /**
   * Called on the main thread as work completes, with the number of elements
   * (squares, sum) or pixels (grayscale) done so far and the total. It is
   * called with `(total, total)` once before the promise resolves.
   */
  onProgress?: (done: number, total: number) => void;
}

/** Options of `computeSquares` / `computeSquaresSync`. */
export interface SquaresOptions<Out extends SquaresOutput = SquaresOutput> {
  /**
   * Where to write the squares, returned as the result: a Float64Array (or,
   * for BigInt inputs, the same BigInt array type) of exactly the input's
   * length. It may be the input itself (squaring in place), but must not
   * otherwise overlap the input's memory.
   */
  out?: Out;
}

/**
 * Options of `sumOfSquares` / `sumOfSquaresSync`. There are none besides
 * the {@link AsyncOptions} of the asynchronous version yet.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface SumOptions {}

/** Options of `grayscale` / `grayscaleSync`. */
export interface GrayscaleOptions {
  /** Byte order of a pixel: `'rgb'` (default; also RGBA) or `'bgr'` (also BGRA). */
  order?: 'rgb' | 'bgr';
  /**
   * Luma weights: `'bt601'` (default; 19595, 38470, 7471 / 65536, exactly
   * Pillow's `convert('L')`) or `'bt709'` (13933, 46871, 4732 / 65536).
   */
  weights?: 'bt601' | 'bt709';
  /**
   * Where to write the gray bytes, returned as the result: a Uint8Array of
   * exactly `width * height` bytes that does not overlap `image.data`.
   */
  out?: Uint8Array;
}

/** Options of the asynchronous `computeSquares`. */
export type SquaresAsyncOptions<Out extends SquaresOutput = SquaresOutput> = SquaresOptions<Out> & AsyncOptions;

/** Options of the asynchronous `sumOfSquares`. */
export type SumAsyncOptions = SumOptions & AsyncOptions;

/** Options of the asynchronous `grayscale`. */
export type GrayscaleAsyncOptions = GrayscaleOptions & AsyncOptions;
