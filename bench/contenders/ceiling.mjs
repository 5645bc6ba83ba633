// The memory-system ceiling (bench/ceiling): native threads that only move
// the bytes. The copy ceiling moves as many bytes as the kernel reads plus
// writes (half read, half written), with memcpy and with a streaming-store
// copy (the faster of the two is the ceiling: see bench/ceiling/ceiling.cc);
// the read ceiling streams the kernel's input and sums it; the traffic
// ceiling reads the kernel's input and writes as many bytes as its output.
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

/**
 * The kernel's own traffic (`src` read and summed, `dst` written with
 * streaming stores) on `threads` native threads: a second yardstick beside
 * the copy ceiling for kernels that read more than they write.
 */
export function trafficCeilingContender(threads, src, dst) {
  const native = loadCeilingAddon();
  return {
    id: `ceiling-traffic@${threads}`,
    family: 'ceiling',
    yardstick: 'traffic',
    threads,
    run: () => native.trafficSum(src, dst, threads),
  };
}
