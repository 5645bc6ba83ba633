// Every callback offloop calls runs in the async context of the call that
// passed it: a server that keeps a request in AsyncLocalStorage sees that
// request in onProgress, on every path, however many calls came before.
import { AsyncLocalStorage } from 'node:async_hooks';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import {
  computeSquares,
  computeSquaresSync,
  grayscale,
  grayscaleFile,
  grayscaleFiles,
  sumOfSquares,
} from '../lib/index.js';
import { createWorker, queueStatus, submitFiles, type OffloopWorker, type QueueNotice } from '../lib/queue.js';
import { IMAGES, tempFolder } from './files/helpers.js';
import { NO_REDIS, redisServer, startRedis, type Redis } from './queue/redis.js';
import { resetPaths, usePath, type Path } from './paths.js';

const als = new AsyncLocalStorage<{ request: number }>();
const REQUESTS = [1, 2, 3];

/**
 * Runs `start` once per request, each inside its own store, and returns what
 * onProgress saw in each: every store must be its own request's.
 */
async function storesSeen(
  start: (onProgress: () => void) => Promise<unknown> | unknown,
): Promise<Array<Array<number | undefined>>> {
  const seen = REQUESTS.map(() => [] as Array<number | undefined>);
  await Promise.all(
    REQUESTS.map((request, i) => als.run({ request }, () => start(() => seen[i]!.push(als.getStore()?.request)))),
  );
  return seen;
}

function expectOwnStores(seen: Array<Array<number | undefined>>): void {
  seen.forEach((stores, i) => {
    expect(stores.length).toBeGreaterThan(0);
    expect(new Set(stores)).toEqual(new Set([REQUESTS[i]]));
  });
}

const LARGE = 1 << 20;

describe.each<Path>(['js', 'inline', 'pool'])("onProgress sees the caller's store (%s path)", (path) => {
  afterEach(resetPaths);

  it('computeSquares', async () => {
    usePath(path);
    expectOwnStores(await storesSeen((onProgress) => computeSquares(new Float64Array(LARGE).fill(3), { onProgress })));
  });

  it('sumOfSquares', async () => {
    usePath(path);
    expectOwnStores(await storesSeen((onProgress) => sumOfSquares(new Float64Array(LARGE).fill(3), { onProgress })));
  });

  it('grayscale', async () => {
    usePath(path);
    const image = { data: new Uint8Array(1024 * 1024 * 3).fill(7), width: 1024, height: 1024, channels: 3 as const };
    expectOwnStores(await storesSeen((onProgress) => grayscale(image, { onProgress })));
  });

  it('computeSquaresSync', async () => {
    usePath(path);
    expectOwnStores(
      await storesSeen((onProgress) => computeSquaresSync(new Float64Array(LARGE).fill(3), { onProgress })),
    );
  });
});

describe("files: callbacks see the caller's store", () => {
  const { dir, cleanup } = tempFolder('offloop-async-context-');
  afterAll(cleanup);
  const photo = join(IMAGES, 'jpeg', 'gray-base-61x37.jpg');

  it('grayscaleFile', async () => {
    expectOwnStores(await storesSeen((onProgress) => grayscaleFile(photo, { onProgress })));
  });

  it('grayscaleFiles', async () => {
    const inputs = join(dir, 'in');
    mkdirSync(inputs, { recursive: true });
    for (let i = 0; i < 4; i++) copyFileSync(photo, join(inputs, `p${i}.jpg`));
    expectOwnStores(
      await storesSeen(async (onProgress) => {
        const out = join(dir, `out-${als.getStore()!.request}`);
        for await (const result of grayscaleFiles(inputs, { outDir: out, onProgress }))
          expect(result.error).toBeUndefined();
      }),
    );
  });
});

/**
 * Starts one batch per request inside its own store, and consumes them all
 * outside any store: a callback must see the store of the call that passed
 * it, not the consumer's.
 */
async function storesSeenConsumedElsewhere(
  start: (seen: (name: string) => void) => AsyncIterable<unknown>,
): Promise<Array<Record<string, Set<number | undefined>>>> {
  const seen = REQUESTS.map(() => ({}) as Record<string, Set<number | undefined>>);
  const batches = REQUESTS.map((request, i) =>
    als.run({ request }, () => start((name) => (seen[i]![name] ??= new Set()).add(als.getStore()?.request))),
  );
  expect(als.getStore()).toBeUndefined();
  await Promise.all(
    batches.map(async (batch) => {
      try {
        for await (const result of batch) expect((result as { error?: unknown }).error).toBeUndefined();
      } catch (error) {
        // An aborted batch ends with the reason: what its callbacks saw is what counts.
        if ((error as Error).message !== 'stop') throw error;
      }
    }),
  );
  return seen;
}

function expectOwnStoreIn(seen: Array<Record<string, Set<number | undefined>>>, names: string[]): void {
  seen.forEach((byName, i) => {
    for (const name of names) expect([name, byName[name]]).toEqual([name, new Set([REQUESTS[i]])]);
  });
}

describe('batch: callbacks see the store of the call, whoever consumes the results', () => {
  const { dir, cleanup } = tempFolder('offloop-async-context-batch-');
  afterAll(cleanup);
  const photo = join(IMAGES, 'jpeg', 'gray-base-61x37.jpg');

  it.each([false, true])('grayscaleFiles onProgress and output (ordered: %s)', async (ordered) => {
    const inputs = join(dir, `in-${ordered}`);
    mkdirSync(inputs, { recursive: true });
    for (let i = 0; i < 6; i++) copyFileSync(photo, join(inputs, `p${i}.jpg`));
    const seen = await storesSeenConsumedElsewhere((saw) => {
      const out = join(dir, `out-${ordered}-${als.getStore()!.request}`);
      return grayscaleFiles(inputs, {
        ordered,
        concurrency: 2,
        onProgress: () => saw('onProgress'),
        output: (input) => {
          saw('output');
          return join(out, input.slice(inputs.length + 1));
        },
      });
    });
    expectOwnStoreIn(seen, ['onProgress', 'output']);
  });
});

if (!redisServer) console.warn(`async-context.test.ts: ${NO_REDIS}`);

describe.skipIf(!redisServer)("queue: submitFiles callbacks see the store of the call, not the consumer's", () => {
  let redis: Redis;
  let worker: OffloopWorker;
  const { dir, cleanup } = tempFolder('offloop-async-context-queue-');
  const photo = join(IMAGES, 'jpeg', 'gray-base-61x37.jpg');
  const inputs = join(dir, 'in');

  beforeAll(async () => {
    redis = await startRedis();
    mkdirSync(inputs, { recursive: true });
    for (let i = 0; i < 4; i++) copyFileSync(photo, join(inputs, `p${i}.jpg`));
    worker = createWorker({ connection: redis.url, queue: 'with-worker', roots: [dir] });
    await worker.worker.waitUntilReady();
  }, 60_000);

  afterAll(async () => {
    await worker?.close();
    await redis?.stop();
    cleanup();
  }, 60_000);

  it('onProgress, with a worker', async () => {
    const seen = await storesSeenConsumedElsewhere((saw) =>
      submitFiles(inputs, {
        connection: redis.url,
        queue: 'with-worker',
        outDir: join(dir, `out-${als.getStore()!.request}`),
        onProgress: () => saw('onProgress'),
      }),
    );
    expectOwnStoreIn(seen, ['onProgress']);
  }, 60_000);

  it('onNotice: jobs removed on abort (no worker on that queue)', async () => {
    const controllers = REQUESTS.map(() => new AbortController());
    const notices: QueueNotice['type'][] = [];
    const seen = storesSeenConsumedElsewhere((saw) => {
      const request = als.getStore()!.request;
      return submitFiles(inputs, {
        connection: redis.url,
        queue: `no-worker-${request}`,
        outDir: join(dir, `waiting-${request}`),
        signal: controllers[request - 1]!.signal,
        onNotice: (notice) => {
          notices.push(notice.type);
          saw('onNotice');
        },
      });
    });
    // Once each batch's jobs wait in its queue, stop them all: each says what it removed.
    for (const [i, request] of REQUESTS.entries()) {
      for (;;) {
        const { waiting } = await queueStatus({ connection: redis.url, queue: `no-worker-${request}` });
        if (waiting === 4) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      controllers[i]!.abort(new Error('stop'));
    }
    expectOwnStoreIn(await seen, ['onNotice']);
    expect(notices).toContain('removed-jobs');
  }, 60_000);
});
