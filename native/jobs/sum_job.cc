#include "sum_job.h"

#include <memory>
#include <utility>

namespace offloop {

using kernels::CompensatedSum;
using kernels::ElementType;
using kernels::kSumBlock;

std::shared_ptr<SumJob> SumJob::OfArray(ElementType type, const uint8_t* in, uint64_t count) {
  return std::make_shared<SumJob>(type, in, 0.0, count, false);
}

std::shared_ptr<SumJob> SumJob::OfRange(double first, uint64_t count) {
  return std::make_shared<SumJob>(ElementType::kFloat64, nullptr, first, count, true);
}

std::shared_ptr<SumJob> SumJob::BlocksOfRange(double first, uint64_t count) {
  auto job = OfRange(first, count);
  job->keep_blocks_ = true;
  job->kept_blocks_.reserve(static_cast<size_t>((count + kSumBlock - 1) / kSumBlock));
  return job;
}

SumJob::SumJob(ElementType type, const uint8_t* in, double first, uint64_t count, bool is_range)
    : Job(static_cast<size_t>(Chunking(count, kPerChunk).count()), count),
      chunking_(count, kPerChunk),
      type_(type),
      in_(in),
      first_(first),
      is_range_(is_range) {}

void SumJob::RunChunk(size_t index) {
  const ItemRange range = chunking_.at(index);
  if (type_ == ElementType::kBigInt64 || type_ == ElementType::kBigUint64) {
    RunIntegerChunk(range);
    return;
  }
  // One call for the chunk's blocks: the kernel advances them side by side.
  std::vector<CompensatedSum> blocks((range.size() + kSumBlock - 1) / kSumBlock);
  if (is_range_) {
    kernels::SumSquaresRangeBlocks(first_ + static_cast<double>(range.begin), range.size(), blocks.data());
  } else {
    kernels::SumSquaresBlocks(type_, in_ + static_cast<size_t>(range.begin) * kernels::ElementSize(type_), range.size(),
                              blocks.data());
  }
  FoldInOrder(index, std::move(blocks));
}

int64_t SumJob::Overflow() const {
  std::lock_guard<std::mutex> lock(fold_mu_);
  return integer_overflow_ ? -1 : kNoOverflow;
}

// Integer sums are exact, so their order does not matter.
void SumJob::RunIntegerChunk(const ItemRange& range) {
  const auto begin = static_cast<size_t>(range.begin);
  if (type_ == ElementType::kBigInt64) {
    int64_t part = 0;
    const bool ok = kernels::SumSquaresInt64(reinterpret_cast<const int64_t*>(in_) + begin, range.size(), &part);
    std::lock_guard<std::mutex> lock(fold_mu_);
    if (!ok || !kernels::AddInt64Sums(int_sum_, part, &int_sum_)) integer_overflow_ = true;
  } else {
    uint64_t part = 0;
    const bool ok = kernels::SumSquaresUint64(reinterpret_cast<const uint64_t*>(in_) + begin, range.size(), &part);
    std::lock_guard<std::mutex> lock(fold_mu_);
    if (!ok || !kernels::AddUint64Sums(uint_sum_, part, &uint_sum_)) integer_overflow_ = true;
  }
}

void SumJob::FoldInOrder(size_t chunk, std::vector<CompensatedSum> blocks) {
  std::lock_guard<std::mutex> lock(fold_mu_);
  if (chunk != next_chunk_to_fold_) {
    parked_.emplace(chunk, std::move(blocks));
    return;
  }
  for (;;) {
    for (const CompensatedSum& block : blocks) kernels::AddBlock(&total_, block);
    if (keep_blocks_) kept_blocks_.insert(kept_blocks_.end(), blocks.begin(), blocks.end());
    ++next_chunk_to_fold_;
    auto next = parked_.find(next_chunk_to_fold_);
    if (next == parked_.end()) return;
    blocks = std::move(next->second);
    parked_.erase(next);
  }
}

}  // namespace offloop
