// What a TypeScript user of the installed package writes, and what the
// compiler must refuse. test/types.test.ts compiles this file (as cases.ts)
// in four consumer projects: ESM nodenext, CommonJS node16, bundler, node10.
// It must compile both as an ES module and as CommonJS: no top-level await.
// Every `@ts-expect-error` line must be an error; every other line must not.
import offloop, {
  computeSquares,
  computeSquaresSync,
  features,
  grayscale,
  grayscaleFile,
  grayscaleFileSync,
  grayscaleFiles,
  grayscaleSync,
  isOffloopError,
  isOffloopFileError,
  sumOfSquares,
  sumOfSquaresSync,
  type GrayscaleFileEncoded,
  type GrayscaleFileOptions,
  type GrayscaleFilePixels,
  type GrayscaleFileResult,
  type GrayscaleFileWritten,
  type GrayscaleFilesOptions,
  type GrayscaleFilesResult,
  type ImageFileFormat,
  type ImageInputFormat,
  type OffloopBatchError,
  type OffloopBatchErrorCode,
  type OffloopErrorCode,
  type OffloopFileError,
  type OffloopSystemError,
} from 'offloop';
import type * as main from 'offloop';
import reference from 'offloop/reference';
import * as referenceNamespace from 'offloop/reference';

/** `true` when A and B are the same type, not merely assignable. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

export async function results(): Promise<void> {
  const image = { data: new Uint8Array(12), width: 2, height: 2, channels: 3 as const };

  // Results are never shared memory, so they go where an ArrayBuffer is required.
  void new Blob([await grayscale(image)]);
  void new Blob([grayscaleSync(image)]);
  const squares: ArrayBuffer = (await computeSquares(new Float64Array(4))).buffer;
  const squaresSync: ArrayBuffer = computeSquaresSync([1, 2, 3]).buffer;
  const bigSquares: ArrayBuffer = (await computeSquares(new BigInt64Array(4))).buffer;
  void [squares, squaresSync, bigSquares];

  // Result types follow the input.
  const exactBig: BigInt64Array = await computeSquares(new BigInt64Array(2));
  const exactBigU: BigUint64Array = computeSquaresSync(new BigUint64Array(2));
  const floats: Float64Array = await computeSquares(new Int16Array(2));
  const sum: number = await sumOfSquares({ from: 1, to: 10 });
  const bigSum: bigint = sumOfSquaresSync(new BigInt64Array(2));
  void [exactBig, exactBigU, floats, sum, bigSum];

  // `out` is tied to the input: the result type it would have.
  const input = new Float64Array(4);
  void (await computeSquares(input, { out: input }));
  void computeSquaresSync(new BigInt64Array(4), { out: new BigInt64Array(4) });
  // @ts-expect-error a Float64Array input squares into a Float64Array, not a BigInt64Array
  void (await computeSquares(new Float64Array(4), { out: new BigInt64Array(4) }));
  // @ts-expect-error same for the sync call
  void computeSquaresSync(new Float64Array(4), { out: new BigInt64Array(4) });
  // @ts-expect-error and for offloop/reference
  void reference.computeSquaresSync(new Float64Array(4), { out: new BigInt64Array(4) });

  // Options are objects with known properties.
  void (await sumOfSquares([1], {
    signal: AbortSignal.timeout(1000),
    onProgress: (done: number, total: number) => void [done, total],
  }));
  // @ts-expect-error options must be an object, not a string
  void (await sumOfSquares([1], 'abc'));
  // @ts-expect-error same for the sync call
  void sumOfSquaresSync([1], 'abc');
}

export function simd(): void {
  type Simd = ReturnType<typeof features>['simd'];
  const exact: Equal<Simd, 'scalar' | 'sse2' | 'avx2' | 'avx512bw' | 'neon' | 'generic'> = true;
  const known: Simd = features().simd;
  // @ts-expect-error not one of the SIMD paths
  const unknown: Simd = 'mmx';
  void [exact, known, unknown];
}

export function defaults(): void {
  // The default export is the entry's namespace, at run time too (test/fixtures/dual.mjs).
  const viaDefault: typeof computeSquares = offloop.computeSquares;
  const sameFeatures: Equal<typeof offloop.features, typeof main.features> = true;
  const referenceDefault: typeof referenceNamespace.grayscaleSync = reference.grayscaleSync;
  // Declared, not synthesized by esModuleInterop: the namespace has it too.
  const declared: Equal<typeof main.default, typeof offloop> = true;
  const referenceDeclared: Equal<typeof referenceNamespace.default, typeof reference> = true;
  void [viaDefault, sameFeatures, referenceDefault, declared, referenceDeclared];
}

export function referenceIsPublicApiOnly(): void {
  // offloop/reference exports nothing the main entry does not: the same API, in JS.
  const onlyPublic: Equal<Exclude<keyof typeof referenceNamespace, keyof typeof main>, never> = true;
  void onlyPublic;
  // @ts-expect-error an internal of the JS kernels
  void referenceNamespace.squaresInto;
  // @ts-expect-error an internal of the JS kernels
  void referenceNamespace.sumOfSquaresOf;
  // @ts-expect-error an internal of the JS kernels
  void referenceNamespace.grayscaleInto;
  // @ts-expect-error an internal of the JS kernels
  void referenceNamespace.GRAY_WEIGHTS;
}

export async function errors(): Promise<void> {
  try {
    await computeSquares([1, 2, 3]);
  } catch (error) {
    if (isOffloopError(error)) {
      const code: OffloopErrorCode = error.code;
      const exact: Equal<typeof error.code, OffloopErrorCode> = true;
      const asError: Error = error;
      void [code, exact, asError];
    }
    // @ts-expect-error an unknown catch value has no code before the guard
    void error.code;
  }
  // Every code offloop's errors can carry.
  const codes: OffloopErrorCode[] = [
    'ERR_INVALID_ARG_TYPE',
    'ERR_INVALID_ARG_VALUE',
    'ERR_OUT_OF_RANGE',
    'ERR_OFFLOOP_NO_BINARY',
    'ERR_OFFLOOP_OUT_OF_MEMORY',
    'ERR_OFFLOOP_THREAD_START',
    'ERR_OFFLOOP_NATIVE',
    'ERR_OFFLOOP_EMPTY_INPUT',
    'ERR_OFFLOOP_TRUNCATED_IMAGE',
    'ERR_OFFLOOP_CORRUPT_IMAGE',
    'ERR_OFFLOOP_UNSUPPORTED_FORMAT',
    'ERR_OFFLOOP_INPUT_TOO_LARGE',
  ];
  // @ts-expect-error not a code of offloop's
  const bogus: OffloopErrorCode = 'ERR_BOGUS';
  void [codes, bogus];
}

export async function files(): Promise<void> {
  // The result's type follows the options: pixels, the encoded image, or the file written.
  const pixels: GrayscaleFilePixels = await grayscaleFile('a.jpg');
  const gray: Uint8Array<ArrayBuffer> = pixels.data;
  // Pixels may come from any format offloop reads; an encoded or written file is one it writes.
  const format: ImageInputFormat = pixels.format;
  // @ts-expect-error a GIF or BMP input's pixels say so
  const narrowed: ImageFileFormat = pixels.format;
  const encoded: GrayscaleFileEncoded = await grayscaleFile(new Uint8Array(4), { encode: true, format: 'png' });
  const encodedBytes: number = encoded.bytes;
  const written: GrayscaleFileWritten = await grayscaleFile(new URL('file:///a.png'), { output: 'b.png', quality: 90 });
  const writtenPath: string = written.output;
  const writtenSync: GrayscaleFileWritten = grayscaleFileSync(Buffer.from([1]), { output: new URL('file:///b.jpg') });
  const pixelsSync: GrayscaleFilePixels = grayscaleFileSync('a.png', {
    mode: 'luma',
    autoOrient: true,
    limitInputPixels: false,
  });
  void new Blob([gray, encoded.data]);
  const encodedFormat: ImageFileFormat = encoded.format;
  void [format, narrowed, encodedFormat, encodedBytes, writtenPath, writtenSync, pixelsSync];

  // With options only known at run time: the union, told apart by `output`.
  const options: GrayscaleFileOptions = {
    signal: AbortSignal.timeout(1000),
    onProgress: (done, total) => void [done, total],
  };
  const any: GrayscaleFileResult = await grayscaleFile('a.jpg', options);
  if (any.output !== undefined) {
    const path: string = any.output;
    void path;
  } else {
    const data: Uint8Array = any.data;
    void data;
  }
  const info = [
    any.width,
    any.height,
    any.inputFormat,
    any.mode,
    any.orientation,
    any.oriented,
    any.bytesIn,
    any.extensionMismatch,
    any.timings.decode,
  ] as const;
  void info;

  // @ts-expect-error pixels have no output path
  const noOutput: string = pixels.output;
  // @ts-expect-error a written file has no data in memory
  const noData: Uint8Array = written.data;
  // @ts-expect-error not a mode
  void grayscaleFile('a.jpg', { mode: 'fast' });
  // @ts-expect-error not a format offloop writes
  void grayscaleFile('a.jpg', { format: 'gif' });
  void grayscaleFile('a.jpg', { format: 'webp', lossless: true, quality: 90 });
  // @ts-expect-error lossless is a boolean
  void grayscaleFile('a.jpg', { format: 'webp', lossless: 1 });
  // @ts-expect-error quality is a number
  void grayscaleFileSync('a.jpg', { quality: '90' });
  // @ts-expect-error the input is a path, a URL or bytes
  void grayscaleFile(42);
  // @ts-expect-error the output is a path or a URL, not bytes
  void grayscaleFile('a.jpg', { output: new Uint8Array(1) });
  void [noOutput, noData];

  try {
    await grayscaleFile('a.jpg', { output: 'b.jpg' });
  } catch (error) {
    // A file that could not be read or written: Node's fs kind of error.
    const system = error as OffloopSystemError;
    const fields: [string, number, string, string] = [system.code, system.errno, system.syscall, system.path];
    void fields;
    if (isOffloopError(error) && error.code === 'ERR_OFFLOOP_UNSUPPORTED_FORMAT') void error.message;
    // One guard for offloop's errors and the system's (ENOENT...), which isOffloopError leaves out.
    if (isOffloopFileError(error)) {
      const code: string | undefined = error.code;
      const asError: Error = error;
      void [code, asError];
    }
    // @ts-expect-error the file error guard does not narrow the code to offloop's own codes
    if (isOffloopFileError(error)) void ((code: OffloopErrorCode) => code)(error.code);
  }
}

export async function batch(): Promise<void> {
  // A directory, an array, or any (async) iterable of paths, URLs or pairs.
  async function* paths() {
    yield 'a.jpg';
    yield { input: new URL('file:///b.png'), output: 'out/b.png' };
  }
  const options: GrayscaleFilesOptions = {
    outDir: 'out',
    recursive: true,
    ordered: true,
    concurrency: 4,
    format: 'png',
  };
  for await (const result of grayscaleFiles('photos', options)) {
    const typed: GrayscaleFilesResult = result;
    if (result.error !== undefined) {
      // A file's error carries its code, offloop's or the system's (issue 16: TS2339 before).
      const code: string | undefined = result.error.code;
      if (result.error.code === 'ENOENT' || result.error.code === 'ERR_OFFLOOP_CORRUPT_IMAGE')
        void result.error.message;
      const typedError: OffloopFileError = result.error;
      void [code, typedError];
    } else if (result.skipped) void result.output;
    else {
      const sizes: [number, number, number, number, number] = [
        result.width,
        result.height,
        result.bytesIn,
        result.bytesOut,
        result.ms,
      ];
      void sizes;
    }
    void typed;
  }
  void grayscaleFiles(paths(), {
    output: (input: string) => `${input}.png`,
    skipExisting: true,
    onProgress: ({ done, failed, total, bytesIn, pixels }) => void [done, failed, total, bytesIn, pixels],
  });
  void grayscaleFiles([new URL('file:///a.jpg')], { signal: AbortSignal.timeout(1), mode: 'luma' });
  // @ts-expect-error bytes in memory are not batch inputs
  void grayscaleFiles([new Uint8Array(1)]);
  // @ts-expect-error the output option of a batch is a function
  void grayscaleFiles('photos', { output: 'out' });
  // In place; a refused output names the other input involved.
  for await (const result of grayscaleFiles('photos', { inPlace: true, format: 'jpeg' })) {
    if (result.error?.code === 'ERR_OFFLOOP_OUTPUT_COLLISION' || result.error?.code === 'ERR_OFFLOOP_OUTPUT_IS_INPUT')
      void result.error.message;
  }
  const refused: OffloopBatchError | undefined = undefined as OffloopBatchError | undefined;
  if (refused !== undefined)
    void [refused.output, refused.otherInput, ((code: OffloopBatchErrorCode) => code)(refused.code)];
}
