/**
 * Validation of what grayscaleFile reads and writes: a path, a file: URL or
 * bytes in memory for the input; a path or a file: URL for the output.
 */
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';

import { checkFixedBuffer } from '../buffers.js';
import { invalidArgTypeError, invalidArgValueError } from '../errors.js';
import { bufferOf, byteLengthOf, byteOffsetOf, typedArrayTag } from '../intrinsics.js';
import type { ImageFileFormat } from './types.js';

/** A validated input: a path to read, or encoded bytes (a plain Uint8Array over the caller's memory). */
export type FileSource = { kind: 'path'; path: string } | { kind: 'bytes'; bytes: Uint8Array };

/**
 * A file: URL's path; any other URL, or a file: URL Node cannot turn into a
 * local path (a remote host, an encoded slash), is an ERR_INVALID_ARG_VALUE.
 */
function urlPath(url: URL, name: string): string {
  let href: string;
  try {
    href = url.href;
  } catch {
    throw invalidArgValueError(name, url, 'is not a usable URL');
  }
  if (!href.startsWith('file:')) {
    throw invalidArgValueError(name, href, 'must be a file: URL (only local files are read and written)');
  }
  try {
    return fileURLToPath(href);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message.replace(/\.$/, '') : 'cannot be a local path';
    throw invalidArgValueError(name, href, `is not a local file: URL (${reason})`);
  }
}

/** A path string as Node's fs accepts it: not empty, no NUL byte. */
function checkPath(path: string, name: string): string {
  if (path === '') throw invalidArgValueError(name, path, 'must not be an empty path');
  if (path.includes('\0')) throw invalidArgValueError(name, path, 'must be a path without null bytes');
  return path;
}

/**
 * Validates the input of grayscaleFile: a path string, a `file:` URL, or a
 * Uint8Array (a Buffer is one) holding an encoded image.
 *
 * @param name The argument's name in messages (default `'input'`).
 */
export function checkFileInput(input: unknown, name = 'input'): FileSource {
  if (typeof input === 'string') return { kind: 'path', path: checkPath(input, name) };
  if (typedArrayTag(input) === 'Uint8Array') {
    const bytes = input as Uint8Array;
    checkFixedBuffer(bytes, name);
    // The native side gets a plain Uint8Array, whatever subclass (Buffer, a
    // user's) the caller passed.
    const view =
      Object.getPrototypeOf(bytes) === Uint8Array.prototype
        ? bytes
        : new Uint8Array(bufferOf(bytes), byteOffsetOf(bytes), byteLengthOf(bytes));
    return { kind: 'bytes', bytes: view };
  }
  if (input instanceof URL) return { kind: 'path', path: checkPath(urlPath(input, name), name) };
  throw invalidArgTypeError(name, 'of type string or an instance of Buffer, Uint8Array or URL', input);
}

/**
 * Validates `options.output`: undefined, a path string or a `file:` URL.
 *
 * @param name The option's name in messages (default `'options.output'`).
 */
export function checkFileOutput(output: unknown, name = 'options.output'): string | undefined {
  if (output === undefined) return undefined;
  if (typeof output === 'string') return checkPath(output, name);
  if (output instanceof URL) return checkPath(urlPath(output, name), name);
  throw invalidArgTypeError(name, 'of type string or an instance of URL', output);
}

const EXTENSION_FORMATS: Readonly<Record<string, ImageFileFormat>> = {
  '.jpg': 'jpeg',
  '.jpeg': 'jpeg',
  '.jpe': 'jpeg',
  '.jfif': 'jpeg',
  '.png': 'png',
  '.webp': 'webp',
};

/** Extensions of formats offloop reads but does not write (case-insensitive). */
const READ_ONLY_EXTENSIONS: ReadonlySet<string> = new Set(['.tif', '.tiff', '.gif', '.bmp']);

/**
 * The format `format: 'same'` writes for an input named `path`, where its
 * extension tells: PNG for a TIFF, GIF or BMP (offloop writes none of them), undefined
 * for every other name (the input's own format is written).
 */
export function sameFormatForName(path: string): ImageFileFormat | undefined {
  return READ_ONLY_EXTENSIONS.has(extname(path).toLowerCase()) ? 'png' : undefined;
}

/** The format a path's extension names (case-insensitive), or undefined for any other. */
export function formatOfExtension(path: string): ImageFileFormat | undefined {
  const extension = extname(path).toLowerCase();
  return Object.hasOwn(EXTENSION_FORMATS, extension) ? EXTENSION_FORMATS[extension] : undefined;
}

/** How messages name an input: its path, or "input buffer". */
export function describeSource(source: FileSource): string {
  return source.kind === 'path' ? source.path : 'input buffer';
}
