// lib/concurrency.ts alone: the one scheduler the batch and the queue's
// producer share. Order, errors, aborts, backpressure and an early end.
import { describe, expect, it } from 'vitest';

import { mapConcurrently } from '../lib/concurrency.js';

/** A promise with its resolve and reject. */
function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A source that counts its pulls and whether return() was called. */
function countedSource(count: number) {
  const state = { pulled: 0, returned: false };
  const iterable: AsyncIterable<number> = {
    [Symbol.asyncIterator]() {
      return {
        async next() {
          if (state.pulled >= count) return { done: true, value: undefined };
          return { done: false, value: state.pulled++ };
        },
        async return() {
          state.returned = true;
          return { done: true, value: undefined };
        },
      };
    },
  };
  return { iterable, state };
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const value of iterable) out.push(value);
  return out;
}

describe('mapConcurrently', () => {
  it('ordered: input order whatever the order items settle in', async () => {
    const delays = [30, 5, 20, 1, 10, 0, 15];
    const out = await collect(
      mapConcurrently(delays, (ms, _signal) => new Promise<number>((r) => setTimeout(() => r(ms), ms)), {
        concurrency: 3,
        ordered: true,
      }),
    );
    expect(out).toEqual(delays);
  });

  it('as completed: a fast item is not held behind a slow one', async () => {
    const slow = deferred<string>();
    const seen: string[] = [];
    const iterator = mapConcurrently(
      ['slow', 'fast'],
      (name) => (name === 'slow' ? slow.promise : Promise.resolve(name)),
      { concurrency: 2 },
    );
    const first = await iterator.next();
    seen.push(first.value as string);
    slow.resolve('slow');
    for await (const value of iterator) seen.push(value);
    expect(seen).toEqual(['fast', 'slow']);
  });

  it('takes sync iterables, async iterables and sync map results', async () => {
    expect(await collect(mapConcurrently(new Set([1, 2, 3]), (n) => n * 2, { concurrency: 2, ordered: true }))).toEqual(
      [2, 4, 6],
    );
    async function* numbers() {
      yield 1;
      yield 2;
    }
    expect(await collect(mapConcurrently(numbers(), async (n) => n + 1, { concurrency: 1 }))).toEqual([2, 3]);
    expect(await collect(mapConcurrently([], (n: number) => n, { concurrency: 4 }))).toEqual([]);
  });

  it('backpressure: never more than `concurrency` in flight or settled and not yet taken', async () => {
    const { iterable, state } = countedSource(100);
    let inFlight = 0;
    let most = 0;
    const gates: Array<{ resolve: () => void }> = [];
    const iterator = mapConcurrently(
      iterable,
      async (n) => {
        inFlight++;
        most = Math.max(most, inFlight);
        if (n < 4) {
          const gate = deferred();
          gates[n] = gate;
          await gate.promise;
        }
        inFlight--;
        return n;
      },
      { concurrency: 4 },
    );
    const first = iterator.next();
    for (let i = 0; i < 10; i++) await tick();
    expect(state.pulled).toBe(4);
    expect(inFlight).toBe(4);
    // All four settle: nothing more is pulled while the consumer does not ask.
    for (const gate of gates.slice(0, 4)) gate!.resolve();
    expect((await first).value).toBe(0);
    for (let i = 0; i < 10; i++) await tick();
    expect(state.pulled).toBe(4);
    // It asks again: one slot is free (three settled results wait), one more item, no more.
    expect((await iterator.next()).value).toBe(1);
    for (let i = 0; i < 10; i++) await tick();
    expect(state.pulled).toBe(5);
    expect(most).toBe(4);
    await iterator.return();
    expect(state.returned).toBe(true);
  });

  it('a rejected item ends it with its error once the others settled; the source closed', async () => {
    const { iterable, state } = countedSource(10);
    const settled: number[] = [];
    const boom = new Error('boom');
    const iterator = mapConcurrently(
      iterable,
      async (n, signal) => {
        if (n === 1) throw boom;
        await new Promise((r) => setTimeout(r, 20));
        settled.push(n);
        expect(signal.aborted).toBe(true);
        return n;
      },
      { concurrency: 3 },
    );
    await expect(collect(iterator)).rejects.toBe(boom);
    expect(settled.sort()).toEqual([0, 2]);
    expect(state.returned).toBe(true);
  });

  it('ordered: an error is thrown at its turn, after the results before it', async () => {
    const out: number[] = [];
    const boom = new Error('third');
    const run = async () => {
      for await (const value of mapConcurrently(
        [0, 1, 2, 3],
        async (n) => {
          if (n === 2) throw boom;
          await new Promise((r) => setTimeout(r, 10 * n));
          return n;
        },
        { concurrency: 4, ordered: true },
      ))
        out.push(value);
    };
    await expect(run()).rejects.toBe(boom);
    expect(out).toEqual([0, 1]);
  });

  it('a failing source ends it with its error once items in flight settled; no return()', async () => {
    const boom = new Error('listing failed');
    let returned = false;
    let finished = 0;
    const source: AsyncIterable<number> = {
      [Symbol.asyncIterator]: () => ({
        calls: 0,
        async next(this: { calls: number }) {
          if (this.calls++ === 2) throw boom;
          return { done: false, value: this.calls };
        },
        async return() {
          returned = true;
          return { done: true, value: undefined };
        },
      }),
    };
    const work = collect(
      mapConcurrently(
        source,
        async (n) => {
          await new Promise((r) => setTimeout(r, 20));
          finished++;
          return n;
        },
        { concurrency: 4 },
      ),
    );
    await expect(work).rejects.toBe(boom);
    expect(finished).toBe(2);
    expect(returned).toBe(false);
  });

  it('abort mid-way: no more pulls, items in flight told and still yielded, then the reason', async () => {
    const controller = new AbortController();
    const { iterable, state } = countedSource(100);
    const told: number[] = [];
    const out: number[] = [];
    const reason = new Error('stop');
    const run = async () => {
      for await (const value of mapConcurrently(
        iterable,
        async (n, signal) => {
          await new Promise((r) => setTimeout(r, 5));
          if (n === 3) controller.abort(reason);
          if (signal.aborted) {
            told.push(n);
            // Rejections after the abort are dropped: the reason is what the consumer sees.
            if (n % 2 === 0) throw new Error('aborted');
          }
          return n;
        },
        { concurrency: 3, ordered: true, signal: controller.signal },
      ))
        out.push(value);
    };
    await expect(run()).rejects.toBe(reason);
    expect(state.pulled).toBeLessThanOrEqual(6);
    expect(state.returned).toBe(true);
    expect(told.length).toBeGreaterThan(0);
    // Results before the abort, in order; an aborted item's odd result still comes.
    expect(out.slice(0, 3)).toEqual([0, 1, 2]);
    for (const n of out.slice(3)) expect(n % 2).toBe(1);
  });

  it('an aborted signal throws its reason at the first next() without touching the source', async () => {
    const controller = new AbortController();
    controller.abort(new Error('before'));
    const { iterable, state } = countedSource(3);
    await expect(
      collect(mapConcurrently(iterable, (n) => n, { concurrency: 2, signal: controller.signal })),
    ).rejects.toThrow('before');
    expect(state.pulled).toBe(0);
  });

  it('an abort ends the wait for a slow source at once; its return() follows the pending pull', async () => {
    const controller = new AbortController();
    const pull = deferred<IteratorResult<number>>();
    let returned = false;
    const source: AsyncIterable<number> = {
      [Symbol.asyncIterator]: () => ({
        next: () => pull.promise,
        async return() {
          returned = true;
          return { done: true, value: undefined };
        },
      }),
    };
    const pending = collect(mapConcurrently(source, (n) => n, { concurrency: 2, signal: controller.signal }));
    await tick();
    controller.abort(new Error('gone'));
    await expect(pending).rejects.toThrow('gone');
    expect(returned).toBe(false);
    pull.resolve({ done: false, value: 1 });
    await tick();
    expect(returned).toBe(true);
  });

  it("the consumer's break releases everything: in-flight items told and awaited, the source closed", async () => {
    const { iterable, state } = countedSource(1000);
    let running = 0;
    let abortedSeen = 0;
    for await (const value of mapConcurrently(
      iterable,
      async (n, signal) => {
        running++;
        await new Promise((r) => setTimeout(r, n === 0 ? 0 : 30));
        if (signal.aborted) abortedSeen++;
        running--;
        return n;
      },
      { concurrency: 5 },
    )) {
      expect(value).toBe(0);
      break;
    }
    // The loop's return() waited for the items in flight.
    expect(running).toBe(0);
    expect(abortedSeen).toBe(4);
    expect(state.pulled).toBe(5);
    expect(state.returned).toBe(true);
  });

  it("map is called in the source's order, synchronously as each item arrives", async () => {
    const started: number[] = [];
    await collect(
      mapConcurrently(
        [0, 1, 2, 3, 4, 5],
        async (n) => {
          started.push(n);
          await new Promise((r) => setTimeout(r, 6 - n));
          return n;
        },
        { concurrency: 3 },
      ),
    );
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('a bad concurrency is a RangeError or TypeError with its code', async () => {
    for (const concurrency of [0, 1.5, -1, NaN, 1025]) {
      await expect(collect(mapConcurrently([1], (n) => n, { concurrency }))).rejects.toMatchObject({
        code: 'ERR_OUT_OF_RANGE',
      });
    }
    await expect(
      collect(mapConcurrently([1], (n) => n, { concurrency: '2' as unknown as number })),
    ).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
  });
});
