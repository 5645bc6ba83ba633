/**
 * The data of the queue's BullMQ jobs (what travels through Redis): their
 * names and payloads, their ids, and results and errors as JSON. Shared by
 * the worker and the producer.
 */
import { createHash } from 'node:crypto';

import type { FILE_SETTING_KEYS } from '../files/settings.js';
import type { GrayscaleFileOptions, GrayscaleFileTimings } from '../files/types.js';

export const DEFAULT_QUEUE = 'offloop';
export const GRAY_FILE = 'gray-file';
export const SUM_PART = 'sum-part';

/**
 * The per-file settings a queued file carries, the one list of them (the
 * producer reads these, the CLI passes these, a worker takes no other key
 * of a job): all of grayscaleFile's settings. A worker's own limits bound
 * the job's (the smaller of the two applies), and its `durable` adds to the
 * job's.
 */
export const QUEUED_SETTING_KEYS = [
  'mode',
  'format',
  'quality',
  'compressionLevel',
  'lossless',
  'autoOrient',
  'limitInputPixels',
  'limitInputBytes',
  'durable',
] as const satisfies ReadonlyArray<(typeof FILE_SETTING_KEYS)[number]>;

/** The per-file options of grayscaleFile that a queued file carries. */
export type QueuedFileOptions = Pick<GrayscaleFileOptions, (typeof QUEUED_SETTING_KEYS)[number]>;

/** The queued settings of `options` that are set, as given (a job's id hashes them). */
export function queuedSettings(
  options: Partial<Record<(typeof QUEUED_SETTING_KEYS)[number], unknown>>,
): QueuedFileOptions {
  const settings: Record<string, unknown> = {};
  for (const key of QUEUED_SETTING_KEYS) if (options[key] !== undefined) settings[key] = options[key];
  return settings as QueuedFileOptions;
}

export interface GrayFileData {
  input: string;
  output: string;
  options: QueuedFileOptions;
}

export interface GrayFileDone {
  width: number;
  height: number;
  format: 'jpeg' | 'png' | 'webp';
  bytesIn: number;
  bytesOut: number;
  ms: number;
  /** The worker's pool-thread stages, as grayscaleFile reports them. */
  timings?: GrayscaleFileTimings;
}

export interface SumPartData {
  from: number;
  to: number;
}

/** The input's size and modification time when it was submitted (null: it could not be read then). */
export type InputVersion = { size: number; mtimeMs: number } | null;

/**
 * Same input (path, size, modification time), output and options, same id:
 * submitting a folder twice does its work once, and an input changed since
 * is a new job.
 */
export function grayFileJobId(data: GrayFileData, version: InputVersion): string {
  const identity = [data.input, data.output, data.options, version && [version.size, version.mtimeMs]];
  return `gray-${createHash('sha256').update(JSON.stringify(identity)).digest('hex').slice(0, 40)}`;
}

export function sumPartJobId(part: SumPartData): string {
  return `sum-${part.from}-${part.to}`.replace(/:/g, '_');
}

// Failures a retry cannot mend: the file itself, or the request, is bad.
const PERMANENT = new Set([
  'ERR_OFFLOOP_EMPTY_INPUT',
  'ERR_OFFLOOP_TRUNCATED_IMAGE',
  'ERR_OFFLOOP_CORRUPT_IMAGE',
  'ERR_OFFLOOP_UNSUPPORTED_FORMAT',
  'ERR_OFFLOOP_INPUT_TOO_LARGE',
  'ERR_OFFLOOP_PATH_NOT_ALLOWED',
  'ERR_OFFLOOP_OUTPUT_IS_INPUT',
  'ERR_INVALID_ARG_TYPE',
  'ERR_INVALID_ARG_VALUE',
  'ERR_OUT_OF_RANGE',
  'ENOENT',
  'EISDIR',
  'ENOTDIR',
  'EACCES',
  'EPERM',
  'ENAMETOOLONG',
  'ELOOP',
]);

/** True when retrying cannot help (a corrupt file); false for EIO, EAGAIN, ENOSPC and the like. */
export function isPermanent(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && PERMANENT.has(code);
}

/** An error as a job's failedReason: JSON keeping the code. */
export function encodeFailure(error: unknown): string {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return JSON.stringify({
    code: typeof code === 'string' ? code : undefined,
    message: typeof message === 'string' ? message : String(error),
  });
}

export function decodeFailure(reason: string | undefined): Error & { code?: string } {
  try {
    const { code, message } = JSON.parse(reason ?? '') as { code?: string; message: string };
    return Object.assign(new Error(message), code === undefined ? {} : { code });
  } catch {
    return new Error(reason ?? 'the job failed');
  }
}

/** A Float64Array as base64 of its bytes: exact, unlike JSON numbers (-0). */
export function encodeFloat64(values: Float64Array): string {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');
}

export function decodeFloat64(text: string): Float64Array {
  const bytes = Buffer.from(text, 'base64');
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return new Float64Array(copy.buffer);
}
