#!/usr/bin/env bash
# Builds native/codecs (JPEG/PNG <-> 8-bit gray; not linked into the addon yet)
# with test/native/codecs_test.cc against the system libjpeg(-turbo), libpng
# and zlib found by pkg-config, and runs it on test/fixtures/images: once
# optimised, once with -fsanitize=address,undefined. Prints "N passed, M failed"
# per build; exits non-zero if any build fails a check.
# Usage:
#   test/native/codecs-build-and-run.sh            # tests (about a minute on 2 busy cores)
#   NO_SANITIZE=1 test/native/codecs-build-and-run.sh
#   ONLY_SANITIZED=1 test/native/codecs-build-and-run.sh   # (npm run test:asan)
#   BENCH=1 test/native/codecs-build-and-run.sh    # timings on generated 12 MP images instead
#   CODECS_STATIC_DIR=<prefix> test/native/codecs-build-and-run.sh
#       links the static archives of scripts/build-codecs.sh (<prefix>/lib)
#       instead of the system's libraries, as the prebuilt binaries do
#   CODECS_STATIC_DIR=<arm64 prefix> CXX=aarch64-linux-gnu-g++ \
#     CODECS_RUN="qemu-aarch64-static -L /usr/aarch64-linux-gnu" test/native/codecs-build-and-run.sh
#       the same across, run under qemu (no sanitizer build)
# Objects are cached in ${CODECS_BUILD_DIR:-/tmp/offloop-codecs-build} (a
# folder per static prefix and compiler) and rebuilt only when a source or
# header is newer.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cxx="${CXX:-c++}"
read -r -a run_prefix <<<"${CODECS_RUN:-}"
static_dir="${CODECS_STATIC_DIR:-}"
if [[ -n "$static_dir" ]]; then
  out="${CODECS_BUILD_DIR:-/tmp/offloop-codecs-build-static/$(basename "$static_dir")-$(basename "$cxx")}"
else
  out="${CODECS_BUILD_DIR:-/tmp/offloop-codecs-build}"
fi
mkdir -p "$out"

if [[ -n "$static_dir" ]]; then
  for lib in libtiff.a libjpeg.a libpng16.a libz.a libwebp.a libwebpdemux.a libwebpmux.a; do
    [[ -f "$static_dir/lib/$lib" ]] || { echo "codecs: $static_dir/lib/$lib missing (make it with scripts/build-codecs.sh)" >&2; exit 1; }
  done
  codec_cflags=(-I"$static_dir/include")
  codec_libs=("$static_dir/lib/libtiff.a" "$static_dir/lib/libpng16.a" "$static_dir/lib/libjpeg.a" "$static_dir/lib/libz.a"
    "$static_dir/lib/libwebpmux.a" "$static_dir/lib/libwebpdemux.a" "$static_dir/lib/libwebp.a" -pthread -lm)
elif ! pkg-config --exists libjpeg libpng zlib libwebp libwebpdemux libwebpmux libtiff-4; then
  echo "codecs: needs libjpeg, libpng, zlib, libwebp and libtiff development files (pkg-config names libjpeg libpng zlib libwebp libwebpdemux libwebpmux libtiff-4)." >&2
  echo "  Debian/Ubuntu: apt-get install libjpeg-dev libpng-dev zlib1g-dev libwebp-dev libtiff-dev" >&2
  echo "  Fedora: dnf install libjpeg-turbo-devel libpng-devel zlib-devel libwebp-devel libtiff-devel" >&2
  echo "  Alpine: apk add libjpeg-turbo-dev libpng-dev zlib-dev libwebp-dev tiff-dev" >&2
  echo "  Homebrew: brew install jpeg-turbo libpng zlib webp libtiff" >&2
  exit 1
else
  read -r -a codec_cflags <<<"$(pkg-config --cflags libjpeg libpng zlib libwebp libwebpdemux libwebpmux libtiff-4)"
  read -r -a codec_libs <<<"$(pkg-config --libs libjpeg libpng zlib libwebp libwebpdemux libwebpmux libtiff-4)"
fi
flags=(-std=c++17 -Wall -Wextra -Werror -fPIC -I"$root/native" "${codec_cflags[@]}")
# (kernels/orient: the TIFF reader turns an image by its Orientation tag on load, as Pillow.)
sources=("$root"/native/codecs/*.cc "$root"/native/kernels/orient.cc)
headers=("$root"/native/codecs/*.h "$root"/native/kernels/orient.h)

newest_header=0
for h in "${headers[@]}"; do
  t=$(stat -c %Y "$h"); ((t > newest_header)) && newest_header=$t
done

# build <name> <extra flags...>: objects into $out/<name>/, binary $out/<name>/codecs_test
build() {
  local name="$1"; shift
  local dir="$out/$name"
  mkdir -p "$dir"
  local objs=() src obj
  for src in "${sources[@]}" "$here/codecs_test.cc" "${extra_sources[@]}"; do
    obj="$dir/$(basename "${src%.cc}").o"
    if [[ ! -f "$obj" || "$src" -nt "$obj" || $(stat -c %Y "$obj") -lt $newest_header ]]; then
      "$cxx" "${flags[@]}" "$@" -c "$src" -o "$obj"
    fi
    objs+=("$obj")
  done
  "$cxx" "$@" "${objs[@]}" "${codec_libs[@]}" -o "$dir/codecs_test"
}

extra_sources=()
if [[ "${BENCH:-0}" == 1 ]]; then
  # The addon's SIMD gray kernel too, to compare "decode to RGBX then kernel".
  for src in "$root"/native/kernels/*.cc; do [[ $src == */orient.cc ]] || extra_sources+=("$src"); done
  flags+=(-DOFFLOOP_WITH_KERNELS)
  for h in "$root"/native/kernels/*.h "$root"/native/kernels/*.inc; do
    t=$(stat -c %Y "$h"); ((t > newest_header)) && newest_header=$t
  done
  if [[ -f /usr/include/libdeflate.h ]] || pkg-config --exists libdeflate 2>/dev/null; then
    flags+=(-DOFFLOOP_WITH_LIBDEFLATE)
    codec_libs+=(-ldeflate)
  fi
  build bench -O3
  "${run_prefix[@]}" "$out/bench/codecs_test" "$root/test/fixtures/images" --bench
  exit $?
fi

status=0
linkage="system codecs (pkg-config)"
[[ -n "$static_dir" ]] && linkage="static codecs from $static_dir"
if [[ "${ONLY_SANITIZED:-0}" != 1 ]]; then
  echo "== codecs: $("$cxx" --version | head -1), -O2, $linkage"
  build release -O2
  "${run_prefix[@]}" "$out/release/codecs_test" "$root/test/fixtures/images" || status=1
fi

# PNG decoding and encoding take other paths with libdeflate (as the prebuilt
# binaries and source builds that find it do): from here on, build with it
# when it is there (the static prefix always has it).
if [[ -n "$static_dir" && -f "$static_dir/lib/libdeflate.a" ]]; then
  flags+=(-DOFFLOOP_HAVE_LIBDEFLATE=1)
  codec_libs=("${codec_libs[@]:0:${#codec_libs[@]}-1}" "$static_dir/lib/libdeflate.a" -lm)
elif [[ -z "$static_dir" ]] && pkg-config --exists libdeflate 2>/dev/null; then
  flags+=(-DOFFLOOP_HAVE_LIBDEFLATE=1 $(pkg-config --cflags libdeflate))
  read -r -a deflate_libs <<<"$(pkg-config --libs libdeflate)"
  codec_libs+=("${deflate_libs[@]}")
fi
variant=""
[[ " ${flags[*]} " == *" -DOFFLOOP_HAVE_LIBDEFLATE=1 "* ]] && variant="-libdeflate"
if [[ -n "$variant" && "${ONLY_SANITIZED:-0}" != 1 ]]; then
  echo "== codecs: -O2, with libdeflate"
  build release$variant -O2
  "${run_prefix[@]}" "$out/release$variant/codecs_test" "$root/test/fixtures/images" | grep -v '^  ' || status=1
fi

if [[ "${NO_SANITIZE:-0}" != 1 && ${#run_prefix[@]} -eq 0 ]]; then
  echo "== codecs: -fsanitize=address,undefined${variant:+, with libdeflate}"
  build asan$variant -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
    "$out/asan$variant/codecs_test" "$root/test/fixtures/images" | grep -v '^  ' || status=1
  # (per-fixture detail lines, printed by the first run, left out here)
fi
exit $status
