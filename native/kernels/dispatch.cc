#include "kernels_internal.h"

namespace offloop::kernels::internal {

const KernelTable* KernelsFor(SimdLevel level) {
  if (!SimdLevelSupported(level)) return nullptr;
  switch (level) {
    case SimdLevel::kScalar:
      return &kScalarKernels;
#if defined(OFFLOOP_HAVE_X86_KERNELS)
    case SimdLevel::kSse2:
      return &kSse2Kernels;
    case SimdLevel::kAvx2:
      return &kAvx2Kernels;
    case SimdLevel::kAvx512bw:
      return HasAvx512VbmiVnni() ? &kAvx512VbmiKernels : &kAvx512bwKernels;
#endif
#if defined(OFFLOOP_HAVE_NEON_KERNELS)
    case SimdLevel::kNeon:
      return &kNeonKernels;
#endif
    default:
      return nullptr;
  }
}

const KernelTable& ActiveKernels() {
  static const KernelTable* const table = [] {
    const KernelTable* t = KernelsFor(DetectedSimdLevel());
    return t != nullptr ? t : &kScalarKernels;
  }();
  return *table;
}

}  // namespace offloop::kernels::internal
