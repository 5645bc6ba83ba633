#include "napi/buffers.h"

#include <string>

#include "napi/env_state.h"
#include "napi/errors.h"

namespace offloop {

TypedArrayView GetTypedArray(Napi::Env env, const Napi::Value& value, const char* name) {
  if (!value.IsTypedArray()) {
    ThrowTypeError(env, "ERR_INVALID_ARG_TYPE", std::string("The \"") + name + "\" argument must be a TypedArray");
  }
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  napi_value buffer;
  size_t byte_offset = 0;
  NAPI_THROW_IF_FAILED(env, napi_get_typedarray_info(env, value, &type, &length, &data, &buffer, &byte_offset),
                       TypedArrayView());
  bool detached = false;
  NAPI_THROW_IF_FAILED(env, napi_is_detached_arraybuffer(env, buffer, &detached), TypedArrayView());
  if (detached) {
    ThrowTypeError(env, "ERR_INVALID_ARG_VALUE",
                   std::string("The \"") + name + "\" argument's ArrayBuffer is detached");
  }
  // A resizable/growable buffer could change length while a thread uses it.
  if (EnvState::From(env)->intrinsics.LengthCanChange(env, buffer)) {
    ThrowTypeError(env, "ERR_INVALID_ARG_VALUE",
                   std::string("The \"") + name + "\" argument must not use a resizable or growable buffer");
  }
  TypedArrayView view;
  view.type = type;
  view.data = static_cast<uint8_t*>(data);
  view.length = length;
  view.byte_length = Napi::TypedArray(env, value).ByteLength();
  if (view.data == nullptr && view.byte_length != 0) {
    ThrowTypeError(env, "ERR_INVALID_ARG_VALUE", std::string("The \"") + name + "\" argument has no backing memory");
  }
  return view;
}

bool Overlap(const TypedArrayView& a, const TypedArrayView& b) {
  if (a.byte_length == 0 || b.byte_length == 0) return false;
  auto a_begin = reinterpret_cast<uintptr_t>(a.data);
  auto b_begin = reinterpret_cast<uintptr_t>(b.data);
  return a_begin < b_begin + b.byte_length && b_begin < a_begin + a.byte_length;
}

bool ToElementType(napi_typedarray_type type, kernels::ElementType* out) {
  using kernels::ElementType;
  switch (type) {
    case napi_int8_array:
      *out = ElementType::kInt8;
      return true;
    case napi_uint8_array:
      *out = ElementType::kUint8;
      return true;
    case napi_uint8_clamped_array:
      *out = ElementType::kUint8Clamped;
      return true;
    case napi_int16_array:
      *out = ElementType::kInt16;
      return true;
    case napi_uint16_array:
      *out = ElementType::kUint16;
      return true;
    case napi_int32_array:
      *out = ElementType::kInt32;
      return true;
    case napi_uint32_array:
      *out = ElementType::kUint32;
      return true;
    case napi_float32_array:
      *out = ElementType::kFloat32;
      return true;
    case napi_float64_array:
      *out = ElementType::kFloat64;
      return true;
    case napi_bigint64_array:
      *out = ElementType::kBigInt64;
      return true;
    case napi_biguint64_array:
      *out = ElementType::kBigUint64;
      return true;
    default:
      return false;
  }
}

kernels::ElementType GetElementType(Napi::Env env, napi_typedarray_type type, const char* name) {
  kernels::ElementType element;
  if (!ToElementType(type, &element)) {
    ThrowTypeError(env, "ERR_INVALID_ARG_TYPE",
                   std::string("The \"") + name + "\" argument's element type is not supported");
  }
  return element;
}

}  // namespace offloop
