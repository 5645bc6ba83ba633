// MSVC's C4996 would flag std::getenv at /W3, and the build uses /WX. The
// value is only read once, before any thread could call setenv.
#if defined(_MSC_VER) && !defined(_CRT_SECURE_NO_WARNINGS)
#define _CRT_SECURE_NO_WARNINGS
#endif

#include "cpu_features.h"

#include <cstdlib>
#include <cstring>

namespace offloop::kernels {
namespace {

// Ranks let one OFFLOOP_SIMD value cap every architecture: "sse2" and "neon"
// both mean "the baseline vector ISA".
int Rank(SimdLevel level) {
  switch (level) {
    case SimdLevel::kScalar:
      return 0;
    case SimdLevel::kSse2:
      return 1;
    case SimdLevel::kNeon:
      return 1;
    case SimdLevel::kAvx2:
      return 2;
    case SimdLevel::kAvx512bw:
      return 3;
  }
  return 0;
}

SimdLevel HardwareLevel() {
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
  // __builtin_cpu_supports also checks that the OS saves the wider registers
  // (XGETBV), so a hypervisor that hides AVX-512 state is handled.
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl")) {
    return SimdLevel::kAvx512bw;
  }
  if (__builtin_cpu_supports("avx2")) return SimdLevel::kAvx2;
#if defined(__x86_64__)
  return SimdLevel::kSse2;
#else
  return __builtin_cpu_supports("sse2") ? SimdLevel::kSse2 : SimdLevel::kScalar;
#endif
#elif defined(__aarch64__) && defined(__ARM_NEON)
  return SimdLevel::kNeon;
#else
  // MSVC and other architectures: the kernels compile their scalar paths only.
  return SimdLevel::kScalar;
#endif
}

SimdLevel ApplyCap(SimdLevel hw) {
  const char* cap = std::getenv("OFFLOOP_SIMD");
  if (cap == nullptr || *cap == '\0') return hw;
  static const SimdLevel kAll[] = {SimdLevel::kScalar, SimdLevel::kSse2, SimdLevel::kAvx2, SimdLevel::kAvx512bw,
                                   SimdLevel::kNeon};
  for (SimdLevel level : kAll) {
    if (std::strcmp(cap, SimdLevelName(level)) != 0) continue;
    if (Rank(level) >= Rank(hw)) return hw;
    // Capped below the hardware: the best level of this architecture with
    // rank <= the cap's rank.
    if (Rank(level) == 0) return SimdLevel::kScalar;
    if (hw == SimdLevel::kNeon) return SimdLevel::kNeon;  // rank 1 is NEON's own
    return Rank(level) == 1 ? SimdLevel::kSse2 : SimdLevel::kAvx2;
  }
  return hw;  // unknown names are ignored rather than silently disabling SIMD
}

}  // namespace

SimdLevel DetectedSimdLevel() {
  static const SimdLevel level = ApplyCap(HardwareLevel());  // thread-safe init
  return level;
}

const char* SimdLevelName(SimdLevel level) {
  switch (level) {
    case SimdLevel::kScalar:
      return "scalar";
    case SimdLevel::kSse2:
      return "sse2";
    case SimdLevel::kAvx2:
      return "avx2";
    case SimdLevel::kAvx512bw:
      return "avx512bw";
    case SimdLevel::kNeon:
      return "neon";
  }
  return "unknown";
}

bool SimdLevelSupported(SimdLevel level) {
  SimdLevel hw = HardwareLevel();
  if (level == SimdLevel::kScalar) return true;
  if (level == SimdLevel::kNeon || hw == SimdLevel::kNeon) return level == hw;
  return Rank(level) <= Rank(hw);
}

}  // namespace offloop::kernels
