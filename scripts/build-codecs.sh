#!/usr/bin/env bash
# Builds the image codecs that offloop's prebuilt binaries link statically:
# libjpeg-turbo, libpng, zlib, libdeflate, libwebp (with libwebpdemux and libwebpmux)
# and libtiff as static, position-independent archives (-fPIC, -O2, hidden visibility) plus their
# headers, in one prefix:
#
#   <prefix>/lib/{libjpeg.a,libpng16.a,libz.a,libdeflate.a,libwebp.a,libwebpdemux.a,libwebpmux.a,libtiff.a}
#   <prefix>/include/*.h, <prefix>/include/webp/*.h
#   <prefix>/share/licenses/<library>/          <prefix>/BUILD-INFO
#
# which is what native/codec-flags.mjs expects in OFFLOOP_CODECS_DIR.
#
#   scripts/build-codecs.sh [--source debian|upstream] [--platform win32|darwin] [x64|arm64]
#
# The platform and architecture default to this machine's. Cross builds from
# a Linux host: arm64 on x86-64 with Debian's gcc-aarch64-linux-gnu
# (libjpeg-turbo with its NEON SIMD), and --platform win32 (x64) with Debian's
# mingw-w64 (gcc-mingw-w64-x86-64-posix; libjpeg-turbo's SIMD through nasm's
# win64 output), and --platform darwin (x64 or arm64, macOS 11.0) with Zig's
# clang from scripts/zig-macos.sh (libjpeg-turbo's SIMD through nasm's macho64
# output on x64, its NEON intrinsics on arm64). The last line of stdout is the
# prefix; progress goes to stderr.
# >musl
# --libc musl (linux, x64 or arm64): musl's archives, for Alpine and other
# musl systems, with Zig's clang for x86_64-linux-musl or aarch64-linux-musl
# (scripts/zig-cross.sh linux-musl) where this machine's compiler is not
# musl's (Alpine's own builds with its gcc). The lines between the `>musl`
# and `<musl` markers are musl's only: every other target's cache key hashes
# this script without them (see "cache" below), so adding musl rebuilt none.
# <musl
#
# Versions: those of Debian 12 (bookworm), whose libjpeg-turbo 2.1.5 is what
# Debian's Pillow links: offloop's "exact" mode is checked bit for bit against
# it. Sources, both checked against the sha256 sums pinned below:
#  - debian (default): `apt-get source --download-only` (a deb-src entry is
#    added when none exists: a copy of the system's own Debian/Ubuntu entry
#    with Types: deb-src). Only the .orig tarballs are used: libjpeg-turbo's and
#    libpng's are byte for byte upstream's tag archives; zlib's is Debian's
#    repack (1.2.13.dfsg: some contrib/ folders removed, every other file
#    identical to upstream's v1.2.13 tag).
#  - upstream: the same libjpeg-turbo and libpng files from their GitHub tag
#    archives, and zlib's release tarball (curl or wget). The release workflow
#    uses this.
# Debian's patches are not applied (but libwebp's, below), so both sources build the same code. What
# they are, and why offloop does not need them:
#  - libjpeg-turbo 2.1.5-2: build details (timestamp, RPATH, a man page) and
#    upstream's "initialize SIMD support before every use" (2.1.5.1), which
#    matters only when one libjpeg object moves between threads mid-image; an
#    offloop file job runs on one pool thread from start to end.
#  - libpng 1.6.39-2+deb12u*: a libpng-config tweak and security fixes in the
#    simplified API (png_image_*), png_set_quantize, the getter/setter aliasing
#    of PLTE/tRNS/hIST, and the ARM NEON palette expansion; offloop's decoder
#    uses the progressive reader with no libpng transforms and none of those
#    functions. The NEON code is left out of the arm64 build anyway
#    (PNG_ARM_NEON=off): no decoding output depends on it.
#  - zlib 1.2.13.dfsg-1: build details for minizip and the shared library.
#  - libdeflate 1.14-1: packaging only (PNG encoding deflates with it: a third
#    to a half of zlib's CPU time, see native/codecs/README.md). Debian 12 has
#    no zlib-ng; libdeflate's library is built from lib/ as its Makefile does.
#  - libwebp 1.2.4-0.2+deb12u1: the exception. Its two patches are security
#    fixes in code offloop runs (CVE-2023-4863, the lossless decoder's Huffman
#    tables, exploited in the wild; CVE-2023-1999, a double free in the alpha
#    encoder), so they are applied, from scripts/codec-patches/libwebp/ (copies
#    of Debian's, which are upstream's commits), to either source: the code is
#    then what Debian's Pillow links, whose WebP pixels and bytes the fixtures hold.
#  - tiff 4.5.0-6+deb12u4: likewise. The patches of Debian's series that touch
#    the library (libtiff/: CVE fixes in the LZW decoder, the directory reader,
#    TIFFRGBAImage and LogLuv, and three overflow/NULL fixes) are applied, from
#    scripts/codec-patches/libtiff/ (copies of Debian's, numbered in the
#    series' order); the ones for the tools (tiffcrop, tiffcp, raw2tiff) and the
#    docs are not, as no tool is built. libtiff is built with its own LZW,
#    PackBits and CCITT codecs, Deflate through the zlib above and JPEG through
#    the libjpeg-turbo above (no old-JPEG, 12-bit JPEG, LZMA, ZSTD, WebP, JBIG,
#    LERC, libdeflate, PixarLog, C++ or tools).
#
# Cache: ${OFFLOOP_CODECS_CACHE:-$HOME/.cache/offloop-codecs}/<key>, the key
# made of platform, arch, libc, versions, source and a hash of this script and
# the compiler's version, so a second run prints the prefix at once. Source
# tarballs are kept in <cache>/sources (or OFFLOOP_CODECS_SOURCES): put
# upstream's files there by hand to build without network access.
#
# Env: OFFLOOP_CODECS_SOURCE (debian|upstream), CC (default cc, or the cross
# compiler: aarch64-linux-gnu-gcc, x86_64-w64-mingw32-gcc-posix), JOBS (default 2).
set -euo pipefail

readonly JPEG_VERSION=2.1.5
readonly PNG_VERSION=1.6.39
readonly ZLIB_VERSION=1.2.13
readonly DEFLATE_VERSION=1.14
readonly WEBP_VERSION=1.2.4
readonly TIFF_VERSION=4.5.0

# Pinned sources. libjpeg-turbo and libpng: the tag archives, which are the
# files Debian ships as libjpeg-turbo_2.1.5.orig.tar.gz and
# libpng1.6_1.6.39.orig.tar.gz (their tar streams equal `git archive` of
# upstream's tags 2.1.5 = 3b19db4e and v1.6.39 = 07b88031).
readonly JPEG_URL="https://github.com/libjpeg-turbo/libjpeg-turbo/archive/refs/tags/${JPEG_VERSION}.tar.gz"
readonly JPEG_SHA256=254f3642b04e309fee775123133c6464181addc150499561020312ec61c1bf7c
readonly PNG_URL="https://github.com/pnggroup/libpng/archive/refs/tags/v${PNG_VERSION}.tar.gz"
readonly PNG_SHA256=a00e9d2f2f664186e4202db9299397f851aea71b36a35e74910b8820e380d441
# zlib's own release tarball (not checked on this project's machines, which
# reach only Debian's archive; the same sum is pinned by other projects).
readonly ZLIB_URL="https://github.com/madler/zlib/releases/download/v${ZLIB_VERSION}/zlib-${ZLIB_VERSION}.tar.gz"
readonly ZLIB_SHA256=b3a24de97a8fdbc835b9833169501030b8977031bcb54b3b3ac13740f846ab30
# Debian's repack of it.
readonly ZLIB_DFSG_SHA256=71feb7947e3c00ef125f83b79a4e529bde31171e5babe48b391f06758d1ab0a1
# libdeflate: Debian's libdeflate_1.14.orig.tar.gz. Upstream's tag archive
# (the URL) is pinned to the same sum unchecked: this project's machines reach
# only Debian's archive, so a differing archive fails the download loudly.
readonly DEFLATE_URL="https://github.com/ebiggers/libdeflate/archive/refs/tags/v${DEFLATE_VERSION}.tar.gz"
readonly DEFLATE_SHA256=89e7df898c37c3427b0f39aadcf733731321a278771d20fc553f92da8d4808ac
# libwebp: Debian's libwebp_1.2.4.orig.tar.gz is upstream's signed release
# tarball (its .asc beside it); the URL's file is pinned to the same sum,
# unchecked here for the reason above.
readonly WEBP_URL="https://storage.googleapis.com/downloads.webmproject.org/releases/webp/libwebp-${WEBP_VERSION}.tar.gz"
readonly WEBP_SHA256=7bf5a8a28cc69bcfa8cb214f2c3095703c6b73ac5fba4d5480c205331d9494df
# libtiff: Debian's tiff_4.5.0.orig.tar.bz2 (the archive of upstream's v4.5.0
# tag, top folder libtiff-v4.5.0); the URL's file is pinned to the same sum,
# unchecked here for the reason above.
readonly TIFF_URL="https://gitlab.com/libtiff/libtiff/-/archive/v${TIFF_VERSION}/libtiff-v${TIFF_VERSION}.tar.bz2"
readonly TIFF_SHA256=638f43d7dea33948d5dee7f39572fc0194d9cc3c74195de9dd26a4388a1f880a

say() { echo "build-codecs: $*" >&2; }
die() { echo "build-codecs: error: $*" >&2; exit 1; }

# --- arguments ---------------------------------------------------------------
source_kind=${OFFLOOP_CODECS_SOURCE:-debian}
arch=
platform=
while [[ $# -gt 0 ]]; do
  case "$1" in
    --source) source_kind=${2:?--source needs debian or upstream}; shift 2 ;;
    --source=*) source_kind=${1#--source=}; shift ;;
    --platform) platform=${2:?--platform needs linux, darwin or win32}; shift 2 ;;
    --platform=*) platform=${1#--platform=}; shift ;;
    x64 | arm64) arch=$1; shift ;;
    # >musl
    --libc) want_libc=${2:?--libc needs glibc or musl}; shift 2 ;;
    --libc=*) want_libc=${1#--libc=}; shift ;;
    # <musl
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (usage: build-codecs.sh [--source debian|upstream] [--platform win32|darwin] [x64|arm64])" ;;
  esac
done
[[ $source_kind == debian || $source_kind == upstream ]] || die "--source must be debian or upstream, not '$source_kind'"

os=$(uname -s)
machine=$(uname -m)
case "$machine" in
  x86_64 | amd64) host_arch=x64 ;;
  aarch64 | arm64) host_arch=arm64 ;;
  *) host_arch=$machine ;;
esac
arch=${arch:-$host_arch}
case "$os" in
  Linux) host_platform=linux ;;
  Darwin) host_platform=darwin ;;
  *) die "builds on Linux (and macOS) only, not $os" ;;
esac
platform=${platform:-$host_platform}

# >musl
want_libc=${want_libc:-}
[[ -z $want_libc || $want_libc == glibc || $want_libc == musl ]] || die "--libc must be glibc or musl, not '$want_libc'"
[[ -z $want_libc || $platform == linux ]] || die "--libc is for --platform linux only"
zig_musl=
if [[ $want_libc == musl && $("${CC:-cc}" -dumpmachine 2>/dev/null) != *musl* ]]; then
  # Set before the toolchain lines below, which then take them as given.
  zig_musl=$(bash "$(dirname "${BASH_SOURCE[0]}")/zig-cross.sh" linux-musl "$arch") || die "no musl cross compiler (scripts/zig-cross.sh linux-musl failed)"
  export CC=$zig_musl/cc AR=$zig_musl/ar RANLIB=$zig_musl/ranlib
fi
# <musl
# --- toolchain ---------------------------------------------------------------
# cross: the GNU triple of a cross build; cmake_system/cmake_processor: what
# its CMake toolchain file says.
cross=
if [[ $platform-$arch != "$host_platform-$host_arch" ]]; then
  case "$host_platform-$host_arch>$platform-$arch" in
    linux-x64\>linux-arm64)
      cross=aarch64-linux-gnu cmake_system=Linux cmake_processor=aarch64 hint=gcc-aarch64-linux-gnu ;;
    linux-*\>win32-x64)
      # The posix flavour: std::thread and std::mutex need its winpthreads.
      cross=x86_64-w64-mingw32 cmake_system=Windows cmake_processor=AMD64 hint=gcc-mingw-w64-x86-64-posix ;;
    linux-x64\>darwin-*)
      # Zig's clang (scripts/zig-macos.sh): no GNU triple, its own ar.
      cross=darwin cmake_system=Darwin cmake_processor=$([[ $arch == x64 ]] && echo x86_64 || echo arm64) hint="scripts/zig-macos.sh" ;;
    *) die "cross builds go from linux-x64 to linux-arm64 and darwin, and from linux to win32-x64 only (asked: $host_platform-$host_arch -> $platform-$arch)" ;;
  esac
  if [[ $cross == darwin ]]; then
    if [[ -z ${CC:-} ]]; then
      zig_bin=$(bash "$(dirname "${BASH_SOURCE[0]}")/zig-macos.sh" "$arch") || die "no macOS cross compiler (scripts/zig-macos.sh failed)"
      CC=$zig_bin/cc AR=$zig_bin/ar RANLIB=$zig_bin/ranlib
    fi
    cross_ar=${AR:?CC for darwin needs AR (and RANLIB) beside it}
    cross_ranlib=${RANLIB:?CC for darwin needs RANLIB beside it}
  else
    cross_ar=$cross-ar cross_ranlib=$cross-ranlib
  fi
  cc=${CC:-$cross-gcc$([[ $platform == win32 ]] && echo -posix)}
  command -v "$cc" >/dev/null || die "$cc not found (Debian/Ubuntu: apt-get install $hint)"
  # libtiff's CMake project enables C++ (for its C++ API, not built here) and
  # checks that the compiler links for the target, which the host's c++ does
  # not: the C compiler's C++ sibling (Zig's c++ beside its cc).
  if [[ $cross == darwin ]]; then cross_cxx=$(dirname "$cc")/c++; else cross_cxx=${cc/gcc/g++}; fi
  command -v "$cross_cxx" >/dev/null || die "$cross_cxx not found (the target's C++ compiler, which libtiff's CMake checks)"
else
  cc=${CC:-cc}
  command -v "$cc" >/dev/null || die "no C compiler: $cc not found"
fi
# >musl
if [[ -n $zig_musl ]]; then
  # A cross build whatever the host's arch (zlib's configure gets the triple as CHOST).
  cc=$CC cross=$([[ $arch == x64 ]] && echo x86_64 || echo aarch64)-linux-musl cmake_system=Linux
  cmake_processor=${cross%%-*} cross_ar=$AR cross_ranlib=$RANLIB cross_cxx=$zig_musl/c++
fi
# <musl
libc=
if [[ $platform == linux ]]; then
  # musl's and glibc's archives must not be mixed up in one cache.
  if [[ $("$cc" -dumpmachine 2>/dev/null) == *musl* ]]; then libc=-musl; else libc=-glibc; fi
fi
command -v cmake >/dev/null || die "cmake not found (Debian/Ubuntu: apt-get install cmake; Alpine: apk add cmake; Homebrew: brew install cmake)"
command -v make >/dev/null || die "make not found"
if [[ $arch == x64 ]] && ! command -v nasm >/dev/null; then
  die "nasm not found: libjpeg-turbo needs it for its x86 SIMD (Debian/Ubuntu: apt-get install nasm; Alpine: apk add nasm; Homebrew: brew install nasm)"
fi
jobs=${JOBS:-2}

sha256_of() {
  if command -v sha256sum >/dev/null; then sha256sum "$1" | cut -d' ' -f1; else shasum -a 256 "$1" | cut -d' ' -f1; fi
}

# --- cache -------------------------------------------------------------------
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
script="$here/$(basename "${BASH_SOURCE[0]}")"
# >musl
if [[ $libc != -musl ]]; then
  # Every other target's key: this script without musl's lines.
  script_for_key=$(mktemp)
  sed '/^[[:space:]]*# >musl$/,/^[[:space:]]*# <musl$/d' "$script" >"$script_for_key"
  script=$script_for_key
fi
# <musl
cache=${OFFLOOP_CODECS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/offloop-codecs}
sources=${OFFLOOP_CODECS_SOURCES:-$cache/sources}
cc_version=$("$cc" --version | sed -n 1p)
hash=$({ cat "$script" "$here"/codec-patches/*/*.patch; echo "$cc_version"; } | { command -v sha256sum >/dev/null && sha256sum || shasum -a 256; } | cut -c1-12)
# >musl
[[ $libc == -musl ]] || rm -f "$script"
# <musl
key="$platform-$arch$libc-jpeg$JPEG_VERSION-png$PNG_VERSION-z$ZLIB_VERSION-deflate$DEFLATE_VERSION-webp$WEBP_VERSION-tiff$TIFF_VERSION-$source_kind-$hash"
prefix="$cache/$key"
if [[ -f $prefix/BUILD-INFO ]]; then
  say "cached: $prefix"
  echo "$prefix"
  exit 0
fi
mkdir -p "$cache" "$sources"

# --- sources -----------------------------------------------------------------
# have <file> <sha256>: the file exists and has that sum (a wrong one is removed).
have() {
  [[ -f $1 ]] || return 1
  [[ $(sha256_of "$1") == "$2" ]] && return 0
  say "removing $1: its sha256 is not the pinned $2"
  rm -f "$1"
  return 1
}

download() { # <url> <file> <sha256>
  local url=$1 file=$2 sum=$3 got
  have "$file" "$sum" && return 0
  say "downloading $url"
  if command -v curl >/dev/null; then
    curl -fsSL --retry 3 -o "$file.part" "$url" || die "download failed: $url"
  elif command -v wget >/dev/null; then
    wget -q -O "$file.part" "$url" || die "download failed: $url"
  else
    die "needs curl or wget to download $url (or put the file at $file)"
  fi
  got=$(sha256_of "$file.part")
  [[ $got == "$sum" ]] || { rm -f "$file.part"; die "$url: sha256 $got, expected $sum"; }
  mv "$file.part" "$file"
}

# A deb-src entry for the system's own Debian/Ubuntu archive, when apt has none.
has_deb_src() { [[ $(apt-cache showsrc zlib 2>/dev/null) == *"Package: zlib"* ]]; }
ensure_deb_src() {
  has_deb_src && return 0
  local sudo=() from to
  if [[ $(id -u) -ne 0 ]]; then
    sudo -n true 2>/dev/null || die "apt has no deb-src entry and adding one needs root (or passwordless sudo); or use --source upstream"
    sudo=(sudo -n)
  fi
  for from in /etc/apt/sources.list.d/debian.sources /etc/apt/sources.list.d/ubuntu.sources; do
    if [[ -f $from ]]; then
      to=/etc/apt/sources.list.d/offloop-deb-src.sources
      sed 's/^Types:[[:space:]]*deb[[:space:]]*$/Types: deb-src/' "$from" | "${sudo[@]}" tee "$to" >/dev/null
      break
    fi
  done
  if [[ -z ${to:-} ]]; then
    grep -q '^deb[[:space:]]' /etc/apt/sources.list 2>/dev/null || die "found no Debian/Ubuntu apt source to derive a deb-src entry from; use --source upstream"
    to=/etc/apt/sources.list.d/offloop-deb-src.list
    sed -n 's/^deb[[:space:]]/deb-src /p' /etc/apt/sources.list | "${sudo[@]}" tee "$to" >/dev/null
  fi
  say "added $to (deb-src); apt-get update"
  "${sudo[@]}" apt-get update -qq >&2 || die "apt-get update failed"
  has_deb_src || die "still no source packages after adding $to"
}

# debian_orig <source package> <upstream version> <orig file name> <sha256> <file>
debian_orig() {
  local pkg=$1 version=$2 orig=$3 sum=$4 file=$5 versions v dir apt_opts=()
  have "$file" "$sum" && return 0
  # As root apt would warn that its _apt user cannot write the folder.
  [[ $(id -u) -eq 0 ]] && apt_opts=(-o APT::Sandbox::User=root)
  versions=$(apt-cache showsrc "$pkg" | sed -n 's/^Version: //p' | sort -rV | uniq)
  dir=$(mktemp -d "$sources/.apt-XXXXXX")
  for v in $versions; do
    # 1:2.1.5-2 -> 2.1.5, 1:1.2.13.dfsg-1 -> 1.2.13, 1.6.39-2+deb12u5 -> 1.6.39
    local upstream=${v#*:}
    upstream=${upstream%-*}
    upstream=${upstream%[.+~]dfsg*}
    [[ $upstream == "$version" ]] || continue
    say "apt-get source --download-only $pkg=$v"
    if (cd "$dir" && apt-get source --download-only -qq "${apt_opts[@]}" "$pkg=$v" >&2) && [[ -f $dir/$orig ]]; then
      [[ $(sha256_of "$dir/$orig") == "$sum" ]] || die "$orig from apt has sha256 $(sha256_of "$dir/$orig"), expected $sum"
      mv "$dir/$orig" "$file"
      rm -rf "$dir"
      return 0
    fi
    say "$pkg=$v could not be downloaded; trying an older revision"
  done
  rm -rf "$dir"
  die "apt offers no downloadable $pkg $version (it has: $(echo $versions)); use --source upstream"
}

jpeg_tar="$sources/libjpeg-turbo-$JPEG_VERSION.tar.gz"
png_tar="$sources/libpng-$PNG_VERSION.tar.gz"
deflate_tar="$sources/libdeflate-$DEFLATE_VERSION.tar.gz"
webp_tar="$sources/libwebp-$WEBP_VERSION.tar.gz"
tiff_tar="$sources/libtiff-$TIFF_VERSION.tar.bz2"
if [[ $source_kind == debian ]]; then
  zlib_tar="$sources/zlib_$ZLIB_VERSION.dfsg.orig.tar.bz2"
  zlib_sum=$ZLIB_DFSG_SHA256
  if ! { have "$jpeg_tar" "$JPEG_SHA256" && have "$png_tar" "$PNG_SHA256" && have "$zlib_tar" "$zlib_sum" &&
    have "$deflate_tar" "$DEFLATE_SHA256" && have "$webp_tar" "$WEBP_SHA256" && have "$tiff_tar" "$TIFF_SHA256"; }; then
    command -v apt-get >/dev/null ||
      die "apt-get is not available here, so Debian's source packages cannot be fetched: use --source upstream (downloads upstream's tarballs, checked against pinned sha256 sums), or set OFFLOOP_CODECS_DIR to a prefix built elsewhere"
    ensure_deb_src
    debian_orig libjpeg-turbo "$JPEG_VERSION" "libjpeg-turbo_$JPEG_VERSION.orig.tar.gz" "$JPEG_SHA256" "$jpeg_tar"
    debian_orig libpng1.6 "$PNG_VERSION" "libpng1.6_$PNG_VERSION.orig.tar.gz" "$PNG_SHA256" "$png_tar"
    debian_orig zlib "$ZLIB_VERSION" "zlib_$ZLIB_VERSION.dfsg.orig.tar.bz2" "$ZLIB_DFSG_SHA256" "$zlib_tar"
    debian_orig libdeflate "$DEFLATE_VERSION" "libdeflate_$DEFLATE_VERSION.orig.tar.gz" "$DEFLATE_SHA256" "$deflate_tar"
    debian_orig libwebp "$WEBP_VERSION" "libwebp_$WEBP_VERSION.orig.tar.gz" "$WEBP_SHA256" "$webp_tar"
    debian_orig tiff "$TIFF_VERSION" "tiff_$TIFF_VERSION.orig.tar.bz2" "$TIFF_SHA256" "$tiff_tar"
  fi
else
  zlib_tar="$sources/zlib-$ZLIB_VERSION.tar.gz"
  zlib_sum=$ZLIB_SHA256
  download "$JPEG_URL" "$jpeg_tar" "$JPEG_SHA256"
  download "$PNG_URL" "$png_tar" "$PNG_SHA256"
  download "$ZLIB_URL" "$zlib_tar" "$ZLIB_SHA256"
  download "$DEFLATE_URL" "$deflate_tar" "$DEFLATE_SHA256"
  download "$WEBP_URL" "$webp_tar" "$WEBP_SHA256"
  download "$TIFF_URL" "$tiff_tar" "$TIFF_SHA256"
fi

# --- build -------------------------------------------------------------------
work=$(mktemp -d "$cache/.build-$key-XXXXXX")
trap 'rm -rf "$work"' EXIT
stage="$work/prefix"
mkdir -p "$stage/lib" "$stage/include" "$stage/share/licenses"
log="$work/build.log"
run() { # runs a build command, its output in the log; shows the log's end on failure
  if ! "$@" >>"$log" 2>&1; then
    tail -n 40 "$log" >&2
    die "failed: $*"
  fi
}
for name in jpeg png zlib deflate webp tiff; do mkdir -p "$work/$name"; done
tar -xf "$jpeg_tar" -C "$work/jpeg" --strip-components=1
tar -xf "$png_tar" -C "$work/png" --strip-components=1
tar -xf "$zlib_tar" -C "$work/zlib" --strip-components=1
tar -xf "$deflate_tar" -C "$work/deflate" --strip-components=1
tar -xf "$webp_tar" -C "$work/webp" --strip-components=1
tar -xf "$tiff_tar" -C "$work/tiff" --strip-components=1

# -fvisibility=hidden: the codecs' symbols stay inside offloop.node even where
# the linker has no --exclude-libs; -fPIC: they link into a shared object.
cflags="-O2 -fvisibility=hidden"
[[ $platform == win32 ]] || cflags+=" -fPIC" # (PE code is relocatable as it is)
cmake_args=(-G "Unix Makefiles" -DCMAKE_BUILD_TYPE=Release "-DCMAKE_C_FLAGS_RELEASE=-DNDEBUG"
  "-DCMAKE_C_FLAGS=$cflags" -DCMAKE_POSITION_INDEPENDENT_CODE=ON -DCMAKE_C_COMPILER="$cc"
  # (never installed; libjpeg-turbo's Windows default, c:/..., is no path here)
  -DCMAKE_INSTALL_PREFIX="$stage")
if [[ -n $cross ]]; then
  cat >"$work/toolchain.cmake" <<EOF
set(CMAKE_SYSTEM_NAME $cmake_system)
set(CMAKE_SYSTEM_PROCESSOR $cmake_processor)
set(CMAKE_C_COMPILER $cc)
set(CMAKE_CXX_COMPILER $cross_cxx)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_AR $cross_ar)
set(CMAKE_RANLIB $cross_ranlib)
EOF
  [[ $platform == win32 ]] && echo "set(CMAKE_RC_COMPILER $cross-windres)" >>"$work/toolchain.cmake"
  # (Asked for by CMake on Darwin, used only on shared libraries, none built here.)
  [[ $cross == darwin ]] && echo "set(CMAKE_INSTALL_NAME_TOOL true)" >>"$work/toolchain.cmake"
  cmake_args+=(-DCMAKE_TOOLCHAIN_FILE="$work/toolchain.cmake")
fi
if [[ $platform == darwin && -z $cross ]]; then
  # The oldest macOS binding.gyp builds for (MACOSX_DEPLOYMENT_TARGET there;
  # a cross build's compiler names it in its target, zig-macos.sh).
  export MACOSX_DEPLOYMENT_TARGET=${MACOSX_DEPLOYMENT_TARGET:-11.0}
  cmake_args+=(-DCMAKE_OSX_ARCHITECTURES="$([[ $arch == x64 ]] && echo x86_64 || echo arm64)")
fi

say "$platform-$arch$libc from $source_kind sources, $cc_version, $jobs jobs"
start=$SECONDS

# zlib: its own configure (static only), then the archive and its two headers.
# For Windows, whose configure sends MinGW to win32/Makefile.gcc (a folder
# Debian's repack leaves out), and for macOS from Linux (configure would want
# Apple's libtool as the archiver), the same library objects as that makefile.
(
  cd "$work/zlib"
  if [[ $platform == win32 || $cross == darwin ]]; then
    objects=()
    # (What configure would find on macOS: gzlib.c's lseek is in unistd.h.)
    [[ $platform == darwin ]] && cflags+=" -DHAVE_UNISTD_H -DHAVE_STDARG_H"
    for name in adler32 compress crc32 deflate gzclose gzlib gzread gzwrite infback inffast inflate inftrees trees uncompr zutil; do
      run "$cc" $cflags -c "$name.c" -o "$name.o"
      objects+=("$name.o")
    done
    run "$cross_ar" rcs libz.a "${objects[@]}"
  else
    export CC="$cc" CFLAGS="$cflags"
    [[ -n $cross ]] && export CHOST=$cross
    run ./configure --static --prefix="$stage"
    run make -j"$jobs" libz.a
  fi
  cp libz.a "$stage/lib/"
  cp zlib.h zconf.h "$stage/include/"
  mkdir -p "$stage/share/licenses/zlib" && cp README "$stage/share/licenses/zlib/"
)
say "zlib $ZLIB_VERSION: $((SECONDS - start)) s"

t=$SECONDS
# libjpeg-turbo: the libjpeg API (v6b ABI, as Debian's libjpeg62-turbo), SIMD
# required, arithmetic coding on (a fixture needs the decoder), no TurboJPEG.
run cmake -S "$work/jpeg" -B "$work/jpeg/build" "${cmake_args[@]}" \
  -DENABLE_SHARED=OFF -DENABLE_STATIC=ON -DWITH_TURBOJPEG=OFF -DWITH_JAVA=OFF \
  -DWITH_JPEG7=OFF -DWITH_JPEG8=OFF -DWITH_ARITH_DEC=ON -DWITH_ARITH_ENC=ON \
  -DWITH_SIMD=ON -DREQUIRE_SIMD=ON
run cmake --build "$work/jpeg/build" --target jpeg-static -j "$jobs"
cp "$work/jpeg/build/libjpeg.a" "$stage/lib/"
cp "$work/jpeg/build/jconfig.h" "$work/jpeg/jpeglib.h" "$work/jpeg/jmorecfg.h" "$work/jpeg/jerror.h" "$stage/include/"
mkdir -p "$stage/share/licenses/libjpeg-turbo"
cp "$work/jpeg/LICENSE.md" "$work/jpeg/README.ijg" "$stage/share/licenses/libjpeg-turbo/"
say "libjpeg-turbo $JPEG_VERSION: $((SECONDS - t)) s"

t=$SECONDS
# libpng against the zlib above; no NEON code (see the top of this file).
png_args=(-DPNG_SHARED=OFF -DPNG_STATIC=ON -DPNG_EXECUTABLES=OFF -DPNG_TESTS=OFF
  -DZLIB_LIBRARY="$stage/lib/libz.a" -DZLIB_INCLUDE_DIR="$stage/include")
[[ $arch == arm64 ]] && png_args+=(-DPNG_ARM_NEON=off)
run cmake -S "$work/png" -B "$work/png/build" "${cmake_args[@]}" "${png_args[@]}"
run cmake --build "$work/png/build" --target png_static -j "$jobs"
cp "$work/png/build/libpng16.a" "$stage/lib/"
cp "$work/png/png.h" "$work/png/pngconf.h" "$work/png/build/pnglibconf.h" "$stage/include/"
mkdir -p "$stage/share/licenses/libpng" && cp "$work/png/LICENSE" "$stage/share/licenses/libpng/"
say "libpng $PNG_VERSION: $((SECONDS - t)) s"

t=$SECONDS
# libdeflate: the library's sources (lib/, the x86 and ARM parts guard
# themselves by architecture), as its Makefile compiles them; no CMake in 1.14.
(
  cd "$work/deflate"
  objects=()
  for source in lib/*.c lib/x86/*.c lib/arm/*.c; do
    object=${source//\//_}
    run "$cc" $cflags -I. -c "$source" -o "${object%.c}.o"
    objects+=("${object%.c}.o")
  done
  run "${cross_ar:-ar}" rcs libdeflate.a "${objects[@]}"
  cp libdeflate.a "$stage/lib/"
  cp libdeflate.h "$stage/include/"
  mkdir -p "$stage/share/licenses/libdeflate" && cp COPYING "$stage/share/licenses/libdeflate/"
)
say "libdeflate $DEFLATE_VERSION: $((SECONDS - t)) s"

t=$SECONDS
# libwebp with Debian 12's security patches (see the top of this file): the
# three libraries only (no tools), its SIMD with run-time dispatch, threads
# as its default build has them (offloop asks for none: Pillow's settings).
for patch in "$here"/codec-patches/libwebp/*.patch; do
  run patch -d "$work/webp" -p1 --forward -i "$patch"
done
# libwebp's headers mark its API visibility("default") (WEBP_EXTERN), which
# beats -fvisibility=hidden: without this define the macOS binary, where no
# --exclude-libs applies, exported all of libwebp (scripts/check-macho.mjs).
run cmake -S "$work/webp" -B "$work/webp/build" "${cmake_args[@]}" "-DCMAKE_C_FLAGS=$cflags -DWEBP_EXTERN=extern" \
  -DBUILD_SHARED_LIBS=OFF \
  -DWEBP_BUILD_ANIM_UTILS=OFF -DWEBP_BUILD_CWEBP=OFF -DWEBP_BUILD_DWEBP=OFF -DWEBP_BUILD_GIF2WEBP=OFF \
  -DWEBP_BUILD_IMG2WEBP=OFF -DWEBP_BUILD_VWEBP=OFF -DWEBP_BUILD_WEBPINFO=OFF -DWEBP_BUILD_WEBPMUX=OFF \
  -DWEBP_BUILD_EXTRAS=OFF -DWEBP_BUILD_LIBWEBPMUX=ON
run cmake --build "$work/webp/build" --target webp webpdemux libwebpmux -j "$jobs"
cp "$work/webp/build/libwebp.a" "$work/webp/build/libwebpdemux.a" "$work/webp/build/libwebpmux.a" "$stage/lib/"
mkdir -p "$stage/include/webp"
cp "$work/webp/src/webp/"{decode,encode,demux,mux,mux_types,types}.h "$stage/include/webp/"
mkdir -p "$stage/share/licenses/libwebp" && cp "$work/webp/COPYING" "$work/webp/PATENTS" "$stage/share/licenses/libwebp/"
say "libwebp $WEBP_VERSION: $((SECONDS - t)) s"

t=$SECONDS
# libtiff with Debian 12's library patches (see the top of this file), the
# library only, against the zlib and libjpeg-turbo above; every optional
# codec or library not named is off, so nothing on the build machine is
# picked up. Its API has no visibility attributes: -fvisibility=hidden holds.
# CMath_LIBRARY=m: its FindCMath looks for libm with find_library, which in a
# cross build finds the host's (or none), and then finds no pow: -lm instead
# (a STRING: as a FILEPATH, CMake would make "m" a path). Not for Windows,
# where pow is in the C runtime and a bare "m" in the library list breaks
# libtiff's pkg-config step (mingw's library prefixes include "", and its
# REGEX REPLACE of "^" then fails the configure).
tiff_cmath=()
[[ $platform == win32 ]] || tiff_cmath=(-DCMath_LIBRARY:STRING=m)
for patch in "$here"/codec-patches/libtiff/*.patch; do
  run patch -d "$work/tiff" -p1 --forward -i "$patch"
done
run cmake -S "$work/tiff" -B "$work/tiff/build" "${cmake_args[@]}" -DBUILD_SHARED_LIBS=OFF \
  -Dtiff-tools=OFF -Dtiff-tests=OFF -Dtiff-contrib=OFF -Dtiff-docs=OFF -Dtiff-deprecated=OFF -Dtiff-install=OFF \
  -Dcxx=OFF -Dtiff-opengl=OFF -Dsphinx=OFF -Dld-version-script=OFF \
  ${tiff_cmath[@]+"${tiff_cmath[@]}"} \
  -Dzlib=ON -DZLIB_LIBRARY="$stage/lib/libz.a" -DZLIB_INCLUDE_DIR="$stage/include" \
  -Djpeg=ON -DJPEG_LIBRARY="$stage/lib/libjpeg.a" -DJPEG_INCLUDE_DIR="$stage/include" -Dold-jpeg=OFF -Djpeg12=OFF \
  -Dlibdeflate=OFF -Dpixarlog=OFF -Dlzma=OFF -Dzstd=OFF -Dwebp=OFF -Djbig=OFF -Dlerc=OFF \
  -Dthunder=OFF -Dnext=OFF -Dlogluv=OFF -Dmdi=OFF
run cmake --build "$work/tiff/build" --target tiff -j "$jobs"
cp "$work/tiff/build/libtiff/libtiff.a" "$stage/lib/"
cp "$work/tiff/libtiff/tiff.h" "$work/tiff/libtiff/tiffio.h" "$work/tiff/libtiff/tiffvers.h" \
  "$work/tiff/build/libtiff/tiffconf.h" "$stage/include/"
mkdir -p "$stage/share/licenses/libtiff" && cp "$work/tiff/LICENSE.md" "$stage/share/licenses/libtiff/"
say "libtiff $TIFF_VERSION: $((SECONDS - t)) s"

# --- checks ------------------------------------------------------------------
# The headers say the pinned versions, and the archives link into a shared
# object (Debian's own libjpeg.a / libpng16.a do not: they are not PIC).
grep -q "#define LIBJPEG_TURBO_VERSION  *$JPEG_VERSION\$" "$stage/include/jconfig.h" || die "jconfig.h is not libjpeg-turbo $JPEG_VERSION"
grep -q "#define C_ARITH_CODING_SUPPORTED" "$stage/include/jconfig.h" || die "libjpeg-turbo was built without arithmetic coding"
grep -q "#define D_ARITH_CODING_SUPPORTED" "$stage/include/jconfig.h" || die "libjpeg-turbo was built without arithmetic decoding"
grep -q "#define PNG_LIBPNG_VER_STRING \"$PNG_VERSION\"" "$stage/include/png.h" || die "png.h is not libpng $PNG_VERSION"
grep -q "#define ZLIB_VERSION \"$ZLIB_VERSION\"" "$stage/include/zlib.h" || die "zlib.h is not zlib $ZLIB_VERSION"
grep -q "#define LIBDEFLATE_VERSION_STRING[[:space:]]*\"$DEFLATE_VERSION\"" "$stage/include/libdeflate.h" || die "libdeflate.h is not libdeflate $DEFLATE_VERSION"
grep -q "^AC_INIT(\[libwebp\], \[$WEBP_VERSION\]" "$work/webp/configure.ac" || die "the libwebp sources are not libwebp $WEBP_VERSION"
grep -q "HuffmanTables" "$work/webp/src/utils/huffman_utils.h" || die "libwebp lacks the CVE-2023-4863 fix"
grep -q "#define TIFFLIB_VERSION_STR \"LIBTIFF, Version $TIFF_VERSION\\\\n" "$stage/include/tiffvers.h" || die "tiffvers.h is not libtiff $TIFF_VERSION"
grep -q "^#define JPEG_SUPPORT" "$stage/include/tiffconf.h" && grep -q "^#define ZIP_SUPPORT" "$stage/include/tiffconf.h" ||
  die "libtiff was built without JPEG or Deflate"
cat >"$work/probe.c" <<'EOF'
#include <stdio.h>
#include <jpeglib.h>
#include <png.h>
#include <zlib.h>
#include <libdeflate.h>
#include <webp/decode.h>
#include <webp/demux.h>
#include <webp/mux.h>
#include <tiffio.h>
const char *offloop_codecs_probe(void) {
  struct jpeg_error_mgr err;
  jpeg_std_error(&err);
  libdeflate_free_compressor(libdeflate_alloc_compressor(6));
  WebPMuxDelete(WebPMuxNew());
  WebPAnimDecoderDelete(NULL);
  if (WebPGetDecoderVersion() == 0) return "no webp";
  if (!TIFFIsCODECConfigured(COMPRESSION_JPEG) || !TIFFIsCODECConfigured(COMPRESSION_ADOBE_DEFLATE)) return "no tiff codecs";
  return png_get_libpng_ver(NULL)[0] == zlibVersion()[0] ? "same" : "different";
}
EOF
shared_flag=-shared
[[ $platform == darwin && -z $cross ]] && shared_flag=-dynamiclib
probe_archives=("$stage/lib/libtiff.a" "$stage/lib/libpng16.a" "$stage/lib/libjpeg.a" "$stage/lib/libz.a" "$stage/lib/libdeflate.a"
  "$stage/lib/libwebpmux.a" "$stage/lib/libwebpdemux.a" "$stage/lib/libwebp.a")
if [[ $cross == darwin ]]; then
  # Linked as scripts/prebuild-darwin.mjs links the addon: with ld64.lld (the
  # `ld` beside Zig's cc, scripts/zig-macos.sh), not Zig's own linker.
  run "$cc" $cflags -I"$stage/include" -c "$work/probe.c" -o "$work/probe.o"
  run "${LD:-$(dirname "$cc")/ld}" -dylib -o "$work/probe.so" "$work/probe.o" "${probe_archives[@]}"
else
  run "$cc" $shared_flag $cflags -I"$stage/include" "$work/probe.c" -o "$work/probe.so" \
    "${probe_archives[@]}" -lm $([[ $platform == linux ]] && echo -pthread)
fi

{
  echo "offloop codecs for $platform-$arch$libc, made by scripts/build-codecs.sh (hash $hash)"
  echo "libjpeg-turbo $JPEG_VERSION  sha256 $JPEG_SHA256  $(basename "$jpeg_tar")"
  echo "libpng $PNG_VERSION  sha256 $PNG_SHA256  $(basename "$png_tar")"
  echo "zlib $ZLIB_VERSION  sha256 $zlib_sum  $(basename "$zlib_tar")"
  echo "libdeflate $DEFLATE_VERSION  sha256 $DEFLATE_SHA256  $(basename "$deflate_tar")"
  echo "libwebp $WEBP_VERSION  sha256 $WEBP_SHA256  $(basename "$webp_tar")  + $(cd "$here/codec-patches/libwebp" && echo *.patch)"
  echo "libtiff $TIFF_VERSION  sha256 $TIFF_SHA256  $(basename "$tiff_tar")  + $(cd "$here/codec-patches/libtiff" && echo *.patch)"
  echo "source: $source_kind (patches applied: libwebp's and libtiff's security fixes from scripts/codec-patches/ only)"
  echo "compiler: $cc ($cc_version)"
  echo "cflags: $cflags"
} >"$stage/BUILD-INFO"

# Into place in one rename; a concurrent run that finished first wins.
if [[ ! -e $prefix ]]; then
  if [[ $host_platform == linux ]]; then mv -T "$stage" "$prefix" 2>/dev/null || true; else mv "$stage" "$prefix" || true; fi
fi
[[ -f $prefix/BUILD-INFO ]] || die "could not move the result to $prefix"
say "built in $((SECONDS - start)) s: $prefix"
echo "$prefix"
