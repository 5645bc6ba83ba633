#!/usr/bin/env bash
# Builds native/kernels + test/native/kernels_test.cc with the addon's flags
# and runs the tests at every OFFLOOP_SIMD cap, with ${CXX:-c++} and, when
# installed, clang++ (or g++ when CXX is clang); then native/core and
# native/jobs (the pool, jobs, pages: no Node-API) + test/native/core_test.cc.
# Usage:
#   test/native/build-and-run.sh          # tests
#   BENCH=1 test/native/build-and-run.sh  # also builds and runs kernels_bench
#   QUICK=1 test/native/build-and-run.sh  # no OFFLOOP_SIMD caps: every level is
#                                         # tested directly anyway (npm test uses this)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# Exactly the addon's flags: baseline ISA only (no -march), no fast-math.
flags=(-O3 -std=c++17 -ffp-contract=off -Wall -Wextra -Werror -fPIC)
# Also build the generic (arm64) kernels so they are tested on x86 as well.
defs=(-DOFFLOOP_BUILD_GENERIC_KERNELS)

compilers=("${CXX:-c++}")
for extra in clang++ g++; do
  if command -v "$extra" >/dev/null 2>&1; then
    # The same compiler under another name (c++ -> g++-12 <- g++) counts once.
    first_path="$(readlink -f "$(command -v "${compilers[0]}" || true)")"
    if [[ "$(readlink -f "$(command -v "$extra")")" != "$first_path" ]]; then
      compilers+=("$extra")
      break
    fi
  fi
done

# A test binary's summary, after any FAIL lines (CI's log shows only this).
report() { awk '/^FAIL/ { print; next } { before = last; last = $0 } END { if (before != "") print before; print last }'; }

status=0
for cxx in "${compilers[@]}"; do
  name="$(basename "$cxx")"
  echo "== $name: $("$cxx" --version | head -1)"
  objs=()
  for src in "$root"/native/kernels/*.cc; do
    obj="$tmp/$name-$(basename "${src%.cc}").o"
    "$cxx" "${flags[@]}" "${defs[@]}" -c "$src" -o "$obj"
    objs+=("$obj")
  done
  "$cxx" "${flags[@]}" "${defs[@]}" "${objs[@]}" "$here/kernels_test.cc" -o "$tmp/$name-test"
  caps=("" scalar sse2 avx2 avx512bw)
  [[ "${QUICK:-0}" == 1 ]] && caps=("")
  for cap in "${caps[@]}"; do
    echo "-- OFFLOOP_SIMD=${cap:-<unset>}"
    if ! OFFLOOP_SIMD="$cap" "$tmp/$name-test" | report; then status=1; fi
  done
  if [[ "${BENCH:-0}" == 1 && -f "$here/kernels_bench.cc" ]]; then
    "$cxx" "${flags[@]}" "${defs[@]}" "${objs[@]}" "$here/kernels_bench.cc" -o "$tmp/$name-bench"
    "$tmp/$name-bench"
  fi
done
# The kernel and core sources, from the one list the addon builds use.
mapfile -t core_sources < <(python3 - "$root/native/sources.gypi" <<'PY'
import re, sys
text = re.sub(r"#[^\n]*", "", open(sys.argv[1]).read())
lists = eval(text)["variables"]
for path in lists["offloop_kernel_sources"] + lists["offloop_core_sources"]:
    print(path)
PY
)
cxx="${compilers[0]}"
echo "== core (pool, jobs, pages): $(basename "$cxx")"
core_objs=()
for src in "${core_sources[@]}"; do
  obj="$tmp/core-$(basename "${src%.cc}").o"
  "$cxx" "${flags[@]}" "${defs[@]}" -pthread -I"$root/native" -c "$root/$src" -o "$obj"
  core_objs+=("$obj")
done
"$cxx" "${flags[@]}" "${defs[@]}" -pthread -I"$root/native" "${core_objs[@]}" "$here/core_test.cc" -o "$tmp/core-test"
if ! "$tmp/core-test" | report; then status=1; fi
# The pool sizes itself from the CPUs it may use: run again as on a 1-core
# and a 64-core machine, through a shim for sched_getaffinity (Linux only).
if [[ "$(uname -s)" == Linux ]]; then
  "$cxx" -O2 -shared -fPIC "$here/cpu_count_shim.cc" -o "$tmp/cpu_count_shim.so" -ldl
  # A sanitized build (npm run test:asan) needs its runtime first in the preload list.
  preload="$tmp/cpu_count_shim.so"
  runtime="$(ldd "$tmp/core-test" | awk '/lib(a|t)san\.so/ { print $3; exit }')"
  [[ -n "$runtime" ]] && preload="$runtime:$preload"
  for cpus in 1 64; do
    echo "== core as on $cpus CPU(s)"
    if ! OFFLOOP_FAKE_CPUS=$cpus LD_PRELOAD="$preload" "$tmp/core-test" | report; then status=1; fi
  done
  # Pool threads left at their starter's scheduling (the priority test checks it).
  echo "== core with OFFLOOP_POOL_PRIORITY=normal"
  if ! OFFLOOP_POOL_PRIORITY=normal "$tmp/core-test" | report; then status=1; fi
fi

# 32-bit: 64-bit item counts on a 32-bit size_t (ranges need no memory, so
# their counts exceed it). Where the compiler has no -m32 (Debian:
# g++-multilib), say so and go on.
# The probe includes what the core includes: 32-bit libraries can be
# present while the 32-bit kernel headers are not (Debian's g++-multilib and
# the arm64 cross compiler conflict; installing one removes the other).
# And a kernel can build 32-bit programs without running them (no IA32
# emulation: "Exec format error"), so the probe must also run.
if printf '#include <cerrno>\n#include <thread>\nint main(){}\n' |
    "$cxx" -m32 -pthread -x c++ - -o "$tmp/m32-probe" 2>/dev/null && "$tmp/m32-probe" 2>/dev/null; then
  echo "== core, 32-bit (-m32)"
  "$cxx" "${flags[@]}" "${defs[@]}" -m32 -msse2 -mfpmath=sse -pthread -I"$root/native" \
    "${core_sources[@]/#/$root/}" "$here/core_test.cc" -o "$tmp/core-test-32"
  if ! "$tmp/core-test-32" | report; then status=1; fi
else
  echo "== core, 32-bit: skipped ($cxx cannot build for -m32 here, or this kernel cannot run 32-bit programs; on Debian: apt-get install g++-multilib)"
fi
exit $status
