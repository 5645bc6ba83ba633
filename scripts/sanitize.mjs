#!/usr/bin/env node
// The sanitizer runs of CI (issue 7):
//
//   node scripts/sanitize.mjs asan [--keep-temp] [-- vitest args]   (npm run test:asan)
//     1. builds offloop.node with AddressSanitizer + UndefinedBehaviorSanitizer
//        in a temporary copy of the sources (never in build/: that is the
//        checkout's own build, which others may be testing);
//     2. runs the whole vitest suite, teardown matrix included, against that
//        binary (OFFLOOP_PREBUILD / OFFLOOP_EXPECT_BINARY, as test-cmake.mjs
//        does), with the ASan runtime preloaded into every node process: the
//        tests' child processes and workers inherit the environment;
//     3. runs the C++ tests (test/native/build-and-run.sh) and the pool stress
//        test (test/native/pool_stress_test.cc) built with both sanitizers.
//
//   node scripts/sanitize.mjs tsan [rounds per client]              (npm run test:tsan)
//     ThreadSanitizer on the pool and the job lifecycle: native/core and
//     native/jobs (the list offloop_core_sources in native/sources.gypi, read
//     as CMakeLists.txt reads it) plus the kernels, linked with
//     test/native/pool_stress_test.cc and run; test/native/core_test.cc too.
//     No Node: an uninstrumented node cannot host TSan.
//
// Needs GCC (g++, or CXX naming a GCC) with its sanitizer runtimes (Debian:
// part of g++). Any sanitizer report fails the run (halt_on_error).
//
// Options, and why:
//   ASAN_OPTIONS detect_leaks=0   Node does not free everything at exit (V8
//                                 isolates, per-process state) by design;
//                                 LeakSanitizer would report that, not offloop.
//                halt_on_error=1, abort_on_error=1: the first report ends the
//                                 process with SIGABRT, which the tests see
//                                 (signal, "ERROR: AddressSanitizer" on stderr).
//   UBSAN_OPTIONS halt_on_error=1:print_stacktrace=1
//   -Wno-error in the sanitized builds only: -O1 and the instrumentation can
//   raise warnings the real builds (-O3, -Werror) do not; those builds judge
//   warnings, these judge behaviour.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism, platform, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const mode = argv[0];
const dashDash = argv.indexOf('--');
const extra = dashDash < 0 ? [] : argv.slice(dashDash + 1);
const flags = dashDash < 0 ? argv.slice(1) : argv.slice(1, dashDash);
const keepTemp = flags.includes('--keep-temp');
const jobs = String(Math.max(1, Math.min(availableParallelism(), 4)));

if (mode !== 'asan' && mode !== 'tsan') {
  console.error('usage: node scripts/sanitize.mjs asan [--keep-temp] [-- vitest args] | tsan [rounds per client]');
  process.exit(2);
}
if (platform() !== 'linux') {
  console.error(`sanitize: Linux only (this is ${platform()})`);
  process.exit(2);
}

const CXX = process.env.CXX || 'g++';
const SANITIZE_FLAGS = {
  asan: ['-fsanitize=address,undefined', '-fno-omit-frame-pointer', '-g', '-O1'],
  tsan: ['-fsanitize=thread', '-fno-omit-frame-pointer', '-g', '-O1'],
};
const RUNTIME_ENV = {
  ASAN_OPTIONS: 'detect_leaks=0:halt_on_error=1:abort_on_error=1',
  UBSAN_OPTIONS: 'halt_on_error=1:print_stacktrace=1',
  TSAN_OPTIONS: 'halt_on_error=1:second_deadlock_stack=1',
};

function log(message) {
  console.log(`sanitize(${mode}): ${message}`);
}

function fail(message) {
  console.error(`sanitize(${mode}): ${message}`);
  process.exit(1);
}

function seconds(since) {
  return `${((performance.now() - since) / 1000).toFixed(0)} s`;
}

/** Runs a command to completion with inherited output; fails the run on a non-zero exit. */
function run(command, args, options = {}, label = `${command} ${args.join(' ')}`) {
  log(label);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  if (result.error) fail(`${command}: ${result.error.message}`);
  if (result.status !== 0)
    fail(`${command} ${args[0] ?? ''} failed (${result.signal ?? `exit code ${result.status}`})`);
}

function compilerIsGcc() {
  const version = spawnSync(CXX, ['--version'], { encoding: 'utf8' });
  if (version.error || version.status !== 0) fail(`no C++ compiler ${CXX} (Debian: apt-get install g++)`);
  if (/clang/i.test(version.stdout)) fail(`${CXX} is clang; these runs use GCC's sanitizer runtimes (set CXX=g++)`);
}

/** The runtime library `name` (libasan.so...) of the compiler, which must exist. */
function runtimeLibrary(name) {
  const path = execFileSync(CXX, [`-print-file-name=${name}`], { encoding: 'utf8' }).trim();
  if (!path.startsWith('/') || !existsSync(path))
    fail(`${CXX} has no ${name} (Debian: part of g++; elsewhere libasan/libtsan packages)`);
  return path;
}

/**
 * The paths in the lists `names` of native/sources.gypi, read as
 * CMakeLists.txt reads it: comments dropped, then every quoted .cc path of
 * each list.
 */
function gypiSources(names) {
  const text = readFileSync(join(root, 'native/sources.gypi'), 'utf8').replace(/#[^\n]*/g, '');
  return names.flatMap((name) => {
    const list = new RegExp(`'${name}'\\s*:\\s*\\[([^\\]]*)\\]`).exec(text);
    if (!list) fail(`native/sources.gypi has no list '${name}'`);
    const paths = [...list[1].matchAll(/'([^'\n]+\.(?:cc|cpp|cxx))'/g)].map((match) => match[1]);
    if (paths.length === 0) fail(`native/sources.gypi: list '${name}' is empty`);
    for (const path of paths)
      if (!existsSync(join(root, path))) fail(`native/sources.gypi lists ${path}, which does not exist`);
    return paths;
  });
}

/** Compiles `sources` (paths from the root) to objects in `dir`, `jobs` at a time. */
async function compileAll(sources, dir, compileFlags) {
  const queue = [...sources];
  const objects = [];
  async function worker() {
    for (let source = queue.shift(); source !== undefined; source = queue.shift()) {
      const object = join(dir, `${source.replace(/[/\\]/g, '_')}.o`);
      objects.push(object);
      const args = [...compileFlags, '-c', join(root, source), '-o', object];
      const code = await new Promise((resolve) => {
        const child = spawn(CXX, args, { cwd: root, stdio: 'inherit' });
        child.once('error', () => resolve(-1));
        child.once('close', resolve);
      });
      if (code !== 0) fail(`compiling ${source} failed`);
    }
  }
  await Promise.all(Array.from({ length: Number(jobs) }, worker));
  return objects;
}

/**
 * Builds the C++ tests `tests` (paths from the root) over the kernels and
 * the core with `sanitizers`, the sources compiled once. Returns the binaries.
 */
async function buildNativeTests(dir, sanitizers, tests) {
  const sources = gypiSources(['offloop_kernel_sources', 'offloop_core_sources']);
  const compileFlags = [
    '-std=c++17',
    ...sanitizers,
    '-ffp-contract=off',
    '-pthread',
    '-Wall',
    '-Wextra',
    `-I${join(root, 'native')}`,
  ];
  const started = performance.now();
  const objects = await compileAll([...sources, ...tests], dir, compileFlags);
  const shared = objects.slice(0, sources.length);
  const binaries = tests.map((test, i) => {
    const binary = join(dir, basename(test, '.cc'));
    run(CXX, [...compileFlags, ...shared, objects[sources.length + i], '-o', binary], {}, `linking ${binary}`);
    return binary;
  });
  log(`built ${tests.join(', ')} over ${sources.length} sources of native/sources.gypi in ${seconds(started)}`);
  return binaries;
}

/** Runs a sanitized native test; any sanitizer report or failure fails the run. */
function runNative(binary, args, env) {
  const started = performance.now();
  log(`${binary} ${args.join(' ')}`);
  const result = spawnSync(binary, args, { cwd: root, env, encoding: 'utf8', maxBuffer: 64 << 20 });
  process.stdout.write(result.stdout ?? '');
  process.stderr.write(result.stderr ?? '');
  const report = /WARNING: ThreadSanitizer|ERROR: AddressSanitizer|runtime error:/.test(result.stderr ?? '');
  if (result.status !== 0 || report)
    fail(
      `${binary} failed (${result.signal ?? `exit code ${result.status}`}${report ? ', sanitizer report above' : ''})`,
    );
  log(`${binary}: passed in ${seconds(started)}`);
}

const temp = mkdtempSync(join(tmpdir(), `offloop-${mode}-`));
const cleanup = () => {
  if (keepTemp) log(`kept ${temp}`);
  else rmSync(temp, { recursive: true, force: true });
};
process.on('exit', cleanup);
const started = performance.now();
compilerIsGcc();

if (mode === 'tsan') {
  runtimeLibrary('libtsan.so');
  // The stress test, and the core's own tests (test/native/core_test.cc) as well.
  const tests = ['test/native/pool_stress_test.cc', 'test/native/core_test.cc'].filter((test) =>
    existsSync(join(root, test)),
  );
  const [stress, ...others] = await buildNativeTests(temp, SANITIZE_FLAGS.tsan, tests);
  const env = { ...process.env, TSAN_OPTIONS: RUNTIME_ENV.TSAN_OPTIONS };
  runNative(
    stress,
    flags.filter((flag) => !flag.startsWith('--')),
    env,
  );
  for (const binary of others) runNative(binary, [], env);
  log(`passed in ${seconds(started)}`);
  process.exit(0);
}

// --- asan ---------------------------------------------------------------------
const asanRuntime = runtimeLibrary('libasan.so');
runtimeLibrary('libubsan.so');

// 1. The addon, in a copy of what node-gyp needs (as scripts/prebuild.mjs does).
const stage = join(temp, 'root');
mkdirSync(stage);
for (const entry of ['package.json', 'binding.gyp', 'native'])
  cpSync(join(root, entry), join(stage, entry), { recursive: true });
symlinkSync(join(root, 'node_modules'), join(stage, 'node_modules'), 'dir');
const buildEnv = {
  ...process.env,
  CXX,
  // Appended after binding.gyp's flags by node-gyp's Makefiles: -O1 wins over -O3.
  CXXFLAGS: [...SANITIZE_FLAGS.asan, '-Wno-error'].join(' '),
  LDFLAGS: SANITIZE_FLAGS.asan[0],
};
if (!buildEnv.npm_config_nodedir) {
  // Headers next to this node (Debian's nodejs, the official tarballs): nothing to download.
  const prefix = dirname(dirname(process.execPath));
  if (existsSync(join(prefix, 'include/node/node_api.h'))) buildEnv.npm_config_nodedir = prefix;
}
let phase = performance.now();
run(
  process.execPath,
  [join(root, 'node_modules/node-gyp/bin/node-gyp.js'), 'rebuild', '--jobs', jobs, '--loglevel=warn'],
  { cwd: stage, env: buildEnv, stdio: ['ignore', 'ignore', 'inherit'] },
);
const binary = join(stage, 'build/Release/offloop.node');
if (!existsSync(binary)) fail(`no ${binary} after the build`);
const linked = execFileSync('ldd', [binary], { encoding: 'utf8' });
if (!/libasan/.test(linked) || !/libubsan/.test(linked))
  fail(`${binary} is not linked with libasan and libubsan:\n${linked}`);
log(`built ${binary} in ${seconds(phase)}`);

// 2. The vitest suite against it. lib/ is compiled first, outside the sanitizer.
run('npm', ['run', 'build:ts'], { stdio: ['ignore', 'ignore', 'inherit'] });
const testEnv = {
  ...process.env,
  OFFLOOP_PREBUILD: stage,
  OFFLOOP_EXPECT_BINARY: binary,
  // Node itself is not instrumented: ASan's runtime must be the first
  // library loaded. UBSan's comes with the addon (it links libubsan).
  LD_PRELOAD: [asanRuntime, process.env.LD_PRELOAD].filter(Boolean).join(':'),
  ASAN_OPTIONS: RUNTIME_ENV.ASAN_OPTIONS,
  UBSAN_OPTIONS: RUNTIME_ENV.UBSAN_OPTIONS,
};
delete testEnv.PREBUILDS_ONLY;
phase = performance.now();
// Sanitized code runs a few times slower: generous per-test limits.
run(
  process.execPath,
  [join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--testTimeout=900000', '--hookTimeout=900000', ...extra],
  { env: testEnv },
);
log(`vitest suite passed under ASan+UBSan in ${seconds(phase)}`);

// 3. The C++ tests, compiled with both sanitizers: build-and-run.sh uses
// ${CXX:-c++}, and clang++/g++ when installed; each name found is wrapped
// so that its objects get the sanitizer flags (appended: -O1 wins over -O3).
phase = performance.now();
const wrappers = join(temp, 'bin');
mkdirSync(wrappers);
for (const name of new Set([CXX, 'c++', 'g++', 'clang++'])) {
  const real = name.includes('/')
    ? name
    : spawnSync('sh', ['-c', `command -v "${name}"`], { encoding: 'utf8' }).stdout.trim();
  if (!real) continue;
  const wrapper = join(wrappers, basename(name));
  writeFileSync(wrapper, `#!/bin/sh\nexec "${real}" "$@" ${[...SANITIZE_FLAGS.asan, '-Wno-error'].join(' ')}\n`);
  chmodSync(wrapper, 0o755);
}
const nativeEnv = {
  ...process.env,
  PATH: `${wrappers}:${process.env.PATH}`,
  CXX: join(wrappers, basename(CXX)),
  QUICK: '1', // every SIMD level is tested directly anyway (see the script)
  ASAN_OPTIONS: RUNTIME_ENV.ASAN_OPTIONS,
  UBSAN_OPTIONS: RUNTIME_ENV.UBSAN_OPTIONS,
};
run('bash', [join(root, 'test/native/build-and-run.sh')], { env: nativeEnv });
log(`test/native/build-and-run.sh passed under ASan+UBSan in ${seconds(phase)}`);

// The codecs' own test builds its -fsanitize=address,undefined variant
// itself (the optimised one already ran in npm test): every fixture, every
// truncation, ~100,000 flipped inputs in a forked child, with leak checks.
phase = performance.now();
run('bash', [join(root, 'test/native/codecs-build-and-run.sh')], {
  env: {
    ...process.env,
    ONLY_SANITIZED: '1',
    CODECS_BUILD_DIR: join(temp, 'codecs'),
    ASAN_OPTIONS: RUNTIME_ENV.ASAN_OPTIONS,
    UBSAN_OPTIONS: RUNTIME_ENV.UBSAN_OPTIONS,
  },
});
log(`test/native/codecs-build-and-run.sh passed under ASan+UBSan in ${seconds(phase)}`);

phase = performance.now();
mkdirSync(join(temp, 'stress'));
const [stress] = await buildNativeTests(join(temp, 'stress'), SANITIZE_FLAGS.asan, ['test/native/pool_stress_test.cc']);
runNative(stress, [], {
  ...process.env,
  ASAN_OPTIONS: RUNTIME_ENV.ASAN_OPTIONS,
  UBSAN_OPTIONS: RUNTIME_ENV.UBSAN_OPTIONS,
});
log(`pool stress test passed under ASan+UBSan in ${seconds(phase)}`);
log(`passed in ${seconds(started)}`);
