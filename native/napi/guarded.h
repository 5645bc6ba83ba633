// Runs a binding and turns the C++ failures that can reach it into JS errors
// with stable codes (ERR_OFFLOOP_THREAD_START, ERR_OFFLOOP_OUT_OF_MEMORY, a
// failed job's own code, ERR_OFFLOOP_NATIVE), so no C++ exception ever
// crosses into V8.
#pragma once

#include <napi.h>

namespace offloop {

Napi::Value CallGuarded(const Napi::CallbackInfo& info, Napi::Value (*binding)(const Napi::CallbackInfo&));

template <Napi::Value (*Binding)(const Napi::CallbackInfo&)>
Napi::Value Guarded(const Napi::CallbackInfo& info) {
  return CallGuarded(info, Binding);
}

}  // namespace offloop
