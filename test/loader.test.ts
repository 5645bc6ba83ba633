import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { spawnSync } from 'node:child_process';

import { describe, expect, it } from 'vitest';

import { chooseLinuxBinary } from '../lib/binding.js';
import { features } from '../lib/index.js';
import { libcFromMaps, libcFromReport, processLibc } from '../lib/libc.js';
import { ROOT, runFixture } from './helpers.js';

// node-gyp-build looks for binaries under OFFLOOP_PREBUILD: an empty folder has none.
function withoutBinary(args: string[]) {
  const empty = mkdtempSync(join(tmpdir(), 'offloop-no-binary-'));
  try {
    return spawnSync(process.execPath, args, {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...process.env, OFFLOOP_PREBUILD: empty, PREBUILDS_ONLY: '' },
    });
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
}

describe('the loader', () => {
  it('names the platform and the fix when no binary fits', () => {
    const run = withoutBinary(['-e', "require('offloop')"]);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('ERR_OFFLOOP_NO_BINARY');
    expect(run.stderr).toContain(`${process.platform}-${process.arch}`);
    if (process.platform === 'linux') expect(run.stderr).toMatch(/glibc|musl/);
    expect(run.stderr).toContain('npm rebuild offloop --build-from-source');
    // Everything a build from source needs, the codecs' development packages included.
    for (const needed of [
      'python3',
      'C++17',
      'pkg-config',
      'libjpeg-dev libpng-dev zlib1g-dev',
      'libjpeg-turbo-devel',
      'brew install jpeg-turbo libpng pkg-config',
    ]) {
      expect(run.stderr).toContain(needed);
    }
  });

  it("a prebuild found through OFFLOOP_PREBUILD outside the package reports source 'prebuild', a build 'build'", () => {
    const { binary } = features();
    const folder = mkdtempSync(join(tmpdir(), 'offloop-elsewhere-'));
    try {
      const prebuilds = join(folder, 'prebuilds', `${process.platform}-${process.arch}`);
      mkdirSync(prebuilds, { recursive: true });
      const copy = join(prebuilds, 'offloop.node');
      copyFileSync(binary.path, copy);
      const built = join(folder, 'build', 'Release');
      mkdirSync(built, { recursive: true });
      copyFileSync(binary.path, join(built, 'offloop.node'));
      const report = ['-e', "console.log(JSON.stringify(require('offloop').features().binary))"];
      const run = (env: Record<string, string>) =>
        spawnSync(process.execPath, report, {
          cwd: ROOT,
          encoding: 'utf8',
          timeout: 30_000,
          env: { ...process.env, OFFLOOP_PREBUILD: folder, ...env },
        });
      const fromPrebuilds = run({ PREBUILDS_ONLY: '1' });
      expect(fromPrebuilds.stderr).toBe('');
      expect(JSON.parse(fromPrebuilds.stdout)).toEqual({ path: copy, source: 'prebuild' });
      const fromBuild = run({ PREBUILDS_ONLY: '' });
      expect(fromBuild.stderr).toBe('');
      expect(JSON.parse(fromBuild.stdout)).toEqual({ path: join(built, 'offloop.node'), source: 'build' });
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  // The README's fallback. On Node 20 a static `import cjs from` in the ESM
  // wrapper made the caught error escape again as an unhandled rejection.
  it.each([
    ['import()', ['no-binary.mjs', 'direct'], 'direct'],
    ['a static import in an imported module', ['no-binary.mjs', 'static'], 'static'],
    ['require()', ['no-binary.cjs'], 'require'],
  ])(
    'with no binary, %s fails with ERR_OFFLOOP_NO_BINARY, the catch falls back to offloop/reference, the process exits 0',
    (_, [fixture, ...args], how) => {
      const run = withoutBinary([join(ROOT, 'test/fixtures', fixture!), ...args]);
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      const result = JSON.parse(run.stdout);
      expect(result).toMatchObject({
        how,
        loaded: false,
        again: 'ERR_OFFLOOP_NO_BINARY',
        sum: 338350,
        squares: [1, 4, 9],
      });
      expect(result.failure.code).toBe('ERR_OFFLOOP_NO_BINARY');
      expect(result.failure.message).toContain(`${process.platform}-${process.arch}`);
    },
  );
});

describe('start-up', () => {
  // node:fs/promises loads readline and the streams with it: the files
  // functions read fs.promises when called instead. What the runtime loads
  // for any module of that kind (Node 20's ESM loader reads files through
  // fs/promises) is loaded first and does not count.
  const baseline = join(ROOT, 'test/fixtures/empty-module');
  it.each([
    [
      'require()',
      [
        '-e',
        `require(${JSON.stringify(`${baseline}.cjs`)}); const before = process.moduleLoadList.length;
         require('offloop'); console.log(JSON.stringify(process.moduleLoadList.slice(before)))`,
      ],
    ],
    [
      'import()',
      [
        '--input-type=module',
        '-e',
        `await import(${JSON.stringify(pathToFileURL(`${baseline}.mjs`).href)}); const before = process.moduleLoadList.length;
         await import('offloop'); console.log(JSON.stringify(process.moduleLoadList.slice(before)))`,
      ],
    ],
  ])('%s of offloop loads no node:fs/promises', (_, args) => {
    const run = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    expect(run.stderr).toBe('');
    const loaded: string[] = JSON.parse(run.stdout);
    expect(loaded.length, 'loading offloop loads modules of its own').toBeGreaterThan(0);
    expect(loaded.filter((name) => /fs\/promises|readline/.test(name))).toEqual([]);
  });
});

const mapsFixture = (name: string) => readFileSync(join(ROOT, 'test/fixtures/proc-maps', name), 'latin1');
// Written from those systems' file layouts (not captured here: no Alpine,
// RHEL 8 or arm64 machine): the lines that name the C library, as the kernel
// prints them.
const mapsLine = (path: string) => `7f3c1a200000-7f3c1a228000 r--p 00000000 08:01 1835032                    ${path}`;
const alpineNode = [
  '/usr/bin/node',
  '/usr/lib/libstdc++.so.6.0.33',
  '/usr/lib/libgcc_s.so.1',
  '/lib/ld-musl-x86_64.so.1',
]
  .map(mapsLine)
  .join('\n');
const alpineGcompat = ['/usr/bin/node', '/lib/libgcompat.so.0', '/lib/ld-linux-x86-64.so.2', '/lib/ld-musl-x86_64.so.1']
  .map(mapsLine)
  .join('\n');

describe('the C library a Linux binary is chosen for', () => {
  it.each([
    ['glibc: Node 22 on Debian 12 (captured)', mapsFixture('debian12-node22-glibc.txt'), 'glibc'],
    ["musl: a program on Debian 12's musl (captured)", mapsFixture('debian12-musl.txt'), 'musl'],
    [
      "musl: Bun's musl build on Debian's musl with the glibc-named shim (captured)",
      mapsFixture('debian12-bun-musl-shim.txt'),
      'musl',
    ],
    [
      "musl: Bun's arm64 musl build under qemu-aarch64 on Debian's arm64 musl (captured)",
      mapsFixture('debian12-arm64-qemu-bun-musl.txt'),
      'musl',
    ],
    ["musl: Alpine's Node (its loader, /lib/ld-musl-x86_64.so.1)", alpineNode, 'musl'],
    ["musl: Alpine's gcompat beside musl", alpineGcompat, 'musl'],
    ['musl: the libc.musl name', mapsLine('/lib/libc.musl-aarch64.so.1'), 'musl'],
    ['musl: Debian arm64 musl', mapsLine('/usr/lib/aarch64-linux-musl/libc.so'), 'musl'],
    [
      'glibc: before 2.34 (RHEL 8)',
      [mapsLine('/usr/lib64/libc-2.28.so'), mapsLine('/usr/lib64/ld-2.28.so')].join('\n'),
      'glibc',
    ],
    ['glibc: arm64 loader', mapsLine('/usr/lib/aarch64-linux-gnu/ld-linux-aarch64.so.1'), 'glibc'],
    ['glibc: replaced since it was mapped', mapsLine('/usr/lib/x86_64-linux-gnu/libc.so.6 (deleted)'), 'glibc'],
    ['none: a static binary (captured)', mapsFixture('static.txt'), undefined],
    ['none: no mappings', '', undefined],
    [
      'none: names that only contain the names',
      [mapsLine('/opt/libc.so.6.bak'), mapsLine('/opt/ld-musl-x86_64.so.1.d/x')].join('\n'),
      undefined,
    ],
  ] as const)('%s', (_, maps, expected) => {
    expect(libcFromMaps(maps)).toBe(expected);
  });

  it("is musl when the process's report names no glibc (musl's Node and Bun report none)", () => {
    expect(libcFromReport({ glibcVersionRuntime: '2.36' })).toBe('glibc');
    expect(libcFromReport({})).toBe('musl');
    expect(libcFromReport(undefined)).toBe(undefined);
  });

  it('asks the report only when the mappings are unreadable or name no C library', () => {
    const musl = () => ({});
    const unasked = () => {
      throw new Error('the report was asked');
    };
    expect(processLibc(() => mapsFixture('debian12-musl.txt'), unasked)).toBe('musl');
    expect(processLibc(() => mapsFixture('debian12-node22-glibc.txt'), unasked)).toBe('glibc');
    expect(processLibc(() => undefined, musl)).toBe('musl');
    expect(processLibc(() => mapsFixture('static.txt'), musl)).toBe('musl');
    expect(
      processLibc(
        () => undefined,
        () => undefined,
      ),
    ).toBe(undefined);
    if (process.platform === 'linux') {
      const header = (process.report.getReport() as { header: { glibcVersionRuntime?: string } }).header;
      expect(processLibc()).toBe(header.glibcVersionRuntime ? 'glibc' : 'musl');
    }
  });

  const folder = '/p/prebuilds/linux-x64';
  const both = (path: string) => path === `${folder}/offloop.glibc.node` || path === `${folder}/offloop.musl.node`;
  it.each([
    [
      'musl: node-gyp-build picked glibc (no /etc/alpine-release)',
      `${folder}/offloop.glibc.node`,
      'musl',
      both,
      `${folder}/offloop.musl.node`,
    ],
    [
      'glibc: node-gyp-build picked musl (/etc/alpine-release in a glibc container)',
      `${folder}/offloop.musl.node`,
      'glibc',
      both,
      `${folder}/offloop.glibc.node`,
    ],
    [
      'musl: node-gyp-build found nothing (the only file is tagged musl)',
      undefined,
      'musl',
      both,
      `${folder}/offloop.musl.node`,
    ],
    ['glibc: its pick is right', `${folder}/offloop.glibc.node`, 'glibc', both, `${folder}/offloop.glibc.node`],
    [
      'musl: only a glibc prebuild exists: none',
      `${folder}/offloop.glibc.node`,
      'musl',
      (path: string) => path.endsWith('glibc.node'),
      undefined,
    ],
    ['musl: a local build stays', '/p/build/Release/offloop.node', 'musl', both, '/p/build/Release/offloop.node'],
  ] as const)('%s', (_, picked, libc, exists, expected) => {
    expect(chooseLinuxBinary(picked, folder, libc, exists)).toBe(expected);
  });

  // A child whose /proc/self/maps reads as `maps` (a throw: unreadable) and,
  // with `muslReport`, whose report names no glibc.
  const mockedChild = (maps: string | undefined, muslReport: boolean) =>
    [
      "const fs = require('node:fs');",
      'const readFileSync = fs.readFileSync;',
      `const maps = ${JSON.stringify(maps ?? null)};`,
      'fs.readFileSync = (path, ...rest) => {',
      "  if (path !== '/proc/self/maps') return readFileSync(path, ...rest);",
      "  if (maps === null) throw Object.assign(new Error('EACCES: mocked'), { code: 'EACCES' });",
      '  return maps;',
      '};',
      ...(muslReport
        ? [
            'const getReport = process.report.getReport.bind(process.report);',
            'process.report.getReport = () => { const r = getReport(); delete r.header.glibcVersionRuntime; return r; };',
          ]
        : []),
      "const { binaryInfo } = require('./dist/cjs/binding.js');",
      'console.log(JSON.stringify(binaryInfo));',
    ].join('\n');

  it.runIf(process.platform === 'linux').each([
    [
      "its mappings name Debian's musl (its report, glibc, is not asked)",
      mockedChild(mapsFixture('debian12-musl.txt'), false),
    ],
    ['its mappings cannot be read and its report names no glibc', mockedChild(undefined, true)],
    [
      'its mappings name no C library (static) and its report names no glibc',
      mockedChild(mapsFixture('static.txt'), true),
    ],
  ])('a process where %s loads offloop.musl.node, never the glibc one beside it', (_, script) => {
    // Both tagged files of this platform, the musl one a copy of the glibc build
    // (a real musl binary cannot load here).
    const dir = mkdtempSync(join(tmpdir(), 'offloop-libc-'));
    try {
      const folder = join(dir, 'prebuilds', `linux-${process.arch}`);
      mkdirSync(folder, { recursive: true });
      copyFileSync(join(ROOT, 'build/Release/offloop.node'), join(folder, 'offloop.musl.node'));
      writeFileSync(join(folder, 'offloop.glibc.node'), 'not a binary');
      const run = spawnSync(process.execPath, ['-e', script], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 30_000,
        env: { ...process.env, OFFLOOP_PREBUILD: dir, PREBUILDS_ONLY: '1', LIBC: '' },
      });
      expect(run.stderr).toBe('');
      expect(JSON.parse(run.stdout).path).toBe(join(folder, 'offloop.musl.node'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('callbacks', () => {
  it('a throwing onProgress rejects its own call, is not reported as uncaught, and leaves every other job settled', () => {
    const run = runFixture('throwing-progress.mjs');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      gray: `rejected: progress callback failed at ${3840 * 2160}`,
      small: 'rejected: progress callback failed at 3',
      sum: 333338333350000,
      plain: [1, 4, 9],
      uncaught: [],
    });
  });
});
