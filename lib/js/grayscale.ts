/**
 * The grayscale kernel in JS: bit-for-bit what the native kernel computes,
 * `(R * wr + G * wg + B * wb + 0x8000) >>> 16` with 16-bit fixed-point weights.
 */
import { outOfRangeError } from '../errors.js';
import { lengthOf } from '../intrinsics.js';
import type { Kernel } from '../runner.js';
import { prepareGrayscale, type GrayCall, type GrayPlan } from '../validate-image.js';

/** 16-bit fixed-point luma weights (R, G, B), each triple summing to 65536. */
export const GRAY_WEIGHTS = {
  bt601: [19595, 38470, 7471],
  bt709: [13933, 46871, 4732],
} as const satisfies Record<'bt601' | 'bt709', readonly [number, number, number]>;

/**
 * Writes the gray bytes of a validated image into `out` (width * height
 * bytes, rows packed).
 */
export function grayscaleInto(plan: GrayPlan, out: Uint8Array): void {
  const outLength = lengthOf(out);
  if (outLength !== plan.pixels) throw outOfRangeError('out', `have length ${plan.pixels}`, `length ${outLength}`);
  const { data, width, height, channels, stride } = plan;
  const w = GRAY_WEIGHTS[plan.weights];
  const wr = w[0];
  const wg = w[1];
  const wb = w[2];
  const ri = plan.bgr ? 2 : 0;
  const bi = plan.bgr ? 0 : 2;
  let o = 0;
  for (let y = 0; y < height; y++) {
    let p = y * stride;
    for (let x = 0; x < width; x++) {
      out[o++] = (data[p + ri] * wr + data[p + 1] * wg + data[p + bi] * wb + 0x8000) >>> 16;
      p += channels;
    }
  }
}

/** `grayscale` in JS on the calling thread: what offloop/reference runs. */
export const grayscaleInJs: Kernel<GrayCall, Uint8Array> = {
  prepare: (image, options) => prepareGrayscale(image, options, (pixels) => new Uint8Array(pixels)),
  js: (call) => {
    grayscaleInto(call.plan, call.out);
    return call.out;
  },
};
