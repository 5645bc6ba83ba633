#!/usr/bin/env bash
# offloop under Bun and Deno (their registry builds, fetched and cached by
# scripts/node-dist.sh), with this checkout's build and compiled lib/:
# test/runtimes/smoke.mjs (kernels, image files) and the CLI (gray on a
# folder with --json: exit 0 and the output; a usage error: exit 2).
# A runtime that cannot be fetched is SKIPPED, saying so.
#
#   scripts/runtime-smoke.sh [bun] [deno] [bun-musl]     (default: bun deno)
#
# bun-musl: Bun's musl build with prebuilds-cross/linux-x64/offloop.musl.node
# (npm run prebuild:musl first), under Debian's musl (apt-get install musl
# musl-dev; its loader is the one Alpine has at /lib/ld-musl-x86_64.so.1):
# only prebuilds (PREBUILDS_ONLY=1), from a folder holding it beside this
# checkout's offloop.glibc.node where there is one (OFFLOOP_PREBUILD), so
# the loader must pick the musl file by the process's own C library. Bun needs Alpine's libstdc++ and
# libgcc_s, which no registry here has: Debian's, with
# scripts/musl-glibc-shim.c for the glibc functions they call.
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
    *) say "unknown runtime '$runtime' (bun, deno or bun-musl)"; exit 2 ;;
  esac || { say "SKIPPED $runtime: its registry package could not be had"; continue; }
  if [[ $runtime == bun-musl ]]; then
    # The binary it loaded, and the C library it says it runs on.
    loaded=$("${exe[@]}" -e "const { binaryInfo } = require('./dist/cjs/binding.js'); const h = process.report.getReport().header; console.log(binaryInfo.path, h.glibcVersionRuntime ?? 'musl')") || loaded="load failed"
    if [[ $loaded == */prebuilds/linux-x64/offloop.musl.node\ musl ]]; then
      say "bun-musl: loaded $loaded"
    else
      say "FAILED bun-musl: loaded $loaded"
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
