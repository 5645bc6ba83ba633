// The win32-x64 prebuild, cross-built on Linux with Debian's mingw-w64 (the
// posix-threads flavour: std::thread and std::mutex need its winpthreads).
// node-gyp cannot target Windows from Linux, so this compiles the same
// sources (native/sources.gypi) with the same defines and C++ flags
// (binding.gyp) itself (scripts/cross-build.mjs), and links:
//  - Node-API through a delay-load import library made from node-api-headers'
//    def/node_api.def with dlltool, bound on first use to the running
//    executable by native/mingw_delay_load_hook.cc (so Electron and other
//    hosts not named node.exe work);
//  - the codecs' static archives (OFFLOOP_CODECS_DIR, via native/codec-flags.mjs);
//  - libgcc, libstdc++ and winpthreads statically: the binary needs only
//    Windows' own DLLs.
// Used by scripts/prebuild.mjs --platform win32.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { codecFlags, compileAddon, nodeApiHeaders, run } from './cross-build.mjs';

const TRIPLE = 'x86_64-w64-mingw32';
export const MINGW_CXX = `${TRIPLE}-g++-posix`;

export async function buildWin32({ root, codecsDir, work, outFile }) {
  const probe = spawnSync(MINGW_CXX, ['--version'], { stdio: 'ignore' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      `prebuild-mingw: ${MINGW_CXX} not found (Debian/Ubuntu: apt-get install g++-mingw-w64-x86-64-posix)`,
    );
  }
  const objects = await compileAddon({
    root,
    codecsDir,
    work,
    cxx: MINGW_CXX,
    targetPlatform: 'win32',
    extraSources: ['native/mingw_delay_load_hook.cc'],
    platformFlags: [
      // Windows 10's API.
      '-D_WIN32_WINNT=0x0A00',
      // C99's printf (%zu), not msvcrt's.
      '-D__USE_MINGW_ANSI_STDIO=1',
      '-DUNICODE',
      '-D_UNICODE',
    ],
  });

  // Node-API's import library, delay-loaded (dlltool -y) from "node.exe".
  const importLib = join(work, 'libnode_delay.a');
  run(`${TRIPLE}-dlltool`, ['-d', join(nodeApiHeaders(root), 'def/node_api.def'), '-y', importLib, '-D', 'node.exe']);

  mkdirSync(dirname(outFile), { recursive: true });
  run(MINGW_CXX, [
    '-shared',
    '-s',
    '-o',
    outFile,
    ...objects,
    ...codecFlags(root, codecsDir, '--libs', 'win32'),
    importLib,
    '-ldelayimp',
    '-static',
    '-static-libgcc',
    '-static-libstdc++',
  ]);
  // Only Windows' own DLLs may be needed: check the import table.
  const dump = run(`${TRIPLE}-objdump`, ['-p', outFile], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  }).stdout;
  const dlls = [...dump.matchAll(/^\s*DLL Name: (\S+)/gm)].map((match) => match[1].toLowerCase());
  const foreign = dlls.filter(
    (dll) =>
      !/^(kernel32|user32|advapi32|msvcrt|ucrtbase|api-ms-win-[\w-]+|ws2_32|bcrypt|ntdll|shell32|ole32)\.dll$/.test(
        dll,
      ),
  );
  if (foreign.length > 0)
    throw new Error(`prebuild-mingw: ${outFile} needs ${foreign.join(', ')}: only Windows' own DLLs may be`);
  // (GNU ld leaves the delay-import data directory empty; the thunks name
  // node.exe themselves, and it must not be an ordinary import.)
  if (dlls.includes('node.exe') || !readFileSync(outFile).includes('node.exe\0')) {
    throw new Error(`prebuild-mingw: ${outFile} does not delay-load Node-API from node.exe`);
  }
  console.log(`prebuild-mingw: ${outFile}: imports ${dlls.join(', ')}; Node-API delay-loaded`);
  return outFile;
}
