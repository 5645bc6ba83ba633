// Argument checks of the native bindings. The TypeScript layer validates
// first and gives the friendly messages; these checks exist so that calling
// the raw binding with lying lengths or wrong types throws instead of
// reading or writing out of bounds. Errors carry Node-style `code`s.
//
// None of these checks runs user code: values are read with Node-API calls
// that call no JS, and buffer facts (resizable, growable) through the
// built-in getters the JS layer captured when it loaded, never through an
// ordinary property get that an own property or a getter could intercept.
// So nothing can detach, resize or transfer a buffer between its check and
// the moment a job takes its data pointer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include <napi.h>

namespace offloop {

[[noreturn]] void ThrowTypeError(Napi::Env env, const char* code, const std::string& message);
[[noreturn]] void ThrowRangeError(Napi::Env env, const char* code, const std::string& message);
[[noreturn]] void ThrowError(Napi::Env env, const char* code, const std::string& message);

// Runs a binding and turns the C++ failures that can reach it into JS errors
// with stable codes (ERR_OFFLOOP_THREAD_START, ERR_OFFLOOP_OUT_OF_MEMORY, a
// failed job's own code, ERR_OFFLOOP_NATIVE), so no C++ exception ever
// crosses into V8.
Napi::Value CallGuarded(const Napi::CallbackInfo& info,
                        Napi::Value (*binding)(const Napi::CallbackInfo&));

template <Napi::Value (*Binding)(const Napi::CallbackInfo&)>
Napi::Value Guarded(const Napi::CallbackInfo& info) {
  return CallGuarded(info, Binding);
}

struct TypedArrayView {
  napi_typedarray_type type = napi_uint8_array;
  uint8_t* data = nullptr;
  size_t length = 0;       // elements
  size_t byte_length = 0;
};

// A TypedArray whose memory cannot move or shrink while a thread uses it:
// rejects non-TypedArrays, detached buffers and resizable/growable buffers.
TypedArrayView GetTypedArray(Napi::Env env, const Napi::Value& value, const char* name);

// A Number that is an integer in [min, max] (both within +-(2^53 - 1)).
int64_t GetInteger(Napi::Env env, const Napi::Value& value, const char* name, int64_t min,
                   int64_t max);

bool GetBoolean(Napi::Env env, const Napi::Value& value, const char* name);

// Whether the byte ranges of two views share any byte.
bool Overlap(const TypedArrayView& a, const TypedArrayView& b);

constexpr int64_t kMaxSafeInteger = 9007199254740991;  // 2^53 - 1

}  // namespace offloop
