// The pieces of lib/files/ on their own: how native failures become errors
// (including shapes the native side should never send), extension checks,
// input views, the rows a job counts, and failures injected at submit and
// in a pool chunk.
import { afterEach, describe, expect, it } from 'vitest';

import { binding, type NativeFileResult } from '../../lib/binding.js';
import { fileFailureError } from '../../lib/files/errors.js';
import { checkFileInput, checkFileOutput, describeSource, formatOfExtension } from '../../lib/files/input.js';
import { fileRows } from '../../lib/files/result.js';
import { DEFAULT_BYTE_LIMIT, DEFAULT_PIXEL_LIMIT, readFileSettings, type FileJob } from '../../lib/files/settings.js';
import { grayscaleFile, grayscaleFileSync, isOffloopError } from '../../lib/index.js';
import { fixture, readFixture } from './helpers.js';

afterEach(() => binding.injectFault('reset', 0));

const settings = readFileSettings(Object.create(null));
const fromPath: FileJob = { input: { kind: 'path', path: 'in/a.jpg' }, output: 'out/a.png', encode: false, settings };
const fromBytes: FileJob = {
  input: { kind: 'bytes', bytes: new Uint8Array(1) },
  output: 'out/b.png',
  encode: false,
  settings,
};

describe('fileFailureError', () => {
  it('system failures: Node fs errors naming the input or the output', () => {
    expect(
      fileFailureError(fromPath, {
        code: 'ERR_OFFLOOP_SYSTEM',
        message: 'x',
        errno: 2,
        syscall: 'open',
        target: 'input',
      }),
    ).toMatchObject({
      message: "ENOENT: no such file or directory, open 'in/a.jpg'",
      code: 'ENOENT',
      errno: -2,
      syscall: 'open',
      path: 'in/a.jpg',
    });
    expect(
      fileFailureError(fromBytes, {
        code: 'ERR_OFFLOOP_SYSTEM',
        message: 'x',
        errno: 13,
        syscall: 'rename',
        target: 'output',
      }),
    ).toMatchObject({
      message: "EACCES: permission denied, rename 'out/b.png'",
      code: 'EACCES',
      path: 'out/b.png',
    });
    // An errno Node has no name for, a missing syscall, no path to name.
    const odd = fileFailureError(fromBytes, { code: 'ERR_OFFLOOP_SYSTEM', errno: 99999, target: 'input' });
    expect(odd).toMatchObject({ code: 'Unknown system error -99999', errno: -99999, syscall: 'open' });
    expect(odd.message).toBe('Unknown system error -99999: unknown error, open');
    expect(Object.hasOwn(odd, 'path')).toBe(false);
  });

  it('codec failures: their code, the path (or "input buffer") in the message', () => {
    const error = fileFailureError(fromPath, {
      code: 'ERR_OFFLOOP_CORRUPT_IMAGE',
      message: 'PNG: bad adaptive filter value',
    });
    expect(error).toMatchObject({
      code: 'ERR_OFFLOOP_CORRUPT_IMAGE',
      message: 'offloop: in/a.jpg: PNG: bad adaptive filter value',
    });
    expect(isOffloopError(error)).toBe(true);
    expect(fileFailureError(fromBytes, { code: 'ERR_OFFLOOP_EMPTY_INPUT', message: 'empty input' }).message).toBe(
      'offloop: input buffer: empty input',
    );
    // A message that already says offloop is not prefixed twice.
    expect(
      fileFailureError(fromPath, {
        code: 'ERR_OFFLOOP_OUT_OF_MEMORY',
        message: 'offloop: a pool thread ran out of memory',
      }).message,
    ).toBe('offloop: in/a.jpg: a pool thread ran out of memory');
  });

  it('anything else: ERR_OFFLOOP_NATIVE, never a crash', () => {
    for (const failure of [
      undefined,
      null,
      'boom',
      { code: 'ERR_OFFLOOP_CANCELLED', message: 'cancelled' },
      { code: 'ERR_OFFLOOP_SYSTEM' },
      {},
    ]) {
      const error = fileFailureError(fromPath, failure);
      expect(error).toBeInstanceOf(Error);
      expect(error).toMatchObject({ code: 'ERR_OFFLOOP_NATIVE' });
      expect(error.message.startsWith('offloop: in/a.jpg: ')).toBe(true);
    }
  });

  it("the native side's own argument errors pass through as they are", () => {
    const thrown = Object.assign(new TypeError('bad'), { code: 'ERR_INVALID_ARG_TYPE' });
    expect(fileFailureError(fromPath, thrown)).toBe(thrown);
  });
});

describe('inputs and outputs', () => {
  it('extensions name formats case-insensitively; others name none', () => {
    expect(['a.jpg', 'a.JPEG', 'b/c.jpe', 'x.jfif', '.hidden.Jpg'].map(formatOfExtension)).toEqual([
      'jpeg',
      'jpeg',
      'jpeg',
      'jpeg',
      'jpeg',
    ]);
    expect(formatOfExtension('a.PNG')).toBe('png');
    expect(['a', 'a.gif', 'a.jpg.bak', 'jpg', 'a.constructor', 'a.__proto__'].map(formatOfExtension)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('bytes are viewed in place, as a plain Uint8Array, whatever view the caller passed', () => {
    const backing = new Uint8Array(16);
    const buffer = Buffer.from(backing.buffer, 4, 8);
    const source = checkFileInput(buffer);
    expect(source.kind).toBe('bytes');
    const bytes = (source as { bytes: Uint8Array }).bytes;
    expect(Object.getPrototypeOf(bytes)).toBe(Uint8Array.prototype);
    expect(bytes.buffer).toBe(backing.buffer);
    expect([bytes.byteOffset, bytes.byteLength]).toEqual([4, 8]);
    const plain = new Uint8Array(3);
    expect((checkFileInput(plain) as { bytes: Uint8Array }).bytes).toBe(plain);
    expect(describeSource(source)).toBe('input buffer');
    // A SharedArrayBuffer is fixed-length: fine.
    expect(checkFileInput(new Uint8Array(new SharedArrayBuffer(4))).kind).toBe('bytes');
  });

  it('file: URLs become paths (percent-decoded); strings stay as given', () => {
    expect(checkFileInput(new URL('file:///tmp/a%20b.jpg'))).toEqual({ kind: 'path', path: '/tmp/a b.jpg' });
    expect(checkFileInput('file:///not-a-url.jpg')).toEqual({ kind: 'path', path: 'file:///not-a-url.jpg' });
    expect(checkFileOutput(new URL('file:///tmp/o.png'))).toBe('/tmp/o.png');
    expect(checkFileOutput(undefined)).toBeUndefined();
    expect(() => checkFileInput(new URL('file:///a%2Fb.jpg'))).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }),
    );
  });

  it("settings default to Pillow's and sharp's values", () => {
    expect(settings).toEqual({
      mode: 'exact',
      format: 'same',
      // The written format's default: JPEG 75, WebP 80 (chosen natively).
      quality: undefined,
      compressionLevel: 6,
      lossless: false,
      autoOrient: false,
      limitInputPixels: DEFAULT_PIXEL_LIMIT,
      limitInputBytes: DEFAULT_BYTE_LIMIT,
      durable: false,
    });
    expect(DEFAULT_PIXEL_LIMIT).toBe(0x3fff * 0x3fff);
    expect(DEFAULT_BYTE_LIMIT).toBe(2 ** 30);
  });
});

describe('fileRows: the progress total of a job', () => {
  const base: NativeFileResult = {
    width: 30,
    height: 20,
    inputFormat: 'jpeg',
    format: 'jpeg',
    mode: 'exact',
    orientation: 0,
    oriented: false,
    bytesIn: 1,
    timings: { read: 0, decode: 0, orient: 0, encode: 0, write: 0 },
  };
  it('rows decoded, plus rows encoded; a quarter turn decodes the stored height', () => {
    expect(fileRows({ ...fromPath, output: undefined }, base)).toBe(20);
    expect(fileRows(fromPath, base)).toBe(40);
    expect(fileRows({ ...fromPath, output: undefined, encode: true }, base)).toBe(40);
    // Oriented 6: displayed 30x20, stored 20 wide and 30 tall.
    expect(fileRows(fromPath, { ...base, orientation: 6, oriented: true })).toBe(30 + 20);
    expect(fileRows(fromPath, { ...base, orientation: 6, oriented: false })).toBe(40);
    expect(fileRows(fromPath, { ...base, orientation: 3, oriented: true })).toBe(40);
  });
});

describe('injected failures', () => {
  it('a submit that fails (no memory): rejects at the caller; the next call works', async () => {
    binding.injectFault('submit', 1);
    const error = (await grayscaleFile(fixture('png/rgb8-61x37.png')).catch((e: unknown) => e)) as Error;
    expect(error).toMatchObject({ code: 'ERR_OFFLOOP_OUT_OF_MEMORY' });
    expect(error.stack!.split('\n')[1]).toContain('units.test.ts');
    expect((await grayscaleFile(fixture('png/rgb8-61x37.png'))).width).toBe(61);
  });

  it('a pool chunk out of memory: ERR_OFFLOOP_OUT_OF_MEMORY naming the file, async and sync', async () => {
    binding.injectFault('chunk', 1);
    const error = (await grayscaleFile(fixture('png/rgb8-61x37.png')).catch((e: unknown) => e)) as Error;
    expect(error).toMatchObject({ code: 'ERR_OFFLOOP_OUT_OF_MEMORY' });
    expect(error.message).toContain(fixture('png/rgb8-61x37.png'));
    expect(error.stack!.split('\n')[1]).toContain('units.test.ts');
    binding.injectFault('chunk', 1);
    let thrown: Error | undefined;
    try {
      grayscaleFileSync(readFixture('png/rgb8-61x37.png'));
    } catch (e) {
      thrown = e as Error;
    }
    expect(thrown).toMatchObject({
      code: 'ERR_OFFLOOP_OUT_OF_MEMORY',
      message: expect.stringMatching(/^offloop: input buffer: /),
    });
    expect(thrown!.stack!.split('\n')[1]).toContain('units.test.ts');
    expect(grayscaleFileSync(readFixture('png/rgb8-61x37.png')).width).toBe(61);
  });
});
