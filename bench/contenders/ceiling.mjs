// The memory-system ceiling (bench/ceiling): native threads that only move
// the bytes. The copy ceiling moves as many bytes as the kernel reads plus
// writes (half read, half written), with memcpy and with a streaming-store
// copy (the faster of the two is the ceiling: see bench/ceiling/ceiling.cc);
// the read ceiling streams the kernel's input and sums it.
import { loadCeiling } from '../ceiling/index.mjs';

let addon;
export function loadCeilingAddon() {
  addon ??= loadCeiling();
  return addon;
}

/** memcpy and streaming copy of `src` into `dst` on `threads` native threads. */
export function copyCeilingContenders(threads, src, dst) {
  const native = loadCeilingAddon();
  const variant = (name, copy) => ({
    id: `ceiling-${name}@${threads}`,
    family: 'ceiling',
    threads,
    run: () => {
      copy(src, dst, threads);
      return dst;
    },
  });
  return [variant('memcpy', native.copy), variant('stream', native.streamCopy)];
}

/** Streaming read (sum of bytes) of `src` on `threads` native threads. */
export function readCeilingContender(threads, src) {
  const native = loadCeilingAddon();
  return {
    id: `ceiling-read@${threads}`,
    family: 'ceiling',
    threads,
    run: () => native.readSum(src, threads),
  };
}
