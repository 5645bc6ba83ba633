import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

import { describe, expect, it } from 'vitest';

import { ROOT, runFixture } from './helpers.js';

describe('the loader', () => {
  it('names the platform and the fix when no binary fits', () => {
    // node-gyp-build looks for binaries under OFFLOOP_PREBUILD: an empty folder has none.
    const empty = mkdtempSync(join(tmpdir(), 'offloop-no-binary-'));
    const run = spawnSync(process.execPath, ['-e', "require('offloop')"], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, OFFLOOP_PREBUILD: empty, PREBUILDS_ONLY: '' },
    });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('ERR_OFFLOOP_NO_BINARY');
    expect(run.stderr).toContain(`${process.platform}-${process.arch}`);
    if (process.platform === 'linux') expect(run.stderr).toMatch(/glibc|musl/);
    expect(run.stderr).toContain('npm rebuild offloop --build-from-source');
  });
});

describe('callbacks', () => {
  it('a throwing onProgress is reported as uncaught and leaves every job settled', () => {
    const run = runFixture('throwing-progress.mjs');
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      gray: 200,
      small: [1, 4, 9],
      uncaught: ['progress callback failed at 3', `progress callback failed at ${3840 * 2160}`],
    });
  });
});
