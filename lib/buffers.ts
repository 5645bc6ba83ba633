/**
 * Whether a view's memory may be handed to a native thread: not detached,
 * not resizable or growable, not overlapping another argument. Every fact is
 * read through the getters captured in ./intrinsics.ts, so no user code runs
 * here and no own property can lie.
 */
import { invalidArgValueError } from './errors.js';
import { bufferOf, byteLengthOf, byteOffsetOf, isDetached, isGrowable, isResizable } from './intrinsics.js';

export { typedArrayTag } from './intrinsics.js';

/**
 * Rejects views whose length could change (or has) while a native thread
 * works on them: detached buffers, resizable ArrayBuffers and growable
 * SharedArrayBuffers.
 */
export function checkFixedBuffer(view: ArrayBufferView, name: string): void {
  const buffer = bufferOf(view);
  if (isDetached(buffer)) {
    throw invalidArgValueError(
      name,
      view,
      'is backed by a detached ArrayBuffer (it was transferred), so it has no data',
    );
  }
  if (isResizable(buffer)) {
    throw invalidArgValueError(
      name,
      view,
      'is backed by a resizable ArrayBuffer, whose length could change while a native thread uses it; ' +
        'copy it into a fixed-length ArrayBuffer first',
    );
  }
  if (isGrowable(buffer)) {
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
  if (bufferOf(a) !== bufferOf(b)) return false;
  const aStart = byteOffsetOf(a);
  const bStart = byteOffsetOf(b);
  return aStart < bStart + byteLengthOf(b) && bStart < aStart + byteLengthOf(a);
}
