/**
 * How every kernel call runs, whichever the kernel and the entry point:
 * read and validate the arguments, then compute in JS, natively on the
 * calling thread, or on the pool, and settle with the semantics both entry
 * points share:
 *
 * - an invalid argument throws (sync) or rejects (async), with a stack that
 *   starts at the user's call;
 * - a signal aborted before the call throws or rejects with `signal.reason`
 *   at once; aborted before the call settles, it rejects with the reason;
 * - `onProgress(done, total)` ends with one `(total, total)` before the call
 *   returns or resolves; if it throws, the call stops and fails with that
 *   error.
 */
import type { NativeBinding } from './binding.js';
import {
  captureCallSite,
  nativeFailureError,
  pointAtCaller,
  unexpectedOverflowError,
  withCallSite,
  type AnyFunction,
  type CallSite,
} from './errors.js';
import { isAborted, reasonOf } from './intrinsics.js';
import { runOnPool } from './job-table.js';
import type { Control } from './options.js';
import { copyNumbers, type PendingCopy } from './validate-squares.js';

/**
 * The sizes that decide where a call runs, by its number of items (elements
 * or pixels). Tests set these to force a path.
 */
export const sizeThresholds = {
  /**
   * Up to this many items, the JS kernels run (on every call): even the
   * native call costs more than they do, and they compute the same bits.
   */
  jsItems: 256,
  /**
   * Up to this many items, an async call still runs natively on the calling
   * thread: handing it to the pool and back would cost more than the work
   * (tens of microseconds at most).
   */
  inlineSquares: 32768,
  inlineSum: 65536,
  inlinePixels: 65536,
};

/** What every validated call has. */
export interface Call {
  control: Control;
  /**
   * Items (elements or pixels), the `total` of progress reports; 0 when
   * only the native job learns it (a file's rows, from its header).
   */
  total: number;
  /** A number[] input still to be copied (see planSquares' `copyAtOnce`). */
  pendingCopy?: PendingCopy;
}

/** `progress(done, total)` as the native sync functions take it. */
export type NativeProgress = (done: number, total: number) => void;

/** The JS kernel when it runs a call of `total` items; undefined when the native one does. */
function jsPath<C extends Call, R>(kernel: Kernel<C, R>, total: number): ((call: C) => R) | undefined {
  return kernel.native === undefined || total <= sizeThresholds.jsItems ? kernel.js : undefined;
}

/** One kernel as the runner drives it: it has JS or native code, or both. */
export interface Kernel<C extends Call, R> {
  /**
   * Reads every argument property once and validates them. A number[]
   * longer than `copyAtOnce` is left in `pendingCopy`.
   */
  prepare(input: unknown, options: unknown, copyAtOnce: number): C;
  /** Checks the call's buffers again after user code ran (between copy slices). */
  recheck?(call: C): void;
  /** Computes the result in JS on the calling thread; absent where only native code can (a file). */
  js?(call: C): R;
  /** The native kernel; offloop/reference has none. */
  native?: NativeKernel<C, R>;
}

/** The native half of a kernel. */
export interface NativeKernel<C extends Call, R> {
  binding: NativeBinding;
  /**
   * Async calls of up to this many items run natively on the calling
   * thread; absent: never (a file's work is unknown until it is read).
   */
  inlineItems?(): number;
  /**
   * Runs the kernel while the calling thread waits (the pool works on calls
   * of more than one chunk), reporting through `progress` when given.
   */
  runSync(call: C, progress: NativeProgress | undefined): R;
  /** Submits a pool job and returns its id. */
  submit(call: C, wantsProgress: boolean): number;
  /** The result of a job that resolved with `value`. */
  result(call: C, value: unknown): R;
  /** The error of a job that overflowed at `index` (-1 for a sum); absent where nothing can overflow. */
  overflow?(call: C, index: number): Error;
  /** The errors of a native failure; absent: {@link nativeFailureError}, placed as offloop's own errors are. */
  failure?: NativeFailureErrors<C>;
  /**
   * True when the call's effect stays once its job completed (a file renamed
   * into place): an abort too late to stop the job then does not fail the call.
   */
  committed?(call: C): boolean;
  /** The `total` of the last progress report, for calls whose `total` is 0 until the job ran. */
  totalOf?(call: C, result: R): number;
}

/** How a kernel turns a native failure into its error, with the frames of the user's call. */
export interface NativeFailureErrors<C> {
  /** From a pool job's failure value (`{ code, message, ... }`), after the call returned. */
  atCallSite(call: C, failure: unknown, site: CallSite): Error;
  /** From what the native sync call threw, during the call of `caller`. */
  atCaller(call: C, thrown: unknown, caller: AnyFunction): Error;
}

// A number[] is copied on the JS thread (no other thread may read it); large
// ones in slices of about a third of a millisecond, the event loop running
// in between, so that a million-element array never stalls it.
const COPY_SLICE = 65536;

/**
 * Runs an async call of `kernel`. Never throws: every failure is a rejected
 * promise. `caller` is the public function, left out of error stacks.
 */
export function runAsync<C extends Call, R>(
  kernel: Kernel<C, R>,
  input: unknown,
  options: unknown,
  caller: AnyFunction,
): Promise<R> {
  let call: C;
  try {
    call = kernel.prepare(input, options, COPY_SLICE);
  } catch (error) {
    return Promise.reject(pointAtCaller(error, caller));
  }
  const { control } = call;
  if (control.abortedAtCall) return Promise.reject(reasonOf(control.signal!));
  if (call.pendingCopy !== undefined) return copyThenStart(kernel, call, call.pendingCopy, captureCallSite(caller));
  try {
    return start(kernel, call, () => captureCallSite(caller));
  } catch (error) {
    return Promise.reject(pointAtCaller(error, caller));
  }
}

async function copyThenStart<C extends Call, R>(
  kernel: Kernel<C, R>,
  call: C,
  copy: PendingCopy,
  site: CallSite,
): Promise<R> {
  const { signal } = call.control;
  const { source, into } = copy;
  const length = into.length;
  for (let begin = 0; begin < length; begin += COPY_SLICE) {
    if (begin > 0) {
      await new Promise((resolve) => setImmediate(resolve));
      if (isAborted(signal)) throw reasonOf(signal!);
    }
    try {
      copyNumbers(source, into, begin, Math.min(length, begin + COPY_SLICE));
    } catch (error) {
      throw withCallSite(error, site);
    }
  }
  if (isAborted(signal)) throw reasonOf(signal!);
  let started: Promise<R>;
  try {
    // Element getters and other turns of the event loop ran since the
    // buffers were checked.
    kernel.recheck?.(call);
    started = start(kernel, call, () => site);
  } catch (error) {
    throw withCallSite(error, site);
  }
  return started;
}

/**
 * Picks the path and starts the work. Throws synchronously what the JS or
 * native call throws on the calling thread; errors of a pool job reject.
 * `siteOf()` gives the user's call site: called only for a pool job (a
 * stack costs more than a small call), before this returns.
 */
function start<C extends Call, R>(kernel: Kernel<C, R>, call: C, siteOf: () => CallSite): Promise<R> {
  const js = jsPath(kernel, call.total);
  if (js !== undefined) return settleInline(js(call), call);
  const native = kernel.native!;
  if (native.inlineItems !== undefined && call.total <= native.inlineItems()) {
    return settleInline(native.runSync(call, undefined), call);
  }
  return runPoolJob(native, call, siteOf());
}

/**
 * Runs a validated call of `native` as a pool job, its errors given the
 * frames of `site`. Throws synchronously only when the native submit does.
 */
export function runPoolJob<C extends Call, R>(native: NativeKernel<C, R>, call: C, site: CallSite): Promise<R> {
  const { failure, overflow, committed } = native;
  return runOnPool<R>(native.binding, {
    control: call.control,
    submit: (wantsProgress) => native.submit(call, wantsProgress),
    result: (value) => native.result(call, value),
    overflow: (index) => withCallSite(overflow?.(call, index) ?? unexpectedOverflowError(), site),
    failure: (value) =>
      failure !== undefined ? failure.atCallSite(call, value, site) : withCallSite(nativeFailureError(value), site),
    committed: committed === undefined ? undefined : () => committed(call),
  });
}

/** The promise of a result computed on the calling thread. */
function settleInline<R>(value: R, call: Call): Promise<R> {
  const { signal, onProgress } = call.control;
  if (signal === undefined && onProgress === undefined) return Promise.resolve(value);
  // A microtask later, so that an abort right after the call still rejects,
  // and progress is never reported before the call returned.
  return Promise.resolve().then(() => {
    if (isAborted(signal)) throw reasonOf(signal!);
    if (onProgress !== undefined) {
      onProgress(call.total, call.total);
      if (isAborted(signal)) throw reasonOf(signal!);
    }
    return value;
  });
}

/**
 * Runs a sync call of `kernel` on the calling thread. `caller` is the public
 * function, left out of error stacks.
 */
export function runSync<C extends Call, R>(
  kernel: Kernel<C, R>,
  input: unknown,
  options: unknown,
  caller: AnyFunction,
): R {
  let call: C;
  try {
    call = kernel.prepare(input, options, Infinity);
  } catch (error) {
    throw pointAtCaller(error, caller);
  }
  const { control, total } = call;
  const { signal, onProgress } = control;
  if (control.abortedAtCall) throw reasonOf(signal!);

  const { native } = kernel;
  const js = jsPath(kernel, total);
  let result: R;
  if (js !== undefined) {
    try {
      result = js(call);
    } catch (error) {
      throw pointAtCaller(error, caller);
    }
  } else {
    const nativeKernel = native!;
    // What the progress function throws (the callback's error, or the abort
    // reason) comes back out of the native call: pass it on untouched.
    let thrownByProgress: { value: unknown } | undefined;
    let lastDone = -1;
    const progress =
      onProgress === undefined
        ? undefined
        : (done: number, all: number): void => {
            try {
              if (done > lastDone && done < all && !isAborted(signal)) {
                lastDone = done;
                onProgress(done, all);
              }
              if (isAborted(signal)) throw reasonOf(signal!);
            } catch (error) {
              thrownByProgress = { value: error };
              throw error;
            }
          };
    try {
      result = nativeKernel.runSync(call, progress);
    } catch (error) {
      if (thrownByProgress !== undefined && error === thrownByProgress.value) throw error;
      const { failure } = nativeKernel;
      throw failure !== undefined ? failure.atCaller(call, error, caller) : pointAtCaller(error, caller);
    }
  }
  if (onProgress !== undefined) {
    const last = total > 0 || native?.totalOf === undefined ? total : native.totalOf(call, result);
    onProgress(last, last);
  }
  // A result that stays (a file written) makes the call succeed, however late the abort.
  if (isAborted(signal) && native?.committed?.(call) !== true) throw reasonOf(signal!);
  return result;
}
