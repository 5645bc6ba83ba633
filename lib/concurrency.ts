/**
 * The one bounded-concurrency scheduler of offloop's layers above the core
 * (the local batch, the queue's producer): items pulled lazily from a source,
 * each handed to an async function, at most `concurrency` of them in flight
 * or settled and not yet taken by the consumer, results yielded as they
 * settle or in input order.
 */
import { isAborted, reasonOf } from './intrinsics.js';
import { checkConcurrency } from './options.js';

export interface MapConcurrentlyOptions {
  /**
   * Items in flight plus items settled and not yet yielded, at most: the
   * source is not pulled beyond it, so a consumer that stops asking stops
   * the work after at most this many items.
   */
  concurrency: number;
  /** Yield results in the source's order (default: as they settle). */
  ordered?: boolean;
  /**
   * Stops pulling the source. The items in flight are told through the
   * signal their function received; the results they still settle with are
   * yielded (their rejections dropped), then the iterator throws the reason.
   */
  signal?: AbortSignal;
}

type Settled<R> = { value: R } | { error: unknown };

interface Slot<R> {
  promise: Promise<void>;
  settled?: Settled<R>;
}

/**
 * `map(item, signal)` for each item of `source`, at most
 * `options.concurrency` at a time. `map` is called in the source's order,
 * synchronously as each item arrives (so what it does before its first
 * await follows that order); `signal` aborts when the iterator stops early
 * (the consumer's `break`, an error, an abort). A rejected `map` or a failing
 * source ends the iteration with that error once the items in flight have
 * settled. However the iteration ends, it ends only once no `map` is still
 * running, and the source's return() is called if it was not done (after a
 * pull still pending, without waiting for it: a slow source does not hold the
 * end).
 */
export async function* mapConcurrently<T, R>(
  source: Iterable<T> | AsyncIterable<T>,
  map: (item: T, signal: AbortSignal) => R | PromiseLike<R>,
  options: MapConcurrentlyOptions,
): AsyncGenerator<R, void, undefined> {
  const limit = checkConcurrency(options.concurrency, 'options.concurrency');
  const { ordered = false, signal } = options;
  if (isAborted(signal)) throw reasonOf(signal!);
  const iterator: Iterator<T> | AsyncIterator<T> =
    Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : (source as Iterable<T>)[Symbol.iterator]();
  const stop = new AbortController();
  const onAbort = () => stop.abort(reasonOf(signal!));
  signal?.addEventListener('abort', onAbort, { once: true });
  const stopped = new Promise<void>((resolve) =>
    stop.signal.addEventListener('abort', () => resolve(), { once: true }),
  );
  // In flight or settled and not yet yielded, in the source's order.
  const slots: Array<Slot<R>> = [];
  // The source's pending next(), raced with the items in flight: a slow
  // source neither delays results nor an abort.
  let pulling: Promise<void> | undefined;
  let pulled: Settled<IteratorResult<T>> | undefined;
  // The source ended (done, or threw): its return() is not called then.
  let sourceEnded = false;
  const pull = () => {
    let next: Promise<IteratorResult<T>>;
    try {
      next = Promise.resolve(iterator.next());
    } catch (error) {
      next = Promise.reject(error);
    }
    pulling = next.then(
      (value) => {
        pulled = { value };
      },
      (error: unknown) => {
        pulled = { error };
      },
    );
  };
  const start = (item: T) => {
    const slot: Slot<R> = { promise: undefined! };
    let result: Promise<R>;
    try {
      result = Promise.resolve(map(item, stop.signal));
    } catch (error) {
      result = Promise.reject(error);
    }
    slot.promise = result.then(
      (value) => {
        slot.settled = { value };
      },
      (error: unknown) => {
        slot.settled = { error };
      },
    );
    slots.push(slot);
  };
  try {
    for (;;) {
      const aborted = stop.signal.aborted;
      if (pulled !== undefined) {
        const settled = pulled;
        pulled = undefined;
        pulling = undefined;
        if ('error' in settled) {
          sourceEnded = true;
          throw settled.error;
        }
        if (settled.value.done) sourceEnded = true;
        else if (!aborted) start(settled.value.value);
      }
      if (!aborted && !sourceEnded && pulling === undefined && slots.length < limit) pull();
      const index = ordered ? (slots[0]?.settled !== undefined ? 0 : -1) : slots.findIndex((slot) => slot.settled);
      if (index >= 0) {
        const settled = slots.splice(index, 1)[0]!.settled!;
        if ('value' in settled) yield settled.value;
        else if (!aborted) throw settled.error;
        continue;
      }
      if (slots.length === 0 && (aborted || sourceEnded)) break;
      // Ordered: only the head; later items settled already would spin the loop.
      const waits: Array<Promise<unknown>> = (ordered ? slots.slice(0, 1) : slots).map((slot) => slot.promise);
      if (!aborted && pulling !== undefined) waits.push(pulling, stopped);
      await Promise.race(waits);
    }
    if (stop.signal.aborted) throw stop.signal.reason;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (!stop.signal.aborted) stop.abort();
    await Promise.all(slots.map((slot) => slot.promise));
    if (!sourceEnded) {
      if (pulling === undefined) await iterator.return?.();
      else void pulling.then(() => (pulled !== undefined && 'error' in pulled) || iterator.return?.()).catch(() => {});
    }
  }
}

/**
 * A generator whose first next() rejects with `error`: how an async
 * iterator API reports bad options, since its caller only awaits later.
 */
// biome-ignore lint/correctness/useYield: it exists to fail before yielding anything
export async function* failingGenerator<T>(error: unknown): AsyncGenerator<T, void, undefined> {
  throw error;
}
