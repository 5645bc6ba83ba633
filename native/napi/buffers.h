// Buffer checks of the native bindings: a TypedArray whose memory a pool
// thread may use. None of them runs user code (buffer facts come through the
// env's Intrinsics), so nothing can detach, resize or transfer a buffer
// between its check and the moment a job takes its data pointer.
#pragma once

#include <cstddef>
#include <cstdint>

#include <napi.h>

#include "kernels/squares.h"

namespace offloop {

struct TypedArrayView {
  napi_typedarray_type type = napi_uint8_array;
  uint8_t* data = nullptr;
  size_t length = 0;  // elements
  size_t byte_length = 0;
};

// A TypedArray whose memory cannot move or shrink while a thread uses it:
// rejects non-TypedArrays, detached buffers and resizable/growable buffers.
TypedArrayView GetTypedArray(Napi::Env env, const Napi::Value& value, const char* name);

// Whether the byte ranges of two views share any byte.
bool Overlap(const TypedArrayView& a, const TypedArrayView& b);

// The kernel element type of a TypedArray type; false for types offloop
// does not know (a newer Node's Float16Array, say), which callers reject.
bool ToElementType(napi_typedarray_type type, kernels::ElementType* out);

// ToElementType or a TypeError naming the argument.
kernels::ElementType GetElementType(Napi::Env env, napi_typedarray_type type, const char* name);

}  // namespace offloop
