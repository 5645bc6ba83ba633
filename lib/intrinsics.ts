/**
 * The built-in getters and methods offloop reads buffer facts and signal
 * state through, captured when offloop loads.
 *
 * A property read such as `view.buffer` or `buffer.resizable` runs whatever
 * getter the object, its prototype chain or a Proxy supplies, and an own
 * property can lie. Such a getter could resize, transfer or detach a buffer
 * after offloop checked it and before a native thread uses it. Calling the
 * original getters with an explicit receiver runs no user code and cannot
 * be lied to. Each function is bound once here, so that later changes to
 * `Function.prototype.call` or to the prototypes cannot reach it either.
 */
import { types } from 'node:util';

type AnyBuffer = ArrayBuffer | SharedArrayBuffer;

// uncurry(getter)(receiver, ...args) is getter.call(receiver, ...args),
// bound now rather than looked up at each call.
const uncurry = Function.prototype.bind.bind(Function.prototype.call) as <T>(
  fn: (...args: never[]) => T,
) => (receiver: unknown, ...args: unknown[]) => T;

function getterOf<T>(prototype: object, key: PropertyKey): ((receiver: unknown) => T) | undefined {
  const get = Object.getOwnPropertyDescriptor(prototype, key)?.get as ((this: unknown) => T) | undefined;
  return get === undefined ? undefined : uncurry(get);
}

function requiredGetter<T>(prototype: object, key: PropertyKey): (receiver: unknown) => T {
  const get = getterOf<T>(prototype, key);
  if (get === undefined) throw new Error(`offloop: this JavaScript engine lacks the ${String(key)} getter`);
  return get;
}

const typedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype) as object;

/** The ArrayBuffer or SharedArrayBuffer under a genuine TypedArray. */
export const bufferOf = requiredGetter<AnyBuffer>(typedArrayPrototype, 'buffer');
/** A genuine TypedArray's offset into its buffer, in bytes. */
export const byteOffsetOf = requiredGetter<number>(typedArrayPrototype, 'byteOffset');
/** A genuine TypedArray's length in bytes (0 once detached). */
export const byteLengthOf = requiredGetter<number>(typedArrayPrototype, 'byteLength');
/** A genuine TypedArray's length in elements (0 once detached). */
export const lengthOf = requiredGetter<number>(typedArrayPrototype, 'length');

const typedArrayTagGetter = requiredGetter<string | undefined>(typedArrayPrototype, Symbol.toStringTag);

/**
 * The kind of a genuine TypedArray from any realm ('Float64Array',
 * 'Uint8Array' for a Buffer, ...), and undefined for anything else (a Proxy
 * included), whatever its prototype chain claims.
 */
export function typedArrayTag(value: unknown): string | undefined {
  return typedArrayTagGetter(value);
}

/** The `resizable` getter of ArrayBuffer.prototype, for the native side too. */
export const arrayBufferResizableGetter = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, 'resizable')?.get;
/** The `growable` getter of SharedArrayBuffer.prototype, for the native side too. */
export const sharedArrayBufferGrowableGetter =
  typeof SharedArrayBuffer === 'function'
    ? Object.getOwnPropertyDescriptor(SharedArrayBuffer.prototype, 'growable')?.get
    : undefined;

const arrayBufferByteLength = requiredGetter<number>(ArrayBuffer.prototype, 'byteLength');
const arrayBufferResizable = getterOf<boolean>(ArrayBuffer.prototype, 'resizable');
// Node 22 and later.
const arrayBufferDetached = getterOf<boolean>(ArrayBuffer.prototype, 'detached');
const sharedArrayBufferGrowable =
  typeof SharedArrayBuffer === 'function' ? getterOf<boolean>(SharedArrayBuffer.prototype, 'growable') : undefined;

const { isSharedArrayBuffer: isShared } = types;
const Uint8ArrayConstructor = Uint8Array;

/** True for a SharedArrayBuffer (a native brand check: no user code runs). */
export function isSharedArrayBuffer(buffer: AnyBuffer): buffer is SharedArrayBuffer {
  return isShared(buffer);
}

/** True when an ArrayBuffer was detached (transferred); never for a SharedArrayBuffer. */
export function isDetached(buffer: AnyBuffer): boolean {
  if (isShared(buffer)) return false;
  if (arrayBufferDetached !== undefined) return arrayBufferDetached(buffer);
  if (arrayBufferByteLength(buffer) !== 0) return false;
  // Node 20 has no `detached` getter. ArrayBuffer.prototype.slice would tell,
  // but on a live buffer it reads `buffer.constructor` (a species lookup),
  // which user code can intercept; constructing a view reads nothing from the
  // buffer and throws only when it is detached.
  try {
    new Uint8ArrayConstructor(buffer, 0, 0);
    return false;
  } catch {
    return true;
  }
}

/** True for an ArrayBuffer made with `maxByteLength`, whose length can change. */
export function isResizable(buffer: AnyBuffer): boolean {
  return !isShared(buffer) && arrayBufferResizable !== undefined && arrayBufferResizable(buffer);
}

/** True for a SharedArrayBuffer made with `maxByteLength`, whose length can grow. */
export function isGrowable(buffer: AnyBuffer): boolean {
  return isShared(buffer) && sharedArrayBufferGrowable?.(buffer) === true;
}

const abortSignalAborted = requiredGetter<boolean>(AbortSignal.prototype, 'aborted');
const abortSignalReason = requiredGetter<unknown>(AbortSignal.prototype, 'reason');
const addListener = uncurry(EventTarget.prototype.addEventListener);
const removeListener = uncurry(EventTarget.prototype.removeEventListener);
const { isProxy } = types;

/**
 * True for a genuine AbortSignal: the original `aborted` getter accepts only
 * those. A Proxy is not one, even around a genuine signal.
 */
export function isAbortSignal(value: unknown): value is AbortSignal {
  if (typeof value !== 'object' || value === null || isProxy(value)) return false;
  try {
    abortSignalAborted(value);
    return true;
  } catch {
    return false;
  }
}

/** Whether a genuine AbortSignal is aborted, ignoring any own or inherited `aborted` property. */
export function isAborted(signal: AbortSignal | undefined): boolean {
  return signal !== undefined && abortSignalAborted(signal);
}

/** The abort reason of a genuine AbortSignal. */
export function reasonOf(signal: AbortSignal): unknown {
  return abortSignalReason(signal);
}

const ONCE = Object.freeze({ once: true });

/** Calls `listener` once when `signal` aborts. */
export function addAbortListener(signal: AbortSignal, listener: () => void): void {
  addListener(signal, 'abort', listener, ONCE);
}

/** Undoes {@link addAbortListener}. */
export function removeAbortListener(signal: AbortSignal, listener: () => void): void {
  removeListener(signal, 'abort', listener);
}
