// The linux-x64 prebuilt binary carries its own image codecs (libjpeg-turbo,
// libpng, zlib built by scripts/build-codecs.sh, linked statically with their
// symbols hidden): it needs none of the system's, and exports none of theirs
// to collide with another addon's copy. Runs when
// prebuilds/linux-x64/offloop.glibc.node exists (`npm run prebuild`).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { ROOT } from './helpers.js';

const PREBUILD = join(ROOT, 'prebuilds/linux-x64/offloop.glibc.node');
const LOCAL_BUILD = join(ROOT, 'build/Release/offloop.node');
const CHILD = join(ROOT, 'test/fixtures/coexist/child.cjs');
// The native file job (binding.grayscaleFileSync) is in the sources: a
// prebuild without it is stale.
const FILE_JOB_IN_SOURCES = existsSync(join(ROOT, 'native/bindings/files.cc'));
// One fixture per decoder path that matters here: colour JPEG (SIMD IDCT and
// upsampling), arithmetic-coded JPEG, progressive, PNG with a palette, 16-bit PNG.
const FILES = [
  'jpeg/ycc-420-base-61x37.jpg',
  'jpeg/ycc-444-prog-61x37.jpg',
  'jpeg/ycc-420-arith-61x37.jpg',
  'png/pillow-p-61x37.png',
  'png/rgba16-adam7-29x17.png',
];
const CODEC_SYMBOL = /^(jpeg|jinit_|jsimd_|png_|deflate|inflate|zlibVersion|crc32|adler32|compress|uncompress|gz)/;

const has = (command: string) => spawnSync(command, ['--version'], { stdio: 'ignore' }).status === 0;
const skipReason =
  process.platform !== 'linux' || process.arch !== 'x64'
    ? `the linux-x64 prebuild is checked on linux-x64 only (this is ${process.platform}-${process.arch})`
    : !existsSync(PREBUILD)
      ? `no ${PREBUILD} (make it with \`npm run prebuild\`)`
      : !has('readelf')
        ? 'readelf not found (binutils)'
        : '';
if (skipReason) console.warn(`prebuilt-codecs.test.ts skipped: ${skipReason}`);

function readelf(...args: string[]): string {
  const run = spawnSync('readelf', ['-W', ...args, PREBUILD], { encoding: 'utf8' });
  expect(run.status, run.stderr).toBe(0);
  return run.stdout;
}

// The system's shared codecs, resolved to real files (Debian: /lib is /usr/lib).
function systemCodecLibraries(): string[] {
  const dir = '/lib/x86_64-linux-gnu';
  const names = existsSync(dir) ? readdirSync(dir).filter((name) => /^(libjpeg|libpng16|libz)\.so/.test(name)) : [];
  return [...new Set(names.map((name) => realpathSync(join(dir, name))))].sort();
}

// A child `node` in its own mount namespace where each of `paths` is
// /dev/null bind-mounted over: the loader finds an empty file. Returns
// undefined when this machine does not allow the namespace.
function runHidden(paths: string[], config: object, env: NodeJS.ProcessEnv) {
  const mounts = paths.map((path) => `mount --bind /dev/null '${path}'`).join(' && ');
  const script = `${mounts} && exec "$0" "$@"`;
  const args = ['-rm', 'sh', '-c', script, process.execPath, CHILD, JSON.stringify(config)];
  return spawnSync('unshare', args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });
}

const unshareWorks =
  !skipReason && spawnSync('unshare', ['-rm', 'sh', '-c', 'mount --bind /dev/null /dev/null'], { stdio: 'ignore' }).status === 0;

describe.skipIf(Boolean(skipReason))('the linux-x64 prebuilt binary and its static codecs', () => {
  it('needs no libjpeg, libpng or libz (readelf -d)', () => {
    const needed = [...readelf('-d').matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((match) => match[1]);
    expect(needed.length).toBeGreaterThan(0);
    expect(needed.filter((name) => /jpeg|png|libz\b/.test(name!))).toEqual([]);
  });

  it('neither exports nor imports a codec symbol (readelf --dyn-syms)', () => {
    const symbols = readelf('--dyn-syms')
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .filter((fields) => fields.length >= 8 && /^\d+:$/.test(fields[0]!))
      .map((fields) => ({ name: fields[7]!.replace(/@.*/, ''), section: fields[6]! }));
    expect(symbols.length).toBeGreaterThan(0);
    // The addon's own C++ names are mangled (_Z...), so none of them can match.
    expect(symbols.filter((symbol) => CODEC_SYMBOL.test(symbol.name))).toEqual([]);
  });

  it.skipIf(!unshareWorks)(
    'decodes and encodes with the system libjpeg, libpng and libz hidden from the loader',
    () => {
      // node itself must not need one of them (Node bundles its own zlib).
      const ldd = spawnSync('ldd', [process.execPath], { encoding: 'utf8' });
      expect(ldd.stdout).not.toMatch(/libjpeg|libpng|libz\.so/);
      const hidden = systemCodecLibraries();
      expect(hidden.length, 'no system libjpeg/libpng/libz to hide: the test would prove nothing').toBeGreaterThan(0);

      const run = runHidden(hidden, { load: ['offloop'], files: FILES, encode: true, hidden }, { PREBUILDS_ONLY: '1' });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      const out = JSON.parse(run.stdout);
      // The libraries really are out of reach in there.
      for (const path of hidden) {
        expect(out.hidden[path].size).toBe(0);
        expect(out.hidden[path].dlopen).not.toBe('loaded');
      }
      expect(out.offloop.binary).toEqual({ path: PREBUILD, source: 'prebuild' });
      expect(out.offloop.codecs).toEqual({
        jpeg: { library: 'libjpeg-turbo', version: '2.1.5', linkage: 'static' },
        png: { library: 'libpng', version: '1.6.39', linkage: 'static' },
        zlib: { library: 'zlib', version: '1.2.13', linkage: 'static' },
      });
      if (!FILE_JOB_IN_SOURCES && !out.offloop.hasFileJob) {
        console.warn('prebuilt-codecs.test.ts: no native file job yet (native/bindings/files.cc): decoding not checked');
        return;
      }
      expect(out.offloop.hasFileJob, 'the prebuild lacks grayscaleFileSync: it is stale (npm run prebuild)').toBe(true);
      for (const file of FILES) expect(out.offloop.decode[file], file).toMatchObject({ golden: true });
      expect(Object.keys(out.offloop.encode).length).toBe(FILES.length + 2);
      for (const [check, ok] of Object.entries(out.offloop.encode)) expect(ok, check).toBe(true);
    },
  );

  // The control: the same namespace stops a binary that does link the
  // system's codecs, so the test above would catch a prebuild that did.
  const localLinksSystem =
    existsSync(LOCAL_BUILD) && /NEEDED.*libjpeg/.test(spawnSync('readelf', ['-d', LOCAL_BUILD], { encoding: 'utf8' }).stdout ?? '');
  it.skipIf(!unshareWorks || !localLinksSystem)('(control) the local build, linked to the system codecs, does not load there', () => {
    const run = runHidden(systemCodecLibraries(), { load: ['offloop'], files: [] }, { PREBUILDS_ONLY: '' });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/lib(jpeg|png16|z)\.so/);
  });
});

if (!skipReason && !unshareWorks) console.warn('prebuilt-codecs.test.ts: `unshare -rm` is not permitted here: the hidden-libraries check is skipped');
