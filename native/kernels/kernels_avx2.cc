// AVX2 kernels, compiled for AVX2 through a target region (the rest of the
// binary stays baseline x86-64) and only called after DetectedSimdLevel().
#include "kernels_internal.h"

#if defined(OFFLOOP_HAVE_X86_KERNELS)

#include <immintrin.h>

#include <cmath>
#include <cstring>

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2")
#endif

namespace offloop::kernels {
namespace avx2 {
using namespace internal;

constexpr int kW = 4;
typedef __m256d VD;
constexpr int kSumInterleave = 3;

OFFLOOP_INLINE __m128i LoadU128(const void* p) { return _mm_loadu_si128(static_cast<const __m128i*>(p)); }
OFFLOOP_INLINE __m128i Load32(const void* p) {
  int32_t v;
  std::memcpy(&v, p, sizeof v);
  return _mm_cvtsi32_si128(v);
}
OFFLOOP_INLINE __m128i Load64(const void* p) { return _mm_loadl_epi64(static_cast<const __m128i*>(p)); }

// Each half is widened straight from memory to 4 int32, then converted.
OFFLOOP_INLINE void Load8(const int8_t* p, VD* out) {
  out[0] = _mm256_cvtepi32_pd(_mm_cvtepi8_epi32(Load32(p)));
  out[1] = _mm256_cvtepi32_pd(_mm_cvtepi8_epi32(Load32(p + 4)));
}
OFFLOOP_INLINE void Load8(const uint8_t* p, VD* out) {
  out[0] = _mm256_cvtepi32_pd(_mm_cvtepu8_epi32(Load32(p)));
  out[1] = _mm256_cvtepi32_pd(_mm_cvtepu8_epi32(Load32(p + 4)));
}
OFFLOOP_INLINE void Load8(const int16_t* p, VD* out) {
  out[0] = _mm256_cvtepi32_pd(_mm_cvtepi16_epi32(Load64(p)));
  out[1] = _mm256_cvtepi32_pd(_mm_cvtepi16_epi32(Load64(p + 4)));
}
OFFLOOP_INLINE void Load8(const uint16_t* p, VD* out) {
  out[0] = _mm256_cvtepi32_pd(_mm_cvtepu16_epi32(Load64(p)));
  out[1] = _mm256_cvtepi32_pd(_mm_cvtepu16_epi32(Load64(p + 4)));
}
OFFLOOP_INLINE void Load8(const int32_t* p, VD* out) {
  out[0] = _mm256_cvtepi32_pd(LoadU128(p));
  out[1] = _mm256_cvtepi32_pd(LoadU128(p + 4));
}
OFFLOOP_INLINE void Load8(const uint32_t* p, VD* out) {
  // Flip the sign bit, convert as int32, add 2^31 back (exact in double).
  const __m128i flip = _mm_set1_epi32(INT32_MIN);
  const VD two31 = _mm256_set1_pd(2147483648.0);
  out[0] = _mm256_cvtepi32_pd(_mm_xor_si128(LoadU128(p), flip)) + two31;
  out[1] = _mm256_cvtepi32_pd(_mm_xor_si128(LoadU128(p + 4), flip)) + two31;
}
OFFLOOP_INLINE void Load8(const float* p, VD* out) {
  out[0] = _mm256_cvtps_pd(_mm_loadu_ps(p));
  out[1] = _mm256_cvtps_pd(_mm_loadu_ps(p + 4));
}
OFFLOOP_INLINE void Load8(const double* p, VD* out) {
  out[0] = _mm256_loadu_pd(p);
  out[1] = _mm256_loadu_pd(p + 4);
}

OFFLOOP_INLINE void StreamLine(void* dst, const void* src) {
  const __m256i* s = static_cast<const __m256i*>(src);
  __m256i* d = static_cast<__m256i*>(dst);
  _mm256_stream_si256(d, _mm256_load_si256(s));
  _mm256_stream_si256(d + 1, _mm256_load_si256(s + 1));
}
OFFLOOP_INLINE void StreamVD(double* p, VD v) { _mm256_stream_pd(p, v); }
OFFLOOP_INLINE void Prefetch(const void* p) { _mm_prefetch(static_cast<const char*>(p), _MM_HINT_T0); }
constexpr bool kCanStream = true;
OFFLOOP_INLINE void StreamFence() { _mm_sfence(); }

#include "simd_kernels.inc"

// ---- Grayscale -------------------------------------------------------------

constexpr int kPx = 8;
struct GrayConsts {
  __m256i w02;    // int16 pairs (w0, w2) for the (byte 0, byte 2) words
  __m256i wgg;    // int16 pairs (g_lo, g_hi) for the (G, G) words
  __m256i round;  // 0x8000 per lane
};
OFFLOOP_INLINE GrayConsts MakeGrayConsts(uint32_t w0, uint32_t w2, uint32_t g_lo, uint32_t g_hi) {
  return {_mm256_set1_epi32(static_cast<int>(w0 | (w2 << 16))),
          _mm256_set1_epi32(static_cast<int>(g_lo | (g_hi << 16))), _mm256_set1_epi32(0x8000)};
}

// pshufb controls per 128-bit lane (4 pixels): 32-bit lane j gets the words
// (byte 0, byte 2) resp. (G, G) of pixel j; -1 zeroes a byte.
#define OFFLOOP_B02(s) s, -1, s + 2, -1
#define OFFLOOP_BGG(s) s + 1, -1, s + 1, -1
#define OFFLOOP_LANE_CTRL(M, C) M(0), M(C), M(2 * C), M(3 * C)

template <int C>
OFFLOOP_INLINE __m256i GrayVec(const uint8_t* p, const GrayConsts& k) {
  __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
  if (C == 3) {
    // Bytes 12..27 (pixels 4..7) into the upper 128-bit lane.
    v = _mm256_permutevar8x32_epi32(v, _mm256_setr_epi32(0, 1, 2, 3, 3, 4, 5, 6));
  }
  const __m256i c02 = _mm256_setr_epi8(OFFLOOP_LANE_CTRL(OFFLOOP_B02, C), OFFLOOP_LANE_CTRL(OFFLOOP_B02, C));
  const __m256i cgg = _mm256_setr_epi8(OFFLOOP_LANE_CTRL(OFFLOOP_BGG, C), OFFLOOP_LANE_CTRL(OFFLOOP_BGG, C));
  __m256i b02 = C == 4 ? _mm256_and_si256(v, _mm256_set1_epi32(0x00FF00FF)) : _mm256_shuffle_epi8(v, c02);
  __m256i gg = _mm256_shuffle_epi8(v, cgg);
  __m256i sum = _mm256_add_epi32(_mm256_madd_epi16(b02, k.w02), _mm256_madd_epi16(gg, k.wgg));
  return _mm256_srli_epi32(_mm256_add_epi32(sum, k.round), 16);
}

OFFLOOP_INLINE void StoreGray(uint8_t* dst, __m256i a, __m256i b, __m256i c, __m256i d, bool stream) {
  // The packs work within 128-bit lanes; the permute restores pixel order.
  __m256i bytes = _mm256_packus_epi16(_mm256_packs_epi32(a, b), _mm256_packs_epi32(c, d));
  bytes = _mm256_permutevar8x32_epi32(bytes, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
  if (stream) {
    _mm256_stream_si256(reinterpret_cast<__m256i*>(dst), bytes);
  } else {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst), bytes);
  }
}

#include "grayscale_x86.inc"

}  // namespace avx2
}  // namespace offloop::kernels

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif

namespace offloop::kernels::internal {
const KernelTable kAvx2Kernels = OFFLOOP_SIMD_KERNEL_TABLE(avx2, SimdLevel::kAvx2, &avx2::GrayscaleImpl);
}  // namespace offloop::kernels::internal

#endif  // OFFLOOP_HAVE_X86_KERNELS
