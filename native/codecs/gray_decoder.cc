#include "gray_decoder.h"

#include <new>

#include "bmp_decode.h"
#include "gif_decode.h"
#include "tiff_decode.h"
#include "webp_decode.h"
#include "jpeg_decode.h"
#include "png_decode.h"

namespace offloop::codecs {

Status OpenGrayDecoder(const uint8_t* data, size_t size, const DecodeOptions& options,
                       std::unique_ptr<GrayDecoder>* decoder) noexcept {
  if (decoder == nullptr || (data == nullptr && size != 0)) {
    return Status::Error(ErrorCode::kInvalidArgument, "no input data");
  }
  decoder->reset();
  if (size == 0) return Status::Error(ErrorCode::kEmpty, "empty input");
  ImageFormat format = DetectFormat(data, size);
  switch (format) {
    case ImageFormat::kJpeg:
      return OpenJpegGrayDecoder(data, size, options, decoder);
    case ImageFormat::kPng:
      return OpenPngGrayDecoder(data, size, options, decoder);
    case ImageFormat::kGif:
      return OpenGifGrayDecoder(data, size, options, decoder);
    case ImageFormat::kBmp:
      return OpenBmpGrayDecoder(data, size, options, decoder);
    case ImageFormat::kWebp:
      return OpenWebpGrayDecoder(data, size, options, decoder);
    case ImageFormat::kTiff:
      return OpenTiffGrayDecoder(data, size, options, decoder);
    default:
      return UnreadableFormat(data, size, format);
  }
}

Status DecodeGray(const uint8_t* data, size_t size, const DecodeOptions& options, GrayImage* image) noexcept {
  if (image == nullptr) return Status::Error(ErrorCode::kInvalidArgument, "no output image");
  std::unique_ptr<GrayDecoder> decoder;
  Status status = OpenGrayDecoder(data, size, options, &decoder);
  if (!status.ok()) return status;
  image->width = decoder->width();
  image->height = decoder->height();
  image->info = decoder->info();
  image->luma = decoder->luma();
  try {
    image->pixels.assign(static_cast<size_t>(image->width) * image->height, 0);
  } catch (const std::bad_alloc&) {
    return Status::Error(ErrorCode::kOutOfMemory, "out of memory for %ux%u pixels", image->width, image->height);
  }
  status = decoder->Start({image->pixels.data(), image->width});
  DecodeProgress progress;
  while (status.ok() && !progress.finished) status = decoder->Step(256, &progress);
  return status;
}

}  // namespace offloop::codecs
