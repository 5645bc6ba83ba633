// x86-64 baseline (SSE2) kernels. SSE2 is part of x86-64 itself, so no target
// attribute is needed; this file is the path every x86-64 CPU can run.
#include "kernels_internal.h"

#if defined(OFFLOOP_HAVE_X86_KERNELS)

#include <emmintrin.h>
#include <xmmintrin.h>

#include <cmath>
#include <cstring>

namespace offloop::kernels {
namespace sse2 {
using namespace internal;

constexpr int kW = 2;
typedef __m128d VD;
constexpr int kSumInterleave = 2;

OFFLOOP_INLINE void I32ToD(__m128i v, VD* out) {
  out[0] = _mm_cvtepi32_pd(v);
  out[1] = _mm_cvtepi32_pd(_mm_shuffle_epi32(v, 0xEE));
}
OFFLOOP_INLINE __m128i LoadLo64(const void* p) { return _mm_loadl_epi64(static_cast<const __m128i*>(p)); }
OFFLOOP_INLINE __m128i LoadU128(const void* p) { return _mm_loadu_si128(static_cast<const __m128i*>(p)); }
// Sign-extends the 8 int16 of w into two int32 vectors.
OFFLOOP_INLINE void I16ToD(__m128i w, VD* out) {
  I32ToD(_mm_srai_epi32(_mm_unpacklo_epi16(w, w), 16), out);
  I32ToD(_mm_srai_epi32(_mm_unpackhi_epi16(w, w), 16), out + 2);
}
OFFLOOP_INLINE void U16ToD(__m128i w, VD* out) {
  const __m128i z = _mm_setzero_si128();
  I32ToD(_mm_unpacklo_epi16(w, z), out);
  I32ToD(_mm_unpackhi_epi16(w, z), out + 2);
}

OFFLOOP_INLINE void Load8(const int8_t* p, VD* out) {
  __m128i b = LoadLo64(p);
  I16ToD(_mm_srai_epi16(_mm_unpacklo_epi8(b, b), 8), out);
}
OFFLOOP_INLINE void Load8(const uint8_t* p, VD* out) {
  U16ToD(_mm_unpacklo_epi8(LoadLo64(p), _mm_setzero_si128()), out);
}
OFFLOOP_INLINE void Load8(const int16_t* p, VD* out) { I16ToD(LoadU128(p), out); }
OFFLOOP_INLINE void Load8(const uint16_t* p, VD* out) { U16ToD(LoadU128(p), out); }
OFFLOOP_INLINE void Load8(const int32_t* p, VD* out) {
  I32ToD(LoadU128(p), out);
  I32ToD(LoadU128(p + 4), out + 2);
}
OFFLOOP_INLINE void Load8(const uint32_t* p, VD* out) {
  // No unsigned conversion before AVX-512: flip the sign bit, convert as
  // int32, add 2^31 back (exact in double).
  const __m128i flip = _mm_set1_epi32(INT32_MIN);
  const VD two31 = _mm_set1_pd(2147483648.0);
  I32ToD(_mm_xor_si128(LoadU128(p), flip), out);
  I32ToD(_mm_xor_si128(LoadU128(p + 4), flip), out + 2);
  for (int k = 0; k < 4; ++k) out[k] = out[k] + two31;
}
OFFLOOP_INLINE void Load8(const float* p, VD* out) {
  for (int h = 0; h < 2; ++h) {
    __m128 f = _mm_loadu_ps(p + 4 * h);
    out[2 * h] = _mm_cvtps_pd(f);
    out[2 * h + 1] = _mm_cvtps_pd(_mm_movehl_ps(f, f));
  }
}
OFFLOOP_INLINE void Load8(const double* p, VD* out) {
  for (int k = 0; k < 4; ++k) out[k] = _mm_loadu_pd(p + 2 * k);
}

OFFLOOP_INLINE void StreamLine(void* dst, const void* src) {
  for (int k = 0; k < 4; ++k) {
    _mm_stream_si128(static_cast<__m128i*>(dst) + k, _mm_load_si128(static_cast<const __m128i*>(src) + k));
  }
}
OFFLOOP_INLINE void StreamVD(double* p, VD v) { _mm_stream_pd(p, v); }
OFFLOOP_INLINE void Prefetch(const void* p) { _mm_prefetch(static_cast<const char*>(p), _MM_HINT_T0); }
constexpr bool kCanStream = true;
OFFLOOP_INLINE void StreamFence() { _mm_sfence(); }

#include "simd_kernels.inc"

// ---- Grayscale -------------------------------------------------------------

constexpr int kPx = 4;
struct GrayConsts {
  __m128i w02;    // int16 pairs (w0, w2) for the (byte 0, byte 2) words
  __m128i wgg;    // int16 pairs (g_lo, g_hi) for the (G, G) words
  __m128i round;  // 0x8000 per lane
};
OFFLOOP_INLINE GrayConsts MakeGrayConsts(uint32_t w0, uint32_t w2, uint32_t g_lo, uint32_t g_hi) {
  return {_mm_set1_epi32(static_cast<int>(w0 | (w2 << 16))), _mm_set1_epi32(static_cast<int>(g_lo | (g_hi << 16))),
          _mm_set1_epi32(0x8000)};
}

// 4 pixels as 32-bit RGBA-like lanes -> 4 gray values in 32-bit lanes.
OFFLOOP_INLINE __m128i GrayFromDwords(__m128i px, const GrayConsts& k) {
  __m128i b02 = _mm_and_si128(px, _mm_set1_epi32(0x00FF00FF));
  __m128i g = _mm_srli_epi16(px, 8);                            // (G, byte 3) words
  g = _mm_shufflehi_epi16(_mm_shufflelo_epi16(g, 0xA0), 0xA0);  // (G, G)
  __m128i sum = _mm_add_epi32(_mm_madd_epi16(b02, k.w02), _mm_madd_epi16(g, k.wgg));
  return _mm_srli_epi32(_mm_add_epi32(sum, k.round), 16);
}

template <int C>
OFFLOOP_INLINE __m128i GrayVec(const uint8_t* p, const GrayConsts& k) {
  __m128i v = LoadU128(p);
  if (C == 3) {
    // Without pshufb: move pixel j from byte 3j to byte 4j by shifting the
    // whole register j bytes and masking out that pixel.
    const __m128i m0 = _mm_set_epi32(0, 0, 0, 0x00FFFFFF);
    const __m128i m1 = _mm_set_epi32(0, 0, 0x00FFFFFF, 0);
    const __m128i m2 = _mm_set_epi32(0, 0x00FFFFFF, 0, 0);
    const __m128i m3 = _mm_set_epi32(0x00FFFFFF, 0, 0, 0);
    v = _mm_or_si128(_mm_or_si128(_mm_and_si128(v, m0), _mm_and_si128(_mm_slli_si128(v, 1), m1)),
                     _mm_or_si128(_mm_and_si128(_mm_slli_si128(v, 2), m2), _mm_and_si128(_mm_slli_si128(v, 3), m3)));
  }
  return GrayFromDwords(v, k);
}

OFFLOOP_INLINE void StoreGray(uint8_t* dst, __m128i a, __m128i b, __m128i c, __m128i d, bool stream) {
  __m128i bytes = _mm_packus_epi16(_mm_packs_epi32(a, b), _mm_packs_epi32(c, d));
  if (stream) {
    _mm_stream_si128(reinterpret_cast<__m128i*>(dst), bytes);
  } else {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst), bytes);
  }
}

#include "grayscale_x86.inc"

}  // namespace sse2

namespace internal {
const KernelTable kSse2Kernels = OFFLOOP_SIMD_KERNEL_TABLE(sse2, SimdLevel::kSse2, &sse2::GrayscaleImpl);
}  // namespace internal
}  // namespace offloop::kernels

#endif  // OFFLOOP_HAVE_X86_KERNELS
