// How a job's items are cut into chunks. A chunk is small enough that a
// cancellation or a progress report reacts within a fraction of a
// millisecond, and large enough that claiming it costs nothing measurable.
//
// Item counts are 64-bit everywhere: a range of integers needs no memory,
// so its count may exceed size_t on a 32-bit build.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>

namespace offloop {

struct ItemRange {
  uint64_t begin;
  uint64_t end;
  // At most one chunk's worth, which fits size_t.
  size_t size() const { return static_cast<size_t>(end - begin); }
};

class Chunking {
 public:
  Chunking(uint64_t items, size_t items_per_chunk) : items_(items), per_chunk_(std::max<size_t>(items_per_chunk, 1)) {}

  // At least one chunk, so that an empty input completes like any other.
  uint64_t count() const { return items_ == 0 ? 1 : (items_ - 1) / per_chunk_ + 1; }
  // Whether count() fits the chunk indices of this build (size_t).
  bool fits() const { return count() <= std::numeric_limits<size_t>::max(); }
  ItemRange at(size_t index) const {
    uint64_t begin = std::min<uint64_t>(items_, uint64_t{index} * per_chunk_);
    return ItemRange{begin, std::min<uint64_t>(items_, begin + per_chunk_)};
  }
  uint64_t items() const { return items_; }
  size_t per_chunk() const { return per_chunk_; }

 private:
  uint64_t items_;
  size_t per_chunk_;
};

}  // namespace offloop
