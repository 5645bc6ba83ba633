// What the registry would receive: the exact file list of `npm pack`, and
// which native binary this test run actually loaded.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

import { describe, expect, it } from 'vitest';

import { features } from '../lib/index.js';
import { ROOT } from './helpers.js';

interface PackResult {
  files: { path: string }[];
}

/** `npm pack --dry-run --json`, without lifecycle scripts (pretest built dist/). */
function packedFiles(): string[] {
  const npmCli = process.env.npm_execpath;
  const [command, args] =
    npmCli && /\.c?js$/.test(npmCli)
      ? [process.execPath, [npmCli]]
      : [process.platform === 'win32' ? 'npm.cmd' : 'npm', []];
  const stdout = execFileSync(command, [...args, 'pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    shell: process.platform === 'win32',
  });
  const [result] = JSON.parse(stdout) as PackResult[];
  return result!.files.map((file) => file.path.split(sep).join('/')).sort();
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [relative(ROOT, path).split(sep).join('/')];
  });
}

/** The compiled JS and declarations tsc and scripts/esm-wrappers.mjs write for lib/. */
function expectedDist(): string[] {
  const modules = readdirSync(join(ROOT, 'lib'), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts'))
    .map((name) => name.slice(0, -3).split(sep).join('/'));
  return [
    'dist/cjs/package.json',
    ...modules.flatMap((name) => [`dist/cjs/${name}.js`, `dist/cjs/${name}.d.ts`]),
    'dist/esm/package.json',
    ...['index', 'reference', 'queue'].flatMap((name) => [`dist/esm/${name}.js`, `dist/esm/${name}.d.ts`]),
  ];
}

// A prebuild as scripts/prebuild.mjs names them: one Node-API binary per
// platform-arch, tagged glibc/musl on Linux.
const PREBUILD = /^prebuilds\/(linux-(x64|arm64)\/offloop\.(glibc|musl)|(darwin|win32)-(x64|arm64)\/offloop)\.node$/;

describe('npm pack', () => {
  const files = packedFiles();

  it('holds exactly the compiled JS, declarations, native sources, build files and prebuilds', () => {
    const prebuilds = files.filter((path) => path.startsWith('prebuilds/'));
    const expected = [
      'package.json',
      'LICENSE',
      ...(existsSync(join(ROOT, 'README.md')) ? ['README.md'] : []),
      'binding.gyp',
      'CMakeLists.txt',
      // The licenses of the codecs linked into the prebuilt binaries.
      'THIRD-PARTY-NOTICES.md',
      ...walk(join(ROOT, 'native')),
      ...expectedDist(),
      ...prebuilds,
    ].sort();
    expect(files).toEqual(expected);
    for (const path of prebuilds) expect(path).toMatch(PREBUILD);
  });

  it('ships every native source both build systems compile, and nothing of the repo besides', () => {
    const gypi = readFileSync(join(ROOT, 'native/sources.gypi'), 'utf8').replace(/#.*$/gm, '');
    const sources = [...gypi.matchAll(/'([^']+\.cc)'/g)].map((match) => match[1]);
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) expect(files).toContain(source);
    for (const path of files) {
      // No tests, benchmarks, examples, scripts, TS sources, build output or source maps
      // (the maps would point to lib/*.ts, which is not shipped).
      expect(path).not.toMatch(
        /^(test|bench|examples|scripts|lib|build|build-cmake|node_modules|coverage|\.github|\.ci)\//,
      );
      expect(path).not.toMatch(/\.(map|tgz|o|obj|ts\.orig)$|(^|\/)\.|tsconfig|vitest/);
      if (path.endsWith('.ts')) expect(path).toMatch(/^dist\/.*\.d\.ts$/);
    }
  });

  it('has a prebuild for this platform when the tests run on prebuilds only', () => {
    if (!process.env.PREBUILDS_ONLY) return;
    const here = files.filter((path) => path.startsWith(`prebuilds/${process.platform}-${process.arch}/`));
    expect(here.length).toBeGreaterThan(0);
  });
});

describe('the binary under test', () => {
  const { binary } = features();

  it('is the one the environment asks for', () => {
    expect(existsSync(binary.path)).toBe(true);
    const expected = process.env.OFFLOOP_EXPECT_BINARY;
    if (expected) {
      // e.g. the cmake-js build: OFFLOOP_PREBUILD=build-cmake OFFLOOP_EXPECT_BINARY=build-cmake/build/Release/offloop.node
      expect(realpathSync(binary.path)).toBe(realpathSync(expected));
      expect(binary.source).toBe('build');
    }
    if (process.env.PREBUILDS_ONLY) {
      expect(binary.source).toBe('prebuild');
      expect(relative(join(ROOT, 'prebuilds', `${process.platform}-${process.arch}`), binary.path)).toMatch(
        /^offloop(\.\w+)?\.node$/,
      );
    }
  });
});
