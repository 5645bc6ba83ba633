// The entry points each kernel's binding file adds to the module's exports.
#pragma once

#include <napi.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "args.h"
#include "env_context.h"
#include "kernels/squares.h"

namespace offloop {

void RegisterSquares(Napi::Env env, Napi::Object exports);
void RegisterSum(Napi::Env env, Napi::Object exports);
void RegisterGrayscale(Napi::Env env, Napi::Object exports);
void RegisterOutputMemory(Napi::Env env, Napi::Object exports);

// What a binding prepares from its arguments: the job, and the JS values
// whose memory the job touches (kept alive until it settles).
template <typename JobType>
struct PreparedCall {
  std::shared_ptr<JobType> job;
  std::vector<Napi::Value> keep_alive;
};

// Hands a prepared call to this env's pool queue; info[progress_arg] says
// whether JS wants progress reports. Returns the job id JS settles by.
template <typename JobType>
Napi::Value SubmitPrepared(const Napi::CallbackInfo& info, PreparedCall<JobType> call,
                           size_t progress_arg) {
  bool wants_progress = GetBoolean(info.Env(), info[progress_arg], "wantsProgress");
  uint32_t id = EnvContext::From(info.Env())->Submit(std::move(call.job), std::move(call.keep_alive),
                                                     wants_progress);
  return Napi::Number::New(info.Env(), id);
}

// The kernel element type of a TypedArray type; false for types offloop
// does not know (a newer Node's Float16Array, say), which callers reject.
inline bool ToElementType(napi_typedarray_type type, kernels::ElementType* out) {
  using kernels::ElementType;
  switch (type) {
    case napi_int8_array: *out = ElementType::kInt8; return true;
    case napi_uint8_array: *out = ElementType::kUint8; return true;
    case napi_uint8_clamped_array: *out = ElementType::kUint8Clamped; return true;
    case napi_int16_array: *out = ElementType::kInt16; return true;
    case napi_uint16_array: *out = ElementType::kUint16; return true;
    case napi_int32_array: *out = ElementType::kInt32; return true;
    case napi_uint32_array: *out = ElementType::kUint32; return true;
    case napi_float32_array: *out = ElementType::kFloat32; return true;
    case napi_float64_array: *out = ElementType::kFloat64; return true;
    case napi_bigint64_array: *out = ElementType::kBigInt64; return true;
    case napi_biguint64_array: *out = ElementType::kBigUint64; return true;
    default: return false;
  }
}

// ToElementType or a TypeError naming the argument.
inline kernels::ElementType GetElementType(Napi::Env env, napi_typedarray_type type,
                                           const char* name) {
  kernels::ElementType element;
  if (!ToElementType(type, &element)) {
    ThrowTypeError(env, "ERR_INVALID_ARG_TYPE",
                   std::string("The \"") + name + "\" argument's element type is not supported");
  }
  return element;
}

}  // namespace offloop
