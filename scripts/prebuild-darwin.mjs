// The macOS binaries (x64 and arm64, macOS 11.0 and later), cross-built on
// Linux with Zig's clang (scripts/zig-macos.sh) and link-checked
// (scripts/check-macho.mjs); nothing here can load or run them. node-gyp
// cannot target macOS from Linux, so this compiles the same sources with the
// same defines and C++ flags (scripts/cross-build.mjs) and links as
// node-gyp's xcode_settings do on a Mac:
//  - `-undefined dynamic_lookup`: Node-API is bound at load time to the
//    process that loads the addon (node, Electron, ...);
//  - hidden symbols (-fvisibility=hidden, the codecs' archives built so):
//    only the module's entry points are exported;
//  - the codecs' static archives (OFFLOOP_CODECS_DIR, via native/codec-flags.mjs);
//  - libc++, libc++abi and libunwind statically (Zig builds them from their
//    sources; it has no stub of the system's libc++ to link against), so the
//    binary needs libSystem only.
// The result is a Mach-O dylib (Node's process.dlopen loads one as it loads
// node-gyp's bundles). Used by scripts/prebuild.mjs --platform darwin.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { codecFlags, compileAddon, run } from './cross-build.mjs';

// Zig 0.11's Mach-O linker stops at absolute symbols ("unhandled symbol
// type: absolute"), and nasm's macho64 objects of libjpeg-turbo's x86 SIMD
// name their constants so (F_0_211 equ ...). They are local and no
// relocation uses them (the values are in the instructions), so a copy of
// the archive without local symbols links (llvm-objcopy --discard-all). x64
// only: arm64's objects (no nasm) need none of this, and their relocations
// name local symbols (Zig's linker crashed on the stripped copy).
function linkableArchive(flag, work, arch) {
  if (arch !== 'x64' || !flag.endsWith('/libjpeg.a')) return flag;
  const copy = join(work, 'libjpeg-no-locals.a');
  copyFileSync(flag, copy);
  run('llvm-objcopy', ['--discard-all', copy]);
  return copy;
}

// Zig 0.11's linker crashed once in three cold links here (a segfault in
// the linker itself, which Zig's handler reports, then aborts). A link that
// crashed so is run once more; any other failure (an undefined symbol, a bad
// flag) fails at once, as does a second crash.
const LINKER_CRASH = /Segmentation fault at address|^panic: |reached unreachable code/m;
const CRASH_SIGNALS = new Set(['SIGSEGV', 'SIGABRT', 'SIGBUS', 'SIGILL']);

function linkerCrashed(result) {
  return CRASH_SIGNALS.has(result.signal) || LINKER_CRASH.test(result.stderr ?? '');
}

function link(cxx, args) {
  for (let attempt = 1; ; attempt++) {
    const result = spawnSync(cxx, args, {
      stdio: ['ignore', 'inherit', 'pipe'],
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    process.stderr.write(result.stderr ?? '');
    if (!result.error && result.status === 0) return;
    if (attempt === 1 && linkerCrashed(result)) {
      console.error(
        `prebuild-darwin: Zig's linker crashed (${result.signal ?? `exit ${result.status}`}); linking once more`,
      );
      continue;
    }
    throw new Error(
      `prebuild-darwin: failed: ${cxx} ${args.join(' ')}${result.error ? ` (${result.error.message})` : ''}${result.signal ? ` (${result.signal})` : ''}`,
    );
  }
}

export async function buildDarwin({ root, arch, codecsDir, work, outFile }) {
  const tools = spawnSync('bash', [join(root, 'scripts/zig-macos.sh'), arch], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  if (tools.error || tools.status !== 0)
    throw new Error('prebuild-darwin: no macOS cross compiler (scripts/zig-macos.sh failed, see above)');
  const cxx = join(tools.stdout.trim().split('\n').at(-1), 'c++');
  const objects = await compileAddon({
    root,
    codecsDir,
    work,
    cxx,
    targetPlatform: 'darwin',
    // binding.gyp's xcode_settings: GCC_SYMBOLS_PRIVATE_EXTERN (hidden symbols).
    platformFlags: ['-fvisibility-inlines-hidden'],
  });
  mkdirSync(dirname(outFile), { recursive: true });
  link(cxx, [
    // -O2 at the link too: Zig builds (and caches) libc++ per optimization
    // mode, and without it links a debug build.
    '-shared',
    '-O2',
    '-o',
    outFile,
    '-Wl,-undefined,dynamic_lookup',
    // The install name is no path on the user's Mac; process.dlopen opens by path.
    '-Wl,-install_name,@rpath/offloop.node',
    ...objects,
    ...codecFlags(root, codecsDir, '--libs', 'darwin').map((flag) => linkableArchive(flag, work, arch)),
    // Strip: local symbols are no use to anyone loading the module.
    '-s',
  ]);
  // What the toolchain's runtime alone exports (scripts/check-macho.mjs).
  const baseline = join(work, 'runtime-baseline.dylib');
  // (A global with a destructor: the linker then exports ___dso_handle, which
  // the runtime's atexit registration names.)
  writeFileSync(
    join(work, 'baseline.cc'),
    '#include <string>\nstatic std::string kept(40, 1);\nint Baseline(int n) { return static_cast<int>(std::string(n, 1).size() + kept.size()); }\n',
  );
  link(cxx, ['-shared', '-O2', '-fvisibility=hidden', '-o', baseline, join(work, 'baseline.cc')]);
  // Zig 0.11's compiler-rt has no __cpu_model / __cpu_indicator_init, which
  // clang's __builtin_cpu_supports (kernels/cpu_features.cc) calls on x86:
  // they stay undefined, and dyld would refuse the x64 binary on a Mac
  // (Apple's compiler-rt, which the release workflow links, has them). The
  // check reports them by name and fails on anything else.
  const gaps = arch === 'x64' ? ['--known-gap', '___cpu_model', '--known-gap', '___cpu_indicator_init'] : [];
  run(process.execPath, [
    join(root, 'scripts/check-macho.mjs'),
    '--arch',
    arch,
    '--runtime-baseline',
    baseline,
    ...gaps,
    outFile,
  ]);
  return outFile;
}
