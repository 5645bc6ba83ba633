// allocateOutput(type, length): a TypedArray for a job's result, backed by
// pages offloop maps itself instead of V8's zero-filled allocation. Its
// contents are unspecified (zero or an earlier result's bytes): only for
// results that a kernel overwrites completely before anyone can read them.
//
// Why: `new Float64Array(n)` may be served from the C heap, which the JS
// thread then zero-fills (milliseconds for tens of MiB) only for a kernel to
// overwrite every byte. Fresh anonymous pages are zero by construction, are
// first touched by the pool threads that write them (in parallel), and for
// large results are backed by transparent huge pages where the OS allows
// it. Returns undefined where this does not apply (small results, no mmap,
// runtimes that forbid external buffers); the caller then allocates in JS.
//
// Who owns the pages, and why the finalizer below only drops JS's share:
// core/native_memory.h.
#include <cstdint>
#include <limits>
#include <memory>

#include "bindings/register.h"
#include "core/native_memory.h"
#include "napi/guarded.h"
#include "napi/prepared_call.h"

namespace offloop {

namespace {

// JS's share of the pages, dropped when V8 collects the ArrayBuffer or the
// env's external buffers are cleaned at teardown.
void DropJsShare(napi_env, void*, void* hint) { delete static_cast<std::shared_ptr<memory::Pages>*>(hint); }

void ClearPendingException(napi_env env) {
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (pending) {
    napi_value ignored;
    napi_get_and_clear_last_exception(env, &ignored);
  }
}

Napi::Value AllocateOutput(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto type =
      static_cast<napi_typedarray_type>(GetInteger(env, info[0], "type", napi_int8_array, napi_biguint64_array));
  auto length = static_cast<uint64_t>(GetInteger(env, info[1], "length", 0, uint64_t{1} << 32));
  uint64_t element = 0;
  switch (type) {
    case napi_uint8_array:
      element = 1;
      break;
    case napi_float64_array:
    case napi_bigint64_array:
    case napi_biguint64_array:
      element = 8;
      break;
    default:
      ThrowTypeError(env, "ERR_INVALID_ARG_VALUE", "allocateOutput: unsupported type");
  }
  const uint64_t bytes = length * element;  // <= 2^35: no wrap in 64 bits
  if (bytes < memory::kNativeOutputBytes || bytes > std::numeric_limits<size_t>::max()) {
    return env.Undefined();
  }
  std::shared_ptr<memory::Pages> pages = memory::AllocatePages(static_cast<size_t>(bytes));
  if (pages == nullptr) return env.Undefined();
  void* data = pages->data;
  auto* js_share = new std::shared_ptr<memory::Pages>(std::move(pages));
  napi_value buffer;
  if (napi_create_external_arraybuffer(env, data, static_cast<size_t>(bytes), DropJsShare, js_share, &buffer) !=
      napi_ok) {
    // E.g. a runtime with the V8 sandbox: the caller allocates in JS instead.
    delete js_share;
    ClearPendingException(env);
    return env.Undefined();
  }
  napi_value array;
  NAPI_THROW_IF_FAILED(env, napi_create_typedarray(env, type, static_cast<size_t>(length), buffer, 0, &array),
                       Napi::Value());
  return Napi::Value(env, array);
}

}  // namespace

void RegisterOutput(Napi::Env env, Napi::Object exports) {
  exports.Set("allocateOutput", Napi::Function::New(env, Guarded<AllocateOutput>, "allocateOutput"));
}

}  // namespace offloop
