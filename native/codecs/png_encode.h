// 8-bit gray -> 8-bit gray PNG (non-interlaced) with libpng and zlib. Lossless:
// decoding gives the input back. libpng's default filter choice and zlib at
// the given level; the bytes differ from Pillow's (its own encoder), the
// pixels do not.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "band_rows.h"
#include "errors.h"
#include "output_buffer.h"

namespace offloop::codecs {

struct PngEncodeOptions {
  int compression_level = 6;  // zlib 0..9; Pillow's and zlib's default is 6
};

struct PngEncodeContext;

// Band by band: Start, WriteRows until height rows are in, Finish. The
// output buffer must outlive the encoder. After an error the encoder is spent.
class PngGrayEncoder {
 public:
  PngGrayEncoder();
  ~PngGrayEncoder();
  PngGrayEncoder(const PngGrayEncoder&) = delete;
  PngGrayEncoder& operator=(const PngGrayEncoder&) = delete;

  Status Start(uint32_t width, uint32_t height, const PngEncodeOptions& options,
               OutputBuffer* out) noexcept;
  Status WriteRows(const uint8_t* rows, size_t stride, uint32_t count) noexcept;
  Status Finish() noexcept;

 private:
  Status Fail();
  std::unique_ptr<PngEncodeContext> context_;
  Status status_;
  BandRows rows_;
};

Status EncodeGrayPng(const uint8_t* pixels, uint32_t width, uint32_t height, size_t stride,
                     const PngEncodeOptions& options, OutputBuffer* out) noexcept;

}  // namespace offloop::codecs
