// grayscale: grayscale(data, width, height, channels, stride, bgr, bt709, out,
// wantsProgress) -> job id, and grayscaleSync(..., out, progress?) ->
// undefined. `out` receives width*height bytes, packed.
#include <limits>

#include "bindings/register.h"
#include "jobs/grayscale_job.h"
#include "napi/guarded.h"
#include "napi/prepared_call.h"

namespace offloop {

namespace {

using GrayscaleCall = PreparedCall<GrayscaleJob>;

bool IsByteArray(napi_typedarray_type type) { return type == napi_uint8_array || type == napi_uint8_clamped_array; }

GrayscaleCall PrepareGrayscale(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  TypedArrayView data = GetTypedArray(env, info[0], "data");
  if (!IsByteArray(data.type)) {
    ThrowTypeError(env, "ERR_INVALID_ARG_TYPE", "\"data\" must be a Uint8Array or Uint8ClampedArray");
  }
  auto width = static_cast<uint64_t>(GetInteger(env, info[1], "width", 0, kMaxSafeInteger));
  auto height = static_cast<uint64_t>(GetInteger(env, info[2], "height", 0, kMaxSafeInteger));
  auto channels = static_cast<uint64_t>(GetInteger(env, info[3], "channels", 3, 4));
  auto stride = static_cast<uint64_t>(GetInteger(env, info[4], "stride", 0, kMaxSafeInteger));
  bool bgr = GetBoolean(env, info[5], "bgr");
  bool bt709 = GetBoolean(env, info[6], "bt709");
  TypedArrayView out = GetTypedArray(env, info[7], "out");
  if (out.type != napi_uint8_array) {
    ThrowTypeError(env, "ERR_INVALID_ARG_TYPE", "\"out\" must be a Uint8Array");
  }
  // Every product below stays under 2^53 * 2^53; checked in 64 bits by
  // dividing first, so nothing wraps.
  const uint64_t max = std::numeric_limits<uint64_t>::max();
  if (stride < width * channels) {  // width <= 2^53, channels <= 4: no wrap
    ThrowRangeError(env, "ERR_OUT_OF_RANGE", "\"stride\" must be at least width * channels");
  }
  uint64_t needed = 0;
  if (width > 0 && height > 0) {
    if (stride != 0 && height - 1 > (max - width * channels) / stride) {
      ThrowRangeError(env, "ERR_OUT_OF_RANGE", "The image is larger than \"data\"");
    }
    needed = (height - 1) * stride + width * channels;
  }
  if (needed > data.byte_length) {
    ThrowRangeError(env, "ERR_OUT_OF_RANGE", "The image is larger than \"data\"");
  }
  if (height != 0 && width > max / height) {
    ThrowRangeError(env, "ERR_OUT_OF_RANGE", "\"out\" must have width * height bytes");
  }
  if (out.length != width * height) {
    ThrowRangeError(env, "ERR_OUT_OF_RANGE", "\"out\" must have width * height bytes");
  }
  if (Overlap(data, out)) {
    ThrowTypeError(env, "ERR_INVALID_ARG_VALUE", "\"out\" must not overlap \"data\"");
  }
  // An empty image is one empty chunk, however many zero-width rows it claims.
  if (width == 0 || height == 0) width = height = 0;
  kernels::GrayLayout layout;
  layout.width = static_cast<size_t>(width);
  layout.stride = static_cast<size_t>(stride);
  layout.channels = static_cast<int>(channels);
  layout.bgr = bgr;
  GrayscaleCall call;
  call.job = std::make_shared<GrayscaleJob>(data.data, layout, static_cast<size_t>(height),
                                            bt709 ? kernels::kBt709 : kernels::kBt601, out.data);
  call.Keep(info[0], data);
  call.Keep(info[7], out);
  return call;
}

Napi::Value Grayscale(const Napi::CallbackInfo& info) {
  return SubmitPrepared(info.Env(), PrepareGrayscale(info), info[8]);
}

Napi::Value GrayscaleSync(const Napi::CallbackInfo& info) {
  RunPrepared(info.Env(), PrepareGrayscale(info), info[8]);
  return info.Env().Undefined();
}

}  // namespace

void RegisterGrayscale(Napi::Env env, Napi::Object exports) {
  exports.Set("grayscale", Napi::Function::New(env, Guarded<Grayscale>, "grayscale"));
  exports.Set("grayscaleSync", Napi::Function::New(env, Guarded<GrayscaleSync>, "grayscaleSync"));
}

}  // namespace offloop
