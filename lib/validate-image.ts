/** Validation of grayscale images, their options and outputs. */
import { checkFixedBuffer, overlaps, typedArrayTag } from './buffers.js';
import { checkSafeInteger, isObject, readEnum } from './checks.js';
import { invalidArgTypeError, invalidArgValueError, outOfRangeError } from './errors.js';
import { readOptions } from './options.js';

/** The validated, normalised arguments of `grayscale`. */
export interface GrayPlan {
  /** A Uint8Array view over the caller's bytes (no copy). */
  data: Uint8Array;
  width: number;
  height: number;
  channels: 3 | 4;
  /** Bytes from one row to the next (>= width * channels). */
  stride: number;
  /** True for B,G,R(,A) byte order. */
  bgr: boolean;
  weights: 'bt601' | 'bt709';
  /** width * height: the length of the result. */
  pixels: number;
}


/**
 * Validates a `grayscale` image and its options (`order`, `weights`; `out`
 * is checked by {@link checkGrayOut}). See {@link ImageInput} for the rules.
 */
export function planGrayscale(image: unknown, options: unknown): GrayPlan {
  if (!isObject(image)) throw invalidArgTypeError('image', 'of type object', image);

  const data: unknown = image.data;
  const tag = typedArrayTag(data);
  if (tag !== 'Uint8Array' && tag !== 'Uint8ClampedArray') {
    throw invalidArgTypeError('image.data', 'an instance of Uint8Array, Uint8ClampedArray or Buffer', data);
  }
  const bytes = data as Uint8Array | Uint8ClampedArray;
  checkFixedBuffer(bytes, 'image.data');

  const width = checkSafeInteger(image.width, 'image.width', 0);
  const height = checkSafeInteger(image.height, 'image.height', 0);
  const pixels = width * height;
  if (pixels > Number.MAX_SAFE_INTEGER) {
    throw outOfRangeError('image.width * image.height', `be <= ${Number.MAX_SAFE_INTEGER}`, `${width} * ${height}`);
  }

  const rawChannels: unknown = image.channels;
  const rawStride: unknown = image.stride;
  let channels: 3 | 4;
  if (rawChannels === undefined) {
    if (rawStride !== undefined) {
      throw invalidArgValueError('image.channels', rawChannels, 'must be given (3 or 4) when image.stride is given');
    }
    if (bytes.length === pixels * 4) channels = 4;
    else if (bytes.length === pixels * 3) channels = 3;
    else {
      throw invalidArgValueError(
        'image.channels',
        rawChannels,
        `must be given (3 or 4): it cannot be inferred, as image.data.length (${bytes.length}) is neither ` +
          `width * height * 4 (${pixels * 4}) nor width * height * 3 (${pixels * 3})`,
      );
    }
  } else {
    if (typeof rawChannels !== 'number') throw invalidArgTypeError('image.channels', 'of type number', rawChannels);
    if (rawChannels !== 3 && rawChannels !== 4) throw invalidArgValueError('image.channels', rawChannels, 'must be 3 or 4');
    channels = rawChannels;
  }

  const rowBytes = width * channels;
  let stride: number;
  if (rawStride === undefined) {
    stride = rowBytes;
  } else {
    if (typeof rawStride !== 'number') throw invalidArgTypeError('image.stride', 'of type number', rawStride);
    if (!Number.isSafeInteger(rawStride) || rawStride < rowBytes) {
      throw outOfRangeError('image.stride', `be an integer >= image.width * image.channels (${rowBytes})`, rawStride);
    }
    stride = rawStride;
  }
  if (stride * height > Number.MAX_SAFE_INTEGER) {
    throw outOfRangeError('image.stride * image.height', `be <= ${Number.MAX_SAFE_INTEGER}`, `${stride} * ${height}`);
  }

  const needed = pixels === 0 ? 0 : (height - 1) * stride + rowBytes;
  if (bytes.length < needed) {
    throw outOfRangeError(
      'image.data.length',
      `be >= ${needed} for a ${width}x${height} image with ${channels} channels and a stride of ${stride} bytes ` +
        '((height - 1) * stride + width * channels)',
      bytes.length,
    );
  }

  const opts = readOptions(options);
  const order = readEnum(opts.order, 'options.order', ['rgb', 'bgr'] as const, 'rgb');
  const weights = readEnum(opts.weights, 'options.weights', ['bt601', 'bt709'] as const, 'bt601');

  const view =
    Object.getPrototypeOf(bytes) === Uint8Array.prototype
      ? (bytes as Uint8Array)
      : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { data: view, width, height, channels, stride, bgr: order === 'bgr', weights, pixels };
}

/**
 * Validates `options.out` of `grayscale`: undefined -> undefined; otherwise
 * a Uint8Array (a Buffer is one) of exactly `width * height` bytes, not
 * detached/resizable/growable, not overlapping `image.data` at all.
 *
 * @param name The argument's name in messages (default `'options.out'`).
 */
export function checkGrayOut(plan: GrayPlan, out: unknown, name = 'options.out'): Uint8Array | undefined {
  if (out === undefined) return undefined;
  if (typedArrayTag(out) !== 'Uint8Array') throw invalidArgTypeError(name, 'an instance of Uint8Array', out);
  const view = out as Uint8Array;
  checkFixedBuffer(view, name);
  if (view.length !== plan.pixels) throw outOfRangeError(name, `have length ${plan.pixels}`, `length ${view.length}`);
  if (overlaps(view, plan.data)) {
    throw invalidArgValueError(name, out, 'overlaps image.data; the result must go to memory that does not overlap the image');
  }
  return view;
}
