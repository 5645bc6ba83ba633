#include "squares_job.h"

namespace offloop {

using kernels::ElementType;

SquaresJob::SquaresJob(Mode mode, ElementType type, const uint8_t* in, double first, uint8_t* out, size_t count)
    : Job(static_cast<size_t>(Chunking(count, kPerChunk).count()), count),
      chunking_(count, kPerChunk),
      store_(kernels::StoreModeForJob(count * 8, in != nullptr && in == out)),
      mode_(mode),
      type_(type),
      element_size_(kernels::ElementSize(type)),
      in_(in),
      first_(first),
      out_(out) {}

void SquaresJob::RunChunk(size_t index) {
  const ItemRange range = chunking_.at(index);
  const size_t begin = static_cast<size_t>(range.begin);
  const size_t n = range.size();
  size_t bad = 0;
  switch (mode_) {
    case Mode::kToDouble:
      kernels::SquareToDouble(type_, in_ + begin * element_size_, reinterpret_cast<double*>(out_) + begin, n, store_);
      break;
    case Mode::kRange:
      kernels::SquareRange(first_ + static_cast<double>(begin), reinterpret_cast<double*>(out_) + begin, n, store_);
      break;
    case Mode::kInt64:
      if (!kernels::SquareInt64(reinterpret_cast<const int64_t*>(in_) + begin, reinterpret_cast<int64_t*>(out_) + begin,
                                n, &bad, store_)) {
        RecordOverflow(begin + bad);
      }
      break;
    case Mode::kUint64:
      if (!kernels::SquareUint64(reinterpret_cast<const uint64_t*>(in_) + begin,
                                 reinterpret_cast<uint64_t*>(out_) + begin, n, &bad, store_)) {
        RecordOverflow(begin + bad);
      }
      break;
  }
}

int64_t SquaresJob::Overflow() const {
  const size_t bad = first_bad_.load(std::memory_order_relaxed);
  return bad == kNone ? kNoOverflow : static_cast<int64_t>(bad);
}

// Every chunk runs to the end, so the smallest index reported is the first
// overflowing element whatever the split.
void SquaresJob::RecordOverflow(size_t index) {
  size_t current = first_bad_.load(std::memory_order_relaxed);
  while (index < current && !first_bad_.compare_exchange_weak(current, index, std::memory_order_relaxed)) {
  }
}

}  // namespace offloop
