/**
 * Node-style errors.
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
 * Failures of the native side are plain `Error`s with an `ERR_OFFLOOP_*`
 * code. Messages always name the argument as the caller wrote it, e.g.
 * `image.width`, `options.out` or `input[3]`, and every stack starts at the
 * caller's own call.
 */
import { inspect, types } from 'node:util';

/** The `code` values offloop's own errors carry. */
export type OffloopErrorCode =
  | 'ERR_INVALID_ARG_TYPE'
  | 'ERR_INVALID_ARG_VALUE'
  | 'ERR_OUT_OF_RANGE'
  | 'ERR_OFFLOOP_EXTENSION_MISMATCH'
  | OffloopNativeErrorCode
  | OffloopBatchErrorCode;

/**
 * The codes of a file a batch (grayscaleFiles, submitFiles, the command
 * line) refuses to write, before reading it; the batch goes on:
 * - `ERR_OFFLOOP_OUTPUT_IS_INPUT`: the output is the file's own input, or
 *   another input of the batch (`inPlace` allows the first);
 * - `ERR_OFFLOOP_OUTPUT_COLLISION`: an earlier input of the batch writes
 *   that output already.
 */
export type OffloopBatchErrorCode = 'ERR_OFFLOOP_OUTPUT_IS_INPUT' | 'ERR_OFFLOOP_OUTPUT_COLLISION';

/**
 * The codes of failures that are not the caller's fault:
 * - `ERR_OFFLOOP_NO_BINARY`: no native binary fits this platform (thrown on load);
 * - `ERR_OFFLOOP_OUT_OF_MEMORY`: native memory for the call could not be had;
 * - `ERR_OFFLOOP_THREAD_START`: the operating system refused a pool thread;
 * - `ERR_OFFLOOP_NATIVE`: any other native failure;
 *
 * and of an image file offloop could not turn gray (grayscaleFile):
 * - `ERR_OFFLOOP_EMPTY_INPUT`: the file (or buffer) has no bytes;
 * - `ERR_OFFLOOP_TRUNCATED_IMAGE`: the data ends before the image does;
 * - `ERR_OFFLOOP_CORRUPT_IMAGE`: the data is not a valid JPEG or PNG;
 * - `ERR_OFFLOOP_UNSUPPORTED_FORMAT`: another format (WebP, GIF, TIFF, ...;
 *   the message names it) or a variant offloop does not decode;
 * - `ERR_OFFLOOP_INPUT_TOO_LARGE`: more pixels than `limitInputPixels`, or
 *   a file of more bytes than `limitInputBytes`;
 * - `ERR_OFFLOOP_NOT_A_FILE`: the path names a FIFO, a device or a socket
 *   (never read: it could block or never end; a folder is `EISDIR`).
 *
 * (A file that cannot be read or written fails with the system's error
 * instead, as Node's `fs` does: `code` `'ENOENT'`, `'EACCES'`, `'ENOSPC'`...)
 */
export type OffloopNativeErrorCode =
  | 'ERR_OFFLOOP_NO_BINARY'
  | 'ERR_OFFLOOP_OUT_OF_MEMORY'
  | 'ERR_OFFLOOP_THREAD_START'
  | 'ERR_OFFLOOP_NATIVE'
  | OffloopImageErrorCode;

/** The codes of an image file offloop could not decode; see {@link OffloopNativeErrorCode}. */
export type OffloopImageErrorCode =
  | 'ERR_OFFLOOP_EMPTY_INPUT'
  | 'ERR_OFFLOOP_TRUNCATED_IMAGE'
  | 'ERR_OFFLOOP_CORRUPT_IMAGE'
  | 'ERR_OFFLOOP_UNSUPPORTED_FORMAT'
  | 'ERR_OFFLOOP_INPUT_TOO_LARGE'
  | 'ERR_OFFLOOP_NOT_A_FILE';

/**
 * A `TypeError` with `code` `ERR_INVALID_ARG_TYPE` or `ERR_INVALID_ARG_VALUE`,
 * or `ERR_OFFLOOP_EXTENSION_MISMATCH`: an explicit `format` that an output's
 * extension contradicts (`format: 'jpeg'` with `output: 'x.png'`).
 */
export type OffloopTypeError = TypeError & {
  code: 'ERR_INVALID_ARG_TYPE' | 'ERR_INVALID_ARG_VALUE' | 'ERR_OFFLOOP_EXTENSION_MISMATCH';
};

/** A `RangeError` with `code` `ERR_OUT_OF_RANGE`. */
export type OffloopRangeError = RangeError & { code: 'ERR_OUT_OF_RANGE' };

/** An `Error` for a native failure; see {@link OffloopNativeErrorCode}. */
export type OffloopNativeError = Error & { code: OffloopNativeErrorCode };

/**
 * Any error offloop throws or rejects with, except the system's errors of
 * file access (see {@link OffloopSystemError}): narrow it by `code`.
 */
export type OffloopError = OffloopTypeError | OffloopRangeError | OffloopNativeError | OffloopBatchError;

/**
 * A file a batch refused to write (see {@link OffloopBatchErrorCode}):
 * `output` is the path refused, `otherInput` the input of this batch that
 * is that file (ERR_OFFLOOP_OUTPUT_IS_INPUT for another input) or that
 * claimed it first (ERR_OFFLOOP_OUTPUT_COLLISION).
 */
export type OffloopBatchError = Error & { code: OffloopBatchErrorCode; output: string; otherInput?: string };

/**
 * A file that could not be read or written (grayscaleFile): an `Error` as
 * Node's `fs` makes them, e.g. `ENOENT: no such file or directory, open
 * 'a.jpg'`, with the system's `code`, a negative `errno` (as Node's), the
 * call that failed and the path at fault (the input's or the output's).
 */
export type OffloopSystemError = Error & {
  /** The errno's name: `'ENOENT'`, `'EACCES'`, `'EISDIR'`, `'ENOSPC'`, `'EROFS'`, ... */
  code: string;
  /** The negative errno, as in Node's own errors (`-2` for ENOENT on Linux). */
  errno: number;
  syscall: 'open' | 'read' | 'fstat' | 'write' | 'close' | 'rename' | 'unlink' | (string & {});
  /** The path as the caller gave it (for a file: URL, its path). */
  path: string;
};

/**
 * An error of file access in the shape Node gives them (`NodeJS.ErrnoException`
 * of @types/node, which offloop's types do not require): a batch's listing
 * errors (`opendir`, `stat`) and a queue worker's system errors are these;
 * grayscaleFile's own are the stricter {@link OffloopSystemError}.
 */
export interface FileSystemError extends Error {
  /** The errno's name: `'ENOENT'`, `'EACCES'`, ... */
  code?: string;
  errno?: number;
  syscall?: string;
  path?: string;
}

/**
 * What one file fails with: a batch result's `error` (grayscaleFiles,
 * submitFiles), or grayscaleFile's rejection (besides an abort's reason or
 * what your onProgress threw). `code` is on every member: narrow by it
 * (`'ENOENT'`, `'ERR_OFFLOOP_CORRUPT_IMAGE'`, ...); {@link isOffloopFileError}
 * tells these from anything else.
 */
export type OffloopFileError = OffloopError | OffloopSystemError | FileSystemError;

const NATIVE_CODES: ReadonlySet<string> = new Set<OffloopNativeErrorCode>([
  'ERR_OFFLOOP_OUT_OF_MEMORY',
  'ERR_OFFLOOP_THREAD_START',
  'ERR_OFFLOOP_NATIVE',
  'ERR_OFFLOOP_EMPTY_INPUT',
  'ERR_OFFLOOP_TRUNCATED_IMAGE',
  'ERR_OFFLOOP_CORRUPT_IMAGE',
  'ERR_OFFLOOP_UNSUPPORTED_FORMAT',
  'ERR_OFFLOOP_INPUT_TOO_LARGE',
  'ERR_OFFLOOP_NOT_A_FILE',
]);

const OWN_CODES: ReadonlySet<string> = new Set<OffloopErrorCode>([
  'ERR_INVALID_ARG_TYPE',
  'ERR_INVALID_ARG_VALUE',
  'ERR_OUT_OF_RANGE',
  'ERR_OFFLOOP_NO_BINARY',
  'ERR_OFFLOOP_EXTENSION_MISMATCH',
  'ERR_OFFLOOP_OUTPUT_IS_INPUT',
  'ERR_OFFLOOP_OUTPUT_COLLISION',
  ...(NATIVE_CODES as ReadonlySet<OffloopNativeErrorCode>),
]);

// Marks the errors offloop made or passed on, so that a Node error (or a
// callback's error) with the same code is not mistaken for one. Symbol.for:
// shared by every copy of this module in the process.
const kOffloopError = Symbol.for('offloop.error');

function codeOf(value: unknown): string | undefined {
  if (!types.isNativeError(value)) return undefined;
  const code = (value as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * True for an error offloop threw or rejected with (a bad argument, a result
 * that does not fit, a native failure, a missing binary); false for anything
 * else, including errors your own callbacks threw and abort reasons.
 */
export function isOffloopError(value: unknown): value is OffloopError {
  const code = codeOf(value);
  if (code === undefined) return false;
  return (value as { [kOffloopError]?: boolean })[kOffloopError] === true || code.startsWith('ERR_OFFLOOP_');
}

/**
 * True for what a file can fail with ({@link OffloopFileError}): offloop's
 * own errors (as {@link isOffloopError}) and system errors of file access
 * (an Error whose `code` is an errno name: `ENOENT`, `EACCES`, `EISDIR`...),
 * which isOffloopError leaves out; false for anything else (an abort's
 * reason, your callback's own error without such a code). isOffloopError
 * stays as it is, so that it keeps narrowing `code` to offloop's own codes.
 */
export function isOffloopFileError(value: unknown): value is OffloopFileError {
  if (isOffloopError(value)) return true;
  const code = codeOf(value);
  return code !== undefined && /^E[A-Z0-9]+$/.test(code);
}

/** The BigInt array types whose squares and sums are computed exactly. */
export type BigIntArrayType = 'BigInt64Array' | 'BigUint64Array';

// biome-ignore lint/complexity/noBannedTypes: any callable, as Error.captureStackTrace takes its boundary
export type AnyFunction = Function;

/**
 * Formats `err.stack` now, with the code in its header as Node does
 * (`TypeError [ERR_INVALID_ARG_TYPE]: ...`) and its frames starting below
 * `boundary` (the frames of `boundary` and everything it called are left out).
 */
function captureStack(err: Error, code: string, boundary: AnyFunction): void {
  if (typeof Error.captureStackTrace !== 'function') return;
  const ownName = Object.getOwnPropertyDescriptor(err, 'name');
  // The stack is formatted lazily; format it once with the code in the
  // header, then restore the name.
  Object.defineProperty(err, 'name', {
    value: `${err.name} [${code}]`,
    enumerable: false,
    writable: true,
    configurable: true,
  });
  Error.captureStackTrace(err, boundary);
  void err.stack;
  if (ownName === undefined) delete (err as { name?: string }).name;
  else Object.defineProperty(err, 'name', ownName);
}

function mark(err: object): void {
  Object.defineProperty(err, kOffloopError, { value: true, enumerable: false, configurable: true });
}

/** Adds the own `code` property and formats the stack, hiding the factory's frames. */
function finish<E extends Error, C extends OffloopErrorCode>(err: E, code: C, factory: AnyFunction): E & { code: C } {
  Object.defineProperty(err, 'code', { value: code, enumerable: true, writable: true, configurable: true });
  mark(err);
  captureStack(err, code, factory);
  return err as E & { code: C };
}

/**
 * Makes `error` start at the user's call when it is offloop's own (made by
 * these factories or thrown by the native side with an offloop code): its
 * stack is taken again here, leaving out `caller` and everything it called,
 * so the first frame is the line that called `caller`. Anything else (a
 * callback's error, an abort reason) is returned untouched.
 */
export function pointAtCaller<T>(error: T, caller: AnyFunction): T {
  const code = codeOf(error);
  if (code === undefined || !OWN_CODES.has(code)) return error;
  mark(error as Error);
  captureStack(error as Error, code, caller);
  return error;
}

/** A stack captured at the user's call, for errors that arise after it returned. */
export interface CallSite {
  stack?: string;
}

/** The stack of the current call of `caller`, starting at the line that called it. */
export function captureCallSite(caller: AnyFunction): CallSite {
  const site: CallSite = {};
  Error.captureStackTrace(site, caller);
  return site;
}

/**
 * Gives offloop's own `error`, made after the call returned, the frames of
 * the user's call (see {@link captureCallSite}). Anything else is returned
 * untouched.
 */
export function withCallSite<T>(error: T, site: CallSite): T {
  const code = codeOf(error);
  if (code === undefined || !OWN_CODES.has(code) || site.stack === undefined) return error;
  const err = error as Error;
  mark(err);
  err.stack = `${err.name} [${code}]: ${err.message}${site.stack.slice(site.stack.indexOf('\n'))}`;
  return error;
}

/** A native job reported an overflow no kernel of that kind can have: a bug, never a user's input. */
export function unexpectedOverflowError(): RangeError {
  return new RangeError('offloop: unexpected overflow');
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

/**
 * `options.format is 'jpeg' but options.output 'x.png' names a PNG file
 * (leave format 'same' to write PNG, or name the output .jpg)`.
 */
export function extensionMismatchError(
  name: string,
  format: string,
  outputName: string,
  output: string,
  named: string,
): OffloopTypeError {
  const other = format === 'png' ? '.png' : '.jpg';
  const err = new TypeError(
    `offloop: ${name} is '${format}' but ${outputName} '${output}' names a ${named.toUpperCase()} file ` +
      `(leave ${name} 'same' to write ${named.toUpperCase()} there, or name the output ${other})`,
  );
  return finish(err, 'ERR_OFFLOOP_EXTENSION_MISMATCH', extensionMismatchError);
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
  const err = new RangeError(
    `The value of "${name}" is out of range. It must ${range}. Received ${formatReceived(received)}`,
  );
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
      `so it must be ${SQUARE_LIMIT[arrayType]}.` +
      (value === undefined ? '' : ` Received ${value}n`),
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

/**
 * The error for a job the native side could not finish (dispatch status
 * Failed): its code when it is one offloop documents, otherwise
 * `ERR_OFFLOOP_NATIVE`.
 *
 * @param subject What failed, for messages that do not name it (a file's
 *   path): the message becomes `offloop: <subject>: <native message>`.
 */
export function nativeFailureError(failure: unknown, subject?: string): OffloopNativeError {
  const { code, message } = (typeof failure === 'object' && failure !== null ? failure : {}) as {
    code?: unknown;
    message?: unknown;
  };
  const known =
    typeof code === 'string' && NATIVE_CODES.has(code) ? (code as OffloopNativeErrorCode) : 'ERR_OFFLOOP_NATIVE';
  let text = typeof message === 'string' && message !== '' ? message : 'offloop: the native side failed';
  if (subject !== undefined) text = `offloop: ${subject}: ${text.replace(/^offloop: /, '')}`;
  const err = new Error(text);
  return finish(err, known, nativeFailureError);
}

/**
 * The error for a file a batch refuses to write: `offloop: <input>: <reason>`,
 * with `output` (and `otherInput`, the other input involved) as own properties.
 */
export function batchOutputError(
  code: OffloopBatchErrorCode,
  input: string,
  reason: string,
  output: string,
  otherInput?: string,
): OffloopBatchError {
  const err = new Error(`offloop: ${input}: ${reason}`) as OffloopBatchError;
  err.output = output;
  if (otherInput !== undefined) err.otherInput = otherInput;
  return finish(err, code, batchOutputError);
}
