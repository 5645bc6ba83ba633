#include "png_filter.h"

#include <cstring>
#include <type_traits>

#if (defined(__x86_64__) && defined(__SSE2__)) || defined(_M_X64)
#include <emmintrin.h>
#define OFFLOOP_PNG_FILTER_SSE2 1
#elif defined(__aarch64__) && defined(__ARM_NEON)
#include <arm_neon.h>
#define OFFLOOP_PNG_FILTER_NEON 1
#endif

namespace offloop::codecs {

namespace {

enum Filter : uint8_t { kNone = 0, kSub = 1, kUp = 2, kAverage = 3, kPaeth = 4 };

// libpng's heuristic: a filtered byte v costs min(v, 256 - v).
inline uint32_t Cost(uint8_t v) { return v < 128 ? v : 256u - v; }

// The candidates' costs, summed modulo 2^32 as uint32 arithmetic does (a row
// of more than 33 million bytes can wrap; every path wraps the same way).
struct Costs {
  uint32_t none = 0, sub = 0, up = 0, average = 0, paeth = 0;
};

// Filters x in [from, to) (from >= 1: the left neighbours exist) into the
// four candidate rows and adds their costs.
void FilterSpanScalar(const uint8_t* row, const uint8_t* prior, size_t from, size_t to, uint8_t* sub, uint8_t* up,
                      uint8_t* average, uint8_t* paeth, Costs* costs) {
  for (size_t x = from; x < to; ++x) {
    const int a = row[x - 1];
    const int b = prior[x];
    const int c = prior[x - 1];
    const uint8_t v = row[x];
    sub[x] = static_cast<uint8_t>(v - a);
    up[x] = static_cast<uint8_t>(v - b);
    average[x] = static_cast<uint8_t>(v - ((a + b) >> 1));
    paeth[x] = static_cast<uint8_t>(v - PaethPredictor(a, b, c));
    costs->none += Cost(v);
    costs->sub += Cost(sub[x]);
    costs->up += Cost(up[x]);
    costs->average += Cost(average[x]);
    costs->paeth += Cost(paeth[x]);
  }
}

#if defined(OFFLOOP_PNG_FILTER_SSE2)
inline __m128i Load(const uint8_t* p) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p)); }
inline void Store(uint8_t* p, __m128i v) { _mm_storeu_si128(reinterpret_cast<__m128i*>(p), v); }
inline __m128i Abs16(__m128i v) { return _mm_max_epi16(v, _mm_sub_epi16(_mm_setzero_si128(), v)); }
// Cost of 16 bytes, as two 64-bit sums: min(v, 256 - v) per byte.
inline __m128i CostSum(__m128i v) {
  const __m128i zero = _mm_setzero_si128();
  return _mm_sad_epu8(_mm_min_epu8(v, _mm_sub_epi8(zero, v)), zero);
}
// Per 16-bit lane: all ones where Paeth does not pick a (pa > pb or pa > pc),
// and where it picks c over b (pb > pc).
inline void PaethMasks(__m128i a, __m128i b, __m128i c, __m128i* not_a, __m128i* pick_c) {
  const __m128i bc = _mm_sub_epi16(b, c);
  const __m128i ac = _mm_sub_epi16(a, c);
  const __m128i pa = Abs16(bc);
  const __m128i pb = Abs16(ac);
  const __m128i pc = Abs16(_mm_add_epi16(bc, ac));
  *not_a = _mm_cmpgt_epi16(pa, _mm_min_epi16(pb, pc));
  *pick_c = _mm_cmpgt_epi16(pb, pc);
}
inline __m128i Select(__m128i mask, __m128i if_set, __m128i if_clear) {
  return _mm_or_si128(_mm_and_si128(mask, if_set), _mm_andnot_si128(mask, if_clear));
}
inline uint32_t Low32OfSum(__m128i sums) {
  const uint64_t total = static_cast<uint64_t>(_mm_cvtsi128_si64(sums)) +
                         static_cast<uint64_t>(_mm_cvtsi128_si64(_mm_unpackhi_epi64(sums, sums)));
  return static_cast<uint32_t>(total);
}

// x from 1 while 16 bytes remain; returns where it stopped.
size_t FilterSpanSse2(const uint8_t* row, const uint8_t* prior, size_t width, uint8_t* sub, uint8_t* up,
                      uint8_t* average, uint8_t* paeth, Costs* costs) {
  const __m128i zero = _mm_setzero_si128();
  const __m128i one = _mm_set1_epi8(1);
  __m128i none_sum = zero, sub_sum = zero, up_sum = zero, average_sum = zero, paeth_sum = zero;
  size_t x = 1;
  for (; x + 16 <= width; x += 16) {
    const __m128i v = Load(row + x);
    const __m128i a = Load(row + x - 1);
    const __m128i b = Load(prior + x);
    const __m128i c = Load(prior + x - 1);
    const __m128i s = _mm_sub_epi8(v, a);
    const __m128i u = _mm_sub_epi8(v, b);
    // floor((a + b) / 2): pavgb rounds up, so take back the odd sums' 1.
    const __m128i mean = _mm_sub_epi8(_mm_avg_epu8(a, b), _mm_and_si128(_mm_xor_si128(a, b), one));
    const __m128i m = _mm_sub_epi8(v, mean);
    __m128i not_a_lo, pick_c_lo, not_a_hi, pick_c_hi;
    PaethMasks(_mm_unpacklo_epi8(a, zero), _mm_unpacklo_epi8(b, zero), _mm_unpacklo_epi8(c, zero), &not_a_lo,
               &pick_c_lo);
    PaethMasks(_mm_unpackhi_epi8(a, zero), _mm_unpackhi_epi8(b, zero), _mm_unpackhi_epi8(c, zero), &not_a_hi,
               &pick_c_hi);
    const __m128i not_a = _mm_packs_epi16(not_a_lo, not_a_hi);
    const __m128i pick_c = _mm_packs_epi16(pick_c_lo, pick_c_hi);
    const __m128i p = _mm_sub_epi8(v, Select(not_a, Select(pick_c, c, b), a));
    Store(sub + x, s);
    Store(up + x, u);
    Store(average + x, m);
    Store(paeth + x, p);
    none_sum = _mm_add_epi64(none_sum, CostSum(v));
    sub_sum = _mm_add_epi64(sub_sum, CostSum(s));
    up_sum = _mm_add_epi64(up_sum, CostSum(u));
    average_sum = _mm_add_epi64(average_sum, CostSum(m));
    paeth_sum = _mm_add_epi64(paeth_sum, CostSum(p));
  }
  costs->none += Low32OfSum(none_sum);
  costs->sub += Low32OfSum(sub_sum);
  costs->up += Low32OfSum(up_sum);
  costs->average += Low32OfSum(average_sum);
  costs->paeth += Low32OfSum(paeth_sum);
  return x;
}
#endif

void FilterRow(const uint8_t* row, const uint8_t* prior, uint32_t width, uint8_t* scratch, uint8_t* out, bool vectors) {
  uint8_t* sub = scratch;
  uint8_t* up = scratch + width;
  uint8_t* average = scratch + 2 * size_t{width};
  uint8_t* paeth = scratch + 3 * size_t{width};
  Costs costs;
  if (width > 0) {
    // x = 0: no left neighbour (a = c = 0).
    const uint8_t v = row[0];
    const uint8_t b = prior[0];
    sub[0] = v;
    up[0] = static_cast<uint8_t>(v - b);
    average[0] = static_cast<uint8_t>(v - (b >> 1));
    paeth[0] = static_cast<uint8_t>(v - b);  // Paeth(0, b, 0) = b
    costs.none += Cost(v);
    costs.sub += Cost(sub[0]);
    costs.up += Cost(up[0]);
    costs.average += Cost(average[0]);
    costs.paeth += Cost(paeth[0]);
  }
  size_t x = 1;
#if defined(OFFLOOP_PNG_FILTER_SSE2)
  if (vectors) x = FilterSpanSse2(row, prior, width, sub, up, average, paeth, &costs);
#else
  (void)vectors;
#endif
  FilterSpanScalar(row, prior, x, width, sub, up, average, paeth, &costs);
  // The cheapest, first in filter order on ties.
  uint8_t best = kNone;
  uint32_t best_cost = costs.none;
  const uint8_t* best_row = row;
  const struct {
    uint8_t type;
    uint32_t cost;
    const uint8_t* bytes;
  } candidates[] = {
      {kSub, costs.sub, sub}, {kUp, costs.up, up}, {kAverage, costs.average, average}, {kPaeth, costs.paeth, paeth}};
  for (const auto& candidate : candidates) {
    if (candidate.cost < best_cost) {
      best = candidate.type;
      best_cost = candidate.cost;
      best_row = candidate.bytes;
    }
  }
  out[0] = best;
  if (width > 0) std::memcpy(out + 1, best_row, width);
}

}  // namespace

void FilterGrayRow(const uint8_t* row, const uint8_t* prior, uint32_t width, uint8_t* scratch, uint8_t* out) {
  FilterRow(row, prior, width, scratch, out, true);
}

void FilterGrayRowScalar(const uint8_t* row, const uint8_t* prior, uint32_t width, uint8_t* scratch, uint8_t* out) {
  FilterRow(row, prior, width, scratch, out, false);
}

// ---- Decoding

namespace {

// The scalar unfilter from byte `from` on (the bytes before it are done).
void UnfilterScalarFrom(uint8_t type, uint8_t* row, const uint8_t* prior, size_t from, size_t n, size_t bpp) {
  switch (type) {
    case kSub:
      for (size_t i = from > bpp ? from : bpp; i < n; i++) row[i] = static_cast<uint8_t>(row[i] + row[i - bpp]);
      break;
    case kUp:
      for (size_t i = from; i < n; i++) row[i] = static_cast<uint8_t>(row[i] + prior[i]);
      break;
    case kAverage:
      for (size_t i = from; i < bpp && i < n; i++) row[i] = static_cast<uint8_t>(row[i] + (prior[i] >> 1));
      for (size_t i = from > bpp ? from : bpp; i < n; i++) {
        row[i] = static_cast<uint8_t>(row[i] + ((row[i - bpp] + prior[i]) >> 1));
      }
      break;
    case kPaeth:
      for (size_t i = from; i < bpp && i < n; i++) row[i] = static_cast<uint8_t>(row[i] + prior[i]);  // Paeth(0, b, 0)
      for (size_t i = from > bpp ? from : bpp; i < n; i++) {
        row[i] = static_cast<uint8_t>(row[i] + PaethPredictor(row[i - bpp], prior[i], prior[i - bpp]));
      }
      break;
    default:
      break;
  }
}

#if defined(OFFLOOP_PNG_FILTER_SSE2) || defined(OFFLOOP_PNG_FILTER_NEON)
// Average and Paeth depend on the pixel just unfiltered, so they go a pixel
// at a time (its bytes side by side in one vector's low lanes); Sub is a
// prefix sum, done 16 bytes at a time with log2 shifted adds; Up has no
// dependency at all. A one-byte pixel's Average and Paeth gain nothing from
// vectors: a scalar loop that keeps its neighbours in registers.

// A pixel of 1-8 bytes as the low bytes of an integer (little endian), in
// loads and stores of 1, 2, 4 or 8 bytes: a 3-byte memcpy into a wider
// variable goes through the stack, and reading that back stalls on store
// forwarding (it made 3-byte pixels slower than the scalar loop).
template <size_t bytes>
inline uint64_t LoadBytes(const uint8_t* p) {
  if constexpr (bytes == 3 || bytes == 6) {
    constexpr size_t kHigh = bytes / 3;
    return LoadBytes<bytes - kHigh>(p) | (LoadBytes<kHigh>(p + bytes - kHigh) << (8 * (bytes - kHigh)));
  } else {
    static_assert(bytes == 1 || bytes == 2 || bytes == 4 || bytes == 8, "a PNG pixel has 1, 2, 3, 4, 6 or 8 bytes");
    using Word = std::conditional_t<
        bytes == 1, uint8_t,
        std::conditional_t<bytes == 2, uint16_t, std::conditional_t<bytes == 4, uint32_t, uint64_t>>>;
    Word word;
    std::memcpy(&word, p, bytes);
    return word;
  }
}
template <size_t bytes>
inline void StoreBytes(uint8_t* p, uint64_t value) {
  if constexpr (bytes == 3 || bytes == 6) {
    constexpr size_t kHigh = bytes / 3;
    StoreBytes<bytes - kHigh>(p, value);
    StoreBytes<kHigh>(p + bytes - kHigh, value >> (8 * (bytes - kHigh)));
  } else {
    using Word = std::conditional_t<
        bytes == 1, uint8_t,
        std::conditional_t<bytes == 2, uint16_t, std::conditional_t<bytes == 4, uint32_t, uint64_t>>>;
    const Word word = static_cast<Word>(value);
    std::memcpy(p, &word, bytes);
  }
}

#if defined(OFFLOOP_PNG_FILTER_SSE2)
using Vec = __m128i;
inline Vec Zero() { return _mm_setzero_si128(); }
inline Vec Add(Vec a, Vec b) { return _mm_add_epi8(a, b); }
inline Vec And(Vec a, Vec b) { return _mm_and_si128(a, b); }
template <int k>
inline Vec ShiftUp(Vec v) {  // byte i to i + k
  return _mm_slli_si128(v, k);
}
template <int k>
inline Vec ShiftDown(Vec v) {  // byte i + k to i
  return _mm_srli_si128(v, k);
}
// floor((a + b) / 2): pavgb rounds up, so take back the odd sums' 1.
inline Vec AverageFloor(Vec a, Vec b) {
  return _mm_sub_epi8(_mm_avg_epu8(a, b), _mm_and_si128(_mm_xor_si128(a, b), _mm_set1_epi8(1)));
}
template <size_t bytes>
inline Vec LoadPixel(const uint8_t* p) {
  return _mm_cvtsi64_si128(static_cast<int64_t>(LoadBytes<bytes>(p)));
}
// Bytes widened to 16-bit lanes, and comparison masks over them.
using Wide = __m128i;
using Mask = __m128i;
inline Wide WideZero() { return _mm_setzero_si128(); }
inline Wide WideOne() { return _mm_set1_epi16(1); }
inline Wide Widen(Vec v) { return _mm_unpacklo_epi8(v, _mm_setzero_si128()); }
inline Vec Narrow(Wide w) { return _mm_packus_epi16(w, w); }
inline Wide WideAdd(Wide a, Wide b) { return _mm_add_epi16(a, b); }
inline Wide WideSub(Wide a, Wide b) { return _mm_sub_epi16(a, b); }
inline Wide WideMin(Wide a, Wide b) { return _mm_min_epi16(a, b); }
inline Wide WideMax(Wide a, Wide b) { return _mm_max_epi16(a, b); }
inline Wide WideHalve(Wide a) { return _mm_srai_epi16(a, 1); }  // floor(a / 2)
inline Wide WideLowByte(Wide a) { return _mm_and_si128(a, _mm_set1_epi16(0xFF)); }
inline Mask WideGreater(Wide a, Wide b) { return _mm_cmpgt_epi16(a, b); }
inline Mask MaskAnd(Mask a, Mask b) { return _mm_and_si128(a, b); }
inline Wide WideFromMask(Mask m) { return m; }  // -1 where set
inline Wide WideSelect(Mask m, Wide if_set, Wide if_clear) { return Select(m, if_set, if_clear); }
template <size_t bytes>
inline void StorePixel(uint8_t* p, Vec v) {
  StoreBytes<bytes>(p, static_cast<uint64_t>(_mm_cvtsi128_si64(v)));
}
#else
using Vec = uint8x16_t;
inline Vec Zero() { return vdupq_n_u8(0); }
inline Vec Add(Vec a, Vec b) { return vaddq_u8(a, b); }
inline Vec And(Vec a, Vec b) { return vandq_u8(a, b); }
inline Vec Load(const uint8_t* p) { return vld1q_u8(p); }
inline void Store(uint8_t* p, Vec v) { vst1q_u8(p, v); }
inline Vec Select(Vec mask, Vec if_set, Vec if_clear) { return vbslq_u8(mask, if_set, if_clear); }
template <int k>
inline Vec ShiftUp(Vec v) {
  return vextq_u8(vdupq_n_u8(0), v, 16 - k);
}
template <int k>
inline Vec ShiftDown(Vec v) {
  return vextq_u8(v, vdupq_n_u8(0), k);
}
inline Vec AverageFloor(Vec a, Vec b) { return vhaddq_u8(a, b); }
template <size_t bytes>
inline Vec LoadPixel(const uint8_t* p) {
  return vcombine_u8(vcreate_u8(LoadBytes<bytes>(p)), vdup_n_u8(0));
}
using Wide = int16x8_t;
using Mask = uint16x8_t;
inline Wide WideZero() { return vdupq_n_s16(0); }
inline Wide WideOne() { return vdupq_n_s16(1); }
inline Wide Widen(Vec v) { return vreinterpretq_s16_u16(vmovl_u8(vget_low_u8(v))); }
inline Vec Narrow(Wide w) { return vcombine_u8(vqmovun_s16(w), vdup_n_u8(0)); }
inline Wide WideAdd(Wide a, Wide b) { return vaddq_s16(a, b); }
inline Wide WideSub(Wide a, Wide b) { return vsubq_s16(a, b); }
inline Wide WideMin(Wide a, Wide b) { return vminq_s16(a, b); }
inline Wide WideMax(Wide a, Wide b) { return vmaxq_s16(a, b); }
inline Wide WideHalve(Wide a) { return vshrq_n_s16(a, 1); }
inline Wide WideLowByte(Wide a) { return vandq_s16(a, vdupq_n_s16(0xFF)); }
inline Mask WideGreater(Wide a, Wide b) { return vcgtq_s16(a, b); }
inline Mask MaskAnd(Mask a, Mask b) { return vandq_u16(a, b); }
inline Wide WideFromMask(Mask m) { return vreinterpretq_s16_u16(m); }
inline Wide WideSelect(Mask m, Wide if_set, Wide if_clear) { return vbslq_s16(m, if_set, if_clear); }
template <size_t bytes>
inline void StorePixel(uint8_t* p, Vec v) {
  StoreBytes<bytes>(p, vgetq_lane_u64(vreinterpretq_u64_u8(v), 0));
}
#endif

// All ones in the low `bytes` lanes.
inline Vec LowBytes(size_t bytes) {
  static const uint8_t kOnesThenZeros[32] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                                             0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
  return Load(kOnesThenZeros + 16 - bytes);
}

// Each vector step takes the whole pixels of 16 bytes (15 for 3-byte ones,
// 12 for 6-byte ones): a running sum over pixels, the previous step's last
// pixel added to the first. Returns where the scalar rest starts.
template <size_t bpp>
size_t UnfilterSubVector(uint8_t* row, size_t n) {
  constexpr size_t kStep = 16 / bpp * bpp;
  const Vec written = LowBytes(kStep);
  const Vec pixel = LowBytes(bpp);
  Vec carry = Zero();  // the last pixel done, in the low bpp lanes
  size_t i = 0;
  for (; i + 16 <= n; i += kStep) {
    const Vec raw = Load(row + i);
    Vec sums = Add(raw, carry);
    sums = Add(sums, ShiftUp<bpp>(sums));
    if constexpr (2 * bpp < kStep) sums = Add(sums, ShiftUp<2 * bpp>(sums));
    if constexpr (4 * bpp < kStep) sums = Add(sums, ShiftUp<4 * bpp>(sums));
    if constexpr (8 * bpp < kStep) sums = Add(sums, ShiftUp<8 * bpp>(sums));
    carry = And(ShiftDown<kStep - bpp>(sums), pixel);
    // Bytes past the step's last whole pixel are the next step's, still filtered.
    Store(row + i, kStep < 16 ? Select(written, sums, raw) : sums);
  }
  return i;
}

template <size_t bpp>
size_t UnfilterAverageVector(uint8_t* row, const uint8_t* prior, size_t n) {
  Vec a = Zero();
  size_t i = 0;
  for (; i + bpp <= n; i += bpp) {
    a = Add(LoadPixel<bpp>(row + i), AverageFloor(a, LoadPixel<bpp>(prior + i)));
    StorePixel<bpp>(row + i, a);
  }
  return i;
}

// Paeth, a pixel after another, in 16-bit lanes. Which neighbour it picks
// depends on a (the pixel just done) only through comparisons with bounds
// that b and c alone give: a itself unless lo < a < hi, with lo and hi b and
// 3c - 2b in order; inside, one of b and c by the side of (3c - b) / 2 that a
// is on (worked out from pa = |b - c|, pb = |a - c|, pc = |a + b - 2c| and
// Paeth's tie order, and checked against PaethPredictor for every (a, b, c)
// by the codecs test). The bounds come off the loads, so the chain from one
// pixel to the next is two compares, two selects and an add, not three
// absolute differences and their comparisons (1.3-1.5x faster, measured).
template <size_t bpp>
size_t UnfilterPaethVector(uint8_t* row, const uint8_t* prior, size_t n) {
  Wide a = WideZero(), c = WideZero();
  size_t i = 0;
  for (; i + bpp <= n; i += bpp) {
    const Wide b = Widen(LoadPixel<bpp>(prior + i));
    const Wide x = Widen(LoadPixel<bpp>(row + i));
    const Wide c_minus_b = WideSub(c, b);
    const Mask b_below_c = WideGreater(c, b);
    const Wide far = WideAdd(c, WideAdd(c_minus_b, c_minus_b));  // 3c - 2b
    const Wide lo = WideMin(b, far), hi = WideMax(b, far);
    // a picks b when 2a >= 3c - b (b >= c) or 2a <= 3c - b (b < c): a > half, as below.
    const Wide three_c_minus_b = WideAdd(c, WideAdd(c, c_minus_b));
    const Wide half = WideHalve(WideSub(WideSub(three_c_minus_b, WideOne()), WideFromMask(b_below_c)));
    const Wide above = WideSelect(b_below_c, c, b), below = WideSelect(b_below_c, b, c);
    const Mask inside = MaskAnd(WideGreater(a, lo), WideGreater(hi, a));
    const Wide predicted = WideSelect(inside, WideSelect(WideGreater(a, half), above, below), a);
    a = WideLowByte(WideAdd(x, predicted));
    c = b;
    StorePixel<bpp>(row + i, Narrow(a));
  }
  return i;
}

size_t UnfilterAverageBytes(uint8_t* row, const uint8_t* prior, size_t n) {
  unsigned a = 0;
  for (size_t i = 0; i < n; i++) {
    a = (row[i] + ((a + prior[i]) >> 1)) & 0xFF;
    row[i] = static_cast<uint8_t>(a);
  }
  return n;
}

size_t UnfilterPaethBytes(uint8_t* row, const uint8_t* prior, size_t n) {
  // UnfilterPaethVector's bounds, in scalar registers.
  int a = 0, c = 0;
  for (size_t i = 0; i < n; i++) {
    const int b = prior[i];
    const int far = 3 * c - 2 * b;
    const int lo = b < far ? b : far, hi = b < far ? far : b;
    const int half = (3 * c - b - 1 + (b < c)) >> 1;
    const int above = b < c ? c : b, below = b < c ? b : c;
    const int predicted = ((lo < a) & (a < hi)) ? (a > half ? above : below) : a;
    a = (row[i] + predicted) & 0xFF;
    row[i] = static_cast<uint8_t>(a);
    c = b;
  }
  return n;
}

template <size_t bpp>
size_t UnfilterVector(uint8_t type, uint8_t* row, const uint8_t* prior, size_t n) {
  switch (type) {
    case kSub:
      return UnfilterSubVector<bpp>(row, n);
    case kUp: {
      size_t i = 0;
      for (; i + 16 <= n; i += 16) Store(row + i, Add(Load(row + i), Load(prior + i)));
      return i;
    }
    case kAverage:
      return bpp == 1 ? UnfilterAverageBytes(row, prior, n) : UnfilterAverageVector<bpp>(row, prior, n);
    case kPaeth:
      return bpp == 1 ? UnfilterPaethBytes(row, prior, n) : UnfilterPaethVector<bpp>(row, prior, n);
    default:
      return n;
  }
}
#endif

}  // namespace

void UnfilterRowScalar(uint8_t type, uint8_t* row, const uint8_t* prior, size_t n, size_t bpp) {
  UnfilterScalarFrom(type, row, prior, 0, n, bpp);
}

void UnfilterRow(uint8_t type, uint8_t* row, const uint8_t* prior, size_t n, size_t bpp) {
  size_t done = 0;
#if defined(OFFLOOP_PNG_FILTER_SSE2) || defined(OFFLOOP_PNG_FILTER_NEON)
  switch (bpp) {
    case 1:
      done = UnfilterVector<1>(type, row, prior, n);
      break;
    case 2:
      done = UnfilterVector<2>(type, row, prior, n);
      break;
    case 3:
      done = UnfilterVector<3>(type, row, prior, n);
      break;
    case 4:
      done = UnfilterVector<4>(type, row, prior, n);
      break;
    case 6:
      done = UnfilterVector<6>(type, row, prior, n);
      break;
    case 8:
      done = UnfilterVector<8>(type, row, prior, n);
      break;
    default:
      break;
  }
#endif
  UnfilterScalarFrom(type, row, prior, done, n, bpp);
}

}  // namespace offloop::codecs
