// sumOfSquares: sumOfSquares(input, first, count, wantsProgress) -> job id and
// sumOfSquaresSync(input, first, count) -> number | bigint | null (overflow).
// `input` is a TypedArray, or undefined for the range first..first+count-1.
//
// The floating-point sum is folded block by block in index order (see
// kernels/squares.h), so it is the same whatever the pool size: chunks
// finish in any order, and a chunk that finishes early is parked until the
// chunks before it are folded.
#include <map>
#include <mutex>
#include <vector>

#include "args.h"
#include "bindings.h"
#include "chunking.h"
#include "env_context.h"
#include "kernels/squares.h"

namespace offloop {

namespace {

using kernels::CompensatedSum;
using kernels::ElementType;
using kernels::kSumBlock;

// Four fixed-size blocks: 512 KiB of Float64 read per chunk.
constexpr size_t kBlocksPerChunk = 4;
constexpr size_t kSumPerChunk = kSumBlock * kBlocksPerChunk;

class SumJob : public Job {
 public:
  SumJob(ElementType type, const uint8_t* in, double first, size_t count, bool is_range)
      : Job(Chunking(count, kSumPerChunk).count(), count),
        chunking_(count, kSumPerChunk),
        type_(type),
        in_(in),
        first_(first),
        is_range_(is_range) {}

  void RunChunk(size_t index) override {
    ItemRange range = chunking_.at(index);
    if (type_ == ElementType::kBigInt64 || type_ == ElementType::kBigUint64) {
      RunIntegerChunk(range);
      return;
    }
    // One call for the chunk's blocks: the kernel advances them side by side.
    std::vector<CompensatedSum> blocks((range.size() + kSumBlock - 1) / kSumBlock);
    if (is_range_) {
      kernels::SumSquaresRangeBlocks(first_ + static_cast<double>(range.begin), range.size(),
                                     blocks.data());
    } else {
      kernels::SumSquaresBlocks(type_, in_ + range.begin * kernels::ElementSize(type_),
                                range.size(), blocks.data());
    }
    FoldInOrder(index, std::move(blocks));
  }

  uint64_t ChunkItems(size_t index) const override { return chunking_.at(index).size(); }

  int64_t Overflow() override { return integer_overflow_ ? -1 : kNoOverflow; }

  Napi::Value Result(Napi::Env env) override {
    if (type_ == ElementType::kBigInt64) return Napi::BigInt::New(env, int_sum_);
    if (type_ == ElementType::kBigUint64) return Napi::BigInt::New(env, uint_sum_);
    return Napi::Number::New(env, kernels::FinishSum(total_));
  }

 private:
  // Integer sums are exact, so their order does not matter.
  void RunIntegerChunk(const ItemRange& range) {
    if (type_ == ElementType::kBigInt64) {
      int64_t part = 0;
      bool ok = kernels::SumSquaresInt64(reinterpret_cast<const int64_t*>(in_) + range.begin,
                                         range.size(), &part);
      std::lock_guard<std::mutex> lock(fold_mu_);
      if (!ok || !kernels::AddInt64Sums(int_sum_, part, &int_sum_)) integer_overflow_ = true;
    } else {
      uint64_t part = 0;
      bool ok = kernels::SumSquaresUint64(reinterpret_cast<const uint64_t*>(in_) + range.begin,
                                          range.size(), &part);
      std::lock_guard<std::mutex> lock(fold_mu_);
      if (!ok || !kernels::AddUint64Sums(uint_sum_, part, &uint_sum_)) integer_overflow_ = true;
    }
  }

  void FoldInOrder(size_t chunk, std::vector<CompensatedSum> blocks) {
    std::lock_guard<std::mutex> lock(fold_mu_);
    if (chunk != next_chunk_to_fold_) {
      parked_.emplace(chunk, std::move(blocks));
      return;
    }
    for (;;) {
      for (const CompensatedSum& block : blocks) kernels::AddBlock(&total_, block);
      ++next_chunk_to_fold_;
      auto next = parked_.find(next_chunk_to_fold_);
      if (next == parked_.end()) return;
      blocks = std::move(next->second);
      parked_.erase(next);
    }
  }

  Chunking chunking_;
  ElementType type_;
  const uint8_t* in_;
  double first_;
  bool is_range_;

  std::mutex fold_mu_;
  size_t next_chunk_to_fold_ = 0;
  std::map<size_t, std::vector<CompensatedSum>> parked_;
  CompensatedSum total_;
  int64_t int_sum_ = 0;
  uint64_t uint_sum_ = 0;
  bool integer_overflow_ = false;
};

using SumCall = PreparedCall<SumJob>;

SumCall PrepareSum(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Value input = info[0];
  SumCall call;
  if (input.IsUndefined()) {
    int64_t first = GetInteger(env, info[1], "first", -kMaxSafeInteger, kMaxSafeInteger);
    int64_t count = GetInteger(env, info[2], "count", 0, kMaxSafeInteger);
    if (count > 0 && first > kMaxSafeInteger - (count - 1)) {
      ThrowRangeError(env, "ERR_OUT_OF_RANGE", "The range's last value is not a safe integer");
    }
    call.job = std::make_shared<SumJob>(ElementType::kFloat64, nullptr, static_cast<double>(first),
                                        static_cast<size_t>(count), true);
    return call;
  }
  TypedArrayView in = GetTypedArray(env, input, "input");
  int64_t count = GetInteger(env, info[2], "count", 0, kMaxSafeInteger);
  if (static_cast<uint64_t>(count) != in.length) {
    ThrowRangeError(env, "ERR_OUT_OF_RANGE", "\"count\" must match the input's length");
  }
  call.keep_alive.push_back(input);
  call.job = std::make_shared<SumJob>(GetElementType(env, in.type, "input"), in.data, 0.0,
                                      in.length, false);
  return call;
}

Napi::Value SumOfSquares(const Napi::CallbackInfo& info) {
  return SubmitPrepared(info, PrepareSum(info), 3);
}

Napi::Value SumOfSquaresSync(const Napi::CallbackInfo& info) {
  SumCall call = PrepareSum(info);
  if (EnvContext::RunSync(call.job) != Job::kNoOverflow) return info.Env().Null();
  return call.job->Result(info.Env());
}

}  // namespace

void RegisterSum(Napi::Env env, Napi::Object exports) {
  exports.Set("sumOfSquares", Napi::Function::New(env, SumOfSquares, "sumOfSquares"));
  exports.Set("sumOfSquaresSync", Napi::Function::New(env, SumOfSquaresSync, "sumOfSquaresSync"));
}

}  // namespace offloop
