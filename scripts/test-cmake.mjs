#!/usr/bin/env node
// The second pass of CI: builds the addon with cmake-js (CMakeLists.txt, into
// build-cmake/) and runs the whole test suite against that binary, leaving
// build/ (node-gyp's) alone. node-gyp-build takes OFFLOOP_PREBUILD=<dir> as
// the root to search instead of the package (<dir>/build/Release/*.node first),
// and test/package.test.ts checks, through features().binary.path, that the
// binary loaded is OFFLOOP_EXPECT_BINARY, i.e. the cmake-js one.
//
//   node scripts/test-cmake.mjs [--no-build] [-- extra vitest args]
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const run = (args, env = process.env) => {
  console.log(`test-cmake: npm ${args.join(' ')}`);
  const result = spawnSync(npm, args, { cwd: root, env, stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.status !== 0) process.exit(result.status ?? 1);
};

if (!argv.includes('--no-build')) run(['run', 'build:cmake']);

// cmake-js writes build-cmake/build/Release/offloop.node (single-config
// generators); multi-config ones (Visual Studio) may nest it one level deeper.
const out = join(root, 'build-cmake', 'build');
function find(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name === 'CMakeFiles') continue;
    if (statSync(path).isDirectory()) {
      const found = find(path);
      if (found) return found;
    } else if (name === 'offloop.node') return path;
  }
}
let binary = join(out, 'Release', 'offloop.node');
let searchRoot = join(root, 'build-cmake');
if (!existsSync(binary)) {
  const found = existsSync(out) && find(out);
  if (!found) throw new Error(`test-cmake: no offloop.node under ${out}`);
  searchRoot = join(root, 'build-cmake', 'root');
  binary = join(searchRoot, 'build', 'Release', 'offloop.node');
  mkdirSync(dirname(binary), { recursive: true });
  copyFileSync(found, binary);
}
console.log(`test-cmake: testing ${binary}`);
const env = { ...process.env, OFFLOOP_PREBUILD: searchRoot, OFFLOOP_EXPECT_BINARY: binary };
delete env.PREBUILDS_ONLY;
const extra = argv.includes('--') ? argv.slice(argv.indexOf('--') + 1) : [];
run(['test', ...(extra.length ? ['--', ...extra] : [])], env);
