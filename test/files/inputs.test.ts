// Inputs are regular files, checked before they are read (issue 15, item 4):
// a FIFO, a device or a socket is refused at once with ERR_OFFLOOP_NOT_A_FILE
// (a folder keeps Node's EISDIR), the header is read first so a large file
// that is not an image (or an image over the pixel limit) fails before the
// rest is read, and limitInputBytes refuses a file by its size.
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  copyFileSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { grayscaleFile, grayscaleFileSync } from '../../lib/index.js';
import { DEFAULT_BYTE_LIMIT } from '../../lib/files/settings.js';
import { ROOT } from '../helpers.js';
import { fixture, tempFolder } from './helpers.js';

const SCRIPT = join(ROOT, 'test/files/refuse-input.mjs');
const CLI = join(ROOT, 'dist/cjs/cli/main.js');
const JPEG = fixture('jpeg/ycc-444-base-61x37.jpg');
const TWO_GB = 2 * 2 ** 30;

let temp: ReturnType<typeof tempFolder>;
beforeAll(() => {
  temp = tempFolder('offloop-inputs-');
});
afterAll(() => temp.cleanup());

interface Refusal {
  code: string;
  message?: string;
  ms: number;
  peakRssMiB: number;
}

/** grayscaleFile(path, options) in a child process that may not take more than 30 s. */
function refuse(path: string, options: object = {}): Refusal {
  const run = spawnSync(process.execPath, [SCRIPT, path, JSON.stringify(options)], {
    encoding: 'utf8',
    timeout: 30_000,
    killSignal: 'SIGKILL',
  });
  expect(run.signal, `${path}: the call never settled (${run.stderr})`).toBeNull();
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as Refusal;
}

describe('not a regular file: refused at once, never read', () => {
  it('a FIFO named f.jpg (no writer: opening it must not block)', () => {
    const fifo = join(temp.dir, 'f.jpg');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const outcome = refuse(fifo);
    expect(outcome).toMatchObject({ code: 'ERR_OFFLOOP_NOT_A_FILE' });
    expect(outcome.message).toContain('FIFO');
    expect(outcome.message).toContain(fifo);
    console.log(`refusing a FIFO: ${outcome.ms.toFixed(2)} ms`);
  });

  it('/dev/zero (it never ends)', () => {
    const outcome = refuse('/dev/zero', { limitInputBytes: 0 });
    expect(outcome).toMatchObject({ code: 'ERR_OFFLOOP_NOT_A_FILE' });
    expect(outcome.message).toContain('character device');
  });

  it('a socket', async () => {
    const path = join(temp.dir, 's.jpg');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(path, resolve));
    try {
      await expect(grayscaleFile(path)).rejects.toMatchObject({
        code: 'ERR_OFFLOOP_NOT_A_FILE',
        message: expect.stringContaining('socket'),
      });
    } finally {
      server.close();
    }
  });

  it('a folder keeps EISDIR, as Node fs reports it', async () => {
    const folder = join(temp.dir, 'folder.jpg');
    mkdirSync(folder);
    await expect(grayscaleFile(folder)).rejects.toMatchObject({ code: 'EISDIR', path: folder });
    expect(() => grayscaleFileSync(folder)).toThrow(expect.objectContaining({ code: 'EISDIR' }));
  });
});

describe('the header is read first', () => {
  it('a 2 GB sparse file that is not an image fails in milliseconds, with flat memory', () => {
    const big = join(temp.dir, 'big.jpg');
    writeFileSync(big, 'not an image at all, only text');
    truncateSync(big, TWO_GB);
    const outcome = refuse(big, { limitInputBytes: 0 });
    expect(outcome.code).toBe('ERR_OFFLOOP_UNSUPPORTED_FORMAT');
    // A read of the whole file takes seconds and 2 GB: generous bounds.
    expect(outcome.peakRssMiB).toBeLessThan(400);
    expect(outcome.ms).toBeLessThan(2000);
    console.log(
      `refusing a 2 GB non-image: ${outcome.ms.toFixed(2)} ms, peak RSS ${outcome.peakRssMiB.toFixed(0)} MiB`,
    );
  });

  it('a 2 GB file whose PNG header is over limitInputPixels fails the same way', () => {
    const big = join(temp.dir, 'big.png');
    // The header of a real PNG of 61x37, its IHDR widened to 60000x60000.
    const png = grayscaleFileSync(fixture('png/rgba8-61x37.png'), { encode: true, format: 'png' }).data;
    const header = Buffer.from(png);
    header.writeUInt32BE(60000, 16);
    header.writeUInt32BE(60000, 20);
    header.writeUInt32BE(crc32(header.subarray(12, 29)) >>> 0, 29);
    writeFileSync(big, header);
    truncateSync(big, TWO_GB);
    const outcome = refuse(big, { limitInputBytes: 0 });
    expect(outcome.code).toBe('ERR_OFFLOOP_INPUT_TOO_LARGE');
    expect(outcome.message).toContain('60000x60000');
    expect(outcome.peakRssMiB).toBeLessThan(400);
  });

  it('an image whose header is longer than the first read still decodes', async () => {
    // A JPEG with 300 KB of APP segments before its frame header.
    const jpeg = readFileSync(JPEG);
    const segment = Buffer.alloc(4 + 65533, 0x20);
    segment[0] = 0xff;
    segment[1] = 0xe5;
    segment.writeUInt16BE(65535, 2);
    const padded = Buffer.concat([jpeg.subarray(0, 2), ...Array(5).fill(segment), jpeg.subarray(2)]);
    const path = join(temp.dir, 'long-header.jpg');
    writeFileSync(path, padded);
    const expected = grayscaleFileSync(JPEG).data;
    expect(Buffer.from((await grayscaleFile(path)).data).equals(Buffer.from(expected))).toBe(true);
    expect(
      (await grayscaleFile(path, { limitInputPixels: 61 * 37 - 1 }).catch((e: unknown) => e)) as object,
    ).toMatchObject({ code: 'ERR_OFFLOOP_INPUT_TOO_LARGE' });
  });
});

describe('limitInputBytes', () => {
  it('refuses a file over the limit by its size, and reads one at the limit', async () => {
    const size = statSync(JPEG).size;
    await expect(grayscaleFile(JPEG, { limitInputBytes: size - 1 })).rejects.toMatchObject({
      code: 'ERR_OFFLOOP_INPUT_TOO_LARGE',
      message: expect.stringContaining(`${size} bytes`),
    });
    expect(() => grayscaleFileSync(JPEG, { limitInputBytes: size - 1 })).toThrow(
      expect.objectContaining({ code: 'ERR_OFFLOOP_INPUT_TOO_LARGE' }),
    );
    expect((await grayscaleFile(JPEG, { limitInputBytes: size })).width).toBe(61);
    // Bytes in memory are the caller's: not limited.
    expect(grayscaleFileSync(readFileSync(JPEG), { limitInputBytes: 1 }).width).toBe(61);
  });

  it('defaults to 1 GiB: a 2 GB file is refused from its size', () => {
    const big = join(temp.dir, 'big-default.jpg');
    const fd = openSync(big, 'w');
    writeSync(fd, 'text');
    closeSync(fd);
    truncateSync(big, TWO_GB);
    expect(DEFAULT_BYTE_LIMIT).toBe(2 ** 30);
    const outcome = refuse(big);
    expect(outcome.code).toBe('ERR_OFFLOOP_INPUT_TOO_LARGE');
    expect(outcome.message).toContain(`file of ${TWO_GB} bytes, over limitInputBytes (${2 ** 30})`);
  });

  it('is validated as limitInputPixels is: true the default, false or 0 none', async () => {
    await expect(grayscaleFile(JPEG, { limitInputBytes: -1 })).rejects.toMatchObject({
      name: 'RangeError',
      code: 'ERR_OUT_OF_RANGE',
    });
    await expect(grayscaleFile(JPEG, { limitInputBytes: 1.5 })).rejects.toMatchObject({
      name: 'RangeError',
      code: 'ERR_OUT_OF_RANGE',
    });
    await expect(grayscaleFile(JPEG, { limitInputBytes: '1' as never })).rejects.toMatchObject({
      name: 'TypeError',
      code: 'ERR_INVALID_ARG_TYPE',
    });
    expect(() => grayscaleFileSync(JPEG, { limitInputBytes: 2 ** 53 })).toThrow(
      expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }),
    );
    for (const limit of [true, false, 0])
      expect((await grayscaleFile(JPEG, { limitInputBytes: limit })).width).toBe(61);
  });
});

describe('offloop gray --limit-input-bytes', () => {
  it('fails a file over the limit (exit 1), processes the others, and checks its value (exit 2)', () => {
    const dir = join(temp.dir, 'cli-limit');
    mkdirSync(dir);
    copyFileSync(JPEG, join(dir, 'a.jpg'));
    const size = statSync(JPEG).size;
    const run = (args: string[]) =>
      spawnSync(process.execPath, [CLI, 'gray', ...args], { encoding: 'utf8', cwd: temp.dir, timeout: 60_000 });
    const over = run([join(dir, 'a.jpg'), '-o', join(dir, 'out'), '--limit-input-bytes', String(size - 1), '--json']);
    expect(over.status).toBe(1);
    expect(over.stdout).toContain('ERR_OFFLOOP_INPUT_TOO_LARGE');
    const at = run([join(dir, 'a.jpg'), '-o', join(dir, 'out'), '--limit-input-bytes', String(size)]);
    expect(at.status).toBe(0);
    const bad = run([join(dir, 'a.jpg'), '-o', join(dir, 'out'), '--limit-input-bytes', '-5']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--limit-input-bytes');
  });

  it('a FIFO named on the command line fails at once; the batch goes on and exits 1', () => {
    const dir = join(temp.dir, 'cli-fifo');
    mkdirSync(dir);
    copyFileSync(JPEG, join(dir, 'a.jpg'));
    expect(spawnSync('mkfifo', [join(dir, 'f.jpg')]).status).toBe(0);
    const run = spawnSync(
      process.execPath,
      [CLI, 'gray', join(dir, 'f.jpg'), join(dir, 'a.jpg'), '-o', join(temp.dir, 'cli-fifo-out'), '--json'],
      { encoding: 'utf8', timeout: 30_000, killSignal: 'SIGKILL' },
    );
    expect(run.signal).toBeNull();
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('ERR_OFFLOOP_NOT_A_FILE');
    expect(statSync(join(temp.dir, 'cli-fifo-out', 'a.jpg')).size).toBeGreaterThan(0);
  });
});
