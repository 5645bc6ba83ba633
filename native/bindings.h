// What each binding file (bindings/*.cc) registers, and the shared steps of
// a kernel call: validate into a PreparedCall, then submit it to the pool
// (async) or run it while the caller waits (sync).
#pragma once

#include <napi.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "args.h"
#include "core/native_memory.h"
#include "env_context.h"
#include "kernels/squares.h"

namespace offloop {

void RegisterPool(Napi::Env env, Napi::Object exports);
void RegisterSquares(Napi::Env env, Napi::Object exports);
void RegisterSum(Napi::Env env, Napi::Object exports);
void RegisterGrayscale(Napi::Env env, Napi::Object exports);
void RegisterOutput(Napi::Env env, Napi::Object exports);
void RegisterFiles(Napi::Env env, Napi::Object exports);
void RegisterInspect(Napi::Env env, Napi::Object exports);

// What a binding prepares from its arguments: the job, and the JS values
// whose memory the job touches (kept alive until it settles).
template <typename JobType>
struct PreparedCall {
  std::shared_ptr<JobType> job;
  std::vector<napi_value> keep_alive;

  // Keeps `value` (a validated TypedArray) alive for the job, and makes the
  // job a co-owner of its memory when offloop mapped that memory itself:
  // Node may release the JS side of such memory before any cleanup hook.
  void Keep(const Napi::Value& value, const TypedArrayView& view) {
    keep_alive.push_back(value);
    if (view.byte_length > 0) job->KeepMemory(memory::FindOwner(view.data));
  }
};

// Hands a prepared call to this env's pool queue; info[progress_arg] says
// whether JS wants progress reports. Returns the job id JS settles by.
template <typename JobType>
Napi::Value SubmitPrepared(const Napi::CallbackInfo& info, const PreparedCall<JobType>& call,
                           size_t progress_arg, EnvContext::ResultFn result = nullptr) {
  bool wants_progress = GetBoolean(info.Env(), info[progress_arg], "wantsProgress");
  uint32_t id =
      EnvContext::From(info.Env())->Submit(call.job, call.keep_alive, wants_progress, result);
  return Napi::Number::New(info.Env(), id);
}

// Runs a prepared call on the pool while the calling thread waits;
// info[progress_arg] is undefined or the progress callback. Returns the
// job's Overflow().
template <typename JobType>
int64_t RunPrepared(const Napi::CallbackInfo& info, const PreparedCall<JobType>& call,
                    size_t progress_arg) {
  Napi::Value progress = info[progress_arg];
  if (!progress.IsUndefined() && !progress.IsFunction()) {
    ThrowTypeError(info.Env(), "ERR_INVALID_ARG_TYPE",
                   "The \"progress\" argument must be a function or undefined");
  }
  return EnvContext::RunSync(info.Env(), call.job, progress);
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
