#!/usr/bin/env bash
# offloop under Bun and Deno (their registry builds, fetched and cached by
# scripts/node-dist.sh), with this checkout's build and compiled lib/:
# test/runtimes/smoke.mjs (kernels, image files) and the CLI (gray on a
# folder with --json: exit 0 and the output; a usage error: exit 2).
# A runtime that cannot be fetched is SKIPPED, saying so.
#
#   scripts/runtime-smoke.sh [bun] [deno] [bun-musl] [bun-musl-arm64]     (default: bun deno)
#
# bun-musl: Bun's musl build with prebuilds-cross/linux-x64/offloop.musl.node
# (npm run prebuild:musl first), under Debian's musl (apt-get install musl
# musl-dev; its loader is the one Alpine has at /lib/ld-musl-x86_64.so.1):
# only prebuilds (PREBUILDS_ONLY=1), from a folder holding it beside this
# checkout's offloop.glibc.node where there is one (OFFLOOP_PREBUILD), so
# the loader must pick the musl file by the process's own C library. Bun needs Alpine's libstdc++ and
# libgcc_s, which no registry here has: Debian's, with
# scripts/musl-glibc-shim.c for the glibc functions they call.
#
# bun-musl-arm64: the same with prebuilds-cross/linux-arm64/offloop.musl.node
# (beside prebuilds/linux-arm64/offloop.glibc.node where there is one) and
# the registry's Bun linux-aarch64-musl build, under qemu-aarch64 (Debian's
# qemu-user-static: scripts/arm64-smoke.sh --install). Its guest root (qemu
# -L) is Debian's arm64 musl, libstdc++6 and libgcc-s1, fetched with
# apt-get download into a cache folder and unpacked with dpkg-deb -x: apt
# runs there on its own state folder, so nothing is installed and no foreign
# architecture is added to the system (dpkg --add-architecture would change
# what every later apt-get update fetches). The binary is link-checked
# against that arm64 libc.so first (scripts/check-elf.mjs --musl-libc), and
# the shim is built for arm64 by Zig's cc (scripts/zig-cross.sh linux-musl,
# present wherever the musl binaries were built) and preloaded.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { echo "runtime-smoke: $*"; }
work=$(mktemp -d "${TMPDIR:-/tmp}/offloop-runtimes-XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/in"
cp test/fixtures/images/jpeg/ycc-420-base-61x37.jpg "$work/in/a.jpg"
failed=0
# A folder for musl's loader: Debian's libstdc++ and libgcc_s, and the shim.
musl_host() {
  [[ -x /lib/ld-musl-x86_64.so.1 && -f /usr/lib/x86_64-linux-musl/libc.so ]] || {
    say "SKIPPED bun-musl: no musl here (Debian: apt-get install musl musl-dev)"
    return 1
  }
  [[ -f prebuilds-cross/linux-x64/offloop.musl.node ]] || {
    say "FAILED bun-musl: no prebuilds-cross/linux-x64/offloop.musl.node (npm run prebuild:musl)"
    failed=1
    return 1
  }
  mkdir -p "$work/musl" "$work/musl-prebuilds/prebuilds/linux-x64"
  cp prebuilds-cross/linux-x64/offloop.musl.node "$work/musl-prebuilds/prebuilds/linux-x64/"
  [[ ! -f prebuilds/linux-x64/offloop.glibc.node ]] || cp prebuilds/linux-x64/offloop.glibc.node "$work/musl-prebuilds/prebuilds/linux-x64/"
  cp -L "$(g++ -print-file-name=libstdc++.so.6)" "$(gcc -print-file-name=libgcc_s.so.1)" "$work/musl/"
  gcc -O2 -shared -fPIC -nostdlib -Wl,-soname,ld-linux-x86-64.so.2 scripts/musl-glibc-shim.c \
    -L/usr/lib/x86_64-linux-musl -lc -o "$work/musl/ld-linux-x86-64.so.2"
}
# The guest root for qemu: Debian's arm64 packages, fetched once into the cache.
musl_arm64_root() {
  local cache=${OFFLOOP_MUSL_ARM64_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/offloop-musl-arm64}
  local root=$cache/root
  if [[ ! -f $root/.complete ]]; then
    command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null || return 1
    local apt=(apt-get -qq -o Dir::State="$cache/apt-state" -o Dir::Cache="$cache/apt-cache"
      -o APT::Architecture=arm64 -o APT::Architectures::=arm64 -o Debug::NoLocking=1
      -o Acquire::IndexTargets::deb-src::Sources::DefaultEnabled=false)
    rm -rf "$cache/debs" "$root"
    mkdir -p "$cache/apt-state/lists/partial" "$cache/apt-cache/archives/partial" "$cache/debs" "$root"
    "${apt[@]}" update >&2 &&
      (cd "$cache/debs" && "${apt[@]}" download musl:arm64 libstdc++6:arm64 libgcc-s1:arm64 >&2) || return 1
    local deb
    for deb in "$cache/debs"/*.deb; do dpkg-deb -x "$deb" "$root" || return 1; done
    touch "$root/.complete"
    rm -rf "$cache/apt-state" "$cache/apt-cache" "$cache/debs"
  fi
  echo "$root"
}
# The same folders for the arm64 binary under qemu, and the shim for arm64.
musl_arm64_host() {
  qemu=$(command -v qemu-aarch64-static || command -v qemu-aarch64) || {
    say "SKIPPED bun-musl-arm64: no qemu-aarch64 here (Debian: apt-get install qemu-user-static)"
    return 1
  }
  [[ -f prebuilds-cross/linux-arm64/offloop.musl.node ]] || {
    say "FAILED bun-musl-arm64: no prebuilds-cross/linux-arm64/offloop.musl.node (npm run prebuild:musl)"
    failed=1
    return 1
  }
  arm64_root=$(musl_arm64_root) || {
    say "SKIPPED bun-musl-arm64: Debian's arm64 musl, libstdc++6 and libgcc-s1 could not be had (apt-get download)"
    return 1
  }
  local zig_bin
  zig_bin=$(bash scripts/zig-cross.sh linux-musl arm64) || {
    say "SKIPPED bun-musl-arm64: no Zig to build the shim with (scripts/zig-cross.sh linux-musl arm64)"
    return 1
  }
  node scripts/check-elf.mjs --arch arm64 --libc musl --musl-libc "$arm64_root/lib/aarch64-linux-musl/libc.so" \
    prebuilds-cross/linux-arm64/offloop.musl.node || {
    say "FAILED bun-musl-arm64: the link check against Debian's arm64 musl"
    failed=1
    return 1
  }
  mkdir -p "$work/musl-arm64" "$work/musl-arm64-prebuilds/prebuilds/linux-arm64"
  cp prebuilds-cross/linux-arm64/offloop.musl.node "$work/musl-arm64-prebuilds/prebuilds/linux-arm64/"
  [[ ! -f prebuilds/linux-arm64/offloop.glibc.node ]] || cp prebuilds/linux-arm64/offloop.glibc.node "$work/musl-arm64-prebuilds/prebuilds/linux-arm64/"
  "$zig_bin/cc" -O2 -shared -fPIC -nostdlib scripts/musl-glibc-shim.c \
    -L"$arm64_root/lib/aarch64-linux-musl" -lc -o "$work/musl-arm64/glibc-shim.so" 2>"$work/musl-arm64/shim.log" || {
    cat "$work/musl-arm64/shim.log"
    say "FAILED bun-musl-arm64: the shim did not build"
    failed=1
    return 1
  }
}
runtimes=("$@")
[[ $# -gt 0 ]] || runtimes=(bun deno)
for runtime in "${runtimes[@]}"; do
  case $runtime in
    bun) dir=$(bash scripts/node-dist.sh @oven/bun-linux-x64@1) && exe=("$dir/bin/bun") ;;
    deno) dir=$(bash scripts/node-dist.sh @deno/linux-x64-glibc@2) && exe=("$dir/deno" run -A) ;;
    bun-musl)
      musl_host || continue
      dir=$(bash scripts/node-dist.sh @oven/bun-linux-x64-musl@1) &&
        exe=(env LD_LIBRARY_PATH="$work/musl" PREBUILDS_ONLY=1 OFFLOOP_PREBUILD="$work/musl-prebuilds" "$dir/bin/bun")
      ;;
    bun-musl-arm64)
      musl_arm64_host || continue
      # (-E: the guest's environment only; the library path is inside the guest root.)
      dir=$(bash scripts/node-dist.sh @oven/bun-linux-aarch64-musl@1) &&
        exe=("$qemu" -L "$arm64_root" -E LD_LIBRARY_PATH=/usr/lib/aarch64-linux-gnu:/lib/aarch64-linux-gnu
          -E LD_PRELOAD="$work/musl-arm64/glibc-shim.so" -E PREBUILDS_ONLY=1
          -E OFFLOOP_PREBUILD="$work/musl-arm64-prebuilds" "$dir/bin/bun")
      ;;
    *) say "unknown runtime '$runtime' (bun, deno, bun-musl or bun-musl-arm64)"; exit 2 ;;
  esac || { say "SKIPPED $runtime: its registry package could not be had"; continue; }
  if [[ $runtime == bun-musl* ]]; then
    # The binary it loaded, and the C library it says it runs on.
    arch=$([[ $runtime == bun-musl-arm64 ]] && echo arm64 || echo x64)
    loaded=$("${exe[@]}" -e "const { binaryInfo } = require('./dist/cjs/binding.js'); const h = process.report.getReport().header; console.log(binaryInfo.path, h.glibcVersionRuntime ?? 'musl')") || loaded="load failed"
    if [[ $loaded == */prebuilds/linux-$arch/offloop.musl.node\ musl ]]; then
      say "$runtime: loaded $loaded"
    else
      say "FAILED $runtime: loaded $loaded"
      failed=1
    fi
  fi
  start=$SECONDS
  "${exe[@]}" test/runtimes/smoke.mjs "$work" || failed=1
  status=0
  "${exe[@]}" dist/cjs/cli/main.js gray "$work/in" -o "$work/out-$runtime" --json >"$work/$runtime.json" || status=$?
  if [[ $status -eq 0 && -s $work/out-$runtime/a.jpg ]] && grep -q '"processed":1' "$work/$runtime.json"; then
    say "$runtime: CLI gray --json: exit 0, the output written"
  else
    say "FAILED $runtime: CLI gray exited $status: $(tail -c 400 "$work/$runtime.json")"
    failed=1
  fi
  status=0
  "${exe[@]}" dist/cjs/cli/main.js gray "$work/in" --no-such-flag >/dev/null 2>&1 || status=$?
  [[ $status -eq 2 ]] && say "$runtime: CLI usage error: exit 2" || { say "FAILED $runtime: CLI usage error exited $status"; failed=1; }
  say "$runtime: $((SECONDS - start)) s"
done
[[ $failed == 0 ]] || { say "FAILED"; exit 1; }
say "ok"
