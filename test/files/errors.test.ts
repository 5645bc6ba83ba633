// Every way a file can fail, and every bad argument: a clear error with a
// stable code and the path, a stack that starts at the caller, and nothing
// left behind (no temporary file, an existing output intact).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { binding } from '../../lib/binding.js';
import {
  grayscaleFile,
  grayscaleFileSync,
  grayscaleFiles,
  isOffloopError,
  isOffloopFileError,
} from '../../lib/index.js';
import { ROOT } from '../helpers.js';
import { encodeGrayPng, entries, fixture, photoLikeRgb, encodeRgbPng, readFixture, tempFolder } from './helpers.js';

const JPEG = fixture('jpeg/ycc-420-base-61x37.jpg');
const PNG = fixture('png/rgb8-61x37.png');

let temp: ReturnType<typeof tempFolder>;
beforeAll(() => (temp = tempFolder()));
afterAll(() => temp.cleanup());
afterEach(() => binding.injectFault('reset', 0));

/** Runs the call both ways and returns both errors (the async one awaited). */
async function bothWays(path: unknown, options?: object): Promise<Array<Error & Record<string, unknown>>> {
  const errors: unknown[] = [];
  errors.push(
    await grayscaleFile(path as string, options).then(
      () => undefined,
      (error: unknown) => error,
    ),
  );
  try {
    grayscaleFileSync(path as string, options);
    errors.push(undefined);
  } catch (error) {
    errors.push(error);
  }
  for (const error of errors) expect(error, 'the call must fail').toBeInstanceOf(Error);
  return errors as Array<Error & Record<string, unknown>>;
}

/** The first stack frame is this test file: the user's own call. */
function expectStackAtCaller(error: Error): void {
  const frames = error.stack!.split('\n').filter((line) => line.trimStart().startsWith('at '));
  expect(frames[0]).toContain('errors.test.ts');
}

describe('files that cannot be read', () => {
  it('a missing file: ENOENT as Node fs words it, with the path', async () => {
    const missing = join(temp.dir, 'missing.jpg');
    for (const error of await bothWays(missing)) {
      expect(error.message).toBe(`ENOENT: no such file or directory, open '${missing}'`);
      expect(error).toMatchObject({ code: 'ENOENT', errno: -2, syscall: 'open', path: missing });
      expect(Object.keys(error).sort()).toEqual(['code', 'errno', 'path', 'syscall']);
      expect(isOffloopError(error)).toBe(false);
      expectStackAtCaller(error);
    }
    // A relative path is reported as given.
    const [relative] = await bothWays('no-such-file.png');
    expect(relative).toMatchObject({ code: 'ENOENT', path: 'no-such-file.png' });
    expect(relative!.message).toContain("'no-such-file.png'");
  });

  it('a folder: EISDIR', async () => {
    const folder = join(temp.dir, 'folder.jpg');
    mkdirSync(folder);
    for (const error of await bothWays(folder)) {
      expect(error).toMatchObject({ code: 'EISDIR', path: folder });
      expect(error.message).toMatch(/^EISDIR: illegal operation on a directory, \w+ '/);
    }
  });

  it('a read that fails (injected EIO): the path and the read call', async () => {
    binding.injectFault('fileReadIo', 2);
    for (const failed of await bothWays(JPEG)) {
      expect(failed).toMatchObject({ code: 'EIO', errno: -5, syscall: 'read', path: JPEG });
      expect(failed.message).toBe(`EIO: i/o error, read '${JPEG}'`);
    }
    // The next read works again.
    expect((await grayscaleFile(JPEG)).width).toBe(61);
  });
});

describe('files that are not a usable image', () => {
  it('an empty file', async () => {
    const empty = join(temp.dir, 'empty.jpg');
    writeFileSync(empty, '');
    for (const error of await bothWays(empty)) {
      expect(error).toMatchObject({ code: 'ERR_OFFLOOP_EMPTY_INPUT' });
      expect(error.message).toBe(`offloop: ${empty}: empty input`);
      expect(isOffloopError(error)).toBe(true);
      expect(error.stack!.split('\n')[0]).toBe(`Error [ERR_OFFLOOP_EMPTY_INPUT]: ${error.message}`);
      expectStackAtCaller(error);
    }
    const [fromBuffer] = await bothWays(new Uint8Array(0));
    expect(fromBuffer!.message).toBe('offloop: input buffer: empty input');
  });

  it('a truncated file', async () => {
    for (const source of [JPEG, PNG]) {
      const cut = join(temp.dir, `cut-${source.endsWith('.png') ? 'a.png' : 'a.jpg'}`);
      const bytes = readFileSync(source);
      writeFileSync(cut, bytes.subarray(0, bytes.length >> 1));
      for (const error of await bothWays(cut)) {
        expect(error).toMatchObject({ code: 'ERR_OFFLOOP_TRUNCATED_IMAGE' });
        expect(error.message.startsWith(`offloop: ${cut}: `)).toBe(true);
      }
    }
  });

  it('a file cut inside its signature is truncated too, not of unknown format', async () => {
    for (const source of [JPEG, PNG]) {
      const signature = source.endsWith('.png') ? 8 : 3;
      for (let length = 1; length < signature; length++) {
        for (const error of await bothWays(readFileSync(source).subarray(0, length))) {
          expect(error, `${source} cut to ${length}`).toMatchObject({ code: 'ERR_OFFLOOP_TRUNCATED_IMAGE' });
        }
      }
    }
  });

  it('a JPEG whose frame says 0 rows is corrupt', async () => {
    const bytes = Buffer.from(readFileSync(JPEG));
    const sof = bytes.findIndex((byte, i) => byte === 0xff && (bytes[i + 1] === 0xc0 || bytes[i + 1] === 0xc2));
    expect(sof).toBeGreaterThan(0);
    bytes.writeUInt16BE(0, sof + 5); // the frame's height
    for (const error of await bothWays(bytes)) expect(error).toMatchObject({ code: 'ERR_OFFLOOP_CORRUPT_IMAGE' });
  });

  it('corrupt data', async () => {
    for (const rel of ['corrupt/png-bad-filter-type.png', 'corrupt/png-bad-gama-crc.png']) {
      for (const error of await bothWays(fixture(rel))) {
        expect(error).toMatchObject({ code: 'ERR_OFFLOOP_CORRUPT_IMAGE' });
        expect(error.message.startsWith(`offloop: ${fixture(rel)}: `)).toBe(true);
      }
    }
  });

  const OTHER_FORMATS: Array<[string, Buffer]> = [
    [
      'heif',
      Buffer.concat([
        Buffer.from([0, 0, 0, 24]),
        Buffer.from('ftypheic'),
        Buffer.alloc(4),
        Buffer.from('mif1heic'),
        Buffer.alloc(16),
      ]),
    ],
    [
      'avif',
      Buffer.concat([
        Buffer.from([0, 0, 0, 24]),
        Buffer.from('ftypavif'),
        Buffer.alloc(4),
        Buffer.from('mif1avif'),
        Buffer.alloc(16),
      ]),
    ],
    ['jxl', Buffer.concat([Buffer.from([0xff, 0x0a]), Buffer.alloc(30)])],
    [
      'jp2',
      Buffer.concat([Buffer.from([0, 0, 0, 0x0c, 0x6a, 0x50, 0x20, 0x20, 0x0d, 0x0a, 0x87, 0x0a]), Buffer.alloc(30)]),
    ],
  ];

  it.each(OTHER_FORMATS)('%s: ERR_OFFLOOP_UNSUPPORTED_FORMAT, naming it', async (format, bytes) => {
    const path = join(temp.dir, `picture.${format}`);
    writeFileSync(path, bytes);
    for (const error of [...(await bothWays(path)), ...(await bothWays(bytes))]) {
      expect(error).toMatchObject({ code: 'ERR_OFFLOOP_UNSUPPORTED_FORMAT' });
      expect(error.message).toMatch(
        new RegExp(`^offloop: (${path.replace(/[.]/g, '\\.')}|input buffer): .*\\b${format}\\b`),
      );
    }
  });

  it('GIF, BMP, WebP and TIFF are read: a header with no image data is a truncated file, and a BMP variant Pillow refuses is unsupported', async () => {
    for (const bytes of [
      Buffer.concat([Buffer.from('GIF89a'), Buffer.from([1, 0, 1, 0, 0, 0, 0]), Buffer.alloc(20)]),
      Buffer.from('BM\0\0'),
      Buffer.from('RIFF\x10\0\0\0WEBPVP8 ', 'latin1'),
      Buffer.from([0x49, 0x49, 0x2a, 0, 8, 0, 0, 0]),
      Buffer.from([0x4d, 0x4d, 0, 0x2a, 0, 0, 0, 8]),
    ]) {
      for (const error of await bothWays(bytes)) expect(error).toMatchObject({ code: 'ERR_OFFLOOP_TRUNCATED_IMAGE' });
    }
    // A TIFF whose first directory has no entries is damaged, not another format.
    for (const bytes of [
      Buffer.concat([Buffer.from([0x49, 0x49, 0x2a, 0, 8, 0, 0, 0]), Buffer.alloc(20)]),
      Buffer.concat([Buffer.from([0x4d, 0x4d, 0, 0x2a, 0, 0, 0, 8]), Buffer.alloc(20)]),
    ]) {
      for (const error of await bothWays(bytes)) expect(error).toMatchObject({ code: 'ERR_OFFLOOP_CORRUPT_IMAGE' });
    }
    const twoBit = Buffer.alloc(54);
    twoBit.write('BM');
    twoBit.writeUInt32LE(40, 14);
    twoBit.writeInt32LE(1, 18);
    twoBit.writeInt32LE(1, 22);
    twoBit.writeUInt16LE(2, 28);
    for (const error of await bothWays(twoBit))
      expect(error).toMatchObject({
        code: 'ERR_OFFLOOP_UNSUPPORTED_FORMAT',
        message: expect.stringMatching(/BMP pixel depth \(2\)/),
      });
  });

  it('bytes of no known format', async () => {
    const [error] = await bothWays(Buffer.from('hello, not an image'));
    expect(error).toMatchObject({ code: 'ERR_OFFLOOP_UNSUPPORTED_FORMAT' });
  });

  it('more pixels than limitInputPixels: refused from the header', async () => {
    const pixels = 61 * 37;
    for (const error of await bothWays(JPEG, { limitInputPixels: pixels - 1 })) {
      expect(error).toMatchObject({ code: 'ERR_OFFLOOP_INPUT_TOO_LARGE' });
      expect(error.message).toContain(JPEG);
      expect(error.message).toContain('61x37');
    }
    expect((await grayscaleFile(JPEG, { limitInputPixels: pixels })).width).toBe(61);
    // A header that claims 3000x3000 (9 MP) is refused before any pixel memory is had...
    const liar = fixture('corrupt/jpeg-header-says-3000x3000.jpg');
    const [tooLarge] = await bothWays(liar, { limitInputPixels: 1_000_000 });
    expect(tooLarge).toMatchObject({ code: 'ERR_OFFLOOP_INPUT_TOO_LARGE' });
    // ... and with no limit (0 or false), or the default (true), it decodes as Pillow does (zeros past the data).
    for (const limitInputPixels of [0, false, true, undefined]) {
      expect(grayscaleFileSync(liar, { limitInputPixels })).toMatchObject({ width: 3000, height: 3000 });
    }
  });
});

describe('outputs that cannot be written', () => {
  it('a folder that cannot be made (under a dangling symbolic link): ENOENT naming the output; a failing input makes no folder', async () => {
    const dangling = join(temp.dir, 'dangling');
    symlinkSync(join(temp.dir, 'gone', 'away'), dangling);
    const output = join(dangling, 'sub', 'out.jpg');
    for (const error of await bothWays(JPEG, { output })) {
      expect(error).toMatchObject({ code: 'ENOENT', syscall: 'open', path: output });
      expect(error.message).toBe(`ENOENT: no such file or directory, open '${output}'`);
    }
    // From bytes in memory too.
    const [fromBytes] = await bothWays(readFixture('jpeg/ycc-420-base-61x37.jpg'), { output });
    expect(fromBytes).toMatchObject({ code: 'ENOENT', path: output });
    expect(existsSync(join(temp.dir, 'gone'))).toBe(false);
    // The folder is made only once the image is ready to be written.
    const later = join(temp.dir, 'not-made', 'out.jpg');
    for (const error of await bothWays(join(temp.dir, 'no-such-input.jpg'), { output: later }))
      expect(error).toMatchObject({ code: 'ENOENT' });
    expect(existsSync(join(temp.dir, 'not-made'))).toBe(false);
  });

  it('a folder in the way (EISDIR) or a file where a folder should be (ENOTDIR); nothing left behind', async () => {
    const folder = join(temp.dir, 'taken');
    mkdirSync(join(folder, 'out.jpg'), { recursive: true });
    for (const error of await bothWays(JPEG, { output: join(folder, 'out.jpg') })) {
      expect(error).toMatchObject({ code: 'EISDIR', path: join(folder, 'out.jpg') });
    }
    expect(entries(folder)).toEqual(['out.jpg']);
    const file = join(temp.dir, 'plain-file');
    writeFileSync(file, 'x');
    for (const error of await bothWays(JPEG, { output: join(file, 'out.jpg') })) {
      expect(error).toMatchObject({ code: 'ENOTDIR', syscall: 'open', path: join(file, 'out.jpg') });
    }
  });

  it('a full disk (injected ENOSPC): the existing output intact, no temporary file', async () => {
    const folder = join(temp.dir, 'nospace');
    mkdirSync(folder);
    const output = join(folder, 'out.png');
    writeFileSync(output, 'the previous version');
    binding.injectFault('fileWriteNoSpace', 2);
    for (const error of await bothWays(PNG, { output })) {
      expect(error).toMatchObject({ code: 'ENOSPC', errno: -28, path: output });
      expect(error.message).toMatch(
        new RegExp(`^ENOSPC: no space left on device, \\w+ '${output.replace(/[.]/g, '\\.')}'$`),
      );
      expect(entries(folder)).toEqual(['out.png']);
      expect(readFileSync(output, 'utf8')).toBe('the previous version');
    }
    // Space again: the output is replaced.
    expect((await grayscaleFile(PNG, { output })).bytes).toBe(readFileSync(output).length);
    expect(entries(folder)).toEqual(['out.png']);
  });
});

// Real file systems that refuse writes: a tiny tmpfs in a private mount
// namespace (we are root, so chmod would not stop us).
const unshareWorks = spawnSync('unshare', ['-rm', 'true']).status === 0;

describe.skipIf(!unshareWorks)('a full or read-only file system (unshare -rm, a private tmpfs)', () => {
  const script = fileURLToPath(new URL('./fs-limits.mjs', import.meta.url));
  let input: string;
  let existing: string;

  beforeAll(() => {
    // 400x300: 120 KB of gray at compression level 0, twice the tmpfs.
    input = join(temp.dir, 'large-input.png');
    writeFileSync(input, encodeRgbPng(photoLikeRgb(400, 300, 5), 400, 300));
    existing = join(temp.dir, 'existing-source.png');
    writeFileSync(existing, encodeGrayPng(readFixture('encode/src-61x37.gray'), 61, 37));
  });

  function run(setup: string): Array<Record<string, any>> {
    const mountPoint = join(temp.dir, `mnt-${setup.length}`);
    mkdirSync(mountPoint, { recursive: true });
    const shell = `mount -t tmpfs -o size=64k tmpfs "$0" && cp "$1" "$0/existing.png" ${setup} && exec "$2" "$3" "$0" "$4" "$5"`;
    const child = spawnSync(
      'unshare',
      [
        '-rm',
        'sh',
        '-c',
        shell,
        mountPoint,
        existing,
        process.execPath,
        script,
        input,
        readFileSync(existing).toString('hex'),
      ],
      { cwd: ROOT, encoding: 'utf8', timeout: 60_000 },
    );
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    return child.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
  }

  it('ENOSPC: every write fails cleanly, the existing file stays, no temporary file', () => {
    const attempts = run('');
    expect(attempts).toHaveLength(4);
    for (const attempt of attempts) {
      expect(attempt.error, attempt.how).toMatchObject({ code: 'ENOSPC', errno: -28, offloop: false });
      expect(attempt.error.path).toBe(attempt.how.split(' ')[1]);
      expect(['write', 'close']).toContain(attempt.error.syscall);
      expect(attempt.entries).toEqual(['existing.png']);
      expect(attempt.intact).toBe(true);
    }
  });

  it('EROFS: the open fails, naming the output; nothing changes', () => {
    const attempts = run('&& mount -o remount,ro "$0"');
    expect(attempts).toHaveLength(4);
    for (const attempt of attempts) {
      expect(attempt.error, attempt.how).toMatchObject({ code: 'EROFS', errno: -30, syscall: 'open', offloop: false });
      expect(attempt.error.message).toBe(`EROFS: read-only file system, open '${attempt.how.split(' ')[1]}'`);
      expect(attempt.entries).toEqual(['existing.png']);
      expect(attempt.intact).toBe(true);
    }
  });
});

if (!unshareWorks) {
  describe('a full or read-only file system', () => {
    it.skip('skipped: `unshare -rm` is not permitted here (no user namespaces), so no private tmpfs can be mounted', () => {});
  });
}

describe("bad arguments: TypeError / RangeError with Node's codes, sync and async", () => {
  const resizable = new Uint8Array(
    new (ArrayBuffer as unknown as new (n: number, o: object) => ArrayBuffer)(8, { maxByteLength: 16 }),
  );
  const detached = new Uint8Array(8);
  structuredClone(detached.buffer, { transfer: [detached.buffer] });
  const CASES: Array<
    [string, unknown, unknown, 'ERR_INVALID_ARG_TYPE' | 'ERR_INVALID_ARG_VALUE' | 'ERR_OUT_OF_RANGE', RegExp]
  > = [
    [
      'input: a number',
      5,
      undefined,
      'ERR_INVALID_ARG_TYPE',
      /^The "input" argument must be of type string or an instance of Buffer, Uint8Array or URL\. Received type number \(5\)$/,
    ],
    [
      'input: a Float32Array',
      new Float32Array(4),
      undefined,
      'ERR_INVALID_ARG_TYPE',
      /Received an instance of Float32Array/,
    ],
    [
      'input: an empty path',
      '',
      undefined,
      'ERR_INVALID_ARG_VALUE',
      /^The argument 'input' must not be an empty path\. Received ''$/,
    ],
    ['input: a NUL byte', 'a\0b.jpg', undefined, 'ERR_INVALID_ARG_VALUE', /without null bytes/],
    [
      'input: an https URL',
      new URL('https://example.com/a.jpg'),
      undefined,
      'ERR_INVALID_ARG_VALUE',
      /^The argument 'input' must be a file: URL/,
    ],
    [
      'input: a remote file URL',
      new URL('file://server/share/a.jpg'),
      undefined,
      'ERR_INVALID_ARG_VALUE',
      /is not a local file: URL/,
    ],
    ['input: a resizable buffer', resizable, undefined, 'ERR_INVALID_ARG_VALUE', /resizable ArrayBuffer/],
    ['input: a detached buffer', detached, undefined, 'ERR_INVALID_ARG_VALUE', /detached/],
    ['options: a string', JPEG, 'fast', 'ERR_INVALID_ARG_TYPE', /"options" argument must be of type object/],
    [
      'mode',
      JPEG,
      { mode: 'fast' },
      'ERR_INVALID_ARG_VALUE',
      /^The property 'options\.mode' must be one of: 'exact', 'luma', 'luma-lossless'\. Received 'fast'$/,
    ],
    [
      'format',
      JPEG,
      { format: 'tiff' },
      'ERR_INVALID_ARG_VALUE',
      /'options\.format' must be one of: 'same', 'jpeg', 'png', 'webp'/,
    ],
    [
      'format: not a string',
      JPEG,
      { format: 1 },
      'ERR_INVALID_ARG_TYPE',
      /"options\.format" property must be of type string/,
    ],
    [
      'quality: 0',
      JPEG,
      { quality: 0 },
      'ERR_OUT_OF_RANGE',
      /^The value of "options\.quality" is out of range\. It must be an integer >= 1 and <= 100\. Received 0$/,
    ],
    ['quality: 101', JPEG, { quality: 101 }, 'ERR_OUT_OF_RANGE', /Received 101/],
    ['quality: 7.5', JPEG, { quality: 7.5 }, 'ERR_OUT_OF_RANGE', /Received 7\.5/],
    [
      'quality: a string',
      JPEG,
      { quality: '75' },
      'ERR_INVALID_ARG_TYPE',
      /"options\.quality" property must be of type number/,
    ],
    [
      'compressionLevel: 10',
      JPEG,
      { compressionLevel: 10 },
      'ERR_OUT_OF_RANGE',
      /"options\.compressionLevel".*>= 0 and <= 9/,
    ],
    ['compressionLevel: -1', JPEG, { compressionLevel: -1 }, 'ERR_OUT_OF_RANGE', /Received -1/],
    [
      'autoOrient: 1',
      JPEG,
      { autoOrient: 1 },
      'ERR_INVALID_ARG_TYPE',
      /"options\.autoOrient" property must be of type boolean/,
    ],
    ['limitInputPixels: -1', JPEG, { limitInputPixels: -1 }, 'ERR_OUT_OF_RANGE', /"options\.limitInputPixels"/],
    ['limitInputPixels: 1.5', JPEG, { limitInputPixels: 1.5 }, 'ERR_OUT_OF_RANGE', /Received 1\.5/],
    ['limitInputPixels: 2^53', JPEG, { limitInputPixels: 2 ** 53 }, 'ERR_OUT_OF_RANGE', /limitInputPixels/],
    [
      'limitInputPixels: a string',
      JPEG,
      { limitInputPixels: '1' },
      'ERR_INVALID_ARG_TYPE',
      /must be of type number or boolean/,
    ],
    [
      'output: a number',
      JPEG,
      { output: 1 },
      'ERR_INVALID_ARG_TYPE',
      /"options\.output" property must be of type string or an instance of URL/,
    ],
    ['output: a Buffer', JPEG, { output: Buffer.from('a.jpg') }, 'ERR_INVALID_ARG_TYPE', /options\.output/],
    ['output: empty', JPEG, { output: '' }, 'ERR_INVALID_ARG_VALUE', /'options\.output' must not be an empty path/],
    [
      'output: an http URL',
      JPEG,
      { output: new URL('http://example.com/a.jpg') },
      'ERR_INVALID_ARG_VALUE',
      /'options\.output' must be a file: URL/,
    ],
    [
      'encode: a string',
      JPEG,
      { encode: 'yes' },
      'ERR_INVALID_ARG_TYPE',
      /"options\.encode" property must be of type boolean/,
    ],
    [
      'encode with output',
      JPEG,
      { encode: true, output: 'x.jpg' },
      'ERR_INVALID_ARG_VALUE',
      /'options\.encode' cannot be combined with options\.output/,
    ],
    [
      'signal',
      JPEG,
      { signal: {} },
      'ERR_INVALID_ARG_TYPE',
      /"options\.signal" property must be an instance of AbortSignal/,
    ],
    [
      'onProgress',
      JPEG,
      { onProgress: 5 },
      'ERR_INVALID_ARG_TYPE',
      /"options\.onProgress" property must be of type function/,
    ],
  ];

  it.each(CASES)('%s', async (_, input, options, code, message) => {
    const ErrorClass = code === 'ERR_OUT_OF_RANGE' ? RangeError : TypeError;
    for (const error of await bothWays(input, options as object)) {
      expect(error).toBeInstanceOf(ErrorClass);
      expect(error).toMatchObject({ code });
      expect(error.message).toMatch(message);
      expect(isOffloopError(error)).toBe(true);
      expectStackAtCaller(error);
    }
  });

  it('unknown option keys are ignored, as everywhere in offloop', async () => {
    const result = await grayscaleFile(JPEG, { width: 5, colour: 'red' } as object);
    expect(result.width).toBe(61);
  });

  it('reads each option once (getters included), before the input is checked', async () => {
    const reads: string[] = [];
    const options = {};
    for (const key of [
      'mode',
      'format',
      'quality',
      'compressionLevel',
      'autoOrient',
      'limitInputPixels',
      'limitInputBytes',
      'durable',
      'output',
      'encode',
      'signal',
      'onProgress',
    ]) {
      Object.defineProperty(options, key, { enumerable: true, get: () => void reads.push(key) });
    }
    await grayscaleFile(JPEG, options);
    expect(reads.sort()).toEqual([
      'autoOrient',
      'compressionLevel',
      'durable',
      'encode',
      'format',
      'limitInputBytes',
      'limitInputPixels',
      'mode',
      'onProgress',
      'output',
      'quality',
      'signal',
    ]);
    reads.length = 0;
    await expect(grayscaleFile(5 as never, options)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
    expect(reads).toHaveLength(12);
  });

  it('the async function never throws: every failure is a rejection', () => {
    const promise = grayscaleFile(5 as never);
    expect(promise).toBeInstanceOf(Promise);
    return expect(promise).rejects.toBeInstanceOf(TypeError);
  });
});

describe('isOffloopFileError', () => {
  it("is true for offloop's errors and the system's (ENOENT), in a batch and from grayscaleFile; false for other errors", async () => {
    const missing = join(temp.dir, 'no-such.jpg');
    const corrupt = join(temp.dir, 'guard-corrupt.jpg');
    writeFileSync(corrupt, 'not an image');
    const [enoent] = await bothWays(missing);
    expect(isOffloopError(enoent)).toBe(false);
    expect(isOffloopFileError(enoent)).toBe(true);
    const [bad] = await bothWays(corrupt);
    expect(isOffloopError(bad)).toBe(true);
    expect(isOffloopFileError(bad)).toBe(true);
    const errors = [];
    for await (const result of grayscaleFiles([missing, corrupt], {
      outDir: join(temp.dir, 'guard-out'),
      ordered: true,
    })) {
      if (result.error !== undefined) errors.push(result.error);
    }
    expect(errors.map((error) => [error.code, isOffloopFileError(error)])).toEqual([
      ['ENOENT', true],
      ['ERR_OFFLOOP_UNSUPPORTED_FORMAT', true],
    ]);
    const controller = new AbortController();
    controller.abort();
    for (const other of [
      controller.signal.reason,
      new Error('mine'),
      Object.assign(new Error('mine'), { code: 'MY_CODE' }),
      { code: 'ENOENT', message: 'not an Error' },
      'ENOENT',
      undefined,
    ]) {
      expect(isOffloopFileError(other)).toBe(false);
    }
  });
});
