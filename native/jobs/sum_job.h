// sumOfSquares as a pool job. The floating-point sum is folded block by
// block in index order (see kernels/squares.h), so it is the same whatever
// the pool size: chunks finish in any order, and a chunk that finishes early
// is parked until the chunks before it are folded.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <vector>

#include "core/chunking.h"
#include "core/job.h"
#include "kernels/squares.h"

namespace offloop {

class SumJob : public Job {
 public:
  // Four fixed-size blocks: 512 KiB of Float64 read per chunk.
  static constexpr size_t kBlocksPerChunk = 4;
  static constexpr size_t kPerChunk = kernels::kSumBlock * kBlocksPerChunk;

  // Whether a job over `count` items can be cut into chunks on this build
  // (a range's count may exceed what 32-bit chunk indices address).
  static bool Fits(uint64_t count) { return Chunking(count, kPerChunk).fits(); }

  // Sum of the squares of `in` (count elements of `type`).
  static std::shared_ptr<SumJob> OfArray(kernels::ElementType type, const uint8_t* in, uint64_t count);
  // Sum of the squares of first, first+1, ..., first+count-1.
  static std::shared_ptr<SumJob> OfRange(double first, uint64_t count);
  // The same, keeping every block's (hi, lo) in index order (Blocks()): a
  // part of a larger range, whose blocks another process folds with the rest.
  static std::shared_ptr<SumJob> BlocksOfRange(double first, uint64_t count);
  // The most items BlocksOfRange takes: 2^22 blocks, 64 MiB of pairs.
  static constexpr uint64_t kMaxBlocksItems = uint64_t{kernels::kSumBlock} << 22;

  SumJob(kernels::ElementType type, const uint8_t* in, double first, uint64_t count, bool is_range);

  void RunChunk(size_t index) override;
  uint64_t ChunkItems(size_t index) const override { return chunking_.at(index).size(); }
  int64_t Overflow() const override;

  // The result, once every chunk ran (and Overflow() is kNoOverflow).
  kernels::ElementType type() const { return type_; }
  double FloatSum() const { return kernels::FinishSum(total_); }
  // The (hi, lo) fold before the final rounding.
  kernels::CompensatedSum FloatParts() const { return total_; }
  // Every block's (hi, lo), in index order (BlocksOfRange only).
  const std::vector<kernels::CompensatedSum>& Blocks() const { return kept_blocks_; }
  int64_t Int64Sum() const { return int_sum_; }
  uint64_t Uint64Sum() const { return uint_sum_; }

 private:
  void RunIntegerChunk(const ItemRange& range);
  void FoldInOrder(size_t chunk, std::vector<kernels::CompensatedSum> blocks);

  Chunking chunking_;
  kernels::ElementType type_;
  const uint8_t* in_;
  double first_;
  bool is_range_;

  mutable std::mutex fold_mu_;
  size_t next_chunk_to_fold_ = 0;
  std::map<size_t, std::vector<kernels::CompensatedSum>> parked_;
  kernels::CompensatedSum total_;
  bool keep_blocks_ = false;
  std::vector<kernels::CompensatedSum> kept_blocks_;
  int64_t int_sum_ = 0;
  uint64_t uint_sum_ = 0;
  bool integer_overflow_ = false;
};

}  // namespace offloop
