// Argument checks of the native bindings. The TypeScript layer validates
// first and gives the friendly messages; these checks exist so that calling
// the raw binding with lying lengths or wrong types throws instead of
// reading or writing out of bounds. Errors carry Node-style `code`s.
#pragma once

#include <cstddef>
#include <cstdint>

#include <napi.h>

namespace offloop {

[[noreturn]] void ThrowTypeError(Napi::Env env, const char* code, const std::string& message);
[[noreturn]] void ThrowRangeError(Napi::Env env, const char* code, const std::string& message);

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
