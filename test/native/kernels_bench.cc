// Native micro-benchmark: GB/s of each kernel at each SIMD level against
// memcpy (copy ceiling) and a plain read loop (read-only ceiling), with 1 and
// 2 threads. GB/s counts bytes read + bytes written by the kernel, like the
// copy ceiling counts source + destination. Build: BENCH=1 build-and-run.sh.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "../../native/kernels/cpu_features.h"
#include "../../native/kernels/grayscale.h"
#include "../../native/kernels/kernels_internal.h"
#include "../../native/kernels/squares.h"

using namespace offloop::kernels;
using internal::KernelTable;

namespace {

int g_reps = 7;

// Runs fn(part, parts) on `threads` threads; best wall time of g_reps runs.
double BestSeconds(int threads, const std::function<void(int, int)>& fn) {
  double best = 1e30;
  for (int r = 0; r < g_reps; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    if (threads == 1) {
      fn(0, 1);
    } else {
      std::vector<std::thread> pool;
      for (int t = 0; t < threads; ++t) pool.emplace_back(fn, t, threads);
      for (auto& th : pool) th.join();
    }
    auto t1 = std::chrono::steady_clock::now();
    best = std::min(best, std::chrono::duration<double>(t1 - t0).count());
  }
  return best;
}

// [begin, end) of part `t` of `parts`, rounded to multiples of `align`.
void Split(size_t n, int t, int parts, size_t align, size_t* begin, size_t* end) {
  size_t units = (n + align - 1) / align;
  *begin = std::min(n, units * t / parts * align);
  *end = std::min(n, units * (t + 1) / parts * align);
}

void Row(const char* what, const char* level, int threads, double bytes, double secs, double ceiling) {
  double gbs = bytes / secs / 1e9;
  std::printf("%-34s %-9s %dT %7.2f GB/s", what, level, threads, gbs);
  if (ceiling > 0) std::printf("  %5.1f%% of ceiling", 100.0 * gbs / ceiling);
  std::printf("\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1) g_reps = std::atoi(argv[1]);
  const size_t kBytes = size_t{256} << 20;  // far beyond any per-core cache share
  std::vector<uint8_t> a(kBytes), b(kBytes);
  for (size_t i = 0; i < kBytes; ++i) a[i] = static_cast<uint8_t>(i * 131 + 7);
  std::memset(b.data(), 1, kBytes);

  std::vector<const KernelTable*> tables;
  for (SimdLevel l : {SimdLevel::kScalar, SimdLevel::kSse2, SimdLevel::kAvx2, SimdLevel::kAvx512bw, SimdLevel::kNeon}) {
    if (const KernelTable* t = internal::KernelsFor(l)) tables.push_back(t);
  }

  for (int threads : {1, 2}) {
    std::printf("\n=== %d thread(s), %zu MB buffers, best of %d ===\n", threads, kBytes >> 20, g_reps);
    double copy = BestSeconds(threads, [&](int t, int p) {
      size_t s, e;
      Split(kBytes, t, p, 4096, &s, &e);
      std::memcpy(b.data() + s, a.data() + s, e - s);
    });
    double copy_gbs = 2.0 * kBytes / copy / 1e9;
    Row("memcpy (copy ceiling)", "-", threads, 2.0 * kBytes, copy, 0);
    volatile uint64_t sink = 0;
    double read = BestSeconds(threads, [&](int t, int p) {
      size_t s, e;
      Split(kBytes / 8, t, p, 512, &s, &e);
      const uint64_t* q = reinterpret_cast<const uint64_t*>(a.data());
      uint64_t acc[8] = {};
      for (size_t i = s; i + 8 <= e; i += 8) {
        for (int k = 0; k < 8; ++k) acc[k] += q[i + k];
      }
      uint64_t x = 0;
      for (uint64_t v : acc) x += v;
      sink = sink + x;
    });
    double read_gbs = 1.0 * kBytes / read / 1e9;
    Row("read loop (read-only ceiling)", "-", threads, kBytes, read, 0);
    double write = BestSeconds(threads, [&](int t, int p) {
      size_t s, e;
      Split(kBytes, t, p, 4096, &s, &e);
      std::memset(b.data() + s, t + 3, e - s);
    });
    Row("memset (write-only)", "-", threads, kBytes, write, 0);

    for (const KernelTable* kt : tables) {
      const char* ln = SimdLevelName(kt->level);
      struct SqCase {
        const char* name;
        ElementType type;
        size_t size;
      } sq_cases[] = {{"square Float64->f64", ElementType::kFloat64, 8},
                      {"square Float32->f64", ElementType::kFloat32, 4},
                      {"square Int32->f64", ElementType::kInt32, 4},
                      {"square Uint8->f64", ElementType::kUint8, 1}};
      for (const SqCase& c : sq_cases) {
        size_t n = kBytes / 8;  // the output fills b
        for (int stream = 0; stream < 2; ++stream) {
          double secs = BestSeconds(threads, [&](int t, int p) {
            size_t s, e;
            Split(n, t, p, 512, &s, &e);
            kt->square_to_double[static_cast<int>(c.type)](a.data() + s * c.size,
                                                           reinterpret_cast<double*>(b.data()) + s, e - s, stream != 0);
          });
          std::string what = std::string(c.name) + (stream ? " stream" : " cached");
          Row(what.c_str(), ln, threads, n * (8.0 + c.size), secs, copy_gbs);
        }
      }
      {
        size_t n = kBytes / 8;
        double secs = BestSeconds(threads, [&](int t, int p) {
          size_t s, e;
          Split(n, t, p, 512, &s, &e);
          double* q = reinterpret_cast<double*>(b.data()) + s;
          kt->square_to_double[static_cast<int>(ElementType::kFloat64)](q, q, e - s, false);
        });
        Row("square Float64 in place", ln, threads, n * 16.0, secs, copy_gbs);
        for (int stream = 0; stream < 2; ++stream) {
          secs = BestSeconds(threads, [&](int t, int p) {
            size_t s, e;
            Split(n, t, p, 512, &s, &e);
            kt->square_range(double(s), reinterpret_cast<double*>(b.data()) + s, e - s, stream != 0);
          });
          Row(stream ? "square range stream (write-only)" : "square range cached (write-only)", ln, threads, n * 8.0,
              secs, 0);
        }
        // Values that all fit, so the whole array is squared.
        std::vector<int64_t> ints(n);
        for (size_t i = 0; i < n; ++i) ints[i] = static_cast<int64_t>(i % 3000000) - 1500000;
        secs = BestSeconds(threads, [&](int t, int p) {
          size_t s, e;
          Split(n, t, p, 512, &s, &e);
          size_t bad;
          kt->square_int64(ints.data() + s, reinterpret_cast<int64_t*>(b.data()) + s, e - s, &bad, true);
        });
        Row("square BigInt64 stream", ln, threads, n * 16.0, secs, copy_gbs);
      }
      struct SumCase {
        const char* name;
        ElementType type;
        size_t size;
      } sum_cases[] = {{"sum Float64", ElementType::kFloat64, 8},
                       {"sum Float32", ElementType::kFloat32, 4},
                       {"sum Int32", ElementType::kInt32, 4},
                       {"sum Uint8", ElementType::kUint8, 1}};
      std::vector<double> vals(kBytes / 8);
      for (size_t i = 0; i < vals.size(); ++i) vals[i] = double(i % 1000) * 0.25;
      for (const SumCase& c : sum_cases) {
        const void* src = c.type == ElementType::kFloat64 ? static_cast<const void*>(vals.data()) : a.data();
        size_t n = kBytes / c.size;
        std::vector<CompensatedSum> blocks(internal::NumBlocks(n));
        double secs = BestSeconds(threads, [&](int t, int p) {
          size_t s, e;
          Split(n, t, p, kSumBlock, &s, &e);
          kt->sum_blocks[static_cast<int>(c.type)](static_cast<const uint8_t*>(src) + s * c.size, e - s,
                                                   blocks.data() + s / kSumBlock);
        });
        Row(c.name, ln, threads, n * double(c.size), secs, read_gbs);
      }
      {
        size_t n = kBytes / 8;
        std::vector<CompensatedSum> blocks(internal::NumBlocks(n));
        double secs = BestSeconds(threads, [&](int t, int p) {
          size_t s, e;
          Split(n, t, p, kSumBlock, &s, &e);
          kt->sum_range_blocks(double(s), e - s, blocks.data() + s / kSumBlock);
        });
        std::printf("%-34s %-9s %dT %7.2f Gelem/s\n", "sum range (no memory)", ln, threads, n / secs / 1e9);
        std::vector<int64_t> ints(n);
        for (size_t i = 0; i < n; ++i) ints[i] = static_cast<int64_t>(i % 2000) - 1000;
        secs = BestSeconds(threads, [&](int t, int p) {
          size_t s, e;
          Split(n, t, p, 4096, &s, &e);
          int64_t sum;
          kt->sum_int64(ints.data() + s, e - s, &sum);
        });
        Row("sum BigInt64", ln, threads, n * 8.0, secs, read_gbs);
      }
      // 8K frames: 7680 x 4320.
      for (int channels : {4, 3}) {
        GrayLayout lay;
        lay.width = 7680;
        lay.channels = channels;
        lay.stride = lay.width * channels;
        const size_t rows = 4320;
        for (int stream = 0; stream < 2; ++stream) {
          double secs = BestSeconds(threads, [&](int t, int p) {
            size_t s, e;
            Split(rows, t, p, 1, &s, &e);
            kt->grayscale(a.data() + s * lay.stride, lay, e - s, kBt601, b.data() + s * lay.width, stream != 0);
          });
          std::string what =
              std::string("gray 8K ") + (channels == 4 ? "RGBA" : "RGB") + (stream ? " stream" : " cached");
          Row(what.c_str(), ln, threads, rows * lay.width * (channels + 1.0), secs, copy_gbs);
        }
      }
    }
  }
  return 0;
}
