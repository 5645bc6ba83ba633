// AVX-512 (F + BW + VL) kernels, compiled through a target region and only
// called after DetectedSimdLevel() says the CPU and OS support them.
#include "kernels_internal.h"

#if defined(OFFLOOP_HAVE_X86_KERNELS)

#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 13
// GCC 12's _mm512_undefined_epi32 (self-initialised on purpose) trips
// -Wmaybe-uninitialized wherever an AVX-512 intrinsic inlines it (GCC PR
// 105593, fixed in 12.3/13). The pragma must precede the header because the
// warning is attributed to the header's lines.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <immintrin.h>

#include <cmath>
#include <cstring>

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f,avx512bw,avx512vl"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512vl")
#endif

namespace offloop::kernels {
namespace avx512 {
using namespace internal;

constexpr int kW = 8;
typedef __m512d VD;
constexpr int kSumInterleave = 4;

OFFLOOP_INLINE __m128i Load64(const void* p) { return _mm_loadl_epi64(static_cast<const __m128i*>(p)); }
OFFLOOP_INLINE __m128i LoadU128(const void* p) { return _mm_loadu_si128(static_cast<const __m128i*>(p)); }
OFFLOOP_INLINE __m256i LoadU256(const void* p) { return _mm256_loadu_si256(static_cast<const __m256i*>(p)); }

OFFLOOP_INLINE void Load8(const int8_t* p, VD* out) { *out = _mm512_cvtepi32_pd(_mm256_cvtepi8_epi32(Load64(p))); }
OFFLOOP_INLINE void Load8(const uint8_t* p, VD* out) { *out = _mm512_cvtepi32_pd(_mm256_cvtepu8_epi32(Load64(p))); }
OFFLOOP_INLINE void Load8(const int16_t* p, VD* out) { *out = _mm512_cvtepi32_pd(_mm256_cvtepi16_epi32(LoadU128(p))); }
OFFLOOP_INLINE void Load8(const uint16_t* p, VD* out) { *out = _mm512_cvtepi32_pd(_mm256_cvtepu16_epi32(LoadU128(p))); }
OFFLOOP_INLINE void Load8(const int32_t* p, VD* out) { *out = _mm512_cvtepi32_pd(LoadU256(p)); }
OFFLOOP_INLINE void Load8(const uint32_t* p, VD* out) { *out = _mm512_cvtepu32_pd(LoadU256(p)); }
OFFLOOP_INLINE void Load8(const float* p, VD* out) { *out = _mm512_cvtps_pd(_mm256_loadu_ps(p)); }
OFFLOOP_INLINE void Load8(const double* p, VD* out) { *out = _mm512_loadu_pd(p); }

OFFLOOP_INLINE void StreamLine(void* dst, const void* src) {
  _mm512_stream_si512(static_cast<__m512i*>(dst), _mm512_load_si512(src));
}
OFFLOOP_INLINE void StreamVD(double* p, VD v) { _mm512_stream_pd(p, v); }
OFFLOOP_INLINE void Prefetch(const void* p) { _mm_prefetch(static_cast<const char*>(p), _MM_HINT_T0); }
constexpr bool kCanStream = true;
OFFLOOP_INLINE void StreamFence() { _mm_sfence(); }

#include "simd_kernels.inc"

// ---- Grayscale -------------------------------------------------------------

constexpr int kPx = 16;
struct GrayConsts {
  __m512i w02;    // int16 pairs (w0, w2) for the (byte 0, byte 2) words
  __m512i wgg;    // int16 pairs (g_lo, g_hi) for the (G, G) words
  __m512i round;  // 0x8000 per lane
};
OFFLOOP_INLINE GrayConsts MakeGrayConsts(uint32_t w0, uint32_t w2, uint32_t g_lo, uint32_t g_hi) {
  return {_mm512_set1_epi32(static_cast<int>(w0 | (w2 << 16))),
          _mm512_set1_epi32(static_cast<int>(g_lo | (g_hi << 16))), _mm512_set1_epi32(0x8000)};
}

// pshufb controls per 128-bit lane (4 pixels): 32-bit lane j gets the words
// (byte 0, byte 2) resp. (G, G) of pixel j; -1 zeroes a byte.
#define OFFLOOP_B02(s) s, -1, s + 2, -1
#define OFFLOOP_BGG(s) s + 1, -1, s + 1, -1
#define OFFLOOP_LANE_CTRL(M, C) M(0), M(C), M(2 * C), M(3 * C)

// RGBA pixels are read with two 256-bit loads, not one 512-bit load. The
// buffer may start anywhere (Node's large ArrayBuffers start 16 bytes past a
// page), and on this AMD EPYC (family 1Ah) a 512-bit load across a cache line
// is much dearer than a 256-bit one: with the source 4, 16 or 48 bytes off a
// line, one-thread 8K RGBA took 1.6-1.7x the AVX2 path's time with 512-bit
// loads and the same time with the pair; from aligned sources the two forms
// measured alike. RGB's loads (a 48-byte stride, mostly across lines anyway)
// measured the same either way and keep the single load.
template <int C>
OFFLOOP_INLINE __m512i LoadPixels(const uint8_t* p) {
  if (C == 3) return _mm512_loadu_si512(p);
  const __m256i lo = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
  const __m256i hi = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32));
  return _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1);
}

template <int C>
OFFLOOP_INLINE __m512i GrayVec(const uint8_t* p, const GrayConsts& k) {
  __m512i v = LoadPixels<C>(p);
  if (C == 3) {
    // 128-bit lane i gets bytes 12i..12i+15, i.e. pixels 4i..4i+3.
    v = _mm512_permutexvar_epi32(_mm512_setr_epi32(0, 1, 2, 3, 3, 4, 5, 6, 6, 7, 8, 9, 9, 10, 11, 12), v);
  }
  __m512i b02 = C == 4
                    ? _mm512_and_si512(v, _mm512_set1_epi32(0x00FF00FF))
                    : _mm512_shuffle_epi8(v, _mm512_broadcast_i32x4(_mm_setr_epi8(OFFLOOP_LANE_CTRL(OFFLOOP_B02, C))));
  __m512i gg = _mm512_shuffle_epi8(v, _mm512_broadcast_i32x4(_mm_setr_epi8(OFFLOOP_LANE_CTRL(OFFLOOP_BGG, C))));
  __m512i sum = _mm512_add_epi32(_mm512_madd_epi16(b02, k.w02), _mm512_madd_epi16(gg, k.wgg));
  return _mm512_srli_epi32(_mm512_add_epi32(sum, k.round), 16);
}

OFFLOOP_INLINE void StoreGray(uint8_t* dst, __m512i a, __m512i b, __m512i c, __m512i d, bool stream) {
  // The packs work within 128-bit lanes; the permute restores pixel order.
  __m512i bytes = _mm512_packus_epi16(_mm512_packs_epi32(a, b), _mm512_packs_epi32(c, d));
  bytes = _mm512_permutexvar_epi32(_mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15), bytes);
  if (stream) {
    _mm512_stream_si512(reinterpret_cast<__m512i*>(dst), bytes);
  } else {
    _mm512_storeu_si512(dst, bytes);
  }
}

#include "grayscale_x86.inc"

}  // namespace avx512
}  // namespace offloop::kernels

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif

// ---- Grayscale with AVX-512 VBMI and VNNI ----------------------------------
// Zen 4/5 and Intel since Ice Lake. Memory-bound as the conversion is, on the
// 2-core Zen 5 VM one core's share of it also ran out of vector issue slots:
// the AVX-512BW path above spends 36 vector operations on 64 RGB pixels (a
// dword permute and two pshufb per 16 pixels, two pmaddwd and two adds, a
// shift, and four ops to pack). Here a masked byte permute (vpermb) takes each
// word pair straight from the loaded bytes, vpdpwssd multiplies and
// accumulates onto the rounding constant in one, and two word permutes and a
// byte permute pack the high words: 20 operations. Same integer arithmetic
// as pmaddwd + add (no saturation either way), so bit-exact.
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f,avx512bw,avx512vl,avx512vbmi,avx512vnni"))), \
                             apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512vl,avx512vbmi,avx512vnni")
#endif

namespace offloop::kernels {
namespace avx512_vbmi {
using namespace internal;
using avx512::LoadPixels;
using avx512::PrefetchAhead;
using avx512::StreamFence;

constexpr int kPx = 16;
struct GrayConsts {
  __m512i w02;    // int16 pairs (w0, w2) for the (byte 0, byte 2) words
  __m512i wgg;    // int16 pairs (g_lo, g_hi) for the (G, G) words
  __m512i round;  // 0x8000 per lane: the sums start from it
};
OFFLOOP_INLINE GrayConsts MakeGrayConsts(uint32_t w0, uint32_t w2, uint32_t g_lo, uint32_t g_hi) {
  return {_mm512_set1_epi32(static_cast<int>(w0 | (w2 << 16))),
          _mm512_set1_epi32(static_cast<int>(g_lo | (g_hi << 16))), _mm512_set1_epi32(0x8000)};
}

// vpermb indices for pixels of C bytes: dword j of the result gets the bytes
// (first, second) of pixel j in its two low bytes; kWordLowBytes zeroes the
// high byte of each word.
template <int C>
constexpr uint8_t PixelByte(int byte, int first, int second) {
  return static_cast<uint8_t>((byte / 4) * C + ((byte & 3) == 0 ? first : second));
}
#define OFFLOOP_I4(n, f, s) \
  PixelByte<C>(n, f, s), PixelByte<C>(n + 1, f, s), PixelByte<C>(n + 2, f, s), PixelByte<C>(n + 3, f, s)
#define OFFLOOP_I16(n, f, s) \
  OFFLOOP_I4(n, f, s), OFFLOOP_I4(n + 4, f, s), OFFLOOP_I4(n + 8, f, s), OFFLOOP_I4(n + 12, f, s)
#define OFFLOOP_I64(f, s) OFFLOOP_I16(0, f, s), OFFLOOP_I16(16, f, s), OFFLOOP_I16(32, f, s), OFFLOOP_I16(48, f, s)
template <int C>
alignas(64) constexpr uint8_t kIndexB02[64] = {OFFLOOP_I64(0, 2)};  // (byte 0, byte 2)
template <int C>
alignas(64) constexpr uint8_t kIndexGG[64] = {OFFLOOP_I64(1, 1)};  // (G, G)
#undef OFFLOOP_I64
#undef OFFLOOP_I16
#undef OFFLOOP_I4
constexpr __mmask64 kWordLowBytes = 0x5555555555555555ull;

// kPx pixels -> their 32-bit sums R*r + G*g + B*b + 0x8000; gray is the high word.
template <int C>
OFFLOOP_INLINE __m512i GraySum(const uint8_t* p, const GrayConsts& k) {
  __m512i v = C == 3 ? _mm512_loadu_si512(p) : LoadPixels<C>(p);
#if defined(__GNUC__) && !defined(__clang__)
  // One load per 16 pixels: GCC would fold it into both permutes, and from
  // memory the second (line-splitting) load cost more than the permutes saved.
  __asm__("" : "+v"(v));
#endif
  const __m512i b02 = C == 4 ? _mm512_and_si512(v, _mm512_set1_epi32(0x00FF00FF))
                             : _mm512_maskz_permutexvar_epi8(kWordLowBytes, _mm512_load_si512(kIndexB02<C>), v);
  const __m512i gg = _mm512_maskz_permutexvar_epi8(kWordLowBytes, _mm512_load_si512(kIndexGG<C>), v);
  return _mm512_dpwssd_epi32(_mm512_dpwssd_epi32(k.round, b02, k.w02), gg, k.wgg);
}

// The high words of 4 * kPx sums, in order, as bytes.
OFFLOOP_INLINE __m512i PackHighWords(__m512i a, __m512i b, __m512i c, __m512i d) {
  alignas(64) static constexpr uint16_t kHigh[32] = {1,  3,  5,  7,  9,  11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31,
                                                     33, 35, 37, 39, 41, 43, 45, 47, 49, 51, 53, 55, 57, 59, 61, 63};
  alignas(64) static constexpr uint8_t kLow[64] = {
      0,  2,  4,  6,  8,  10, 12,  14,  16,  18,  20,  22,  24,  26,  28,  30,  32,  34,  36,  38, 40, 42,
      44, 46, 48, 50, 52, 54, 56,  58,  60,  62,  64,  66,  68,  70,  72,  74,  76,  78,  80,  82, 84, 86,
      88, 90, 92, 94, 96, 98, 100, 102, 104, 106, 108, 110, 112, 114, 116, 118, 120, 122, 124, 126};
  const __m512i high = _mm512_load_si512(kHigh);
  return _mm512_permutex2var_epi8(_mm512_permutex2var_epi16(a, high, b), _mm512_load_si512(kLow),
                                  _mm512_permutex2var_epi16(c, high, d));
}

// grayscale_x86.inc's vocabulary: GrayVec's "gray" is the sum, StoreGray
// takes its high word.
template <int C>
OFFLOOP_INLINE __m512i GrayVec(const uint8_t* p, const GrayConsts& k) {
  return GraySum<C>(p, k);
}
OFFLOOP_INLINE void StoreGray(uint8_t* dst, __m512i a, __m512i b, __m512i c, __m512i d, bool stream) {
  const __m512i bytes = PackHighWords(a, b, c, d);
  if (stream) {
    _mm512_stream_si512(reinterpret_cast<__m512i*>(dst), bytes);
  } else {
    _mm512_storeu_si512(dst, bytes);
  }
}

#include "grayscale_x86.inc"

// RGB only: 4-byte pixels need no byte permute to load, and the AVX-512BW
// path already kept pace with memory for them (8K RGBA at the copy ceiling),
// where this one measured no better from memory.
void GrayscaleRgbImpl(const uint8_t* src, const GrayLayout& layout, size_t rows, GrayWeights weights, uint8_t* dst,
                      bool stream) {
  if (layout.channels == 3) {
    GrayscaleImpl(src, layout, rows, weights, dst, stream);
  } else {
    avx512::GrayscaleImpl(src, layout, rows, weights, dst, stream);
  }
}

}  // namespace avx512_vbmi
}  // namespace offloop::kernels

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif

namespace offloop::kernels::internal {
const KernelTable kAvx512bwKernels = OFFLOOP_SIMD_KERNEL_TABLE(avx512, SimdLevel::kAvx512bw, &avx512::GrayscaleImpl);
const KernelTable kAvx512VbmiKernels =
    OFFLOOP_SIMD_KERNEL_TABLE(avx512, SimdLevel::kAvx512bw, &avx512_vbmi::GrayscaleRgbImpl);
}  // namespace offloop::kernels::internal

#endif  // OFFLOOP_HAVE_X86_KERNELS
