// computeSquares: squares(input, first, count, out, wantsProgress) -> job id
// and squaresSync(input, first, count, out, progress?) -> -1 or the
// overflowing index. `input` is a TypedArray, or undefined for the range
// first..first+count-1.
#include "bindings/register.h"
#include "jobs/squares_job.h"
#include "napi/guarded.h"
#include "napi/prepared_call.h"

namespace offloop {

namespace {

using kernels::ElementType;
using SquaresCall = PreparedCall<SquaresJob>;

SquaresCall PrepareRange(const Napi::CallbackInfo& info, const TypedArrayView& out) {
  Napi::Env env = info.Env();
  int64_t first = GetInteger(env, info[1], "first", -kMaxSafeInteger, kMaxSafeInteger);
  int64_t count = GetInteger(env, info[2], "count", 0, kMaxSafeInteger);
  if (count > 0 && first > kMaxSafeInteger - (count - 1)) {
    ThrowRangeError(env, "ERR_OUT_OF_RANGE", "The range's last value is not a safe integer");
  }
  if (out.type != napi_float64_array || out.length != static_cast<uint64_t>(count)) {
    ThrowRangeError(env, "ERR_OUT_OF_RANGE", "\"out\" must be a Float64Array of length count");
  }
  SquaresCall call;
  call.job = std::make_shared<SquaresJob>(SquaresJob::Mode::kRange, ElementType::kFloat64, nullptr,
                                          static_cast<double>(first), out.data, out.length);
  call.Keep(info[3], out);
  return call;
}

SquaresCall PrepareSquares(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  TypedArrayView out = GetTypedArray(env, info[3], "out");
  if (info[0].IsUndefined()) return PrepareRange(info, out);
  TypedArrayView in = GetTypedArray(env, info[0], "input");
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
    ThrowTypeError(env, "ERR_INVALID_ARG_TYPE", "\"out\" must be a Float64Array, or the input's BigInt array type");
  }
  // In place is fine (each element is read before it is written); any other
  // overlap would let one chunk overwrite another's input.
  if (Overlap(in, out) && !(in.data == out.data && in.type == out.type)) {
    ThrowTypeError(env, "ERR_INVALID_ARG_VALUE", "\"out\" overlaps the input without being it");
  }
  SquaresCall call;
  call.job =
      std::make_shared<SquaresJob>(mode, GetElementType(env, in.type, "input"), in.data, 0.0, out.data, in.length);
  call.Keep(info[3], out);
  call.Keep(info[0], in);
  return call;
}

Napi::Value Squares(const Napi::CallbackInfo& info) {
  return SubmitPrepared(info.Env(), PrepareSquares(info), info[4]);
}

Napi::Value SquaresSync(const Napi::CallbackInfo& info) {
  const int64_t overflow = RunPrepared(info.Env(), PrepareSquares(info), info[4]);
  return Napi::Number::New(info.Env(), overflow == Job::kNoOverflow ? -1.0 : static_cast<double>(overflow));
}

}  // namespace

void RegisterSquares(Napi::Env env, Napi::Object exports) {
  exports.Set("squares", Napi::Function::New(env, Guarded<Squares>, "squares"));
  exports.Set("squaresSync", Napi::Function::New(env, Guarded<SquaresSync>, "squaresSync"));
}

}  // namespace offloop
