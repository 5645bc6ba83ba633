// computeSquares: squares(input, first, count, out, wantsProgress) -> job id
// and squaresSync(input, first, count, out) -> -1 or the overflowing index.
// `input` is a TypedArray, or undefined for the range first..first+count-1.
#include <algorithm>
#include <atomic>
#include <limits>

#include "args.h"
#include "bindings.h"
#include "chunking.h"
#include "env_context.h"
#include "kernels/squares.h"

namespace offloop {

namespace {

using kernels::ElementType;

// 128 Ki elements: 1 MiB written per chunk (enough for the kernel's several
// lockstep streams to run at full speed), about 0.1 ms of work.
constexpr size_t kSquaresPerChunk = 131072;

class SquaresJob : public Job {
 public:
  enum class Mode { kToDouble, kRange, kInt64, kUint64 };

  SquaresJob(Mode mode, ElementType type, const uint8_t* in, double first, uint8_t* out,
             size_t count)
      : Job(Chunking(count, kSquaresPerChunk).count(), count),
        chunking_(count, kSquaresPerChunk),
        store_(StoreModeFor(count * 8)),
        mode_(mode),
        type_(type),
        in_(in),
        first_(first),
        out_(out) {}

  void RunChunk(size_t index) override {
    ItemRange range = chunking_.at(index);
    size_t n = range.size();
    size_t bad = 0;
    switch (mode_) {
      case Mode::kToDouble:
        kernels::SquareToDouble(type_, in_ + range.begin * kernels::ElementSize(type_),
                                reinterpret_cast<double*>(out_) + range.begin, n, store_);
        break;
      case Mode::kRange:
        kernels::SquareRange(first_ + static_cast<double>(range.begin),
                             reinterpret_cast<double*>(out_) + range.begin, n, store_);
        break;
      case Mode::kInt64:
        if (!kernels::SquareInt64(reinterpret_cast<const int64_t*>(in_) + range.begin,
                                  reinterpret_cast<int64_t*>(out_) + range.begin, n, &bad,
                                  store_)) {
          RecordOverflow(range.begin + bad);
        }
        break;
      case Mode::kUint64:
        if (!kernels::SquareUint64(reinterpret_cast<const uint64_t*>(in_) + range.begin,
                                   reinterpret_cast<uint64_t*>(out_) + range.begin, n, &bad,
                                   store_)) {
          RecordOverflow(range.begin + bad);
        }
        break;
    }
  }

  uint64_t ChunkItems(size_t index) const override { return chunking_.at(index).size(); }

  int64_t Overflow() override {
    size_t bad = first_bad_.load(std::memory_order_relaxed);
    return bad == kNone ? kNoOverflow : static_cast<int64_t>(bad);
  }

 private:
  static constexpr size_t kNone = std::numeric_limits<size_t>::max();

  // Every chunk runs to the end, so the smallest index reported is the
  // first overflowing element whatever the split.
  void RecordOverflow(size_t index) {
    size_t current = first_bad_.load(std::memory_order_relaxed);
    while (index < current &&
           !first_bad_.compare_exchange_weak(current, index, std::memory_order_relaxed)) {
    }
  }

  Chunking chunking_;
  kernels::StoreMode store_;
  Mode mode_;
  ElementType type_;
  const uint8_t* in_;
  double first_;
  uint8_t* out_;
  std::atomic<size_t> first_bad_{kNone};
};

using SquaresCall = PreparedCall<SquaresJob>;

SquaresCall PrepareSquares(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Value input = info[0];
  TypedArrayView out = GetTypedArray(env, info[3], "out");
  SquaresCall call;
  call.keep_alive.push_back(info[3]);
  if (input.IsUndefined()) {
    int64_t first = GetInteger(env, info[1], "first", -kMaxSafeInteger, kMaxSafeInteger);
    int64_t count = GetInteger(env, info[2], "count", 0, kMaxSafeInteger);
    if (count > 0 && first > kMaxSafeInteger - (count - 1)) {
      ThrowRangeError(env, "ERR_OUT_OF_RANGE", "The range's last value is not a safe integer");
    }
    if (out.type != napi_float64_array || out.length != static_cast<uint64_t>(count)) {
      ThrowRangeError(env, "ERR_OUT_OF_RANGE", "\"out\" must be a Float64Array of length count");
    }
    call.job = std::make_shared<SquaresJob>(SquaresJob::Mode::kRange, ElementType::kFloat64,
                                            nullptr, static_cast<double>(first), out.data,
                                            static_cast<size_t>(count));
    return call;
  }
  TypedArrayView in = GetTypedArray(env, input, "input");
  call.keep_alive.push_back(input);
  int64_t count = GetInteger(env, info[2], "count", 0, kMaxSafeInteger);
  if (static_cast<uint64_t>(count) != in.length || out.length != in.length) {
    ThrowRangeError(env, "ERR_OUT_OF_RANGE", "\"count\" and \"out\" must match the input's length");
  }
  SquaresJob::Mode mode = SquaresJob::Mode::kToDouble;
  napi_typedarray_type out_type = napi_float64_array;
  if (in.type == napi_bigint64_array) {
    mode = SquaresJob::Mode::kInt64;
    out_type = napi_bigint64_array;
  } else if (in.type == napi_biguint64_array) {
    mode = SquaresJob::Mode::kUint64;
    out_type = napi_biguint64_array;
  }
  if (out.type != out_type) {
    ThrowTypeError(env, "ERR_INVALID_ARG_TYPE",
                   "\"out\" must be a Float64Array, or the input's BigInt array type");
  }
  // In place is fine (each element is read before it is written); any other
  // overlap would let one chunk overwrite another's input.
  if (Overlap(in, out) && !(in.data == out.data && in.type == out.type)) {
    ThrowTypeError(env, "ERR_INVALID_ARG_VALUE", "\"out\" overlaps the input without being it");
  }
  call.job = std::make_shared<SquaresJob>(mode, GetElementType(env, in.type, "input"), in.data,
                                          0.0, out.data, in.length);
  return call;
}

Napi::Value Squares(const Napi::CallbackInfo& info) {
  return SubmitPrepared(info, PrepareSquares(info), 4);
}

Napi::Value SquaresSync(const Napi::CallbackInfo& info) {
  int64_t overflow = EnvContext::RunSync(PrepareSquares(info).job);
  return Napi::Number::New(info.Env(),
                           overflow == Job::kNoOverflow ? -1.0 : static_cast<double>(overflow));
}

}  // namespace

void RegisterSquares(Napi::Env env, Napi::Object exports) {
  exports.Set("squares", Napi::Function::New(env, Squares, "squares"));
  exports.Set("squaresSync", Napi::Function::New(env, SquaresSync, "squaresSync"));
}

}  // namespace offloop
