// The scalar level: the spec written as plainly as possible. It is the
// fallback on compilers/architectures without a SIMD level (MSVC, others),
// the path for overlapping in/out buffers, and the reference the SIMD levels
// are tested against. The compiler may still auto-vectorize these loops;
// that never changes results (no reassociation without -ffast-math).
#include <cmath>
#include <limits>

#include "kernels_internal.h"

OFFLOOP_NO_FP_CONTRACT

namespace offloop::kernels {
namespace scalar {
using namespace internal;

// No restrict: in and out may overlap in any way, and the result is that of
// this sequential loop.
template <class T>
void SquareToDoubleT(const void* in_v, double* out, size_t n, bool /*stream*/) {
  const T* in = static_cast<const T*>(in_v);
  for (size_t i = 0; i < n; ++i) {
    double x = static_cast<double>(in[i]);
    out[i] = x * x;
  }
}

void SquareRangeImpl(double first, double* out, size_t n, bool /*stream*/) {
  for (size_t i = 0; i < n; ++i) {
    double x = first + static_cast<double>(i);
    out[i] = x * x;
  }
}

template <class T>
bool MulOverflows(T a, T* product) {
#if defined(__GNUC__) || defined(__clang__)
  return __builtin_mul_overflow(a, a, product);
#else
  uint64_t limit = std::numeric_limits<T>::is_signed ? kMaxInt64Root : kMaxUint64Root;
  uint64_t m = std::numeric_limits<T>::is_signed ? AbsInt64(static_cast<int64_t>(a)) : static_cast<uint64_t>(a);
  if (m > limit) return true;
  *product = static_cast<T>(m * m);
  return false;
#endif
}

template <class T>
bool AddOverflows(T a, T b, T* sum) {
#if defined(__GNUC__) || defined(__clang__)
  return __builtin_add_overflow(a, b, sum);
#else
  if (std::numeric_limits<T>::is_signed) {
    // Only non-negative sums of squares reach here in practice, but stay
    // correct for any operands.
    if ((b > 0 && a > std::numeric_limits<T>::max() - b) || (b < 0 && a < std::numeric_limits<T>::min() - b)) {
      return true;
    }
  } else if (a > std::numeric_limits<T>::max() - b) {
    return true;
  }
  *sum = static_cast<T>(a + b);
  return false;
#endif
}

template <class T>
bool SquareIntT(const T* in, T* out, size_t n, size_t* bad, bool /*stream*/) {
  for (size_t i = 0; i < n; ++i) {
    T sq;
    if (MulOverflows(in[i], &sq)) {
      *bad = i;
      return false;
    }
    out[i] = sq;
  }
  return true;
}

template <class T>
bool SumIntT(const T* in, size_t n, T* sum) {
  T total = 0;
  for (size_t i = 0; i < n; ++i) {
    T sq;
    if (MulOverflows(in[i], &sq) || AddOverflows(total, sq, &total)) return false;
  }
  *sum = total;
  return true;
}

template <class Root>
CompensatedSum SumBlock(size_t m, Root root) {
  double s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  double c[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  for (size_t j = 0; j < m; ++j) {
    double v = root(j);
    KahanAdd(v * v, &s[j % 8], &c[j % 8]);
  }
  return FoldLanes(s, c, [&] {
    for (size_t j = 0; j < m; ++j) {
      if (std::isnan(root(j))) return true;
    }
    return false;
  });
}

template <class T>
void SumBlocksT(const void* in_v, size_t n, CompensatedSum* blocks) {
  const T* in = static_cast<const T*>(in_v);
  for (size_t b = 0; b * kSumBlock < n; ++b) {
    const T* p = in + b * kSumBlock;
    size_t m = n - b * kSumBlock < kSumBlock ? n - b * kSumBlock : kSumBlock;
    blocks[b] = SumBlock(m, [p](size_t j) { return static_cast<double>(p[j]); });
  }
}

void SumRangeBlocksImpl(double first, size_t n, CompensatedSum* blocks) {
  for (size_t b = 0; b * kSumBlock < n; ++b) {
    double fb = first + static_cast<double>(b * kSumBlock);
    size_t m = n - b * kSumBlock < kSumBlock ? n - b * kSumBlock : kSumBlock;
    blocks[b] = SumBlock(m, [fb](size_t j) { return fb + static_cast<double>(j); });
  }
}

bool SquareInt64Impl(const int64_t* in, int64_t* out, size_t n, size_t* bad, bool stream) {
  return SquareIntT(in, out, n, bad, stream);
}
bool SquareUint64Impl(const uint64_t* in, uint64_t* out, size_t n, size_t* bad, bool stream) {
  return SquareIntT(in, out, n, bad, stream);
}
bool SumInt64Impl(const int64_t* in, size_t n, int64_t* sum) { return SumIntT(in, n, sum); }
bool SumUint64Impl(const uint64_t* in, size_t n, uint64_t* sum) { return SumIntT(in, n, sum); }

void GrayscaleImpl(const uint8_t* src, const GrayLayout& layout, size_t rows, GrayWeights weights, uint8_t* dst,
                   bool /*stream*/) {
  uint32_t w0 = layout.bgr ? weights.b : weights.r;
  uint32_t w2 = layout.bgr ? weights.r : weights.b;
  for (size_t r = 0; r < rows; ++r) {
    const uint8_t* row = src + r * layout.stride;
    uint8_t* out = dst + r * layout.width;
    if (layout.channels == 3) {
      GrayPixelsScalar<3>(row, layout.width, w0, weights.g, w2, out);
    } else {
      GrayPixelsScalar<4>(row, layout.width, w0, weights.g, w2, out);
    }
  }
}

}  // namespace scalar

namespace internal {
const KernelTable kScalarKernels = OFFLOOP_SIMD_KERNEL_TABLE(scalar, SimdLevel::kScalar, &scalar::GrayscaleImpl);
}  // namespace internal
}  // namespace offloop::kernels
