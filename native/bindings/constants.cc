// constants(): the numbers and enums lib/ must agree with, read from here
// rather than repeated (test/constants.test.ts checks lib/'s copies).
#include "bindings/register.h"
#include "codecs/gray_decoder.h"
#include "core/native_memory.h"
#include "core/pool.h"
#include "jobs/gray_file_job.h"
#include "kernels/squares.h"
#include "napi/guarded.h"
#include "napi/job_table.h"

namespace offloop {

namespace {

template <typename Enum>
void SetEnum(Napi::Object object, const char* name, Enum value) {
  object.Set(name, static_cast<double>(static_cast<int>(value)));
}

Napi::Value Constants(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object result = Napi::Object::New(env);
  result.Set("nativeOutputBytes", static_cast<double>(memory::kNativeOutputBytes));
  result.Set("sumBlock", static_cast<double>(kernels::kSumBlock));
  result.Set("maxThreads", static_cast<double>(ThreadPool::kMaxThreads));

  Napi::Object status = Napi::Object::New(env);
  SetEnum(status, "resolved", JobStatus::kResolved);
  SetEnum(status, "overflow", JobStatus::kOverflow);
  SetEnum(status, "cancelled", JobStatus::kCancelled);
  SetEnum(status, "progress", JobStatus::kProgress);
  SetEnum(status, "failed", JobStatus::kFailed);
  result.Set("jobStatus", status);

  Napi::Object modes = Napi::Object::New(env);
  SetEnum(modes, "exact", FileMode::kExact);
  SetEnum(modes, "luma", FileMode::kLuma);
  SetEnum(modes, "luma-lossless", FileMode::kLumaLossless);
  result.Set("fileModes", modes);

  Napi::Object formats = Napi::Object::New(env);
  SetEnum(formats, "same", FileFormat::kSame);
  SetEnum(formats, "jpeg", FileFormat::kJpeg);
  SetEnum(formats, "png", FileFormat::kPng);
  SetEnum(formats, "webp", FileFormat::kWebp);
  result.Set("fileFormats", formats);

  Napi::Object defaults = Napi::Object::New(env);
  defaults.Set("limitInputPixels", static_cast<double>(codecs::kDefaultMaxPixels));
  defaults.Set("limitInputBytes", static_cast<double>(kDefaultMaxInputBytes));
  defaults.Set("quality", kDefaultQuality);
  defaults.Set("webpQuality", kDefaultWebpQuality);
  defaults.Set("compressionLevel", kDefaultCompressionLevel);
  result.Set("fileDefaults", defaults);
  return result;
}

}  // namespace

void RegisterConstants(Napi::Env env, Napi::Object exports) {
  exports.Set("constants", Napi::Function::New(env, Guarded<Constants>, "constants"));
}

}  // namespace offloop
