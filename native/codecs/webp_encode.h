// 8-bit gray -> WebP as Pillow 9.4's Image.save(p, 'WEBP') writes an 'L'
// image: converted to RGB first (R = G = B = L), then libwebp's WebPEncode
// with WebPConfigInit's defaults but lossless, quality and method, the
// picture in ARGB (use_argb), and the result passed through libwebpmux
// (WebPMuxSetImage, WebPMuxAssemble) as Pillow's HAVE_WEBPMUX build does.
// With the same libwebp (1.2.4) the bytes are Pillow's.
#pragma once

#include <cstddef>
#include <cstdint>

#include "errors.h"
#include "output_buffer.h"

namespace offloop::codecs {

struct WebpEncodeOptions {
  bool lossless = false;
  int quality = 80;  // 0..100, Pillow's default 80
  int method = 4;    // 0..6, Pillow's default 4
};

Status EncodeGrayWebp(const uint8_t* pixels, uint32_t width, uint32_t height, size_t stride,
                      const WebpEncodeOptions& options, OutputBuffer* out) noexcept;

}  // namespace offloop::codecs
