// The Linux prebuilt binary carries its own image codecs (libjpeg-turbo,
// libpng, zlib, libdeflate, libwebp and libtiff built by
// scripts/build-codecs.sh, linked statically with their symbols hidden): it
// needs none of the system's, and exports none of theirs
// to collide with another addon's copy. Runs when this machine's prebuild
// exists (prebuilds/linux-<arch>/offloop.<glibc|musl>.node: `npm run prebuild`).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { basename, join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { ROOT } from './helpers.js';

const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
const LIBC = header?.glibcVersionRuntime ? 'glibc' : 'musl';
const PREBUILD = join(ROOT, `prebuilds/linux-${process.arch}/offloop.${LIBC}.node`);
const LOCAL_BUILD = join(ROOT, 'build/Release/offloop.node');
const CHILD = join(ROOT, 'test/fixtures/coexist/child.cjs');
// The native file job (binding.grayscaleFileSync) is in the sources: a
// prebuild without it is stale.
const FILE_JOB_IN_SOURCES = existsSync(join(ROOT, 'native/bindings/files.cc'));
// One fixture per decoder path that matters here: colour JPEG (SIMD IDCT and
// upsampling), progressive, arithmetic-coded, Adobe CMYK; PNG with a palette,
// 16-bit Adam7; WebP lossy with alpha and lossless; TIFF through libtiff's
// JPEG, LZW and Deflate; offloop's own GIF and BMP readers.
const FILES = [
  'jpeg/ycc-420-base-61x37.jpg',
  'jpeg/ycc-444-prog-61x37.jpg',
  'jpeg/ycc-420-arith-61x37.jpg',
  'jpeg/cmyk-adobe-61x37.jpg',
  'png/pillow-p-61x37.png',
  'png/rgba16-adam7-29x17.png',
  'webp/lossy-rgba-61x37.webp',
  'webp/lossless-rgb-61x37.webp',
  'tiff/rgb-jpeg-ycbcr-61x37.tif',
  'tiff/rgb-lzw-61x37.tif',
  'tiff/rgb-zip-pred2-strips7-61x37.tif',
  'gif/pillow-p-trns-61x37.gif',
  'bmp/rle8-bottomup-61x37.bmp',
];
// Unmangled names of the codecs' functions (the addon's own C++ names are
// mangled, _Z..., so none of them can match).
const CODEC_SYMBOL =
  /^(jpeg|jinit_|jsimd_|png_|libdeflate_|deflate|inflate|zlibVersion|crc32|adler32|compress|uncompress|gz|WebP|VP8|_?TIFF)/;
// The codecs, and what a system libtiff pulls in (zstd, xz, JBIG, LERC): the
// prebuild's libtiff is built without them.
const CODEC_LIBRARY =
  /^(libjpeg|libpng16|libz|libdeflate|libwebp|libwebpdemux|libwebpmux|libsharpyuv|libtiff|libzstd|liblzma|libjbig|libLerc)\.so/;
// Where a Debian/Ubuntu or Alpine loader finds them.
const LIBRARY_DIRS = [
  '/lib',
  '/usr/lib',
  '/usr/local/lib',
  `/lib/${process.arch === 'x64' ? 'x86_64' : 'aarch64'}-linux-gnu`,
];

const has = (command: string) => spawnSync(command, ['--version'], { stdio: 'ignore' }).status === 0;
const skipReason =
  process.platform !== 'linux' || !['x64', 'arm64'].includes(process.arch)
    ? `Linux x64/arm64 prebuilds only (this is ${process.platform}-${process.arch})`
    : process.env.OFFLOOP_PREBUILD
      ? 'the suite runs against another binary (OFFLOOP_PREBUILD: the ASan or cmake-js pass); the prebuild is checked in the others'
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

// The system's shared codecs, as real files (Debian: /lib is /usr/lib).
function systemCodecLibraries(): string[] {
  const found = LIBRARY_DIRS.filter((dir) => existsSync(dir)).flatMap((dir) =>
    readdirSync(dir)
      .filter((name) => CODEC_LIBRARY.test(name))
      .map((name) => realpathSync(join(dir, name))),
  );
  return [...new Set(found)].sort();
}

// The shared libraries node itself loads (Node bundles its own zlib, but a
// distribution's node may link the system's).
function nodeLibraries(): string[] {
  const ldd = spawnSync('ldd', [process.execPath], { encoding: 'utf8' });
  return [...(ldd.stdout ?? '').matchAll(/=>\s*(\/\S+)/g)].map((match) => realpathSync(match[1]!));
}

// A child `node` in its own mount namespace where each of `paths` has
// /dev/null bind-mounted over it: the loader finds an empty file.
function runHidden(paths: string[], config: object, env: NodeJS.ProcessEnv) {
  const command =
    paths.length === 0
      ? [process.execPath, CHILD, JSON.stringify(config)]
      : [
          'unshare',
          '-rm',
          'sh',
          '-c',
          `${paths.map((path) => `mount --bind /dev/null '${path}'`).join(' && ')} && exec "$0" "$@"`,
          process.execPath,
          CHILD,
          JSON.stringify(config),
        ];
  return spawnSync(command[0]!, command.slice(1), {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 60_000,
  });
}

const unshareWorks =
  !skipReason &&
  spawnSync('unshare', ['-rm', 'sh', '-c', 'mount --bind /dev/null /dev/null'], { stdio: 'ignore' }).status === 0;
const systemCodecs = skipReason ? [] : systemCodecLibraries();
const needed = skipReason ? [] : nodeLibraries();
const toHide = systemCodecs.filter((path) => !needed.includes(path));
const cannotHide = toHide.length > 0 && !unshareWorks;
if (!skipReason) {
  const kept = systemCodecs.filter((path) => needed.includes(path));
  if (kept.length) console.warn(`prebuilt-codecs.test.ts: node itself loads ${kept.join(', ')}: left in place`);
  if (cannotHide)
    console.warn('prebuilt-codecs.test.ts: `unshare -rm` is not permitted here: the hidden-libraries check is skipped');
}

describe.skipIf(Boolean(skipReason))(`the ${basename(PREBUILD)} prebuild and its static codecs`, () => {
  it('needs no system codec library: libjpeg, libpng, libz, libdeflate, libwebp, libtiff (readelf -d)', () => {
    const libraries = [...readelf('-d').matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map(
      (match) => match[1]!,
    );
    expect(libraries.length).toBeGreaterThan(0);
    expect(libraries.filter((name) => CODEC_LIBRARY.test(name))).toEqual([]);
  });

  it('neither exports nor imports a codec symbol (readelf --dyn-syms)', () => {
    const symbols = readelf('--dyn-syms')
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .filter((fields) => fields.length >= 8 && /^\d+:$/.test(fields[0]!))
      .map((fields) => fields[7]!.replace(/@.*/, ''));
    expect(symbols.length).toBeGreaterThan(0);
    expect(symbols.filter((name) => CODEC_SYMBOL.test(name))).toEqual([]);
  });

  it.skipIf(cannotHide)(
    `decodes and encodes with the system's codec libraries out of the loader's reach (${toHide.length ? 'hidden' : 'none installed'})`,
    () => {
      const run = runHidden(
        toHide,
        { load: ['offloop'], files: FILES, encode: true, hidden: toHide },
        { PREBUILDS_ONLY: '1' },
      );
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      const out = JSON.parse(run.stdout);
      // The libraries really are out of reach in there.
      for (const path of toHide) {
        expect(out.hidden[path].size, path).toBe(0);
        expect(out.hidden[path].dlopen, path).not.toBe('loaded');
      }
      expect(out.offloop.binary).toEqual({ path: PREBUILD, source: 'prebuild' });
      expect(out.offloop.codecs).toEqual({
        jpeg: { library: 'libjpeg-turbo', version: '2.1.5', linkage: 'static' },
        png: { library: 'libpng', version: '1.6.39', linkage: 'static' },
        zlib: { library: 'zlib', version: '1.2.13', linkage: 'static' },
        deflate: { library: 'libdeflate', version: '1.14', linkage: 'static' },
        webp: { library: 'libwebp', version: '1.2.4', linkage: 'static' },
        tiff: { library: 'libtiff', version: '4.5.0', linkage: 'static' },
        gif: { library: 'offloop', version: 'pillow-9.4', linkage: 'static' },
        bmp: { library: 'offloop', version: 'pillow-9.4', linkage: 'static' },
      });
      if (!FILE_JOB_IN_SOURCES && !out.offloop.hasFileJob) {
        console.warn(
          'prebuilt-codecs.test.ts: no native file job yet (native/bindings/files.cc): decoding not checked',
        );
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
    existsSync(LOCAL_BUILD) &&
    /NEEDED.*libjpeg/.test(spawnSync('readelf', ['-d', LOCAL_BUILD], { encoding: 'utf8' }).stdout ?? '');
  it.skipIf(!unshareWorks || toHide.length === 0 || !localLinksSystem)(
    '(control) the local build, linked to the system codecs, does not load there',
    () => {
      const run = runHidden(toHide, { load: ['offloop'], files: [] }, { PREBUILDS_ONLY: '' });
      expect(run.status).not.toBe(0);
      expect(run.stderr).toMatch(/lib(jpeg|png16|z|deflate|webp\w*|tiff)\.so/);
    },
  );
});
