#include "webp_encode.h"

#include <webp/encode.h>
#include <webp/mux.h>

namespace offloop::codecs {

namespace {

// WebPPicture and the memory writer's block, freed on every path.
struct EncodeState {
  WebPPicture picture;
  WebPMemoryWriter writer;
  WebPMux* mux = nullptr;
  WebPData assembled = {nullptr, 0};
  ~EncodeState() {
    WebPPictureFree(&picture);
    WebPMemoryWriterClear(&writer);
    WebPMuxDelete(mux);
    WebPDataClear(&assembled);
  }
};

}  // namespace

Status EncodeGrayWebp(const uint8_t* pixels, uint32_t width, uint32_t height, size_t stride,
                      const WebpEncodeOptions& options, OutputBuffer* out) noexcept {
  if (pixels == nullptr || out == nullptr || width == 0 || height == 0 || stride < width) {
    return Status::Error(ErrorCode::kInvalidArgument, "bad WebP encode arguments");
  }
  if (width > WEBP_MAX_DIMENSION || height > WEBP_MAX_DIMENSION) {
    return Status::Error(ErrorCode::kTooLarge, "WebP holds at most %dx%d pixels, not %ux%u", WEBP_MAX_DIMENSION,
                         WEBP_MAX_DIMENSION, width, height);
  }
  if (options.quality < 0 || options.quality > 100 || options.method < 0 || options.method > 6) {
    return Status::Error(ErrorCode::kInvalidArgument, "WebP quality %d or method %d out of range", options.quality,
                         options.method);
  }
  WebPConfig config;
  EncodeState state;
  WebPMemoryWriterInit(&state.writer);
  if (!WebPConfigInit(&config) || !WebPPictureInit(&state.picture)) {
    return Status::Error(ErrorCode::kInternal, "libwebp does not match its headers");
  }
  config.lossless = options.lossless ? 1 : 0;
  config.quality = static_cast<float>(options.quality);
  config.method = options.method;
  config.exact = 0;
  if (!WebPValidateConfig(&config)) return Status::Error(ErrorCode::kInternal, "libwebp refuses the configuration");
  WebPPicture& picture = state.picture;
  picture.width = static_cast<int>(width);
  picture.height = static_cast<int>(height);
  picture.use_argb = 1;
  if (!WebPPictureAlloc(&picture)) return Status::Error(ErrorCode::kOutOfMemory, "out of memory");
  // What WebPPictureImportRGB stores for Pillow's L -> RGB bytes (L, L, L):
  // opaque ARGB words, without the intermediate RGB copy.
  for (uint32_t y = 0; y < height; y++) {
    const uint8_t* row = pixels + size_t{y} * stride;
    uint32_t* argb = picture.argb + size_t{y} * static_cast<size_t>(picture.argb_stride);
    for (uint32_t x = 0; x < width; x++) argb[x] = 0xFF000000u | (uint32_t{row[x]} * 0x010101u);
  }
  picture.writer = WebPMemoryWrite;
  picture.custom_ptr = &state.writer;
  if (!WebPEncode(&config, &picture)) {
    return Status::Error(
        picture.error_code == VP8_ENC_ERROR_OUT_OF_MEMORY ? ErrorCode::kOutOfMemory : ErrorCode::kInternal,
        "libwebp could not encode (error %d)", static_cast<int>(picture.error_code));
  }
  // Pillow's build with libwebpmux reassembles the file (no ICC, EXIF or XMP to add).
  state.mux = WebPMuxNew();
  if (state.mux == nullptr) return Status::Error(ErrorCode::kOutOfMemory, "out of memory");
  const WebPData image = {state.writer.mem, state.writer.size};
  if (WebPMuxSetImage(state.mux, &image, 0) != WEBP_MUX_OK ||
      WebPMuxAssemble(state.mux, &state.assembled) != WEBP_MUX_OK) {
    return Status::Error(ErrorCode::kInternal, "libwebpmux could not assemble the file");
  }
  out->Clear();
  if (!out->Append(state.assembled.bytes, state.assembled.size)) {
    return Status::Error(ErrorCode::kOutOfMemory, "out of memory");
  }
  return Status::Ok();
}

}  // namespace offloop::codecs
