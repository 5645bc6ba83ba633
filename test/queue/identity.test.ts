// submitFiles runs the local batch's output checks (lib/files/batch-outputs.ts)
// before it queues a file: an output that is an input, or that an earlier
// input claimed, fails that file at once (no worker needed: nothing is
// queued for it).
import { copyFileSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { queueStatus, submitFiles } from '../../lib/queue.js';
import { fixture, tempFolder } from '../files/helpers.js';
import { NO_REDIS, redisServer, startRedis, type Redis } from './redis.js';

if (!redisServer) console.warn(`identity.test.ts: ${NO_REDIS}`);

describe.skipIf(!redisServer)('submitFiles keeps inputs and outputs apart', () => {
  let redis: Redis;
  let temp: ReturnType<typeof tempFolder>;

  beforeAll(async () => {
    redis = await startRedis();
    temp = tempFolder('offloop-queue-identity-');
  }, 60_000);

  afterAll(async () => {
    await redis?.stop();
    temp?.cleanup();
  }, 60_000);

  it('an output that is its input or claimed before fails at once, before it is queued; the first claim is queued', async () => {
    const a = join(temp.dir, 'a.jpg');
    const b = join(temp.dir, 'b.jpg');
    copyFileSync(fixture('jpeg/ycc-444-base-61x37.jpg'), a);
    copyFileSync(fixture('jpeg/gray-base-61x37.jpg'), b);
    mkdirSync(join(temp.dir, 'out'));
    symlinkSync(join(temp.dir, 'out'), join(temp.dir, 'outlink'));
    const out = join(temp.dir, 'out', 'x.jpg');
    const queue = `identity-${process.pid}`;
    const refused: Array<[unknown, string | undefined]> = [];
    // No worker runs here: the one file queued never settles, so stop once the refusals are in.
    for await (const result of submitFiles(
      [
        { input: a, output: a },
        { input: a, output: out },
        { input: b, output: out },
        { input: b, output: join(temp.dir, 'outlink', 'x.jpg') },
      ],
      { connection: redis.url, queue, outDir: temp.dir },
    )) {
      refused.push([result.input, (result.error as { code?: string } | undefined)?.code]);
      if (refused.length === 3) break;
    }
    expect(refused).toEqual([
      [a, 'ERR_OFFLOOP_OUTPUT_IS_INPUT'],
      [b, 'ERR_OFFLOOP_OUTPUT_COLLISION'],
      [b, 'ERR_OFFLOOP_OUTPUT_COLLISION'],
    ]);
    expect(await queueStatus({ connection: redis.url, queue })).toMatchObject({ waiting: 1, failed: 0 });
  }, 60_000);
});
