// How large outputs are written. Shared by squares.h and grayscale.h.
#pragma once

#include <cstddef>

namespace offloop::kernels {

// Non-temporal ("streaming") stores write whole cache lines straight to
// memory: no read-for-ownership of the destination and no eviction of useful
// cache contents, which pays off only when the output is too large to be read
// back from cache soon. kAuto streams when one call writes at least
// kStreamingBytes and the output does not overlap the input. Callers that
// split one large job into chunks should decide from the whole job's size
// and pass kStream or kCache explicitly.
enum class StoreMode : int { kAuto, kCache, kStream };
constexpr size_t kStreamingBytes = size_t{4} << 20;  // above a core's L2

// The one place that decides: `output_bytes` is what the whole job writes
// (one kernel call, or every chunk of a pool job together). In-place work
// reads the destination first, so streaming past the cache would only slow it.
inline bool ShouldStream(StoreMode mode, size_t output_bytes, bool in_place) {
  if (mode == StoreMode::kAuto) return !in_place && output_bytes >= kStreamingBytes;
  return mode == StoreMode::kStream;
}

// For a job cut into chunks: decided once for the whole job, passed to every chunk.
inline StoreMode StoreModeForJob(size_t output_bytes, bool in_place) {
  return ShouldStream(StoreMode::kAuto, output_bytes, in_place) ? StoreMode::kStream : StoreMode::kCache;
}

}  // namespace offloop::kernels
