#!/usr/bin/env node
// Writes prebuilds/<platform>-<arch>/offloop.<libc>.node with prebuildify:
// one Node-API binary (NAPI_VERSION=8) serves every Node version from 20 on.
//
//   node scripts/prebuild.mjs                 this machine's platform and arch
//   node scripts/prebuild.mjs --arch arm64    Linux x64 host -> arm64, with
//                                             Debian's g++-aarch64-linux-gnu
//   node scripts/prebuild.mjs --platform win32
//                                             Linux host -> win32-x64, with
//                                             Debian's mingw-w64 (scripts/prebuild-mingw.mjs)
//   node scripts/prebuild.mjs --platform darwin --arch x64|arm64
//                                             Linux x64 host -> macOS, with Zig
//                                             (scripts/prebuild-zig.mjs): built and
//                                             link-checked only, written to
//                                             prebuilds-cross/ (never packed: see README)
//   node scripts/prebuild.mjs --libc musl [--arch x64|arm64]
//                                             Linux glibc host -> linux musl, with Zig
//                                             (scripts/prebuild-zig.mjs): built and
//                                             link-checked, written to
//                                             prebuilds-cross/linux-<arch>/offloop.musl.node
//                                             (not packed either: see README)
//
// The build runs in a temporary copy of the sources, never in the checkout:
// prebuildify runs `node-gyp rebuild`, which would replace build/ (another
// engineer's or the test suite's local build) and, when cross-compiling, leave
// a foreign-arch build/Release/offloop.node that the tests would then load.
//
// Codecs: on Linux and macOS the binary links libjpeg-turbo, libpng and zlib
// statically, with their symbols hidden, so it needs none of them installed
// and keeps apart from the copies other addons (sharp, canvas) bring. scripts/build-codecs.sh
// builds them for the target arch (cached; Debian's source packages by default,
// OFFLOOP_CODECS_SOURCE=upstream for upstream's tarballs) and its prefix goes to
// native/codec-flags.mjs as OFFLOOP_CODECS_DIR. A prefix already in
// OFFLOOP_CODECS_DIR is used as it is. --system-codecs links the system's
// shared libraries instead (pkg-config): a binary for this machine only.
// On Windows the codecs come from OFFLOOP_CODECS_DIR or pkg-config: a static
// MSVC build is not scripted yet; the win32-x64 prebuild is cross-built on
// Linux with mingw-w64 and its codecs (build-codecs.sh --platform win32).
// (macOS: scripted, not yet run on a Mac; cross-built and link-checked on Linux.)
//
// Node headers: if this Node has its headers next to it (<prefix>/include/node,
// as Debian's nodejs and the official tarballs do), node-gyp is pointed at them
// (npm_config_nodedir) so nothing is downloaded. An explicit npm_config_nodedir
// wins. On Windows node-gyp needs node.lib, so it fetches its usual headers.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { arch as hostArch, platform as hostPlatform, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildDarwin, buildMusl } from './prebuild-zig.mjs';
import { buildWin32 } from './prebuild-mingw.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    arch: { type: 'string', default: hostArch() },
    platform: { type: 'string', default: hostPlatform() },
    libc: { type: 'string' },
    'keep-temp': { type: 'boolean', default: false },
    'system-codecs': { type: 'boolean', default: false },
  },
});
const arch = values.arch;
const platform = () => values.platform;
const crossWindows = platform() === 'win32' && hostPlatform() === 'linux';
const crossDarwin = platform() === 'darwin' && hostPlatform() === 'linux';
if (values.libc !== undefined && (platform() !== 'linux' || !['glibc', 'musl'].includes(values.libc)))
  throw new Error(`prebuild: --libc is glibc or musl, for linux only (asked: ${platform()} ${values.libc})`);
// On a glibc machine (an Alpine one builds its own with node-gyp: --libc not needed).
const crossMusl = values.libc === 'musl' && hostPlatform() === 'linux' && !hostIsMusl();
if (crossMusl && !['x64', 'arm64'].includes(arch)) throw new Error(`prebuild: no musl cross build for ${arch}`);
if (
  platform() !== hostPlatform() &&
  !(crossWindows && arch === 'x64') &&
  !(crossDarwin && ['x64', 'arm64'].includes(arch))
) {
  throw new Error(
    `prebuild: no cross build from ${hostPlatform()} to ${platform()}-${arch} (only linux -> win32-x64, darwin-x64, darwin-arm64)`,
  );
}
const env = { ...process.env };

// Cross compilers for the one cross build this project does (Linux -> arm64).
const CROSS = {
  arm64: { triple: 'aarch64-linux-gnu' },
};
let stripBin = 'strip';
if (platform() === 'linux' && arch !== hostArch() && !crossMusl) {
  const cross = CROSS[arch];
  if (!cross) throw new Error(`prebuild: no cross toolchain configured for linux-${arch}`);
  env.CC ??= `${cross.triple}-gcc`;
  env.CXX ??= `${cross.triple}-g++`;
  env.LINK ??= env.CXX;
  env.AR ??= `${cross.triple}-ar`;
  stripBin = `${cross.triple}-strip`;
  const probe = spawnSync(env.CXX, ['--version'], { stdio: 'ignore' });
  if (probe.error || probe.status !== 0) {
    throw new Error(`prebuild: ${env.CXX} not found (Debian/Ubuntu: apt-get install g++-${cross.triple})`);
  }
}

if (values['system-codecs']) {
  delete env.OFFLOOP_CODECS_DIR;
  console.log("prebuild: --system-codecs: linking the system's libjpeg, libpng and zlib (not a self-contained binary)");
} else if (!env.OFFLOOP_CODECS_DIR && (hostPlatform() === 'linux' || hostPlatform() === 'darwin')) {
  // stdout's last line is the prefix; its progress goes to stderr.
  const libc = values.libc ? ['--libc', values.libc] : [];
  const codecs = spawnSync('bash', [join(root, 'scripts/build-codecs.sh'), '--platform', platform(), ...libc, arch], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  if (codecs.error || codecs.status !== 0) {
    console.error(
      "prebuild: scripts/build-codecs.sh failed (see above); --system-codecs links the system's codecs instead",
    );
    process.exit(codecs.status || 1);
  }
  env.OFFLOOP_CODECS_DIR = codecs.stdout.trim().split('\n').at(-1);
}

if (!env.npm_config_nodedir && platform() !== 'win32') {
  const prefix = dirname(dirname(process.execPath));
  if (existsSync(join(prefix, 'include/node/node_api.h'))) env.npm_config_nodedir = prefix;
}

if (crossWindows || crossDarwin || crossMusl) {
  if (!env.OFFLOOP_CODECS_DIR)
    throw new Error(`prebuild: the ${platform()} cross build links static codecs only (no --system-codecs)`);
  const work = mkdtempSync(join(tmpdir(), `offloop-prebuild-${platform()}-`));
  try {
    if (crossWindows)
      await buildWin32({
        root,
        codecsDir: env.OFFLOOP_CODECS_DIR,
        work,
        outFile: join(root, 'prebuilds/win32-x64/offloop.node'),
      });
    else if (crossMusl)
      await buildMusl({
        root,
        arch,
        codecsDir: env.OFFLOOP_CODECS_DIR,
        work,
        outFile: join(root, `prebuilds-cross/linux-${arch}/offloop.musl.node`),
      });
    // Not into prebuilds/ (nor musl's above): nothing here runs these with
    // Node, so the package never carries them; the release workflow builds
    // and tests macOS on Macs and musl on Alpine.
    else
      await buildDarwin({
        root,
        arch,
        codecsDir: env.OFFLOOP_CODECS_DIR,
        work,
        outFile: join(root, `prebuilds-cross/darwin-${arch}/offloop.node`),
      });
  } finally {
    if (values['keep-temp']) console.log(`prebuild: kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
  process.exit(0);
}

// A copy of just what node-gyp needs, with the checkout's node_modules linked in.
const stage = mkdtempSync(join(tmpdir(), 'offloop-prebuild-'));
try {
  for (const entry of ['package.json', 'binding.gyp', 'native'])
    cpSync(join(root, entry), join(stage, entry), { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(stage, 'node_modules'), platform() === 'win32' ? 'junction' : 'dir');

  const prebuildify = join(root, 'node_modules/prebuildify/bin.js');
  // --tag-libc on Linux only (offloop.glibc.node / offloop.musl.node): prebuildify
  // would otherwise tag macOS and Windows binaries "glibc" too.
  const libc = platform() === 'linux' ? ['--tag-libc'] : [];
  const args = [
    prebuildify,
    '--napi',
    '--strip',
    '--strip-bin',
    stripBin,
    ...libc,
    '--arch',
    arch,
    '--cwd',
    stage,
    '--out',
    root,
  ];
  const codecs = env.OFFLOOP_CODECS_DIR ? `static codecs ${env.OFFLOOP_CODECS_DIR}` : 'system codecs (pkg-config)';
  console.log(
    `prebuild: ${platform()}-${arch}${env.CXX ? ` CXX=${env.CXX}` : ''}${env.npm_config_nodedir ? ` nodedir=${env.npm_config_nodedir}` : ''}, ${codecs}`,
  );
  const result = spawnSync(process.execPath, args, { cwd: stage, env, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);

  const out = join(root, 'prebuilds', `${platform()}-${arch}`);
  mkdirSync(out, { recursive: true });
  console.log(`prebuild: ${out}: ${readdirSync(out).join(', ')}`);
} finally {
  if (values['keep-temp']) console.log(`prebuild: kept ${stage}`);
  else rmSync(stage, { recursive: true, force: true });
}

// Whether this Node runs on musl: glibc's processes report its version.
function hostIsMusl() {
  return hostPlatform() === 'linux' && !process.report?.getReport().header?.glibcVersionRuntime;
}
