// Result checks: every contender's output is compared with the pure-JS
// reference (offloop/reference, the tests' oracle) once per case, before any
// of its timings count. A benchmark of a wrong result is worthless, so a
// mismatch aborts the run.

export class VerificationError extends Error {}

function bytesOf(view) {
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}

/** Byte-identical typed arrays (bit-exact squares, gray bytes, copies). */
export function expectSameBytes(actual, expected, what) {
  if (!ArrayBuffer.isView(actual))
    throw new VerificationError(`${what}: expected a TypedArray, got ${describe(actual)}`);
  if (actual.byteLength !== expected.byteLength) {
    throw new VerificationError(`${what}: ${actual.byteLength} bytes, expected ${expected.byteLength}`);
  }
  const a = bytesOf(actual);
  const b = bytesOf(expected);
  if (a.equals(b)) return;
  let i = 0;
  while (a[i] === b[i]) i++;
  throw new VerificationError(`${what}: first differing byte at ${i} (${a[i]} vs ${b[i]})`);
}

/** An array of numbers (number[] or Float64Array) equal element by element (Object.is) to `expected`. */
export function expectSameNumbers(actual, expected, what) {
  if (actual == null || actual.length !== expected.length) {
    throw new VerificationError(`${what}: length ${actual?.length}, expected ${expected.length}`);
  }
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) {
      throw new VerificationError(`${what}: element ${i} is ${actual[i]}, expected ${expected[i]}`);
    }
  }
}

/** A number equal to `expected`, or within `relative` of it when the work was split differently. */
export function expectNumber(actual, expected, what, relative = 0) {
  if (typeof actual !== 'number') throw new VerificationError(`${what}: expected a number, got ${describe(actual)}`);
  if (relative === 0 ? Object.is(actual, expected) : Math.abs(actual - expected) <= relative * Math.abs(expected))
    return;
  throw new VerificationError(
    `${what}: ${actual}, expected ${expected}${relative ? ` (within ${relative} relative)` : ''}`,
  );
}

function describe(value) {
  return value === null
    ? 'null'
    : Array.isArray(value)
      ? 'an Array'
      : typeof value === 'object'
        ? value.constructor?.name
        : typeof value;
}
