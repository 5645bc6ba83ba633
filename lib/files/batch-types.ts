/** Public types of grayscaleFiles, the batch API over many image files. */
import type { OffloopBatchError, OffloopFileError } from '../errors.js';
import type { FILE_SETTING_KEYS } from './settings.js';
import type { GrayscaleFileOptions, GrayscaleFileTimings, ImageFileFormat } from './types.js';

/** One input of a batch: a path, a `file:` URL, or a pair naming its own output. */
export type GrayscaleFilesItem = string | URL | { input: string | URL; output: string | URL };

/**
 * The inputs of a batch: a directory's path (or `file:` URL), or an array or
 * any sync or async iterable of items, pulled lazily.
 */
export type GrayscaleFilesInputs = string | URL | Iterable<GrayscaleFilesItem> | AsyncIterable<GrayscaleFilesItem>;

/** What `onProgress` receives after each file. */
export interface GrayscaleFilesProgress {
  /** Files done so far (written or skipped). */
  done: number;
  /** Files failed so far. */
  failed: number;
  /** The number of inputs, when known (an array). */
  total?: number;
  /** Bytes read so far. */
  bytesIn: number;
  /** Pixels turned gray so far. */
  pixels: number;
}

/** Options of `grayscaleFiles`. Other keys are ignored. */
export interface GrayscaleFilesOptions extends Pick<GrayscaleFileOptions, (typeof FILE_SETTING_KEYS)[number]> {
  /** The folder outputs go to, mirroring each input's path relative to the listed directory (or its base name). */
  outDir?: string | URL;
  /** Names each input's output; wins over `outDir`. */
  output?: (input: string) => string | URL;
  /**
   * Write each output over its input (the only way an output may be an
   * input). With a `format` that changes the input's format, the output is
   * the input's name with the new extension, beside it, and the input stays
   * (as `mogrify -format`). Not with `outDir` or `output`.
   */
  inPlace?: boolean;
  /** With a directory: list its subfolders too (default `false`). */
  recursive?: boolean;
  /** Yield results in input order (default `false`: as files complete). */
  ordered?: boolean;
  /**
   * Skip inputs whose output exists whole (their result has `skipped:
   * true`): its header parses and it ends as a JPEG or PNG ends. An empty or
   * cut short output is written again.
   */
  skipExisting?: boolean;
  /** Files in flight at most (default: the pool's threads + 2). */
  concurrency?: number;
  /** Stops the whole batch. */
  signal?: AbortSignal;
  /** Called after each file. */
  onProgress?: (progress: GrayscaleFilesProgress) => void;
}

/** A file written. */
export interface GrayscaleFilesDone {
  input: string;
  output: string;
  width: number;
  height: number;
  /** The format written. */
  format: ImageFileFormat;
  bytesIn: number;
  bytesOut: number;
  /** Milliseconds from start to finish of this file. */
  ms: number;
  /** Where the pool thread's time went (milliseconds), as grayscaleFile reports it. */
  timings: GrayscaleFileTimings;
  skipped?: undefined;
  error?: undefined;
}

/** A file skipped by `skipExisting`: its output existed, whole. */
export interface GrayscaleFilesSkipped {
  input: string;
  output: string;
  skipped: true;
  error?: undefined;
}

/**
 * A file that failed; the batch goes on. A file the batch refused to write
 * fails with `ERR_OFFLOOP_OUTPUT_IS_INPUT` or `ERR_OFFLOOP_OUTPUT_COLLISION`
 * (see {@link OffloopBatchError}) and its input is not read.
 */
export interface GrayscaleFilesFailed {
  /** The input's path (or the item as given, when it was not a valid one). */
  input: unknown;
  /** offloop's error (`ERR_OFFLOOP_*`, a bad item's `ERR_INVALID_ARG_TYPE`) or a system error (`ENOENT`, `EACCES`...): narrow by `code`. */
  error: OffloopFileError;
  skipped?: undefined;
}

export type GrayscaleFilesResult = GrayscaleFilesDone | GrayscaleFilesSkipped | GrayscaleFilesFailed;

/** `grayscaleFiles(inputs, options)`: an async generator of per-file results. */
export type GrayscaleFiles = (
  inputs: GrayscaleFilesInputs,
  options?: GrayscaleFilesOptions,
) => AsyncGenerator<GrayscaleFilesResult, void, undefined>;
