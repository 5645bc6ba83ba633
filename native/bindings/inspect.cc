// inspectWholeFile(head, tail, fileSize): whether a stored image file is
// whole (codecs/complete.h), from bytes lib/ read. It runs on the calling
// thread: it walks a header, never pixels, in microseconds.
#include <cstdint>

#include "bindings/register.h"
#include "codecs/complete.h"
#include "napi/guarded.h"
#include "napi/prepared_call.h"

namespace offloop {

namespace {

// { format, width, height } when whole, else { code, message }.
Napi::Value InspectWholeFile(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  TypedArrayView head = GetTypedArray(env, info[0], "head");
  TypedArrayView tail = GetTypedArray(env, info[1], "tail");
  if (head.type != napi_uint8_array || tail.type != napi_uint8_array) {
    ThrowTypeError(env, "ERR_INVALID_ARG_TYPE", "inspectWholeFile: head and tail must be Uint8Arrays");
  }
  auto file_size = static_cast<uint64_t>(GetInteger(env, info[2], "fileSize", 0, kMaxSafeInteger));
  codecs::HeaderInfo header;
  codecs::Status status =
      codecs::InspectWholeFile(head.data, head.byte_length, tail.data, tail.byte_length, file_size, &header);
  Napi::Object result = Napi::Object::New(env);
  if (!status.ok()) {
    result.Set("code", codecs::ErrorCodeName(status.code));
    result.Set("message", status.message);
    return result;
  }
  result.Set("format", codecs::FormatName(header.format));
  result.Set("width", static_cast<double>(header.width));
  result.Set("height", static_cast<double>(header.height));
  return result;
}

}  // namespace

void RegisterInspect(Napi::Env env, Napi::Object exports) {
  exports.Set("inspectWholeFile", Napi::Function::New(env, Guarded<InspectWholeFile>, "inspectWholeFile"));
}

}  // namespace offloop
