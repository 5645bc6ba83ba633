// Turns native jobs into promises. The native side settles a job by calling
// one dispatcher per env with (id, status, value, total); this module keeps
// what each promise needs until then: its resolve/reject, the AbortSignal
// listener and the progress callback.
import type { NativeBinding } from './binding.js';
import type { AsyncControl } from './validate.js';

// Mirrors JobStatus in native/env_context.h.
const enum Status {
  Resolved = 0,
  Overflow = 1,
  Cancelled = 2,
  Progress = 3,
}

interface PendingJob {
  resolve(value: unknown): void;
  reject(reason: unknown): void;
  control: AsyncControl;
  onAbort: (() => void) | undefined;
  lastProgress: number;
  /** Turns the native result into the promise's value. */
  finish(value: unknown): unknown;
  /** Builds the error for an element (or a sum) that does not fit its type. */
  overflow(index: number): Error;
}

interface JobTable {
  pending: Map<number, PendingJob>;
}

// Kept on the binding object, which Node caches per env, so that two copies
// of this module in one env (an ESM and a CJS load, a test runner's
// re-import) share the one dispatcher the native side accepts.
const kJobTable = Symbol.for('offloop.jobTable');

function tableOf(binding: NativeBinding): JobTable {
  const holder = binding as NativeBinding & { [kJobTable]?: JobTable };
  let table = holder[kJobTable];
  if (table === undefined) {
    const created: JobTable = { pending: new Map() };
    binding.init((id, status, value, total) => dispatch(created, id, status, value, total));
    holder[kJobTable] = table = created;
  }
  return table;
}

function reportProgress(job: Pick<PendingJob, 'control' | 'lastProgress'>, done: number, total: number): void {
  if (job.control.onProgress === undefined || done <= job.lastProgress) return;
  job.lastProgress = done;
  try {
    job.control.onProgress(done, total);
  } catch (error) {
    // A throwing callback is the caller's bug: surface it like any callback
    // error, without leaving the job's promise or other jobs unsettled.
    process.nextTick(() => {
      throw error;
    });
  }
}

function dispatch(table: JobTable, id: number, status: number, value: unknown, total: number): void {
  const job = table.pending.get(id);
  if (job === undefined) return;
  if (status === Status.Progress) {
    // The last report (total, total) comes with the result, never before it.
    if ((value as number) < total) reportProgress(job, value as number, total);
    return;
  }
  table.pending.delete(id);
  if (job.onAbort !== undefined) job.control.signal?.removeEventListener('abort', job.onAbort);
  if (status === Status.Cancelled) {
    job.reject(job.control.signal?.reason ?? abortError());
  } else if (status === Status.Overflow) {
    job.reject(job.overflow(value as number));
  } else {
    reportProgress(job, total, total);
    job.resolve(job.finish(value));
  }
}

function abortError(): Error {
  return new DOMException('The operation was aborted', 'AbortError');
}

export interface JobSpec<T> {
  /** Submits the native job; returns its id. */
  submit(wantsProgress: boolean): number;
  control: AsyncControl;
  finish(value: unknown): T;
  overflow?(index: number): Error;
}

/** Runs a native job on the pool; the promise settles when it does. */
export function runOnPool<T>(binding: NativeBinding, spec: JobSpec<T>): Promise<T> {
  const table = tableOf(binding);
  const { control } = spec;
  const id = spec.submit(control.onProgress !== undefined);
  return new Promise<T>((resolve, reject) => {
    const job: PendingJob = {
      resolve: resolve as (value: unknown) => void,
      reject,
      control,
      onAbort: undefined,
      lastProgress: -1,
      finish: spec.finish,
      overflow: spec.overflow ?? ((index) => new RangeError(`offloop: result overflow at ${index}`)),
    };
    if (control.signal !== undefined) {
      job.onAbort = () => binding.cancel(id);
      control.signal.addEventListener('abort', job.onAbort, { once: true });
    }
    table.pending.set(id, job);
  });
}

/** The promise of a result computed inline (too small for a thread hop). */
export function settledInline<T>(value: T, total: number, control: AsyncControl): Promise<T> {
  if (control.onProgress === undefined) return Promise.resolve(value);
  return Promise.resolve().then(() => {
    reportProgress({ control, lastProgress: -1 }, total, total);
    return value;
  });
}
