// 8-bit gray -> 1-component baseline JPEG with libjpeg(-turbo), set up as
// Pillow 9.4's save(fp, 'JPEG', quality=q) of an L image (JpegEncode.c):
// jpeg_set_defaults, jpeg_set_quality(q, force_baseline), ISLOW DCT, no
// Huffman optimisation, not progressive, the default JFIF header. With the
// same libjpeg the bytes are identical to Pillow's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "band_rows.h"
#include "errors.h"
#include "output_buffer.h"

namespace offloop::codecs {

struct JpegEncodeOptions {
  int quality = 75;  // 0..100 (0 acts as 1, as in libjpeg); Pillow's default is 75
};

struct JpegEncodeContext;

// Band by band: Start, WriteRows until height rows are in, Finish. The
// output buffer must outlive the encoder. After an error the encoder is spent.
class JpegGrayEncoder {
 public:
  JpegGrayEncoder();
  ~JpegGrayEncoder();
  JpegGrayEncoder(const JpegGrayEncoder&) = delete;
  JpegGrayEncoder& operator=(const JpegGrayEncoder&) = delete;

  Status Start(uint32_t width, uint32_t height, const JpegEncodeOptions& options, OutputBuffer* out) noexcept;
  Status WriteRows(const uint8_t* rows, size_t stride, uint32_t count) noexcept;
  Status Finish() noexcept;

 private:
  Status Fail();
  std::unique_ptr<JpegEncodeContext> context_;
  Status status_;
  BandRows rows_;
};

Status EncodeGrayJpeg(const uint8_t* pixels, uint32_t width, uint32_t height, size_t stride,
                      const JpegEncodeOptions& options, OutputBuffer* out) noexcept;

}  // namespace offloop::codecs
