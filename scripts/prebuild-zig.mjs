// The binaries node-gyp cannot build on a Linux glibc machine, cross-built
// with Zig's clang (scripts/zig-cross.sh) from the same sources with the same
// defines and C++ flags as binding.gyp (scripts/cross-build.mjs), each
// link-checked:
//
// darwin (x64 and arm64, macOS 11.0 and later), checked by
// scripts/check-macho.mjs; nothing here can load or run them. Linked as
// node-gyp's xcode_settings do on a Mac:
//  - `-undefined dynamic_lookup`: Node-API is bound at load time to the
//    process that loads the addon (node, Electron, ...);
//  - only the module's entry points exported (-exported_symbol; the sources
//    and the codecs' archives are built with hidden symbols as well);
//  - libc++, libc++abi and Zig's compiler-rt statically (Zig builds them from
//    their sources; it has no stub of the system's libc++ to link against),
//    so the binary needs libSystem only.
// It links with LLVM's ld64.lld (the `ld` of scripts/zig-cross.sh darwin),
// not Zig's own linker, which segfaults on most links of these codecs. The
// result is a Mach-O dylib (Node's process.dlopen loads one as it loads
// node-gyp's bundles).
//
// linux-musl (x64 and arm64: Alpine and other musl systems), checked by
// scripts/check-elf.mjs. Linked by `zig c++ -shared` as binding.gyp links on
// Linux (-z nodelete), against musl's libc.so, which musl's loader takes as
// itself, with:
//  - Node-API left undefined, bound at load time to the process;
//  - libc++, libc++abi, libunwind and compiler-rt statically: musl systems
//    need not have libstdc++ or libgcc_s (Alpine installs them only with a
//    package that asks), and a C++ runtime of the process's (Node's, Bun's)
//    is never mixed with offloop's, as a version script keeps every symbol
//    but the module's entry points local (Zig's linker has no
//    --exclude-libs; the codecs are compiled with hidden symbols too);
//  - stripped, as prebuildify strips the glibc binaries.
//
// Used by scripts/prebuild.mjs --platform darwin and --libc musl.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { codecFlags, compileAddon, run } from './cross-build.mjs';

// What Node looks up in an addon (the second only where the addon names its
// Node-API version; a name the objects do not define is no error).
const ENTRY_POINTS = ['napi_register_module_v1', 'node_api_module_get_api_version_v1'];

function zigTools(root, target, arch) {
  const tools = spawnSync('bash', [join(root, 'scripts/zig-cross.sh'), target, arch], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  if (tools.error || tools.status !== 0)
    throw new Error(`prebuild-zig: no ${target} cross compiler (scripts/zig-cross.sh failed, see above)`);
  return tools.stdout.trim().split('\n').at(-1);
}

export async function buildDarwin({ root, arch, codecsDir, work, outFile }) {
  const bin = zigTools(root, 'darwin', arch);
  const objects = await compileAddon({
    root,
    codecsDir,
    work,
    cxx: join(bin, 'c++'),
    targetPlatform: 'darwin',
    // binding.gyp's xcode_settings: GCC_SYMBOLS_PRIVATE_EXTERN (hidden symbols).
    platformFlags: ['-fvisibility-inlines-hidden'],
  });
  mkdirSync(dirname(outFile), { recursive: true });
  run(join(bin, 'ld'), [
    '-dylib',
    '-dead_strip',
    '-o',
    outFile,
    '-undefined',
    'dynamic_lookup',
    // The install name is no path on the user's Mac; process.dlopen opens by path.
    '-install_name',
    '@rpath/offloop.node',
    ...ENTRY_POINTS.flatMap((name) => ['-exported_symbol', `_${name}`]),
    ...objects,
    ...codecFlags(root, codecsDir, '--libs', 'darwin'),
  ]);
  run(process.execPath, [join(root, 'scripts/check-macho.mjs'), '--arch', arch, outFile]);
  return outFile;
}

export async function buildMusl({ root, arch, codecsDir, work, outFile }) {
  const bin = zigTools(root, 'linux-musl', arch);
  const objects = await compileAddon({
    root,
    codecsDir,
    work,
    cxx: join(bin, 'c++'),
    targetPlatform: 'linux-musl',
    // What node-gyp adds on Linux.
    platformFlags: ['-fPIC', '-pthread', '-fvisibility-inlines-hidden'],
  });
  const versionScript = join(work, 'exports.map');
  writeFileSync(versionScript, `{\n  global: ${ENTRY_POINTS.join('; ')};\n  local: *;\n};\n`);
  mkdirSync(dirname(outFile), { recursive: true });
  run(join(bin, 'c++'), [
    '-shared',
    // Zig builds (and caches) libc++ per optimization mode: one for all links.
    '-O2',
    '-s',
    '-o',
    outFile,
    ...objects,
    ...codecFlags(root, codecsDir, '--libs', 'linux-musl'),
    '-Wl,-z,nodelete',
    '-Wl,--gc-sections',
    `-Wl,--version-script=${versionScript}`,
  ]);
  run(process.execPath, [join(root, 'scripts/check-elf.mjs'), '--arch', arch, '--libc', 'musl', outFile]);
  return outFile;
}
