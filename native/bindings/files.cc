// Image files: grayscaleFile(request, wantsProgress) -> job id, and
// grayscaleFileSync(request, progress?) -> the result. The work itself is
// jobs/gray_file_job.h; here are the request's checks and the result object.
//
// request, read by name (lib/binding.ts's NativeFileRequest):
//   input:  a path (string) or the encoded bytes (Uint8Array, kept, not copied)
//   output: undefined (gray pixels), true (the encoded gray image in memory)
//           or a path (written atomically)
//   mode, format: FileMode, FileFormat (their numbers are in constants())
//   quality, compressionLevel, autoOrient, limitInputPixels (0: none),
//   limitInputBytes (0: none), durable
// Every property is read once, all before any is checked: a getter (the
// request is a plain object from lib/, but the raw binding may get anything)
// runs before the checks, never between a buffer's check and the job.
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>

#include "bindings/register.h"
#include "jobs/gray_file_job.h"
#include "napi/guarded.h"
#include "napi/prepared_call.h"

namespace offloop {

namespace {

using FileCall = PreparedCall<GrayFileJob>;

// A path for open(): a string without NUL bytes (a NUL would silently cut
// it short and name another file), as Node's fs insists too.
std::string GetPath(Napi::Env env, const Napi::Value& value, const char* name) {
  std::string path = value.As<Napi::String>().Utf8Value();
  if (path.empty() || path.find('\0') != std::string::npos) {
    ThrowTypeError(env, "ERR_INVALID_ARG_VALUE",
                   std::string("The \"") + name + "\" path must be a non-empty string without null bytes");
  }
  return path;
}

// The request's properties, each read once.
struct RequestValues {
  Napi::Value input, output, mode, format, quality, compression_level, lossless, auto_orient, max_pixels, max_bytes,
      durable;
};

RequestValues ReadRequest(Napi::Env env, const Napi::Value& value) {
  if (!value.IsObject() || value.IsArray() || value.IsFunction()) {
    ThrowTypeError(env, "ERR_INVALID_ARG_TYPE", "The \"request\" argument must be an object");
  }
  const Napi::Object request = value.As<Napi::Object>();
  return RequestValues{request.Get("input"),           request.Get("output"),     request.Get("mode"),
                       request.Get("format"),          request.Get("quality"),    request.Get("compressionLevel"),
                       request.Get("lossless"),        request.Get("autoOrient"), request.Get("limitInputPixels"),
                       request.Get("limitInputBytes"), request.Get("durable")};
}

FileCall PrepareFile(Napi::Env env, const Napi::Value& request_value) {
  const RequestValues values = ReadRequest(env, request_value);
  GrayFileRequest request;
  TypedArrayView bytes;
  if (values.input.IsString()) {
    request.input_path = GetPath(env, values.input, "input");
  } else {
    bytes = GetTypedArray(env, values.input, "input");
    if (bytes.type != napi_uint8_array && bytes.type != napi_uint8_clamped_array) {
      ThrowTypeError(env, "ERR_INVALID_ARG_TYPE", "\"input\" must be a path or a Uint8Array");
    }
    request.from_path = false;
    request.input_bytes = bytes.data;
    request.input_size = bytes.byte_length;
  }
  const Napi::Value& output = values.output;
  if (output.IsUndefined()) {
    request.output = FileOutput::kPixels;
  } else if (output.IsBoolean() && output.As<Napi::Boolean>().Value()) {
    request.output = FileOutput::kEncoded;
  } else if (output.IsString()) {
    request.output = FileOutput::kFile;
    request.output_path = GetPath(env, output, "output");
  } else {
    ThrowTypeError(env, "ERR_INVALID_ARG_TYPE", "\"output\" must be undefined, true or a path");
  }
  const auto mode =
      static_cast<FileMode>(GetInteger(env, values.mode, "mode", 0, static_cast<int64_t>(FileMode::kLumaLossless)));
  request.mode = mode == FileMode::kExact ? codecs::GrayMode::kExact : codecs::GrayMode::kLuma;
  request.luma_copy = mode == FileMode::kLumaLossless;
  request.format =
      static_cast<FileFormat>(GetInteger(env, values.format, "format", 0, static_cast<int64_t>(FileFormat::kWebp)));
  request.quality = static_cast<int>(GetInteger(env, values.quality, "quality", 0, 100));
  request.lossless = GetBoolean(env, values.lossless, "lossless");
  request.compression_level = static_cast<int>(GetInteger(env, values.compression_level, "compressionLevel", 0, 9));
  request.auto_orient = GetBoolean(env, values.auto_orient, "autoOrient");
  request.max_pixels =
      static_cast<uint64_t>(GetInteger(env, values.max_pixels, "limitInputPixels", 0, kMaxSafeInteger));
  request.max_bytes = static_cast<uint64_t>(GetInteger(env, values.max_bytes, "limitInputBytes", 0, kMaxSafeInteger));
  request.durable = GetBoolean(env, values.durable, "durable");

  FileCall call;
  call.job = std::make_shared<GrayFileJob>(std::move(request));
  if (!values.input.IsString()) call.Keep(values.input, bytes);
  return call;
}

void DropPagesShare(napi_env, void*, void* hint) { delete static_cast<std::shared_ptr<memory::Pages>*>(hint); }

void FreeBlock(napi_env, void* data, void*) { std::free(data); }

// The result bytes as a Uint8Array, without a copy where the runtime allows
// external buffers (else copied, e.g. under a V8 sandbox).
Napi::Value ToUint8Array(Napi::Env env, ResultBytes& bytes) {
  const size_t size = bytes.size;
  napi_value buffer = nullptr;
  if (size > 0 && bytes.pages != nullptr) {
    auto* share = new std::shared_ptr<memory::Pages>(bytes.pages);
    if (napi_create_external_arraybuffer(env, bytes.data(), size, DropPagesShare, share, &buffer) != napi_ok) {
      delete share;
      buffer = nullptr;
    }
  } else if (size > 0 && bytes.heap != nullptr) {
    if (napi_create_external_arraybuffer(env, bytes.heap, size, FreeBlock, nullptr, &buffer) == napi_ok) {
      bytes.ReleaseHeap();
    } else {
      buffer = nullptr;
    }
  }
  if (buffer == nullptr) {
    bool pending = false;
    napi_is_exception_pending(env, &pending);
    if (pending) {
      napi_value ignored;
      napi_get_and_clear_last_exception(env, &ignored);
    }
    Napi::ArrayBuffer copy = Napi::ArrayBuffer::New(env, size);
    if (size > 0) std::memcpy(copy.Data(), bytes.data(), size);
    buffer = copy;
  }
  return Napi::Uint8Array::New(env, size, Napi::ArrayBuffer(env, buffer), 0);
}

Napi::Value FileResult(Napi::Env env, GrayFileJob& job) {
  GrayFileResult& result = job.result();
  const GrayFileRequest& request = job.request();
  Napi::Object object = Napi::Object::New(env);
  object.Set("width", static_cast<double>(result.width));
  object.Set("height", static_cast<double>(result.height));
  object.Set("inputFormat", codecs::FormatName(result.input_format));
  object.Set("format",
             codecs::FormatName(request.output == FileOutput::kPixels ? result.input_format : result.output_format));
  object.Set("mode", result.luma_copied ? "luma-lossless" : result.luma ? "luma" : "exact");
  object.Set("orientation", result.orientation);
  object.Set("oriented", result.oriented);
  object.Set("bytesIn", static_cast<double>(result.bytes_in));
  if (request.output == FileOutput::kFile) {
    object.Set("output", request.output_path);
  } else {
    object.Set("data", ToUint8Array(env, result.data));
  }
  if (request.output != FileOutput::kPixels) {
    object.Set("bytesOut", static_cast<double>(result.bytes_out));
  }
  Napi::Object timings = Napi::Object::New(env);
  timings.Set("read", result.timings.read);
  timings.Set("decode", result.timings.decode);
  timings.Set("orient", result.timings.orient);
  timings.Set("encode", result.timings.encode);
  timings.Set("write", result.timings.write);
  object.Set("timings", timings);
  return object;
}

// The job table calls FileResult once the job settled, on the JS thread, when
// no pool thread touches the job any more: handing its buffers to JS is safe.
Napi::Value GrayscaleFile(const Napi::CallbackInfo& info) {
  return SubmitPrepared(info.Env(), PrepareFile(info.Env(), info[0]), info[1], FileResult);
}

Napi::Value GrayscaleFileSync(const Napi::CallbackInfo& info) {
  FileCall call = PrepareFile(info.Env(), info[0]);
  RunPrepared(info.Env(), call, info[1]);
  if (call.job->cancelled() && !call.job->CommittedDespiteCancel()) {
    // Only an env being torn down cancels a sync call's job.
    ThrowError(info.Env(), "ERR_OFFLOOP_CANCELLED", "offloop: the call was cancelled");
  }
  return FileResult(info.Env(), *call.job);
}

}  // namespace

void RegisterFiles(Napi::Env env, Napi::Object exports) {
  exports.Set("grayscaleFile", Napi::Function::New(env, Guarded<GrayscaleFile>, "grayscaleFile"));
  exports.Set("grayscaleFileSync", Napi::Function::New(env, Guarded<GrayscaleFileSync>, "grayscaleFileSync"));
}

}  // namespace offloop
