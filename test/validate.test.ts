import { describe, expect, it } from 'vitest';
import { NUMBER_ARRAY_TYPES } from './helpers.js';

import {
  describeReceived,
  isOffloopError,
  nativeFailureError,
  invalidArgTypeError,
  invalidArgValueError,
  outOfRangeError,
  squareOverflowError,
  sumOverflowError,
} from '../lib/errors.js';
import {
  MAX_SQUARES_LENGTH,
  allocateSquaresOut,
  checkConcurrency,
  checkGrayOut,
  checkSquaresOut,
  planGrayscale,
  planSquares,
  prepareGrayscale,
  readControl,
  readOptions,
  type GrayPlan,
} from '../lib/validate.js';

type Code = 'ERR_INVALID_ARG_TYPE' | 'ERR_INVALID_ARG_VALUE' | 'ERR_OUT_OF_RANGE';
const CLASS_OF: Record<Code, typeof TypeError | typeof RangeError> = {
  ERR_INVALID_ARG_TYPE: TypeError,
  ERR_INVALID_ARG_VALUE: TypeError,
  ERR_OUT_OF_RANGE: RangeError,
};

/** Asserts fn throws the Node-style error for `code` with a message matching `message`. */
function expectThrows(fn: () => unknown, code: Code, message: RegExp): void {
  let thrown: unknown;
  let threw = false;
  try {
    fn();
  } catch (error) {
    threw = true;
    thrown = error;
  }
  expect(threw, `expected a ${code} error matching ${message}`).toBe(true);
  const ErrorClass = CLASS_OF[code];
  expect(thrown).toBeInstanceOf(ErrorClass);
  expect(thrown).toMatchObject({ name: ErrorClass.name, code });
  expect((thrown as Error).message).toMatch(message);
  expect(Object.hasOwn(thrown as object, 'code')).toBe(true);
}

const TYPE: Code = 'ERR_INVALID_ARG_TYPE';
const VALUE: Code = 'ERR_INVALID_ARG_VALUE';
const RANGE: Code = 'ERR_OUT_OF_RANGE';

// ES2024 buffer options (the project's lib setting is ES2023).
const ResizableArrayBuffer = ArrayBuffer as unknown as new (
  bytes: number,
  options: { maxByteLength: number },
) => ArrayBuffer;
const GrowableSharedArrayBuffer = SharedArrayBuffer as unknown as new (
  bytes: number,
  options: { maxByteLength: number },
) => SharedArrayBuffer;

/** A view whose buffer has been detached (transferred) after the view was made. */
function detached<T extends ArrayBufferView>(view: T): T {
  structuredClone(view.buffer, { transfer: [view.buffer as ArrayBuffer] });
  return view;
}

function image(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { data: new Uint8Array(2 * 2 * 3), width: 2, height: 2, ...overrides };
}

describe('errors', () => {
  it('describes received values like Node', () => {
    expect(describeReceived(undefined)).toBe('undefined');
    expect(describeReceived(null)).toBe('null');
    expect(describeReceived('12')).toBe("type string ('12')");
    expect(describeReceived("it's")).toBe('type string ("it\'s")');
    expect(describeReceived('x'.repeat(40))).toBe(`type string ('${'x'.repeat(25)}...')`);
    expect(describeReceived(NaN)).toBe('type number (NaN)');
    expect(describeReceived(-0)).toBe('type number (-0)');
    expect(describeReceived(5n)).toBe('type bigint (5n)');
    expect(describeReceived(true)).toBe('type boolean (true)');
    expect(describeReceived(Symbol('s'))).toBe('type symbol (Symbol(s))');
    expect(describeReceived(function named() {})).toBe('function named');
    expect(describeReceived(new Float32Array(1))).toBe('an instance of Float32Array');
    expect(describeReceived({})).toBe('an instance of Object');
    expect(describeReceived(Object.create(null))).toBe('[Object: null prototype] {}');
  });

  it('builds Node-style errors with an own, enumerable code', () => {
    const type = invalidArgTypeError('image.width', 'of type number', '12');
    expect(type).toBeInstanceOf(TypeError);
    expect(type.name).toBe('TypeError');
    expect(type.code).toBe('ERR_INVALID_ARG_TYPE');
    expect(Object.keys(type)).toEqual(['code']);
    expect(type.message).toBe(`The "image.width" property must be of type number. Received type string ('12')`);
    expect(type.stack?.split('\n')[0]).toBe(`TypeError [ERR_INVALID_ARG_TYPE]: ${type.message}`);
    expect(String(type)).toBe(`TypeError: ${type.message}`);

    expect(invalidArgTypeError('input', 'of type object', 1).message).toBe(
      'The "input" argument must be of type object. Received type number (1)',
    );
    const value = invalidArgValueError('options.order', 'rgbx', "must be one of: 'rgb', 'bgr'");
    expect(value).toBeInstanceOf(TypeError);
    expect(value.code).toBe('ERR_INVALID_ARG_VALUE');
    expect(value.message).toBe("The property 'options.order' must be one of: 'rgb', 'bgr'. Received 'rgbx'");
    const range = outOfRangeError('options.out', 'have length 100', 'length 99');
    expect(range).toBeInstanceOf(RangeError);
    expect(range.code).toBe('ERR_OUT_OF_RANGE');
    expect(range.message).toBe(
      'The value of "options.out" is out of range. It must have length 100. Received length 99',
    );
    expect(outOfRangeError('n', 'be >= 1', -0).message).toMatch(/Received -0$/);
  });

  it('builds overflow errors for the BigInt kernels', () => {
    const square = squareOverflowError(7, -3037000500n, 'BigInt64Array');
    expect(square).toBeInstanceOf(RangeError);
    expect(square).toMatchObject({ name: 'RangeError', code: 'ERR_OUT_OF_RANGE' });
    expect(square.message).toMatch(/"input\[7\]".*BigInt64Array.*-3037000500n/);
    expect(squareOverflowError(0, 4294967296n, 'BigUint64Array').message).toMatch(/<= 4294967295n/);
    const sum = sumOverflowError('BigUint64Array');
    expect(sum).toBeInstanceOf(RangeError);
    expect(sum).toMatchObject({ code: 'ERR_OUT_OF_RANGE' });
    expect(sum.message).toMatch(/"input".*BigUint64Array.*18446744073709551615n/);
    expect(sumOverflowError('BigInt64Array').message).toMatch(/9223372036854775807n/);
  });
});

describe('isOffloopError', () => {
  it("is true for offloop's errors, false for Node's and everything else", () => {
    expect(isOffloopError(invalidArgTypeError('x', 'of type number', 'y'))).toBe(true);
    expect(isOffloopError(squareOverflowError(1, 2n ** 40n, 'BigInt64Array'))).toBe(true);
    expect(isOffloopError(nativeFailureError({ code: 'ERR_OFFLOOP_OUT_OF_MEMORY', message: 'no memory' }))).toBe(true);
    // The loader's error carries no mark, only its own code.
    expect(isOffloopError(Object.assign(new Error('no binary'), { code: 'ERR_OFFLOOP_NO_BINARY' }))).toBe(true);

    let nodeError: unknown;
    try {
      Buffer.alloc('1' as never);
    } catch (error) {
      nodeError = error;
    }
    expect(nodeError).toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
    expect(isOffloopError(nodeError)).toBe(false);
    for (const other of [undefined, null, 'ERR_OUT_OF_RANGE', { code: 'ERR_OFFLOOP_NATIVE' }, new Error('plain')]) {
      expect(isOffloopError(other)).toBe(false);
    }
  });

  it('native failures keep a known code and message, and fall back to ERR_OFFLOOP_NATIVE', () => {
    const failure = nativeFailureError({ code: 'ERR_OFFLOOP_THREAD_START', message: 'no thread' });
    expect(failure).toMatchObject({ name: 'Error', code: 'ERR_OFFLOOP_THREAD_START', message: 'no thread' });
    expect(failure.stack?.split('\n')[0]).toBe('Error [ERR_OFFLOOP_THREAD_START]: no thread');
    expect(nativeFailureError({ code: 'SOMETHING_ELSE', message: 'odd' })).toMatchObject({
      code: 'ERR_OFFLOOP_NATIVE',
      message: 'odd',
    });
    expect(nativeFailureError(undefined)).toMatchObject({ code: 'ERR_OFFLOOP_NATIVE' });
  });
});

describe('planSquares', () => {
  it('accepts every TypedArray kind in place, and number[] as a Float64Array copy', () => {
    const types = NUMBER_ARRAY_TYPES;
    for (const T of types) {
      const a = new T(3);
      expect(planSquares(a)).toEqual({ kind: 'array', array: a, length: 3, bigint: false });
      expect(planSquares(a).kind === 'array' && planSquares(a)).toHaveProperty('array', a);
    }
    const b = new BigInt64Array(2);
    const plan = planSquares(b);
    expect(plan.kind === 'array' && plan.array).toBe(b);
    expect(plan).toMatchObject({ kind: 'array', length: 2, bigint: 'BigInt64Array' });
    expect(planSquares(new BigUint64Array(1))).toMatchObject({ bigint: 'BigUint64Array' });
    const buffer = Buffer.from([1, 2]);
    const bufferPlan = planSquares(buffer);
    expect(bufferPlan.kind === 'array' && bufferPlan.array).toBe(buffer);
    expect(planSquares(new Float64Array(new SharedArrayBuffer(16)))).toMatchObject({ kind: 'array', length: 2 });

    const numbers = planSquares([1, -2.5, NaN]);
    expect(numbers.kind).toBe('array');
    if (numbers.kind === 'array') {
      expect(numbers.array).toBeInstanceOf(Float64Array);
      expect(Array.from(numbers.array as Float64Array)).toEqual([1, -2.5, NaN]);
      expect(numbers.bigint).toBe(false);
    }
  });

  it('accepts ranges', () => {
    expect(planSquares({ from: -2, to: 2 })).toEqual({ kind: 'range', from: -2, count: 5 });
    expect(planSquares({ from: 7, to: 7 })).toEqual({ kind: 'range', from: 7, count: 1 });
    expect(planSquares({ from: 1, to: MAX_SQUARES_LENGTH })).toEqual({
      kind: 'range',
      from: 1,
      count: MAX_SQUARES_LENGTH,
    });
    expect(planSquares({ from: 1, to: Number.MAX_SAFE_INTEGER }, 'input', 'sum')).toEqual({
      kind: 'range',
      from: 1,
      count: Number.MAX_SAFE_INTEGER,
    });
    expect(planSquares({ from: -Number.MAX_SAFE_INTEGER, to: -1 }, 'input', 'sum')).toMatchObject({
      count: Number.MAX_SAFE_INTEGER,
    });
  });

  it('rejects wrong input types', () => {
    for (const bad of ['abc', 5, 5n, null, undefined, true, Symbol('x'), {}, new Map(), new ArrayBuffer(8), () => 1]) {
      expectThrows(
        () => planSquares(bad),
        TYPE,
        /^The "input" argument must be an array of numbers, a TypedArray or a \{ from, to \} range/,
      );
    }
    expectThrows(
      () => planSquares(new DataView(new ArrayBuffer(8))),
      TYPE,
      /"input".*Received an instance of DataView/,
    );
    expectThrows(() => planSquares('x', 'values'), TYPE, /"values" argument/);
    const Float16 = (globalThis as { Float16Array?: new (n: number) => unknown }).Float16Array;
    if (Float16) expectThrows(() => planSquares(new Float16(2)), TYPE, /"input"/);
  });

  it('rejects number[] elements that are not numbers, naming the element', () => {
    expectThrows(
      () => planSquares([1, 2, '3']),
      TYPE,
      /^The "input\[2\]" argument must be of type number\. Received type string \('3'\)/,
    );
    expectThrows(() => planSquares([1n]), TYPE, /"input\[0\]".*bigint/);
    // eslint-disable-next-line no-sparse-arrays
    expectThrows(() => planSquares([1, , 3]), TYPE, /"input\[1\]".*Received undefined/);
    expectThrows(() => planSquares([null]), TYPE, /"input\[0\]".*Received null/);
  });

  it('rejects bad ranges', () => {
    expectThrows(() => planSquares({ from: 5, to: 3 }), RANGE, /"input\.to".*>= input\.from \(5\).*Received 3/);
    expectThrows(() => planSquares({ from: 1.5, to: 3 }), RANGE, /"input\.from".*safe integer.*Received 1\.5/);
    expectThrows(() => planSquares({ from: 1, to: 3.25 }), RANGE, /"input\.to".*safe integer/);
    expectThrows(() => planSquares({ from: NaN, to: 3 }), RANGE, /"input\.from".*Received NaN/);
    expectThrows(() => planSquares({ from: 0, to: Infinity }), RANGE, /"input\.to".*Received Infinity/);
    expectThrows(() => planSquares({ from: 0, to: 2 ** 53 }), RANGE, /"input\.to".*safe integer.*9007199254740992/);
    expectThrows(() => planSquares({ from: -(2 ** 53), to: 0 }), RANGE, /"input\.from"/);
    expectThrows(() => planSquares({ from: '1', to: 3 }), TYPE, /"input\.from" property must be of type number/);
    expectThrows(() => planSquares({ from: 1 }), TYPE, /"input\.to" property must be of type number.*undefined/);
    expectThrows(() => planSquares({ to: 1 }), TYPE, /"input\.from"/);
    // More than Number.MAX_SAFE_INTEGER integers: too large even for a sum.
    expectThrows(
      () => planSquares({ from: -Number.MAX_SAFE_INTEGER, to: Number.MAX_SAFE_INTEGER }, 'input', 'sum'),
      RANGE,
      /"input".*at most 9007199254740991 integers/,
    );
    expectThrows(() => planSquares({ from: 0, to: Number.MAX_SAFE_INTEGER }, 'input', 'sum'), RANGE, /"input"/);
  });

  it('rejects a range too large to allocate for squares, but not for a sum', () => {
    expect(MAX_SQUARES_LENGTH).toBe(2 ** 32); // 64-bit Node >= 20: V8's TypedArray length limit
    const range = { from: 1, to: MAX_SQUARES_LENGTH + 1 };
    expectThrows(() => planSquares(range), RANGE, /"input".*at most 4294967296 integers/);
    expectThrows(() => planSquares(range, 'input', 'squares'), RANGE, /"input"/);
    expect(planSquares(range, 'input', 'sum')).toEqual({ kind: 'range', from: 1, count: MAX_SQUARES_LENGTH + 1 });
  });

  it('rejects resizable, growable and detached buffers', () => {
    expectThrows(
      () => planSquares(new Float64Array(new ResizableArrayBuffer(8, { maxByteLength: 16 }))),
      VALUE,
      /^The argument 'input' is backed by a resizable ArrayBuffer, whose length could change/,
    );
    expectThrows(
      () => planSquares(new Uint8Array(new ResizableArrayBuffer(8, { maxByteLength: 8 }), 0, 4)),
      VALUE,
      /'input'.*resizable/,
    );
    expectThrows(
      () => planSquares(new Int32Array(new GrowableSharedArrayBuffer(8, { maxByteLength: 16 }))),
      VALUE,
      /'input' is backed by a growable SharedArrayBuffer/,
    );
    const gone = detached(new Float64Array(2));
    expect(gone.length).toBe(0);
    expectThrows(() => planSquares(gone), VALUE, /'input' is backed by a detached ArrayBuffer/);
    expectThrows(
      () => planSquares(new BigInt64Array(new ResizableArrayBuffer(8, { maxByteLength: 16 })), 'input', 'sum'),
      VALUE,
      /resizable/,
    );
    // An empty, never-detached buffer is fine.
    expect(planSquares(new Float64Array(0))).toMatchObject({ kind: 'array', length: 0 });
    expect(planSquares(new Float64Array(new ArrayBuffer(0)))).toMatchObject({ kind: 'array', length: 0 });
  });
});

describe('checkSquaresOut / allocateSquaresOut', () => {
  const floats = planSquares(new Float64Array(4));

  it('returns undefined without out, and out when it fits', () => {
    expect(checkSquaresOut(floats, undefined)).toBeUndefined();
    const out = new Float64Array(4);
    expect(checkSquaresOut(floats, out)).toBe(out);
    expect(checkSquaresOut(planSquares({ from: 1, to: 3 }), new Float64Array(3))).toBeInstanceOf(Float64Array);
    const big = new BigUint64Array(2);
    expect(checkSquaresOut(planSquares(new BigUint64Array(2)), big)).toBe(big);
    expect(checkSquaresOut(floats, new Float64Array(new SharedArrayBuffer(32)))).toBeInstanceOf(Float64Array);
  });

  it('rejects the wrong type', () => {
    expectThrows(
      () => checkSquaresOut(floats, new Float32Array(4)),
      TYPE,
      /^The "options\.out" property must be an instance of Float64Array\. Received an instance of Float32Array/,
    );
    expectThrows(() => checkSquaresOut(floats, [0, 0, 0, 0]), TYPE, /"options\.out".*Float64Array.*Array/);
    expectThrows(() => checkSquaresOut(floats, null), TYPE, /"options\.out".*Received null/);
    expectThrows(() => checkSquaresOut(floats, new BigInt64Array(4)), TYPE, /"options\.out"/);
    expectThrows(
      () => checkSquaresOut(planSquares(new BigInt64Array(2)), new Float64Array(2)),
      TYPE,
      /instance of BigInt64Array/,
    );
    expectThrows(
      () => checkSquaresOut(planSquares(new BigInt64Array(2)), new BigUint64Array(2)),
      TYPE,
      /instance of BigInt64Array/,
    );
    expectThrows(
      () => checkSquaresOut(planSquares(new BigUint64Array(2)), new BigInt64Array(2)),
      TYPE,
      /instance of BigUint64Array/,
    );
    expectThrows(() => checkSquaresOut(floats, new Float32Array(4), 'out'), TYPE, /^The "out" argument/);
  });

  it('rejects the wrong length', () => {
    expectThrows(
      () => checkSquaresOut(floats, new Float64Array(3)),
      RANGE,
      /^The value of "options\.out" is out of range\. It must have length 4\. Received length 3$/,
    );
    expectThrows(() => checkSquaresOut(floats, new Float64Array(5)), RANGE, /length 4.*length 5/);
    expectThrows(() => checkSquaresOut(planSquares({ from: 0, to: 9 }), new Float64Array(9)), RANGE, /length 10/);
  });

  it('rejects resizable, growable and detached outs', () => {
    expectThrows(
      () => checkSquaresOut(floats, new Float64Array(new ResizableArrayBuffer(32, { maxByteLength: 64 }))),
      VALUE,
      /'options\.out'.*resizable/,
    );
    expectThrows(
      () => checkSquaresOut(floats, new Float64Array(new GrowableSharedArrayBuffer(32, { maxByteLength: 64 }))),
      VALUE,
      /'options\.out'.*growable/,
    );
    expectThrows(
      () => checkSquaresOut(planSquares([]), detached(new Float64Array(2))),
      VALUE,
      /'options\.out'.*detached/,
    );
  });

  it('allows the input itself, rejects any other overlap', () => {
    const shared = new ArrayBuffer(80);
    const input = new Float64Array(shared, 16, 4);
    const plan = planSquares(input);
    expect(checkSquaresOut(plan, input)).toBe(input);
    expect(checkSquaresOut(plan, new Float64Array(shared, 16, 4))).toBeInstanceOf(Float64Array); // same memory, another view
    expectThrows(
      () => checkSquaresOut(plan, new Float64Array(shared, 8, 4)),
      VALUE,
      /^The property 'options\.out' overlaps the input/,
    );
    expectThrows(() => checkSquaresOut(plan, new Float64Array(shared, 40, 4)), VALUE, /overlaps the input/);
    // Disjoint parts of the same buffer are fine, touching or not.
    expect(checkSquaresOut(plan, new Float64Array(shared, 48, 4))).toBeInstanceOf(Float64Array);
    expect(
      checkSquaresOut(planSquares(new Float64Array(shared, 0, 2)), new Float64Array(shared, 16, 2)),
    ).toBeInstanceOf(Float64Array);

    // Same offset but a different element type is a partial overlap.
    const f32 = new Float32Array(shared, 0, 4);
    expectThrows(() => checkSquaresOut(planSquares(f32), new Float64Array(shared, 0, 4)), VALUE, /overlaps/);
    const bytes = new Uint8Array(shared, 0, 8);
    expectThrows(() => checkSquaresOut(planSquares(bytes), new Float64Array(shared, 0, 8)), VALUE, /overlaps/);

    // SharedArrayBuffer-backed views overlap the same way.
    const sab = new SharedArrayBuffer(64);
    const sabPlan = planSquares(new Float64Array(sab, 0, 4));
    expectThrows(() => checkSquaresOut(sabPlan, new Float64Array(sab, 8, 4)), VALUE, /overlaps/);

    const bigBuffer = new ArrayBuffer(24);
    const bigInput = new BigInt64Array(bigBuffer, 0, 2);
    expect(checkSquaresOut(planSquares(bigInput), bigInput)).toBe(bigInput);
    expectThrows(() => checkSquaresOut(planSquares(bigInput), new BigInt64Array(bigBuffer, 8, 2)), VALUE, /overlaps/);

    // Empty views overlap nothing.
    expect(checkSquaresOut(planSquares(new Float64Array(shared, 8, 0)), new Float64Array(shared, 8, 0))).toBeInstanceOf(
      Float64Array,
    );
  });

  it('allocates the right result type', () => {
    expect(allocateSquaresOut(planSquares([1, 2]))).toEqual(new Float64Array(2));
    expect(allocateSquaresOut(planSquares(new Int8Array(3)))).toEqual(new Float64Array(3));
    expect(allocateSquaresOut(planSquares({ from: 1, to: 5 }))).toEqual(new Float64Array(5));
    expect(allocateSquaresOut(planSquares(new BigInt64Array(2)))).toEqual(new BigInt64Array(2));
    expect(allocateSquaresOut(planSquares(new BigUint64Array(1)))).toEqual(new BigUint64Array(1));
  });
});

describe('planGrayscale', () => {
  it('normalises a valid image', () => {
    const data = new Uint8Array(2 * 2 * 4);
    const plan = planGrayscale({ data, width: 2, height: 2 }, undefined);
    expect(plan).toEqual({
      data,
      width: 2,
      height: 2,
      channels: 4,
      stride: 8,
      bgr: false,
      weights: 'bt601',
      pixels: 4,
    });
    expect(plan.data).toBe(data);

    const rgb = planGrayscale({ data: new Uint8Array(12), width: 2, height: 2 }, { order: 'bgr', weights: 'bt709' });
    expect(rgb).toMatchObject({ channels: 3, stride: 6, bgr: true, weights: 'bt709', pixels: 4 });

    // A view over the caller's bytes, not a copy, for Buffers and Uint8ClampedArrays too.
    const clamped = new Uint8ClampedArray(8);
    const view = planGrayscale({ data: clamped, width: 1, height: 2 }, {}).data;
    expect(view).toBeInstanceOf(Uint8Array);
    expect(view.buffer).toBe(clamped.buffer);
    clamped[5] = 42;
    expect(view[5]).toBe(42);
    const buffer = Buffer.from([1, 2, 3]);
    const bufView = planGrayscale({ data: buffer, width: 1, height: 1 }, {}).data;
    expect(bufView.buffer).toBe(buffer.buffer);
    expect(bufView.byteOffset).toBe(buffer.byteOffset);
    expect(bufView.length).toBe(3);

    // Stride with an unpadded last row: exactly (height - 1) * stride + width * channels bytes.
    expect(
      planGrayscale({ data: new Uint8Array(10 + 6), width: 2, height: 2, channels: 3, stride: 10 }, {}),
    ).toMatchObject({ stride: 10 });
    // ImageData-like objects work as is.
    expect(
      planGrayscale({ data: new Uint8ClampedArray(16), width: 2, height: 2, colorSpace: 'srgb' }, undefined),
    ).toMatchObject({ channels: 4 });
    // Empty images.
    expect(planGrayscale({ data: new Uint8Array(0), width: 0, height: 3 }, {})).toMatchObject({ pixels: 0 });
    expect(planGrayscale({ data: new Uint8Array(0), width: 3, height: 0, channels: 3 }, {})).toMatchObject({
      pixels: 0,
      stride: 9,
    });
  });

  it('rejects a non-object image and bad data', () => {
    for (const bad of [null, undefined, 'img', 3]) {
      expectThrows(() => planGrayscale(bad, {}), TYPE, /^The "image" argument must be of type object/);
    }
    expectThrows(
      () => planGrayscale(image({ data: [1, 2, 3] }), {}),
      TYPE,
      /^The "image\.data" property must be an instance of Uint8Array, Uint8ClampedArray or Buffer\. Received an instance of Array/,
    );
    expectThrows(() => planGrayscale(image({ data: new Uint16Array(12) }), {}), TYPE, /"image\.data".*Uint16Array/);
    expectThrows(
      () => planGrayscale(image({ data: new DataView(new ArrayBuffer(12)) }), {}),
      TYPE,
      /"image\.data".*DataView/,
    );
    expectThrows(() => planGrayscale(image({ data: undefined }), {}), TYPE, /"image\.data".*undefined/);
    expectThrows(
      () => planGrayscale(image({ data: new Uint8Array(new ResizableArrayBuffer(12, { maxByteLength: 24 })) }), {}),
      VALUE,
      /'image\.data'.*resizable/,
    );
    expectThrows(
      () =>
        planGrayscale(image({ data: new Uint8Array(new GrowableSharedArrayBuffer(12, { maxByteLength: 24 })) }), {}),
      VALUE,
      /'image\.data'.*growable/,
    );
    expectThrows(
      () => planGrayscale(image({ data: detached(new Uint8Array(12)) }), {}),
      VALUE,
      /'image\.data'.*detached/,
    );
  });

  it('rejects bad sizes', () => {
    for (const key of ['width', 'height']) {
      expectThrows(
        () => planGrayscale(image({ [key]: '12' }), {}),
        TYPE,
        new RegExp(`^The "image\\.${key}" property must be of type number\\. Received type string \\('12'\\)`),
      );
      expectThrows(
        () => planGrayscale(image({ [key]: undefined }), {}),
        TYPE,
        new RegExp(`"image\\.${key}".*undefined`),
      );
      expectThrows(() => planGrayscale(image({ [key]: 2n }), {}), TYPE, new RegExp(`"image\\.${key}"`));
      expectThrows(
        () => planGrayscale(image({ [key]: -1 }), {}),
        RANGE,
        new RegExp(`^The value of "image\\.${key}" is out of range\\. It must be a safe integer >= 0\\. Received -1`),
      );
      expectThrows(() => planGrayscale(image({ [key]: 1.5 }), {}), RANGE, new RegExp(`"image\\.${key}".*1\\.5`));
      expectThrows(() => planGrayscale(image({ [key]: NaN }), {}), RANGE, new RegExp(`"image\\.${key}".*NaN`));
      expectThrows(
        () => planGrayscale(image({ [key]: Infinity }), {}),
        RANGE,
        new RegExp(`"image\\.${key}".*Infinity`),
      );
      expectThrows(() => planGrayscale(image({ [key]: 2 ** 53 }), {}), RANGE, new RegExp(`"image\\.${key}"`));
    }
    expectThrows(
      () => planGrayscale(image({ width: 2 ** 30, height: 2 ** 30 }), {}),
      RANGE,
      /"image\.width \* image\.height"/,
    );
    expectThrows(
      () => planGrayscale(image({ width: 1, height: 2 ** 26, channels: 3, stride: 2 ** 28 }), {}),
      RANGE,
      /"image\.stride \* image\.height"/,
    );
  });

  it('rejects bad channels', () => {
    for (const bad of [0, 1, 2, 5, 3.5, NaN]) {
      expectThrows(
        () => planGrayscale(image({ channels: bad }), {}),
        VALUE,
        /^The property 'image\.channels' must be 3 or 4\. Received/,
      );
    }
    expectThrows(
      () => planGrayscale(image({ channels: '3' }), {}),
      TYPE,
      /"image\.channels" property must be of type number/,
    );
    expectThrows(() => planGrayscale(image({ channels: null }), {}), TYPE, /"image\.channels".*null/);
    // Not inferable: 2x2 with 13 bytes is neither 12 nor 16.
    expectThrows(
      () => planGrayscale(image({ data: new Uint8Array(13) }), {}),
      VALUE,
      /'image\.channels' must be given \(3 or 4\).*image\.data\.length \(13\).*\(16\).*\(12\)/,
    );
    expectThrows(
      () => planGrayscale({ data: new Uint8Array(5), width: 0, height: 1 }, {}),
      VALUE,
      /'image\.channels' must be given/,
    );
    // Too short for 3 channels: the length is at fault, not the channels.
    expectThrows(
      () => planGrayscale(image({ data: new Uint8Array(11) }), {}),
      RANGE,
      /^The value of "image\.data\.length" is out of range\. It must be width \* height \* 3 \(12\) or width \* height \* 4 \(16\) for a 2x2 image\. Received 11$/,
    );
    // A stride needs explicit channels.
    expectThrows(
      () => planGrayscale(image({ stride: 6 }), {}),
      VALUE,
      /'image\.channels' must be given \(3 or 4\) when image\.stride is given/,
    );
  });

  it('rejects a bad stride', () => {
    expectThrows(
      () => planGrayscale(image({ channels: 3, stride: 5 }), {}),
      RANGE,
      /^The value of "image\.stride" is out of range\. It must be an integer >= image\.width \* image\.channels \(6\)\. Received 5/,
    );
    expectThrows(() => planGrayscale(image({ channels: 3, stride: 6.5 }), {}), RANGE, /"image\.stride".*6\.5/);
    expectThrows(() => planGrayscale(image({ channels: 3, stride: -6 }), {}), RANGE, /"image\.stride"/);
    expectThrows(
      () => planGrayscale(image({ channels: 3, stride: '6' }), {}),
      TYPE,
      /"image\.stride" property must be of type number/,
    );
  });

  it('rejects data too small for the layout', () => {
    expectThrows(
      () => planGrayscale(image({ data: new Uint8Array(11), channels: 3 }), {}),
      RANGE,
      /^The value of "image\.data\.length" is out of range\. It must be >= 12 .*Received 11/,
    );
    expectThrows(
      () => planGrayscale(image({ data: new Uint8Array(15), channels: 3, stride: 10 }), {}),
      RANGE,
      /"image\.data\.length".*>= 16.*Received 15/,
    );
    expectThrows(
      () => planGrayscale(image({ data: new Uint8Array(15), channels: 4 }), {}),
      RANGE,
      /"image\.data\.length".*>= 16/,
    );
  });

  it('validates options.order and options.weights, ignoring unknown keys', () => {
    expectThrows(
      () => planGrayscale(image(), { order: 'rgbx' }),
      VALUE,
      /^The property 'options\.order' must be one of: 'rgb', 'bgr'\. Received 'rgbx'/,
    );
    expectThrows(() => planGrayscale(image(), { order: 'RGB' }), VALUE, /'options\.order'/);
    expectThrows(() => planGrayscale(image(), { order: 1 }), TYPE, /"options\.order" property must be of type string/);
    expectThrows(
      () => planGrayscale(image(), { weights: 'bt2020' }),
      VALUE,
      /^The property 'options\.weights' must be one of: 'bt601', 'bt709'\. Received 'bt2020'/,
    );
    expectThrows(() => planGrayscale(image(), { weights: null }), TYPE, /"options\.weights".*null/);
    expectThrows(
      () => prepareGrayscale(image(), 'fast', (n) => new Uint8Array(n)),
      TYPE,
      /^The "options" argument must be of type object/,
    );
    expect(
      prepareGrayscale(image(), { order: undefined, weights: undefined, whatever: 'x' }, (n) => new Uint8Array(n)).plan,
    ).toMatchObject({ bgr: false, weights: 'bt601' });
  });
});

describe('checkGrayOut', () => {
  const plan: GrayPlan = planGrayscale(image(), {});

  it('accepts undefined and a fitting Uint8Array or Buffer', () => {
    expect(checkGrayOut(plan, undefined)).toBeUndefined();
    const out = new Uint8Array(4);
    expect(checkGrayOut(plan, out)).toBe(out);
    const buffer = Buffer.alloc(4);
    expect(checkGrayOut(plan, buffer)).toBe(buffer);
  });

  it('rejects the wrong type or length', () => {
    expectThrows(
      () => checkGrayOut(plan, new Uint8ClampedArray(4)),
      TYPE,
      /^The "options\.out" property must be an instance of Uint8Array\. Received an instance of Uint8ClampedArray/,
    );
    expectThrows(() => checkGrayOut(plan, new Float64Array(4)), TYPE, /"options\.out"/);
    expectThrows(() => checkGrayOut(plan, [0, 0, 0, 0]), TYPE, /"options\.out"/);
    expectThrows(() => checkGrayOut(plan, null), TYPE, /"options\.out".*null/);
    expectThrows(
      () => checkGrayOut(plan, new Uint8Array(3)),
      RANGE,
      /^The value of "options\.out" is out of range\. It must have length 4\. Received length 3/,
    );
    expectThrows(() => checkGrayOut(plan, new Uint8Array(5)), RANGE, /length 4.*length 5/);
    expectThrows(
      () => checkGrayOut(plan, new Uint8Array(new ResizableArrayBuffer(4, { maxByteLength: 8 }))),
      VALUE,
      /'options\.out'.*resizable/,
    );
    expectThrows(
      () =>
        checkGrayOut(planGrayscale({ data: new Uint8Array(0), width: 0, height: 0 }, {}), detached(new Uint8Array(4))),
      VALUE,
      /'options\.out'.*detached/,
    );
  });

  it('rejects any overlap with image.data', () => {
    const shared = new ArrayBuffer(32);
    const data = new Uint8Array(shared, 8, 12);
    const p = planGrayscale({ data, width: 2, height: 2 }, {});
    expectThrows(
      () => checkGrayOut(p, new Uint8Array(shared, 18, 4)),
      VALUE,
      /^The property 'options\.out' overlaps image\.data/,
    );
    expectThrows(() => checkGrayOut(p, new Uint8Array(shared, 5, 4)), VALUE, /overlaps image\.data/);
    expectThrows(() => checkGrayOut(p, new Uint8Array(shared, 8, 4)), VALUE, /overlaps/);
    expect(checkGrayOut(p, new Uint8Array(shared, 20, 4))).toBeInstanceOf(Uint8Array);
    expect(checkGrayOut(p, new Uint8Array(shared, 4, 4))).toBeInstanceOf(Uint8Array);
  });
});

describe('readOptions / readControl', () => {
  it('reads each listed key once into an object without a prototype', () => {
    expect({ ...readOptions(undefined, ['out']) }).toEqual({});
    const reads: string[] = [];
    const options = new Proxy(
      { out: 1, unknown: true },
      { get: (target, key) => (reads.push(String(key)), Reflect.get(target, key)) },
    );
    const snapshot = readOptions(options, ['out', 'signal']);
    expect(Object.getPrototypeOf(snapshot)).toBeNull();
    expect({ ...snapshot }).toEqual({ out: 1, signal: undefined });
    expect(reads).toEqual(['out', 'signal']);
    for (const bad of [null, 'x', 5, true, [], () => {}]) {
      expectThrows(() => readOptions(bad, []), TYPE, /^The "options" argument must be of type object\. Received/);
    }
    expectThrows(() => readOptions(7, [], 'settings'), TYPE, /"settings" argument/);
  });

  it('reads signal and onProgress', () => {
    expect(readControl(readOptions({}, ['signal', 'onProgress']))).toEqual({
      signal: undefined,
      onProgress: undefined,
      abortedAtCall: false,
    });
    const signal = new AbortController().signal;
    const calls: number[][] = [];
    const onProgress = (done: number, total: number): void => void calls.push([done, total]);
    // onProgress comes back bound to the caller's async context (test/async-context.test.ts): the same function underneath.
    const control = readControl({ signal, onProgress });
    expect(control).toEqual({ signal, onProgress: expect.any(Function), abortedAtCall: false });
    control.onProgress!(1, 2);
    expect(calls).toEqual([[1, 2]]);
    expect(readControl({ signal: AbortSignal.abort(), onProgress: undefined }).abortedAtCall).toBe(true);

    const proxied = new Proxy(new AbortController().signal, {});
    for (const bad of ['x', null, {}, { aborted: false, addEventListener() {} }, new AbortController(), proxied]) {
      expectThrows(
        () => readControl({ signal: bad, onProgress: undefined }),
        TYPE,
        /^The "options\.signal" property must be an instance of AbortSignal\. Received/,
      );
    }
    for (const bad of [5, 'fn', null, {}]) {
      expectThrows(
        () => readControl({ signal: undefined, onProgress: bad }),
        TYPE,
        /^The "options\.onProgress" property must be of type function\. Received/,
      );
    }
  });
});

describe('checkConcurrency', () => {
  it('accepts integers 1..1024', () => {
    expect(checkConcurrency(1)).toBe(1);
    expect(checkConcurrency(8)).toBe(8);
    expect(checkConcurrency(1024)).toBe(1024);
  });

  it('rejects other numbers with a RangeError', () => {
    for (const bad of [0, -1, 1025, 1.5, NaN, Infinity, -Infinity]) {
      expectThrows(
        () => checkConcurrency(bad),
        RANGE,
        /^The value of "concurrency" is out of range\. It must be an integer >= 1 and <= 1024\. Received/,
      );
    }
    expectThrows(() => checkConcurrency(1025), RANGE, /Received 1025$/);
  });

  it('rejects non-numbers with a TypeError', () => {
    for (const bad of ['2', 2n, null, undefined, {}, [4]]) {
      expectThrows(() => checkConcurrency(bad), TYPE, /^The "concurrency" argument must be of type number\. Received/);
    }
    expectThrows(() => checkConcurrency('2', 'n'), TYPE, /^The "n" argument.*Received type string \('2'\)/);
  });
});
