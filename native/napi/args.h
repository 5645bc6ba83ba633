// Argument checks of the native bindings for scalars. The TypeScript layer
// validates first and gives the friendly messages; these checks exist so
// that calling the raw binding with wrong types or lying values throws
// instead of misbehaving. Values are read with Node-API calls that call no
// JS. Errors carry Node-style `code`s.
#pragma once

#include <cstdint>

#include <napi.h>

namespace offloop {

constexpr int64_t kMaxSafeInteger = 9007199254740991;  // 2^53 - 1

// A Number that is an integer in [min, max] (both within +-(2^53 - 1)).
int64_t GetInteger(Napi::Env env, const Napi::Value& value, const char* name, int64_t min, int64_t max);

bool GetBoolean(Napi::Env env, const Napi::Value& value, const char* name);

}  // namespace offloop
