/**
 * Which TypedArray a value is, and whether its memory may be handed to a
 * native thread: not detached, not resizable or growable, not overlapping
 * another argument.
 */
import { invalidArgValueError } from './errors.js';

// %TypedArray%.prototype[@@toStringTag] returns the kind of a genuine
// TypedArray (from any realm; 'Uint8Array' for a Buffer) and undefined for
// anything else, whatever its prototype chain claims.
const typedArrayTagGetter = Object.getOwnPropertyDescriptor(
  Object.getPrototypeOf(Uint8Array.prototype) as object,
  Symbol.toStringTag,
)!.get as (this: unknown) => string | undefined;

/** The TypedArray kind of `value` ('Float64Array', ...), or undefined. */
export function typedArrayTag(value: unknown): string | undefined {
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
export function checkFixedBuffer(view: ArrayBufferView, name: string): void {
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
export function overlaps(a: ArrayBufferView, b: ArrayBufferView): boolean {
  if (a.buffer !== b.buffer) return false;
  const aStart = a.byteOffset;
  const bStart = b.byteOffset;
  return aStart < bStart + b.byteLength && bStart < aStart + a.byteLength;
}
