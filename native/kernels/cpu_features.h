// Runtime CPU feature detection for kernel dispatch. Shipped binaries target
// the baseline ISA of their architecture; faster paths are picked here.
#pragma once

namespace offloop::kernels {

enum class SimdLevel : int {
  kScalar,  // no SIMD path compiled for this architecture
  kSse2,    // x86-64 baseline
  kAvx2,
  kAvx512bw,
  kNeon,  // arm64 baseline
};

// Detected once, then cached. OFFLOOP_SIMD=scalar|sse2|avx2|avx512bw|neon in
// the environment caps the level (for tests and benchmarks); it never raises
// it above what the CPU supports.
SimdLevel DetectedSimdLevel();
const char* SimdLevelName(SimdLevel level);
// Whether this CPU can run `level`, ignoring OFFLOOP_SIMD (for tests and
// benchmarks that exercise every level).
bool SimdLevelSupported(SimdLevel level);
// Whether this CPU and OS run AVX-512BW plus VBMI and VNNI (a faster
// grayscale inside the kAvx512bw level). Ignores OFFLOOP_SIMD.
bool HasAvx512VbmiVnni();

}  // namespace offloop::kernels
