// The plain C++ kernels, tested on their own (test/native/kernels_test.cc):
// every SIMD level this CPU has, exhaustive grayscale over all 2^24 colours,
// with the system compiler and, when installed, the other of g++/clang++.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('./native/build-and-run.sh', import.meta.url));
const codecsScript = fileURLToPath(new URL('./native/codecs-build-and-run.sh', import.meta.url));
const hasCodecs = spawnSync('pkg-config', ['--exists', 'libjpeg', 'libpng', 'zlib']).status === 0;
const hasCompiler = spawnSync('c++', ['--version']).status === 0;
// These tests build the kernels themselves, whatever addon binary the suite
// was pointed at: once per CI run is enough, not again for the prebuilt
// (PREBUILDS_ONLY) and cmake-js (OFFLOOP_PREBUILD) passes.
const otherBinaryPass = Boolean(process.env.PREBUILDS_ONLY || process.env.OFFLOOP_PREBUILD);

describe.skipIf(!hasCompiler || otherBinaryPass)('native kernels (C++ unit tests)', () => {
  it('pass at every SIMD level', () => {
    const run = spawnSync('bash', [script], {
      encoding: 'utf8',
      env: { ...process.env, QUICK: '1' },
      timeout: 300_000,
    });
    const summaries = run.stdout.split('\n').filter((line) => /^\d+ passed, \d+ failed$/.test(line));
    // Which check failed, and in which of the script's runs, in CI's log.
    const failures = run.stdout.split('\n').filter((line) => line.startsWith('FAIL') || line.startsWith('=='));
    expect(run.stderr).toBe('');
    expect(summaries.length).toBeGreaterThan(0);
    for (const line of summaries) expect(line, failures.join('\n')).toMatch(/^\d+ passed, 0 failed$/);
    expect(run.status).toBe(0);
  }, 300_000);
});

// native/codecs alone (test/native/codecs_test.cc): every fixture against
// Pillow's goldens through each decode path and band size, every truncation
// of the fixtures, byte flips in a forked child, encoder round trips. The
// sanitized build of the same test runs in `npm run test:asan`.
describe.skipIf(!hasCompiler || !hasCodecs || otherBinaryPass)('native codecs (C++ unit tests)', () => {
  it('pass, optimised build', () => {
    const run = spawnSync('bash', [codecsScript], {
      encoding: 'utf8',
      env: { ...process.env, NO_SANITIZE: '1' },
      timeout: 300_000,
    });
    const summaries = run.stdout.split('\n').filter((line) => /\d+ passed, \d+ failed/.test(line));
    expect(run.stderr).toBe('');
    expect(summaries.length).toBeGreaterThan(0);
    for (const line of summaries) expect(line).toMatch(/\d+ passed, 0 failed/);
    expect(run.status).toBe(0);
  }, 300_000);
});
