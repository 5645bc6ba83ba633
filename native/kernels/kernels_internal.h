// Internal to the kernels: the per-SIMD-level function tables and the scalar
// arithmetic every level shares. Not part of the addon-facing API; the native
// tests and benchmarks include it to exercise each level directly.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "cpu_features.h"
#include "grayscale.h"
#include "squares.h"

#if defined(__GNUC__) || defined(__clang__)
#define OFFLOOP_INLINE inline __attribute__((always_inline))
#define OFFLOOP_RESTRICT __restrict__
#elif defined(_MSC_VER)
#define OFFLOOP_INLINE __forceinline
#define OFFLOOP_RESTRICT __restrict
#else
#define OFFLOOP_INLINE inline
#define OFFLOOP_RESTRICT
#endif

// Contraction into FMA would change the Kahan arithmetic. The build passes
// -ffp-contract=off; clang also gets it in-source as a second guard.
#if defined(__clang__)
#define OFFLOOP_NO_FP_CONTRACT _Pragma("clang fp contract(off)")
#else
#define OFFLOOP_NO_FP_CONTRACT
#endif

namespace offloop::kernels::internal {

// Element types with a double-valued square (everything but the BigInts),
// indexed by ElementType (kUint8Clamped shares kUint8's kernels).
constexpr int kNumDoubleTypes = 9;

struct KernelTable {
  SimdLevel level;
  // Squares: `stream` selects non-temporal stores; in/out never partially
  // overlap here (the public wrappers handle that).
  void (*square_to_double[kNumDoubleTypes])(const void* in, double* out, size_t n, bool stream);
  void (*square_range)(double first, double* out, size_t n, bool stream);
  bool (*square_int64)(const int64_t* in, int64_t* out, size_t n, size_t* bad, bool stream);
  bool (*square_uint64)(const uint64_t* in, uint64_t* out, size_t n, size_t* bad, bool stream);
  // blocks[b] = block b of in[0, n) (see SumSquaresBlocks).
  void (*sum_blocks[kNumDoubleTypes])(const void* in, size_t n, CompensatedSum* blocks);
  void (*sum_range_blocks)(double first, size_t n, CompensatedSum* blocks);
  bool (*sum_int64)(const int64_t* in, size_t n, int64_t* sum);
  bool (*sum_uint64)(const uint64_t* in, size_t n, uint64_t* sum);
  // Weights already validated by SimdWeightsOk; layout.channels is 3 or 4.
  void (*grayscale)(const uint8_t* src, const GrayLayout& layout, size_t rows, GrayWeights weights, uint8_t* dst,
                    bool stream);
};

// nullptr when the level is not compiled into this binary or the CPU lacks
// it. Ignores OFFLOOP_SIMD.
const KernelTable* KernelsFor(SimdLevel level);
// The table for DetectedSimdLevel().
const KernelTable& ActiveKernels();

extern const KernelTable kScalarKernels;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define OFFLOOP_HAVE_X86_KERNELS 1
extern const KernelTable kSse2Kernels;
extern const KernelTable kAvx2Kernels;
extern const KernelTable kAvx512bwKernels;
// kAvx512bwKernels with the RGB grayscale of a CPU that also has AVX-512 VBMI
// and VNNI; KernelsFor(kAvx512bw) returns it on such CPUs.
extern const KernelTable kAvx512VbmiKernels;
#elif defined(__aarch64__) && defined(__ARM_NEON) && (defined(__GNUC__) || defined(__clang__))
#define OFFLOOP_HAVE_NEON_KERNELS 1
extern const KernelTable kNeonKernels;
#endif
#if defined(OFFLOOP_BUILD_GENERIC_KERNELS) && !defined(OFFLOOP_HAVE_NEON_KERNELS)
// kernels_generic.cc built on a non-arm64 machine, for tests only.
extern const KernelTable kGenericKernels;
#endif

// ---- Scalar arithmetic shared by all levels (the spec, written once) ----

OFFLOOP_INLINE void TwoSum(double a, double b, double* s, double* e) {
  double sum = a + b;
  double bb = sum - a;
  *e = (a - (sum - bb)) + (b - bb);
  *s = sum;
}

// One Kahan step of one lane.
OFFLOOP_INLINE void KahanAdd(double x, double* s, double* c) {
  double y = x - *c;
  double t = *s + y;
  *c = (t - *s) - y;
  *s = t;
}

// Folds the 8 lanes in lane order. `rescan_has_nan` is consulted only when
// the folded value is not finite.
template <class HasNan>
OFFLOOP_INLINE CompensatedSum FoldLanes(const double* s, const double* c, HasNan has_nan) {
  double hi = 0.0, lo = 0.0;
  for (int l = 0; l < 8; ++l) {
    double e;
    TwoSum(hi, s[l], &hi, &e);
    lo = lo + (e - c[l]);
  }
  CompensatedSum out;
  if (std::isfinite(hi + lo)) {
    out.hi = hi;
    out.lo = lo;
  } else {
    out.hi = has_nan() ? std::nan("") : HUGE_VAL;
    out.lo = 0.0;
  }
  return out;
}

template <class T>
OFFLOOP_INLINE bool AnyNan(const T* in, size_t n) {
  for (size_t j = 0; j < n; ++j) {
    if (std::isnan(static_cast<double>(in[j]))) return true;
  }
  return false;
}

// Largest magnitudes whose squares fit: floor(sqrt(2^63 - 1)), 2^32 - 1.
constexpr uint64_t kMaxInt64Root = 3037000499u;
constexpr uint64_t kMaxUint64Root = 4294967295u;

OFFLOOP_INLINE uint64_t AbsInt64(int64_t v) {
  uint64_t u = static_cast<uint64_t>(v);
  return v < 0 ? 0 - u : u;  // well-defined for INT64_MIN too
}

inline size_t NumBlocks(size_t n) { return (n + kSumBlock - 1) / kSumBlock; }

// The SIMD grayscale paths compute R*r + G*g + B*b with pmaddwd on int16
// weights: r and b directly, g split in two halves. They also saturate where
// the formula would wrap, so they need weights summing to at most 65536.
inline bool SimdWeightsOk(GrayWeights w) {
  return w.r <= 32767 && w.b <= 32767 && w.g <= 65534 && uint64_t{w.r} + w.g + w.b <= 65536;
}

// The spec formula for one pixel; w0 and w2 weigh bytes 0 and 2 (R and B, or
// B and R for bgr).
OFFLOOP_INLINE uint8_t GrayPixel(const uint8_t* p, uint32_t w0, uint32_t wg, uint32_t w2) {
  uint32_t v = p[0] * w0 + p[1] * wg + p[2] * w2 + 0x8000u;
  return static_cast<uint8_t>(v >> 16);
}

template <int C>
OFFLOOP_INLINE void GrayPixelsScalar(const uint8_t* src, size_t count, uint32_t w0, uint32_t wg, uint32_t w2,
                                     uint8_t* dst) {
  for (size_t i = 0; i < count; ++i) dst[i] = GrayPixel(src + i * C, w0, wg, w2);
}

}  // namespace offloop::kernels::internal

// The table of one SIMD namespace built from simd_kernels.inc.
#define OFFLOOP_SIMD_KERNEL_TABLE(ns, level, gray)                                                         \
  {                                                                                                        \
    level, {&ns::SquareToDoubleT<int8_t>,   &ns::SquareToDoubleT<uint8_t>,  &ns::SquareToDoubleT<uint8_t>, \
            &ns::SquareToDoubleT<int16_t>,  &ns::SquareToDoubleT<uint16_t>, &ns::SquareToDoubleT<int32_t>, \
            &ns::SquareToDoubleT<uint32_t>, &ns::SquareToDoubleT<float>,    &ns::SquareToDoubleT<double>}, \
        &ns::SquareRangeImpl, &ns::SquareInt64Impl, &ns::SquareUint64Impl,                                 \
        {&ns::SumBlocksT<int8_t>,   &ns::SumBlocksT<uint8_t>,  &ns::SumBlocksT<uint8_t>,                   \
         &ns::SumBlocksT<int16_t>,  &ns::SumBlocksT<uint16_t>, &ns::SumBlocksT<int32_t>,                   \
         &ns::SumBlocksT<uint32_t>, &ns::SumBlocksT<float>,    &ns::SumBlocksT<double>},                   \
        &ns::SumRangeBlocksImpl, &ns::SumInt64Impl, &ns::SumUint64Impl, gray                               \
  }
