// MSVC's C4996 would flag std::getenv at /W3, and the build uses /WX. The
// value is only read once, before any thread could call setenv.
#if defined(_MSC_VER) && !defined(_CRT_SECURE_NO_WARNINGS)
#define _CRT_SECURE_NO_WARNINGS
#endif

#include "cpu_features.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#endif

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

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
// CPUID and XGETBV by hand rather than __builtin_cpu_supports: that builtin
// calls __cpu_model and __cpu_indicator_init in the compiler's runtime,
// which Apple's compiler-rt has and the macOS cross toolchain's (Zig's)
// lacks, so a macOS binary built here and using it would not load.
struct CpuidRegisters {
  uint32_t eax, ebx, ecx, edx;
};

CpuidRegisters Cpuid(uint32_t leaf, uint32_t subleaf) {
  CpuidRegisters r{};
  __cpuid_count(leaf, subleaf, r.eax, r.ebx, r.ecx, r.edx);
  return r;
}

// The register state the OS saves on a context switch (XCR0): a CPU may
// have AVX-512 while the OS (or a hypervisor) does not save its registers.
uint64_t OsSavedState() {
  uint32_t low = 0;
  uint32_t high = 0;
  __asm__ volatile("xgetbv" : "=a"(low), "=d"(high) : "c"(0));
  return (static_cast<uint64_t>(high) << 32) | low;
}

constexpr bool Bit(uint32_t value, int bit) { return ((value >> bit) & 1u) != 0; }

SimdLevel DetectHardwareLevel() {
  const uint32_t max_leaf = Cpuid(0, 0).eax;
  const CpuidRegisters features = Cpuid(1, 0);
  const bool sse2 = Bit(features.edx, 26);
  // XGETBV exists only with OSXSAVE; without AVX nothing wider matters.
  const bool os_saves_avx_state = Bit(features.ecx, 27) && Bit(features.ecx, 28);
  const uint64_t saved = os_saves_avx_state ? OsSavedState() : 0;
  const bool ymm_saved = (saved & 0x6) == 0x6;    // SSE and AVX state
  const bool zmm_saved = (saved & 0xE6) == 0xE6;  // and opmask, ZMM0-15 upper halves, ZMM16-31
  const CpuidRegisters extended = max_leaf >= 7 ? Cpuid(7, 0) : CpuidRegisters{};
  const bool avx2 = ymm_saved && Bit(extended.ebx, 5);
  const bool avx512bw = zmm_saved && Bit(extended.ebx, 16) && Bit(extended.ebx, 30) && Bit(extended.ebx, 31);
  if (avx512bw) return SimdLevel::kAvx512bw;
  if (avx2) return SimdLevel::kAvx2;
  return sse2 ? SimdLevel::kSse2 : SimdLevel::kScalar;
}

bool DetectAvx512VbmiVnni() {
  if (DetectHardwareLevel() != SimdLevel::kAvx512bw) return false;
  const CpuidRegisters extended = Cpuid(7, 0);
  return Bit(extended.ecx, 1) && Bit(extended.ecx, 11);  // AVX512_VBMI, AVX512_VNNI
}
#elif defined(__aarch64__) && defined(__ARM_NEON)
SimdLevel DetectHardwareLevel() { return SimdLevel::kNeon; }
bool DetectAvx512VbmiVnni() { return false; }
#else
// MSVC and other architectures: the kernels compile their scalar paths only.
SimdLevel DetectHardwareLevel() { return SimdLevel::kScalar; }
bool DetectAvx512VbmiVnni() { return false; }
#endif

// CPUID traps to the hypervisor in a VM: asked once.
SimdLevel HardwareLevel() {
  static const SimdLevel level = DetectHardwareLevel();  // thread-safe init
  return level;
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

bool HasAvx512VbmiVnni() {
  static const bool has = DetectAvx512VbmiVnni();  // thread-safe init
  return has;
}

}  // namespace offloop::kernels
