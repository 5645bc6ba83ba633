// How a job's items are cut into chunks. A chunk is small enough that a
// cancellation or a progress report reacts within a fraction of a
// millisecond, and large enough that claiming it costs nothing measurable.
#pragma once

#include <algorithm>
#include <cstddef>

#include "kernels/store_mode.h"

namespace offloop {

struct ItemRange {
  size_t begin;
  size_t end;
  size_t size() const { return end - begin; }
};

class Chunking {
 public:
  Chunking(size_t items, size_t items_per_chunk)
      : items_(items), per_chunk_(std::max<size_t>(items_per_chunk, 1)) {}

  // At least one chunk, so that an empty input completes like any other.
  size_t count() const { return items_ == 0 ? 1 : (items_ - 1) / per_chunk_ + 1; }
  ItemRange at(size_t index) const {
    size_t begin = std::min(items_, index * per_chunk_);
    return ItemRange{begin, std::min(items_, begin + per_chunk_)};
  }
  size_t per_chunk() const { return per_chunk_; }

 private:
  size_t items_;
  size_t per_chunk_;
};

// Streaming stores for a job whose whole output outgrows the caches, decided
// once per job: each chunk alone is small, but together they would evict
// everything, and the result is not read back from cache anyway.
inline kernels::StoreMode StoreModeFor(size_t output_bytes) {
  return output_bytes >= kernels::kStreamingBytes ? kernels::StoreMode::kStream
                                                  : kernels::StoreMode::kCache;
}

}  // namespace offloop
