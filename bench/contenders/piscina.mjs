// The worker_threads contender: a piscina pool of exactly `threads` workers
// per thread count, kept for the whole run. The main thread cuts the work into
// one contiguous slice per worker; inputs and outputs live in
// SharedArrayBuffers, so only slice descriptions cross threads.
import { Piscina } from 'piscina';

const workerFile = new URL('../piscina-worker.mjs', import.meta.url).href;

export class PiscinaPools {
  #pools = new Map();

  get(threads) {
    let pool = this.#pools.get(threads);
    if (pool === undefined) {
      pool = new Piscina({
        filename: workerFile,
        minThreads: threads,
        maxThreads: threads,
        // Workers stay up for the whole run: no respawn inside a timing.
        idleTimeout: 60 * 60 * 1000,
        // One task at a time per worker: a slice is a whole CPU's work.
        concurrentTasksPerWorker: 1,
      });
      this.#pools.set(threads, pool);
    }
    return pool;
  }

  async destroy() {
    await Promise.all([...this.#pools.values()].map((pool) => pool.destroy()));
    this.#pools.clear();
  }
}

/** `count` items cut into `parts` contiguous slices; boundaries are multiples of `align`. */
export function slices(count, parts, align = 1) {
  const per = Math.ceil(count / parts / align) * align;
  const result = [];
  for (let start = 0; start < count; start += per) result.push({ start, count: Math.min(per, count - start) });
  return result;
}

/**
 * A piscina contender: `run` resolves once every slice task has, then
 * returns `finish(results)`. With `freshBuffers` (tasks carry newly
 * allocated SharedArrayBuffers), `after()` has every worker collect its heap
 * between calls, outside the timings (see piscina-worker.mjs).
 */
export function piscinaContender(pools, threads, makeTasks, finish, { freshBuffers = false } = {}) {
  const pool = pools.get(threads);
  return {
    id: `piscina@${threads}`,
    family: 'piscina',
    threads,
    async run() {
      const { tasks, result } = makeTasks();
      const values = await Promise.all(tasks.map((task) => pool.run(task)));
      return finish ? finish(values, result) : result;
    },
    // `threads` tasks at once on `threads` idle workers: one each.
    after: freshBuffers
      ? () => Promise.all(Array.from({ length: threads }, () => pool.run({ op: 'collect' })))
      : undefined,
  };
}

/** A Float64Array over a new SharedArrayBuffer. */
export function sharedFloat64(length) {
  return new Float64Array(new SharedArrayBuffer(length * 8));
}

export function sharedBytes(length) {
  return new Uint8Array(new SharedArrayBuffer(length));
}
