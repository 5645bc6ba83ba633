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
import { captureCallSite, nativeFailureError, pointAtCaller, withCallSite, type AnyFunction, type CallSite } from './errors.js';
import { isAborted, reasonOf } from './intrinsics.js';
import { runOnPool } from './jobs.js';
import type { Control } from './options.js';
import { copyNumbers, type PendingCopy } from './validate-squares.js';

/**
 * Where a call runs, by its number of items (elements or pixels). Tests set
 * these to force a path.
 */
export const paths = {
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
  /** Items (elements or pixels), the `total` of progress reports. */
  total: number;
  /** A number[] input still to be copied (see planSquares' `copyAtOnce`). */
  pendingCopy?: PendingCopy;
}

/** `progress(done, total)` as the native sync functions take it. */
export type NativeProgress = (done: number, total: number) => void;

/** One kernel as the runner drives it. */
export interface Kernel<C extends Call, R> {
  /**
   * Reads every argument property once and validates them. A number[]
   * longer than `copyAtOnce` is left in `pendingCopy`.
   */
  prepare(input: unknown, options: unknown, copyAtOnce: number): C;
  /** Checks the call's buffers again after user code ran (between copy slices). */
  recheck?(call: C): void;
  /** Computes the result in JS on the calling thread. */
  js(call: C): R;
  /** The native kernel; offloop/reference has none. */
  native?: NativeKernel<C, R>;
}

/** The native half of a kernel. */
export interface NativeKernel<C extends Call, R> {
  binding: NativeBinding;
  /** Async calls of up to this many items run natively on the calling thread. */
  inlineItems(): number;
  /**
   * Runs the kernel while the calling thread waits (the pool works on calls
   * of more than one chunk), reporting through `progress` when given.
   */
  runSync(call: C, progress: NativeProgress | undefined): R;
  /** Submits a pool job and returns its id. */
  submit(call: C, wantsProgress: boolean): number;
  /** The result of a job that resolved with `value`. */
  result(call: C, value: unknown): R;
  /** The error of a job that overflowed at `index` (-1 for a sum). */
  overflow(call: C, index: number): Error;
}

// A number[] is copied on the JS thread (no other thread may read it); large
// ones in slices of about a third of a millisecond, the event loop running
// in between, so that a million-element array never stalls it.
const COPY_SLICE = 65536;

/**
 * Runs an async call of `kernel`. Never throws: every failure is a rejected
 * promise. `caller` is the public function, left out of error stacks.
 */
export function runAsync<C extends Call, R>(kernel: Kernel<C, R>, input: unknown, options: unknown, caller: AnyFunction): Promise<R> {
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
    return start(kernel, call, caller, undefined);
  } catch (error) {
    return Promise.reject(pointAtCaller(error, caller));
  }
}

async function copyThenStart<C extends Call, R>(kernel: Kernel<C, R>, call: C, copy: PendingCopy, site: CallSite): Promise<R> {
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
    started = start(kernel, call, undefined, site);
  } catch (error) {
    throw withCallSite(error, site);
  }
  return started;
}

/**
 * Picks the path and starts the work. Throws synchronously what the JS or
 * native call throws on the calling thread; errors of a pool job reject.
 */
function start<C extends Call, R>(kernel: Kernel<C, R>, call: C, caller: AnyFunction | undefined, site: CallSite | undefined): Promise<R> {
  const { native } = kernel;
  if (native === undefined || call.total <= paths.jsItems) return settleInline(kernel.js(call), call);
  if (call.total <= native.inlineItems()) return settleInline(native.runSync(call, undefined), call);
  const jobSite = site ?? captureCallSite(caller!);
  return runOnPool<R>(native.binding, {
    control: call.control,
    submit: (wantsProgress) => native.submit(call, wantsProgress),
    result: (value) => native.result(call, value),
    overflow: (index) => withCallSite(native.overflow(call, index), jobSite),
    failure: (failure) => withCallSite(nativeFailureError(failure), jobSite),
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
export function runSync<C extends Call, R>(kernel: Kernel<C, R>, input: unknown, options: unknown, caller: AnyFunction): R {
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
  let result: R;
  if (native === undefined || total <= paths.jsItems) {
    try {
      result = kernel.js(call);
    } catch (error) {
      throw pointAtCaller(error, caller);
    }
  } else {
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
      result = native.runSync(call, progress);
    } catch (error) {
      if (thrownByProgress !== undefined && error === thrownByProgress.value) throw error;
      throw pointAtCaller(error, caller);
    }
  }
  if (onProgress !== undefined) onProgress(total, total);
  if (isAborted(signal)) throw reasonOf(signal!);
  return result;
}
