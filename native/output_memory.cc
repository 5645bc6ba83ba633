// allocateOutput(type, length): a TypedArray for a job's result, backed by
// pages from the OS instead of V8's zero-filled allocation. Its contents are
// unspecified (zero or an earlier output's bytes): only for results that a
// kernel overwrites completely before anyone can read them.
//
// Why: `new Float64Array(n)` may be served from the C heap, which the main
// thread then zero-fills (milliseconds for tens of MiB) only for a kernel to
// overwrite every byte. Fresh anonymous pages are zero by construction, are
// first touched by the pool threads that write them (in parallel), and for
// large outputs are backed by transparent huge pages where the kernel allows
// it, so a new output costs little more than a reused one. Returns undefined
// where this does not apply (small outputs, other platforms, runtimes that
// forbid external buffers); the caller then allocates in JS.
//
// Pages of collected outputs are kept for reuse (a few, bounded): touching
// fresh memory means a page fault and a kernel zero-fill per page, which in
// a virtual machine can cost more than the kernel that writes them.
#include <napi.h>

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

#if defined(__linux__) || defined(__APPLE__)
#include <sys/mman.h>
#define OFFLOOP_HAVE_MMAP 1
#endif

#include "args.h"
#include "bindings.h"

namespace offloop {

namespace {

constexpr size_t kMinMappedBytes = size_t{4} << 20;
constexpr size_t kHugePage = size_t{2} << 20;

#if defined(OFFLOOP_HAVE_MMAP)

struct Mapping {
  void* base = nullptr;   // what mmap returned
  size_t bytes = 0;       // what was mapped
  void* data = nullptr;   // huge-page aligned start
  size_t capacity = 0;    // usable bytes from data
};

// Freed mappings kept for reuse, process-wide (workers share them).
class MappingCache {
 public:
  static constexpr size_t kMaxCachedBytes = size_t{512} << 20;
  static constexpr size_t kMaxEntries = 8;

  // A cached mapping of at least `bytes` and not wastefully larger.
  bool Take(size_t bytes, Mapping* out) {
    std::lock_guard<std::mutex> lock(mu_);
    for (size_t i = 0; i < free_.size(); ++i) {
      if (free_[i].capacity >= bytes && free_[i].capacity / 2 <= bytes) {
        *out = free_[i];
        cached_bytes_ -= free_[i].bytes;
        free_.erase(free_.begin() + static_cast<std::ptrdiff_t>(i));
        return true;
      }
    }
    return false;
  }

  void Give(const Mapping& mapping) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (free_.size() < kMaxEntries && cached_bytes_ + mapping.bytes <= kMaxCachedBytes) {
        free_.push_back(mapping);
        cached_bytes_ += mapping.bytes;
        return;
      }
    }
    munmap(mapping.base, mapping.bytes);
  }

 private:
  std::mutex mu_;
  std::vector<Mapping> free_;
  size_t cached_bytes_ = 0;
};

MappingCache& Cache() {
  static auto* cache = new MappingCache();  // never destroyed: finalizers may run at exit
  return *cache;
}

void ReleaseMapping(napi_env, void*, void* hint) {
  auto* mapping = static_cast<Mapping*>(hint);
  Cache().Give(*mapping);
  delete mapping;
}

// At least `bytes` of zero-or-reused pages starting on a huge-page boundary.
bool MapPages(size_t bytes, Mapping* mapping) {
  if (Cache().Take(bytes, mapping)) return true;
  size_t total = bytes + kHugePage;
  void* base = mmap(nullptr, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (base == MAP_FAILED) return false;
  auto address = reinterpret_cast<uintptr_t>(base);
  auto aligned = (address + kHugePage - 1) & ~(uintptr_t{kHugePage} - 1);
#if defined(MADV_HUGEPAGE)
  madvise(reinterpret_cast<void*>(aligned), bytes, MADV_HUGEPAGE);
#endif
  mapping->base = base;
  mapping->bytes = total;
  mapping->data = reinterpret_cast<void*>(aligned);
  mapping->capacity = total - (aligned - address);
  return true;
}

#endif  // OFFLOOP_HAVE_MMAP

Napi::Value AllocateOutput(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto type = static_cast<napi_typedarray_type>(
      GetInteger(env, info[0], "type", napi_int8_array, napi_biguint64_array));
  auto length = static_cast<size_t>(GetInteger(env, info[1], "length", 0, uint64_t{1} << 32));
  size_t element = 0;
  switch (type) {
    case napi_uint8_array: element = 1; break;
    case napi_float64_array:
    case napi_bigint64_array:
    case napi_biguint64_array: element = 8; break;
    default: ThrowTypeError(env, "ERR_INVALID_ARG_VALUE", "allocateOutput: unsupported type");
  }
  const size_t bytes = length * element;
#if defined(OFFLOOP_HAVE_MMAP)
  if (bytes >= kMinMappedBytes) {
    auto* mapping = new Mapping{};
    if (!MapPages(bytes, mapping)) {
      delete mapping;
      return env.Undefined();
    }
    napi_value buffer;
    if (napi_create_external_arraybuffer(env, mapping->data, bytes, ReleaseMapping, mapping,
                                         &buffer) != napi_ok) {
      // E.g. a runtime with the V8 sandbox: fall back to a JS allocation.
      ReleaseMapping(env, nullptr, mapping);
      bool pending = false;
      napi_is_exception_pending(env, &pending);
      if (pending) {
        napi_value ignored;
        napi_get_and_clear_last_exception(env, &ignored);
      }
      return env.Undefined();
    }
    napi_value array;
    NAPI_THROW_IF_FAILED(env, napi_create_typedarray(env, type, length, buffer, 0, &array),
                         Napi::Value());
    return Napi::Value(env, array);
  }
#endif
  (void)bytes;
  return env.Undefined();
}

}  // namespace

void RegisterOutputMemory(Napi::Env env, Napi::Object exports) {
  exports.Set("allocateOutput", Napi::Function::New(env, AllocateOutput, "allocateOutput"));
}

}  // namespace offloop
