/**
 * Node-style argument errors.
 *
 * Every error thrown by offloop for a bad argument is a plain `TypeError` or
 * `RangeError` (so `instanceof` and `err.name` behave as usual) with a stable
 * own `code` property, exactly like Node's own `ERR_*` errors:
 *
 * | code                    | class        | meaning                                        |
 * | ----------------------- | ------------ | ---------------------------------------------- |
 * | `ERR_INVALID_ARG_TYPE`  | `TypeError`  | a value has the wrong type                     |
 * | `ERR_INVALID_ARG_VALUE` | `TypeError`  | right type, unusable value (enum, overlap, ...) |
 * | `ERR_OUT_OF_RANGE`      | `RangeError` | a number (or length, or result) is out of range |
 *
 * Messages always name the argument as the caller wrote it, e.g.
 * `image.width`, `options.out` or `input[3]`.
 */
import { inspect } from 'node:util';

/** The `code` values offloop's own errors carry. */
export type OffloopErrorCode = 'ERR_INVALID_ARG_TYPE' | 'ERR_INVALID_ARG_VALUE' | 'ERR_OUT_OF_RANGE';

/** A `TypeError` with `code` `ERR_INVALID_ARG_TYPE` or `ERR_INVALID_ARG_VALUE`. */
export type OffloopTypeError = TypeError & { code: 'ERR_INVALID_ARG_TYPE' | 'ERR_INVALID_ARG_VALUE' };

/** A `RangeError` with `code` `ERR_OUT_OF_RANGE`. */
export type OffloopRangeError = RangeError & { code: 'ERR_OUT_OF_RANGE' };

/** The BigInt array types whose squares and sums are computed exactly. */
export type BigIntArrayType = 'BigInt64Array' | 'BigUint64Array';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type AnyFunction = Function;

/**
 * Adds the own `code` property and makes the first stack line read like
 * Node's (`TypeError [ERR_INVALID_ARG_TYPE]: ...`), hiding the frames of the
 * error factory itself.
 */
function finish<E extends Error, C extends OffloopErrorCode>(err: E, code: C, factory: AnyFunction): E & { code: C } {
  Object.defineProperty(err, 'code', { value: code, enumerable: true, writable: true, configurable: true });
  if (typeof Error.captureStackTrace === 'function') {
    const name = err.name;
    // The stack is formatted lazily; format it once with the code in the
    // header, then restore the inherited `name`.
    Object.defineProperty(err, 'name', { value: `${name} [${code}]`, enumerable: false, writable: true, configurable: true });
    Error.captureStackTrace(err, factory);
    void err.stack;
    delete (err as { name?: string }).name;
  }
  return err as E & { code: C };
}

/** "argument" for `input`, "property" for `image.width`, as Node does. */
function subject(name: string): string {
  return name.includes('.') ? `"${name}" property` : `"${name}" argument`;
}

/** A short rendering of a value: `'abc'`, `-0`, `5n`, `an instance of X`. */
function briefValue(value: unknown): string {
  switch (typeof value) {
    case 'undefined':
      return 'undefined';
    case 'bigint':
      return `${value}n`;
    case 'number':
      return Object.is(value, -0) ? '-0' : String(value);
    case 'boolean':
    case 'symbol':
      return String(value);
    case 'function':
      return value.name ? `function ${value.name}` : 'function <anonymous>';
    case 'string': {
      const shown = value.length > 28 ? `${value.slice(0, 25)}...` : value;
      return shown.includes("'") ? JSON.stringify(shown) : `'${shown}'`;
    }
    default: {
      if (value === null) return 'null';
      let ctorName: unknown;
      try {
        ctorName = (value as { constructor?: { name?: unknown } }).constructor?.name;
      } catch {
        ctorName = undefined;
      }
      if (typeof ctorName === 'string' && ctorName !== '') return `an instance of ${ctorName}`;
      return inspect(value, { depth: -1 });
    }
  }
}

/**
 * Describes a received value the way Node's error messages do, without the
 * leading `Received `: `undefined`, `null`, `type string ('12')`,
 * `type number (NaN)`, `type bigint (5n)`, `function foo`,
 * `an instance of Float32Array`, ...
 */
export function describeReceived(value: unknown): string {
  const type = typeof value;
  if (value === null || type === 'undefined' || type === 'object' || type === 'function') return briefValue(value);
  return `type ${type} (${briefValue(value)})`;
}

/**
 * `The "image.width" property must be of type number. Received type string ('12')`.
 *
 * @param name The argument path as the caller wrote it.
 * @param expected What the value must be, following "must be ": e.g.
 *   `'of type number'`, `'an instance of AbortSignal'`.
 * @param actual The value received.
 */
export function invalidArgTypeError(name: string, expected: string, actual: unknown): OffloopTypeError {
  const err = new TypeError(`The ${subject(name)} must be ${expected}. Received ${describeReceived(actual)}`);
  return finish(err, 'ERR_INVALID_ARG_TYPE', invalidArgTypeError);
}

/**
 * `The property 'options.order' must be one of: 'rgb', 'bgr'. Received 'rgbx'`.
 *
 * @param name The argument path as the caller wrote it.
 * @param value The value received (described briefly: objects by class).
 * @param reason What is wrong, following the argument's name (default
 *   `'is invalid'`).
 */
export function invalidArgValueError(name: string, value: unknown, reason = 'is invalid'): OffloopTypeError {
  const kind = name.includes('.') ? 'property' : 'argument';
  const err = new TypeError(`The ${kind} '${name}' ${reason}. Received ${briefValue(value)}`);
  return finish(err, 'ERR_INVALID_ARG_VALUE', invalidArgValueError);
}

function formatReceived(received: unknown): string {
  if (typeof received === 'string') return received;
  return briefValue(received);
}

/**
 * `The value of "options.out" is out of range. It must have length 100. Received length 99`.
 *
 * @param name The argument path as the caller wrote it.
 * @param range What the value must be, following "It must ": e.g.
 *   `'be an integer >= 1 and <= 1024'`, `'have length 100'`.
 * @param received The value received: numbers and bigints are formatted,
 *   strings are inserted verbatim (e.g. `'length 99'`).
 */
export function outOfRangeError(name: string, range: string, received: unknown): OffloopRangeError {
  const err = new RangeError(`The value of "${name}" is out of range. It must ${range}. Received ${formatReceived(received)}`);
  return finish(err, 'ERR_OUT_OF_RANGE', outOfRangeError);
}

const SQUARE_LIMIT: Record<BigIntArrayType, string> = {
  BigInt64Array: '>= -3037000499n and <= 3037000499n',
  BigUint64Array: '<= 4294967295n',
};

const SUM_LIMIT: Record<BigIntArrayType, string> = {
  BigInt64Array: '9223372036854775807n (2^63 - 1)',
  BigUint64Array: '18446744073709551615n (2^64 - 1)',
};

/**
 * The error for a BigInt element whose square does not fit its array type:
 * `The value of "input[5]" is out of range. Its square must fit in a
 * BigInt64Array element, so it must be >= -3037000499n and <= 3037000499n.
 * Received 3037000500n`.
 *
 * @param index The index of the (first) offending element.
 * @param value That element's value, or undefined when it is no longer
 *   known (squaring in place overwrote it).
 * @param arrayType The input's (and result's) array type.
 * @param name The input argument's name (default `'input'`).
 */
export function squareOverflowError(
  index: number,
  value: bigint | undefined,
  arrayType: BigIntArrayType,
  name = 'input',
): OffloopRangeError {
  const err = new RangeError(
    `The value of "${name}[${index}]" is out of range. Its square must fit in a ${arrayType} element, ` +
      `so it must be ${SQUARE_LIMIT[arrayType]}.` + (value === undefined ? '' : ` Received ${value}n`),
  );
  return finish(err, 'ERR_OUT_OF_RANGE', squareOverflowError);
}

/**
 * The error for a BigInt sum of squares that does not fit 64 bits:
 * `The sum of the squares of "input" is out of range. It must fit in a
 * BigInt64Array element (<= 9223372036854775807n (2^63 - 1))`.
 *
 * @param arrayType The input's array type (signed: 2^63 - 1, unsigned: 2^64 - 1).
 * @param name The input argument's name (default `'input'`).
 */
export function sumOverflowError(arrayType: BigIntArrayType, name = 'input'): OffloopRangeError {
  const err = new RangeError(
    `The sum of the squares of "${name}" is out of range. It must fit in a ${arrayType} element ` +
      `(<= ${SUM_LIMIT[arrayType]})`,
  );
  return finish(err, 'ERR_OUT_OF_RANGE', sumOverflowError);
}
