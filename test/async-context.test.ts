// Every callback offloop calls runs in the async context of the call that
// passed it: a server that keeps a request in AsyncLocalStorage sees that
// request in onProgress, on every path, however many calls came before.
import { AsyncLocalStorage } from 'node:async_hooks';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, afterEach, describe, expect, it } from 'vitest';

import { computeSquares, computeSquaresSync, grayscale, grayscaleFile, grayscaleFiles, sumOfSquares } from '../lib/index.js';
import { IMAGES, tempFolder } from './files/helpers.js';
import { resetPaths, usePath, type Path } from './paths.js';

const als = new AsyncLocalStorage<{ request: number }>();
const REQUESTS = [1, 2, 3];

/**
 * Runs `start` once per request, each inside its own store, and returns what
 * onProgress saw in each: every store must be its own request's.
 */
async function storesSeen(start: (onProgress: () => void) => Promise<unknown> | unknown): Promise<Array<Array<number | undefined>>> {
  const seen = REQUESTS.map(() => [] as Array<number | undefined>);
  await Promise.all(
    REQUESTS.map((request, i) =>
      als.run({ request }, () => start(() => seen[i]!.push(als.getStore()?.request))),
    ),
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

describe.each<Path>(['js', 'inline', 'pool'])('onProgress sees the caller\'s store (%s path)', (path) => {
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
    expectOwnStores(await storesSeen((onProgress) => computeSquaresSync(new Float64Array(LARGE).fill(3), { onProgress })));
  });
});

describe('files: callbacks see the caller\'s store', () => {
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
        for await (const result of grayscaleFiles(inputs, { outDir: out, onProgress })) expect(result.error).toBeUndefined();
      }),
    );
  });
});
