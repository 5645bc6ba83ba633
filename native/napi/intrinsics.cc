#include "napi/intrinsics.h"

#include "napi/errors.h"

namespace offloop {

void Intrinsics::Set(const Napi::Value& resizable, const Napi::Value& growable) {
  if (set_) return;
  if (resizable.IsFunction()) resizable_getter_ = Napi::Persistent(resizable.As<Napi::Function>());
  if (growable.IsFunction()) growable_getter_ = Napi::Persistent(growable.As<Napi::Function>());
  set_ = true;
}

bool Intrinsics::LengthCanChange(Napi::Env env, napi_value buffer) const {
  if (!set_) {
    ThrowTypeError(env, "ERR_OFFLOOP_NOT_INITIALIZED", "offloop's native binding was loaded without its JS layer");
  }
  bool is_array_buffer = false;
  NAPI_THROW_IF_FAILED(env, napi_is_arraybuffer(env, buffer, &is_array_buffer), false);
  const Napi::FunctionReference& getter = is_array_buffer ? resizable_getter_ : growable_getter_;
  if (getter.IsEmpty()) return false;  // this runtime has no resizable buffers of that kind
  napi_value result;
  NAPI_THROW_IF_FAILED(env, napi_call_function(env, buffer, getter.Value(), 0, nullptr, &result), false);
  bool can_change = false;
  return napi_get_value_bool(env, result, &can_change) == napi_ok && can_change;
}

}  // namespace offloop
