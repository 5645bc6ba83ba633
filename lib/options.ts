/** Validation of options objects, async controls and the pool size. */
import { invalidArgTypeError, outOfRangeError } from './errors.js';

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
