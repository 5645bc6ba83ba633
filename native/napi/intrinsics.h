// The original ArrayBuffer.prototype.resizable and
// SharedArrayBuffer.prototype.growable getters, captured by the JS layer
// when it loaded (lib/intrinsics.ts), one set per env. Buffer checks read
// buffer facts through these only, never through an ordinary property get
// that an own property or a getter could intercept: so no user code runs
// between a buffer's check and the moment a job takes its data pointer.
#pragma once

#include <napi.h>

namespace offloop {

class Intrinsics {
 public:
  // The first capture, at load, is the trustworthy one: later calls are
  // ignored. Values that are not functions mean the runtime has no such
  // buffers.
  void Set(const Napi::Value& resizable, const Napi::Value& growable);
  // Whether `buffer` (an ArrayBuffer or SharedArrayBuffer) can change
  // length. Runs only the captured built-in getters. Throws
  // ERR_OFFLOOP_NOT_INITIALIZED before Set.
  bool LengthCanChange(Napi::Env env, napi_value buffer) const;

 private:
  Napi::FunctionReference resizable_getter_;
  Napi::FunctionReference growable_getter_;
  bool set_ = false;
};

}  // namespace offloop
