/**
 * Whether an output already on disk is a whole image, for `skipExisting`:
 * its header parses and it ends as its format ends (the native header
 * inspector decides, from the file's first and last bytes). A file that is
 * empty, cut short or not an image is not done, so it is written again.
 */
// fs.promises is read at the call, not imported from node:fs/promises: that
// module (and readline, which it loads) would cost every import('offloop')
// a few ms of start-up, for functions only a files call uses.
import { constants, promises as fsPromises } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';

import { binding } from '../binding.js';

/** Bytes read first: a header offloop writes takes a few hundred. */
const HEAD_BYTES = 64 * 1024;
/** A header longer than this (EXIF, ICC in a file from elsewhere) is not worth reading for a skip. */
const MAX_HEAD_BYTES = 16 * 1024 * 1024;
const TAIL_BYTES = 12;

/** True when `path` is a regular file holding a whole JPEG, PNG or WebP; false for anything else, missing included. */
export async function isCompleteImage(path: string): Promise<boolean> {
  let file: FileHandle;
  try {
    // Without blocking: a FIFO in the output's place is not waited for.
    file = await fsPromises.open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return false;
  }
  try {
    const info = await file.stat();
    if (!info.isFile() || info.size === 0) return false;
    const size = info.size;
    const tailLength = Math.min(size, TAIL_BYTES);
    const tail = new Uint8Array(tailLength);
    await file.read(tail, 0, tailLength, size - tailLength);
    for (let want = Math.min(size, HEAD_BYTES); ; want = Math.min(size, want * 4)) {
      const head = new Uint8Array(want);
      const { bytesRead } = await file.read(head, 0, want, 0);
      const found = binding.inspectWholeFile(head.subarray(0, bytesRead), tail, size);
      if (!('code' in found)) return true;
      // The header may go on past what was read: read more, up to a bound.
      if (found.code !== 'ERR_OFFLOOP_TRUNCATED_IMAGE' || bytesRead < want || want >= size || want >= MAX_HEAD_BYTES)
        return false;
    }
  } catch {
    return false;
  } finally {
    await file.close();
  }
}
