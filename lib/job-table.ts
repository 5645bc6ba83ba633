// The JS half of the env's job table (native/napi/job_table.h): native pool
// jobs as promises. The native side settles a job by calling one dispatcher
// per env with (id, status, value, total); this module keeps what each
// promise needs until then: its resolve/reject, the AbortSignal listener and
// the progress callback.
import type { NativeBinding } from './binding.js';
import { addAbortListener, isAborted, reasonOf, removeAbortListener } from './intrinsics.js';
import type { Control } from './options.js';

/**
 * The `status` of dispatch(id, status, value, total): JobStatus in
 * native/napi/job_table.h (test/constants.test.ts checks this copy against
 * the binding's constants()).
 */
export const JOB_STATUS = { resolved: 0, overflow: 1, cancelled: 2, progress: 3, failed: 4 } as const;

export interface JobSpec<T> {
  control: Control;
  /** Submits the native job and returns its id; may throw (nothing is then registered). */
  submit(wantsProgress: boolean): number;
  /** The promise's value from the value the job resolved with. */
  result(value: unknown): T;
  /** The error for an element (or a sum, index -1) that does not fit its type. */
  overflow(index: number): Error;
  /** The error for a native failure ({ code, message }). */
  failure(value: unknown): Error;
  /**
   * True when the job's effect cannot be taken back (a file was written and
   * renamed into place): the promise then resolves with the result even if
   * the signal aborted after the job was past its last cancellation point.
   */
  committed?(value: unknown): boolean;
}

interface PendingJob {
  id: number;
  binding: NativeBinding;
  spec: JobSpec<unknown>;
  resolve(value: unknown): void;
  reject(reason: unknown): void;
  abortListener: (() => void) | undefined;
  lastProgress: number;
  /** What onProgress threw, if it did: the promise rejects with it. */
  callbackError: { value: unknown } | undefined;
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

/**
 * Calls onProgress; if it throws, remembers the error and, while the job
 * still runs, cancels it: the promise rejects with that error once no pool
 * thread touches the job's buffers any more.
 */
function reportProgress(job: PendingJob, done: number, total: number, running: boolean): void {
  const { onProgress, signal } = job.spec.control;
  if (onProgress === undefined || done <= job.lastProgress || job.callbackError !== undefined) return;
  // Reports already queued when the caller aborted are dropped.
  if (isAborted(signal)) return;
  job.lastProgress = done;
  try {
    onProgress(done, total);
  } catch (error) {
    job.callbackError = { value: error };
    if (running) job.binding.cancel(job.id);
  }
}

// Called by the native side, possibly for many jobs in a row: nothing here
// may throw, so that one job's callback never keeps another from settling.
function dispatch(table: JobTable, id: number, status: number, value: unknown, total: number): void {
  const job = table.pending.get(id);
  if (job === undefined) return;
  if (status === JOB_STATUS.progress) {
    // The last report (total, total) comes with the result, never before it.
    if ((value as number) < total) reportProgress(job, value as number, total, true);
    return;
  }
  table.pending.delete(id);
  const { signal } = job.spec.control;
  if (job.abortListener !== undefined) removeAbortListener(signal!, job.abortListener);
  if (status === JOB_STATUS.resolved && !isAborted(signal)) reportProgress(job, total, total, false);

  if (job.callbackError !== undefined) {
    job.reject(job.callbackError.value);
  } else if (isAborted(signal) && !(status === JOB_STATUS.resolved && job.spec.committed?.(value) === true)) {
    // Also when the job completed before the cancellation reached it: the
    // caller aborted before the call settled.
    job.reject(reasonOf(signal!));
  } else if (status === JOB_STATUS.resolved) {
    try {
      job.resolve(job.spec.result(value));
    } catch (error) {
      job.reject(error);
    }
  } else if (status === JOB_STATUS.overflow) {
    job.reject(job.spec.overflow(value as number));
  } else if (status === JOB_STATUS.failed) {
    job.reject(job.spec.failure(value));
  } else {
    // Cancelled by the native side itself (its env is going away).
    job.reject(new DOMException('The operation was aborted', 'AbortError'));
  }
}

/**
 * Runs a native job on the pool; the promise settles when the native side
 * reports the job done, after which no pool thread touches its buffers.
 * Throws synchronously when the submit does.
 */
export function runOnPool<T>(binding: NativeBinding, spec: JobSpec<T>): Promise<T> {
  const table = tableOf(binding);
  const { signal, onProgress } = spec.control;
  const id = spec.submit(onProgress !== undefined);
  return new Promise<T>((resolve, reject) => {
    const job: PendingJob = {
      id,
      binding,
      spec,
      resolve: resolve as (value: unknown) => void,
      reject,
      abortListener: undefined,
      lastProgress: -1,
      callbackError: undefined,
    };
    table.pending.set(id, job);
    if (signal !== undefined) {
      const cancel = (): void => void binding.cancel(id);
      job.abortListener = cancel;
      addAbortListener(signal, cancel);
      // A listener added to an aborted signal never runs.
      if (isAborted(signal)) cancel();
    }
  });
}
