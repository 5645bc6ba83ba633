// offloop's public API: one module per kernel (./kernels/), image files
// (./files/), the pool's controls (./pool.ts), the public types and the
// error guard.
export { computeSquares, computeSquaresSync } from './kernels/squares.js';
export { sumOfSquares, sumOfSquaresSync } from './kernels/sum.js';
export { grayscale, grayscaleSync } from './kernels/grayscale.js';
export { grayscaleFile, grayscaleFileSync } from './files/grayscale-file.js';
export { grayscaleFiles } from './files/batch.js';
export { features, getConcurrency, poolStats, setConcurrency } from './pool.js';
export type { Features } from './pool.js';
export { isOffloopError, isOffloopFileError } from './errors.js';
export type {
  FileSystemError,
  OffloopBatchError,
  OffloopBatchErrorCode,
  OffloopError,
  OffloopFileError,
  OffloopErrorCode,
  OffloopImageErrorCode,
  OffloopNativeError,
  OffloopNativeErrorCode,
  OffloopRangeError,
  OffloopSystemError,
  OffloopTypeError,
} from './errors.js';
export type { BinaryInfo } from './binding.js';
export type * from './types.js';
export type * from './files/types.js';
export type * from './files/batch-types.js';

// The default export is this module's own namespace, so `import offloop from
// 'offloop'` works the same from ES modules and from CommonJS compiled by
// TypeScript or a bundler (which read `exports.default`).
export * as default from './index.js';
