// The memory-bandwidth ceiling for the benchmarks: what `threads` native
// threads achieve when they do nothing but move the same bytes as a kernel.
//
//   copy(src, dst, threads)        memcpy of src into dst, split into
//                                  `threads` contiguous slices: every byte read
//                                  once and written once.
//   streamCopy(src, dst, threads)  the same copy, each thread running 4
//                                  interleaved streams with software prefetch
//                                  and the widest non-temporal stores the CPU
//                                  has. On the VMs we measured, one sequential
//                                  stream per core reaches about half of what
//                                  memory allows, and glibc's memcpy (one
//                                  stream, 256-bit stores) about half of this
//                                  copy: memcpy alone would understate the
//                                  ceiling, and kernels would score > 100%.
//                                  The bench takes the faster of the two.
//   readSum(src, threads)          sum of all bytes of src, split the same way,
//                                  4 streams per thread, widest loads +
//                                  prefetch (the read-only ceiling for
//                                  sumOfSquares; the sum is returned so the
//                                  reads cannot be dropped and can be checked).
//   trafficSum(src, dst, threads)  a kernel's own traffic with no work in
//                                  it: every byte of src read (and summed,
//                                  returned, so the reads stay and can be
//                                  checked) and every byte of dst written with
//                                  non-temporal stores, the reads spread evenly
//                                  over the writes, 4 streams per thread. No
//                                  kernel with that traffic can beat it. The
//                                  copy ceiling moves the same total half read,
//                                  half written; where streaming stores cost
//                                  less than reads, a kernel that reads 3-4
//                                  bytes per byte it writes (grayscale) cannot
//                                  reach it, and this shows by how much.
//   isa                            the vector width the loops above use.
//
// All calls block the calling thread: the ceiling is a measurement, not a
// contender for event-loop responsiveness. A fresh std::thread per slice and
// call costs tens of microseconds, noise next to the milliseconds a
// ceiling-sized copy takes. Compiled for the baseline ISA; the wider loops
// are chosen at run time (target attributes + __builtin_cpu_supports).
#include <napi.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#if (defined(__GNUC__) || defined(__clang__)) && (defined(__x86_64__) || defined(__i386__))
#include <immintrin.h>
#define CEILING_X86 1
#endif

namespace {

constexpr size_t kLine = 64;
constexpr size_t kStreams = 4;           // concurrent sequential streams per thread
constexpr size_t kPrefetchAhead = 4096;  // bytes ahead of each stream

// Calls work(t, begin, end) for `threads` contiguous slices of [0, bytes),
// each on its own thread, boundaries on 64-byte lines; returns when all are done.
template <typename Work>
void ForEachSlice(size_t bytes, size_t threads, Work work) {
  size_t per = (bytes / threads + kLine - 1) & ~(kLine - 1);
  std::vector<std::thread> running;
  for (size_t t = 0; t < threads; ++t) {
    size_t begin = std::min(bytes, t * per);
    size_t end = t + 1 == threads ? bytes : std::min(bytes, begin + per);
    running.emplace_back(work, t, begin, end);
  }
  for (auto& thread : running) thread.join();
}

// Bytes per stream when n bytes are cut into kStreams whole-line streams
// (the remainder, under kStreams lines, is done separately).
inline size_t StreamBytes(size_t n) { return (n / kStreams) & ~(kLine - 1); }

uint64_t SumBytesScalar(const uint8_t* p, size_t n) {
  uint64_t total = 0;
  for (size_t i = 0; i < n; ++i) total += p[i];
  return total;
}

#if defined(CEILING_X86)
// psadbw against zero adds 8 bytes into a 64-bit lane: one instruction per
// vector loaded, far below what memory can feed, so the loops are memory-bound.
#define CEILING_PREFETCH(p) _mm_prefetch(reinterpret_cast<const char*>(p) + kPrefetchAhead, _MM_HINT_T0)

uint64_t SumBytesSse2(const uint8_t* p, size_t n) {
  const size_t per = StreamBytes(n);
  __m128i zero = _mm_setzero_si128();
  __m128i acc[kStreams];
  for (auto& a : acc) a = zero;
  for (size_t i = 0; i < per; i += kLine) {
    for (size_t k = 0; k < kStreams; ++k) {
      const uint8_t* q = p + k * per + i;
      CEILING_PREFETCH(q);
      for (size_t v = 0; v < kLine; v += 16) {
        acc[k] = _mm_add_epi64(acc[k], _mm_sad_epu8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(q + v)), zero));
      }
    }
  }
  uint64_t total = 0;
  for (auto& a : acc) {
    uint64_t lanes[2];
    _mm_storeu_si128(reinterpret_cast<__m128i*>(lanes), a);
    total += lanes[0] + lanes[1];
  }
  return total + SumBytesScalar(p + kStreams * per, n - kStreams * per);
}

__attribute__((target("avx2"))) uint64_t SumBytesAvx2(const uint8_t* p, size_t n) {
  const size_t per = StreamBytes(n);
  __m256i zero = _mm256_setzero_si256();
  __m256i acc[kStreams];
  for (auto& a : acc) a = zero;
  for (size_t i = 0; i < per; i += kLine) {
    for (size_t k = 0; k < kStreams; ++k) {
      const uint8_t* q = p + k * per + i;
      CEILING_PREFETCH(q);
      acc[k] = _mm256_add_epi64(acc[k], _mm256_sad_epu8(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(q)), zero));
      acc[k] = _mm256_add_epi64(acc[k], _mm256_sad_epu8(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(q + 32)), zero));
    }
  }
  uint64_t total = 0;
  for (auto& a : acc) {
    uint64_t lanes[4];
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(lanes), a);
    total += lanes[0] + lanes[1] + lanes[2] + lanes[3];
  }
  return total + SumBytesScalar(p + kStreams * per, n - kStreams * per);
}

__attribute__((target("avx512f,avx512bw"))) uint64_t SumBytesAvx512(const uint8_t* p, size_t n) {
  const size_t per = StreamBytes(n);
  __m512i zero = _mm512_setzero_si512();
  __m512i acc[kStreams];
  for (auto& a : acc) a = zero;
  for (size_t i = 0; i < per; i += kLine) {
    for (size_t k = 0; k < kStreams; ++k) {
      const uint8_t* q = p + k * per + i;
      CEILING_PREFETCH(q);
      acc[k] = _mm512_add_epi64(acc[k], _mm512_sad_epu8(_mm512_loadu_si512(q), zero));
    }
  }
  // (Not _mm512_reduce_add_epi64: GCC 12 warns inside it, PR 105593.)
  uint64_t total = 0;
  for (auto& a : acc) {
    uint64_t lanes[8];
    _mm512_storeu_si512(lanes, a);
    for (uint64_t lane : lanes) total += lane;
  }
  return total + SumBytesScalar(p + kStreams * per, n - kStreams * per);
}

// Streaming copies: memcpy up to a 64-byte aligned destination, then
// kStreams interleaved streams of whole lines with non-temporal stores, then
// memcpy of the rest. (One function per ISA: GCC does not pass a function's
// target attribute on to lambdas or templates it calls.)
#define CEILING_STREAM_COPY(dst, src, n, COPY_LINE)                            \
  size_t head = std::min(n, (kLine - (reinterpret_cast<uintptr_t>(dst) & (kLine - 1))) & (kLine - 1)); \
  std::memcpy(dst, src, head);                                                 \
  uint8_t* d = dst + head;                                                     \
  const uint8_t* s = src + head;                                               \
  size_t rest = n - head;                                                      \
  const size_t per = StreamBytes(rest);                                        \
  for (size_t i = 0; i < per; i += kLine) {                                    \
    for (size_t k = 0; k < kStreams; ++k) {                                    \
      CEILING_PREFETCH(s + k * per + i);                                       \
      COPY_LINE(d + k * per + i, s + k * per + i);                             \
    }                                                                          \
  }                                                                            \
  std::memcpy(d + kStreams * per, s + kStreams * per, rest - kStreams * per);  \
  _mm_sfence();

#define CEILING_LINE_SSE2(to, from)                                                                   \
  for (size_t v = 0; v < kLine; v += 16) {                                                            \
    _mm_stream_si128(reinterpret_cast<__m128i*>((to) + v), _mm_loadu_si128(reinterpret_cast<const __m128i*>((from) + v))); \
  }
#define CEILING_LINE_AVX2(to, from)                                                                    \
  _mm256_stream_si256(reinterpret_cast<__m256i*>(to), _mm256_loadu_si256(reinterpret_cast<const __m256i*>(from))); \
  _mm256_stream_si256(reinterpret_cast<__m256i*>((to) + 32), _mm256_loadu_si256(reinterpret_cast<const __m256i*>((from) + 32)));
#define CEILING_LINE_AVX512(to, from) _mm512_stream_si512(reinterpret_cast<__m512i*>(to), _mm512_loadu_si512(from));

void StreamCopySse2(uint8_t* dst, const uint8_t* src, size_t n) { CEILING_STREAM_COPY(dst, src, n, CEILING_LINE_SSE2) }
__attribute__((target("avx2"))) void StreamCopyAvx2(uint8_t* dst, const uint8_t* src, size_t n) {
  CEILING_STREAM_COPY(dst, src, n, CEILING_LINE_AVX2)
}
__attribute__((target("avx512f"))) void StreamCopyAvx512(uint8_t* dst, const uint8_t* src, size_t n) {
  CEILING_STREAM_COPY(dst, src, n, CEILING_LINE_AVX512)
}

// Traffic loops: the output cut into kStreams whole-line streams and the
// input into as many, each stream reading its input lines up to its share
// before writing its next output line; a head up to dst's first 64-byte
// boundary and the tails are done plainly.
#define CEILING_TRAFFIC(VEC, ZERO, SUM_LINE, STORE_LINE, REDUCE)                         \
  size_t head = std::min(out, (kLine - (reinterpret_cast<uintptr_t>(dst) & (kLine - 1))) & (kLine - 1)); \
  std::memset(dst, 0, head);                                                             \
  dst += head;                                                                           \
  out -= head;                                                                           \
  const size_t out_per = StreamBytes(out);                                               \
  const size_t lines = out_per / kLine;                                                  \
  const size_t in_per = lines == 0 ? 0 : StreamBytes(in);                                \
  VEC acc[kStreams];                                                                     \
  for (auto& a : acc) a = ZERO;                                                          \
  size_t done = 0;                                                                       \
  for (size_t j = 0; j < lines; ++j) {                                                   \
    const size_t until = ((j + 1) * in_per / lines) & ~(kLine - 1);                      \
    for (size_t k = 0; k < kStreams; ++k) {                                              \
      const uint8_t* q = src + k * in_per;                                               \
      for (size_t i = done; i < until; i += kLine) {                                     \
        CEILING_PREFETCH(q + i);                                                         \
        SUM_LINE(acc[k], q + i);                                                         \
      }                                                                                  \
      STORE_LINE(dst + k * out_per + j * kLine, acc[k]);                                 \
    }                                                                                    \
    done = until;                                                                        \
  }                                                                                      \
  _mm_sfence();                                                                          \
  std::memset(dst + kStreams * out_per, 0, out - kStreams * out_per);                    \
  uint64_t total = 0;                                                                    \
  for (auto& a : acc) total += REDUCE(a);                                                \
  return total + SumBytesScalar(src + kStreams * in_per, in - kStreams * in_per);

#define CEILING_SUM_SSE2(acc, from)                                                                     \
  for (size_t v = 0; v < kLine; v += 16) {                                                              \
    acc = _mm_add_epi64(acc, _mm_sad_epu8(_mm_loadu_si128(reinterpret_cast<const __m128i*>((from) + v)), _mm_setzero_si128())); \
  }
#define CEILING_STORE_SSE2(to, value)                                          \
  for (size_t v = 0; v < kLine; v += 16) _mm_stream_si128(reinterpret_cast<__m128i*>((to) + v), value);
#define CEILING_SUM_AVX2(acc, from)                                                                                  \
  acc = _mm256_add_epi64(acc, _mm256_sad_epu8(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(from)), _mm256_setzero_si256())); \
  acc = _mm256_add_epi64(acc, _mm256_sad_epu8(_mm256_loadu_si256(reinterpret_cast<const __m256i*>((from) + 32)), _mm256_setzero_si256()));
#define CEILING_STORE_AVX2(to, value)                                  \
  _mm256_stream_si256(reinterpret_cast<__m256i*>(to), value);          \
  _mm256_stream_si256(reinterpret_cast<__m256i*>((to) + 32), value);
#define CEILING_SUM_AVX512(acc, from) acc = _mm512_add_epi64(acc, _mm512_sad_epu8(_mm512_loadu_si512(from), _mm512_setzero_si512()));
#define CEILING_STORE_AVX512(to, value) _mm512_stream_si512(reinterpret_cast<__m512i*>(to), value);

uint64_t ReduceSse2(__m128i a) {
  uint64_t lanes[2];
  _mm_storeu_si128(reinterpret_cast<__m128i*>(lanes), a);
  return lanes[0] + lanes[1];
}
__attribute__((target("avx2"))) uint64_t ReduceAvx2(__m256i a) {
  uint64_t lanes[4];
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(lanes), a);
  return lanes[0] + lanes[1] + lanes[2] + lanes[3];
}
__attribute__((target("avx512f"))) uint64_t ReduceAvx512(__m512i a) {
  uint64_t lanes[8];
  _mm512_storeu_si512(lanes, a);
  uint64_t total = 0;
  for (uint64_t lane : lanes) total += lane;
  return total;
}

uint64_t TrafficSse2(const uint8_t* src, size_t in, uint8_t* dst, size_t out) {
  CEILING_TRAFFIC(__m128i, _mm_setzero_si128(), CEILING_SUM_SSE2, CEILING_STORE_SSE2, ReduceSse2)
}
__attribute__((target("avx2"))) uint64_t TrafficAvx2(const uint8_t* src, size_t in, uint8_t* dst, size_t out) {
  CEILING_TRAFFIC(__m256i, _mm256_setzero_si256(), CEILING_SUM_AVX2, CEILING_STORE_AVX2, ReduceAvx2)
}
__attribute__((target("avx512f,avx512bw"))) uint64_t TrafficAvx512(const uint8_t* src, size_t in, uint8_t* dst,
                                                                    size_t out) {
  CEILING_TRAFFIC(__m512i, _mm512_setzero_si512(), CEILING_SUM_AVX512, CEILING_STORE_AVX512, ReduceAvx512)
}
#else
void StreamCopyPlain(uint8_t* dst, const uint8_t* src, size_t n) { std::memcpy(dst, src, n); }
uint64_t TrafficPlain(const uint8_t* src, size_t in, uint8_t* dst, size_t out) {
  std::memset(dst, 0, out);
  return SumBytesScalar(src, in);
}
#endif

struct Isa {
  const char* name;
  uint64_t (*sum)(const uint8_t*, size_t);
  void (*stream_copy)(uint8_t*, const uint8_t*, size_t);
  uint64_t (*traffic)(const uint8_t*, size_t, uint8_t*, size_t);
};

Isa DetectIsa() {
#if defined(CEILING_X86)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")) {
    return {"avx512", SumBytesAvx512, StreamCopyAvx512, TrafficAvx512};
  }
  if (__builtin_cpu_supports("avx2")) return {"avx2", SumBytesAvx2, StreamCopyAvx2, TrafficAvx2};
  return {"sse2", SumBytesSse2, StreamCopySse2, TrafficSse2};
#else
  return {"scalar (memcpy)", SumBytesScalar, StreamCopyPlain, TrafficPlain};
#endif
}

const Isa kIsa = DetectIsa();

struct Bytes {
  uint8_t* data;
  size_t length;
};

// The bytes of a TypedArray, whether its buffer is an ArrayBuffer or a
// SharedArrayBuffer (napi_get_typedarray_info handles both).
bool ReadView(const Napi::Env& env, const Napi::Value& value, const char* name, Bytes* out) {
  if (!value.IsTypedArray()) {
    Napi::TypeError::New(env, std::string(name) + " must be a TypedArray").ThrowAsJavaScriptException();
    return false;
  }
  void* data = nullptr;
  if (napi_get_typedarray_info(env, value, nullptr, nullptr, &data, nullptr, nullptr) != napi_ok) {
    Napi::Error::New(env, std::string("cannot read ") + name).ThrowAsJavaScriptException();
    return false;
  }
  out->data = static_cast<uint8_t*>(data);  // already adjusted by the view's byteOffset
  out->length = value.As<Napi::TypedArray>().ByteLength();
  return true;
}

size_t ReadThreads(const Napi::Env& env, const Napi::Value& value) {
  if (!value.IsNumber()) {
    Napi::TypeError::New(env, "threads must be a number").ThrowAsJavaScriptException();
    return 0;
  }
  int64_t threads = value.As<Napi::Number>().Int64Value();
  if (threads < 1 || threads > 1024) {
    Napi::RangeError::New(env, "threads must be 1..1024").ThrowAsJavaScriptException();
    return 0;
  }
  return static_cast<size_t>(threads);
}

// copy / streamCopy: (src, dst, threads).
template <bool kStream>
Napi::Value CopyWith(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Bytes src, dst;
  if (!ReadView(env, info[0], "src", &src) || !ReadView(env, info[1], "dst", &dst)) return env.Undefined();
  size_t threads = ReadThreads(env, info[2]);
  if (threads == 0) return env.Undefined();
  if (dst.length < src.length) {
    Napi::RangeError::New(env, "dst is smaller than src").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  ForEachSlice(src.length, threads, [&](size_t, size_t begin, size_t end) {
    if (kStream) {
      kIsa.stream_copy(dst.data + begin, src.data + begin, end - begin);
    } else {
      std::memcpy(dst.data + begin, src.data + begin, end - begin);
    }
  });
  return env.Undefined();
}

Napi::Value ReadSum(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Bytes src;
  if (!ReadView(env, info[0], "src", &src)) return env.Undefined();
  size_t threads = ReadThreads(env, info[1]);
  if (threads == 0) return env.Undefined();
  std::vector<uint64_t> partial(threads * 8, 0);  // 64 bytes apart: no false sharing
  ForEachSlice(src.length, threads, [&](size_t t, size_t begin, size_t end) {
    partial[t * 8] = kIsa.sum(src.data + begin, end - begin);
  });
  uint64_t total = 0;
  for (size_t t = 0; t < threads; ++t) total += partial[t * 8];
  // Exact as a double below 2^53 (over 35 TB of 0xFF bytes).
  return Napi::Number::New(env, static_cast<double>(total));
}

// trafficSum: (src, dst, threads). Each thread takes the same share of both
// (slices on 64-byte lines of dst, and of src in proportion).
Napi::Value TrafficSum(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Bytes src, dst;
  if (!ReadView(env, info[0], "src", &src) || !ReadView(env, info[1], "dst", &dst)) return env.Undefined();
  size_t threads = ReadThreads(env, info[2]);
  if (threads == 0) return env.Undefined();
  if (dst.length == 0) {
    Napi::RangeError::New(env, "dst is empty").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  std::vector<uint64_t> partial(threads * 8, 0);  // 64 bytes apart: no false sharing
  const auto src_at = [&](size_t dst_offset) {
    if (dst_offset == dst.length) return src.length;
    // 64-bit products: exact for buffers up to 4 GiB each.
    return static_cast<size_t>(uint64_t{dst_offset} * src.length / dst.length) & ~(kLine - 1);
  };
  ForEachSlice(dst.length, threads, [&](size_t t, size_t begin, size_t end) {
    const size_t from = src_at(begin);
    partial[t * 8] = kIsa.traffic(src.data + from, src_at(end) - from, dst.data + begin, end - begin);
  });
  uint64_t total = 0;
  for (size_t t = 0; t < threads; ++t) total += partial[t * 8];
  return Napi::Number::New(env, static_cast<double>(total));
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("copy", Napi::Function::New(env, CopyWith<false>, "copy"));
  exports.Set("streamCopy", Napi::Function::New(env, CopyWith<true>, "streamCopy"));
  exports.Set("readSum", Napi::Function::New(env, ReadSum, "readSum"));
  exports.Set("trafficSum", Napi::Function::New(env, TrafficSum, "trafficSum"));
  exports.Set("isa", Napi::String::New(env, kIsa.name));
  return exports;
}

}  // namespace

NODE_API_MODULE(ceiling, Init)
