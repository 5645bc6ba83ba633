// The arm64 level: simd_kernels.inc over GCC/clang generic vectors of two
// doubles, which map onto NEON registers (NEON is arm64's baseline, so no
// target attribute is needed). Conversions and grayscale are left to the
// auto-vectorizer, which handles them well on arm64 (ld3/ld4 for pixels).
// x86 test builds may compile this file too (OFFLOOP_BUILD_GENERIC_KERNELS)
// to exercise it on the development machine.
#include "kernels_internal.h"

#if defined(OFFLOOP_HAVE_NEON_KERNELS) || \
    (defined(OFFLOOP_BUILD_GENERIC_KERNELS) && (defined(__GNUC__) || defined(__clang__)))

#include <cmath>
#include <cstring>

namespace offloop::kernels {
namespace generic {
using namespace internal;

constexpr int kW = 2;
typedef double VD __attribute__((vector_size(16)));
constexpr int kSumInterleave = 2;

template <class T>
OFFLOOP_INLINE void Load8(const T* p, VD* out) {
  for (int k = 0; k < 4; ++k) {
    out[k] = VD{static_cast<double>(p[2 * k]), static_cast<double>(p[2 * k + 1])};
  }
}

// No portable non-temporal store: streaming stages through L1 and copies.
OFFLOOP_INLINE void StreamLine(void* dst, const void* src) { std::memcpy(dst, src, 64); }
OFFLOOP_INLINE void StreamVD(double* p, VD v) { std::memcpy(p, &v, sizeof v); }
OFFLOOP_INLINE void Prefetch(const void* p) { __builtin_prefetch(p); }
constexpr bool kCanStream = false;
OFFLOOP_INLINE void StreamFence() {}

#include "simd_kernels.inc"

void GrayscaleImpl(const uint8_t* src, const GrayLayout& layout, size_t rows, GrayWeights weights, uint8_t* dst,
                   bool /*stream*/) {
  uint32_t w0 = layout.bgr ? weights.b : weights.r;
  uint32_t w2 = layout.bgr ? weights.r : weights.b;
  size_t width = layout.width;
  if (layout.stride == width * static_cast<size_t>(layout.channels) && rows > 1) {
    width *= rows;
    rows = 1;
  }
  for (size_t r = 0; r < rows; ++r) {
    const uint8_t* row = src + r * layout.stride;
    uint8_t* out = dst + r * width;
    if (layout.channels == 3) {
      GrayPixelsScalar<3>(row, width, w0, weights.g, w2, out);
    } else {
      GrayPixelsScalar<4>(row, width, w0, weights.g, w2, out);
    }
  }
}

}  // namespace generic

namespace internal {
#if defined(OFFLOOP_HAVE_NEON_KERNELS)
const KernelTable kNeonKernels = OFFLOOP_SIMD_KERNEL_TABLE(generic, SimdLevel::kNeon, &generic::GrayscaleImpl);
#else
const KernelTable kGenericKernels = OFFLOOP_SIMD_KERNEL_TABLE(generic, SimdLevel::kScalar, &generic::GrayscaleImpl);
#endif
}  // namespace internal
}  // namespace offloop::kernels

#endif
