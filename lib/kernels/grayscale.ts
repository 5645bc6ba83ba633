/** grayscale / grayscaleSync: the native kernel, on the pool or inline. */
import { OutputType, binding, nativeConstants } from '../binding.js';
import { grayscaleInJs } from '../js/grayscale.js';
import { runAsync, runSync, sizeThresholds, type Kernel } from '../runner.js';
import type { Grayscale, GrayscaleSync } from '../types.js';
import { prepareGrayscale, type GrayCall } from '../validate-image.js';

/** A new result, on fresh pages the pool threads first-touch when large. */
function newGrayOut(pixels: number): Uint8Array {
  if (pixels < nativeConstants.nativeOutputBytes) return new Uint8Array(pixels);
  return (binding.allocateOutput(OutputType.Uint8, pixels) as Uint8Array | undefined) ?? new Uint8Array(pixels);
}

function nativeArgs({ plan, out }: GrayCall) {
  return [
    plan.data,
    plan.width,
    plan.height,
    plan.channels,
    plan.stride,
    plan.bgr,
    plan.weights === 'bt709',
    out,
  ] as const;
}

const grayscaleKernel: Kernel<GrayCall, Uint8Array> = {
  ...grayscaleInJs,
  prepare: (image, options) => prepareGrayscale(image, options, newGrayOut),
  native: {
    binding,
    inlineItems: () => sizeThresholds.inlinePixels,
    runSync(call, progress) {
      binding.grayscaleSync(...nativeArgs(call), progress);
      return call.out;
    },
    submit: (call, wantsProgress) => binding.grayscale(...nativeArgs(call), wantsProgress),
    result: (call) => call.out,
  },
};

/**
 * Converts RGB/RGBA (or, with `order: 'bgr'`, BGR/BGRA) pixels to 8-bit
 * gray, bit-exact with Pillow's `convert('L')` for the default `bt601`
 * weights. Resolves to a Uint8Array of width*height bytes (or `options.out`).
 */
export const grayscale = function grayscale(image: unknown, options?: unknown) {
  return runAsync(grayscaleKernel, image, options, grayscale);
} as Grayscale;

/** grayscale, blocking the calling thread until the pool is done. */
export const grayscaleSync = function grayscaleSync(image: unknown, options?: unknown) {
  return runSync(grayscaleKernel, image, options, grayscaleSync);
} as GrayscaleSync;
