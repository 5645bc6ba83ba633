/** Public types of the image-file API (grayscaleFile / grayscaleFileSync). */
import type { ControlOptions } from '../types.js';

/** The formats offloop reads and writes, always detected from the bytes. */
export type ImageFileFormat = 'jpeg' | 'png' | 'webp';

/** The formats `grayscaleFile` reads: the ones it writes (a WebP animation: its first frame), TIFF (the first page), GIF (the first frame) and BMP. */
export type ImageInputFormat = ImageFileFormat | 'tiff' | 'gif' | 'bmp';

/**
 * An image file: a path (relative to the process's working directory), a
 * `file:` URL, or the file's bytes in memory (a `Buffer` or `Uint8Array`,
 * read in place, never copied).
 */
export type GrayscaleFileInput = string | URL | Uint8Array;

/** How pixels are turned gray; see {@link GrayscaleFileOptions.mode}. */
export type GrayscaleFileMode = 'exact' | 'luma' | 'luma-lossless';

/** An EXIF orientation (1 to 8), or 0 when the file has none (or an invalid one). */
export type ExifOrientation = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

/** Options of `grayscaleFile` / `grayscaleFileSync`. Other keys are ignored. */
export interface GrayscaleFileOptions extends ControlOptions {
  /**
   * `'exact'` (default): the pixels equal Pillow's `Image.open(p).convert('L')`
   * bit for bit. `'luma'`: for YCbCr and gray JPEGs, the decoder's own luma
   * plane (no chroma decoding, upsampling or colour conversion: faster, and
   * within a few levels of exact); every other input decodes as `'exact'`.
   * `'luma-lossless'`: a JPEG written from a YCbCr or gray JPEG keeps the
   * input's own luma coefficients and quantization table (as
   * `jpegtran -grayscale`): no decode, no re-encode, no generation loss, and
   * `quality` is not used; the file decodes to exactly the pixels `'luma'`
   * gives. Every other case (pixels, PNG output, PNG input, CMYK/YCCK/RGB
   * JPEGs, `autoOrient` of a rotated or flipped image, a JPEG that ends
   * before its end marker) runs as `'luma'`.
   * The result's `mode` says which ran.
   */
  mode?: GrayscaleFileMode;
  /**
   * The format to encode to, with `output` or `encode`: `'same'` as the
   * input (default), `'jpeg'` or `'png'`. Ignored when pixels are returned.
   */
  format?: 'same' | ImageFileFormat;
  /** JPEG or lossy WebP quality, an integer from 1 to 100 (default: JPEG 75, WebP 80, Pillow's). */
  quality?: number;
  /** WebP output: lossless instead of lossy (default false, Pillow's); `quality` then sets the effort, as in Pillow. */
  lossless?: boolean;
  /** PNG zlib level, an integer from 0 to 9 (default 6, Pillow's and zlib's). */
  compressionLevel?: number;
  /**
   * Applies the EXIF orientation (as Pillow's `ImageOps.exif_transpose`), so
   * that the pixels stand as a viewer shows them. Default `false`, as
   * Pillow's `convert('L')`: the stored pixels, orientation ignored.
   */
  autoOrient?: boolean;
  /**
   * Refuse images of more pixels (width * height, from the header, before
   * any pixel memory is allocated) with `ERR_OFFLOOP_INPUT_TOO_LARGE`: a
   * non-negative integer, `0` or `false` for no limit, `true` for the default
   * 268,402,689 (0x3FFF * 0x3FFF, sharp's).
   */
  limitInputPixels?: number | boolean;
  /**
   * Refuse input files of more bytes with `ERR_OFFLOOP_INPUT_TOO_LARGE`,
   * from the file's size before it is read (a file read whole costs its
   * size in memory): a non-negative integer, `0` or `false` for no limit,
   * `true` for the default 1 GiB. Bytes in memory are not limited.
   */
  limitInputBytes?: number | boolean;
  /**
   * With `output`: fsync the file before it is renamed into place and its
   * folder after, so that once the call resolves the new file survives a
   * crash or a power loss (SQLite's and PostgreSQL's rule). Default `false`:
   * the file is still never seen half-written, but after a power loss the
   * output may be the old file, or (on some file systems) empty.
   */
  durable?: boolean;
  /**
   * Write the encoded gray image to this path (or `file:` URL) instead of
   * returning pixels. The file is written whole to a temporary file in the
   * same folder, then renamed over the path: it never exists half-written,
   * an existing file is replaced only on success, and nothing is left
   * behind on failure or abort. It may be the input's own path. A replaced
   * file's permission bits are kept; a new file gets 0666 less the umask;
   * the temporary file is readable by its owner only until it is renamed.
   */
  output?: string | URL;
  /**
   * `true`: resolve with the encoded gray image (a JPEG or PNG file's bytes)
   * in memory instead of pixels. Cannot be combined with `output`.
   */
  encode?: boolean;
}

/** Milliseconds spent in each stage on the pool thread; 0 where a stage did not run. */
export interface GrayscaleFileTimings {
  /** Reading the input file (0 for bytes in memory). */
  read: number;
  /** Decoding to gray. */
  decode: number;
  /** Applying the EXIF orientation. */
  orient: number;
  /** Encoding to JPEG or PNG. */
  encode: number;
  /** Writing the temporary file and renaming it over the output. */
  write: number;
}

/** What every result of `grayscaleFile` tells. */
export interface GrayscaleFileInfo {
  /** Width of the gray image, after orientation. */
  width: number;
  /** Height of the gray image, after orientation. */
  height: number;
  /** The input's format, detected from its bytes. */
  inputFormat: ImageInputFormat;
  /**
   * `true` when the input's path ends in an extension of the other format
   * (`.jpg`, `.jpeg`, `.jpe`, `.jfif` for JPEG; `.png`): e.g. a PNG named
   * `a.jpg`. It was decoded as what it is; `false` for other extensions and
   * for bytes in memory.
   */
  extensionMismatch: boolean;
  /**
   * The mode that ran: `'exact'` also when `'luma'` was asked for an input it
   * does not apply to, `'luma'` when `'luma-lossless'` was asked for a file
   * whose luma could not be copied.
   */
  mode: GrayscaleFileMode;
  /** The input's EXIF orientation, whether applied or not (0: none). */
  orientation: ExifOrientation;
  /** `true` when `autoOrient` turned or flipped the pixels. */
  oriented: boolean;
  /** Size of the input file in bytes. */
  bytesIn: number;
  timings: GrayscaleFileTimings;
}

/** The result without `output` or `encode`: the gray pixels. */
export interface GrayscaleFilePixels extends GrayscaleFileInfo {
  /** `width * height` gray bytes, row after row, rows packed. */
  data: Uint8Array<ArrayBuffer>;
  /** The input's format (nothing was encoded). */
  format: ImageInputFormat;
  output?: undefined;
  bytes?: undefined;
}

/** The result with `encode: true`: the encoded gray image. */
export interface GrayscaleFileEncoded extends GrayscaleFileInfo {
  /** The bytes of a JPEG (1 component) or PNG (8-bit gray) file. */
  data: Uint8Array<ArrayBuffer>;
  /** The format encoded. */
  format: ImageFileFormat;
  /** `data.length`. */
  bytes: number;
  output?: undefined;
}

/** The result with `output`: the encoded gray image was written there. */
export interface GrayscaleFileWritten extends GrayscaleFileInfo {
  /** The path written, as given (a `file:` URL's path). */
  output: string;
  /** The format written, whatever the output's extension. */
  format: ImageFileFormat;
  /** Size of the written file in bytes. */
  bytes: number;
  data?: undefined;
}

/** Any result of `grayscaleFile`: tell them apart by `output` or `bytes`. */
export type GrayscaleFileResult = GrayscaleFilePixels | GrayscaleFileEncoded | GrayscaleFileWritten;

/**
 * `grayscaleFile(input, options?)`: reads an image file (JPEG or PNG,
 * detected from its bytes), turns it gray and, with `options.output`, encodes
 * and writes it, all on offloop's pool. Resolves to the pixels
 * ({@link GrayscaleFilePixels}), the encoded image (`encode: true`,
 * {@link GrayscaleFileEncoded}) or what was written ({@link GrayscaleFileWritten}).
 */
export interface GrayscaleFile {
  (
    input: GrayscaleFileInput,
    options: GrayscaleFileOptions & { output: string | URL; encode?: false },
  ): Promise<GrayscaleFileWritten>;
  (
    input: GrayscaleFileInput,
    options: GrayscaleFileOptions & { encode: true; output?: undefined },
  ): Promise<GrayscaleFileEncoded>;
  (
    input: GrayscaleFileInput,
    options?: GrayscaleFileOptions & { output?: undefined; encode?: false },
  ): Promise<GrayscaleFilePixels>;
  (input: GrayscaleFileInput, options?: GrayscaleFileOptions): Promise<GrayscaleFileResult>;
}

/** `grayscaleFileSync(input, options?)`: {@link GrayscaleFile}, returning the result. */
export interface GrayscaleFileSync {
  (
    input: GrayscaleFileInput,
    options: GrayscaleFileOptions & { output: string | URL; encode?: false },
  ): GrayscaleFileWritten;
  (
    input: GrayscaleFileInput,
    options: GrayscaleFileOptions & { encode: true; output?: undefined },
  ): GrayscaleFileEncoded;
  (
    input: GrayscaleFileInput,
    options?: GrayscaleFileOptions & { output?: undefined; encode?: false },
  ): GrayscaleFilePixels;
  (input: GrayscaleFileInput, options?: GrayscaleFileOptions): GrayscaleFileResult;
}
