// offloop's public API: validate in JS (clear errors, stable codes), then
// run the native kernel on offloop's pool, or inline when the input is too
// small to be worth a thread hop.
import { OutputType, binaryInfo, binding } from './binding.js';
import type { BinaryInfo, NativePoolStats } from './binding.js';
import { squareOverflowError, sumOverflowError } from './errors.js';
import { runOnPool, settledInline } from './jobs.js';
import * as reference from './reference.js';
import type {
  GrayscaleAsyncOptions,
  GrayscaleOptions,
  ImageInput,
  NumericRange,
  SquaresAsyncOptions,
  SquaresInput,
  SquaresOptions,
  SquaresOutput,
  SquaresResult,
  SumAsyncOptions,
  SumOptions,
  SumResult,
} from './types.js';
import {
  allocateSquaresOut,
  checkConcurrency,
  checkGrayOut,
  checkSquaresOut,
  copyNumbers,
  planGrayscale,
  planLength,
  planSquares,
  readAsyncControl,
  readOptions,
} from './validate.js';
import type { AsyncControl, GrayPlan, SquaresPlan } from './validate.js';

export type * from './types.js';
export type { BinaryInfo } from './binding.js';
export type { OffloopErrorCode } from './errors.js';

// Inputs this small are computed on the calling thread: handing them to the
// pool and back costs more than doing them (tens of microseconds at most).
const INLINE_SQUARES = 32768;
const INLINE_SUM = 65536;
const INLINE_PIXELS = 65536;
// Below this many elements or pixels even the native call costs more than a
// JS loop: the reference kernels, which compute the same bits, run instead.
const JS_ITEMS = 256;

type SquaresArg = SquaresInput | readonly number[];

function squaresOverflow(plan: SquaresPlan, out: SquaresOutput, index: number): Error {
  if (plan.kind !== 'array' || plan.bigint === false) return new RangeError('offloop: unexpected overflow');
  // Squaring in place may already have overwritten the element.
  const value = out === plan.array ? undefined : (plan.array as BigInt64Array | BigUint64Array)[index];
  return squareOverflowError(index, value, plan.bigint);
}

function sumOverflow(plan: SquaresPlan): Error {
  if (plan.kind !== 'array' || plan.bigint === false) return new RangeError('offloop: unexpected overflow');
  return sumOverflowError(plan.bigint);
}

// Outputs from this size on are allocated natively (see allocateOutput).
const NATIVE_OUTPUT_BYTES = 4 * 1024 * 1024;

/** A new result array, on fresh pages the pool threads first-touch when large. */
function newSquaresOut(plan: SquaresPlan): SquaresOutput {
  const length = planLength(plan);
  if (length * 8 < NATIVE_OUTPUT_BYTES) return allocateSquaresOut(plan);
  const type = plan.kind === 'array' && plan.bigint !== false ? (plan.bigint === 'BigInt64Array' ? OutputType.BigInt64 : OutputType.BigUint64) : OutputType.Float64;
  return (binding.allocateOutput(type, length) as SquaresOutput | undefined) ?? allocateSquaresOut(plan);
}

function newGrayOut(pixels: number): Uint8Array {
  if (pixels < NATIVE_OUTPUT_BYTES) return new Uint8Array(pixels);
  return (binding.allocateOutput(OutputType.Uint8, pixels) as Uint8Array | undefined) ?? new Uint8Array(pixels);
}

function nativeInput(plan: SquaresPlan): [ArrayBufferView | undefined, number, number] {
  return plan.kind === 'range' ? [undefined, plan.from, plan.count] : [plan.array, 0, plan.length];
}

// A number[] must be copied into a Float64Array on the JS thread (no other
// thread may read a JS array). Large ones are copied in slices of about a
// third of a millisecond, with the event loop running in between, so that a
// million-element array never stalls it.
const COPY_SLICE = 65536;

function isLargeNumberArray(input: unknown): boolean {
  return Array.isArray(input) && input.length > COPY_SLICE;
}

async function copyInSlices(input: readonly unknown[], plan: SquaresPlan, control: AsyncControl, site: { stack?: string }): Promise<void> {
  const into = (plan as { array: Float64Array }).array;
  for (let start = 0; start < into.length; start += COPY_SLICE) {
    if (start > 0) {
      await new Promise((resolve) => setImmediate(resolve));
      if (control.signal?.aborted) throw control.signal.reason;
    }
    try {
      copyNumbers(input, into, start, Math.min(into.length, start + COPY_SLICE));
    } catch (error) {
      throw withCallSite(error as Error, site);
    }
  }
}

/** Points an error's stack at the user's call instead of the settling tick. */
function withCallSite(error: Error, site: { stack?: string }): Error {
  if (site.stack !== undefined && error.stack !== undefined) {
    // Keep the error's own header (Node-style errors show their code there).
    const firstFrame = error.stack.indexOf('\n    at ');
    const header = firstFrame < 0 ? error.stack : error.stack.slice(0, firstFrame);
    error.stack = header + site.stack.slice(site.stack.indexOf('\n'));
  }
  return error;
}

function squaresInto(plan: SquaresPlan, out: SquaresOutput): void {
  const [input, first, count] = nativeInput(plan);
  if (count <= JS_ITEMS) {
    reference.squaresInto(plan, out);
    return;
  }
  const overflow = binding.squaresSync(input, first, count, out);
  if (overflow >= 0) throw squaresOverflow(plan, out, overflow);
}

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
export function computeSquares<I extends SquaresArg>(input: I, options?: SquaresAsyncOptions): Promise<SquaresResult<I>> {
  try {
    const opts = readOptions(options);
    const control = readAsyncControl(opts);
    const sliced = isLargeNumberArray(input);
    const plan = planSquares(input, 'input', 'squares', sliced);
    const out = checkSquaresOut(plan, opts.out) ?? newSquaresOut(plan);
    if (control.signal?.aborted) return Promise.reject(control.signal.reason);
    const site: { stack?: string } = {};
    if (sliced || (plan.kind === 'array' && plan.bigint !== false)) Error.captureStackTrace(site, computeSquares);
    const run = (): Promise<SquaresResult<I>> => {
      const count = planLength(plan);
      if (count <= INLINE_SQUARES) {
        squaresInto(plan, out);
        return settledInline(out as SquaresResult<I>, count, control);
      }
      const [nativeIn, first] = nativeInput(plan);
      return runOnPool(binding, {
        submit: (wantsProgress) => binding.squares(nativeIn, first, count, out, wantsProgress),
        control,
        finish: () => out as SquaresResult<I>,
        overflow: (index) => withCallSite(squaresOverflow(plan, out, index), site),
      });
    };
    return sliced ? copyInSlices(input as readonly unknown[], plan, control, site).then(run) : run();
  } catch (error) {
    return Promise.reject(error);
  }
}

/** computeSquares on the calling thread's behalf: blocks it until the pool is done. */
export function computeSquaresSync<I extends SquaresArg>(input: I, options?: SquaresOptions): SquaresResult<I> {
  const opts = readOptions(options);
  const plan = planSquares(input, 'input', 'squares');
  const out = checkSquaresOut(plan, opts.out) ?? newSquaresOut(plan);
  squaresInto(plan, out);
  return out as SquaresResult<I>;
}

function sumOnThisThread(plan: SquaresPlan): number | bigint {
  const [input, first, count] = nativeInput(plan);
  if (count <= JS_ITEMS) return reference.sumOfSquaresOf(plan);
  return sumValue(plan, binding.sumOfSquaresSync(input, first, count));
}

function sumValue(plan: SquaresPlan, value: number | bigint | null): number | bigint {
  if (value === null) throw sumOverflow(plan);
  return value;
}

/**
 * The sum of the squares of `input` (same inputs as computeSquares). The
 * result is identical whatever the pool size: the work is cut into fixed
 * blocks, each summed with compensated arithmetic and folded in order, at
 * least as accurate as pairwise summation. BigInt inputs give a bigint
 * (RangeError when the sum does not fit 64 bits).
 */
export function sumOfSquares<I extends SquaresArg>(input: I, options?: SumAsyncOptions): Promise<SumResult<I>> {
  try {
    const control = readAsyncControl(readOptions(options));
    const sliced = isLargeNumberArray(input);
    const plan = planSquares(input, 'input', 'sum', sliced);
    if (control.signal?.aborted) return Promise.reject(control.signal.reason);
    const site: { stack?: string } = {};
    if (sliced || (plan.kind === 'array' && plan.bigint !== false)) Error.captureStackTrace(site, sumOfSquares);
    const run = (): Promise<SumResult<I>> => {
      const [nativeIn, first, count] = nativeInput(plan);
      if (count <= INLINE_SUM) return settledInline(sumOnThisThread(plan) as SumResult<I>, count, control);
      return runOnPool(binding, {
        submit: (wantsProgress) => binding.sumOfSquares(nativeIn, first, count, wantsProgress),
        control,
        finish: (value) => value as SumResult<I>,
        overflow: () => withCallSite(sumOverflow(plan), site),
      });
    };
    return sliced ? copyInSlices(input as readonly unknown[], plan, control, site).then(run) : run();
  } catch (error) {
    return Promise.reject(error);
  }
}

/** sumOfSquares, blocking the calling thread until the pool is done. */
export function sumOfSquaresSync<I extends SquaresArg>(input: I, options?: SumOptions): SumResult<I> {
  readOptions(options);
  const plan = planSquares(input, 'input', 'sum');
  return sumOnThisThread(plan) as SumResult<I>;
}

function grayscaleOnThisThread(plan: GrayPlan, out: Uint8Array): void {
  if (plan.pixels <= JS_ITEMS) reference.grayscaleInto(plan, out);
  else binding.grayscaleSync(...grayArgs(plan, out));
}

function grayArgs(plan: GrayPlan, out: Uint8Array) {
  return [plan.data, plan.width, plan.height, plan.channels, plan.stride, plan.bgr, plan.weights === 'bt709', out] as const;
}

/**
 * Converts RGB/RGBA (or, with `order: 'bgr'`, BGR/BGRA) pixels to 8-bit
 * gray, bit-exact with Pillow's `convert('L')` for the default `bt601`
 * weights. Resolves to a Uint8Array of width*height bytes (or `options.out`).
 */
export function grayscale(image: ImageInput, options?: GrayscaleAsyncOptions): Promise<Uint8Array> {
  try {
    const opts = readOptions(options);
    const control = readAsyncControl(opts);
    const plan = planGrayscale(image, opts);
    const out = checkGrayOut(plan, opts.out) ?? newGrayOut(plan.pixels);
    if (control.signal?.aborted) return Promise.reject(control.signal.reason);
    const args = grayArgs(plan, out);
    if (plan.pixels <= INLINE_PIXELS) {
      grayscaleOnThisThread(plan, out);
      return settledInline(out, plan.pixels, control);
    }
    return runOnPool(binding, {
      submit: (wantsProgress) => binding.grayscale(...args, wantsProgress),
      control,
      finish: () => out,
    });
  } catch (error) {
    return Promise.reject(error);
  }
}

/** grayscale, blocking the calling thread until the pool is done. */
export function grayscaleSync(image: ImageInput, options?: GrayscaleOptions): Uint8Array {
  const opts = readOptions(options);
  const plan = planGrayscale(image, opts);
  const out = checkGrayOut(plan, opts.out) ?? newGrayOut(plan.pixels);
  grayscaleOnThisThread(plan, out);
  return out;
}

/**
 * Sizes offloop's pool (1 to 1024 threads), at any time, also while jobs
 * run: new threads start at once, surplus ones retire after their current
 * chunk. The pool is shared by every thread of the process that uses offloop.
 */
export function setConcurrency(threads: number): void {
  binding.setConcurrency(checkConcurrency(threads));
}

/** The pool's size: by default the machine's available parallelism. */
export function getConcurrency(): number {
  return binding.getConcurrency();
}

/** A snapshot of the pool: its size, current load, and job totals since start. */
export interface PoolStats extends NativePoolStats {}

export function poolStats(): PoolStats {
  return binding.poolStats();
}

/** What this process runs: the binary loaded, the SIMD path the kernels use, the default pool size. */
export interface Features {
  simd: string;
  binary: BinaryInfo;
  defaultConcurrency: number;
}

export function features(): Features {
  return { simd: binding.features().simd, binary: { ...binaryInfo }, defaultConcurrency: binding.defaultConcurrency() };
}

export type { NumericRange };

// The default export is this module's own namespace, so `import offloop from
// 'offloop'` works the same from ES modules and from CommonJS compiled by
// TypeScript or a bundler (which read `exports.default`).
export * as default from './index.js';
