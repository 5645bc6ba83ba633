// The macOS binaries (x64 and arm64, macOS 11.0 and later), cross-built on
// Linux with Zig's clang (scripts/zig-macos.sh) and link-checked
// (scripts/check-macho.mjs); nothing here can load or run them. node-gyp
// cannot target macOS from Linux, so this compiles the same sources with the
// same defines and C++ flags (scripts/cross-build.mjs) and links as
// node-gyp's xcode_settings do on a Mac:
//  - `-undefined dynamic_lookup`: Node-API is bound at load time to the
//    process that loads the addon (node, Electron, ...);
//  - only the module's entry points exported (-exported_symbol; the sources
//    and the codecs' archives are built with hidden symbols as well);
//  - the codecs' static archives (OFFLOOP_CODECS_DIR, via native/codec-flags.mjs);
//  - libc++, libc++abi and Zig's compiler-rt statically (Zig builds them from
//    their sources; it has no stub of the system's libc++ to link against),
//    so the binary needs libSystem only.
// It links with LLVM's ld64.lld (the `ld` of scripts/zig-macos.sh), not
// Zig's own linker, which segfaults on most links of these codecs.
// The result is a Mach-O dylib (Node's process.dlopen loads one as it loads
// node-gyp's bundles). Used by scripts/prebuild.mjs --platform darwin.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { codecFlags, compileAddon, run } from './cross-build.mjs';

// What Node looks up in an addon (the second only where the addon names its
// Node-API version; a name the objects do not define is no error).
const ENTRY_POINTS = ['_napi_register_module_v1', '_node_api_module_get_api_version_v1'];

export async function buildDarwin({ root, arch, codecsDir, work, outFile }) {
  const tools = spawnSync('bash', [join(root, 'scripts/zig-macos.sh'), arch], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  if (tools.error || tools.status !== 0)
    throw new Error('prebuild-darwin: no macOS cross compiler (scripts/zig-macos.sh failed, see above)');
  const bin = tools.stdout.trim().split('\n').at(-1);
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
    ...ENTRY_POINTS.flatMap((name) => ['-exported_symbol', name]),
    ...objects,
    ...codecFlags(root, codecsDir, '--libs', 'darwin'),
  ]);
  run(process.execPath, [join(root, 'scripts/check-macho.mjs'), '--arch', arch, outFile]);
  return outFile;
}
