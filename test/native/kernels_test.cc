// Standalone tests of native/kernels: every compiled SIMD level against an
// independent in-test reference of the spec. Prints "N passed, M failed" and
// exits non-zero on any failure. Build: test/native/build-and-run.sh.
#include <cmath>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "check.h"
#include "../../native/kernels/cpu_features.h"
#include "../../native/kernels/grayscale.h"
#include "../../native/kernels/kernels_internal.h"
#include "../../native/kernels/squares.h"

using namespace offloop::kernels;
using internal::KernelTable;

namespace {

using offloop::testing::Check;

std::string Fmt(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
std::string Fmt(const char* fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  return buf;
}

uint64_t Bits(double d) {
  uint64_t u;
  std::memcpy(&u, &d, 8);
  return u;
}
// Bitwise equality, except that any NaN equals any NaN (JS cannot tell).
bool Same(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return Bits(a) == Bits(b);
}

struct Level {
  std::string name;
  const KernelTable* table;
};

std::vector<Level> Levels() {
  std::vector<Level> out;
  for (SimdLevel l : {SimdLevel::kScalar, SimdLevel::kSse2, SimdLevel::kAvx2, SimdLevel::kAvx512bw, SimdLevel::kNeon}) {
    if (const KernelTable* t = internal::KernelsFor(l)) out.push_back({SimdLevelName(l), t});
  }
#if defined(OFFLOOP_HAVE_X86_KERNELS)
  // KernelsFor(kAvx512bw) is the VBMI table where the CPU has it: test the plain one too.
  if (internal::KernelsFor(SimdLevel::kAvx512bw) == &internal::kAvx512VbmiKernels) {
    out.push_back({"avx512bw-without-vbmi", &internal::kAvx512bwKernels});
  }
#endif
#if defined(OFFLOOP_BUILD_GENERIC_KERNELS) && !defined(OFFLOOP_HAVE_NEON_KERNELS)
  out.push_back({"generic", &internal::kGenericKernels});
#endif
  return out;
}

// ---- Independent reference of the sum spec ---------------------------------

void RefTwoSum(double a, double b, double* s, double* e) {
  double sum = a + b;
  double bb = sum - a;
  *e = (a - (sum - bb)) + (b - bb);
  *s = sum;
}

template <class Root>
CompensatedSum RefBlock(size_t n, Root v) {
  double s[8] = {}, c[8] = {};
  for (size_t j = 0; j < n; ++j) {
    size_t l = j % 8;
    double x = v(j) * v(j);
    double y = x - c[l];
    double t = s[l] + y;
    c[l] = (t - s[l]) - y;
    s[l] = t;
  }
  double hi = 0, lo = 0;
  for (int l = 0; l < 8; ++l) {
    double e;
    RefTwoSum(hi, s[l], &hi, &e);
    lo = lo + (e - c[l]);
  }
  if (!std::isfinite(hi + lo)) {
    bool nan = false;
    for (size_t j = 0; j < n; ++j) nan = nan || std::isnan(v(j) * v(j));
    return {nan ? std::numeric_limits<double>::quiet_NaN() : INFINITY, 0.0};
  }
  return {hi, lo};
}

template <class T>
std::vector<CompensatedSum> RefBlocks(const T* in, size_t n) {
  std::vector<CompensatedSum> out;
  for (size_t b = 0; b * kSumBlock < n; ++b) {
    const T* p = in + b * kSumBlock;
    out.push_back(
        RefBlock(std::min(kSumBlock, n - b * kSumBlock), [p](size_t j) { return static_cast<double>(p[j]); }));
  }
  return out;
}

// ---- Squares -----------------------------------------------------------------

template <class T>
std::vector<T> Values(std::mt19937_64& rng, size_t n) {
  std::vector<T> v(n);
  for (size_t i = 0; i < n; ++i) {
    if (std::is_floating_point<T>::value) {
      std::uniform_real_distribution<double> d(-1e6, 1e6);
      v[i] = static_cast<T>(d(rng));
    } else {
      v[i] = static_cast<T>(rng());
    }
  }
  // Extremes at both ends and in the middle.
  if (n > 2) {
    v[0] = std::numeric_limits<T>::max();
    v[1] = std::numeric_limits<T>::lowest();
    v[n / 2] = std::numeric_limits<T>::min();
  }
  return v;
}

template <class T>
void TestSquaresType(const std::vector<Level>& levels, ElementType type, const char* tname) {
  std::mt19937_64 rng(42);
  for (size_t n : {size_t{0}, size_t{1}, size_t{7}, size_t{8}, size_t{9}, size_t{67}, size_t{1000}, size_t{5000},
                   size_t{8192 * 4 + 13}, size_t{65536 * 4 + 71}, size_t{65536 * 5 + 1}}) {
    std::vector<T> in = Values<T>(rng, n + 1);
    for (const Level& lv : levels) {
      for (int stream = 0; stream < 2; ++stream) {
        for (size_t off = 0; off < 2; ++off) {  // misaligned output too
          std::vector<double> out(n + 2, -1.0);
          lv.table->square_to_double[static_cast<int>(type)](in.data() + off, out.data() + off, n, stream != 0);
          bool ok = out[n + off] == -1.0 && (off == 0 || out[0] == -1.0);
          for (size_t i = 0; i < n; ++i) {
            double x = static_cast<double>(in[i + off]);
            ok = ok && Same(out[i + off], x * x);
          }
          Check(ok, Fmt("square %s n=%zu level=%s stream=%d off=%zu", tname, n, lv.name.c_str(), stream, off));
        }
      }
    }
  }
}

void TestSquareSpecials(const std::vector<Level>& levels) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> d = {
      nan,  -0.0, 0.0,   INFINITY, -INFINITY, 1e200, -1e200, 1e-200, std::numeric_limits<double>::max(),
      -3.0, 2.5,  1e154, 5e-324};
  std::vector<float> f = {std::numeric_limits<float>::quiet_NaN(), -0.0f, INFINITY, -INFINITY,
                          std::numeric_limits<float>::max(),       -1.5f, 1e-45f};
  while (d.size() < 37) d.push_back(-0.0);
  while (f.size() < 37) f.push_back(std::numeric_limits<float>::quiet_NaN());
  for (const Level& lv : levels) {
    std::vector<double> out(d.size());
    lv.table->square_to_double[static_cast<int>(ElementType::kFloat64)](d.data(), out.data(), d.size(), false);
    bool ok = std::isnan(out[0]) && Bits(out[1]) == 0 && Bits(out[2]) == 0 && out[3] == INFINITY &&
              out[4] == INFINITY && out[5] == INFINITY && out[6] == INFINITY && Bits(out[7]) == 0 &&
              out[8] == INFINITY && out[9] == 9.0 && out[10] == 6.25 && Bits(out[12]) == 0 && Bits(out[36]) == 0;
    Check(ok, "float64 specials (NaN, -0 -> +0, Inf, overflow, underflow) " + lv.name);
    std::vector<double> of(f.size());
    lv.table->square_to_double[static_cast<int>(ElementType::kFloat32)](f.data(), of.data(), f.size(), false);
    double fmax = std::numeric_limits<float>::max();
    ok = std::isnan(of[0]) && Bits(of[1]) == 0 && of[2] == INFINITY && of[3] == INFINITY && of[4] == fmax * fmax &&
         std::isfinite(of[4]) && of[5] == 2.25 && of[6] == static_cast<double>(1e-45f) * static_cast<double>(1e-45f) &&
         std::isnan(of[36]);
    Check(ok, "float32 specials (squared in double: FLT_MAX^2 is finite) " + lv.name);

    // Float64 in place, both store modes, unaligned start; short and long
    // enough for the multi-stream path.
    for (int stream = 0; stream < 4; ++stream) {
      std::vector<double> buf(stream < 2 ? 3001 : 100003);
      for (size_t i = 0; i < buf.size(); ++i) buf[i] = static_cast<double>(i) - 1500.5;
      std::vector<double> expect(buf.size());
      for (size_t i = 0; i < buf.size(); ++i) expect[i] = buf[i] * buf[i];
      lv.table->square_to_double[static_cast<int>(ElementType::kFloat64)](buf.data() + 1, buf.data() + 1,
                                                                          buf.size() - 1, (stream & 1) != 0);
      bool same = buf[0] == -1500.5;
      for (size_t i = 1; i < buf.size(); ++i) same = same && buf[i] == expect[i];
      Check(same, Fmt("float64 in place stream=%d %s", stream, lv.name.c_str()));
    }
  }
  // Public API: partial overlap has the semantics of the sequential loop.
  std::vector<double> buf(100);
  for (size_t i = 0; i < buf.size(); ++i) buf[i] = static_cast<double>(i % 7);
  std::vector<double> expect = buf;
  for (size_t i = 0; i < 90; ++i) expect[i + 5] = expect[i] * expect[i];
  SquareToDouble(ElementType::kFloat64, buf.data(), buf.data() + 5, 90);
  Check(buf == expect, "float64 partially overlapping (out = in + 5) is the sequential loop");
  std::vector<uint8_t> bytes(64);
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<uint8_t>(i * 7);
  std::vector<double> sq(64);
  SquareToDouble(ElementType::kUint8Clamped, bytes.data(), sq.data(), 64, StoreMode::kStream);
  bool ok = true;
  for (size_t i = 0; i < 64; ++i) ok = ok && sq[i] == double(bytes[i]) * double(bytes[i]);
  Check(ok, "public SquareToDouble Uint8Clamped, kStream");
}

void TestSquareRange(const std::vector<Level>& levels) {
  for (const Level& lv : levels) {
    for (double first : {0.0, -5.0, -0.0, 1234567.0, -4503599627370496.0, 9007199254740000.0, 0.5}) {
      for (size_t n : {size_t{0}, size_t{1}, size_t{13}, size_t{1024}, size_t{4099}}) {
        for (int stream = 0; stream < 2; ++stream) {
          std::vector<double> out(n + 1, -1.0);
          lv.table->square_range(first, out.data() + 1, n, stream != 0);
          bool ok = out[0] == -1.0;
          for (size_t i = 0; i < n; ++i) {
            double x = first + static_cast<double>(i);
            ok = ok && Same(out[i + 1], x * x);
          }
          Check(ok, Fmt("range first=%.17g n=%zu stream=%d %s", first, n, stream, lv.name.c_str()));
        }
      }
    }
  }
}

void TestIntSquares(const std::vector<Level>& levels) {
  for (const Level& lv : levels) {
    for (int stream = 0; stream < 2; ++stream) {
      const char* ln = lv.name.c_str();
      std::vector<int64_t> a = {3037000499, -3037000499, 0, -1, 7};
      std::vector<int64_t> out(a.size());
      size_t bad = 99;
      bool ok = lv.table->square_int64(a.data(), out.data(), a.size(), &bad, stream);
      Check(ok && out[0] == INT64_C(9223372030926249001) && out[1] == out[0] && out[2] == 0 && out[3] == 1 &&
                out[4] == 49,
            Fmt("int64 squares at the bound +-3037000499 %s", ln));
      for (int64_t over : {INT64_C(3037000500), INT64_C(-3037000500), INT64_MIN, INT64_MAX}) {
        std::vector<int64_t> b(2000, 3);
        b[1500] = over;
        b[1700] = over;
        bad = 0;
        ok = lv.table->square_int64(b.data(), b.data(), b.size(), &bad, stream);
        Check(!ok && bad == 1500, Fmt("int64 overflow %lld at 1500 (in place) %s", static_cast<long long>(over), ln));
        std::vector<int64_t> c(9, 1);
        c[0] = over;
        ok = lv.table->square_int64(c.data(), out.data(), c.size(), &bad, stream);
        Check(!ok && bad == 0, Fmt("int64 overflow at index 0 %s", ln));
      }
      std::vector<uint64_t> u = {4294967295u, 0, 1, 65536};
      std::vector<uint64_t> uo(u.size());
      ok = lv.table->square_uint64(u.data(), uo.data(), u.size(), &bad, stream);
      Check(ok && uo[0] == UINT64_C(18446744065119617025) && uo[1] == 0 && uo[2] == 1 && uo[3] == UINT64_C(4294967296),
            Fmt("uint64 squares at the bound 4294967295 %s", ln));
      for (uint64_t over : {UINT64_C(4294967296), UINT64_MAX, UINT64_C(1) << 63}) {
        std::vector<uint64_t> b(3000, 5);
        b[2999] = over;
        bad = 0;
        ok = lv.table->square_uint64(b.data(), b.data(), b.size(), &bad, stream);
        Check(!ok && bad == 2999, Fmt("uint64 overflow at the last index %s", ln));
      }
      // Long arrays: every element checked, squares exact.
      std::mt19937_64 rng(7);
      std::vector<int64_t> big(10007);
      for (auto& v : big) v = static_cast<int64_t>(rng() % 6074000999) - 3037000499;
      std::vector<int64_t> bo(big.size());
      ok = lv.table->square_int64(big.data(), bo.data(), big.size(), &bad, stream);
      bool same = ok;
      for (size_t i = 0; i < big.size(); ++i) same = same && bo[i] == big[i] * big[i];
      Check(same, Fmt("int64 squares random 10007 %s", ln));
    }
  }
  size_t bad = 0;
  std::vector<int64_t> p = {1, 2, 3037000500};
  Check(!SquareInt64(p.data(), p.data(), 3, &bad) && bad == 2, "public SquareInt64 overflow");
}

// ---- Sums ------------------------------------------------------------------

bool SameSum(const CompensatedSum& a, const CompensatedSum& b) { return Same(a.hi, b.hi) && Same(a.lo, b.lo); }

template <class T>
void TestSumType(const std::vector<Level>& levels, ElementType type, const char* tname) {
  std::mt19937_64 rng(1234);
  for (size_t n : {size_t{1}, size_t{7}, size_t{8}, size_t{9}, size_t{100}, kSumBlock - 1, kSumBlock, kSumBlock + 1,
                   9 * kSumBlock + 123}) {
    std::vector<T> in = Values<T>(rng, n);
    std::vector<CompensatedSum> expect = RefBlocks(in.data(), n);
    for (const Level& lv : levels) {
      std::vector<CompensatedSum> got(expect.size(), {-1.0, -1.0});
      lv.table->sum_blocks[static_cast<int>(type)](in.data(), n, got.data());
      bool ok = true;
      for (size_t b = 0; b < expect.size(); ++b) ok = ok && SameSum(got[b], expect[b]);
      Check(ok, Fmt("sum blocks %s n=%zu %s", tname, n, lv.name.c_str()));
    }
  }
}

void TestSumSpecials(const std::vector<Level>& levels) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  struct Case {
    const char* what;
    std::vector<std::pair<size_t, double>> sets;
    double expect;  // block 1's hi
  };
  std::vector<Case> cases = {
      {"one NaN", {{kSumBlock + 5, nan}}, nan},
      {"one Inf", {{kSumBlock + 5, -INFINITY}}, INFINITY},
      {"NaN after Inf", {{kSumBlock + 5, INFINITY}, {kSumBlock + 900, nan}}, nan},
      {"overflowing squares", {{kSumBlock + 1, 1e200}, {kSumBlock + 2, -1e300}}, INFINITY},
      {"overflowing sum of finite squares",
       {{kSumBlock + 1, 1e154}, {kSumBlock + 9, 1e154}, {kSumBlock + 17, 1e154}},
       INFINITY},
  };
  for (const Case& cs : cases) {
    std::vector<double> v(5 * kSumBlock + 3, 1.5);
    for (auto& s : cs.sets) v[s.first] = s.second;
    for (const Level& lv : levels) {
      std::vector<CompensatedSum> got(6);
      lv.table->sum_blocks[static_cast<int>(ElementType::kFloat64)](v.data(), v.size(), got.data());
      bool ok = Same(got[1].hi, cs.expect) && got[1].lo == 0.0 && got[0].hi == 2.25 * kSumBlock && got[0].lo == 0.0 &&
                got[5].hi == 2.25 * 3;
      Check(ok, Fmt("sum %s %s", cs.what, lv.name.c_str()));
      CompensatedSum total;
      for (const auto& b : got) AddBlock(&total, b);
      Check(Same(FinishSum(total), cs.expect), Fmt("sum %s propagates %s", cs.what, lv.name.c_str()));
    }
  }
  std::vector<float> f(100, 2.0f);
  f[99] = std::numeric_limits<float>::quiet_NaN();
  CompensatedSum s = SumSquaresBlock(ElementType::kFloat32, f.data(), f.size());
  Check(std::isnan(s.hi) && s.lo == 0.0, "float32 NaN block");
  CompensatedSum total{1.0, 0.0};
  AddBlock(&total, {INFINITY, 0.0});
  AddBlock(&total, {5.0, 1e-20});
  Check(total.hi == INFINITY && FinishSum(total) == INFINITY, "AddBlock keeps Inf");
  AddBlock(&total, {nan, 0.0});
  Check(std::isnan(FinishSum(total)), "AddBlock: NaN wins over Inf");
  CompensatedSum empty = SumSquaresBlock(ElementType::kFloat64, f.data(), 0);
  Check(Bits(empty.hi) == 0 && Bits(empty.lo) == 0, "empty block is {+0, +0}");
}

void TestKnownSums(const std::vector<Level>& levels) {
  const size_t n = 1000000;
  // n(n+1)(2n+1)/6 = 333333833333500000, a tie between two doubles: the
  // correctly rounded (ties-to-even) double is what the conversion gives.
  const double expect = static_cast<double>(UINT64_C(333333833333500000));
  std::vector<int32_t> ints(n);
  for (size_t i = 0; i < n; ++i) ints[i] = static_cast<int32_t>(i + 1);
  std::vector<CompensatedSum> ref = RefBlocks(ints.data(), n);
  for (const Level& lv : levels) {
    std::vector<CompensatedSum> blocks(internal::NumBlocks(n));
    lv.table->sum_blocks[static_cast<int>(ElementType::kInt32)](ints.data(), n, blocks.data());
    CompensatedSum total;
    for (const auto& b : blocks) AddBlock(&total, b);
    Check(FinishSum(total) == expect, Fmt("sum 1..1e6 squares (Int32) exact %s", lv.name.c_str()));
    std::vector<CompensatedSum> rb(blocks.size());
    lv.table->sum_range_blocks(1.0, n, rb.data());
    CompensatedSum rt;
    bool same = true;
    for (size_t b = 0; b < rb.size(); ++b) {
      AddBlock(&rt, rb[b]);
      same = same && SameSum(rb[b], ref[b]) && SameSum(blocks[b], ref[b]);
    }
    Check(FinishSum(rt) == expect, Fmt("sum 1..1e6 squares (range) exact %s", lv.name.c_str()));
    Check(same, Fmt("range and Int32 blocks identical to reference %s", lv.name.c_str()));
  }
  // Public API, one block at a time == all at once.
  std::vector<CompensatedSum> all(internal::NumBlocks(n));
  SumSquaresBlocks(ElementType::kInt32, ints.data(), n, all.data());
  bool same = true;
  for (size_t b = 0; b < all.size(); ++b) {
    size_t m = std::min(kSumBlock, n - b * kSumBlock);
    same = same && SameSum(all[b], SumSquaresBlock(ElementType::kInt32, &ints[b * kSumBlock], m));
    same = same && SameSum(SumSquaresRangeBlock(1.0 + b * kSumBlock, m), ref[b]);
  }
  Check(same, "public SumSquaresBlock per block == SumSquaresBlocks == range");
}

void TestRangeSums(const std::vector<Level>& levels) {
  for (double first : {-70000.5, -3.0, 0.0, 1e12, 4503599627370496.0}) {
    for (size_t n : {size_t{1}, size_t{9}, kSumBlock, 6 * kSumBlock + 77}) {
      std::vector<CompensatedSum> expect;
      for (size_t b = 0; b * kSumBlock < n; ++b) {
        double fb = first + static_cast<double>(b * kSumBlock);
        expect.push_back(
            RefBlock(std::min(kSumBlock, n - b * kSumBlock), [fb](size_t j) { return fb + static_cast<double>(j); }));
      }
      for (const Level& lv : levels) {
        std::vector<CompensatedSum> got(expect.size());
        lv.table->sum_range_blocks(first, n, got.data());
        bool ok = true;
        for (size_t b = 0; b < got.size(); ++b) ok = ok && SameSum(got[b], expect[b]);
        Check(ok, Fmt("range sum first=%.17g n=%zu %s", first, n, lv.name.c_str()));
      }
    }
  }
}

void TestIntSums(const std::vector<Level>& levels) {
  for (const Level& lv : levels) {
    const char* ln = lv.name.c_str();
    int64_t s = 0;
    std::vector<int64_t> a = {3037000499, 1};
    Check(lv.table->sum_int64(a.data(), 2, &s) && s == INT64_C(9223372030926249002),
          Fmt("int64 sum near the top %s", ln));
    a = {3037000499, 77935};  // 9223372030926249001 + 6073864225 > INT64_MAX
    Check(!lv.table->sum_int64(a.data(), 2, &s), Fmt("int64 sum overflow %s", ln));
    a = {-3037000500};
    Check(!lv.table->sum_int64(a.data(), 1, &s), Fmt("int64 sum square overflow %s", ln));
    a.assign(200000, -3);
    Check(lv.table->sum_int64(a.data(), a.size(), &s) && s == 1800000, Fmt("int64 sum across chunks %s", ln));
    a.assign(150000, 3037000499 / 400);  // 150000 * 5.76e13 = 8.6e18 < INT64_MAX
    int64_t sq = (3037000499 / 400) * (3037000499 / 400);
    Check(lv.table->sum_int64(a.data(), a.size(), &s) && s == sq * 150000, Fmt("int64 sum large exact %s", ln));
    a.assign(300000, 3037000499 / 500);  // each 3.7e13, total 1.1e19 > INT64_MAX
    Check(!lv.table->sum_int64(a.data(), a.size(), &s), Fmt("int64 sum overflow late %s", ln));

    uint64_t u = 0;
    std::vector<uint64_t> b = {4294967295u};
    Check(lv.table->sum_uint64(b.data(), 1, &u) && u == UINT64_C(18446744065119617025),
          Fmt("uint64 sum max square %s", ln));
    // UINT64_MAX - 4294967295^2 = 8589934590, between 92681^2 and 92682^2.
    b = {4294967295u, 92682};
    Check(!lv.table->sum_uint64(b.data(), 2, &u), Fmt("uint64 sum overflow %s", ln));
    b = {92681, 4294967295u};
    Check(lv.table->sum_uint64(b.data(), 2, &u) && u == UINT64_C(18446744065119617025) + UINT64_C(92681) * 92681,
          Fmt("uint64 sum at the edge %s", ln));
    b = {4294967296u};
    Check(!lv.table->sum_uint64(b.data(), 1, &u), Fmt("uint64 sum square overflow %s", ln));
    std::mt19937_64 rng(5);
    b.resize(150001);
    for (auto& v : b) v = rng() % 11000;
    uint64_t exact = 0;
    for (auto v : b) exact += v * v;
    Check(lv.table->sum_uint64(b.data(), b.size(), &u) && u == exact, Fmt("uint64 sum random across chunks %s", ln));
  }
  int64_t s;
  uint64_t u;
  Check(AddInt64Sums(INT64_MAX - 5, 5, &s) && s == INT64_MAX, "AddInt64Sums at max");
  Check(!AddInt64Sums(INT64_MAX - 5, 6, &s), "AddInt64Sums overflow");
  Check(AddUint64Sums(UINT64_MAX - 1, 1, &u) && u == UINT64_MAX, "AddUint64Sums at max");
  Check(!AddUint64Sums(UINT64_MAX, 1, &u), "AddUint64Sums overflow");
}

// ---- Grayscale ---------------------------------------------------------------

uint8_t RefGray(const uint8_t* p, bool bgr, GrayWeights w) {
  uint32_t r = bgr ? p[2] : p[0], g = p[1], b = bgr ? p[0] : p[2];
  return static_cast<uint8_t>((r * w.r + g * w.g + b * w.b + 0x8000u) >> 16);
}

void RefGrayImage(const uint8_t* src, const GrayLayout& lay, size_t rows, GrayWeights w, uint8_t* dst) {
  for (size_t r = 0; r < rows; ++r) {
    for (size_t x = 0; x < lay.width; ++x) {
      dst[r * lay.width + x] = RefGray(src + r * lay.stride + x * lay.channels, lay.bgr, w);
    }
  }
}

void TestGrayExhaustive(const std::vector<Level>& levels) {
  // All 2^24 colours, once as packed rows (one long row inside the kernels)
  // and once with padded rows, misaligned output and streaming stores.
  const size_t width = 4096, rows = 4096;
  struct Weights {
    const char* name;
    GrayWeights w;
  } weight_sets[] = {{"bt601", kBt601}, {"bt709", kBt709}};
  for (int channels : {3, 4}) {
    for (int padded = 0; padded < 2; ++padded) {
      GrayLayout lay;
      lay.width = width;
      lay.channels = channels;
      lay.stride = width * channels + (padded ? 13 : 0);
      std::vector<uint8_t> src(lay.stride * rows, 0xEE);
      for (uint32_t c = 0; c < (1u << 24); ++c) {
        uint8_t* p = &src[(c / width) * lay.stride + (c % width) * channels];
        p[0] = static_cast<uint8_t>(c >> 16);
        p[1] = static_cast<uint8_t>(c >> 8);
        p[2] = static_cast<uint8_t>(c);
        if (channels == 4) p[3] = static_cast<uint8_t>(c * 2654435761u >> 24);
      }
      std::vector<uint8_t> expect(width * rows), got(width * rows + 64);
      for (int bgr = 0; bgr < 2; ++bgr) {
        if (channels == 4 && bgr == 1 && padded == 1) continue;  // covered by the odd sizes
        lay.bgr = bgr != 0;
        for (const Weights& ws : weight_sets) {
          RefGrayImage(src.data(), lay, rows, ws.w, expect.data());
          for (const Level& lv : levels) {
            uint8_t* dst = got.data() + (padded ? 3 : 0);
            std::memset(got.data(), 0x5A, got.size());
            lv.table->grayscale(src.data(), lay, rows, ws.w, dst, padded != 0);
            bool ok = std::memcmp(dst, expect.data(), expect.size()) == 0 && dst[expect.size()] == 0x5A &&
                      (!padded || got[0] == 0x5A);
            Check(ok, Fmt("grayscale all 2^24 colours %s%s %s %s %s", bgr ? "BGR" : "RGB", channels == 4 ? "A" : "",
                          padded ? "padded+stream" : "packed", ws.name, lv.name.c_str()));
          }
        }
      }
    }
  }
}

void TestGrayOddSizes(const std::vector<Level>& levels) {
  std::mt19937 rng(99);
  const GrayWeights odd_weights[] = {kBt601, kBt709, {32767, 2, 32767}, {0, 65534, 2}, {21845, 21846, 21845}};
  int combos = 0, bad = 0;
  for (size_t width = 1; width <= 67; ++width) {
    for (int channels : {3, 4}) {
      for (size_t pad : {size_t{0}, size_t{1}, size_t{5}}) {
        for (size_t rows : {size_t{1}, size_t{3}}) {
          GrayLayout lay;
          lay.width = width;
          lay.channels = channels;
          lay.stride = width * channels + pad;
          lay.bgr = (rng() & 1) != 0;
          // The last row is exactly width * channels long: nothing past it may be read
          // (run under ASan/valgrind to enforce; here it is at least exercised).
          std::vector<uint8_t> src(lay.stride * (rows - 1) + width * channels);
          for (auto& b : src) b = static_cast<uint8_t>(rng());
          const GrayWeights& w = odd_weights[rng() % 5];
          std::vector<uint8_t> expect(width * rows);
          RefGrayImage(src.data(), lay, rows, w, expect.data());
          for (const Level& lv : levels) {
            for (int stream = 0; stream < 2; ++stream) {
              std::vector<uint8_t> got(width * rows + 8, 0x5A);
              lv.table->grayscale(src.data(), lay, rows, w, got.data() + 1, stream != 0);
              ++combos;
              if (std::memcmp(got.data() + 1, expect.data(), expect.size()) != 0 || got[0] != 0x5A ||
                  got[width * rows + 1] != 0x5A) {
                ++bad;
                if (bad < 5) {
                  std::printf("  grayscale mismatch width=%zu ch=%d pad=%zu rows=%zu %s\n", width, channels, pad, rows,
                              lv.name.c_str());
                }
              }
            }
          }
        }
      }
    }
  }
  Check(bad == 0, Fmt("grayscale odd widths 1..67, padded strides (%d combinations)", combos));
}

// Sizes where the kernels run several streams in lockstep: long packed rows
// and many padded rows, odd widths, misaligned outputs, both store modes.
void TestGrayLockstep(const std::vector<Level>& levels) {
  std::mt19937 rng(1234);
  int combos = 0, bad = 0;
  for (int iter = 0; iter < 40; ++iter) {
    GrayLayout lay;
    lay.channels = (iter & 1) ? 4 : 3;
    lay.width = 1 + rng() % 3000;
    lay.stride = lay.width * lay.channels + ((iter & 2) ? rng() % 70 : 0);
    lay.bgr = (rng() & 1) != 0;
    size_t rows = 1 + rng() % 90;
    if (iter % 5 == 0) {  // one long row
      lay.width = 20000 + rng() % 100000;
      lay.stride = lay.width * lay.channels;
      rows = 1;
    }
    std::vector<uint8_t> src(lay.stride * (rows - 1) + lay.width * lay.channels);
    for (auto& b : src) b = static_cast<uint8_t>(rng());
    const GrayWeights w = (iter % 3 == 0) ? kBt709 : kBt601;
    std::vector<uint8_t> expect(lay.width * rows);
    RefGrayImage(src.data(), lay, rows, w, expect.data());
    for (const Level& lv : levels) {
      for (int stream = 0; stream < 2; ++stream) {
        const size_t off = rng() % 64;
        std::vector<uint8_t> got(expect.size() + 128, 0x5A);
        lv.table->grayscale(src.data(), lay, rows, w, got.data() + off, stream != 0);
        ++combos;
        if (std::memcmp(got.data() + off, expect.data(), expect.size()) != 0 || (off > 0 && got[off - 1] != 0x5A) ||
            got[off + expect.size()] != 0x5A) {
          ++bad;
          if (bad < 5) {
            std::printf("  grayscale lockstep mismatch width=%zu stride=%zu ch=%d rows=%zu %s\n", lay.width, lay.stride,
                        lay.channels, rows, lv.name.c_str());
          }
        }
      }
    }
  }
  Check(bad == 0, Fmt("grayscale multi-stream sizes (%d combinations)", combos));
}

void TestGrayPublic() {
  const uint8_t px[] = {255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255, 0, 0, 0};
  const uint8_t want[] = {76, 150, 29, 255, 0};
  GrayLayout lay;
  lay.width = 5;
  lay.channels = 3;
  lay.stride = 15;
  uint8_t out[5];
  GrayscaleRows(px, lay, 1, kBt601, out);
  Check(std::memcmp(out, want, 5) == 0, "Pillow values: red 76, green 150, blue 29, white 255, black 0");
  GrayscaleRowsScalar(px, lay, 1, kBt601, out);
  Check(std::memcmp(out, want, 5) == 0, "Pillow values, scalar path");
  // Weights outside the SIMD range go to the scalar path (wrapping like the formula).
  std::vector<uint8_t> src(3 * 1000);
  for (size_t i = 0; i < src.size(); ++i) src[i] = static_cast<uint8_t>(i * 31 + 7);
  lay.width = 1000;
  lay.stride = 3000;
  for (GrayWeights w :
       {GrayWeights{40000, 20000, 5536}, GrayWeights{65536, 65536, 65536}, GrayWeights{0xFFFFFFFFu, 1, 7}}) {
    std::vector<uint8_t> expect(1000), got(1000);
    RefGrayImage(src.data(), lay, 1, w, expect.data());
    GrayscaleRows(src.data(), lay, 1, w, got.data(), StoreMode::kStream);
    Check(expect == got, Fmt("grayscale non-SIMD weights %u/%u/%u", w.r, w.g, w.b));
  }
}

}  // namespace

int main() {
  std::vector<Level> levels = Levels();
  std::printf("detected SIMD level: %s (OFFLOOP_SIMD=%s); testing levels:", SimdLevelName(DetectedSimdLevel()),
              std::getenv("OFFLOOP_SIMD") ? std::getenv("OFFLOOP_SIMD") : "");
  for (const Level& l : levels) std::printf(" %s", l.name.c_str());
  std::printf("\n");

  Check(std::string(SimdLevelName(SimdLevel::kScalar)) == "scalar" &&
            std::string(SimdLevelName(SimdLevel::kSse2)) == "sse2" &&
            std::string(SimdLevelName(SimdLevel::kAvx2)) == "avx2" &&
            std::string(SimdLevelName(SimdLevel::kAvx512bw)) == "avx512bw" &&
            std::string(SimdLevelName(SimdLevel::kNeon)) == "neon",
        "SimdLevelName");
  if (const char* cap = std::getenv("OFFLOOP_SIMD")) {
    for (SimdLevel l : {SimdLevel::kScalar, SimdLevel::kSse2, SimdLevel::kAvx2, SimdLevel::kAvx512bw}) {
      if (std::string(cap) == SimdLevelName(l) && SimdLevelSupported(l)) {
        Check(DetectedSimdLevel() == l, Fmt("OFFLOOP_SIMD=%s caps the level", cap));
      }
    }
  }
  Check(internal::KernelsFor(DetectedSimdLevel()) != nullptr || DetectedSimdLevel() == SimdLevel::kScalar,
        "detected level has kernels");

  TestSquaresType<int8_t>(levels, ElementType::kInt8, "Int8");
  TestSquaresType<uint8_t>(levels, ElementType::kUint8, "Uint8");
  TestSquaresType<uint8_t>(levels, ElementType::kUint8Clamped, "Uint8Clamped");
  TestSquaresType<int16_t>(levels, ElementType::kInt16, "Int16");
  TestSquaresType<uint16_t>(levels, ElementType::kUint16, "Uint16");
  TestSquaresType<int32_t>(levels, ElementType::kInt32, "Int32");
  TestSquaresType<uint32_t>(levels, ElementType::kUint32, "Uint32");
  TestSquaresType<float>(levels, ElementType::kFloat32, "Float32");
  TestSquaresType<double>(levels, ElementType::kFloat64, "Float64");
  TestSquareSpecials(levels);
  TestSquareRange(levels);
  TestIntSquares(levels);

  TestSumType<int8_t>(levels, ElementType::kInt8, "Int8");
  TestSumType<uint8_t>(levels, ElementType::kUint8, "Uint8");
  TestSumType<uint8_t>(levels, ElementType::kUint8Clamped, "Uint8Clamped");
  TestSumType<int16_t>(levels, ElementType::kInt16, "Int16");
  TestSumType<uint16_t>(levels, ElementType::kUint16, "Uint16");
  TestSumType<int32_t>(levels, ElementType::kInt32, "Int32");
  TestSumType<uint32_t>(levels, ElementType::kUint32, "Uint32");
  TestSumType<float>(levels, ElementType::kFloat32, "Float32");
  TestSumType<double>(levels, ElementType::kFloat64, "Float64");
  TestSumSpecials(levels);
  TestKnownSums(levels);
  TestRangeSums(levels);
  TestIntSums(levels);

  TestGrayPublic();
  TestGrayOddSizes(levels);
  TestGrayLockstep(levels);
  TestGrayExhaustive(levels);

  return offloop::testing::Summary();
}
