#!/usr/bin/env node
// The compiler and linker flags for offloop's image codecs (libjpeg-turbo,
// libpng, zlib, libwebp, libtiff), printed for binding.gyp (`<!@(node native/codec-flags.mjs
// --cflags)`) and CMakeLists.txt alike, so the two builds cannot drift.
//
//   --cflags   include directories (and -DOFFLOOP_CODECS_STATIC=1 for static builds,
//              -DOFFLOOP_HAVE_LIBDEFLATE=1 where PNG encoding deflates with libdeflate)
//   --libs     what to link
//
// Two sources:
//  - the system's libraries, found with pkg-config (a build from a clone, or
//    `npm install` where no prebuilt binary fits). A missing one stops the
//    build with the package to install, per system. libdeflate is optional
//    there (Debian: libdeflate-dev): without it PNG encoding deflates with zlib.
//  - OFFLOOP_CODECS_DIR=<prefix>: static, position-independent archives under
//    <prefix>/lib and headers under <prefix>/include, as scripts/build-codecs.sh
//    makes them for the prebuilt binaries, libdeflate's among them. Their symbols are hidden in
//    offloop.node (--exclude-libs) and bound inside it, so a process that also
//    loads sharp or canvas, each with its own libjpeg, keeps every copy apart.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const MODULES = ['libjpeg', 'libpng', 'zlib', 'libwebp', 'libwebpdemux', 'libwebpmux', 'libtiff-4'];
const INSTALL_HINT = [
  'offloop needs the development files of libjpeg(-turbo), libpng, zlib, libwebp (with libwebpdemux and',
  'libwebpmux) and libtiff (pkg-config name libtiff-4) to build from source:',
  '  Debian/Ubuntu: sudo apt-get install libjpeg-dev libpng-dev zlib1g-dev libwebp-dev libtiff-dev pkg-config',
  '  Fedora/RHEL:   sudo dnf install libjpeg-turbo-devel libpng-devel zlib-devel libwebp-devel libtiff-devel pkgconf-pkg-config',
  '  Alpine:        apk add libjpeg-turbo-dev libpng-dev zlib-dev libwebp-dev tiff-dev pkgconf',
  '  Homebrew:      brew install jpeg-turbo libpng webp libtiff pkg-config',
  '(A prebuilt binary, which needs none of these, exists for linux-x64 and linux-arm64.)',
].join('\n');

const what = process.argv[2];
if (!['--cflags', '--libs'].includes(what)) {
  process.stderr.write('usage: node native/codec-flags.mjs --cflags|--libs\n');
  process.exit(2);
}

const staticDir = process.env.OFFLOOP_CODECS_DIR;
if (staticDir) {
  // (libtiff first: it calls into libjpeg and zlib, and archives resolve left to right.)
  const archives = ['libtiff.a', 'libjpeg.a', 'libpng16.a', 'libz.a', 'libdeflate.a', 'libwebpmux.a', 'libwebpdemux.a', 'libwebp.a'].map((name) => join(staticDir, 'lib', name));
  const missing = archives.filter((path) => !existsSync(path));
  if (missing.length > 0) fail(`OFFLOOP_CODECS_DIR=${staticDir} lacks ${missing.join(', ')} (make them with scripts/build-codecs.sh)`);
  if (what === '--cflags') print([`-I${join(staticDir, 'include')}`, '-DOFFLOOP_CODECS_STATIC=1', '-DOFFLOOP_HAVE_LIBDEFLATE=1']);
  // Apple's linker has no --exclude-libs, nor has Zig's (linux-musl); there the
  // archives' own hidden visibility (build-codecs.sh compiles them so), and for
  // musl a version script, keep the symbols inside.
  // (A cross build names its target: OFFLOOP_TARGET_PLATFORM.)
  else print([...archives, ...(['darwin', 'linux-musl'].includes(process.env.OFFLOOP_TARGET_PLATFORM || process.platform) ? [] : ['-Wl,--exclude-libs,ALL'])]);
} else {
  const probe = spawnSync('pkg-config', ['--exists', '--print-errors', ...MODULES], { encoding: 'utf8' });
  if (probe.error) fail(`pkg-config was not found (${probe.error.message}).\n${INSTALL_HINT}`);
  if (probe.status !== 0) {
    // Name the ones that are missing, not only the whole list.
    const missing = MODULES.filter((name) => spawnSync('pkg-config', ['--exists', name]).status !== 0);
    fail(`pkg-config cannot find ${missing.join(', ') || MODULES.join(', ')}:\n${probe.stderr.trim()}\n${INSTALL_HINT}`);
  }
  const deflate = spawnSync('pkg-config', ['--exists', 'libdeflate']).status === 0 ? ['libdeflate'] : [];
  const flags = spawnSync('pkg-config', [what, ...MODULES, ...deflate], { encoding: 'utf8' });
  if (flags.status !== 0) fail(`pkg-config ${what} failed:\n${flags.stderr.trim()}`);
  const words = flags.stdout.trim().split(/\s+/).filter(Boolean);
  print(what === '--cflags' && deflate.length > 0 ? [...words, '-DOFFLOOP_HAVE_LIBDEFLATE=1'] : words);
}

function print(words) {
  // One per line: gyp's <!@() and CMake's separate_arguments both split on whitespace.
  process.stdout.write(words.join('\n') + (words.length > 0 ? '\n' : ''));
}

function fail(message) {
  process.stderr.write(`\noffloop: ${message}\n\n`);
  process.exit(1);
}
