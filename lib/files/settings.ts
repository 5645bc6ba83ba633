/**
 * Validation of grayscaleFile's options. The per-file settings (mode,
 * format, quality, ...) are read apart from the input and the output, so
 * that a call on many files can validate them once.
 */
import { readBoolean, readEnum } from '../checks.js';
import { extensionMismatchError, invalidArgTypeError, invalidArgValueError, outOfRangeError } from '../errors.js';
import { readControl, readOptions, type Control, type OptionsSnapshot } from '../options.js';
import { checkFileInput, checkFileOutput, formatOfExtension, type FileSource } from './input.js';
import type { GrayscaleFileMode } from './types.js';

// The defaults, as the native side's constants().fileDefaults has them
// (test/constants.test.ts checks they agree).

/** sharp's default pixel limit: 0x3FFF * 0x3FFF. */
export const DEFAULT_PIXEL_LIMIT = 268_402_689;

/** JPEG's default quality (Pillow's). */
export const DEFAULT_QUALITY = 75;

/** WebP's default quality, Pillow's. */
export const DEFAULT_WEBP_QUALITY = 80;

export const DEFAULT_COMPRESSION_LEVEL = 6;

/** Every mode, in the order the docs list them. */
export const GRAYSCALE_FILE_MODES = ['exact', 'luma', 'luma-lossless'] as const satisfies readonly GrayscaleFileMode[];

/** The default input file size limit: 1 GiB. */
export const DEFAULT_BYTE_LIMIT = 2 ** 30;

/** The option keys of the per-file settings. */
export const FILE_SETTING_KEYS = [
  'mode',
  'format',
  'quality',
  'compressionLevel',
  'lossless',
  'autoOrient',
  'limitInputPixels',
  'limitInputBytes',
  'durable',
] as const;

/** Every option key grayscaleFile reads; other keys are ignored. */
export const FILE_OPTION_KEYS = [...FILE_SETTING_KEYS, 'output', 'encode', 'signal', 'onProgress'] as const;

/** How to turn a file gray and encode it: the same for every file of a call. */
export interface FileSettings {
  mode: GrayscaleFileMode;
  format: 'same' | 'jpeg' | 'png' | 'webp';
  /** undefined: the written format's default (JPEG 75, WebP 80, Pillow's). */
  quality: number | undefined;
  compressionLevel: number;
  /** WebP: lossless instead of lossy. */
  lossless: boolean;
  autoOrient: boolean;
  /** 0: no limit. */
  limitInputPixels: number;
  /** 0: no limit. */
  limitInputBytes: number;
  durable: boolean;
}

function readInteger<F extends number | undefined>(
  value: unknown,
  name: string,
  min: number,
  max: number,
  fallback: F,
): number | F {
  if (value === undefined) return fallback;
  if (typeof value !== 'number') throw invalidArgTypeError(name, 'of type number', value);
  if (!Number.isInteger(value) || value < min || value > max)
    throw outOfRangeError(name, `be an integer >= ${min} and <= ${max}`, value);
  return value;
}

/** A size limit: a safe integer >= 0 (0: none), `false` for none, `true` or undefined for `fallback`. */
export function readLimit(value: unknown, name: string, fallback: number): number {
  if (value === undefined || value === true) return fallback;
  if (value === false) return 0;
  if (typeof value !== 'number') throw invalidArgTypeError(name, 'of type number or boolean', value);
  if (!Number.isSafeInteger(value) || value < 0)
    throw outOfRangeError(name, 'be a safe integer >= 0 (0 for no limit)', value);
  return value;
}

/**
 * Validates the per-file settings of a snapshot made by readOptions (which
 * read each key once).
 *
 * @param name The options argument's name in messages (default `'options'`).
 */
export function readFileSettings(
  options: OptionsSnapshot<(typeof FILE_SETTING_KEYS)[number]>,
  name = 'options',
): FileSettings {
  return {
    mode: readEnum(options.mode, `${name}.mode`, GRAYSCALE_FILE_MODES, 'exact'),
    format: readEnum(options.format, `${name}.format`, ['same', 'jpeg', 'png', 'webp'] as const, 'same'),
    // No default here: the written format's (JPEG 75, WebP 80) is the native side's.
    quality: readInteger(options.quality, `${name}.quality`, 1, 100, undefined),
    compressionLevel: readInteger(
      options.compressionLevel,
      `${name}.compressionLevel`,
      0,
      9,
      DEFAULT_COMPRESSION_LEVEL,
    ),
    lossless: readBoolean(options.lossless, `${name}.lossless`, false),
    autoOrient: readBoolean(options.autoOrient, `${name}.autoOrient`, false),
    limitInputPixels: readLimit(options.limitInputPixels, `${name}.limitInputPixels`, DEFAULT_PIXEL_LIMIT),
    limitInputBytes: readLimit(options.limitInputBytes, `${name}.limitInputBytes`, DEFAULT_BYTE_LIMIT),
    durable: readBoolean(options.durable, `${name}.durable`, false),
  };
}

/**
 * The settings for writing `output`: with format `'same'` an output named
 * `.png` or `.jpg`/`.jpeg` gets that format (as sharp's `toFile` and
 * ImageMagick do); an explicit format that the name contradicts throws
 * ERR_OFFLOOP_EXTENSION_MISMATCH. A name of no format offloop writes
 * (`.webp`, none) leaves the settings as they are.
 */
export function settingsForOutput(
  settings: FileSettings,
  output: string | undefined,
  names = { format: 'options.format', output: 'options.output' },
): FileSettings {
  const named = output === undefined ? undefined : formatOfExtension(output);
  if (named === undefined || named === settings.format) return settings;
  if (settings.format !== 'same')
    throw extensionMismatchError(names.format, settings.format, names.output, output!, named);
  return { ...settings, format: named };
}

/** One file to turn gray: what to read, where the result goes, how. */
export interface FileJob {
  input: FileSource;
  /** A path to write the encoded image to, or undefined. */
  output: string | undefined;
  /** Without `output`: true for the encoded image in memory, false for pixels. */
  encode: boolean;
  settings: FileSettings;
}

/**
 * Reads and validates the arguments of grayscaleFile / grayscaleFileSync:
 * every option is read once, before the input is checked.
 */
export function prepareFileCall(input: unknown, options: unknown): { job: FileJob; control: Control } {
  const snapshot = readOptions(options, FILE_OPTION_KEYS);
  const control = readControl(snapshot);
  const settings = readFileSettings(snapshot);
  const output = checkFileOutput(snapshot.output);
  const encode = readBoolean(snapshot.encode, 'options.encode', false);
  if (encode && output !== undefined) {
    throw invalidArgValueError(
      'options.encode',
      encode,
      'cannot be combined with options.output (the image is written there)',
    );
  }
  return {
    job: { input: checkFileInput(input), output, encode, settings: settingsForOutput(settings, output) },
    control,
  };
}
