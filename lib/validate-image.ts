/** Validation of grayscale images, their options and outputs. */
import { checkFixedBuffer, overlaps, typedArrayTag } from './buffers.js';
import { checkSafeInteger, isObject, readEnum } from './checks.js';
import { invalidArgTypeError, invalidArgValueError, outOfRangeError } from './errors.js';
import { bufferOf, byteLengthOf, byteOffsetOf, lengthOf } from './intrinsics.js';
import { readControl, readOptions, type Control } from './options.js';

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

const GRAY_OPTIONS = ['order', 'weights', 'out', 'signal', 'onProgress'] as const;

/**
 * Validates a `grayscale` image and its options (`order`, `weights`; `out`
 * is checked by {@link checkGrayOut}). See {@link ImageInput} for the rules.
 * Each property of the image is read once, before `image.data` is checked.
 *
 * @param options `order` and `weights`, as read by {@link prepareGrayscale}.
 */
export function planGrayscale(image: unknown, options: { order?: unknown; weights?: unknown } = {}): GrayPlan {
  if (!isObject(image)) throw invalidArgTypeError('image', 'of type object', image);
  const data: unknown = image.data;
  const rawWidth: unknown = image.width;
  const rawHeight: unknown = image.height;
  const rawChannels: unknown = image.channels;
  const rawStride: unknown = image.stride;

  const tag = typedArrayTag(data);
  if (tag !== 'Uint8Array' && tag !== 'Uint8ClampedArray') {
    throw invalidArgTypeError('image.data', 'an instance of Uint8Array, Uint8ClampedArray or Buffer', data);
  }
  const bytes = data as Uint8Array | Uint8ClampedArray;
  checkFixedBuffer(bytes, 'image.data');
  const length = lengthOf(bytes);

  const width = checkSafeInteger(rawWidth, 'image.width', 0);
  const height = checkSafeInteger(rawHeight, 'image.height', 0);
  const pixels = width * height;
  if (pixels > Number.MAX_SAFE_INTEGER) {
    throw outOfRangeError('image.width * image.height', `be <= ${Number.MAX_SAFE_INTEGER}`, `${width} * ${height}`);
  }

  let channels: 3 | 4;
  if (rawChannels === undefined) {
    if (rawStride !== undefined) {
      throw invalidArgValueError('image.channels', rawChannels, 'must be given (3 or 4) when image.stride is given');
    }
    if (length === pixels * 4) channels = 4;
    else if (length === pixels * 3) channels = 3;
    else if (length < pixels * 3) {
      // Too short for either layout: the data is at fault, not the channels.
      throw outOfRangeError(
        'image.data.length',
        `be width * height * 3 (${pixels * 3}) or width * height * 4 (${pixels * 4}) for a ${width}x${height} image`,
        length,
      );
    } else {
      throw invalidArgValueError(
        'image.channels',
        rawChannels,
        `must be given (3 or 4): it cannot be inferred, as image.data.length (${length}) is neither ` +
          `width * height * 4 (${pixels * 4}) nor width * height * 3 (${pixels * 3})`,
      );
    }
  } else {
    if (typeof rawChannels !== 'number') throw invalidArgTypeError('image.channels', 'of type number', rawChannels);
    if (rawChannels !== 3 && rawChannels !== 4)
      throw invalidArgValueError('image.channels', rawChannels, 'must be 3 or 4');
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
  if (length < needed) {
    throw outOfRangeError(
      'image.data.length',
      `be >= ${needed} for a ${width}x${height} image with ${channels} channels and a stride of ${stride} bytes ` +
        '((height - 1) * stride + width * channels)',
      length,
    );
  }

  const order = readEnum(options.order, 'options.order', ['rgb', 'bgr'] as const, 'rgb');
  const weights = readEnum(options.weights, 'options.weights', ['bt601', 'bt709'] as const, 'bt601');

  // Kernels and the native side get a plain Uint8Array, whatever subclass
  // (Buffer, Uint8ClampedArray, a user's) the caller passed.
  const view =
    Object.getPrototypeOf(bytes) === Uint8Array.prototype
      ? (bytes as Uint8Array)
      : new Uint8Array(bufferOf(bytes), byteOffsetOf(bytes), byteLengthOf(bytes));
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
  const length = lengthOf(view);
  if (length !== plan.pixels) throw outOfRangeError(name, `have length ${plan.pixels}`, `length ${length}`);
  if (overlaps(view, plan.data)) {
    throw invalidArgValueError(
      name,
      out,
      'overlaps image.data; the result must go to memory that does not overlap the image',
    );
  }
  return view;
}

/** A validated `grayscale` call. */
export interface GrayCall {
  plan: GrayPlan;
  out: Uint8Array;
  control: Control;
  /** The number of pixels. */
  total: number;
}

/**
 * Reads and validates the arguments of `grayscale` / `grayscaleSync`: every
 * option and image property is read once, before any buffer is checked, so
 * that no user code runs between the checks and the work.
 *
 * @param allocate Makes the result when `options.out` is not given.
 */
export function prepareGrayscale(image: unknown, options: unknown, allocate: (pixels: number) => Uint8Array): GrayCall {
  const snapshot = readOptions(options, GRAY_OPTIONS);
  const control = readControl(snapshot);
  const plan = planGrayscale(image, snapshot);
  const out = checkGrayOut(plan, snapshot.out) ?? allocate(plan.pixels);
  return { plan, out, control, total: plan.pixels };
}
