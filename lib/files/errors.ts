/**
 * The errors of a file job: a system error (the file could not be read or
 * written) becomes an Error as Node's fs makes them; a codec error keeps its
 * ERR_OFFLOOP_* code and gets the input's path in its message.
 */
import { getSystemErrorMap } from 'node:util';

import {
  nativeFailureError,
  pointAtCaller,
  withCallSite,
  type AnyFunction,
  type CallSite,
  type OffloopSystemError,
} from '../errors.js';
import { describeSource } from './input.js';
import type { FileJob } from './settings.js';

/** What the native side reports for a failure it met reading or writing a file. */
const SYSTEM = 'ERR_OFFLOOP_SYSTEM';

const ARGUMENT_CODES: ReadonlySet<string> = new Set([
  'ERR_INVALID_ARG_TYPE',
  'ERR_INVALID_ARG_VALUE',
  'ERR_OUT_OF_RANGE',
]);

let systemErrors: Map<number, [string, string]> | undefined;

/** The name and description of a (negative) errno, as Node's own errors word them. */
function describeErrno(errno: number): [string, string] {
  systemErrors ??= getSystemErrorMap();
  return systemErrors.get(errno) ?? [`Unknown system error ${errno}`, 'unknown error'];
}

function fieldsOf(failure: unknown): { code?: unknown; errno?: unknown; syscall?: unknown; target?: unknown } {
  return typeof failure === 'object' && failure !== null ? (failure as Record<string, unknown>) : {};
}

/**
 * `ENOENT: no such file or directory, open 'a.jpg'`, with `code`, a
 * negative `errno`, `syscall` and `path` as own enumerable properties, like
 * the errors of Node's fs.
 */
function systemError(errno: number, syscall: string, path: string | undefined): OffloopSystemError {
  const [code, description] = describeErrno(-Math.abs(errno));
  const err = new Error(
    `${code}: ${description}, ${syscall}${path === undefined ? '' : ` '${path}'`}`,
  ) as OffloopSystemError;
  err.errno = -Math.abs(errno);
  err.code = code;
  err.syscall = syscall;
  if (path !== undefined) err.path = path;
  return err;
}

/**
 * The error for a file job that failed, from the native side's failure
 * (dispatch status Failed, or what the sync call threw): a system error
 * names the path at fault (the input's or the output's); any other failure
 * is offloop's, with its code and the input named in the message.
 */
export function fileFailureError(job: FileJob, failure: unknown): Error {
  const { code, errno, syscall, target } = fieldsOf(failure);
  if (code === SYSTEM && typeof errno === 'number' && errno !== 0) {
    const path = target === 'output' ? job.output : job.input.kind === 'path' ? job.input.path : undefined;
    return systemError(errno, typeof syscall === 'string' ? syscall : 'open', path);
  }
  // The native side's own argument checks (lib/ validated first, so these
  // should not happen) throw Node-style errors: passed on as they are.
  if (failure instanceof Error && typeof code === 'string' && ARGUMENT_CODES.has(code)) return failure;
  return nativeFailureError(failure, describeSource(job.input));
}

/** True for an error made by {@link fileFailureError} from a system failure. */
function isSystemError(error: unknown): error is OffloopSystemError {
  return (
    error instanceof Error &&
    typeof (error as { syscall?: unknown }).syscall === 'string' &&
    typeof (error as { errno?: unknown }).errno === 'number'
  );
}

/** Gives a file job's error the frames of the user's call (made on the JS thread after the call returned). */
export function fileErrorAtCallSite(error: Error, site: CallSite): Error {
  if (isSystemError(error)) {
    if (site.stack !== undefined) error.stack = `Error: ${error.message}${site.stack.slice(site.stack.indexOf('\n'))}`;
    return error;
  }
  return withCallSite(error, site);
}

/** Gives a file job's error, made during a sync call, a stack that starts at the user's call of `caller`. */
export function fileErrorAtCaller(error: Error, caller: AnyFunction): Error {
  if (isSystemError(error)) {
    Error.captureStackTrace(error, caller);
    return error;
  }
  return pointAtCaller(error, caller);
}
