// offloop and sharp in one process, loaded in either order. Each brings a
// libjpeg of its own (offloop: libjpeg-turbo 2.1.5, the system's in a source
// build, static in the prebuilt binary; sharp: mozjpeg inside libvips), and
// neither may bind the other's symbols: each must still give its own answer.
// offloop's answer is Pillow's (the goldens in test/fixtures/images); sharp's
// is what sharp gives in a process without offloop. Child processes, so that
// every case starts with nothing loaded.
import { spawnSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

import { describe, expect, it } from 'vitest';

import { ROOT } from './helpers.js';

const CHILD = join(ROOT, 'test/fixtures/coexist/child.cjs');
const FILES = [
  'jpeg/ycc-444-base-61x37.jpg',
  'jpeg/ycc-422-prog-61x37.jpg',
  'jpeg/ycc-420-base-64x48.jpg',
  'jpeg/ycc-420-rst1row-61x37.jpg',
  'jpeg/gray-base-61x37.jpg',
  'jpeg/cmyk-adobe-61x37.jpg',
  'png/rgb8-adam7-61x37.png',
];

// The local build and the prebuilt binary, each picked through node-gyp-build
// (PREBUILDS_ONLY=1 takes the prebuilt one). When the suite runs against
// another binary (the ASan or cmake-js build: OFFLOOP_PREBUILD and
// OFFLOOP_EXPECT_BINARY), that one only, as the children inherit those.
const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
const libc = process.platform !== 'linux' ? '' : header?.glibcVersionRuntime ? 'glibc.' : 'musl.';
const underTest = process.env.OFFLOOP_PREBUILD && process.env.OFFLOOP_EXPECT_BINARY;
const BINARIES = (
  underTest
    ? [{ name: 'binary under test', env: {}, path: resolve(ROOT, underTest) }]
    : [
        {
          name: 'local build',
          env: { PREBUILDS_ONLY: '', OFFLOOP_PREBUILD: '' },
          path: join(ROOT, 'build/Release/offloop.node'),
        },
        {
          name: 'prebuilt binary',
          env: { PREBUILDS_ONLY: '1', OFFLOOP_PREBUILD: '' },
          path: join(ROOT, `prebuilds/${process.platform}-${process.arch}/offloop.${libc}node`),
        },
      ]
).filter((binary) => existsSync(binary.path));

function sharpLoads(): string {
  try {
    createRequire(import.meta.url)('sharp');
    return '';
  } catch (error) {
    return (error as Error).message.split('\n')[0]!;
  }
}
const sharpProblem = sharpLoads();
const skipReason = sharpProblem
  ? `sharp does not load here (${sharpProblem})`
  : BINARIES.length === 0
    ? 'no offloop binary (build/Release or prebuilds/)'
    : '';
if (skipReason) console.warn(`coexist.test.ts skipped: ${skipReason}`);
else if (BINARIES.length === 1)
  console.warn(`coexist.test.ts: only the ${BINARIES[0]!.name} exists; the other is not checked`);

function child(config: object, env: NodeJS.ProcessEnv = {}) {
  const run = spawnSync(process.execPath, [CHILD, JSON.stringify(config)], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 60_000,
  });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return JSON.parse(run.stdout);
}

describe.skipIf(Boolean(skipReason))('offloop and sharp in one process', () => {
  // sharp alone: the answers it must still give next to offloop.
  let baseline: Record<string, unknown> | undefined;
  const sharpAlone = () => (baseline ??= child({ load: ['sharp'], files: FILES }).sharp);

  for (const binary of BINARIES) {
    for (const order of [
      ['sharp', 'offloop'],
      ['offloop', 'sharp'],
    ]) {
      it(`${binary.name}, ${order.join(' then ')}: each decodes as it does alone`, () => {
        const out = child({ load: order, files: FILES }, binary.env);
        expect(out.loaded).toEqual(order);
        expect(realpathSync(out.offloop.binary.path)).toBe(realpathSync(binary.path));
        expect(out.offloop.hasFileJob, 'this offloop binary has no grayscaleFileSync (stale?)').toBe(true);
        for (const file of FILES) expect(out.offloop.decode[file], `offloop ${file}`).toMatchObject({ golden: true });
        expect(out.sharp).toEqual(sharpAlone());
        // sharp really decoded them (a failure on both sides would compare equal).
        for (const file of FILES) expect(out.sharp[file], `sharp ${file}`).toMatchObject({ channels: 1 });
      });
    }
  }
});
