/** The public result of a file job, from what the native side resolved with. */
import type { NativeFileResult } from '../binding.js';
import { formatOfExtension } from './input.js';
import type { FileJob } from './settings.js';
import type { ExifOrientation, GrayscaleFileInfo, GrayscaleFileResult } from './types.js';

/**
 * Shapes the native result: the pixels, the encoded image, or the path
 * written, with what the job found and how long each stage took. Values are
 * the native side's, as reported.
 */
export function fileResult(job: FileJob, value: NativeFileResult): GrayscaleFileResult {
  const { input, output } = job;
  const claimed = input.kind === 'path' ? formatOfExtension(input.path) : undefined;
  const { width, height } = value;
  const { read, decode, orient, encode, write } = value.timings;
  const info: Omit<GrayscaleFileInfo, 'width' | 'height'> = {
    inputFormat: value.inputFormat,
    extensionMismatch: claimed !== undefined && claimed !== value.inputFormat,
    mode: value.mode,
    orientation: value.orientation as ExifOrientation,
    oriented: value.oriented,
    bytesIn: value.bytesIn,
    timings: { read, decode, orient, encode, write },
  };
  if (output !== undefined) return { output, width, height, format: value.format, bytes: value.bytesOut!, ...info };
  const data = value.data!;
  if (job.encode) return { data, width, height, format: value.format, bytes: data.length, ...info };
  return { data, width, height, format: value.inputFormat, ...info };
}

/**
 * The rows a file job reports in all (its progress `total`): every row
 * decoded, plus every row encoded when the image is encoded.
 */
export function fileRows(
  job: FileJob,
  value: Pick<NativeFileResult, 'width' | 'height' | 'orientation' | 'oriented'>,
): number {
  // The decoder's rows are the stored image's: before a quarter turn, the
  // oriented width.
  const turned = value.oriented && value.orientation >= 5;
  const decoded = turned ? value.width : value.height;
  const encoded = job.output !== undefined || job.encode ? value.height : 0;
  return decoded + encoded;
}
