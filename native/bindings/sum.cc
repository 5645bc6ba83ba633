// sumOfSquares: sumOfSquares(input, first, count, wantsProgress) -> job id and
// sumOfSquaresSync(input, first, count, progress?) -> number | bigint | null
// (overflow). `input` is a TypedArray, or undefined for the range
// first..first+count-1 (counts are 64-bit: a range needs no memory).
// sumOfSquaresBlocks(first, count, wantsProgress) -> job id: the range's
// blocks' (hi, lo) pairs, in index order, as one Float64Array (2 per block).
#include "bindings/register.h"
#include "jobs/sum_job.h"
#include "napi/guarded.h"
#include "napi/prepared_call.h"

namespace offloop {

namespace {

using kernels::ElementType;
using SumCall = PreparedCall<SumJob>;

SumCall PrepareSum(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  SumCall call;
  if (info[0].IsUndefined()) {
    int64_t first = GetInteger(env, info[1], "first", -kMaxSafeInteger, kMaxSafeInteger);
    int64_t count = GetInteger(env, info[2], "count", 0, kMaxSafeInteger);
    if (count > 0 && first > kMaxSafeInteger - (count - 1)) {
      ThrowRangeError(env, "ERR_OUT_OF_RANGE", "The range's last value is not a safe integer");
    }
    if (!SumJob::Fits(static_cast<uint64_t>(count))) {
      ThrowRangeError(env, "ERR_OUT_OF_RANGE", "The range has more integers than this build can count");
    }
    call.job = SumJob::OfRange(static_cast<double>(first), static_cast<uint64_t>(count));
    return call;
  }
  TypedArrayView in = GetTypedArray(env, info[0], "input");
  int64_t count = GetInteger(env, info[2], "count", 0, kMaxSafeInteger);
  if (static_cast<uint64_t>(count) != in.length) {
    ThrowRangeError(env, "ERR_OUT_OF_RANGE", "\"count\" must match the input's length");
  }
  call.job = SumJob::OfArray(GetElementType(env, in.type, "input"), in.data, in.length);
  call.Keep(info[0], in);
  return call;
}

SumCall PrepareSumBlocks(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int64_t first = GetInteger(env, info[0], "first", -kMaxSafeInteger, kMaxSafeInteger);
  int64_t count = GetInteger(env, info[1], "count", 0, static_cast<int64_t>(SumJob::kMaxBlocksItems));
  if (count > 0 && first > kMaxSafeInteger - (count - 1)) {
    ThrowRangeError(env, "ERR_OUT_OF_RANGE", "The range's last value is not a safe integer");
  }
  SumCall call;
  call.job = SumJob::BlocksOfRange(static_cast<double>(first), static_cast<uint64_t>(count));
  return call;
}

Napi::Value BlocksValue(Napi::Env env, SumJob& job) {
  const auto& blocks = job.Blocks();
  auto pairs = Napi::Float64Array::New(env, blocks.size() * 2);
  for (size_t i = 0; i < blocks.size(); ++i) {
    pairs[2 * i] = blocks[i].hi;
    pairs[2 * i + 1] = blocks[i].lo;
  }
  return pairs;
}

Napi::Value SumValue(Napi::Env env, SumJob& sum) {
  if (sum.type() == ElementType::kBigInt64) return Napi::BigInt::New(env, sum.Int64Sum());
  if (sum.type() == ElementType::kBigUint64) return Napi::BigInt::New(env, sum.Uint64Sum());
  return Napi::Number::New(env, sum.FloatSum());
}

Napi::Value SumOfSquares(const Napi::CallbackInfo& info) {
  return SubmitPrepared(info.Env(), PrepareSum(info), info[3], SumValue);
}

Napi::Value SumOfSquaresSync(const Napi::CallbackInfo& info) {
  SumCall call = PrepareSum(info);
  if (RunPrepared(info.Env(), call, info[3]) != Job::kNoOverflow) return info.Env().Null();
  return SumValue(info.Env(), *call.job);
}

Napi::Value SumOfSquaresBlocks(const Napi::CallbackInfo& info) {
  return SubmitPrepared(info.Env(), PrepareSumBlocks(info), info[2], BlocksValue);
}

}  // namespace

void RegisterSum(Napi::Env env, Napi::Object exports) {
  exports.Set("sumOfSquares", Napi::Function::New(env, Guarded<SumOfSquares>, "sumOfSquares"));
  exports.Set("sumOfSquaresSync", Napi::Function::New(env, Guarded<SumOfSquaresSync>, "sumOfSquaresSync"));
  exports.Set("sumOfSquaresBlocks", Napi::Function::New(env, Guarded<SumOfSquaresBlocks>, "sumOfSquaresBlocks"));
}

}  // namespace offloop
