// JPEG -> 1-component JPEG with the input's own luma coefficients and
// quantization table (as `jpegtran -grayscale`): entropy decoding and
// encoding only, no inverse or forward DCT, no second quantization. The
// output decodes to exactly the pixels that GrayMode::kLuma decodes from the
// input, for every input this applies to:
//  - 8-bit YCbCr (any sampling) or gray JPEGs, baseline, extended, arithmetic
//    or progressive, whose luma has the frame's full sampling. Anything else
//    (RGB, CMYK, YCCK, 12-bit, a subsampled luma) is kUnsupported.
//  - a luma coefficient out of baseline range (damaged data) is kCorrupt.
//  - the whole datastream up to EOI: a file that ends early is kTruncated.
//    (Decoding may still accept it, as Pillow does when only the EOI is
//    missing; callers that need that verdict decode instead.)
//  - a progressive file whose luma scans stop before every coefficient is
//    complete is kUnsupported: libjpeg decodes such a file with block
//    smoothing, which a complete copy would not reproduce.
//
// Memory: the luma coefficients of the whole image (2 bytes a pixel; in the
// caller's storage if it gives some). The
// chroma of a sequential file is entropy-decoded into one reused row of
// blocks and dropped; a progressive file keeps every component (as its
// decode does), since a later scan refines what an earlier one stored.
//
// The output is baseline, a JFIF header (density copied from the input's) and
// no other markers. Huffman tables: libjpeg's standard ones for a one-scan
// Huffman input (no statistics pass); tables optimized for the image for
// progressive, arithmetic and multi-scan inputs.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "errors.h"
#include "gray_decoder.h"
#include "output_buffer.h"

namespace offloop::codecs {

struct LumaCopyOptions {
  // As DecodeOptions' (gray_decoder.h).
  uint64_t max_pixels = kDefaultMaxPixels;
  int max_jpeg_scans = 1000;
  const std::atomic<bool>* cancel = nullptr;
};

struct LumaCopyContext;

// Open, Read, Write, in that order; after an error the copy is spent.
class JpegLumaCopy {
 public:
  JpegLumaCopy();
  ~JpegLumaCopy();
  JpegLumaCopy(const JpegLumaCopy&) = delete;
  JpegLumaCopy& operator=(const JpegLumaCopy&) = delete;

  // Reads the header of data[0, size), which must stay alive and unchanged
  // until the copy is destroyed.
  Status Open(const uint8_t* data, size_t size, const LumaCopyOptions& options) noexcept;
  uint32_t width() const { return width_; }
  uint32_t height() const { return height_; }
  // Bytes the luma coefficients take (after Open).
  size_t coefficient_bytes() const { return coefficient_bytes_; }
  // Entropy-decodes the whole input, keeping the luma coefficients: in
  // `storage` when it holds coefficient_bytes() (any content; it must stay
  // alive until Write returns), else in memory libjpeg allocates. Fresh
  // memory costs a page fault per page on first touch (in a VM, more than
  // the entropy decoding of those coefficients): callers that copy many
  // files pass reused memory.
  Status Read(void* storage = nullptr, size_t storage_bytes = 0) noexcept;
  // Writes the gray JPEG to `out`.
  Status Write(OutputBuffer* out) noexcept;

 private:
  Status Fail(Status status);
  std::unique_ptr<LumaCopyContext> context_;
  Status status_;
  uint32_t width_ = 0;
  uint32_t height_ = 0;
  size_t coefficient_bytes_ = 0;
  int stage_ = 0;  // 1 opened, 2 read, 3 written
};

}  // namespace offloop::codecs
