// computeSquares as a pool job: element-wise squares of a TypedArray, or of
// the integer range first..first+count-1, into an output array.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <limits>

#include "core/chunking.h"
#include "core/job.h"
#include "kernels/squares.h"

namespace offloop {

class SquaresJob : public Job {
 public:
  // 128 Ki elements: 1 MiB written per chunk (enough for the kernel's
  // several lockstep streams to run at full speed), about 0.1 ms of work.
  static constexpr size_t kPerChunk = 131072;

  enum class Mode { kToDouble, kRange, kInt64, kUint64 };

  // `in` is null for kRange. `out` has `count` elements of 8 bytes. The
  // caller checked `count` against both arrays.
  SquaresJob(Mode mode, kernels::ElementType type, const uint8_t* in, double first, uint8_t* out, size_t count);

  void RunChunk(size_t index) override;
  uint64_t ChunkItems(size_t index) const override { return chunking_.at(index).size(); }
  int64_t Overflow() const override;

 private:
  static constexpr size_t kNone = std::numeric_limits<size_t>::max();
  void RecordOverflow(size_t index);

  Chunking chunking_;
  kernels::StoreMode store_;
  Mode mode_;
  kernels::ElementType type_;
  size_t element_size_;
  const uint8_t* in_;
  double first_;
  uint8_t* out_;
  std::atomic<size_t> first_bad_{kNone};
};

}  // namespace offloop
