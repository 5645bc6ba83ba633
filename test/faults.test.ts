// Native failures that cannot be provoked from outside (a thread the OS
// refuses, an allocation that fails, a refused wake-up) are injected through
// the binding's test hook, each scenario in its own process: a failure must
// reject that call with a stable code, leave the pool working, and leave
// nothing behind that keeps the process alive.
import { describe, expect, it } from 'vitest';

import { runFixture } from './helpers.js';

function scenario(name: string) {
  const run = runFixture('faults.mjs', [name], [], 30_000);
  expect(run.error).toBeUndefined(); // not killed by the timeout: it exited by itself
  expect(run.signal).toBeNull();
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return JSON.parse(run.stdout);
}

describe('injected native failures', () => {
  it('no pool thread can start: async and sync calls fail with ERR_OFFLOOP_THREAD_START, then work', () => {
    const result = scenario('threadStart');
    expect(result.asyncError).toMatchObject({ code: 'ERR_OFFLOOP_THREAD_START', name: 'Error' });
    expect(result.syncError).toMatchObject({ code: 'ERR_OFFLOOP_THREAD_START', name: 'Error' });
    expect(result.liveThreadsWhileRefused).toBe(0);
    expect(result.sumAfter).toBe(true);
  });

  it('growing the pool is refused: setConcurrency throws, the pool keeps what runs', () => {
    const result = scenario('growRefused');
    expect(result.error).toMatchObject({ code: 'ERR_OFFLOOP_THREAD_START' });
    expect(result.keptSize).toBe(true);
    expect(result.works).toBe(true);
  });

  it('a chunk runs out of memory: that call fails with ERR_OFFLOOP_OUT_OF_MEMORY at the caller, others are unharmed', () => {
    const result = scenario('chunk');
    expect(result.error).toMatchObject({ code: 'ERR_OFFLOOP_OUT_OF_MEMORY', name: 'Error' });
    expect(result.error.stack).toContain('faults.mjs'); // the user's call is the top frame
    expect(result.besideOk).toBe(true);
    expect(result.failedCounted).toBe(1);
    expect(result.syncError).toMatchObject({ code: 'ERR_OFFLOOP_OUT_OF_MEMORY' });
    expect(result.syncFailedCounted).toBe(1);
    expect(result.idle).toBe(true);
  });

  it('registering a job runs out of memory: the call rejects and nothing keeps the process alive', () => {
    const result = scenario('submit');
    expect(result.error).toMatchObject({ code: 'ERR_OFFLOOP_OUT_OF_MEMORY' });
    expect(result.works).toBe(true);
  });

  it('refused wake-ups are retried: every result still arrives', () => {
    expect(scenario('wake')).toEqual({ first: true, both: true });
  });
});
