/** The pool's size, load and features: calls that run no kernel. */
import { binaryInfo, binding, type BinaryInfo } from './binding.js';
import { pointAtCaller } from './errors.js';
import { checkConcurrency } from './options.js';
import type { CodecsInfo, PoolStats, SimdLevel } from './types.js';

/**
 * Sizes offloop's pool (1 to 1024 threads), at any time, also while jobs
 * run: new threads start at once, surplus ones retire after their current
 * chunk. The pool is shared by every thread of the process that uses offloop.
 */
export function setConcurrency(threads: number): void {
  try {
    binding.setConcurrency(checkConcurrency(threads));
  } catch (error) {
    throw pointAtCaller(error, setConcurrency);
  }
}

/** The pool's size: by default the machine's available parallelism. */
export function getConcurrency(): number {
  return binding.getConcurrency();
}

/** A snapshot of the pool: its size, current load, and job totals since start. */
export function poolStats(): PoolStats {
  return binding.poolStats();
}

/** What this process runs: the binary loaded, the SIMD path the kernels use, the codecs, the default pool size. */
export interface Features {
  /** The SIMD instruction set the kernels use (OFFLOOP_SIMD can lower it). */
  simd: SimdLevel;
  /** The image codec libraries, their versions, and whether they are built in or the system's. */
  codecs: CodecsInfo;
  /** The native binary loaded. */
  binary: BinaryInfo;
  /** The pool's size unless setConcurrency changes it: the available parallelism. */
  defaultConcurrency: number;
}

export function features(): Features {
  const { simd, codecs } = binding.features();
  return { simd, codecs, binary: { ...binaryInfo }, defaultConcurrency: binding.defaultConcurrency() };
}
