// What the cross builds that node-gyp cannot do (win32 with mingw-w64,
// macOS and Linux musl with Zig: scripts/prebuild-mingw.mjs, scripts/prebuild-zig.mjs)
// share: the sources and flags binding.gyp gives node-gyp, and a runner for
// the compile commands.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { basename, dirname, join } from 'node:path';

// binding.gyp and native/sources.gypi are Python literals; python3 (which
// node-gyp needs anyway) reads them, as test/native/build-and-run.sh does.
function readGyp(file) {
  const script = 'import json, re, sys\nprint(json.dumps(eval(re.sub(r"#[^\\n]*", "", open(sys.argv[1]).read()))))';
  const result = spawnSync('python3', ['-c', script, file], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`cross-build: cannot read ${file}: ${result.stderr || result.error}`);
  return JSON.parse(result.stdout);
}

export function run(command, args, options = {}) {
  // (objdump -p of the win32 binary prints its unwind table: past 1 MiB,
  // spawnSync's default buffer, since the GIF/BMP readers and libdeflate.)
  const result = spawnSync(command, args, { stdio: 'inherit', maxBuffer: 256 << 20, ...options });
  if (result.error || result.status !== 0) {
    throw new Error(
      `cross-build: failed: ${command} ${args.join(' ')}${result.error ? ` (${result.error.message})` : ''}`,
    );
  }
  return result;
}

// Runs the compile commands `jobs` at a time.
async function runAll(commands, jobs) {
  const queue = [...commands];
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const [command, args] = next;
      const status = await new Promise((resolve) => {
        const child = spawn(command, args, { stdio: 'inherit' });
        child.on('error', () => resolve(-1));
        child.on('close', resolve);
      });
      if (status !== 0) throw new Error(`cross-build: failed: ${command} ${args.join(' ')}`);
    }
  };
  await Promise.all(Array.from({ length: jobs }, worker));
}

// The codecs' flags from native/codec-flags.mjs for the static prefix
// `codecsDir`, as the target platform's linker takes them.
export function codecFlags(root, codecsDir, what, targetPlatform) {
  const env = { ...process.env, OFFLOOP_CODECS_DIR: codecsDir, OFFLOOP_TARGET_PLATFORM: targetPlatform };
  const result = spawnSync(process.execPath, [join(root, 'native/codec-flags.mjs'), what], { env, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`cross-build: native/codec-flags.mjs ${what} failed: ${result.stderr}`);
  return result.stdout.split('\n').filter(Boolean);
}

// Compiles the addon's sources (native/sources.gypi, plus `extraSources`)
// with binding.gyp's defines and C++ flags, the codecs' include flags and
// `platformFlags`, into `work`/obj; returns the object files.
export async function compileAddon({ root, codecsDir, work, cxx, targetPlatform, platformFlags, extraSources = [] }) {
  const require = createRequire(join(root, 'package.json'));
  const target = readGyp(join(root, 'binding.gyp')).targets[0];
  const lists = readGyp(join(root, 'native/sources.gypi')).variables;
  const sources = [
    ...lists.offloop_kernel_sources,
    ...lists.offloop_core_sources,
    ...lists.offloop_codec_sources,
    ...lists.offloop_file_sources,
    ...lists.offloop_addon_sources,
    ...extraSources,
  ];
  const headers = dirname(require.resolve('node-api-headers/package.json'));
  const flags = [
    ...target.cflags_cc,
    ...target.defines.map((define) => `-D${define}`),
    ...codecFlags(root, codecsDir, '--cflags', targetPlatform),
    `-I${require('node-addon-api').include_dir}`,
    `-I${join(headers, 'include')}`,
    `-I${join(root, 'native')}`,
    ...platformFlags,
  ];
  const objects = join(work, 'obj');
  const compiles = sources.map((source, index) => {
    const object = join(objects, `${index}-${basename(source, '.cc')}.o`);
    return [cxx, [...flags, '-c', join(root, source), '-o', object], object];
  });
  mkdirSync(objects, { recursive: true });
  console.log(`cross-build: compiling ${compiles.length} sources with ${cxx}`);
  await runAll(
    compiles.map(([command, args]) => [command, args]),
    Math.max(1, Math.min(2, availableParallelism())),
  );
  return compiles.map(([, , object]) => object);
}

// node-api-headers' folder (its def/node_api.def, for Windows' import library).
export function nodeApiHeaders(root) {
  return dirname(createRequire(join(root, 'package.json')).resolve('node-api-headers/package.json'));
}
