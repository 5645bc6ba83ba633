// The win32-x64 prebuild, cross-built on Linux with Debian's mingw-w64 (the
// posix-threads flavour: std::thread and std::mutex need its winpthreads).
// node-gyp cannot target Windows from Linux, so this compiles the same
// sources (native/sources.gypi) with the same defines and C++ flags
// (binding.gyp) itself, and links:
//  - Node-API through a delay-load import library made from node-api-headers'
//    def/node_api.def with dlltool, bound on first use to the running
//    executable by native/mingw_delay_load_hook.cc (so Electron and other
//    hosts not named node.exe work);
//  - the codecs' static archives (OFFLOOP_CODECS_DIR, via native/codec-flags.mjs);
//  - libgcc, libstdc++ and winpthreads statically: the binary needs only
//    Windows' own DLLs.
// Used by scripts/prebuild.mjs --platform win32.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { basename, dirname, join } from 'node:path';

const TRIPLE = 'x86_64-w64-mingw32';
export const MINGW_CXX = `${TRIPLE}-g++-posix`;

// binding.gyp and native/sources.gypi are Python literals; python3 (which
// node-gyp needs anyway) reads them, as test/native/build-and-run.sh does.
function readGyp(file) {
  const script = 'import json, re, sys\nprint(json.dumps(eval(re.sub(r"#[^\\n]*", "", open(sys.argv[1]).read()))))';
  const result = spawnSync('python3', ['-c', script, file], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`prebuild-mingw: cannot read ${file}: ${result.stderr || result.error}`);
  return JSON.parse(result.stdout);
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (result.error || result.status !== 0) {
    throw new Error(`prebuild-mingw: failed: ${command} ${args.join(' ')}${result.error ? ` (${result.error.message})` : ''}`);
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
      if (status !== 0) throw new Error(`prebuild-mingw: failed: ${command} ${args.join(' ')}`);
    }
  };
  await Promise.all(Array.from({ length: jobs }, worker));
}

export async function buildWin32({ root, codecsDir, work, outFile }) {
  const probe = spawnSync(MINGW_CXX, ['--version'], { stdio: 'ignore' });
  if (probe.error || probe.status !== 0) {
    throw new Error(`prebuild-mingw: ${MINGW_CXX} not found (Debian/Ubuntu: apt-get install g++-mingw-w64-x86-64-posix)`);
  }
  const require = createRequire(join(root, 'package.json'));
  const target = readGyp(join(root, 'binding.gyp')).targets[0];
  const lists = readGyp(join(root, 'native/sources.gypi')).variables;
  const sources = [
    ...lists.offloop_kernel_sources,
    ...lists.offloop_core_sources,
    ...lists.offloop_codec_sources,
    ...lists.offloop_file_sources,
    ...lists.offloop_addon_sources,
    'native/mingw_delay_load_hook.cc',
  ];
  const env = { ...process.env, OFFLOOP_CODECS_DIR: codecsDir };
  const codecFlags = (what) =>
    spawnSync(process.execPath, [join(root, 'native/codec-flags.mjs'), what], { env, encoding: 'utf8' }).stdout.split('\n').filter(Boolean);

  const headers = dirname(require.resolve('node-api-headers/package.json'));
  const flags = [
    ...target.cflags_cc,
    ...target.defines.map((define) => `-D${define}`),
    ...codecFlags('--cflags'),
    `-I${require('node-addon-api').include_dir}`,
    `-I${join(headers, 'include')}`,
    `-I${join(root, 'native')}`,
    // Windows 10's API.
    '-D_WIN32_WINNT=0x0A00',
    // C99's printf (%zu), not msvcrt's.
    '-D__USE_MINGW_ANSI_STDIO=1',
    '-DUNICODE',
    '-D_UNICODE',
  ];
  const objects = join(work, 'obj');
  mkdirSync(objects, { recursive: true });
  const compiles = sources.map((source, index) => {
    const object = join(objects, `${index}-${basename(source, '.cc')}.o`);
    return [MINGW_CXX, [...flags, '-c', join(root, source), '-o', object], object];
  });
  console.log(`prebuild-mingw: compiling ${compiles.length} sources with ${MINGW_CXX}`);
  await runAll(compiles.map(([command, args]) => [command, args]), Math.max(1, Math.min(2, availableParallelism())));

  // Node-API's import library, delay-loaded (dlltool -y) from "node.exe".
  const importLib = join(work, 'libnode_delay.a');
  run(`${TRIPLE}-dlltool`, ['-d', join(headers, 'def/node_api.def'), '-y', importLib, '-D', 'node.exe']);

  mkdirSync(dirname(outFile), { recursive: true });
  run(MINGW_CXX, [
    '-shared', '-s', '-o', outFile,
    ...compiles.map(([, , object]) => object),
    ...codecFlags('--libs'),
    importLib,
    '-ldelayimp',
    '-static', '-static-libgcc', '-static-libstdc++',
  ]);
  // Only Windows' own DLLs may be needed: check the import table.
  const dump = run(`${TRIPLE}-objdump`, ['-p', outFile], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' }).stdout;
  const dlls = [...dump.matchAll(/^\s*DLL Name: (\S+)/gm)].map((match) => match[1].toLowerCase());
  const foreign = dlls.filter((dll) => !/^(kernel32|user32|advapi32|msvcrt|ucrtbase|api-ms-win-[\w-]+|ws2_32|bcrypt|ntdll|shell32|ole32)\.dll$/.test(dll));
  if (foreign.length > 0) throw new Error(`prebuild-mingw: ${outFile} needs ${foreign.join(', ')}: only Windows' own DLLs may be`);
  // (GNU ld leaves the delay-import data directory empty; the thunks name
  // node.exe themselves, and it must not be an ordinary import.)
  if (dlls.includes('node.exe') || !readFileSync(outFile).includes('node.exe\0')) {
    throw new Error(`prebuild-mingw: ${outFile} does not delay-load Node-API from node.exe`);
  }
  console.log(`prebuild-mingw: ${outFile}: imports ${dlls.join(', ')}; Node-API delay-loaded`);
  return outFile;
}

