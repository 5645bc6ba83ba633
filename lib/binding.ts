// Finds and loads the native addon: a prebuilt binary from prebuilds/ or the
// local build in build/, through node-gyp-build (a local build wins when
// present; PREBUILDS_ONLY=1 uses prebuilds only). When nothing fits, the
// error names the platform and the command that fixes it.
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

import nodeGypBuild = require('node-gyp-build');

import { arrayBufferResizableGetter, sharedArrayBufferGrowableGetter } from './intrinsics.js';
import { type Libc, processLibc, reportHeader } from './libc.js';
import type { GrayscaleFileMode } from './files/types.js';
import type { CodecsInfo, PoolStats, SimdLevel } from './types.js';

/** `progress(done, total)` for the native sync functions; what it throws, they throw. */
type NativeProgress = ((done: number, total: number) => void) | undefined;

/**
 * The raw native functions. Internal: lib/ validates before calling them,
 * and they validate everything again and never run user code.
 */
export interface NativeBinding {
  /** Hands over the original buffer getters (see ./intrinsics.ts); called once, right after loading. */
  setIntrinsics(getters: { arrayBufferResizable: unknown; sharedArrayBufferGrowable: unknown }): void;
  /**
   * Installs this env's dispatcher: dispatch(id, status, value, total) with
   * status 0 Resolved (value: the result or undefined), 1 Overflow (value:
   * the index, -1 for a sum), 2 Cancelled, 3 Progress (value: items done),
   * 4 Failed (value: { code, message }).
   */
  init(dispatch: (id: number, status: number, value: unknown, total: number) => void): boolean;
  cancel(id: number): boolean;
  setConcurrency(threads: number): void;
  getConcurrency(): number;
  defaultConcurrency(): number;
  poolStats(): PoolStats;
  features(): { simd: SimdLevel; codecs: CodecsInfo };
  constants(): NativeConstants;
  /** Tests only: the next `count` occurrences of `kind` fail; ('reset', 0) clears all. */
  injectFault(
    kind: 'threadStart' | 'chunk' | 'submit' | 'wake' | 'fileWriteNoSpace' | 'fileReadIo' | 'reset',
    count: number,
  ): void;
  squares(
    input: ArrayBufferView | undefined,
    first: number,
    count: number,
    out: ArrayBufferView,
    wantsProgress: boolean,
  ): number;
  squaresSync(
    input: ArrayBufferView | undefined,
    first: number,
    count: number,
    out: ArrayBufferView,
    progress?: NativeProgress,
  ): number;
  sumOfSquares(input: ArrayBufferView | undefined, first: number, count: number, wantsProgress: boolean): number;
  sumOfSquaresSync(
    input: ArrayBufferView | undefined,
    first: number,
    count: number,
    progress?: NativeProgress,
  ): number | bigint | null;
  /** Resolves to a Float64Array: each 16,384-integer block's (hi, lo) from `first`, in order. */
  sumOfSquaresBlocks(first: number, count: number, wantsProgress: boolean): number;
  grayscale(
    data: Uint8Array,
    width: number,
    height: number,
    channels: number,
    stride: number,
    bgr: boolean,
    bt709: boolean,
    out: Uint8Array,
    wantsProgress: boolean,
  ): number;
  grayscaleSync(
    data: Uint8Array,
    width: number,
    height: number,
    channels: number,
    stride: number,
    bgr: boolean,
    bt709: boolean,
    out: Uint8Array,
    progress?: NativeProgress,
  ): void;
  /**
   * One image file turned gray, as one pool job (see lib/files/). Resolves
   * with a {@link NativeFileResult}; fails with a {@link NativeFileFailure}.
   */
  grayscaleFile(request: NativeFileRequest, wantsProgress: boolean): number;
  /** grayscaleFile while the caller waits; throws an Error shaped as a {@link NativeFileFailure}. */
  grayscaleFileSync(request: NativeFileRequest, progress?: NativeProgress): NativeFileResult;
  /**
   * Whether a stored image file is whole: `head` its first bytes, `tail`
   * its last (at most 12), `fileSize` its size. Runs on the calling thread
   * (a header walk).
   */
  inspectWholeFile(
    head: Uint8Array,
    tail: Uint8Array,
    fileSize: number,
  ): { format: 'jpeg' | 'png' | 'webp'; width: number; height: number } | { code: string; message: string };
  /** A large output on fresh OS pages, or undefined (then allocate in JS). */
  allocateOutput(
    type: OutputType,
    length: number,
  ):
    | Float64Array<ArrayBuffer>
    | BigInt64Array<ArrayBuffer>
    | BigUint64Array<ArrayBuffer>
    | Uint8Array<ArrayBuffer>
    | undefined;
}

/** What grayscaleFile / grayscaleFileSync read, by name; the native side checks every value again. */
export interface NativeFileRequest {
  /** A path or the encoded bytes. */
  input: string | Uint8Array;
  /** undefined (pixels), true (the encoded image in memory) or a path (written atomically). */
  output: string | true | undefined;
  /** One of {@link NativeConstants.fileModes}. */
  mode: number;
  /** One of {@link NativeConstants.fileFormats}. */
  format: number;
  /** 1..100, or 0: the written format's default (JPEG 75, WebP 80). */
  quality: number;
  compressionLevel: number;
  /** WebP: lossless. */
  lossless: boolean;
  autoOrient: boolean;
  /** 0: no limit. */
  limitInputPixels: number;
  /** 0: no limit. */
  limitInputBytes: number;
  durable: boolean;
}

/** What a file job resolves with (grayscaleFile / grayscaleFileSync). */
export interface NativeFileResult {
  /** After orientation. */
  width: number;
  height: number;
  inputFormat: 'jpeg' | 'png' | 'webp' | 'tiff' | 'gif' | 'bmp';
  /** What was encoded; the input's format when nothing was. */
  format: 'jpeg' | 'png' | 'webp';
  /** The mode that ran. */
  mode: 'exact' | 'luma' | 'luma-lossless';
  /** The EXIF orientation, 0 when none. */
  orientation: number;
  /** Whether a transform was applied. */
  oriented: boolean;
  bytesIn: number;
  /** Pixels (output undefined) or the encoded image (output true). */
  data?: Uint8Array<ArrayBuffer>;
  /** The path written (output a path). */
  output?: string;
  bytesOut?: number;
  /** Milliseconds per stage, 0 where a stage did not run. */
  timings: { read: number; decode: number; orient: number; encode: number; write: number };
}

/**
 * Why a file job failed: a codec code (ERR_OFFLOOP_EMPTY_INPUT, ...) and a
 * message without the path, or ERR_OFFLOOP_SYSTEM with the positive errno,
 * the failing call and whether the input or the output was at fault.
 */
export interface NativeFileFailure {
  code: string;
  message: string;
  errno?: number;
  syscall?: string;
  target?: 'input' | 'output';
}

/** Numbers the native side and lib/ must agree on. */
export interface NativeConstants {
  /** New outputs of at least this many bytes are allocated natively (allocateOutput). */
  nativeOutputBytes: number;
  /** Elements per block of the sum of squares (SUM_BLOCK in lib/js/sum.ts). */
  sumBlock: number;
  /** The largest pool size. */
  maxThreads: number;
  /** The `status` of dispatch(id, status, value, total) (lib/job-table.ts's JOB_STATUS). */
  jobStatus: { resolved: number; overflow: number; cancelled: number; progress: number; failed: number };
  /** NativeFileRequest's `mode` for each mode. */
  fileModes: Record<GrayscaleFileMode, number>;
  /** NativeFileRequest's `format` for each format. */
  fileFormats: Record<'same' | 'jpeg' | 'png' | 'webp', number>;
  /** The file options' defaults (lib/files/settings.ts's copies). */
  fileDefaults: {
    limitInputPixels: number;
    limitInputBytes: number;
    quality: number;
    webpQuality: number;
    compressionLevel: number;
  };
}

/** napi_typedarray_type values of the arrays allocateOutput makes. */
export enum OutputType {
  Uint8 = 1,
  Float64 = 8,
  BigInt64 = 9,
  BigUint64 = 10,
}

/** Where the loaded binary came from. */
export interface BinaryInfo {
  /** Absolute path of the loaded `.node` file. */
  path: string;
  /** `prebuild` (shipped in prebuilds/) or `build` (compiled on this machine). */
  source: 'prebuild' | 'build';
}

function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if (JSON.parse(readFileSync(manifest, 'utf8')).name === 'offloop') return dir;
      } catch {
        // an unreadable manifest is not ours; keep looking upwards
      }
    }
    if (dirname(dir) === dir) throw new Error(`offloop: cannot find its package root above ${start}`);
  }
}

/**
 * Which binary a Linux process loads, given node-gyp-build's pick (undefined
 * when it found none) and the process's C library: a prebuild tagged for the
 * other libc is never loaded (a glibc binary fails in a musl process, or
 * worse), its sibling for this libc is; a local build or an untagged file
 * stays. `exists` is fs.existsSync (tests pass their own).
 */
export function chooseLinuxBinary(
  picked: string | undefined,
  prebuildFolder: string,
  libc: Libc,
  exists: (path: string) => boolean = existsSync,
): string | undefined {
  const tag = picked === undefined ? undefined : /\.(glibc|musl)\.node$/.exec(basename(picked))?.[1];
  if (picked !== undefined && (tag === undefined || tag === libc)) return picked;
  const own = join(prebuildFolder, `offloop.${libc}.node`);
  return exists(own) ? own : undefined;
}

function resolveBinary(root: string): string {
  let picked: string | undefined;
  let failure: unknown;
  try {
    picked = nodeGypBuild.resolve(root);
  } catch (cause) {
    failure = cause;
  }
  // node-gyp-build's own LIBC override wins, as it does there.
  if (process.platform === 'linux' && !process.env.LIBC && (picked === undefined || isPrebuild(picked))) {
    // (node-gyp-build's OFFLOOP_PREBUILD, the folder holding prebuilds/, as there.)
    const folder = join(process.env.OFFLOOP_PREBUILD || root, 'prebuilds', `linux-${process.arch}`);
    const libc = processLibc();
    const chosen = libc === undefined ? picked : chooseLinuxBinary(picked, folder, libc);
    if (chosen !== undefined) return chosen;
    throw picked === undefined
      ? failure
      : new Error(`${picked} is built for another C library than this ${libc} process's`);
  }
  if (picked !== undefined) return picked;
  throw failure;
}

/**
 * node-gyp-build's layouts: prebuilds/<platform>-<arch>/*.node against
 * build/Release/*.node, under the package or under OFFLOOP_PREBUILD,
 * wherever that is.
 */
function isPrebuild(path: string): boolean {
  return basename(dirname(dirname(path))) === 'prebuilds';
}

function describePlatform(): string {
  const libc = process.platform === 'linux' ? processLibc() : undefined;
  // (The report only for glibc's version: an error's cost, not start-up's.)
  const version = libc === 'glibc' ? reportHeader()?.glibcVersionRuntime : undefined;
  const named = libc === undefined ? '' : version === undefined ? ` ${libc}` : ` glibc ${version}`;
  return `${process.platform}-${process.arch}${named}, Node ${process.versions.node} (Node-API ${process.versions.napi})`;
}

/**
 * What a build from source needs and the one command that runs it, for the
 * ERR_OFFLOOP_NO_BINARY message: the same as the README's Install section.
 */
function howToBuild(): string {
  if (process.platform === 'win32')
    return "Windows is not supported yet: offloop's image codecs have no Windows build.";
  return [
    'Build one from source (install scripts must be allowed: with pnpm 10, `pnpm approve-builds` first):',
    '  npm rebuild offloop --build-from-source',
    'That needs python3, make, a C++17 compiler (GCC >= 8, Clang >= 7), pkg-config and the',
    'development files of libjpeg(-turbo), libpng and zlib:',
    '  Debian, Ubuntu: sudo apt-get install python3 make g++ pkg-config libjpeg-dev libpng-dev zlib1g-dev',
    '  Fedora, RHEL:   sudo dnf install python3 make gcc-c++ pkgconf-pkg-config libjpeg-turbo-devel libpng-devel zlib-devel',
    '  Alpine:         apk add python3 make g++ pkgconf libjpeg-turbo-dev libpng-dev zlib-dev',
    '  macOS:          xcode-select --install; brew install jpeg-turbo libpng pkg-config',
  ].join('\n');
}

function load(): { binding: NativeBinding; info: BinaryInfo } {
  const root = findPackageRoot(__dirname);
  let path: string;
  try {
    path = resolveBinary(root);
  } catch (cause) {
    const looked = `${join(root, 'prebuilds')}${process.env.PREBUILDS_ONLY ? '' : ` and ${join(root, 'build', 'Release')}`}`;
    const error = new Error(
      `offloop: no native binary fits ${describePlatform()} (looked in ${looked})\n${howToBuild()}`,
      { cause },
    );
    (error as Error & { code: string }).code = 'ERR_OFFLOOP_NO_BINARY';
    throw error;
  }
  const binding = require(path) as NativeBinding;
  const source = isPrebuild(path) ? 'prebuild' : 'build';
  return { binding, info: { path, source } };
}

const loaded = load();
// Before any other call: from here on the native side reads buffer facts
// through these originals only.
loaded.binding.setIntrinsics({
  arrayBufferResizable: arrayBufferResizableGetter,
  sharedArrayBufferGrowable: sharedArrayBufferGrowableGetter,
});

export const binding: NativeBinding = loaded.binding;
export const binaryInfo: BinaryInfo = loaded.info;
/** Read once: they do not change while the process runs. */
export const nativeConstants: NativeConstants = loaded.binding.constants();
