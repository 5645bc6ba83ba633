// scripts/check-elf.mjs, the link check of the musl prebuilds, on small shared
// objects made here with gcc against Debian's musl libc.so (apt-get install
// musl-dev): one that passes and one for each way a musl binary goes wrong.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { ROOT } from './helpers.js';

const MUSL_LIB = '/usr/lib/x86_64-linux-musl';
const canBuild =
  process.platform === 'linux' &&
  process.arch === 'x64' &&
  existsSync(join(MUSL_LIB, 'libc.so')) &&
  spawnSync('gcc', ['--version']).status === 0;
const work = mkdtempSync(join(tmpdir(), 'offloop-check-elf-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// An addon in miniature: the entry point, a Node-API call, a libc call.
const ADDON = `
extern int napi_create_function(void);
extern void *malloc(unsigned long);
__attribute__((visibility("default"))) void *napi_register_module_v1(void *env, void *exports) {
  (void)env;
  napi_create_function();
  return malloc(1) ? exports : 0;
}
`;

function sharedObject(name: string, source: string, linkArgs: string[] = ['-nostdlib', `-L${MUSL_LIB}`, '-lc']) {
  const file = join(work, `${name}.c`);
  writeFileSync(file, source);
  const out = join(work, `${name}.so`);
  const build = spawnSync('gcc', ['-shared', '-fPIC', '-fvisibility=hidden', file, ...linkArgs, '-o', out], {
    encoding: 'utf8',
  });
  if (build.status !== 0) throw new Error(build.stderr);
  return out;
}

function check(file: string, arch = 'x64') {
  return spawnSync(process.execPath, [join(ROOT, 'scripts/check-elf.mjs'), '--arch', arch, '--libc', 'musl', file], {
    encoding: 'utf8',
  });
}

describe.runIf(canBuild)('scripts/check-elf.mjs', () => {
  it('passes a shared object that needs musl libc and Node-API only and exports the entry point only', () => {
    const run = check(sharedObject('good', ADDON));
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(
      /needs libc\.so; 2 undefined symbols \(1 Node-API.*exports napi_register_module_v1 only/,
    );
  });

  it.each([
    [
      'a stray NEEDED libstdc++.so.6',
      () =>
        sharedObject('stdcxx', ADDON, [
          '-nostdlib',
          `-L${MUSL_LIB}`,
          '-lc',
          '-Wl,--no-as-needed',
          spawnSync('g++', ['-print-file-name=libstdc++.so'], { encoding: 'utf8' }).stdout.trim(),
        ]),
      /needs libstdc\+\+\.so\.6: only musl's libc may be needed/,
    ],
    [
      'a glibc-only function',
      () =>
        sharedObject(
          'glibc-only',
          `${ADDON}\nextern const char *gnu_get_libc_version(void);\nconst char *v(void) { return gnu_get_libc_version(); }`,
        ),
      /undefined gnu_get_libc_version: not Node-API or musl's libc's/,
    ],
    [
      'a symbol exported beside the entry point',
      () =>
        sharedObject(
          'exports',
          `${ADDON}\n__attribute__((visibility("default"))) int jpeg_std_error(void) { return 1; }`,
        ),
      /exports jpeg_std_error \(only the module's entry points may be visible\)/,
    ],
    [
      'a binary linked against glibc',
      () => sharedObject('glibc', ADDON, []),
      /needs libc\.so\.6[\s\S]*does not need musl's libc/,
    ],
    [
      'no entry point',
      () => sharedObject('no-entry', 'int f(void) { return 1; }'),
      /does not export napi_register_module_v1/,
    ],
  ])('fails %s', (_, build, message) => {
    const run = check(build());
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(message);
  });

  it('fails a binary for another CPU', () => {
    const run = check(sharedObject('good-again', ADDON), 'arm64');
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('expected AArch64');
  });
});
