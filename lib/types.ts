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
 * The type `options.out` must have for an input of type `I`: the same BigInt
 * array type for BigInt64Array / BigUint64Array inputs, otherwise a
 * Float64Array (over any buffer, a SharedArrayBuffer included).
 */
export type SquaresOutFor<I> = I extends BigInt64Array
  ? BigInt64Array
  : I extends BigUint64Array
    ? BigUint64Array
    : Float64Array;

/**
 * The result type of `computeSquares(input)` for an input of type `I`, when
 * offloop allocates the result (no `options.out`): the same BigInt array
 * type for BigInt64Array / BigUint64Array inputs (exact squares), otherwise
 * Float64Array; always over a fresh, non-shared ArrayBuffer.
 */
export type SquaresResult<I> = I extends BigInt64Array
  ? BigInt64Array<ArrayBuffer>
  : I extends BigUint64Array
    ? BigUint64Array<ArrayBuffer>
    : Float64Array<ArrayBuffer>;

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

/** `onProgress(done, total)`: items (elements or pixels) done so far, of `total`. */
export type ProgressCallback = (done: number, total: number) => void;

/** Cancellation and progress: every function, sync or async, accepts them. */
export interface ControlOptions {
  /**
   * Cancels the call. Already aborted: the call throws (sync) or rejects
   * (async) with `signal.reason` at once. Aborted before an async call
   * settles: it rejects with `signal.reason`. A sync call blocks the thread,
   * so it can only see an abort made from its own `onProgress`. After an
   * abort, `out` may hold partial results.
   */
  signal?: AbortSignal;
  /**
   * Called on the calling thread with the items (elements or pixels) done so
   * far and the total: at most every 16 ms while native work runs, and once
   * with `(total, total)` just before the call returns or resolves. If it
   * throws, the call stops and fails with that error.
   */
  onProgress?: ProgressCallback;
}

/** The options every function accepts; another name of {@link ControlOptions}. */
export type AsyncOptions = ControlOptions;

/** Options of `computeSquares` / `computeSquaresSync`. */
export interface SquaresOptions<Out extends SquaresOutput = SquaresOutput> extends ControlOptions {
  /**
   * Where to write the squares, returned as the result: a Float64Array (or,
   * for BigInt inputs, the same BigInt array type) of exactly the input's
   * length. It may be the input itself (squaring in place), but must not
   * otherwise overlap the input's memory.
   */
  out?: Out;
}

/** Options of `sumOfSquares` / `sumOfSquaresSync`: cancellation and progress. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface SumOptions extends ControlOptions {}

/** Options of `grayscale` / `grayscaleSync`. */
export interface GrayscaleOptions<Out extends Uint8Array = Uint8Array> extends ControlOptions {
  /** Byte order of a pixel: `'rgb'` (default; also RGBA) or `'bgr'` (also BGRA). */
  order?: 'rgb' | 'bgr';
  /**
   * Luma weights: `'bt601'` (default; 19595, 38470, 7471 / 65536, exactly
   * Pillow's `convert('L')`) or `'bt709'` (13933, 46871, 4732 / 65536).
   */
  weights?: 'bt601' | 'bt709';
  /**
   * Where to write the gray bytes, returned as the result: a Uint8Array (a
   * Buffer is one) of exactly `width * height` bytes that does not overlap
   * `image.data`.
   */
  out?: Out;
}

/** Options of `computeSquares`; the same as {@link SquaresOptions}. */
export type SquaresAsyncOptions<Out extends SquaresOutput = SquaresOutput> = SquaresOptions<Out>;

/** Options of `sumOfSquares`; the same as {@link SumOptions}. */
export type SumAsyncOptions = SumOptions;

/** Options of `grayscale`; the same as {@link GrayscaleOptions}. */
export type GrayscaleAsyncOptions<Out extends Uint8Array = Uint8Array> = GrayscaleOptions<Out>;

/**
 * `computeSquares(input, options?)`: squares every element of `input`
 * (`number[]`, any TypedArray, or an inclusive integer range `{ from, to }`)
 * on offloop's pool.
 *
 * Resolves to a new Float64Array, or for BigInt64Array/BigUint64Array inputs
 * an array of the same type (rejecting with a RangeError when a square does
 * not fit). With `options.out` the squares are written there (it may be the
 * input itself) and it is the result.
 */
export interface ComputeSquares {
  <I extends SquaresInput, Out extends SquaresOutFor<I>>(
    input: I,
    options: SquaresOptions<Out> & { out: Out },
  ): Promise<Out>;
  <I extends SquaresInput>(
    input: I,
    options?: SquaresOptions<SquaresOutFor<I>> & { out?: undefined },
  ): Promise<SquaresResult<I>>;
  <I extends SquaresInput>(
    input: I,
    options?: SquaresOptions<SquaresOutFor<I>>,
  ): Promise<SquaresResult<I> | SquaresOutFor<I>>;
}

/** `computeSquaresSync(input, options?)`: {@link ComputeSquares}, returning the result. */
export interface ComputeSquaresSync {
  <I extends SquaresInput, Out extends SquaresOutFor<I>>(input: I, options: SquaresOptions<Out> & { out: Out }): Out;
  <I extends SquaresInput>(
    input: I,
    options?: SquaresOptions<SquaresOutFor<I>> & { out?: undefined },
  ): SquaresResult<I>;
  <I extends SquaresInput>(input: I, options?: SquaresOptions<SquaresOutFor<I>>): SquaresResult<I> | SquaresOutFor<I>;
}

/**
 * `sumOfSquares(input, options?)`: the sum of the squares of `input` (same
 * inputs as computeSquares): a number, or an exact bigint for BigInt arrays
 * (RangeError when it does not fit 64 bits). The result is identical
 * whatever the pool size.
 */
export type SumOfSquares = <I extends SquaresInput>(input: I, options?: SumOptions) => Promise<SumResult<I>>;

/** `sumOfSquaresSync(input, options?)`: {@link SumOfSquares}, returning the result. */
export type SumOfSquaresSync = <I extends SquaresInput>(input: I, options?: SumOptions) => SumResult<I>;

/**
 * `grayscale(image, options?)`: converts RGB/RGBA (or, with `order: 'bgr'`,
 * BGR/BGRA) pixels to 8-bit gray, bit-exact with Pillow's `convert('L')`
 * for the default `bt601` weights. Resolves to a new Uint8Array of
 * width * height bytes, or to `options.out` when given.
 */
export interface Grayscale {
  <Out extends Uint8Array>(image: ImageInput, options: GrayscaleOptions<Out> & { out: Out }): Promise<Out>;
  (image: ImageInput, options?: GrayscaleOptions & { out?: undefined }): Promise<Uint8Array<ArrayBuffer>>;
  (image: ImageInput, options?: GrayscaleOptions): Promise<Uint8Array>;
}

/** `grayscaleSync(image, options?)`: {@link Grayscale}, returning the result. */
export interface GrayscaleSync {
  <Out extends Uint8Array>(image: ImageInput, options: GrayscaleOptions<Out> & { out: Out }): Out;
  (image: ImageInput, options?: GrayscaleOptions & { out?: undefined }): Uint8Array<ArrayBuffer>;
  (image: ImageInput, options?: GrayscaleOptions): Uint8Array;
}

/** One image codec library compiled into the binary. */
export interface CodecLibrary {
  /** `'libjpeg-turbo'`, `'libpng'`, `'zlib'`, `'libdeflate'`, or `'offloop'` for its own readers. */
  library: string;
  /** Its version, e.g. `'2.1.5'`. */
  version: string;
  /**
   * Which copy runs, as the loader bound it: `'static'`, built into
   * offloop's binary (the prebuilt ones), its symbols hidden; `'system'`, the
   * system's shared library (a build from source); `'runtime'`, the host
   * process's own copy (Node exports its zlib, which a build from source then
   * binds to before the system's).
   */
  linkage: 'static' | 'system' | 'runtime';
}

/** The codec libraries `grayscaleFile` decodes and encodes with. */
export interface CodecsInfo {
  jpeg: CodecLibrary;
  png: CodecLibrary;
  zlib: CodecLibrary;
  /**
   * What deflates encoded PNGs and inflates decoded ones: `'libdeflate'` (prebuilt binaries, or a source build that
   * found it; damaged PNGs still inflate through libpng's zlib) or `'zlib'`.
   */
  deflate: CodecLibrary;
  /** libwebp (`version`: its own, e.g. `'1.2.4'`): WebP reading. */
  webp: CodecLibrary;
  /** libtiff (`version`: its own, e.g. `'4.5.0'`): TIFF reading. */
  tiff: CodecLibrary;
  /** offloop's own GIF reader (`library: 'offloop'`, `version`: the Pillow release whose reading it reproduces). */
  gif: CodecLibrary;
  /** offloop's own BMP reader, likewise. */
  bmp: CodecLibrary;
}

/** The SIMD instruction sets the native kernels can use. */
export type SimdLevel = 'scalar' | 'sse2' | 'avx2' | 'avx512bw' | 'neon' | 'generic';

/**
 * A snapshot of offloop's pool. The job totals count jobs that went through
 * the pool since the process started (every env's); calls computed on the
 * calling thread (small ones, and sync ones of a single chunk) are not counted.
 */
export interface PoolStats {
  /** The pool's target size, as set by `setConcurrency` (default: the available parallelism). */
  threads: number;
  /**
   * Pool threads alive now. After the pool shrinks, surplus threads retire
   * once their current chunk is done, so this drops to `threads` shortly after.
   */
  liveThreads: number;
  /** Pool threads running a chunk right now (0 when the pool is idle). */
  busyThreads: number;
  /** Jobs waiting for a thread, none of their chunks started. */
  queuedJobs: number;
  /** Jobs with at least one chunk started and not yet settled. */
  runningJobs: number;
  /** Jobs that completed with a result. */
  completedJobs: number;
  /** Jobs that failed: a BigInt result that does not fit, or a native failure. */
  failedJobs: number;
  /** Jobs stopped by an abort, a throwing onProgress, or their env going away. */
  cancelledJobs: number;
}
