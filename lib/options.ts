/** Validation of options objects, call controls and the pool size. */
import { AsyncResource } from 'node:async_hooks';

import { invalidArgTypeError, outOfRangeError } from './errors.js';
import { isAbortSignal, isAborted } from './intrinsics.js';
import type { ProgressCallback } from './types.js';

/** The cancellation and progress options of a call, validated. */
export interface Control {
  signal: AbortSignal | undefined;
  onProgress: ProgressCallback | undefined;
  /** Whether `signal` was already aborted when the call read its arguments. */
  abortedAtCall: boolean;
}

/**
 * The options a call read, each exactly once, as own data properties of an
 * object without a prototype: later reads run no user getter, and a key the
 * caller left out reads as undefined, whatever Object.prototype holds.
 */
export type OptionsSnapshot<K extends string> = Readonly<Record<K, unknown>>;

// The common call has no options, and tiny calls should not pay for
// allocating a snapshot.
const NO_OPTIONS: OptionsSnapshot<never> = Object.freeze(Object.create(null) as Record<never, unknown>);
const NO_CONTROL: Readonly<Control> = Object.freeze({ signal: undefined, onProgress: undefined, abortedAtCall: false });

/**
 * Validates an options argument (undefined, or a non-null, non-array
 * object) and reads each of `keys` from it once; other keys are ignored.
 *
 * @param name The argument's name in messages (default `'options'`).
 */
export function readOptions<K extends string>(
  options: unknown,
  keys: readonly K[],
  name = 'options',
): OptionsSnapshot<K> {
  if (options === undefined) return NO_OPTIONS as OptionsSnapshot<K>;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw invalidArgTypeError(name, 'of type object', options);
  }
  const snapshot = Object.create(null) as Record<K, unknown>;
  for (const key of keys) snapshot[key] = (options as Record<K, unknown>)[key];
  return snapshot;
}

/**
 * Validates `signal` (undefined or a genuine AbortSignal) and `onProgress`
 * (undefined or a function) of a snapshot made by {@link readOptions}, and
 * notes whether the signal is already aborted.
 *
 * @param name The options argument's name in messages (default `'options'`).
 */
export function readControl(options: OptionsSnapshot<'signal' | 'onProgress'>, name = 'options'): Control {
  if (options === NO_OPTIONS) return NO_CONTROL;
  const { signal, onProgress } = options;
  if (signal !== undefined && !isAbortSignal(signal)) {
    throw invalidArgTypeError(`${name}.signal`, 'an instance of AbortSignal', signal);
  }
  if (onProgress !== undefined && typeof onProgress !== 'function') {
    throw invalidArgTypeError(`${name}.onProgress`, 'of type function', onProgress);
  }
  if (signal === undefined && onProgress === undefined) return NO_CONTROL;
  return {
    signal,
    onProgress: inCallersContext(onProgress as ProgressCallback | undefined),
    abortedAtCall: isAborted(signal),
  };
}

/**
 * Binds a user callback to the async context of the call that passed it.
 * offloop calls callbacks from the native side's own callback, which runs
 * in the context of whatever first started a pool job in the environment:
 * without this, `AsyncLocalStorage` in onProgress would see that caller's
 * store, not this one's (as piscina binds each task to an AsyncResource).
 */
export function inCallersContext<F extends (...args: never[]) => unknown>(callback: F | undefined): F | undefined {
  // (@types/node types bind's argument as taking any arguments: a function of never[] is not one.)
  return callback === undefined
    ? undefined
    : (AsyncResource.bind(callback as unknown as (...args: unknown[]) => unknown) as unknown as F);
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
