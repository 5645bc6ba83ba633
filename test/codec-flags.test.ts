// native/codec-flags.mjs, the codecs' flags of a source build (issue 19 item
// 5): found through pkg-config, and a missing one stops the build naming it
// and the packages to install. Each case runs it with a pkg-config search
// path holding every .pc file of this system's but the missing module's.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { ROOT } from './helpers.js';

const SCRIPT = join(ROOT, 'native/codec-flags.mjs');
const MODULES = ['libjpeg', 'libpng', 'zlib', 'libwebp', 'libwebpdemux', 'libwebpmux', 'libtiff-4'];
const searchPath = spawnSync('pkg-config', ['--variable', 'pc_path', 'pkg-config'], { encoding: 'utf8' });
const systemDirs = (searchPath.stdout ?? '').trim().split(':').filter(Boolean).filter(existsSync);
const allInstalled = spawnSync('pkg-config', ['--exists', ...MODULES]).status === 0;

function codecFlags(pcDir: string | undefined) {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.OFFLOOP_CODECS_DIR;
  if (pcDir !== undefined) Object.assign(env, { PKG_CONFIG_LIBDIR: pcDir, PKG_CONFIG_PATH: '' });
  return spawnSync(process.execPath, [SCRIPT, '--cflags'], { encoding: 'utf8', env });
}

describe.skipIf(!allInstalled)('native/codec-flags.mjs through pkg-config', () => {
  const temp = mkdtempSync(join(tmpdir(), 'offloop-pc-'));
  afterAll(() => rmSync(temp, { recursive: true, force: true }));

  /** A pkg-config directory with the system's .pc files but `missing`'s. */
  function without(missing: string): string {
    const dir = join(temp, missing);
    mkdirSync(dir);
    for (const from of systemDirs) {
      for (const name of readdirSync(from).filter((file) => file.endsWith('.pc'))) {
        if (name !== `${missing}.pc` && !existsSync(join(dir, name))) copyFileSync(join(from, name), join(dir, name));
      }
    }
    return dir;
  }

  it('prints the include flags when every codec is installed', () => {
    const run = codecFlags(undefined);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  // (libtiff-4's .pc requires libjpeg's: without libjpeg both are named.)
  it.each([
    ['libtiff-4', 'libtiff-4', 'libtiff-dev'],
    ['libwebpmux', 'libwebpmux', 'libwebp-dev'],
    ['libjpeg', 'libjpeg, libtiff-4', 'libjpeg-dev'],
  ])(
    'without %s, stops the build naming what is missing and the package to install',
    (missing, named, debianPackage) => {
      const run = codecFlags(without(missing));
      expect(run.status).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain(`offloop: pkg-config cannot find ${named}:`);
      expect(run.stderr).toContain(debianPackage);
    },
  );
});
