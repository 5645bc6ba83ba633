// offloop/queue's options read as the core reads grayscaleFiles' (readOptions,
// readFileSettings, the core's errors): a bad value rejects the first next()
// with a TypeError or RangeError and its stable code, before Redis is reached.
import { describe, expect, it } from 'vitest';

import { createWorker, queueStatus, queueSumOfSquares, submitFiles, sumOfSquares } from '../../lib/queue.js';

// Nothing listens there: a call that got as far as Redis would fail otherwise (ERR_OFFLOOP_REDIS_UNREACHABLE).
const connection = 'redis://127.0.0.1:1';
const base = { connection, outDir: '/tmp/offloop-never-written', connectTimeout: 60_000 };

async function firstNext(options: unknown, inputs: unknown = ['/tmp/none.jpg']): Promise<unknown> {
  const batch = submitFiles(inputs as string[], options as Parameters<typeof submitFiles>[1]);
  try {
    await batch.next();
  } catch (error) {
    return error;
  }
  throw new Error('no error');
}

describe('submitFiles: options validated as grayscaleFiles validates its own', () => {
  it.each<[string, Record<string, unknown> | undefined, string, ErrorConstructor]>([
    ['no options', undefined, 'ERR_INVALID_ARG_TYPE', TypeError],
    ['no connection', { outDir: '/tmp/x' }, 'ERR_INVALID_ARG_TYPE', TypeError],
    ['a connection of another scheme', { ...base, connection: 'http://host' }, 'ERR_INVALID_ARG_VALUE', TypeError],
    ['a number as connection', { ...base, connection: 6379 }, 'ERR_INVALID_ARG_TYPE', TypeError],
    ['no outDir', { connection }, 'ERR_INVALID_ARG_TYPE', TypeError],
    ['quality 0', { ...base, quality: 0 }, 'ERR_OUT_OF_RANGE', RangeError],
    ['quality 101', { ...base, quality: 101 }, 'ERR_OUT_OF_RANGE', RangeError],
    ['compressionLevel 10', { ...base, compressionLevel: 10 }, 'ERR_OUT_OF_RANGE', RangeError],
    ['an unknown mode', { ...base, mode: 'fast' }, 'ERR_INVALID_ARG_VALUE', TypeError],
    ['a format of another type', { ...base, format: 5 }, 'ERR_INVALID_ARG_TYPE', TypeError],
    ['autoOrient a string', { ...base, autoOrient: 'yes' }, 'ERR_INVALID_ARG_TYPE', TypeError],
    ['limitInputPixels -1', { ...base, limitInputPixels: -1 }, 'ERR_OUT_OF_RANGE', RangeError],
    ['window 0', { ...base, window: 0 }, 'ERR_OUT_OF_RANGE', RangeError],
    ['attempts 1.5', { ...base, attempts: 1.5 }, 'ERR_OUT_OF_RANGE', RangeError],
    ['idleTimeout -1', { ...base, idleTimeout: -1 }, 'ERR_OUT_OF_RANGE', RangeError],
    ['connectTimeout a string', { ...base, connectTimeout: '5' }, 'ERR_INVALID_ARG_TYPE', TypeError],
    ['recursive a string', { ...base, recursive: 'yes' }, 'ERR_INVALID_ARG_TYPE', TypeError],
    ['an empty queue name', { ...base, queue: '' }, 'ERR_INVALID_ARG_VALUE', TypeError],
    ['a signal that is not one', { ...base, signal: {} }, 'ERR_INVALID_ARG_TYPE', TypeError],
    ['onProgress not a function', { ...base, onProgress: 1 }, 'ERR_INVALID_ARG_TYPE', TypeError],
    ['onNotice not a function', { ...base, onNotice: 'log' }, 'ERR_INVALID_ARG_TYPE', TypeError],
  ])('%s: rejects with its code', async (_name, options, code, type) => {
    const error = await firstNext(options);
    expect(error).toBeInstanceOf(type);
    expect(error).toMatchObject({ code });
  });

  it('bad inputs reject too; nothing throws synchronously', async () => {
    expect(await firstNext(base, 5)).toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
    expect(() => submitFiles(null as unknown as string, undefined as never)).not.toThrow();
  });
});

describe('the other entry points read the same options the same way', () => {
  it('queueStatus and queueSumOfSquares: a bad queue name or timeout', async () => {
    await expect(queueStatus({ connection, queue: 7 as unknown as string })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG_TYPE',
    });
    await expect(queueStatus({ connection, connectTimeout: 0 })).rejects.toMatchObject({ code: 'ERR_OUT_OF_RANGE' });
    await expect(queueSumOfSquares({ from: 1, to: 2 }, { connection, connectTimeout: -5 })).rejects.toMatchObject({
      code: 'ERR_OUT_OF_RANGE',
    });
    await expect(queueSumOfSquares({ from: 1, to: 2 }, { connection: 'ftp://x' })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG_VALUE',
    });
  });

  it('sumOfSquares is the deprecated name of queueSumOfSquares', () => {
    expect(sumOfSquares).toBe(queueSumOfSquares);
  });

  it('createWorker: concurrency checked as setConcurrency checks a thread count', () => {
    for (const concurrency of [0, 1.5, 2000]) {
      expect(() => createWorker({ connection, roots: ['/tmp'], concurrency })).toThrow(
        expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }),
      );
    }
    expect(() => createWorker({ connection, roots: ['/tmp'], queue: '' })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }),
    );
  });

  it("createWorker: its limits and durable checked as grayscaleFile's", () => {
    for (const [options, code] of [
      [{ limitInputBytes: -1 }, 'ERR_OUT_OF_RANGE'],
      [{ limitInputBytes: 1.5 }, 'ERR_OUT_OF_RANGE'],
      [{ limitInputPixels: '100' }, 'ERR_INVALID_ARG_TYPE'],
      [{ durable: 1 }, 'ERR_INVALID_ARG_TYPE'],
    ] as const) {
      expect(() => createWorker({ connection, roots: ['/tmp'], ...(options as object) })).toThrow(
        expect.objectContaining({ code }),
      );
    }
  });
});
