/**
 * offloop/reference: the same kernels and API as offloop, in plain
 * JavaScript on the main thread.
 *
 * Results are bit-for-bit identical to the native kernels (the sum of squares
 * follows the same blocked, compensated arithmetic; see ./sum.ts), so this
 * module is the oracle of the tests and the pure-JS baseline of the
 * benchmarks. Arguments are validated by the same code (./validate.ts) and
 * fail with the same errors.
 */
import { invalidArgValueError, outOfRangeError, squareOverflowError, sumOverflowError } from './errors.js';
import { sumSquaresOfArray, sumSquaresOfRange } from './sum.js';
import type {
  AsyncOptions,
  GrayscaleOptions,
  ImageInput,
  SquaresInput,
  SquaresOptions,
  SquaresOutput,
  SquaresResult,
  SumOptions,
  SumResult,
} from './types.js';
import {
  allocateSquaresOut,
  checkGrayOut,
  checkSquaresOut,
  planGrayscale,
  planLength,
  planSquares,
  readAsyncControl,
  readOptions,
  type AsyncControl,
  type GrayPlan,
  type SquaresPlan,
} from './validate.js';

const INT64_SQUARE_LIMIT = 3037000499n; // floor(sqrt(2^63 - 1))
const UINT64_SQUARE_LIMIT = 4294967295n; // 2^32 - 1
const INT64_MAX = (1n << 63n) - 1n;
const UINT64_MAX = (1n << 64n) - 1n;

/** 16-bit fixed-point luma weights (R, G, B), each triple summing to 65536. */
export const GRAY_WEIGHTS = {
  bt601: [19595, 38470, 7471],
  bt709: [13933, 46871, 4732],
} as const satisfies Record<'bt601' | 'bt709', readonly [number, number, number]>;

// ---------------------------------------------------------------------------
// Low-level kernels (validated plans in, no argument checks)

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
  if (out.length !== n) throw outOfRangeError('out', `have length ${n}`, `length ${out.length}`);
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
 * kernels' exact arithmetic (see ./sum.ts), or an exact bigint for BigInt
 * arrays.
 *
 * @throws RangeError ERR_OUT_OF_RANGE (sumOverflowError) when a BigInt sum
 *   exceeds 2^63 - 1 (BigInt64Array) or 2^64 - 1 (BigUint64Array).
 */
export function sumOfSquaresOf(plan: SquaresPlan): number | bigint {
  if (plan.kind === 'range') return sumSquaresOfRange(plan.from, plan.count);
  if (plan.bigint !== false) return sumOfBigInts(plan.array as BigInt64Array | BigUint64Array, plan.length, plan.bigint);
  return sumSquaresOfArray(plan.array as Exclude<typeof plan.array, BigInt64Array | BigUint64Array>, plan.length);
}

/**
 * Writes the gray bytes of a validated image into `out` (width * height
 * bytes, rows packed): `(R * wr + G * wg + B * wb + 0x8000) >>> 16`.
 */
export function grayscaleInto(plan: GrayPlan, out: Uint8Array): void {
  if (out.length !== plan.pixels) throw outOfRangeError('out', `have length ${plan.pixels}`, `length ${out.length}`);
  const { data, width, height, channels, stride } = plan;
  const w = GRAY_WEIGHTS[plan.weights];
  const wr = w[0];
  const wg = w[1];
  const wb = w[2];
  const ri = plan.bgr ? 2 : 0;
  const bi = plan.bgr ? 0 : 2;
  let o = 0;
  for (let y = 0; y < height; y++) {
    let p = y * stride;
    for (let x = 0; x < width; x++) {
      out[o++] = (data[p + ri] * wr + data[p + 1] * wg + data[p + bi] * wb + 0x8000) >>> 16;
      p += channels;
    }
  }
}

// ---------------------------------------------------------------------------
// Public API (same signatures as offloop's)

function squaresSetup(input: unknown, options: unknown): { plan: SquaresPlan; out: SquaresOutput | undefined; opts: Record<string, unknown> } {
  const opts = readOptions(options);
  const plan = planSquares(input, 'input', 'squares');
  return { plan, out: checkSquaresOut(plan, opts.out), opts };
}

function graySetup(image: unknown, options: unknown): { plan: GrayPlan; out: Uint8Array | undefined; opts: Record<string, unknown> } {
  const opts = readOptions(options);
  const plan = planGrayscale(image, opts);
  return { plan, out: checkGrayOut(plan, opts.out), opts };
}

/**
 * Squares every element (or every integer of a range) on the calling thread.
 * Returns a Float64Array, or the same BigInt array type for BigInt inputs;
 * `options.out` is filled and returned when given.
 */
export function computeSquaresSync<I extends SquaresInput>(
  input: I,
  options?: SquaresOptions<SquaresResult<I>>,
): SquaresResult<I> {
  const setup = squaresSetup(input, options);
  const out = setup.out ?? allocateSquaresOut(setup.plan);
  squaresInto(setup.plan, out);
  return out as SquaresResult<I>;
}

/** The sum of the squares, on the calling thread: a number, or a bigint for BigInt arrays. */
export function sumOfSquaresSync<I extends SquaresInput>(input: I, options?: SumOptions): SumResult<I> {
  readOptions(options);
  return sumOfSquaresOf(planSquares(input, 'input', 'sum')) as SumResult<I>;
}

/** The 8-bit gray image (width * height bytes) on the calling thread. */
export function grayscaleSync(image: ImageInput, options?: GrayscaleOptions): Uint8Array {
  const { plan, out: given } = graySetup(image, options);
  const out = given ?? new Uint8Array(plan.pixels);
  grayscaleInto(plan, out);
  return out;
}

/** Throws if a view validated earlier was detached since (transferred before the work ran). */
function checkStillAttached(view: ArrayBufferView, length: number, name: string): void {
  if (length > 0 && view.byteLength === 0) {
    throw invalidArgValueError(name, view, 'was detached (its ArrayBuffer was transferred) before the work ran');
  }
}

/**
 * Runs `work` on the main thread in a later macrotask, as the native API
 * would run it on its pool: rejects with `signal.reason` at once if the
 * signal is (or becomes) aborted before the work runs; calls
 * `onProgress(total, total)` once before resolving.
 */
function runLater<T>(control: AsyncControl, total: number, work: () => T): Promise<T> {
  const { signal, onProgress } = control;
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      clearImmediate(immediate);
      reject(signal!.reason);
    };
    const immediate = setImmediate(() => {
      signal?.removeEventListener('abort', onAbort);
      try {
        const result = work();
        onProgress?.(total, total);
        resolve(result);
      } catch (error) {
        reject(error);
      }
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Promise version of {@link computeSquaresSync}, computed on the main thread.
 * Never throws: invalid arguments give a rejected promise.
 */
export function computeSquares<I extends SquaresInput>(
  input: I,
  options?: SquaresOptions<SquaresResult<I>> & AsyncOptions,
): Promise<SquaresResult<I>> {
  try {
    const { plan, out: given, opts } = squaresSetup(input, options);
    const control = readAsyncControl(opts);
    if (control.signal?.aborted) return Promise.reject(control.signal.reason);
    const out = given ?? allocateSquaresOut(plan);
    const n = planLength(plan);
    return runLater(control, n, () => {
      if (plan.kind === 'array') checkStillAttached(plan.array, n, 'input');
      checkStillAttached(out, n, 'options.out');
      squaresInto(plan, out);
      return out as SquaresResult<I>;
    });
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * Promise version of {@link sumOfSquaresSync}, computed on the main thread.
 * Never throws: invalid arguments give a rejected promise.
 */
export function sumOfSquares<I extends SquaresInput>(input: I, options?: SumOptions & AsyncOptions): Promise<SumResult<I>> {
  try {
    const opts = readOptions(options);
    const plan = planSquares(input, 'input', 'sum');
    const n = planLength(plan);
    return runLater(readAsyncControl(opts), n, () => {
      if (plan.kind === 'array') checkStillAttached(plan.array, n, 'input');
      return sumOfSquaresOf(plan) as SumResult<I>;
    });
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * Promise version of {@link grayscaleSync}, computed on the main thread.
 * Never throws: invalid arguments give a rejected promise.
 */
export function grayscale(image: ImageInput, options?: GrayscaleOptions & AsyncOptions): Promise<Uint8Array> {
  try {
    const { plan, out: given, opts } = graySetup(image, options);
    const control = readAsyncControl(opts);
    if (control.signal?.aborted) return Promise.reject(control.signal.reason);
    const out = given ?? new Uint8Array(plan.pixels);
    return runLater(control, plan.pixels, () => {
      checkStillAttached(plan.data, plan.pixels, 'image.data');
      checkStillAttached(out, plan.pixels, 'options.out');
      grayscaleInto(plan, out);
      return out;
    });
  } catch (error) {
    return Promise.reject(error);
  }
}
