#include "png_filter.h"

#include <cstring>

#if (defined(__x86_64__) && defined(__SSE2__)) || defined(_M_X64)
#include <emmintrin.h>
#define OFFLOOP_PNG_FILTER_SSE2 1
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

}  // namespace offloop::codecs
